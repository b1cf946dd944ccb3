//! Artifacts coming in: a tool result's files (decoded and checked here)
//! and staged uploads. Every file of one message is checked first, so one
//! bad file stores nothing; then each is written atomically, the transcript
//! entry recorded and the index updated. A failure half way removes what
//! was already written.

use super::delete::remove_files;
use super::sidecar::Sidecar;
use super::staging::{Staged, StagingFile};
use super::{files, names, to_artifact, ArtifactStore, OUTPUTS, UPLOADS};
use crate::error::AppError;
use crate::model::{GalleryType, NewArtifact, StoredToolResult, ToolResult};
use crate::server::clock::now_rfc3339;
use crate::server::{db, mime};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
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
    /// Already on disk, durable, in the conversation's folder.
    Staged(Staged),
}

impl ArtifactStore {
    /// Stores a tool result's files as artifacts of one new message.
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

    /// A temp file in the conversation's folder to stream an upload into;
    /// removed unless it is committed.
    pub async fn staging_file(&self, conversation: Uuid, name: &str) -> Result<StagingFile, AppError> {
        Ok(StagingFile::create(self.artifacts_dir(conversation), name).await?)
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
        self.conversation(user, conversation)?;
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
        let stored = self.commit(conversation, "upload".into(), content, prepared).await?;
        let index = self.read();
        Ok(stored.artifacts.iter().filter_map(|a| index.artifacts.get(&a.id).cloned()).collect())
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
        let dir = self.artifacts_dir(conversation);
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
            remove_files(&self.artifacts_dir(conversation), &metas);
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

/// Writes each file and its sidecar atomically, then makes the folder
/// durable. On any failure the files already written are removed; staged
/// files not yet moved are removed as they are dropped.
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
    for f in files {
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
        let target = dir.join(meta.data_file_name());
        let data = match f.content {
            Content::Bytes(b) => files::write_atomic(dir, &meta.data_file_name(), &b),
            Content::Staged(s) => s.persist(&target),
        };
        let result = data.and_then(|()| files::write_atomic(dir, &Sidecar::file_name(meta.id), &json));
        written.push(meta);
        if let Err(e) = result {
            remove_files(dir, &written);
            return Err(e.into());
        }
    }
    if let Err(e) = files::sync_dir(dir) {
        remove_files(dir, &written);
        return Err(e.into());
    }
    Ok(written)
}
