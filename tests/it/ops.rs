//! What an operator relies on: `/healthz` and `/readyz`, the settings
//! (`Leptos.toml`, then the environment, then flags), start-up errors that
//! name the wrong setting, and log lines that name the instance.

use crate::common::process::{agent, bin, Server};
use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use vitrine::server::config::Settings;

#[tokio::test]
async fn healthz_answers_on_the_app_host_without_credentials() {
    let app = TestApp::new();
    let r = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "status": "ok" }));
    // Not on the content origin, whose addresses are agents' files.
    let req = Request::get("/healthz").header(header::HOST, "usercontent.localhost:3000").body(Body::empty());
    assert_eq!(app.send(req.unwrap()).await.status, 404);
}

#[tokio::test]
async fn readyz_checks_the_data_directory_and_the_database() {
    let app = TestApp::with(|c| c.instance = "web-7".into());
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let ready = json!({ "status": "ready", "instance": "web-7", "checks": { "store": "ok", "database": "ok" } });
    assert_eq!(r.json(), ready);
    // The data directory replaced by a file: no file can be made in it,
    // whoever the tests run as (root writes through a chmod).
    let dir = app.dir.path().to_path_buf();
    let aside = dir.with_extension("aside");
    std::fs::rename(&dir, &aside).unwrap();
    std::fs::write(&dir, b"not a directory").unwrap();
    let r = app.call(Method::GET, "/readyz", None, None).await;
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&aside, &dir).unwrap();
    assert_eq!(r.status, 503, "{}", r.text());
    let detail = r.json()["detail"].as_str().unwrap().to_string();
    assert!(detail.starts_with("Not ready: store: data directory cannot be written: "), "{detail}");
    assert_eq!(r.json()["checks"]["database"], "ok");
    assert_eq!(app.call(Method::GET, "/readyz", None, None).await.status, 200);
}

/// A database that does not answer (its connection held) fails readiness
/// after the check's time limit, instead of holding the balancer's request.
#[tokio::test]
async fn readyz_does_not_wait_on_a_stuck_database() {
    // SQLite's connection, held.
    if crate::common::local_only() {
        return;
    }
    let app = TestApp::new();
    let db = app.sqlite().clone();
    let (held, hold) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        db.run_blocking(|_| {
            held.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_secs(4));
            Ok(())
        })
    });
    hold.recv().unwrap();
    // Answered while the database is held, by its time-out.
    let r = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["detail"], "Not ready: database: no answer within 2 s");
    assert_eq!(r.json()["checks"]["store"], "ok");
    holder.join().unwrap().unwrap();
}

fn file(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("settings.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn load(file: &Path, env: &[(&str, &str)], flags: &Settings) -> Result<Settings, String> {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Settings::load(Some(file), |name| env.get(name).cloned(), flags).map_err(|e| e.to_string())
}

#[test]
fn the_environment_overrides_the_file_and_flags_override_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(
        dir.path(),
        "instance = \"from-file\"\nmax_upload_files = 3\nfile_cache_mib = 8\nsharing = true\n\
         data_dir = \"/srv/vitrine\"\nsite_addr = \"0.0.0.0:8080\"\n",
    );
    let env = [("VITRINE_FILE_CACHE_MIB", "16"), ("VITRINE_MAX_UPLOAD_FILES", "4"), ("VITRINE_SHARING", "off")];
    let flags = Settings { max_upload_files: Some(5), ..Settings::default() };
    let config = load(&path, &env, &flags).unwrap().config();
    assert_eq!(config.instance, "from-file");
    assert_eq!(config.file_cache_bytes, 16 * 1024 * 1024);
    assert_eq!(config.uploads.max_files, 5);
    assert!(!config.sharing.enabled);
    assert_eq!(config.data_dir, Path::new("/srv/vitrine"));
    assert_eq!(config.site_addr, Some("0.0.0.0:8080".parse().unwrap()));
    // Unset everywhere: the default.
    assert_eq!(config.max_artifact_bytes, 100 * 1024 * 1024);
    let config = load(&path, &[("LEPTOS_SITE_ADDR", "127.0.0.1:4000")], &Settings::default()).unwrap().config();
    assert_eq!(config.site_addr, Some("127.0.0.1:4000".parse().unwrap()));
    assert_eq!(config.uploads.max_files, 3);
}

#[test]
fn a_wrong_setting_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let none = Settings::default();
    let path = file(dir.path(), "max_upload_files = 3\ncolour = \"blue\"\n");
    let e = load(&path, &[], &none).unwrap_err();
    let shown = path.display();
    assert!(e.starts_with(&format!("{shown}: unknown setting `colour` (known: site_addr, instance, ")), "{e}");
    let path = file(dir.path(), "file_cache_mib = \"abc\"\n");
    assert_eq!(
        load(&path, &[], &none).unwrap_err(),
        format!("{shown}: file_cache_mib: expected a whole number, got \"abc\"")
    );
    let path = file(dir.path(), "sign_in_per_account = 0\n");
    assert_eq!(
        load(&path, &[], &none).unwrap_err(),
        format!("{shown}: sign_in_per_account: expected a whole number from 1, got 0")
    );
    let path = file(dir.path(), "# a comment\nmax_connections = = 3\n");
    assert!(load(&path, &[], &none).unwrap_err().starts_with(&format!("{shown}: line 2: ")));
    let path = file(dir.path(), "");
    let e = load(&path, &[("VITRINE_FILE_CACHE_MIB", "abc")], &none).unwrap_err();
    assert_eq!(e, "VITRINE_FILE_CACHE_MIB: expected a whole number, got \"abc\"");
    let e = load(&path, &[("VITRINE_SHARE_NO_EXPIRY", "maybe")], &none).unwrap_err();
    assert_eq!(e, "VITRINE_SHARE_NO_EXPIRY: expected on or off, got \"maybe\"");
    let e = load(&path, &[("VITRINE_LOG_FORMAT", "xml")], &none).unwrap_err();
    assert!(e.starts_with("VITRINE_LOG_FORMAT: unknown variant `xml`"), "{e}");
    let e = load(&path, &[("VITRINE_CONTENT_ORIGIN", "ftp://x")], &none).unwrap_err();
    assert_eq!(e, "VITRINE_CONTENT_ORIGIN: not an http(s) origin: ftp://x");
    let missing = dir.path().join("missing.toml");
    assert!(load(&missing, &[], &none).unwrap_err().starts_with(&format!("{}: ", missing.display())));
}

/// `vitrine serve` with `env` and `args`: its status and standard error,
/// with logs off.
fn serve_fails(data: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let out = Command::new(bin())
        .arg("serve")
        .args(args)
        .env("VITRINE_DATA_DIR", data)
        .env("LEPTOS_OUTPUT_NAME", "vitrine")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "off")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn start_up_errors_are_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let e = serve_fails(&data, &[("VITRINE_FILE_CACHE_MIB", "abc")], &[]);
    assert_eq!(e, "error: VITRINE_FILE_CACHE_MIB: expected a whole number, got \"abc\"\n");
    let e = serve_fails(&data, &[("LEPTOS_SITE_ADDR", "localhost")], &[]);
    assert_eq!(e, "error: LEPTOS_SITE_ADDR: invalid socket address syntax\n");
    let path = file(dir.path(), "max_upload_files = 3\ncolour = \"blue\"\n");
    let e = serve_fails(&data, &[], &["--config", path.to_str().unwrap()]);
    assert!(e.starts_with(&format!("error: {}: unknown setting `colour` (known: ", path.display())), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    let missing = dir.path().join("missing.toml");
    let e = serve_fails(&data, &[], &["--config", missing.to_str().unwrap()]);
    assert_eq!(e, format!("error: {}: No such file or directory (os error 2)\n", missing.display()));
    // A data directory beneath a file cannot be made, whoever runs this.
    let under_file = path.join("data");
    let e = serve_fails(&under_file, &[], &[]);
    assert_eq!(
        e,
        format!("error: data_dir {}: cannot be created: Not a directory (os error 20)\n", under_file.display())
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let e = serve_fails(&data, &[("LEPTOS_SITE_ADDR", &addr)], &[]);
    assert_eq!(e, format!("error: site_addr {addr}: cannot listen: Address already in use (os error 98)\n"));
}

/// The settings file of a running server names the instance and asks for
/// JSON logs: `/readyz` says the name, and every log line is a JSON object
/// that carries it.
#[test]
fn logs_and_readyz_name_the_instance() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let settings = file(dir.path(), "instance = \"from-file\"\nlog_format = \"json\"\n");
    let log_path = dir.path().join("log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = Server::start_logging(&data, &["--config", settings.to_str().unwrap()], "info", log);
    let ready: Value = agent().get(&format!("{}/readyz", server.base)).call().unwrap().body_mut().read_json().unwrap();
    assert_eq!(ready["instance"], "from-file");
    // A refused sign-in is logged at info.
    agent().post(&format!("{}/login", server.base)).send_form([("name", "nobody"), ("password", "x")]).unwrap();
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["fields"]["message"] == "sign-in refused"), "{log}");
    assert!(lines.iter().all(|l| l["instance"] == "from-file" && l["level"].is_string()), "{log}");
    // A flag overrides the file.
    let server = Server::start(&data, &["--config", settings.to_str().unwrap(), "--instance", "from-flag"]);
    let ready: Value = agent().get(&format!("{}/readyz", server.base)).call().unwrap().body_mut().read_json().unwrap();
    assert_eq!(ready["instance"], "from-flag");
}
