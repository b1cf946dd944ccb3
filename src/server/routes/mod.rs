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
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;
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
    AppError::NotFound(format!("No API endpoint at {}", uri.path()))
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

/// Answers as `axum::Json` does, written by sonic-rs, whose string escaping
/// is vectorised: serde_json's, a byte at a time, was a fifth of a listing
/// page's time (bench/NOTES.md).
impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match sonic_rs::to_vec(&self.0) {
            Ok(body) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(e) => AppError::Internal(format!("serialising the answer: {e}")).into_response(),
        }
    }
}

/// Ids in paths: anything that is not a UUID names nothing, so it is a 404.
pub fn parse_id(raw: &str, what: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound(format!("{what} not found: {}", raw.escape_debug())))
}
