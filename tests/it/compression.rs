//! What is compressed and what is not: pages and JSON by the server, the
//! site's `/pkg` files as they were precompressed, file bytes and event
//! streams never.

use crate::common::{config, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::time::Duration;
use tower::ServiceExt;
use vitrine::serve::{open_state, router};

fn get(uri: &str, token: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut req = Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn pages_and_json_are_compressed() {
    let app = TestApp::new();
    let token = app.user("alice");
    let login =
        |encoding: &'static str| Request::get("/login").header(header::ACCEPT_ENCODING, encoding).body(Body::empty());
    let page = app.send(login("br").unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-encoding"), "br");
    assert_eq!(page.header("vary"), "accept-encoding");
    let plain = app.send(login("identity").unwrap()).await;
    assert!(plain.text().starts_with("<!DOCTYPE html>"));
    assert!(page.body.len() * 2 < plain.body.len(), "{} of {} bytes", page.body.len(), plain.body.len());

    let conversation = app.conversation(&token, "Compressed").await;
    app.tool_result(&token, &conversation, &[("a.txt", b"a")]).await;
    let json = app.send(get("/api/artifacts", &token, &[(header::ACCEPT_ENCODING, "gzip")])).await;
    assert_eq!(json.header("content-encoding"), "gzip");
    let plain = app.get("/api/artifacts", &token).await;
    assert_eq!(plain.header("content-encoding"), "", "only when asked for");
    assert!(plain.text().contains("a.txt"));
}

#[tokio::test]
async fn file_bytes_are_sent_as_stored_with_ranges() {
    let app = TestApp::new();
    let token = app.user("alice");
    let conversation = app.conversation(&token, "Files").await;
    let text = "line of text that compresses well\n".repeat(200);
    let r = app.tool_result(&token, &conversation, &[("big.txt", text.as_bytes())]).await;
    let url = r.json()["artifacts"][0]["url"].as_str().unwrap().to_string();

    let whole = app.send(get(&url, &token, &[(header::ACCEPT_ENCODING, "br, gzip")])).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.header("content-encoding"), "");
    assert_eq!(whole.body, text.as_bytes());
    let part =
        app.send(get(&url, &token, &[(header::ACCEPT_ENCODING, "br, gzip"), (header::RANGE, "bytes=5-11")])).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.header("content-encoding"), "");
    assert_eq!(part.text(), "of text");
}

#[tokio::test]
async fn event_streams_are_not_compressed_and_still_stream() {
    let app = TestApp::new();
    let token = app.user("alice");
    let res =
        app.router.clone().oneshot(get("/api/events", &token, &[(header::ACCEPT_ENCODING, "br, gzip")])).await.unwrap();
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    app.conversation(&token, "Live").await;
    let mut body = res.into_body();
    let mut seen = String::new();
    while !seen.contains("Live") {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame()).await.expect("an event in time");
        if let Some(data) = frame.unwrap().unwrap().data_ref() {
            seen.push_str(&String::from_utf8_lossy(data));
        }
    }
}

/// With hashed names (a release build), `/pkg` files are kept a year and
/// sent as the precompressed copy the browser takes; a missing one is not
/// cached.
#[tokio::test]
async fn pkg_files_are_precompressed_and_immutable() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("vitrine.abc123.js"), "console.log('plain')").unwrap();
    std::fs::write(pkg.join("vitrine.abc123.js.br"), "brotli bytes").unwrap();
    std::fs::write(pkg.join("vitrine.abc123.js.gz"), "gzip bytes").unwrap();
    let mut options = crate::common::leptos_options();
    options.site_root = site.path().to_str().unwrap().into();
    options.hash_files = true;
    let data = tempfile::tempdir().unwrap();
    let app = router(open_state(config(data.path()), options).unwrap());
    let fetch = |encoding: &'static str, path: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::get(path).header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).unwrap();
            let res = app.oneshot(req).await.unwrap();
            let headers = res.headers().clone();
            (res.status(), headers, res.into_body().collect().await.unwrap().to_bytes())
        }
    };

    let (status, headers, body) = fetch("gzip, br", "/pkg/vitrine.abc123.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(body, "brotli bytes");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(headers[header::VARY], "accept-encoding");
    let (_, headers, body) = fetch("gzip", "/pkg/vitrine.abc123.js").await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(body, "gzip bytes");
    let (_, headers, body) = fetch("identity", "/pkg/vitrine.abc123.js").await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, "console.log('plain')");

    let (status, headers, _) = fetch("br", "/pkg/vitrine.missing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-cache");
}
