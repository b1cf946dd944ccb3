//! CSV and TSV previews: the first rows as an HTML table.

use super::highlight::{html_escape, HTML_BYTES};

/// The CSV or TSV reader that previews and conversions share: the first
/// row is read as a record like any other, and rows may differ in length.
pub fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(bytes)
}

pub struct Table {
    pub html: String,
    /// Rows shown under the header.
    pub rows: u32,
    /// More rows follow (or the last one shown was cut).
    pub truncated: bool,
}

/// The first row as the header and at most `max_rows` rows under it; fewer
/// when the HTML would pass `HTML_BYTES`. None without any row.
pub fn to_html(bytes: &[u8], delimiter: u8, max_rows: u32) -> Option<Table> {
    let mut records = reader(bytes, delimiter).into_records().map_while(Result::ok);
    let header = records.next()?;
    let mut html = String::from("<table class=\"data\"><thead>");
    let mut truncated = !push_row(&mut html, "th", &header);
    html.push_str("</thead><tbody>");
    let mut rows = 0;
    for record in records {
        if truncated || rows == max_rows || html.len() >= HTML_BYTES {
            truncated = true;
            break;
        }
        truncated = !push_row(&mut html, "td", &record);
        rows += 1;
    }
    html.push_str("</tbody></table>");
    Some(Table { html, rows, truncated })
}

/// One row; false if it was cut at `HTML_BYTES`.
fn push_row(html: &mut String, cell: &str, record: &csv::StringRecord) -> bool {
    html.push_str("<tr>");
    let whole = record.iter().all(|value| {
        let room = html.len() < HTML_BYTES;
        if room {
            html.push_str(&format!("<{cell}>{}</{cell}>", html_escape(value)));
        }
        room
    });
    html.push_str("</tr>");
    whole
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_an_escaped_table_bounded_in_rows_and_size() {
        let t = to_html(b"a,b\n1,<i>\n3,4\n", b',', 500).unwrap();
        assert_eq!(t.html, "<table class=\"data\"><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>&lt;i&gt;</td></tr><tr><td>3</td><td>4</td></tr></tbody></table>");
        assert_eq!((t.rows, t.truncated), (2, false));
        assert_eq!(to_html(b"a\n1\n2\n3\n", b',', 2).map(|t| (t.rows, t.truncated)), Some((2, true)));
        let wide = format!("h\n{}\n", "&,".repeat(HTML_BYTES));
        let t = to_html(wide.as_bytes(), b',', 500).unwrap();
        assert!(t.truncated && t.html.len() < HTML_BYTES + 100);
        assert!(to_html(b"", b',', 500).is_none());
    }
}
