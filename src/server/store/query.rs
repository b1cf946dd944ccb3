//! Reading the store: listings, single artifacts, virtual paths and the
//! artifacts' bytes. Everything is answered from the catalog (the memory
//! index, or PostgreSQL's rows); data files are opened only beneath the data
//! directory.

use super::blobs::{Blobs, ByteStream};
use super::cursor::Cursor;
use super::sidecar::Sidecar;
use super::spool::LocalPath;
use super::{small, ArtifactStore, OUTPUTS, UPLOADS};
use crate::error::{AppError, Missing};
use crate::model::{Artifact, ArtifactPage, ArtifactQuery, ArtifactRef};
use std::io;
use std::ops::Range;
use std::sync::Arc;
use uuid::Uuid;

/// What a virtual path of a conversation names.
pub enum Resolved {
    File(Arc<Sidecar>),
    Folder,
    Missing,
}

impl ArtifactStore {
    /// A page of the user's artifacts, or of one of their conversations.
    pub async fn list(
        &self,
        user: Uuid,
        conversation: Option<Uuid>,
        q: &ArtifactQuery,
    ) -> Result<ArtifactPage, AppError> {
        self.list_after(user, conversation, q, None).await
    }

    /// [`Self::list`], or with a cursor (whose filter, search and order `q`
    /// has: [`Cursor::query`]) the `q.size` artifacts after its place
    /// instead of page `q.page`.
    pub async fn list_after(
        &self,
        user: Uuid,
        conversation: Option<Uuid>,
        q: &ArtifactQuery,
        cursor: Option<&Cursor>,
    ) -> Result<ArtifactPage, AppError> {
        if let Some(c) = conversation {
            self.conversation(user, c).await?;
        }
        if let Some(cursor) = cursor {
            cursor.check_listing(conversation)?;
        }
        let after = cursor.map(|c| (&c.after, usize::try_from(c.start).unwrap_or(usize::MAX)));
        let window = self.catalog.page(user, conversation, q, after).await?;
        let start = (window.start + window.items.len()) as u64;
        let next_cursor =
            window.next.map(|after| Cursor { conversation, kind: q.kind, q: q.q.clone(), after, start }.encode());
        let page = match cursor {
            Some(_) => u32::try_from(window.start / q.size.max(1) as usize + 1).unwrap_or(u32::MAX),
            None => q.page,
        };
        Ok(ArtifactPage {
            items: window.items,
            page,
            size: q.size,
            total: window.total,
            counts: window.counts,
            next_cursor,
        })
    }

    /// The latest version of an artifact of the user's conversation.
    pub async fn artifact(&self, user: Uuid, conversation: Uuid, id: Uuid) -> Result<Arc<Sidecar>, AppError> {
        self.conversation(user, conversation).await?;
        let latest = self.catalog.latest(id).await?;
        latest.filter(|m| m.conversation_id == conversation).ok_or(Missing::Artifact(id).into())
    }

    /// The latest version of one of the user's artifacts, wherever it is.
    pub async fn owned_artifact(&self, user: Uuid, id: Uuid) -> Result<Arc<Sidecar>, AppError> {
        let latest = self.catalog.latest(id).await?.ok_or(Missing::Artifact(id))?;
        self.conversation(user, latest.conversation_id).await.map_err(|_| Missing::Artifact(id))?;
        Ok(latest)
    }

    /// The API record of an artifact.
    pub async fn record(&self, meta: &Sidecar) -> Result<Artifact, AppError> {
        let mut records = self.catalog.records(&[Arc::new(meta.clone())]).await?;
        records.pop().ok_or_else(|| AppError::Internal("no record of a version".into()))
    }

    /// What a virtual path of the user's conversation names.
    pub async fn resolve(&self, user: Uuid, conversation: Uuid, path: &str) -> Result<Resolved, AppError> {
        self.conversation(user, conversation).await?;
        Ok(if let Some(meta) = self.catalog.at_path(conversation, path).await? {
            Resolved::File(meta)
        } else if ["mnt", crate::server::vpath::ROOT, OUTPUTS, UPLOADS].contains(&path)
            || self.catalog.is_folder(conversation, path).await?
        {
            Resolved::Folder
        } else {
            Resolved::Missing
        })
    }

    /// The newest artifact at each virtual path below `folder`, newest first.
    pub async fn under(&self, user: Uuid, conversation: Uuid, folder: &str) -> Result<Vec<Arc<Sidecar>>, AppError> {
        self.conversation(user, conversation).await?;
        self.catalog.under(user, conversation, folder).await
    }

    /// The artifacts just before and just after `id` in the user's gallery
    /// under a query's filter, search and order.
    pub async fn neighbours(
        &self,
        user: Uuid,
        id: Uuid,
        q: &ArtifactQuery,
    ) -> Result<(Option<ArtifactRef>, Option<ArtifactRef>), AppError> {
        self.catalog.neighbours(user, id, q).await
    }

    /// Every artifact of the user (or of one conversation) under a query's
    /// filter, search and order: what a ZIP download contains.
    pub async fn export(
        &self,
        user: Uuid,
        conversation: Option<Uuid>,
        q: &ArtifactQuery,
    ) -> Result<Vec<Arc<Sidecar>>, AppError> {
        if let Some(c) = conversation {
            self.conversation(user, c).await?;
        }
        self.catalog.select_all(user, conversation, q).await
    }

    /// Runs `read` with the store's bytes on the blocking pool: a bucket
    /// answers over the network, and a tokio worker must not wait for it.
    pub async fn blocking<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Blobs) -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let blobs = self.blobs.clone();
        tokio::task::spawn_blocking(move || read(&blobs)).await.unwrap_or_else(|e| Err(io::Error::other(e)))
    }

    /// Where an artifact's bytes are, for readers that open the file
    /// themselves (parsers, child processes): with a bucket, a copy
    /// downloaded first. Refused, as missing, when the file cannot be
    /// opened — say a symlink planted on disk would take it outside the data
    /// directory — unless the store itself is unavailable.
    pub async fn local_path(&self, meta: &Sidecar) -> Result<LocalPath, AppError> {
        let key = meta.data_key();
        self.blocking(move |blobs| blobs.local_path(&key)).await.map_err(|e| unopened(&meta.path, e))
    }

    /// An artifact's bytes (those of `range`) as they are read, with the
    /// errors of [`Self::local_path`].
    pub async fn stream(&self, meta: &Sidecar, range: Option<Range<u64>>) -> Result<ByteStream, AppError> {
        self.blobs.stream(&meta.data_key(), range).await.map_err(|e| unopened(&meta.path, e))
    }

    /// [`Self::local_path`] for callers on the blocking pool already.
    pub fn local_path_blocking(&self, meta: &Sidecar) -> Result<LocalPath, AppError> {
        self.blobs.local_path(&meta.data_key()).map_err(|e| unopened(&meta.path, e))
    }

    /// The bytes of a version of at most [`small::MAX_BYTES`], from memory
    /// if they were read recently (kept by the version's own id).
    pub async fn small_file(&self, meta: &Sidecar) -> Result<small::SmallFile, AppError> {
        if let Some(file) = self.small_files.get(&meta.id) {
            return Ok(file);
        }
        let file = self.blobs.read_small(&meta.data_key()).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Missing::Path(meta.path.clone()).into(),
            _ => match AppError::from(e) {
                AppError::Internal(e) => AppError::Internal(format!("reading {}: {e}", meta.path)),
                other => other,
            },
        })?;
        self.small_files.insert(meta.id, file.clone());
        Ok(file)
    }
}

/// Why a data file could not be opened, for the client: the store's
/// unavailability (503), else missing (404).
fn unopened(path: &str, e: io::Error) -> AppError {
    match AppError::from(e) {
        unavailable @ AppError::Unavailable(_) => unavailable,
        _ => Missing::Path(path.into()).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unopened_file_is_missing_unless_the_store_is_unavailable() {
        let status = |e: io::Error| unopened("a.txt", e).status();
        let store = |kind| io::Error::new(kind, object_store::Error::Generic { store: "S3", source: "down".into() });
        assert_eq!(status(store(io::ErrorKind::Other)), 503);
        assert_eq!(status(store(io::ErrorKind::NotFound)), 404);
        // Refused on disk, say a symlink out of the data directory.
        assert_eq!(status(io::Error::from(io::ErrorKind::PermissionDenied)), 404);
    }
}
