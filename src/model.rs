//! Types shared by the axum JSON routes, the Leptos server functions and the
//! browser. No `usize` here: the wasm side is 32-bit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use strum::VariantNames;
use uuid::Uuid;

/// The gallery's four kinds of artifact, decided by the file name alone
/// (`GalleryType::from_name`, in `server/filetype.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum GalleryType {
    Images,
    Html,
    Code,
    Files,
}

impl GalleryType {
    pub const ALL: [GalleryType; 4] = [Self::Images, Self::Html, Self::Code, Self::Files];

    pub fn as_str(self) -> &'static str {
        self.into()
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
#[serde(try_from = "String", into = "&'static str")]
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
            .ok_or_else(|| format!("Invalid type '{s}': expected one of {}", Self::ALL.map(Self::as_str).join(", ")))
    }
}

impl TryFrom<String> for TypeFilter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<TypeFilter> for &'static str {
    fn from(f: TypeFilter) -> &'static str {
        f.as_str()
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

/// The order of a listing: the `sort` query parameter.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(try_from = "String", into = "&'static str")]
#[strum(serialize_all = "lowercase", parse_err_ty = String, parse_err_fn = invalid_sort)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    /// By file name, A to Z, ignoring case.
    Name,
    /// Largest first.
    Size,
}

fn invalid_sort(s: &str) -> String {
    format!("Invalid sort '{s}': expected one of {}", Sort::VARIANTS.join(", "))
}

impl Sort {
    pub const ALL: [Sort; 4] = [Self::Newest, Self::Oldest, Self::Name, Self::Size];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest first",
            Self::Oldest => "Oldest first",
            Self::Name => "Name (A–Z)",
            Self::Size => "Largest first",
        }
    }
}

impl TryFrom<String> for Sort {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// Page, filter, search and order of a listing; parsed from the query string
/// with errors that name the wrong value and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactQuery {
    pub page: u32,
    pub size: u32,
    #[serde(rename = "type")]
    pub kind: TypeFilter,
    pub sort: Sort,
    /// Case-insensitive part of the file name; empty matches every file.
    pub q: String,
}

impl Default for ArtifactQuery {
    fn default() -> Self {
        Self { page: 1, size: Self::DEFAULT_SIZE, kind: TypeFilter::All, sort: Sort::Newest, q: String::new() }
    }
}

impl ArtifactQuery {
    pub const DEFAULT_SIZE: u32 = 24;
    pub const MAX_SIZE: u32 = 100;
    pub const MAX_SEARCH_CHARS: u32 = 200;

    /// Parses `page`, `size`, `type`, `sort` and `q` from query pairs; other
    /// keys are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => {
                    q.page = value.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                        format!("Invalid page '{value}': expected a whole number from 1 to {}", u32::MAX)
                    })?
                }
                "size" => {
                    q.size = value.parse().ok().filter(|s| (1..=Self::MAX_SIZE).contains(s)).ok_or_else(|| {
                        format!("Invalid size '{value}': expected a whole number from 1 to {}", Self::MAX_SIZE)
                    })?
                }
                "type" => q.kind = value.parse()?,
                "sort" => q.sort = value.parse()?,
                "q" => {
                    if value.chars().count() > Self::MAX_SEARCH_CHARS as usize {
                        return Err(format!("Invalid q: at most {} characters", Self::MAX_SEARCH_CHARS));
                    }
                    q.q = value.trim().to_string();
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The same query with another page.
    pub fn with_page(&self, page: u32) -> Self {
        Self { page, ..self.clone() }
    }

    /// `?type=html&sort=name&q=chart&page=2`, leaving out defaults; empty
    /// when everything is the default.
    pub fn to_query_string(&self) -> String {
        let d = Self::default();
        let mut out = form_urlencoded::Serializer::new(String::new());
        if self.kind != d.kind {
            out.append_pair("type", self.kind.as_str());
        }
        if self.sort != d.sort {
            out.append_pair("sort", self.sort.as_str());
        }
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        if self.size != d.size {
            out.append_pair("size", &self.size.to_string());
        }
        if self.page != d.page {
            out.append_pair("page", &self.page.to_string());
        }
        match out.finish() {
            s if s.is_empty() => s,
            s => format!("?{s}"),
        }
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
    /// The field that counts a filter's artifacts: the one place that pairs them.
    fn field(&mut self, f: TypeFilter) -> &mut u64 {
        match f {
            TypeFilter::All => &mut self.all,
            TypeFilter::Only(GalleryType::Images) => &mut self.images,
            TypeFilter::Only(GalleryType::Html) => &mut self.html,
            TypeFilter::Only(GalleryType::Code) => &mut self.code,
            TypeFilter::Only(GalleryType::Files) => &mut self.files,
        }
    }

    /// Counts with `count(f)` for every filter.
    pub fn from_fn(count: impl Fn(TypeFilter) -> u64) -> Self {
        let mut counts = Self::default();
        for f in TypeFilter::ALL {
            *counts.field(f) = count(f);
        }
        counts
    }

    pub fn add(&mut self, t: GalleryType) {
        *self.field(TypeFilter::All) += 1;
        *self.field(TypeFilter::Only(t)) += 1;
    }

    pub fn get(mut self, f: TypeFilter) -> u64 {
        *self.field(f)
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

/// The first rows of a CSV or TSV file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TablePreview {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// More rows follow in the file.
    pub truncated: bool,
}

/// How an artifact is shown inline. HTML strings are made and sanitised on
/// the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PreviewBody {
    Image,
    Html,
    Pdf,
    Audio,
    Video,
    Code { html: String, language: String, lines: u32 },
    Markdown { html: String },
    Table(TablePreview),
    Text { text: String },
    Binary,
}

/// Where an artifact lies in a gallery listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactRef {
    pub conversation_id: Uuid,
    pub id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub artifact: Artifact,
    /// Where the browser opens the file: a capability URL on the content
    /// origin, where its sibling files load too (the HTML frame, Open raw).
    pub raw_url: String,
    pub body: PreviewBody,
    /// Only the first part of a large file was read for the preview.
    pub partial: bool,
    /// The neighbours in the gallery's current order, filter and search.
    pub previous: Option<ArtifactRef>,
    pub next: Option<ArtifactRef>,
    /// The server's clock (RFC 3339) when this was made: relative times are
    /// computed from it, so the server's render and the browser's agree.
    pub now: String,
}

/// A gallery page: the listing and, for text cards, their first lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GalleryPage {
    pub page: ArtifactPage,
    pub snippets: Vec<Option<String>>,
    /// See [`Preview::now`].
    pub now: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// See [`Preview::now`].
    pub now: String,
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
    fn query_string_round_trips_and_leaves_out_defaults() {
        assert_eq!(ArtifactQuery::default().to_query_string(), "");
        let q = ArtifactQuery {
            page: 2,
            kind: TypeFilter::Only(GalleryType::Code),
            sort: Sort::Name,
            q: "a&b c".into(),
            ..Default::default()
        };
        let s = q.to_query_string();
        assert_eq!(s, "?type=code&sort=name&q=a%26b+c&page=2");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(s[1..].as_bytes()).into_owned().collect();
        assert_eq!(ArtifactQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))), Ok(q));
    }

    #[test]
    fn filters_and_orders_serialise_as_their_query_strings() {
        let pair = (TypeFilter::Only(GalleryType::Html), Sort::Size);
        assert_eq!(serde_json::to_string(&pair).unwrap(), r#"["html","size"]"#);
        assert_eq!(
            serde_json::from_str::<(TypeFilter, Sort)>(r#"["all","name"]"#).unwrap(),
            (TypeFilter::All, Sort::Name)
        );
        let err = serde_json::from_str::<Sort>(r#""date""#).unwrap_err().to_string();
        assert!(err.contains("Invalid sort 'date': expected one of newest, oldest, name, size"), "{err}");
        assert_eq!(TypeFilter::Only(GalleryType::Code).to_string(), "code");
        assert_eq!(
            (TypeFilter::All.to_string(), TypeFilter::Only(GalleryType::Code).to_string()),
            ("all".into(), "code".into())
        );
    }

    #[test]
    fn query_parsing_names_the_wrong_value() {
        let q = |s: &[(&str, &str)]| ArtifactQuery::from_pairs(s.iter().copied());
        assert_eq!(q(&[]), Ok(ArtifactQuery::default()));
        assert_eq!(
            q(&[("page", "3"), ("size", "100"), ("type", "html")]),
            Ok(ArtifactQuery { page: 3, size: 100, kind: TypeFilter::Only(GalleryType::Html), ..Default::default() })
        );
        let searched = q(&[("sort", "size"), ("q", "  Chart ")]).unwrap();
        assert_eq!((searched.sort, searched.q.as_str()), (Sort::Size, "Chart"));
        for (k, v, needle) in [
            ("page", "0", "Invalid page '0'"),
            ("page", "x", "Invalid page 'x'"),
            ("page", "-1", "Invalid page '-1'"),
            ("size", "0", "from 1 to 100"),
            ("size", "101", "Invalid size '101'"),
            ("type", "videos", "expected one of all, images, html, code, files"),
            ("sort", "date", "expected one of newest, oldest, name, size"),
            ("q", &"x".repeat(201), "at most 200 characters"),
        ] {
            let err = q(&[(k, v)]).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
    }
}
