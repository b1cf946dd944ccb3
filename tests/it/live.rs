//! Live updates across instances (remote only): two instances on one
//! PostgreSQL schema and bucket, each serving `GET /api/events` on a socket.
//! What one writes reaches the streams of both, once each, in order, with
//! the same ids; a stream resumes on either; a lost listener ends the
//! streams with `reload` and forgets cached files; a deletion on one drops
//! the other's cached bytes.
//!
//! On this branch an instance's lookups still come from its memory, so the
//! other instance still finds what was deleted: its cache is tested by the
//! answer it gives then (404, the bytes being gone), not 200 from memory.

use crate::common::{self, TestApp};
use crate::events::{tool_result, Live, Stream};
use axum::http::Method;
use serde_json::Value;

/// Ends the listeners of the instances on `app`'s schema, which name
/// themselves after it (cut at 63 bytes, as PostgreSQL keeps them): other
/// tests share the database. How many.
pub fn cut_listeners(app: &TestApp) -> u32 {
    let cut = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE application_name = left('vitrine listener ' || current_schema(), 63)";
    app.select(cut).unwrap().parse().unwrap()
}

/// An instance with `alice`.
fn first() -> (Live, String) {
    let a = Live::serve(TestApp::new);
    let alice = a.user("alice").1;
    (a, alice)
}

/// Another instance on `a`'s schema and bucket.
fn beside(a: &Live) -> Live {
    Live::serve(|| a.app.beside())
}

/// The next `n` events: their names and ids, which increase.
fn events(stream: &mut Stream, n: usize) -> Vec<(String, u64, Value)> {
    let mut seen: Vec<(String, u64, Value)> = Vec::new();
    while seen.len() < n {
        let e = stream.event();
        let id = e.id.unwrap();
        assert!(seen.last().is_none_or(|last| last.1 < id), "ids increase: {seen:?} then {id}");
        seen.push((e.event.clone().unwrap(), id, e.json()));
    }
    seen
}

fn names(events: &[(String, u64, Value)]) -> Vec<&str> {
    events.iter().map(|e| e.0.as_str()).collect()
}

fn delete(live: &Live, token: &str, url: &str) {
    let r = live.run(live.app.call(Method::DELETE, url, Some(token), None));
    assert_eq!(r.status, 204, "{}", r.text());
}

#[test]
fn what_one_instance_writes_reaches_the_streams_of_both_once_each_in_order() {
    if common::remote_only() {
        return;
    }
    let (a, alice) = first();
    let b = beside(&a);
    let mut on_a = a.open(&alice, "", None);
    let mut on_b = b.open(&alice, "", None);
    on_a.position();
    on_b.position();

    let conversation = a.run(a.app.conversation(&alice, "Across"));
    let stored = tool_result(&a, &alice, &conversation, "report.md", "# One");
    let artifact = &stored["artifacts"][0];
    delete(&a, &alice, artifact["url"].as_str().unwrap());
    // Written after the rest: the next event after those is this one, so
    // none came twice.
    let marker = a.run(a.app.conversation(&alice, "Marker"));

    let expected = ["conversation.created", "artifact.created", "message.created", "artifact.deleted"];
    let from_a = events(&mut on_a, 5);
    let from_b = events(&mut on_b, 5);
    assert_eq!(names(&from_b)[..4], expected);
    assert_eq!(from_b[4].2["id"].as_str(), Some(marker.as_str()), "{from_b:?}");
    assert_eq!(from_b[1].2, *artifact);
    // The writer's own streams get them once too, with the same ids and records.
    assert_eq!(from_a, from_b);

    // A client resumes on b after an id that a gave it.
    let mut resumed = b.open(&alice, "", Some(from_a[1].1));
    assert_eq!(names(&events(&mut resumed, 3)), ["message.created", "artifact.deleted", "conversation.created"]);
}

#[test]
fn a_lost_listener_ends_the_streams_with_reload_and_forgets_cached_files() {
    if common::remote_only() {
        return;
    }
    let (a, alice) = first();
    let conversation = a.run(a.app.conversation(&alice, "Cut"));
    let stored = tool_result(&a, &alice, &conversation, "note.txt", "cached");
    let file = stored["artifacts"][0]["download_url"].as_str().unwrap().to_string();
    let b = beside(&a);
    assert_eq!(b.run(b.app.get(&file, &alice)).text(), "cached");
    // The bytes go behind b's back: only its memory has them now.
    let key = format!("conversations/{conversation}/artifacts");
    let data: Vec<String> = b.app.state.store.blobs().list(&key).unwrap().into_iter().map(|l| l.key).collect();
    b.app.state.store.blobs().delete(data.into_iter().filter(|k| !k.ends_with(".meta.json")));
    assert_eq!(b.run(b.app.get(&file, &alice)).text(), "cached");

    let mut stream = b.open(&alice, "", None);
    stream.position();
    assert!(cut_listeners(&a.app) >= 2, "the listeners of a and b");
    let reload = stream.event();
    assert_eq!(reload.event.as_deref(), Some("reload"));
    assert!(stream.frame().is_none(), "the stream ends after the reload");
    assert_eq!(b.run(b.app.get(&file, &alice)).status, 404, "the cache was cleared");

    // Listening again: what a writes reaches b's new stream.
    let mut stream = b.open(&alice, "", reload.id);
    tool_result(&a, &alice, &conversation, "after.txt", "x");
    let e = stream.event();
    assert_eq!((e.event.as_deref(), e.json()["name"].as_str()), (Some("artifact.created"), Some("after.txt")));
}

#[test]
fn a_deletion_on_one_instance_drops_the_others_cached_bytes() {
    if common::remote_only() {
        return;
    }
    let (a, alice) = first();
    let conversation = a.run(a.app.conversation(&alice, "Deleted"));
    let one = tool_result(&a, &alice, &conversation, "one.txt", "one")["artifacts"][0].clone();
    tool_result(&a, &alice, &conversation, "two.txt", "two, version 1");
    let two = tool_result(&a, &alice, &conversation, "two.txt", "two, version 2")["artifacts"][0].clone();
    // Started now, b knows them all, and caches what it serves.
    let b = beside(&a);
    let file = one["download_url"].as_str().unwrap();
    let old = format!("{}/versions/1", two["url"].as_str().unwrap());
    assert_eq!(b.run(b.app.get(file, &alice)).text(), "one");
    assert_eq!(b.run(b.app.get(&old, &alice)).text(), "two, version 1");
    let mut stream = b.open(&alice, "", None);
    stream.position();

    delete(&a, &alice, one["url"].as_str().unwrap());
    delete(&a, &alice, &old);
    // The caches' notice comes before the events in each deletion.
    assert_eq!(names(&events(&mut stream, 2)), ["artifact.deleted", "artifact.version"]);
    assert_eq!(b.run(b.app.get(file, &alice)).status, 404);
    assert_eq!(b.run(b.app.get(&old, &alice)).status, 404);
}
