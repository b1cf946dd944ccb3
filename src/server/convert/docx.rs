//! DOCX: the paragraphs, headings, list items and tables of
//! `word/document.xml`, read with a cap on its size, and for a preview its
//! pictures where they stand (`pictures.rs`).

use super::pictures::Pictures;
use super::ConvertError;
use quick_xml::events::{BytesStart, Event};
use std::io::{Cursor, Read};

pub(super) const MAX_XML_BYTES: u64 = 50 * 1024 * 1024;

#[derive(Default)]
struct Paragraph {
    text: String,
    heading: Option<usize>,
    list: bool,
}

impl Paragraph {
    fn markdown(&self) -> String {
        let text = self.text.trim();
        match (self.heading, self.list) {
            (Some(level), _) => format!("{} {text}", "#".repeat(level)),
            (None, true) => format!("- {text}"),
            _ => text.to_string(),
        }
    }
}

pub(super) fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == name).map(|a| a.value.to_string())
}

pub(super) fn open<'a>(kind: &'static str, bytes: &'a [u8]) -> Result<Zip<'a>, ConvertError> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ConvertError::Unreadable(kind, e.to_string()))
}

pub(super) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// A part of an Office document's ZIP, at most `MAX_XML_BYTES` of it.
pub(super) fn part(zip: &mut Zip, kind: &'static str, name: &str) -> Result<Vec<u8>, ConvertError> {
    let mut xml = Vec::new();
    zip.by_name(name)
        .map_err(|_| ConvertError::Lacks(kind, name.into()))?
        .take(MAX_XML_BYTES)
        .read_to_end(&mut xml)
        .map_err(|e| ConvertError::Unreadable(kind, e.to_string()))?;
    Ok(xml)
}

/// Calls `f` with each element of `xml` (a part of a `kind` document).
pub(super) fn each_element(kind: &'static str, xml: &[u8], mut f: impl FnMut(&BytesStart)) -> Result<(), ConvertError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| ConvertError::Unreadable(kind, e.to_string()))? {
            Event::Start(e) | Event::Empty(e) => f(&e),
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Appends the text of a text or entity event inside `<w:t>` or `<a:t>`.
pub(super) fn push_text(out: &mut String, event: &Event) {
    match event {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => out.push(c),
            _ => out.push_str(quick_xml::escape::resolve_predefined_entity(r.as_ref()).unwrap_or("")),
        },
        _ => {}
    }
}

/// The document's Markdown; with `pictures`, its pictures too.
pub fn to_markdown(bytes: &[u8], pictures: bool) -> Result<String, ConvertError> {
    let mut zip = open("DOCX", bytes)?;
    let xml = part(&mut zip, "DOCX", "word/document.xml")?;
    let mut pictures = Pictures::new(pictures);
    let targets = pictures.of(&mut zip, "DOCX", "word/document.xml")?;
    let mut alt = String::new();

    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut blocks: Vec<String> = Vec::new();
    let mut paragraph = Paragraph::default();
    let mut in_text = false;
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut table_depth = 0usize;
    let mut buf = Vec::new();
    loop {
        let event =
            reader.read_event_into(&mut buf).map_err(|e| ConvertError::Unreadable("DOCX text", e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "p" => paragraph = Paragraph::default(),
                "t" => in_text = true,
                "tab" => paragraph.text.push(' '),
                "pStyle" => {
                    let style = attr(&e, "val").unwrap_or_default().to_ascii_lowercase();
                    paragraph.heading = style
                        .strip_prefix("heading")
                        .and_then(|n| n.trim().parse().ok())
                        .filter(|n: &usize| (1..=6).contains(n))
                        .or((style == "title").then_some(1));
                    // Word's list styles number their paragraphs themselves.
                    paragraph.list |= style.starts_with("list");
                }
                "numPr" => paragraph.list = true,
                "docPr" => alt = attr(&e, "descr").or_else(|| attr(&e, "name")).unwrap_or_default(),
                "blip" => {
                    let id = attr(&e, "embed").unwrap_or_default();
                    if let Some(image) = pictures.image(&targets, &id, &alt) {
                        paragraph.text.push_str(&image);
                    }
                }
                "tbl" => {
                    table_depth += 1;
                    if table_depth == 1 {
                        table.clear();
                    }
                }
                "tr" if table_depth == 1 => table.push(Vec::new()),
                "tc" if table_depth == 1 => {
                    if let Some(row) = table.last_mut() {
                        row.push(String::new());
                    }
                }
                _ => {}
            },
            event @ (Event::Text(_) | Event::GeneralRef(_)) if in_text => push_text(&mut paragraph.text, &event),
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" if table_depth > 0 => {
                    if let Some(cell) = table.last_mut().and_then(|r| r.last_mut()) {
                        if !cell.is_empty() {
                            cell.push(' ');
                        }
                        cell.push_str(paragraph.text.trim());
                    }
                }
                "p" => {
                    let md = paragraph.markdown();
                    if !md.is_empty() {
                        blocks.push(md);
                    }
                }
                "tbl" => {
                    table_depth -= 1;
                    if table_depth == 0 && !table.is_empty() {
                        blocks.push(super::table::from_rows(&table));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    blocks.extend(pictures.note());
    if blocks.is_empty() {
        return Err(ConvertError::Lacks("DOCX", "text".into()));
    }
    Ok(blocks.join("\n\n") + "\n")
}
