//! Versions: writing a name again in a conversation (tool result, upload,
//! restore) makes the next version of one artifact; the latest is what
//! listings and paths show, each version keeps its own URL; concurrent
//! writers, restarts and data from before versions keep the numbering whole.

use crate::common::{Reply, TestApp};
use axum::http::{header, Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Writes `name` with `bytes` as one tool result; returns its artifact record.
async fn write(app: &TestApp, token: &str, c: &str, name: &str, bytes: &[u8]) -> Value {
    let r = app.tool_result(token, c, &[(name, bytes)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["artifacts"][0].clone()
}

async fn versions(app: &TestApp, token: &str, url: &str) -> Vec<Value> {
    let r = app.get(&format!("{url}/versions"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

fn numbers(items: &[Value]) -> Vec<u64> {
    items.iter().map(|v| v["version"].as_u64().unwrap()).collect()
}

/// Alice's conversation with `a.txt` written twice ("1", then "2"): the
/// app, her token, the conversation and the first answer.
async fn two_versions() -> (TestApp, String, String, Value) {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let a = write(&app, &token, &c, "a.txt", b"1").await;
    write(&app, &token, &c, "a.txt", b"2").await;
    (app, token, c, a)
}

async fn delete(app: &TestApp, token: &str, url: &str) -> Reply {
    app.call(Method::DELETE, url, Some(token), None).await
}

#[tokio::test]
async fn writing_a_name_again_makes_its_next_version() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let first = write(&app, &token, &c, "report.html", b"one").await;
    let url = first["url"].as_str().unwrap().to_string();
    assert_eq!((first["version"].as_u64(), first["versions"].as_u64()), (Some(1), Some(1)));
    // Read once, so the small-file cache holds version 1's bytes.
    let plain = app.get(&url, &token).await;
    assert_eq!((plain.body.as_slice(), plain.header("cache-control")), (&b"one"[..], "private, no-cache"));
    let old_tag = plain.header("etag").to_string();

    let second = write(&app, &token, &c, "report.html", b"two").await;
    assert_eq!((&second["id"], second["version"].as_u64(), &second["url"]), (&first["id"], Some(2), &first["url"]));
    let same = write(&app, &token, &c, "report.html", b"two").await;
    assert_eq!((same["version"].as_u64(), same["versions"].as_u64()), (Some(2), Some(2)), "same bytes: no new version");
    let third = write(&app, &token, &c, "report.html", b"three").await;
    assert_eq!(third["version"], 3);
    write(&app, &token, &c, "other.txt", b"two").await;

    // The plain URL, the thread path and listings answer the latest.
    let req = axum::http::Request::get(&url)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::IF_NONE_MATCH, &old_tag);
    let latest = app.send(req.body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!((latest.status, latest.body.as_slice()), (StatusCode::OK, &b"three"[..]));
    let path = format!("/api/threads/{c}/artifacts/mnt/user-data/outputs/report.html");
    assert_eq!(app.get(&path, &token).await.body, b"three");
    let listing = app.get("/api/artifacts?q=report", &token).await.json();
    assert_eq!((listing["total"].as_u64(), listing["counts"]["all"].as_u64()), (Some(1), Some(1)));
    assert_eq!((listing["items"][0]["version"].as_u64(), listing["items"][0]["versions"].as_u64()), (Some(3), Some(3)));
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 2);
    let session = crate::foundation::session(&app, "alice").await;
    let gallery = crate::foundation::page(&app, "/artifacts", &session).await.text();
    assert_eq!(gallery.matches(">v3<").count(), 1, "the card says v3; other.txt has no history: {gallery}");

    // Each version keeps its bytes at a URL of its own.
    let items = versions(&app, &token, &url).await;
    assert_eq!(numbers(&items), [3, 2, 1]);
    for (item, bytes) in items.iter().zip([&b"three"[..], b"two", b"one"]) {
        assert_eq!(item["sha256"], format!("{:x}", Sha256::digest(bytes)));
        assert_eq!(item["size"], bytes.len());
        let r = app.get(item["url"].as_str().unwrap(), &token).await;
        assert_eq!((r.body.as_slice(), r.header("cache-control")), (bytes, "private, max-age=31536000, immutable"));
        let n = item["version"].as_u64().unwrap();
        assert_eq!(item["url"], format!("{url}/versions/{n}"));
        let by_path = app.get(&format!("{path}?version={n}"), &token).await;
        assert_eq!(by_path.body, bytes);
    }
    let dl = app.get(items[2]["download_url"].as_str().unwrap(), &token).await;
    assert!(dl.header("content-disposition").starts_with("attachment"));

    // The transcript lists the version each message made.
    let transcript = app.get(&format!("/api/conversations/{c}"), &token).await.json();
    let made: Vec<u64> = transcript["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["artifacts"][0]["version"].as_u64().unwrap())
        .collect();
    assert_eq!(made, [1, 2, 2, 3, 1]);
}

#[tokio::test]
async fn uploads_and_their_markdown_twins_get_versions() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    for (round, csv) in [&b"a,b\n1,2\n"[..], b"a,b\n3,4\n"].into_iter().enumerate() {
        let r = crate::uploads::upload(&app, &token, &c, &[("data.csv", csv)]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let file = &r.json()["files"][0];
        assert_eq!(file["filename"], "data.csv", "the same name again, not data_1.csv");
        let twin = app.get(file["markdown_artifact_url"].as_str().unwrap(), &token).await;
        assert!(twin.text().contains(if round == 0 { "| 1" } else { "| 3" }), "{}", twin.text());
    }
    let listing = app.get(&format!("/api/conversations/{c}/artifacts"), &token).await.json();
    let items = listing["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "data.csv and data.md");
    assert!(items.iter().all(|i| i["version"] == 2 && i["versions"] == 2));
    let list = app.get(&format!("/api/threads/{c}/uploads/list"), &token).await.json();
    assert_eq!(list["files"].as_array().unwrap().len(), 2);
    let gone = app.call(Method::DELETE, &format!("/api/threads/{c}/uploads/data.csv"), Some(&token), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/conversations/{c}/artifacts"), &token).await.json()["total"], 0);
    assert_eq!(app.stored_count(&format!("conversations/{c}/artifacts")), 0, "every version's files are removed");
}

#[tokio::test]
async fn restore_and_delete_versions() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let a = write(&app, &token, &c, "a.py", b"print(1)").await;
    write(&app, &token, &c, "a.py", b"print(2)").await;
    write(&app, &token, &c, "a.py", b"print(3)").await;
    let url = a["url"].as_str().unwrap().to_string();

    let restored = app.post(&format!("{url}/versions/1/restore"), &token, Value::Null).await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.text());
    assert_eq!((restored.json()["version"].as_u64(), &restored.json()["id"]), (Some(4), &a["id"]));
    assert_eq!(app.get(&url, &token).await.body, b"print(1)");
    let again = app.post(&format!("{url}/versions/4/restore"), &token, Value::Null).await;
    assert_eq!((again.status, again.json()["version"].as_u64()), (StatusCode::OK, Some(4)), "already the latest");
    let transcript = app.get(&format!("/api/conversations/{c}"), &token).await.json();
    let last = transcript["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((&last["tool"], last["artifacts"][0]["version"].as_u64()), (&Value::from("restore"), Some(4)));

    assert_eq!(delete(&app, &token, &format!("{url}/versions/2")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(numbers(&versions(&app, &token, &url).await), [4, 3, 1]);
    assert_eq!(app.get(&format!("{url}/versions/2"), &token).await.status, StatusCode::NOT_FOUND);
    // Deleting the latest makes the one before it the latest; its number is not given again.
    assert_eq!(delete(&app, &token, &format!("{url}/versions/4")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&url, &token).await.body, b"print(3)");
    assert_eq!(write(&app, &token, &c, "a.py", b"print(5)").await["version"], 5);
    for n in [5, 3] {
        assert_eq!(delete(&app, &token, &format!("{url}/versions/{n}")).await.status, StatusCode::NO_CONTENT);
    }
    let only = delete(&app, &token, &format!("{url}/versions/1")).await;
    assert_eq!(only.status, StatusCode::CONFLICT, "{}", only.text());
    assert_eq!(app.get(&url, &token).await.body, b"print(1)");

    write(&app, &token, &c, "a.py", b"print(6)").await;
    assert_eq!(delete(&app, &token, &url).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("{url}/versions/1"), &token).await.status, StatusCode::NOT_FOUND);
    let files = app.stored_count(&format!("conversations/{c}/artifacts"));
    assert_eq!(files, 0, "deleting the artifact deletes every version");
    let fresh = write(&app, &token, &c, "a.py", b"print(1)").await;
    assert_eq!((fresh["version"].as_u64(), fresh["id"] != a["id"]), (Some(1), true), "a new artifact");
}

#[tokio::test]
async fn version_numbers_in_urls_are_checked() {
    let (app, token, c, a) = two_versions().await;
    let url = a["url"].as_str().unwrap().to_string();
    let path = format!("/api/threads/{c}/artifacts/mnt/user-data/outputs/a.txt");
    for bad in ["0", "-1", "4294967296", "99999999999999999999", "abc", "1.5", "%20", ""] {
        let r = app.get(&format!("{path}?version={bad}"), &token).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "?version={bad}: {}", r.text());
        assert!(r.json()["detail"].as_str().unwrap().starts_with("Invalid version"));
        if bad.is_empty() {
            continue;
        }
        assert_eq!(app.get(&format!("{url}/versions/{bad}"), &token).await.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(delete(&app, &token, &format!("{url}/versions/{bad}")).await.status, StatusCode::BAD_REQUEST);
        let restore = app.post(&format!("{url}/versions/{bad}/restore"), &token, Value::Null).await;
        assert_eq!(restore.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let missing = app.get(&format!("{url}/versions/3"), &token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["detail"], format!("Version 3 of artifact {} not found", a["id"].as_str().unwrap()));
    assert_eq!(app.get(&format!("{path}?version=3"), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{url}/versions/4294967295"), &token).await.status, StatusCode::NOT_FOUND);
    // Someone else's versions are missing exactly like nonexistent ones.
    let bob = app.user("bob");
    for uri in [format!("{url}/versions"), format!("{url}/versions/1"), format!("{path}?version=1")] {
        assert_eq!(app.get(&uri, &bob).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    assert_eq!(delete(&app, &bob, &format!("{url}/versions/1")).await.status, StatusCode::NOT_FOUND);
    let r = app.post(&format!("{url}/versions/1/restore"), &bob, Value::Null).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(numbers(&versions(&app, &token, &url).await), [2, 1], "bob changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_to_one_name_get_every_number_once() {
    let app = std::sync::Arc::new(TestApp::new());
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let writers: Vec<_> = (0..12)
        .map(|w| {
            let (app, token, c) = (app.clone(), token.clone(), c.clone());
            tokio::spawn(async move {
                let bytes = format!("writer {w}").repeat(w * 5000 + 1);
                let made = write(&app, &token, &c, "shared.txt", bytes.as_bytes()).await;
                (made["version"].as_u64().unwrap(), made["url"].as_str().unwrap().to_string(), bytes)
            })
        })
        .collect();
    let mut made = Vec::new();
    for w in writers {
        made.push(w.await.unwrap());
    }
    let mut acked: Vec<u64> = made.iter().map(|m| m.0).collect();
    acked.sort_unstable();
    assert_eq!(acked, (1..=12).collect::<Vec<_>>(), "every number once");
    let url = &made[0].1;
    let items = versions(&app, &token, url).await;
    assert_eq!(numbers(&items), (1..=12).rev().collect::<Vec<_>>());
    let created: Vec<&str> = items.iter().rev().map(|v| v["created_at"].as_str().unwrap()).collect();
    assert!(created.windows(2).all(|w| w[0] < w[1]), "numbers follow creation: {created:?}");
    for (version, _, bytes) in &made {
        assert_eq!(app.get(&format!("{url}/versions/{version}"), &token).await.body, bytes.as_bytes());
    }
}

#[tokio::test]
async fn versions_survive_a_restart_and_old_data_keeps_its_urls() {
    let (app, token, c, a) = two_versions().await;
    let url = a["url"].as_str().unwrap().to_string();

    // An artifact from before versions at the same path: a sidecar without
    // `artifact_id` and `version`, written later than version 2.
    let folder = format!("conversations/{c}/artifacts");
    let first = a["id"].as_str().unwrap();
    let mut old: serde_json::Map<String, Value> =
        serde_json::from_slice(&app.stored(&format!("{folder}/{first}.meta.json")).unwrap()).unwrap();
    let legacy = uuid::Uuid::new_v4();
    old.insert("id".into(), legacy.to_string().into());
    old.insert("created_at".into(), "2099-01-01T00:00:00Z".into());
    old.insert("sha256".into(), format!("{:x}", Sha256::digest(b"L")).into());
    old.remove("version");
    let blobs = app.state.store.blobs();
    blobs.put(&format!("{folder}/{legacy}.txt"), b"L").unwrap();
    blobs.put(&format!("{folder}/{legacy}.meta.json"), &serde_json::to_vec(&old).unwrap()).unwrap();
    // With PostgreSQL, data from before versions is from before their rows
    // too: start-up writes them from the sidecars.
    if app.state.config.database_url.is_some() {
        app.execute("DELETE FROM artifacts");
    }

    let app = app.restart();
    assert_eq!(numbers(&versions(&app, &token, &url).await), [2, 1]);
    assert_eq!(app.get(&format!("{url}/versions/1"), &token).await.body, b"1");
    // The old artifact stays itself, at its own URL; the path answers the newest.
    let legacy_url = format!("/api/conversations/{c}/artifacts/{legacy}");
    assert_eq!(app.get(&legacy_url, &token).await.body, b"L");
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 2);
    let next = write(&app, &token, &c, "a.txt", b"3").await;
    assert_eq!((next["id"].as_str(), next["version"].as_u64()), (Some(legacy.to_string().as_str()), Some(2)));
    write(&app, &token, &c, "b.txt", b"b").await;
    let app = app.restart();
    assert_eq!(numbers(&versions(&app, &token, &legacy_url).await), [2, 1]);
    assert_eq!(write(&app, &token, &c, "a.txt", b"4").await["version"], 3, "numbering goes on after a restart");
}
