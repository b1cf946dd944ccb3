//! The colours of highlighted code: one table of token classes, each with
//! the scopes it covers and its colour in the light and in the dark theme.
//! The highlighter, `/highlight.css` and the contrast test all read it, so a
//! colour cannot change in one place only.

pub struct Palette {
    pub background: &'static str,
    pub text: &'static str,
    /// The backgrounds of a diff's added and removed lines (`server::diff`),
    /// whose `+` and `-` take the colours of the `i` and `d` tokens.
    pub added: &'static str,
    pub removed: &'static str,
}

pub struct Token {
    /// The CSS class is `hl-{class}`: short, as a big file has many spans.
    pub class: &'static str,
    /// syntect scope selectors; the most specific match wins.
    pub scopes: &'static str,
    pub light: &'static str,
    pub dark: &'static str,
}

pub const LIGHT: Palette = Palette { background: "#f6f8fa", text: "#1f2328", added: "#dafbe1", removed: "#ffebe9" };
pub const DARK: Palette = Palette { background: "#161b22", text: "#e6edf3", added: "#0f2d1b", removed: "#3a1a1e" };

#[rustfmt::skip]
pub const TOKENS: &[Token] = &[
    Token { class: "c", scopes: "comment, punctuation.definition.comment", light: "#59636e", dark: "#9198a1" },
    Token { class: "k", scopes: "keyword - keyword.operator, keyword.operator.word, storage", light: "#cf222e", dark: "#ff7b72" },
    Token { class: "s", scopes: "string", light: "#0a3069", dark: "#a5d6ff" },
    Token { class: "e", scopes: "constant.character.escape, string.regexp", light: "#116329", dark: "#7ee787" },
    Token { class: "n", scopes: "constant - constant.character.escape, support.constant, variable.other.constant, entity.other.attribute-name", light: "#0550ae", dark: "#79c0ff" },
    Token { class: "f", scopes: "entity.name.function, support.function, variable.function", light: "#6639ba", dark: "#d2a8ff" },
    Token { class: "t", scopes: "entity.name - entity.name.function - entity.name.tag - entity.name.section, entity.other.inherited-class, support.type, support.class", light: "#953800", dark: "#ffa657" },
    Token { class: "g", scopes: "entity.name.tag", light: "#116329", dark: "#7ee787" },
    Token { class: "p", scopes: "meta.structure.dictionary.key string, meta.mapping.key string, support.type.property-name, meta.object-literal.key", light: "#0550ae", dark: "#79c0ff" },
    Token { class: "v", scopes: "variable.parameter", light: "#953800", dark: "#ffa657" },
    Token { class: "h", scopes: "markup.heading, entity.name.section", light: "#0550ae", dark: "#79c0ff" },
    Token { class: "i", scopes: "markup.inserted", light: "#116329", dark: "#7ee787" },
    Token { class: "d", scopes: "markup.deleted, invalid", light: "#82071e", dark: "#ffa198" },
];

/// `/highlight.css`: the code background and text as custom properties
/// (`--code-bg`, `--code-text`, which the main stylesheet uses, and the
/// diff's `--diff-ins-bg`, `--diff-del-bg`, `--diff-ins`, `--diff-del`), and one
/// rule per token class, for the light theme and then the dark one. Every
/// rule has the same specificity, so the dark block wins in dark mode.
pub fn stylesheet() -> String {
    let theme = |palette: &Palette, colour: fn(&Token) -> &'static str| {
        let mut css = format!(
            ":root {{ --code-bg: {}; --code-text: {}; --diff-ins-bg: {}; --diff-del-bg: {}; --diff-ins: {}; --diff-del: {}; }}\n",
            palette.background,
            palette.text,
            palette.added,
            palette.removed,
            colour(token("i")),
            colour(token("d")),
        );
        for token in TOKENS {
            css.push_str(&format!(".hl-{} {{ color: {}; }}\n", token.class, colour(token)));
        }
        css
    };
    format!("{}@media (prefers-color-scheme: dark) {{\n{}}}\n", theme(&LIGHT, |t| t.light), theme(&DARK, |t| t.dark))
}

fn token(class: &str) -> &'static Token {
    TOKENS.iter().find(|t| t.class == class).expect("a token of the table")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// WCAG 2 relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    /// WCAG 2 contrast ratio of two `#rrggbb` colours.
    pub(crate) fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn every_token_reads_at_wcag_aa_in_both_themes() {
        assert!((contrast("#ffffff", "#000000") - 21.0).abs() < 1e-9);
        for (palette, colour) in [(&LIGHT, (|t| t.light) as fn(&Token) -> &str), (&DARK, |t| t.dark)] {
            let text = contrast(palette.text, palette.background);
            assert!(text >= 4.5, "text {} on {}: {text:.2}", palette.text, palette.background);
            for token in TOKENS {
                let ratio = contrast(colour(token), palette.background);
                assert!(ratio >= 4.5, "hl-{} {} on {}: {ratio:.2}", token.class, colour(token), palette.background);
            }
            // A diff's lines: their text and their marker on their background.
            for (fg, bg) in [
                (palette.text, palette.added),
                (palette.text, palette.removed),
                (colour(token("i")), palette.added),
                (colour(token("d")), palette.removed),
            ] {
                let ratio = contrast(fg, bg);
                assert!(ratio >= 4.5, "diff {fg} on {bg}: {ratio:.2}");
            }
        }
    }

    #[test]
    fn the_stylesheet_has_one_rule_per_class_and_theme() {
        let css = stylesheet();
        for token in TOKENS {
            assert_eq!(css.matches(&format!(".hl-{} {{", token.class)).count(), 2, "{css}");
        }
        let dark = css.find("prefers-color-scheme: dark").unwrap();
        assert!(css[dark..].contains(&format!("--code-bg: {}", DARK.background)));
    }
}
