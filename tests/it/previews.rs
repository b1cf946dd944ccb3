//! Preview pages: bounded in size whatever the file, the body sent once,
//! and a word for files that cannot be shown as they are.

use crate::common::TestApp;
use crate::foundation::{page, page_html, session};
use axum::http::StatusCode;

/// The most a preview page may weigh (issue #11).
pub(crate) const PAGE_BYTES: usize = 2_000_000;

/// Stores `files` in one new conversation of alice's; returns the app, her
/// session, the conversation and the preview page URL of each file.
pub(crate) async fn stored(files: &[(&str, &[u8])]) -> (TestApp, String, String, Vec<String>) {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.conversation(&token, "Previews").await;
    let r = app.tool_result(&token, &cid, files).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let urls = r.json()["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("/artifacts/{cid}/{}", a["id"].as_str().unwrap()))
        .collect();
    let session = session(&app, "alice").await;
    (app, session, cid, urls)
}

#[tokio::test]
async fn huge_files_make_pages_under_2_mb_that_say_what_they_leave_out() {
    let mut json = String::from("[");
    for i in 0.. {
        json.push_str(&format!("{{\"id\":{i},\"name\":\"item {i}\",\"tags\":[\"a\",\"b\"],\"ok\":true}},"));
        if json.len() > 1_100_000 {
            break;
        }
    }
    json.push_str("{}]");
    let mut csv = String::from("id,name,amount,note\n");
    for i in 0.. {
        csv.push_str(&format!("{i},customer {i},{}.50,\"a note, with a comma\"\n", i * 7));
        if csv.len() > 20_000_000 {
            break;
        }
    }
    let js = "function f(a){return a<2?a:f(a-1)+f(a-2)};var x=[1,2,3].map(f);".repeat(16_000);
    let (app, session, _, urls) =
        stored(&[("data.json", json.as_bytes()), ("big.csv", csv.as_bytes()), ("app.min.js", js.as_bytes())]).await;

    let mut pages = Vec::new();
    for url in &urls {
        pages.push(page_html(&app, url, &session).await);
    }
    for (url, html) in urls.iter().zip(&pages) {
        assert!(html.len() < PAGE_BYTES, "{url}: {} bytes", html.len());
        assert!(html.contains("class=\"note\"") && html.contains("Download the whole file"), "{url}");
    }
    let [json_page, csv_page, js_page] = &pages[..] else { unreachable!() };
    // The one-line JSON is indented (a line per value) and coloured at its start.
    assert!(json_page.contains("\n5001\n") && json_page.contains("class=\"hl-p\""), "JSON is indented");
    assert!(json_page.contains("Colours stop after line 5000"));
    assert!(csv_page.contains("This preview shows the first part of this") && csv_page.contains("<td>customer 3</td>"));
    assert!(js_page.contains("too long to colour"));
}

#[tokio::test]
async fn the_body_is_in_the_page_once() {
    let text: String = (0..6_000).map(|i| format!("line {i}: the quick brown fox jumps over the lazy dog\n")).collect();
    let text = format!("MARKER-TEXT\n{text}");
    let code = format!("# MARKER-CODE\n{}", "total = sum(range(10))\n".repeat(2_000));
    let markdown = format!("# Notes\n\nMARKER-MD\n\n{}", "Some *rendered* paragraph.\n\n".repeat(2_000));
    let (app, session, _, urls) =
        stored(&[("notes.txt", text.as_bytes()), ("script.py", code.as_bytes()), ("notes.md", markdown.as_bytes())])
            .await;
    for (url, marker) in urls.iter().zip(["MARKER-TEXT", "MARKER-CODE", "MARKER-MD"]) {
        let html = page_html(&app, url, &session).await;
        assert_eq!(html.matches(marker).count(), 1, "{url}");
    }
    // Hydration data that repeated the body would double the page (in
    // base64, where no marker shows): the page is the text and little more.
    let html = page_html(&app, &urls[0], &session).await;
    assert!(html.len() < text.len() + 60_000, "{} bytes for {} of text", html.len(), text.len());
}

#[tokio::test]
async fn empty_broken_and_archive_files_say_what_happened() {
    let skill = crate::threads::skill_archive();
    let (app, session, cid, urls) = stored(&[
        ("empty.txt", b""),
        ("chart.png", b"<html>Internal Server Error</html>"),
        ("my-skill.skill", &skill),
        ("bundle.zip", &skill),
    ])
    .await;
    let [empty, broken, skill_page, zip_page] = &urls[..] else { unreachable!() };

    let html = page_html(&app, empty, &session).await;
    assert!(html.contains("This file is empty") && !html.contains(">Copy<"), "{html}");

    let html = page_html(&app, broken, &session).await;
    assert!(html.contains("This file cannot be shown") && html.contains("Download"), "{html}");
    assert!(!html.contains("<img"), "no broken-image glyph: {html}");

    let html = page_html(&app, skill_page, &session).await;
    let member = format!("/api/threads/{cid}/artifacts/mnt/user-data/outputs/my-skill.skill/scripts/install.sh");
    assert!(html.contains("2 files in this archive") && html.contains(&format!("href=\"{member}\"")), "{html}");
    let r = page(&app, &member, &session).await;
    assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, "#!/bin/sh\necho installing\n"));

    let html = page_html(&app, zip_page, &session).await;
    assert!(html.contains("SKILL.md") && html.contains("Download the archive to open its files."), "{html}");
    assert!(!html.contains("/api/threads/"), "a plain ZIP's members are not served: {html}");
}

#[tokio::test]
async fn the_name_and_download_come_before_the_body_and_scroll_boxes_are_named_stops() {
    let (app, session, _, urls) = stored(&[
        ("script.py", b"total = sum(range(10))\n"),
        ("sales.csv", b"region,amount\nnorth,10\n"),
        ("run.json", br#"{"a": [1, 2]}"#),
    ])
    .await;
    for (url, region) in urls.iter().zip(["Code", "Table", "JSON tree"]) {
        let html = page_html(&app, url, &session).await;
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{url}: no {needle} in {html}"));
        // In this order, so that a phone, in one column, shows them first.
        assert!(at("class=\"meta-name\">") < at(">Download</a>"), "{url}");
        assert!(at(">Download</a>") < at("class=\"preview-body\">"), "{url}");
        assert!(html.contains(&format!("tabindex=\"0\" role=\"region\" aria-label=\"{region}\"")), "{url}: {html}");
    }
}

#[tokio::test]
async fn a_markdown_previews_tables_and_code_are_named_scroll_boxes_and_its_raw_html_makes_none() {
    let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n\n```sql\nselect 1;\n```\n\n\
              <div tabindex=\"0\" role=\"region\" aria-label=\"Raw\">raw</div>\n";
    let (app, session, _, urls) = stored(&[("notes.md", md.as_bytes())]).await;
    let html = page_html(&app, &urls[0], &session).await;
    for label in ["Table 1 of 2", "Table 2 of 2", "Code (sql)"] {
        assert!(html.contains(&format!("tabindex=\"0\" role=\"region\" aria-label=\"{label}\"")), "{label}: {html}");
    }
    assert!(html.contains("<div>raw</div>") && !html.contains("aria-label=\"Raw\""), "{html}");
}

/// `/highlight.css` is asked for by the pages that show highlighted code,
/// and by no other (issue #11).
#[tokio::test]
async fn only_pages_with_highlighted_code_ask_for_its_stylesheet() {
    let (app, session, _, urls) = stored(&[
        ("script.py", b"total = sum(range(10))\n"),
        ("notes.md", b"# Notes\n\nSome text.\n"),
        ("notes.txt", b"plain text\n"),
        ("sales.csv", b"region,amount\nnorth,10\n"),
    ])
    .await;
    let link = "href=\"/highlight.css\"";
    for (url, wanted) in urls.iter().zip([true, true, false, false]) {
        assert_eq!(page_html(&app, url, &session).await.contains(link), wanted, "{url}");
    }
    assert!(!page(&app, "/artifacts", &session).await.text().contains(link), "the gallery");
}
