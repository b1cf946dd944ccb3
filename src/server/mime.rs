//! Content types: a file name's, as the file-type table (`filetype.rs`)
//! answers it, whether a type is text, and whether it is a document.

/// A file name's content type, owned for the records that keep it.
pub fn for_name(name: &str) -> String {
    super::filetype::mime_type(name).to_string()
}

/// Whether a browser reads this type as text (and so needs a charset).
pub fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
        || matches!(mime, "application/json" | "application/xml" | "application/x-yaml" | "application/javascript")
}

/// Whether a browser shows this type as a document that loads other files
/// by relative URL (pictures, styles, scripts): HTML, SVG and XML.
pub fn is_document(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or_default().trim();
    matches!(essence, "text/html" | "text/xml" | "application/xml") || essence.ends_with("+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_html_svg_and_xml() {
        for document in ["text/html", "text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "text/xml"]
        {
            assert!(is_document(document), "{document}");
        }
        for other in ["image/png", "text/plain", "text/csv", "application/pdf", "application/json", "text/markdown"] {
            assert!(!is_document(other), "{other}");
        }
    }
}
