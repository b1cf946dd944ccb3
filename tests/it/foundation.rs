//! Ingestion, authentication, user isolation and the first page, through the
//! real router on real files.

use crate::common::{b64, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn tool_result_stores_artifacts_with_full_records() {
    let app = TestApp::new();
    let token = app.user("alice");
    let r = app.post("/api/conversations", &token, json!({ "title": "Sales" })).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let conv = r.json();
    assert_eq!(conv["title"], "Sales");
    assert!(conv["created_at"].as_str().unwrap().ends_with('Z'));
    let cid = conv["id"].as_str().unwrap();

    let png = b"\x89PNG\r\n\x1a\nfake";
    let body = json!({
        "tool": "python_exec",
        "content": "saved chart",
        "artifacts": [
            { "name": "plots/chart.png", "content_base64": b64(png), "mime_type": "image/png" },
            { "name": "analysis.py", "text": "print('hi')\n" },
        ]
    });
    let r = app.post(&format!("/api/conversations/{cid}/tool-results"), &token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let stored = r.json();
    assert!(stored["message_id"].is_string());
    let chart = &stored["artifacts"][0];
    assert_eq!(chart["name"], "plots/chart.png");
    assert_eq!(chart["size"], png.len());
    assert_eq!(chart["mime_type"], "image/png");
    assert_eq!(chart["type"], "images");
    assert_eq!(chart["path"], "mnt/user-data/outputs/plots/chart.png");
    assert_eq!(chart["conversation_id"], cid);
    let id = chart["id"].as_str().unwrap();
    assert_eq!(chart["url"], format!("/api/conversations/{cid}/artifacts/{id}"));
    assert_eq!(chart["download_url"], format!("/api/conversations/{cid}/artifacts/{id}?download=true"));
    let script = &stored["artifacts"][1];
    assert_eq!(script["type"], "code");
    assert_eq!(script["mime_type"], "text/x-python");

    // Stored as conversations/{id}/artifacts/{uuid}.{ext}, with its sidecar.
    let folder = format!("conversations/{cid}/artifacts");
    assert_eq!(app.stored(&format!("{folder}/{id}.png")).unwrap(), png);
    assert!(app.stored(&format!("{folder}/{id}.meta.json")).is_some());

    let file = app.get(chart["url"].as_str().unwrap(), &token).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, png);
    assert_eq!(file.header("content-type"), "image/png");
    assert_eq!(file.header("content-disposition"), "inline; filename=\"chart.png\"; filename*=UTF-8''chart.png");
    assert_eq!(file.header("x-content-type-options"), "nosniff");

    let list = app.get("/api/artifacts", &token).await.json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["counts"], json!({ "all": 2, "images": 1, "html": 0, "code": 1, "files": 0 }));
    assert_eq!(list["items"][0]["conversation_title"], "Sales");

    let detail = app.get(&format!("/api/conversations/{cid}"), &token).await.json();
    assert_eq!(detail["messages"][0]["tool"], "python_exec");
    assert_eq!(detail["messages"][0]["content"], "saved chart");
    assert_eq!(detail["messages"][0]["artifacts"].as_array().unwrap().len(), 2);
}

/// A tool result may bring no files: it is a message of its own, in a
/// conversation that has no artifacts folder yet.
#[tokio::test]
async fn a_tool_result_without_files_is_a_message() {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.post("/api/conversations", &token, json!({ "title": "Talk" })).await.json()["id"].clone();
    let cid = cid.as_str().unwrap();
    let r = app.post(&format!("/api/conversations/{cid}/tool-results"), &token, json!({ "tool": "search" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["artifacts"], json!([]));
    let detail = app.get(&format!("/api/conversations/{cid}"), &token).await.json();
    assert_eq!(detail["messages"][0]["tool"], "search");
}

/// PostgreSQL's text cannot hold a NUL: one in a tool's name or output is
/// refused in both databases alike (schemathesis found the 500 it was).
#[tokio::test]
async fn a_nul_in_a_tool_name_or_output_is_refused() {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.conversation(&token, "c").await;
    let file = json!([{ "name": "a.txt", "text": "x" }]);
    for body in [json!({ "tool": "t\u{0}", "artifacts": file }), json!({ "tool": "t", "content": "a\u{0}b" })] {
        let r = app.post(&format!("/api/conversations/{cid}/tool-results"), &token, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        assert!(r.json()["detail"].as_str().unwrap().contains("NUL"), "{}", r.text());
    }
    assert_eq!(app.get(&format!("/api/conversations/{cid}"), &token).await.json()["messages"], json!([]));
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 0);
}

#[tokio::test]
async fn bad_artifacts_are_refused_and_nothing_is_stored() {
    let app = TestApp::with_limit(1000);
    let token = app.user("alice");
    let cid = app.conversation(&token, "c").await;
    let long = "a".repeat(256);
    let cases: Vec<(serde_json::Value, u16, &str)> = vec![
        (json!({ "name": "", "text": "x" }), 400, "empty"),
        (json!({ "name": "/etc/passwd", "text": "x" }), 400, "absolute"),
        (json!({ "name": "a/../../b", "text": "x" }), 400, "'..'"),
        (json!({ "name": "a\\b", "text": "x" }), 400, "backslash"),
        (json!({ "name": "a\u{0}b", "text": "x" }), 400, "control"),
        (json!({ "name": "a\nb", "text": "x" }), 400, "control"),
        (json!({ "name": long, "text": "x" }), 400, "255 bytes"),
        (json!({ "name": "x.bin", "content_base64": "!!!notbase64" }), 400, "Invalid base64"),
        (json!({ "name": "x.bin" }), 400, "exactly one"),
        (json!({ "name": "x.bin", "text": "a", "content_base64": "YQ==" }), 400, "exactly one"),
        (json!({ "name": "x.bin", "text": "a", "mime_type": "not a type" }), 400, "mime_type"),
        (json!({ "name": "big.bin", "content_base64": b64(&[0u8; 1001]) }), 413, "limit"),
        (json!({ "name": "big.txt", "text": "x".repeat(1001) }), 413, "limit"),
    ];
    for (bad, status, detail) in cases {
        // A good artifact beside the bad one: the whole tool result is refused.
        let body = json!({ "tool": "python_exec", "artifacts": [{ "name": "good.txt", "text": "ok" }, bad] });
        let r = app.post(&format!("/api/conversations/{cid}/tool-results"), &token, body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.text());
        let msg = r.json()["detail"].as_str().unwrap().to_string();
        assert!(msg.contains(detail), "{msg:?} should mention {detail:?}");
    }
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 0);
    let dir = app.dir.path().join("conversations").join(&cid).join("artifacts");
    let left = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "files left in {}", dir.display());

    let r = app.post("/api/conversations/not-a-uuid/tool-results", &token, json!({ "tool": "t" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let missing = uuid::Uuid::new_v4();
    let r = app.post(&format!("/api/conversations/{missing}/tool-results"), &token, json!({ "tool": "t" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .send(
            Request::post(format!("/api/conversations/{cid}/tool-results"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["detail"].is_string());
}

#[tokio::test]
async fn no_or_wrong_credentials_get_401_json() {
    let app = TestApp::new();
    app.user("alice");
    for (method, uri) in [
        (Method::GET, "/api/artifacts"),
        (Method::GET, "/api/conversations"),
        (Method::POST, "/api/conversations"),
        (Method::GET, "/api/me"),
    ] {
        let r = app.call(method.clone(), uri, None, Some(json!({ "title": "x" }))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(r.json(), json!({ "detail": "Not authenticated" }));
        let r = app.call(method.clone(), uri, Some("vt_forged"), Some(json!({ "title": "x" }))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri} with a forged token");
    }
}

/// The sign-in form posted with `form` as its body.
async fn post_login(app: &TestApp, form: String) -> crate::common::Reply {
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    app.send(request).await
}

async fn login(app: &TestApp, name: &str, password: &str) -> (StatusCode, String, String) {
    let r = post_login(app, format!("name={name}&password={password}&next=%2Fartifacts%3Ftype%3Dcode")).await;
    (r.status, r.header("location").to_string(), r.header("set-cookie").to_string())
}

#[tokio::test]
async fn browser_login_sets_a_safe_session_cookie_and_logout_ends_it() {
    let app = TestApp::new();
    app.user("alice");
    let (status, location, _) = login(&app, "alice", "wrong").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/login?error=1"), "{location}");

    let (status, location, cookie) = login(&app, "alice", "secret-password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/artifacts?type=code");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();

    let me = |pair: String| Request::get("/api/me").header(header::COOKIE, pair).body(Body::empty()).unwrap();
    let r = app.send(me(pair.clone())).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["name"], "alice");

    let r = app.send(Request::post("/logout").header(header::COOKIE, pair.clone()).body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.send(me(pair)).await.status, StatusCode::UNAUTHORIZED);

    // Passwords are stored only as argon2 hashes.
    let hash = app.select("SELECT password_hash FROM users WHERE name = 'alice'").unwrap();
    assert!(hash.starts_with("$argon2"), "{hash}");
}

#[tokio::test]
async fn open_redirects_are_refused() {
    let app = TestApp::new();
    app.user("alice");
    for next in ["https://evil.example/", "//evil.example/", "/\\evil.example"] {
        let r = post_login(&app, format!("name=alice&password=secret-password&next={}", urlencode(next))).await;
        assert_eq!(r.header("location"), "/artifacts", "next={next}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn users_see_only_their_own_things() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let bob = app.user("bob");
    let cid = app.conversation(&alice, "private").await;
    let r = app.tool_result(&alice, &cid, &[("secret.txt", b"alice's secret")]).await;
    let artifact = r.json()["artifacts"][0].clone();
    let url = artifact["url"].as_str().unwrap();

    let unknown = uuid::Uuid::new_v4();
    for uri in [
        format!("/api/conversations/{cid}"),
        format!("/api/conversations/{cid}/artifacts"),
        url.to_string(),
        format!("{url}?download=true"),
    ] {
        let theirs = app.get(&uri, &bob).await;
        let nobody = app.get(&uri.replace(&cid, &unknown.to_string()), &bob).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(nobody.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!theirs.text().contains("secret"), "{uri} leaked: {}", theirs.text());
    }
    let r = app.tool_result(&bob, &cid, &[("x.txt", b"x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call(Method::DELETE, url, Some(&bob), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/artifacts", &bob).await.json()["total"], 0);
    assert_eq!(app.get("/api/conversations", &bob).await.json(), json!([]));
    assert_eq!(app.get("/api/artifacts", &alice).await.json()["total"], 1);
    assert_eq!(app.get(url, &alice).await.body, b"alice's secret");
}

#[tokio::test]
async fn restart_rebuilds_the_same_index_from_disk() {
    let app = TestApp::new();
    let token = app.user("alice");
    let a = app.conversation(&token, "a").await;
    let b = app.conversation(&token, "b").await;
    for i in 0..5 {
        let name = format!("f{i}.{}", ["png", "html", "py", "csv", "md"][i]);
        app.tool_result(&token, if i % 2 == 0 { &a } else { &b }, &[(&name, name.as_bytes())]).await;
    }
    let deleted =
        app.get("/api/artifacts?size=1", &token).await.json()["items"][0]["url"].as_str().unwrap().to_string();
    assert_eq!(app.call(Method::DELETE, &deleted, Some(&token), None).await.status, StatusCode::NO_CONTENT);
    let before = app.get("/api/artifacts?size=100", &token).await.json();
    assert_eq!(before["total"], 4);

    let app = app.restart();
    let after = app.get("/api/artifacts?size=100", &token).await.json();
    assert_eq!(before, after);
    assert_eq!(app.get(&deleted, &token).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn gallery_page_needs_login_and_renders_artifacts() {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.conversation(&token, "Charts").await;
    app.tool_result(&token, &cid, &[("revenue.csv", b"a,b\n1,2\n")]).await;

    let r = app.send(Request::get("/artifacts?type=files").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/login?next=%2Fartifacts%3Ftype%3Dfiles");

    let session = session(&app, "alice").await;
    let r = page(&app, "/artifacts", &session).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("revenue.csv"), "{html}");
    assert!(html.contains("Charts"));
    assert!(html.contains("8 B"));

    let r = app.send(Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("action=\"/login\""));
}

/// Signs `name` in through the login form; returns the session cookie.
pub(crate) async fn session(app: &TestApp, name: &str) -> String {
    let (_, _, cookie) = login(app, name, "secret-password").await;
    cookie.split(';').next().unwrap().to_string()
}

pub(crate) async fn page(app: &TestApp, uri: &str, session: &str) -> crate::common::Reply {
    app.send(Request::get(uri).header(header::COOKIE, session).body(Body::empty()).unwrap()).await
}

/// A page that must be there, as its HTML (`Reply::html`).
pub(crate) async fn page_html(app: &TestApp, uri: &str, session: &str) -> String {
    let r = page(app, uri, session).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
    r.html()
}

#[tokio::test]
async fn missing_things_are_404_pages() {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.conversation(&token, "Charts").await;
    let r = app.tool_result(&token, &cid, &[("notes.txt", b"some notes")]).await;
    let aid = r.json()["artifacts"][0]["id"].as_str().unwrap().to_string();
    let session = session(&app, "alice").await;

    let r = page(&app, &format!("/artifacts/{cid}/{aid}"), &session).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("some notes"), "{}", r.text());
    assert_eq!(page(&app, &format!("/conversations/{cid}"), &session).await.status, StatusCode::OK);

    let unknown = uuid::Uuid::new_v4();
    for uri in [
        format!("/artifacts/{cid}/{unknown}"),
        format!("/artifacts/{unknown}/{aid}"),
        "/artifacts/x/y".to_string(),
        format!("/conversations/{unknown}"),
        "/conversations/x".to_string(),
    ] {
        let r = page(&app, &uri, &session).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.html().contains("<h1>Not found</h1>"), "{uri}: {}", r.text());
    }
}
