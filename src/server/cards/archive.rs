//! A ZIP's or `.skill`'s face: how many members, the first names, and its
//! `SKILL.md`'s name and description (YAML front matter, else the first
//! heading and paragraph). Runs in the child: a hostile central directory
//! or member costs only the child.

use crate::error::AppError;
use crate::model::CardFace;
use std::io::Read;
use std::path::Path;

const NAMES: usize = 5;
/// What is read of `SKILL.md`: its front matter and first paragraph.
const SKILL_BYTES: u64 = 16 * 1024;
const DESCRIPTION_CHARS: usize = 200;

pub fn face(input: &Path) -> Result<CardFace, AppError> {
    let unreadable = |e: zip::result::ZipError| AppError::BadRequest(format!("The archive could not be read: {e}"));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(input)?).map_err(unreadable)?;
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).take(NAMES).map(|n| n.into_owned()).collect();
    // SKILL.md at the top, or in the one folder a skill is packed in.
    let skill = archive.file_names().filter_map(Result::ok).filter(|n| n.rsplit('/').next() == Some("SKILL.md"));
    let (title, description) = match skill.min_by_key(|n| n.len()).map(|n| n.into_owned()) {
        Some(name) => {
            let mut text = String::new();
            archive.by_name(&name).map_err(unreadable)?.take(SKILL_BYTES).read_to_string(&mut text)?;
            about(&text)
        }
        None => (None, None),
    };
    Ok(CardFace::Archive { members: archive.len() as u32, names, title, description })
}

/// A skill's name and description.
fn about(skill: &str) -> (Option<String>, Option<String>) {
    let clip = |s: &str| s.chars().take(DESCRIPTION_CHARS).collect::<String>();
    if let Some(rest) = skill.strip_prefix("---\n") {
        let matter = rest.split("\n---").next().unwrap_or_default();
        let value = |key: &str| {
            matter
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
                .map(|v| clip(v.trim().trim_matches(['"', '\''])))
        };
        if let (Some(name), description) = (value("name"), value("description")) {
            return (Some(name), description);
        }
    }
    let mut blocks = skill.split("\n\n").map(str::trim).filter(|b| !b.is_empty() && !b.starts_with("---"));
    let title = blocks.clone().find_map(|b| b.strip_prefix("# ")).map(|t| clip(t.lines().next().unwrap_or(t)));
    let description =
        blocks.find(|b| !b.starts_with('#')).map(|b| clip(&b.split_whitespace().collect::<Vec<_>>().join(" ")));
    (title, description)
}

#[cfg(test)]
mod tests {
    use super::about;

    #[test]
    fn front_matter_or_heading_and_paragraph() {
        let front = "---\nname: pdf-tools\ndescription: \"Fill and merge PDFs.\"\n---\n\n# PDF tools\n\nBody.";
        assert_eq!(about(front), (Some("pdf-tools".into()), Some("Fill and merge PDFs.".into())));
        let plain = "# Sales skill\n\nMakes the quarterly\nsales report.\n\n## Use";
        assert_eq!(about(plain), (Some("Sales skill".into()), Some("Makes the quarterly sales report.".into())));
        assert_eq!(about(""), (None, None));
    }
}
