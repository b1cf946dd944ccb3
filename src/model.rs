//! Types shared by the axum JSON routes, the Leptos server functions and the
//! browser. No `usize` here: the wasm side is 32-bit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The gallery's four kinds of artifact, decided by the file name alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GalleryType {
    Images,
    Html,
    Code,
    Files,
}

impl GalleryType {
    pub const ALL: [GalleryType; 4] = [Self::Images, Self::Html, Self::Code, Self::Files];

    /// Case-insensitive, by the last extension of the name.
    pub fn from_name(name: &str) -> Self {
        match extension(name).as_deref() {
            Some("png" | "jpg" | "jpeg" | "gif" | "svg" | "webp") => Self::Images,
            Some("html" | "htm") => Self::Html,
            Some(
                "py" | "js" | "mjs" | "ts" | "tsx" | "jsx" | "json" | "yaml" | "yml" | "xml" | "css" | "sql" | "md"
                | "markdown" | "sh" | "bash",
            ) => Self::Code,
            _ => Self::Files,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Images => "images",
            Self::Html => "html",
            Self::Code => "code",
            Self::Files => "files",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Images => "Images",
            Self::Html => "HTML",
            Self::Code => "Code",
            Self::Files => "Files",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The lowercased last extension of the file name in `name`, if any.
pub fn extension(name: &str) -> Option<String> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let (stem, ext) = file.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// `all`, or one gallery type: the `type` query parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TypeFilter {
    #[default]
    All,
    Only(GalleryType),
}

impl TypeFilter {
    pub const ALL: [TypeFilter; 5] = [
        Self::All,
        Self::Only(GalleryType::Images),
        Self::Only(GalleryType::Html),
        Self::Only(GalleryType::Code),
        Self::Only(GalleryType::Files),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Only(t) => t.as_str(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::Only(t) => t.label(),
        }
    }

    pub fn matches(self, t: GalleryType) -> bool {
        self == Self::All || self == Self::Only(t)
    }
}

impl FromStr for TypeFilter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("Invalid type '{s}': expected one of all, images, html, code, files"))
    }
}

impl TryFrom<String> for TypeFilter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<TypeFilter> for String {
    fn from(f: TypeFilter) -> String {
        f.as_str().to_string()
    }
}

impl fmt::Display for TypeFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored artifact, as every listing and the ingestion answer show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub conversation_title: String,
    /// The name the tool gave it, relative to the conversation's folder.
    pub name: String,
    pub size: u64,
    pub mime_type: String,
    #[serde(rename = "type")]
    pub kind: GalleryType,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub url: String,
    pub download_url: String,
    /// Virtual path, e.g. `mnt/user-data/outputs/plots/chart.png`.
    pub path: String,
}

/// Page and filter of a listing; parsed from the query string with errors
/// that name the wrong value and what is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactQuery {
    pub page: u32,
    pub size: u32,
    #[serde(rename = "type")]
    pub kind: TypeFilter,
}

impl Default for ArtifactQuery {
    fn default() -> Self {
        Self { page: 1, size: Self::DEFAULT_SIZE, kind: TypeFilter::All }
    }
}

impl ArtifactQuery {
    pub const DEFAULT_SIZE: u32 = 24;
    pub const MAX_SIZE: u32 = 100;

    /// Parses `page`, `size` and `type` from query pairs; other keys are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => {
                    q.page = value
                        .parse()
                        .ok()
                        .filter(|p| *p >= 1)
                        .ok_or_else(|| format!("Invalid page '{value}': expected a whole number of at least 1"))?
                }
                "size" => {
                    q.size = value.parse().ok().filter(|s| (1..=Self::MAX_SIZE).contains(s)).ok_or_else(|| {
                        format!("Invalid size '{value}': expected a whole number from 1 to {}", Self::MAX_SIZE)
                    })?
                }
                "type" => q.kind = value.parse()?,
                _ => {}
            }
        }
        Ok(q)
    }
}

/// How many artifacts there are of each type, whatever the filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub all: u64,
    pub images: u64,
    pub html: u64,
    pub code: u64,
    pub files: u64,
}

impl Counts {
    pub fn get(&self, f: TypeFilter) -> u64 {
        match f {
            TypeFilter::All => self.all,
            TypeFilter::Only(GalleryType::Images) => self.images,
            TypeFilter::Only(GalleryType::Html) => self.html,
            TypeFilter::Only(GalleryType::Code) => self.code,
            TypeFilter::Only(GalleryType::Files) => self.files,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactPage {
    pub items: Vec<Artifact>,
    pub page: u32,
    pub size: u32,
    pub total: u64,
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: Uuid,
    pub title: String,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewConversation {
    pub title: String,
}

/// What an agent's tool returned: its printed output and the files it made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    pub tool: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub artifacts: Vec<NewArtifact>,
}

/// One file of a tool result: `content_base64` or, for text, `text`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewArtifact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// One entry of a conversation's transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: Uuid,
    pub tool: String,
    pub content: String,
    pub created_at: String,
    pub artifacts: Vec<Artifact>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredToolResult {
    pub message_id: Uuid,
    pub artifacts: Vec<Artifact>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallery_types_by_extension_case_insensitive() {
        use GalleryType::*;
        for (name, t) in [
            ("a.PNG", Images),
            ("a.jpg", Images),
            ("a.jpeg", Images),
            ("a.gif", Images),
            ("a.svg", Images),
            ("a.webp", Images),
            ("a.html", Html),
            ("a.HTM", Html),
            ("a.py", Code),
            ("a.js", Code),
            ("a.mjs", Code),
            ("a.ts", Code),
            ("a.tsx", Code),
            ("a.jsx", Code),
            ("a.json", Code),
            ("a.yaml", Code),
            ("a.yml", Code),
            ("a.xml", Code),
            ("a.css", Code),
            ("a.sql", Code),
            ("a.md", Code),
            ("a.markdown", Code),
            ("a.sh", Code),
            ("a.bash", Code),
            ("a.csv", Files),
            ("a.pdf", Files),
            ("a.txt", Files),
            ("a.bin", Files),
            ("noext", Files),
            ("dir.png/file", Files),
            (".png", Files),
            ("archive.tar.gz", Files),
        ] {
            assert_eq!(GalleryType::from_name(name), t, "{name}");
        }
    }

    #[test]
    fn query_parsing_names_the_wrong_value() {
        let q = |s: &[(&str, &str)]| ArtifactQuery::from_pairs(s.iter().copied());
        assert_eq!(q(&[]), Ok(ArtifactQuery::default()));
        assert_eq!(
            q(&[("page", "3"), ("size", "100"), ("type", "html")]),
            Ok(ArtifactQuery { page: 3, size: 100, kind: TypeFilter::Only(GalleryType::Html) })
        );
        for (k, v, needle) in [
            ("page", "0", "Invalid page '0'"),
            ("page", "x", "Invalid page 'x'"),
            ("page", "-1", "Invalid page '-1'"),
            ("size", "0", "from 1 to 100"),
            ("size", "101", "Invalid size '101'"),
            ("type", "videos", "expected one of all, images, html, code, files"),
        ] {
            let err = q(&[(k, v)]).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
    }
}
