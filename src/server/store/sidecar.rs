//! The metadata file beside each artifact, `{uuid}.meta.json`. Its presence
//! is what makes an artifact exist: it is written (atomically) only after the
//! data file is durable, so a crash leaves either both or an orphan data file
//! that start-up removes.
//!
//! Each version of an artifact is its own data file and sidecar, named by
//! the version's id; the sidecar names the artifact (the id of version 1)
//! and its number. Sidecars written before versions existed have neither
//! field and load as version 1 of their own artifact.

use crate::model::GalleryType;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    /// This version's id: its files' names.
    pub id: Uuid,
    /// The artifact's id, stable across versions: version 1's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_id: Option<Uuid>,
    #[serde(default = "first_version")]
    pub version: u32,
    pub conversation_id: Uuid,
    pub name: String,
    pub size: u64,
    pub mime_type: String,
    #[serde(rename = "type")]
    pub kind: GalleryType,
    /// RFC 3339 with nanoseconds, UTC.
    pub created_at: String,
    pub tool: String,
    pub message_id: Uuid,
    /// Virtual path under the conversation, e.g. `mnt/user-data/outputs/a.png`.
    pub path: String,
    pub sha256: String,
}

fn first_version() -> u32 {
    1
}

impl Sidecar {
    pub fn artifact_id(&self) -> Uuid {
        self.artifact_id.unwrap_or(self.id)
    }

    pub fn file_name(id: Uuid) -> String {
        format!("{id}.meta.json")
    }

    /// The data file's name: `{uuid}.{ext}`, or `{uuid}` for names without a
    /// plain extension.
    pub fn data_file_name(&self) -> String {
        match super::names::stored_extension(&self.name) {
            Some(ext) => format!("{}.{ext}", self.id),
            None => self.id.to_string(),
        }
    }

    /// The data file's key in the store's `Blobs`.
    pub fn data_key(&self) -> String {
        format!("{}/{}", super::blobs::artifacts_folder(self.conversation_id), self.data_file_name())
    }

    /// The sidecar's own key in the store's `Blobs`.
    pub fn key(&self) -> String {
        format!("{}/{}", super::blobs::artifacts_folder(self.conversation_id), Self::file_name(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sidecar_from_before_versions_is_version_1_of_its_own_artifact() {
        let id = Uuid::new_v4();
        let old = serde_json::json!({
            "id": id, "conversation_id": Uuid::new_v4(), "name": "a.txt", "size": 1, "mime_type": "text/plain",
            "type": "code", "created_at": "2026-01-01T00:00:00Z", "tool": "t", "message_id": Uuid::new_v4(),
            "path": "mnt/user-data/outputs/a.txt", "sha256": "00",
        });
        let meta: Sidecar = serde_json::from_value(old).unwrap();
        assert_eq!((meta.artifact_id(), meta.version), (id, 1));
        let later = Sidecar { id: Uuid::new_v4(), artifact_id: Some(id), version: 2, ..meta };
        let back: Sidecar = serde_json::from_slice(&serde_json::to_vec(&later).unwrap()).unwrap();
        assert_eq!((back.artifact_id(), back.version), (id, 2));
    }
}
