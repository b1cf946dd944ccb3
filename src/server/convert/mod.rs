//! Documents uploaded to a thread get a Markdown twin (`report.pdf` →
//! `report.md`), as agents read Markdown best. The converters here are pure;
//! `process` runs them in a separate, limited process.

mod docx;
mod pictures;
mod pptx;
mod process;
mod table;

pub use pictures::MAX_PICTURES;
pub use process::{for_preview, limited, main, run, Limits};

use crate::server::filetype::{self, Converter};

/// Rows kept from a spreadsheet or CSV: a Markdown table beyond that helps nobody.
pub const MAX_ROWS: usize = 10_000;

pub fn is_convertible(name: &str) -> bool {
    filetype::converter(name).is_some()
}

/// Why a document got no Markdown twin: the upload answer's
/// `conversion_error`, so every message is a short reason for a person.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("The file is empty")]
    Empty,
    #[error("'{0}' is not a document that converts to Markdown")]
    NotADocument(String),
    /// What the document is, and why its parser gave up.
    #[error("The {0} could not be read: {1}")]
    Unreadable(&'static str, String),
    #[error("Sheet '{0}' could not be read: {1}")]
    Sheet(String, String),
    /// What the document is, and what it lacks.
    #[error("The {0} has no {1}")]
    Lacks(&'static str, String),
    #[error("Conversion is turned off on this server")]
    Off,
    #[error("Conversion could not start: {0}")]
    Start(std::io::Error),
    #[error("Conversion took longer than {0} seconds")]
    Timeout(u64),
    #[error("Conversion failed: {0}")]
    Failed(std::io::Error),
    #[error("Conversion produced text that is not UTF-8")]
    NotUtf8,
    /// The child's own reason, as it printed it.
    #[error("{0}")]
    Child(String),
    #[error("Conversion failed: the document was too large or too complex")]
    Limits,
}

/// Converts a document's bytes to Markdown, text only, as its Markdown
/// twin keeps it.
pub fn to_markdown(name: &str, bytes: &[u8]) -> Result<String, ConvertError> {
    document(name, bytes, false)
}

/// As `to_markdown`, with an Office document's pictures as images whose
/// addresses are their parts' names (`word/media/image1.png`), for its
/// preview.
pub fn with_pictures(name: &str, bytes: &[u8]) -> Result<String, ConvertError> {
    document(name, bytes, true)
}

fn document(name: &str, bytes: &[u8], pictures: bool) -> Result<String, ConvertError> {
    if bytes.is_empty() {
        return Err(ConvertError::Empty);
    }
    let stem = name.rsplit('/').next().unwrap_or(name).rsplit_once('.').map_or(name, |(s, _)| s);
    match filetype::converter(name) {
        Some(Converter::Table(delimiter)) => table::delimited(bytes, delimiter),
        Some(Converter::Workbook) => table::workbook(bytes),
        Some(Converter::Docx) => docx::to_markdown(bytes, pictures),
        Some(Converter::Pptx) => pptx::to_markdown(bytes, pictures),
        Some(Converter::Html) => html(bytes),
        Some(Converter::Pdf) => pdf(bytes).map(|text| format!("# {stem}\n\n{text}")),
        None => Err(ConvertError::NotADocument(name.to_string())),
    }
}

fn html(bytes: &[u8]) -> Result<String, ConvertError> {
    let text = String::from_utf8_lossy(bytes);
    htmd::HtmlToMarkdown::builder()
        .skip_tags(vec!["script", "style", "noscript", "template"])
        .build()
        .convert(&text)
        .map_err(|e| ConvertError::Unreadable("HTML", e.to_string()))
}

fn pdf(bytes: &[u8]) -> Result<String, ConvertError> {
    // pdf-extract panics on some malformed files; a panic is a failed conversion.
    let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
        .map_err(|_| ConvertError::Unreadable("PDF", "its parser failed".into()))?
        .map_err(|e| ConvertError::Unreadable("PDF", e.to_string()))?;
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if paragraphs.is_empty() {
        return Err(ConvertError::Lacks("PDF", "extractable text".into()));
    }
    Ok(paragraphs.join("\n\n") + "\n")
}

#[cfg(test)]
mod tests;
