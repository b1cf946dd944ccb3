//! Previews drawn by scripts (Mermaid diagrams, KaTeX math) in a sandboxed
//! frame on the content origin, with the scripts served there; JSON trees;
//! an SVG's Source tab.

use crate::common::{Reply, TestApp};
use crate::foundation::page_html;
use crate::previews::stored;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

const FLOW: &str = "# Plan\n\n```mermaid\nflowchart TD\n  A[Start] --> B{Ready?}\n```\n";
const MATH: &str = "# Area\n\nA circle's is $\\pi r^2$:\n\n$$x^2 < 1$$\n";
const PLAIN: &str = "# Costs\n\nFive dollars, $5, not $6.\n\n```python\nx = 1\n```\n";

/// A GET to the content host.
pub(crate) async fn content(app: &TestApp, target: &str) -> Reply {
    let target = target.strip_prefix("http://usercontent.localhost:3000").unwrap_or(target);
    let req = Request::get(target).header(header::HOST, "usercontent.localhost:3000").body(Body::empty()).unwrap();
    app.send(req).await
}

/// The frame a preview page shows its body in, if any.
pub(crate) fn frame_src(page: &str) -> Option<String> {
    let at = page.find("src=\"http://usercontent.localhost:3000/draw/")? + "src=\"".len();
    Some(page[at..at + page[at..].find('"').unwrap()].replace("&amp;", "&"))
}

/// The drawn page: HTML under the strict sandboxed policy.
pub(crate) async fn drawn(app: &TestApp, src: &str) -> String {
    let r = content(app, src).await;
    assert_eq!(r.status, StatusCode::OK, "{src}: {}", r.text());
    assert!(r.header("content-type").starts_with("text/html"));
    let at = "http://usercontent.localhost:*";
    let strict = format!(
        "sandbox allow-scripts; default-src 'none'; script-src {at}/assets/; style-src {at}/assets/ 'unsafe-inline'; \
         font-src {at}/assets/; img-src {at} data:"
    );
    assert_eq!(r.header("content-security-policy"), strict);
    r.text()
}

#[tokio::test]
async fn markdown_with_diagrams_or_math_is_framed_and_plain_markdown_is_not() {
    let files: &[(&str, &[u8])] =
        &[("plan.md", FLOW.as_bytes()), ("area.md", MATH.as_bytes()), ("costs.md", PLAIN.as_bytes())];
    let (app, session, _, urls) = stored(files).await;
    let mut pages = Vec::new();
    for url in &urls {
        pages.push(page_html(&app, url, &session).await);
    }
    let [plan, area, costs] = &pages[..] else { unreachable!() };

    assert!(plan.contains("data-kind=\"drawn\"") && plan.contains("sandbox=\"allow-scripts\""), "{plan}");
    assert!(!plan.contains("mermaid.min.js") && !plan.contains("flowchart"), "nothing of it in the app's page");
    let page = drawn(&app, &frame_src(plan).expect("a frame")).await;
    assert!(page.contains("<pre class=\"mermaid\">flowchart TD\n  A[Start] --&gt; B{Ready?}\n</pre>"), "{page}");
    assert!(page.contains("<script src=\"/assets/mermaid.min.js\"></script><script src=\"/assets/draw.js\">"));
    assert!(!page.contains("katex"), "{page}");

    let page = drawn(&app, &frame_src(area).expect("a frame")).await;
    assert!(page.contains("<span class=\"math math-inline\">\\pi r^2</span>"), "{page}");
    assert!(page.contains("<span class=\"math math-display\">x^2 &lt; 1</span>"), "{page}");
    assert!(page.contains("href=\"/assets/katex.min.css\"") && page.contains("src=\"/assets/katex.min.js\""));
    assert!(!page.contains("mermaid.min.js"), "{page}");

    assert!(costs.contains("data-kind=\"markdown\"") && costs.contains("<article class=\"markdown\">"), "{costs}");
    assert!(frame_src(costs).is_none() && costs.contains("$5, not $6"), "{costs}");
}

#[tokio::test]
async fn the_drawing_scripts_are_served_by_the_content_origin_sandboxed() {
    let app = TestApp::new();
    for (file, kind) in [
        ("mermaid.min.js", "text/javascript"),
        ("katex.min.js", "text/javascript"),
        ("draw.js", "text/javascript"),
        ("katex.min.css", "text/css"),
        ("fonts/KaTeX_Main-Regular.woff2", "font/woff2"),
    ] {
        let r = content(&app, &format!("/assets/{file}")).await;
        assert_eq!(r.status, StatusCode::OK, "{file}: run `make assets` first");
        assert!(r.header("content-type").starts_with(kind), "{file}: {}", r.header("content-type"));
        assert!(r.header("content-security-policy").starts_with("sandbox allow-scripts;"), "{file}");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert_eq!(r.header("access-control-allow-origin"), "*", "fonts load from an opaque origin");
        assert!(!r.body.is_empty() && !r.header("etag").is_empty(), "{file}");
    }
    let mermaid = content(&app, "/assets/mermaid.min.js").await;
    assert!(mermaid.text().contains("globalThis[\"mermaid\"]"), "the bundle that sets the global");
    for missing in
        ["/assets/missing.js", "/assets/../Cargo.toml", "/assets/VERSIONS", "/assets/fonts/KaTeX_Main-Regular.ttf"]
    {
        assert_eq!(content(&app, missing).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
    // The app's own host serves none of it.
    let r = app.send(Request::get("/assets/mermaid.min.js").body(Body::empty()).unwrap()).await;
    assert_ne!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn the_frame_draws_in_the_page_theme_and_tells_its_height_alone() {
    let (app, session, _, urls) = stored(&[("plan.md", FLOW.as_bytes())]).await;
    let page = page_html(&app, &urls[0], &session).await;
    // Without wasm the frame keeps the stylesheet's height: nothing inline.
    let frame = &page[page.find("<iframe ").unwrap()..];
    let frame = &frame[..frame.find('>').unwrap()];
    assert!(frame.contains("class=\"html-frame\"") && !frame.contains("style"), "{frame}");
    let drawn = drawn(&app, &frame_src(&page).expect("a frame")).await;
    assert!(drawn.ends_with("<script src=\"/assets/draw.js\"></script></body></html>"), "{drawn}");
    assert!(drawn.contains("background: var(--bg);") && drawn.contains("--bg: #111418;"), "{drawn}");

    let script = content(&app, "/assets/draw.js").await.text();
    assert!(script.contains("matchMedia(\"(prefers-color-scheme: dark)\")"), "{script}");
    assert!(script.contains("theme: now === \"dark\" ? \"dark\" : \"default\""), "{script}");
    assert!(script.contains("dark.addEventListener(\"change\""), "drawn again when the theme changes: {script}");
    // A number, to the parent alone; nothing of the file.
    assert_eq!(script.matches("postMessage(").count(), 1, "{script}");
    assert!(script.contains("parent.postMessage({ vitrineDrawnHeight: (told = height) }, \"*\")"), "{script}");
    assert!(script.contains("new ResizeObserver("), "{script}");
}

#[tokio::test]
async fn a_mermaid_file_is_drawn_and_a_drawn_page_needs_its_capability() {
    let (app, session, _, urls) = stored(&[("flow.mmd", b"graph LR\n  a --> b\n"), ("notes.txt", b"hello")]).await;
    let page = page_html(&app, &urls[0], &session).await;
    let src = frame_src(&page).expect("a frame");
    let drawn = drawn(&app, &src).await;
    assert!(drawn.contains("<pre class=\"mermaid\">graph LR\n  a --&gt; b\n</pre>"), "{drawn}");

    let notes = src.replace("flow.mmd", "notes.txt");
    assert_eq!(content(&app, &notes).await.status, StatusCode::BAD_REQUEST, "only Markdown and Mermaid are drawn");
    let (start, rest) = src.split_at(src.find("/draw/").unwrap() + "/draw/".len());
    // Another first character (the same one, 1 time in 64, forged nothing).
    let other = if rest.starts_with('x') { 'y' } else { 'x' };
    let forged = format!("{start}{other}{}", &rest[1..]);
    assert_eq!(content(&app, &forged).await.status, StatusCode::FORBIDDEN);
    let outside = src.replace("mnt/user-data/outputs/flow.mmd", "mnt/user-data/../flow.mmd");
    assert_ne!(content(&app, &outside).await.status, StatusCode::OK);
}

#[tokio::test]
async fn json_is_a_foldable_tree_and_json_lines_a_record_each() {
    let json = br#"{"name": "run 7", "scores": [0.5, 0.75], "params": {"lr": 0.001, "tags": []}}"#;
    let lines = b"{\"step\": 1, \"loss\": 2.5}\n{\"step\": 2, \"loss\": 1.25}\nnot json\n";
    let (app, session, _, urls) = stored(&[("run.json", json), ("log.jsonl", lines)]).await;
    let tree = page_html(&app, &urls[0], &session).await;
    assert!(
        tree.contains("data-kind=\"tree\"")
            && tree.contains("<div tabindex=\"0\" role=\"region\" aria-label=\"JSON tree\" class=\"json-view\">"),
        "{tree}"
    );
    assert!(tree.contains("<details open><summary><span class=\"hl-p\">&quot;scores&quot;</span>: ["), "{tree}");
    assert!(tree.contains("<span class=\"json-count\">2 items</span>"), "{tree}");
    let log = page_html(&app, &urls[1], &session).await;
    assert_eq!(log.matches("<details class=\"json-record\">").count(), 3, "{log}");
    assert!(log.contains("This line is not JSON."), "{log}");
}

#[tokio::test]
async fn an_svg_has_picture_and_source_tabs() {
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle r=\"4\"/></svg>\n";
    let (app, session, _, urls) = stored(&[("dot.svg", svg)]).await;
    let picture = page_html(&app, &urls[0], &session).await;
    assert!(picture.contains("data-kind=\"svg\"") && picture.contains("<div class=\"image-frame\"><img"), "{picture}");
    assert!(!picture.contains("class=\"hl-g\""), "no source on the Picture tab");
    let source_link = format!("href=\"{}?view=source\"", urls[0]);
    assert!(picture.contains(&source_link), "{picture}");
    let source = page_html(&app, &format!("{}?view=source", urls[0]), &session).await;
    assert!(source.contains("data-language=\"XML\"") && source.contains("class=\"hl-g\">svg"), "{source}");
    assert!(!source.contains("<div class=\"image-frame\">"), "{source}");
    assert!(source.contains(&format!("href=\"{}\"", urls[0])), "the Picture tab: {source}");
}

/// A notebook (nbformat 4) of these cells, in Python.
fn notebook(cells: serde_json::Value) -> Vec<u8> {
    let kernel =
        serde_json::json!({"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}});
    serde_json::to_vec(&serde_json::json!({"cells": cells, "metadata": kernel, "nbformat": 4, "nbformat_minor": 5}))
        .unwrap()
}

#[tokio::test]
async fn a_notebook_with_math_is_drawn_in_the_frame_and_one_without_is_not() {
    let math = notebook(serde_json::json!([
        {"cell_type": "markdown", "metadata": {}, "source": ["# Fit\n", "\n", "The loss is $\\alpha x^2$:\n", "\n", "$$L < 1$$\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["done\n"]}
        ], "source": ["print('done')"]}
    ]));
    let plain = notebook(serde_json::json!([
        {"cell_type": "markdown", "metadata": {}, "source": ["# Costs\n", "\n", "Five dollars, $5, not $6.\n"]}
    ]));
    let (app, session, _, urls) = stored(&[("fit.ipynb", &math), ("costs.ipynb", &plain)]).await;
    let page = page_html(&app, &urls[0], &session).await;
    assert!(page.contains("data-kind=\"drawn\"") && page.contains("sandbox=\"allow-scripts\""), "{page}");
    assert!(!page.contains("katex") && !page.contains("alpha x^2"), "nothing of it in the app's page");
    let frame = drawn(&app, &frame_src(&page).expect("a frame")).await;
    assert!(frame.contains("<article class=\"markdown notebook\"><div class=\"nb-cell nb-markdown\"><h1>Fit</h1>"));
    assert!(frame.contains("<span class=\"math math-inline\">\\alpha x^2</span>"), "{frame}");
    assert!(frame.contains("<span class=\"math math-display\">L &lt; 1</span>"), "{frame}");
    assert!(frame.contains("In [1]:") && frame.contains("<pre class=\"nb-output nb-stdout\">done"), "{frame}");
    assert!(frame.contains(".notebook .nb-prompt {"), "the app's notebook rules: {frame}");
    assert!(frame.contains("href=\"/assets/katex.min.css\"") && frame.contains("src=\"/assets/katex.min.js\""));
    assert!(!frame.contains("mermaid.min.js"), "{frame}");

    let page = page_html(&app, &urls[1], &session).await;
    assert!(page.contains("data-kind=\"notebook\"") && frame_src(&page).is_none(), "{page}");
    assert!(page.contains("$5, not $6"), "{page}");
    let src = frame_src(&page_html(&app, &urls[0], &session).await).unwrap().replace("fit.ipynb", "costs.ipynb");
    assert_eq!(content(&app, &src).await.status, StatusCode::BAD_REQUEST, "a notebook without math is not drawn");
}
