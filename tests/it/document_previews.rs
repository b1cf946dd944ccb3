//! Previews of notebooks and Office documents, from files made by nbformat,
//! python-docx, openpyxl and python-pptx (tests/fixtures/previews), and a
//! decompression bomb: rendered on the server, readable without a download.

use crate::previews::{preview_html, stored, PAGE_BYTES};
use std::time::{Duration, Instant};

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{dir}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[tokio::test]
async fn a_notebook_shows_its_cells_and_outputs_without_running_its_scripts() {
    let (app, session, _, urls) = stored(&[("analysis.ipynb", &fixture("previews", "analysis.ipynb"))]).await;
    let html = preview_html(&app, &urls[0], &session).await;
    assert!(html.contains("data-kind=\"notebook\"") && html.contains("Jupyter notebook (Python) · 7 cells"), "{html}");
    for shown in [
        "<h1>Sales analysis</h1>",
        "In [1]:",
        "<pre class=\"nb-output nb-stderr\">DeprecationWarning: old api",
        "Out [2]:",
        "<td>north</td>",
        "src=\"data:image/png;base64,",
        "src=\"data:image/svg+xml;base64,",
        "ZeroDivisionError: division by zero",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    assert!(!html.contains("alert(") && !html.contains("onerror"), "{html}");
}

#[tokio::test]
async fn a_notebook_past_the_limit_shows_its_first_cells_with_a_note() {
    let mut notebook: serde_json::Value = serde_json::from_slice(&fixture("previews", "analysis.ipynb")).unwrap();
    let cells = notebook["cells"].as_array().unwrap().clone();
    notebook["cells"] = cells.iter().cycle().take(cells.len() * 2_500).cloned().collect();
    let big = serde_json::to_vec_pretty(&notebook).unwrap();
    assert!(big.len() > 5 << 20, "{}", big.len());
    let (app, session, _, urls) = stored(&[("big.ipynb", &big)]).await;
    let html = preview_html(&app, &urls[0], &session).await;
    assert!(html.len() < PAGE_BYTES, "{} bytes", html.len());
    assert!(html.contains("This preview shows the first part of this"), "{html}");
    assert!(html.contains("Jupyter notebook (Python)"), "the language, from the notebook's end");
    assert!(html.contains("<h1>Sales analysis</h1>") && html.contains("ZeroDivisionError"));
}

#[tokio::test]
async fn office_documents_show_their_text_sheets_and_slides() {
    let (app, session, _, urls) = stored(&[
        ("plan.docx", &fixture("previews", "plan.docx")),
        ("budget.xlsx", &fixture("previews", "budget.xlsx")),
        ("roadmap.pptx", &fixture("previews", "roadmap.pptx")),
    ])
    .await;
    let [docx, xlsx, pptx] = &urls[..] else { unreachable!() };

    let html = preview_html(&app, docx, &session).await;
    assert!(html.contains("data-kind=\"document\"") && html.contains("<h1>Quarterly plan</h1>"), "{html}");
    assert!(html.contains("<h2>Goals</h2>") && html.contains("<li>\n<p>Ship the gallery</p>"), "{html}");
    assert!(html.contains("<td>North</td><td>120</td>"), "{html}");

    let html = preview_html(&app, xlsx, &session).await;
    assert!(html.contains("data-kind=\"workbook\""), "{html}");
    assert!(
        html.contains("<a href=\"#sheet-1\" target=\"_self\">Revenue</a><a href=\"#sheet-2\" target=\"_self\">Costs &amp; &lt;fees&gt;</a>"),
        "{html}"
    );
    assert!(html.contains("id=\"sheet-1\"><h2>Revenue</h2>") && html.contains("<td>south</td><td>80</td>"), "{html}");
    assert!(html.contains("id=\"sheet-2\"><h2>Costs &amp; &lt;fees&gt;</h2>") && html.contains("<td>servers</td>"));

    let html = preview_html(&app, pptx, &session).await;
    assert!(html.contains("<h2>1. Roadmap 2027</h2>") && html.contains("Where we go next"), "{html}");
    let goals = html.find("<h2>2. Goals</h2>").expect("the second slide");
    assert!(html[goals..].contains("<li>Faster previews\n<ul>\n<li>Notebooks and Office</li>"), "{html}");
}

#[tokio::test]
async fn a_decompression_bomb_workbook_is_a_short_unreadable_note() {
    let (app, session, _, urls) = stored(&[("bomb.xlsx", &fixture("cards", "bomb.xlsx"))]).await;
    let started = Instant::now();
    let html = preview_html(&app, &urls[0], &session).await;
    assert!(started.elapsed() < Duration::from_secs(15), "bounded by the child: {:?}", started.elapsed());
    assert!(html.contains("This file cannot be shown"), "{html}");
}
