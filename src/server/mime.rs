//! Content types by file name. The table follows the reference design where
//! it disagrees with `mime_guess` (which calls `.ts` a video and `.py`
//! nothing); everything else falls back to `mime_guess`.

use crate::model::extension;

pub fn for_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        return "application/gzip".into();
    }
    let known = match extension(name).as_deref() {
        Some("txt" | "log") => "text/plain",
        Some("md" | "markdown") => "text/markdown",
        Some("py") => "text/x-python",
        Some("js" | "mjs" | "jsx") => "text/javascript",
        Some("ts" | "tsx") => "text/x-typescript",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "application/x-yaml",
        Some("html" | "htm") => "text/html",
        Some("css") => "text/css",
        Some("csv") => "text/csv",
        Some("tsv") => "text/tab-separated-values",
        Some("sql") => "text/x-sql",
        Some("sh" | "bash") => "text/x-shellscript",
        Some("xml") => "application/xml",
        Some("pdf") => "application/pdf",
        Some("doc" | "docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls" | "xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("zip" | "skill") => "application/zip",
        _ => "",
    };
    if !known.is_empty() {
        return known.into();
    }
    mime_guess::from_path(name).first_raw().unwrap_or("application/octet-stream").into()
}

/// Whether a browser reads this type as text (and so needs a charset).
pub fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
        || matches!(mime, "application/json" | "application/xml" | "application/x-yaml" | "application/javascript")
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
            ("a.ts", "text/x-typescript"),
            ("a.mp3", "audio/mpeg"),
            ("blob", "application/octet-stream"),
        ] {
            assert_eq!(for_name(name), mime, "{name}");
        }
    }
}
