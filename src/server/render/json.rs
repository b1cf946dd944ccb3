//! Minified JSON made readable. Only whitespace is added between tokens:
//! keys keep their order and numbers their spelling (serde_json would sort
//! the one and reformat the other), and the cut-off head of a big file is
//! indented as far as it goes instead of failing to parse.

/// Deeper levels are not indented further, so a deeply nested document
/// cannot turn into mostly spaces.
const MAX_DEPTH: usize = 32;

/// Whether `text` is JSON written on one line.
pub fn is_one_line(text: &str) -> bool {
    !text.trim_end().contains('\n')
}

/// `text` indented by two spaces a level; stops once it passes `max_len`.
pub fn indent(text: &str, max_len: usize) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth.min(MAX_DEPTH)));
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() > max_len {
            break;
        }
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                match chars.next_if(|next| matches!(next, '}' | ']')) {
                    Some(empty) => out.push(empty),
                    None => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_without_changing_tokens() {
        let json = r#"{"b":[1,2.50,{}],"a":"x, {y}: \"z\"","c":[]}"#;
        let expected =
            "{\n  \"b\": [\n    1,\n    2.50,\n    {}\n  ],\n  \"a\": \"x, {y}: \\\"z\\\"\",\n  \"c\": []\n}";
        assert_eq!(indent(json, usize::MAX), expected);
        assert!(is_one_line(json) && !is_one_line(expected));
    }

    #[test]
    fn a_cut_off_or_deep_document_is_bounded() {
        assert_eq!(indent(r#"{"a":[1,"#, usize::MAX), "{\n  \"a\": [\n    1,\n    ");
        let deep = "[".repeat(10_000);
        let out = indent(&deep, usize::MAX);
        assert!(out.len() < 10_000 * (2 + 2 * MAX_DEPTH), "{}", out.len());
        assert!(indent(&deep, 1000).len() <= 1000 + 2 + 2 * MAX_DEPTH);
    }
}
