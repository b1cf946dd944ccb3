//! Cross-site writes and the headers every kind of response carries.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use leptos::server_fn::ServerFn;
use serde_json::json;
use vitrine::api::{DeleteArtifact, GetConversation, GetPreview, ListArtifacts, ListConversations};
use vitrine::error::AppError;
use vitrine::model::{Conversation, GalleryPage};

/// Signs in through the login form; returns the session cookie pair.
async fn session(app: &TestApp, name: &str) -> String {
    let r = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("name={name}&password=secret-password")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    r.header("set-cookie").split(';').next().unwrap().to_string()
}

fn with_cookie(method: Method, uri: &str, cookie: &str, site: &[(&str, &str)], body: Body) -> Request<Body> {
    let mut req =
        Request::builder().method(method).uri(uri).header(header::COOKIE, cookie).header(header::HOST, "vitrine.test");
    for (k, v) in site {
        req = req.header(*k, *v);
    }
    req.header(header::CONTENT_TYPE, "application/json").body(body).unwrap()
}

#[tokio::test]
async fn cookie_writes_from_another_site_are_refused_and_change_nothing() {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.conversation(&token, "Mine").await;
    let stored = app.tool_result(&token, &cid, &[("keep.txt", b"keep")]).await.json();
    let url = stored["artifacts"][0]["url"].as_str().unwrap().to_string();
    let cookie = session(&app, "alice").await;
    let result =
        json!({ "tool": "t", "artifacts": [{ "name": "planted.html", "text": "<script>1</script>" }] }).to_string();
    let ingest = format!("/api/conversations/{cid}/tool-results");

    for site in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")],
        vec![("sec-fetch-site", "same-site")],
    ] {
        let r = app.send(with_cookie(Method::POST, &ingest, &cookie, &site, Body::from(result.clone()))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{site:?}");
        assert!(r.json()["detail"].as_str().unwrap().starts_with("Cross-site request refused"), "{site:?}");
        let r = app.send(with_cookie(Method::DELETE, &url, &cookie, &site, Body::empty())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{site:?}");
        let form = format!(
            "conversation_id={cid}&artifact_id={}&back=%2Fartifacts",
            stored["artifacts"][0]["id"].as_str().unwrap()
        );
        let mut req = with_cookie(Method::POST, DeleteArtifact::PATH, &cookie, &site, Body::from(form));
        req.headers_mut().insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN, "server function, {site:?}");
        let r = app.send(with_cookie(Method::POST, "/logout", &cookie, &site, Body::empty())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "logout, {site:?}");
    }
    let listed = app.get("/api/artifacts", &token).await.json();
    assert_eq!(listed["total"], 1, "nothing planted, nothing deleted");

    let same = [("origin", "http://vitrine.test"), ("sec-fetch-site", "same-origin")];
    let r = app.send(with_cookie(Method::POST, &ingest, &cookie, &same, Body::from(result.clone()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "our own pages may write: {}", r.text());
    let r = app
        .send(with_cookie(Method::POST, &ingest, &cookie, &[("origin", "http://vitrine.test")], Body::from(result)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "an older browser without fetch metadata, same origin");
    let r = app.tool_result(&token, &cid, &[("agent.txt", b"x")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "agents with a token send no Origin");
}

#[tokio::test]
async fn every_kind_of_response_carries_its_security_headers() {
    let app = TestApp::new();
    let token = app.user("alice");
    let cid = app.conversation(&token, "Mine").await;
    let stored = app.tool_result(&token, &cid, &[("page.html", b"<script>1</script>")]).await.json();
    let cookie = session(&app, "alice").await;

    let page = app.send(with_cookie(Method::GET, "/artifacts", &cookie, &[], Body::empty())).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy").to_string();
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("a nonce in the page CSP");
    assert!(nonce.len() >= 16, "{csp}");
    assert!(page.text().contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    for part in ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(!csp.contains("'unsafe-inline' 'wasm") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    let login = app.send(Request::get("/login").body(Body::empty()).unwrap()).await;
    assert!(login.header("content-security-policy").contains("frame-ancestors 'none'"));

    let json = app.get("/api/artifacts", &token).await;
    let file = app.get(stored["artifacts"][0]["url"].as_str().unwrap(), &token).await;
    let error = app.get("/api/artifacts?page=0", &token).await;
    for (what, r) in [("page", &page), ("login", &login), ("json", &json), ("file", &file), ("error", &error)] {
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{what}");
        assert!(r.header("cache-control").starts_with("private"), "{what}: {}", r.header("cache-control"));
    }
    assert_eq!(file.header("content-security-policy"), "sandbox allow-scripts; frame-ancestors 'self'");
}

/// Calls a server function as the hydrated page does (a form body,
/// postcard back); without `Accept` a failed call is a redirect for no-JS
/// forms.
async fn server_fn(app: &TestApp, path: &str, cookie: Option<&str>, form: String) -> (StatusCode, Vec<u8>) {
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/x-postcard")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let r = app.send(req.body(Body::from(form)).unwrap()).await;
    (r.status, r.body)
}

/// The error a failed server function call answered.
fn error_of(status: StatusCode, body: &[u8]) -> AppError {
    assert!(!status.is_success(), "{status}");
    postcard::from_bytes(body).unwrap_or_else(|e| panic!("{status}: not an error ({e}): {body:?}"))
}

fn contains(body: &[u8], text: &str) -> bool {
    body.windows(text.len()).any(|w| w == text.as_bytes())
}

#[tokio::test]
async fn server_functions_give_nothing_to_other_users_or_strangers() {
    let app = TestApp::new();
    let alice = app.user("alice");
    app.user("bob");
    let cid = app.conversation(&alice, "Alice's secret plans").await;
    let stored = app.tool_result(&alice, &cid, &[("secret.txt", b"alice's secret")]).await.json();
    let aid = stored["artifacts"][0]["id"].as_str().unwrap().to_string();
    let bob = session(&app, "bob").await;

    let not_found = |e: AppError| {
        matches!(&e, AppError::NotFound(_)) && e.to_string().contains("not found") && !e.to_string().contains("secret")
    };
    let (status, body) = server_fn(&app, GetConversation::PATH, Some(&bob), format!("id={cid}")).await;
    assert!(not_found(error_of(status, &body)));
    let (_, body) = server_fn(&app, ListConversations::PATH, Some(&bob), String::new()).await;
    assert_eq!(postcard::from_bytes::<Vec<Conversation>>(&body).unwrap(), []);
    let delete = format!("conversation_id={cid}&artifact_id={aid}&back=%2Fartifacts");
    let (status, body) = server_fn(&app, DeleteArtifact::PATH, Some(&bob), delete.clone()).await;
    assert!(not_found(error_of(status, &body)));
    // An ArtifactQuery argument, in the nested form encoding server functions use.
    let gallery = "gallery[page]=1&gallery[size]=24&gallery[type]=all&gallery[sort]=newest&gallery[q]=";
    let preview = format!("conversation_id={cid}&artifact_id={aid}&{gallery}");
    let listing = gallery.replace("gallery[", "query[");
    let (status, body) = server_fn(&app, GetPreview::PATH, Some(&bob), preview.clone()).await;
    assert!(not_found(error_of(status, &body)));
    let (_, body) = server_fn(&app, ListArtifacts::PATH, Some(&bob), listing.clone()).await;
    assert_eq!(postcard::from_bytes::<GalleryPage>(&body).unwrap().page.total, 0);
    assert!(!contains(&body, "secret"));
    for (name, form) in [
        (GetConversation::PATH, format!("id={cid}")),
        (ListConversations::PATH, String::new()),
        (DeleteArtifact::PATH, delete),
        (GetPreview::PATH, preview),
        (ListArtifacts::PATH, listing),
    ] {
        for cookie in [None, Some("vitrine_session=forged")] {
            let (status, body) = server_fn(&app, name, cookie, form.clone()).await;
            assert_eq!(error_of(status, &body), AppError::Unauthorized, "{name} {cookie:?}");
        }
    }
    assert_eq!(app.get("/api/artifacts", &alice).await.json()["total"], 1, "nothing was deleted");
}

#[tokio::test]
async fn expired_sessions_are_refused_everywhere() {
    use vitrine::server::{auth, meta};
    let app = TestApp::new();
    let token = app.user("alice");
    let alice = app.get("/api/me", &token).await.json()["id"].as_str().unwrap().parse().unwrap();
    let secret = auth::new_secret("");
    let hash = auth::secret_hash(&secret);
    let yesterday = time::OffsetDateTime::now_utc().unix_timestamp() - 86_400;
    let session = meta::SessionRow { hash, user: alice, expires_at: yesterday, user_agent: String::new() };
    app.state.meta.insert_session(session, "2020-01-01T00:00:00Z".into()).await.unwrap();
    let cookie = format!("{}={secret}", auth::SESSION_COOKIE);

    let r = app.send(with_cookie(Method::GET, "/api/artifacts", &cookie, &[], Body::empty())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.send(with_cookie(Method::GET, "/artifacts", &cookie, &[], Body::empty())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the page sends an expired session to sign in");
    let (status, body) = server_fn(&app, ListConversations::PATH, Some(&cookie), String::new()).await;
    assert_eq!(error_of(status, &body), AppError::Unauthorized);
}

/// The content origin (`usercontent.localhost`) and the app's session: a
/// browser never sends the host-only cookie there, but were one sent, it
/// grants nothing and none is set; the app's pages refuse to be framed by
/// it (or any other site), and its own answers stay sandboxed.
#[tokio::test]
async fn the_content_origin_neither_sets_nor_honours_the_apps_cookie_nor_frames_the_app() {
    use vitrine::server::clock::now_unix;
    use vitrine::server::content::Grant;
    const CONTENT: &str = "usercontent.localhost:3000";
    let app = TestApp::new();
    let token = app.user("alice");
    let alice = app.get("/api/me", &token).await.json()["id"].as_str().unwrap().parse().unwrap();
    let cid = app.conversation(&token, "Mine").await;
    app.tool_result(&token, &cid, &[("page.html", b"<script>1</script>"), ("secret.txt", b"alice's secret")]).await;
    let cookie = session(&app, "alice").await;
    let content = |target: String, method: Method| {
        let target = target.strip_prefix("http://usercontent.localhost:3000").unwrap_or(&target).to_string();
        let req = Request::builder()
            .method(method)
            .uri(target)
            .header(header::HOST, CONTENT)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"title": "planted"}"#))
            .unwrap();
        app.send(req)
    };
    let grant = Grant::conversation(alice, cid.parse().unwrap());
    let url = |path: &str, expires: i64| app.state.content.url(&grant, path, expires).to_string();
    let page = url("mnt/user-data/outputs/page.html", now_unix() + 60);

    let r = content(page.clone(), Method::GET).await;
    assert_eq!((r.status, &r.body[..]), (StatusCode::OK, &b"<script>1</script>"[..]));
    let forged = page.replacen("/mnt/", "x/mnt/", 1);
    let expired = url("mnt/user-data/outputs/secret.txt", now_unix() - 1);
    let mut refused = vec![(forged, [403, 403]), (expired, [410, 410])];
    // An app route is not served there: a missing page, or a token that is not one.
    for app_route in ["/api/artifacts", "/api/me", "/artifacts", "/settings", &format!("/api/conversations/{cid}")] {
        refused.push((app_route.to_string(), [403, 404]));
    }
    for (target, statuses) in &refused {
        let r = content(target.clone(), Method::GET).await;
        assert!(statuses.contains(&r.status.as_u16()), "{target}: {} {}", r.status, r.text());
        assert!(r.header("content-type").starts_with("text/html"), "{target}: a small page, never the API's JSON");
        assert!(!r.text().contains("alice") && !r.text().contains("Sign out"), "{target}: {}", r.text());
    }
    let r = content("/api/conversations".into(), Method::POST).await;
    assert!(!r.status.is_success(), "{}", r.status);
    for r in [&r, &content(page, Method::GET).await] {
        assert!(!r.headers.contains_key(header::SET_COOKIE));
        assert_eq!(r.header("content-security-policy"), "sandbox allow-scripts");
    }
    assert_eq!(app.get("/api/conversations", &token).await.json().as_array().unwrap().len(), 1, "nothing planted");

    // An agent page may not frame the app: its pages (a share link's too)
    // allow no frame at all, its file URLs only the app itself.
    let share = app.post("/api/shares", &token, json!({ "conversation_id": cid, "expires_in_seconds": 3600 })).await;
    let shared = share.json()["url"].as_str().unwrap().to_string();
    let thread = format!("/api/threads/{cid}/artifacts/mnt/user-data/outputs/page.html");
    for (target, policy) in [
        ("/artifacts", "frame-ancestors 'none'"),
        ("/settings", "frame-ancestors 'none'"),
        (&shared, "frame-ancestors 'none'"),
        (&thread, "frame-ancestors 'self'"),
    ] {
        let r = app.send(with_cookie(Method::GET, target, &cookie, &[], Body::empty())).await;
        assert_eq!(r.status, StatusCode::OK, "{target}");
        assert!(
            r.header("content-security-policy").contains(policy),
            "{target}: {}",
            r.header("content-security-policy")
        );
    }
}
