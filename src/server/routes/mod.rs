//! The HTTP API, one file per endpoint family, and the extractors whose
//! rejections are the API's own JSON errors.

mod artifacts;
mod conversations;
mod highlight;
mod session;
mod threads;
mod thumbnails;
mod uploads;
mod zips;

use super::state::AppState;
use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::Router;
use uuid::Uuid;

/// The API's description; `tests/openapi.rs` checks it against the router.
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
        .merge(uploads::router())
        .merge(zips::router())
}

/// `axum::Json`, but a bad body answers `{"detail": ...}` like every other error.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge("Request body is larger than the server accepts".into()))
            }
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

/// Ids in paths: anything that is not a UUID names nothing, so it is a 404.
pub fn parse_id(raw: &str, what: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound(format!("{what} not found: {}", raw.escape_debug())))
}
