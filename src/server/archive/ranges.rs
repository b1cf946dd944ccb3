//! `Read + Seek` over an archive in a bucket, by ranged reads of whole
//! blocks: `ZipArchive` finds the central directory at the end in a few
//! reads, and a member's bytes in a few more, never a copy of the whole.

use crate::server::store::blobs::Blobs;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// The size of one read, aligned on multiples of itself.
const BLOCK: u64 = 64 * 1024;

pub struct RangeReader {
    blobs: Arc<Blobs>,
    key: String,
    len: u64,
    pos: u64,
    /// The last block read: where it starts, and its bytes.
    block: (u64, Vec<u8>),
}

impl RangeReader {
    pub fn new(blobs: Arc<Blobs>, key: String, len: u64) -> Self {
        RangeReader { blobs, key, len, pos: 0, block: (0, Vec::new()) }
    }
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let start = self.pos / BLOCK * BLOCK;
        if self.block.0 != start || self.block.1.is_empty() {
            self.block = (start, self.blobs.read_range(&self.key, start..(start + BLOCK).min(self.len))?);
        }
        let offset = (self.pos - start) as usize;
        let held = self.block.1.get(offset..).unwrap_or_default();
        let n = held.len().min(buf.len());
        buf[..n].copy_from_slice(&held[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let (base, delta) = match to {
            SeekFrom::Start(at) => (at, 0),
            SeekFrom::End(delta) => (self.len, delta),
            SeekFrom::Current(delta) => (self.pos, delta),
        };
        self.pos = base
            .checked_add_signed(delta)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start"))?;
        Ok(self.pos)
    }
}
