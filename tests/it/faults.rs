//! The store or the database going away under a running instance (remote
//! runs only): a clear 503 meanwhile, nothing half-visible, success once it
//! is back. On a SeaweedFS and PostgreSQL of their own (`scripts/services.sh
//! start faults`, stopped with the others by scripts/test-remote.sh), never
//! the pair the other tests use; one test at a time.

use crate::cluster::{bearer, conversation, get, tool_result, Auth};
use crate::common;
use crate::common::process::{self, free_port, Server};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SERVICES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/services.sh");

/// The pair's name for services.sh: its state is target/services-faults.
const PAIR: &str = "faults";

/// Held by the test that stops and starts the pair.
static SERIAL: Mutex<()> = Mutex::new(());

/// `services.sh what faults`.
fn services(what: &str) {
    let status = Command::new(SERVICES).args([what, PAIR]).stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "services.sh {what} {PAIR}");
}

/// The pair started (or found running), and its variables.
fn pair() -> HashMap<String, String> {
    services("start");
    let env = concat!(env!("CARGO_MANIFEST_DIR"), "/target/services-faults/env");
    let env = std::fs::read_to_string(env).unwrap();
    env.lines()
        .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `vitrine` on `data`, its objects under `prefix` in the pair's bucket,
/// its rows in the pair's database.
fn command(env: &HashMap<String, String>, data: &Path, prefix: &str) -> Command {
    let mut command = Command::new(process::bin());
    for name in
        ["VITRINE_S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "VITRINE_DATABASE_URL"]
    {
        command.env(name, &env[name]);
    }
    command.env("VITRINE_DATA_DIR", data).env("VITRINE_STORE", format!("s3://{}/{prefix}", env["VITRINE_S3_BUCKET"]));
    command
}

/// An instance on the pair with a user `name`: the server, its address and
/// the user's token.
fn instance(env: &HashMap<String, String>, data: &Path, name: &str) -> (Server, String, Auth) {
    let token = process::user_add(command(env, data, name), name);
    let server = Server::spawn(command(env, data, name), free_port(), &[], "error", Stdio::null());
    let base = server.base.clone();
    (server, base, bearer(&token))
}

/// The names of the conversation's files, from its transcript.
fn names_in(base: &str, auth: &Auth, conversation: &str) -> Vec<String> {
    let (status, thread) = get(&format!("{base}/api/conversations/{conversation}"), auth);
    assert_eq!(status, 200, "{thread}");
    let messages = thread["messages"].as_array().unwrap().iter();
    let artifacts = messages.flat_map(|m| m["artifacts"].as_array().unwrap());
    artifacts.map(|a: &Value| a["name"].as_str().unwrap().to_string()).collect()
}

/// Stores the file `name` (whose bytes are its name) in a message of its
/// own: `Ok` on 201, the detail of a 503; any other answer fails the test.
fn write(base: &str, auth: &Auth, c: &str, name: &str) -> Result<(), String> {
    let (status, answer) = tool_result(base, auth, c, name, name.as_bytes()).expect("an answer");
    match status {
        201 => Ok(()),
        503 => Err(answer["detail"].as_str().unwrap_or_default().to_string()),
        _ => panic!("{name}: {status} {answer}"),
    }
}

/// Writes `name` until it is stored, within a minute; every refusal says `detail`.
fn write_once_back(base: &str, auth: &Auth, c: &str, name: &str, detail: &str) {
    let started = Instant::now();
    while let Err(said) = write(base, auth, c, name) {
        assert!(said.starts_with(detail), "{said}");
        assert!(started.elapsed() < Duration::from_secs(60), "still refused: {said}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn storage_stopped_mid_ingest_is_unavailable_then_back() {
    if common::remote_only() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let env = pair();
    let data = tempfile::tempdir().unwrap();
    let (_server, base, auth) = instance(&env, data.path(), "storage");
    let c = conversation(&base, &auth);

    // Writing while SeaweedFS stops, on until a write is refused.
    let (stored, refusal) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut stored = vec![];
            for n in 0..100_000 {
                let name = format!("f-{n}.txt");
                match write(&base, &auth, &c, &name) {
                    Ok(()) => stored.push(name),
                    Err(detail) => return (stored, detail),
                }
            }
            panic!("no write refused once the store stopped");
        });
        std::thread::sleep(Duration::from_millis(500));
        services("stop-s3");
        writer.join().unwrap()
    });
    assert!(refusal.starts_with("Storage unavailable: "), "{refusal}");
    assert!(!stored.is_empty(), "writes before it stopped");
    services("start-s3");
    write_once_back(&base, &auth, &c, "after.txt", "Storage unavailable: ");
    let mut expected = stored;
    expected.push("after.txt".into());
    assert_eq!(names_in(&base, &auth, &c), expected, "the stored files, and no other");
}

#[test]
fn database_restarted_is_unavailable_then_back() {
    if common::remote_only() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let env = pair();
    let data = tempfile::tempdir().unwrap();
    let (_server, base, auth) = instance(&env, data.path(), "database");
    let c = conversation(&base, &auth);
    write(&base, &auth, &c, "before.txt").unwrap();

    services("stop-pg");
    let refusal = write(&base, &auth, &c, "during.txt").unwrap_err();
    assert!(refusal.starts_with("Database unavailable: "), "{refusal}");
    let (status, ready) = get(&format!("{base}/readyz"), &auth);
    assert_eq!(status, 503, "{ready}");
    services("start-pg");
    write_once_back(&base, &auth, &c, "after.txt", "Database unavailable: ");
    assert_eq!(names_in(&base, &auth, &c), ["before.txt", "after.txt"], "the stored files, and no other");
}
