//! PPTX: each slide's text in the presentation's order, its title as a
//! heading and the rest as list items indented by their outline level; for
//! a preview, then its pictures (`pictures.rs`). Each slide part is read
//! once, and at most `MAX_SLIDES` of them or `MAX_XML_BYTES` in all (as
//! much as one part of a DOCX), however long the slide list is.

use super::docx::{attr, each_element, open, part, push_text, Zip, MAX_XML_BYTES};
use super::pictures::{Pictures, Targets};
use super::ConvertError;
use quick_xml::events::Event;
use std::collections::{HashMap, HashSet};

const KIND: &str = "PPTX";

/// Slides a presentation shows at most: a deck of thousands keeps a small preview.
pub(super) const MAX_SLIDES: usize = 1_000;

/// The presentation's Markdown; with `pictures`, its slides' pictures too.
pub fn to_markdown(bytes: &[u8], pictures: bool) -> Result<String, ConvertError> {
    let mut zip = open(KIND, bytes)?;
    let mut pictures = Pictures::new(pictures);
    let parts = slide_parts(&mut zip)?;
    let (mut slides, mut read) = (Vec::new(), 0);
    for (n, name) in parts.iter().take(MAX_SLIDES).enumerate() {
        if read > MAX_XML_BYTES {
            break;
        }
        let xml = part(&mut zip, KIND, name)?;
        read += xml.len() as u64;
        let targets = pictures.of(&mut zip, KIND, name)?;
        slides.push(slide(&xml, n + 1, &mut pictures, &targets)?);
    }
    if slides.is_empty() {
        return Err(ConvertError::Lacks(KIND, "slides".into()));
    }
    if slides.len() < parts.len() {
        slides.push(format!("_Only the first {} slides are shown._", slides.len()));
    }
    slides.extend(pictures.note());
    Ok(slides.join("\n\n") + "\n")
}

/// The slides' parts in the order of `ppt/presentation.xml`'s slide list,
/// found through its relationships; a part the list names again (only a
/// broken or hostile deck does) keeps its first place.
fn slide_parts(zip: &mut Zip) -> Result<Vec<String>, ConvertError> {
    let rels = part(zip, KIND, "ppt/_rels/presentation.xml.rels")?;
    let mut targets = HashMap::new();
    each_element(KIND, &rels, |e| {
        if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
            targets.insert(id, target);
        }
    })?;
    let presentation = part(zip, KIND, "ppt/presentation.xml")?;
    let (mut slides, mut seen) = (Vec::new(), HashSet::new());
    each_element(KIND, &presentation, |e| {
        if e.local_name().as_ref() == "sldId" {
            let target = r_id(e).and_then(|id| targets.get(&id));
            if let Some(target) = target {
                let name = format!("ppt/{}", target.trim_start_matches('/').trim_start_matches("ppt/"));
                if seen.insert(name.clone()) {
                    slides.push(name);
                }
            }
        }
    })?;
    Ok(slides)
}

/// A slide's `r:id` (its `id` is a number, not the relationship's).
fn r_id(e: &quick_xml::events::BytesStart) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == "r:id").map(|a| a.value.to_string())
}

/// One slide as Markdown: `## n. title`, then its other paragraphs, then
/// its pictures.
fn slide(xml: &[u8], n: usize, pictures: &mut Pictures, targets: &Targets) -> Result<String, ConvertError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut title, mut items) = (Vec::new(), Vec::new());
    let (mut in_title, mut in_text, mut level, mut text) = (false, false, 0, String::new());
    let (mut alt, mut images) = (String::new(), Vec::new());
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| ConvertError::Unreadable(KIND, e.to_string()))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "sp" => in_title = false,
                "ph" => in_title = matches!(attr(e, "type").as_deref(), Some("title" | "ctrTitle")),
                "p" => (level, text) = (0, String::new()),
                "pPr" => level = attr(e, "lvl").and_then(|l| l.parse().ok()).unwrap_or(0usize).min(8),
                "t" => in_text = true,
                "br" => text.push(' '),
                "cNvPr" => alt = attr(e, "descr").or_else(|| attr(e, "name")).unwrap_or_default(),
                "blip" => images.extend(pictures.image(targets, &attr(e, "embed").unwrap_or_default(), &alt)),
                _ => {}
            },
            Event::Text(_) | Event::GeneralRef(_) if in_text => push_text(&mut text, &event),
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" if !text.trim().is_empty() => match in_title {
                    true => title.push(text.trim().to_string()),
                    false => items.push(format!("{}- {}", "  ".repeat(level), text.trim())),
                },
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let heading = match title.is_empty() {
        true => format!("## Slide {n}"),
        false => format!("## {n}. {}", title.join(" ")),
    };
    let items = (!items.is_empty()).then(|| items.join("\n"));
    Ok(std::iter::once(heading).chain(items).chain(images).collect::<Vec<_>>().join("\n\n"))
}
