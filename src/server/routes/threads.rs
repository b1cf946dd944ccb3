//! The thread API: a conversation's files by virtual path
//! (`mnt/user-data/outputs/...`, `mnt/user-data/uploads/...`), including
//! members of `.skill` archives; `?version=n` answers that version of the
//! file instead of the latest.

use crate::error::{AppError, Missing};
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiPath, Download};
use crate::server::http::serve::{file_response, member_response, strong_etag, Caching};
use crate::server::routes::versions::VersionQuery;
use crate::server::state::AppState;
use crate::server::store::Resolved;
use crate::server::vpath;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/threads/{thread_id}/artifacts/{*path}", get(artifact))
}

/// The thread's id; the virtual path is taken from the raw URI instead.
#[derive(serde::Deserialize)]
struct Thread {
    thread_id: Uuid,
}

/// The raw (still percent-encoded) virtual path of the URI: decoding is
/// left to `vpath::check`, which sees every spelling.
fn raw_path(uri_path: &str) -> Option<&str> {
    uri_path.strip_prefix("/api/threads/")?.split_once("/artifacts/").map(|(_, path)| path)
}

async fn artifact(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(Thread { thread_id: thread }): ApiPath<Thread>,
    Download(download): Download,
    VersionQuery(version): VersionQuery,
    req: Request,
) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    let raw = raw_path(parts.uri.path()).ok_or(AppError::Forbidden)?;
    file_at(&state, &parts, user.id, thread, raw, download, version).await
}

/// The file (or `.skill` member) at a raw virtual path of one of `user`'s
/// conversations, its latest version or `version`; the content origin's
/// capability URLs answer with it too.
pub async fn file_at(
    state: &AppState,
    parts: &Parts,
    user: Uuid,
    thread: Uuid,
    raw: &str,
    download: bool,
    version: Option<u32>,
) -> Result<Response, AppError> {
    let path = vpath::check(raw)?;
    let (file_path, member) = match vpath::split_archive(&path) {
        Some((archive, member)) => (archive, Some(member)),
        None => (path.as_str(), None),
    };
    let meta = match state.store.resolve(user, thread, file_path)? {
        Resolved::File(meta) => match version {
            Some(n) => state.store.version(user, thread, meta.artifact_id(), n)?,
            None => meta,
        },
        Resolved::Folder if member.is_none() => {
            return Err(AppError::BadRequest(format!("Path is not a file: {path}")))
        }
        _ => return Err(Missing::Path(file_path.to_string()).into()),
    };
    let Some(member) = member else {
        let caching = if version.is_some() { Caching::Immutable } else { Caching::Revalidate };
        return file_response(parts, &state.store, &meta, download, caching).await;
    };
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
    Ok(member_response(parts, member, Bytes::from_owner(bytes), &tag, download))
}
