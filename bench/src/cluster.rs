//! `make bench-cluster` (`BENCH_ONLY=cluster`): Vitrine with its bytes in
//! SeaweedFS and its metadata in PostgreSQL (scripts/services.sh, a pair of
//! the harness's own, started fresh and stopped at the end). Listing at
//! `BENCH_CLUSTER_ROWS` artifacts whose rows are loaded with SQL, not
//! through the API; start-up and memory at that size; raw downloads against
//! SeaweedFS's own GET of the same objects through presigned URLs (wrk
//! cannot sign); ingestion through two instances against the bucket's own
//! PUT of objects of the same size, also presigned.

use crate::dataset::{self, Api};
use crate::report::{thousands, Target, Unit};
use crate::servers::Vitrine;
use crate::stats::{ratios, Samples};
use crate::wrk::{self, Body, Load, NUMBER};
use crate::Bench;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The name of the services' pair (its state in target/services-bench).
const PAIR: &str = "bench";
const PSQL: &str = "/usr/lib/postgresql/15/bin/psql";
/// Artifacts per conversation of the loaded rows, as in the local data sets.
const PER_CONVERSATION: u64 = dataset::PER_CONVERSATION;
const PAGE: u64 = 50;
/// Small files of the download runs, 1 to 16 KiB each.
const SMALL_FILES: u64 = 200;
const LARGE_BYTES: usize = 100_000_000;
/// Each ingested artifact's bytes, and each object the bucket's own PUT writes.
const INGEST_BYTES: usize = 4096;
/// Connections of the ingestion runs: half on each instance.
const WRITERS: u32 = 8;
/// Keys the bucket's own PUT run cycles through.
const PUT_KEYS: usize = 2000;
/// Connections of the `page=N` throughput runs.
const OFFSET_CONNECTIONS: u32 = 4;
/// How long a presigned URL holds: longer than any run.
const SIGNED_FOR: Duration = Duration::from_secs(3600);

/// scripts/services.sh's SeaweedFS and PostgreSQL, stopped (their data
/// removed) when dropped.
struct Services {
    script: PathBuf,
    env: Vec<(String, String)>,
}

impl Services {
    /// A fresh pair: what a run stopped half-way left is removed first.
    fn start(root: &Path) -> Services {
        let script = root.join("scripts/services.sh");
        let _ = Command::new(&script).args(["stop", PAIR]).status();
        let started = Command::new(&script).args(["start", PAIR]).status().expect("scripts/services.sh");
        assert!(started.success(), "scripts/services.sh start {PAIR}");
        let env = std::fs::read_to_string(root.join(format!("target/services-{PAIR}/env"))).unwrap();
        let env = env
            .lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Services { script, env }
    }

    fn var(&self, name: &str) -> &str {
        self.env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("{name} unset"))
    }

    /// An instance's variables: the whole bucket and the database.
    fn instance(&self, name: &str) -> Vec<(String, String)> {
        let mut env = self.env.clone();
        env.push(("VITRINE_STORE".into(), format!("s3://{}", self.var("VITRINE_S3_BUCKET"))));
        env.push(("VITRINE_INSTANCE".into(), name.into()));
        env
    }

    /// Runs `sql` with psql, in one transaction.
    fn sql(&self, sql: &str) {
        let out = Command::new(PSQL)
            .arg(self.var("VITRINE_DATABASE_URL"))
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
            .output()
            .expect("psql (make services installs PostgreSQL 15)");
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The endpoint, and the path and query of a presigned `action`.
    fn signed<'a>(&self, action: impl S3Action<'a>) -> String {
        let url = action.sign(SIGNED_FOR);
        format!("{}?{}", url.path(), url.query().unwrap())
    }

    fn bucket(&self) -> (Bucket, Credentials) {
        let endpoint = self.var("VITRINE_S3_ENDPOINT").parse().unwrap();
        let bucket = Bucket::new(
            endpoint,
            UrlStyle::Path,
            self.var("VITRINE_S3_BUCKET").to_string(),
            self.var("AWS_REGION").to_string(),
        )
        .unwrap();
        (bucket, Credentials::new(self.var("AWS_ACCESS_KEY_ID"), self.var("AWS_SECRET_ACCESS_KEY")))
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        let _ = Command::new(&self.script).args(["stop", PAIR]).status();
    }
}

/// `n` artifacts of the user `bench` in conversations of
/// [`PER_CONVERSATION`], one version each (whose id is the artifact's, as
/// for any first version), a second apart, kinds in turn; their rows
/// written as `meta/pg/catalog.rs` writes them (the tabs' counts per
/// conversation and per shard `u{conversation % 8}` of the owner's total),
/// with no objects behind them: a listing reads rows only.
fn rows_sql(n: u64) -> String {
    let time = r#"to_char(to_timestamp(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#;
    format!(
        "CREATE TEMP TABLE seed AS
         SELECT i, md5('a' || i)::uuid AS id, md5('c' || (i / {PER_CONVERSATION}))::uuid AS conversation,
                md5('m' || (i / {PER_CONVERSATION}))::uuid AS message, (i % 4)::smallint AS kind,
                200 + (i * 7919) % 60000 AS size, 1700000000 + i AS t,
                (ARRAY['chart', 'page', 'script', 'notes'])[i % 4 + 1] || '-' || i
                    || (ARRAY['.png', '.html', '.py', '.txt'])[i % 4 + 1] AS name,
                (ARRAY['image/png', 'text/html', 'text/x-python', 'text/plain'])[i % 4 + 1] AS mime
         FROM generate_series(0::bigint, {last}) i;
         INSERT INTO conversations (id, owner, title, created_at)
         SELECT DISTINCT ON (conversation) conversation, u.id, 'Session ' || (i / {PER_CONVERSATION}), {time}
         FROM seed s, users u WHERE u.name = 'bench' ORDER BY conversation, i;
         INSERT INTO artifacts (id, owner, conversation_id, path, latest, next_version, version_count, name, kind,
                                size, created_at, created_ns)
         SELECT s.id, u.id, conversation, 'mnt/user-data/outputs/' || s.name, s.id, 2, 1, s.name, kind, size, {time},
                t * 1000000000
         FROM seed s, users u WHERE u.name = 'bench';
         INSERT INTO versions (id, artifact_id, version, conversation_id, message_id, name, path, size, mime_type,
                               kind, tool, sha256, created_at, created_ns)
         SELECT id, id, 1, conversation, message, name, 'mnt/user-data/outputs/' || name, size, mime, kind,
                'python_exec', md5(name) || md5(name), {time}, t * 1000000000
         FROM seed;
         INSERT INTO artifact_counts (owner, scope, kind, n)
         SELECT owner, scope, kind, count(*)
         FROM artifacts, unnest(ARRAY[conversation_id::text, 'u' || (get_byte(uuid_send(conversation_id), 15) & 7)]) scope
         GROUP BY owner, scope, kind;",
        last = n - 1,
    )
}

fn bearer(token: &str) -> Vec<(String, String)> {
    vec![("Authorization".to_string(), format!("Bearer {token}"))]
}

fn get_json(url: &str, auth: &[(String, String)]) -> Value {
    let mut req = crate::servers::agent().get(url);
    for (k, v) in auth {
        req = req.header(k, v);
    }
    req.call().unwrap().body_mut().read_json().unwrap()
}

/// The median time of `url`'s answers requested one after another for
/// about `seconds` (at least three): wrk's median at one connection, but
/// also for answers that take longer than a wrk run (a deep page).
fn one_at_a_time_p50_ms(url: &str, auth: &[(String, String)], seconds: u32) -> f64 {
    let (agent, started, mut times) = (crate::servers::agent(), Instant::now(), Samples::default());
    while times.0.len() < 3 || started.elapsed() < Duration::from_secs(seconds.into()) {
        let mut req = agent.get(url);
        for (k, v) in auth {
            req = req.header(k, v);
        }
        let sent = Instant::now();
        let mut answer = req.call().unwrap();
        answer.body_mut().read_to_vec().unwrap();
        assert_eq!(answer.status(), 200, "{url}");
        times.push(sent.elapsed().as_secs_f64() * 1e3);
    }
    times.median()
}

/// A stored artifact's download path at Vitrine and its data object's key.
fn object(conversation: &str, artifact: &Value, ext: &str) -> (String, String) {
    let id = artifact["id"].as_str().unwrap();
    (
        format!("/api/conversations/{conversation}/artifacts/{id}"),
        format!("conversations/{conversation}/artifacts/{id}.{ext}"),
    )
}

impl Bench {
    pub fn cluster(&mut self) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dir = self.args.data.join("cluster");
        let _ = std::fs::remove_dir_all(&dir);
        // Each instance's data directory (its spool; the rest is remote).
        for name in ["listing", "downloads", "ingest-a", "ingest-b"] {
            std::fs::create_dir_all(dir.join(name)).unwrap();
        }
        let services = Services::start(root);
        self.cluster_listing(&services, &dir);
        self.cluster_downloads(&services, &dir);
        self.cluster_ingestion(&services, &dir);
        drop(services);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Start-up, memory, and the first and a deep page by cursor and by
    /// `page=N`, at `cluster_rows` artifacts.
    fn cluster_listing(&mut self, services: &Services, dir: &Path) {
        let n = self.args.cluster_rows;
        let (bin, data, env) = (&self.args.bin, dir.join("listing"), services.instance("a"));
        let auth = bearer(&dataset::add_user_with(bin, &data, "bench", &env));
        let loading = Instant::now();
        services.sql(&rows_sql(n));
        // Outside the load's transaction (VACUUM cannot run in one): without
        // it autovacuum takes up a million fresh rows during the first runs
        // (seen: its vacuum and analyze of each table ran through the first
        // page's figures), as it would after any bulk load before its use.
        services.sql("VACUUM (ANALYZE) conversations, artifacts, versions, artifact_counts");
        eprintln!("{} rows loaded in {:.1} s", thousands(n as f64), loading.elapsed().as_secs_f64());
        let (mut startup, mut rss) = (Samples::default(), Samples::default());
        for _ in 0..self.args.rounds {
            let server = Vitrine::start_with(bin, &data, &auth, &env);
            startup.push(server.startup.as_secs_f64());
            rss.push(server.rss_mib());
        }
        // Two instances: one as configured by default, which keeps the
        // pages it read and checks each against the database before giving
        // it again (what a page asked again costs), and one that keeps none
        // (what reading a page's rows costs: any page not asked before).
        let mut rows_env = env.clone();
        rows_env.push(("VITRINE_LISTING_CACHE_MIB".into(), "0".into()));
        let servers = [Vitrine::start_with(bin, &data, &auth, &env), Vitrine::start_with(bin, &data, &auth, &rows_env)];
        // The page before the last: its `next_cursor` is where a walk by
        // cursor reaches the last page.
        let deep = (n / PAGE).saturating_sub(1).max(1);
        let before = get_json(&format!("{}/api/artifacts?page={deep}&size={PAGE}", servers[1].base), &auth);
        let cursor = before["next_cursor"].as_str().expect("a next_cursor before the last page");
        let first = (format!("`GET /api/artifacts?size={PAGE}` (first page)"), format!("/api/artifacts?size={PAGE}"));
        let last = (
            format!("`GET /api/artifacts?cursor=…&size={PAGE}` (page {}, last)", deep + 1),
            format!("/api/artifacts?cursor={cursor}&size={PAGE}"),
        );
        let kept = |(label, path): &(String, String)| (format!("{label}, asked again (kept page)"), path.clone(), 0);
        let read = |(label, path): &(String, String)| (format!("{label}, rows read (no kept pages)"), path.clone(), 1);
        // (label, path, server); each held to the targets but the last:
        // `page=N` is an OFFSET that reads every row before it, so its
        // throughput is taken at a few connections (at 32 its answers would
        // outlast wrk's time-out).
        let pages = [
            kept(&first),
            kept(&last),
            read(&first),
            read(&last),
            (
                format!("`GET /api/artifacts?page={}&size={PAGE}` (the same page by offset, rows read)", deep + 1),
                format!("/api/artifacts?page={}&size={PAGE}", deep + 1),
                1,
            ),
        ];
        let loads: Vec<Load> = pages.iter().map(|(_, path, _)| Load::get(vec![path.clone()], &auth)).collect();
        for (load, (_, _, server)) in loads.iter().zip(&pages) {
            self.preflight(&servers[*server].base, load);
        }
        let offset = pages.len() - 1;
        let connections = |page: usize| if page == offset { OFFSET_CONNECTIONS } else { self.args.connections };
        let mut results: Vec<[Samples; 2]> = vec![Default::default(); pages.len()];
        for _ in 0..self.args.rounds {
            for (i, ((load, (_, path, server)), [latency, throughput])) in
                loads.iter().zip(&pages).zip(results.iter_mut()).enumerate()
            {
                let base = &servers[*server].base;
                latency.push(one_at_a_time_p50_ms(&format!("{base}{path}"), &auth, self.args.seconds));
                // A run in which nothing answered is 0 /s.
                throughput.push(self.run(base, load, connections(i)).requests_per_sec);
            }
        }
        let peak = servers[0].peak_rss_mib();
        drop(servers);
        let r = &mut self.report;
        r.section(&format!("Cluster: {} artifacts in PostgreSQL", thousands(n as f64)));
        r.row("Start-up (S3 + PostgreSQL) to first listing", startup, Unit::Secs, Target::Below(1.0));
        r.row("Resident memory after start-up", rss, Unit::MiB, Target::Below(100.0));
        r.row("Peak resident memory after the runs below (kept pages)", Samples(vec![peak]), Unit::MiB, Target::None);
        for (i, ((label, ..), [latency, throughput])) in pages.into_iter().zip(results).enumerate() {
            let (p50, rate) =
                if i == offset { (Target::None, Target::None) } else { (Target::Below(5.0), Target::Above(3000.0)) };
            let c = connections(i);
            r.row(format!("{label}: median latency, 1 connection"), latency, Unit::Ms, p50);
            r.row(format!("{label}: requests, {c} connections"), throughput, Unit::PerSec, rate);
        }
    }

    /// Raw downloads from an instance in S3 mode against SeaweedFS's own
    /// GET of the same objects, alternating within each round.
    fn cluster_downloads(&mut self, services: &Services, dir: &Path) {
        let (bin, data, env) = (&self.args.bin, dir.join("downloads"), services.instance("a"));
        let token = dataset::add_user_with(bin, &data, "files", &env);
        let auth = bearer(&token);
        let server = Vitrine::start_with(bin, &data, &auth, &env);
        let api = Api::new(&server.base, &token);
        let conversation = api.conversation("Downloads");
        let results = format!("/api/conversations/{conversation}/tool-results");
        let mut rng = ChaCha8Rng::seed_from_u64(self.args.seed);
        let mut small = Vec::new();
        for first in (0..SMALL_FILES).step_by(10) {
            let artifacts: Vec<Value> = (first..first + 10)
                .map(|k| json!({ "name": format!("small-{k}.bin"), "content_base64": dataset::binary(&mut rng, b"", 1024, 16 * 1024) }))
                .collect();
            let answer = api.post(&results, &json!({ "tool": "python_exec", "artifacts": artifacts }));
            small.extend(answer["artifacts"].as_array().unwrap().iter().map(|a| object(&conversation, a, "bin")));
        }
        let large =
            json!({ "name": "large.bin", "content_base64": dataset::binary(&mut rng, b"", LARGE_BYTES, LARGE_BYTES) });
        let answer = api.post(&results, &json!({ "tool": "python_exec", "artifacts": [large] }));
        let large = object(&conversation, &answer["artifacts"][0], "bin");
        let (bucket, credentials) = services.bucket();
        let signed = |key: &str| services.signed(bucket.get_object(Some(&credentials), key));
        let (ours_small, theirs_small): (Vec<String>, Vec<String>) =
            small.iter().map(|(path, key)| (path.clone(), signed(key))).unzip();
        let s3 = services.var("VITRINE_S3_ENDPOINT");
        let c = self.args.connections;
        // (label, Vitrine's load, SeaweedFS's load, connections, unit)
        let runs = [
            (
                format!("{SMALL_FILES} small files (1 to 16 KiB), {c} connections"),
                Load::get(ours_small, &auth),
                Load::get(theirs_small, &[]),
                c,
                Unit::PerSec,
            ),
            (
                "one 100 MB file, 4 connections".to_string(),
                Load::get(vec![large.0.clone()], &auth),
                Load::get(vec![signed(&large.1)], &[]),
                4,
                Unit::MiBPerSec,
            ),
        ];
        for (_, ours, theirs, ..) in &runs {
            self.preflight(&server.base, ours);
            self.preflight(s3, theirs);
        }
        let mut figures: Vec<[Samples; 2]> = vec![Default::default(); runs.len()];
        for round in 0..self.args.rounds {
            for ((_, ours, theirs, connections, unit), [vitrine, seaweed]) in runs.iter().zip(figures.iter_mut()) {
                let mut pair = [(&server.base[..], ours, vitrine), (s3, theirs, seaweed)];
                if round % 2 == 1 {
                    pair.reverse();
                }
                for (base, load, figure) in pair {
                    let outcome = self.run(base, load, *connections);
                    figure.push(match unit {
                        Unit::PerSec => outcome.requests_per_sec,
                        _ => outcome.bytes_per_sec,
                    });
                }
            }
        }
        drop(server);
        self.report.section("Cluster: raw downloads, S3 mode against SeaweedFS's own GET");
        for ((label, _, _, _, unit), [vitrine, seaweed]) in runs.iter().zip(figures) {
            let r = &mut self.report;
            r.row(format!("{label}: Vitrine, raw download"), vitrine.clone(), *unit, Target::None);
            r.row(format!("{label}: SeaweedFS, presigned GET"), seaweed.clone(), *unit, Target::None);
            r.row(
                format!("{label}: Vitrine / SeaweedFS"),
                ratios(&vitrine, &seaweed),
                Unit::Percent,
                Target::Above(0.8),
            );
        }
    }

    /// Ingestion through two instances at once (half the writers each)
    /// against the bucket's own PUT of objects of the same size.
    fn cluster_ingestion(&mut self, services: &Services, dir: &Path) {
        let bin = &self.args.bin;
        let token = dataset::add_user_with(bin, &dir.join("ingest-a"), "ingest", &services.instance("a"));
        let auth = bearer(&token);
        let instances: Vec<Vitrine> = ["a", "b"]
            .iter()
            .map(|name| Vitrine::start_with(bin, &dir.join(format!("ingest-{name}")), &auth, &services.instance(name)))
            .collect();
        let conversations: Vec<String> =
            instances.iter().map(|server| Api::new(&server.base, &token).conversation("Ingestion")).collect();
        let (bucket, credentials) = services.bucket();
        let s3 = services.var("VITRINE_S3_ENDPOINT");
        let bytes = "x".repeat(INGEST_BYTES);
        let (mut ours, mut theirs) = (Samples::default(), Samples::default());
        for round in 0..self.args.rounds {
            let put = Load {
                paths: (0..PUT_KEYS)
                    .map(|i| services.signed(bucket.put_object(Some(&credentials), &format!("bench-put/{round}/{i}"))))
                    .collect(),
                headers: Vec::new(),
                body: Body::Put(bytes.clone()),
            };
            // Every request a new path (the same bytes at a path make no
            // version): numbered per run, the run's round and instance in
            // the name.
            let writes: Vec<(&str, Load)> = instances
                .iter()
                .zip(&conversations)
                .enumerate()
                .map(|(i, (server, conversation))| {
                    let name = format!("r{round}-{i}-{NUMBER}.txt");
                    let body = json!({ "tool": "python_exec", "artifacts": [{ "name": name, "text": bytes }] });
                    let load = Load {
                        paths: vec![format!("/api/conversations/{conversation}/tool-results")],
                        headers: auth.clone(),
                        body: Body::NumberedJson(body.to_string()),
                    };
                    (&server.base[..], load)
                })
                .collect();
            let store = || self.run(s3, &put, WRITERS).requests_per_sec;
            if round % 2 == 0 {
                theirs.push(store());
                ours.push(self.both(&writes, WRITERS / 2));
            } else {
                ours.push(self.both(&writes, WRITERS / 2));
                theirs.push(store());
            }
        }
        drop(instances);
        let r = &mut self.report;
        r.section(&format!("Cluster: ingestion through two instances ({} KiB artifacts)", INGEST_BYTES / 1024));
        r.row(format!("SeaweedFS, presigned PUT, {WRITERS} connections"), theirs.clone(), Unit::PerSec, Target::None);
        r.row(
            format!("`POST .../tool-results`, one artifact each, {} connections on each instance", WRITERS / 2),
            ours.clone(),
            Unit::PerSec,
            Target::None,
        );
        r.row("Ingestion / the bucket's PUT", ratios(&ours, &theirs), Unit::Percent, Target::Above(0.7));
    }

    /// Runs each load against its server at once, each wrk in a folder of
    /// its own; the requests a second of all of them.
    fn both(&self, loads: &[(&str, Load)], connections: u32) -> f64 {
        let seconds = self.args.seconds;
        std::thread::scope(|s| {
            let runs: Vec<_> = loads
                .iter()
                .enumerate()
                .map(|(i, (base, load))| {
                    let scratch = self.scratch.join(format!("writer-{i}"));
                    s.spawn(move || {
                        std::fs::create_dir_all(&scratch).unwrap();
                        let outcome = wrk::run(base, load, connections, 1, seconds, &scratch);
                        assert_eq!(outcome.errors, 0, "{base}: errors under load");
                        outcome.requests_per_sec
                    })
                })
                .collect();
            runs.into_iter().map(|run| run.join().unwrap()).sum()
        })
    }
}
