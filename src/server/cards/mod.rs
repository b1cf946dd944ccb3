//! Gallery card faces: what a card shows of an artifact, chosen by the
//! file-type table's thumbnail kind, made once and cached beside the card's
//! picture under `DATA_DIR/cache/cards/` (both go with the artifact).
//! Kinds whose parsers a hostile file could exhaust are made by the child
//! `vitrine thumbnail` under the conversion's memory and CPU limits and a
//! shorter timeout: a file that exhausts them gets its kind's icon.

mod archive;
mod child;
mod document;
mod html;
mod media;
mod picture;
mod text;

pub use child::main;

use crate::error::AppError;
use crate::model::{Artifact, CardFace};
use crate::server::filetype::{self, Thumbnail};
use crate::server::state::AppState;
use crate::server::store::blobs::{card_key, local::TEMP_PREFIX, Blobs, CARDS};
use crate::server::store::sidecar::Sidecar;
use futures_util::StreamExt as _;
use std::path::Path;
use std::time::Duration;
use tempfile::TempPath;
use uuid::Uuid;

/// The longest edge of a card's picture.
pub const EDGE: u32 = 480;
/// How long a face may take in the child; the conversion's own timeout if shorter.
const CHILD_TIMEOUT: Duration = Duration::from_secs(10);
/// Faces made at once for one listing: each may be a child process.
const AT_ONCE: usize = 2;

/// Removes the card cache of releases that drew PNGs (`cache/thumbnails/`,
/// whose faces name pictures no longer made there): a cache, so nothing is
/// lost, and the faces are made again on demand.
pub fn remove_old_cache(data_dir: &Path) {
    let _ = std::fs::remove_dir_all(data_dir.join("cache").join("thumbnails"));
}

/// Where a version's card picture is cached once made.
pub fn picture_key(version: Uuid) -> String {
    card_key(version, "webp")
}

/// Where a version's card face is cached, beside its picture.
fn face_key(version: Uuid) -> String {
    card_key(version, "json")
}

/// Removes an artifact's cached face and picture.
pub fn remove_cached(blobs: &Blobs, artifact: Uuid) {
    blobs.delete([face_key(artifact), picture_key(artifact)]);
}

/// The card picture of an artifact's latest version (`meta.id` is the
/// version's id, which the route does not take).
pub fn thumbnail_url(meta: &Sidecar) -> String {
    format!("/api/conversations/{}/artifacts/{}/thumbnail", meta.conversation_id, meta.artifact_id())
}

fn read_cached(blobs: &Blobs, artifact: Uuid) -> Option<CardFace> {
    serde_json::from_slice(&blobs.read(&face_key(artifact)).ok()?).ok()
}

/// Which version of each record a face shows.
#[derive(Clone, Copy)]
pub enum FaceOf {
    /// The artifact's latest (a gallery's cards).
    Latest,
    /// The record's own (a transcript's cards, one per version written).
    Recorded,
}

/// The faces of a page of the user's artifacts, in its order: the cached
/// ones read in one trip to the blocking pool, the rest made a few at a time.
pub async fn faces(state: &AppState, user: Uuid, items: &[Artifact], of: FaceOf) -> Vec<CardFace> {
    // An artifact deleted since the listing shows its kind's icon.
    let mut metas = Vec::with_capacity(items.len());
    for a in items {
        let meta = match of {
            FaceOf::Latest => state.store.artifact(user, a.conversation_id, a.id).await,
            FaceOf::Recorded => state.store.version(user, a.conversation_id, a.id, a.version).await,
        };
        metas.push(meta.map_err(|_| a.kind));
    }
    let blobs = state.store.blobs().clone();
    let cached = {
        let metas = metas.clone();
        tokio::task::spawn_blocking(move || {
            let cached =
                |m: &Sidecar| filetype::thumbnail(&m.mime_type, &m.name).and_then(|_| read_cached(&blobs, m.id));
            metas.iter().map(|m| m.as_deref().ok().and_then(cached)).collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default()
    };
    futures_util::stream::iter(metas.into_iter().zip(cached.into_iter().chain(std::iter::repeat(None))))
        .map(|(meta, cached)| async move {
            match (meta, cached) {
                (_, Some(face)) => face,
                (Ok(meta), None) => face(state, user, &meta).await,
                (Err(kind), None) => CardFace::Icon(kind.into()),
            }
        })
        .buffered(AT_ONCE)
        .collect()
        .await
}

/// An artifact's face, from the cache or made now. Told from the record
/// first, so a card without a face costs no disk access.
pub async fn face(state: &AppState, user: Uuid, meta: &Sidecar) -> CardFace {
    let Some(kind) = filetype::thumbnail(&meta.mime_type, &meta.name) else {
        return CardFace::Icon(meta.kind.into());
    };
    let blobs = state.store.blobs().clone();
    let id = meta.id;
    if let Ok(Some(face)) = tokio::task::spawn_blocking(move || read_cached(&blobs, id)).await {
        return face;
    }
    match make(state, user, meta, kind).await {
        Ok(face) => {
            let bytes = serde_json::to_vec(&face).expect("a face serialises");
            let blobs = state.store.blobs().clone();
            let written = tokio::task::spawn_blocking(move || blobs.put(&face_key(id), &bytes)).await;
            if let Ok(Err(e)) = written {
                tracing::warn!("card face of {} not cached: {e}", meta.id);
            }
            face
        }
        // Not the file's fault (a read failed, conversion is off): tried again next time.
        Err(e) => {
            tracing::warn!("card face of {}: {e}", meta.id);
            CardFace::Icon(kind.glyph())
        }
    }
}

/// Makes a face. A file that cannot give one gets its kind's icon, which is
/// cached like any face; an error is a failure of the server's own.
async fn make(state: &AppState, user: Uuid, meta: &Sidecar, kind: Thumbnail) -> Result<CardFace, AppError> {
    // Drawn into a temp file beside the cache, stored once it is whole.
    let cache = state.store.blobs().staging_dir(CARDS);
    let picture = TempPath::try_from_path(cache.join(format!("{TEMP_PREFIX}{}.webp", Uuid::new_v4())))?;
    let target = picture.to_path_buf();
    let face = match kind {
        Thumbnail::Raster => {
            let (path, name) = (state.store.local_path(meta).await?, meta.name.clone());
            tokio::task::spawn_blocking(move || picture::raster(&path, &target, &name)).await??
        }
        Thumbnail::Lines | Thumbnail::Notebook | Thumbnail::Table(_) => {
            let (blobs, meta) = (state.store.blobs().clone(), meta.clone());
            tokio::task::spawn_blocking(move || text::face(&blobs, &meta, kind)).await??
        }
        Thumbnail::Html => html::face(state, user, meta).await?,
        Thumbnail::Svg
        | Thumbnail::Pdf
        | Thumbnail::Font
        | Thumbnail::Workbook
        | Thumbnail::Archive
        | Thumbnail::Document
        | Thumbnail::Audio
        | Thumbnail::Video => child::run(&state.config, &state.store.local_path(meta).await?, meta, &target).await?,
    };
    if let CardFace::Picture { .. } = face {
        let (blobs, key) = (state.store.blobs().clone(), picture_key(meta.id));
        tokio::task::spawn_blocking(move || blobs.put_staged(&key, picture)).await??;
    }
    Ok(match face {
        CardFace::Icon(_) => CardFace::Icon(kind.glyph()),
        face => face,
    })
}
