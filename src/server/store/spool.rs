//! Local copies of objects, for readers that need a path (a parser, a child
//! process): each key downloaded once, into a folder of this process's own
//! under `VITRINE_SPOOL_DIR` that goes with it, and at most `VITRINE_SPOOL_MIB`
//! of them kept, the least used removed first (docs/scaling.md, "Storage
//! interface"). Keys name versions, whose bytes never change: a copy is
//! never stale.
//!
//! A copy handed out ([`LocalPath`]) stays until its holder lets it go, even
//! once evicted. Each folder is locked (`flock`) while its process lives;
//! opening a spool removes the folders nobody holds, left by processes that
//! were killed.

use quick_cache::sync::Cache;
use quick_cache::Weighter;
use rustix::fs::{flock, FlockOperation};
use std::fs::{self, File};
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::{NamedTempFile, TempDir};

/// The file in a spool's parent that one process at a time holds while it
/// removes stale folders and locks a new one of its own.
const OPENING: &str = ".opening.lock";

pub struct Spool {
    // Dropped in this order: the copies, then their folder, then its lock.
    files: Cache<String, Arc<Spooled>, BySize>,
    dir: TempDir,
    /// The folder, opened and locked for as long as this spool lives.
    _lock: File,
}

/// A path to a stored file's bytes, there for as long as this value lives.
#[derive(Debug)]
pub struct LocalPath {
    path: PathBuf,
    /// The spool's copy, kept until the last holder lets it go.
    _held: Option<Arc<Spooled>>,
}

impl From<PathBuf> for LocalPath {
    /// A file that stays where it is: the data directory's.
    fn from(path: PathBuf) -> Self {
        LocalPath { path, _held: None }
    }
}

impl Deref for LocalPath {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for LocalPath {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// A copy in the spool, removed once the cache and every holder let go of it.
#[derive(Debug)]
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
    /// Folders under `parent` that no live process holds are removed first.
    pub fn open(parent: &Path, capacity: u64) -> io::Result<Spool> {
        fs::create_dir_all(parent)?;
        // Held while this process cleans and locks: no other can remove the
        // folder made here before it is locked.
        let opening = File::create(parent.join(OPENING))?;
        flock(&opening, FlockOperation::LockExclusive)?;
        remove_stale(parent);
        let dir = tempfile::Builder::new().prefix("spool-").tempdir_in(parent)?;
        let lock = File::open(dir.path())?;
        flock(&lock, FlockOperation::NonBlockingLockExclusive)?;
        // A guess of the count, which quick_cache sizes its tables by: 1 MiB a file.
        let files = Cache::with_weighter((capacity >> 20).max(16) as usize, capacity, BySize);
        Ok(Spool { files, dir, _lock: lock })
    }

    /// The spool's folder, where files bound for the store are written first too.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The path of `key`'s copy, which `download` writes into the file it
    /// is given when there is none yet; callers asking for one key at once
    /// wait for one download.
    pub fn path(&self, key: &str, download: impl FnOnce(&File) -> io::Result<()>) -> io::Result<LocalPath> {
        let file = self.files.get_or_insert_with(key, || {
            let tmp = NamedTempFile::new_in(self.dir())?;
            download(tmp.as_file())?;
            let size = tmp.as_file().metadata()?.len();
            let path = self.dir().join(key.replace('/', "%"));
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok::<_, io::Error>(Arc::new(Spooled { path, size }))
        })?;
        Ok(LocalPath { path: file.path.clone(), _held: Some(file) })
    }

    /// Removes `key`'s copy, if there is one: its object was deleted.
    pub fn forget(&self, key: &str) {
        self.files.remove(key);
    }
}

/// Removes the `spool-*` folders under `parent` whose lock nobody holds:
/// their processes are gone.
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if !entry.file_name().to_string_lossy().starts_with("spool-") {
            continue;
        }
        let free = File::open(&path).is_ok_and(|f| flock(&f, FlockOperation::NonBlockingLockExclusive).is_ok());
        if free {
            if let Err(e) = fs::remove_dir_all(&path) {
                tracing::warn!("could not remove the stale spool {}: {e}", path.display());
            }
        }
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
                .to_path_buf()
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

    #[test]
    fn a_copy_handed_out_outlives_its_eviction() {
        let parent = tempfile::tempdir().unwrap();
        let spool = Spool::open(parent.path(), 10).unwrap();
        let held = spool.path("c/a.txt", |mut f| f.write_all(b"aaaaaaaa")).unwrap();
        spool.path("c/b.txt", |mut f| f.write_all(b"bbbbbbbb")).unwrap();
        spool.forget("c/a.txt");
        assert_eq!(fs::read(&*held).unwrap(), b"aaaaaaaa", "removed while held");
        let path = held.to_path_buf();
        drop(held);
        assert!(!path.exists(), "kept once let go");
    }

    /// Folders of processes that were killed (no lock held) go when a spool
    /// opens; a live spool's folder, even in this process, stays.
    #[test]
    fn stale_folders_are_removed_when_a_spool_opens() {
        let parent = tempfile::tempdir().unwrap();
        let live = Spool::open(parent.path(), 10).unwrap();
        live.path("c/a.txt", |mut f| f.write_all(b"a")).unwrap();
        let stale = parent.path().join("spool-killed");
        fs::create_dir_all(stale.join("inner")).unwrap();
        fs::write(stale.join("c%b.txt"), b"left behind").unwrap();
        let unrelated = parent.path().join("other");
        fs::create_dir(&unrelated).unwrap();
        let second = Spool::open(parent.path(), 10).unwrap();
        assert!(!stale.exists(), "a stale folder stayed");
        assert!(live.dir().join("c%a.txt").exists() && second.dir().exists() && unrelated.exists());
    }
}
