//! Artifacts coming in: a tool result's files (decoded and checked here),
//! staged uploads and restored versions. Every file of one message is
//! checked first, so one bad file stores nothing; then each data file is
//! written atomically, the version numbers decided under the paths' locks,
//! the sidecars written, the transcript entry recorded (in PostgreSQL with
//! the versions' rows, numbered from them under each path's advisory lock,
//! in one transaction) and, in SQLite, the index updated. A failure half way removes
//! what was already written.
//!
//! A file written at a path that already has an artifact becomes its next
//! version, unless its bytes are the latest version's (then that version is
//! what the message made).

use super::blobs::{artifacts_folder, Blobs};
use super::catalog::{to_artifact, Catalog};
use super::delete::remove_files;
use super::sidecar::Sidecar;
use super::staging::{Staged, StagingFile};
use super::{names, split_events, ArtifactStore, OUTPUTS, UPLOADS};
use crate::error::AppError;
use crate::model::{Artifact, GalleryType, Message, NewArtifact, StoredToolResult, ToolResult};
use crate::server::clock::now_rfc3339;
use crate::server::events::{Draft, Events, Kind, MessageRecord, Subject};
use crate::server::meta::{MessageRow, Meta, Paths};
use crate::server::mime;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

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
    /// Received and durable, in the conversation's staging folder.
    Staged(Staged),
    /// A version's data file, linked rather than copied: data files never
    /// change.
    Linked(Arc<Sidecar>),
}

impl ArtifactStore {
    /// Stores a tool result's files as artifacts of one new message.
    pub async fn ingest(
        &self,
        user: Uuid,
        conversation: Uuid,
        result: ToolResult,
    ) -> Result<StoredToolResult, AppError> {
        self.conversation(user, conversation).await?;
        if result.tool.trim().is_empty() {
            return Err(AppError::BadRequest("The tool name is empty".into()));
        }
        // PostgreSQL's text cannot hold one; refused with SQLite too, so
        // that both answer alike (and a data directory can be migrated).
        if result.tool.contains('\0') || result.content.contains('\0') {
            return Err(AppError::BadRequest("The tool name and its output must not contain NUL characters".into()));
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
        let (message_id, made) = self.commit(user, conversation, tool, content, prepared).await?;
        Ok(StoredToolResult { message_id, artifacts: made.records })
    }

    /// A temp file in the conversation's folder to stream an upload into;
    /// removed unless it is committed.
    pub async fn staging_file(&self, conversation: Uuid, name: &str) -> Result<StagingFile, AppError> {
        Ok(StagingFile::create(self.blobs.staging_dir(&artifacts_folder(conversation)), name).await?)
    }

    /// Makes staged uploads, and the Markdown made from them (name, text),
    /// artifacts under `mnt/user-data/uploads/`; returns their metadata,
    /// uploads first.
    pub async fn commit_uploads(
        &self,
        user: Uuid,
        conversation: Uuid,
        staged: Vec<Staged>,
        markdown: Vec<(String, String)>,
    ) -> Result<Vec<Arc<Sidecar>>, AppError> {
        self.conversation(user, conversation).await?;
        let names: Vec<String> =
            staged.iter().map(|s| s.name.clone()).chain(markdown.iter().map(|m| m.0.clone())).collect();
        let uploads = staged.into_iter().map(|s| (s.name.clone(), Content::Staged(s)));
        let converted = markdown.into_iter().map(|(name, text)| (name, Content::Bytes(text.into_bytes())));
        let prepared = uploads
            .chain(converted)
            .map(|(name, content)| Prepared {
                path: format!("{UPLOADS}/{name}"),
                mime_type: mime::for_name(&name),
                name,
                content,
            })
            .collect();
        let content = format!("Uploaded {}", names.join(", "));
        Ok(self.commit(user, conversation, "upload".into(), content, prepared).await?.1.versions)
    }

    /// Makes a version the latest again, as a new version made by a message
    /// of its own; its bytes being the latest's already, nothing changes.
    /// Returns the latest version and whether it is new.
    pub(super) async fn restore_version(
        &self,
        user: Uuid,
        meta: Arc<Sidecar>,
    ) -> Result<(Arc<Sidecar>, bool), AppError> {
        let content = format!("Restored version {} of {}", meta.version, meta.name);
        let prepared = Prepared {
            name: meta.name.clone(),
            path: meta.path.clone(),
            mime_type: meta.mime_type.clone(),
            content: Content::Linked(meta.clone()),
        };
        let (message_id, made) =
            self.commit(user, meta.conversation_id, "restore".into(), content, vec![prepared]).await?;
        let latest =
            made.versions.last().cloned().ok_or_else(|| AppError::Internal("a restore stored nothing".into()))?;
        let new = latest.message_id == message_id;
        Ok((latest, new))
    }

    /// Writes prepared files as versions of one transcript message; returns
    /// the message's id and the version each file made (or was equal to).
    async fn commit(
        &self,
        user: Uuid,
        conversation: Uuid,
        tool: String,
        content: String,
        prepared: Vec<Prepared>,
    ) -> Result<(Uuid, Made), AppError> {
        let message_id = Uuid::new_v4();
        let commit = Commit {
            blobs: self.blobs.clone(),
            user,
            conversation,
            message_id,
            catalog: self.catalog.clone(),
            path_locks: self.path_locks.clone(),
            meta: self.meta.clone(),
            events: self.events.clone(),
        };
        // On the blocking pool from start to end: a request dropped half way
        // cannot stop it between writing a version and indexing it.
        let made = tokio::task::spawn_blocking(move || commit.run(tool, content, prepared)).await??;
        Ok((message_id, made))
    }
}

/// One message's files on their way to becoming versions.
struct Commit {
    blobs: Arc<Blobs>,
    /// The conversation's owner.
    user: Uuid,
    conversation: Uuid,
    message_id: Uuid,
    catalog: Catalog,
    path_locks: Arc<[Mutex<()>; 64]>,
    meta: Meta,
    events: Arc<Events>,
}

impl Commit {
    fn run(self, tool: String, content: String, prepared: Vec<Prepared>) -> Result<Made, AppError> {
        let drafts = write_data(&self.blobs, self.conversation, self.message_id, &tool, prepared)?;
        let _locks = self.lock_paths(&drafts);
        let paths = match self.meta.lock_paths(self.conversation, drafts.iter().map(|d| d.path.clone()).collect()) {
            Ok(paths) => paths,
            Err(e) => {
                remove_files(&self.blobs, self.conversation, &drafts);
                return Err(e);
            }
        };
        let Numbered { made, fresh, equal } = self.number(drafts, &paths);
        write_sidecars(&self.blobs, self.conversation, &fresh, &equal)?;
        let message = MessageRow {
            id: self.message_id,
            tool,
            content,
            artifact_ids: made.iter().map(|m| m.id).collect(),
            created_at: now_rfc3339(),
        };
        let (drafts, records) = self.drafts(&paths, &fresh, &made, &message);
        let (recorded, local) = split_events(&self.meta, drafts);
        // Still on the blocking pool, the paths locked: waiting here is what
        // keeps a number from being given before the one before is recorded.
        if let Err(e) = self.meta.commit_message(paths, self.conversation, message, fresh.clone(), recorded) {
            remove_files(&self.blobs, self.conversation, &fresh);
            return Err(e);
        }
        if let Some(mut index) = self.catalog.index_mut() {
            for m in &fresh {
                index.insert(m.clone());
            }
        }
        // Still under the paths' locks, so that one artifact's versions are
        // announced in order.
        self.events.publish(local);
        Ok(Made { versions: made, records })
    }

    /// The events of the new versions and the message, with the records the
    /// catalog will give once they are in it: they are made before the
    /// commit, which in PostgreSQL writes them. And the message's records,
    /// the answer's (asking the catalog again after the commit cost two
    /// queries more per write).
    fn drafts(
        &self,
        paths: &Paths,
        fresh: &[Arc<Sidecar>],
        made: &[Arc<Sidecar>],
        message: &MessageRow,
    ) -> (Vec<Draft>, Vec<Artifact>) {
        let (title, known) = self.known(paths, made);
        let versions = |id: Uuid| {
            let new = fresh.iter().filter(|f| f.artifact_id() == id);
            known.get(&id).copied().unwrap_or(0) + new.count() as u32
        };
        let record = |m: &Sidecar| to_artifact(m, &title, versions(m.artifact_id()));
        let subject = |artifact| Subject { user: self.user, conversation: self.conversation, artifact };
        let mut drafts: Vec<Draft> = fresh
            .iter()
            .filter_map(|m| {
                let kind = if m.version == 1 { Kind::ArtifactCreated } else { Kind::ArtifactVersion };
                Draft::new(kind, subject(Some(m.artifact_id())), &record(m))
            })
            .collect();
        let message = Message {
            id: message.id,
            tool: message.tool.clone(),
            content: message.content.clone(),
            created_at: message.created_at.clone(),
            artifacts: made.iter().map(|m| record(m)).collect(),
        };
        let record = MessageRecord { conversation_id: self.conversation, message: &message };
        drafts.extend(Draft::new(Kind::MessageCreated, subject(None), &record));
        (drafts, message.artifacts)
    }

    /// The conversation's title and the version counts of the message's
    /// artifacts, as the catalog has them before it commits (in PostgreSQL,
    /// as its transaction read them under the paths' locks: no other
    /// connection is taken while it holds one).
    fn known(&self, paths: &Paths, made: &[Arc<Sidecar>]) -> (String, HashMap<Uuid, u32>) {
        match (paths, self.catalog.index()) {
            (Paths::Locked(rows), _) => (rows.title.clone(), rows.counts.clone()),
            (Paths::Indexed, Some(index)) => {
                let conversation = index.conversations.get(&self.conversation);
                let title = conversation.map(|c| c.conversation.title.clone()).unwrap_or_default();
                let count = |id| Some((id, index.artifacts.get(&id)?.count()));
                (title, made.iter().filter_map(|m| count(m.artifact_id())).collect())
            }
            (Paths::Indexed, None) => Default::default(),
        }
    }

    /// Locks every path of the message, in one order so writers never wait
    /// on each other in a circle.
    fn lock_paths(&self, drafts: &[Sidecar]) -> Vec<MutexGuard<'_, ()>> {
        let mut slots: Vec<usize> = drafts
            .iter()
            .map(|d| {
                let mut h = std::hash::DefaultHasher::new();
                (self.conversation, &d.path).hash(&mut h);
                (h.finish() % self.path_locks.len() as u64) as usize
            })
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots.into_iter().map(|slot| self.path_locks[slot].lock().unwrap_or_else(|p| p.into_inner())).collect()
    }

    /// Gives each draft its artifact and number (the paths locked), after
    /// the latest versions the database read (PostgreSQL: another instance
    /// may have written them), else the index's.
    fn number(&self, drafts: Vec<Sidecar>, paths: &Paths) -> Numbered {
        let index = self.catalog.index();
        // Per path: its latest version and the next number, as this message goes.
        let mut latest: HashMap<String, (Arc<Sidecar>, u32)> = HashMap::new();
        let (mut made, mut fresh, mut equal) = (Vec::new(), Vec::new(), Vec::new());
        for mut draft in drafts {
            let before = latest.get(&draft.path).cloned().or_else(|| match paths {
                Paths::Locked(rows) => rows.latest.get(&draft.path).cloned(),
                Paths::Indexed => {
                    let index = index.as_ref()?;
                    let meta = index.at_path(self.conversation, &draft.path)?;
                    Some((meta.clone(), index.artifacts.get(&meta.artifact_id())?.next()))
                }
            });
            match before {
                Some((meta, _)) if meta.sha256 == draft.sha256 => {
                    made.push(meta);
                    equal.push(draft);
                }
                before => {
                    if let Some((meta, next)) = before {
                        draft.artifact_id = Some(meta.artifact_id());
                        draft.version = next;
                    }
                    draft.created_at = now_rfc3339();
                    let meta = Arc::new(draft);
                    latest.insert(meta.path.clone(), (meta.clone(), meta.version + 1));
                    fresh.push(meta.clone());
                    made.push(meta);
                }
            }
        }
        Numbered { made, fresh, equal }
    }
}

/// What a message made: the version each file made (or was equal to), and
/// their records.
struct Made {
    versions: Vec<Arc<Sidecar>>,
    records: Vec<Artifact>,
}

/// A message's drafts once numbered.
struct Numbered {
    /// The version each file made, or is equal to: the message's versions.
    made: Vec<Arc<Sidecar>>,
    /// The new versions.
    fresh: Vec<Arc<Sidecar>>,
    /// Drafts whose bytes their latest version has already: their data
    /// files go.
    equal: Vec<Sidecar>,
}

fn prepare(a: NewArtifact, max: u64) -> Result<Prepared, AppError> {
    names::validate(&a.name)?;
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

/// Writes each file's bytes durably under a new version id, as drafts of
/// version 1 of a new artifact; [`ArtifactStore::number`] decides which they
/// are. Without a sidecar a data file is an orphan that start-up removes.
/// On any failure the files already written are removed; staged files not
/// yet moved are removed as they are dropped.
fn write_data(
    blobs: &Blobs,
    conversation: Uuid,
    message_id: Uuid,
    tool: &str,
    files: Vec<Prepared>,
) -> Result<Vec<Sidecar>, AppError> {
    let mut written: Vec<Sidecar> = Vec::with_capacity(files.len());
    for f in files {
        let (size, sha256) = match &f.content {
            Content::Bytes(b) => (b.len() as u64, format!("{:x}", Sha256::digest(b))),
            Content::Staged(s) => (s.size, s.sha256.clone()),
            Content::Linked(m) => (m.size, m.sha256.clone()),
        };
        let meta = Sidecar {
            id: Uuid::new_v4(),
            artifact_id: None,
            version: 1,
            conversation_id: conversation,
            kind: GalleryType::from_name(&f.name),
            path: f.path,
            size,
            sha256,
            name: f.name,
            mime_type: f.mime_type,
            created_at: String::new(),
            tool: tool.to_string(),
            message_id,
        };
        let key = meta.data_key();
        let result = match f.content {
            Content::Bytes(b) => blobs.put(&key, &b),
            Content::Staged(s) => blobs.put_staged(&key, s.into_temp()),
            Content::Linked(m) => blobs.link(&m.data_key(), &key),
        };
        written.push(meta);
        if let Err(e) = result {
            remove_files(blobs, conversation, &written);
            return Err(e.into());
        }
    }
    Ok(written)
}

/// Writes the new versions' sidecars atomically, removes the data files of
/// drafts equal to their latest version, then makes the folder durable. On
/// failure the new versions' files are removed.
fn write_sidecars(
    blobs: &Blobs,
    conversation: Uuid,
    fresh: &[Arc<Sidecar>],
    equal: &[Sidecar],
) -> Result<(), AppError> {
    let result = fresh
        .iter()
        .try_for_each(|meta| {
            let json = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
            blobs.put(&meta.key(), &json)
        })
        // A message without files may have no folder yet, and nothing to make durable.
        .and_then(|()| if fresh.is_empty() { Ok(()) } else { blobs.sync(&artifacts_folder(conversation)) });
    remove_files(blobs, conversation, equal);
    if let Err(e) = result {
        remove_files(blobs, conversation, fresh);
        return Err(e.into());
    }
    Ok(())
}
