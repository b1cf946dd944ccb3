//! Two versions of an artifact compared, for the preview's "Compare with
//! previous": a unified line diff of text (code, Markdown, CSV, HTML
//! source), made here with `similar` and sent as HTML, so the browser runs
//! nothing; pictures side by side; for anything else their sizes and
//! SHA-256. Bounded like the previews: each side's first 256 KiB and 5,000
//! lines, and at most `HTML_BYTES` of HTML.

use crate::error::AppError;
use crate::model::Diff;
use crate::server::filetype::{self, PreviewKind};
use crate::server::preview::{as_text, head};
use crate::server::render::highlight::{html_escape, HTML_BYTES};
use crate::server::store::blobs::Blobs;
use crate::server::store::sidecar::Sidecar;
use similar::{ChangeTag, TextDiff};
use std::fmt::Write;
use std::time::Duration;

/// Each side is compared from at most this much of its file…
pub const SIDE_BYTES: u64 = 256 * 1024;
/// … and this many of its lines.
pub const SIDE_LINES: usize = 5_000;
/// Unchanged lines shown around each change.
const CONTEXT: usize = 3;
/// Past this the diff is coarser (still correct): a hostile pair of files
/// cannot hold a thread for long.
const TIMEOUT: Duration = Duration::from_secs(2);

/// What changed from `old` to `new`, and the line diff's HTML (empty unless
/// [`Diff::Lines`]).
pub fn compare(blobs: &Blobs, old: &Sidecar, new: &Sidecar) -> Result<(Diff, String), AppError> {
    if old.sha256 == new.sha256 {
        return Ok((Diff::Identical, String::new()));
    }
    let kinds = [old, new].map(|m| filetype::preview(&m.mime_type, &m.name));
    if kinds.iter().all(|k| matches!(k, PreviewKind::Image | PreviewKind::Svg)) {
        return Ok((Diff::Images, String::new()));
    }
    let texty = |k: &PreviewKind| {
        use PreviewKind::*;
        matches!(k, Html | Markdown | Diagram | Json | JsonLines | Table(_) | Notebook | ByContent)
    };
    if !kinds.iter().all(texty) {
        return Ok((Diff::Binary, String::new()));
    }
    let (old_bytes, old_more) = head(blobs, old, SIDE_BYTES)?;
    let (new_bytes, new_more) = head(blobs, new, SIDE_BYTES)?;
    let (Some(old_text), Some(new_text)) = (as_text(&old_bytes), as_text(&new_bytes)) else {
        return Ok((Diff::Binary, String::new()));
    };
    let (old_text, old_cut) = first_lines(old_text);
    let (new_text, new_cut) = first_lines(new_text);
    let (html, added, removed, complete) = lines(old_text, new_text);
    let cut = old_more || new_more || old_cut || new_cut || !complete;
    Ok((Diff::Lines { added, removed, cut }, html))
}

/// The text up to its `SIDE_LINES`th line, and whether that left some out.
fn first_lines(text: &str) -> (&str, bool) {
    match text.match_indices('\n').nth(SIDE_LINES - 1) {
        Some((end, _)) if end + 1 < text.len() => (&text[..=end], true),
        _ => (text, false),
    }
}

/// The unified diff as a table: a row per line with its old and new
/// numbers, a `+`/`-` marker (so nothing rests on colour alone) and the
/// text; a row of `⋯` between distant changes. Also the lines added and
/// removed, and false if the HTML stopped at `HTML_BYTES`.
fn lines(old: &str, new: &str) -> (String, u32, u32, bool) {
    let diff = TextDiff::configure().timeout(TIMEOUT).diff_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    let mut html = String::from(r#"<table class="diff"><tbody>"#);
    let mut complete = true;
    'groups: for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            html.push_str(r#"<tr class="gap"><td colspan="4">⋯</td></tr>"#);
        }
        for change in group.iter().flat_map(|op| diff.iter_changes(op)) {
            if html.len() >= HTML_BYTES {
                complete = false;
                break 'groups;
            }
            let (class, marker) = match change.tag() {
                ChangeTag::Delete => ("del", "-"),
                ChangeTag::Insert => ("ins", "+"),
                ChangeTag::Equal => ("eq", " "),
            };
            match change.tag() {
                ChangeTag::Delete => removed += 1,
                ChangeTag::Insert => added += 1,
                ChangeTag::Equal => {}
            }
            let number = |n: Option<usize>| n.map(|n| (n + 1).to_string()).unwrap_or_default();
            let _ = write!(
                html,
                r#"<tr class="{class}"><td class="ln">{}</td><td class="ln">{}</td><td class="mark">{marker}</td><td class="line">{}</td></tr>"#,
                number(change.old_index()),
                number(change.new_index()),
                html_escape(change.value().trim_end_matches(['\n', '\r'])),
            );
        }
    }
    html.push_str("</tbody></table>");
    (html, added, removed, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_marked_and_counted_with_context_around_them() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 10\n", "line ten\n<b>new</b>\n");
        let (html, added, removed, complete) = lines(&old, &new);
        assert_eq!((added, removed, complete), (2, 1, true));
        assert!(html.contains(r#"<tr class="del"><td class="ln">10</td><td class="ln"></td><td class="mark">-</td><td class="line">line 10</td>"#), "{html}");
        assert!(
            html.contains(r#"<td class="mark">+</td><td class="line">&lt;b&gt;new&lt;/b&gt;</td>"#),
            "escaped: {html}"
        );
        assert!(html.contains(">line 7<") && !html.contains(">line 6<"), "three lines of context: {html}");
    }

    #[test]
    fn the_html_stops_at_its_bound() {
        // Every `<` becomes four bytes: 4,000 changed lines of 100 on each side
        // would be over 3 MB of HTML.
        let side = |c: &str| format!("{}\n", c.repeat(100)).repeat(4_000);
        let (html, _, _, complete) = lines(&side("<"), &side(">"));
        assert!(!complete && html.len() < HTML_BYTES + 2_000, "{}", html.len());
        assert!(html.ends_with("</tbody></table>"));
    }

    #[test]
    fn long_texts_are_cut_at_their_line_bound() {
        let text: String = (0..SIDE_LINES + 10).map(|i| format!("{i}\n")).collect();
        let (shown, cut) = first_lines(&text);
        assert!(cut && shown.ends_with(&format!("{}\n", SIDE_LINES - 1)));
        assert_eq!(first_lines("a\nb\n"), ("a\nb\n", false));
    }
}
