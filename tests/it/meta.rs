//! The metadata database behind `Meta`: instances that share it, and, with
//! the services' PostgreSQL (`VITRINE_DATABASE_URL` when the tests run
//! remote), its migrations, its content key and its failures.

use crate::common::{self, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tempfile::TempDir;
use vitrine::server::clock::now_unix;
use vitrine::server::config::{Config, Settings};
use vitrine::server::content::Grant;
use vitrine::server::meta::pg::Pg;
use vitrine::server::meta::Meta;

/// A data directory and the settings of a test app on it when the tests
/// run with PostgreSQL; `None` (and the test returns) otherwise.
fn postgres() -> Option<(TempDir, Config)> {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config(dir.path());
    if config.database_url.is_none() {
        eprintln!("not run: needs PostgreSQL (remote tests with VITRINE_DATABASE_URL)");
        return None;
    }
    Some((dir, config))
}

#[tokio::test]
async fn two_instances_on_one_database_see_each_others_records() {
    let a = TestApp::new();
    let alice = a.user("alice");
    let c = a.conversation(&alice, "Shared").await;
    let stored = a.tool_result(&alice, &c, &[("a.txt", b"from a")]).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    let form = "name=alice&password=secret-password";
    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let login = a.send(login).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.text());
    let cookie = login.header("set-cookie").split(';').next().unwrap().to_string();

    let b = a.beside();
    assert_eq!(b.get("/api/me", &alice).await.json()["name"], "alice");
    let me = Request::get("/api/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(b.send(me).await.status, StatusCode::OK, "a session made on a");
    let thread = b.get(&format!("/api/conversations/{c}"), &alice).await.json();
    assert_eq!(thread["title"], "Shared", "{thread}");
    let artifact = &thread["messages"][0]["artifacts"][0];
    assert_eq!(artifact["id"], stored.json()["artifacts"][0]["id"], "{thread}");

    // A token made on b works on a; one revoked on b, a refuses (never
    // having cached it).
    let made = b.post("/api/tokens", &alice, json!({ "name": "kept" })).await.json();
    assert_eq!(a.get("/api/me", made["token"].as_str().unwrap()).await.status, StatusCode::OK);
    let made = b.post("/api/tokens", &alice, json!({ "name": "revoked" })).await.json();
    let r = b.call(Method::DELETE, &format!("/api/tokens/{}", made["id"].as_str().unwrap()), Some(&alice), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(a.get("/api/me", made["token"].as_str().unwrap()).await.status, StatusCode::UNAUTHORIZED);
    let names: Vec<_> =
        a.get("/api/tokens", &alice).await.json().as_array().unwrap().iter().map(|t| t["name"].clone()).collect();
    assert_eq!(names, [json!("default"), json!("kept")]);
}

#[tokio::test]
async fn migrations_run_again_change_nothing() {
    let Some((dir, config)) = postgres() else { return };
    let app = TestApp::open(dir, config.clone());
    app.user("alice");
    let url = config.database_url.as_ref().unwrap();
    let again = Meta::Postgres(Pg::connect(url).unwrap());
    Pg::connect(url).unwrap();
    assert_eq!(app.select("SELECT count(*) FROM _sqlx_migrations"), Some("8".into()));
    assert_eq!(app.select("SELECT count(*) FROM users"), Some("1".into()));
    assert!(again.user_by_name("alice".into()).await.unwrap().is_some());
}

#[tokio::test]
async fn the_content_key_is_shared_through_the_database() {
    let Some((dir, config)) = postgres() else { return };
    let a = TestApp::open(dir, config);
    let b = a.beside();
    let grant = Grant::conversation(uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let token = a.state.content.signer.sign(&grant, now_unix() + 60);
    assert_eq!(b.state.content.signer.verify(&token, now_unix()), Ok(grant));
    assert_eq!(a.select("SELECT length(value) FROM settings WHERE name = 'content_key'"), Some("32".into()));
    for app in [&a, &b] {
        assert!(!app.dir.path().join("content.key").exists(), "no key file beside a database's");
    }
}

/// What one instance revokes, another that cached it refuses within moments
/// (PostgreSQL tells it; nothing polls): a token, a session signed out; and
/// so after the listeners' connections were cut.
#[tokio::test]
async fn revocations_reach_another_instance_that_cached_them() {
    let Some((dir, config)) = postgres() else { return };
    let a = TestApp::open(dir, config);
    let b = a.beside();
    let alice = a.user("alice");
    let cached_on_b = async |name: &str| {
        let made = a.post("/api/tokens", &alice, json!({ "name": name })).await.json();
        let secret = made["token"].as_str().unwrap().to_string();
        assert_eq!(b.get("/api/me", &secret).await.status, StatusCode::OK);
        (made["id"].as_str().unwrap().to_string(), secret)
    };
    let revoke_on_a = async |id: &str| {
        let r = a.call(Method::DELETE, &format!("/api/tokens/{id}"), Some(&alice), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    };
    let bearer = |secret: &str| {
        let value = format!("Bearer {secret}");
        move || Request::get("/api/me").header(header::AUTHORIZATION, &value).body(Body::empty()).unwrap()
    };

    let (id, secret) = cached_on_b("first").await;
    revoke_on_a(&id).await;
    assert!(refused_soon(&b, bearer(&secret)).await, "a token revoked on a");

    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=alice&password=secret-password"))
        .unwrap();
    let cookie = a.send(login).await.header("set-cookie").split(';').next().unwrap().to_string();
    let with_cookie = || Request::get("/api/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(b.send(with_cookie()).await.status, StatusCode::OK);
    let logout = Request::post("/logout").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(a.send(logout).await.status, StatusCode::SEE_OTHER);
    assert!(refused_soon(&b, with_cookie).await, "a session signed out on a");

    // Revoked while b's listener connects again, then after.
    let (id, secret) = cached_on_b("during").await;
    let cut = crate::live::cut_listeners(&a);
    assert!(cut >= 2, "the listeners of a and b: {cut}");
    revoke_on_a(&id).await;
    assert!(refused_soon(&b, bearer(&secret)).await, "a token revoked as b's listener connected again");
    let (id, secret) = cached_on_b("after").await;
    revoke_on_a(&id).await;
    assert!(refused_soon(&b, bearer(&secret)).await, "a token revoked once b listened again");
}

/// Whether `app` answers 401 to `request` within a few seconds.
async fn refused_soon(app: &TestApp, request: impl Fn() -> Request<Body>) -> bool {
    for _ in 0..100 {
        if app.send(request()).await.status == StatusCode::UNAUTHORIZED {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A wrong URL is refused when read, and an unreachable database at
/// start-up, each with one line naming the setting; never the password.
#[test]
fn a_wrong_or_unreachable_database_url_is_named_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let load = |url: &str| {
        let env = |name: &str| (name == "VITRINE_DATABASE_URL").then(|| url.to_string());
        Settings::load(Some(&dir.path().join("none.toml")), env, &Settings::default()).map(|_| ())
    };
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    let e = load("mysql://vitrine:secret@db/vitrine").unwrap_err().to_string();
    assert_eq!(e, "VITRINE_DATABASE_URL: expected postgres://…, got mysql://…");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut config = Config::new(dir.path());
    config.database_url = Some(format!("postgres://vitrine:secret@{closed}/vitrine").parse().unwrap());
    let e = Meta::open(&config).err().unwrap().to_string();
    let named = format!("database_url postgres://vitrine@{closed}/vitrine: cannot connect: ");
    assert!(e.starts_with(&named) && !e.contains("secret") && !e.contains('\n'), "{e}");
}

/// A database that stops answering while the app runs: a request that needs
/// it is a 503 naming it, and readiness fails.
#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    let Some((dir, mut config)) = postgres() else { return };
    let mut url = url::Url::parse(&config.database_url.as_ref().unwrap().to_string()).unwrap();
    let upstream: SocketAddr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap()).parse().unwrap();
    let relay = Relay::to(upstream);
    url.set_port(Some(relay.addr.port())).unwrap();
    config.database_url = Some(url.as_str().parse().unwrap());
    let app = TestApp::open(dir, config);
    let alice = app.user("alice");
    relay.cut();
    let r = app.get("/api/me", &alice).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    let detail = r.json()["detail"].as_str().unwrap().to_string();
    assert!(detail.starts_with("Database unavailable: "), "{detail}");
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.json()["detail"], "Not ready: database: no answer within 2 s");
}

/// A TCP relay to `upstream` on a thread of its own (the app's start-up
/// blocks the test's thread), until cut: then its port is closed and every
/// connection through it is dropped.
struct Relay {
    addr: SocketAddr,
    cut: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Relay {
    fn to(upstream: SocketAddr) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (cut, mut stop) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let mut links = tokio::task::JoinSet::new();
                loop {
                    tokio::select! {
                        _ = &mut stop => break,
                        Ok((mut client, _)) = listener.accept() => {
                            links.spawn(async move {
                                let mut server = tokio::net::TcpStream::connect(upstream).await?;
                                tokio::io::copy_bidirectional(&mut client, &mut server).await
                            });
                        }
                    }
                }
            })
        });
        Self { addr, cut, thread }
    }

    fn cut(self) {
        self.cut.send(()).unwrap();
        self.thread.join().unwrap();
    }
}
