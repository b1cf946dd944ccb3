//! The artifact index's rows in PostgreSQL (docs/catalog-progress.md): what
//! an ingest, a delete and a restore write (versions, artifacts, counts), numbers given once across
//! instances, and the index built from the rows at start-up. Remote only:
//! SQLite keeps no such rows.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::Value;

/// The versions' numbers of the artifact at `name` (an output), in order.
fn numbers(app: &TestApp, name: &str) -> String {
    let path = format!("mnt/user-data/outputs/{name}");
    let sql = format!("SELECT string_agg(version::text, ',' ORDER BY version) FROM versions WHERE path = '{path}'");
    app.select(&sql).unwrap_or_default()
}

/// `column` of the artifact row at `name`.
fn artifact_row(app: &TestApp, name: &str, column: &str) -> String {
    let sql = format!("SELECT {column} FROM artifacts WHERE path = 'mnt/user-data/outputs/{name}'");
    app.select(&sql).unwrap()
}

/// Checks `artifact_counts` against the rows it counts, per kind: the
/// user's shards summed and conversation `c`'s; and against the gallery's
/// count of all.
async fn assert_counted(app: &TestApp, token: &str, c: &str) {
    let per_kind =
        |from: &str| format!("SELECT string_agg(kind || ':' || n, ',' ORDER BY kind) FROM ({from} GROUP BY kind) k");
    let rows = app.select(&per_kind("SELECT kind, count(*) n FROM artifacts"));
    let counted = |scope: &str| per_kind(&format!("SELECT kind, sum(n) n FROM artifact_counts WHERE {scope}"));
    assert_eq!(app.select(&counted("scope LIKE 'u%' AND n <> 0")), rows, "the user's");
    assert_eq!(app.select(&counted(&format!("scope = '{c}' AND n <> 0"))), rows, "the conversation's");
    let all = app.get("/api/artifacts", token).await.json()["counts"]["all"].clone();
    assert_eq!(app.select("SELECT count(*) FROM artifacts"), all.as_u64().map(|n| n.to_string()));
}

/// Stores `bytes` as `name`; the version it made.
async fn put(app: &TestApp, token: &str, conversation: &str, name: &str, bytes: &[u8]) -> Value {
    let r = app.tool_result(token, conversation, &[(name, bytes)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["artifacts"][0].clone()
}

/// Everything a user's gallery and an artifact's versions show.
async fn shown(app: &TestApp, token: &str, conversation: &str) -> Vec<Value> {
    let list = app.get("/api/artifacts?size=100", token).await.json();
    let mut shown = vec![list.clone()];
    for item in list["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        shown.push(app.get(&format!("/api/conversations/{conversation}/artifacts/{id}/versions"), token).await.json());
    }
    shown
}

#[tokio::test]
async fn an_ingest_writes_its_versions_rows_with_its_message() {
    if common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "Rows").await;
    let first = put(&app, &token, &c, "a.txt", b"one").await;
    put(&app, &token, &c, "a.txt", b"two").await;
    // Equal bytes make no version; another name is another artifact.
    assert_eq!(put(&app, &token, &c, "a.txt", b"two").await["version"], 2);
    put(&app, &token, &c, "b.txt", b"bee").await;

    assert_eq!(numbers(&app, "a.txt"), "1,2");
    assert_eq!(numbers(&app, "b.txt"), "1");
    assert_eq!(artifact_row(&app, "a.txt", "id"), first["id"].as_str().unwrap());
    assert_eq!(artifact_row(&app, "a.txt", "version_count"), "2");
    assert_eq!(artifact_row(&app, "a.txt", "next_version"), "3");
    assert_eq!(artifact_row(&app, "a.txt", "size"), "3");
    let latest = "SELECT latest = (SELECT id FROM versions WHERE version = 2 AND path LIKE '%a.txt') FROM artifacts \
                  WHERE path LIKE '%a.txt'";
    assert_eq!(app.select(latest).unwrap(), "true");
    let owner = app.select("SELECT owner = (SELECT id FROM users WHERE name = 'alice') FROM artifacts LIMIT 1");
    assert_eq!(owner.unwrap(), "true");
    // Each message is in the transcript, the one of equal bytes naming version 2.
    assert_eq!(app.select("SELECT count(*) FROM messages").unwrap(), "4");
    let named = "SELECT count(*) FROM messages m JOIN versions v ON v.id = ANY (m.artifact_ids) WHERE v.version = 2";
    assert_eq!(app.select(named).unwrap(), "2");
    assert_counted(&app, &token, &c).await;
}

/// Six versions of `shared.txt` with bytes of `who`'s; the numbers given.
async fn writer(app: &TestApp, token: &str, conversation: &str, who: &str) -> Vec<u64> {
    let mut given = Vec::new();
    for i in 0..6 {
        let made = put(app, token, conversation, "shared.txt", format!("{who} {i}").as_bytes()).await;
        given.push(made["version"].as_u64().unwrap());
    }
    given
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_writing_one_path_never_give_one_number_twice() {
    if common::remote_only() {
        return;
    }
    let a = TestApp::new();
    let token = a.user("alice");
    let c = a.conversation(&token, "Both").await;
    put(&a, &token, &c, "shared.txt", b"v1").await;
    // Opened after the conversation was made: it knows it from its row.
    let b = a.beside();

    let (from_a, from_b) = tokio::join!(writer(&a, &token, &c, "a"), writer(&b, &token, &c, "b"));
    let mut given: Vec<u64> = from_a.into_iter().chain(from_b).collect();
    given.sort_unstable();
    assert_eq!(given, (2..=13).collect::<Vec<u64>>());
    let all = (1..=13).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    assert_eq!(numbers(&a, "shared.txt"), all);
    assert_eq!(artifact_row(&a, "shared.txt", "version_count"), "13");
    assert_eq!(artifact_row(&a, "shared.txt", "next_version"), "14");
    assert_eq!(a.select("SELECT count(*) FROM artifacts").unwrap(), "1", "one artifact at one path");
    assert_counted(&a, &token, &c).await;
}

/// An app whose user (its token) has a conversation with `a.txt` (versions
/// 1 and 2) and `b.png`.
async fn two_artifacts() -> (TestApp, String, String) {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "Two").await;
    put(&app, &token, &c, "a.txt", b"one").await;
    put(&app, &token, &c, "a.txt", b"two").await;
    put(&app, &token, &c, "b.png", b"not really a picture").await;
    (app, token, c)
}

#[tokio::test]
async fn a_restart_builds_the_index_from_the_rows_without_the_sidecars() {
    if common::remote_only() {
        return;
    }
    let (app, token, c) = two_artifacts().await;
    let before = shown(&app, &token, &c).await;

    let sidecars: Vec<String> = app
        .state
        .store
        .blobs()
        .list("conversations")
        .unwrap()
        .into_iter()
        .map(|l| l.key)
        .filter(|k| k.ends_with(".meta.json"))
        .collect();
    assert_eq!(sidecars.len(), 3);
    app.state.store.blobs().delete(sidecars);
    assert_eq!(app.stored_count("conversations"), 3, "the data stays");

    let app = app.restart();
    assert_eq!(shown(&app, &token, &c).await, before);
    let r = app.get(&format!("/api/threads/{c}/artifacts/mnt/user-data/outputs/a.txt"), &token).await;
    assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, "two"));
}

#[tokio::test]
async fn a_database_without_rows_gets_them_from_the_sidecars_once() {
    if common::remote_only() {
        return;
    }
    let (app, token, c) = two_artifacts().await;
    let before = shown(&app, &token, &c).await;
    // As a deployment made before the rows existed.
    app.execute("DELETE FROM artifacts");
    assert_eq!(app.select("SELECT count(*) FROM versions").unwrap(), "0");

    let app = app.restart();
    assert_eq!(shown(&app, &token, &c).await, before);
    assert_eq!(numbers(&app, "a.txt"), "1,2");
    assert_eq!(artifact_row(&app, "a.txt", "version_count"), "2");
    assert_eq!(artifact_row(&app, "a.txt", "next_version"), "3");
    assert_counted(&app, &token, &c).await;
    // Numbering goes on from the rows.
    assert_eq!(put(&app, &token, &c, "a.txt", b"three").await["version"], 3);
}

#[tokio::test]
async fn deletes_and_restores_keep_the_rows() {
    if common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "Changes").await;
    let id = put(&app, &token, &c, "a.txt", b"one").await["id"].as_str().unwrap().to_string();
    put(&app, &token, &c, "a.txt", b"two").await;
    put(&app, &token, &c, "a.txt", b"three").await;
    put(&app, &token, &c, "b.txt", b"bee").await;
    let versions = format!("/api/conversations/{c}/artifacts/{id}/versions");
    let call = |method, uri: String| {
        let (app, token) = (&app, &token);
        async move { app.call(method, &uri, Some(token), None).await.status }
    };

    assert_eq!(call(Method::DELETE, format!("{versions}/2")).await, StatusCode::NO_CONTENT);
    assert_eq!(numbers(&app, "a.txt"), "1,3");
    assert_eq!(artifact_row(&app, "a.txt", "version_count"), "2");

    assert_eq!(call(Method::POST, format!("{versions}/1/restore")).await, StatusCode::CREATED);
    assert_eq!(numbers(&app, "a.txt"), "1,3,4");
    let restored = "SELECT v.sha256 = w.sha256 FROM versions v, versions w \
                    WHERE v.path = w.path AND v.path LIKE '%a.txt' AND v.version = 4 AND w.version = 1";
    assert_eq!(app.select(restored).unwrap(), "true");
    assert_counted(&app, &token, &c).await;

    // The latest deleted: the artifact lists the one before, and its
    // number is not given again.
    assert_eq!(call(Method::DELETE, format!("{versions}/4")).await, StatusCode::NO_CONTENT);
    assert_eq!(numbers(&app, "a.txt"), "1,3");
    assert_eq!(artifact_row(&app, "a.txt", "size"), "5");
    assert_eq!(artifact_row(&app, "a.txt", "next_version"), "5");
    assert_eq!(put(&app, &token, &c, "a.txt", b"five!").await["version"], 5);

    assert_eq!(call(Method::DELETE, format!("/api/conversations/{c}/artifacts/{id}")).await, StatusCode::NO_CONTENT);
    assert_eq!(numbers(&app, "a.txt"), "");
    assert_eq!(app.select("SELECT count(*) FROM artifacts").unwrap(), "1");
    assert_eq!(numbers(&app, "b.txt"), "1");
    assert_counted(&app, &token, &c).await;
    // The only version left cannot go alone, and its row stays.
    let b = app.get("/api/artifacts", &token).await.json()["items"][0]["id"].as_str().unwrap().to_string();
    let only = format!("/api/conversations/{c}/artifacts/{b}/versions/1");
    assert_eq!(call(Method::DELETE, only).await, StatusCode::CONFLICT);
    assert_eq!(numbers(&app, "b.txt"), "1");
}
