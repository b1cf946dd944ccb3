//! Uploads: streamed to disk, named safely, limited, converted to Markdown
//! beside the upload, listed, deleted, and shown in the gallery.

use crate::common::{Reply, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

const BOUNDARY: &str = "vitrine-test-boundary";

fn multipart(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn upload(app: &TestApp, token: &str, thread: &str, files: &[(&str, &[u8])]) -> Reply {
    let req = Request::post(format!("/api/threads/{thread}/uploads"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(multipart(files)))
        .unwrap();
    app.send(req).await
}

fn artifact_files(app: &TestApp, thread: &str) -> usize {
    let dir = app.dir.path().join("conversations").join(thread).join("artifacts");
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn uploads_are_stored_converted_listed_and_deleted() {
    let app = TestApp::new();
    let token = app.user("alice");
    let thread = app.conversation(&token, "t").await;
    let csv = b"name,score\nada,3\nbob|x,4\n";
    let r =
        upload(&app, &token, &thread, &[("dir/scores.csv", csv), ("notes.txt", b"one"), ("notes.txt", b"two")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let files = r.json()["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["filename"], "scores.csv");
    assert_eq!(files[0]["size"], csv.len());
    assert_eq!(files[0]["virtual_path"], "mnt/user-data/uploads/scores.csv");
    assert_eq!(files[0]["artifact_url"], format!("/api/threads/{thread}/artifacts/mnt/user-data/uploads/scores.csv"));
    assert_eq!(files[0]["markdown_file"], "scores.md");
    assert_eq!(files[1]["filename"], "notes.txt");
    assert_eq!(files[2]["filename"], "notes_1.txt");
    assert!(files[0]["path"].as_str().unwrap().starts_with(&format!("conversations/{thread}/artifacts/")));

    let got = app.get(files[0]["artifact_url"].as_str().unwrap(), &token).await;
    assert_eq!(got.body, csv);
    let md = app.get(files[0]["markdown_artifact_url"].as_str().unwrap(), &token).await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.text().contains("| name | score |"), "{}", md.text());
    assert!(md.text().contains("bob\\|x"), "{}", md.text());
    assert_eq!(app.get(files[2]["artifact_url"].as_str().unwrap(), &token).await.text(), "two");

    let list = app.get(&format!("/api/threads/{thread}/uploads/list"), &token).await.json();
    let mut names: Vec<&str> =
        list["files"].as_array().unwrap().iter().map(|f| f["filename"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "notes_1.txt", "scores.csv", "scores.md"]);
    // Uploads are artifacts like any other, with their conversation.
    let gallery = app.get("/api/artifacts", &token).await.json();
    assert_eq!(gallery["total"], 4);
    assert_eq!(gallery["items"][0]["conversation_title"], "t");

    let del = app.call(Method::DELETE, &format!("/api/threads/{thread}/uploads/scores.csv"), Some(&token), None).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(files[0]["artifact_url"].as_str().unwrap(), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(files[0]["markdown_artifact_url"].as_str().unwrap(), &token).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 2);
    let again =
        app.call(Method::DELETE, &format!("/api/threads/{thread}/uploads/scores.csv"), Some(&token), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn documents_that_cannot_be_converted_keep_their_upload() {
    let app = TestApp::new();
    let token = app.user("alice");
    let thread = app.conversation(&token, "t").await;
    let r = upload(&app, &token, &thread, &[("broken.pdf", b"this is not a pdf")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let file = &r.json()["files"][0];
    assert!(file["conversion_error"].as_str().is_some_and(|e| !e.is_empty()), "{file}");
    assert!(file.get("markdown_file").is_none());
    assert_eq!(app.get(file["artifact_url"].as_str().unwrap(), &token).await.body, b"this is not a pdf");
}

#[tokio::test]
async fn bad_names_and_limits_store_nothing() {
    let app = TestApp::with(|c| {
        c.uploads.max_file_bytes = 100;
        c.uploads.max_files = 2;
        c.uploads.max_request_bytes = 150;
    });
    let token = app.user("alice");
    let thread = app.conversation(&token, "t").await;
    for (files, status) in [
        (vec![("ok.txt", &b"x"[..]), ("..", &b"x"[..])], 400),
        (vec![("ok.txt", &b"x"[..]), ("a\\b.txt", &b"x"[..])], 400),
        (vec![("ok.txt", &b"x"[..]), (".", &b"x"[..])], 400),
        (vec![("big.bin", &[0u8; 101][..])], 413),
        (vec![("a.bin", &[0u8; 80][..]), ("b.bin", &[0u8; 80][..])], 413),
        (vec![("a", &b"1"[..]), ("b", &b"2"[..]), ("c", &b"3"[..])], 413),
    ] {
        let names: Vec<&str> = files.iter().map(|f| f.0).collect();
        let r = upload(&app, &token, &thread, &files).await;
        assert_eq!(r.status.as_u16(), status, "{names:?}: {}", r.text());
        assert!(r.json()["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(artifact_files(&app, &thread), 0, "{names:?} left files");
    }
    let long = "a".repeat(256);
    let r = upload(&app, &token, &thread, &[(&long, b"x")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 0);
    let bob = app.user("bob");
    assert_eq!(upload(&app, &bob, &thread, &[("x.txt", b"x")]).await.status, StatusCode::NOT_FOUND);
}

/// The conversion child limits its own memory before it reads the document
/// (the server spawns it without a fork of itself): within the limit it
/// converts, under one far too small it fails instead of converting. The
/// document is large enough (8 MB) that reading it needs a new mapping: a
/// tiny one could fit in heap the child already holds, and pass by luck.
#[test]
fn the_conversion_child_limits_itself() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    let rows: String = (0..1_000_000).map(|i| format!("{i},2\n")).collect();
    std::fs::write(&csv, format!("a,b\n{rows}")).unwrap();
    assert!(std::fs::metadata(&csv).unwrap().len() > 8_000_000);
    let convert = |memory: &str| {
        std::process::Command::new(crate::common::process::bin())
            .args(["convert", csv.to_str().unwrap(), "--name", "t.csv", "--memory", memory, "--cpu-seconds", "5"])
            .output()
            .unwrap()
    };
    let within = convert(&(4u64 << 30).to_string());
    assert!(within.status.success(), "{}", String::from_utf8_lossy(&within.stderr));
    assert!(String::from_utf8_lossy(&within.stdout).contains("| a | b |"));
    let starved = convert("1000000");
    assert!(!starved.status.success() && starved.stdout.is_empty());
    // Either the read fails and the child says why, or (so starved, the
    // runtime's own allocations can come first, or printing the reason's)
    // it aborts, which the server reports as too large too: never another
    // reason from a child that exited.
    let said = String::from_utf8_lossy(&starved.stderr);
    if std::os::unix::process::ExitStatusExt::signal(&starved.status).is_none() {
        let mut reasons = said.lines().filter_map(|l| l.strip_prefix("error: "));
        assert!(reasons.all(|r| r.starts_with("Conversion failed: the document was too large")), "{said}");
    }
}
