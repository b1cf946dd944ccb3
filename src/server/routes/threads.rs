//! The thread API: a conversation's files by virtual path
//! (`mnt/user-data/outputs/...`, `mnt/user-data/uploads/...`), including
//! members of `.skill` archives.

use super::parse_id;
use crate::error::AppError;
use crate::server::archive::ArchiveError;
use crate::server::auth::CurrentUser;
use crate::server::serve::{file_response, member_response, strong_etag, Caching};
use crate::server::state::AppState;
use crate::server::store::Resolved;
use crate::server::vpath;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sha2::{Digest, Sha256};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/threads/{thread_id}/artifacts/{*path}", get(artifact))
}

impl From<ArchiveError> for AppError {
    fn from(e: ArchiveError) -> Self {
        match e {
            ArchiveError::MemberNotFound(_) | ArchiveError::ArchiveNotFound => AppError::NotFound(e.to_string()),
            ArchiveError::Corrupt(_) | ArchiveError::Hostile(_) => AppError::BadRequest(e.to_string()),
            ArchiveError::TooLarge(_) => AppError::PayloadTooLarge(e.to_string()),
            ArchiveError::Io(io) => io.into(),
        }
    }
}

/// The raw (still percent-encoded) thread id and virtual path of the URI:
/// decoding is left to `vpath::check`, which sees every spelling.
fn raw_parts(uri_path: &str) -> Option<(&str, &str)> {
    uri_path.strip_prefix("/api/threads/")?.split_once("/artifacts/")
}

async fn artifact(State(state): State<AppState>, user: CurrentUser, req: Request) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    let (thread, raw_path) = raw_parts(parts.uri.path()).ok_or(AppError::Forbidden)?;
    let thread = parse_id(thread, "Thread")?;
    let path = vpath::check(raw_path)?;
    let download = parts.uri.query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "download" && matches!(&*v, "true" | "1"))
    });
    if let Some((archive, member)) = vpath::split_archive(&path) {
        return match state.store.resolve(user.id, thread, archive)? {
            Resolved::File(meta) => {
                let file = state.store.data_path(&meta)?;
                let bytes = match state.archives.cached_member(&file, member)? {
                    Some(bytes) => bytes,
                    None => {
                        let archives = state.archives.clone();
                        let member_name = member.to_string();
                        tokio::task::spawn_blocking(move || archives.read_member(&file, &member_name)).await??
                    }
                };
                let tag = strong_etag(&format!("{:x}", Sha256::digest(format!("{}/{member}", meta.sha256))));
                Ok(member_response(&parts, member, Bytes::from_owner(bytes), &tag, download))
            }
            _ => Err(AppError::NotFound(format!("Artifact not found: {archive}"))),
        };
    }
    match state.store.resolve(user.id, thread, &path)? {
        Resolved::File(meta) => file_response(&parts, &state.store, &meta, download, Caching::Revalidate).await,
        Resolved::Folder => Err(AppError::BadRequest(format!("Path is not a file: {path}"))),
        Resolved::Missing => Err(AppError::NotFound(format!("Artifact not found: {path}"))),
    }
}
