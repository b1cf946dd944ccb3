//! A full disk: the data directory on a 4 MiB tmpfs. A write that does not
//! fit fails with 507 and a clear message, leaves nothing behind, and reads
//! go on being served. Needs root (to mount), as `make test` has here.

use crate::common::{self, TestApp};
use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small tmpfs mounted on a fresh temp folder, unmounted when dropped.
struct SmallDisk {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let status =
            Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(&path).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "mounting a tmpfs failed: this test needs root (CAP_SYS_ADMIN), as the project's machines and CI have"
        );
        SmallDisk { dir: Some(dir), path }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
        drop(self.dir.take());
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            out.extend(temp_files(&entry.path()));
        } else if name.starts_with(".tmp-") {
            out.push(name);
        }
    }
    out
}

#[tokio::test]
async fn a_full_disk_is_507_loses_nothing_and_reads_go_on() {
    if crate::common::local_only() {
        return;
    }
    let disk = SmallDisk::mount("4m");
    let data = disk.path.join("data");
    let app = TestApp::open(tempfile::tempdir().unwrap(), common::config(&data));
    let token = app.user("alice");
    let id = app.conversation(&token, "full").await;
    let r = app.tool_result(&token, &id, &[("before.txt", b"stored before the disk filled")]).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let before = r.json()["artifacts"][0]["url"].as_str().unwrap().to_string();

    let big = vec![7u8; 6 << 20];
    let r = app.tool_result(&token, &id, &[("small.txt", b"ok"), ("big.bin", &big)]).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.text());
    assert_eq!(r.json()["detail"], "Insufficient storage: the server's disk is full");
    assert!(temp_files(&data).is_empty(), "temp files left: {:?}", temp_files(&data));

    let listed = app.get("/api/artifacts", &token).await.json();
    assert_eq!(listed["total"], 1, "the refused result stored none of its files");
    let r = app.get(&before, &token).await;
    assert_eq!((r.status, r.body.as_slice()), (StatusCode::OK, &b"stored before the disk filled"[..]));

    let r = app.tool_result(&token, &id, &[("after.txt", b"fits again")]).await;
    assert_eq!(r.status, StatusCode::CREATED, "the space of the failed write was given back: {}", r.text());
    let app = app.restart();
    assert_eq!(app.get("/api/artifacts", &token).await.json()["total"], 2);
    drop(app);
}
