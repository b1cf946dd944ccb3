//! Small data files kept in memory once read, by version id. A data file
//! never changes (a new version is a new data file with its own id), so a
//! copy held here cannot go stale; it is dropped when its version is
//! deleted, and the index is asked first, so a deleted version is never
//! answered from here anyway.
//! For small downloads opening, reading and closing the file cost more than
//! everything else about the request (bench/NOTES.md).

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use rustix::io::ReadWriteFlags;
use std::fs::File;
use std::io::{self, IoSliceMut};
use std::os::unix::fs::FileExt;
use std::time::SystemTime;
use uuid::Uuid;

/// Files up to this size are read whole and may be kept.
pub const MAX_BYTES: u64 = 256 * 1024;

#[derive(Clone)]
pub struct SmallFile {
    pub bytes: Bytes,
    pub modified: Option<SystemTime>,
}

#[derive(Clone)]
struct ByLength;

impl Weighter<Uuid, SmallFile> for ByLength {
    fn weight(&self, _: &Uuid, file: &SmallFile) -> u64 {
        // The entry's own bookkeeping counts too, so empty files are not free.
        file.bytes.len() as u64 + 64
    }
}

/// Recently read small files, up to a total size.
pub struct SmallFiles(Cache<Uuid, SmallFile, ByLength>);

impl SmallFiles {
    pub fn new(capacity_bytes: u64) -> Self {
        let typical_file = 8 * 1024;
        let items = (capacity_bytes / typical_file).max(1) as usize;
        Self(Cache::with_weighter(items, capacity_bytes.max(1), ByLength))
    }

    pub fn get(&self, id: &Uuid) -> Option<SmallFile> {
        self.0.get(id)
    }

    pub fn insert(&self, id: Uuid, file: SmallFile) {
        self.0.insert(id, file);
    }

    pub fn remove(&self, id: &Uuid) {
        self.0.remove(id);
    }
}

/// Reads a whole file of at most [`MAX_BYTES`]: what the page cache holds on
/// this thread, only the rest (a file not read for a while) on the blocking
/// pool, so that the usual case costs no hop between threads.
pub async fn read(file: File) -> io::Result<SmallFile> {
    let metadata = file.metadata()?;
    if metadata.len() > MAX_BYTES {
        return Err(io::Error::other("not a small file"));
    }
    let mut bytes = vec![0; metadata.len() as usize];
    let cached = read_cached(&file, &mut bytes);
    if cached < bytes.len() {
        bytes = tokio::task::spawn_blocking(move || {
            file.read_exact_at(&mut bytes[cached..], cached as u64).map(|()| bytes)
        })
        .await??;
    }
    Ok(SmallFile { bytes: bytes.into(), modified: metadata.modified().ok() })
}

/// Reads into `buf` from the start of `file` what can be read without
/// waiting for the disk (`RWF_NOWAIT`: the kernel answers `EAGAIN` instead);
/// returns how much that was.
fn read_cached(file: &File, buf: &mut [u8]) -> usize {
    let mut done = 0;
    while done < buf.len() {
        let slice = &mut [IoSliceMut::new(&mut buf[done..])];
        match rustix::io::preadv2(file, slice, done as u64, ReadWriteFlags::NOWAIT) {
            Ok(0) | Err(_) => break,
            Ok(n) => done += n,
        }
    }
    done
}
