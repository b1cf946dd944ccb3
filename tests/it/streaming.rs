//! Large files sent as they are read, in either mode: from a bucket
//! (`VITRINE_TEST_BACKEND=remote`) by ranged GETs, never through a copy in
//! the spool, which these tests count.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use std::io::{Read, Write};
use std::path::Path;
use tempfile::TempDir;

/// Copies in a spool: the files in its processes' folders (`spool-*`), not
/// the lock file beside them.
fn copies(spool: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(spool) else { return 0 };
    let folders = entries.map(|e| e.unwrap()).filter(|e| e.file_type().unwrap().is_dir());
    folders.map(|f| std::fs::read_dir(f.path()).unwrap().count()).sum()
}

/// An app whose spool is a folder of the test's own.
fn app_with_own_spool() -> (TestApp, TempDir) {
    let spool = tempfile::tempdir().unwrap();
    let app = TestApp::with(|c| c.spool_dir = spool.path().to_path_buf());
    (app, spool)
}

fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + seed) % 253) as u8).collect()
}

async fn send(
    app: &TestApp,
    token: &str,
    uri: &str,
    method: Method,
    headers: &[(header::HeaderName, &str)],
) -> crate::common::Reply {
    let mut req = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn a_large_download_is_streamed_without_a_spool_copy() {
    let (app, spool) = app_with_own_spool();
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let big = pattern(3 * 1024 * 1024 + 11, 1);
    assert_eq!(app.tool_result(&token, &id, &[("big.bin", &big)]).await.status, StatusCode::CREATED);
    let uri = format!("/api/threads/{id}/artifacts/mnt/user-data/outputs/big.bin");

    let full = send(&app, &token, &uri, Method::GET, &[]).await;
    assert_eq!(full.status, StatusCode::OK);
    assert!(full.body == big);
    assert_eq!(full.header("content-length"), big.len().to_string());
    assert_eq!(full.header("accept-ranges"), "bytes");
    let (tag, modified) = (full.header("etag").to_string(), full.header("last-modified").to_string());
    assert!(!modified.is_empty());

    let head = send(&app, &token, &uri, Method::HEAD, &[]).await;
    assert_eq!((head.status, head.body.len()), (StatusCode::OK, 0));
    assert_eq!(head.header("content-length"), big.len().to_string());
    assert_eq!((head.header("etag"), head.header("last-modified")), (tag.as_str(), modified.as_str()));

    let len = big.len();
    let r = send(&app, &token, &uri, Method::GET, &[(header::RANGE, "bytes=1000000-2000000")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.header("content-range"), format!("bytes 1000000-2000000/{len}"));
    assert_eq!(r.header("content-length"), "1000001");
    assert!(r.body == big[1_000_000..=2_000_000]);
    let r = send(&app, &token, &uri, Method::GET, &[(header::RANGE, "bytes=-5")]).await;
    assert_eq!((r.status, r.body.as_slice()), (StatusCode::PARTIAL_CONTENT, &big[len - 5..]));
    for validator in [tag.as_str(), modified.as_str()] {
        let r =
            send(&app, &token, &uri, Method::GET, &[(header::RANGE, "bytes=7-9"), (header::IF_RANGE, validator)]).await;
        assert_eq!((r.status, r.body.as_slice()), (StatusCode::PARTIAL_CONTENT, &big[7..=9]), "{validator}");
    }
    let r =
        send(&app, &token, &uri, Method::GET, &[(header::RANGE, "bytes=7-9"), (header::IF_RANGE, "\"other\"")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body == big);
    let r = send(&app, &token, &uri, Method::GET, &[(header::IF_MODIFIED_SINCE, &modified)]).await;
    assert_eq!((r.status, r.body.len()), (StatusCode::NOT_MODIFIED, 0));
    let r = send(&app, &token, &uri, Method::GET, &[(header::IF_NONE_MATCH, &tag)]).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let r =
        send(&app, &token, &uri, Method::GET, &[(header::IF_UNMODIFIED_SINCE, "Thu, 01 Jan 1970 00:00:00 GMT")]).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = send(&app, &token, &uri, Method::GET, &[(header::RANGE, &format!("bytes={len}-"))]).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.header("content-range"), format!("bytes */{len}"));

    assert_eq!(copies(spool.path()), 0, "a download made a copy in the spool");
}

#[tokio::test]
async fn a_zip_of_large_members_is_streamed_without_a_spool_copy() {
    let (app, spool) = app_with_own_spool();
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let (one, two) = (pattern(2 * 1024 * 1024, 3), pattern(1024 * 1024 + 5, 4));
    let files: [(&str, &[u8]); 2] = [("one.bin", &one), ("two.bin", &two)];
    assert_eq!(app.tool_result(&token, &id, &files).await.status, StatusCode::CREATED);
    let r = app.get(&format!("/api/conversations/{id}/artifacts.zip"), &token).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body)).unwrap();
    for (name, bytes) in files {
        let mut member = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut member).unwrap();
        assert!(member == bytes, "{name}");
    }
    assert_eq!(copies(spool.path()), 0, "a ZIP download made a copy in the spool");
}

/// A `.skill` larger than one read of its archive: its members come from
/// ranges of it, never from a copy.
#[tokio::test]
async fn skill_members_are_read_without_a_spool_copy() {
    let (app, spool) = app_with_own_spool();
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let data = pattern(400 * 1024, 5);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("SKILL.md", stored).unwrap();
    zip.write_all(b"# Big skill\n").unwrap();
    zip.start_file("data/blob.bin", stored).unwrap();
    zip.write_all(&data).unwrap();
    zip.start_file("README.md", stored).unwrap();
    zip.write_all(b"read me").unwrap();
    let skill = zip.finish().unwrap().into_inner();
    assert_eq!(app.tool_result(&token, &id, &[("big.skill", &skill)]).await.status, StatusCode::CREATED);
    let base = format!("/api/threads/{id}/artifacts/mnt/user-data/outputs/big.skill");
    for (member, bytes) in [("SKILL.md", &b"# Big skill\n"[..]), ("data/blob.bin", &data), ("README.md", b"read me")] {
        let r = app.get(&format!("{base}/{member}"), &token).await;
        assert_eq!(r.status, StatusCode::OK, "{member}");
        assert!(r.body == bytes, "{member}");
    }
    assert_eq!(app.get(&format!("{base}/nothing.md"), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(copies(spool.path()), 0, "a member read made a copy in the spool");
}

/// `s3_redirect`: a large download answers 302 to a presigned URL that
/// fetches the same bytes under the same name and type; small files and a
/// HEAD are answered here. A data directory has no URL to send: the
/// setting changes nothing there.
#[tokio::test]
async fn large_downloads_redirect_to_the_bucket_when_set() {
    let app = TestApp::with(|c| c.s3_redirect = true);
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let big = pattern(600 * 1024, 6);
    let files: [(&str, &[u8]); 2] = [("report big.csv", &big), ("small.txt", b"small")];
    assert_eq!(app.tool_result(&token, &id, &files).await.status, StatusCode::CREATED);
    let outputs = format!("/api/threads/{id}/artifacts/mnt/user-data/outputs");
    let uri = format!("{outputs}/report%20big.csv?download=1");

    let r = send(&app, &token, &uri, Method::GET, &[]).await;
    if !crate::common::remote() {
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body == big);
        return;
    }
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.header("cache-control"), "no-store");
    let url = r.header("location").to_string();
    let fetched = tokio::task::spawn_blocking(move || {
        let mut got = crate::common::process::agent().get(&url).call().unwrap();
        let header = |name: &str| got.headers().get(name).map(|v| v.to_str().unwrap().to_string());
        let (disposition, kind) = (header("content-disposition"), header("content-type"));
        (got.status().as_u16(), disposition, kind, got.body_mut().read_to_vec().unwrap())
    })
    .await
    .unwrap();
    let expected = "attachment; filename=\"report big.csv\"; filename*=UTF-8''report%20big.csv";
    assert_eq!((fetched.0, fetched.1.as_deref()), (200, Some(expected)));
    assert_eq!(fetched.2.as_deref(), Some("text/csv; charset=utf-8"));
    assert!(fetched.3 == big);

    let head = send(&app, &token, &uri, Method::HEAD, &[]).await;
    assert_eq!((head.status, head.header("content-length")), (StatusCode::OK, big.len().to_string().as_str()));
    let small = send(&app, &token, &format!("{outputs}/small.txt"), Method::GET, &[]).await;
    assert_eq!((small.status, small.body.as_slice()), (StatusCode::OK, &b"small"[..]));
}

/// In a bucket a file is dated by its version's row, small or large, with or
/// without a date condition: the object's own date can be a second later,
/// and a client's `If-Modified-Since` of the date it was given must match.
#[tokio::test]
async fn a_buckets_files_are_dated_by_their_rows() {
    if crate::common::remote_only() {
        return;
    }
    let app = TestApp::new();
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let files: [(&str, &[u8]); 2] = [("small.txt", b"a few bytes"), ("big.bin", &pattern(300 * 1024, 2))];
    assert_eq!(app.tool_result(&token, &id, &files).await.status, StatusCode::CREATED);
    let list = app.get("/api/artifacts", &token).await.json();
    for item in list["items"].as_array().unwrap() {
        let created = time::OffsetDateTime::parse(
            item["created_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let date = httpdate::fmt_http_date(created.into());
        let uri = item["url"].as_str().unwrap();
        for method in [Method::GET, Method::HEAD] {
            let r = send(&app, &token, uri, method, &[]).await;
            assert_eq!(r.header("last-modified"), date, "{uri}");
        }
        let r = send(&app, &token, uri, Method::GET, &[(header::IF_MODIFIED_SINCE, &date)]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{uri}");
    }
}
