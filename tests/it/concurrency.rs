//! Many clients at once: writers ingest into shared and separate
//! conversations while readers list and download. Every name is one
//! artifact listed exactly once, every acknowledged version of it is kept
//! under its own number, the counts are exact, and a restart rebuilds the
//! same index.

use crate::common::TestApp;
use axum::http::StatusCode;
use std::collections::HashSet;
use std::sync::Arc;

const WRITERS: usize = 16;
const RESULTS_PER_WRITER: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_readers_agree_on_every_artifact() {
    let app = Arc::new(TestApp::new());
    let token = app.user("alice");
    let shared = app.conversation(&token, "shared").await;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (app, token, done) = (app.clone(), token.clone(), done.clone());
            tokio::spawn(async move {
                let mut reads = 0u32;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let page = app.get("/api/artifacts?size=100&type=code", &token).await;
                    assert_eq!(page.status, StatusCode::OK);
                    let page = page.json();
                    let total = page["total"].as_u64().unwrap();
                    assert_eq!(page["counts"]["code"].as_u64().unwrap(), total, "a listing is one consistent view");
                    if let Some(url) = page["items"][0]["url"].as_str() {
                        let file = app.get(url, &token).await;
                        assert_eq!(file.status, StatusCode::OK);
                        assert!(file.text().starts_with("print("), "{}", file.text());
                    }
                    reads += 1;
                    tokio::task::yield_now().await;
                }
                reads
            })
        })
        .collect();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (app, token, shared) = (app.clone(), token.clone(), shared.clone());
            tokio::spawn(async move {
                let own = app.conversation(&token, &format!("writer {w}")).await;
                let mut made = vec![];
                for n in 0..RESULTS_PER_WRITER {
                    let conversation = if n % 2 == 0 { &shared } else { &own };
                    let code = format!("print({w}, {n})");
                    let files: [(&str, &[u8]); 2] = [("same-name.py", code.as_bytes()), ("plot.png", b"png")];
                    let r = app.tool_result(&token, conversation, &files).await;
                    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                    for a in r.json()["artifacts"].as_array().unwrap() {
                        made.push((a["id"].as_str().unwrap().to_string(), a["version"].as_u64().unwrap()));
                    }
                }
                made
            })
        })
        .collect();

    let mut acked = vec![];
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.await.unwrap() > 0, "readers ran alongside the writers");
    }

    assert_eq!(acked.len(), WRITERS * RESULTS_PER_WRITER * 2);
    // Two names in each writer's conversation and in the shared one.
    let expected = (WRITERS + 1) * 2;
    let listing = |app: Arc<TestApp>, token: String| async move {
        let mut ids = vec![];
        let mut first = None;
        for page in 1.. {
            let p = app.get(&format!("/api/artifacts?size=100&page={page}"), &token).await.json();
            first.get_or_insert(p["counts"].clone());
            let items = p["items"].as_array().unwrap().clone();
            if items.is_empty() {
                break;
            }
            ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        }
        (ids, first.unwrap())
    };
    let (ids, counts) = listing(app.clone(), token.clone()).await;
    assert_eq!(ids.len(), expected, "every artifact listed exactly once");
    assert_eq!(ids.iter().collect::<HashSet<_>>(), acked.iter().map(|(id, _)| id).collect::<HashSet<_>>());
    assert_eq!(counts["all"], expected);
    assert_eq!(counts["code"], expected / 2);
    assert_eq!(counts["images"], expected / 2);
    let shared_page = app.get(&format!("/api/conversations/{shared}/artifacts?q=same-name"), &token).await.json();
    assert_eq!(shared_page["total"], 1);
    // Half of every writer's code went to the shared name, each a new version;
    // the image's bytes never changed, so it stayed at version 1.
    let versions = WRITERS * RESULTS_PER_WRITER / 2;
    let item = &shared_page["items"][0];
    let list = app.get(&format!("{}/versions", item["url"].as_str().unwrap()), &token).await.json();
    let numbers: Vec<u64> = list["items"].as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (1..=versions as u64).rev().collect::<Vec<_>>(), "every number once, none lost");
    let shared_id = item["id"].as_str().unwrap();
    let mut acked_shared: Vec<u64> = acked.iter().filter(|(id, _)| id == shared_id).map(|(_, v)| *v).collect();
    acked_shared.sort_unstable();
    assert_eq!(acked_shared, (1..=versions as u64).collect::<Vec<_>>());

    let app = Arc::into_inner(app).expect("all tasks are done").restart();
    let app = Arc::new(app);
    let (after, counts_after) = listing(app.clone(), token.clone()).await;
    assert_eq!(after, ids, "the restart rebuilt the same order");
    assert_eq!(counts_after, counts);
}
