//! Share links, on both sides: what a link shows (`ShareTarget`), how its
//! owner sees it listed (`ShareInfo`), and what its public page gets
//! (`Shared`, which the JSON API answers and the page's server function
//! draws). Flat structs rather than tagged enums: postcard, which the pages
//! speak, cannot read internally tagged enums.

use crate::model::{Artifact, Preview};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The shortest and longest life of a link, in seconds.
pub const MIN_EXPIRY_SECS: u64 = 3600;
pub const MAX_EXPIRY_SECS: u64 = 90 * 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::EnumString)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TargetKind {
    Artifact,
    Folder,
    Conversation,
}

/// Whether a shared artifact shows the bytes it had when shared or its
/// latest version at each visit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::EnumString)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Pin {
    #[default]
    Version,
    Latest,
}

/// What a link shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTarget {
    pub kind: TargetKind,
    pub conversation_id: Uuid,
    /// For `artifact`.
    pub artifact_id: Option<Uuid>,
    /// For `artifact`: the version its bytes are pinned to; `None` follows
    /// the latest.
    pub version: Option<u32>,
    /// For `folder`: its virtual path, `mnt/user-data/outputs/...`.
    pub folder: Option<String>,
    /// The artifact's name, the folder's path or the conversation's title
    /// when the link was made.
    pub label: String,
}

/// A link as its owner lists it: never its token (only its hash is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareInfo {
    pub id: Uuid,
    pub target: ShareTarget,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `None` never expires.
    pub expires_at: Option<String>,
    pub access_count: u64,
    pub last_accessed_at: Option<String>,
    pub revoked: bool,
    /// Past its expiry when listed.
    pub expired: bool,
}

/// A link just made: the only time its URL is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedShare {
    /// `/s/{token}`, on the app's origin.
    pub url: String,
    pub info: ShareInfo,
}

/// What the public page `/s/{token}` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shared {
    pub target: ShareTarget,
    pub expires_at: Option<String>,
    /// A shared artifact's preview; its `url` and `download_url` are the
    /// link's own.
    pub preview: Option<Preview>,
    /// A shared folder's or conversation's files, each with its link's URLs.
    pub files: Vec<Artifact>,
    /// The link's ZIP of all its files (folders and conversations).
    pub zip_url: Option<String>,
    /// The server's clock, RFC 3339.
    pub now: String,
}

/// The folders a conversation's link may share: those under
/// `mnt/user-data/outputs` that hold any of `paths` (virtual paths), each
/// with its parents, relative to it (`out/plots`), sorted, once each.
pub fn folders_of<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let outputs = format!("{}/", crate::model::OUTPUTS);
    let mut folders = std::collections::BTreeSet::new();
    for path in paths.into_iter().filter_map(|p| p.strip_prefix(&outputs)) {
        let mut rest = path;
        while let Some((folder, _)) = rest.rsplit_once('/') {
            folders.insert(folder.to_string());
            rest = folder;
        }
    }
    folders.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn folders_are_those_under_outputs_with_their_parents() {
        let paths = [
            "mnt/user-data/outputs/out/plots/a.png",
            "mnt/user-data/outputs/out/report.html",
            "mnt/user-data/outputs/top.txt",
            "mnt/user-data/uploads/docs/in.pdf",
            "mnt/user-data/outputs/data/t.csv",
        ];
        assert_eq!(super::folders_of(paths), ["data", "out", "out/plots"]);
    }
}
