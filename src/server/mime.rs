//! Content types: a file name's, as the file-type table (`filetype.rs`)
//! answers it, and whether a type is text.

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
