//! A secret made by a settings form without JavaScript (a new token, a new
//! share link) reaches the page it is redirected to in a short-lived
//! cookie, read (and cleared) once. With JavaScript the form's answer
//! carries it and no cookie is set.

use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use leptos::prelude::use_context;

pub const TOKEN: &str = "vitrine_new_token";
pub const SHARE: &str = "vitrine_new_share";

fn set_cookie(name: &'static str, value: String, max_age: time::Duration) {
    let cookie = Cookie::build((name, value))
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

/// Keeps `secret`, made with the record `id`, for the next page.
pub fn keep(name: &'static str, id: uuid::Uuid, secret: &str) {
    set_cookie(name, format!("{id}.{secret}"), time::Duration::minutes(1));
}

/// The record id and secret the cookie `name` holds; clears the cookie.
pub fn take(parts: &Parts, name: &'static str) -> Option<(String, String)> {
    let value = CookieJar::from_headers(&parts.headers).get(name)?.value().to_string();
    set_cookie(name, String::new(), time::Duration::ZERO);
    let (id, secret) = value.split_once('.')?;
    Some((id.to_string(), secret.to_string()))
}
