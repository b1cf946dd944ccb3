//! Small data files kept in memory once read, by version id. A data file
//! never changes (a new version is a new data file with its own id), so a
//! copy held here cannot go stale; it is dropped when its version is
//! deleted, and the index is asked first, so a deleted version is never
//! answered from here anyway.
//! For small downloads opening, reading and closing the file cost more than
//! everything else about the request (bench/NOTES.md); `Blobs::read_small`
//! reads them.

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::time::SystemTime;
use uuid::Uuid;

/// Files up to this size are read whole and may be kept.
pub const MAX_BYTES: u64 = 256 * 1024;

#[derive(Clone)]
pub struct SmallFile {
    pub bytes: Bytes,
    /// The file's date on disk; none for a bucket's object (its row dates it).
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

    pub fn clear(&self) {
        self.0.clear();
    }
}
