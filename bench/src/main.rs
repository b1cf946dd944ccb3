//! `make bench`: Vitrine's release build and nginx on the same seeded data,
//! driven by wrk from a second process in alternating rounds; writes
//! docs/benchmarks.md. See bench/README.md.

mod cardfiles;
mod cluster;
mod cpu;
mod dataset;
mod durable;
mod events;
mod report;
mod servers;
mod stats;
mod thumbnails;
mod wrk;

use clap::Parser;
use dataset::DataSet;
use report::{thousands, Report, Target, Unit};
use servers::{Nginx, Vitrine};
use stats::{ratios, Samples};
use std::path::{Path, PathBuf};
use wrk::Load;

#[derive(Parser)]
struct Args {
    /// The server under test (the release build).
    #[arg(long, env = "VITRINE_BIN", default_value = "../target/release/vitrine")]
    bin: PathBuf,
    /// Where data sets are generated and kept between runs.
    #[arg(long, env = "BENCH_DATA", default_value = "../target/bench-data")]
    data: PathBuf,
    #[arg(long, env = "BENCH_SEED", default_value_t = 42)]
    seed: u64,
    /// Collection sizes; the last one also gets the file-serving figures.
    #[arg(long, env = "BENCH_SIZES", value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<u64>,
    #[arg(long, env = "BENCH_ROUNDS", default_value_t = 5)]
    rounds: u32,
    /// Seconds of each wrk run.
    #[arg(long, env = "BENCH_SECONDS", default_value_t = 4)]
    seconds: u32,
    /// Connections of the throughput runs (latency runs use one).
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// wrk threads per run; more when one cannot drive the server (see the
    /// client ceiling and `wrk` CPU rows).
    #[arg(long, env = "BENCH_CLIENT_THREADS", default_value_t = 1)]
    client_threads: u32,
    /// The release site's `pkg` folder (its `.wasm` has a hashed name).
    #[arg(long, default_value = "../target/site/pkg")]
    pkg: PathBuf,
    #[arg(long, default_value = "../docs/benchmarks.md")]
    out: PathBuf,
    /// Only these parts (of scale, files, ingestion, events, thumbnails,
    /// wasm, cluster); all but cluster when empty. Their sections then
    /// replace those of the same title in the report at `--out`, the rest
    /// of it kept.
    #[arg(long, env = "BENCH_ONLY", value_delimiter = ',')]
    only: Vec<String>,
    /// Artifacts of the cluster part's listing, loaded into PostgreSQL.
    #[arg(long, env = "BENCH_CLUSTER_ROWS", default_value_t = 1_000_000)]
    cluster_rows: u64,
}

/// Vitrine against nginx on the same files, and for small files the same
/// client against nginx's trivial answer.
struct Comparison {
    label: String,
    ours: Load,
    theirs: Load,
    /// Vitrine's requests (with its token) sent to [`servers::CEILING`].
    ceiling: Option<Load>,
    connections: u32,
}

impl Comparison {
    fn new(label: String, ours: Load, theirs: Load, connections: u32, with_ceiling: bool) -> Comparison {
        let ceiling = with_ceiling.then(|| Load {
            paths: ours.paths.iter().map(|p| format!("{}{p}", servers::CEILING)).collect(),
            headers: ours.headers.clone(),
            body: wrk::Body::None,
        });
        Comparison { label, ours, theirs, ceiling, connections }
    }
}

/// One server's figures from one kind of run, a sample per round.
#[derive(Clone, Default)]
struct Runs {
    rps: Samples,
    bytes: Samples,
    cpu: Samples,
    /// The server's own CPU time per request, in seconds.
    server_cpu: Samples,
}

impl Runs {
    fn push(&mut self, outcome: &wrk::Outcome, server_cpu_secs: f64) {
        self.rps.push(outcome.requests_per_sec);
        self.bytes.push(outcome.bytes_per_sec);
        self.cpu.push(outcome.client_cpu);
        self.server_cpu.push(server_cpu_secs / outcome.requests);
    }
}

/// The size of a data file, by its path under the data directory.
fn file_size(data: &Path, disk: &str) -> u64 {
    std::fs::metadata(data.join(disk.trim_start_matches('/'))).unwrap().len()
}

struct Bench {
    args: Args,
    scratch: PathBuf,
    report: Report,
}

impl Bench {
    fn run(&self, base: &str, load: &Load, connections: u32) -> wrk::Outcome {
        let threads = self.args.client_threads.min(connections);
        let outcome = wrk::run(base, load, connections, threads, self.args.seconds, &self.scratch);
        assert_eq!(outcome.errors, 0, "{base}{}: errors under load", load.paths[0]);
        outcome
    }

    /// Checks that every path of `load` answers 200 before measuring it.
    fn preflight(&self, base: &str, load: &Load) {
        let agent = servers::agent();
        for path in load.paths.iter().take(20) {
            let mut req = agent.get(format!("{base}{path}"));
            for (k, v) in &load.headers {
                req = req.header(k, v);
            }
            let status = req.call().unwrap().status();
            assert_eq!(status, 200, "{base}{path}");
        }
    }

    /// Start-up, memory and the listing and gallery figures at one size.
    fn scale(&mut self, set: &DataSet, all_figures: bool) {
        let n = set.artifacts();
        eprintln!("{n} artifacts");
        let auth = set.auth();
        let (mut startup, mut rss) = (Samples::default(), Samples::default());
        for _ in 0..self.args.rounds {
            let server = Vitrine::start(&self.args.bin, &set.data, &auth);
            startup.push(server.startup.as_secs_f64());
            rss.push(server.rss_mib());
        }
        let mut pages = vec![
            (
                "`GET /api/artifacts?page=1&size=50`".to_string(),
                "/api/artifacts?page=1&size=50&type=all".to_string(),
                2.0,
            ),
            (
                format!("`GET /api/artifacts?page={}&size=50` (last)", n / 50),
                format!("/api/artifacts?page={}&size=50&type=all", n / 50),
                2.0,
            ),
            ("`/artifacts` gallery page".into(), "/artifacts".into(), 10.0),
        ];
        if all_figures {
            let deep = (set.images() / 50).max(1);
            pages.insert(
                2,
                (
                    format!("`GET /api/artifacts?page={deep}&size=50&type=images`"),
                    format!("/api/artifacts?page={deep}&size=50&type=images"),
                    2.0,
                ),
            );
            pages.push((
                format!("`/artifacts?page={}` gallery page", n / 24),
                format!("/artifacts?page={}", n / 24),
                10.0,
            ));
        }
        let server = Vitrine::start(&self.args.bin, &set.data, &auth);
        let loads: Vec<Load> = pages.iter().map(|(_, path, _)| Load::get(vec![path.clone()], &auth)).collect();
        for load in &loads {
            self.preflight(&server.base, load);
        }
        let mut results: Vec<(Samples, Samples)> = vec![Default::default(); pages.len()];
        for _ in 0..self.args.rounds {
            for (load, (latency, throughput)) in loads.iter().zip(results.iter_mut()) {
                latency.push(self.run(&server.base, load, 1).p50_ms);
                throughput.push(self.run(&server.base, load, self.args.connections).requests_per_sec);
            }
        }
        let peak = server.peak_rss_mib();
        drop(server);

        self.report.section(&format!("{} artifacts", thousands(n as f64)));
        self.report.row(
            "Start-up (index rebuilt from the files) to first listing",
            startup,
            Unit::Secs,
            Target::Below(3.0),
        );
        self.report.row("Resident memory after start-up", rss, Unit::MiB, Target::Below(200.0));
        self.report.row(
            "Peak resident memory after the runs below",
            Samples(vec![peak]),
            Unit::MiB,
            Target::Below(200.0),
        );
        let c = self.args.connections;
        for ((label, _, limit), (latency, throughput)) in pages.into_iter().zip(results) {
            self.report.row(format!("{label}: median latency, 1 connection"), latency, Unit::Ms, Target::Below(limit));
            let goal = if limit <= 2.0 { Target::Above(10_000.0) } else { Target::None };
            self.report.row(format!("{label}: requests, {c} connections"), throughput, Unit::PerSec, goal);
        }
    }

    /// Raw downloads against nginx on the same files (one hot small file,
    /// many small files, the large files), each small-file comparison with
    /// the client ceiling measured in the same round; then thread paths and
    /// `.skill` members against Vitrine's own raw figure.
    fn files(&mut self, set: &DataSet) {
        let auth = set.auth();
        let server = Vitrine::start(&self.args.bin, &set.data, &auth);
        let small = set.files("small");
        let large = set.files("large");
        let raw = |a: &serde_json::Value| {
            format!(
                "/api/conversations/{}/artifacts/{}",
                a["conversation_id"].as_str().unwrap(),
                a["id"].as_str().unwrap()
            )
        };
        let disk = |a: &serde_json::Value| a["disk"].as_str().unwrap().to_string();
        let thread = |a: &serde_json::Value| {
            format!("/api/threads/{}/artifacts/{}", a["conversation_id"].as_str().unwrap(), a["path"].as_str().unwrap())
        };
        let field = |files: &Vec<serde_json::Value>, f: &dyn Fn(&serde_json::Value) -> String| -> Vec<String> {
            files.iter().map(f).collect()
        };
        let nginx = Nginx::start(&set.data, &self.scratch.join("nginx"), &disk(&small[0]));
        let c = self.args.connections;
        // The small file nearest 1 KiB: the hot-file run measures the cost
        // per request rather than per byte.
        let hot = small.iter().min_by_key(|a| file_size(&set.data, &disk(a)).abs_diff(1024)).unwrap();
        let hot_bytes = file_size(&set.data, &disk(hot));
        let comparisons = [
            Comparison::new(
                format!("one hot small file ({hot_bytes} B, static request)"),
                Load::get(vec![raw(hot)], &auth),
                Load::get(vec![disk(hot)], &[]),
                c,
                true,
            ),
            Comparison::new(
                format!("many small files ({} of them, cycled by a Lua script)", small.len()),
                Load::get(field(small, &raw), &auth),
                Load::get(field(small, &disk), &[]),
                c,
                true,
            ),
            Comparison::new(
                format!("100 MB files ({} of them)", large.len()),
                Load::get(field(large, &raw), &auth),
                Load::get(field(large, &disk), &[]),
                4,
                false,
            ),
        ];
        let thread_load = Load::get(field(small, &thread), &auth);
        let skill_load = Load::get(set.skill_members(), &auth);
        for comparison in &comparisons {
            self.preflight(&server.base, &comparison.ours);
            self.preflight(&nginx.base, &comparison.theirs);
            if let Some(ceiling) = &comparison.ceiling {
                self.preflight(&nginx.base, ceiling);
            }
        }
        self.preflight(&server.base, &thread_load);
        self.preflight(&server.base, &skill_load);
        let mut figures: Vec<[Runs; 3]> = vec![Default::default(); comparisons.len()];
        let (vitrine_pids, nginx_pids) = ([server.pid()], nginx.workers());
        let (mut threads, mut skills) = (Samples::default(), Samples::default());
        for round in 0..self.args.rounds {
            for (comparison, [ceiling, ours, theirs]) in comparisons.iter().zip(figures.iter_mut()) {
                let mut runs: Vec<(&Load, &str, &[u32], &mut Runs)> = vec![
                    (&comparison.ours, &server.base, &vitrine_pids, ours),
                    (&comparison.theirs, &nginx.base, &nginx_pids, theirs),
                ];
                if let Some(load) = &comparison.ceiling {
                    runs.push((load, &nginx.base, &nginx_pids, ceiling));
                }
                // Alternate the order, so that neither server always runs
                // first after the other has warmed or tired the machine.
                if round % 2 == 1 {
                    runs.reverse();
                }
                for (load, base, pids, figure) in runs {
                    let before = cpu::secs(pids);
                    let outcome = self.run(base, load, comparison.connections);
                    figure.push(&outcome, cpu::secs(pids) - before);
                }
            }
            threads.push(self.run(&server.base, &thread_load, c).requests_per_sec);
            skills.push(self.run(&server.base, &skill_load, c).requests_per_sec);
        }
        for (comparison, [ceiling, ours, theirs]) in comparisons.iter().zip(&figures) {
            let r = &mut self.report;
            r.section(&format!("Serving files: {}, {} connections", comparison.label, comparison.connections));
            if comparison.ceiling.is_some() {
                r.row(
                    "Client ceiling: the same requests, nginx `return 200`",
                    ceiling.rps.clone(),
                    Unit::PerSec,
                    Target::None,
                );
            }
            r.row("Vitrine, raw download", ours.rps.clone(), Unit::PerSec, Target::None);
            r.row("nginx, the same files", theirs.rps.clone(), Unit::PerSec, Target::None);
            r.row("Vitrine / nginx, requests", ratios(&ours.rps, &theirs.rps), Unit::Percent, Target::Above(0.8));
            r.row("Vitrine CPU per request (user + system)", ours.server_cpu.clone(), Unit::Micros, Target::None);
            r.row("nginx CPU per request (its workers)", theirs.server_cpu.clone(), Unit::Micros, Target::None);
            // Held to the small-file goal only: large files are about bytes.
            let goal = if comparison.ceiling.is_some() { Target::Above(0.8) } else { Target::None };
            r.row(
                "nginx / Vitrine, CPU per request (the client taken out)",
                ratios(&theirs.server_cpu, &ours.server_cpu),
                Unit::Percent,
                goal,
            );
            if comparison.ceiling.is_some() {
                r.row(
                    "nginx / client ceiling (server-bound when well under 100%)",
                    ratios(&theirs.rps, &ceiling.rps),
                    Unit::Percent,
                    Target::Below(0.7),
                );
                r.row(
                    "`wrk` CPU at the client ceiling (100% = one core)",
                    ceiling.cpu.clone(),
                    Unit::Percent,
                    Target::None,
                );
            }
            r.row("`wrk` CPU against Vitrine", ours.cpu.clone(), Unit::Percent, Target::None);
            r.row("`wrk` CPU against nginx", theirs.cpu.clone(), Unit::Percent, Target::None);
            if comparison.ours.paths.len() > 1 {
                r.row("Vitrine, bytes", ours.bytes.clone(), Unit::MiBPerSec, Target::None);
                r.row("nginx, bytes", theirs.bytes.clone(), Unit::MiBPerSec, Target::None);
                r.row("Vitrine / nginx, bytes", ratios(&ours.bytes, &theirs.bytes), Unit::Percent, Target::Above(0.8));
            }
        }
        self.report.section("Virtual paths and `.skill` members (against Vitrine's many-small-files figure)");
        let many = &figures[1][1].rps;
        self.report.row(
            format!("Thread virtual path, same small files, {c} connections"),
            threads.clone(),
            Unit::PerSec,
            Target::None,
        );
        self.report.row("Thread path / raw download", ratios(&threads, many), Unit::Percent, Target::Above(0.8));
        let members = set.skill_members().len();
        self.report.row(
            format!("`.skill` members ({members} of them), cached, {c} connections"),
            skills.clone(),
            Unit::PerSec,
            Target::None,
        );
        self.report.row("`.skill` member / raw download", ratios(&skills, many), Unit::Percent, Target::Above(0.8));
        self.report.row(
            "Vitrine peak resident memory after serving",
            Samples(vec![server.peak_rss_mib()]),
            Unit::MiB,
            Target::Below(200.0),
        );
    }

    /// Durable ingestion from concurrent clients against this disk's own
    /// write, fsync and rename loop, alternating.
    fn ingestion(&mut self) {
        const SIZE: usize = 4096;
        const CLIENTS: u32 = 8;
        let dir = self.args.data.join("ingestion");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let token = dataset::add_user(&self.args.bin, &dir, "ingest");
        let auth = vec![("Authorization".to_string(), format!("Bearer {token}"))];
        let server = Vitrine::start(&self.args.bin, &dir, &auth);
        let conversation = dataset::create_conversation(&server.base, &token);
        let body = serde_json::json!({ "tool": "python_exec", "artifacts": [{ "name": "result.txt", "text": "x".repeat(SIZE) }] });
        let load = Load {
            paths: vec![format!("/api/conversations/{conversation}/tool-results")],
            headers: auth,
            body: wrk::Body::Json(body.to_string()),
        };
        let reference_dir = self.args.data.join("durable-reference");
        let (mut ours, mut reference) = (Samples::default(), Samples::default());
        for round in 0..self.args.rounds {
            let loop_rate = || durable::files_per_sec(&reference_dir, SIZE, self.args.seconds);
            if round % 2 == 0 {
                reference.push(loop_rate());
                ours.push(self.run(&server.base, &load, CLIENTS).requests_per_sec);
            } else {
                ours.push(self.run(&server.base, &load, CLIENTS).requests_per_sec);
                reference.push(loop_rate());
            }
        }
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
        self.report.section("Durable ingestion (4 KiB artifacts, fsync before the 201)");
        self.report.row(
            "Write + fsync + rename loop, one writer (this disk's limit)",
            reference.clone(),
            Unit::PerSec,
            Target::None,
        );
        self.report.row(
            format!("`POST .../tool-results`, one artifact each, {CLIENTS} clients"),
            ours.clone(),
            Unit::PerSec,
            Target::None,
        );
        self.report.row("Ingestion / write loop", ratios(&ours, &reference), Unit::Percent, Target::Above(0.7));
    }

    /// [`events::CLIENTS`] streams on `GET /api/events` of a server of
    /// their own each round: from an ingestion's `201` to its event at the
    /// clients, and the server's memory per connected client.
    fn events(&mut self) {
        let dir = self.args.data.join("events");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let token = dataset::add_user(&self.args.bin, &dir, "events");
        let [mut ack_p50, mut ack_p99, mut sent_p50, mut sent_p99, mut memory, mut connecting]: [Samples; 6] =
            Default::default();
        for _ in 0..self.args.rounds {
            let round = events::round(&self.args.bin, &dir, &token);
            ack_p50.push(round.after_ack.quantile(0.5) * 1e3);
            ack_p99.push(round.after_ack.quantile(0.99) * 1e3);
            sent_p50.push(round.after_request.quantile(0.5) * 1e3);
            sent_p99.push(round.after_request.quantile(0.99) * 1e3);
            memory.push(round.bytes_per_client);
            connecting.push(round.connecting);
        }
        let _ = std::fs::remove_dir_all(&dir);
        let clients = thousands(events::CLIENTS as f64);
        self.report.section(&format!(
            "Live events ({clients} clients on `GET /api/events`, {} ingestions a round)",
            events::INGESTIONS
        ));
        self.report.row(
            format!("{clients} streams begun (each has its first frame)"),
            connecting,
            Unit::Secs,
            Target::None,
        );
        self.report.row("Ingestion's `201` to the event at a client, p50", ack_p50, Unit::Ms, Target::None);
        self.report.row("Ingestion's `201` to the event at a client, p99", ack_p99, Unit::Ms, Target::Below(100.0));
        self.report.row("Ingestion's request sent to the event at a client, p50", sent_p50, Unit::Ms, Target::None);
        self.report.row("Ingestion's request sent to the event at a client, p99", sent_p99, Unit::Ms, Target::None);
        self.report.row(
            "Server's resident memory per connected client",
            memory,
            Unit::KiB,
            Target::Below(64.0 * 1024.0),
        );
    }

    /// Card thumbnails of each kind: first render and cached (thumbnails.rs).
    fn thumbnails(&mut self) {
        let dir = self.args.data.join("thumbnails");
        let run = thumbnails::measure(&self.args.bin, &dir, self.args.seed, self.args.rounds);
        thumbnails::report(&mut self.report, &run, self.args.rounds);
    }

    /// What each page's first load fetches: the main module, and for a lazy
    /// route (`pages::lazy`) the chunks the split manifest lists for its
    /// view, which the page's HTML preloads. Each file is sent compressed on
    /// its own, so the figures are sums of per-file sizes.
    fn wasm(&mut self) {
        let files: Vec<PathBuf> = std::fs::read_dir(&self.args.pkg)
            .expect("the release site (make build)")
            .map(|entry| entry.unwrap().path())
            .collect();
        let named = |prefix: &str, extension: &str| {
            files
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == extension))
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                // The newest, should an older build have left its own.
                .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
                .cloned()
        };
        let main = named("vitrine.", "wasm").expect("the main module in the release site");
        let manifest: std::collections::BTreeMap<String, Vec<String>> = named("__wasm_split_manifest", "json")
            .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
            .unwrap_or_default();
        self.report.section("Hydration bundle");
        self.report.row(
            "Main module, uncompressed",
            Samples(vec![std::fs::metadata(&main).unwrap().len() as f64]),
            Unit::KiB,
            Target::None,
        );
        // The issue's bound, held for every page's first load (the gallery,
        // where most visits start, fetches the main module alone).
        let bound = Target::Below(300.0 * 1024.0);
        self.first_load("gallery", std::slice::from_ref(&main), bound);
        for (view, chunks) in &manifest {
            // `__preview_view_<hash>`: the view of `pages::lazy::Preview`.
            let page = view.trim_start_matches('_').split("_view").next().unwrap();
            let fetched: Vec<PathBuf> = std::iter::once(main.clone())
                .chain(chunks.iter().map(|c| self.args.pkg.join(format!("{c}.wasm"))))
                .collect();
            self.first_load(page, &fetched, bound);
        }
    }

    /// One page's first load of wasm: gzip -9, and Brotli as served
    /// (`--precompress`).
    fn first_load(&mut self, page: &str, files: &[PathBuf], target: Target) {
        use std::io::Write;
        let mut gzipped = 0;
        let mut brotli = 0;
        for file in files {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&std::fs::read(file).unwrap()).unwrap();
            gzipped += gz.finish().unwrap().len();
            brotli += std::fs::metadata(file.with_extension("wasm.br")).map(|m| m.len()).unwrap_or(0);
        }
        let label =
            format!("First load of the {page} page, {} file{}", files.len(), if files.len() == 1 { "" } else { "s" });
        self.report.row(format!("{label}, gzip -9"), Samples(vec![gzipped as f64]), Unit::KiB, target);
        if brotli > 0 {
            self.report.row(
                format!("{label}, Brotli as served"),
                Samples(vec![brotli as f64]),
                Unit::KiB,
                Target::None,
            );
        }
    }
}

fn command(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(if o.stdout.is_empty() { &o.stderr } else { &o.stdout }).trim().to_string())
        .unwrap_or_default()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']))
        .unwrap_or("?");
    let mem = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = mem.lines().next().unwrap_or("").trim_start_matches("MemTotal:").trim().to_string();
    format!(
        "- CPU: {model}, {} cores\n- Memory: {mem}\n- Kernel: {}\n- {}, {}, {}\n- Vitrine commit {}\n",
        command("nproc", &[]),
        command("uname", &["-r"]),
        command("nginx", &["-v"]),
        command("wrk", &["-v"]).lines().next().unwrap_or(""),
        command("rustc", &["-V"]),
        command("git", &["rev-parse", "--short", "HEAD"]),
    )
}

fn intro(args: &Args) -> String {
    format!(
        "# Benchmarks\n\nWritten by `make bench` (bench/, see bench/README.md); do not edit by hand.\n\n\
         Data: seed {seed}; {sizes} artifacts of one user in conversations of {per} (plus a second user with 40),\n\
         generated through the API by the harness: mostly small text, code, HTML and images, three files of 100 MB\n\
         and five `.skill` archives of 300 to 600 members. Files: Vitrine with a bearer token, nginx (sendfile,\n\
         no access log, no auth) on the same files in the same round. Load: `wrk -t{threads}` in its own process on loopback,\n\
         {seconds} s per run, {rounds} rounds; Vitrine and nginx alternate within each round so that their\n\
         ratio holds on a noisy machine. One path is wrk's static request (no Lua per request); many paths are\n\
         cycled by a Lua `request` function. The client ceiling is the same requests answered by nginx with two\n\
         bytes; `wrk` CPU is its user + system time over the run. A figure is the server's, not the client's,\n\
         when the client's CPU is well under its {threads} core(s) and the ceiling well above the figure.\n\
         Latency is wrk's median at one connection; throughput at {c} connections.\n\
         Live events: {clients} streams on `GET /api/events` read by as many threads of the harness, on a server\n\
         started for the round; artifacts ingested one at a time, each once every client has the one before;\n\
         p50 and p99 over every client's every event of the round, memory as the server's resident memory after\n\
         the round's events less before the streams, over {clients}.\n\
         Median over the rounds, spread from the lowest to the highest round.\n\n## Machine\n\n{machine}",
        seed = args.seed,
        sizes = args.sizes.iter().map(|n| thousands(*n as f64)).collect::<Vec<_>>().join(", "),
        per = dataset::PER_CONVERSATION,
        seconds = args.seconds,
        rounds = args.rounds,
        c = args.connections,
        threads = args.client_threads,
        clients = thousands(events::CLIENTS as f64),
        machine = machine(),
    )
}

fn main() {
    let mut args = Args::parse();
    // nginx and the servers run elsewhere: every path absolute.
    for path in [&mut args.bin, &mut args.data, &mut args.pkg, &mut args.out] {
        *path = std::path::absolute(&*path).unwrap();
    }
    let report = Report::new(intro(&args));
    let scratch = args.data.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let only = args.only.clone();
    // The cluster part starts services of its own: only when named.
    let run = |part: &str| (only.is_empty() && part != "cluster") || only.iter().any(|p| p == part);
    let sets: Vec<DataSet> = if run("scale") || run("files") {
        args.sizes.iter().map(|n| dataset::ensure(&args.bin, &args.data, *n, args.seed)).collect()
    } else {
        Vec::new()
    };
    let mut bench = Bench { args, scratch, report };
    if run("scale") {
        for (i, set) in sets.iter().enumerate() {
            bench.scale(set, i + 1 == sets.len());
        }
    }
    if run("files") {
        bench.files(sets.last().unwrap());
    }
    if run("ingestion") {
        bench.ingestion();
    }
    if run("events") {
        bench.events();
    }
    if run("thumbnails") {
        bench.thumbnails();
    }
    if run("wasm") {
        bench.wasm();
    }
    if run("cluster") {
        bench.cluster();
    }
    // Read last, so that the notes can be written while the run goes on.
    let notes = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("NOTES.md")).unwrap_or_default();
    let report = match std::fs::read_to_string(&bench.args.out) {
        Ok(old) if !only.is_empty() => {
            let stamp = format!(
                "Run on its own (`BENCH_ONLY={}`) on {}, Vitrine commit {}, {} rounds.",
                only.join(","),
                command("date", &["-u", "+%Y-%m-%d"]),
                command("git", &["rev-parse", "--short", "HEAD"]),
                bench.args.rounds
            );
            bench.report.merged(&old, &notes, &stamp)
        }
        old => {
            // `make lighthouse` writes its own section into the report: kept as it is.
            if let Some(lighthouse) = old.ok().and_then(|old| report::section(&old, "Lighthouse")) {
                bench.report.text("Lighthouse", lighthouse);
            }
            bench.report.markdown(&notes)
        }
    };
    std::fs::write(&bench.args.out, report).unwrap();
    eprintln!("wrote {}", bench.args.out.display());
}
