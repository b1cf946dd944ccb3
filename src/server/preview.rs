//! What the gallery shows of an artifact: decided by its type, made from at
//! most the first `PREVIEW_BYTES` of the file, so a huge file never enters
//! memory whole.

use crate::error::AppError;
use crate::model::{Artifact, ArtifactQuery, GalleryType, Preview, PreviewBody};
use crate::server::clock;
use crate::server::content::{self, Links};
use crate::server::filetype::{self, PreviewKind};
use crate::server::render::{highlight, markdown, table};
use crate::server::store::sidecar::Sidecar;
use crate::server::store::{ArtifactStore, Resolved};
use std::io::Read;
use std::path::Path;
use url::Url;
use uuid::Uuid;

pub const PREVIEW_BYTES: u64 = 1024 * 1024;
const TABLE_ROWS: usize = 500;
const SNIPPET_LINES: usize = 6;

/// The first `limit` bytes of a file, and whether there was more.
fn head(path: &Path, limit: u64) -> Result<(Vec<u8>, bool), AppError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    let more = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    Ok((bytes, more))
}

/// Text, if the bytes are UTF-8 (a character cut at the end is dropped).
fn as_text(bytes: &[u8]) -> Option<&str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > bytes.len() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    }
    .filter(|s| !s.contains('\0'))
}

fn is_text_kind(kind: GalleryType, mime_type: &str) -> bool {
    kind == GalleryType::Code || crate::server::mime::is_text(mime_type)
}

fn body(meta: &Sidecar, path: &Path, url: &Url) -> Result<(PreviewBody, bool), AppError> {
    let view = filetype::preview(&meta.mime_type, &meta.name);
    let simple = match view {
        PreviewKind::Image => Some(PreviewBody::Image),
        PreviewKind::Html => Some(PreviewBody::Html),
        PreviewKind::Pdf => Some(PreviewBody::Pdf),
        PreviewKind::Audio => Some(PreviewBody::Audio),
        PreviewKind::Video => Some(PreviewBody::Video),
        PreviewKind::Markdown | PreviewKind::Table(_) | PreviewKind::ByContent => None,
    };
    if let Some(body) = simple {
        return Ok((body, false));
    }
    let (bytes, partial) = head(path, PREVIEW_BYTES)?;
    let Some(text) = as_text(&bytes) else { return Ok((PreviewBody::Binary, false)) };
    let body = match view {
        PreviewKind::Markdown => PreviewBody::Markdown { html: markdown::to_html(text, url) },
        PreviewKind::Table(delimiter) => match table::from_delimited(text.as_bytes(), delimiter, TABLE_ROWS) {
            Some(t) => PreviewBody::Table(t),
            None => PreviewBody::Text { text: text.to_string() },
        },
        _ => match highlight::syntax_for(&meta.name, text).filter(|s| s.name != "Plain Text") {
            Some(syntax) => PreviewBody::Code {
                html: highlight::to_html(Some(syntax), text),
                language: syntax.name.clone(),
                lines: text.lines().count() as u32,
            },
            None if is_text_kind(meta.kind, &meta.mime_type) || !text.is_empty() => {
                PreviewBody::Text { text: text.to_string() }
            }
            None => PreviewBody::Binary,
        },
    };
    Ok((body, partial))
}

/// An artifact's preview, with its neighbours in the gallery under `gallery`.
pub async fn preview(
    store: &ArtifactStore,
    links: &Links,
    user: Uuid,
    conversation: Uuid,
    id: Uuid,
    gallery: &ArtifactQuery,
) -> Result<Preview, AppError> {
    let meta = store.artifact(user, conversation, id)?;
    let path = store.data_path(&meta)?;
    let artifact = store.record(&meta);
    let url = links.url(user, conversation, &meta.path, clock::now_unix() + content::PREVIEW_SECS);
    // Its path leads to the newest file there; an older one opens by its own URL.
    let newest = matches!(store.resolve(user, conversation, &meta.path)?, Resolved::File(m) if m.id == id);
    let raw_url = if newest { url.to_string() } else { artifact.url.clone() };
    let (body, partial) = {
        let meta = meta.clone();
        tokio::task::spawn_blocking(move || body(&meta, &path, &url)).await??
    };
    let (previous, next) = store.neighbours(user, id, gallery);
    Ok(Preview { artifact, raw_url, body, partial, previous, next, now: clock::now_rfc3339() })
}

/// The first lines of a text artifact, for its card. Told from the record
/// first, so cards of other kinds cost no lookup and no disk access.
pub fn snippet(store: &ArtifactStore, user: Uuid, artifact: &Artifact) -> Option<String> {
    if !is_text_kind(artifact.kind, &artifact.mime_type) || artifact.kind == GalleryType::Html {
        return None;
    }
    let meta = store.artifact(user, artifact.conversation_id, artifact.id).ok()?;
    let (bytes, _) = head(&store.data_path(&meta).ok()?, 2048).ok()?;
    let text = as_text(&bytes)?;
    Some(text.lines().take(SNIPPET_LINES).collect::<Vec<_>>().join("\n"))
}
