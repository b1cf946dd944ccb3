//! The seeded data set: `n` artifacts across `n / 100` conversations of one
//! user (plus a second user with a few), stored through Vitrine's own API
//! so that the files on disk are exactly what ingestion makes. A finished
//! set is kept (with its manifest) and reused by later runs with the same
//! size and seed.

use crate::servers::Vitrine;
use base64::Engine;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const PER_CONVERSATION: u64 = 100;
const PER_TOOL_RESULT: u64 = 10;
const LARGE_BYTES: usize = 100_000_000;
const LARGE_FILES: u64 = 3;
const SKILLS: u64 = 5;
/// Files up to this size count as small in the download figures.
const SMALL_BYTES: u64 = 64 * 1024;
const SAMPLES: usize = 2000;
const WRITERS: u64 = 4;

pub struct DataSet {
    pub data: PathBuf,
    pub token: String,
    pub manifest: Value,
}

impl DataSet {
    pub fn auth(&self) -> Vec<(String, String)> {
        vec![("Authorization".into(), format!("Bearer {}", self.token))]
    }

    pub fn artifacts(&self) -> u64 {
        self.manifest["artifacts"].as_u64().unwrap()
    }

    pub fn images(&self) -> u64 {
        self.manifest["images"].as_u64().unwrap()
    }

    /// Sampled files of one kind (`small`, `large`): each has `conversation_id`,
    /// `id`, `disk` (path under the data directory) and `path` (virtual).
    pub fn files(&self, kind: &str) -> &Vec<Value> {
        self.manifest[kind].as_array().unwrap()
    }

    /// Thread paths of `.skill` members: `/api/threads/{id}/artifacts/...`.
    pub fn skill_members(&self) -> Vec<String> {
        self.manifest["skill_members"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    }
}

/// The set of `n` artifacts for `seed` under `root`, generated when missing.
pub fn ensure(bin: &Path, root: &Path, n: u64, seed: u64) -> DataSet {
    let dir = root.join(format!("{n}-seed{seed}"));
    let manifest_file = dir.join("manifest.json");
    let data = dir.join("data");
    if let Ok(text) = std::fs::read_to_string(&manifest_file) {
        let manifest: Value = serde_json::from_str(&text).unwrap();
        let token = manifest["token"].as_str().unwrap().to_string();
        return DataSet { data, token, manifest };
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&data).unwrap();
    eprintln!("generating {n} artifacts (seed {seed}) in {}", dir.display());
    let started = std::time::Instant::now();
    let token = add_user(bin, &data, "bench");
    let other = add_user(bin, &data, "other");
    let set = DataSet { data: data.clone(), token: token.clone(), manifest: Value::Null };
    let server = Vitrine::start(bin, &data, &set.auth());
    let mut manifest = generate(&server.base, &token, n, seed);
    generate_other(&server.base, &other, seed);
    drop(server);
    manifest["token"] = json!(token);
    std::fs::write(&manifest_file, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());
    DataSet { data, token, manifest }
}

pub fn add_user(bin: &Path, data: &Path, name: &str) -> String {
    add_user_with(bin, data, name, &[])
}

/// As [`add_user`], with more variables (a cluster's bucket and database).
pub fn add_user_with(bin: &Path, data: &Path, name: &str, env: &[(String, String)]) -> String {
    let out = Command::new(bin)
        .args(["user", "add", name, "--password", name])
        .env("VITRINE_DATA_DIR", data)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output();
    let out = out.expect("the vitrine release binary");
    assert!(out.status.success(), "user add: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().last().unwrap().trim().to_string()
}

pub struct Api {
    base: String,
    auth: String,
    agent: ureq::Agent,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        Api { base: base.into(), auth: format!("Bearer {token}"), agent: ureq::Agent::new_with_defaults() }
    }

    pub fn post(&self, path: &str, body: &Value) -> Value {
        let url = format!("{}{path}", self.base);
        let mut res = self.agent.post(&url).header("Authorization", &self.auth).send_json(body).unwrap();
        res.body_mut().read_json().unwrap()
    }

    pub fn conversation(&self, title: &str) -> String {
        self.post("/api/conversations", &json!({ "title": title }))["id"].as_str().unwrap().to_string()
    }
}

/// A new conversation of the token's user; returns its id.
pub fn create_conversation(base: &str, token: &str) -> String {
    Api::new(base, token).conversation("Ingestion")
}

/// Writes every conversation's artifacts from `WRITERS` threads; each
/// conversation has its own random stream, so the set does not depend on
/// how the threads interleave.
fn generate(base: &str, token: &str, n: u64, seed: u64) -> Value {
    let conversations = n.div_ceil(PER_CONVERSATION);
    let results: Vec<Vec<Value>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..WRITERS)
            .map(|w| {
                s.spawn(move || {
                    let api = Api::new(base, token);
                    let mut stored = Vec::new();
                    for c in (w..conversations).step_by(WRITERS as usize) {
                        let count = PER_CONVERSATION.min(n - c * PER_CONVERSATION);
                        stored.extend(conversation(&api, seed, c, count));
                    }
                    stored
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let all: Vec<Value> = results.into_iter().flatten().collect();
    let is = |a: &Value, t: &str| a["type"] == t;
    let small: Vec<Value> = all
        .iter()
        .filter(|a| a["size"].as_u64().unwrap() <= SMALL_BYTES && !a["name"].as_str().unwrap().ends_with(".skill"))
        .step_by((all.len() / SAMPLES).max(1))
        .map(file_ref)
        .collect();
    let large: Vec<Value> =
        all.iter().filter(|a| a["size"].as_u64().unwrap() >= LARGE_BYTES as u64).map(file_ref).collect();
    let skill_members: Vec<Value> =
        all.iter().filter(|a| a["members"].is_array()).flat_map(|a| a["members"].as_array().unwrap().clone()).collect();
    json!({
        "artifacts": all.len(),
        "images": all.iter().filter(|a| is(a, "images")).count(),
        "small": small,
        "large": large,
        "skill_members": skill_members,
    })
}

fn file_ref(a: &Value) -> Value {
    let name = a["name"].as_str().unwrap();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap();
    json!({
        "conversation_id": a["conversation_id"],
        "id": a["id"],
        "disk": format!("/conversations/{}/artifacts/{}.{ext}", a["conversation_id"].as_str().unwrap(), a["id"].as_str().unwrap()),
        "path": a["path"],
    })
}

/// Conversation `c`: `count` artifacts in tool results of ten. Returns the
/// stored records; `.skill` records carry the thread paths of their members.
fn conversation(api: &Api, seed: u64, c: u64, count: u64) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (c + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let id = api.conversation(&format!("Analysis session {c}"));
    let mut stored = Vec::new();
    for first in (0..count).step_by(PER_TOOL_RESULT as usize) {
        let mut members = Vec::new();
        let artifacts: Vec<Value> = (first..(first + PER_TOOL_RESULT).min(count))
            .map(|k| {
                let (artifact, m) = artifact(&mut rng, c, k);
                members.extend(m);
                artifact
            })
            .collect();
        let body = json!({ "tool": "python_exec", "content": format!("step {first}"), "artifacts": artifacts });
        let answer = api.post(&format!("/api/conversations/{id}/tool-results"), &body);
        for a in answer["artifacts"].as_array().unwrap() {
            let mut a = a.clone();
            if a["name"].as_str().unwrap().ends_with(".skill") {
                let prefix = format!("/api/threads/{id}/artifacts/{}", a["path"].as_str().unwrap());
                a["members"] = json!(members.iter().map(|m| format!("{prefix}/{m}")).collect::<Vec<_>>());
            }
            stored.push(a);
        }
    }
    stored
}

const STEMS: &[&str] =
    &["chart", "report", "analysis", "data", "plot", "summary", "notes", "model", "output", "figure"];
const WORDS: &[&str] = &[
    "the", "model", "value", "mean", "sample", "result", "table", "series", "error", "rate", "total", "per", "group",
    "and", "of", "in", "for", "with", "is", "was", "load", "train", "score", "fit", "plot", "query", "row",
];

/// Lines of words, `size` bytes long.
pub fn text(rng: &mut ChaCha8Rng, size: usize, line: impl Fn(&mut ChaCha8Rng, String) -> String) -> String {
    let mut out = String::with_capacity(size + 80);
    while out.len() < size {
        let words: Vec<&str> = (0..rng.gen_range(3..12)).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect();
        out += &line(rng, words.join(" "));
        out.push('\n');
    }
    out.truncate(size);
    out
}

fn log_uniform(rng: &mut ChaCha8Rng, low: usize, high: usize) -> usize {
    let (l, h) = ((low as f64).ln(), (high as f64).ln());
    rng.gen_range(l..h).exp() as usize
}

/// Random bytes after a format's magic number, log-uniformly sized.
pub fn binary(rng: &mut ChaCha8Rng, magic: &[u8], low: usize, high: usize) -> Value {
    let size = if low == high { low } else { log_uniform(rng, low, high) };
    let mut bytes = vec![0u8; size.max(magic.len())];
    rng.fill(&mut bytes[..]);
    bytes[..magic.len()].copy_from_slice(magic);
    json!(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// One artifact of the mix: mostly small text and images, a few large files
/// and skills at fixed places. Returns the artifact and a skill's members.
fn artifact(rng: &mut ChaCha8Rng, c: u64, k: u64) -> (Value, Vec<String>) {
    let stem = STEMS[rng.gen_range(0..STEMS.len())];
    let folder = if rng.gen_bool(0.2) { "plots/" } else { "" };
    let name = |ext: &str| format!("{folder}{stem}-{c}-{k}.{ext}");
    if c < LARGE_FILES && k == 0 {
        return (
            json!({ "name": format!("dataset-{c}.bin"), "content_base64": binary(rng, b"", LARGE_BYTES, LARGE_BYTES) }),
            vec![],
        );
    }
    if c < SKILLS && k == 1 {
        let (bytes, members) = skill(rng);
        let content = base64::engine::general_purpose::STANDARD.encode(bytes);
        return (json!({ "name": format!("toolkit-{c}.skill"), "content_base64": content }), members);
    }
    let roll = rng.gen_range(0..100);
    let a = match roll {
        0..30 => json!({ "name": name("png"), "content_base64": binary(rng, b"\x89PNG\r\n\x1a\n", 4 << 10, 96 << 10) }),
        30..38 => {
            json!({ "name": name("jpg"), "content_base64": binary(rng, b"\xff\xd8\xff\xe0", 8 << 10, 128 << 10) })
        }
        38..43 => {
            let size = log_uniform(rng, 512, 6 << 10);
            let body = text(rng, size, |r, w| {
                format!("<text x=\"{}\" y=\"{}\">{w}</text>", r.gen_range(0..400), r.gen_range(0..300))
            });
            json!({ "name": name("svg"), "text": format!("<svg xmlns=\"http://www.w3.org/2000/svg\">\n{body}</svg>\n") })
        }
        43..53 => {
            let size = log_uniform(rng, 1 << 10, 24 << 10);
            let body = text(rng, size, |_, w| format!("<p>{w}</p>"));
            json!({ "name": name("html"), "text": format!("<!doctype html><title>{stem}</title>\n{body}") })
        }
        53..73 => {
            let ext = ["py", "js", "ts", "json", "sql", "md"][rng.gen_range(0..6)];
            let size = log_uniform(rng, 200, 12 << 10);
            json!({ "name": name(ext), "text": text(rng, size, |r, w| format!("x_{} = \"{w}\"", r.gen_range(0..1000))) })
        }
        73..88 => {
            let ext = ["txt", "csv", "log"][rng.gen_range(0..3)];
            let size = log_uniform(rng, 200, 32 << 10);
            json!({ "name": name(ext), "text": text(rng, size, |r, w| format!("{},{w}", r.gen_range(0..100_000))) })
        }
        _ => {
            let (ext, magic): (&str, &[u8]) =
                [("pdf", b"%PDF-1.7\n" as &[u8]), ("wav", b"RIFF"), ("bin", b"")][rng.gen_range(0..3)];
            json!({ "name": name(ext), "content_base64": binary(rng, magic, 16 << 10, 1 << 20) })
        }
    };
    (a, vec![])
}

/// A `.skill` archive with hundreds of members.
pub fn skill(rng: &mut ChaCha8Rng) -> (Vec<u8>, Vec<String>) {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut members = vec!["SKILL.md".to_string()];
    for i in 0..rng.gen_range(300..600) {
        members.push(if i % 3 == 0 { format!("scripts/tool_{i}.py") } else { format!("docs/page-{i}.md") });
    }
    for m in &members {
        zip.start_file(m.as_str(), options).unwrap();
        let size = log_uniform(rng, 500, 4 << 10);
        zip.write_all(text(rng, size, |_, w| format!("- {w}")).as_bytes()).unwrap();
    }
    (zip.finish().unwrap().into_inner(), members)
}

/// The second user: two conversations of twenty artifacts.
fn generate_other(base: &str, token: &str, seed: u64) {
    let api = Api::new(base, token);
    let mut rng = ChaCha8Rng::seed_from_u64(!seed);
    for c in 0..2 {
        let id = api.conversation(&format!("Other user's session {c}"));
        let artifacts: Vec<Value> = (0..20).map(|k| artifact(&mut rng, 1000 + c, k + 2).0).collect();
        api.post(
            &format!("/api/conversations/{id}/tool-results"),
            &json!({ "tool": "code_exec", "artifacts": artifacts }),
        );
    }
}
