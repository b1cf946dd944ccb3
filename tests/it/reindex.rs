//! `vitrine reindex`, the real binary on the app's schema and bucket: the
//! catalog's rows made anew from the sidecars as they were (listings,
//! counts, versions, numbers), without versions never committed or
//! deleted; a dry run changes nothing; the running app keeps answering.
//! And `vitrine gc` removing the files a deletion left, then their
//! tombstones. Remote only but the first: SQLite keeps no such rows.

use crate::common::{self, process, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::Value;
use std::process::Stdio;
use uuid::Uuid;

/// Runs `vitrine {command}` with `args` on the app's store and database;
/// what it printed.
fn run(app: &TestApp, command: &str, args: &[&str]) -> String {
    let out = process::command(app.dir.path()).arg(command).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Every row of the catalog's tables, as text, in one order.
fn rows(app: &TestApp) -> String {
    ["versions t", "artifacts t", "artifact_counts t WHERE n <> 0"]
        .map(|from| app.select(&format!("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM {from}")))
        .map(Option::unwrap_or_default)
        .join("\n\n")
}

/// Stores `bytes` as `name`; the version it made.
async fn put(app: &TestApp, token: &str, conversation: &str, name: &str, bytes: &[u8]) -> Value {
    let r = app.tool_result(token, conversation, &[(name, bytes)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["artifacts"][0].clone()
}

async fn delete(app: &TestApp, token: &str, uri: &str) {
    assert_eq!(app.call(Method::DELETE, uri, Some(token), None).await.status, StatusCode::NO_CONTENT);
}

/// The user's gallery, its counts, and every artifact's versions.
async fn shown(app: &TestApp, token: &str) -> Vec<Value> {
    let list = app.get("/api/artifacts?size=100", token).await.json();
    let mut shown = vec![list.clone()];
    for item in list["items"].as_array().unwrap() {
        shown.push(app.get(&format!("{}/versions", item["url"].as_str().unwrap()), token).await.json());
    }
    shown
}

/// The stored keys of a version (an item of its artifact's `versions`), with their bytes.
fn objects(app: &TestApp, conversation: &str, version: &Value) -> Vec<(String, Vec<u8>)> {
    let folder = format!("conversations/{conversation}/artifacts");
    let id = app
        .select(&format!(
            "SELECT id FROM versions WHERE sha256 = '{}' AND version = {}",
            version["sha256"].as_str().unwrap(),
            version["version"]
        ))
        .unwrap();
    let keys: Vec<String> = app.state.store.blobs().list(&folder).unwrap().into_iter().map(|l| l.key).collect();
    let mine = keys.into_iter().filter(|k| k.rsplit('/').next().unwrap().starts_with(&id));
    mine.map(|k| (k.clone(), app.stored(&k).unwrap())).collect()
}

#[tokio::test]
async fn with_sqlite_there_is_nothing_to_reindex() {
    if common::local_only() {
        return;
    }
    let app = TestApp::new();
    let out = run(&app, "reindex", &[]);
    assert!(out.contains("nothing to do: with SQLite"), "{out}");
}

#[tokio::test]
async fn reindex_makes_the_rows_as_they_were_and_a_dry_run_nothing() {
    if common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let (alice, bob) = (app.user("alice"), app.user("bob"));
    let (c, d) = (app.conversation(&alice, "One").await, app.conversation(&alice, "Two").await);
    let a = put(&app, &alice, &c, "a.txt", b"one").await;
    put(&app, &alice, &c, "a.txt", b"two").await;
    put(&app, &alice, &c, "a.txt", b"three").await;
    put(&app, &alice, &c, "b.png", b"not really a picture").await;
    put(&app, &alice, &d, "c.csv", b"x,y\n1,2\n").await;
    let e = app.conversation(&bob, "Bob's").await;
    put(&app, &bob, &e, "e.md", b"# e").await;
    // The latest deleted: its number is never given again.
    let a_url = a["url"].as_str().unwrap().to_string();
    delete(&app, &alice, &format!("{a_url}/versions/3")).await;
    let (before, rows_before) = ((shown(&app, &alice).await, shown(&app, &bob).await), rows(&app));

    // Rows corrupted and lost.
    app.execute("UPDATE artifacts SET next_version = 1, version_count = 9");
    app.execute("DELETE FROM versions WHERE path LIKE '%c.csv'");
    app.execute("UPDATE artifact_counts SET n = 42");
    let corrupted = rows(&app);

    let dry = run(&app, "reindex", &["--dry-run"]);
    assert!(dry.contains("dry run: nothing written"), "{dry}");
    assert!(dry.contains("versions: 5 (before: 4)"), "{dry}");
    assert_eq!(rows(&app), corrupted, "a dry run changes nothing");

    // Served while it runs, and written to: the reads see the old rows or
    // the new ones, a write waits.
    let mut child = process::command(app.dir.path()).arg("reindex").stdout(Stdio::piped()).spawn().unwrap();
    let mut answered = 0;
    while child.try_wait().unwrap().is_none() || answered == 0 {
        let r = app.get("/api/artifacts", &alice).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        answered += 1;
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("versions: 5 (before: 4)"));
    assert_eq!(rows(&app), rows_before);
    assert_eq!((shown(&app, &alice).await, shown(&app, &bob).await), before);
    // Again, beside a write: it goes first or waits, and is whole either way.
    let child = process::command(app.dir.path()).arg("reindex").stdout(Stdio::piped()).spawn().unwrap();
    let during = put(&app, &alice, &d, "during.txt", b"during").await;
    assert!(child.wait_with_output().unwrap().status.success());
    let with_during = rows(&app);
    let out = run(&app, "reindex", &[]);
    assert!(out.contains("versions: 6 (before: 6)") && out.contains("artifacts: 5 (before: 5)"), "{out}");
    assert!(out.contains("user alice: artifacts 4 (before: 4)"), "{out}");
    assert!(out.contains("user bob: artifacts 1 (before: 1)"), "{out}");
    assert_eq!(rows(&app), with_during, "run again, the same");
    delete(&app, &alice, during["url"].as_str().unwrap()).await;
    assert_eq!(rows(&app), rows_before);

    // Every row lost: the sidecars and the tombstones give them back.
    app.execute("DELETE FROM artifacts");
    app.execute("DELETE FROM artifact_counts");
    let out = run(&app, "reindex", &[]);
    assert!(out.contains("user alice: artifacts 3 (before: 0)"), "{out}");
    assert!(out.contains("left out, deleted: 0"), "{out}");
    assert_eq!(rows(&app), rows_before);
    assert_eq!((shown(&app, &alice).await, shown(&app, &bob).await), before);
    assert_eq!(put(&app, &alice, &c, "a.txt", b"four").await["version"], 4, "3 is not given again");
    assert_eq!(put(&app, &alice, &c, "new.txt", b"new").await["version"], 1);
}

#[tokio::test]
async fn reindex_leaves_out_what_was_never_committed_or_was_deleted_and_gc_removes_its_files() {
    if common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "Crashes").await;
    let a = put(&app, &token, &c, "a.txt", b"one").await;
    put(&app, &token, &c, "a.txt", b"two").await;
    let b = put(&app, &token, &c, "b.txt", b"bee").await;
    put(&app, &token, &c, "d.txt", b"dee").await;
    let (a_url, b_url) = (a["url"].as_str().unwrap().to_string(), b["url"].as_str().unwrap().to_string());
    let versions = app.get(&format!("{a_url}/versions"), &token).await.json()["items"].clone();
    let first = objects(&app, &c, &versions[1]);
    let b_objects = objects(&app, &c, &app.get(&format!("{b_url}/versions"), &token).await.json()["items"][0]);
    assert_eq!((first.len(), b_objects.len()), (2, 2), "data and sidecar");

    // A crash between the rows' deletion and the files': put them back.
    delete(&app, &token, &format!("{a_url}/versions/1")).await;
    delete(&app, &token, &b_url).await;
    for (key, bytes) in first.iter().chain(&b_objects) {
        app.state.store.blobs().put(key, bytes).unwrap();
    }
    // A crash between a sidecar's write and its message's commit: a
    // version 3 of a.txt whose message has no row.
    let (_, latest) = objects(&app, &c, &versions[0]).into_iter().find(|(k, _)| k.ends_with(".meta.json")).unwrap();
    let mut orphan: serde_json::Map<String, Value> = serde_json::from_slice(&latest).unwrap();
    let id = Uuid::new_v4();
    orphan.insert("id".into(), id.to_string().into());
    orphan.insert("version".into(), 3.into());
    orphan.insert("message_id".into(), Uuid::new_v4().to_string().into());
    let folder = format!("conversations/{c}/artifacts");
    let blobs = app.state.store.blobs();
    blobs.put(&format!("{folder}/{id}.txt"), b"two").unwrap();
    blobs.put(&format!("{folder}/{id}.meta.json"), &serde_json::to_vec(&orphan).unwrap()).unwrap();
    let (before, rows_before) = (shown(&app, &token).await, rows(&app));

    let out = run(&app, "reindex", &[]);
    assert!(out.contains("left out, never committed (no message): 1"), "{out}");
    assert!(out.contains("left out, deleted: 2"), "{out}");
    assert!(out.contains("versions: 2 (before: 2)"), "{out}");
    assert_eq!(rows(&app), rows_before);
    assert_eq!(shown(&app, &token).await, before);
    assert_eq!(app.get(&b_url, &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{a_url}/versions/1"), &token).await.status, StatusCode::NOT_FOUND);

    // gc removes the deleted versions' files, whatever their age, and
    // keeps their tombstones until a run finds them gone.
    let out = run(&app, "gc", &[]);
    assert!(out.contains("files of deleted versions: 4"), "{out}");
    for (key, _) in first.iter().chain(&b_objects) {
        assert_eq!(app.stored(key), None, "{key}");
    }
    assert!(app.stored(&format!("{folder}/{id}.meta.json")).is_some(), "young, and not deleted");
    assert_eq!(app.select("SELECT count(*) FROM deleted_versions").unwrap(), "2");
    let out = run(&app, "gc", &["--grace", "0s", "--dry-run"]);
    assert!(out.contains("whose files are gone: 2"), "{out}");
    assert_eq!(app.select("SELECT count(*) FROM deleted_versions").unwrap(), "2", "dry");
    let out = run(&app, "gc", &["--grace", "0s"]);
    assert!(out.contains("whose files are gone: 2"), "{out}");
    assert_eq!(app.select("SELECT count(*) FROM deleted_versions").unwrap(), "0");

    // With neither rows nor tombstones, nothing comes back.
    app.execute("DELETE FROM artifacts");
    run(&app, "reindex", &[]);
    assert_eq!(rows(&app), rows_before);
    assert_eq!(put(&app, &token, &c, "a.txt", b"three").await["version"], 3);
}
