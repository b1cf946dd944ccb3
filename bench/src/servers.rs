//! The two servers under load: Vitrine's release binary and Debian's nginx,
//! each on a free loopback port, serving the same data directory.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// Polls `url` until it answers 200, for at most a minute.
fn wait_for(url: &str, headers: &[(String, String)], child: &mut Child) {
    let started = Instant::now();
    loop {
        let mut req = agent().get(url);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if req.call().is_ok_and(|r| r.status() == 200) {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{url}: the server exited ({status})");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{url} did not answer");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

pub struct Vitrine {
    child: Child,
    pub base: String,
    /// From spawning the process to the first answered listing.
    pub startup: Duration,
}

impl Vitrine {
    /// `vitrine serve` on `data`; returns once `probe` (an authenticated
    /// listing, so the index is built) answers.
    pub fn start(bin: &Path, data: &Path, auth: &[(String, String)]) -> Vitrine {
        Vitrine::start_with(bin, data, auth, &[])
    }

    /// As [`Vitrine::start`], with more variables (a cluster instance's
    /// bucket and database).
    pub fn start_with(bin: &Path, data: &Path, auth: &[(String, String)], env: &[(String, String)]) -> Vitrine {
        let addr = format!("127.0.0.1:{}", free_port());
        let started = Instant::now();
        let mut child = Command::new(bin)
            .arg("serve")
            .env("VITRINE_DATA_DIR", data)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("LEPTOS_OUTPUT_NAME", "vitrine")
            .env("RUST_LOG", "error")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .spawn()
            .expect("the vitrine release binary (make build)");
        let base = format!("http://{addr}");
        wait_for(&format!("{base}/api/artifacts?size=1"), auth, &mut child);
        Vitrine { child, base, startup: started.elapsed() }
    }

    /// Resident memory now, in MiB.
    pub fn rss_mib(&self) -> f64 {
        proc_status_kib(self.child.id(), "VmRSS:") as f64 / 1024.0
    }

    /// The most resident memory so far, in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        proc_status_kib(self.child.id(), "VmHWM:") as f64 / 1024.0
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Vitrine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Under this prefix nginx answers any GET with a two-byte body: the
/// client ceiling, how many requests a second the load generator itself can
/// drive when the server does next to nothing.
pub const CEILING: &str = "/ceiling";

pub struct Nginx {
    child: Child,
    pub base: String,
}

impl Nginx {
    /// nginx serving `data/conversations/` as static files, configured the
    /// way one would for this job: sendfile, no access log, long keep-alive;
    /// and the trivial answer under [`CEILING`].
    pub fn start(data: &Path, scratch: &Path, probe: &str) -> Nginx {
        let port = free_port();
        std::fs::create_dir_all(scratch.join("logs")).unwrap();
        let conf = format!(
            "user root;
worker_processes auto;
pid {scratch}/nginx.pid;
error_log {scratch}/logs/error.log error;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path {scratch}/body;
  proxy_temp_path {scratch}/proxy;
  fastcgi_temp_path {scratch}/fastcgi;
  uwsgi_temp_path {scratch}/uwsgi;
  scgi_temp_path {scratch}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {data};
    location /conversations/ {{ }}
    location {ceiling}/ {{ default_type text/plain; return 200 \"ok\"; }}
  }}
}}
",
            scratch = scratch.display(),
            data = data.display(),
            ceiling = CEILING,
        );
        let file = scratch.join("nginx.conf");
        std::fs::write(&file, conf).unwrap();
        let mut child = Command::new("nginx")
            .args(["-p"])
            .arg(scratch)
            .arg("-c")
            .arg(&file)
            .args(["-g", "daemon off;"])
            .spawn()
            .expect("nginx (make bench installs Debian's nginx-light)");
        let base = format!("http://127.0.0.1:{port}");
        wait_for(&format!("{base}{probe}"), &[], &mut child);
        Nginx { child, base }
    }
}

impl Nginx {
    /// The worker processes, which serve every request.
    pub fn workers(&self) -> Vec<u32> {
        crate::cpu::children_of(self.child.id())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT is nginx's graceful stop; the workers leave with the master.
        quit(self.child.id());
        let _ = self.child.wait();
    }
}

fn quit(pid: u32) {
    let _ = Command::new("kill").args(["-QUIT", &pid.to_string()]).status();
}
