//! The thread API: a conversation's files by virtual path
//! (`mnt/user-data/outputs/...`, `mnt/user-data/uploads/...`), including
//! members of `.skill` archives.

use crate::error::{AppError, Missing};
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiPath, Download};
use crate::server::serve::{content_disposition, content_type, file_response, untrusted_content_headers, Caching};
use crate::server::state::AppState;
use crate::server::store::Resolved;
use crate::server::{mime, vpath};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/threads/{thread_id}/artifacts/{*path}", get(artifact))
}

/// The thread's id; the virtual path is taken from the raw URI instead.
#[derive(serde::Deserialize)]
struct Thread {
    thread_id: uuid::Uuid,
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
    req: Request,
) -> Result<Response, AppError> {
    let (parts, _) = req.into_parts();
    let path = vpath::check(raw_path(parts.uri.path()).ok_or(AppError::Forbidden)?)?;
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
                let tag =
                    format!("\"{}\"", &format!("{:x}", Sha256::digest(format!("{}/{member}", meta.sha256)))[..32]);
                Ok(member_response(&parts.headers, member, bytes, &tag, download))
            }
            _ => Err(Missing::Path(archive.to_string()).into()),
        };
    }
    match state.store.resolve(user.id, thread, &path)? {
        Resolved::File(meta) => file_response(&parts, &state.store, &meta, download, Caching::Revalidate).await,
        Resolved::Folder => Err(AppError::BadRequest(format!("Path is not a file: {path}"))),
        Resolved::Missing => Err(Missing::Path(path).into()),
    }
}

/// An archive member is already in memory (and bounded by the archive
/// limits), so it is answered whole, with If-None-Match honoured.
fn member_response(
    request_headers: &axum::http::HeaderMap,
    member: &str,
    bytes: std::sync::Arc<[u8]>,
    tag: &str,
    download: bool,
) -> Response {
    let mime_type = mime::for_name(member);
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == tag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        axum::body::Body::from(bytes::Bytes::from_owner(bytes)).into_response()
    };
    let headers = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(headers, header::CONTENT_TYPE, content_type(&mime_type));
    set(headers, header::CONTENT_DISPOSITION, content_disposition(member, download));
    set(headers, header::ETAG, tag.to_string());
    set(headers, header::CACHE_CONTROL, "private, no-cache".to_string());
    untrusted_content_headers(headers, &mime_type);
    response
}
