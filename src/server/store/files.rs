//! The on-disk side of the store: atomic writes and the start-up scan.

use super::sidecar::Sidecar;
use rustix::fs::{Mode, OFlags, ResolveFlags};
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use uuid::Uuid;

pub const TEMP_PREFIX: &str = ".tmp-";

pub fn artifacts_dir(data_dir: &Path, conversation: Uuid) -> PathBuf {
    data_dir.join("conversations").join(conversation.to_string()).join("artifacts")
}

/// The data directory, held open so that data files are opened beneath it.
pub struct Root(OwnedFd);

impl Root {
    pub fn open(data_dir: &Path) -> io::Result<Root> {
        Ok(Root(rustix::fs::open(data_dir, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?))
    }

    /// Opens `relative` for reading, failing with `EXDEV` if resolving it
    /// (through a symlink planted on disk, say) would leave the data
    /// directory: one system call, and no window between the check and the
    /// open, where `realpath` cost a `readlink` per component of the path.
    pub fn open_file(&self, relative: &Path) -> io::Result<File> {
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        Ok(File::from(rustix::fs::openat2(&self.0, relative, flags, Mode::empty(), resolve)?))
    }
}

/// Where a card's picture is cached once made (`server::cards`).
pub fn thumbnail_path(data_dir: &Path, artifact: Uuid) -> PathBuf {
    data_dir.join("cache").join("cards").join(format!("{artifact}.webp"))
}

/// Writes `bytes` to `dir/name` so that the name only ever shows complete,
/// durable content: temp file, fsync, rename. The caller fsyncs `dir` once
/// after its renames.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{TEMP_PREFIX}{}", Uuid::new_v4()));
    let result = (|| {
        let mut file = File::create_new(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, dir.join(name))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Reads every artifacts folder under the data directory: returns the
/// sidecars whose data file is whole, and removes what a crash left behind
/// (temp files, data files without a sidecar).
///
/// Folders are read on every core: start-up is mostly path lookups and
/// small reads, which run side by side.
pub fn scan(data_dir: &Path) -> io::Result<Vec<Sidecar>> {
    let root = data_dir.join("conversations");
    let Ok(conversations) = fs::read_dir(&root) else { return Ok(Vec::new()) };
    let mut dirs = Vec::new();
    for conv in conversations {
        let dir = conv?.path().join("artifacts");
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = dirs.len().div_ceil(threads).max(1);
    let parts: Vec<io::Result<Vec<Sidecar>>> = std::thread::scope(|s| {
        let workers: Vec<_> = dirs
            .chunks(chunk)
            .map(|dirs| {
                s.spawn(move || {
                    let mut found = Vec::new();
                    for dir in dirs {
                        scan_dir(dir, &mut found)?;
                    }
                    Ok(found)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("scan thread")).collect()
    });
    let mut found = Vec::new();
    for part in parts {
        found.extend(part?);
    }
    Ok(found)
}

fn scan_dir(dir: &Path, found: &mut Vec<Sidecar>) -> io::Result<()> {
    let mut data_files = Vec::new();
    // Ids that have a metadata file, readable or not: their data is never
    // removed here, only data that no metadata file claims.
    let mut claimed = std::collections::HashSet::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(TEMP_PREFIX) {
            tracing::info!("removing leftover temp file {}", entry.path().display());
            fs::remove_file(entry.path())?;
        } else if let Some(id) = name.strip_suffix(".meta.json") {
            claimed.insert(id.to_string());
            match read_sidecar(&entry.path(), dir) {
                Ok(meta) => found.push(meta),
                Err(e) => tracing::warn!("not listing artifact {}: {e}", entry.path().display()),
            }
        } else {
            data_files.push((name, entry.path()));
        }
    }
    for (name, path) in data_files {
        let id = name.split('.').next().unwrap_or_default();
        if !claimed.contains(id) {
            tracing::info!("removing data file without metadata {}", path.display());
            fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// Why an artifact found on disk is not listed.
#[derive(Debug, thiserror::Error)]
enum Unlisted {
    #[error("unreadable: {0}")]
    Io(#[from] io::Error),
    #[error("not valid metadata: {0}")]
    Json(#[from] serde_json::Error),
    #[error("metadata file name does not match its id")]
    Misnamed,
    #[error("data file has {0} bytes, metadata says {1}")]
    Size(u64, u64),
}

fn read_sidecar(path: &Path, dir: &Path) -> Result<Sidecar, Unlisted> {
    let meta: Sidecar = serde_json::from_slice(&fs::read(path)?)?;
    if path.file_name().and_then(|n| n.to_str()) != Some(Sidecar::file_name(meta.id).as_str()) {
        return Err(Unlisted::Misnamed);
    }
    let len = fs::metadata(dir.join(meta.data_file_name()))?.len();
    if len != meta.size {
        return Err(Unlisted::Size(len, meta.size));
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GalleryType;

    fn sidecar(conversation: Uuid, name: &str, size: u64) -> Sidecar {
        Sidecar {
            id: Uuid::new_v4(),
            artifact_id: None,
            version: 1,
            conversation_id: conversation,
            name: name.into(),
            size,
            mime_type: "text/plain".into(),
            kind: GalleryType::from_name(name),
            created_at: "2026-01-01T00:00:00Z".into(),
            tool: "t".into(),
            message_id: Uuid::new_v4(),
            path: format!("mnt/user-data/outputs/{name}"),
            sha256: String::new(),
        }
    }

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let tmp = tempfile::tempdir().unwrap();
        write_atomic(tmp.path(), "a.txt", b"hello").unwrap();
        let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["a.txt"]);
        assert_eq!(fs::read(tmp.path().join("a.txt")).unwrap(), b"hello");
        // A failed write (no such folder) leaves nothing behind either.
        assert!(write_atomic(&tmp.path().join("missing"), "b.txt", b"x").is_err());
    }

    #[test]
    fn scan_keeps_whole_artifacts_and_removes_crash_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let conv = Uuid::new_v4();
        let dir = artifacts_dir(tmp.path(), conv);
        fs::create_dir_all(&dir).unwrap();
        let whole = sidecar(conv, "ok.txt", 2);
        fs::write(dir.join(whole.data_file_name()), b"ok").unwrap();
        fs::write(dir.join(Sidecar::file_name(whole.id)), serde_json::to_vec(&whole).unwrap()).unwrap();
        // Data renamed into place, crash before its sidecar: an orphan.
        let orphan = sidecar(conv, "orphan.png", 1);
        fs::write(dir.join(orphan.data_file_name()), b"x").unwrap();
        // A temp file from a write that never finished.
        fs::write(dir.join(format!("{TEMP_PREFIX}abc")), b"partial").unwrap();
        // A sidecar whose data file is shorter than it says: not listed.
        let torn = sidecar(conv, "torn.csv", 100);
        fs::write(dir.join(torn.data_file_name()), b"short").unwrap();
        fs::write(dir.join(Sidecar::file_name(torn.id)), serde_json::to_vec(&torn).unwrap()).unwrap();

        let found = scan(tmp.path()).unwrap();
        assert_eq!(found, vec![whole.clone()]);
        let mut left: Vec<_> =
            fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        let mut expected = vec![
            whole.data_file_name(),
            Sidecar::file_name(whole.id),
            torn.data_file_name(),
            Sidecar::file_name(torn.id),
        ];
        expected.sort();
        assert_eq!(left, expected);
    }
}
