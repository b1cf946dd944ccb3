//! Syntax highlighting with syntect into the token classes of `theme.rs`
//! (`hl-k`, `hl-s`, …), one short class per token rather than syntect's
//! whole scope stack, so highlighted files stay small; styled by
//! `/highlight.css` in the light and the dark theme. Bounded: big files are
//! highlighted only at their start, and shown only as far as a page can hold.

use super::theme::TOKENS;
use crate::server::filetype;
use std::sync::LazyLock;
use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter, StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Highlighting stops after this much text…
pub const HIGHLIGHT_BYTES: usize = 256 * 1024;
/// … or this many lines, or at the first line longer than `LONG_LINE`
/// (minified code: syntect takes about a second per 100 KB of JavaScript, and
/// colours add little there); what follows is plain text.
pub const HIGHLIGHT_LINES: u32 = 5_000;
const LONG_LINE: usize = 16 * 1024;
/// A preview body's HTML stops here, whatever its kind: the page stays well
/// under 2 MB.
pub const HTML_BYTES: usize = 1024 * 1024;
/// And a text preview's lines (its gutter has a number per line).
pub const SHOWN_LINES: u32 = 20_000;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// A theme whose "colour" for a token is its index in `TOKENS` plus one (in
/// the red channel; 0 is plain text): syntect's scope matching picks the
/// class, the stylesheet gives the colours.
static THEME: LazyLock<Theme> = LazyLock::new(|| Theme {
    settings: ThemeSettings { foreground: Some(Color { r: 0, g: 0, b: 0, a: 0xFF }), ..Default::default() },
    scopes: TOKENS
        .iter()
        .enumerate()
        .map(|(i, token)| ThemeItem {
            scope: token.scopes.parse().expect("the token table's scope selectors parse"),
            style: StyleModifier {
                foreground: Some(Color { r: i as u8 + 1, g: 0, b: 0, a: 0xFF }),
                ..Default::default()
            },
        })
        .collect(),
    ..Default::default()
});
static HIGHLIGHTER: LazyLock<Highlighter<'static>> = LazyLock::new(|| Highlighter::new(&THEME));

/// The language of a file: by extension, then by its first line (a shebang).
pub fn syntax_for(name: &str, text: &str) -> Option<&'static SyntaxReference> {
    let by_ext = crate::model::extension(name).and_then(|e| SYNTAXES.find_syntax_by_extension(filetype::syntax(&e)));
    by_ext.or_else(|| SYNTAXES.find_syntax_by_first_line(text.lines().next().unwrap_or("")))
}

pub fn syntax_by_token(token: &str) -> Option<&'static SyntaxReference> {
    SYNTAXES.find_syntax_by_token(filetype::syntax(&token.to_ascii_lowercase()))
}

/// Text as HTML, within the bounds above.
pub struct Rendered {
    pub html: String,
    /// Lines shown.
    pub lines: u32,
    /// Lines highlighted, from the first.
    pub highlighted: u32,
    /// All of the text is shown.
    pub complete: bool,
}

/// `text` as HTML: highlighted (when `syntax` is given) up to
/// `HIGHLIGHT_BYTES`, `HIGHLIGHT_LINES` or a long line, escaped plain text after, and
/// cut at `HTML_BYTES` of HTML or `SHOWN_LINES` lines.
pub fn to_html(syntax: Option<&SyntaxReference>, text: &str) -> Rendered {
    let mut out = Rendered { html: String::new(), lines: 0, highlighted: 0, complete: true };
    let mut colour = syntax.map(|s| (ParseState::new(s), HighlightState::new(&HIGHLIGHTER, ScopeStack::new())));
    let mut read = 0;
    for line in LinesWithEndings::from(text) {
        if out.lines == SHOWN_LINES || out.html.len() >= HTML_BYTES {
            out.complete = false;
            break;
        }
        read += line.len();
        if read > HIGHLIGHT_BYTES || out.lines == HIGHLIGHT_LINES || line.len() > LONG_LINE {
            colour = None;
        }
        let coloured =
            colour.as_mut().is_some_and(|(parse, state)| push_highlighted(&mut out.html, line, parse, state));
        if coloured {
            out.highlighted += 1;
        } else {
            colour = None;
            out.complete &= push_escaped(&mut out.html, line);
        }
        out.lines += 1;
    }
    out
}

/// One highlighted line, or false (and nothing written) if syntect fails
/// or the line's HTML would pass `HTML_BYTES`.
fn push_highlighted(html: &mut String, line: &str, parse: &mut ParseState, state: &mut HighlightState) -> bool {
    let Ok(ops) = parse.parse_line(line, &SYNTAXES) else { return false };
    let start = html.len();
    let mut open = 0;
    for (style, piece) in HighlightIterator::new(state, &ops, line, &HIGHLIGHTER) {
        let class = style.foreground.r as usize;
        if class != open && !piece.trim().is_empty() {
            if open != 0 {
                html.push_str("</span>");
            }
            if class != 0 {
                html.push_str(&format!("<span class=\"hl-{}\">", TOKENS[class - 1].class));
            }
            open = class;
        }
        escape_into(html, piece);
    }
    if open != 0 {
        html.push_str("</span>");
    }
    if html.len() > HTML_BYTES {
        html.truncate(start);
        return false;
    }
    true
}

/// Escaped text, cut (at a character) where the HTML would pass
/// `HTML_BYTES`; false if it was cut.
fn push_escaped(html: &mut String, text: &str) -> bool {
    for c in text.chars() {
        if html.len() >= HTML_BYTES {
            return false;
        }
        escape_into(html, c.encode_utf8(&mut [0; 4]));
    }
    true
}

fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
}

pub fn html_escape(text: &str) -> String {
    let mut html = String::with_capacity(text.len());
    escape_into(&mut html, text);
    html
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
    fn highlighting_uses_the_token_classes_and_escapes() {
        let out = to_html(syntax_for("a.py", ""), "# note\ndef f():\n    return '<b>'\n");
        let html = out.html;
        assert!(html.contains("<span class=\"hl-c\"># note\n</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-k\">def </span>"), "{html}");
        assert!(html.contains("<span class=\"hl-f\">f</span>"), "{html}");
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"), "{html}");
        assert_eq!((out.lines, out.highlighted, out.complete), (3, 3, true));
    }

    #[test]
    fn big_text_is_highlighted_at_its_start_and_cut() {
        let text = "x = 1\n".repeat(HIGHLIGHT_LINES as usize + 10);
        let out = to_html(syntax_for("a.py", ""), &text);
        assert_eq!((out.lines, out.highlighted, out.complete), (HIGHLIGHT_LINES + 10, HIGHLIGHT_LINES, true));
        assert!(out.html.ends_with("x = 1\nx = 1\n"), "plain after the limit");

        let minified = format!("{}\n", "a(1);".repeat(LONG_LINE));
        let out = to_html(syntax_for("a.js", ""), &minified);
        assert_eq!((out.lines, out.highlighted), (1, 0));

        let out = to_html(None, &"<".repeat(2 * HTML_BYTES));
        assert!(!out.complete && out.html.len() <= HTML_BYTES + 4 && out.html.ends_with("&lt;"));
        let out = to_html(None, &"\n".repeat(SHOWN_LINES as usize + 1));
        assert_eq!((out.lines, out.complete), (SHOWN_LINES, false));
    }
}
