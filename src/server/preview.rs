//! What the gallery shows of an artifact: decided by its type, made from at
//! most the first `PREVIEW_BYTES` of the file, so a huge file never enters
//! memory whole, and bounded in HTML (`highlight::HTML_BYTES`), so a huge
//! file never makes a huge page.

use crate::error::{AppError, Missing};
use crate::model::{ArchiveMember, Artifact, ArtifactQuery, Preview, PreviewBody};
use crate::server::archive::{ArchiveCache, Source};
use crate::server::clock;
use crate::server::config::Config;
use crate::server::content::{drawn, Grant};
use crate::server::convert::{self, ConvertError};
use crate::server::diff;
use crate::server::filetype::{self, PreviewKind};
use crate::server::render::highlight::{self, HTML_BYTES};
use crate::server::render::{json, markdown, notebook, office, table, tree};
use crate::server::state::AppState;
use crate::server::store::blobs::Blobs;
use crate::server::store::sidecar::Sidecar;
use crate::server::store::versions::version_record;
use crate::server::store::{ArtifactStore, Resolved};
use std::path::Path;
use url::Url;
use uuid::Uuid;

pub const PREVIEW_BYTES: u64 = 1024 * 1024;
/// Markdown renders from at most this much source.
const MARKDOWN_BYTES: usize = 256 * 1024;
const TABLE_ROWS: u32 = 500;
const ARCHIVE_MEMBERS: usize = 500;
/// Notebooks carry their plots as base64, so more of one is read; its HTML
/// is bounded as any other preview's.
const NOTEBOOK_BYTES: u64 = 4 * 1024 * 1024;
/// A cut notebook's language is looked for in this much of its end.
const NOTEBOOK_TAIL: u64 = 64 * 1024;
/// How long a page waits for an Office document's conversion (the
/// conversion's own timeout if shorter), as for a card's face.
const OFFICE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The first `limit` bytes of an artifact, and whether there was more.
pub(crate) fn head(blobs: &Blobs, meta: &Sidecar, limit: u64) -> Result<(Vec<u8>, bool), AppError> {
    let mut bytes = read_range(blobs, meta, 0..limit + 1)?;
    let more = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    Ok((bytes, more))
}

/// The last `limit` bytes of an artifact.
fn tail(blobs: &Blobs, meta: &Sidecar, limit: u64) -> Result<Vec<u8>, AppError> {
    read_range(blobs, meta, meta.size.saturating_sub(limit)..meta.size)
}

/// Part of an artifact's bytes; missing if they cannot be found.
fn read_range(blobs: &Blobs, meta: &Sidecar, range: std::ops::Range<u64>) -> Result<Vec<u8>, AppError> {
    blobs.read_range(&meta.data_key(), range).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Missing::Path(meta.path.clone()).into(),
        _ => e.into(),
    })
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

/// The part of a Markdown file's text that is rendered.
pub(crate) fn markdown_source(text: &str) -> &str {
    &text[..text.floor_char_boundary(MARKDOWN_BYTES)]
}

/// A preview's body, its HTML, and whether only part of the file is shown.
struct Shown {
    body: PreviewBody,
    html: String,
    partial: bool,
}

impl From<PreviewBody> for Shown {
    fn from(body: PreviewBody) -> Self {
        Self { body, html: String::new(), partial: false }
    }
}

/// `url` is the file's own capability URL: relative links in Markdown
/// resolve against it, to its sibling files.
fn shown(
    meta: &Sidecar,
    store: &ArtifactStore,
    archives: &ArchiveCache,
    artifact: &Artifact,
    url: &Url,
) -> Result<Shown, AppError> {
    if meta.size == 0 {
        return Ok(PreviewBody::Empty.into());
    }
    let view = filetype::preview(&meta.mime_type, &meta.name);
    let simple = match view {
        PreviewKind::Image => Some(match undecodable(&meta.mime_type, &store.local_path_blocking(meta)?) {
            Some(reason) => PreviewBody::Unreadable { reason },
            None => PreviewBody::Image,
        }),
        PreviewKind::Html => Some(PreviewBody::Html),
        PreviewKind::Diagram => Some(PreviewBody::Drawn { url: drawn::url(url).to_string() }),
        PreviewKind::Pdf => Some(PreviewBody::Pdf),
        PreviewKind::Audio => Some(PreviewBody::Audio),
        PreviewKind::Video => Some(PreviewBody::Video),
        PreviewKind::Archive => Some(archive(archives, &Source::of_blocking(store, meta)?, artifact)),
        _ => None,
    };
    if let Some(body) = simple {
        return Ok(body.into());
    }
    let (bytes, partial) = head(store.blobs(), meta, read_limit(view))?;
    let Some(text) = as_text(&bytes) else {
        // A compressed SVG is still a picture.
        let body = if view == PreviewKind::Svg { PreviewBody::Image } else { PreviewBody::Binary };
        return Ok(body.into());
    };
    Ok(match view {
        PreviewKind::Markdown => {
            let source = markdown_source(text);
            let rendered = markdown::render(source, url);
            let partial = partial || source.len() < text.len();
            match (rendered.diagrams || rendered.math, rendered.html.len() <= HTML_BYTES) {
                (true, _) => {
                    let body = PreviewBody::Drawn { url: drawn::url(url).to_string() };
                    Shown { body, html: String::new(), partial }
                }
                (false, true) => Shown { body: PreviewBody::Markdown, html: rendered.html, partial },
                (false, false) => code(&meta.name, text, partial),
            }
        }
        PreviewKind::Svg => {
            let rendered = highlight::to_html(highlight::syntax_for(&meta.name, text), text);
            let partial = partial || !rendered.complete;
            Shown { body: PreviewBody::Svg { lines: rendered.lines }, html: rendered.html, partial }
        }
        PreviewKind::Json => match (partial, tree::json(text)) {
            (false, Some(t)) => tree_shown(t, false),
            _ => code(&meta.name, text, partial),
        },
        PreviewKind::JsonLines => tree_shown(tree::json_lines(text, partial), partial),
        PreviewKind::Table(delimiter) => match table::to_html(text.as_bytes(), delimiter, TABLE_ROWS) {
            Some(t) => {
                Shown { body: PreviewBody::Table { rows: t.rows, truncated: t.truncated }, html: t.html, partial }
            }
            None => code(&meta.name, text, partial),
        },
        PreviewKind::Notebook => match notebook_of(store.blobs(), meta, text, partial, url)? {
            Some(n) if n.diagrams || n.math => {
                let body = PreviewBody::Drawn { url: drawn::url(url).to_string() };
                Shown { body, html: String::new(), partial: partial || !n.complete }
            }
            Some(n) => Shown {
                body: PreviewBody::Notebook { language: n.language, cells: n.cells },
                html: n.html,
                partial: partial || !n.complete,
            },
            None => code(&meta.name, text, partial),
        },
        _ => code(&meta.name, text, partial),
    })
}

/// How much of a file its preview reads.
pub(crate) fn read_limit(view: PreviewKind) -> u64 {
    if view == PreviewKind::Notebook {
        NOTEBOOK_BYTES
    } else {
        PREVIEW_BYTES
    }
}

/// A notebook from `text`, its first part (`partial` when cut: then its
/// end is read for the kernel's language).
pub(crate) fn notebook_of(
    blobs: &Blobs,
    meta: &Sidecar,
    text: &str,
    partial: bool,
    url: &Url,
) -> Result<Option<notebook::Notebook>, AppError> {
    let end = if partial { Some(tail(blobs, meta, NOTEBOOK_TAIL)?) } else { None };
    let end = end.as_deref().map(String::from_utf8_lossy);
    Ok(notebook::to_html(text, end.as_deref(), url))
}

/// An Office document, converted to Markdown by the limited child (the
/// parsers a hostile file could exhaust never run in the server), then
/// rendered here; a document's pictures are fetched by the page from the
/// content origin, where its media parts are served.
async fn office(config: &Config, view: PreviewKind, name: &str, path: &Path, url: Url) -> Result<Shown, AppError> {
    let markdown = match convert::for_preview(config, config.convert_timeout.min(OFFICE_TIMEOUT), path, name).await {
        Ok(markdown) => markdown,
        Err(ConvertError::Off) => return Ok(PreviewBody::Binary.into()),
        Err(e) => return Ok(PreviewBody::Unreadable { reason: e.to_string() }.into()),
    };
    let rendered = tokio::task::spawn_blocking(move || match view {
        PreviewKind::Workbook => {
            let book = office::workbook(&markdown, &url);
            Shown { body: PreviewBody::Workbook { sheets: book.sheets }, html: book.html, partial: book.partial }
        }
        _ => match office::document(&markdown, &url) {
            Some((html, partial)) => Shown { body: PreviewBody::Document, html, partial },
            None => Shown { partial: true, ..code("document.md", &markdown, false) },
        },
    });
    Ok(rendered.await?)
}

fn tree_shown(t: tree::Tree, partial: bool) -> Shown {
    let body = PreviewBody::Tree { values: t.values, records: t.records, truncated: t.truncated };
    Shown { body, html: t.html, partial }
}

/// Highlighted code where the language is known, plain text otherwise;
/// one-line JSON indented first.
fn code(name: &str, text: &str, partial: bool) -> Shown {
    let syntax = highlight::syntax_for(name, text).filter(|s| s.name != "Plain Text");
    let indented =
        syntax.filter(|s| s.name == "JSON" && json::is_one_line(text)).map(|_| json::indent(text, HTML_BYTES));
    let text = indented.as_deref().unwrap_or(text);
    let rendered = highlight::to_html(syntax, text);
    let partial = partial || !rendered.complete || indented.is_some_and(|t| t.len() > HTML_BYTES);
    let body = match syntax {
        Some(syntax) => PreviewBody::Code {
            language: syntax.name.clone(),
            lines: rendered.lines,
            highlighted: rendered.highlighted,
        },
        None => PreviewBody::Text,
    };
    Shown { body, html: rendered.html, partial }
}

/// Why an image does not decode, if it does not. Only the header is read:
/// cheap, and what decides whether the browser shows a picture or its
/// broken-image glyph. Formats the server cannot read are left to the
/// browser.
fn undecodable(mime_type: &str, path: &Path) -> Option<String> {
    image::ImageFormat::from_mime_type(mime_type).filter(|f| f.reading_enabled())?;
    let reader = image::ImageReader::open(path).ok()?.with_guessed_format().ok()?;
    match reader.format() {
        None => Some("its first bytes are not those of any image format".into()),
        Some(format) if !format.reading_enabled() => None,
        Some(_) => reader.into_dimensions().err().map(|e| e.to_string()),
    }
}

/// A ZIP's members; those of a `.skill`, which the thread API serves, with
/// the link that opens each.
fn archive(archives: &ArchiveCache, source: &Source, artifact: &Artifact) -> PreviewBody {
    let all = match archives.members(source) {
        Ok(all) => all,
        Err(e) => return PreviewBody::Unreadable { reason: e.to_string() },
    };
    let served = artifact.path.ends_with(".skill");
    let more = all.len().saturating_sub(ARCHIVE_MEMBERS) as u32;
    let members = all
        .into_iter()
        .take(ARCHIVE_MEMBERS)
        .map(|(name, size)| {
            let url = served.then(|| {
                crate::server::vpath::thread_url(artifact.conversation_id, &format!("{}/{name}", artifact.path))
            });
            ArchiveMember { name, size, url }
        })
        .collect();
    PreviewBody::Archive { members, more }
}

/// Which version a preview shows (by default the latest), and the version
/// it is compared with, if any (`?version=n&compare=m`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Pick {
    pub version: Option<u32>,
    pub compare: Option<u32>,
}

/// An artifact's preview, with its neighbours in the gallery under `gallery`.
pub async fn preview(
    state: &AppState,
    user: Uuid,
    conversation: Uuid,
    id: Uuid,
    gallery: &ArtifactQuery,
    pick: Pick,
) -> Result<Preview, AppError> {
    let store = &state.store;
    let latest = store.artifact(user, conversation, id).await?;
    let meta = match pick.version {
        Some(n) => store.version(user, conversation, id, n).await?,
        None => latest.clone(),
    };
    let other = match pick.compare {
        Some(m) => Some(store.version(user, conversation, id, m).await?),
        None => None,
    };
    let versions: Vec<_> = store.versions(user, conversation, id).await?.iter().map(|m| version_record(m)).collect();
    let grant = Grant::conversation(user, conversation);
    let mut url = state.content.url(&grant, &meta.path, clock::now_unix() + crate::model::PREVIEW_LINK_SECS);
    if meta.id != latest.id {
        url.set_query(Some(&format!("version={}", meta.version)));
    }
    // Its path leads to this artifact's file there; an older artifact (data
    // from before versions kept several at one path) opens by its own URL.
    let at_path =
        matches!(store.resolve(user, conversation, &meta.path).await?, Resolved::File(m) if m.artifact_id() == id);
    let raw_url = match (at_path, pick.version) {
        (true, _) => url.to_string(),
        (false, Some(_)) => version_record(&meta).url,
        (false, None) => store.record(&meta).await?.url,
    };
    let mut preview = match other {
        Some(other) => compare(store, meta, other, raw_url).await?,
        None => render(state, meta, url, raw_url).await?,
    };
    preview.versions = versions;
    (preview.previous, preview.next) = store.neighbours(user, id, gallery).await?;
    Ok(preview)
}

/// Version `meta` compared with version `other`, shown in its place.
async fn compare(
    store: &ArtifactStore,
    meta: std::sync::Arc<Sidecar>,
    other: std::sync::Arc<Sidecar>,
    raw_url: String,
) -> Result<Preview, AppError> {
    let artifact = store.record(&meta).await?;
    let record = version_record(&other);
    let blobs = store.blobs().clone();
    let (diff, html) = tokio::task::spawn_blocking(move || diff::compare(&blobs, &other, &meta)).await??;
    let body = PreviewBody::Compare { other: record, diff };
    Ok(Preview {
        artifact,
        versions: Vec::new(),
        raw_url,
        body,
        html,
        partial: false,
        previous: None,
        next: None,
        now: clock::now_rfc3339(),
    })
}

/// The preview of one version, `meta`, whose capability URL is `url` (its
/// siblings' resolve against it) and which opens raw at `raw_url`; no
/// neighbours, no list of versions.
pub async fn render(
    state: &AppState,
    meta: std::sync::Arc<Sidecar>,
    url: Url,
    raw_url: String,
) -> Result<Preview, AppError> {
    let artifact = state.store.record(&meta).await?;
    let view = filetype::preview(&meta.mime_type, &meta.name);
    let Shown { body, html, partial } = match view {
        PreviewKind::Document | PreviewKind::Workbook if meta.size > 0 => {
            office(&state.config, view, &meta.name, &state.store.local_path(&meta).await?, url).await?
        }
        _ => {
            let (store, archives, artifact) = (state.store.clone(), state.archives.clone(), artifact.clone());
            tokio::task::spawn_blocking(move || shown(&meta, &store, &archives, &artifact, &url)).await??
        }
    };
    let versions = Vec::new();
    Ok(Preview {
        artifact,
        versions,
        raw_url,
        body,
        html,
        partial,
        previous: None,
        next: None,
        now: clock::now_rfc3339(),
    })
}
