//! Types shared by the axum JSON routes, the Leptos server functions and the
//! browser. No `usize` here: the wasm side is 32-bit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use strum::VariantNames;
use uuid::Uuid;

/// The virtual folder of tool results' files (uploads are beside it).
pub const OUTPUTS: &str = "mnt/user-data/outputs";

/// How long the capability URLs in a rendered preview (its frame, Open raw,
/// a Markdown file's images) stay valid; an open preview renders itself
/// again before they expire (`pages::preview`).
pub const PREVIEW_LINK_SECS: i64 = 30 * 60;

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

/// One stored artifact, as every listing and the ingestion answer show it:
/// in listings its latest version, in a transcript the version a message
/// made. `url` and `download_url` name the artifact (always its latest
/// version); `{url}/versions/{version}` names this version alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// Stable across versions.
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
    /// This version's number, from 1.
    pub version: u32,
    /// How many versions the artifact has now.
    pub versions: u32,
}

/// One version of an artifact: `GET .../artifacts/{id}/versions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactVersion {
    pub version: u32,
    pub size: u64,
    pub mime_type: String,
    pub sha256: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The transcript message that made it.
    pub message_id: Uuid,
    pub tool: String,
    /// This version's bytes, which never change.
    pub url: String,
    pub download_url: String,
}

/// An artifact's versions, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactVersions {
    pub id: Uuid,
    pub items: Vec<ArtifactVersion>,
}

/// What the preview's version forms do to a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionChange {
    /// Made the latest again, as a new version.
    Restore,
    /// Deleted alone.
    Delete,
}

/// A version number as a URL gives it (`?version=n`, `.../versions/{n}`).
pub fn parse_version(raw: &str) -> Result<u32, crate::error::AppError> {
    raw.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
        crate::error::AppError::BadRequest(format!(
            "Invalid version '{}': expected a whole number from 1 to {}",
            raw.escape_debug(),
            u32::MAX
        ))
    })
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

/// Why a listing's query string was refused; each message names the wrong
/// value and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Invalid page '{0}': expected a whole number from 1 to {max}", max = u32::MAX)]
    Page(String),
    #[error("Invalid size '{0}': expected a whole number from 1 to {max}", max = ArtifactQuery::MAX_SIZE)]
    Size(String),
    /// A `type` or `sort` that is none of the allowed values (the message
    /// lists them).
    #[error("{0}")]
    Value(String),
    #[error("Invalid q: at most {max} characters", max = ArtifactQuery::MAX_SEARCH_CHARS)]
    Search,
    #[error("Invalid cursor: give a listing's next_cursor as it was answered")]
    Cursor,
    #[error("Give page or cursor, not both")]
    PageAndCursor,
    /// A request's `type`, `sort` or `q` other than its cursor's: the key,
    /// the cursor's value, the request's.
    #[error("This cursor continues a listing with {0}={1}, not {0}={2}: leave {0} out or give the same")]
    CursorQuery(&'static str, String, String),
    /// A cursor of another listing: the one it continues, the one asked.
    #[error("This cursor continues the listing of {0}, not of {1}")]
    CursorListing(String, String),
}

/// Page, filter, search and order of a listing; parsed from the query string
/// with errors that name the wrong value and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, QueryError> {
        let mut q = Self::default();
        for (key, value) in pairs {
            match key {
                "page" => {
                    q.page = value.parse().ok().filter(|p| *p >= 1).ok_or_else(|| QueryError::Page(value.into()))?
                }
                "size" => {
                    q.size = value
                        .parse()
                        .ok()
                        .filter(|s| (1..=Self::MAX_SIZE).contains(s))
                        .ok_or_else(|| QueryError::Size(value.into()))?
                }
                "type" => q.kind = value.parse().map_err(QueryError::Value)?,
                "sort" => q.sort = value.parse().map_err(QueryError::Value)?,
                "q" => {
                    if value.chars().count() > Self::MAX_SEARCH_CHARS as usize {
                        return Err(QueryError::Search);
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
    /// The page asked; with a cursor, the page (of `size`) that the first
    /// item is on.
    pub page: u32,
    pub size: u32,
    pub total: u64,
    pub counts: Counts,
    /// What continues the listing exactly after the last item (the JSON
    /// API's `cursor`); none on the last page.
    pub next_cursor: Option<String>,
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

/// How an artifact is shown inline. Code, Markdown, tables and text come
/// as HTML made and sanitised on the server: [`Preview::html`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PreviewBody {
    Image,
    /// An SVG: the picture, or (`?view=source`) its highlighted source of
    /// `lines` lines, which [`Preview::html`] holds either way.
    Svg {
        lines: u32,
    },
    Html,
    Pdf,
    Audio,
    Video,
    /// Highlighted up to line `highlighted`, plain text after.
    Code {
        language: String,
        lines: u32,
        highlighted: u32,
    },
    Markdown,
    /// Markdown with Mermaid diagrams or math, or a Mermaid file: drawn by
    /// scripts in a sandboxed frame on the content origin, at `url`.
    Drawn {
        url: String,
    },
    /// JSON as a foldable tree of its first `values` values (of JSON Lines,
    /// one per record, its first `records`); `truncated` when more follow.
    Tree {
        values: u32,
        records: Option<u32>,
        truncated: bool,
    },
    /// `rows` rows under the header; `truncated` when more follow.
    Table {
        rows: u32,
        truncated: bool,
    },
    Text,
    /// A Jupyter notebook's first `cells` cells with their outputs, code
    /// highlighted in the kernel's `language`.
    Notebook {
        language: Option<String>,
        cells: u32,
    },
    /// A word-processing document or presentation: its text, headings,
    /// lists and tables, rendered from its Markdown conversion.
    Document,
    /// A spreadsheet's sheets, in order; the HTML holds a table per sheet,
    /// the n-th (from 1) with the id `sheet-n`.
    Workbook {
        sheets: Vec<String>,
    },
    /// A ZIP archive's files, in its order; `more` were left out.
    Archive {
        members: Vec<ArchiveMember>,
        more: u32,
    },
    Empty,
    /// A file that should show but cannot be read (an image that does not
    /// decode, a corrupt archive): why.
    Unreadable {
        reason: String,
    },
    Binary,
    /// This version compared with `other` (`?compare=m`) instead of shown.
    Compare {
        other: ArtifactVersion,
        diff: Diff,
    },
}

/// What comparing two versions found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Diff {
    /// The same bytes.
    Identical,
    /// A line diff of text, as HTML in [`Preview::html`]; `cut` when it
    /// covers only the first part of either version.
    Lines { added: u32, removed: u32, cut: bool },
    /// Two pictures, shown side by side.
    Images,
    /// Neither text nor pictures: their sizes and SHA-256 only.
    Binary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveMember {
    pub name: String,
    pub size: u64,
    /// Where it opens (the thread path of a `.skill` member); None in a
    /// plain ZIP, whose members the server does not serve.
    pub url: Option<String>,
}

/// Where an artifact lies in a gallery listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactRef {
    pub conversation_id: Uuid,
    pub id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The version shown (`?version=n`; by default the latest).
    pub artifact: Artifact,
    /// Every version of the artifact, newest first.
    pub versions: Vec<ArtifactVersion>,
    /// Where the browser opens the file: a capability URL on the content
    /// origin, where its sibling files load too (the HTML frame, Open raw).
    pub raw_url: String,
    pub body: PreviewBody,
    /// The body's HTML (code, Markdown, table, text, diff), made and
    /// sanitised on the server; the pages put it in their own drawing
    /// (`pages::preview::plain`).
    pub html: String,
    /// Only the first part of the file is shown.
    pub partial: bool,
    /// The neighbours in the gallery's current order, filter and search.
    pub previous: Option<ArtifactRef>,
    pub next: Option<ArtifactRef>,
    /// The server's clock (RFC 3339) when this was made: relative times are
    /// computed from it, so the server's render and the browser's agree.
    pub now: String,
}

/// A page drawn whole by the server, for the browser to put in as it is:
/// an artifact's preview (`pages::preview::page`), a share link's page
/// (`pages::shared::plain`). What script does there, it does to that HTML
/// (`pages::preview::scripts` and the page's own listeners), so the wasm
/// holds no view of these pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawnPage {
    /// The document's title.
    pub title: String,
    /// Whether it shows highlighted code, which needs `/highlight.css`.
    pub highlighted: bool,
    /// The page's content. Empty in the page's hydration data: the page
    /// already shows it, and hydration leaves it as it is (`PreviewCodec`).
    pub html: String,
}

impl DrawnPage {
    /// A copy without its HTML, for the page's hydration data.
    pub fn without_html(&self) -> Self {
        Self { title: self.title.clone(), highlighted: self.highlighted, html: String::new() }
    }
}

/// A gallery page: the listing and each card's face, in the same order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GalleryPage {
    pub page: ArtifactPage,
    pub faces: Vec<CardFace>,
    /// See [`Preview::now`].
    pub now: String,
}

/// What a gallery card shows of an artifact, made on the server from the
/// file (a picture is a WebP at the record's `{url}/thumbnail`, drawn once
/// and cached).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum CardFace {
    /// A picture of the artifact (an image, a PDF's first page, a font's
    /// letters), with a caption such as the page count.
    Picture { width: u32, height: u32, caption: Option<String> },
    /// The first lines of a text file, and its language where known.
    Lines { text: String, language: Option<String> },
    /// The first rows of a table; a workbook's sheet names (its first sheet shown).
    Table { rows: Vec<Vec<String>>, sheets: Vec<String> },
    /// An HTML page: its title, first heading and text, and the thumbnail of
    /// a sibling image it shows.
    Page { title: String, heading: String, text: String, image: Option<String> },
    /// A ZIP or `.skill`: its member count, first names, and `SKILL.md`'s
    /// title and description.
    Archive { members: u32, names: Vec<String>, title: Option<String>, description: Option<String> },
    /// Audio or video: what it is, and how long it plays where the container says.
    Media { glyph: Glyph, label: String, seconds: Option<u32> },
    /// Nothing to show but the drawn icon of its kind.
    Icon(Glyph),
}

/// The drawn icons of the cards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Glyph {
    File,
    Image,
    Page,
    Code,
    Pdf,
    Table,
    Archive,
    Audio,
    Video,
    Font,
}

impl From<GalleryType> for Glyph {
    fn from(kind: GalleryType) -> Self {
        match kind {
            GalleryType::Images => Self::Image,
            GalleryType::Html => Self::Page,
            GalleryType::Code => Self::Code,
            GalleryType::Files => Self::File,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// See [`Preview::now`].
    pub now: String,
    /// The transcript's messages drawn by the server
    /// (`pages::conversations::plain`): no script changes them, so the wasm
    /// holds no view of them. Empty in the page's hydration data, as
    /// [`DrawnPage::html`].
    pub html: String,
}

impl ConversationView {
    /// A copy without its HTML, for the page's hydration data.
    pub fn without_html(&self) -> Self {
        Self { html: String::new(), ..self.clone() }
    }
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
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&s.as_bytes()[1..]).into_owned().collect();
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
            let err = q(&[(k, v)]).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
