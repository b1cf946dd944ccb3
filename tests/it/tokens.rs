//! API tokens (names, scopes, expiry, revocation), browser sessions,
//! sign-in limits, the settings page's forms, the schema migration, and
//! that no secret reaches the server's log.

use crate::common::process::{self, Server};
use crate::common::{self, Reply, TestApp};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum_client_ip::ClientIpSource;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use vitrine::api::{ChangeVersion, CreateToken, DeleteArtifact, RevokeToken};
use vitrine::server::auth;
use vitrine::server::clock::{now_unix, rfc3339};
use vitrine::server::config::SignInLimits;

const READ_ONLY: &str = "This token is read-only: it may only make GET and HEAD requests";

/// Makes a token through the API; returns its id and secret.
async fn token(app: &TestApp, owner: &str, body: Value) -> (String, String) {
    let r = app.post("/api/tokens", owner, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.json();
    (created["id"].as_str().unwrap().to_string(), created["token"].as_str().unwrap().to_string())
}

async fn delete(app: &TestApp, uri: &str, token: &str) -> Reply {
    app.call(Method::DELETE, uri, Some(token), None).await
}

/// Posts the login form from `peer`, as a browser (`Accept: text/html`) or not.
async fn login(app: &TestApp, name: &str, password: &str, peer: &str, browser: bool) -> Reply {
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, format!("agent-of-{peer}"));
    if browser {
        req = req.header(header::ACCEPT, "text/html,application/xhtml+xml");
    }
    let mut req = req.body(Body::from(format!("name={name}&password={password}"))).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    app.send(req).await
}

/// The session cookie pair of a successful sign-in.
async fn session(app: &TestApp, name: &str, peer: &str) -> String {
    let r = login(app, name, "secret-password", peer, false).await;
    assert_eq!(r.header("location"), "/artifacts", "{}", r.text());
    r.header("set-cookie").split(';').next().unwrap().to_string()
}

async fn with_cookie(app: &TestApp, method: Method, uri: &str, cookie: &str) -> Reply {
    app.send(Request::builder().method(method).uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap())
        .await
}

#[tokio::test]
async fn tokens_are_listed_made_and_revoked_at_once() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let r = app.get("/api/tokens", &alice).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        (&list[0]["name"], &list[0]["scope"], &list[0]["expires_at"]),
        (&json!("default"), &json!("read-write"), &Value::Null)
    );
    assert!(!r.text().contains(&alice) && list[0].get("token").is_none(), "a list never shows secrets");

    let r = app.post("/api/tokens", &alice, json!({ "name": "ci", "scope": "read", "expires_in_days": 30 })).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let created = r.json();
    let (id, ci) = (created["id"].as_str().unwrap(), created["token"].as_str().unwrap());
    assert!(ci.starts_with("vt_") && ci.len() == 67 && ci != alice, "{ci}");
    assert_eq!((&created["name"], &created["scope"]), (&json!("ci"), &json!("read")));
    assert!(created["expires_at"].as_str().unwrap() > created["created_at"].as_str().unwrap());
    assert_eq!(app.get("/api/me", ci).await.json()["name"], "alice");
    let r = app.get("/api/tokens", &alice).await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    assert!(!r.text().contains(ci));

    for bad in [
        json!({ "name": "" }),
        json!({ "name": "x".repeat(101) }),
        json!({ "name": "x", "scope": "admin" }),
        json!({ "name": "x", "expires_in_days": 0 }),
        json!({ "name": "x", "expires_in_days": 3651 }),
    ] {
        assert_eq!(app.post("/api/tokens", &alice, bad.clone()).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // Someone else's token is missing, as a nonexistent one.
    let bob = app.user("bob");
    let r = delete(&app, &format!("/api/tokens/{id}"), &bob).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["detail"], format!("Token not found: {id}"));
    assert_eq!(app.get("/api/me", ci).await.status, StatusCode::OK);

    // Revoked: refused from the next request, though it was cached.
    assert_eq!(delete(&app, &format!("/api/tokens/{id}"), &alice).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/me", ci).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(delete(&app, &format!("/api/tokens/{id}"), &alice).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/me", &alice).await.status, StatusCode::OK, "other tokens still work");
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let (id, short) = token(&app, &alice, json!({ "name": "short", "expires_in_days": 1 })).await;
    // A day and a second later, as far as the database knows.
    let past = time::OffsetDateTime::now_utc().unix_timestamp() - 1;
    assert_eq!(app.execute(&format!("UPDATE tokens SET expires_at = {past} WHERE id = '{id}'")), 1);
    let r = app.get("/api/me", &short).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["detail"], "Not authenticated");
    let listed = app.get("/api/tokens", &alice).await.json();
    assert!(listed.as_array().unwrap().iter().any(|t| t["id"] == id.as_str()), "still listed, to be seen and revoked");
}

/// The value `poll` gives, once it gives one within a few seconds (what
/// the server writes in the background).
async fn eventually<T>(mut poll: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(value) = poll() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 5 s");
}

#[tokio::test]
async fn tokens_show_when_they_were_last_used_written_at_most_once_a_minute() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let (id, ci) = token(&app, &alice, json!({ "name": "ci" })).await;
    let stored = || {
        let used = app.select(&format!("SELECT last_used_at FROM tokens WHERE id = '{id}'"));
        used.map(|at| at.parse::<i64>().unwrap())
    };
    let set = |at: i64| {
        app.execute(&format!("UPDATE tokens SET last_used_at = {at} WHERE id = '{id}'"));
    };
    let listed = |list: Value| list.as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).unwrap().clone();
    assert_eq!(listed(app.get("/api/tokens", &alice).await.json())["last_used_at"], Value::Null);

    let before = now_unix();
    assert_eq!(app.get("/api/me", &ci).await.status, StatusCode::OK);
    let used = eventually(stored).await;
    assert!((before..=now_unix()).contains(&used), "{used}");
    assert_eq!(listed(app.get("/api/tokens", &alice).await.json())["last_used_at"], rfc3339(used));

    // As though that use were 30 s ago: uses within the minute write nothing.
    set(used - 30);
    for _ in 0..3 {
        assert_eq!(app.get("/api/me", &ci).await.status, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(stored(), Some(used - 30));

    // Two minutes ago, and the cache forgotten (any revocation clears it):
    // the next use is written.
    set(used - 120);
    let (other, _) = token(&app, &alice, json!({ "name": "other" })).await;
    assert_eq!(delete(&app, &format!("/api/tokens/{other}"), &alice).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/me", &ci).await.status, StatusCode::OK);
    assert!(eventually(|| stored().filter(|&at| at >= before)).await >= used);
}

#[tokio::test]
async fn read_only_tokens_can_read_but_not_write() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let cid = app.conversation(&alice, "t").await;
    let stored = app.tool_result(&alice, &cid, &[("a.txt", b"hello")]).await.json();
    let aid = stored["artifacts"][0]["id"].as_str().unwrap().to_string();
    let (read_id, read) = token(&app, &alice, json!({ "name": "dashboard", "scope": "read" })).await;

    for uri in
        ["/api/conversations", "/api/artifacts", "/api/tokens", &format!("/api/conversations/{cid}/artifacts/{aid}")]
    {
        assert_eq!(app.get(uri, &read).await.status, StatusCode::OK, "{uri}");
    }
    let artifact = format!("/api/conversations/{cid}/artifacts/{aid}");
    for (method, uri) in [
        (Method::POST, "/api/conversations".to_string()),
        (Method::POST, format!("/api/conversations/{cid}/tool-results")),
        (Method::POST, format!("/api/threads/{cid}/uploads")),
        (Method::DELETE, artifact.clone()),
        (Method::POST, "/api/tokens".to_string()),
        (Method::DELETE, format!("/api/tokens/{read_id}")),
        (Method::DELETE, "/api/sessions".to_string()),
        (Method::PUT, "/api/conversations".to_string()),
        (Method::PATCH, artifact.clone()),
    ] {
        let r = app.call(method.clone(), &uri, Some(&read), Some(json!({ "title": "x", "name": "x" }))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {uri}: {}", r.text());
        assert_eq!(r.json(), json!({ "detail": READ_ONLY }));
    }
    // Server functions are POSTs: refused the same way.
    for (path, form) in [
        (DeleteArtifact::PATH, format!("conversation_id={cid}&artifact_id={aid}&back=%2Fartifacts")),
        (ChangeVersion::PATH, format!("conversation_id={cid}&artifact_id={aid}&version=1&change=restore&back=%2F")),
        (CreateToken::PATH, "name=x&scope=read-write&expires_in_days=0".to_string()),
        (RevokeToken::PATH, format!("id={read_id}")),
    ] {
        let r = app
            .send(
                Request::post(path)
                    .header(header::AUTHORIZATION, format!("Bearer {read}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/x-postcard")
                    .body(Body::from(form))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(r.json(), json!({ "detail": READ_ONLY }));
    }
    assert_eq!(app.get(&artifact, &alice).await.status, StatusCode::OK, "nothing was deleted");
    assert_eq!(app.get("/api/tokens", &alice).await.json().as_array().unwrap().len(), 2, "nothing was made or revoked");
    // The read-write token writes.
    assert_eq!(delete(&app, &artifact, &alice).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn sign_in_is_limited_per_account() {
    let app = TestApp::with(|c| c.sign_in = SignInLimits { per_account: 3, per_address: 100 });
    app.user("alice");
    app.user("bob");
    for peer in ["10.0.0.1:1000", "10.0.0.2:1000", "10.0.0.3:1000"] {
        let r = login(&app, "alice", "wrong", peer, false).await;
        assert!(r.header("location").starts_with("/login?error=1"), "{}", r.header("location"));
    }
    // From anywhere, even with the right password.
    let r = login(&app, "alice", "secret-password", "10.0.0.4:1000", false).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.header("retry-after").parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(r.json()["detail"], format!("Too many sign-in attempts: try again in {wait} seconds"));
    assert!(r.header("set-cookie").is_empty());
    // A browser gets the form again, saying how long to wait.
    let r = login(&app, "alice", "secret-password", "10.0.0.5:1000", true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("location").starts_with("/login?error=limited&retry="), "{}", r.header("location"));
    let page = app.send(Request::get(r.header("location")).body(Body::empty()).unwrap()).await;
    assert!(page.text().contains("Too many sign-in attempts. Try again in"), "{}", page.text());
    // Another account is not affected.
    session(&app, "bob", "10.0.0.1:1000").await;
}

#[tokio::test]
async fn sign_in_is_limited_per_client_address() {
    let app = TestApp::with(|c| c.sign_in = SignInLimits { per_account: 100, per_address: 3 });
    app.user("alice");
    for name in ["a", "b", "c"] {
        assert_eq!(login(&app, name, "x", "192.0.2.1:5000", false).await.status, StatusCode::SEE_OTHER);
    }
    let r = login(&app, "alice", "secret-password", "192.0.2.1:5001", false).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!r.header("retry-after").is_empty());
    // Another address is not affected.
    session(&app, "alice", "192.0.2.2:5000").await;
    // An IPv6 client is its /64.
    for name in ["a", "b", "c"] {
        login(&app, name, "x", "[2001:db8:1:2::1]:5000", false).await;
    }
    let r = login(&app, "d", "x", "[2001:db8:1:2:ffff::9]:5000", false).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    session(&app, "alice", "[2001:db8:1:3::1]:5000").await;
}

/// With PostgreSQL, instances count sign-in attempts together: an
/// account's and a client's allowance is the same whichever instance each
/// attempt reaches.
#[tokio::test]
async fn instances_on_one_database_count_sign_in_attempts_together() {
    if common::remote_only() {
        return;
    }
    let a = TestApp::with(|c| c.sign_in = SignInLimits { per_account: 3, per_address: 4 });
    let b = a.beside();
    a.user("alice");
    a.user("bob");
    for (app, peer) in [(&a, "10.0.0.1:1"), (&b, "10.0.0.2:1"), (&a, "10.0.0.3:1")] {
        assert_eq!(login(app, "alice", "wrong", peer, false).await.status, StatusCode::SEE_OTHER);
    }
    let r = login(&b, "alice", "secret-password", "10.0.0.4:1", false).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the account's fourth, on the other instance");
    let wait: u64 = r.header("retry-after").parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    for (app, name) in [(&a, "a"), (&b, "b"), (&a, "c"), (&b, "d")] {
        assert_eq!(login(app, name, "x", "192.0.2.1:1", false).await.status, StatusCode::SEE_OTHER);
    }
    for app in [&a, &b] {
        let r = login(app, "e", "x", "192.0.2.1:2", false).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the client's fifth");
    }
    session(&b, "bob", "192.0.2.2:1").await;
}

/// A wrong sign-in as `name` through a proxy on 127.0.0.1 that forwards
/// for `forwarded` (`X-Forwarded-For`, none when `None`); its status.
async fn through_proxy(app: &TestApp, name: &str, forwarded: Option<&str>) -> StatusCode {
    let mut req = Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(forwarded) = forwarded {
        req = req.header("x-forwarded-for", forwarded);
    }
    let mut req = req.body(Body::from(format!("name={name}&password=x"))).unwrap();
    req.extensions_mut().insert(ConnectInfo("127.0.0.1:9000".parse::<SocketAddr>().unwrap()));
    app.send(req).await.status
}

/// Behind a proxy (`client_ip_source`), each client is its address as the
/// proxy appended it (the rightmost; what a client wrote before it counts
/// for nothing), not the proxy's; a request without the header counts as
/// the connection's. By default the header is not believed at all.
#[tokio::test]
async fn behind_a_proxy_sign_in_is_limited_per_forwarded_client() {
    let limits = SignInLimits { per_account: 100, per_address: 3 };
    let app = TestApp::with(|c| (c.sign_in, c.client_ip) = (limits, ClientIpSource::RightmostXForwardedFor));
    for (name, forwarded) in [("a", "192.0.2.7, 198.51.100.1"), ("b", "198.51.100.1"), ("c", "10.9.9.9, 198.51.100.1")]
    {
        assert_eq!(through_proxy(&app, name, Some(forwarded)).await, StatusCode::SEE_OTHER);
    }
    assert_eq!(through_proxy(&app, "d", Some("192.0.2.8, 198.51.100.1")).await, StatusCode::TOO_MANY_REQUESTS);
    for other in ["198.51.100.2", "198.51.100.1, 198.51.100.3"] {
        assert_eq!(through_proxy(&app, "e", Some(other)).await, StatusCode::SEE_OTHER, "{other}");
    }
    for name in ["f", "g", "h"] {
        assert_eq!(through_proxy(&app, name, None).await, StatusCode::SEE_OTHER);
    }
    assert_eq!(through_proxy(&app, "i", None).await, StatusCode::TOO_MANY_REQUESTS, "the proxy's own");

    let app = TestApp::with(|c| c.sign_in = limits);
    for (name, forwarded) in [("a", "198.51.100.1"), ("b", "198.51.100.2"), ("c", "198.51.100.3")] {
        assert_eq!(through_proxy(&app, name, Some(forwarded)).await, StatusCode::SEE_OTHER);
    }
    assert_eq!(through_proxy(&app, "d", Some("198.51.100.4")).await, StatusCode::TOO_MANY_REQUESTS, "one peer");
}

#[tokio::test]
async fn sessions_are_listed_and_the_others_signed_out() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let bob = app.user("bob");
    let first = session(&app, "alice", "10.1.0.1:1").await;
    let second = session(&app, "alice", "10.1.0.2:1").await;

    let r = with_cookie(&app, Method::GET, "/api/sessions", &first).await;
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let current: Vec<&Value> = list.as_array().unwrap().iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "agent-of-10.1.0.1:1");
    assert!(current[0]["created_at"].as_str().unwrap() < current[0]["expires_at"].as_str().unwrap());
    let first_id = current[0]["id"].as_str().unwrap().to_string();
    assert!(!r.text().contains(first.split('=').nth(1).unwrap()), "no session secrets");

    assert_eq!(delete(&app, &format!("/api/sessions/{first_id}"), &bob).await.status, StatusCode::NOT_FOUND);
    let r = with_cookie(&app, Method::DELETE, "/api/sessions", &first).await;
    assert_eq!(r.json(), json!({ "signed_out": 1 }));
    assert_eq!(with_cookie(&app, Method::GET, "/api/me", &second).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(with_cookie(&app, Method::GET, "/api/me", &first).await.status, StatusCode::OK);

    // With a token, every session is another's; one can be ended by its id.
    let list = app.get("/api/sessions", &alice).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["current"], false);
    assert_eq!(delete(&app, &format!("/api/sessions/{first_id}"), &alice).await.status, StatusCode::NO_CONTENT);
    assert_eq!(with_cookie(&app, Method::GET, "/api/me", &first).await.status, StatusCode::UNAUTHORIZED);
}

/// The first `vt_` secret in a page.
fn secret_in(page: &str) -> Option<String> {
    let start = page.find("vt_")?;
    Some(page[start..start + 67].to_string())
}

#[tokio::test]
async fn the_settings_page_works_without_javascript() {
    let app = TestApp::new();
    let alice = app.user("alice");
    let cookie = session(&app, "alice", "10.2.0.1:1").await;
    let page = with_cookie(&app, Method::GET, "/settings", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.html();
    for text in [
        "<h2 id=\"tokens-title\">API tokens</h2>",
        "default",
        "read-write",
        "<th scope=\"col\">Last used</th>",
        "(this session)",
        "agent-of-10.2.0.1:1",
    ] {
        assert!(html.contains(text), "{text} missing: {html}");
    }
    assert!(!html.contains(&alice), "secrets are shown only once, when made");

    // A plain form post: redirected back, the new secret in a one-time cookie.
    let form = |path: &str, body: String| {
        Request::post(path)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body(Body::from(body))
            .unwrap()
    };
    let r = app.send(form(CreateToken::PATH, "name=laptop&scope=read&expires_in_days=7".into())).await;
    assert_eq!(r.header("location"), "/settings");
    let flash = r.header("set-cookie").split(';').next().unwrap().to_string();
    let page = with_cookie(&app, Method::GET, "/settings", &format!("{cookie}; {flash}")).await;
    let secret = secret_in(&page.text()).expect("the new token is shown");
    assert!(page.text().contains("laptop") && page.text().contains("copy it now"));
    assert!(page.header("set-cookie").contains("Max-Age=0"), "shown once: {}", page.header("set-cookie"));
    assert_eq!(app.get("/api/me", &secret).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/conversations", &secret, json!({ "title": "x" })).await.status, StatusCode::FORBIDDEN);

    let tokens = app.get("/api/tokens", &alice).await.json();
    let id =
        tokens.as_array().unwrap().iter().find(|t| t["name"] == "laptop").unwrap()["id"].as_str().unwrap().to_string();
    let r = app.send(form(RevokeToken::PATH, format!("id={id}"))).await;
    assert_eq!(r.header("location"), "/settings");
    assert_eq!(app.get("/api/me", &secret).await.status, StatusCode::UNAUTHORIZED);
    let page = with_cookie(&app, Method::GET, "/settings", &cookie).await;
    assert!(!page.text().contains("laptop") && secret_in(&page.text()).is_none());
}

#[tokio::test]
async fn a_database_from_before_token_names_keeps_working() {
    // An old SQLite file, written here.
    if common::local_only() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (token, session_secret) = ("vt_from_an_old_version", "an-old-session");
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 86_400;
    {
        let c = rusqlite::Connection::open(dir.path().join("vitrine.db")).unwrap();
        c.execute_batch(
            "CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
             CREATE TABLE tokens (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at TEXT NOT NULL);
             CREATE TABLE sessions (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), expires_at INTEGER NOT NULL);
             INSERT INTO users VALUES ('8d8ac610-566d-4ef0-9c22-186b2a5ed793', 'old', 'x', '2025-01-01T00:00:00Z');",
        )
        .unwrap();
        let user = "8d8ac610-566d-4ef0-9c22-186b2a5ed793";
        c.execute(
            "INSERT INTO tokens VALUES (?1, ?2, '2025-01-01T00:00:00Z')",
            [auth::secret_hash(token), user.into()],
        )
        .unwrap();
        c.execute(
            "INSERT INTO sessions VALUES (?1, ?2, ?3)",
            rusqlite::params![auth::secret_hash(session_secret), user, expires],
        )
        .unwrap();
    }
    let config = common::config(dir.path());
    let app = TestApp::open(dir, config).restart();
    let list = app.get("/api/tokens", token).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        (&list[0]["name"], &list[0]["scope"], &list[0]["expires_at"]),
        (&json!("default"), &json!("read-write"), &Value::Null)
    );
    assert_eq!(list[0]["created_at"], "2025-01-01T00:00:00Z");
    uuid::Uuid::parse_str(list[0]["id"].as_str().unwrap()).unwrap();
    let cookie = format!("{}={session_secret}", auth::SESSION_COOKIE);
    let sessions = with_cookie(&app, Method::GET, "/api/sessions", &cookie).await.json();
    assert_eq!(sessions[0]["current"], true, "{sessions}");
    let started = time::OffsetDateTime::from_unix_timestamp(expires - auth::SESSION_DAYS * 86_400).unwrap();
    let started = started.format(&time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(sessions[0]["created_at"], started);
    let version: i64 =
        app.sqlite().run_blocking(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
    assert_eq!(version, 3);
}

fn vitrine(data: &std::path::Path, args: &[&str]) -> String {
    let out = process::command(data).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The real server, logging at debug level: the command line's tokens
/// work and its revocation reaches the running server; no token, session
/// or password is ever written to the log.
#[test]
fn the_command_line_manages_tokens_and_no_secret_is_logged() {
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let first = vitrine(data.path(), &["user", "add", "alice", "--password", "pw-not-in-logs"]);
    let first = first.lines().last().unwrap().trim().to_string();
    let added = vitrine(data.path(), &["token", "add", "--user", "alice", "--scope", "read", "nightly"]);
    let (id_line, secret) = (added.lines().next().unwrap(), added.lines().last().unwrap().trim().to_string());
    let id = id_line.split_whitespace().nth(2).unwrap().to_string();
    let listed = vitrine(data.path(), &["token", "list", "--user", "alice"]);
    assert!(listed.contains("default") && listed.contains(&format!("{id}  nightly  read")), "{listed}");
    assert!(listed.lines().all(|l| l.ends_with("last used never")), "{listed}");
    assert!(!listed.contains(&first) && !listed.contains(&secret));

    let log_path = logs.path().join("server.log");
    let server = Server::start_logging(data.path(), &[], "debug", std::fs::File::create(&log_path).unwrap());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let me = |token: &str| {
        let r = agent.get(format!("{}/api/me", server.base)).header("Authorization", format!("Bearer {token}")).call();
        r.unwrap().status().as_u16()
    };
    let forged = format!("vt_{}", "f".repeat(64));
    assert_eq!(me(&first), 200);
    assert_eq!(me(&secret), 200);
    assert_eq!(me(&forged), 401);
    let write = agent
        .post(format!("{}/api/conversations", server.base))
        .header("Authorization", format!("Bearer {secret}"))
        .send_json(json!({ "title": "x" }))
        .unwrap();
    assert_eq!(write.status().as_u16(), 403);
    let signed_in = agent
        .post(format!("{}/login", server.base))
        .content_type("application/x-www-form-urlencoded")
        .send("name=alice&password=pw-not-in-logs")
        .unwrap();
    let cookie = signed_in.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    let session_secret = cookie.split(';').next().unwrap().split('=').nth(1).unwrap().to_string();
    agent
        .post(format!("{}/login", server.base))
        .content_type("application/x-www-form-urlencoded")
        .send("name=alice&password=wrong-pw-not-in-logs")
        .unwrap();

    // Revoked by another process: the server stops accepting it within a second or so.
    vitrine(data.path(), &["token", "revoke", "--user", "alice", &id]);
    let started = Instant::now();
    while me(&secret) != 401 {
        assert!(started.elapsed() < Duration::from_secs(60), "the revocation did not reach the server");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(me(&first), 200);
    drop(server);

    let log = std::fs::read_to_string(&log_path).unwrap();
    for logged in ["signed in", "sign-in refused", "cached credentials forgotten"] {
        assert!(log.contains(logged), "{logged} is not in the log:\n{log}");
    }
    for secret in [first.as_str(), &secret, &forged, &session_secret, "pw-not-in-logs", "Bearer"] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}
