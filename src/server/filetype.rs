//! The one table of file types: what a file's extension says about its
//! content type, gallery type, preview, language, Markdown converter and
//! thumbnail. Every other module asks it. An extension not in the table gets
//! `mime_guess`'s type and is one of the gallery's Files.
//!
//! Content types follow the reference design where it disagrees with
//! `mime_guess` (which calls `.ts` a video and `.py` nothing).

use crate::model::{extension, GalleryType, Glyph};
use Converter as C;
use GalleryType::{Code, Files, Html, Images};
use PreviewKind as P;
use Thumbnail::{self as T, Archive, Lines, Notebook, Raster, Svg, Workbook};

/// How the preview shows a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreviewKind {
    /// The browser shows these from the file itself.
    Image,
    Html,
    Pdf,
    Audio,
    Video,
    Markdown,
    /// A Mermaid diagram, drawn in a sandboxed frame.
    Diagram,
    /// SVG: the picture, and its source on a tab.
    Svg,
    /// A JSON document as a foldable tree.
    Json,
    /// JSON Lines: a foldable tree per record.
    JsonLines,
    /// CSV or TSV: a table, split at this byte.
    Table(u8),
    /// A ZIP archive: its list of files.
    Archive,
    /// A Jupyter notebook: its cells and outputs (`render::notebook`).
    Notebook,
    /// A word-processing document or presentation: its converter's
    /// Markdown, rendered.
    Document,
    /// A spreadsheet: a table per sheet, from its converter's Markdown.
    Workbook,
    /// Decided by the first bytes: highlighted code where a language is
    /// known, plain text, or nothing (binary).
    ByContent,
}

/// What makes an uploaded document's Markdown twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Converter {
    /// CSV or TSV, split at this byte.
    Table(u8),
    Workbook,
    Docx,
    Pptx,
    Html,
    Pdf,
}

/// How a card's face is made (`server::cards`). Those marked "child" parse
/// what a hostile file could make expensive, so they run in the limited
/// `vitrine thumbnail` process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thumbnail {
    /// Scaled down on the server.
    Raster,
    /// Rasterised without scripts or external references (child).
    Svg,
    /// The first page rendered, with the page count (child).
    Pdf,
    /// Letters drawn in the font (child).
    Font,
    /// The first lines, with the language.
    Lines,
    /// The first lines of the first cells, with the kernel's language.
    Notebook,
    /// CSV or TSV, split at this byte: the first rows.
    Table(u8),
    /// The first rows of the first sheet and the sheet names (child).
    Workbook,
    /// Title, first heading and text, and a sibling image.
    Html,
    /// Member count, first names and `SKILL.md`'s title (child).
    Archive,
    /// A word-processing document's or presentation's first headings and
    /// lines, from its converter's Markdown (child).
    Document,
    /// Duration where the container says it (child).
    Audio,
    Video,
}

impl Thumbnail {
    /// The icon a card of this kind shows when its face cannot be made.
    pub fn glyph(self) -> Glyph {
        match self {
            Self::Raster | Self::Svg => Glyph::Image,
            Self::Pdf => Glyph::Pdf,
            Self::Document => Glyph::File,
            Self::Font => Glyph::Font,
            Self::Lines | Self::Notebook => Glyph::Code,
            Self::Table(_) | Self::Workbook => Glyph::Table,
            Self::Html => Glyph::Page,
            Self::Archive => Glyph::Archive,
            Self::Audio => Glyph::Audio,
            Self::Video => Glyph::Video,
        }
    }
}

struct FileType {
    extension: &'static str,
    gallery: GalleryType,
    preview: PreviewKind,
    /// The extension syntect knows the language by.
    syntax: Option<&'static str>,
    converter: Option<Converter>,
    thumbnail: Option<Thumbnail>,
    mime: &'static str,
}

const fn row(
    extension: &'static str,
    gallery: GalleryType,
    preview: PreviewKind,
    syntax: Option<&'static str>,
    converter: Option<Converter>,
    thumbnail: Option<Thumbnail>,
    mime: &'static str,
) -> FileType {
    FileType { extension, gallery, preview, syntax, converter, thumbnail, mime }
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

#[rustfmt::skip]
static TYPES: &[FileType] = &[
    //  extension   gallery preview          syntax        converter              thumbnail              content type
    row("txt",      Files,  P::ByContent,    None,         None,                  Some(Lines),           "text/plain"),
    row("log",      Files,  P::ByContent,    None,         None,                  Some(Lines),           "text/plain"),
    row("md",       Code,   P::Markdown,     Some("md"),   None,                  Some(Lines),           "text/markdown"),
    row("markdown", Code,   P::Markdown,     Some("md"),   None,                  Some(Lines),           "text/markdown"),
    row("py",       Code,   P::ByContent,    Some("py"),   None,                  Some(Lines),           "text/x-python"),
    row("js",       Code,   P::ByContent,    Some("js"),   None,                  Some(Lines),           "text/javascript"),
    row("mjs",      Code,   P::ByContent,    Some("js"),   None,                  Some(Lines),           "text/javascript"),
    row("jsx",      Code,   P::ByContent,    Some("js"),   None,                  Some(Lines),           "text/javascript"),
    row("ts",       Code,   P::ByContent,    Some("js"),   None,                  Some(Lines),           "text/x-typescript"),
    row("tsx",      Code,   P::ByContent,    Some("js"),   None,                  Some(Lines),           "text/x-typescript"),
    row("json",     Code,   P::Json,         Some("json"), None,                  Some(Lines),           "application/json"),
    row("jsonl",    Code,   P::JsonLines,    Some("json"), None,                  Some(Lines),           "application/jsonl"),
    row("ndjson",   Code,   P::JsonLines,    Some("json"), None,                  Some(Lines),           "application/x-ndjson"),
    row("mmd",      Code,   P::Diagram,      None,         None,                  Some(Lines),           "text/vnd.mermaid"),
    row("mermaid",  Code,   P::Diagram,      None,         None,                  Some(Lines),           "text/vnd.mermaid"),
    row("ipynb",    Files,  P::Notebook,     None,         None,                  Some(Notebook),        "application/x-ipynb+json"),
    row("yaml",     Code,   P::ByContent,    Some("yaml"), None,                  Some(Lines),           "application/x-yaml"),
    row("yml",      Code,   P::ByContent,    Some("yaml"), None,                  Some(Lines),           "application/x-yaml"),
    row("xml",      Code,   P::ByContent,    Some("xml"),  None,                  Some(Lines),           "application/xml"),
    row("css",      Code,   P::ByContent,    Some("css"),  None,                  Some(Lines),           "text/css"),
    row("sql",      Code,   P::ByContent,    Some("sql"),  None,                  Some(Lines),           "text/x-sql"),
    row("sh",       Code,   P::ByContent,    Some("sh"),   None,                  Some(Lines),           "text/x-shellscript"),
    row("bash",     Code,   P::ByContent,    Some("sh"),   None,                  Some(Lines),           "text/x-shellscript"),
    row("zsh",      Code,   P::ByContent,    Some("sh"),   None,                  Some(Lines),           "text/x-shellscript"),
    row("html",     Html,   P::Html,         Some("html"), Some(C::Html),         Some(T::Html),         "text/html"),
    row("htm",      Html,   P::Html,         Some("html"), Some(C::Html),         Some(T::Html),         "text/html"),
    row("csv",      Files,  P::Table(b','),  None,         Some(C::Table(b',')),  Some(T::Table(b',')),  "text/csv"),
    row("tsv",      Files,  P::Table(b'\t'), None,         Some(C::Table(b'\t')), Some(T::Table(b'\t')), "text/tab-separated-values"),
    row("pdf",      Files,  P::Pdf,          None,         Some(C::Pdf),          Some(T::Pdf),          "application/pdf"),
    row("doc",      Files,  P::ByContent,    None,         None,                  None,                  "application/msword"),
    row("docx",     Files,  P::Document,     None,         Some(C::Docx),         Some(T::Document),     DOCX),
    row("pptx",     Files,  P::Document,     None,         Some(C::Pptx),         Some(T::Document),     PPTX),
    row("xls",      Files,  P::Workbook,     None,         Some(C::Workbook),     Some(Workbook),        "application/vnd.ms-excel"),
    row("xlsx",     Files,  P::Workbook,     None,         Some(C::Workbook),     Some(Workbook),        XLSX),
    row("ods",      Files,  P::Workbook,     None,         Some(C::Workbook),     Some(Workbook),        "application/vnd.oasis.opendocument.spreadsheet"),
    row("png",      Images, P::Image,        None,         None,                  Some(Raster),          "image/png"),
    row("jpg",      Images, P::Image,        None,         None,                  Some(Raster),          "image/jpeg"),
    row("jpeg",     Images, P::Image,        None,         None,                  Some(Raster),          "image/jpeg"),
    row("gif",      Images, P::Image,        None,         None,                  Some(Raster),          "image/gif"),
    row("webp",     Images, P::Image,        None,         None,                  Some(Raster),          "image/webp"),
    row("svg",      Images, P::Svg,          None,         None,                  Some(Svg),             "image/svg+xml"),
    row("zip",      Files,  P::Archive,       None,         None,                  Some(Archive),         "application/zip"),
    row("skill",    Files,  P::Archive,       None,         None,                  Some(Archive),         "application/zip"),
    row("gz",       Files,  P::ByContent,    None,         None,                  None,                  "application/gzip"),
    row("tgz",      Files,  P::ByContent,    None,         None,                  None,                  "application/gzip"),
];

fn by_extension(ext: &str) -> Option<&'static FileType> {
    TYPES.iter().find(|t| t.extension == ext)
}

/// The row of a file name's last extension, case-insensitive.
fn by_name(name: &str) -> Option<&'static FileType> {
    by_extension(&extension(name)?)
}

/// A file name's content type.
pub fn mime_type(name: &str) -> &'static str {
    match by_name(name) {
        Some(t) => t.mime,
        None => mime_guess::from_path(name).first_raw().unwrap_or("application/octet-stream"),
    }
}

impl GalleryType {
    /// Case-insensitive, by the last extension of the name.
    pub fn from_name(name: &str) -> Self {
        by_name(name).map_or(Self::Files, |t| t.gallery)
    }
}

/// How the preview shows a file stored as `mime`. The stored type decides
/// what the browser shows from the file itself (an agent may give a type
/// other than the name's); the name decides how text is shown.
pub fn preview(mime: &str, name: &str) -> PreviewKind {
    let by_type = match mime.split_once('/') {
        _ if mime == "image/svg+xml" => Some(PreviewKind::Svg),
        Some(("image", _)) => Some(PreviewKind::Image),
        Some(("audio", _)) => Some(PreviewKind::Audio),
        Some(("video", _)) => Some(PreviewKind::Video),
        _ if mime == "text/html" => Some(PreviewKind::Html),
        _ if mime == "application/pdf" => Some(PreviewKind::Pdf),
        _ => None,
    };
    match (by_type, by_name(name).map(|t| t.preview)) {
        (Some(shown), _) => shown,
        (
            None,
            Some(
                named @ (P::Markdown
                | P::Diagram
                | P::Json
                | P::JsonLines
                | P::Table(_)
                | P::Archive
                | P::Notebook
                | P::Document
                | P::Workbook),
            ),
        ) => named,
        _ => PreviewKind::ByContent,
    }
}

/// The extension syntect knows the language of `ext` by: its own unless the
/// table says otherwise (syntect knows many the table does not).
pub fn syntax(ext: &str) -> &str {
    by_extension(ext).and_then(|t| t.syntax).unwrap_or(ext)
}

/// What converts this document to Markdown, if anything does.
pub fn converter(name: &str) -> Option<Converter> {
    by_name(name)?.converter
}

/// How to make the card face of a file stored as `mime`, if it has one.
/// The stored type decides media (an image's row by its type, so a PNG
/// named `.txt` is still a picture); the name decides the rest, and text
/// the table lacks shows its first lines.
pub fn thumbnail(mime: &str, name: &str) -> Option<Thumbnail> {
    match mime.split_once('/') {
        Some(("image", _)) => TYPES.iter().find(|t| t.mime == mime)?.thumbnail,
        Some(("audio", _)) => Some(T::Audio),
        Some(("video", _)) => Some(T::Video),
        Some(("font", _)) => Some(T::Font),
        _ => match by_name(name) {
            Some(t) => t.thumbnail,
            None => crate::server::mime::is_text(mime).then_some(Lines),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_table() {
        for (name, mime) in [
            ("a.txt", "text/plain"),
            ("a.md", "text/markdown"),
            ("a.py", "text/x-python"),
            ("a.js", "text/javascript"),
            ("a.json", "application/json"),
            ("a.YML", "application/x-yaml"),
            ("a.html", "text/html"),
            ("a.css", "text/css"),
            ("a.pdf", "application/pdf"),
            ("a.png", "image/png"),
            ("a.jpeg", "image/jpeg"),
            ("a.svg", "image/svg+xml"),
            ("a.zip", "application/zip"),
            ("a.tar.gz", "application/gzip"),
            ("a.TGZ", "application/gzip"),
            ("a.ts", "text/x-typescript"),
            ("a.doc", "application/msword"),
            ("a.docx", DOCX),
            ("a.xls", "application/vnd.ms-excel"),
            ("a.xlsx", XLSX),
            ("a.pptx", PPTX),
            ("a.zsh", "text/x-shellscript"),
            ("a.mp3", "audio/mpeg"),
            ("blob", "application/octet-stream"),
        ] {
            assert_eq!(mime_type(name), mime, "{name}");
        }
    }

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
            ("a.zsh", Code),
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
    fn every_type_previews_as_its_row_says_when_stored_as_its_type() {
        for t in TYPES {
            assert_eq!(preview(t.mime, &format!("a.{}", t.extension)), t.preview, "{}", t.extension);
        }
    }

    #[test]
    fn the_stored_type_decides_media_and_the_name_decides_text() {
        assert_eq!(preview("audio/mpeg", "a.mp3"), PreviewKind::Audio);
        assert_eq!(preview("image/bmp", "a.bmp"), PreviewKind::Image);
        assert_eq!(preview("image/png", "a.bin"), PreviewKind::Image);
        assert_eq!(preview("text/plain", "a.png"), PreviewKind::ByContent);
        assert_eq!(preview("text/plain", "notes.MD"), PreviewKind::Markdown);
        assert_eq!(preview("text/plain", "a.tsv"), PreviewKind::Table(b'\t'));
        assert_eq!(preview("text/plain", "flow.MMD"), PreviewKind::Diagram);
        assert_eq!(preview("application/octet-stream", "rows.jsonl"), PreviewKind::JsonLines);
        assert_eq!(preview("image/svg+xml", "a.bin"), PreviewKind::Svg);
        assert_eq!(preview("text/x-rust", "a.rs"), PreviewKind::ByContent);
        assert_eq!(preview("application/octet-stream", "a.ipynb"), PreviewKind::Notebook);
        assert_eq!(preview("application/zip", "Deck.PPTX"), PreviewKind::Document);
        assert_eq!(preview("application/octet-stream", "a.ods"), PreviewKind::Workbook);
    }

    #[test]
    fn syntaxes_converters_and_thumbnails() {
        assert_eq!((syntax("tsx"), syntax("yml"), syntax("zsh"), syntax("rs")), ("js", "yaml", "sh", "rs"));
        assert_eq!(converter("X.PDF"), Some(Converter::Pdf));
        assert_eq!(converter("a.csv"), Some(Converter::Table(b',')));
        assert_eq!((converter("a.doc"), converter("a.txt")), (None, None));
        assert_eq!(thumbnail("image/jpeg", "a.jpg"), Some(Raster));
        assert_eq!(thumbnail("image/svg+xml", "a.txt"), Some(Svg));
        assert_eq!((thumbnail("image/bmp", "a.bmp"), thumbnail("application/gzip", "a.gz")), (None, None));
        assert_eq!(thumbnail("text/plain", "a.rs"), Some(Lines));
        assert_eq!(thumbnail("text/x-rust", "a.rs"), Some(Lines));
        assert_eq!(thumbnail("application/octet-stream", "REPORT.PDF"), Some(T::Pdf));
        assert_eq!(thumbnail("application/zip", "x.skill"), Some(Archive));
        assert_eq!(
            (thumbnail(DOCX, "a.docx"), thumbnail("application/zip", "Deck.PPTX")),
            (Some(T::Document), Some(T::Document))
        );
        assert_eq!(thumbnail("audio/mpeg", "a.mp3"), Some(T::Audio));
        assert_eq!(thumbnail("font/ttf", "a.ttf"), Some(T::Font));
        assert_eq!(thumbnail("application/octet-stream", "blob"), None);
    }
}
