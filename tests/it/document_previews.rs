//! Previews of notebooks and Office documents, from files made by nbformat,
//! python-docx, openpyxl and python-pptx (tests/fixtures/previews), and a
//! decompression bomb: rendered on the server, readable without a download.

use crate::drawn::content;
use crate::foundation::page_html;
use crate::previews::{stored, PAGE_BYTES};
use axum::http::StatusCode;
use std::io::{Read, Write};
use vitrine::server::convert::MAX_PICTURES;

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{dir}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[tokio::test]
async fn a_notebook_shows_its_cells_and_outputs_without_running_its_scripts() {
    let (app, session, _, urls) = stored(&[("analysis.ipynb", &fixture("previews", "analysis.ipynb"))]).await;
    let html = page_html(&app, &urls[0], &session).await;
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
async fn a_notebook_shows_no_broken_image() {
    let notebook = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Plots\n\n<img src=x> ![the plot](plots/fig.png)"},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "show()", "outputs": [
            {"output_type": "display_data", "metadata": {}, "data": {"text/html": [
                "<img src=\"x\" alt=\"Chart\"><img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==\">"
            ]}}
        ]}
    ]});
    let (app, session, _, urls) = stored(&[("plots.ipynb", &serde_json::to_vec(&notebook).unwrap())]).await;
    let html = page_html(&app, &urls[0], &session).await;
    assert!(html.contains("<h1>Plots</h1>"), "{html}");
    assert!(!html.contains("<img src=\"x\"") && !html.contains("/x\""), "{html}");
    assert!(html.contains("<img alt=\"Chart\">"), "its alt text instead: {html}");
    assert!(html.contains("/plots/fig.png\" alt=\"the plot\">"), "a sibling picture stays: {html}");
    assert!(
        html.contains(
            "<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==\" alt=\"\">"
        ),
        "a picture without alt text gets an empty one: {html}"
    );
}

#[tokio::test]
async fn a_notebook_past_the_limit_shows_its_first_cells_with_a_note() {
    let mut notebook: serde_json::Value = serde_json::from_slice(&fixture("previews", "analysis.ipynb")).unwrap();
    let cells = notebook["cells"].as_array().unwrap().clone();
    notebook["cells"] = cells.iter().cycle().take(cells.len() * 2_500).cloned().collect();
    let big = serde_json::to_vec_pretty(&notebook).unwrap();
    assert!(big.len() > 5 << 20, "{}", big.len());
    let (app, session, _, urls) = stored(&[("big.ipynb", &big)]).await;
    let html = page_html(&app, &urls[0], &session).await;
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

    let html = page_html(&app, docx, &session).await;
    assert!(html.contains("data-kind=\"document\"") && html.contains("<h1>Quarterly plan</h1>"), "{html}");
    assert!(html.contains("<h2>Goals</h2>") && html.contains("<li>\n<p>Ship the gallery</p>"), "{html}");
    assert!(html.contains("<td>North</td><td>120</td>"), "{html}");

    let html = page_html(&app, xlsx, &session).await;
    assert!(html.contains("data-kind=\"workbook\""), "{html}");
    assert!(
        html.contains("<a href=\"#sheet-1\" target=\"_self\">Revenue</a><a href=\"#sheet-2\" target=\"_self\">Costs &amp; &lt;fees&gt;</a>"),
        "{html}"
    );
    // Each tab is marked while its sheet is the fragment's, without script too.
    let marks = ".workbook:has(#sheet-1:target) .sheet-tabs a:nth-child(1), .workbook:has(#sheet-2:target) .sheet-tabs a:nth-child(2) {";
    assert!(html.contains(&format!("<style>{marks}")), "{html}");
    assert!(html.contains("id=\"sheet-1\"><h2>Revenue</h2>") && html.contains("<td>south</td><td>80</td>"), "{html}");
    assert!(html.contains("id=\"sheet-2\"><h2>Costs &amp; &lt;fees&gt;</h2>") && html.contains("<td>servers</td>"));

    let html = page_html(&app, pptx, &session).await;
    assert!(html.contains("<h2>1. Roadmap 2027</h2>") && html.contains("Where we go next"), "{html}");
    let goals = html.find("<h2>2. Goals</h2>").expect("the second slide");
    assert!(html[goals..].contains("<li>Faster previews\n<ul>\n<li>Notebooks and Office</li>"), "{html}");
    // Its long type wraps at its punctuation, not mid-word.
    let mime =
        "application/<wbr>vnd.<wbr>openxmlformats-<wbr>officedocument.<wbr>presentationml.<wbr>presentation<wbr>";
    assert!(html.contains(mime), "{html}");
}

#[tokio::test]
async fn a_decompression_bomb_workbook_is_a_short_unreadable_note() {
    let (app, session, _, urls) = stored(&[("bomb.xlsx", &fixture("cards", "bomb.xlsx"))]).await;
    let html = page_html(&app, &urls[0], &session).await;
    assert!(html.contains("This file cannot be shown"), "{html}");
}

/// The `src` of each picture in a preview page's document.
fn pictures(page: &str) -> Vec<String> {
    let article = &page[page.find("<article class=\"markdown\">").expect("a document")..];
    let article = &article[..article.find("</article>").unwrap()];
    article.split("<img src=\"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].replace("&amp;", "&")).collect()
}

/// A part of an Office document's ZIP.
fn part(document: &[u8], name: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(document)).unwrap();
    zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

#[tokio::test]
async fn office_documents_show_their_pictures_from_the_content_origin() {
    let (docx, pptx) = (fixture("previews", "pictures.docx"), fixture("previews", "pictures.pptx"));
    let (app, session, _, urls) = stored(&[("pictures.docx", &docx), ("Pictures.PPTX", &pptx)]).await;
    let page = page_html(&app, &urls[0], &session).await;
    assert!(page.contains("data-kind=\"document\"") && page.contains("<h1>Field report</h1>"), "{page}");
    assert!(page.contains("alt=\"Sales chart\""), "{page}");
    assert!(!page.contains("tracker.example"), "a linked picture is never fetched: {page}");
    let srcs = pictures(&page);
    assert_eq!(srcs.len(), 2, "{page}");
    let at = "http://usercontent.localhost:3000/";
    for (src, member) in srcs.iter().zip(["word/media/image1.png", "word/media/image2.png"]) {
        assert!(
            src.starts_with(at) && src.ends_with(&format!("/mnt/user-data/outputs/pictures.docx/{member}")),
            "{src}"
        );
        let r = content(&app, src).await;
        assert_eq!(r.status, StatusCode::OK, "{src}: {}", r.text());
        assert_eq!(r.header("content-type"), "image/png");
        assert_eq!(r.body, part(&docx, member), "{member}");
    }
    // Only pictures of the media folder are served, nothing else of the document.
    for other in ["word/document.xml", "docProps/thumbnail.jpeg", "word/_rels/document.xml.rels"] {
        let src = srcs[0].replace("word/media/image1.png", other);
        assert_eq!(content(&app, &src).await.status, StatusCode::NOT_FOUND, "{other}");
    }

    let page = page_html(&app, &urls[1], &session).await;
    let srcs = pictures(&page);
    assert_eq!(srcs.len(), 3, "{page}");
    let (slide1, slide2) = (page.find("<h2>1. Charts</h2>").unwrap(), page.find("<h2>2. Team</h2>").unwrap());
    let first = page.find("Pictures.PPTX/ppt/media/image1.png").unwrap();
    assert!(slide1 < first && first < slide2 && page.rfind("ppt/media/image3.png").unwrap() > slide2, "in slide order");
    for (src, member) in srcs.iter().zip(["ppt/media/image1.png", "ppt/media/image2.png", "ppt/media/image3.png"]) {
        let r = content(&app, src).await;
        assert_eq!((r.status, r.header("content-type")), (StatusCode::OK, "image/png"), "{src}");
        assert_eq!(r.body, part(&pptx, member), "{member}");
    }
}

#[tokio::test]
async fn a_docx_with_ten_thousand_pictures_is_bounded() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let (mut body, mut rels) = (String::new(), String::new());
    for i in 0..10_000 {
        body.push_str(&format!("<w:p><w:r><w:drawing><a:blip r:embed=\"rId{i}\"/></w:drawing></w:r></w:p>"));
        rels.push_str(&format!("<Relationship Id=\"rId{i}\" Target=\"media/image{i}.png\"/>"));
        zip.start_file(format!("word/media/image{i}.png"), opts).unwrap();
        zip.write_all(b"\x89PNG\r\n\x1a\n").unwrap();
    }
    let namespaces =
        r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:a="a" xmlns:r="r""#;
    zip.start_file("word/document.xml", opts).unwrap();
    write!(zip, "<w:document {namespaces}><w:body><w:p><w:r><w:t>Many</w:t></w:r></w:p>{body}</w:body></w:document>")
        .unwrap();
    zip.start_file("word/_rels/document.xml.rels", opts).unwrap();
    write!(zip, "<Relationships>{rels}</Relationships>").unwrap();
    let docx = zip.finish().unwrap().into_inner();

    let (app, session, _, urls) = stored(&[("many.docx", &docx)]).await;
    let page = page_html(&app, &urls[0], &session).await;
    assert!(page.len() < PAGE_BYTES, "{} bytes", page.len());
    let srcs = pictures(&page);
    assert_eq!(srcs.len(), MAX_PICTURES, "{page}");
    assert!(page.contains(&format!("{} more pictures are not shown.", 10_000 - MAX_PICTURES)), "{page}");
    // An archive of more entries than the archive limits allow is not opened.
    let r = content(&app, &srcs[0]).await;
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.text());
}
