//! Syntax highlighting with syntect, emitting CSS classes (styled by
//! `/highlight.css`) rather than inline colours, so one rendering serves the
//! light and the dark theme.

use crate::server::filetype;
use std::sync::LazyLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The language of a file: by extension, then by its first line (a shebang).
pub fn syntax_for(name: &str, text: &str) -> Option<&'static SyntaxReference> {
    let by_ext = crate::model::extension(name).and_then(|e| SYNTAXES.find_syntax_by_extension(filetype::syntax(&e)));
    by_ext.or_else(|| SYNTAXES.find_syntax_by_first_line(text.lines().next().unwrap_or("")))
}

pub fn syntax_by_token(token: &str) -> Option<&'static SyntaxReference> {
    SYNTAXES.find_syntax_by_token(filetype::syntax(&token.to_ascii_lowercase()))
}

/// Highlighted HTML (spans with `hl-` classes) of `text`; plain escaped
/// text when the language is unknown.
pub fn to_html(syntax: Option<&SyntaxReference>, text: &str) -> String {
    let syntax = syntax.unwrap_or_else(|| SYNTAXES.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, STYLE);
    for line in LinesWithEndings::from(text) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return html_escape(text);
        }
    }
    generator.finalize()
}

pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The stylesheet for the classes: a light theme, and a dark one for
/// `prefers-color-scheme: dark`.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| css_for_theme_with_class_style(&themes.themes[name], STYLE).unwrap_or_default();
    format!("{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n", css("InspiredGitHub"), css("base16-ocean.dark"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_extension_then_first_line() {
        assert_eq!(syntax_for("a.py", "").unwrap().name, "Python");
        assert_eq!(syntax_for("a.ts", "").unwrap().name, "JavaScript");
        assert_eq!(syntax_for("tools/run", "#!/usr/bin/env python3\nprint(1)").unwrap().name, "Python");
        assert_eq!(syntax_for("deploy", "#!/bin/bash\n").unwrap().name, "Bourne Again Shell (bash)");
        assert!(syntax_for("notes", "hello").is_none());
    }

    #[test]
    fn highlighting_uses_classes_and_escapes() {
        let html = to_html(syntax_for("a.py", ""), "def f():\n    return '<b>'\n");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"), "{html}");
        assert!(stylesheet().contains(".hl-"));
    }
}
