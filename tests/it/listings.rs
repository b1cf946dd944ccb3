//! Gallery listings and "download all" ZIPs.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;
use std::io::Read;

async fn seeded() -> (TestApp, String, String, String) {
    let app = TestApp::new();
    let token = app.user("alice");
    let a = app.conversation(&token, "Alpha").await;
    let b = app.conversation(&token, "Beta").await;
    app.tool_result(&token, &a, &[("chart.png", b"png-a"), ("report.html", b"<p>a</p>"), ("x.py", b"print(1)")]).await;
    app.tool_result(&token, &b, &[("chart.png", b"png-b"), ("data.csv", b"1,2"), ("notes.md", b"# n")]).await;
    (app, token, a, b)
}

#[tokio::test]
async fn listing_pages_filters_and_counts() {
    let (app, token, a, _) = seeded().await;
    let all = app.get("/api/artifacts", &token).await.json();
    assert_eq!((all["page"].clone(), all["size"].clone(), all["total"].clone()), (json!(1), json!(24), json!(6)));
    assert_eq!(all["counts"], json!({ "all": 6, "images": 2, "html": 1, "code": 2, "files": 1 }));
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["notes.md", "data.csv", "chart.png", "x.py", "report.html", "chart.png"], "newest first");
    let item = &all["items"][0];
    for key in [
        "id",
        "conversation_id",
        "conversation_title",
        "name",
        "size",
        "mime_type",
        "type",
        "created_at",
        "url",
        "download_url",
        "path",
    ] {
        assert!(item.get(key).is_some(), "{key}");
    }

    let images = app.get("/api/artifacts?type=images&size=1&page=2", &token).await.json();
    assert_eq!(images["total"], 2);
    assert_eq!(images["items"][0]["conversation_title"], "Alpha");
    assert_eq!(images["counts"]["all"], 6, "counts ignore the filter");
    let past = app.get("/api/artifacts?page=99", &token).await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(past.json()["items"], json!([]));

    let conv = app.get(&format!("/api/conversations/{a}/artifacts?type=code"), &token).await.json();
    assert_eq!(conv["total"], 1);
    assert_eq!(conv["items"][0]["name"], "x.py");
    assert_eq!(conv["counts"]["all"], 3);

    for (query, needle) in [
        ("page=0", "Invalid page '0'"),
        ("page=abc", "Invalid page 'abc'"),
        ("size=0", "Invalid size '0': expected a whole number from 1 to 100"),
        ("size=101", "Invalid size '101'"),
        ("type=video", "Invalid type 'video': expected one of all, images, html, code, files"),
    ] {
        let r = app.get(&format!("/api/artifacts?{query}"), &token).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.json()["detail"].as_str().unwrap().contains(needle), "{query}: {}", r.text());
    }
}

fn names(page: &serde_json::Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn listing_search_and_sort() {
    let (app, token, a, _) = seeded().await;
    let by_name = app.get("/api/artifacts?sort=name", &token).await.json();
    assert_eq!(names(&by_name), ["chart.png", "chart.png", "data.csv", "notes.md", "report.html", "x.py"]);
    let oldest = app.get("/api/artifacts?sort=oldest&size=2&page=2", &token).await.json();
    assert_eq!(names(&oldest), ["x.py", "chart.png"]);
    let largest = app.get("/api/artifacts?sort=size", &token).await.json();
    assert_eq!(
        names(&largest),
        ["x.py", "report.html", "chart.png", "chart.png", "notes.md", "data.csv"],
        "largest first, newest first among equal sizes"
    );

    let found = app.get("/api/artifacts?q=CHART", &token).await.json();
    assert_eq!(names(&found), ["chart.png", "chart.png"]);
    assert_eq!(found["total"], 2);
    assert_eq!(found["counts"], json!({ "all": 2, "images": 2, "html": 0, "code": 0, "files": 0 }));
    let filtered = app.get("/api/artifacts?q=.&type=code&sort=name", &token).await.json();
    assert_eq!(names(&filtered), ["notes.md", "x.py"]);
    assert_eq!(filtered["counts"]["all"], 6);
    let none = app.get("/api/artifacts?q=nothing-like-this", &token).await.json();
    assert_eq!((none["total"].clone(), none["items"].clone()), (json!(0), json!([])));
    let conv = app.get(&format!("/api/conversations/{a}/artifacts?q=chart"), &token).await.json();
    assert_eq!(conv["total"], 1);
    // In no name or title, whichever database (PostgreSQL's text cannot hold one).
    for listing in ["/api/artifacts".to_string(), format!("/api/conversations/{a}/artifacts")] {
        let nul = app.get(&format!("{listing}?q=chart%00"), &token).await;
        assert_eq!(nul.status, StatusCode::OK, "{}", nul.text());
        assert_eq!((nul.json()["total"].clone(), nul.json()["counts"]["all"].clone()), (json!(0), json!(0)));
    }

    let zip = app.get("/api/artifacts.zip?q=chart", &token).await;
    assert_eq!(unzip(&zip.body).len(), 2);

    for (query, needle) in [
        ("sort=date", "Invalid sort 'date': expected one of newest, oldest, name, size"),
        (&format!("q={}", "x".repeat(201)), "Invalid q: at most 200 characters"),
    ] {
        let r = app.get(&format!("/api/artifacts?{query}"), &token).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(r.json()["detail"].as_str().unwrap().contains(needle), "{query}: {}", r.text());
    }
}

/// A search finds the artifacts whose conversation's title contains it,
/// as well as those whose name does; in listings, counts and ZIPs alike.
#[tokio::test]
async fn search_matches_conversation_titles() {
    let (app, token, a, _) = seeded().await;
    let c = app.conversation(&token, "Quarterly Revenue review").await;
    app.tool_result(&token, &c, &[("summary.md", b"# s"), ("plot.png", b"png-c")]).await;
    app.tool_result(&token, &a, &[("revenue.py", b"print(2)")]).await;

    let found = app.get("/api/artifacts?q=revenue", &token).await.json();
    assert_eq!(names(&found), ["revenue.py", "plot.png", "summary.md"], "by title or by name, newest first");
    assert_eq!(found["counts"], json!({ "all": 3, "images": 1, "html": 0, "code": 2, "files": 0 }));
    let images = app.get("/api/artifacts?q=QUARTERLY&type=images", &token).await.json();
    assert_eq!(names(&images), ["plot.png"]);
    let beta = app.get("/api/artifacts?q=beta&sort=name", &token).await.json();
    assert_eq!(names(&beta), ["chart.png", "data.csv", "notes.md"], "Beta's files, none of them named so");
    let in_alpha = app.get(&format!("/api/conversations/{a}/artifacts?q=alpha"), &token).await.json();
    assert_eq!(in_alpha["total"], 4);
    let zip = app.get("/api/artifacts.zip?q=revenue", &token).await;
    assert_eq!(unzip(&zip.body).len(), 3);
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            (f.name().unwrap().to_string(), body)
        })
        .collect()
}

#[tokio::test]
async fn download_all_as_zip() {
    let (app, token, a, _) = seeded().await;
    let r = app.get(&format!("/api/conversations/{a}/artifacts.zip"), &token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/zip");
    assert_eq!(r.header("content-disposition"), "attachment; filename=\"Alpha.zip\"; filename*=UTF-8''Alpha.zip");
    let mut files = unzip(&r.body);
    files.sort();
    assert_eq!(
        files,
        [
            ("chart.png".to_string(), b"png-a".to_vec()),
            ("report.html".to_string(), b"<p>a</p>".to_vec()),
            ("x.py".to_string(), b"print(1)".to_vec())
        ]
    );

    let r = app.get("/api/artifacts.zip?type=images", &token).await;
    let files = unzip(&r.body);
    assert_eq!(files, [("chart.png".to_string(), b"png-b".to_vec()), ("chart_1.png".to_string(), b"png-a".to_vec())]);
    assert_eq!(unzip(&app.get("/api/artifacts.zip", &token).await.body).len(), 6);
    assert_eq!(app.get("/api/artifacts.zip?type=nope", &token).await.status, StatusCode::BAD_REQUEST);

    let bob = app.user("bob");
    assert_eq!(app.get(&format!("/api/conversations/{a}/artifacts.zip"), &bob).await.status, StatusCode::NOT_FOUND);
    assert!(unzip(&app.get("/api/artifacts.zip", &bob).await.body).is_empty());
}

#[tokio::test]
async fn deleted_artifacts_leave_every_listing_at_once() {
    let (app, token, a, _) = seeded().await;
    let item = app.get(&format!("/api/conversations/{a}/artifacts?type=html"), &token).await.json()["items"][0].clone();
    let thread_url = format!("/api/threads/{a}/artifacts/mnt/user-data/outputs/report.html");
    // Read first, so that a copy kept in memory would be there to answer.
    assert_eq!(app.get(item["url"].as_str().unwrap(), &token).await.body, b"<p>a</p>");
    assert_eq!(app.get(&thread_url, &token).await.body, b"<p>a</p>");
    let r = app.call(Method::DELETE, item["url"].as_str().unwrap(), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/artifacts", &token).await.json()["counts"]["html"], 0);
    assert_eq!(app.get(&format!("/api/conversations/{a}/artifacts"), &token).await.json()["total"], 2);
    assert_eq!(app.get(item["url"].as_str().unwrap(), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&thread_url, &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(unzip(&app.get(&format!("/api/conversations/{a}/artifacts.zip"), &token).await.body).len(), 2);
}

/// PostgreSQL mode: a listing page asked again is the one the instance
/// kept while the owner has no newer event and the rows were not rebuilt
/// (a change written behind the app's back, as here, shows only then;
/// tests/it/cluster.rs has the writes of another instance), and with
/// `listing_cache_mib = 0` every listing reads the rows.
#[tokio::test]
async fn a_kept_listing_page_is_given_while_its_generation_holds() {
    if common::remote_only() {
        return;
    }
    for kept in [true, false] {
        let app = TestApp::with(|c| c.listing_cache_bytes = if kept { 1 << 20 } else { 0 });
        let token = app.user("alice");
        let c = app.conversation(&token, "Before").await;
        app.tool_result(&token, &c, &[("a.txt", b"a")]).await;
        let titles = || async {
            let listed = app.get("/api/artifacts", &token).await.json();
            let items = listed["items"].as_array().unwrap().iter();
            items.map(|i| i["conversation_title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        };
        assert_eq!(titles().await, ["Before"]);
        app.execute("UPDATE conversations SET title = 'Behind'");
        assert_eq!(titles().await, [if kept { "Before" } else { "Behind" }], "kept: {kept}");
        app.execute("UPDATE catalog_rebuilds SET n = n + 1");
        assert_eq!(titles().await, ["Behind"], "after a rebuild");
        app.execute("UPDATE conversations SET title = 'Again'");
        app.tool_result(&token, &c, &[("b.txt", b"b")]).await;
        assert_eq!(titles().await, ["Again", "Again"], "after a write of the owner's");
    }
}
