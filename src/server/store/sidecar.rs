//! The metadata file beside each artifact, `{uuid}.meta.json`. Its presence
//! is what makes an artifact exist: it is written (atomically) only after the
//! data file is durable, so a crash leaves either both or an orphan data file
//! that start-up removes.

use crate::model::GalleryType;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    pub id: Uuid,
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

impl Sidecar {
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

    /// The data file relative to the data directory.
    pub fn stored_path(&self) -> PathBuf {
        super::files::artifacts_dir(Path::new(""), self.conversation_id).join(self.data_file_name())
    }
}
