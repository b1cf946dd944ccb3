//! Share links: made, listed and revoked by their owner; opened by anyone
//! without an account until they expire or are revoked; what a link of an
//! artifact, a folder or a conversation serves (and nothing more); the
//! operator's switches; and that no token reaches the log.

use crate::common::process::{self, Server};
use crate::common::{Reply, TestApp};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use std::io::Read;
use std::net::SocketAddr;
use vitrine::api::{CreateShare, RevokeShare};

const DAY: u64 = 86_400;

struct Setup {
    app: TestApp,
    alice: String,
    conversation: String,
    /// `out/report.html`'s artifact id.
    report: String,
}

/// Alice's conversation: a report with a sibling picture, a nested file
/// and a file outside the report's folder.
async fn setup(app: TestApp) -> Setup {
    let alice = app.user("alice");
    let conversation = app.conversation(&alice, "Quarterly").await;
    let files: &[(&str, &[u8])] = &[
        ("out/report.html", b"<html><body><img src=\"chart.png\"></body></html>"),
        ("out/chart.png", b"not really a png"),
        ("out/sub/data.csv", b"a,b\n1,2\n"),
        ("secret.txt", b"outside the folder"),
    ];
    let stored = app.tool_result(&alice, &conversation, files).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    let report = stored.json()["artifacts"][0]["id"].as_str().unwrap().to_string();
    Setup { app, alice, conversation, report }
}

impl Setup {
    /// Makes a link through the API; returns its answer.
    async fn share(&self, body: Value) -> Value {
        let r = self.app.post("/api/shares", &self.alice, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()
    }

    async fn list(&self) -> Vec<Value> {
        self.app.get("/api/shares", &self.alice).await.json().as_array().unwrap().clone()
    }
}

/// A GET without credentials, as a browser (`Accept: text/html`) or not.
async fn visit(app: &TestApp, uri: &str, accept: &str) -> Reply {
    app.send(Request::get(uri).header(header::ACCEPT, accept).body(Body::empty()).unwrap()).await
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files: Vec<_> = (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            (f.name().unwrap().to_string(), body)
        })
        .collect();
    files.sort();
    files
}

fn set_expiry(app: &TestApp, id: &str, at: i64) {
    assert_eq!(app.execute(&format!("UPDATE shares SET expires_at = {at} WHERE id = '{id}'")), 1);
}

#[tokio::test]
async fn a_link_is_made_listed_opened_without_an_account_and_revoked() {
    let s = setup(TestApp::new()).await;
    let created = s.share(json!({ "artifact_id": s.report, "expires_in_seconds": 7 * DAY })).await;
    let url = created["url"].as_str().unwrap().to_string();
    let token = url.strip_prefix("/s/").unwrap().to_string();
    // 256 bits in base64url.
    assert!(token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
    let id = created["id"].as_str().unwrap().to_string();
    let target = &created["target"];
    assert_eq!(
        (&target["kind"], &target["artifact_id"], &target["version"]),
        (&json!("artifact"), &json!(s.report), &json!(1))
    );
    assert_eq!(target["label"], "out/report.html");
    assert_eq!((&created["access_count"], &created["revoked"]), (&json!(0), &json!(false)));
    assert!(created["expires_at"].as_str().unwrap() > created["created_at"].as_str().unwrap());

    // Listed without its URL: only the token's hash is kept.
    let r = s.app.get("/api/shares", &s.alice).await;
    assert!(!r.text().contains(&token) && r.json()[0].get("url").is_none(), "{}", r.text());
    let stored = s.app.select("SELECT hash FROM shares");
    assert_eq!(stored, Some(vitrine::server::auth::secret_hash(&token)));

    // No cookie needed, none set; the preview from the content origin.
    let page = visit(&s.app, &url, "text/html").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.headers.get(header::SET_COOKIE).is_none(), "no session cookie on a public page");
    let html = page.text();
    for text in
        ["report.html", "Download", &format!("{url}/download?download=true"), "http://usercontent.localhost:3000/"]
    {
        assert!(html.contains(text), "{text} missing: {html}");
    }
    assert!(!html.contains("Sign out") && !html.contains("/settings"), "none of the app's navigation");
    let file = visit(&s.app, &format!("{url}/download"), "*/*").await;
    assert_eq!(file.body, b"<html><body><img src=\"chart.png\"></body></html>");
    assert!(file.header("content-disposition").starts_with("inline"));
    assert_eq!(file.header("cache-control"), "no-store");
    let file = visit(&s.app, &format!("{url}/download?download=true"), "*/*").await;
    assert!(file.header("content-disposition").starts_with("attachment"));
    assert!(file.headers.get(header::SET_COOKIE).is_none());

    // Every visit counts.
    let listed = s.list().await;
    assert_eq!(listed[0]["access_count"], 3);
    assert!(listed[0]["last_accessed_at"].is_string());

    // Someone else's link is missing; the owner's revocation holds from the next request.
    let bob = s.app.user("bob");
    let r = s.app.call(Method::DELETE, &format!("/api/shares/{id}"), Some(&bob), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["detail"], format!("Share link not found: {id}"));
    let r = s.app.call(Method::DELETE, &format!("/api/shares/{id}"), Some(&s.alice), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let page = visit(&s.app, &url, "text/html").await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("This share link was revoked by its owner"), "{}", page.text());
    assert!(page.header("location").is_empty() && !page.text().contains("name=\"password\""), "not a sign-in page");
    assert!(!page.text().contains("Back to your artifacts"), "no way into an app the visitor may have no account of");
    let r = visit(&s.app, &format!("{url}/download"), "*/*").await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::GONE, json!({ "detail": "This share link was revoked by its owner" }))
    );
    let r = visit(&s.app, &format!("{url}/download"), "text/html").await;
    assert!(r.header("content-type").starts_with("text/html") && r.text().contains("This link no longer works"));
    let r = visit(&s.app, &url, "application/json").await;
    assert_eq!(
        (r.status, r.json()["detail"].as_str()),
        (StatusCode::GONE, Some("This share link was revoked by its owner"))
    );
    let listed = s.list().await;
    assert_eq!(
        (&listed[0]["revoked"], &listed[0]["access_count"]),
        (&json!(true), &json!(3)),
        "refused visits do not count"
    );

    // An unknown token: a 404 page, or JSON.
    let unknown = format!("/s/{}", "A".repeat(43));
    let page = visit(&s.app, &unknown, "text/html").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("This share link does not exist"));
    let r = visit(&s.app, &format!("{unknown}/download"), "application/json").await;
    assert_eq!((r.status, r.json()), (StatusCode::NOT_FOUND, json!({ "detail": "This share link does not exist" })));
}

#[tokio::test]
async fn bad_requests_and_other_users_things_are_refused() {
    let s = setup(TestApp::new()).await;
    let c = s.conversation.clone();
    for (body, detail) in [
        (json!({ "expires_in_seconds": DAY }), "A share link shows an artifact"),
        (json!({ "artifact_id": s.report }), "expires_in_seconds is required: 3600 (an hour) to 7776000 (90 days)"),
        (json!({ "artifact_id": s.report, "expires_in_seconds": 3599 }), "expires_in_seconds must be 3600"),
        (json!({ "artifact_id": s.report, "expires_in_seconds": 90 * DAY + 1 }), "expires_in_seconds must be 3600"),
        (json!({ "artifact_id": s.report, "expires_in_seconds": 1.5 }), "expected a whole number"),
        (json!({ "artifact_id": s.report, "folder": "out", "expires_in_seconds": DAY }), "A share link shows"),
        (json!({ "conversation_id": c, "folder": "../x", "expires_in_seconds": DAY }), "folder must name a folder"),
        (json!({ "artifact_id": s.report, "pin": "sometimes", "expires_in_seconds": DAY }), "unknown variant"),
    ] {
        let r = s.app.post("/api/shares", &s.alice, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        assert!(r.json()["detail"].as_str().unwrap().contains(detail), "{body}: {}", r.text());
    }
    // A folder that is not there, or is a file, is missing.
    for folder in ["nope", "out/report.html"] {
        let body = json!({ "conversation_id": c, "folder": folder, "expires_in_seconds": DAY });
        let r = s.app.post("/api/shares", &s.alice, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{folder}");
        assert!(r.json()["detail"].as_str().unwrap().starts_with("Folder not found"), "{}", r.text());
    }

    // Another user's artifact or conversation is missing, as a nonexistent one.
    let bob = s.app.user("bob");
    for body in [
        json!({ "artifact_id": s.report, "expires_in_seconds": DAY }),
        json!({ "conversation_id": c, "expires_in_seconds": DAY }),
        json!({ "conversation_id": c, "folder": "out", "expires_in_seconds": DAY }),
        json!({ "artifact_id": uuid::Uuid::new_v4(), "expires_in_seconds": DAY }),
    ] {
        assert_eq!(s.app.post("/api/shares", &bob, body.clone()).await.status, StatusCode::NOT_FOUND, "{body}");
    }
    // A read-only token reads the list but makes nothing.
    let read = s.app.post("/api/tokens", &s.alice, json!({ "name": "ro", "scope": "read" })).await.json();
    let read = read["token"].as_str().unwrap();
    assert_eq!(s.app.get("/api/shares", read).await.status, StatusCode::OK);
    let r = s.app.post("/api/shares", read, json!({ "artifact_id": s.report, "expires_in_seconds": DAY })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(s.list().await.is_empty());
}

#[tokio::test]
async fn an_expired_link_is_gone() {
    let s = setup(TestApp::new()).await;
    let created = s.share(json!({ "artifact_id": s.report, "expires_in_seconds": 3600 })).await;
    let url = created["url"].as_str().unwrap();
    assert_eq!(visit(&s.app, url, "text/html").await.status, StatusCode::OK);
    set_expiry(&s.app, created["id"].as_str().unwrap(), time::OffsetDateTime::now_utc().unix_timestamp() - 1);
    let page = visit(&s.app, url, "text/html").await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("This share link has expired") && page.text().contains("This link no longer works"));
    let r = visit(&s.app, &format!("{url}/download"), "*/*").await;
    assert_eq!((r.status, r.json()), (StatusCode::GONE, json!({ "detail": "This share link has expired" })));
    // Still listed, to be seen, marked expired.
    let listed = s.list().await;
    assert_eq!((listed.len(), &listed[0]["expired"], &listed[0]["revoked"]), (1, &json!(true), &json!(false)));
}

#[tokio::test]
async fn links_without_expiry_only_where_the_operator_allows_them() {
    let s = setup(TestApp::with(|c| c.sharing.allow_no_expiry = true)).await;
    let created = s.share(json!({ "conversation_id": s.conversation })).await;
    assert_eq!(created["expires_at"], Value::Null);
    let r = s.app.post("/api/shares", &s.alice, json!({ "artifact_id": s.report, "expires_in_seconds": 60 })).await;
    assert!(r.json()["detail"].as_str().unwrap().ends_with("or left out for none"), "{}", r.text());
}

#[tokio::test]
async fn turning_sharing_off_refuses_new_links_and_ends_existing_ones() {
    let s = setup(TestApp::new()).await;
    let url = s.share(json!({ "artifact_id": s.report, "expires_in_seconds": DAY })).await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let Setup { app, alice, report, .. } = s;
    let mut config = (*app.state.config).clone();
    config.sharing.enabled = false;
    let TestApp { dir, state, router } = app;
    drop((state, router));
    let app = TestApp::open(dir, config);
    let r = app.post("/api/shares", &alice, json!({ "artifact_id": report, "expires_in_seconds": DAY })).await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::FORBIDDEN, json!({ "detail": "Share links are turned off on this server" }))
    );
    let page = visit(&app, &url, "text/html").await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("Share links are turned off on this server"));
    assert_eq!(visit(&app, &format!("{url}/download"), "*/*").await.status, StatusCode::GONE);
}

#[tokio::test]
async fn a_pinned_link_keeps_its_bytes_and_a_latest_one_follows() {
    let s = setup(TestApp::new()).await;
    let pinned = s.share(json!({ "artifact_id": s.report, "pin": "version", "expires_in_seconds": DAY })).await;
    let latest = s.share(json!({ "artifact_id": s.report, "pin": "latest", "expires_in_seconds": DAY })).await;
    assert_eq!((&pinned["target"]["version"], &latest["target"]["version"]), (&json!(1), &Value::Null));
    let new = s.app.tool_result(&s.alice, &s.conversation, &[("out/report.html", b"<p>second</p>")]).await;
    assert_eq!(new.json()["artifacts"][0]["version"], 2);

    let app = &s.app;
    let body = |link: &Value| {
        let url = format!("{}/download", link["url"].as_str().unwrap());
        async move { visit(app, &url, "*/*").await.body }
    };
    assert_eq!(body(&pinned).await, b"<html><body><img src=\"chart.png\"></body></html>");
    assert_eq!(body(&latest).await, b"<p>second</p>");
    let page = |link: &Value| {
        let url = link["url"].as_str().unwrap().to_string();
        async move { visit(app, &url, "application/json").await.json() }
    };
    let (p, l) = (page(&pinned).await, page(&latest).await);
    assert_eq!((&p["preview"]["artifact"]["version"], &l["preview"]["artifact"]["version"]), (&json!(1), &json!(2)));
    // The pinned preview's frame opens that version on the content origin.
    let raw = p["preview"]["raw_url"].as_str().unwrap();
    assert!(raw.ends_with("?version=1"), "{raw}");
    let framed = content(&s.app, raw).await;
    assert_eq!(framed.body, b"<html><body><img src=\"chart.png\"></body></html>");
}

/// A GET to the content origin, without credentials.
async fn content(app: &TestApp, url: &str) -> Reply {
    let target = url.strip_prefix("http://usercontent.localhost:3000").unwrap();
    app.send(Request::get(target).header(header::HOST, "usercontent.localhost:3000").body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn an_artifact_links_previews_reach_its_folder_and_nothing_else_while_it_lives() {
    let s = setup(TestApp::new()).await;
    let link = s.share(json!({ "artifact_id": s.report, "expires_in_seconds": DAY })).await;
    let shared = visit(&s.app, link["url"].as_str().unwrap(), "application/json").await.json();
    let raw = shared["preview"]["raw_url"].as_str().unwrap();
    assert_eq!(content(&s.app, raw).await.status, StatusCode::OK);
    // Its sibling loads; the conversation's other files do not.
    let beside = raw.replace("out/report.html", "out/chart.png");
    assert_eq!(content(&s.app, &beside).await.body, b"not really a png");
    for outside in ["secret.txt", "out/../secret.txt"] {
        let r = content(&s.app, &raw.replace("out/report.html", outside)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{outside}");
        assert!(!r.text().contains("outside the folder"));
    }
    // Revoked: the preview's capability URLs stop with the link, not when they expire.
    let id = link["id"].as_str().unwrap();
    assert_eq!(s.app.call(Method::DELETE, &format!("/api/shares/{id}"), Some(&s.alice), None).await.status, 204);
    for url in [raw.to_string(), beside] {
        let r = content(&s.app, &url).await;
        assert_eq!(r.status, StatusCode::GONE, "{url}");
        assert!(r.text().contains("This share link was revoked by its owner"), "{}", r.text());
    }
}

/// Another instance on the same database revokes a link: this one refuses
/// it from the next request, its previews' capability URLs included, since
/// nothing about links is cached.
#[tokio::test]
async fn a_revocation_by_another_instance_holds_from_the_next_request() {
    let s = setup(TestApp::new()).await;
    let link = s.share(json!({ "artifact_id": s.report, "expires_in_seconds": DAY })).await;
    let url = link["url"].as_str().unwrap();
    let raw = visit(&s.app, url, "application/json").await.json()["preview"]["raw_url"].as_str().unwrap().to_string();
    assert_eq!(content(&s.app, &raw).await.status, StatusCode::OK);
    let id = link["id"].as_str().unwrap();
    let other = TestApp::open(tempfile::tempdir().unwrap(), crate::common::config(s.app.dir.path()));
    assert_eq!(other.execute(&format!("UPDATE shares SET revoked_at = '2026-01-01T00:00:00Z' WHERE id = '{id}'")), 1);
    assert_eq!(visit(&s.app, url, "text/html").await.status, StatusCode::GONE);
    assert_eq!(content(&s.app, &raw).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn a_folder_link_lists_serves_and_zips_its_files_only() {
    let s = setup(TestApp::new()).await;
    let link = s.share(json!({ "conversation_id": s.conversation, "folder": "out", "expires_in_seconds": DAY })).await;
    assert_eq!(
        (&link["target"]["kind"], &link["target"]["folder"]),
        (&json!("folder"), &json!("mnt/user-data/outputs/out"))
    );
    let url = link["url"].as_str().unwrap();
    let page = visit(&s.app, url, "text/html").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for text in ["report.html", "chart.png", "data.csv", "Download all (ZIP)", &format!("{url}/files/sub/data.csv")] {
        assert!(html.contains(text), "{text} missing: {html}");
    }
    assert!(!html.contains("secret.txt"));

    let zip = visit(&s.app, &format!("{url}/download"), "*/*").await;
    assert_eq!(zip.header("content-type"), "application/zip");
    let names: Vec<String> = unzip(&zip.body).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["out/chart.png", "out/report.html", "out/sub/data.csv"]);

    let file = visit(&s.app, &format!("{url}/files/sub/data.csv?download=true"), "*/*").await;
    assert_eq!(file.body, b"a,b\n1,2\n");
    assert!(file.header("content-disposition").starts_with("attachment"));
    for escape in ["../secret.txt", "%2e%2e/secret.txt", "sub/../../secret.txt", "..%2fsecret.txt"] {
        let r = visit(&s.app, &format!("{url}/files/{escape}"), "*/*").await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{escape}: {}", r.status);
        assert!(!r.text().contains("outside the folder"), "{escape}");
    }
    let listed = s.list().await;
    assert_eq!(listed[0]["access_count"], 3 + 4, "every visit counts, refused paths too");

    // A whole conversation's link has everything.
    let all = s.share(json!({ "conversation_id": s.conversation, "expires_in_seconds": DAY })).await;
    assert_eq!((&all["target"]["kind"], &all["target"]["label"]), (&json!("conversation"), &json!("Quarterly")));
    let zip = visit(&s.app, &format!("{}/download", all["url"].as_str().unwrap()), "*/*").await;
    assert_eq!(unzip(&zip.body).len(), 4);
}

/// Posts a server function's form as a browser without JavaScript.
async fn form(app: &TestApp, path: &str, cookie: &str, body: String) -> Reply {
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::HOST, "127.0.0.1:3000")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn the_preview_and_settings_pages_make_and_revoke_links_without_javascript() {
    let s = setup(TestApp::new()).await;
    let mut login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=alice&password=secret-password"))
        .unwrap();
    login.extensions_mut().insert(ConnectInfo("10.9.0.1:1".parse::<SocketAddr>().unwrap()));
    let cookie = s.app.send(login).await.header("set-cookie").split(';').next().unwrap().to_string();
    let get = |uri: String, cookie: String| {
        let req = Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        s.app.send(req)
    };
    let preview = get(format!("/artifacts/{}/{}", s.conversation, s.report), cookie.clone()).await;
    assert!(preview.text().contains("Share…") && preview.text().contains(CreateShare::PATH), "{}", preview.text());

    let r = form(
        &s.app,
        CreateShare::PATH,
        &cookie,
        format!("artifact_id={}&pin=latest&expires_in_seconds=86400", s.report),
    )
    .await;
    assert_eq!(r.header("location"), "/settings#shares-title", "{}", r.text());
    let flash = r.header("set-cookie").split(';').next().unwrap().to_string();
    let page = get("/settings".into(), format!("{cookie}; {flash}")).await.text();
    let start = page.find("http://127.0.0.1:3000/s/").expect("the new link is shown once");
    let url = &page[start..start + "http://127.0.0.1:3000/s/".len() + 43];
    assert!(page.contains("Share links") && page.contains("out/report.html (latest version)"), "{page}");
    let path = url.strip_prefix("http://127.0.0.1:3000").unwrap().to_string();
    assert_eq!(visit(&s.app, &path, "text/html").await.status, StatusCode::OK);
    let again = get("/settings".into(), cookie.clone()).await.text();
    assert!(!again.contains(&path), "shown once");
    assert!(again.contains("1 time"), "{again}");

    let id = s.list().await[0]["id"].as_str().unwrap().to_string();
    let r = form(&s.app, RevokeShare::PATH, &cookie, format!("id={id}")).await;
    assert_eq!(r.header("location"), "/settings");
    assert_eq!(visit(&s.app, &path, "text/html").await.status, StatusCode::GONE);
    assert!(get("/settings".into(), cookie).await.text().contains("Revoked"));
}

/// Alice's session cookie, from the login form.
async fn alice_session(app: &TestApp) -> String {
    let mut login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=alice&password=secret-password"))
        .unwrap();
    login.extensions_mut().insert(ConnectInfo("10.9.0.2:1".parse::<SocketAddr>().unwrap()));
    app.send(login).await.header("set-cookie").split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn the_conversation_page_shares_it_whole_or_a_folder_without_javascript() {
    let s = setup(TestApp::new()).await;
    let cookie = alice_session(&s.app).await;
    let uri = format!("/conversations/{}", s.conversation);
    let page = s.app.send(Request::get(uri).header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
    let page = page.text();
    assert!(page.contains("Share…") && page.contains(CreateShare::PATH), "{page}");
    assert!(page.contains(&format!("name=\"conversation_id\" value=\"{}\"", s.conversation)), "{page}");
    // Its folders, each once, parents included; files at the top are in none.
    for folder in ["out", "out/sub"] {
        assert_eq!(page.matches(&format!("<option value=\"{folder}\">")).count(), 1, "{folder}: {page}");
    }
    assert!(page.contains("<option value=\"\">The whole conversation</option>"), "{page}");

    for (folder, kind, label, files) in [("out%2Fsub", "folder", "out/sub", 1), ("", "conversation", "Quarterly", 4)] {
        let body = format!("conversation_id={}&folder={folder}&expires_in_seconds=3600", s.conversation);
        let r = form(&s.app, CreateShare::PATH, &cookie, body).await;
        assert_eq!(r.header("location"), "/settings#shares-title", "{}", r.text());
        let made = &s.list().await[0];
        assert_eq!((&made["target"]["kind"], &made["target"]["label"]), (&json!(kind), &json!(label)));
        let settings =
            Request::get("/settings").header(header::COOKIE, format!("{cookie}; {}", r.header("set-cookie")));
        let settings = s.app.send(settings.body(Body::empty()).unwrap()).await.text();
        let start = settings.find("http://127.0.0.1:3000/s/").expect("the new link is shown once");
        let path = &settings[start + "http://127.0.0.1:3000".len()..start + "http://127.0.0.1:3000/s/".len() + 43];
        let zip = visit(&s.app, &format!("{path}/download"), "*/*").await;
        assert_eq!(unzip(&zip.body).len(), files, "{label}");
    }
    // A folder that is not the conversation's makes nothing.
    let body = format!("conversation_id={}&folder=nowhere&expires_in_seconds=3600", s.conversation);
    assert!(!form(&s.app, CreateShare::PATH, &cookie, body).await.header("location").starts_with("/settings"));
    assert_eq!(s.list().await.len(), 2);
}

#[tokio::test]
async fn the_settings_page_marks_expired_and_revoked_links_and_offers_revoke_only_on_live_ones() {
    let s = setup(TestApp::new()).await;
    let cookie = alice_session(&s.app).await;
    let mut ids = Vec::new();
    for label in ["live", "expired", "revoked"] {
        let folder = if label == "live" { "out" } else { "out/sub" };
        let made = s.share(json!({ "conversation_id": s.conversation, "folder": folder, "expires_in_seconds": DAY }));
        ids.push((label, made.await["id"].as_str().unwrap().to_string()));
    }
    set_expiry(&s.app, &ids[1].1, time::OffsetDateTime::now_utc().unix_timestamp() - 1);
    assert_eq!(
        s.app.call(Method::DELETE, &format!("/api/shares/{}", ids[2].1), Some(&s.alice), None).await.status,
        204
    );
    let page = s.app.send(Request::get("/settings").header(header::COOKIE, &cookie).body(Body::empty()).unwrap());
    let page = page.await.text();
    let shares = &page[page.find("id=\"shares-title\"").expect("the share links' section")..];
    assert!(
        shares.contains(r#"<div tabindex="0" role="region" aria-label="Table of share links" class="table-scroll">"#),
        "{page}"
    );
    let rows: Vec<&str> = shares.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 3, "{page}");
    // Newest first: revoked, expired, live.
    for (row, (state, revocable)) in rows.iter().zip([("Revoked", false), ("Expired", false), ("Revoke", true)]) {
        assert!(row.contains(&format!(">{state}<")), "{state}: {row}");
        assert_eq!(row.contains(RevokeShare::PATH), revocable, "{state}: {row}");
    }
}

#[tokio::test]
async fn a_shared_files_name_and_download_come_before_its_body_and_a_folders_table_is_a_named_region() {
    let s = setup(TestApp::new()).await;
    let file = s.share(json!({ "artifact_id": s.report, "expires_in_seconds": DAY })).await;
    let html = visit(&s.app, file["url"].as_str().unwrap(), "text/html").await.html();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("no {needle} in {html}"));
    // In this order, so that a phone, in one column, shows them first.
    assert!(at("class=\"meta-name\"") < at(">Download</a>"), "{html}");
    assert!(at(">Download</a>") < at("class=\"preview-body\""), "{html}");
    let folder = s.share(json!({ "conversation_id": s.conversation, "folder": "out", "expires_in_seconds": DAY }));
    let html = visit(&s.app, folder.await["url"].as_str().unwrap(), "text/html").await.text();
    assert!(
        html.contains(r#"<div tabindex="0" role="region" aria-label="Shared files" class="table-scroll">"#),
        "{html}"
    );
}

/// The real server, logging at debug level: share tokens never reach the log.
#[test]
fn no_share_token_is_logged() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("server.log");
    let api = process::add_user(data.path(), "alice");
    let server = Server::start_logging(data.path(), &[], "debug", std::fs::File::create(&log_path).unwrap());
    let agent = process::agent();
    let bearer = format!("Bearer {api}");
    let post = |uri: &str, body: Value| {
        let r = agent.post(format!("{}{uri}", server.base)).header("Authorization", &bearer).send_json(body).unwrap();
        r.into_body().read_json::<Value>().unwrap()
    };
    let conversation = post("/api/conversations", json!({ "title": "t" }));
    let c = conversation["id"].as_str().unwrap();
    let stored = post(
        &format!("/api/conversations/{c}/tool-results"),
        json!({ "tool": "t", "content": "c", "artifacts": [{ "name": "a.txt", "text": "hello" }] }),
    );
    let artifact = stored["artifacts"][0]["id"].as_str().unwrap();
    let link = post("/api/shares", json!({ "artifact_id": artifact, "expires_in_seconds": 3600 }));
    let url = link["url"].as_str().unwrap();
    let token = url.strip_prefix("/s/").unwrap();
    for path in [url.to_string(), format!("{url}/download"), format!("{url}/download?download=true")] {
        assert_eq!(agent.get(format!("{}{path}", server.base)).call().unwrap().status().as_u16(), 200, "{path}");
    }
    let id = link["id"].as_str().unwrap();
    agent.delete(format!("{}/api/shares/{id}", server.base)).header("Authorization", &bearer).call().unwrap();
    assert_eq!(agent.get(format!("{}{url}", server.base)).call().unwrap().status().as_u16(), 410);
    drop(server);

    let log = std::fs::read_to_string(&log_path).unwrap();
    for logged in ["share link created", "share link revoked"] {
        assert!(log.contains(logged), "{logged} is not in the log:\n{log}");
    }
    assert!(!log.contains(token), "the token is in the log:\n{log}");
}
