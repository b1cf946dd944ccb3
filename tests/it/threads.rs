//! The thread API: virtual paths, folders, hostile paths, `.skill` members,
//! and how files are sent (types, disposition, Range, conditional requests,
//! sandbox headers).

use crate::common::{Reply, TestApp};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use std::io::Write;

struct Thread {
    app: TestApp,
    token: String,
    id: String,
}

pub(crate) fn skill_archive() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("SKILL.md", opts).unwrap();
    zip.write_all(b"# My skill\n").unwrap();
    zip.start_file("scripts/install.sh", opts).unwrap();
    zip.write_all(b"#!/bin/sh\necho installing\n").unwrap();
    zip.finish().unwrap().into_inner()
}

async fn thread() -> Thread {
    let app = TestApp::new();
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let skill = skill_archive();
    let files: Vec<(&str, &[u8])> = vec![
        ("index.html", b"<h1>hi</h1><script>1</script>"),
        ("plots/chart.png", b"\x89PNG\r\n\x1a\n"),
        ("script.py", b"print(1)\n"),
        ("data.csv", b"a,b\n1,2\n"),
        ("my-skill.skill", &skill),
        ("report 1 \"final\".pdf", b"%PDF-1.4\n"),
        ("\u{6587}\u{4ef6}.txt", b"unicode"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("feed.xml", b"<?xml version='1.0'?><x/>"),
        ("notes.md", b"# notes"),
        ("config.yaml", b"a: 1"),
    ];
    assert_eq!(app.tool_result(&token, &id, &files).await.status, StatusCode::CREATED);
    Thread { app, token, id }
}

impl Thread {
    async fn get(&self, path: &str) -> Reply {
        self.app.get(&format!("/api/threads/{}/artifacts/{path}", self.id), &self.token).await
    }

    async fn get_with(&self, path: &str, headers: &[(header::HeaderName, &str)], method: Method) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/threads/{}/artifacts/{path}", self.id))
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        for (k, v) in headers {
            req = req.header(k, *v);
        }
        self.app.send(req.body(Body::empty()).unwrap()).await
    }
}

#[tokio::test]
async fn files_by_virtual_path_inline_or_as_download() {
    let t = thread().await;
    let r = t.get("mnt/user-data/outputs/index.html").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "<h1>hi</h1><script>1</script>");
    assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(r.header("content-disposition"), "inline; filename=\"index.html\"; filename*=UTF-8''index.html");
    let r = t.get("mnt/user-data/outputs/plots/chart.png?download=true").await;
    assert_eq!(r.header("content-disposition"), "attachment; filename=\"chart.png\"; filename*=UTF-8''chart.png");
    assert_eq!(r.header("content-type"), "image/png");
    let r = t.get("mnt/user-data/outputs/script.py").await;
    assert_eq!(r.header("content-type"), "text/x-python; charset=utf-8");
    for (path, mime) in [
        ("data.csv", "text/csv; charset=utf-8"),
        ("notes.md", "text/markdown; charset=utf-8"),
        ("config.yaml", "application/x-yaml; charset=utf-8"),
        ("drawing.svg", "image/svg+xml; charset=utf-8"),
        ("my-skill.skill", "application/zip"),
    ] {
        assert_eq!(t.get(&format!("mnt/user-data/outputs/{path}")).await.header("content-type"), mime, "{path}");
    }
}

#[tokio::test]
async fn names_are_encoded_safely_in_content_disposition() {
    let t = thread().await;
    let r = t.get("mnt/user-data/outputs/report%201%20%22final%22.pdf?download=true").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-disposition"),
        "attachment; filename=\"report 1 _final_.pdf\"; filename*=UTF-8''report%201%20%22final%22.pdf"
    );
    let r = t.get("mnt/user-data/outputs/%E6%96%87%E4%BB%B6.txt").await;
    assert_eq!(r.text(), "unicode");
    assert_eq!(r.header("content-disposition"), "inline; filename=\"__.txt\"; filename*=UTF-8''%E6%96%87%E4%BB%B6.txt");
}

#[tokio::test]
async fn folders_and_missing_files_answer_like_the_reference() {
    let t = thread().await;
    for folder in
        ["mnt/user-data/outputs", "mnt/user-data/outputs/", "mnt/user-data/outputs/plots", "mnt/user-data/uploads"]
    {
        let r = t.get(folder).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{folder}");
        assert_eq!(r.json(), json!({ "detail": format!("Path is not a file: {}", folder.trim_end_matches('/')) }));
    }
    let r = t.get("mnt/user-data/outputs/missing.txt").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json(), json!({ "detail": "Artifact not found: mnt/user-data/outputs/missing.txt" }));
}

#[tokio::test]
async fn the_latest_version_of_a_name_answers() {
    let t = thread().await;
    t.app.tool_result(&t.token, &t.id, &[("script.py", b"print(2)\n")]).await;
    assert_eq!(t.get("mnt/user-data/outputs/script.py").await.text(), "print(2)\n");
    assert_eq!(t.get("mnt/user-data/outputs/script.py?version=1").await.text(), "print(1)\n");
    let newest =
        t.app.get("/api/artifacts?size=1", &t.token).await.json()["items"][0]["url"].as_str().unwrap().to_string();
    t.app.call(Method::DELETE, &format!("{newest}/versions/2"), Some(&t.token), None).await;
    assert_eq!(t.get("mnt/user-data/outputs/script.py").await.text(), "print(1)\n");
}

#[tokio::test]
async fn skill_archive_members_are_served_without_extracting() {
    let t = thread().await;
    let r = t.get("mnt/user-data/outputs/my-skill.skill/SKILL.md").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "# My skill\n");
    assert_eq!(r.header("content-type"), "text/markdown; charset=utf-8");
    let r = t.get("mnt/user-data/outputs/my-skill.skill/scripts/install.sh").await;
    assert_eq!(r.text(), "#!/bin/sh\necho installing\n");
    assert_eq!(r.header("content-type"), "text/x-shellscript; charset=utf-8");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    let tag = r.header("etag").to_string();
    let r = t
        .get_with(
            "mnt/user-data/outputs/my-skill.skill/scripts/install.sh",
            &[(header::IF_NONE_MATCH, &tag)],
            Method::GET,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let r = t.get("mnt/user-data/outputs/my-skill.skill/README.md").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json(), json!({ "detail": "File 'README.md' not found in skill archive" }));
    let r = t.get("mnt/user-data/outputs/other.skill/SKILL.md").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Nothing was extracted next to the archive.
    assert_eq!(t.app.stored_count(&format!("conversations/{}/artifacts", t.id)), 22);
}

#[tokio::test]
async fn range_and_conditional_requests() {
    let t = thread().await;
    let path = "mnt/user-data/outputs/data.csv";
    let r = t.get_with(path, &[(header::RANGE, "bytes=2-4")], Method::GET).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.text(), "b\n1");
    assert_eq!(r.header("content-range"), "bytes 2-4/8");
    let r = t.get_with(path, &[(header::RANGE, "bytes=100-200")], Method::GET).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    let full = t.get(path).await;
    assert_eq!(full.header("accept-ranges"), "bytes");
    assert_eq!(full.header("content-length"), "8");
    assert_eq!(full.body.len(), 8);
    // A whole small file and a range of it: they agree.
    let ranged = t.get_with(path, &[(header::RANGE, "bytes=0-")], Method::GET).await;
    assert_eq!(ranged.body, full.body);
    assert!(!full.header("last-modified").is_empty());
    assert_eq!(ranged.header("last-modified"), full.header("last-modified"));
    let tag = full.header("etag").to_string();
    assert!(tag.starts_with('"') && tag.len() > 10, "{tag}");
    let r = t.get_with(path, &[(header::IF_NONE_MATCH, &tag)], Method::GET).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    let r = t.get_with(path, &[(header::IF_MODIFIED_SINCE, full.header("last-modified"))], Method::GET).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let r = t.get_with(path, &[], Method::HEAD).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-length"), "8");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn agent_content_is_sandboxed_and_never_sniffed() {
    let t = thread().await;
    for path in ["index.html", "drawing.svg", "feed.xml", "script.py", "plots/chart.png", "data.csv"] {
        let r = t.get(&format!("mnt/user-data/outputs/{path}")).await;
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("content-security-policy"), "sandbox allow-scripts; frame-ancestors 'self'", "{path}");
    }
    let r = t.get("mnt/user-data/outputs/report%201%20%22final%22.pdf").await;
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    // The same through the artifact URL.
    let list = t.app.get("/api/artifacts?type=html", &t.token).await.json();
    let r = t.app.get(list["items"][0]["url"].as_str().unwrap(), &t.token).await;
    assert_eq!(r.header("content-security-policy"), "sandbox allow-scripts; frame-ancestors 'self'");
}

/// Every way out of the thread's space, against a canary outside the data
/// directory and symlinks planted inside it.
#[tokio::test]
async fn hostile_paths_never_leave_the_thread() {
    if crate::common::local_only() {
        return;
    }
    let t = thread().await;
    let outside = tempfile::tempdir().unwrap();
    let canary = outside.path().join("canary.txt");
    std::fs::write(&canary, "CANARY-SECRET").unwrap();
    // A data file replaced by a symlink to the canary, and a symlinked folder.
    let list = t.app.get("/api/artifacts?type=files&size=100", &t.token).await.json();
    let csv = list["items"].as_array().unwrap().iter().find(|a| a["name"] == "data.csv").unwrap().clone();
    let dir = t.app.dir.path().join("conversations").join(&t.id).join("artifacts");
    let data = dir.join(format!("{}.csv", csv["id"].as_str().unwrap()));
    std::fs::remove_file(&data).unwrap();
    std::os::unix::fs::symlink(&canary, &data).unwrap();
    std::os::unix::fs::symlink(outside.path(), t.app.dir.path().join("conversations").join("escape")).unwrap();

    let canary_path = canary.display().to_string();
    let hostile: Vec<String> = vec![
        "..".into(),
        "../..".into(),
        "../../../../../../etc/passwd".into(),
        "mnt/user-data/../../../etc/passwd".into(),
        "mnt/user-data/outputs/../../../../etc/passwd".into(),
        "mnt/user-data/outputs/..".into(),
        "mnt/user-data/outputs/../outputs/data.csv".into(),
        "%2e%2e/%2e%2e/etc/passwd".into(),
        "%2E%2E/%2E%2E/etc/passwd".into(),
        "%2E%2e/%2e%2E/etc/passwd".into(),
        "mnt/user-data/outputs/%2e%2e/%2e%2e/%2e%2e/etc/passwd".into(),
        "mnt/user-data/outputs/..%2f..%2f..%2fetc%2fpasswd".into(),
        "mnt/user-data/outputs/..%2F..%2Fetc%2Fpasswd".into(),
        "mnt/user-data/outputs%2f..%2f..%2fetc%2fpasswd".into(),
        "mnt/user-data/outputs/%2f..%2f..%2fetc/passwd".into(),
        "mnt/user-data/outputs/%252e%252e/%252e%252e/etc/passwd".into(),
        "mnt/user-data/outputs/%25252e%25252e/etc/passwd".into(),
        "mnt/user-data/outputs/%252e%252e%252f%252e%252e%252fetc%252fpasswd".into(),
        "mnt/user-data/outputs/..%5c..%5cetc%5cpasswd".into(),
        "mnt/user-data/outputs/%5c..%5c..%5cetc%5cpasswd".into(),
        "mnt%5cuser-data%5coutputs%5cdata.csv".into(),
        "mnt/user-data/outputs/..%255c..%255cetc".into(),
        "mnt/user-data/outputs/.%2e/.%2e/etc/passwd".into(),
        "mnt/user-data/outputs/%2e./%2e./etc/passwd".into(),
        "mnt/user-data/outputs/./data.csv".into(),
        "mnt/user-data/outputs//data.csv".into(),
        "mnt/user-data/outputs/data.csv%00.png".into(),
        "mnt/user-data/outputs/data.csv%2500".into(),
        "mnt/user-data/outputs/%0a../etc".into(),
        "%2fetc%2fpasswd".into(),
        "%2Fetc%2Fpasswd".into(),
        format!("%2f{}", canary_path.trim_start_matches('/').replace('/', "%2f")),
        format!("mnt/user-data/outputs/%2f{}", canary_path.trim_start_matches('/')),
        "etc/passwd".into(),
        "mnt/other/file".into(),
        "mnt/user-datax/outputs/data.csv".into(),
        "mnt/user-data/outputs/my-skill.skill/../../../../etc/passwd".into(),
        "mnt/user-data/outputs/my-skill.skill/%2e%2e/%2e%2e/etc/passwd".into(),
        "mnt/user-data/outputs/my-skill.skill/..%2f..%2fetc%2fpasswd".into(),
        "mnt/user-data/outputs/my-skill.skill/%2fetc%2fpasswd".into(),
        "mnt/user-data/outputs/data.csv".into(),
        "mnt/user-data/outputs/../../../escape/canary.txt".into(),
        "mnt/user-data/outputs/%ff%fe".into(),
        "mnt/user-data/uploads/../outputs/../../../etc/shadow".into(),
        "mnt/user-data/uploads/%2e%2e%5c%2e%2e%5cetc".into(),
    ];
    assert!(hostile.len() >= 40);
    for path in &hostile {
        let uri = format!("/api/threads/{}/artifacts/{path}", t.id);
        let req = Request::get(&uri).header(header::AUTHORIZATION, format!("Bearer {}", t.token)).body(Body::empty());
        let r = t.app.send(req.unwrap_or_else(|e| panic!("{uri}: {e}"))).await;
        assert!(matches!(r.status.as_u16(), 400 | 403 | 404), "{path} answered {}", r.status);
        assert!(!r.text().contains("CANARY") && !r.text().contains("root:"), "{path} leaked {}", r.text());
    }
    let r = t.get("mnt/user-data/../../etc/passwd").await;
    assert_eq!((r.status, r.json()), (StatusCode::FORBIDDEN, json!({ "detail": "Access denied" })));
    // The planted symlink is refused by artifact URL too.
    let r = t.app.get(csv["url"].as_str().unwrap(), &t.token).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("CANARY"));
}

#[tokio::test]
async fn threads_of_other_users_are_not_found() {
    let t = thread().await;
    let bob = t.app.user("bob");
    for path in
        ["mnt/user-data/outputs/index.html", "mnt/user-data/outputs/my-skill.skill/SKILL.md", "mnt/user-data/outputs"]
    {
        let r = t.app.get(&format!("/api/threads/{}/artifacts/{path}", t.id), &bob).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = t
        .app
        .call(Method::GET, &format!("/api/threads/{}/artifacts/mnt/user-data/outputs/index.html", t.id), None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn hostile_archives_get_clear_errors_over_http() {
    let app = TestApp::new();
    let token = app.user("alice");
    let id = app.conversation(&token, "t").await;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("../../escape.txt", deflate).unwrap();
    zip.write_all(b"slip").unwrap();
    zip.start_file("bomb.txt", deflate).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..100 {
        zip.write_all(&zeros).unwrap();
    }
    let archive = zip.finish().unwrap().into_inner();
    let truncated = archive[..archive.len() / 2].to_vec();
    let r = app.tool_result(&token, &id, &[("evil.skill", &archive), ("broken.skill", &truncated)]).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let base = format!("/api/threads/{id}/artifacts/mnt/user-data/outputs");
    let r = app.get(&format!("{base}/evil.skill/bomb.txt"), &token).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert!(r.json()["detail"].as_str().unwrap().contains("bomb.txt"));
    let r = app.get(&format!("{base}/evil.skill/..%2f..%2fescape.txt"), &token).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get(&format!("{base}/broken.skill/SKILL.md"), &token).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["detail"].as_str().unwrap().starts_with("Corrupt skill archive"), "{}", r.text());
    assert_eq!(app.stored_count(&format!("conversations/{id}/artifacts")), 4, "nothing was extracted");
    assert!(!app.dir.path().join("escape.txt").exists());
}

/// Ranges follow one rule whatever answers them: a small file (from
/// memory), a large one (streamed by ServeFile) and an archive member.
#[tokio::test]
async fn if_range_and_multiple_ranges() {
    let t = thread().await;
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(t.app.tool_result(&t.token, &t.id, &[("big.bin", &big)]).await.status, StatusCode::CREATED);
    let cases: [(&str, &[u8]); 3] = [
        ("mnt/user-data/outputs/data.csv", b"a,b\n1,2\n"),
        ("mnt/user-data/outputs/big.bin", &big),
        ("mnt/user-data/outputs/my-skill.skill/SKILL.md", b"# My skill\n"),
    ];
    for (path, whole) in cases {
        let full = t.get(path).await;
        assert_eq!(full.body, whole, "{path}");
        let (tag, modified) = (full.header("etag"), full.header("last-modified"));
        let part = format!("bytes 1-3/{}", whole.len());
        let mut current = vec![tag];
        if !path.contains(".skill/") {
            current.push(modified);
        }
        for validator in current {
            let r = t.get_with(path, &[(header::RANGE, "bytes=1-3"), (header::IF_RANGE, validator)], Method::GET).await;
            assert_eq!(r.status, StatusCode::PARTIAL_CONTENT, "{path} If-Range: {validator}");
            assert_eq!((r.body.as_slice(), r.header("content-range")), (&whole[1..=3], part.as_str()), "{path}");
        }
        // A validator of another file (or version): the whole current file, never a part of it.
        for stale in ["\"0123456789abcdef\"", "Thu, 01 Jan 1970 00:00:00 GMT", "W/\"weak\""] {
            let r = t.get_with(path, &[(header::RANGE, "bytes=1-3"), (header::IF_RANGE, stale)], Method::GET).await;
            assert_eq!(r.status, StatusCode::OK, "{path} If-Range: {stale}");
            assert_eq!(r.body, whole, "{path}");
            assert!(r.header("content-range").is_empty());
        }
        let r = t.get_with(path, &[(header::RANGE, "bytes=0-1,3-4")], Method::GET).await;
        assert_eq!((r.status, r.body.as_slice()), (StatusCode::OK, whole), "{path}: several ranges answer the whole");
        let r = t.get_with(path, &[(header::RANGE, "bytes=-2")], Method::GET).await;
        assert_eq!((r.status, r.body.as_slice()), (StatusCode::PARTIAL_CONTENT, &whole[whole.len() - 2..]), "{path}");
        let r = t.get_with(path, &[(header::RANGE, "bytes=999999-")], Method::GET).await;
        assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE, "{path}");
        assert_eq!(r.header("content-range"), format!("bytes */{}", whole.len()));
        assert_eq!(r.header("content-type"), "application/json");
        assert!(r.json()["detail"].as_str().unwrap().starts_with("Range not satisfiable"));
    }
}

#[tokio::test]
async fn errors_never_carry_the_files_cache_headers() {
    let t = thread().await;
    let listed = t.app.get(&format!("/api/conversations/{}/artifacts?q=data.csv", t.id), &t.token).await;
    // A version's URL is the one kept as immutable.
    let url = format!("{}/versions/1", listed.json()["items"][0]["url"].as_str().unwrap());
    let ok = t.app.get(&url, &t.token).await;
    assert_eq!(ok.header("cache-control"), "private, max-age=31536000, immutable");
    let mut req = Request::get(&url).header(header::AUTHORIZATION, format!("Bearer {}", t.token));
    req = req.header(header::RANGE, "bytes=50-");
    let r = t.app.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.header("content-type"), "application/json");
    assert!(!r.header("cache-control").contains("immutable"), "{}", r.header("cache-control"));
    assert!(r.header("content-disposition").is_empty() && r.header("etag").is_empty());
    // ServeFile's own refusal (a date condition that fails) is made JSON too.
    let req = Request::get(&url)
        .header(header::AUTHORIZATION, format!("Bearer {}", t.token))
        .header(header::IF_UNMODIFIED_SINCE, "Thu, 01 Jan 1970 00:00:00 GMT");
    let r = t.app.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(r.json(), json!({ "detail": "Precondition Failed" }));
    assert!(!r.header("cache-control").contains("immutable"), "{}", r.header("cache-control"));
}

/// Skill packagers put everything under one folder (`my-skill/SKILL.md`);
/// paths inside the archive answer either way, as in the reference.
#[tokio::test]
async fn skills_packaged_under_one_top_level_folder() {
    let t = thread().await;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [("packaged/SKILL.md", "# Packaged\n"), ("packaged/scripts/install.sh", "echo packaged\n")] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    let packaged = zip.finish().unwrap().into_inner();
    assert_eq!(t.app.tool_result(&t.token, &t.id, &[("packaged.skill", &packaged)]).await.status, StatusCode::CREATED);
    let base = "mnt/user-data/outputs/packaged.skill";
    for (member, body) in
        [("SKILL.md", "# Packaged\n"), ("scripts/install.sh", "echo packaged\n"), ("packaged/SKILL.md", "# Packaged\n")]
    {
        let r = t.get(&format!("{base}/{member}")).await;
        assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, body), "{member}");
    }
    let r = t.get(&format!("{base}/install.sh")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json(), json!({ "detail": "File 'install.sh' not found in skill archive" }));
    let r = t.get(&format!("{base}/..%2F..%2Fetc/passwd")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the same path rules");
    // The flat layout still answers as before.
    assert_eq!(t.get("mnt/user-data/outputs/my-skill.skill/SKILL.md").await.text(), "# My skill\n");
}

#[tokio::test]
async fn an_empty_virtual_path_is_a_json_404() {
    let t = thread().await;
    let r = t.app.get(&format!("/api/threads/{}/artifacts/", t.id), &t.token).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), "application/json");
    assert!(r.json()["detail"].is_string());
}
