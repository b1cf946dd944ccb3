//! Documents uploaded to a thread get a Markdown twin (`report.pdf` →
//! `report.md`), as agents read Markdown best. The converters here are pure;
//! `process` runs them in a separate, limited process.

mod docx;
mod process;
mod table;

pub use process::{limited, main, run};

use crate::server::filetype::{self, Converter};

/// Rows kept from a spreadsheet or CSV: a Markdown table beyond that helps nobody.
pub const MAX_ROWS: usize = 10_000;

pub fn is_convertible(name: &str) -> bool {
    filetype::converter(name).is_some()
}

/// Converts a document's bytes to Markdown; the error is a short reason.
pub fn to_markdown(name: &str, bytes: &[u8]) -> Result<String, String> {
    if bytes.is_empty() {
        return Err("The file is empty".into());
    }
    let stem = name.rsplit('/').next().unwrap_or(name).rsplit_once('.').map_or(name, |(s, _)| s);
    match filetype::converter(name) {
        Some(Converter::Table(delimiter)) => table::delimited(bytes, delimiter),
        Some(Converter::Workbook) => table::workbook(bytes),
        Some(Converter::Docx) => docx::to_markdown(bytes),
        Some(Converter::Html) => html(bytes),
        Some(Converter::Pdf) => pdf(bytes).map(|text| format!("# {stem}\n\n{text}")),
        None => Err(format!("'{name}' is not a document that converts to Markdown")),
    }
}

fn html(bytes: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(bytes);
    htmd::HtmlToMarkdown::builder()
        .skip_tags(vec!["script", "style", "noscript", "template"])
        .build()
        .convert(&text)
        .map_err(|e| format!("HTML could not be read: {e}"))
}

fn pdf(bytes: &[u8]) -> Result<String, String> {
    // pdf-extract panics on some malformed files; a panic is a failed conversion.
    let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
        .map_err(|_| "The PDF could not be read".to_string())?
        .map_err(|e| format!("The PDF could not be read: {e}"))?;
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if paragraphs.is_empty() {
        return Err("The PDF has no extractable text".into());
    }
    Ok(paragraphs.join("\n\n") + "\n")
}

#[cfg(test)]
mod tests;
