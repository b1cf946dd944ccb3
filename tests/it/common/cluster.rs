//! Two real `vitrine serve` processes on one store and one database, as
//! `make run-cluster` runs them (docs/scaling.md, "Tests"): for remote runs,
//! on a bucket prefix and a schema of their own in the run's services (those
//! of a test server on `shared`), each instance with a data directory of its
//! own; and Debian's nginx in front of both, when it is installed.

use super::process::{self, free_port, Server};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub struct Cluster {
    /// Names the prefix and schema; the data directory of `vitrine user add`.
    shared: TempDir,
    instances: [Instance; 2],
    nginx: Option<Nginx>,
}

struct Instance {
    dir: TempDir,
    /// Kept through restarts, for nginx's upstream.
    port: u16,
    server: Option<Server>,
}

impl Cluster {
    /// Both started.
    pub fn started() -> Self {
        let instance = || Instance { dir: tempfile::tempdir().unwrap(), port: free_port(), server: None };
        let mut cluster =
            Self { shared: tempfile::tempdir().unwrap(), instances: [instance(), instance()], nginx: None };
        cluster.start(0);
        cluster.start(1);
        cluster
    }

    /// Starts instance `i` (0 is a, 1 is b), again on its port after a kill.
    pub fn start(&mut self, i: usize) {
        let mut command = process::command(self.shared.path());
        let instance = &mut self.instances[i];
        command.env("VITRINE_DATA_DIR", instance.dir.path()).env("VITRINE_INSTANCE", ["a", "b"][i]);
        assert!(instance.server.is_none(), "instance {i} runs already");
        instance.server = Some(Server::spawn(command, instance.port, &[], "error", Stdio::null()));
    }

    /// SIGKILL of instance `i`.
    pub fn kill(&mut self, i: usize) {
        self.instances[i].server.take().expect("a running instance").kill();
    }

    /// Instance `i`'s own address, `http://127.0.0.1:…`.
    pub fn base(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.instances[i].port)
    }

    /// Creates a user with `vitrine user add` on the shared database; returns its API token.
    pub fn user(&self, name: &str) -> String {
        process::add_user(self.shared.path(), name)
    }

    /// nginx's address in front of both instances (round-robin), started
    /// on first use; `None` when nginx is not installed.
    pub fn front(&mut self) -> Option<String> {
        if self.nginx.is_none() {
            let ports = self.instances.each_ref().map(|i| i.port);
            self.nginx = Nginx::start(self.shared.path(), ports);
        }
        self.nginx.as_ref().map(|n| n.base.clone())
    }
}

/// nginx with the configuration of `make run-cluster` (`scripts/cluster.sh nginx-conf`).
struct Nginx {
    child: Child,
    base: String,
}

impl Nginx {
    fn start(scratch: &Path, upstream: [u16; 2]) -> Option<Nginx> {
        if Command::new("nginx").arg("-v").stderr(Stdio::null()).status().is_err() {
            eprintln!("nginx is not installed: the instances are reached directly only");
            return None;
        }
        let port = free_port();
        let dir = scratch.join("nginx");
        std::fs::create_dir_all(&dir).unwrap();
        let conf = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cluster.sh"))
            .arg("nginx-conf")
            .arg(&dir)
            .args([port, upstream[0], upstream[1]].map(|p| p.to_string()))
            .output()
            .unwrap();
        assert!(conf.status.success(), "cluster.sh nginx-conf");
        std::fs::write(dir.join("nginx.conf"), conf.stdout).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while process::agent().get(&format!("{base}/healthz")).call().map_or(true, |r| r.status() != 200) {
            let log = dir.join("nginx-error.log");
            assert!(started.elapsed() < Duration::from_secs(30), "nginx did not start: see {}", log.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Nginx { child, base })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, nginx's fast stop: its workers leave with it (after a
        // SIGKILL of the master they would keep serving).
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}
