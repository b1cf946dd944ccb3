//! The one error type of Vitrine. The JSON API renders it as `{"detail": ...}`
//! with its status; server functions carry it to the browser, where the UI
//! renders it as a page.

use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Not authenticated")]
    Unauthorized,
    #[error("Access denied")]
    Forbidden,
    /// A state-changing request that a browser sent from another site.
    #[error("Cross-site request refused: this action must come from Vitrine's own pages")]
    CrossSite,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    InsufficientStorage(String),
    /// The detail is for the log; clients see only that something broke.
    #[error("Internal server error")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Unauthorized => 401,
            Self::Forbidden | Self::CrossSite => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::PayloadTooLarge(_) => 413,
            Self::InsufficientStorage(_) => 507,
            Self::Internal(_) => 500,
        }
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} not found"))
    }
}

impl FromServerFnError for AppError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => Self::BadRequest(msg),
            other => Self::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::Json;

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            if let AppError::Internal(detail) = &self {
                tracing::error!("internal error: {detail}");
            }
            let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(serde_json::json!({ "detail": self.to_string() }))).into_response()
        }
    }

    /// Disk-full and quota errors are the client's to hear about (507); any
    /// other I/O failure is ours.
    impl From<std::io::Error> for AppError {
        fn from(e: std::io::Error) -> Self {
            match e.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                    AppError::InsufficientStorage("Insufficient storage: the server's disk is full".into())
                }
                _ => AppError::Internal(e.to_string()),
            }
        }
    }

    impl From<rusqlite::Error> for AppError {
        fn from(e: rusqlite::Error) -> Self {
            AppError::Internal(format!("database: {e}"))
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(e: tokio::task::JoinError) -> Self {
            AppError::Internal(format!("background task: {e}"))
        }
    }
}
