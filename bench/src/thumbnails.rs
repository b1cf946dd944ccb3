//! Card thumbnails: each kind of file the server makes a card face for
//! (cardfiles.rs), uploaded as a new version every round, then its card's
//! thumbnail asked for once (first render: a version never asked for, so
//! nothing is cached), then again and again, without and with
//! `If-None-Match`. One request at a time, on a server of its own.

use crate::cardfiles::{self, CardFile};
use crate::report::{thousands, Report, Unit};
use crate::servers::{self, Vitrine};
use crate::stats::Samples;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

/// Cached requests a round, of each sort; the round's figure is their median.
const REPEATS: usize = 20;

pub struct Figures {
    file: CardFile,
    /// The face's variant, as the server caches it (`Picture`, `Table`, …).
    face: String,
    first: Samples,
    /// The server's and its child's CPU time over each first render.
    first_cpu: Samples,
    cached: Samples,
    /// With the picture's ETag: `304`. Only pictures have one.
    revalidated: Samples,
    /// The picture served (WebP), for pictures.
    picture_bytes: Option<usize>,
    /// The face as the server caches it (JSON), what a gallery page reads.
    face_bytes: usize,
}

struct Answer {
    secs: f64,
    status: u16,
    body: Vec<u8>,
    etag: Option<String>,
}

fn get(agent: &ureq::Agent, url: &str, auth: &str, etag: Option<&str>) -> Answer {
    let mut req = agent.get(url).header("Authorization", auth);
    if let Some(etag) = etag {
        req = req.header("If-None-Match", etag);
    }
    let started = Instant::now();
    let mut res = req.call().unwrap();
    let body = res.body_mut().read_to_vec().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let etag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
    Answer { secs, status: res.status().as_u16(), body, etag }
}

/// The face file the server cached since the last call: each version's
/// is new, named by the version's id (which the API does not show).
fn new_face(folder: &Path, seen: &mut HashSet<std::ffi::OsString>) -> Vec<u8> {
    let entries = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path());
    let mut new =
        entries.filter(|p| p.extension().is_some_and(|e| e == "json") && seen.insert(p.file_name().unwrap().into()));
    let face = new.next().expect("a face cached by the first request");
    assert!(new.next().is_none(), "one new face a request");
    std::fs::read(face).unwrap()
}

/// Every kind's figures, and the server's resident memory at the end and
/// at its peak, in MiB: a child's start costs the server more the more
/// memory it has (NOTES.md).
pub struct Thumbnails {
    figures: Vec<Figures>,
    resident: f64,
    peak: f64,
    /// The machine's load average (one minute) at the start and the end:
    /// other work on it lengthens the wall times, not the CPU times.
    load: [String; 2],
}

fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().next().unwrap_or("?").to_string()
}

pub fn measure(bin: &Path, dir: &Path, seed: u64, rounds: u32) -> Thumbnails {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let load = load_average();
    let token = crate::dataset::add_user(bin, dir, "thumbnails");
    let auth = format!("Bearer {token}");
    let server = Vitrine::start(bin, dir, &[("Authorization".into(), auth.clone())]);
    let conversation = crate::dataset::create_conversation(&server.base, &token);
    let agent = servers::agent();
    let faces = dir.join("cache/cards");
    let mut seen = HashSet::new();
    eprintln!("card thumbnails: making the files");
    let mut figures: Vec<Figures> = cardfiles::all(seed)
        .into_iter()
        .map(|file| Figures {
            file,
            face: String::new(),
            first: Samples::default(),
            first_cpu: Samples::default(),
            cached: Samples::default(),
            revalidated: Samples::default(),
            picture_bytes: None,
            face_bytes: 0,
        })
        .collect();
    for round in 0..rounds {
        for f in &mut figures {
            let content = base64::engine::general_purpose::STANDARD.encode(f.file.version(round));
            let body =
                json!({ "tool": "python_exec", "artifacts": [{ "name": f.file.name, "content_base64": content }] });
            let mut res = agent
                .post(format!("{}/api/conversations/{conversation}/tool-results", server.base))
                .header("Authorization", &auth)
                .send_json(&body)
                .unwrap();
            assert_eq!(res.status(), 201, "{}", f.file.name);
            let stored: Value = res.body_mut().read_json().unwrap();
            let artifact = &stored["artifacts"][0];
            assert_eq!(artifact["version"], round + 1, "{}: a new version each round", f.file.name);
            let url = format!(
                "{}/api/conversations/{conversation}/artifacts/{}/thumbnail",
                server.base,
                artifact["id"].as_str().unwrap()
            );
            let cpu = crate::cpu::with_children(server.pid());
            let first = get(&agent, &url, &auth, None);
            f.first_cpu.push(crate::cpu::with_children(server.pid()) - cpu);
            let face = new_face(&faces, &mut seen);
            let face_json: Value = serde_json::from_slice(&face).unwrap();
            let variant = face_json.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default();
            // An icon is a failure to read the file: nothing worth a figure.
            assert_ne!(variant, "Icon", "{}: the card got its kind's icon", f.file.name);
            // The route answers pictures only; other faces are made (and
            // cached) by the same request, which then answers 404.
            let picture = variant == "Picture";
            assert_eq!(first.status, if picture { 200 } else { 404 }, "{}", f.file.name);
            if round == 0 {
                eprintln!("  {}: {}", f.file.name, String::from_utf8_lossy(&face));
            }
            f.first.push(first.secs);
            f.face = variant;
            f.face_bytes = face.len();
            let mut cached = Samples::default();
            for _ in 0..REPEATS {
                let again = get(&agent, &url, &auth, None);
                assert_eq!((again.status, again.body.len()), (first.status, first.body.len()), "{}", f.file.name);
                cached.push(again.secs);
            }
            f.cached.push(cached.median());
            if picture {
                f.picture_bytes = Some(first.body.len());
                let mut revalidated = Samples::default();
                for _ in 0..REPEATS {
                    let again = get(&agent, &url, &auth, first.etag.as_deref());
                    assert_eq!(again.status, 304, "{}", f.file.name);
                    revalidated.push(again.secs);
                }
                f.revalidated.push(revalidated.median());
            }
        }
        eprintln!("card thumbnails: round {} of {rounds}, server {:.0} MiB resident", round + 1, server.rss_mib());
    }
    let (resident, peak) = (server.rss_mib(), server.peak_rss_mib());
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
    Thumbnails { figures, resident, peak, load: [load, load_average()] }
}

/// A figure's median and its spread over the rounds.
fn cell(samples: &Samples) -> String {
    match samples.0.len() {
        0 => "–".into(),
        1 => Unit::Ms.show(samples.median() * 1e3),
        _ => format!(
            "{} ({} – {})",
            Unit::Ms.show(samples.median() * 1e3),
            Unit::Ms.show(samples.min() * 1e3),
            Unit::Ms.show(samples.max() * 1e3)
        ),
    }
}

pub fn report(report: &mut Report, run: &Thumbnails, rounds: u32) {
    let mut text = format!(
        "`GET /api/conversations/{{c}}/artifacts/{{a}}/thumbnail` with a bearer token, one request at a time on \
         loopback, on a server of its own. Each of {rounds} rounds uploads a new version of every file (its bytes \
         changed where the format allows it without changing what is drawn), so the first request finds nothing \
         cached: it reads the file, makes the face, caches it and answers. Then {REPEATS} requests of the cached \
         thumbnail, and for pictures {REPEATS} with the ETag in `If-None-Match` (`304`); a round's cached figure is \
         the median of its {REPEATS}. Median over the rounds, the lowest and highest round in brackets. Faces \
         other than pictures travel in the gallery page's data: the thumbnail URL makes and caches them like \
         any face, then answers `404` (so their cached figure is reading the cached face). Made in the child: \
         `vitrine thumbnail` is spawned for the face (its start is part of the first render), under the \
         conversion's memory and CPU limits. First render's CPU is the server's user and system time over the \
         request with its reaped child's, read from `/proc` in ticks of 10 ms, hence the mean over the rounds: \
         on a busy machine the steadier figure, as it leaves out the time spent waiting for a core. The \
         server's resident memory at the end: {resident:.0} MiB (peak {peak:.0} MiB). The machine's load \
         average at the start and the end: {start} and {end}.\n\n\
         | File | Size | Made in | Face | First render | First render, CPU (mean) | Cached | Cached, `304` | Picture (WebP) | Face (JSON) |\n\
         |---|---:|---|---|---:|---:|---:|---:|---:|---:|\n",
        resident = run.resident,
        peak = run.peak,
        start = run.load[0],
        end = run.load[1],
    );
    for f in &run.figures {
        text += &format!(
            "| {} | {} B | {} | {} | {} | {} | {} | {} | {} | {} B |\n",
            f.file.label,
            thousands(f.file.size() as f64),
            if f.file.child { "child" } else { "server" },
            f.face,
            cell(&f.first),
            Unit::Ms.show(f.first_cpu.0.iter().sum::<f64>() / f.first_cpu.0.len() as f64 * 1e3),
            cell(&f.cached),
            cell(&f.revalidated),
            f.picture_bytes.map_or("–".into(), |b| format!("{} B", thousands(b as f64))),
            thousands(f.face_bytes as f64),
        );
    }
    report.text("Card thumbnails", text);
}
