//! Browser sign-in and sign-out (plain form posts, so they work before the
//! page hydrates), and who-am-I for API clients.

use crate::error::AppError;
use crate::server::auth::{self, CurrentUser, SESSION_COOKIE, SESSION_DAYS};
use crate::server::http::extract::ApiJson;
use crate::server::state::AppState;
use axum::extract::{Request, State};
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

async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(&form.next).to_string();
    match auth::login(&state.credentials, &form.name, &form.password).await {
        Ok(secret) => ([(axum::http::header::SET_COOKIE, session_cookie(secret, SESSION_DAYS))], Redirect::to(&next))
            .into_response(),
        Err(AppError::Unauthorized) => {
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("error", "1")
                .append_pair("next", &next)
                .finish();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn logout(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    auth::logout(&state.credentials, &parts).await?;
    Ok(([(axum::http::header::SET_COOKIE, session_cookie(String::new(), 0))], Redirect::to("/login")).into_response())
}

async fn me(user: CurrentUser) -> ApiJson<serde_json::Value> {
    ApiJson(serde_json::json!({ "id": user.id, "name": user.name }))
}
