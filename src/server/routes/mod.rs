//! The HTTP API, one file per endpoint family.

mod artifacts;
mod conversations;
mod highlight;
mod session;
mod threads;
mod thumbnails;
mod tokens;
mod uploads;
mod zips;

use super::state::AppState;
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
        .merge(conversations::router())
        .merge(artifacts::router())
        .merge(highlight::router())
        .merge(threads::router())
        .merge(thumbnails::router())
        .merge(tokens::router())
        .merge(uploads::router())
        .merge(zips::router())
}
