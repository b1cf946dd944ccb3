//! Where the store's reads are answered (docs/scaling.md, "Metadata"):
//! with SQLite, the index in this process's memory (`memory.rs`), built from
//! the store's files at start-up and changed by each write; with PostgreSQL,
//! the `artifacts` and `versions` rows (`pg.rs`) that every instance writes
//! in its ingest's transaction, so what one instance stores every instance
//! lists and serves at once.

pub mod listings;
pub mod memory;
mod pg;

use super::sidecar::Sidecar;
use crate::error::AppError;
use crate::model::{Artifact, ArtifactQuery, ArtifactRef, Conversation, Counts};
use crate::server::meta::pg::Pg;
use listings::{Key, Listings};
use memory::{Index, Rank};
use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

/// What answers the reads: the index (SQLite), or the rows (PostgreSQL)
/// with the listing pages this instance read of them.
#[derive(Clone)]
pub enum Catalog {
    Memory(Arc<RwLock<Index>>),
    Pg(Pg, Listings),
}

/// A window of a listing.
#[derive(Clone)]
pub struct Page {
    pub items: Vec<Artifact>,
    /// Where in the listing the first item is.
    pub start: usize,
    pub total: u64,
    pub counts: Counts,
    /// The last item's place, when more follow.
    pub next: Option<Rank>,
}

/// The memory index, or nothing (PostgreSQL keeps none).
impl Catalog {
    pub fn index(&self) -> Option<RwLockReadGuard<'_, Index>> {
        match self {
            Self::Memory(index) => Some(index.read().unwrap_or_else(|p| p.into_inner())),
            Self::Pg(..) => None,
        }
    }

    pub fn index_mut(&self) -> Option<RwLockWriteGuard<'_, Index>> {
        match self {
            Self::Memory(index) => Some(index.write().unwrap_or_else(|p| p.into_inner())),
            Self::Pg(..) => None,
        }
    }

    /// Takes deleted artifacts out of the index: the versions it had of
    /// them, none of one deleted meanwhile. In PostgreSQL, whose rows
    /// `Meta::delete_artifacts` deletes: `read`, the versions read before.
    pub fn forget(&self, ids: &[Uuid], read: Vec<Arc<Sidecar>>) -> Vec<Arc<Sidecar>> {
        match self.index_mut() {
            Some(mut index) => ids.iter().filter_map(|id| index.remove(*id)).flat_map(|v| v.all().to_vec()).collect(),
            None => read,
        }
    }

    /// Forgets the listing pages kept (see [`Listings::clear`]).
    pub fn forget_listings(&self) {
        if let Self::Pg(_, listings) = self {
            listings.clear();
        }
    }

    /// Takes a deleted version out of the index; false if it is the only one.
    pub fn forget_version(&self, id: Uuid, version: u32) -> bool {
        self.index_mut().is_none_or(|mut index| index.remove_version(id, version).is_some())
    }
}

impl Catalog {
    /// The user's conversation.
    pub async fn conversation(&self, user: Uuid, id: Uuid) -> Result<Option<Conversation>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().conversation(user, id)),
            Self::Pg(db, _) => db.run(move |p| pg::conversation(p, user, id)).await,
        }
    }

    /// The user's conversations, newest first.
    pub async fn conversations(&self, user: Uuid) -> Result<Vec<Conversation>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().conversations_of(user)),
            Self::Pg(db, _) => db.run(move |p| pg::conversations(p, user)).await,
        }
    }

    /// An artifact's latest version.
    pub async fn latest(&self, id: Uuid) -> Result<Option<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().latest(&id).cloned()),
            Self::Pg(db, _) => db.run(move |p| pg::latest(p, id)).await,
        }
    }

    /// An artifact's versions, newest first.
    pub async fn versions(&self, id: Uuid) -> Result<Vec<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => {
                Ok(self.read().artifacts.get(&id).map(|v| v.all().iter().rev().cloned().collect()).unwrap_or_default())
            }
            Self::Pg(db, _) => db.run(move |p| pg::versions(p, id)).await,
        }
    }

    pub async fn version(&self, id: Uuid, version: u32) -> Result<Option<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().artifacts.get(&id).and_then(|v| v.get(version)).cloned()),
            Self::Pg(db, _) => db.run(move |p| pg::version(p, id, version)).await,
        }
    }

    /// Every version of every artifact at a virtual path of a conversation.
    pub async fn versions_at(&self, conversation: Uuid, path: &str) -> Result<Vec<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().versions_at(conversation, path)),
            Self::Pg(db, _) => {
                let path = path.to_string();
                db.run(move |p| pg::versions_at(p, conversation, path)).await
            }
        }
    }

    /// The records of versions, by their own ids (what transcripts name);
    /// those that no longer exist are left out.
    pub async fn by_version_ids(&self, ids: Vec<Uuid>) -> Result<HashMap<Uuid, Artifact>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().by_version_ids(&ids)),
            Self::Pg(db, _) => db.run(move |p| pg::by_version_ids(p, ids)).await,
        }
    }

    /// The API records of versions, in their order.
    pub async fn records(&self, metas: &[Arc<Sidecar>]) -> Result<Vec<Artifact>, AppError> {
        match self {
            Self::Memory(_) => {
                let index = self.read();
                Ok(metas.iter().map(|m| index.record(m)).collect())
            }
            Self::Pg(db, _) => {
                let metas = metas.to_vec();
                db.run(move |p| pg::records(p, metas)).await
            }
        }
    }

    /// A window of the user's listing, or of one of their conversations'
    /// (whose owner the caller has checked): page `q.page`, or the `q.size`
    /// artifacts after the place `after`, with where a cursor's walk counted
    /// they start (which the memory index finds again, and PostgreSQL takes:
    /// counting the rows before a place costs as much as an offset).
    pub async fn page(
        &self,
        user: Uuid,
        conversation: Option<Uuid>,
        q: &ArtifactQuery,
        after: Option<(&Rank, usize)>,
    ) -> Result<Page, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().page(user, conversation, q, after.map(|(rank, _)| rank))),
            Self::Pg(db, listings) => {
                let key = Key { user, conversation, q: q.clone(), after: after.map(|(r, start)| (r.clone(), start)) };
                if let Some((at, page)) = listings.get(&key) {
                    if db.run(move |p| pg::generation(p, user)).await? == at {
                        return Ok(Page::clone(&page));
                    }
                }
                let (q, after) = (key.q.clone(), key.after.clone());
                let (at, page) = db.run(move |p| pg::page(p, user, conversation, q, after)).await?;
                Ok(listings.keep(key, at, page))
            }
        }
    }

    /// Every artifact of a listing (see [`Self::page`]) under a query's
    /// filter, search and order.
    pub async fn select_all(
        &self,
        user: Uuid,
        conversation: Option<Uuid>,
        q: &ArtifactQuery,
    ) -> Result<Vec<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().select_all(user, conversation, q)),
            Self::Pg(db, _) => {
                let q = q.clone();
                db.run(move |p| pg::select_all(p, user, conversation, q)).await
            }
        }
    }

    /// The artifacts just before and just after `id` in the user's gallery
    /// under a query's filter, search and order.
    pub async fn neighbours(
        &self,
        user: Uuid,
        id: Uuid,
        q: &ArtifactQuery,
    ) -> Result<(Option<ArtifactRef>, Option<ArtifactRef>), AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().neighbours(user, id, q)),
            Self::Pg(db, _) => {
                let q = q.clone();
                db.run(move |p| pg::neighbours(p, user, id, q)).await
            }
        }
    }

    /// The newest artifact at a virtual path of a conversation.
    pub async fn at_path(&self, conversation: Uuid, path: &str) -> Result<Option<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().at_path(conversation, path).cloned()),
            Self::Pg(db, _) => {
                let path = path.to_string();
                db.run(move |p| pg::at_path(p, conversation, path)).await
            }
        }
    }

    /// Whether artifacts lie below a virtual folder of a conversation.
    pub async fn is_folder(&self, conversation: Uuid, path: &str) -> Result<bool, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().is_folder(conversation, path)),
            Self::Pg(db, _) => {
                let path = path.to_string();
                db.run(move |p| pg::is_folder(p, conversation, path)).await
            }
        }
    }

    /// The newest artifact at each virtual path below `folder`, newest first.
    pub async fn under(&self, user: Uuid, conversation: Uuid, folder: &str) -> Result<Vec<Arc<Sidecar>>, AppError> {
        match self {
            Self::Memory(_) => Ok(self.read().under(user, conversation, folder)),
            Self::Pg(db, _) => {
                let folder = folder.to_string();
                db.run(move |p| pg::under(p, conversation, folder)).await
            }
        }
    }

    /// The memory index, for the `Memory` arms above.
    fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.index().expect("the memory catalog")
    }
}

/// The API record of a version, its conversation titled `title`, its
/// artifact having `versions` versions.
pub(in crate::server::store) fn to_artifact(meta: &Sidecar, title: &str, versions: u32) -> Artifact {
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
        conversation_title: title.to_string(),
        name: meta.name.clone(),
        size: meta.size,
        mime_type: meta.mime_type.clone(),
        kind: meta.kind,
        created_at: meta.created_at.clone(),
        download_url,
        url,
        path: meta.path.clone(),
        version: meta.version,
        versions,
    }
}
