//! The artifact index's rows in PostgreSQL (docs/catalog-progress.md): what
//! an ingest, a delete and a restore write (versions, artifacts, counts), numbers given once across
//! instances, the rows filled from the sidecars once, and every read answered
//! from them, so that an instance lists and serves at once what another
//! wrote. Remote only: SQLite keeps no such rows.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::Value;
use std::cmp::Reverse;
use vitrine::model::ArtifactQuery;
use vitrine::server::store::Resolved;

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

/// More messages at once than the pool has connections (sqlx's 10), each
/// to a path of its own: each holds its transaction's connection from
/// numbering to commit and must take no second one meanwhile, or they all
/// wait for one another until the pool's time-out (503).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn more_messages_at_once_than_connections_are_all_stored() {
    if common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "Many").await;
    let names: Vec<String> = (0..32).map(|i| format!("f{i}.txt")).collect();
    let files: Vec<[(&str, &[u8]); 1]> = names.iter().map(|n| [(n.as_str(), n.as_bytes())]).collect();
    let puts = files.iter().map(|file| app.tool_result(&token, &c, file));
    for r in futures_util::future::join_all(puts).await {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 32);
    assert_counted(&app, &token, &c).await;
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
async fn a_restart_lists_and_serves_from_the_rows_without_the_sidecars() {
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

/// The user's id on `app`.
async fn user_id(app: &TestApp, name: &str) -> uuid::Uuid {
    app.state.meta.user_by_name(name.into()).await.unwrap().unwrap().id
}

/// The names of a listing's items.
fn names(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_instance_reads_at_once_what_another_wrote_after_it_started() {
    if common::remote_only() {
        return;
    }
    let a = TestApp::new();
    let token = a.user("alice");
    let alice = user_id(&a, "alice").await;
    let b = a.beside();
    // All made after b started: b has only their rows.
    let c = a.conversation(&token, "Made on a").await;
    let notes = put(&a, &token, &c, "notes.txt", b"one").await;
    put(&a, &token, &c, "notes.txt", b"two").await;
    let deep = put(&a, &token, &c, "aXb/deep.txt", b"deep").await;
    put(&a, &token, &c, "chart.png", b"not really a picture").await;
    let id = notes["id"].as_str().unwrap().to_string();

    let conversation = format!("/api/conversations/{c}");
    let versions = format!("{conversation}/artifacts/{id}/versions");
    for uri in [
        "/api/artifacts".to_string(),
        "/api/artifacts?q=NOTES".into(),
        "/api/artifacts?q=made+ON".into(),
        "/api/artifacts?type=images".into(),
        format!("{conversation}/artifacts?sort=name"),
        "/api/conversations".into(),
        conversation.clone(),
        versions.clone(),
    ] {
        let on_b = b.get(&uri, &token).await;
        assert_eq!(on_b.status, StatusCode::OK, "{uri}: {}", on_b.text());
        assert_eq!(on_b.json(), a.get(&uri, &token).await.json(), "{uri}");
    }
    let listed = b.get("/api/artifacts", &token).await.json();
    assert_eq!(names(&listed), ["chart.png", "aXb/deep.txt", "notes.txt"]);
    assert_eq!((listed["total"].as_u64(), listed["counts"]["images"].as_u64()), (Some(3), Some(1)));
    assert_eq!(listed["items"][2]["versions"], 2);
    assert_eq!(b.get(&versions, &token).await.json()["items"].as_array().unwrap().len(), 2);
    assert_eq!(names(&b.get("/api/artifacts?q=deep", &token).await.json()), ["aXb/deep.txt"]);
    let first = b.get("/api/artifacts?size=2", &token).await.json();
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = b.get(&format!("/api/artifacts?size=2&cursor={cursor}"), &token).await.json();
    assert_eq!((names(&rest), rest["page"].as_u64()), (vec!["notes.txt".to_string()], Some(2)));

    // The bytes, by id, version and thread path.
    let text = |uri: String| {
        let (b, token) = (&b, &token);
        async move { b.get(&uri, token).await.text() }
    };
    assert_eq!(text(format!("{conversation}/artifacts/{id}")).await, "two");
    assert_eq!(text(format!("{versions}/1")).await, "one");
    let outputs = "mnt/user-data/outputs";
    assert_eq!(text(format!("/api/threads/{c}/artifacts/{outputs}/aXb/deep.txt")).await, "deep");
    let store = &b.state.store;
    let cid = c.parse().unwrap();
    assert!(matches!(store.resolve(alice, cid, &format!("{outputs}/aXb")).await.unwrap(), Resolved::Folder));
    // `_` and `%` are no wildcards of a path.
    for missing in ["a_b", "a%", "aXb/deep"] {
        let path = format!("{outputs}/{missing}");
        assert!(matches!(store.resolve(alice, cid, &path).await.unwrap(), Resolved::Missing), "{missing}");
    }
    let under: Vec<String> = store.under(alice, cid, outputs).await.unwrap().iter().map(|m| m.path.clone()).collect();
    assert_eq!(
        under,
        [format!("{outputs}/chart.png"), format!("{outputs}/aXb/deep.txt"), format!("{outputs}/notes.txt")]
    );
    let deep_id = deep["id"].as_str().unwrap().parse().unwrap();
    let (previous, next) = store.neighbours(alice, deep_id, &ArtifactQuery::default()).await.unwrap();
    assert_eq!(previous.map(|r| r.id), listed["items"][0]["id"].as_str().map(|i| i.parse().unwrap()));
    assert_eq!(next.map(|r| r.id.to_string()), Some(id.clone()));

    let zip = b.get(&format!("{conversation}/artifacts.zip"), &token).await;
    assert_eq!(zip.status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).unwrap();
    let mut members: Vec<String> = archive.file_names().map(|n| n.unwrap().into_owned()).collect();
    members.sort();
    assert_eq!(members.len(), 3, "{members:?}");
    let mut read = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(&members[2]).unwrap(), &mut read).unwrap();
    assert_eq!((members[2].ends_with("notes.txt"), read.as_str()), (true, "two"));

    // A delete on a is a delete on b.
    let deleted = a.call(Method::DELETE, &format!("{conversation}/artifacts/{id}"), Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    for uri in
        [format!("{conversation}/artifacts/{id}"), versions, format!("/api/threads/{c}/artifacts/{outputs}/notes.txt")]
    {
        assert_eq!(b.get(&uri, &token).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    assert_eq!(b.get("/api/artifacts", &token).await.json()["total"], 2);
}

/// An item's place in the order `sort`, as docs/api.md describes it: the
/// creation time then the id break every tie.
fn place(item: &Value, sort: &str) -> (Reverse<u64>, String, Reverse<(i128, String)>, (i128, String)) {
    let created = time::OffsetDateTime::parse(
        item["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp_nanos();
    let key = (created, item["id"].as_str().unwrap().to_string());
    let none = (Reverse(0), String::new(), Reverse((0, String::new())), (0, String::new()));
    match sort {
        "newest" => (Reverse(0), String::new(), Reverse(key), none.3),
        "oldest" => (Reverse(0), String::new(), none.2, key),
        "name" => (Reverse(0), item["name"].as_str().unwrap().to_lowercase(), Reverse(key), none.3),
        _ => (Reverse(item["size"].as_u64().unwrap()), String::new(), Reverse(key), none.3),
    }
}

#[tokio::test]
async fn two_instances_list_alike_in_every_order_filter_and_search() {
    if common::remote_only() {
        return;
    }
    let a = TestApp::new();
    let token = a.user("alice");
    let b = a.beside();
    let one = a.conversation(&token, "Alpha").await;
    let two = a.conversation(&token, "Beta charts").await;
    // 30 artifacts: names whose case differs, sizes and names repeated.
    let exts = ["png", "html", "py", "txt", "csv"];
    for i in 0..30usize {
        let name = format!("{}{}.{}", if i % 3 == 0 { "Chart" } else { "data" }, i % 7, exts[i % 5]);
        let folder = if i % 4 == 0 { "sub/" } else { "" };
        let c = if i % 2 == 0 { &one } else { &two };
        put(&a, &token, c, &format!("{folder}{name}"), &vec![b'x'; 10 + i % 6]).await;
    }
    // Equal times, deliberately: ties broken by id in every order.
    let same = "created_at = '2026-01-01T00:00:00.5Z', created_ns = 1767225600500000000";
    a.execute(&format!("UPDATE artifacts SET {same} WHERE name LIKE 'data%'"));
    a.execute(&format!("UPDATE versions SET {same} WHERE name LIKE 'data%'"));

    let all = a.get("/api/artifacts?size=100", &token).await.json()["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), 30);
    for sort in ["newest", "oldest", "name", "size"] {
        for kind in ["all", "images", "code", "files"] {
            for q in ["", "chart", "ALPHA"] {
                let mut expected: Vec<&Value> = all
                    .iter()
                    .filter(|i| kind == "all" || i["type"] == kind)
                    .filter(|i| {
                        let text = |f: &str| i[f].as_str().unwrap().to_lowercase();
                        text("name").contains(&q.to_lowercase())
                            || text("conversation_title").contains(&q.to_lowercase())
                    })
                    .collect();
                expected.sort_by_cached_key(|i| place(i, sort));
                let expected: Vec<Value> = expected.into_iter().cloned().collect();
                let query = format!("/api/artifacts?sort={sort}&type={kind}&q={q}");
                let whole = b.get(&format!("{query}&size=100"), &token).await.json();
                assert_eq!(whole["items"].as_array().unwrap(), &expected, "{query}");
                assert_eq!(whole, a.get(&format!("{query}&size=100"), &token).await.json(), "{query}");
                assert_eq!(whole["total"].as_u64(), Some(expected.len() as u64), "{query}");
                // By cursor and by page, 4 at a time.
                let (mut walked, mut next) = (Vec::new(), Some(format!("{query}&size=4")));
                while let Some(uri) = next.take() {
                    let page = b.get(&uri, &token).await.json();
                    walked.extend(page["items"].as_array().unwrap().iter().cloned());
                    next = page["next_cursor"].as_str().map(|c| format!("/api/artifacts?size=4&cursor={c}"));
                }
                assert_eq!(walked, expected, "{query} by cursor");
                let page = b.get(&format!("{query}&size=4&page=2"), &token).await.json();
                assert_eq!(
                    page["items"].as_array().unwrap()[..],
                    expected[4.min(expected.len())..8.min(expected.len())],
                    "{query} page 2"
                );
            }
        }
    }
    // Searched by the trigram index (the test role may create pg_trgm).
    let index =
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'artifacts_search' AND schemaname = current_schema()";
    assert_eq!(a.select(index).as_deref(), Some("1"));
    let counts = b.get("/api/artifacts?q=chart", &token).await.json()["counts"].clone();
    assert_eq!(counts, a.get("/api/artifacts?q=chart", &token).await.json()["counts"]);
    assert_eq!(counts["all"], 30 / 2 + 5, "chart in the names of 10, in the title of 15, in both of 5");
}
