//! The artifact store: files on disk are the truth (in PostgreSQL, the
//! versions' rows, written with their message), the index answers queries,
//! the database keeps conversations and transcripts. Every path
//! that creates artifacts — the HTTP API, uploads, the demo seed, the tests —
//! goes through `ingest.rs`.
//!
//! - `conversations.rs`: creating and finding conversations, transcripts;
//! - `ingest.rs`: decoding, validating and writing artifacts, with rollback;
//! - `query.rs`: listings, lookups, virtual paths, reading the bytes;
//! - `cursor.rs`: where a walk through a listing stands, as the API's cursors;
//! - `delete.rs`: removing artifacts;
//! - `versions.rs`: an artifact's versions: reading, deleting, restoring;
//! - `gc.rs`: removing what a crash left in the store (`vitrine gc`);
//! - `migrate.rs`: copying a data directory's artifacts into a bucket
//!   (`vitrine migrate`);
//! - `blobs/`: where the bytes are (the data directory or a bucket),
//!   written and read by key;
//! - `spool.rs`: local copies of a bucket's objects, for readers that need
//!   a path.

pub mod blobs;
mod conversations;
pub mod cursor;
mod delete;
pub mod gc;
pub mod index;
mod ingest;
pub mod names;
mod query;
pub mod sidecar;
pub mod small;
pub mod spool;
mod staging;
pub mod versions;

use crate::error::AppError;
use crate::model::Artifact;
use crate::server::events::{Draft, Events};
use crate::server::meta::Meta;
use blobs::Blobs;
use index::Index;
pub use query::Resolved;
use sidecar::Sidecar;
pub use staging::{Staged, StagingFile};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

pub use crate::model::OUTPUTS;
pub const UPLOADS: &str = "mnt/user-data/uploads";

pub struct ArtifactStore {
    /// Data files and sidecars.
    blobs: Arc<Blobs>,
    small_files: small::SmallFiles,
    meta: Meta,
    max_artifact_bytes: u64,
    index: Arc<RwLock<Index>>,
    /// Held by writers from deciding their version numbers until their
    /// versions are durable and indexed, one lock per hash of (conversation,
    /// path): two writers of one name never get one number, and a number is
    /// given only after the one before it is durable, so a crash leaves no gap.
    path_locks: Arc<[Mutex<()>; 64]>,
    /// Where every write is announced once durable.
    events: Arc<Events>,
}

impl ArtifactStore {
    /// Opens the store: loads conversations and builds the index from the
    /// versions' rows (PostgreSQL), else by scanning every artifacts folder
    /// (cleaning up what a crash left behind).
    pub fn open(
        blobs: Blobs,
        meta: Meta,
        max_artifact_bytes: u64,
        file_cache_bytes: u64,
        events: Arc<Events>,
    ) -> Result<Self, AppError> {
        let mut index = Index::default();
        for record in meta.all_conversations()? {
            index.add_conversation(record);
        }
        let mut found = match meta.catalogued_versions()? {
            Some(rows) if rows.is_empty() => fill_catalog(&blobs, &meta)?,
            Some(rows) => rows,
            None => blobs.scan()?,
        };
        // Each artifact's latest version first, in key order, so that every
        // insertion is a push (in directory order each one shifted half of
        // the user's listing: 3.7 s at 100,000 artifacts); the older
        // versions after them, which change no listing.
        let mut latest = std::collections::HashMap::new();
        for meta in &found {
            let v = latest.entry(meta.artifact_id()).or_insert(meta.version);
            *v = (*v).max(meta.version);
        }
        found.sort_by_cached_key(|m| (latest[&m.artifact_id()] != m.version, index::key_of(m)));
        for meta in found {
            let id = meta.id;
            if !index.insert(Arc::new(meta)) {
                tracing::warn!("artifact {id} belongs to no known conversation; not listed");
            }
        }
        Ok(Self {
            blobs: Arc::new(blobs),
            small_files: small::SmallFiles::new(file_cache_bytes),
            meta,
            max_artifact_bytes,
            index: Arc::new(RwLock::new(index)),
            path_locks: Arc::new(std::array::from_fn(|_| Mutex::new(()))),
            events,
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Index> {
        read(&self.index)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Index> {
        write(&self.index)
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    pub fn events(&self) -> &Events {
        &self.events
    }

    pub fn blobs(&self) -> &Arc<Blobs> {
        &self.blobs
    }
}

/// The versions of a store whose database has no rows of them yet (made
/// before PostgreSQL kept them, or empty): scanned, and written as rows once.
fn fill_catalog(blobs: &Blobs, meta: &Meta) -> Result<Vec<Sidecar>, AppError> {
    let found = blobs.scan()?;
    if !found.is_empty() {
        let n = meta.fill_catalog(found.clone())?;
        tracing::info!("the database had no rows of the store's versions: {n} written from their sidecars");
    }
    Ok(found)
}

/// Splits a write's events: those the database records with the write
/// (PostgreSQL, whose listeners bring them to every instance, this one too),
/// and those this instance publishes once the write is done (SQLite).
fn split_events(meta: &Meta, drafts: Vec<Draft>) -> (Vec<Draft>, Vec<Draft>) {
    if meta.shares_events() {
        (drafts, Vec::new())
    } else {
        (Vec::new(), drafts)
    }
}

fn read(index: &RwLock<Index>) -> RwLockReadGuard<'_, Index> {
    index.read().unwrap_or_else(|p| p.into_inner())
}

fn write(index: &RwLock<Index>) -> RwLockWriteGuard<'_, Index> {
    index.write().unwrap_or_else(|p| p.into_inner())
}

fn to_artifact(meta: &Sidecar, index: &Index) -> Artifact {
    // Built by hand rather than with `format!`: a listing page builds 100
    // of these, and the formatting machinery was a tenth of its time.
    let mut uuid = Uuid::encode_buffer();
    let mut url = String::with_capacity(120);
    url.push_str("/api/conversations/");
    url.push_str(meta.conversation_id.hyphenated().encode_lower(&mut uuid));
    url.push_str("/artifacts/");
    url.push_str(meta.artifact_id().hyphenated().encode_lower(&mut uuid));
    let download_url = [url.as_str(), "?download=true"].concat();
    Artifact {
        id: meta.artifact_id(),
        conversation_id: meta.conversation_id,
        conversation_title: index
            .conversations
            .get(&meta.conversation_id)
            .map(|c| c.conversation.title.clone())
            .unwrap_or_default(),
        name: meta.name.clone(),
        size: meta.size,
        mime_type: meta.mime_type.clone(),
        kind: meta.kind,
        created_at: meta.created_at.clone(),
        download_url,
        url,
        path: meta.path.clone(),
        version: meta.version,
        versions: index.artifacts.get(&meta.artifact_id()).map_or(1, |v| v.count()),
    }
}
