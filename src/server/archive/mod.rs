//! Members of `.skill` archives (ZIPs), read without extracting anything and
//! never writing to disk. Opened archives (their central directory, with the
//! open file) and recently read members are cached for a while; the cache is
//! bounded, keyed by the archive's on-disk identity so a changed archive is
//! never answered from stale entries.

mod limits;

pub use limits::{ArchiveLimits, Clock, SystemClock};

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
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

struct Directory {
    version: Version,
    loaded_at: Duration,
    last_used: u64,
    archive: ZipArchive<BufReader<File>>,
    entries: HashMap<String, Entry>,
}

struct CachedMember {
    version: Version,
    stored_at: Duration,
    last_used: u64,
    bytes: Arc<[u8]>,
}

#[derive(Default)]
struct Inner {
    directories: HashMap<PathBuf, Directory>,
    members: HashMap<(PathBuf, String), CachedMember>,
    member_bytes: u64,
    tick: u64,
}

pub struct ArchiveCache {
    limits: ArchiveLimits,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
    loads: AtomicU64,
}

/// A member name that could never be extracted safely anywhere.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.chars().any(char::is_control)
        && !name.split('/').next().is_some_and(|first| first.len() == 2 && first.ends_with(':'))
        && !name.split('/').any(|seg| seg == "..")
}

impl ArchiveCache {
    pub fn new(limits: ArchiveLimits, clock: Arc<dyn Clock>) -> Self {
        Self { limits, clock, inner: Mutex::new(Inner::default()), loads: AtomicU64::new(0) }
    }

    /// How many times a central directory was read from disk: what the cache saves.
    pub fn directory_loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Bytes of members held in the cache now.
    pub fn cached_member_bytes(&self) -> u64 {
        self.lock().member_bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One member if the cache holds it, fresh: a stat and a lock, no
    /// reading, so callers need not leave the runtime thread for it.
    pub fn cached_member(&self, archive: &Path, member: &str) -> Result<Option<Arc<[u8]>>, ArchiveError> {
        let version = Self::version(archive)?;
        Ok(self.hit(&mut self.lock(), archive, member, version, self.clock.now()))
    }

    fn version(archive: &Path) -> Result<Version, ArchiveError> {
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

    fn hit(
        &self,
        inner: &mut Inner,
        archive: &Path,
        member: &str,
        version: Version,
        now: Duration,
    ) -> Option<Arc<[u8]>> {
        inner.tick += 1;
        let tick = inner.tick;
        let key = (archive.to_path_buf(), member.to_string());
        let hit = inner.members.get_mut(&key).filter(|m| m.version == version && self.within_ttl(m.stored_at, now))?;
        hit.last_used = tick;
        Some(hit.bytes.clone())
    }

    fn within_ttl(&self, at: Duration, now: Duration) -> bool {
        now.saturating_sub(at) < self.limits.ttl
    }

    /// Reads one member. Blocking: callers run it on the blocking pool.
    pub fn read_member(&self, archive: &Path, member: &str) -> Result<Arc<[u8]>, ArchiveError> {
        let version = Self::version(archive)?;
        let now = self.clock.now();
        let mut inner = self.lock();
        if let Some(bytes) = self.hit(&mut inner, archive, member, version, now) {
            return Ok(bytes);
        }
        let key = (archive.to_path_buf(), member.to_string());
        let tick = inner.tick;
        let bytes = self.read_entry(self.directory(&mut inner, archive, version, now)?, member)?;
        if let Some(old) = inner.members.remove(&key) {
            inner.member_bytes -= old.bytes.len() as u64;
        }
        if (bytes.len() as u64) <= self.limits.cache_bytes / 4 {
            inner.member_bytes += bytes.len() as u64;
            inner.members.insert(key, CachedMember { version, stored_at: now, last_used: tick, bytes: bytes.clone() });
            self.evict_members(&mut inner);
        }
        Ok(bytes)
    }

    /// The archive's files that can be read (name and size), in its order.
    /// Blocking: callers run it on the blocking pool.
    pub fn members(&self, archive: &Path) -> Result<Vec<(String, u64)>, ArchiveError> {
        let version = Self::version(archive)?;
        let mut inner = self.lock();
        inner.tick += 1;
        let dir = self.directory(&mut inner, archive, version, self.clock.now())?;
        let mut members: Vec<_> =
            dir.entries.iter().filter(|(_, e)| e.safe).map(|(n, e)| (e.index, n, e.size)).collect();
        members.sort_unstable();
        Ok(members.into_iter().map(|(_, name, size)| (name.clone(), size)).collect())
    }

    /// The archive's central directory, read again unless the cache holds
    /// this version of it, fresh.
    fn directory<'a>(
        &self,
        inner: &'a mut Inner,
        archive: &Path,
        version: Version,
        now: Duration,
    ) -> Result<&'a mut Directory, ArchiveError> {
        let tick = inner.tick;
        if !inner.directories.get(archive).is_some_and(|d| d.version == version && self.within_ttl(d.loaded_at, now)) {
            // Marked used before evicting, so the eviction spares it.
            let dir = Directory { last_used: tick, ..self.load(archive, version, now)? };
            inner.directories.insert(archive.to_path_buf(), dir);
            self.evict_directories(inner);
        }
        let dir = inner.directories.get_mut(archive).expect("just loaded");
        dir.last_used = tick;
        Ok(dir)
    }

    fn load(&self, path: &Path, version: Version, now: Duration) -> Result<Directory, ArchiveError> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        let file = File::open(path).map_err(ArchiveError::Io)?;
        let mut archive = ZipArchive::new(BufReader::new(file)).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
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
        Ok(Directory { version, loaded_at: now, last_used: 0, archive, entries })
    }

    fn read_entry(&self, dir: &mut Directory, member: &str) -> Result<Arc<[u8]>, ArchiveError> {
        let entry = dir.entries.get(member).ok_or_else(|| ArchiveError::MemberNotFound(member.to_string()))?;
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
        let file = dir.archive.by_index(entry.index).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        let mut bytes = Vec::with_capacity(entry.size as usize);
        // A header can lie about the size: never read more than the limit.
        file.take(max + 1).read_to_end(&mut bytes).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        if bytes.len() as u64 > max {
            return Err(ArchiveError::TooLarge(format!("'{shown}' is larger than the limit of {max} bytes")));
        }
        Ok(bytes.into())
    }

    fn evict_members(&self, inner: &mut Inner) {
        while inner.member_bytes > self.limits.cache_bytes {
            let Some(oldest) = inner.members.iter().min_by_key(|(_, m)| m.last_used).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some(m) = inner.members.remove(&oldest) {
                inner.member_bytes -= m.bytes.len() as u64;
            }
        }
    }

    fn evict_directories(&self, inner: &mut Inner) {
        while inner.directories.len() > self.limits.max_open_archives {
            let Some(oldest) = inner.directories.iter().min_by_key(|(_, d)| d.last_used).map(|(k, _)| k.clone()) else {
                break;
            };
            inner.directories.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests;
