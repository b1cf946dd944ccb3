//! `vitrine migrate` at the scale issue #14 asks for: the demo and a few
//! thousand generated artifacts (four users, a dozen conversations with
//! versions and deletions, tokens of both scopes, sessions, share links,
//! cards) in a data directory on SQLite, moved by the real binary into a
//! fresh prefix of the services' bucket and a fresh schema of their
//! PostgreSQL; SIGKILLed once it has printed that it copied half the data
//! files, then run again to its end. Served from there, every URL answers
//! what it answered before (files by SHA-256), every token and session
//! works, every listing and count is the same, and the bucket and the
//! tables hold exactly what the data directory did. Remote only, as
//! migrate.rs.

use crate::common::{self, Reply, TestApp};
use crate::migrate::{command, migrate, migrated_app, open, sqlite_app, stdout, stop, target};
use axum::http::{Method, StatusCode};
use futures_util::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use vitrine::account::{NewToken, Scope};
use vitrine::server::auth;
use vitrine::server::demo;
use vitrine::server::meta::bulk::TABLES;
use vitrine::server::store::blobs::{Blobs, CARDS};

/// Generated: users, each with conversations of tool results of files.
/// File 0 of result `i` is `log-{i % LOGS}.txt`: `LOGS` artifacts of
/// `RESULTS / LOGS` versions each in every conversation.
const USERS: [&str; 3] = ["alice", "bob", "carol"];
const CONVERSATIONS: usize = 4;
const RESULTS: usize = 25;
const FILES: usize = 10;
const LOGS: usize = 5;
/// Requests in flight, writing and reading.
const AT_ONCE: usize = 16;

struct User {
    name: &'static str,
    /// Each with whether it is read-only; its first read-write.
    tokens: Vec<(String, bool)>,
    cookie: String,
    /// Its share links' URLs.
    shares: Vec<String>,
}

impl User {
    fn token(&self) -> &str {
        &self.tokens[0].0
    }
}

#[tokio::test]
async fn the_demo_and_thousands_of_artifacts_migrate_killed_halfway_and_serve_the_same() {
    if common::remote_only() {
        return;
    }
    let started = std::time::Instant::now();
    let app = sqlite_app();
    let users = populate(&app).await;
    let before = seen(&app, &users).await;
    let failed = before.iter().find(|(_, answer)| answer["status"] != 200);
    assert!(failed.is_none(), "{failed:?}");
    let rows = |app: &TestApp| TABLES.map(|t| (t.name, app.select(&format!("SELECT count(*) FROM {}", t.name))));
    let rows_before = rows(&app);
    let dir = stop(app);
    let source = keys(&Blobs::local(dir.path()).unwrap());
    let files = source.iter().filter(|(k, _)| k.starts_with("conversations/") && !k.ends_with(".meta.json")).count();
    assert!(source.iter().any(|(k, _)| k.starts_with(CARDS)), "the demo's pictures have cards");
    assert!(files > USERS.len() * CONVERSATIONS * (RESULTS * FILES - 2), "{files} data files");
    eprintln!("{files} versions made and read in {:?}", started.elapsed());

    let database = common::remote_database(dir.path()).unwrap();
    let to = target(dir.path());
    let args = ["--database", database.as_str(), "--to", &to];
    let first = killed_halfway(dir.path(), &args, files);
    let bucket = Blobs::from_config(&common::config(dir.path())).unwrap();
    let data = |keys: &[(String, u64)]| keys.iter().filter(|(k, _)| !k.ends_with(".meta.json")).count();
    let copied_before = data(&keys(&bucket));
    assert!((files / 2..files).contains(&copied_before), "{copied_before} of {files} data files in the bucket");
    let out = migrate(dir.path(), &args, &[]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    for table in TABLES.map(|t| t.name) {
        assert!(printed.lines().any(|l| l.starts_with(&format!("{table}: ")) && l.contains(" 0 copied,")), "{printed}");
    }
    let again: HashSet<String> = printed.lines().filter_map(copied).collect();
    assert!(first.is_disjoint(&again), "a file copied twice");
    assert!(again.len() <= files - copied_before, "{} copied again", again.len());
    assert!(printed.contains("every row is in PostgreSQL") && printed.contains("every version is in"), "{printed}");
    assert_eq!(keys(&bucket), source, "the bucket holds what the data directory held, each key once");
    eprintln!("migrated in {:?}", started.elapsed());

    let app = migrated_app(dir, true);
    let after = seen(&app, &users).await;
    let differ: Vec<&String> = before.keys().filter(|k| after.get(*k) != before.get(*k)).collect();
    if let Some(k) = differ.first() {
        panic!(
            "{} of {} answers differ, {k} first: {} before, {:?} after",
            differ.len(),
            before.len(),
            before[*k],
            after.get(*k)
        );
    }
    assert_eq!(after.len(), before.len());
    assert_eq!(rows(&app), rows_before);
    let versions = source.iter().filter(|(k, _)| k.ends_with(".meta.json")).count();
    assert_eq!(app.select("SELECT count(*) FROM versions"), Some(versions.to_string()));
    let artifacts: u64 = users
        .iter()
        .map(|u| before[&format!("{} /api/artifacts?size=100", u.name)]["body"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!(app.select("SELECT count(*) FROM artifacts"), Some(artifacts.to_string()));
    credentials_work(&app, &users).await;
    eprintln!("checked in {:?}", started.elapsed());
}

/// The demo, then the generated users' conversations, written
/// concurrently, each with an artifact and a version deleted; a token of
/// each scope more, a session and a share link for every user; the demo's
/// pictures' cards.
async fn populate(app: &TestApp) -> Vec<User> {
    demo::seed(&app.state.store).await.unwrap();
    let id = app.state.meta.user_by_name(demo::USER.into()).await.unwrap().unwrap().id;
    let first = NewToken { name: "migrate".into(), scope: Scope::ReadWrite, expires_in_days: None };
    let demo_token = auth::tokens::create(&app.state.meta, id, first).await.unwrap().token;
    let mut named = vec![(demo::USER, demo::PASSWORD, demo_token)];
    named.extend(USERS.map(|name| (name, "secret-password", app.user(name))));
    let mut conversations = Vec::new();
    for (name, _, token) in &named[1..] {
        for i in 0..CONVERSATIONS {
            conversations.push((token.as_str(), app.conversation(token, &format!("{name} {i}")).await));
        }
    }
    let results = conversations.iter().flat_map(|(token, c)| (0..RESULTS).map(move |i| (*token, c.as_str(), i)));
    let written = futures_util::stream::iter(results)
        .map(|(token, c, i)| async move { (token, i, write(app, token, c, i).await) });
    let written: Vec<_> = written.buffer_unordered(AT_ONCE).collect().await;
    // In each conversation, an artifact deleted, and a version of another.
    for (token, _, first) in written.iter().filter(|(_, i, _)| *i == 0) {
        let url = |i: usize| first["artifacts"][i]["url"].as_str().unwrap().to_string();
        for uri in [url(1), format!("{}/versions/3", url(0))] {
            let r = app.call(Method::DELETE, &uri, Some(token), None).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{uri}: {}", r.text());
        }
    }
    let mut users = Vec::new();
    for (name, password, token) in named {
        let mut tokens = vec![(token, false)];
        for (made, read) in [
            (json!({ "name": "ci", "scope": "read", "expires_in_days": 30 }), true),
            (json!({ "name": "deploy" }), false),
        ] {
            let r = app.post("/api/tokens", &tokens[0].0, made).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            tokens.push((r.json()["token"].as_str().unwrap().to_string(), read));
        }
        let secret = auth::login(&app.state.credentials, name, password, None, "migrate test").await.unwrap();
        let mut user = User { name, tokens, cookie: format!("{}={secret}", auth::SESSION_COOKIE), shares: Vec::new() };
        let listed = app.get("/api/conversations", user.token()).await.json();
        let link = json!({ "conversation_id": listed[0]["id"], "expires_in_seconds": 86_400 });
        let r = app.post("/api/shares", user.token(), link).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        user.shares.push(r.json()["url"].as_str().unwrap().to_string());
        users.push(user);
    }
    users
}

/// Result `i` in conversation `c`; its answer.
async fn write(app: &TestApp, token: &str, c: &str, i: usize) -> Value {
    let files: Vec<(String, Vec<u8>)> = (0..FILES).map(|j| file(c, i, j)).collect();
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let r = app.tool_result(token, c, &files).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

/// File `j` of result `i` in conversation `c`: a log, or one of every
/// gallery type, of sizes from 60 bytes to a few KB.
fn file(c: &str, i: usize, j: usize) -> (String, Vec<u8>) {
    const EXTENSIONS: [&str; FILES - 1] = ["svg", "html", "py", "json", "md", "csv", "txt", "bin", "css"];
    if j == 0 {
        return (format!("log-{}.txt", i % LOGS), format!("run {i}\n").into_bytes());
    }
    let line = format!("{c} result {i} file {j}\n");
    (format!("out/{i}/file-{j}.{}", EXTENSIONS[j - 1]), line.repeat(1 + (i * FILES + j) % 40).into_bytes())
}

/// What each user is answered at every URL this test knows, keyed by the
/// user's name and the URL: JSON as it is (tokens without their last use,
/// which this reading changes), files by their SHA-256. Read with the
/// user's first token.
async fn seen(app: &TestApp, users: &[User]) -> BTreeMap<String, Value> {
    let mut seen = BTreeMap::new();
    for user in users {
        let pages =
            ["/api/me", "/api/tokens", "/api/sessions", "/api/shares", "/api/conversations", "/api/artifacts?q=log"];
        let mut pages = Vec::from(pages.map(String::from));
        pages.extend(["oldest", "name", "size"].map(|sort| format!("/api/artifacts?size=100&sort={sort}")));
        pages.extend(["images", "html", "code", "files"].map(|kind| format!("/api/artifacts?size=100&type={kind}")));
        let conversations = app.get("/api/conversations", user.token()).await.json();
        let ids: Vec<&str> = conversations.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        pages.extend(ids.iter().map(|c| format!("/api/conversations/{c}")));
        seen.extend(answers(app, user, pages, false).await);
        for token in seen.get_mut(&format!("{} /api/tokens", user.name)).unwrap()["body"].as_array_mut().unwrap() {
            token.as_object_mut().unwrap().remove("last_used_at");
        }
        for c in ids {
            walk(app, user, &format!("/api/conversations/{c}/artifacts?size=100"), &mut seen).await;
        }
        let items = walk(app, user, "/api/artifacts?size=100", &mut seen).await;
        let versions = answers(app, user, items.iter().map(|a| format!("{}/versions", url(a))).collect(), false).await;
        let mut files: Vec<String> =
            versions.iter().flat_map(|(_, list)| list["body"]["items"].as_array().unwrap().iter().map(url)).collect();
        seen.extend(versions);
        for a in &items {
            files.push(url(a));
            files.push(format!(
                "/api/threads/{}/artifacts/{}",
                a["conversation_id"].as_str().unwrap(),
                a["path"].as_str().unwrap()
            ));
            // Drawing the generated pictures would take a child process each.
            if user.name == demo::USER && a["type"] == "images" {
                files.push(format!("{}/thumbnail", url(a)));
            }
        }
        seen.extend(answers(app, user, files, true).await);
    }
    seen
}

/// The `url` of an artifact or a version.
fn url(item: &Value) -> String {
    item["url"].as_str().unwrap().to_string()
}

/// The answers at `urls` to `user`'s first token, [`AT_ONCE`] at a time,
/// keyed as [`seen`] keys them: status and JSON, or status and the body's
/// SHA-256 when `files`.
async fn answers(app: &TestApp, user: &User, urls: Vec<String>, files: bool) -> Vec<(String, Value)> {
    let answer = |r: Reply| match files {
        true => json!({ "status": r.status.as_u16(), "sha256": format!("{:x}", Sha256::digest(&r.body)) }),
        false => json!({ "status": r.status.as_u16(), "body": r.json() }),
    };
    let asked = futures_util::stream::iter(urls).map(|url| async move {
        let r = app.get(&url, user.token()).await;
        (format!("{} {url}", user.name), answer(r))
    });
    asked.buffer_unordered(AT_ONCE).collect().await
}

/// Every page of `listing` (a URL with `size`), by cursor, into `seen`; its items.
async fn walk(app: &TestApp, user: &User, listing: &str, seen: &mut BTreeMap<String, Value>) -> Vec<Value> {
    let (mut items, mut url) = (Vec::new(), listing.to_string());
    loop {
        let r = app.get(&url, user.token()).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text());
        let page = r.json();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        let next = page["next_cursor"].as_str().map(|cursor| format!("{listing}&cursor={cursor}"));
        seen.insert(format!("{} {url}", user.name), json!({ "status": 200, "body": page }));
        match next {
            Some(next) => url = next,
            None => return items,
        }
    }
}

/// Every key of the store's conversations and cards, with its size, sorted.
fn keys(blobs: &Blobs) -> Vec<(String, u64)> {
    let listed = ["conversations", CARDS].into_iter().flat_map(|prefix| blobs.list(prefix).unwrap());
    let mut keys: Vec<_> = listed.map(|l| (l.key, l.size)).collect();
    keys.sort();
    keys
}

/// Runs `migrate` on `dir` with `args` until it has printed that it copied
/// half of the `files` data files, then SIGKILLs it; the keys it printed.
fn killed_halfway(dir: &Path, args: &[&str], files: usize) -> HashSet<String> {
    let mut child = command(dir, args, &[]).stdout(Stdio::piped()).spawn().unwrap();
    let mut printed = HashSet::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        printed.extend(copied(&line.unwrap()));
        if printed.len() == files / 2 {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "it ended by itself, {} files copied", printed.len());
    printed
}

/// The data file a line of `migrate` says it copied.
fn copied(line: &str) -> Option<String> {
    Some(line.strip_prefix("copied ")?.split(' ').next()?.to_string())
}

/// Every token answers for its user, a read-only one refuses a write; every
/// session opens the gallery; every share link opens.
async fn credentials_work(app: &TestApp, users: &[User]) {
    for user in users {
        for (token, read) in &user.tokens {
            assert_eq!(app.get("/api/me", token).await.json()["name"], user.name);
            let r = app.post("/api/conversations", token, json!({ "title": "after" })).await;
            let expected = if *read { StatusCode::FORBIDDEN } else { StatusCode::CREATED };
            assert_eq!(r.status, expected, "{}", r.text());
        }
        let page = crate::foundation::page(app, "/artifacts", &user.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}'s session", user.name);
        for link in &user.shares {
            assert_eq!(open(app, link, None).await.status, StatusCode::OK, "{link}");
        }
    }
}
