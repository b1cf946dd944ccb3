//! CSV, TSV and spreadsheets as Markdown tables.

use super::{ConvertError, MAX_ROWS};
use std::io::Cursor;

fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ").trim().to_string()
}

/// A Markdown table: the first row is the header; short rows are padded.
fn markdown_table(rows: &[Vec<String>], cut: bool) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let line = |row: &[String]| {
        let cells: Vec<String> = (0..width).map(|i| row.get(i).map(|c| cell(c)).unwrap_or_default()).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(rows.first().map(Vec::as_slice).unwrap_or(&[]));
    out.push_str(&format!("|{}\n", " --- |".repeat(width)));
    for row in rows.iter().skip(1) {
        out.push_str(&line(row));
    }
    if cut {
        out.push_str(&format!("\n_Only the first {MAX_ROWS} rows are shown._\n"));
    }
    out
}

/// A table of a document, already bounded by the document's own size.
pub fn from_rows(rows: &[Vec<String>]) -> String {
    markdown_table(rows, false).trim_end().to_string()
}

pub fn delimited(bytes: &[u8], delimiter: u8) -> Result<String, ConvertError> {
    let mut reader = crate::server::render::table::reader(bytes, delimiter);
    let mut rows = Vec::new();
    let mut cut = false;
    for record in reader.records() {
        if rows.len() == MAX_ROWS {
            cut = true;
            break;
        }
        let record = record.map_err(|e| ConvertError::Unreadable("table", e.to_string()))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    if rows.is_empty() {
        return Err(ConvertError::Lacks("table", "rows".into()));
    }
    Ok(markdown_table(&rows, cut))
}

/// A workbook (XLSX, XLS, ODS: calamine tells them by their bytes), a
/// `## name` heading and a table per sheet.
pub fn workbook(bytes: &[u8]) -> Result<String, ConvertError> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ConvertError::Unreadable("spreadsheet", e.to_string()))?;
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| ConvertError::Sheet(name.clone(), e.to_string()))?;
        let rows: Vec<Vec<String>> =
            range.rows().take(MAX_ROWS).map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        out.push_str(&format!("## {name}\n\n"));
        if rows.is_empty() {
            out.push_str("_Empty sheet._\n\n");
        } else {
            out.push_str(&markdown_table(&rows, range.height() > MAX_ROWS));
            out.push('\n');
        }
    }
    if out.is_empty() {
        return Err(ConvertError::Lacks("spreadsheet", "sheets".into()));
    }
    Ok(out)
}
