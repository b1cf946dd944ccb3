//! The real `vitrine` binary as a separate process on a free loopback port,
//! for what `oneshot` cannot show: kills, sockets, timeouts.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test; `VITRINE_BIN` may name another build (the release one, for load).
pub fn bin() -> String {
    std::env::var("VITRINE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_vitrine").to_string())
}

pub struct Server {
    child: Child,
    pub addr: String,
    pub base: String,
}

impl Server {
    /// `vitrine serve` on `data` with extra arguments; returns once it answers.
    pub fn start(data: &Path, args: &[&str]) -> Server {
        Self::start_logging(data, args, "error", Stdio::null())
    }

    /// The same, logging at `level` (`RUST_LOG`) to `log`.
    pub fn start_logging(data: &Path, args: &[&str], level: &str, log: impl Into<Stdio>) -> Server {
        Self::spawn(command(data), free_port(), args, level, log)
    }

    /// `serve` of `command` (a `vitrine` with its settings) on `port`, logging
    /// at `level` to `log`; returns once it answers.
    pub fn spawn(mut command: Command, port: u16, args: &[&str], level: &str, log: impl Into<Stdio>) -> Server {
        let addr = format!("127.0.0.1:{port}");
        let child = command
            .arg("serve")
            .args(args)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("LEPTOS_OUTPUT_NAME", "vitrine")
            .env("RUST_LOG", level)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let base = format!("http://{addr}");
        let started = Instant::now();
        while ureq::get(&format!("{base}/login")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(60), "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, addr, base }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL (Child::kill on Unix): no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port free when asked.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `vitrine` on the data directory `data`, with the bucket and database of
/// a test server on it when the tests run remote.
pub fn command(data: &Path) -> Command {
    let mut command = Command::new(bin());
    command.env("VITRINE_DATA_DIR", data);
    // The endpoint and credentials are the test's own environment.
    if let Some(store) = super::remote_store(data) {
        command.env("VITRINE_STORE", store);
    }
    if let Some(database) = super::remote_database(data) {
        command.env("VITRINE_DATABASE_URL", database);
    }
    command
}

/// Creates a user with `vitrine user add`, password `secret-password` (as
/// `TestApp::user`'s); returns its API token.
pub fn add_user(data: &Path, name: &str) -> String {
    user_add(command(data), name)
}

/// `user add` of `command` (a `vitrine` with its settings), as [`add_user`].
pub fn user_add(mut command: Command, name: &str) -> String {
    let out = command.args(["user", "add", name]).env("VITRINE_PASSWORD", "secret-password").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().last().unwrap().trim().to_string()
}

/// An HTTP client that reports 4xx and 5xx as answers, not errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}
