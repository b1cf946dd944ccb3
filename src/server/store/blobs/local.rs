//! `Blobs::Local`: the data directory. Keys are paths beneath it; every
//! data file is opened with `openat2(RESOLVE_BENEATH)` against a descriptor
//! of the directory, so a symlink planted on disk that leads out of it is
//! refused by the kernel in the call that opens the file. Writes are
//! atomic (temp file, fsync, rename); start-up scans every artifacts folder.

use super::super::sidecar::Sidecar;
use super::super::small::{SmallFile, MAX_BYTES};
use super::{ByteStream, Listed, Unlisted};
use futures_util::StreamExt;
use rustix::fs::{Mode, OFlags, ResolveFlags};
use rustix::io::ReadWriteFlags;
use std::fs::{self, File};
use std::io::{self, IoSliceMut, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::TempPath;
use uuid::Uuid;

pub const TEMP_PREFIX: &str = ".tmp-";

/// The size of the chunks [`Local::stream`] reads.
const CHUNK: usize = 64 * 1024;

pub struct Local {
    dir: PathBuf,
    /// The data directory, held open so that data files are opened beneath it.
    root: OwnedFd,
}

impl Local {
    pub fn open(data_dir: &Path) -> io::Result<Local> {
        fs::create_dir_all(data_dir.join("conversations"))?;
        let root = rustix::fs::open(data_dir, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Local { dir: data_dir.to_path_buf(), root })
    }

    /// Where `key` is, unchecked: for writing, and for folders.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// Opens `key` for reading, failing if resolving it (through a symlink
    /// planted on disk, say) would leave the data directory: one system
    /// call, and no window between the check and the open, where `realpath`
    /// cost a `readlink` per component of the path. Whatever cannot be
    /// opened is `NotFound`: not there, as far as readers are concerned.
    pub fn open_file(&self, key: &str) -> io::Result<File> {
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        rustix::fs::openat2(&self.root, key, flags, Mode::empty(), resolve).map(File::from).map_err(|e| {
            if e == rustix::io::Errno::XDEV {
                tracing::warn!("refusing {key}: it resolves outside the data directory");
            }
            io::Error::new(io::ErrorKind::NotFound, io::Error::from(e))
        })
    }

    /// The path of `key`, once opening it beneath the root has succeeded
    /// (and the file closed again): a check, for readers that open it later.
    pub fn checked_path(&self, key: &str) -> io::Result<PathBuf> {
        self.open_file(key)?;
        Ok(self.path(key))
    }

    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.path(key);
        let (dir, name) = self.parent_made(&target)?;
        write_atomic(dir, name, bytes)
    }

    pub fn sync(&self, folder: &str) -> io::Result<()> {
        sync_dir(&self.path(folder))
    }

    /// The file is in the key's folder already (`staging_dir`): a rename.
    pub fn put_staged(&self, key: &str, file: TempPath) -> io::Result<()> {
        file.persist(self.path(key)).map_err(|e| e.error)
    }

    /// A hard link: data files never change.
    pub fn link(&self, from: &str, to: &str) -> io::Result<()> {
        let target = self.path(to);
        self.parent_made(&target)?;
        fs::hard_link(self.path(from), target)
    }

    pub fn delete(&self, key: &str) {
        if let Err(e) = fs::remove_file(self.path(key)) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!("could not remove {}: {e}", self.path(key).display());
            }
        }
    }

    pub fn read(&self, key: &str) -> io::Result<Vec<u8>> {
        fs::read(self.path(key))
    }

    pub fn read_range(&self, key: &str, range: Range<u64>) -> io::Result<Vec<u8>> {
        let mut file = self.open_file(key)?;
        file.seek(SeekFrom::Start(range.start))?;
        let mut bytes = Vec::new();
        file.take(range.end.saturating_sub(range.start)).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// `key`'s bytes (those of `range`), read a chunk at a time as the
    /// stream is polled.
    pub fn stream(&self, key: &str, range: Option<Range<u64>>) -> io::Result<ByteStream> {
        use tokio::io::AsyncReadExt;
        let mut file = self.open_file(key)?;
        let range = range.unwrap_or(0..u64::MAX);
        file.seek(SeekFrom::Start(range.start))?;
        let reader = tokio::fs::File::from_std(file).take(range.end.saturating_sub(range.start));
        let chunks = futures_util::stream::try_unfold(reader, |mut reader| async move {
            let mut chunk = bytes::BytesMut::with_capacity(CHUNK);
            let read = reader.read_buf(&mut chunk).await?;
            Ok((read > 0).then(|| (chunk.freeze(), reader)))
        });
        Ok(chunks.boxed())
    }

    /// Reads a whole file of at most [`MAX_BYTES`]: what the page cache
    /// holds on this thread, only the rest (a file not read for a while) on
    /// the blocking pool, so that the usual case costs no hop between threads.
    pub async fn read_small(&self, key: &str) -> io::Result<SmallFile> {
        let file = self.open_file(key)?;
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

    /// Written to a temp file first, then hard-linked to the key: `link`
    /// refuses a name that exists, and the key never shows partial bytes
    /// (`create_new` at the key itself would, and after a crash would keep them).
    pub fn put_new(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        let target = self.path(key);
        let (dir, _) = self.parent_made(&target)?;
        let linked = write_then(dir, bytes, |tmp| {
            let linked = fs::hard_link(tmp, &target);
            let _ = fs::remove_file(tmp);
            linked
        });
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every file beneath `prefix`'s folder, walked without following
    /// symlinks (nor listing them: no key is one). Files and folders that
    /// go while it walks (a temp file renamed, say) are left out.
    pub fn list(&self, prefix: &str) -> io::Result<Vec<Listed>> {
        let prefix = prefix.trim_end_matches('/');
        let (mut found, mut folders) = (Vec::new(), Vec::new());
        if fs::symlink_metadata(self.path(prefix)).is_ok_and(|m| m.is_dir()) {
            folders.push(prefix.to_string());
        }
        while let Some(folder) = folders.pop() {
            let entries = match fs::read_dir(self.path(&folder)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                entries => entries?,
            };
            for entry in entries {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else { continue };
                let key = if folder.is_empty() { name } else { format!("{folder}/{name}") };
                // `DirEntry::metadata` does not follow a symlink.
                let meta = match entry.metadata() {
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    meta => meta?,
                };
                if meta.is_dir() {
                    folders.push(key);
                } else if meta.is_file() {
                    found.push(Listed { key, size: meta.len(), modified: changed(&meta) });
                }
            }
        }
        Ok(found)
    }

    /// `target`'s folder and file name, the folder made (durably) if it was
    /// missing.
    fn parent_made<'a>(&self, target: &'a Path) -> io::Result<(&'a Path, &'a str)> {
        let (Some(dir), Some(name)) = (target.parent(), target.file_name().and_then(|n| n.to_str())) else {
            return Err(io::Error::other(format!("not a key: {}", target.display())));
        };
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            // Make the new folders themselves durable.
            for parent in dir.ancestors().skip(1).take(2) {
                sync_dir(parent)?;
            }
        }
        Ok((dir, name))
    }

    /// Reads every artifacts folder: see [`scan`].
    pub fn scan(&self) -> io::Result<Vec<Sidecar>> {
        scan(&self.dir)
    }

    /// The versions [`Self::scan`] lists, removing nothing: for reading a
    /// data directory that a server may be writing (`vitrine migrate`),
    /// whose temp files and data not yet claimed by a sidecar are its own.
    pub fn versions(&self) -> io::Result<Vec<Sidecar>> {
        let mut found = Vec::new();
        for listed in self.list("conversations")? {
            let parts: Vec<&str> = listed.key.split('/').collect();
            let in_artifacts = matches!(parts[..], [_, _, "artifacts", name] if name.ends_with(".meta.json"));
            let path = self.path(&listed.key);
            let (true, Some(dir)) = (in_artifacts, path.parent()) else { continue };
            match read_sidecar(&path, dir) {
                Ok(meta) => found.push(meta),
                Err(e) => tracing::warn!("not listing artifact {}: {e}", path.display()),
            }
        }
        Ok(found)
    }
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

/// The later of a file's modification and change times: see [`Listed::modified`].
fn changed(meta: &fs::Metadata) -> SystemTime {
    let secs = u64::try_from(meta.ctime()).unwrap_or_default();
    let ctime = SystemTime::UNIX_EPOCH + Duration::new(secs, meta.ctime_nsec().try_into().unwrap_or_default());
    meta.modified().map_or(ctime, |m| m.max(ctime))
}

/// Writes `bytes` to `dir/name` so that the name only ever shows complete,
/// durable content: temp file, fsync, rename. The caller fsyncs `dir` once
/// after its renames.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    write_then(dir, bytes, |tmp| fs::rename(tmp, dir.join(name)))
}

/// Writes `bytes` to a new temp file in `dir`, fsyncs it, then hands its
/// path to `place`, which puts it at its key; it is removed if that fails.
fn write_then(dir: &Path, bytes: &[u8], place: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let tmp = dir.join(format!("{TEMP_PREFIX}{}", Uuid::new_v4()));
    let result = (|| {
        let mut file = File::create_new(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        place(&tmp)
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

fn read_sidecar(path: &Path, dir: &Path) -> Result<Sidecar, Unlisted> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    super::checked_sidecar(name, &fs::read(path)?, |meta| Ok(fs::metadata(dir.join(meta.data_file_name()))?.len()))
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
    fn keys_are_written_linked_read_by_range_and_deleted() {
        let tmp = tempfile::tempdir().unwrap();
        let local = Local::open(&tmp.path().join("data")).unwrap();
        // The folder of a key is made on the first write into it.
        local.put("conversations/c/artifacts/a.txt", b"hello").unwrap();
        local.link("conversations/c/artifacts/a.txt", "conversations/d/artifacts/b.txt").unwrap();
        assert_eq!(local.read_range("conversations/d/artifacts/b.txt", 1..3).unwrap(), b"el");
        assert_eq!(local.read_range("conversations/d/artifacts/b.txt", 3..100).unwrap(), b"lo");
        local.delete("conversations/c/artifacts/a.txt");
        local.delete("conversations/c/artifacts/a.txt");
        let gone = local.read_range("conversations/c/artifacts/a.txt", 0..1).unwrap_err();
        assert_eq!(gone.kind(), io::ErrorKind::NotFound);
        assert_eq!(local.read("conversations/d/artifacts/b.txt").unwrap(), b"hello");
        // Nothing beneath the root is reached by a key that climbs out of it.
        fs::write(tmp.path().join("outside.txt"), b"x").unwrap();
        assert!(local.checked_path("../outside.txt").is_err());
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
        let dir = tmp.path().join(crate::server::store::blobs::artifacts_folder(conv));
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
