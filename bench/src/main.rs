//! `make bench`: Vitrine's release build and nginx on the same seeded data,
//! driven by wrk from a second process in alternating rounds; writes
//! docs/benchmarks.md. See bench/README.md.

mod dataset;
mod durable;
mod report;
mod servers;
mod stats;
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
    #[arg(long, default_value = "../target/site/pkg/vitrine.wasm")]
    wasm: PathBuf,
    #[arg(long, default_value = "../docs/benchmarks.md")]
    out: PathBuf,
}

struct Bench {
    args: Args,
    scratch: PathBuf,
    report: Report,
}

impl Bench {
    fn run(&self, base: &str, load: &Load, connections: u32) -> wrk::Outcome {
        let outcome = wrk::run(base, load, connections, self.args.seconds, &self.scratch);
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

    /// Raw downloads against nginx on the same files, and thread paths and
    /// `.skill` members against Vitrine's own raw figure.
    fn files(&mut self, set: &DataSet) {
        let auth = set.auth();
        let server = Vitrine::start(&self.args.bin, &set.data, &auth);
        let small = set.files("small");
        let large = set.files("large");
        let field = |files: &Vec<serde_json::Value>, f: &dyn Fn(&serde_json::Value) -> String| -> Vec<String> {
            files.iter().map(f).collect()
        };
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
        let nginx = Nginx::start(&set.data, &self.scratch.join("nginx"), &disk(&small[0]));
        let loads = [
            ("small", Load::get(field(small, &raw), &auth), Load::get(field(small, &disk), &[]), self.args.connections),
            ("100 MB", Load::get(field(large, &raw), &auth), Load::get(field(large, &disk), &[]), 4),
        ];
        let thread_load = Load::get(field(small, &thread), &auth);
        let skill_load = Load::get(set.skill_members(), &auth);
        for (_, ours, theirs, _) in &loads {
            self.preflight(&server.base, ours);
            self.preflight(&nginx.base, theirs);
        }
        self.preflight(&server.base, &thread_load);
        self.preflight(&server.base, &skill_load);
        let mut figures: Vec<[Samples; 4]> = vec![Default::default(); loads.len()];
        let (mut threads, mut skills) = (Samples::default(), Samples::default());
        for round in 0..self.args.rounds {
            for ((_, ours, theirs, c), f) in loads.iter().zip(figures.iter_mut()) {
                let (a, b) = if round % 2 == 0 {
                    let a = self.run(&server.base, ours, *c);
                    (a, self.run(&nginx.base, theirs, *c))
                } else {
                    let b = self.run(&nginx.base, theirs, *c);
                    (self.run(&server.base, ours, *c), b)
                };
                f[0].push(a.requests_per_sec);
                f[1].push(b.requests_per_sec);
                f[2].push(a.bytes_per_sec);
                f[3].push(b.bytes_per_sec);
            }
            threads.push(self.run(&server.base, &thread_load, self.args.connections).requests_per_sec);
            skills.push(self.run(&server.base, &skill_load, self.args.connections).requests_per_sec);
        }
        self.report.section("Serving files (Vitrine with a bearer token; nginx without auth; same files, same run)");
        for ((label, _, _, c), [ours, theirs, ours_b, theirs_b]) in loads.iter().zip(&figures) {
            let n = if *label == "small" { small.len() } else { large.len() };
            let what = format!("{label} files ({n} of them, {c} connections)");
            self.report.row(format!("Vitrine, raw download, {what}"), ours.clone(), Unit::PerSec, Target::None);
            self.report.row(format!("nginx, {what}"), theirs.clone(), Unit::PerSec, Target::None);
            self.report.row(
                format!("Vitrine / nginx, requests, {label}"),
                ratios(ours, theirs),
                Unit::Percent,
                Target::Above(0.8),
            );
            self.report.row(format!("Vitrine, bytes, {label}"), ours_b.clone(), Unit::MiBPerSec, Target::None);
            self.report.row(format!("nginx, bytes, {label}"), theirs_b.clone(), Unit::MiBPerSec, Target::None);
            self.report.row(
                format!("Vitrine / nginx, bytes, {label}"),
                ratios(ours_b, theirs_b),
                Unit::Percent,
                Target::Above(0.8),
            );
        }
        let c = self.args.connections;
        self.report.row(
            format!("Thread virtual path, same small files, {c} connections"),
            threads.clone(),
            Unit::PerSec,
            Target::None,
        );
        self.report.row(
            "Thread path / raw download",
            ratios(&threads, &figures[0][0]),
            Unit::Percent,
            Target::Above(0.8),
        );
        let members = set.skill_members().len();
        self.report.row(
            format!("`.skill` members ({members} of them), cached, {c} connections"),
            skills.clone(),
            Unit::PerSec,
            Target::None,
        );
        self.report.row(
            "`.skill` member / raw download",
            ratios(&skills, &figures[0][0]),
            Unit::Percent,
            Target::Above(0.8),
        );
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
            post_json: Some(body.to_string()),
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

    fn wasm(&mut self) {
        use std::io::Write;
        let bytes = std::fs::read(&self.args.wasm).expect("the release site (make build)");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).unwrap();
        let gzipped = gz.finish().unwrap().len();
        self.report.section("Hydration bundle");
        self.report.row("Release `.wasm`", Samples(vec![bytes.len() as f64]), Unit::KiB, Target::None);
        self.report.row(
            "Release `.wasm`, gzip -9",
            Samples(vec![gzipped as f64]),
            Unit::KiB,
            Target::Below(300.0 * 1024.0),
        );
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
         and five `.skill` archives of 300 to 600 members. Load: `wrk -t1` in its own process on loopback,\n\
         {seconds} s per run, {rounds} rounds; Vitrine and nginx alternate within each round so that their\n\
         ratio holds on a noisy machine. Latency is wrk's median at one connection; throughput at {c} connections.\n\
         Median over the rounds, spread from the lowest to the highest round.\n\n## Machine\n\n{machine}",
        seed = args.seed,
        sizes = args.sizes.iter().map(|n| thousands(*n as f64)).collect::<Vec<_>>().join(", "),
        per = dataset::PER_CONVERSATION,
        seconds = args.seconds,
        rounds = args.rounds,
        c = args.connections,
        machine = machine(),
    )
}

fn main() {
    let mut args = Args::parse();
    // nginx and the servers run elsewhere: every path absolute.
    for path in [&mut args.bin, &mut args.data, &mut args.wasm, &mut args.out] {
        *path = std::path::absolute(&*path).unwrap();
    }
    let report = Report::new(intro(&args));
    let scratch = args.data.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let sets: Vec<DataSet> = args.sizes.iter().map(|n| dataset::ensure(&args.bin, &args.data, *n, args.seed)).collect();
    let mut bench = Bench { args, scratch, report };
    for (i, set) in sets.iter().enumerate() {
        bench.scale(set, i + 1 == sets.len());
    }
    bench.files(sets.last().unwrap());
    bench.ingestion();
    bench.wasm();
    // Read last, so that the notes can be written while the run goes on.
    let notes = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("NOTES.md")).unwrap_or_default();
    std::fs::write(&bench.args.out, bench.report.markdown(&notes)).unwrap();
    eprintln!("wrote {}", bench.args.out.display());
}
