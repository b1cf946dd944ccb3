//! Local copies of objects, for readers that need a path (a parser, a child
//! process): each key downloaded once, into a folder of this process's own
//! under `VITRINE_SPOOL_DIR` that goes with it, and at most `VITRINE_SPOOL_MIB`
//! of them kept, the least used removed first (docs/scaling.md, "Storage
//! interface"). Keys name versions, whose bytes never change: a copy is
//! never stale.

use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::{NamedTempFile, TempDir};

pub struct Spool {
    dir: TempDir,
    files: Cache<String, Arc<Spooled>, BySize>,
}

/// A copy in the spool, removed once the cache lets go of it.
struct Spooled {
    path: PathBuf,
    size: u64,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_file(&self.path) {
            tracing::warn!("could not remove {}: {e}", self.path.display());
        }
    }
}

#[derive(Clone)]
struct BySize;

impl Weighter<String, Arc<Spooled>> for BySize {
    fn weight(&self, _: &String, file: &Arc<Spooled>) -> u64 {
        file.size.max(1)
    }
}

impl Spool {
    /// A spool of at most `capacity` bytes in a new folder under `parent`.
    pub fn open(parent: &Path, capacity: u64) -> io::Result<Spool> {
        fs::create_dir_all(parent)?;
        let dir = tempfile::Builder::new().prefix("spool-").tempdir_in(parent)?;
        // A guess of the count, which quick_cache sizes its tables by: 1 MiB a file.
        let files = Cache::with_weighter((capacity >> 20).max(16) as usize, capacity, BySize);
        Ok(Spool { dir, files })
    }

    /// The spool's folder, where files bound for the store are written first too.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The path of `key`'s copy, which `download` writes into the file it
    /// is given when there is none yet; callers asking for one key at once
    /// wait for one download.
    pub fn path(&self, key: &str, download: impl FnOnce(&File) -> io::Result<()>) -> io::Result<PathBuf> {
        let file = self.files.get_or_insert_with(key, || {
            let tmp = NamedTempFile::new_in(self.dir())?;
            download(tmp.as_file())?;
            let size = tmp.as_file().metadata()?.len();
            let path = self.dir().join(key.replace('/', "%"));
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok::<_, io::Error>(Arc::new(Spooled { path, size }))
        })?;
        Ok(file.path.clone())
    }

    /// Removes `key`'s copy, if there is one: its object was deleted.
    pub fn forget(&self, key: &str) {
        self.files.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_key_is_downloaded_once_and_the_least_used_removed_past_the_capacity() {
        let parent = tempfile::tempdir().unwrap();
        let spool = Spool::open(parent.path(), 10).unwrap();
        let downloads = std::cell::Cell::new(0);
        let fetch = |key: &str, bytes: &[u8]| {
            spool
                .path(key, |mut f| {
                    downloads.set(downloads.get() + 1);
                    f.write_all(bytes)
                })
                .unwrap()
        };
        let a = fetch("c/a.txt", b"aaaa");
        assert_eq!(fs::read(&a).unwrap(), b"aaaa");
        assert_eq!(fetch("c/a.txt", b"changed"), a);
        assert_eq!(downloads.get(), 1);
        // Past 10 bytes, a copy goes: its file with it.
        fetch("c/b.txt", b"bbbbbbbb");
        fetch("c/c.txt", b"cccccccc");
        let left = fs::read_dir(spool.dir()).unwrap().count();
        assert!(left < 3, "{left} copies kept");
        // A failed download leaves nothing.
        let failed = spool.path("c/d.txt", |_| Err(io::Error::other("gone")));
        assert!(failed.is_err());
        assert!(!spool.dir().join("c%d.txt").exists());
        let b = fetch("c/b.txt", b"bbbbbbbb");
        spool.forget("c/b.txt");
        assert!(!b.exists());
        let dir = spool.dir().to_path_buf();
        drop(spool);
        assert!(!dir.exists());
    }
}
