//! Browser sign-in and sign-out (plain form posts, so they work before the
//! page hydrates), and who-am-I for API clients.

use crate::error::AppError;
use crate::server::auth::{self, CurrentUser, SESSION_COOKIE, SESSION_DAYS};
use crate::server::http::extract::{ApiJson, ClientAddress};
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, SET_COOKIE, USER_AGENT};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/logout", post(logout)).route("/api/me", get(me))
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Only same-site paths: a login link must not become an open redirect.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/artifacts"
    }
}

fn session_cookie(value: String, max_age_days: i64) -> String {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(max_age_days))
        .build()
        .to_string()
}

/// Signs in, within the limits on attempts: over them an API client gets
/// 429 with `Retry-After`, a browser the form again with the wait.
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next).to_string();
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    match auth::login(&state.credentials, &form.name, &form.password, address, agent).await {
        Ok(secret) => ([(SET_COOKIE, session_cookie(secret, SESSION_DAYS))], Redirect::to(&next)).into_response(),
        Err(AppError::Unauthorized) => back_to_form(&[("error", "1"), ("next", &next)]),
        Err(AppError::TooManyAttempts(seconds)) if accepts_html(&headers) => {
            back_to_form(&[("error", "limited"), ("retry", &seconds.to_string()), ("next", &next)])
        }
        Err(e) => e.into_response(),
    }
}

fn back_to_form(query: &[(&str, &str)]) -> Response {
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish();
    Redirect::to(&format!("/login?{query}")).into_response()
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

async fn logout(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    auth::logout(&state.credentials, &parts).await?;
    Ok(([(SET_COOKIE, session_cookie(String::new(), 0))], Redirect::to("/login")).into_response())
}

async fn me(user: CurrentUser) -> ApiJson<serde_json::Value> {
    ApiJson(serde_json::json!({ "id": user.id, "name": &*user.name }))
}
