//! Members of `.skill` archives (ZIPs), read without extracting anything and
//! never writing to disk. Opened archives (their central directory, with the
//! open file) and recently read members are cached for a while; the cache is
//! bounded, keyed by the archive's on-disk identity so a changed archive is
//! never answered from stale entries. An archive in a bucket is read by
//! ranges ([`RangeReader`]), keyed by its version's id.

mod limits;
mod ranges;

pub use limits::{ArchiveLimits, Clock, SystemClock};

use crate::error::AppError;
use crate::server::store::blobs::Blobs;
use crate::server::store::names::check_segments;
use crate::server::store::{sidecar::Sidecar, ArtifactStore};
use quick_cache::sync::Cache;
use quick_cache::{OptionsBuilder, Weighter};
use ranges::RangeReader;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;
use zip::result::ZipError;
use zip::ZipArchive;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("File '{0}' not found in skill archive")]
    MemberNotFound(String),
    #[error("Archive not found")]
    ArchiveNotFound,
    #[error("Corrupt skill archive: {0}")]
    Corrupt(String),
    #[error("Refused skill archive member: {0}")]
    Hostile(String),
    #[error("Skill archive member too large: {0}")]
    TooLarge(String),
    #[error(transparent)]
    Io(std::io::Error),
}

/// Where an archive's bytes are.
pub enum Source {
    /// A file on disk, checked against its identity at each use.
    File(PathBuf),
    /// A version in a bucket, read by ranges: its id names bytes that
    /// never change.
    Stored { blobs: Arc<Blobs>, key: String, id: Uuid, len: u64 },
}

impl Source {
    /// Where a stored version's archive is read from: its file, or ranges
    /// of its object (no copy of the whole).
    pub async fn of(store: &ArtifactStore, meta: &Sidecar) -> Result<Source, AppError> {
        Ok(match **store.blobs() {
            Blobs::Local(_) => Source::File(store.local_path(meta).await?.to_path_buf()),
            Blobs::Object(_) => Self::stored(store, meta),
        })
    }

    /// [`Self::of`] for callers on the blocking pool.
    pub fn of_blocking(store: &ArtifactStore, meta: &Sidecar) -> Result<Source, AppError> {
        Ok(match **store.blobs() {
            Blobs::Local(_) => Source::File(store.local_path_blocking(meta)?.to_path_buf()),
            Blobs::Object(_) => Self::stored(store, meta),
        })
    }

    fn stored(store: &ArtifactStore, meta: &Sidecar) -> Source {
        Source::Stored { blobs: store.blobs().clone(), key: meta.data_key(), id: meta.id, len: meta.size }
    }

    fn name(&self) -> Name {
        match self {
            Source::File(path) => Name::File(path.clone()),
            Source::Stored { id, .. } => Name::Version(*id),
        }
    }
}

/// What the caches know an archive by.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Name {
    File(PathBuf),
    Version(Uuid),
}

/// The reader a central directory is read through.
trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// What identifies one version of an archive file on disk.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Version {
    len: u64,
    mtime_ns: i128,
    inode: u64,
}

struct Entry {
    index: usize,
    size: u64,
    compressed: u64,
    safe: bool,
}

/// An opened archive: its central directory, and the open file behind it
/// (one reader at a time).
struct Directory {
    archive: Mutex<ZipArchive<Box<dyn ReadSeek>>>,
    entries: HashMap<String, Entry>,
}

/// quick_cache has no expiry: a cached value carries the version and time it
/// was read, checked at each use.
#[derive(Clone)]
struct Cached<T> {
    version: Version,
    at: Duration,
    value: T,
}

#[derive(Clone)]
struct ByLength;

impl Weighter<(Name, String), Cached<Arc<[u8]>>> for ByLength {
    fn weight(&self, _: &(Name, String), member: &Cached<Arc<[u8]>>) -> u64 {
        member.value.len() as u64
    }
}

pub struct ArchiveCache {
    limits: ArchiveLimits,
    clock: Arc<dyn Clock>,
    directories: Cache<Name, Cached<Arc<Directory>>>,
    members: Cache<(Name, String), Cached<Arc<[u8]>>, ByLength>,
    loads: AtomicU64,
}

/// A member name that could never be extracted safely anywhere: anything
/// the one segment rule refuses (a folder's trailing `/` aside), or a
/// Windows drive (`C:`).
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && check_segments(name.strip_suffix('/').unwrap_or(name)).is_ok()
        && !name.split('/').next().is_some_and(|first| first.len() == 2 && first.ends_with(':'))
}

impl ArchiveCache {
    pub fn new(limits: ArchiveLimits, clock: Arc<dyn Clock>) -> Self {
        let typical_member = 16 * 1024;
        // One shard: quick_cache splits its bound between shards, and a
        // member of a quarter of the bound must fit.
        let options = OptionsBuilder::new()
            .shards(1)
            .estimated_items_capacity((limits.cache_bytes / typical_member).max(1) as usize)
            .weight_capacity(limits.cache_bytes.max(1))
            .build()
            .expect("shards, items and weight are set");
        let members = Cache::with_options(options, ByLength, Default::default(), Default::default());
        let directories = Cache::new(limits.max_open_archives.max(1));
        Self { limits, clock, directories, members, loads: AtomicU64::new(0) }
    }

    /// How many times a central directory was read from disk: what the cache saves.
    pub fn directory_loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Forgets what was read of stored versions (deleted ones), or of every
    /// archive with `None`.
    pub fn forget(&self, versions: Option<&[Uuid]>) {
        let Some(versions) = versions else {
            self.directories.clear();
            return self.members.clear();
        };
        for &id in versions {
            self.directories.remove(&Name::Version(id));
        }
        self.members.retain(|(name, _), _| !matches!(name, Name::Version(id) if versions.contains(id)));
    }

    /// Bytes of members held in the cache now.
    pub fn cached_member_bytes(&self) -> u64 {
        self.members.weight()
    }

    /// One member if the cache holds it, fresh: a stat and a lock, no
    /// reading, so callers need not leave the runtime thread for it.
    pub fn cached_member(&self, archive: &Source, member: &str) -> Result<Option<Arc<[u8]>>, ArchiveError> {
        let version = Self::version(archive)?;
        Ok(self.fresh(self.members.get(&(archive.name(), member.to_string())), version))
    }

    /// A stored version never changes: its length is all there is to check.
    fn version(archive: &Source) -> Result<Version, ArchiveError> {
        let archive = match archive {
            Source::File(path) => path,
            Source::Stored { len, .. } => return Ok(Version { len: *len, mtime_ns: 0, inode: 0 }),
        };
        let meta = std::fs::metadata(archive).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ArchiveError::ArchiveNotFound,
            _ => ArchiveError::Io(e),
        })?;
        Ok(Version {
            len: meta.len(),
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            inode: meta.ino(),
        })
    }

    /// The cached value if it was read from this version of the archive
    /// less than the time to live ago.
    fn fresh<T>(&self, cached: Option<Cached<T>>, version: Version) -> Option<T> {
        let now = self.clock.now();
        cached.filter(|c| c.version == version && now.saturating_sub(c.at) < self.limits.ttl).map(|c| c.value)
    }

    /// Reads one member. Blocking: callers run it on the blocking pool.
    pub fn read_member(&self, archive: &Source, member: &str) -> Result<Arc<[u8]>, ArchiveError> {
        let version = Self::version(archive)?;
        let key = (archive.name(), member.to_string());
        if let Some(bytes) = self.fresh(self.members.get(&key), version) {
            return Ok(bytes);
        }
        let bytes = self.read_entry(&*self.directory(archive, version)?, member)?;
        if (bytes.len() as u64) <= self.limits.cache_bytes / 4 {
            self.members.insert(key, Cached { version, at: self.clock.now(), value: bytes.clone() });
        }
        Ok(bytes)
    }

    /// The archive's files that can be read (name and size), in its order.
    /// Blocking: callers run it on the blocking pool.
    pub fn members(&self, archive: &Source) -> Result<Vec<(String, u64)>, ArchiveError> {
        let dir = self.directory(archive, Self::version(archive)?)?;
        let mut members: Vec<_> =
            dir.entries.iter().filter(|(_, e)| e.safe).map(|(n, e)| (e.index, n, e.size)).collect();
        members.sort_unstable();
        Ok(members.into_iter().map(|(_, name, size)| (name.clone(), size)).collect())
    }

    /// The archive's central directory, read again unless the cache holds
    /// this version of it, fresh.
    fn directory(&self, archive: &Source, version: Version) -> Result<Arc<Directory>, ArchiveError> {
        let name = archive.name();
        if let Some(dir) = self.fresh(self.directories.get(&name), version) {
            return Ok(dir);
        }
        let at = self.clock.now();
        let dir = Arc::new(self.load(archive)?);
        self.directories.insert(name, Cached { version, at, value: dir.clone() });
        Ok(dir)
    }

    fn load(&self, source: &Source) -> Result<Directory, ArchiveError> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        let reader: Box<dyn ReadSeek> = match source {
            Source::File(path) => Box::new(BufReader::new(File::open(path).map_err(ArchiveError::Io)?)),
            Source::Stored { blobs, key, len, .. } => Box::new(RangeReader::new(blobs.clone(), key.clone(), *len)),
        };
        let mut archive = ZipArchive::new(reader).map_err(unread)?;
        if archive.len() as u64 > self.limits.max_entries {
            return Err(ArchiveError::Hostile(format!(
                "the archive has {} entries, more than the limit of {}",
                archive.len(),
                self.limits.max_entries
            )));
        }
        let mut entries = HashMap::with_capacity(archive.len());
        for index in 0..archive.len() {
            let file = archive.by_index_raw(index).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            if file.is_dir() {
                continue;
            }
            let raw = file.name().map_err(|e| ArchiveError::Corrupt(e.to_string()))?.to_string();
            let name = raw.strip_prefix("./").unwrap_or(&raw).to_string();
            let entry =
                Entry { index, size: file.size(), compressed: file.compressed_size(), safe: is_safe_name(&name) };
            // With duplicate names the last entry wins, as unzip tools extract it last.
            entries.insert(name, entry);
        }
        Ok(Directory { archive: Mutex::new(archive), entries })
    }

    fn read_entry(&self, dir: &Directory, member: &str) -> Result<Arc<[u8]>, ArchiveError> {
        let entry = find(&dir.entries, member).ok_or_else(|| ArchiveError::MemberNotFound(member.to_string()))?;
        let shown = member.escape_debug();
        if !entry.safe {
            return Err(ArchiveError::Hostile(format!("unsafe member name '{shown}'")));
        }
        let max = self.limits.max_member_bytes;
        if entry.size > max {
            return Err(ArchiveError::TooLarge(format!("'{shown}' declares {} bytes, the limit is {max}", entry.size)));
        }
        if entry.size > 1024 * 1024 && entry.size / entry.compressed.max(1) > self.limits.max_ratio {
            return Err(ArchiveError::Hostile(format!(
                "'{shown}' expands {} times (zip bomb), the limit is {}",
                entry.size / entry.compressed.max(1),
                self.limits.max_ratio
            )));
        }
        let mut archive = dir.archive.lock().unwrap_or_else(|p| p.into_inner());
        let file = archive.by_index(entry.index).map_err(unread)?;
        let mut bytes = Vec::with_capacity(entry.size as usize);
        // A header can lie about the size: never read more than the limit.
        file.take(max + 1).read_to_end(&mut bytes).map_err(|e| unread(ZipError::Io(e)))?;
        if bytes.len() as u64 > max {
            return Err(ArchiveError::TooLarge(format!("'{shown}' is larger than the limit of {max} bytes")));
        }
        Ok(bytes.into())
    }
}

/// Why an archive could not be read: the store failed (a bucket
/// unavailable, a disk's error), else the archive itself is at fault.
fn unread(e: ZipError) -> ArchiveError {
    match e {
        ZipError::Io(e) if e.raw_os_error().is_some() || e.get_ref().is_some_and(|i| i.is::<object_store::Error>()) => {
            ArchiveError::Io(e)
        }
        e => ArchiveError::Corrupt(e.to_string()),
    }
}

/// The entry of `member`: its exact name, else the same path under one
/// top-level folder (`my-skill/SKILL.md`), as skill packagers lay archives
/// out. Of several such folders the first in byte order wins, so the
/// answer never depends on the order of the central directory.
fn find<'a>(entries: &'a HashMap<String, Entry>, member: &str) -> Option<&'a Entry> {
    entries.get(member).or_else(|| {
        entries
            .iter()
            .filter(|(name, _)| {
                name.strip_suffix(member)
                    .and_then(|folder| folder.strip_suffix('/'))
                    .is_some_and(|folder| !folder.is_empty() && !folder.contains('/'))
            })
            .min_by_key(|(name, _)| name.as_str())
            .map(|(_, entry)| entry)
    })
}

#[cfg(test)]
mod tests;
