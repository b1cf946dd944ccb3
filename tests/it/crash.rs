//! SIGKILL in the middle of ingestion, again and again: after every restart
//! each artifact that was acknowledged (201) is listed and intact, whatever
//! is listed is whole, and no temp file or orphan data file is left. Two of
//! the writers write new versions of one name, across every round: every
//! acknowledged version keeps its number and bytes, and the numbers run
//! 1, 2, 3… without gaps or duplicates.
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
pub(crate) fn content(name: &str) -> Vec<u8> {
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

/// The name that two writers write new versions of in every round.
pub(crate) const SHARED: &str = "shared.bin";

/// An acknowledged version: artifact id, number, SHA-256 of its bytes.
pub(crate) type Version = (String, u64, String);

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

fn get_bytes(base: &str, token: &str, url: &str) -> Vec<u8> {
    let mut r =
        agent().get(&format!("{base}{url}")).header("Authorization", &format!("Bearer {token}")).call().unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap()
}

fn check(data: &Path, base: &str, token: &str, acked: &[(String, String)], acked_versions: &[Version]) {
    check_listing(base, token, acked, acked_versions);
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

/// Every acknowledged artifact and version is listed, and every listed
/// one is whole: its versions numbered 1, 2, 3…, each with its bytes.
pub(crate) fn check_listing(base: &str, token: &str, acked: &[(String, String)], acked_versions: &[Version]) {
    let listed = listed(base, token);
    let ids: std::collections::HashSet<&str> = listed.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids.len(), listed.len(), "nothing is listed twice");
    for (id, name) in acked {
        assert!(ids.contains(id.as_str()), "acknowledged {name} ({id}) is missing after a restart");
    }
    let mut versions: Vec<Version> = vec![];
    for (id, name, url) in &listed {
        let items = get_json(base, token, &format!("{url}/versions"))["items"].as_array().unwrap().clone();
        let numbers: Vec<u64> = items.iter().map(|v| v["version"].as_u64().unwrap()).collect();
        assert_eq!(
            numbers,
            (1..=items.len() as u64).rev().collect::<Vec<_>>(),
            "{name}: numbers without gaps or duplicates"
        );
        for v in &items {
            let body = get_bytes(base, token, v["url"].as_str().unwrap());
            let sha = v["sha256"].as_str().unwrap().to_string();
            assert_eq!(format!("{:x}", Sha256::digest(&body)), sha, "{name} v{} is not intact", v["version"]);
            assert!(name == SHARED || body == content(name), "{name} is not intact");
            versions.push((id.clone(), v["version"].as_u64().unwrap(), sha));
        }
        let latest = get_bytes(base, token, url);
        assert_eq!(
            format!("{:x}", Sha256::digest(&latest)),
            items[0]["sha256"].as_str().unwrap(),
            "{name}: the latest"
        );
    }
    for version in acked_versions {
        assert!(versions.contains(version), "acknowledged version {version:?} is missing after a restart");
    }
}

#[test]
fn sigkill_during_ingestion_loses_nothing_acknowledged() {
    let rounds: u32 = std::env::var("VITRINE_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let token = add_user(&data, "crash");
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let acked_versions: Arc<Mutex<Vec<Version>>> = Arc::default();

    let mut versions_in: Option<String> = None;
    for round in 0..rounds {
        let server = Server::start(&data, &[]);
        check(&data, &server.base, &token, &acked.lock().unwrap(), &acked_versions.lock().unwrap());
        let mut r = agent()
            .post(&format!("{}/api/conversations", server.base))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(json!({ "title": format!("round {round}") }))
            .unwrap();
        let conversation = r.body_mut().read_json::<Value>().unwrap()["id"].as_str().unwrap().to_string();
        // Versions accumulate in the first round's conversation.
        let shared_in = versions_in.get_or_insert_with(|| conversation.clone()).clone();
        let writers: Vec<_> = (0..6)
            .map(|writer| {
                let (base, token, acked, acked_versions) =
                    (server.base.clone(), token.clone(), acked.clone(), acked_versions.clone());
                let versioner = writer >= 4;
                let conversation = if versioner { shared_in.clone() } else { conversation.clone() };
                std::thread::spawn(move || {
                    for n in 0.. {
                        // 1 KB to 6 MB: small ones finish between the big ones' writes.
                        let size = if n % 3 == 0 { 1024 } else { 1 << (20 + (writer + n) % 3) } + n * 7;
                        let name = format!("r{round}-w{writer}-n{n}-s{size}.bin");
                        // Versions' bytes differ (each is a new version), up to 256 KB.
                        let bytes = content(&if versioner { format!("r{round}-w{writer}-n{n}-s{}.bin", size % (256 << 10)) } else { name.clone() });
                        let stored_name = if versioner { SHARED } else { &name };
                        let body = json!({ "tool": "crash", "artifacts": [{ "name": stored_name, "content_base64": b64(&bytes) }] });
                        let Ok(mut r) = agent()
                            .post(&format!("{base}/api/conversations/{conversation}/tool-results"))
                            .header("Authorization", &format!("Bearer {token}"))
                            .send_json(body)
                        else {
                            return;
                        };
                        let Ok(answer) = r.body_mut().read_json::<Value>() else { return };
                        if r.status() == 201 {
                            let made = &answer["artifacts"][0];
                            let id = made["id"].as_str().unwrap().to_string();
                            if versioner {
                                let version = (id, made["version"].as_u64().unwrap(), format!("{:x}", Sha256::digest(&bytes)));
                                acked_versions.lock().unwrap().push(version);
                            } else {
                                acked.lock().unwrap().push((id, name));
                            }
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
    let (acked, acked_versions) = (acked.lock().unwrap().clone(), acked_versions.lock().unwrap().clone());
    check(&data, &server.base, &token, &acked, &acked_versions);
    assert!(acked.len() as u32 >= rounds, "every round acknowledged something ({} in all)", acked.len());
    assert!(
        acked_versions.len() as u32 >= rounds,
        "every round acknowledged a version ({} in all)",
        acked_versions.len()
    );
    eprintln!(
        "{rounds} kills, {} acknowledged artifacts and {} acknowledged versions of {SHARED}, every one listed and intact",
        acked.len(),
        acked_versions.len()
    );
    server.kill();
}
