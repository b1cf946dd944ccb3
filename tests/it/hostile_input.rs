//! Generated hostile input (proptest): thread paths made of every spelling
//! of a way out, and artifact names made of what breaks file systems. Each
//! answers a 4xx or a file inside the thread, and no answer ever holds a
//! byte from outside the data directory, even with symlinks planted inside.
//!
//! `PROPTEST_CASES` sets the number of cases (default 1,000 paths and 300
//! names; `make test-long` runs 20,000 and 3,000).

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;

const PIECES: &[&str] = &[
    "..",
    ".",
    "%2e",
    "%2E",
    "%2e%2e",
    "%252e%252e",
    "%25252e",
    "/",
    "//",
    "%2f",
    "%2F",
    "%252f",
    "\\",
    "%5c",
    "%5C",
    "%00",
    "%0a",
    "%ff",
    "mnt",
    "user-data",
    "outputs",
    "uploads",
    "mnt/user-data/outputs/",
    "data.csv",
    "my.skill",
    "SKILL.md",
    "escape",
    "canary.txt",
    "etc",
    "passwd",
    "~",
    "%7e",
    ":",
    "C:",
    "a",
];

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn skill() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("SKILL.md", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(b"# skill").unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn generated_hostile_paths_never_leave_the_thread() {
    if crate::common::local_only() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = TestApp::new();
    let token = app.user("alice");
    let (id, outside) = rt.block_on(async {
        let id = app.conversation(&token, "t").await;
        let skill = skill();
        let files: [(&str, &[u8]); 2] = [("data.csv", b"a,b\n"), ("my.skill", &skill)];
        assert_eq!(app.tool_result(&token, &id, &files).await.status, StatusCode::CREATED);
        (id, tempfile::tempdir().unwrap())
    });
    // A canary outside the data directory, reachable only through symlinks
    // planted inside it: one beside the conversations, one as a data file.
    std::fs::write(outside.path().join("canary.txt"), "CANARY-SECRET").unwrap();
    let conversations = app.dir.path().join("conversations");
    std::os::unix::fs::symlink(outside.path(), conversations.join("escape")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("canary.txt"),
        conversations.join(&id).join("artifacts").join("planted.csv"),
    )
    .unwrap();

    // Half start where real files live, so the pieces after it are what
    // decides the answer.
    let prefix = proptest::sample::select(&["", "", "mnt/user-data/outputs/", "mnt/user-data/uploads/"][..]);
    let path = (prefix, proptest::collection::vec(proptest::sample::select(PIECES), 1..12))
        .prop_map(|(prefix, pieces)| format!("{prefix}{}", pieces.concat()));
    let mut runner = TestRunner::new(Config { cases: cases(1000), failure_persistence: None, ..Config::default() });
    let answered = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    runner
        .run(&path, |path| {
            let uri = format!("/api/threads/{id}/artifacts/{path}");
            let Ok(req) =
                Request::get(&uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty())
            else {
                return Ok(()); // not even a URI: no request reaches the server
            };
            let r = rt.block_on(app.send(req));
            *answered.borrow_mut().entry(r.status.as_u16()).or_default() += 1;
            prop_assert!(matches!(r.status.as_u16(), 200 | 206 | 400 | 403 | 404 | 413), "{path}: {}", r.status);
            prop_assert!(!r.text().contains("CANARY"), "{path} read outside the data directory");
            if r.status == StatusCode::OK {
                prop_assert!(r.body == b"a,b\n" || r.body == b"# skill" || r.body == skill(), "{path}: {}", r.text());
            }
            Ok(())
        })
        .unwrap();
    let answered = answered.into_inner();
    eprintln!("hostile paths: {} cases, answers by status {answered:?}", cases(1000));
    assert!(answered.get(&403).is_some_and(|n| *n > 0), "the generator reaches the refusals");
}

#[test]
fn generated_hostile_names_are_refused_or_stored_inside() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = TestApp::new();
    let token = app.user("alice");
    let id = rt.block_on(app.conversation(&token, "names"));
    let artifacts = format!("conversations/{id}/artifacts");
    let name = proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(
                &["..", ".", "/", "\\", "\0", "\n", "CON", "a", ".png", "%2e", "~", " ", "\u{202e}", "é"][..]
            )
            .prop_map(str::to_string),
            "[a-z]{1,8}",
        ],
        1..10,
    )
    .prop_map(|p| p.concat());
    let mut runner = TestRunner::new(Config { cases: cases(300), failure_persistence: None, ..Config::default() });
    let (stored, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&name, |name| {
            let body = json!({ "tool": "t", "artifacts": [{ "name": name, "text": "x" }] });
            let r = rt.block_on(app.post(&format!("/api/conversations/{id}/tool-results"), &token, body));
            match r.status {
                StatusCode::CREATED => {
                    stored.set(stored.get() + 1);
                    let a = &r.json()["artifacts"][0];
                    let path = a["path"].as_str().unwrap();
                    prop_assert!(
                        path.starts_with("mnt/user-data/outputs/") && !path.split('/').any(|s| s == ".." || s == "."),
                        "{name:?} → {path}"
                    );
                    let sidecar = format!("{artifacts}/{}.meta.json", a["id"].as_str().unwrap());
                    prop_assert!(app.stored(&sidecar).is_some(), "{name:?} stored outside its folder");
                }
                StatusCode::BAD_REQUEST => {
                    refused.set(refused.get() + 1);
                    prop_assert!(r.json()["detail"].as_str().is_some_and(|d| !d.is_empty()));
                }
                other => prop_assert!(false, "{name:?}: {other}"),
            }
            Ok(())
        })
        .unwrap();
    let (stored, refused) = (stored.get(), refused.get());
    eprintln!("hostile names: {stored} stored inside, {refused} refused");
    let escaped: Vec<_> = std::fs::read_dir(app.dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(
        escaped.iter().all(|n| [
            "conversations",
            "vitrine.db",
            "vitrine.db-wal",
            "vitrine.db-shm",
            "cache",
            "content.key"
        ]
        .contains(&n.to_str().unwrap())),
        "nothing written beside the data folders: {escaped:?}"
    );
    assert!(stored > 0 && refused > 0, "the generator reaches both outcomes");
}
