//! Office documents from their Markdown conversion (`server::convert`,
//! which runs in the limited child): a document or presentation rendered
//! as Markdown, a workbook as a section per sheet. Bounded like a Markdown
//! preview: at most `SOURCE_BYTES` of Markdown a part, `HTML_BYTES` of HTML
//! in all.

use super::highlight::{html_escape, HTML_BYTES};
use super::markdown;
use url::Url;

/// Markdown rendered of a document, or of one sheet; cut at a line, so a
/// table loses whole rows.
const SOURCE_BYTES: usize = 256 * 1024;

/// At most `SOURCE_BYTES` of `text`, ending at a line's end; and whether it
/// was cut.
fn lines_within(text: &str) -> (&str, bool) {
    if text.len() <= SOURCE_BYTES {
        return (text, false);
    }
    let cut = &text[..text.floor_char_boundary(SOURCE_BYTES)];
    (cut.rfind('\n').map_or(cut, |end| &cut[..=end]), true)
}

/// A document's HTML, and whether only its first part is shown. None when
/// even that passes `HTML_BYTES`. Its pictures, addressed by their parts'
/// names (`word/media/image1.png`), lead under the document's own URL
/// (`…/report.docx/word/media/image1.png`), where the content origin
/// serves them.
pub fn document(markdown: &str, url: &Url) -> Option<(String, bool)> {
    let (source, cut) = lines_within(markdown);
    let mut parts = url.clone();
    parts.set_path(&format!("{}/", url.path()));
    let html = markdown::to_html(source, &parts);
    (html.len() <= HTML_BYTES).then_some((html, cut))
}

pub struct Workbook {
    /// A `<section class="sheet" id="sheet-n">` per sheet, its name as
    /// its heading.
    pub html: String,
    pub sheets: Vec<String>,
    /// Some sheet is cut or left out.
    pub partial: bool,
}

/// A workbook's Markdown (`## name` and a table per sheet, as
/// `convert::table::workbook` writes it: a table's lines start with `|`,
/// so each `## ` at a line's start is a sheet's).
pub fn workbook(markdown: &str, url: &Url) -> Workbook {
    let mut out = Workbook { html: String::new(), sheets: Vec::new(), partial: false };
    let body = markdown.strip_prefix("## ").unwrap_or(markdown);
    for (n, sheet) in body.split("\n## ").enumerate().map(|(i, s)| (i + 1, s)) {
        let (name, table) = sheet.split_once('\n').unwrap_or((sheet, ""));
        let (source, cut) = lines_within(table);
        let name = name.trim();
        // Every sheet's table box is in the one page, whose regions' names
        // must differ: each is named by its sheet ("Stock: Table").
        let boxed = r#"<div class="table-scroll" tabindex="0" role="region" aria-label=""#;
        let mut shown = markdown::to_html(source, url).replace(boxed, &format!("{boxed}{}: ", html_escape(name)));
        if out.html.len() + shown.len() > HTML_BYTES {
            shown = "<p class=\"note\">Not shown: the preview reached its size limit.</p>".into();
        }
        out.partial |= cut || shown.starts_with("<p class=\"note\">");
        out.html.push_str(&format!(
            "<section class=\"sheet\" id=\"sheet-{n}\"><h2>{}</h2>{shown}</section>\n",
            html_escape(name)
        ));
        out.sheets.push(name.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("http://usercontent.localhost:3000/TOKEN/mnt/user-data/outputs/book.xlsx").unwrap()
    }

    #[test]
    fn each_sheet_is_a_section_named_by_its_heading() {
        let md = "## Stock\n\n| item | qty |\n| --- | --- |\n| pens | 12 |\n\n## Costs & <fees>\n\n_Empty sheet._\n\n";
        let book = workbook(md, &url());
        assert_eq!(book.sheets, ["Stock", "Costs & <fees>"]);
        assert!(book.html.contains("<section class=\"sheet\" id=\"sheet-1\"><h2>Stock</h2>"), "{}", book.html);
        assert!(book.html.contains("<td>pens</td>"), "{}", book.html);
        assert!(book.html.contains("id=\"sheet-2\"><h2>Costs &amp; &lt;fees&gt;</h2>"), "{}", book.html);
        assert!(!book.partial);
    }

    #[test]
    fn each_sheets_table_box_is_named_by_its_sheet() {
        let table = "| a | b |\n| --- | --- |\n| 1 | 2 |\n";
        let book = workbook(&format!("## Stock\n\n{table}\n## Costs & <fees>\n\n{table}"), &url());
        assert!(book.html.contains(r#"role="region" aria-label="Stock: Table"><table>"#), "{}", book.html);
        assert!(
            book.html.contains(r#"role="region" aria-label="Costs &amp; &lt;fees&gt;: Table"><table>"#),
            "{}",
            book.html
        );
    }

    #[test]
    fn a_documents_pictures_lead_to_its_parts_of_its_version() {
        let mut url = Url::parse("http://usercontent.localhost:3000/TOKEN/mnt/user-data/outputs/plan.docx").unwrap();
        url.set_query(Some("version=2"));
        let (html, _) = document("![Chart](word/media/image1.png) [notes](../notes.md)\n", &url).unwrap();
        let at = "http://usercontent.localhost:3000/TOKEN/mnt/user-data/outputs";
        assert!(html.contains(&format!("src=\"{at}/plan.docx/word/media/image1.png?version=2\"")), "{html}");
        assert!(html.contains(&format!("href=\"{at}/notes.md\"")), "not a part: no version: {html}");
    }

    #[test]
    fn a_big_sheet_is_cut_at_a_row() {
        let rows: String = (0..20_000).map(|i| format!("| row {i} | {i} |\n")).collect();
        let md = format!("## Big\n\n| a | b |\n| --- | --- |\n{rows}");
        let book = workbook(&md, &url());
        assert!(book.partial && book.html.len() <= HTML_BYTES + 200, "{}", book.html.len());
        let last_row = &book.html[book.html.rfind("<tr>").unwrap()..];
        assert!(last_row.starts_with("<tr><td>row ") && last_row.contains("</td></tr>"), "{last_row}");
    }
}
