//! Reading the store: listings, single artifacts, virtual paths and the
//! artifacts' bytes. Everything is answered from the index; data files are
//! opened only beneath the data directory. The lookups are `async` though
//! the index needs no waiting: a catalog in a database will (docs/scaling.md).

use super::blobs::{Blobs, ByteStream};
use super::cursor::Cursor;
use super::sidecar::Sidecar;
use super::spool::LocalPath;
use super::{index, small, to_artifact, ArtifactStore, OUTPUTS, UPLOADS};
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
        let index = self.read();
        let none = index::Listing::default();
        let listing = index.listing(user, conversation).unwrap_or(&none);
        let (selection, counts) = listing.select(q, &index.artifacts, &index.conversations);
        let start = match cursor {
            Some(c) => selection.start_after(&c.after),
            None => selection.page_start(q.page, q.size),
        };
        let keys = selection.window(start, q.size);
        let end = start + keys.len();
        let next_cursor = (!keys.is_empty() && end < selection.total())
            .then(|| selection.rank(end - 1))
            .flatten()
            .map(|after| Cursor { conversation, kind: q.kind, q: q.q.clone(), after }.encode());
        let page = match cursor {
            Some(_) => u32::try_from(start / q.size.max(1) as usize + 1).unwrap_or(u32::MAX),
            None => q.page,
        };
        let items = keys.iter().filter_map(|(_, id)| index.latest(id)).map(|m| to_artifact(m, &index)).collect();
        Ok(ArtifactPage { items, page, size: q.size, total: selection.total() as u64, counts, next_cursor })
    }

    /// The latest version of an artifact of the user's conversation.
    pub async fn artifact(&self, user: Uuid, conversation: Uuid, id: Uuid) -> Result<Arc<Sidecar>, AppError> {
        self.conversation(user, conversation).await?;
        self.read()
            .latest(&id)
            .filter(|m| m.conversation_id == conversation)
            .cloned()
            .ok_or(Missing::Artifact(id).into())
    }

    /// The latest version of one of the user's artifacts, wherever it is.
    pub async fn owned_artifact(&self, user: Uuid, id: Uuid) -> Result<Arc<Sidecar>, AppError> {
        let conversation = self.read().latest(&id).map(|m| m.conversation_id).ok_or(Missing::Artifact(id))?;
        self.artifact(user, conversation, id).await.map_err(|_| Missing::Artifact(id).into())
    }

    /// The API record of an artifact.
    pub async fn record(&self, meta: &Sidecar) -> Artifact {
        to_artifact(meta, &self.read())
    }

    /// What a virtual path of the user's conversation names.
    pub async fn resolve(&self, user: Uuid, conversation: Uuid, path: &str) -> Result<Resolved, AppError> {
        self.conversation(user, conversation).await?;
        let index = self.read();
        Ok(if let Some(meta) = index.at_path(conversation, path) {
            Resolved::File(meta.clone())
        } else if ["mnt", crate::server::vpath::ROOT, OUTPUTS, UPLOADS].contains(&path)
            || index.is_folder(conversation, path)
        {
            Resolved::Folder
        } else {
            Resolved::Missing
        })
    }

    /// The newest artifact at each virtual path below `folder`, newest first.
    pub async fn under(&self, user: Uuid, conversation: Uuid, folder: &str) -> Result<Vec<Arc<Sidecar>>, AppError> {
        self.conversation(user, conversation).await?;
        let index = self.read();
        let prefix = format!("{folder}/");
        let mut seen = std::collections::HashSet::new();
        Ok(index
            .select_all(user, Some(conversation), &ArtifactQuery::default())
            .into_iter()
            .filter(|m| m.path.starts_with(&prefix) && seen.insert(m.path.clone()))
            .collect())
    }

    /// The artifacts just before and just after `id` in the user's gallery
    /// under a query's filter, search and order.
    pub async fn neighbours(
        &self,
        user: Uuid,
        id: Uuid,
        q: &ArtifactQuery,
    ) -> (Option<ArtifactRef>, Option<ArtifactRef>) {
        let index = self.read();
        let (Some(meta), Some(listing)) = (index.latest(&id), index.listing(user, None)) else {
            return (None, None);
        };
        let (previous, next) =
            listing.select(q, &index.artifacts, &index.conversations).0.neighbours(&index::key_of(meta));
        let to_ref = |k: Option<index::Key>| {
            let meta = index.latest(&k?.1)?;
            Some(ArtifactRef { conversation_id: meta.conversation_id, id: meta.artifact_id() })
        };
        (to_ref(previous), to_ref(next))
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
        Ok(self.read().select_all(user, conversation, q))
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
