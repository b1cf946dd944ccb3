//! Live events under many listeners: `CLIENTS` streams on `GET /api/events`,
//! each read by a thread of its own, while the harness ingests artifacts
//! one at a time; for each, the time from its `201` (and from its request
//! being sent) to its `artifact.created` at every client. And the server's
//! resident memory with the clients connected against before.

use crate::servers::{agent, Vitrine};
use crate::stats::Samples;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const CLIENTS: usize = 1000;
/// Ingestions per round: each waits until every client has its event.
pub const INGESTIONS: usize = 40;
const NAME: &str = "live-";

/// One round's figures.
pub struct Round {
    /// Seconds from the ingestion's `201` to the event, every client's
    /// every event; 0 when the event came first.
    pub after_ack: Samples,
    /// Seconds from sending the ingestion's request to the event.
    pub after_request: Samples,
    /// Resident bytes per connected client.
    pub bytes_per_client: f64,
    /// Seconds until every client had the stream's first frame.
    pub connecting: f64,
}

/// Counts shared by the clients: how many streams have begun, how many
/// events have arrived.
#[derive(Default)]
struct Progress {
    ready: AtomicUsize,
    received: AtomicUsize,
}

/// One listener: opens the stream, says when its first frame (the position)
/// is in, then records when each `live-{n}.txt` arrives, until the server
/// goes away.
fn listen(url: &str, auth: &str, progress: &Progress) -> Vec<(usize, Instant)> {
    let response = agent().get(url).header("Authorization", auth).call().expect("GET /api/events");
    assert_eq!(response.status(), 200, "{url}");
    let mut lines = BufReader::new(response.into_body().into_reader()).lines();
    let (mut arrivals, mut begun, mut kind) = (Vec::new(), false, String::new());
    while let Some(Ok(line)) = lines.next() {
        if line.is_empty() {
            if !begun {
                begun = true;
                progress.ready.fetch_add(1, Ordering::SeqCst);
            }
            kind.clear();
        } else if let Some(k) = line.strip_prefix("event:") {
            kind = k.trim().to_string();
        } else if let Some(data) = line.strip_prefix("data:").filter(|_| kind == "artifact.created") {
            let at = Instant::now();
            let record: serde_json::Value = serde_json::from_str(data).unwrap();
            let name = record["name"].as_str().unwrap();
            let n = name.strip_prefix(NAME).and_then(|n| n.strip_suffix(".txt")).unwrap().parse().unwrap();
            arrivals.push((n, at));
            progress.received.fetch_add(1, Ordering::SeqCst);
        }
    }
    arrivals
}

/// Waits until `count` reaches `goal`, for at most ten seconds.
fn wait_for(count: &AtomicUsize, goal: usize, what: &str) {
    let started = Instant::now();
    while count.load(Ordering::SeqCst) < goal {
        assert!(started.elapsed() < Duration::from_secs(10), "{what}: {} of {goal}", count.load(Ordering::SeqCst));
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The soft limit on this process's open files, from `/proc`.
fn open_file_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap_or("");
    line.split_whitespace().nth(3).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX)
}

/// One round on a server of its own over `data` (where `token` is a user).
pub fn round(bin: &Path, data: &Path, token: &str) -> Round {
    assert!(open_file_limit() > CLIENTS + 64, "{CLIENTS} clients need more open files: ulimit -n 4096");
    let auth = format!("Bearer {token}");
    let server = Vitrine::start(bin, data, &[("Authorization".into(), auth.clone())]);
    let conversation = crate::dataset::create_conversation(&server.base, token);
    let results = format!("{}/api/conversations/{conversation}/tool-results", server.base);
    let ingest = |name: &str| {
        let body = serde_json::json!({ "tool": "bench", "artifacts": [{ "name": name, "text": "x" }] });
        let sent = Instant::now();
        let mut response = agent().post(&results).header("Authorization", &auth).send_json(body).unwrap();
        let _ = response.body_mut().read_to_vec();
        assert_eq!(response.status(), 201, "{results}");
        (sent, Instant::now())
    };
    // Once before measuring: the first ingestion sets up what later ones reuse.
    ingest("warm-up.txt");
    let before = server.rss_mib();
    let progress = Arc::new(Progress::default());
    let url = format!("{}/api/events?conversation={conversation}", server.base);
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, auth, progress) = (url.clone(), auth.clone(), progress.clone());
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || listen(&url, &auth, &progress))
                .expect("a client thread")
        })
        .collect();
    wait_for(&progress.ready, CLIENTS, "streams begun");
    let connecting = started.elapsed().as_secs_f64();
    let mut acked = Vec::with_capacity(INGESTIONS);
    for n in 0..INGESTIONS {
        acked.push(ingest(&format!("{NAME}{n}.txt")));
        wait_for(&progress.received, (n + 1) * CLIENTS, "events received");
    }
    // After the events went out, so the buffers they took are counted.
    let bytes_per_client = (server.rss_mib() - before) * 1048576.0 / CLIENTS as f64;
    // The streams end with the server.
    drop(server);
    let (mut after_ack, mut after_request) = (Samples::default(), Samples::default());
    for client in clients {
        let arrivals = client.join().unwrap();
        assert_eq!(arrivals.len(), INGESTIONS, "each event exactly once");
        for (n, at) in arrivals {
            let (sent, ack) = acked[n];
            after_ack.push(at.saturating_duration_since(ack).as_secs_f64());
            after_request.push(at.duration_since(sent).as_secs_f64());
        }
    }
    Round { after_ack, after_request, bytes_per_client, connecting }
}
