//! The artifact index's rows, which only PostgreSQL keeps (`pg/catalog.rs`;
//! the store reads them in `store/catalog/pg.rs`): in SQLite the store's
//! files are the index's truth, and these methods record a message alone or
//! do nothing.

use super::{pg, sqlite, MessageRow, Meta};
use crate::error::AppError;
use crate::server::events::Draft;
use crate::server::store::sidecar::Sidecar;
use pg::reindex::Rebuilt;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// A message being committed (see [`Meta::lock_paths`]).
pub enum Paths {
    /// SQLite: the caller's index numbers the versions.
    Indexed,
    /// PostgreSQL: the message's transaction, its paths locked, with the
    /// latest version at each.
    Locked(pg::catalog::Locked),
}

/// On the calling thread (the ingest's, on the blocking pool; start-up).
impl Meta {
    /// Begins committing a message that writes `paths` of `conversation`:
    /// in PostgreSQL its transaction, which holds each path's lock (every
    /// instance's writers of that path wait) until it ends.
    pub fn lock_paths(&self, conversation: Uuid, paths: Vec<String>) -> Result<Paths, AppError> {
        match self {
            Self::Sqlite(_) => Ok(Paths::Indexed),
            Self::Postgres(pg) => {
                pg.run_blocking(|p| pg::catalog::lock_paths(p, conversation, paths)).map(Paths::Locked)
            }
        }
    }

    /// Records the message and, in PostgreSQL, its new versions' rows and
    /// its `events`, in one transaction: from then on every instance finds
    /// them. In SQLite the caller publishes the events.
    pub fn commit_message(
        &self,
        paths: Paths,
        conversation: Uuid,
        message: MessageRow,
        fresh: Vec<Arc<Sidecar>>,
        events: Vec<Draft>,
    ) -> Result<(), AppError> {
        match (self, paths) {
            (Self::Postgres(pg), Paths::Locked(locked)) => {
                pg.run_blocking(|_| pg.heard_after(pg::catalog::commit(locked, conversation, message, fresh, events)))
            }
            (Self::Sqlite(db), _) => db.run_blocking(|c| sqlite::insert_message(c, conversation, &message)),
            (Self::Postgres(_), Paths::Indexed) => {
                Err(AppError::Internal("a message committed without its paths".into()))
            }
        }
    }

    /// Whether PostgreSQL has no version's row (then start-up writes them
    /// from the store's files); false in SQLite, which keeps none.
    pub fn catalog_is_empty(&self) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(_) => Ok(false),
            Self::Postgres(pg) => pg.run_blocking(pg::catalog::is_empty),
        }
    }

    /// Writes the rows of a store whose versions have none yet, from what
    /// `scan` finds, once: how many versions (none if another instance did
    /// it first, or in SQLite).
    pub fn fill_catalog(
        &self,
        scan: impl FnOnce() -> io::Result<Vec<Sidecar>> + Send + 'static,
    ) -> Result<usize, AppError> {
        match self {
            Self::Sqlite(_) => Ok(0),
            Self::Postgres(pg) => {
                let filled = pg.run_blocking(|p| pg::reindex::rebuild(p, scan, true, false))?;
                Ok(filled.map_or(0, |f| f.versions))
            }
        }
    }
}

/// `vitrine reindex` and `vitrine gc`.
impl Meta {
    /// Makes the rows anew from what `scan` finds (`pg::reindex`); none in
    /// SQLite, whose index is made from the store at every start.
    pub async fn reindex(
        &self,
        scan: impl FnOnce() -> io::Result<Vec<Sidecar>> + Send + 'static,
        dry_run: bool,
    ) -> Result<Option<Rebuilt>, AppError> {
        match self {
            Self::Sqlite(_) => Ok(None),
            Self::Postgres(pg) => pg.run(move |p| pg::reindex::rebuild(p, scan, false, dry_run)).await,
        }
    }

    /// The ids of deleted versions whose objects may be left (none in SQLite).
    pub async fn tombstones(&self) -> Result<Vec<Uuid>, AppError> {
        match self {
            Self::Sqlite(_) => Ok(Vec::new()),
            Self::Postgres(pg) => pg.run(pg::reindex::tombstones).await,
        }
    }

    /// Forgets the deleted versions of `gone`, whose objects are all gone,
    /// once older than `grace` (in a dry run, counts them): how many.
    pub async fn forget_tombstones(&self, gone: Vec<Uuid>, grace: Duration, dry_run: bool) -> Result<u64, AppError> {
        match self {
            Self::Sqlite(_) => Ok(0),
            Self::Postgres(pg) => pg.run(move |p| pg::reindex::forget_tombstones(p, gone, grace, dry_run)).await,
        }
    }
}

impl Meta {
    /// Deletes the rows of the artifacts at a path of a conversation (only
    /// artifact `id`, when given), with their `artifact.deleted` events and,
    /// for other instances' caches, their versions' ids.
    pub async fn delete_artifacts(&self, conversation: Uuid, path: String, id: Option<Uuid>) -> Result<(), AppError> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(pg) => {
                pg.run(|p| pg.heard_after(pg::catalog::delete_artifacts(p, conversation, path, id))).await
            }
        }
    }

    /// Deletes one version's row, with its `events` and its id for other
    /// instances' caches; false if it is its artifact's only one (then
    /// nothing is deleted). Always true in SQLite.
    pub async fn delete_version(&self, version: Arc<Sidecar>, events: Vec<Draft>) -> Result<bool, AppError> {
        match self {
            Self::Sqlite(_) => Ok(true),
            Self::Postgres(pg) => pg.run(|p| pg.heard_after(pg::catalog::delete_version(p, version, events))).await,
        }
    }

    /// Whether the database records events and tells every instance of
    /// them (PostgreSQL), rather than the writer publishing them (SQLite).
    pub fn shares_events(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}
