//! Two real instances on one bucket and one database (remote only;
//! docs/scaling.md, "Tests"): what one writes, the other lists, counts,
//! searches, previews and serves at once (its own memory knows none of it),
//! deletes and new versions included, and streams as events; share links,
//! content-origin URLs and credentials made or revoked on one hold on the
//! other; writers through both number every version once, and a SIGKILL of
//! one mid-ingest loses nothing acknowledged. The instances are reached
//! directly; nginx in front of them too where it is installed.

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

/// Status and body of `GET target` at `base` with this `Host`, sent as
/// written (the content origin is told apart by it).
fn get_with_host(base: &str, host: &str, target: &str) -> (u16, Vec<u8>) {
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    // HTTP/1.0: the body is all that follows the head, never chunked.
    write!(stream, "GET {target} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let end = reply.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let head = String::from_utf8_lossy(&reply[..end]);
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, reply[end + 4..].to_vec())
}

/// Status, `Content-Disposition` and body of a GET.
fn fetch(url: &str, auth: &Auth) -> (u16, String, Vec<u8>) {
    let mut r = client().get(url).header(auth.0, &auth.1).call().unwrap();
    let disposition = r.headers().get("content-disposition").map_or("", |v| v.to_str().unwrap()).to_string();
    (r.status().as_u16(), disposition, r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
}

/// The body of a GET answered 200, as text.
fn text(url: &str, auth: &Auth) -> String {
    let (status, _, body) = fetch(url, auth);
    assert_eq!(status, 200, "{url}");
    String::from_utf8(body).unwrap()
}

/// Reached on b directly and, where nginx runs, through it (either instance).
fn readers(cluster: &mut Cluster) -> Vec<String> {
    let mut readers = vec![cluster.base(1)];
    readers.extend(cluster.front());
    readers
}

/// A tool result of `files` at `base`: the stored records by name.
fn store(base: &str, auth: &Auth, c: &str, files: &[(&str, &[u8])]) -> HashMap<String, Value> {
    let artifacts: Vec<Value> =
        files.iter().map(|(name, bytes)| json!({ "name": name, "content_base64": b64(bytes) })).collect();
    let body = json!({ "tool": "cluster", "content": "done", "artifacts": artifacts });
    let (status, made) = post(&format!("{base}/api/conversations/{c}/tool-results"), auth, &body);
    assert_eq!(status, 201, "{made}");
    let records = made["artifacts"].as_array().unwrap().iter();
    records.map(|r| (r["name"].as_str().unwrap().to_string(), r.clone())).collect()
}

/// The names of a listing's items.
fn names(listed: &Value) -> Vec<&str> {
    listed["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect()
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
    assert!((300..400).contains(&get_with_host(&front, "127.0.0.1", "/").0), "the app sends to sign in");
    let content = get_with_host(&front, "usercontent.localhost", "/").0;
    assert_eq!(content, 404, "the content origin has nothing at /");
}

#[test]
fn writers_through_both_instances_number_every_version_once() {
    if common::remote_only() {
        return;
    }
    const WRITERS: usize = 4;
    const EACH: usize = 6;
    let mut cluster = Cluster::started();
    let alice = bearer(&cluster.user("alice"));
    let c = conversation(&cluster.base(1), &alice);
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
    let mut cluster = Cluster::started();
    let token = cluster.user("crash");
    let auth = bearer(&token);
    let c = conversation(&cluster.base(1), &auth);
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

const CHART: &[u8] = b"\x89PNG\r\n\x1a\n chart";
const REPORT: &[u8] = b"<!doctype html><h1>Made on a</h1>";
const NOTES: &[u8] = b"notes made on a";

/// What a stores, b (and nginx) lists, counts, finds, previews and serves
/// at once by every URL: b started before, so it has it from the rows
/// alone. A share link and a content-origin URL made on one open on the
/// other.
#[test]
fn what_one_instance_stores_the_other_lists_previews_and_serves_at_once() {
    if common::remote_only() {
        return;
    }
    let mut cluster = Cluster::started();
    let alice = bearer(&cluster.user("alice"));
    let a = cluster.base(0);
    let c = conversation(&a, &alice);
    let skill = crate::threads::skill_archive();
    let files: [(&str, &[u8]); 5] = [
        ("chart.png", CHART),
        ("report.html", REPORT),
        ("script.py", b"print('made on a')\n"),
        ("notes.txt", NOTES),
        ("my-skill.skill", &skill),
    ];
    let made = store(&a, &alice, &c, &files);
    let id = |name: &str| made[name]["id"].as_str().unwrap().to_string();
    let session = sign_in(&a);

    for base in readers(&mut cluster) {
        let (_, conversations) = get(&format!("{base}/api/conversations"), &alice);
        assert!(conversations.as_array().unwrap().iter().any(|x| x["id"] == c.as_str()), "{conversations}");
        let (_, listed) = get(&format!("{base}/api/conversations/{c}/artifacts"), &alice);
        assert_eq!(listed["total"], 5, "{base}: {listed}");
        assert_eq!(listed["counts"], json!({ "all": 5, "images": 1, "html": 1, "code": 1, "files": 2 }));
        assert_eq!(names(&get(&format!("{base}/api/artifacts?q=SCRIPT"), &alice).1), ["script.py"]);
        assert_eq!(names(&get(&format!("{base}/api/artifacts?type=images"), &alice).1), ["chart.png"]);

        let outputs = format!("{base}/api/threads/{c}/artifacts/mnt/user-data/outputs");
        for (name, bytes) in &files {
            let url = format!("{base}/api/conversations/{c}/artifacts/{}", id(name));
            let (status, _, body) = fetch(&url, &alice);
            assert_eq!((status, body.as_slice()), (200, *bytes), "{url}");
            let (status, disposition, body) = fetch(&format!("{url}?download=true"), &alice);
            assert_eq!((status, body.as_slice()), (200, *bytes), "{url}?download=true");
            assert!(disposition.starts_with("attachment"), "{url}: {disposition}");
            let (status, _, body) = fetch(&format!("{outputs}/{name}"), &alice);
            assert_eq!((status, body.as_slice()), (200, *bytes), "{outputs}/{name}");
        }
        assert_eq!(text(&format!("{outputs}/my-skill.skill/SKILL.md"), &alice), "# My skill\n");

        let (status, _, zip) = fetch(&format!("{base}/api/conversations/{c}/artifacts.zip"), &alice);
        assert_eq!(status, 200);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let entries: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
        assert_eq!(entries.len(), files.len(), "{entries:?}");
        for (name, bytes) in &files {
            let entry = entries.iter().find(|n| n.ends_with(name)).expect(name);
            let mut body = Vec::new();
            zip.by_name(entry).unwrap().read_to_end(&mut body).unwrap();
            assert_eq!(body, *bytes, "{entry}");
        }

        let page = text(&format!("{base}/artifacts/{c}/{}", id("notes.txt")), &session);
        assert!(page.contains("notes.txt") && page.contains("notes made on a"), "{base}: {page}");
    }

    // The report's preview on a frames its content-origin URL; b opens it.
    let page = text(&format!("{a}/artifacts/{c}/{}", id("report.html")), &session);
    let start = page.find("http://usercontent.localhost:").expect("a content-origin URL");
    let url = url::Url::parse(&page[start..start + page[start..].find('"').unwrap()]).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    for base in readers(&mut cluster) {
        assert_eq!(get_with_host(&base, &host, url.path()), (200, REPORT.to_vec()), "{url} at {base}");
    }

    // A share link made on b opens on a.
    let body = json!({ "artifact_id": id("notes.txt"), "expires_in_seconds": 3600 });
    let (status, share) = post(&format!("{}/api/shares", cluster.base(1)), &alice, &body);
    assert_eq!(status, 201, "{share}");
    let share = share["url"].as_str().unwrap();
    let nobody: Auth = ("Accept", "*/*".into());
    assert_eq!(fetch(&format!("{a}{share}/download"), &nobody).2, NOTES);
    assert!(text(&format!("{a}{share}"), &nobody).contains("notes made on a"), "the shared page on a");
}

/// A conversation made on a takes b's tool results; what a then writes —
/// a new version, a deletion — is what b serves next (its cached bytes
/// forgotten), lists and counts, and b's event streams (and nginx's) carry
/// every write of both, once each, in order.
#[test]
fn new_versions_and_deletions_on_one_are_what_the_other_serves_and_streams() {
    if common::remote_only() {
        return;
    }
    let mut cluster = Cluster::started();
    let token = cluster.user("alice");
    let alice = bearer(&token);
    let (a, b) = (cluster.base(0), cluster.base(1));
    let mut streams = Vec::new();
    for base in readers(&mut cluster) {
        let mut stream = crate::events::Stream::open(&base, &token, "", None);
        stream.position();
        streams.push(stream);
    }

    let c = conversation(&a, &alice);
    let kept = store(&b, &alice, &c, &[("kept.txt", b"made on b")]).remove("kept.txt").unwrap();
    let v1 = store(&a, &alice, &c, &[("notes.txt", b"version 1")]).remove("notes.txt").unwrap();
    let url = format!("{b}/api/conversations/{c}/artifacts/{}", v1["id"].as_str().unwrap());
    let at_path = format!("{b}/api/threads/{c}/artifacts/mnt/user-data/outputs/notes.txt");
    assert_eq!(text(&url, &alice), "version 1", "b reads (and caches) it");
    assert_eq!(text(&at_path, &alice), "version 1");

    let v2 = store(&a, &alice, &c, &[("notes.txt", b"version 2")]).remove("notes.txt").unwrap();
    assert_eq!((&v2["id"], &v2["version"]), (&v1["id"], &json!(2)));
    assert_eq!(text(&url, &alice), "version 2", "the new version, on b");
    assert_eq!(text(&at_path, &alice), "version 2");
    assert_eq!(text(&format!("{url}/versions/1"), &alice), "version 1");

    assert_eq!(delete(&format!("{a}/api/conversations/{c}/artifacts/{}", v1["id"].as_str().unwrap()), &alice), 204);
    for gone in [url.clone(), format!("{url}/versions/1"), format!("{url}/versions/2"), at_path] {
        assert_eq!(fetch(&gone, &alice).0, 404, "{gone}, deleted on a, on b");
    }
    let (_, listed) = get(&format!("{b}/api/conversations/{c}/artifacts"), &alice);
    assert_eq!(
        (names(&listed), &listed["counts"]["all"], &listed["counts"]["files"]),
        (vec!["kept.txt"], &json!(1), &json!(1))
    );
    let (_, all) = get(&format!("{b}/api/artifacts"), &alice);
    assert_eq!((&all["total"], &all["counts"]["all"]), (&json!(1), &json!(1)));

    let expected = [
        "conversation.created",
        "artifact.created",
        "message.created",
        "artifact.created",
        "message.created",
        "artifact.version",
        "message.created",
        "artifact.deleted",
    ];
    for stream in &mut streams {
        let events: Vec<_> = (0..expected.len()).map(|_| stream.event()).collect();
        let seen: Vec<_> = events.iter().map(|e| e.event.as_deref().unwrap()).collect();
        assert_eq!(seen, expected);
        assert!(events.windows(2).all(|w| w[0].id < w[1].id), "ids increase: {events:?}");
        assert_eq!(events[0].json()["id"], c.as_str());
        assert_eq!((events[1].json(), events[3].json()), (kept.clone(), v1.clone()));
        assert_eq!((&events[5].json()["id"], &events[5].json()["version"]), (&v1["id"], &json!(2)));
        assert_eq!(events[7].json(), json!({ "id": v1["id"], "conversation_id": c }));
    }
}

/// b keeps the listing pages it reads (PostgreSQL mode); a kept page is
/// given again only while the user wrote nothing through either instance:
/// after a's new artifact, new version or deletion, b's next listing of
/// every kind (gallery, conversation, search in name order, a short page)
/// has it, and asked again gives the same.
#[test]
fn pages_kept_by_one_instance_are_never_older_than_the_others_writes() {
    if common::remote_only() {
        return;
    }
    let cluster = Cluster::started();
    let token = cluster.user("alice");
    let alice = bearer(&token);
    let (a, b) = (cluster.base(0), cluster.base(1));
    let c = conversation(&a, &alice);
    // Names newest first, as a's writes made them.
    let mut newest: Vec<String> = Vec::new();
    let check = |newest: &[String], versions: &[(&str, u64)]| {
        let mut by_name = newest.to_vec();
        by_name.sort();
        let listings = [
            (format!("{b}/api/artifacts"), newest.to_vec()),
            (format!("{b}/api/conversations/{c}/artifacts"), newest.to_vec()),
            (format!("{b}/api/artifacts?q=note&sort=name"), by_name),
            (format!("{b}/api/artifacts?size=2"), newest.iter().take(2).cloned().collect()),
        ];
        for (url, expected) in listings {
            let (status, first) = get(&url, &alice);
            assert_eq!((status, names(&first)), (200, expected.iter().map(String::as_str).collect()), "{url}");
            for (name, n) in versions {
                let item = first["items"].as_array().unwrap().iter().find(|i| i["name"] == *name);
                assert!(item.is_none_or(|i| i["versions"] == *n), "{url}: {name} has {n} versions: {first}");
            }
            assert_eq!(get(&url, &alice), (200, first), "{url}, asked again");
        }
    };
    check(&newest, &[]);
    for i in 0..4 {
        let name = format!("note-{i}.txt");
        store(&a, &alice, &c, &[(name.as_str(), name.as_bytes())]);
        newest.insert(0, name);
        check(&newest, &[]);
    }
    store(&a, &alice, &c, &[("note-0.txt", b"version 2")]);
    newest.retain(|n| n != "note-0.txt");
    newest.insert(0, "note-0.txt".into());
    check(&newest, &[("note-0.txt", 2)]);
    let (_, listed) = get(&format!("{a}/api/conversations/{c}/artifacts"), &alice);
    let gone = listed["items"].as_array().unwrap().iter().find(|i| i["name"] == "note-1.txt").unwrap()["url"].clone();
    assert_eq!(delete(&format!("{a}{}", gone.as_str().unwrap()), &alice), 204);
    newest.retain(|n| n != "note-1.txt");
    check(&newest, &[("note-0.txt", 2)]);
}
