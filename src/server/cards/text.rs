//! Faces of text and tables: the first lines (with the language), a
//! notebook's first cells, the first rows of a CSV, TSV or workbook.

use crate::error::AppError;
use crate::model::{CardFace, Glyph};
use crate::server::filetype::Thumbnail;
use crate::server::preview::{as_text, head};
use crate::server::render::{highlight, notebook, table};
use crate::server::store::blobs::Blobs;
use crate::server::store::sidecar::Sidecar;

const LINES: usize = 6;
const ROWS: usize = 6;
const COLUMNS: usize = 5;
/// Characters kept of a cell: a card is narrow.
const CELL: usize = 24;
/// What is read of a text file; notebooks, whose first lines are JSON,
/// are read further to reach their cells.
const TEXT_BYTES: u64 = 2048;
const TABLE_BYTES: u64 = 16 * 1024;
const NOTEBOOK_BYTES: u64 = 1024 * 1024;

pub fn face(blobs: &Blobs, meta: &Sidecar, kind: Thumbnail) -> Result<CardFace, AppError> {
    let name = &meta.name;
    let limit = match kind {
        Thumbnail::Notebook => NOTEBOOK_BYTES,
        Thumbnail::Table(_) => TABLE_BYTES,
        _ => TEXT_BYTES,
    };
    let (bytes, _) = head(blobs, meta, limit)?;
    let Some(text) = as_text(&bytes) else { return Ok(CardFace::Icon(Glyph::File)) };
    Ok(match kind {
        Thumbnail::Table(delimiter) => {
            let records = table::reader(text.as_bytes(), delimiter).into_records().map_while(Result::ok);
            let records = records.map(|r| r.iter().map(str::to_string).collect::<Vec<_>>());
            CardFace::Table { rows: rows(records), sheets: Vec::new() }
        }
        Thumbnail::Notebook => notebook(text).unwrap_or_else(|| lines(name, text)),
        _ => lines(name, text),
    })
}

fn lines(name: &str, text: &str) -> CardFace {
    let language = highlight::syntax_for(name, text).map(|s| s.name.clone()).filter(|l| l != "Plain Text");
    CardFace::Lines { text: first_lines(text.lines()), language }
}

fn first_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    lines.take(LINES).collect::<Vec<_>>().join("\n")
}

/// The first lines of a notebook's cells, with its kernel's language.
fn notebook(text: &str) -> Option<CardFace> {
    let notebook: serde_json::Value = serde_json::from_str(text).ok()?;
    let language = notebook::language(&notebook["metadata"])
        .map(|l| format!("Jupyter notebook ({l})"))
        .unwrap_or_else(|| "Jupyter notebook".into());
    let cells: Vec<String> =
        notebook["cells"].as_array()?.iter().take(LINES).map(|c| notebook::joined(&c["source"])).collect();
    let text = first_lines(cells.iter().flat_map(|c| c.lines()).filter(|l| !l.trim().is_empty()));
    Some(CardFace::Lines { text, language: Some(language) })
}

fn cell(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(CELL) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn rows<R: IntoIterator<Item = S>, S: AsRef<str>>(records: impl Iterator<Item = R>) -> Vec<Vec<String>> {
    records.take(ROWS).map(|r| r.into_iter().take(COLUMNS).map(|c| cell(c.as_ref())).collect()).collect()
}

/// The first rows of a workbook's first sheet, and its sheet names. Runs in
/// the child: calamine reads a whole sheet, which a decompression bomb
/// makes huge.
pub fn workbook(bytes: Vec<u8>) -> Result<CardFace, AppError> {
    use calamine::Reader;
    let unreadable = |e: calamine::Error| AppError::BadRequest(format!("The spreadsheet could not be read: {e}"));
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let sheets = book.sheet_names();
    let first = match sheets.first() {
        Some(name) => book.worksheet_range(name).map_err(unreadable)?,
        None => Default::default(),
    };
    Ok(CardFace::Table { rows: rows(first.rows().map(|r| r.iter().map(|c| c.to_string()))), sheets })
}
