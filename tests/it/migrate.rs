//! `vitrine migrate`, the real binary: a data directory made by an app on
//! local storage (and SQLite), its artifacts copied into a fresh prefix of
//! the services' bucket (`--to`) and its metadata into a fresh schema of
//! their PostgreSQL (`--database`), then served from there. Copying needs
//! the services: those tests run remote only.

use crate::common::{self, process, Reply, TestApp};
use crate::foundation;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;
use vitrine::server::auth;
use vitrine::server::clock::now_unix;
use vitrine::server::content::Grant;
use vitrine::server::meta::Meta;
use vitrine::server::store::blobs::{card_key, Blobs};

/// `vitrine migrate` on the data directory `dir`, with the test's
/// environment (the services' endpoint and credentials) and `env` added.
pub(crate) fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(process::bin());
    command.arg("migrate").args(args).env("VITRINE_DATA_DIR", dir);
    command.env_remove("VITRINE_STORE").env_remove("VITRINE_DATABASE_URL");
    command.envs(env.iter().copied());
    command
}

/// Runs [`command`] to its end.
pub(crate) fn migrate(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(dir, args, env).output().unwrap()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An app whose artifacts are in its data directory, whatever the mode.
fn local_app() -> TestApp {
    TestApp::with(|c| {
        c.store = None;
        c.s3_endpoint = None;
    })
}

/// Stops the app; its data directory stays.
pub(crate) fn stop(app: TestApp) -> TempDir {
    let TestApp { dir, state, router } = app;
    drop((state, router));
    dir
}

/// Where `migrate` copies `dir`'s artifacts: the prefix an app on `dir`
/// uses in the services' bucket (`common::config`), fresh, as the app that
/// made them kept them in `dir`.
pub(crate) fn target(dir: &Path) -> String {
    common::remote_store(dir).expect("the tests run remote")
}

/// Every artifact of the conversations as listed, and every version of
/// each, with its bytes as downloaded.
async fn everything(app: &TestApp, token: &str, conversations: &[&str]) -> Vec<(Value, Vec<u8>)> {
    let mut found = Vec::new();
    for c in conversations {
        let listing = app.get(&format!("/api/conversations/{c}/artifacts"), token).await.json();
        for item in listing["items"].as_array().unwrap() {
            let url = item["url"].as_str().unwrap();
            for version in app.get(&format!("{url}/versions"), token).await.json()["items"].as_array().unwrap() {
                let r = app.get(version["url"].as_str().unwrap(), token).await;
                assert_eq!(r.status, StatusCode::OK, "{version}");
                found.push((json!({ "artifact": item, "version": version }), r.body));
            }
        }
    }
    found
}

#[tokio::test]
async fn a_migrated_data_directory_serves_the_same_artifacts_from_the_bucket() {
    if common::remote_only() {
        return;
    }
    let app = local_app();
    let token = app.user("alice");
    let (c1, c2) = (app.conversation(&token, "one").await, app.conversation(&token, "two").await);
    let c3 = app.conversation(&token, "three").await;
    let skill = crate::threads::skill_archive();
    let r = app.tool_result(&token, &c1, &[("a.txt", b"one"), ("my-skill.skill", &skill)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json()["artifacts"][0]["url"].as_str().unwrap().to_string();
    assert_eq!(app.tool_result(&token, &c1, &[("a.txt", b"two")]).await.status, StatusCode::CREATED);
    let restored = app.post(&format!("{a}/versions/1/restore"), &token, Value::Null).await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.text());
    // Past 8 MiB: streamed up in parts.
    let big: Vec<u8> = (0..20 * 1024 * 1024 + 7).map(|i| (i % 251) as u8).collect();
    let r = crate::uploads::upload(&app, &token, &c2, &[("data.csv", b"a,b\n1,2\n"), ("big.bin", &big)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(app.tool_result(&token, &c3, &[("notes.md", b"# notes")]).await.status, StatusCode::CREATED);
    let conversations = [c1.as_str(), &c2, &c3];
    let before = everything(&app, &token, &conversations).await;
    assert_eq!(before.len(), 8, "a.txt 1 to 3, my-skill.skill, data.csv, its data.md, big.bin, notes.md");
    // A card of a listed version (an artifact's id is its version 1's) goes
    // with it; one of no version stays behind.
    let version: uuid::Uuid = before[0].0["artifact"]["id"].as_str().unwrap().parse().unwrap();
    let blobs = app.state.store.blobs();
    blobs.put(&card_key(version, "json"), b"{\"card\":1}").unwrap();
    blobs.put(&card_key(uuid::Uuid::new_v4(), "json"), b"{}").unwrap();
    let dir = stop(app);

    let out = migrate(dir.path(), &["--to", &target(dir.path())], &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    let printed = stdout(&out);
    assert!(printed.contains("total: 3 conversations, 8 of 8 files"), "{printed}");
    assert!(printed.contains(&format!("conversation {c1}: 4 of 4 files")), "{printed}");

    let config = common::config(dir.path());
    let app = TestApp::open(dir, config);
    assert!(matches!(**app.state.store.blobs(), Blobs::Object(_)));
    assert_eq!(everything(&app, &token, &conversations).await, before);
    let thread = |path: &str| format!("/api/threads/{c1}/artifacts/mnt/user-data/outputs/{path}");
    assert_eq!(app.get(&thread("a.txt"), &token).await.body, b"one", "the restored version is the latest");
    let member = app.get(&thread("my-skill.skill/SKILL.md"), &token).await;
    assert_eq!((member.status, member.body.as_slice()), (StatusCode::OK, &b"# My skill\n"[..]));
    assert_eq!(app.stored(&card_key(version, "json")).unwrap(), b"{\"card\":1}");
    assert_eq!(app.stored_count("cache/cards"), 1);
}

#[tokio::test]
async fn migrate_says_what_it_would_copy_resumes_and_overwrites_nothing() {
    if common::remote_only() {
        return;
    }
    let app = local_app();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("a.txt", b"one"), ("b.csv", b"x,y\n1,2\n"), ("c.py", b"print(1)\n")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let versions = app.state.store.blobs().list(&format!("conversations/{c}")).unwrap();
    assert_eq!(versions.len(), 6, "three data files and their sidecars");
    let source = app.state.store.blobs().list("conversations").unwrap();
    let dir = stop(app);
    // What a server writing the directory has in flight: neither copied nor removed.
    let local = Blobs::local(dir.path()).unwrap();
    let folder = vitrine::server::store::blobs::artifacts_folder(c.parse().unwrap());
    let in_flight = [format!("{folder}/.tmp-upload"), format!("{folder}/{}.txt", uuid::Uuid::new_v4())];
    for key in &in_flight {
        local.put(key, b"partial").unwrap();
    }
    let to = target(dir.path());
    let bucket = Blobs::from_config(&common::config(dir.path())).unwrap();
    let in_bucket = || {
        let mut keys: Vec<_> = bucket.list("conversations").unwrap().into_iter().map(|l| (l.key, l.size)).collect();
        keys.sort();
        keys
    };
    let data: Vec<String> = source.iter().map(|l| l.key.clone()).filter(|k| !k.ends_with(".meta.json")).collect();

    let dry = migrate(dir.path(), &["--to", &to, "--dry-run"], &[]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(data.iter().all(|k| stdout(&dry).contains(&format!("would copy {k}"))), "{}", stdout(&dry));
    assert!(in_bucket().is_empty(), "a dry run copies nothing");

    assert!(migrate(dir.path(), &["--to", &to], &[]).status.success());
    let mut expected: Vec<_> = source.iter().map(|l| (l.key.clone(), l.size)).collect();
    expected.sort();
    assert_eq!(in_bucket(), expected);
    assert!(in_flight.iter().all(|k| local.read(k).is_ok()));
    // Run again, it copies nothing and finds everything the same.
    let again = migrate(dir.path(), &["--to", &to], &[]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(!stdout(&again).contains("copied conversations/"), "{}", stdout(&again));

    // As if killed halfway: a data file, and another's sidecar, missing.
    let sidecar = data[1].split('.').next().unwrap().to_string() + ".meta.json";
    bucket.delete([data[0].clone(), sidecar]);
    assert_eq!(in_bucket().len(), 4);
    assert!(migrate(dir.path(), &["--to", &to], &[]).status.success());
    assert_eq!(in_bucket(), expected);
    assert_eq!(bucket.read(&data[0]).unwrap(), local.read(&data[0]).unwrap());

    // Other bytes at a key: named, a failure, and left as they are.
    bucket.delete([data[2].clone()]);
    bucket.put(&data[2], b"not these").unwrap();
    // And a version the data directory does not have (deleted after a run).
    let deleted = format!("{folder}/{}.meta.json", uuid::Uuid::new_v4());
    bucket.put(&deleted, b"{}").unwrap();
    let wrong = migrate(dir.path(), &["--to", &to], &[]);
    assert!(!wrong.status.success());
    let printed = stdout(&wrong);
    assert!(printed.contains(&format!("difference: {}: SHA-256", data[2])), "{printed}");
    assert!(printed.contains(&format!("difference: {deleted}: in the bucket, but not a version")), "{printed}");
    assert!(printed.contains("total: 1 conversations, 2 of 3 files"), "{printed}");
    assert_eq!(bucket.read(&data[2]).unwrap(), b"not these");
}

/// These need no bucket: they run in either mode.
#[test]
fn migrate_refuses_a_store_or_database_already_set_and_an_unreachable_bucket() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conversations")).unwrap();
    let one_line = |out: &Output| {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success() && err.lines().count() == 1, "{err}");
        err
    };
    let set = migrate(dir.path(), &["--to", "s3://b"], &[("VITRINE_STORE", "s3://b/p")]);
    assert!(one_line(&set).contains("store is s3://b/p already"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    // Without object_store's lines about each retry.
    let env = [
        ("RUST_LOG", "error".into()),
        ("VITRINE_S3_ENDPOINT", format!("http://{closed}")),
        ("AWS_ACCESS_KEY_ID", "k".into()),
        ("AWS_SECRET_ACCESS_KEY", "s".into()),
        ("AWS_REGION", "us-east-1".into()),
    ];
    let env: Vec<_> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let unreachable = migrate(dir.path(), &["--to", "s3://b/p"], &env);
    assert!(one_line(&unreachable).contains("cannot list s3://b/p"));
    let nowhere = migrate(&dir.path().join("missing"), &["--to", "s3://b/p"], &env);
    assert!(one_line(&nowhere).contains("is not a data directory"));
    let database = ["--database", "postgres://u@127.0.0.1:1/d"];
    let set = migrate(dir.path(), &database, &[("VITRINE_DATABASE_URL", "postgres://v:secret@h/d")]);
    let err = one_line(&set);
    assert!(err.contains("database_url is postgres://v@h/d already") && !err.contains("secret"), "{err}");
    assert!(one_line(&migrate(dir.path(), &database, &[])).contains("it has no vitrine.db"));
}

#[tokio::test]
async fn a_data_file_that_is_a_symlink_out_of_the_data_directory_is_not_copied() {
    if common::remote_only() {
        return;
    }
    let app = local_app();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("a.txt", b"public")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let key = app.state.store.blobs().list("conversations").unwrap().into_iter().find(|l| l.key.ends_with(".txt"));
    let dir = stop(app);
    // The same size, so that its sidecar still lists it.
    let secret = dir.path().parent().unwrap().join(format!("secret-{}", uuid::Uuid::new_v4()));
    std::fs::write(&secret, b"SECRET").unwrap();
    let data = dir.path().join(key.unwrap().key);
    std::fs::remove_file(&data).unwrap();
    std::os::unix::fs::symlink(&secret, &data).unwrap();
    let out = migrate(dir.path(), &["--to", &target(dir.path())], &[]);
    std::fs::remove_file(&secret).unwrap();
    assert!(!out.status.success(), "{}", stdout(&out));
    let bucket = Blobs::from_config(&common::config(dir.path())).unwrap();
    assert!(bucket.list("conversations").unwrap().is_empty());
}

/// Alice's and Bob's records, made as users make them in an app on SQLite
/// and the data directory.
struct Records {
    alice: String,
    bob: String,
    /// Alice's session cookie.
    cookie: String,
    conversations: Vec<String>,
    /// A link visited once, and one revoked.
    shared: String,
    revoked: String,
    /// A capability URL the app made (its path and query).
    content: String,
}

async fn records(app: &TestApp) -> Records {
    let (alice_id, alice) = auth::add_user(&app.state.meta, "alice", "secret-password").unwrap();
    let bob = app.user("bob");
    let mut conversations = Vec::new();
    for (token, title, files) in [
        (&alice, "one", &[("a.txt", &b"one"[..]), ("out/report.html", b"<p>report</p>")][..]),
        (&alice, "two", &[("notes.md", b"# notes")]),
        (&bob, "bob's", &[("b.py", b"print(1)\n")]),
    ] {
        let c = app.conversation(token, title).await;
        let r = app.tool_result(token, &c, files).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        conversations.push(c);
    }
    // A second message, and a second version.
    assert_eq!(app.tool_result(&alice, &conversations[0], &[("a.txt", b"two")]).await.status, StatusCode::CREATED);
    let made = app.post("/api/tokens", &alice, json!({ "name": "ci", "scope": "read", "expires_in_days": 30 })).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let ci = made.json()["token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/me", &ci).await.status, StatusCode::OK, "used, so its last use is kept");
    assert_eq!(app.post("/api/tokens", &bob, json!({ "name": "never used" })).await.status, StatusCode::CREATED);
    let cookie = foundation::session(app, "alice").await;
    foundation::session(app, "bob").await;
    let listed = app.get(&format!("/api/conversations/{}/artifacts", conversations[0]), &alice).await.json();
    let report =
        listed["items"].as_array().unwrap().iter().find(|a| a["name"] == "out/report.html").unwrap()["id"].clone();
    let mut links = Vec::new();
    for _ in 0..2 {
        let r = app.post("/api/shares", &alice, json!({ "artifact_id": report, "expires_in_seconds": 86_400 })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        links.push(r.json());
    }
    let [shared, revoked]: [Value; 2] = links.try_into().unwrap();
    let link_url = |link: &Value| link["url"].as_str().unwrap().to_string();
    assert_eq!(open(app, &link_url(&shared), None).await.status, StatusCode::OK);
    let r =
        app.call(Method::DELETE, &format!("/api/shares/{}", revoked["id"].as_str().unwrap()), Some(&alice), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let grant = Grant::conversation(alice_id, conversations[0].parse().unwrap());
    let url = app.state.content.url(&grant, "mnt/user-data/outputs/out/report.html", now_unix() + 3600);
    let content = url.as_str().strip_prefix(&url.origin().ascii_serialization()).unwrap().to_string();
    assert_eq!(open(app, &content, Some(CONTENT_HOST)).await.body, b"<p>report</p>");
    Records { alice, bob, cookie, conversations, shared: link_url(&shared), revoked: link_url(&revoked), content }
}

const CONTENT_HOST: &str = "usercontent.localhost:3000";

/// A GET without credentials, to the app or to `host`.
pub(crate) async fn open(app: &TestApp, uri: &str, host: Option<&str>) -> Reply {
    let request = Request::get(uri).header(header::HOST, host.unwrap_or("localhost:3000"));
    app.send(request.body(Body::empty()).unwrap()).await
}

impl Records {
    /// What alice and bob see of their records; through alice's cookie
    /// where it can, so that no token's last use changes.
    async fn seen(&self, app: &TestApp) -> Value {
        let with_cookie =
            |uri: &str| Request::get(uri).header(header::COOKIE, &self.cookie).body(Body::empty()).unwrap();
        let mut seen = json!({
            "tokens": app.send(with_cookie("/api/tokens")).await.json(),
            "shares": app.send(with_cookie("/api/shares")).await.json(),
            "me": app.send(with_cookie("/api/me")).await.json(),
        });
        for (i, c) in self.conversations.iter().enumerate() {
            let token = if i < 2 { &self.alice } else { &self.bob };
            seen[c] = json!({
                "thread": app.get(&format!("/api/conversations/{c}"), token).await.json(),
                "artifacts": app.get(&format!("/api/conversations/{c}/artifacts"), token).await.json(),
            });
        }
        seen
    }
}

/// An app on SQLite and the data directory, whatever the mode.
pub(crate) fn sqlite_app() -> TestApp {
    TestApp::with(|c| {
        (c.store, c.s3_endpoint, c.database_url) = (None, None, None);
    })
}

/// The app on `dir` with its metadata in PostgreSQL, and its artifacts in
/// the bucket when `bucket`, else still in the data directory.
pub(crate) fn migrated_app(dir: TempDir, bucket: bool) -> TestApp {
    let mut config = common::config(dir.path());
    if !bucket {
        (config.store, config.s3_endpoint) = (None, None);
    }
    let app = TestApp::open(dir, config);
    assert!(matches!(app.state.meta, Meta::Postgres(_)));
    assert_eq!(matches!(**app.state.store.blobs(), Blobs::Object(_)), bucket);
    app
}

/// `vitrine migrate --database` (and `--to` when `bucket`), then the app on
/// PostgreSQL (and the bucket) checked as its users would.
async fn everything_keeps_working(bucket: bool) {
    let app = sqlite_app();
    let r = records(&app).await;
    let before = r.seen(&app).await;
    let tokens = before["tokens"].as_array().unwrap();
    assert!(tokens.iter().any(|t| t["name"] == "ci" && t["last_used_at"].is_string()), "{tokens:?}");
    let dir = stop(app);
    let database = common::remote_database(dir.path()).unwrap();
    let to = target(dir.path());
    let mut args = vec!["--database", database.as_str()];
    if bucket {
        args.extend(["--to", &to]);
    }
    let out = migrate(dir.path(), &args, &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    let printed = stdout(&out);
    for line in [
        "content key: in PostgreSQL",
        "users: 2 here, 2 copied, 2 equal in PostgreSQL",
        "tokens: 4 here, 4 copied",
        "messages: 4 here, 4 copied",
        "shares: 2 here, 2 copied",
        "every row is in PostgreSQL",
    ] {
        assert!(printed.contains(line), "{line}: {printed}");
    }
    assert_eq!(printed.contains("every version is in"), bucket, "{printed}");

    let app = migrated_app(dir, bucket);
    assert_eq!(r.seen(&app).await, before, "tokens, links, transcripts and listings as they were");
    assert_eq!(foundation::page(&app, "/artifacts", &r.cookie).await.status, StatusCode::OK, "the old session");
    assert_eq!(open(&app, &r.content, Some(CONTENT_HOST)).await.body, b"<p>report</p>", "signed with the same key");
    assert_eq!(open(&app, &r.shared, None).await.status, StatusCode::OK);
    assert_eq!(open(&app, &r.revoked, None).await.status, StatusCode::GONE);
    let shares = app.get("/api/shares", &r.alice).await.json();
    assert_eq!(shares[1]["access_count"], 2, "one visit before, one after: {shares}");
}

#[tokio::test]
async fn migrated_metadata_keeps_every_token_session_link_and_content_url() {
    if common::remote_only() {
        return;
    }
    everything_keeps_working(false).await;
}

#[tokio::test]
async fn migrated_metadata_and_artifacts_serve_together() {
    if common::remote_only() {
        return;
    }
    everything_keeps_working(true).await;
}

#[tokio::test]
async fn migrate_database_resumes_names_differences_and_refuses_another_content_key() {
    if common::remote_only() {
        return;
    }
    let app = sqlite_app();
    let r = records(&app).await;
    let dir = stop(app);
    let database = common::remote_database(dir.path()).unwrap();
    let run = |extra: &[&str]| migrate(dir.path(), &[&["--database", database.as_str()][..], extra].concat(), &[]);

    let dry = run(&["--dry-run"]);
    assert!(dry.status.success(), "{}{}", stdout(&dry), String::from_utf8_lossy(&dry.stderr));
    for line in ["content key: would be copied", "messages: 4 here, 0 of them equal in PostgreSQL, 4 to copy"] {
        assert!(stdout(&dry).contains(line), "{line}: {}", stdout(&dry));
    }
    assert!(run(&[]).status.success());
    let again = run(&[]);
    assert!(again.status.success(), "{}", stdout(&again));
    assert!(stdout(&again).contains("messages: 4 here, 0 copied, 4 equal in PostgreSQL"), "{}", stdout(&again));

    // As if killed halfway: a conversation's messages and a link missing.
    let app = migrated_app(dir, false);
    let c = &r.conversations[0];
    assert_eq!(app.execute(&format!("DELETE FROM messages WHERE conversation_id = '{c}'")), 2);
    assert_eq!(app.execute("DELETE FROM shares WHERE revoked_at IS NOT NULL"), 1);
    let dir = stop(app);
    let resumed = migrate(dir.path(), &["--database", &database], &[]);
    assert!(resumed.status.success(), "{}", stdout(&resumed));
    assert!(stdout(&resumed).contains("messages: 4 here, 2 copied, 4 equal"), "{}", stdout(&resumed));
    let app = migrated_app(dir, false);
    assert_eq!(open(&app, &r.revoked, None).await.status, StatusCode::GONE);
    let thread = app.get(&format!("/api/conversations/{c}"), &r.alice).await.json();
    assert_eq!(thread["messages"].as_array().unwrap().len(), 2, "{thread}");

    // A message missing before one that is not, as no killed run leaves
    // them: put back last, the transcript's order differs.
    let first = thread["messages"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.execute(&format!("DELETE FROM messages WHERE id = '{first}'")), 1);
    let dir = stop(app);
    let reordered = migrate(dir.path(), &["--database", &database], &[]);
    assert!(!reordered.status.success());
    assert!(stdout(&reordered).contains(&format!("messages of {c}: in another order")), "{}", stdout(&reordered));

    // A row changed in PostgreSQL since: named, a failure, and left as it is.
    let app = migrated_app(dir, false);
    assert_eq!(app.execute("UPDATE tokens SET name = 'renamed' WHERE name = 'ci'"), 1);
    let dir = stop(app);
    let changed = migrate(dir.path(), &["--database", &database], &[]);
    assert!(!changed.status.success());
    assert!(stdout(&changed).contains("another name in PostgreSQL"), "{}", stdout(&changed));

    // Another database whose instances signed with a key of their own.
    let other = TestApp::new();
    let url = common::remote_database(other.dir.path()).unwrap();
    let refused = migrate(dir.path(), &["--database", &url], &[]);
    let err = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(!refused.status.success() && err.contains("content_key setting is another key"), "{err}");
    assert_eq!(other.select("SELECT count(*) FROM users"), Some("0".into()), "nothing copied");
}

/// A NUL in a text, which SQLite holds (tool results took one before they
/// were refused) and PostgreSQL's text cannot: the row is named with its
/// column, the table's other rows are copied, and the run fails.
#[tokio::test]
async fn migrate_database_names_a_row_that_postgresql_cannot_hold() {
    if common::remote_only() {
        return;
    }
    let app = sqlite_app();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    for content in ["one", "two"] {
        let r = app
            .post(&format!("/api/conversations/{c}/tool-results"), &token, json!({ "tool": "t", "content": content }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    assert_eq!(app.execute("UPDATE messages SET content = CAST(X'610062' AS TEXT) WHERE content = 'one'"), 1);
    let id = app.select("SELECT id FROM messages WHERE content <> 'two'").unwrap();
    let dir = stop(app);
    let database = common::remote_database(dir.path()).unwrap();
    let out = migrate(dir.path(), &["--database", &database], &[]);
    let printed = stdout(&out);
    assert!(!out.status.success(), "{printed}");
    assert!(printed.contains(&format!("difference: messages {id}: a NUL character in content")), "{printed}");
    assert!(printed.contains("messages: 2 here, 1 copied, 1 equal in PostgreSQL"), "{printed}");
}
