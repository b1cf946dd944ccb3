//! Pictures of Office documents, for their previews: each `a:blip`'s
//! relationship resolved to a part of the document's own ZIP in its media
//! folder (`word/media/`, `ppt/media/`) and written into the Markdown as an
//! image whose address is that part's name. The preview resolves the name
//! against the document's URL, where the thread API serves those parts
//! (`vpath::split_archive`). Linked pictures (`TargetMode="External"`) and
//! parts of other kinds are left out, so a preview fetches nothing from
//! outside. An upload's Markdown twin asks for none: it stays text.

use super::docx::{attr, each_element, part, Zip};
use super::ConvertError;
use crate::server::vpath;
use std::collections::HashMap;

/// Pictures a document shows at most: one with thousands keeps a small preview.
pub const MAX_PICTURES: usize = 100;

/// A part's pictures: relationship id → picture part name.
pub(super) type Targets = HashMap<String, String>;

pub(super) struct Pictures {
    /// Whether pictures are written at all.
    on: bool,
    shown: usize,
    left_out: usize,
}

impl Pictures {
    pub fn new(on: bool) -> Self {
        Self { on, shown: 0, left_out: 0 }
    }

    /// The pictures of `part` (`word/document.xml`, `ppt/slides/slide1.xml`)
    /// from its relationships (`word/_rels/document.xml.rels`); none when
    /// pictures are off or the part has no relationships.
    pub fn of(&self, zip: &mut Zip, kind: &'static str, part_name: &str) -> Result<Targets, ConvertError> {
        let (dir, file) = part_name.rsplit_once('/').unwrap_or(("", part_name));
        let rels = format!("{dir}/_rels/{file}.rels");
        if !self.on || zip.index_for_name(&rels).is_none() {
            return Ok(Targets::new());
        }
        let media = format!("{}/media/", part_name.split('/').next().unwrap_or_default());
        let mut targets = Targets::new();
        each_element(kind, &part(zip, kind, &rels)?, |e| {
            let external = attr(e, "TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("external"));
            let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) else { return };
            let Some(name) = resolve(dir, &target).filter(|name| !external && vpath::is_picture_in(&media, name))
            else {
                return;
            };
            if zip.index_for_name(&name).is_some() {
                targets.insert(id, name);
            }
        })?;
        Ok(targets)
    }

    /// The Markdown image of relationship `id`, if it leads to a picture
    /// and the document has not shown `MAX_PICTURES` yet.
    pub fn image(&mut self, targets: &Targets, id: &str, alt: &str) -> Option<String> {
        let name = targets.get(id)?;
        if self.shown == MAX_PICTURES {
            self.left_out += 1;
            return None;
        }
        self.shown += 1;
        let alt: String =
            alt.chars().map(|c| if matches!(c, '[' | ']' | '\\' | '\r' | '\n') { ' ' } else { c }).collect();
        Some(format!("![{}]({})", alt.trim(), vpath::encode(name)))
    }

    /// A line saying how many pictures were left out, if any.
    pub fn note(&self) -> Option<String> {
        (self.left_out > 0).then(|| format!("_{} more pictures are not shown._", self.left_out))
    }
}

/// A relationship's target, relative to the folder of its part (or from
/// the ZIP's root if it starts with `/`), as a part name; None if it
/// climbs out of the ZIP.
fn resolve(dir: &str, target: &str) -> Option<String> {
    let joined = match target.strip_prefix('/') {
        Some(root) => root.to_string(),
        None => format!("{dir}/{target}"),
    };
    let mut segments = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            name => segments.push(name),
        }
    }
    Some(segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_within_the_zip() {
        assert_eq!(resolve("word", "media/image1.png").as_deref(), Some("word/media/image1.png"));
        assert_eq!(resolve("ppt/slides", "../media/image1.png").as_deref(), Some("ppt/media/image1.png"));
        assert_eq!(resolve("ppt/slides", "/ppt/media/a.png").as_deref(), Some("ppt/media/a.png"));
        assert_eq!(resolve("word", "../../etc/passwd"), None);
    }
}
