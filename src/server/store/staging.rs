//! Files that arrive as a stream (uploads) are written to a temp file in
//! their conversation's folder first, hashed and counted on the way, fsynced,
//! and only renamed into place when the whole request has been accepted.
//! Until then the temp file is removed whenever its owner is dropped: a
//! refused request, a broken body or a failed commit leaves nothing behind.

use super::blobs::local::TEMP_PREFIX;
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// A received, durable file waiting to become an artifact.
#[derive(Debug)]
pub struct Staged {
    pub name: String,
    tmp: TempPath,
    pub size: u64,
    pub sha256: String,
}

impl Staged {
    /// Where the bytes are until the file is committed.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The file itself, for `Blobs::put_staged`.
    pub fn into_temp(self) -> TempPath {
        self.tmp
    }
}

pub struct StagingFile {
    name: String,
    tmp: TempPath,
    file: tokio::fs::File,
    size: u64,
    hasher: Sha256,
}

impl StagingFile {
    /// A new temp file in `dir`, never an existing path: `create_new`
    /// refuses to follow or replace anything already there, symlinks included.
    pub async fn create(dir: PathBuf, name: &str) -> io::Result<Self> {
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(format!("{TEMP_PREFIX}{}", Uuid::new_v4()));
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok(Self { name: name.to_string(), tmp: TempPath::try_from_path(path)?, file, size: 0, hasher: Sha256::new() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk).await?;
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        Ok(())
    }

    pub async fn finish(mut self) -> io::Result<Staged> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        let sha256 = format!("{:x}", self.hasher.finalize());
        Ok(Staged { name: self.name, tmp: self.tmp, size: self.size, sha256 })
    }
}
