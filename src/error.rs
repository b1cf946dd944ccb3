//! The one error type of Vitrine. The JSON API renders it as `{"detail": ...}`
//! with its status; server functions carry it to the browser, where the UI
//! renders it as a page. Every conversion into it is in this file.

use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Not authenticated")]
    Unauthorized,
    #[error("Access denied")]
    Forbidden,
    /// A state-changing request made with a `read` token.
    #[error("This token is read-only: it may only make GET and HEAD requests")]
    ReadOnlyToken,
    /// Sign-in attempts over the limit; the seconds until the next is allowed.
    #[error("Too many sign-in attempts: try again in {0} seconds")]
    TooManyAttempts(u64),
    /// A state-changing request that a browser sent from another site.
    #[error("Cross-site request refused: this action must come from Vitrine's own pages")]
    CrossSite,
    #[error(transparent)]
    NotFound(#[from] Missing),
    #[error("{0}")]
    Conflict(String),
    /// A share link that was revoked, has expired, or that the server no
    /// longer honours.
    #[error("{0}")]
    Gone(String),
    /// Making a share link on a server whose operator turned sharing off.
    #[error("Share links are turned off on this server")]
    SharingOff,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    InsufficientStorage(String),
    /// The database or the object store cannot be reached just now: the
    /// request may succeed if made again.
    #[error("{0}")]
    Unavailable(String),
    /// The detail is for the log; clients see only that something broke.
    #[error("Internal server error")]
    Internal(String),
}

/// What a 404 did not find, each message written once. Someone else's
/// conversation or artifact is missing exactly as a nonexistent one is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Missing {
    #[error("Conversation not found: {0}")]
    Conversation(Uuid),
    #[error("Artifact not found: {0}")]
    Artifact(Uuid),
    #[error("Version {1} of artifact {0} not found")]
    Version(Uuid, u32),
    /// A virtual path of a thread, e.g. `mnt/user-data/outputs/a.txt`.
    #[error("Artifact not found: {0}")]
    Path(String),
    /// A folder of a conversation's virtual paths.
    #[error("Folder not found: {0}")]
    Folder(String),
    /// A member of a `.skill` archive.
    #[error("File '{0}' not found in skill archive")]
    Member(String),
    /// The `.skill` file itself vanished from disk under its record.
    #[error("Archive not found")]
    Archive,
    /// A path segment where an id belongs that is not one: it names nothing.
    #[error("Not found: '{0}' is not an id")]
    Id(String),
    #[error("Token not found: {0}")]
    Token(Uuid),
    #[error("Session not found: {0}")]
    Session(Uuid),
    #[error("Share link not found: {0}")]
    Share(Uuid),
    /// A share link's token that names no link (never quoted: it is a secret).
    #[error("This share link does not exist")]
    ShareLink,
    #[error("No thumbnail for {0}")]
    Thumbnail(String),
    /// An address of the API that names no endpoint.
    #[error("No API endpoint at {0}")]
    Endpoint(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Unauthorized => 401,
            Self::Forbidden | Self::CrossSite | Self::ReadOnlyToken | Self::SharingOff => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Gone(_) => 410,
            Self::PayloadTooLarge(_) => 413,
            Self::TooManyAttempts(_) => 429,
            Self::InsufficientStorage(_) => 507,
            Self::Internal(_) => 500,
            Self::Unavailable(_) => 503,
        }
    }
}

impl From<crate::model::QueryError> for AppError {
    fn from(e: crate::model::QueryError) -> Self {
        AppError::BadRequest(e.to_string())
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
    use crate::server::archive::ArchiveError;
    use crate::server::convert::ConvertError;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::Json;

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            match &self {
                AppError::Internal(detail) => tracing::error!("internal error: {detail}"),
                AppError::Unavailable(detail) => tracing::warn!("{detail}"),
                _ => {}
            }
            let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, Json(serde_json::json!({ "detail": self.to_string() }))).into_response();
            if let AppError::TooManyAttempts(seconds) = self {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
            }
            response
        }
    }

    /// Disk-full and quota errors are the client's to hear about (507); an
    /// object store that fails other than with a missing key is unavailable
    /// (503: `blobs/object.rs` keeps its error inside); any other I/O
    /// failure is ours.
    impl From<std::io::Error> for AppError {
        fn from(e: std::io::Error) -> Self {
            let from_store = e.get_ref().is_some_and(|inner| inner.is::<object_store::Error>());
            match e.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                    AppError::InsufficientStorage("Insufficient storage: the server's disk is full".into())
                }
                kind if from_store && kind != std::io::ErrorKind::NotFound => {
                    AppError::Unavailable(format!("Storage unavailable: {e}"))
                }
                _ => AppError::Internal(e.to_string()),
            }
        }
    }

    /// A database that is full is a full disk (507); one that is locked
    /// past the busy timeout, or that cannot be read or written, is
    /// unavailable (503); anything else is ours.
    impl From<rusqlite::Error> for AppError {
        fn from(e: rusqlite::Error) -> Self {
            use rusqlite::ErrorCode::{CannotOpen, DatabaseBusy, DatabaseLocked, DiskFull, SystemIoFailure};
            match e.sqlite_error_code() {
                Some(DiskFull) => std::io::Error::from(std::io::ErrorKind::StorageFull).into(),
                Some(DatabaseBusy | DatabaseLocked | SystemIoFailure | CannotOpen) => {
                    AppError::Unavailable(format!("Database unavailable: {e}"))
                }
                _ => AppError::Internal(format!("database: {e}")),
            }
        }
    }

    /// A PostgreSQL server that cannot be reached, lost its connection, is
    /// shutting down or has no connection to spare is unavailable (503); one
    /// whose disk is full is a full disk (507); anything else is ours.
    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            use sqlx::Error::{Io, PoolClosed, PoolTimedOut, Tls, WorkerCrashed};
            let state = e.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned()).unwrap_or_default();
            match e {
                _ if state == "53100" => std::io::Error::from(std::io::ErrorKind::StorageFull).into(),
                // Class 08: connection exceptions; 57P: the server going
                // away; 53300: too many connections.
                Io(_) | Tls(_) | PoolTimedOut | PoolClosed | WorkerCrashed => {
                    AppError::Unavailable(format!("Database unavailable: {e}"))
                }
                _ if state.starts_with("08") || state.starts_with("57P") || state == "53300" => {
                    AppError::Unavailable(format!("Database unavailable: {e}"))
                }
                _ => AppError::Internal(format!("database: {e}")),
            }
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(e: tokio::task::JoinError) -> Self {
            AppError::Internal(format!("background task: {e}"))
        }
    }

    impl From<ArchiveError> for AppError {
        fn from(e: ArchiveError) -> Self {
            match e {
                ArchiveError::MemberNotFound(member) => super::Missing::Member(member).into(),
                ArchiveError::ArchiveNotFound => super::Missing::Archive.into(),
                ArchiveError::Corrupt(_) | ArchiveError::Hostile(_) => AppError::BadRequest(e.to_string()),
                ArchiveError::TooLarge(_) => AppError::PayloadTooLarge(e.to_string()),
                ArchiveError::Io(io) => io.into(),
            }
        }
    }

    /// Only `vitrine convert` fails this way; uploads keep the reason in
    /// their answer instead.
    impl From<ConvertError> for AppError {
        fn from(e: ConvertError) -> Self {
            AppError::BadRequest(e.to_string())
        }
    }

    impl From<axum::extract::rejection::PathRejection> for AppError {
        fn from(e: axum::extract::rejection::PathRejection) -> Self {
            use axum::extract::path::ErrorKind;
            use axum::extract::rejection::PathRejection::FailedToDeserializePathParams;
            match e {
                // An id that does not parse names nothing: 404, as for a
                // well-formed id that is not there.
                FailedToDeserializePathParams(e) => match e.into_kind() {
                    ErrorKind::DeserializeError { value, .. }
                    | ErrorKind::ParseError { value, .. }
                    | ErrorKind::ParseErrorAtKey { value, .. }
                    | ErrorKind::ParseErrorAtIndex { value, .. } => {
                        super::Missing::Id(value.escape_debug().to_string()).into()
                    }
                    kind => AppError::BadRequest(kind.to_string()),
                },
                other => AppError::Internal(other.body_text()),
            }
        }
    }
}
