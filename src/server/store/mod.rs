//! The artifact store: files on disk are the truth (in PostgreSQL, the
//! versions' rows, written with their message), the catalog answers queries
//! (the index in memory, or those rows), the database keeps conversations
//! and transcripts. Every path that creates artifacts — the HTTP API,
//! uploads, the demo seed, the tests — goes through `ingest.rs`.
//!
//! - `catalog/`: where listings and lookups are answered;
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
pub mod catalog;
mod conversations;
pub mod cursor;
mod delete;
pub mod gc;
mod ingest;
pub mod names;
mod query;
pub mod sidecar;
pub mod small;
pub mod spool;
mod staging;
pub mod versions;

use crate::error::AppError;
use crate::server::events::{Draft, Events};
use crate::server::meta::{sqlite, Meta};
use blobs::Blobs;
use catalog::listings::Listings;
use catalog::memory::{self, Index};
use catalog::Catalog;
pub use query::Resolved;
pub use staging::{Staged, StagingFile};
use std::sync::{Arc, Mutex, RwLock};

pub use crate::model::OUTPUTS;
pub const UPLOADS: &str = "mnt/user-data/uploads";

pub struct ArtifactStore {
    /// Data files and sidecars.
    blobs: Arc<Blobs>,
    small_files: small::SmallFiles,
    meta: Meta,
    max_artifact_bytes: u64,
    catalog: Catalog,
    /// Held by writers from deciding their version numbers until their
    /// versions are durable and indexed, one lock per hash of (conversation,
    /// path): two writers of one name never get one number, and a number is
    /// given only after the one before it is durable, so a crash leaves no gap.
    path_locks: Arc<[Mutex<()>; 64]>,
    /// Where every write is announced once durable.
    events: Arc<Events>,
}

impl ArtifactStore {
    /// Opens the store: in PostgreSQL, on the versions' rows (written
    /// once from the files if there are none); in SQLite, on an index built
    /// by scanning every artifacts folder (cleaning up what a crash left
    /// behind).
    pub fn open(
        blobs: Blobs,
        meta: Meta,
        max_artifact_bytes: u64,
        file_cache_bytes: u64,
        listing_cache_bytes: u64,
        events: Arc<Events>,
    ) -> Result<Self, AppError> {
        let blobs = Arc::new(blobs);
        let catalog = match &meta {
            Meta::Postgres(pg) => {
                if meta.catalog_is_empty()? {
                    fill_catalog(blobs.clone(), &meta)?;
                }
                Catalog::Pg(pg.clone(), Listings::new(listing_cache_bytes))
            }
            Meta::Sqlite(db) => Catalog::Memory(Arc::new(RwLock::new(index(&blobs, db)?))),
        };
        Ok(Self {
            blobs,
            small_files: small::SmallFiles::new(file_cache_bytes),
            meta,
            max_artifact_bytes,
            catalog,
            path_locks: Arc::new(std::array::from_fn(|_| Mutex::new(()))),
            events,
        })
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

/// The index of the store's files, by a scan.
fn index(blobs: &Blobs, db: &sqlite::Db) -> Result<Index, AppError> {
    let mut index = Index::default();
    for record in db.all_conversations()? {
        index.add_conversation(record);
    }
    let mut found = blobs.scan()?;
    // Each artifact's latest version first, in key order, so that every
    // insertion is a push (in directory order each one shifted half of
    // the user's listing: 3.7 s at 100,000 artifacts); the older
    // versions after them, which change no listing.
    let mut latest = std::collections::HashMap::new();
    for meta in &found {
        let v = latest.entry(meta.artifact_id()).or_insert(meta.version);
        *v = (*v).max(meta.version);
    }
    found.sort_by_cached_key(|m| (latest[&m.artifact_id()] != m.version, memory::key_of(m)));
    for meta in found {
        let id = meta.id;
        if !index.insert(Arc::new(meta)) {
            tracing::warn!("artifact {id} belongs to no known conversation; not listed");
        }
    }
    Ok(index)
}

/// Writes the rows of a store whose database has none of its versions yet
/// (made before PostgreSQL kept them, or empty), from a scan, once.
fn fill_catalog(blobs: Arc<Blobs>, meta: &Meta) -> Result<(), AppError> {
    let n = meta.fill_catalog(move || blobs.scan())?;
    if n > 0 {
        tracing::info!("the database had no rows of the store's versions: {n} written from their sidecars");
    }
    Ok(())
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
