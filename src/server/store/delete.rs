//! Removing artifacts, with all their versions: their rows (PostgreSQL),
//! or from the index (SQLite), so that no listing shows them again, then
//! their metadata (which ends their existence), then their data and cached
//! thumbnails.

use super::blobs::{artifacts_folder, Blobs};
use super::sidecar::Sidecar;
use super::ArtifactStore;
use crate::error::{AppError, Missing};
use crate::server::events::Draft;
use std::borrow::Borrow;
use uuid::Uuid;

impl ArtifactStore {
    pub async fn delete(&self, user: Uuid, conversation: Uuid, id: Uuid) -> Result<(), AppError> {
        let latest = self.artifact(user, conversation, id).await?;
        let versions = self.catalog.versions(id).await?;
        self.meta.delete_artifacts(conversation, latest.path.clone(), Some(id)).await?;
        let removed = self.catalog.forget(&[id], versions);
        if removed.is_empty() {
            return Err(Missing::Artifact(id).into());
        }
        self.remove_deleted(conversation, removed.iter().map(|m| (**m).clone()).collect()).await?;
        self.publish_deleted(user, conversation, &[id]);
        Ok(())
    }

    /// Deletes every artifact at a virtual path, with its versions; returns
    /// how many artifacts there were.
    pub async fn delete_path(&self, user: Uuid, conversation: Uuid, path: &str) -> Result<u32, AppError> {
        self.conversation(user, conversation).await?;
        let read = self.catalog.versions_at(conversation, path).await?;
        self.meta.delete_artifacts(conversation, path.to_string(), None).await?;
        let mut ids: Vec<Uuid> = read.iter().map(|m| m.artifact_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        let removed = self.catalog.forget(&ids, read);
        self.remove_deleted(conversation, removed.iter().map(|m| (**m).clone()).collect()).await?;
        self.publish_deleted(user, conversation, &ids);
        Ok(ids.len() as u32)
    }

    /// In SQLite; in PostgreSQL the deletion's transaction wrote the events.
    fn publish_deleted(&self, user: Uuid, conversation: Uuid, ids: &[Uuid]) {
        if self.meta.shares_events() {
            return;
        }
        for &id in ids {
            self.events.publish(Draft::deleted(user, conversation, id));
        }
    }

    /// Forgets the bytes kept in memory of deleted versions (another
    /// instance's deletion, PostgreSQL's listener tells), or of every one
    /// and the listing pages kept with `None` (it may have missed some).
    pub fn forget_cached(&self, versions: Option<&[Uuid]>) {
        match versions {
            Some(versions) => versions.iter().for_each(|id| self.small_files.remove(id)),
            None => {
                self.small_files.clear();
                self.catalog.forget_listings();
            }
        }
    }

    /// Forgets the bytes kept in memory and removes the files and cached
    /// thumbnails of artifacts already taken out of the index.
    pub(super) async fn remove_deleted(&self, conversation: Uuid, metas: Vec<Sidecar>) -> Result<(), AppError> {
        for m in &metas {
            self.small_files.remove(&m.id);
        }
        let blobs = self.blobs.clone();
        tokio::task::spawn_blocking(move || {
            remove_files(&blobs, conversation, &metas);
            for m in &metas {
                crate::server::cards::remove_cached(&blobs, m.id);
            }
        })
        .await?;
        Ok(())
    }
}

/// Metadata first: without it the data file is an orphan that start-up
/// removes, so a crash half way never leaves a listed, broken artifact.
pub(super) fn remove_files(blobs: &Blobs, conversation: Uuid, metas: &[impl Borrow<Sidecar>]) {
    blobs.delete(metas.iter().map(Borrow::borrow).flat_map(|m| [m.key(), m.data_key()]));
    let _ = blobs.sync(&artifacts_folder(conversation));
}
