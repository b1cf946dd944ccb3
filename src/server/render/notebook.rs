//! Jupyter notebooks (nbformat 4) as HTML: Markdown cells through the
//! Markdown renderer, code cells highlighted in the kernel's language with
//! their execution counts, and their outputs: streams, errors with their
//! traceback (ANSI colours stripped), pictures as `data:` URLs in `<img>`
//! (an SVG never inline, so its scripts never run), HTML sanitised by
//! ammonia, and plain text. A notebook cut off at the preview's byte limit
//! shows the cells that arrived whole. Math and Mermaid blocks in Markdown
//! cells are marked as in Markdown files, for the drawn frame.

use super::highlight::{self, html_escape, HTML_BYTES};
use super::markdown::{self, Markdown};
use base64::Engine as _;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use syntect::parsing::SyntaxReference;
use url::Url;

/// A picture bigger than this (as base64) is left out with a note: a few
/// plots must not fill the page's whole budget.
const PICTURE_BYTES: usize = 512 * 1024;

pub struct Notebook {
    pub html: String,
    /// The kernel's language, as syntect names it.
    pub language: Option<String>,
    /// Cells shown.
    pub cells: u32,
    /// Every cell read is shown (false when the HTML reached `HTML_BYTES`).
    pub complete: bool,
    /// Markdown cells shown hold Mermaid diagrams or math, which the
    /// drawn frame draws (as `markdown::Markdown` says).
    pub diagrams: bool,
    pub math: bool,
}

/// `text` is the notebook, or its first part; `tail`, its last part when
/// `text` is cut (the metadata, with the language, is written after the
/// cells). `url` is the file's own, as for Markdown. None if `text` has no
/// cells that parse.
pub fn to_html(text: &str, tail: Option<&str>, url: &Url) -> Option<Notebook> {
    let mut read = Read::default();
    let whole = (&mut serde_json::Deserializer::from_str(text)).deserialize_map(&mut read).is_ok();
    if !whole && read.cells.is_empty() {
        return None;
    }
    let metadata = read.metadata.or_else(|| tail.and_then(metadata_in));
    let syntax = metadata.as_ref().and_then(language).and_then(highlight::syntax_by_token);
    let language = syntax.map(|s| s.name.clone());
    let mut out = Notebook { html: String::new(), language, cells: 0, complete: true, diagrams: false, math: false };
    for cell in &read.cells {
        let shown = cell_html(cell, syntax, url);
        if out.html.len() + shown.html.len() > HTML_BYTES {
            out.complete = false;
            break;
        }
        out.html.push_str(&shown.html);
        out.diagrams |= shown.diagrams;
        out.math |= shown.math;
        out.cells += 1;
    }
    Some(out)
}

/// What is read of a notebook: its cells, as many as parse, and its
/// metadata if it arrived.
#[derive(Default)]
struct Read {
    cells: Vec<Value>,
    metadata: Option<Value>,
}

impl<'de> Visitor<'de> for &mut Read {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a notebook")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "cells" => map.next_value_seed(Cells(&mut self.cells))?,
                "metadata" => self.metadata = Some(map.next_value()?),
                _ => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        Ok(())
    }
}

/// Collects cells one by one, so those before a cut stay collected.
struct Cells<'a>(&'a mut Vec<Value>);

impl<'de> DeserializeSeed<'de> for Cells<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Cells<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of cells")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(cell) = seq.next_element()? {
            self.0.push(cell);
        }
        Ok(())
    }
}

/// The metadata in a cut notebook's last part: the object after its
/// `"metadata"` key, the last one (cells have their own).
fn metadata_in(tail: &str) -> Option<Value> {
    let at = tail.rfind("\"metadata\"")? + "\"metadata\"".len();
    let value = tail[at..].trim_start().strip_prefix(':')?;
    serde_json::Deserializer::from_str(value).into_iter().next()?.ok()
}

/// The kernel's language, as the notebook's metadata names it.
pub fn language(metadata: &Value) -> Option<&str> {
    [&metadata["kernelspec"]["language"], &metadata["language_info"]["name"]].into_iter().find_map(Value::as_str)
}

/// nbformat's multi-line strings: one string, or a list of lines.
pub fn joined(value: &Value) -> String {
    match value {
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        other => other.as_str().unwrap_or_default().to_string(),
    }
}

/// A cell's HTML, with what in it the drawn frame draws.
fn cell_html(cell: &Value, syntax: Option<&SyntaxReference>, url: &Url) -> Markdown {
    let source = joined(&cell["source"]);
    let html = match cell["cell_type"].as_str() {
        Some("markdown") => {
            let Markdown { html, diagrams, math } = markdown::render(&source, url);
            let html = format!("<div class=\"nb-cell nb-markdown\">{html}</div>\n");
            return Markdown { html, diagrams, math };
        }
        Some("code") => {
            let code = highlight::to_html(syntax, &source).html;
            let outputs: String =
                cell["outputs"].as_array().into_iter().flatten().map(|o| output_html(o, url)).collect();
            format!(
                "<div class=\"nb-cell nb-code\"><div class=\"nb-prompt\">In [{}]:</div>\
                 <pre class=\"code-block\"><code>{code}</code></pre>{outputs}</div>\n",
                count(&cell["execution_count"])
            )
        }
        _ => format!("<div class=\"nb-cell nb-raw\"><pre>{}</pre></div>\n", html_escape(&source)),
    };
    Markdown { html, diagrams: false, math: false }
}

/// An execution count as Jupyter shows it: blank for a cell never run.
fn count(value: &Value) -> String {
    value.as_u64().map_or(" ".into(), |n| n.to_string())
}

fn output_html(output: &Value, url: &Url) -> String {
    match output["output_type"].as_str() {
        Some("stream") => {
            let name = if output["name"] == "stderr" { "stderr" } else { "stdout" };
            format!("<pre class=\"nb-output nb-{name}\">{}</pre>", plain(&joined(&output["text"])))
        }
        Some("error") => {
            let traceback: Vec<String> = output["traceback"].as_array().into_iter().flatten().map(joined).collect();
            let text = match traceback.is_empty() {
                true => format!("{}: {}", joined(&output["ename"]), joined(&output["evalue"])),
                false => traceback.join("\n"),
            };
            format!("<pre class=\"nb-output nb-error\">{}</pre>", plain(&text))
        }
        Some("execute_result") => {
            let prompt = format!("<div class=\"nb-prompt\">Out [{}]:</div>", count(&output["execution_count"]));
            format!("{prompt}{}", data_html(&output["data"], url))
        }
        Some("display_data") => data_html(&output["data"], url),
        _ => String::new(),
    }
}

/// Escaped text without its ANSI colour codes.
fn plain(text: &str) -> String {
    html_escape(&anstream::adapter::strip_str(text).to_string())
}

/// The richest form of a display's data this preview can show safely.
fn data_html(data: &Value, url: &Url) -> String {
    let Some(forms) = data.as_object() else { return String::new() };
    let picture = ["image/png", "image/jpeg", "image/gif", "image/svg+xml"]
        .into_iter()
        .find_map(|mime| Some((mime, joined(forms.get(mime)?))));
    if let Some((mime, data)) = picture {
        let base64 = match mime {
            "image/svg+xml" => base64::engine::general_purpose::STANDARD.encode(data),
            _ => data.chars().filter(|c| !c.is_ascii_whitespace()).collect(),
        };
        return picture_html(mime, &base64);
    }
    if let Some(html) = forms.get("text/html") {
        format!("<div class=\"nb-output nb-html\">{}</div>", markdown::sanitize(&joined(html), url))
    } else if let Some(text) = forms.get("text/markdown") {
        format!("<div class=\"nb-output\">{}</div>", markdown::to_html(&joined(text), url))
    } else if let Some(text) = forms.get("text/plain") {
        format!("<pre class=\"nb-output\">{}</pre>", plain(&joined(text)))
    } else {
        let kinds: Vec<&str> = forms.keys().map(String::as_str).collect();
        format!("<p class=\"nb-output muted\">Output not shown here ({}).</p>", html_escape(&kinds.join(", ")))
    }
}

fn picture_html(mime: &str, base64: &str) -> String {
    let valid = base64.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    match (valid, base64.len() <= PICTURE_BYTES) {
        (true, true) => format!("<img class=\"nb-output\" alt=\"Cell output\" src=\"data:{mime};base64,{base64}\">"),
        (true, false) => format!(
            "<p class=\"nb-output muted\">A picture of {} KB, too large for this preview.</p>",
            base64.len() * 3 / 4 / 1024
        ),
        (false, _) => "<p class=\"nb-output muted\">A picture that is not valid base64.</p>".into(),
    }
}

#[cfg(test)]
mod tests;
