//! Two real instances on one bucket and one database (remote runs only;
//! docs/scaling.md, "Tests"): credentials made or revoked on one hold on
//! the other, writers through both number every version once, and a
//! SIGKILL of one mid-ingest loses nothing acknowledged. The instances are
//! reached directly; nginx in front of them too where it is installed.

use crate::common::cluster::Cluster;
use crate::common::{self, b64};
use crate::crash::{check_listing, content, Version, SHARED};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A header that authenticates: a bearer token or a session cookie.
pub(crate) type Auth = (&'static str, String);

pub(crate) fn bearer(token: &str) -> Auth {
    ("Authorization", format!("Bearer {token}"))
}

/// Answers as they are: no redirect followed, 4xx and 5xx not errors.
fn client() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

type Sent = Result<ureq::http::Response<ureq::Body>, ureq::Error>;

/// Status and JSON (`Null` if the body is not JSON); `None` if the
/// connection failed.
fn try_answer(r: Sent) -> Option<(u16, Value)> {
    let mut r = r.ok()?;
    let body = r.body_mut().with_config().limit(64 << 20).read_to_string().ok()?;
    Some((r.status().as_u16(), serde_json::from_str(&body).unwrap_or(Value::Null)))
}

fn answer(r: Sent) -> (u16, Value) {
    try_answer(r).expect("an answer")
}

pub(crate) fn get(url: &str, auth: &Auth) -> (u16, Value) {
    answer(client().get(url).header(auth.0, &auth.1).call())
}

fn post(url: &str, auth: &Auth, body: &Value) -> (u16, Value) {
    answer(client().post(url).header(auth.0, &auth.1).send_json(body))
}

fn delete(url: &str, auth: &Auth) -> u16 {
    answer(client().delete(url).header(auth.0, &auth.1).call()).0
}

/// Signs alice in at `base`; her session cookie.
fn sign_in(base: &str) -> Auth {
    let r = client().post(&format!("{base}/login")).send_form([("name", "alice"), ("password", "secret-password")]);
    let r = r.unwrap();
    assert_eq!(r.status(), 303, "sign-in at {base}");
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    ("Cookie", cookie.split(';').next().unwrap().to_string())
}

/// Whether `base` refuses `auth` (401) within 30 s: another instance's
/// revocation reaches it through PostgreSQL, not at once.
fn refused_soon(base: &str, auth: &Auth) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if get(&format!("{base}/api/me"), auth).0 == 401 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

pub(crate) fn conversation(base: &str, auth: &Auth) -> String {
    let (status, made) = post(&format!("{base}/api/conversations"), auth, &json!({ "title": "Cluster" }));
    assert_eq!(status, 201, "{made}");
    made["id"].as_str().unwrap().to_string()
}

/// A tool result of one file at `base`; `None` if no answer came.
pub(crate) fn tool_result(
    base: &str,
    auth: &Auth,
    conversation: &str,
    name: &str,
    bytes: &[u8],
) -> Option<(u16, Value)> {
    let body =
        json!({ "tool": "cluster", "content": "done", "artifacts": [{ "name": name, "content_base64": b64(bytes) }] });
    let url = format!("{base}/api/conversations/{conversation}/tool-results");
    try_answer(client().post(&url).header(auth.0, &auth.1).send_json(&body))
}

/// The status line of `GET /` at `base` with this `Host`, sent as written.
fn status_line_with_host(base: &str, host: &str) -> String {
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply.lines().next().unwrap_or_default().to_string()
}

#[test]
fn sessions_and_tokens_hold_on_both_instances() {
    if common::remote_only() {
        return;
    }
    let mut cluster = Cluster::started();
    let alice = bearer(&cluster.user("alice"));
    let (a, b) = (cluster.base(0), cluster.base(1));
    let me = |base: &str, auth: &Auth| get(&format!("{base}/api/me"), auth).0;

    let session = sign_in(&a);
    assert_eq!(me(&b, &session), 200, "a session made on a, on b");
    let (status, made) = post(&format!("{a}/api/tokens"), &alice, &json!({ "name": "made on a" }));
    assert_eq!(status, 201, "{made}");
    let token = bearer(made["token"].as_str().unwrap());
    assert_eq!(me(&b, &token), 200, "a token made on a, on b");

    // Revoked on b once a has used (and cached) them: a refuses them.
    assert_eq!(me(&a, &token), 200);
    assert_eq!(delete(&format!("{b}/api/tokens/{}", made["id"].as_str().unwrap()), &alice), 204);
    assert!(refused_soon(&a, &token), "a token revoked on b, on a");
    assert_eq!(me(&a, &session), 200);
    let signed_out = client().post(&format!("{b}/logout")).header(session.0, &session.1).send_empty();
    assert_eq!(answer(signed_out).0, 303);
    assert!(refused_soon(&a, &session), "a session signed out on b, on a");

    // Through nginx, every answer comes from either instance (round-robin),
    // and the content origin's host name reaches them as it was sent.
    let Some(front) = cluster.front() else { return };
    let session = sign_in(&front);
    for _ in 0..6 {
        assert_eq!(me(&front, &session), 200, "a session made through nginx");
    }
    assert!(status_line_with_host(&front, "127.0.0.1").starts_with("HTTP/1.1 3"), "the app sends to sign in");
    let content = status_line_with_host(&front, "usercontent.localhost");
    assert!(content.starts_with("HTTP/1.1 404"), "the content origin has nothing at /: {content}");
}

#[test]
fn writers_through_both_instances_number_every_version_once() {
    if common::remote_only() {
        return;
    }
    const WRITERS: usize = 4;
    const EACH: usize = 6;
    let mut cluster = Cluster::new();
    let alice = bearer(&cluster.user("alice"));
    cluster.start(0);
    let c = conversation(&cluster.base(0), &alice);
    cluster.start(1);
    let bases = [cluster.base(0), cluster.base(1)];

    // Each message: a new version of report.txt and a file of its own.
    let answers: Vec<(Vec<u8>, Value)> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (base, alice, c) = (&bases[w % 2], &alice, &c);
                s.spawn(move || {
                    (0..EACH)
                        .map(|n| {
                            let bytes = format!("writer {w}, message {n}").into_bytes();
                            let body = json!({ "tool": "cluster", "content": "done", "artifacts": [
                                { "name": "report.txt", "content_base64": b64(&bytes) },
                                { "name": format!("w{w}-{n}.txt"), "content_base64": b64(b"own") },
                            ] });
                            let (status, made) =
                                post(&format!("{base}/api/conversations/{c}/tool-results"), alice, &body);
                            assert_eq!(status, 201, "{made}");
                            (bytes, made)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });

    let report: HashMap<u64, (String, &[u8])> = answers
        .iter()
        .map(|(bytes, made)| {
            let r = &made["artifacts"][0];
            (r["version"].as_u64().unwrap(), (r["id"].as_str().unwrap().to_string(), bytes.as_slice()))
        })
        .collect();
    let total = (WRITERS * EACH) as u64;
    assert_eq!(report.len() as u64, total, "no version number given twice");
    assert!((1..=total).all(|v| report.contains_key(&v)), "numbers 1 to {total}: {:?}", report.keys());
    let id = &report[&1].0;
    assert!(report.values().all(|(other, _)| other == id), "one artifact, whichever instance stored it");
    for base in &bases {
        let (_, thread) = get(&format!("{base}/api/conversations/{c}"), &alice);
        assert_eq!(thread["messages"].as_array().unwrap().len() as u64, total, "messages, on {base}");
    }

    // Started again, an instance knows every version (from the rows).
    cluster.kill(0);
    cluster.start(0);
    let a = cluster.base(0);
    let (_, versions) = get(&format!("{a}/api/conversations/{c}/artifacts/{id}/versions"), &alice);
    let versions = versions["items"].as_array().unwrap();
    assert_eq!(versions.len() as u64, total);
    for v in versions {
        let bytes = report[&v["version"].as_u64().unwrap()].1;
        assert_eq!(v["sha256"].as_str().unwrap(), format!("{:x}", Sha256::digest(bytes)), "{v}");
    }
    let (_, listed) = get(&format!("{a}/api/conversations/{c}/artifacts?size=100"), &alice);
    assert_eq!(listed["total"].as_u64(), Some(1 + total), "report.txt and one file per message");
}

/// Instance a, then b, then a is killed while writers write through both
/// (new files, and new versions of one); each comes back on its port. Then
/// every acknowledged artifact and version is listed and whole on both,
/// and every message of the transcript has its file: no message or version
/// committed without the other.
#[test]
fn sigkill_of_one_instance_mid_ingest_loses_nothing_acknowledged() {
    if common::remote_only() {
        return;
    }
    let mut cluster = Cluster::new();
    let token = cluster.user("crash");
    let auth = bearer(&token);
    cluster.start(0);
    let c = conversation(&cluster.base(0), &auth);
    cluster.start(1);
    let acked: Mutex<Vec<(String, String)>> = Mutex::default();
    let acked_versions: Mutex<Vec<Version>> = Mutex::default();

    for round in 0..3 {
        let victim = round % 2;
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            for writer in 0..4 {
                let (base, auth, c, stop, acked, acked_versions) =
                    (cluster.base(writer % 2), &auth, &c, &stop, &acked, &acked_versions);
                s.spawn(move || {
                    let versioner = writer >= 2;
                    for n in 0.. {
                        let size = [1024, 256 << 10, 1 << 20][(writer + n) % 3] + n * 7;
                        let name = format!("r{round}-w{writer}-n{n}-s{size}.bin");
                        let bytes = content(&name);
                        let stored = if versioner { SHARED } else { &name };
                        // The killed instance's writers end at their first error.
                        let Some(r) = tool_result(&base, auth, c, stored, &bytes) else { return };
                        if r.0 == 201 {
                            let made = &r.1["artifacts"][0];
                            let id = made["id"].as_str().unwrap().to_string();
                            if versioner {
                                let sha = format!("{:x}", Sha256::digest(&bytes));
                                acked_versions.lock().unwrap().push((id, made["version"].as_u64().unwrap(), sha));
                            } else {
                                acked.lock().unwrap().push((id, name));
                            }
                        }
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                    }
                });
            }
            std::thread::sleep(Duration::from_millis(400 + 300 * round as u64));
            cluster.kill(victim);
            // The other instance goes on writing a moment longer.
            std::thread::sleep(Duration::from_millis(300));
            stop.store(true, Ordering::Relaxed);
        });
        cluster.start(victim);
    }

    // Both started again: each knows every row.
    for i in 0..2 {
        cluster.kill(i);
        cluster.start(i);
    }
    let (acked, acked_versions) = (acked.into_inner().unwrap(), acked_versions.into_inner().unwrap());
    assert!(acked.len() >= 3 && acked_versions.len() >= 3, "{} files, {} versions", acked.len(), acked_versions.len());
    eprintln!(
        "3 kills: {} acknowledged files and {} acknowledged versions of {SHARED}",
        acked.len(),
        acked_versions.len()
    );
    for i in 0..2 {
        let base = cluster.base(i);
        check_listing(&base, &token, &acked, &acked_versions);
        let (_, thread) = get(&format!("{base}/api/conversations/{c}"), &auth);
        for message in thread["messages"].as_array().unwrap() {
            assert_eq!(message["artifacts"].as_array().unwrap().len(), 1, "a message without its file: {message}");
        }
    }
}
