//! The artifact store: files on disk are the truth, the index answers
//! queries, the database keeps conversations and transcripts. Every path
//! that creates artifacts — the HTTP API, uploads, the demo seed, the tests —
//! goes through [`ArtifactStore::ingest`].

pub mod files;
pub mod index;
pub mod names;
pub mod sidecar;
pub mod small;
mod staging;

use crate::error::AppError;
use crate::model::{
    Artifact, ArtifactPage, ArtifactQuery, ArtifactRef, Conversation, Counts, GalleryType, Message, NewArtifact,
    StoredToolResult, ToolResult,
};
use crate::server::{db, mime, now_rfc3339};
use base64::Engine;
use index::{ConversationEntry, Index};
use sha2::{Digest, Sha256};
use sidecar::Sidecar;
pub use staging::{Staged, StagingFile};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

pub const OUTPUTS: &str = "mnt/user-data/outputs";
pub const UPLOADS: &str = "mnt/user-data/uploads";
const MAX_TITLE_CHARS: usize = 200;

pub struct ArtifactStore {
    data_dir: PathBuf,
    /// No data file is opened except beneath it.
    root: files::Root,
    small_files: small::SmallFiles,
    db: db::Db,
    max_artifact_bytes: u64,
    index: RwLock<Index>,
}

pub enum Resolved {
    File(Arc<Sidecar>),
    Folder,
    Missing,
}

/// A checked file about to become an artifact.
struct Prepared {
    name: String,
    /// Virtual path under the conversation.
    path: String,
    mime_type: String,
    content: Content,
}

enum Content {
    Bytes(Vec<u8>),
    /// Already on disk, durable, in the conversation's folder.
    Staged(Staged),
}

impl ArtifactStore {
    /// Opens the store: loads conversations, scans every artifacts folder
    /// and builds the index (cleaning up what a crash left behind).
    pub fn open(data_dir: &Path, db: db::Db, max_artifact_bytes: u64, file_cache_bytes: u64) -> Result<Self, AppError> {
        std::fs::create_dir_all(data_dir.join("conversations"))?;
        let mut index = Index::default();
        for c in db.run_blocking(db::all_conversations)? {
            index.add_conversation(ConversationEntry {
                id: c.id,
                owner: c.owner,
                title: c.title,
                created_at: c.created_at,
            });
        }
        let mut found = files::scan(data_dir)?;
        // In key order every insertion is a push; in directory order each
        // one shifted half of the user's listing (3.7 s at 100,000 artifacts).
        found.sort_by_cached_key(index::key_of);
        for meta in found {
            let id = meta.id;
            if !index.insert(Arc::new(meta)) {
                tracing::warn!("artifact {id} belongs to no known conversation; not listed");
            }
        }
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            root: files::Root::open(data_dir)?,
            small_files: small::SmallFiles::new(file_cache_bytes),
            db,
            max_artifact_bytes,
            index: RwLock::new(index),
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn db(&self) -> &db::Db {
        &self.db
    }

    pub async fn create_conversation(&self, owner: Uuid, title: &str) -> Result<Conversation, AppError> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
            return Err(AppError::BadRequest(format!(
                "Invalid title: expected 1 to {MAX_TITLE_CHARS} characters without control characters"
            )));
        }
        let row =
            db::ConversationRow { id: Uuid::new_v4(), owner, title: title.to_string(), created_at: now_rfc3339() };
        let stored = row.clone();
        self.db.run(move |c| db::insert_conversation(c, &stored)).await?;
        self.write().add_conversation(ConversationEntry {
            id: row.id,
            owner,
            title: row.title.clone(),
            created_at: row.created_at.clone(),
        });
        Ok(Conversation { id: row.id, title: row.title, created_at: row.created_at })
    }

    /// The user's conversation, or 404 — also when it is someone else's.
    pub fn conversation(&self, user: Uuid, id: Uuid) -> Result<Conversation, AppError> {
        self.read()
            .conversations
            .get(&id)
            .filter(|c| c.owner == user)
            .map(|c| Conversation { id: c.id, title: c.title.clone(), created_at: c.created_at.clone() })
            .ok_or_else(|| AppError::NotFound(format!("Conversation not found: {id}")))
    }

    /// The user's conversations, newest first.
    pub fn conversations(&self, user: Uuid) -> Vec<Conversation> {
        let mut list: Vec<Conversation> = self
            .read()
            .conversations
            .values()
            .filter(|c| c.owner == user)
            .map(|c| Conversation { id: c.id, title: c.title.clone(), created_at: c.created_at.clone() })
            .collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        list
    }

    /// Stores a tool result: every artifact is checked first, so one bad
    /// artifact stores nothing; then each is written atomically, the
    /// transcript entry recorded, and the index updated.
    pub async fn ingest(
        &self,
        user: Uuid,
        conversation: Uuid,
        result: ToolResult,
    ) -> Result<StoredToolResult, AppError> {
        self.conversation(user, conversation)?;
        if result.tool.trim().is_empty() {
            return Err(AppError::BadRequest("The tool name is empty".into()));
        }
        let max = self.max_artifact_bytes;
        let prepared = tokio::task::spawn_blocking(move || {
            result
                .artifacts
                .into_iter()
                .map(|a| prepare(a, max))
                .collect::<Result<Vec<_>, _>>()
                .map(|p| (p, result.tool, result.content))
        })
        .await??;
        let (prepared, tool, content) = prepared;
        self.commit(conversation, tool, content, prepared).await
    }

    /// A temp file in the conversation's folder to stream an upload into.
    pub async fn staging_file(&self, conversation: Uuid, name: &str) -> Result<StagingFile, AppError> {
        Ok(StagingFile::create(files::artifacts_dir(&self.data_dir, conversation), name).await?)
    }

    /// Removes staged files of a request that was refused.
    pub fn discard(&self, staged: &[Staged]) {
        for s in staged {
            let _ = std::fs::remove_file(&s.tmp);
        }
    }

    /// Makes staged uploads, and the Markdown made from them, artifacts under
    /// `mnt/user-data/uploads/`; returns their metadata, uploads first.
    pub async fn commit_uploads(
        &self,
        user: Uuid,
        conversation: Uuid,
        staged: Vec<Staged>,
        markdown: Vec<(String, String)>,
    ) -> Result<Vec<Sidecar>, AppError> {
        if let Err(e) = self.conversation(user, conversation) {
            self.discard(&staged);
            return Err(e);
        }
        let names: Vec<String> =
            staged.iter().map(|s| s.name.clone()).chain(markdown.iter().map(|m| m.0.clone())).collect();
        let uploads = staged.into_iter().map(|s| Prepared {
            path: format!("{UPLOADS}/{}", s.name),
            mime_type: mime::for_name(&s.name),
            name: s.name.clone(),
            content: Content::Staged(s),
        });
        let converted = markdown.into_iter().map(|(name, text)| Prepared {
            path: format!("{UPLOADS}/{name}"),
            mime_type: mime::for_name(&name),
            name,
            content: Content::Bytes(text.into_bytes()),
        });
        let prepared: Vec<Prepared> = uploads.chain(converted).collect();
        let content = format!("Uploaded {}", names.join(", "));
        let stored = self.commit(conversation, "upload".into(), content, prepared).await?;
        let index = self.read();
        Ok(stored.artifacts.iter().filter_map(|a| index.artifacts.get(&a.id).map(|m| (**m).clone())).collect())
    }

    /// Writes prepared files as artifacts of one transcript message.
    async fn commit(
        &self,
        conversation: Uuid,
        tool: String,
        content: String,
        prepared: Vec<Prepared>,
    ) -> Result<StoredToolResult, AppError> {
        let message_id = Uuid::new_v4();
        let dir = files::artifacts_dir(&self.data_dir, conversation);
        let tool_for_files = tool.clone();
        let metas =
            tokio::task::spawn_blocking(move || write_files(&dir, conversation, message_id, &tool_for_files, prepared))
                .await??;

        let message = db::MessageRow {
            id: message_id,
            tool,
            content,
            artifact_ids: metas.iter().map(|m| m.id).collect(),
            created_at: now_rfc3339(),
        };
        if let Err(e) = self.db.run(move |c| db::insert_message(c, conversation, &message)).await {
            let dir = files::artifacts_dir(&self.data_dir, conversation);
            remove_files(&dir, &metas);
            return Err(e);
        }
        let mut index = self.write();
        let artifacts = metas
            .into_iter()
            .map(|m| {
                let m = Arc::new(m);
                index.insert(m.clone());
                to_artifact(&m, &index)
            })
            .collect();
        Ok(StoredToolResult { message_id, artifacts })
    }

    /// A page of the user's artifacts, or of one of their conversations.
    pub fn list(&self, user: Uuid, conversation: Option<Uuid>, q: &ArtifactQuery) -> Result<ArtifactPage, AppError> {
        if let Some(c) = conversation {
            self.conversation(user, c)?;
        }
        let index = self.read();
        let (items, total, counts) = match index.listing(user, conversation) {
            Some(listing) => {
                let (selection, counts) = listing.select(q, &index.artifacts);
                let items = selection
                    .page(q.page, q.size)
                    .iter()
                    .filter_map(|(_, id)| index.artifacts.get(id))
                    .map(|m| to_artifact(m, &index))
                    .collect();
                (items, selection.len() as u64, counts)
            }
            None => (vec![], 0, Counts::default()),
        };
        Ok(ArtifactPage { items, page: q.page, size: q.size, total, counts })
    }

    /// An artifact of the user's conversation.
    pub fn artifact(&self, user: Uuid, conversation: Uuid, id: Uuid) -> Result<Arc<Sidecar>, AppError> {
        self.conversation(user, conversation)?;
        self.read()
            .artifacts
            .get(&id)
            .filter(|m| m.conversation_id == conversation)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("Artifact not found: {id}")))
    }

    /// Where an artifact's bytes are, for readers that open the file
    /// themselves; checked as [`Self::open_data`] checks it.
    pub fn data_path(&self, meta: &Sidecar) -> Result<PathBuf, AppError> {
        self.open_data(meta)?;
        Ok(self.data_dir.join(Self::relative_data_path(meta)))
    }

    fn relative_data_path(meta: &Sidecar) -> PathBuf {
        files::artifacts_dir(Path::new(""), meta.conversation_id).join(meta.data_file_name())
    }

    /// Opens an artifact's bytes — refusing, as missing, a file that a
    /// symlink planted on disk would take outside the data directory.
    fn open_data(&self, meta: &Sidecar) -> Result<std::fs::File, AppError> {
        let relative = Self::relative_data_path(meta);
        match self.root.open_file(&relative) {
            Ok(file) => Ok(file),
            Err(e) => {
                if e.raw_os_error() == Some(rustix::io::Errno::XDEV.raw_os_error()) {
                    tracing::warn!("refusing {}: it resolves outside the data directory", relative.display());
                }
                Err(AppError::NotFound(format!("Artifact not found: {}", meta.path)))
            }
        }
    }

    /// The bytes of an artifact of at most [`small::MAX_BYTES`], from memory
    /// if they were read recently.
    pub async fn small_file(&self, meta: &Sidecar) -> Result<small::SmallFile, AppError> {
        if let Some(file) = self.small_files.get(&meta.id) {
            return Ok(file);
        }
        let file = small::read(self.open_data(meta)?)
            .await
            .map_err(|e| AppError::Internal(format!("reading {}: {e}", meta.path)))?;
        self.small_files.insert(meta.id, file.clone());
        Ok(file)
    }

    /// The API record of an artifact.
    pub fn record(&self, meta: &Sidecar) -> Artifact {
        to_artifact(meta, &self.read())
    }

    /// What a virtual path of the user's conversation names.
    pub fn resolve(&self, user: Uuid, conversation: Uuid, path: &str) -> Result<Resolved, AppError> {
        self.conversation(user, conversation)?;
        let found = {
            let index = self.read();
            if let Some(meta) = index.at_path(conversation, path) {
                Some(meta.clone())
            } else if ["mnt", crate::server::vpath::ROOT, OUTPUTS, UPLOADS].contains(&path)
                || index.is_folder(conversation, path)
            {
                return Ok(Resolved::Folder);
            } else {
                None
            }
        };
        match found {
            Some(meta) => Ok(Resolved::File(meta)),
            None => Ok(Resolved::Missing),
        }
    }

    /// Removes an artifact: from the index first (so no listing shows it
    /// again), then its metadata (which ends its existence), then its data.
    pub async fn delete(&self, user: Uuid, conversation: Uuid, id: Uuid) -> Result<(), AppError> {
        self.artifact(user, conversation, id)?;
        let Some(meta) = self.write().remove(id) else {
            return Err(AppError::NotFound(format!("Artifact not found: {id}")));
        };
        self.small_files.remove(&id);
        let data_dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || remove_deleted(&data_dir, conversation, &[(*meta).clone()])).await?;
        Ok(())
    }

    /// The newest artifact at each virtual path below `folder`, newest first.
    pub fn under(&self, user: Uuid, conversation: Uuid, folder: &str) -> Result<Vec<Arc<Sidecar>>, AppError> {
        self.conversation(user, conversation)?;
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
    pub fn neighbours(&self, user: Uuid, id: Uuid, q: &ArtifactQuery) -> (Option<ArtifactRef>, Option<ArtifactRef>) {
        let index = self.read();
        let (Some(meta), Some(listing)) = (index.artifacts.get(&id), index.listing(user, None)) else {
            return (None, None);
        };
        let (previous, next) = listing.select(q, &index.artifacts).0.neighbours(&index::key_of(meta));
        let to_ref = |k: Option<index::Key>| {
            let meta = index.artifacts.get(&k?.1)?;
            Some(ArtifactRef { conversation_id: meta.conversation_id, id: meta.id })
        };
        (to_ref(previous), to_ref(next))
    }

    /// Every artifact of the user (or of one conversation) under a query's
    /// filter, search and order, with its data file: what a ZIP download
    /// contains.
    pub fn export(
        &self,
        user: Uuid,
        conversation: Option<Uuid>,
        q: &ArtifactQuery,
    ) -> Result<Vec<(Arc<Sidecar>, PathBuf)>, AppError> {
        if let Some(c) = conversation {
            self.conversation(user, c)?;
        }
        let metas = self.read().select_all(user, conversation, q);
        Ok(metas.into_iter().filter_map(|m| self.data_path(&m).ok().map(|p| (m, p))).collect())
    }

    /// Deletes every artifact at a virtual path; returns how many there were.
    pub async fn delete_path(&self, user: Uuid, conversation: Uuid, path: &str) -> Result<u32, AppError> {
        self.conversation(user, conversation)?;
        let mut removed = Vec::new();
        {
            let mut index = self.write();
            while let Some(id) = index.at_path(conversation, path).map(|m| m.id) {
                removed.extend(index.remove(id).map(|m| (*m).clone()));
            }
        }
        for m in &removed {
            self.small_files.remove(&m.id);
        }
        let count = removed.len() as u32;
        let data_dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || remove_deleted(&data_dir, conversation, &removed)).await?;
        Ok(count)
    }

    /// The conversation's transcript, with each message's artifacts that
    /// still exist.
    pub async fn messages(&self, user: Uuid, conversation: Uuid) -> Result<Vec<Message>, AppError> {
        self.conversation(user, conversation)?;
        let rows = self.db.run(move |c| db::messages_of(c, conversation)).await?;
        let index = self.read();
        Ok(rows
            .into_iter()
            .map(|r| Message {
                id: r.id,
                tool: r.tool,
                content: r.content,
                created_at: r.created_at,
                artifacts: r
                    .artifact_ids
                    .iter()
                    .filter_map(|id| index.artifacts.get(id))
                    .map(|m| to_artifact(m, &index))
                    .collect(),
            })
            .collect())
    }
}

fn to_artifact(meta: &Sidecar, index: &Index) -> Artifact {
    // Built by hand rather than with `format!`: a listing page builds 100
    // of these, and the formatting machinery was a tenth of its time.
    let mut uuid = Uuid::encode_buffer();
    let mut url = String::with_capacity(120);
    url.push_str("/api/conversations/");
    url.push_str(meta.conversation_id.hyphenated().encode_lower(&mut uuid));
    url.push_str("/artifacts/");
    url.push_str(meta.id.hyphenated().encode_lower(&mut uuid));
    let download_url = [url.as_str(), "?download=true"].concat();
    Artifact {
        id: meta.id,
        conversation_id: meta.conversation_id,
        conversation_title: index.conversations.get(&meta.conversation_id).map(|c| c.title.clone()).unwrap_or_default(),
        name: meta.name.clone(),
        size: meta.size,
        mime_type: meta.mime_type.clone(),
        kind: meta.kind,
        created_at: meta.created_at.clone(),
        download_url,
        url,
        path: meta.path.clone(),
    }
}

fn prepare(a: NewArtifact, max: u64) -> Result<Prepared, AppError> {
    names::validate(&a.name).map_err(AppError::BadRequest)?;
    let too_large =
        || AppError::PayloadTooLarge(format!("Artifact '{}' is larger than the limit of {max} bytes", a.name));
    let bytes = match (&a.content_base64, &a.text) {
        (Some(b64), None) => {
            // Decoded size is at most 3/4 of the encoded: refuse before decoding.
            if (b64.len() as u64 / 4).saturating_mul(3) > max + 2 {
                return Err(too_large());
            }
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| AppError::BadRequest(format!("Invalid base64 in artifact '{}': {e}", a.name)))?
        }
        (None, Some(text)) => text.clone().into_bytes(),
        _ => {
            return Err(AppError::BadRequest(format!(
                "Artifact '{}' needs exactly one of content_base64 or text",
                a.name
            )))
        }
    };
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    let mime_type = match a.mime_type {
        Some(m) => m.parse::<mime_guess::mime::Mime>().map(|m| m.essence_str().to_ascii_lowercase()).map_err(|_| {
            AppError::BadRequest(format!("Invalid mime_type '{}' for artifact '{}'", m.escape_debug(), a.name))
        })?,
        None => mime::for_name(&a.name),
    };
    Ok(Prepared { path: format!("{OUTPUTS}/{}", a.name), name: a.name, mime_type, content: Content::Bytes(bytes) })
}

fn write_files(
    dir: &Path,
    conversation: Uuid,
    message_id: Uuid,
    tool: &str,
    files: Vec<Prepared>,
) -> Result<Vec<Sidecar>, AppError> {
    if !dir.exists() {
        std::fs::create_dir_all(dir)?;
        // Make the new folders themselves durable.
        for parent in dir.ancestors().skip(1).take(2) {
            files::sync_dir(parent)?;
        }
    }
    let mut written: Vec<Sidecar> = Vec::with_capacity(files.len());
    let mut pending = files.into_iter();
    while let Some(f) = pending.next() {
        let (size, sha256) = match &f.content {
            Content::Bytes(b) => (b.len() as u64, format!("{:x}", Sha256::digest(b))),
            Content::Staged(s) => (s.size, s.sha256.clone()),
        };
        let meta = Sidecar {
            id: Uuid::new_v4(),
            conversation_id: conversation,
            kind: GalleryType::from_name(&f.name),
            path: f.path,
            size,
            sha256,
            name: f.name,
            mime_type: f.mime_type,
            created_at: now_rfc3339(),
            tool: tool.to_string(),
            message_id,
        };
        let json = serde_json::to_vec_pretty(&meta).map_err(|e| AppError::Internal(e.to_string()))?;
        let data = match &f.content {
            Content::Bytes(b) => files::write_atomic(dir, &meta.data_file_name(), b),
            Content::Staged(s) => std::fs::rename(&s.tmp, dir.join(meta.data_file_name())),
        };
        let result = data.and_then(|()| files::write_atomic(dir, &Sidecar::file_name(meta.id), &json));
        written.push(meta);
        if let Err(e) = result {
            remove_files(dir, &written);
            for rest in pending {
                if let Content::Staged(s) = rest.content {
                    let _ = std::fs::remove_file(&s.tmp);
                }
            }
            if let Content::Staged(s) = f.content {
                let _ = std::fs::remove_file(&s.tmp);
            }
            return Err(e.into());
        }
    }
    if let Err(e) = files::sync_dir(dir) {
        remove_files(dir, &written);
        return Err(e.into());
    }
    Ok(written)
}

/// Removes deleted artifacts' files and their cached thumbnails, which
/// would otherwise outlive them.
fn remove_deleted(data_dir: &Path, conversation: Uuid, metas: &[Sidecar]) {
    remove_files(&files::artifacts_dir(data_dir, conversation), metas);
    for m in metas {
        let _ = std::fs::remove_file(files::thumbnail_path(data_dir, m.id));
    }
}

/// Metadata first: without it the data file is an orphan that start-up
/// removes, so a crash half way never leaves a listed, broken artifact.
fn remove_files(dir: &Path, metas: &[Sidecar]) {
    for m in metas {
        for name in [Sidecar::file_name(m.id), m.data_file_name()] {
            if let Err(e) = std::fs::remove_file(dir.join(&name)) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("could not remove {}: {e}", dir.join(&name).display());
                }
            }
        }
    }
    let _ = files::sync_dir(dir);
}
