use super::*;

/// Written by nbformat (tests/fixtures/previews/analysis.ipynb): Markdown
/// with a script, streams, an HTML table with a script, a PNG, an SVG with
/// a script, an error with ANSI colours, a cell never run and a raw cell.
const ANALYSIS: &str = include_str!("../../../../tests/fixtures/previews/analysis.ipynb");

fn url() -> Url {
    Url::parse("http://usercontent.localhost:3000/TOKEN/mnt/user-data/outputs/analysis.ipynb").unwrap()
}

#[test]
fn cells_and_outputs_render_safely() {
    let nb = to_html(ANALYSIS, None, &url()).expect("a notebook");
    let html = &nb.html;
    assert_eq!((nb.language.as_deref(), nb.cells, nb.complete), (Some("Python"), 7, true));
    assert!(html.contains("<h1>Sales analysis</h1>") && html.contains("<strong>revenue</strong>"), "{html}");
    assert!(html.contains("In [1]:") && html.contains("<span class=\"hl-k\">def </span>"), "{html}");
    assert!(html.contains("<pre class=\"nb-output nb-stdout\">loaded\n</pre>"), "{html}");
    assert!(html.contains("<pre class=\"nb-output nb-stderr\">DeprecationWarning: old api\n</pre>"), "{html}");
    assert!(html.contains("Out [2]:") && html.contains("<td>north</td>"), "{html}");
    assert!(html.contains("<img class=\"nb-output\" alt=\"Cell output\" src=\"data:image/png;base64,iVBOR"), "{html}");
    assert!(html.contains("src=\"data:image/svg+xml;base64,PHN2Zy"), "{html}");
    assert!(html.contains("ZeroDivisionError: division by zero") && !html.contains('\u{1b}'), "{html}");
    assert!(html.contains("In [ ]:") && html.contains("raw &lt;text&gt;"), "{html}");
    for unsafe_ in ["<script", "alert(", "onerror", "<svg"] {
        assert!(!html.contains(unsafe_), "{unsafe_}: {html}");
    }
}

#[test]
fn a_cut_notebook_shows_its_whole_cells_and_finds_its_language_at_the_end() {
    let cut = ANALYSIS.find("\"plot()\"").expect("the fourth cell");
    let tail = &ANALYSIS[ANALYSIS.len() - 600..];
    let nb = to_html(&ANALYSIS[..cut], Some(tail), &url()).expect("the first cells");
    assert_eq!((nb.cells, nb.language.as_deref()), (3, Some("Python")));
    assert!(nb.html.contains("<td>north</td>") && !nb.html.contains("data:image"), "{}", nb.html);
    assert!(to_html(&ANALYSIS[..cut], None, &url()).unwrap().language.is_none());
}

#[test]
fn json_without_cells_is_not_a_notebook() {
    assert!(to_html("[1, 2]", None, &url()).is_none());
    assert!(to_html("{\"cells\": [{\"cell_ty", None, &url()).is_none());
    assert_eq!(to_html("{\"cells\": []}", None, &url()).map(|n| n.cells), Some(0));
}

#[test]
fn html_stops_at_the_bound_between_cells() {
    let cell = serde_json::json!({"cell_type": "code", "source": "x = 1", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": "y".repeat(300 * 1024)}
    ]});
    let notebook = serde_json::json!({"cells": vec![cell; 10], "metadata": {}}).to_string();
    let nb = to_html(&notebook, None, &url()).unwrap();
    assert!(!nb.complete && nb.cells == 3 && nb.html.len() <= HTML_BYTES, "{} {}", nb.cells, nb.html.len());
}

#[test]
fn oversized_and_malformed_pictures_are_left_out() {
    assert!(picture_html("image/png", &"A".repeat(PICTURE_BYTES + 1)).contains("too large"));
    assert!(picture_html("image/png", "AAAA\" onload=\"x").contains("not valid base64"));
}
