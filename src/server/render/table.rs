//! CSV and TSV previews: the first rows as a table.

use crate::model::TablePreview;

/// The CSV or TSV reader that previews and conversions share: the first
/// row is read as a record like any other, and rows may differ in length.
pub fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(bytes)
}

pub fn from_delimited(bytes: &[u8], delimiter: u8, max_rows: usize) -> Option<TablePreview> {
    let mut reader = reader(bytes, delimiter);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut truncated = false;
    for record in reader.records() {
        let Ok(record) = record else { break };
        if rows.len() > max_rows {
            truncated = true;
            break;
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    if rows.is_empty() {
        return None;
    }
    let header = rows.remove(0);
    Some(TablePreview { header, rows, truncated })
}
