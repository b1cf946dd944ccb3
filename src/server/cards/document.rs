//! A DOCX's or PPTX's face: its first two headings as title and heading,
//! and its first lines of text, read from the Markdown its converter
//! makes (so the document is parsed once, the way its twin is).

use super::html::shorten;
use crate::error::AppError;
use crate::model::CardFace;
use crate::server::convert;
use crate::server::filetype::{self, Converter};

/// Lines of text a card shows.
const LINES: usize = 3;

pub fn face(bytes: &[u8], name: &str) -> Result<CardFace, AppError> {
    let markdown = convert::to_markdown(name, bytes)?;
    Ok(summarise(&markdown, filetype::converter(name) == Some(Converter::Pptx)))
}

/// The first two headings and first lines of `markdown`; a presentation's
/// headings lose the slide number its converter gives them (`## 2. Goals`).
fn summarise(markdown: &str, slides: bool) -> CardFace {
    let mut headings = Vec::new();
    let mut lines = Vec::new();
    for line in markdown.lines().map(str::trim) {
        if let Some(heading) = line.strip_prefix('#') {
            let heading = heading.trim_start_matches('#').trim();
            let heading = match heading.split_once(". ") {
                Some((n, title)) if slides && n.parse::<u32>().is_ok() => title,
                _ => heading,
            };
            if headings.len() < 2 {
                headings.push(heading.to_string());
            }
        } else if !line.is_empty() && !line.starts_with('|') && lines.len() < LINES {
            lines.push(line.strip_prefix("- ").unwrap_or(line));
        }
    }
    let mut headings = headings.into_iter();
    CardFace::Page {
        title: headings.next().unwrap_or_default(),
        heading: headings.next().unwrap_or_default(),
        text: shorten(&lines.join("\n")),
        image: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str, heading: &str, text: &str) -> CardFace {
        CardFace::Page { title: title.into(), heading: heading.into(), text: text.into(), image: None }
    }

    #[test]
    fn headings_then_lines_without_tables_or_list_marks() {
        let md = "# Plan\n\nIntro.\n\n## Goals\n\n- Hire\n\n| a | b |\n| --- | --- |\n\n### More\n\n1. Ship\n\nLast\n";
        assert_eq!(summarise(md, false), page("Plan", "Goals", "Intro.\nHire\n1. Ship"));
        assert_eq!(summarise("## 1. Roadmap\n\n- Next\n\n## 2. Goals\n", true), page("Roadmap", "Goals", "Next"));
        assert_eq!(summarise("# 1. Scope\n", false), page("1. Scope", "", ""), "a document's own numbering stays");
        assert_eq!(summarise("Only text\n", false), page("", "", "Only text"));
    }

    #[test]
    fn long_lines_are_cut() {
        let CardFace::Page { text, .. } = summarise(&"word ".repeat(100), false) else { panic!() };
        assert_eq!(text.chars().count(), 201);
        assert!(text.ends_with('…'));
    }
}
