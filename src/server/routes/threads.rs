//! The thread API: a conversation's files by virtual path
//! (`mnt/user-data/outputs/...`, `mnt/user-data/uploads/...`), including
//! members of `.skill` archives; `?version=n` answers that version of the
//! file instead of the latest. A browser that opens a page here (HTML, SVG,
//! XML) is sent to the same path (and version) on the content origin, where
//! the files it loads are found beside it.

use crate::error::{AppError, Missing};
use crate::server::archive::Source;
use crate::server::auth::CurrentUser;
use crate::server::http::extract::{ApiPath, Download};
use crate::server::http::serve::{file_response, member_response, strong_etag, Caching};
use crate::server::routes::versions::VersionQuery;
use crate::server::state::AppState;
use crate::server::store::sidecar::Sidecar;
use crate::server::store::Resolved;
use crate::server::vpath;
use crate::server::{clock, content, mime};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::sync::Arc;
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
    let found = find(&state, user.id, thread, raw, version).await?;
    if !download && is_navigation(&parts.headers) && mime::is_document(&found.mime_type()) {
        let grant = content::Grant::conversation(user.id, thread);
        let mut url = state.content.url(&grant, &found.path, clock::now_unix() + crate::model::PREVIEW_LINK_SECS);
        url.set_query(version.map(|n| format!("version={n}")).as_deref());
        return Ok(to_content_origin(&url));
    }
    serve(&state, &parts, found, download, version).await
}

/// Whether a browser asks for a page to show (a link followed, an address
/// typed, a frame), not a script for bytes. Browsers send no bearer token.
fn is_navigation(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match value("sec-fetch-dest") {
        Some(dest) => matches!(dest, "document" | "iframe" | "frame"),
        // Browsers from before Fetch Metadata: they ask for HTML first.
        None => value(header::ACCEPT.as_str()).is_some_and(|accept| accept.contains("text/html")),
    }
}

/// A page opened at its thread path is sent to the content origin: there
/// its relative links (`chart.png`, `../data/table.csv`) reach its sibling
/// files, which beside `/api/threads/...` on the app's origin they would
/// not. The capability URL is made for this answer alone, so it is not kept.
fn to_content_origin(url: &url::Url) -> Response {
    let location = HeaderValue::from_str(url.as_str()).expect("a URL is a valid header value");
    let no_store = HeaderValue::from_static("no-store");
    (StatusCode::SEE_OTHER, [(header::LOCATION, location), (header::CACHE_CONTROL, no_store)]).into_response()
}

/// A file, or a member of a `.skill` archive, found at a virtual path.
pub(crate) struct Found {
    /// The checked, decoded virtual path.
    path: String,
    pub(crate) meta: Arc<Sidecar>,
    pub(crate) member: Option<String>,
}

impl Found {
    fn mime_type(&self) -> std::borrow::Cow<'_, str> {
        match &self.member {
            Some(member) => mime::for_name(member).into(),
            None => self.meta.mime_type.as_str().into(),
        }
    }
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
    let found = find(state, user, thread, raw, version).await?;
    serve(state, parts, found, download, version).await
}

pub(crate) async fn find(
    state: &AppState,
    user: Uuid,
    thread: Uuid,
    raw: &str,
    version: Option<u32>,
) -> Result<Found, AppError> {
    let path = vpath::check(raw)?;
    let (file_path, member) = match vpath::split_archive(&path) {
        Some((archive, member)) => (archive, Some(member.to_string())),
        None => (path.as_str(), None),
    };
    let meta = match state.store.resolve(user, thread, file_path).await? {
        Resolved::File(meta) => match version {
            Some(n) => state.store.version(user, thread, meta.artifact_id(), n).await?,
            None => meta,
        },
        Resolved::Folder if member.is_none() => {
            return Err(AppError::BadRequest(format!("Path is not a file: {path}")))
        }
        _ => return Err(Missing::Path(file_path.to_string()).into()),
    };
    Ok(Found { path, meta, member })
}

async fn serve(
    state: &AppState,
    parts: &Parts,
    found: Found,
    download: bool,
    version: Option<u32>,
) -> Result<Response, AppError> {
    let Found { meta, member, .. } = found;
    let Some(member) = member else {
        let caching = if version.is_some() { Caching::Immutable } else { Caching::Revalidate };
        return file_response(parts, &state.store, &meta, download, caching).await;
    };
    let archive = Source::of(&state.store, &meta).await?;
    let bytes = match state.archives.cached_member(&archive, &member)? {
        Some(bytes) => bytes,
        None => {
            let archives = state.archives.clone();
            let member_name = member.clone();
            tokio::task::spawn_blocking(move || archives.read_member(&archive, &member_name)).await??
        }
    };
    let tag = strong_etag(&format!("{:x}", Sha256::digest(format!("{}/{member}", meta.sha256))));
    Ok(member_response(parts, &member, Bytes::from_owner(bytes), &tag, download))
}
