//! The HTTP API, one file per endpoint family.

mod artifacts;
mod conversations;
mod events;
pub(crate) mod health;
mod highlight;
mod session;
pub(crate) mod shares;
pub(crate) mod threads;
mod thumbnails;
mod tokens;
mod uploads;
pub(crate) mod versions;
mod zips;

use super::state::AppState;
use crate::error::{AppError, Missing};
use axum::http::StatusCode;
use axum::Router;

/// The API's description; `tests/it/openapi.rs` checks it against the router.
const OPENAPI: &str = include_str!("../../../docs/openapi.json");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/openapi.json",
            axum::routing::get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
        .merge(session::router())
        .merge(shares::router())
        .merge(conversations::router())
        .merge(artifacts::router())
        .merge(events::router())
        .merge(health::router())
        .merge(highlight::router())
        .merge(threads::router())
        .merge(thumbnails::router())
        .merge(tokens::router())
        .merge(uploads::router())
        .merge(versions::router())
        .merge(zips::router())
        // Every API answer is JSON, a path or method that does not exist too
        // (axum keeps `Allow` on the 405).
        .route("/api", axum::routing::any(no_endpoint))
        .route("/api/", axum::routing::any(no_endpoint))
        .route("/api/{*rest}", axum::routing::any(no_endpoint))
        .method_not_allowed_fallback(|| async {
            let detail = serde_json::json!({ "detail": "Method not allowed" });
            (StatusCode::METHOD_NOT_ALLOWED, axum::Json(detail))
        })
}

async fn no_endpoint(uri: axum::http::Uri) -> AppError {
    Missing::Endpoint(uri.path().to_string()).into()
}
