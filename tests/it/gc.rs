//! `vitrine gc`, the real binary on the app's store (its data directory,
//! or its prefix in the services' bucket): what a crash leaves goes once it
//! is older than the grace; nothing start-up lists, nothing younger, and
//! nothing under `--dry-run`.

use crate::common::{self, process, TestApp};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;
use uuid::Uuid;
use vitrine::server::store::blobs::{artifacts_folder, card_key};

/// Runs `vitrine gc` with `args` on the app's store and database; returns
/// what it printed.
fn gc(app: &TestApp, args: &[&str]) -> String {
    let out = process::command(app.dir.path()).arg("gc").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Every key of conversations and of the card cache.
fn keys(app: &TestApp) -> BTreeSet<String> {
    let blobs = app.state.store.blobs();
    ["conversations", "cache/cards"].iter().flat_map(|p| blobs.list(p).unwrap()).map(|l| l.key).collect()
}

/// Plants `(key, bytes)` through the app's store; returns the keys.
fn plant(app: &TestApp, keys: &[(String, &[u8])]) -> BTreeSet<String> {
    for (key, bytes) in keys {
        app.state.store.blobs().put(key, bytes).unwrap();
    }
    keys.iter().map(|k| k.0.clone()).collect()
}

/// The conversation's listing, and every version of every artifact downloaded.
async fn everything(app: &TestApp, token: &str, c: &str) -> Vec<Value> {
    let listing = app.get(&format!("/api/conversations/{c}/artifacts"), token).await.json();
    let items = listing["items"].as_array().unwrap().clone();
    for item in &items {
        let url = item["url"].as_str().unwrap();
        for version in app.get(&format!("{url}/versions"), token).await.json()["items"].as_array().unwrap() {
            let r = app.get(version["url"].as_str().unwrap(), token).await;
            assert_eq!(r.status, StatusCode::OK, "{version}");
            assert_eq!(r.body.len() as u64, version["size"].as_u64().unwrap());
        }
    }
    items
}

#[tokio::test]
async fn gc_removes_what_a_crash_left_past_the_grace_and_nothing_else() {
    let app = TestApp::new();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("a.txt", b"one"), ("b.csv", b"x,y\n1,2\n")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json()["artifacts"][0].clone();
    let url = a["url"].as_str().unwrap();
    assert_eq!(app.tool_result(&token, &c, &[("a.txt", b"two")]).await.status, StatusCode::CREATED);
    // A restore: in the data directory a hard link, as old as its source.
    let restored = app.post(&format!("{url}/versions/1/restore"), &token, Value::Null).await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.text());
    let live = everything(&app, &token, &c).await;
    assert_eq!(live.len(), 2);

    let folder = artifacts_folder(c.parse().unwrap());
    let id = || Uuid::new_v4();
    let a_id: Uuid = a["id"].as_str().unwrap().parse().unwrap();
    let (data, sidecar, temp, card) = (id(), id(), id(), id());
    let kept = plant(
        &app,
        &[
            // A live version's card, and a key that is none of gc's.
            (card_key(a_id, "json"), b"{}"),
            (format!("{folder}/notes.txt"), b"n"),
        ],
    );
    let old = plant(
        &app,
        &[
            (format!("{folder}/{data}.png"), b"orphan"),
            (format!("{folder}/{sidecar}.meta.json"), b"{}"),
            (format!("{folder}/.tmp-{temp}"), b"partial"),
            (format!("cache/cards/.tmp-{temp}.webp"), b"half"),
            (card_key(card, "webp"), b"picture"),
            (card_key(card, "json"), b"{\"face\":1}"),
        ],
    );
    let before = keys(&app);
    assert!(before.is_superset(&kept) && before.is_superset(&old));
    tokio::time::sleep(Duration::from_secs(5)).await;

    let out = gc(&app, &[]);
    assert_eq!(keys(&app), before, "nothing is an hour old: {out}");
    assert!(out.contains("data files without metadata: 0 (0 bytes)"), "{out}");
    let out = gc(&app, &["--dry-run", "--grace", "3s"]);
    assert_eq!(keys(&app), before, "a dry run removes nothing: {out}");
    for key in &old {
        assert!(out.contains(&format!("would remove {key}\n")), "{key}: {out}");
    }
    assert!(out.ends_with("dry run: nothing removed\n"), "{out}");

    // Younger than the grace: a data file linked from an old one (a restore
    // that has not written its sidecar yet) and a card.
    let (young_data, young_card) = (format!("{folder}/{}.txt", id()), card_key(id(), "json"));
    app.state.store.blobs().link(&format!("{folder}/{a_id}.txt"), &young_data).unwrap();
    let young = plant(&app, &[(young_card, b"{}")]);
    let out = gc(&app, &["--grace", "3s"]);
    let mut expected = &before - &old;
    expected.insert(young_data.clone());
    expected.extend(young);
    assert_eq!(keys(&app), expected, "{out}");
    for line in [
        "data files without metadata: 1 (6 bytes)",
        "temp files: 2 (11 bytes)",
        "cached cards of deleted versions: 2 (17 bytes)",
        "metadata files without data: 1 (2 bytes)",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    assert_eq!(everything(&app, &token, &c).await, live);

    gc(&app, &["--grace", "0s"]);
    assert_eq!(keys(&app), &before - &old, "past a grace of none, the young ones go too");
    let app = app.restart();
    assert_eq!(everything(&app, &token, &c).await, live, "start-up lists the same artifacts");
}

/// With PostgreSQL, `gc` deletes the events' rows older than the streams
/// keep them (10 minutes), and a dry run counts them.
#[tokio::test]
async fn gc_deletes_the_events_rows_past_their_age() {
    if common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let token = app.user("alice");
    app.conversation(&token, "Old").await;
    app.conversation(&token, "New").await;
    app.execute("UPDATE events SET created_at = now() - interval '11 minutes' WHERE id = (SELECT min(id) FROM events)");
    for (args, left) in [(&["--dry-run"][..], "2"), (&[], "1")] {
        let out = gc(&app, args);
        assert!(out.contains("events older than the streams keep: 1\n"), "{out}");
        assert_eq!(app.select("SELECT count(*) FROM events").as_deref(), Some(left));
    }
    let kept = app.select("SELECT data FROM events").unwrap();
    assert!(kept.contains("\"New\""), "{kept}");
}
