//! `vitrine migrate --to s3://…`, the real binary: a data directory made by
//! an app on local storage, copied into a fresh prefix of the services'
//! bucket, then served from there with the same data directory. Copying
//! needs the bucket: those tests run remote only.

use crate::common::{self, process, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;
use vitrine::server::store::blobs::{card_key, Blobs};

/// Runs `vitrine migrate` on the data directory `dir`, with the test's
/// environment (the services' endpoint and credentials) and `env` added.
fn migrate(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(process::bin());
    command.arg("migrate").args(args).env("VITRINE_DATA_DIR", dir).env_remove("VITRINE_STORE");
    command.envs(env.iter().copied()).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An app whose artifacts are in its data directory, whatever the mode.
fn local_app() -> TestApp {
    TestApp::with(|c| {
        c.store = None;
        c.s3_endpoint = None;
    })
}

/// Stops the app; its data directory stays.
fn stop(app: TestApp) -> TempDir {
    let TestApp { dir, state, router } = app;
    drop((state, router));
    dir
}

/// Where `migrate` copies `dir`'s artifacts: the prefix an app on `dir`
/// uses in the services' bucket (`common::config`), fresh, as the app that
/// made them kept them in `dir`.
fn target(dir: &Path) -> String {
    common::remote_store(dir).expect("the tests run remote")
}

/// Every artifact of the conversations as listed, and every version of
/// each, with its bytes as downloaded.
async fn everything(app: &TestApp, token: &str, conversations: &[&str]) -> Vec<(Value, Vec<u8>)> {
    let mut found = Vec::new();
    for c in conversations {
        let listing = app.get(&format!("/api/conversations/{c}/artifacts"), token).await.json();
        for item in listing["items"].as_array().unwrap() {
            let url = item["url"].as_str().unwrap();
            for version in app.get(&format!("{url}/versions"), token).await.json()["items"].as_array().unwrap() {
                let r = app.get(version["url"].as_str().unwrap(), token).await;
                assert_eq!(r.status, StatusCode::OK, "{version}");
                found.push((json!({ "artifact": item, "version": version }), r.body));
            }
        }
    }
    found
}

#[tokio::test]
async fn a_migrated_data_directory_serves_the_same_artifacts_from_the_bucket() {
    if common::remote_only() {
        return;
    }
    let app = local_app();
    let token = app.user("alice");
    let (c1, c2) = (app.conversation(&token, "one").await, app.conversation(&token, "two").await);
    let c3 = app.conversation(&token, "three").await;
    let skill = crate::threads::skill_archive();
    let r = app.tool_result(&token, &c1, &[("a.txt", b"one"), ("my-skill.skill", &skill)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json()["artifacts"][0]["url"].as_str().unwrap().to_string();
    assert_eq!(app.tool_result(&token, &c1, &[("a.txt", b"two")]).await.status, StatusCode::CREATED);
    let restored = app.post(&format!("{a}/versions/1/restore"), &token, Value::Null).await;
    assert_eq!(restored.status, StatusCode::CREATED, "{}", restored.text());
    // Past 8 MiB: streamed up in parts.
    let big: Vec<u8> = (0..20 * 1024 * 1024 + 7).map(|i| (i % 251) as u8).collect();
    let r = crate::uploads::upload(&app, &token, &c2, &[("data.csv", b"a,b\n1,2\n"), ("big.bin", &big)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(app.tool_result(&token, &c3, &[("notes.md", b"# notes")]).await.status, StatusCode::CREATED);
    let conversations = [c1.as_str(), &c2, &c3];
    let before = everything(&app, &token, &conversations).await;
    assert_eq!(before.len(), 8, "a.txt 1 to 3, my-skill.skill, data.csv, its data.md, big.bin, notes.md");
    // A card of a listed version (an artifact's id is its version 1's) goes
    // with it; one of no version stays behind.
    let version: uuid::Uuid = before[0].0["artifact"]["id"].as_str().unwrap().parse().unwrap();
    let blobs = app.state.store.blobs();
    blobs.put(&card_key(version, "json"), b"{\"card\":1}").unwrap();
    blobs.put(&card_key(uuid::Uuid::new_v4(), "json"), b"{}").unwrap();
    let dir = stop(app);

    let out = migrate(dir.path(), &["--to", &target(dir.path())], &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    let printed = stdout(&out);
    assert!(printed.contains("total: 3 conversations, 8 of 8 files"), "{printed}");
    assert!(printed.contains(&format!("conversation {c1}: 4 of 4 files")), "{printed}");

    let config = common::config(dir.path());
    let app = TestApp::open(dir, config);
    assert!(matches!(**app.state.store.blobs(), Blobs::Object(_)));
    assert_eq!(everything(&app, &token, &conversations).await, before);
    let thread = |path: &str| format!("/api/threads/{c1}/artifacts/mnt/user-data/outputs/{path}");
    assert_eq!(app.get(&thread("a.txt"), &token).await.body, b"one", "the restored version is the latest");
    let member = app.get(&thread("my-skill.skill/SKILL.md"), &token).await;
    assert_eq!((member.status, member.body.as_slice()), (StatusCode::OK, &b"# My skill\n"[..]));
    assert_eq!(app.stored(&card_key(version, "json")).unwrap(), b"{\"card\":1}");
    assert_eq!(app.stored_count("cache/cards"), 1);
}

#[tokio::test]
async fn migrate_says_what_it_would_copy_resumes_and_overwrites_nothing() {
    if common::remote_only() {
        return;
    }
    let app = local_app();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("a.txt", b"one"), ("b.csv", b"x,y\n1,2\n"), ("c.py", b"print(1)\n")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let versions = app.state.store.blobs().list(&format!("conversations/{c}")).unwrap();
    assert_eq!(versions.len(), 6, "three data files and their sidecars");
    let source = app.state.store.blobs().list("conversations").unwrap();
    let dir = stop(app);
    // What a server writing the directory has in flight: neither copied nor removed.
    let local = Blobs::local(dir.path()).unwrap();
    let folder = vitrine::server::store::blobs::artifacts_folder(c.parse().unwrap());
    let in_flight = [format!("{folder}/.tmp-upload"), format!("{folder}/{}.txt", uuid::Uuid::new_v4())];
    for key in &in_flight {
        local.put(key, b"partial").unwrap();
    }
    let to = target(dir.path());
    let bucket = Blobs::from_config(&common::config(dir.path())).unwrap();
    let in_bucket = || {
        let mut keys: Vec<_> = bucket.list("conversations").unwrap().into_iter().map(|l| (l.key, l.size)).collect();
        keys.sort();
        keys
    };
    let data: Vec<String> = source.iter().map(|l| l.key.clone()).filter(|k| !k.ends_with(".meta.json")).collect();

    let dry = migrate(dir.path(), &["--to", &to, "--dry-run"], &[]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(data.iter().all(|k| stdout(&dry).contains(&format!("would copy {k}"))), "{}", stdout(&dry));
    assert!(in_bucket().is_empty(), "a dry run copies nothing");

    assert!(migrate(dir.path(), &["--to", &to], &[]).status.success());
    let mut expected: Vec<_> = source.iter().map(|l| (l.key.clone(), l.size)).collect();
    expected.sort();
    assert_eq!(in_bucket(), expected);
    assert!(in_flight.iter().all(|k| local.read(k).is_ok()));
    // Run again, it copies nothing and finds everything the same.
    let again = migrate(dir.path(), &["--to", &to], &[]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(!stdout(&again).contains("copied conversations/"), "{}", stdout(&again));

    // As if killed halfway: a data file, and another's sidecar, missing.
    let sidecar = data[1].split('.').next().unwrap().to_string() + ".meta.json";
    bucket.delete([data[0].clone(), sidecar]);
    assert_eq!(in_bucket().len(), 4);
    assert!(migrate(dir.path(), &["--to", &to], &[]).status.success());
    assert_eq!(in_bucket(), expected);
    assert_eq!(bucket.read(&data[0]).unwrap(), local.read(&data[0]).unwrap());

    // Other bytes at a key: named, a failure, and left as they are.
    bucket.delete([data[2].clone()]);
    bucket.put(&data[2], b"not these").unwrap();
    // And a version the data directory does not have (deleted after a run).
    let deleted = format!("{folder}/{}.meta.json", uuid::Uuid::new_v4());
    bucket.put(&deleted, b"{}").unwrap();
    let wrong = migrate(dir.path(), &["--to", &to], &[]);
    assert!(!wrong.status.success());
    let printed = stdout(&wrong);
    assert!(printed.contains(&format!("difference: {}: SHA-256", data[2])), "{printed}");
    assert!(printed.contains(&format!("difference: {deleted}: in the bucket, but not a version")), "{printed}");
    assert!(printed.contains("total: 1 conversations, 2 of 3 files"), "{printed}");
    assert_eq!(bucket.read(&data[2]).unwrap(), b"not these");
}

/// These need no bucket: they run in either mode.
#[test]
fn migrate_refuses_a_store_already_set_and_an_unreachable_bucket() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conversations")).unwrap();
    let one_line = |out: &Output| {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success() && err.lines().count() == 1, "{err}");
        err
    };
    let set = migrate(dir.path(), &["--to", "s3://b"], &[("VITRINE_STORE", "s3://b/p")]);
    assert!(one_line(&set).contains("store is s3://b/p already"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    // Without object_store's lines about each retry.
    let env = [
        ("RUST_LOG", "error".into()),
        ("VITRINE_S3_ENDPOINT", format!("http://{closed}")),
        ("AWS_ACCESS_KEY_ID", "k".into()),
        ("AWS_SECRET_ACCESS_KEY", "s".into()),
        ("AWS_REGION", "us-east-1".into()),
    ];
    let env: Vec<_> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let unreachable = migrate(dir.path(), &["--to", "s3://b/p"], &env);
    assert!(one_line(&unreachable).contains("cannot list s3://b/p"));
    let nowhere = migrate(&dir.path().join("missing"), &["--to", "s3://b/p"], &env);
    assert!(one_line(&nowhere).contains("is not a data directory"));
}

#[tokio::test]
async fn a_data_file_that_is_a_symlink_out_of_the_data_directory_is_not_copied() {
    if common::remote_only() {
        return;
    }
    let app = local_app();
    let token = app.user("alice");
    let c = app.conversation(&token, "t").await;
    let r = app.tool_result(&token, &c, &[("a.txt", b"public")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let key = app.state.store.blobs().list("conversations").unwrap().into_iter().find(|l| l.key.ends_with(".txt"));
    let dir = stop(app);
    // The same size, so that its sidecar still lists it.
    let secret = dir.path().parent().unwrap().join(format!("secret-{}", uuid::Uuid::new_v4()));
    std::fs::write(&secret, b"SECRET").unwrap();
    let data = dir.path().join(key.unwrap().key);
    std::fs::remove_file(&data).unwrap();
    std::os::unix::fs::symlink(&secret, &data).unwrap();
    let out = migrate(dir.path(), &["--to", &target(dir.path())], &[]);
    std::fs::remove_file(&secret).unwrap();
    assert!(!out.status.success(), "{}", stdout(&out));
    let bucket = Blobs::from_config(&common::config(dir.path())).unwrap();
    assert!(bucket.list("conversations").unwrap().is_empty());
}
