//! One load run: Debian's `wrk` in its own process, reporting through a Lua
//! `done` hook so that nothing has to be scraped from its human-readable
//! summary. A load of one path is wrk's static request (no Lua per request);
//! a load of many paths runs a Lua `request` function for each request,
//! which costs the client several times more CPU per request.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// What to send: the paths are requested in turn, each connection
/// continuing where the last request left off.
pub struct Load {
    pub paths: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// What each request sends beside its path.
pub enum Body {
    /// A GET.
    None,
    /// The same JSON POSTed every time.
    Json(String),
    /// JSON POSTed with [`NUMBER`] replaced by a number counted per
    /// request (from 1 in each run): each request a new artifact, where
    /// the same bytes again would make no version.
    NumberedJson(String),
    /// The same bytes PUT every time (to a presigned URL).
    Put(String),
}

/// Where [`Body::NumberedJson`] takes its number.
pub const NUMBER: &str = "{n}";

impl Load {
    pub fn get(paths: Vec<String>, headers: &[(String, String)]) -> Load {
        Load { paths, headers: headers.to_vec(), body: Body::None }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub requests: f64,
    pub requests_per_sec: f64,
    pub bytes_per_sec: f64,
    pub p50_ms: f64,
    /// Socket errors and answers outside 2xx/3xx.
    pub errors: u64,
    /// wrk's own CPU time over its run, in cores (1.0 is one core busy).
    pub client_cpu: f64,
}

fn lua_string(s: &str) -> String {
    assert!(!s.contains("]==]"));
    format!("[==[{s}]==]")
}

fn script(load: &Load) -> String {
    let paths: Vec<String> = load.paths.iter().map(|p| lua_string(p)).collect();
    let mut lua = format!("local paths = {{{}}}\nlocal i = 0\n", paths.join(",\n"));
    for (name, value) in &load.headers {
        lua += &format!("wrk.headers[ {} ] = {}\n", lua_string(name), lua_string(value));
    }
    let post_json = "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n";
    match &load.body {
        Body::None => {}
        Body::Json(body) => lua += &format!("{post_json}wrk.body = {}\n", lua_string(body)),
        // Its body is made by `request` below.
        Body::NumberedJson(_) => lua += post_json,
        Body::Put(body) => lua += &format!("wrk.method = \"PUT\"\nwrk.body = {}\n", lua_string(body)),
    }
    if let Body::NumberedJson(body) = &load.body {
        let (before, after) = body.split_once(NUMBER).expect("a numbered body names its number");
        lua += &format!(
            r#"
local before, after, n = {}, {}, 0
request = function()
  i = i % #paths + 1
  n = n + 1
  return wrk.format(nil, paths[i], nil, before .. n .. after)
end
"#,
            lua_string(before),
            lua_string(after)
        );
    } else if load.paths.len() > 1 {
        // Without a `request` function wrk formats the request once and
        // sends the same bytes every time, as plain `wrk URL` does.
        lua += r#"
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
"#;
    }
    lua += r#"
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", s.requests, s.duration, s.bytes,
    e.connect + e.read + e.write + e.timeout + e.status, latency:percentile(50)))
end
"#;
    lua
}

/// Runs `load` against `base` with `connections` spread over `threads` wrk
/// threads for `seconds`.
pub fn run(base: &str, load: &Load, connections: u32, threads: u32, seconds: u32, scratch: &Path) -> Outcome {
    let file = scratch.join("load.lua");
    std::fs::write(&file, script(load)).unwrap();
    let scripted = load.paths.len() > 1 || matches!(load.body, Body::NumberedJson(_));
    let url = if scripted { base.to_string() } else { format!("{base}{}", load.paths[0]) };
    let (cpu_before, started) = (crate::cpu::children_secs(), Instant::now());
    let out = Command::new("wrk")
        .args([&format!("-t{threads}"), &format!("-c{connections}"), &format!("-d{seconds}s"), "--timeout", "10s"])
        .arg("-s")
        .arg(&file)
        .arg(url)
        .output()
        .expect("wrk (make bench installs Debian's package)");
    let client_cpu = (crate::cpu::children_secs() - cpu_before) / started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .unwrap_or_else(|| panic!("wrk printed no result:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let n: Vec<f64> = line.split_whitespace().map(|v| v.parse().unwrap()).collect();
    let secs = n[1] / 1e6;
    Outcome {
        requests: n[0],
        requests_per_sec: n[0] / secs,
        bytes_per_sec: n[2] / secs,
        errors: n[3] as u64,
        p50_ms: n[4] / 1e3,
        client_cpu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_body_is_made_per_request_around_its_number() {
        let load = Load {
            paths: vec!["/p".into()],
            headers: Vec::new(),
            body: Body::NumberedJson(format!(r#"{{"name": "r-{NUMBER}.txt"}}"#)),
        };
        let lua = script(&load);
        assert!(lua.contains(r#"local before, after, n = [==[{"name": "r-]==], [==[.txt"}]==], 0"#), "{lua}");
        assert!(lua.contains("before .. n .. after"));
        assert!(!lua.contains(NUMBER));
    }
}
