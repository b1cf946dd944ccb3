//! SIGKILL in the middle of ingestion, again and again: after every restart
//! each artifact that was acknowledged (201) is listed and intact, whatever
//! is listed is whole, and no temp file or orphan data file is left.
//!
//! The real binary on a free loopback port. `VITRINE_CRASH_ROUNDS` sets the
//! number of kills (default 4; `make test-long` runs 25).

use crate::common::b64;
use crate::common::process::{add_user, agent, Server};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bytes of an artifact follow from its name, so any listed artifact
/// can be checked, acknowledged or not.
fn content(name: &str) -> Vec<u8> {
    let size: usize = name.split("-s").nth(1).and_then(|s| s.strip_suffix(".bin")).unwrap().parse().unwrap();
    let mut block = Sha256::digest(name.as_bytes()).to_vec();
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        out.extend_from_slice(&block);
        block = Sha256::digest(&block).to_vec();
    }
    out.truncate(size);
    out
}

fn get_json(base: &str, token: &str, path: &str) -> Value {
    let mut r =
        agent().get(&format!("{base}{path}")).header("Authorization", &format!("Bearer {token}")).call().unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.body_mut().read_json().unwrap()
}

/// Every listed artifact: (id, name, url).
fn listed(base: &str, token: &str) -> Vec<(String, String, String)> {
    let mut all = vec![];
    for page in 1.. {
        let p = get_json(base, token, &format!("/api/artifacts?size=100&page={page}"));
        let items = p["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        for i in items {
            all.push((
                i["id"].as_str().unwrap().into(),
                i["name"].as_str().unwrap().into(),
                i["url"].as_str().unwrap().into(),
            ));
        }
    }
    all
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn check(data: &Path, base: &str, token: &str, acked: &[(String, String)]) {
    let listed = listed(base, token);
    let ids: std::collections::HashSet<&str> = listed.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids.len(), listed.len(), "nothing is listed twice");
    for (id, name) in acked {
        assert!(ids.contains(id.as_str()), "acknowledged {name} ({id}) is missing after a restart");
    }
    for (_, name, url) in &listed {
        let mut r =
            agent().get(&format!("{base}{url}")).header("Authorization", &format!("Bearer {token}")).call().unwrap();
        assert_eq!(r.status(), 200);
        let body = r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
        assert!(body == content(name), "{name} is not intact");
    }
    let artifacts = data.join("conversations");
    for file in files_under(&artifacts) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.starts_with(".tmp-"), "temp file left behind: {}", file.display());
        if !name.ends_with(".meta.json") && file.parent().is_some_and(|p| p.ends_with("artifacts")) {
            let id = name.split('.').next().unwrap();
            assert!(file.with_file_name(format!("{id}.meta.json")).exists(), "orphan data file {}", file.display());
        }
    }
}

#[test]
fn sigkill_during_ingestion_loses_nothing_acknowledged() {
    let rounds: u32 = std::env::var("VITRINE_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let token = add_user(&data, "crash");
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();

    for round in 0..rounds {
        let server = Server::start(&data, &[]);
        check(&data, &server.base, &token, &acked.lock().unwrap());
        let mut r = agent()
            .post(&format!("{}/api/conversations", server.base))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(json!({ "title": format!("round {round}") }))
            .unwrap();
        let conversation = r.body_mut().read_json::<Value>().unwrap()["id"].as_str().unwrap().to_string();
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let (base, token, conversation, acked) = (server.base.clone(), token.clone(), conversation.clone(), acked.clone());
                std::thread::spawn(move || {
                    for n in 0.. {
                        // 1 KB to 6 MB: small ones finish between the big ones' writes.
                        let size = if n % 3 == 0 { 1024 } else { 1 << (20 + (writer + n) % 3) } + n * 7;
                        let name = format!("r{round}-w{writer}-n{n}-s{size}.bin");
                        let body = json!({ "tool": "crash", "artifacts": [{ "name": name, "content_base64": b64(&content(&name)) }] });
                        let Ok(mut r) = agent()
                            .post(&format!("{base}/api/conversations/{conversation}/tool-results"))
                            .header("Authorization", &format!("Bearer {token}"))
                            .send_json(body)
                        else {
                            return;
                        };
                        let Ok(answer) = r.body_mut().read_json::<Value>() else { return };
                        if r.status() == 201 {
                            let id = answer["artifacts"][0]["id"].as_str().unwrap().to_string();
                            acked.lock().unwrap().push((id, name));
                        }
                    }
                })
            })
            .collect();
        // Kill at a different moment each round, while writes are in flight.
        std::thread::sleep(Duration::from_millis(300 + u64::from(round * 137 % 700)));
        server.kill();
        for w in writers {
            w.join().unwrap();
        }
    }
    let server = Server::start(&data, &[]);
    let acked = acked.lock().unwrap().clone();
    check(&data, &server.base, &token, &acked);
    assert!(acked.len() as u32 >= rounds, "every round acknowledged something ({} in all)", acked.len());
    eprintln!("{rounds} kills, {} acknowledged artifacts, every one listed and intact", acked.len());
    server.kill();
}
