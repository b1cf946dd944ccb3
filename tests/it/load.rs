//! Bounded load on loopback: `wrk` (Debian's) in a second process drives
//! 200 connections for 15 s each against a listing, a raw download and a
//! `.skill` member. No errors, no non-2xx answers, and the server's resident
//! memory stays under a stated bound.
//!
//! Long: `make test-long` runs it (`cargo test --test it load:: -- --ignored`),
//! against the release binary when `VITRINE_BIN` names it.

use crate::common::b64;
use crate::common::process::{add_user, agent, Server};
use serde_json::{json, Value};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Resident memory the server may reach under this load.
const RSS_BOUND_BYTES: u64 = 256 << 20;

fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kb.unwrap_or(0) * 1024
}

fn skill() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..300 {
        zip.start_file(format!("docs/page-{i}.md"), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(format!("# Page {i}\n{}", "text ".repeat(200)).as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
#[ignore = "long: make test-long"]
fn hundreds_of_connections_get_no_errors_and_bounded_memory() {
    let data = tempfile::tempdir().unwrap();
    let token = add_user(data.path(), "load");
    let server = Server::start(data.path(), &[]);
    let auth = format!("Bearer {token}");
    let post = |path: &str, body: Value| -> Value {
        let mut r =
            agent().post(&format!("{}{path}", server.base)).header("Authorization", &auth).send_json(body).unwrap();
        assert!(r.status().is_success());
        r.body_mut().read_json().unwrap()
    };
    let conversation = post("/api/conversations", json!({ "title": "load" }))["id"].as_str().unwrap().to_string();
    for batch in 0..10 {
        let artifacts: Vec<Value> =
            (0..50).map(|i| json!({ "name": format!("f{batch}-{i}.py"), "text": "print(1)\n".repeat(50) })).collect();
        post(
            &format!("/api/conversations/{conversation}/tool-results"),
            json!({ "tool": "t", "artifacts": artifacts }),
        );
    }
    let stored = post(
        &format!("/api/conversations/{conversation}/tool-results"),
        json!({ "tool": "t", "artifacts": [{ "name": "chart.png", "content_base64": b64(&vec![0x89; 200_000]) }, { "name": "my.skill", "content_base64": b64(&skill()) }] }),
    );
    let raw = stored["artifacts"][0]["url"].as_str().unwrap().to_string();

    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let pid = server.pid();
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_bytes(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    for path in [
        "/api/artifacts?size=50&type=code&page=3".to_string(),
        raw,
        format!("/api/threads/{conversation}/artifacts/mnt/user-data/outputs/my.skill/docs/page-7.md"),
    ] {
        let out = Command::new("wrk")
            .args(["-t2", "-c200", "-d15s", "--timeout", "10s", "-H"])
            .arg(format!("Authorization: {auth}"))
            .arg(format!("{}{path}", server.base))
            .output()
            .expect("wrk (Debian's package; make test-long installs it)");
        let report = String::from_utf8_lossy(&out.stdout);
        eprintln!("{path}\n{report}");
        assert!(out.status.success(), "{report}");
        assert!(!report.contains("Non-2xx or 3xx responses"), "{path}: {report}");
        assert!(!report.contains("Socket errors"), "{path}: {report}");
        assert!(report.contains("requests in"), "{report}");
    }
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let peak = peak.load(Ordering::Relaxed);
    eprintln!("peak resident memory under load: {} MiB", peak >> 20);
    assert!(peak > 0 && peak < RSS_BOUND_BYTES, "peak RSS {} MiB over the bound", peak >> 20);
}
