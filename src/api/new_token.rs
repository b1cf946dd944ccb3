//! A token made by the settings form without JavaScript reaches the page
//! it is redirected to in a short-lived cookie, read (and cleared) once.
//! With JavaScript the form's answer carries it and no cookie is set.

use crate::account::{CreatedToken, TokenInfo};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use leptos::prelude::use_context;

const COOKIE: &str = "vitrine_new_token";

fn set_cookie(value: String, max_age: time::Duration) {
    let cookie = Cookie::build((COOKIE, value))
        .path("/settings")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(max_age)
        .build();
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&cookie.to_string()))
    {
        response.append_header(SET_COOKIE, value);
    }
}

pub fn keep(created: &CreatedToken) {
    set_cookie(format!("{}.{}", created.info.id, created.token), time::Duration::minutes(1));
}

/// The token the cookie names, if it is one of `tokens`; clears the cookie.
pub fn take(parts: &Parts, tokens: &[TokenInfo]) -> Option<CreatedToken> {
    let value = CookieJar::from_headers(&parts.headers).get(COOKIE)?.value().to_string();
    set_cookie(String::new(), time::Duration::ZERO);
    let (id, token) = value.split_once('.')?;
    let info = tokens.iter().find(|t| t.id.to_string() == id)?.clone();
    Some(CreatedToken { token: token.to_string(), info })
}
