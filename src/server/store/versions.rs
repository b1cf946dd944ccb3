//! An artifact's versions: listed, read one by one, deleted alone (unless
//! it is the only one) and restored as a new latest version.

use super::sidecar::Sidecar;
use super::{split_events, ArtifactStore};
use crate::error::{AppError, Missing};
use crate::model::ArtifactVersion;
use crate::server::events::{Draft, Kind, Subject};
use std::sync::Arc;
use uuid::Uuid;

impl ArtifactStore {
    /// Every version of an artifact of the user's conversation, newest first.
    pub async fn versions(&self, user: Uuid, conversation: Uuid, id: Uuid) -> Result<Vec<Arc<Sidecar>>, AppError> {
        self.artifact(user, conversation, id).await?;
        let versions = self.catalog.versions(id).await?;
        if versions.is_empty() {
            return Err(Missing::Artifact(id).into());
        }
        Ok(versions)
    }

    /// One version of an artifact of the user's conversation.
    pub async fn version(
        &self,
        user: Uuid,
        conversation: Uuid,
        id: Uuid,
        version: u32,
    ) -> Result<Arc<Sidecar>, AppError> {
        self.artifact(user, conversation, id).await?;
        self.catalog.version(id, version).await?.ok_or(Missing::Version(id, version).into())
    }

    /// Deletes one version; the artifact's only version is refused (409):
    /// deleting that is deleting the artifact.
    pub async fn delete_version(&self, user: Uuid, conversation: Uuid, id: Uuid, version: u32) -> Result<(), AppError> {
        let meta = self.version(user, conversation, id, version).await?;
        let only = || {
            AppError::Conflict(format!(
                "Version {version} is the only version of artifact {id}: delete the artifact instead"
            ))
        };
        // The artifact's record changes (its latest version or its count):
        // its event is made before, for PostgreSQL to write it with the row.
        let versions = self.catalog.versions(id).await?;
        let Some(latest) = versions.iter().find(|m| m.version != version).filter(|_| versions.len() >= 2) else {
            return Err(only());
        };
        let mut record = self.record(latest).await?;
        record.versions = versions.len() as u32 - 1;
        let subject = Subject { user, conversation, artifact: Some(id) };
        let drafts = Draft::new(Kind::ArtifactVersion, subject, &record).into_iter().collect();
        let (recorded, local) = split_events(&self.meta, drafts);
        if !self.meta.delete_version(meta.clone(), recorded).await? || !self.catalog.forget_version(id, version) {
            return Err(only());
        }
        self.remove_deleted(conversation, vec![(*meta).clone()]).await?;
        self.events.publish(local);
        Ok(())
    }

    /// Makes a version the latest again as a new version; returns the
    /// latest version and whether it is new (not when the latest has these
    /// bytes already).
    pub async fn restore(
        &self,
        user: Uuid,
        conversation: Uuid,
        id: Uuid,
        version: u32,
    ) -> Result<(Arc<Sidecar>, bool), AppError> {
        let meta = self.version(user, conversation, id, version).await?;
        self.restore_version(user, meta).await
    }
}

/// A version as the API describes it.
pub fn version_record(meta: &Sidecar) -> ArtifactVersion {
    let url = format!(
        "/api/conversations/{}/artifacts/{}/versions/{}",
        meta.conversation_id,
        meta.artifact_id(),
        meta.version
    );
    ArtifactVersion {
        version: meta.version,
        size: meta.size,
        mime_type: meta.mime_type.clone(),
        sha256: meta.sha256.clone(),
        created_at: meta.created_at.clone(),
        message_id: meta.message_id,
        tool: meta.tool.clone(),
        download_url: format!("{url}?download=true"),
        url,
    }
}
