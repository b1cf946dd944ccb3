//! What the gallery shows of an artifact: decided by its type, made from at
//! most the first `PREVIEW_BYTES` of the file, so a huge file never enters
//! memory whole.

use crate::error::AppError;
use crate::model::{ArtifactQuery, GalleryType, Preview, PreviewBody};
use crate::server::filetype::{self, PreviewKind};
use crate::server::render::{highlight, markdown, table};
use crate::server::store::sidecar::Sidecar;
use crate::server::store::ArtifactStore;
use std::io::Read;
use std::path::Path;
use uuid::Uuid;

pub const PREVIEW_BYTES: u64 = 1024 * 1024;
const TABLE_ROWS: usize = 500;

/// The first `limit` bytes of a file, and whether there was more.
pub(crate) fn head(path: &Path, limit: u64) -> Result<(Vec<u8>, bool), AppError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    let more = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    Ok((bytes, more))
}

/// Text, if the bytes are UTF-8 (a character cut at the end is dropped).
pub(crate) fn as_text(bytes: &[u8]) -> Option<&str> {
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

fn body(meta: &Sidecar, path: &Path) -> Result<(PreviewBody, bool), AppError> {
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
        PreviewKind::Markdown => PreviewBody::Markdown { html: markdown::to_html(text) },
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
    user: Uuid,
    conversation: Uuid,
    id: Uuid,
    gallery: &ArtifactQuery,
) -> Result<Preview, AppError> {
    let meta = store.artifact(user, conversation, id)?;
    let path = store.data_path(&meta)?;
    let artifact = store.record(&meta);
    let (body, partial) = {
        let meta = meta.clone();
        tokio::task::spawn_blocking(move || body(&meta, &path)).await??
    };
    let (previous, next) = store.neighbours(user, id, gallery);
    Ok(Preview { artifact, body, partial, previous, next, now: crate::server::clock::now_rfc3339() })
}
