//! JSON as a foldable tree of nested `<details>`, made on the server, so it
//! folds without scripts. Rendered as serde_json reads it, so keys keep
//! their order (numbers are written as read: `2.50` shows as `2.5`).
//! Bounded: at most `MAX_VALUES` values, `MAX_RECORDS` JSON Lines records
//! and about `HTML_BYTES` of HTML; a value deeper than `MAX_DEPTH` is
//! shown as `…` (skipped without recursion, so a hostile nesting cannot
//! exhaust the stack).

use super::highlight::{html_escape, HTML_BYTES};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

pub const MAX_VALUES: u32 = 5_000;
pub const MAX_RECORDS: u32 = 500;
const MAX_DEPTH: usize = 64;
/// Containers this deep and deeper start folded.
const FOLDED_DEPTH: usize = 3;
/// A longer string is cut, with an ellipsis.
const LONG_VALUE: usize = 10_000;
/// A JSON Lines record's summary shows this much of its line.
const SUMMARY_CHARS: usize = 100;

pub struct Tree {
    pub html: String,
    pub values: u32,
    /// Records shown, for JSON Lines.
    pub records: Option<u32>,
    pub truncated: bool,
}

impl Tree {
    fn new(records: Option<u32>) -> Self {
        Self { html: String::from("<div class=\"json-tree\">"), values: 0, records, truncated: false }
    }

    fn full(&self) -> bool {
        self.values >= MAX_VALUES || self.html.len() >= HTML_BYTES
    }

    /// One JSON document's tree, appended; false (and nothing appended) if
    /// `text` is not JSON.
    fn push(&mut self, text: &str, depth: usize) -> bool {
        let (at, values, truncated) = (self.html.len(), self.values, self.truncated);
        let mut de = serde_json::Deserializer::from_str(text);
        let read = Node { tree: self, key: String::new(), depth }.deserialize(&mut de).and_then(|()| de.end());
        if read.is_err() {
            self.html.truncate(at);
            (self.values, self.truncated) = (values, truncated);
        }
        read.is_ok()
    }
}

/// A JSON document's tree; `None` if it is not JSON (a cut-off head of a
/// big file is not).
pub fn json(text: &str) -> Option<Tree> {
    let mut tree = Tree::new(None);
    tree.push(text, 0).then(|| {
        tree.html.push_str("</div>");
        tree
    })
}

/// JSON Lines: a folded tree per record; a line that is not JSON says so.
/// `partial` says the text is a file's head, whose last line may be cut:
/// it is left out.
pub fn json_lines(text: &str, partial: bool) -> Tree {
    let mut tree = Tree::new(Some(0));
    let mut lines: Vec<(usize, &str)> =
        text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(n, l)| (n + 1, l)).collect();
    if partial && !text.ends_with('\n') {
        tree.truncated |= lines.pop().is_some();
    }
    for (shown, (number, line)) in lines.iter().enumerate() {
        if shown as u32 == MAX_RECORDS || tree.full() {
            tree.truncated = true;
            break;
        }
        let summary = line.chars().take(SUMMARY_CHARS).collect::<String>();
        let more = if summary.len() < line.len() { "…" } else { "" };
        tree.html.push_str(&format!(
            "<details class=\"json-record\"><summary><span class=\"json-line\">{number}</span> <code>{}{more}</code></summary>",
            html_escape(&summary)
        ));
        if !tree.push(line, 1) {
            tree.html.push_str("<p class=\"json-bad\">This line is not JSON.</p>");
        }
        tree.html.push_str("</details>");
        tree.records = Some(shown as u32 + 1);
    }
    tree.html.push_str("</div>");
    tree
}

/// One value under its key (`"name": `, as HTML; empty for none), read
/// from the deserializer straight into the tree.
struct Node<'t> {
    tree: &'t mut Tree,
    key: String,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        if self.depth >= MAX_DEPTH || self.tree.full() {
            return de.deserialize_ignored_any(Skipped(self));
        }
        self.tree.values += 1;
        de.deserialize_any(self)
    }
}

impl Node<'_> {
    fn leaf<E>(self, class: &str, text: &str) -> Result<(), E> {
        let cut = text.floor_char_boundary(LONG_VALUE);
        let more = if cut < text.len() { "…" } else { "" };
        self.tree.truncated |= cut < text.len();
        let key = self.key;
        self.tree.html.push_str(&format!(
            "<div class=\"json-leaf\">{key}<span class=\"{class}\">{}{more}</span></div>",
            html_escape(&text[..cut])
        ));
        Ok(())
    }

    /// A container: its summary (key, bracket, count), its children as
    /// `children` writes them, and its closing bracket; `[]` when empty.
    fn container<E>(
        self,
        (open, close): (char, char),
        children: impl FnOnce(&mut Tree, usize) -> Result<u32, E>,
    ) -> Result<(), E> {
        let tree = self.tree;
        let at = tree.html.len();
        let folded = if self.depth >= FOLDED_DEPTH { "" } else { " open" };
        let key = self.key;
        tree.html.push_str(&format!("<details{folded}><summary>{key}{open}</summary><div class=\"json-children\">"));
        let count = children(tree, self.depth + 1)?;
        if count == 0 {
            tree.html.truncate(at);
            let html = format!("<div class=\"json-leaf\">{key}{open}{close}</div>");
            tree.html.push_str(&html);
            return Ok(());
        }
        let noun = match (open, count) {
            ('{', 1) => "key",
            ('{', _) => "keys",
            (_, 1) => "item",
            _ => "items",
        };
        // The summary was written before the children were counted.
        let end = at + tree.html[at..].find("</summary>").unwrap_or_default();
        tree.html.insert_str(end, &format!(" <span class=\"json-count\">{count} {noun}</span>"));
        tree.html.push_str(&format!("</div>{close}</details>"));
        Ok(())
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.leaf("hl-n", &v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.leaf("hl-n", &v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.leaf("hl-n", &v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.leaf("hl-n", &v.to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.leaf("hl-s", &serde_json::to_string(v).unwrap_or_default())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.leaf("hl-n", "null")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.container(('[', ']'), |tree, depth| {
            let mut count = 0;
            while seq.next_element_seed(Node { tree: &mut *tree, key: String::new(), depth })?.is_some() {
                count += 1;
            }
            Ok(count)
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.container(('{', '}'), |tree, depth| {
            let mut count = 0;
            while let Some(name) = map.next_key::<String>()? {
                let quoted = serde_json::to_string(&name).unwrap_or_default();
                let key = format!("<span class=\"hl-p\">{}</span>: ", html_escape(&quoted));
                map.next_value_seed(Node { tree: &mut *tree, key, depth })?;
                count += 1;
            }
            Ok(count)
        })
    }
}

/// A value past the bounds, read without recursion: past `MAX_VALUES` not
/// shown, past `MAX_DEPTH` shown as `…`.
struct Skipped<'t>(Node<'t>);

impl<'de> Visitor<'de> for Skipped<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        if self.0.tree.full() {
            self.0.tree.truncated = true;
            return Ok(());
        }
        self.0.leaf("json-count", "…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_values_their_spelling() {
        let tree = json(r#"{"b": [1, 2.50, {}], "a": "x <y>", "c": {"d": null}}"#).unwrap();
        let html = &tree.html;
        assert!(html.find("&quot;b&quot;").unwrap() < html.find("&quot;a&quot;").unwrap(), "{html}");
        assert!(html.contains(r#"<span class="hl-n">2.5</span>"#), "{html}");
        assert!(html.contains(r#"<span class="hl-s">&quot;x &lt;y&gt;&quot;</span>"#), "{html}");
        let b =
            r#"<summary><span class="hl-p">&quot;b&quot;</span>: [ <span class="json-count">3 items</span></summary>"#;
        assert!(html.contains(b), "{html}");
        assert!(html.contains(r#"<span class="json-count">1 key</span>"#), "{html}");
        assert!(html.contains(r#"<div class="json-leaf">{}</div>"#), "{html}");
        assert_eq!((tree.values, tree.truncated), (8, false));
        assert!(json(r#"{"a": [1, 2"#).is_none(), "a cut-off head is not a tree");
    }

    #[test]
    fn big_and_deep_documents_are_bounded() {
        let big = format!("[{}]", vec!["1"; 3 * MAX_VALUES as usize].join(","));
        let tree = json(&big).unwrap();
        assert_eq!((tree.values, tree.truncated), (MAX_VALUES, true));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let tree = json(&deep).unwrap();
        assert_eq!(tree.values as usize, MAX_DEPTH);
        assert_eq!(tree.html.matches("<details").count(), MAX_DEPTH);
        assert!(tree.html.contains(r#"<span class="json-count">…</span>"#));
        assert!(tree.html.matches("<details open>").count() == FOLDED_DEPTH, "deeper levels start folded");
    }

    #[test]
    fn json_lines_are_a_record_each_and_bounded() {
        let tree = json_lines("{\"n\": 1}\n\nnot json\n[2]\n{\"cut\": ", true);
        assert_eq!((tree.records, tree.truncated), (Some(3), true));
        assert_eq!(tree.html.matches("<details class=\"json-record\">").count(), 3);
        assert!(tree.html.contains("<span class=\"json-line\">3</span> <code>not json</code>"), "{}", tree.html);
        assert!(tree.html.contains("<code>not json</code></summary><p class=\"json-bad\">"), "{}", tree.html);
        let many = "{}\n".repeat(MAX_RECORDS as usize + 1);
        let tree = json_lines(&many, false);
        assert_eq!((tree.records, tree.truncated), (Some(MAX_RECORDS), true));
    }
}
