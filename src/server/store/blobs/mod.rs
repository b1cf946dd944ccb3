//! Where the stored bytes are: data files, their sidecars and the card
//! cache, each named by a key relative to the store's root that every
//! backend shares — `conversations/{c}/artifacts/{uuid}.{ext}`,
//! `conversations/{c}/artifacts/{uuid}.meta.json`, `cache/cards/{uuid}.webp`
//! and `.json`. Nothing outside this module touches them by path but
//! through [`Blobs::local_path`], which readers that hand a path to a parser
//! or a child process ask for (docs/scaling.md, "Storage interface").
//!
//! One enum rather than a trait object: a backend is one more variant and
//! one more arm per method. The methods block, as the file system does
//! (`read_small` excepted): callers run them on the blocking pool, as they
//! did before; `Object` waits for its requests the same way.

pub mod local;
pub mod object;

use super::sidecar::Sidecar;
use super::small::SmallFile;
use super::spool::{LocalPath, Spool};
use crate::server::config::Config;
use bytes::Bytes;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tempfile::TempPath;
use uuid::Uuid;

pub enum Blobs {
    /// The data directory.
    Local(local::Local),
    /// A bucket (`VITRINE_STORE=s3://…`).
    Object(object::Object),
}

/// A stored key, as [`Blobs::list`] finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    /// When the key last got its bytes. A hard link (`Local`'s `link`)
    /// keeps its source's modification time, so `Local` gives the file's
    /// change time where that is later: a key just linked is never old.
    pub modified: SystemTime,
}

/// Bytes as the store reads them, chunk by chunk.
pub type ByteStream = futures_util::stream::BoxStream<'static, io::Result<Bytes>>;

/// The folder of a conversation's data files and sidecars.
pub fn artifacts_folder(conversation: Uuid) -> String {
    format!("conversations/{conversation}/artifacts")
}

/// The folder of the card cache (`server::cards`).
pub const CARDS: &str = "cache/cards";

/// A card's cached picture (`webp`) or face (`json`), by version id.
pub fn card_key(version: Uuid, ext: &str) -> String {
    format!("{CARDS}/{version}.{ext}")
}

impl Blobs {
    /// The store in a data directory.
    pub fn local(data_dir: &Path) -> io::Result<Self> {
        local::Local::open(data_dir).map(Blobs::Local)
    }

    /// The store `config` names: its bucket, else its data directory.
    pub fn from_config(config: &Config) -> io::Result<Self> {
        let Some(location) = &config.store else { return Self::local(&config.data_dir) };
        let spool = Spool::open(&config.spool_dir, config.spool_bytes)?;
        let object = object::Object::connect(location, config.s3_endpoint.as_deref(), spool)?;
        Ok(Blobs::Object(object.with_redirect(config.s3_redirect)))
    }

    /// Every version whose sidecar and data are whole, with what a crash
    /// left behind removed: the start-up scan.
    pub fn scan(&self) -> io::Result<Vec<Sidecar>> {
        match self {
            Blobs::Local(l) => l.scan(),
            Blobs::Object(o) => o.scan(),
        }
    }

    /// The versions [`Self::scan`] finds, removing nothing: for reading a
    /// store that servers may be writing (`vitrine reindex`).
    pub fn versions(&self) -> io::Result<Vec<Sidecar>> {
        match self {
            Blobs::Local(l) => l.versions(),
            Blobs::Object(o) => o.scan(),
        }
    }

    /// Writes `bytes` at `key` so that the key only ever shows complete,
    /// durable bytes; [`Self::sync`] then makes the key itself durable.
    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        match self {
            Blobs::Local(l) => l.put(key, bytes),
            Blobs::Object(o) => o.put(key, bytes),
        }
    }

    /// Makes the writes and removals in `folder` durable: one call after a
    /// message's writes rather than one per key.
    pub fn sync(&self, folder: &str) -> io::Result<()> {
        match self {
            Blobs::Local(l) => l.sync(folder),
            Blobs::Object(_) => Ok(()),
        }
    }

    /// Where a file bound for `folder` is written first (an upload, a card
    /// picture a child process draws), so that [`Self::put_staged`] can
    /// take it without copying.
    pub fn staging_dir(&self, folder: &str) -> PathBuf {
        match self {
            Blobs::Local(l) => l.path(folder),
            Blobs::Object(o) => o.staging_dir(),
        }
    }

    /// Stores at `key` a complete, durable file written in
    /// [`Self::staging_dir`].
    pub fn put_staged(&self, key: &str, file: TempPath) -> io::Result<()> {
        match self {
            Blobs::Local(l) => l.put_staged(key, file),
            Blobs::Object(o) => o.put_staged(key, file),
        }
    }

    /// Makes `to` hold the bytes of `from`, which never change: no copy
    /// where the backend can avoid it.
    pub fn link(&self, from: &str, to: &str) -> io::Result<()> {
        match self {
            Blobs::Local(l) => l.link(from, to),
            Blobs::Object(o) => o.link(from, to),
        }
    }

    /// Removes keys, logging (not failing on) what cannot be removed; a key
    /// already gone is no failure.
    pub fn delete(&self, keys: impl IntoIterator<Item = String>) {
        match self {
            Blobs::Local(l) => keys.into_iter().for_each(|k| l.delete(&k)),
            Blobs::Object(o) => o.delete(keys),
        }
    }

    /// The whole bytes at `key`, for small things of unknown size (cached
    /// card faces and pictures).
    pub fn read(&self, key: &str) -> io::Result<Vec<u8>> {
        match self {
            Blobs::Local(l) => l.read(key),
            Blobs::Object(o) => o.read(key),
        }
    }

    /// The bytes at `key`, read as they are needed: a file, or the body of
    /// one GET (never a copy in the spool).
    pub fn open(&self, key: &str) -> io::Result<Box<dyn io::Read + Send>> {
        Ok(match self {
            Blobs::Local(l) => Box::new(l.open_file(key)?),
            Blobs::Object(o) => Box::new(o.open(key)?),
        })
    }

    /// The bytes of `key`, or of `range` within them, as they are read: a
    /// download sent without a whole copy first.
    pub async fn stream(&self, key: &str, range: Option<Range<u64>>) -> io::Result<ByteStream> {
        match self {
            Blobs::Local(l) => l.stream(key, range),
            Blobs::Object(o) => o.stream(key, range).await,
        }
    }

    /// The bytes in `range` of `key`: fewer where the range passes its end.
    pub fn read_range(&self, key: &str, range: Range<u64>) -> io::Result<Vec<u8>> {
        match self {
            Blobs::Local(l) => l.read_range(key, range),
            Blobs::Object(o) => o.read_range(key, range),
        }
    }

    /// Whether a bucket answers (`/readyz`); a data directory is checked
    /// by writing in it, which `/readyz` does for both.
    pub fn check(&self) -> io::Result<()> {
        match self {
            Blobs::Local(_) => Ok(()),
            Blobs::Object(o) => o.check(),
        }
    }

    /// Where a browser may fetch `key` itself, answered with this
    /// disposition and type: a presigned URL of the bucket when the
    /// settings send downloads there (`s3_redirect`), else none.
    pub fn download_url(&self, key: &str, disposition: &str, content_type: &str) -> io::Result<Option<String>> {
        match self {
            Blobs::Local(_) => Ok(None),
            Blobs::Object(o) => o.download_url(key, disposition, content_type),
        }
    }

    /// A file of at most [`super::small::MAX_BYTES`], whole.
    pub async fn read_small(&self, key: &str) -> io::Result<SmallFile> {
        match self {
            Blobs::Local(l) => l.read_small(key).await,
            Blobs::Object(o) => o.read_small(key).await,
        }
    }

    /// Writes `bytes` at `key` as [`Self::put`] does, but only if nothing
    /// is there yet; tells whether it wrote. Two writers of one key: one
    /// writes, the other is told no.
    pub fn put_new(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        match self {
            Blobs::Local(l) => l.put_new(key, bytes),
            Blobs::Object(o) => o.put_new(key, bytes),
        }
    }

    /// Every key beneath the folder `prefix`, in no particular order.
    pub fn list(&self, prefix: &str) -> io::Result<Vec<Listed>> {
        match self {
            Blobs::Local(l) => l.list(prefix),
            Blobs::Object(o) => o.list(prefix),
        }
    }

    /// A path to the bytes at `key`, for readers that open it themselves:
    /// checked first, as every open is (never outside the root).
    /// A spool's copy stays while the answer is held.
    pub fn local_path(&self, key: &str) -> io::Result<LocalPath> {
        match self {
            Blobs::Local(l) => l.checked_path(key).map(LocalPath::from),
            Blobs::Object(o) => o.local_path(key),
        }
    }
}

/// Why a version found in the store is not listed.
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

/// The sidecar in `bytes`, read from a key named `name`, if it is valid,
/// is named after its id and its data has the size it says (`data_len`).
fn checked_sidecar(
    name: &str,
    bytes: &[u8],
    data_len: impl FnOnce(&Sidecar) -> Result<u64, Unlisted>,
) -> Result<Sidecar, Unlisted> {
    let meta: Sidecar = serde_json::from_slice(bytes)?;
    if name != Sidecar::file_name(meta.id) {
        return Err(Unlisted::Misnamed);
    }
    let len = data_len(&meta)?;
    if len != meta.size {
        return Err(Unlisted::Size(len, meta.size));
    }
    Ok(meta)
}
