//! This disk's durable-write limit, the reference for ingestion: one writer
//! that writes a file, fsyncs it and renames it into place, in a loop.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

pub fn files_per_sec(dir: &Path, size: usize, seconds: u32) -> f64 {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let bytes = vec![b'x'; size];
    let started = Instant::now();
    let mut written = 0u64;
    while started.elapsed() < Duration::from_secs(seconds.into()) {
        let tmp = dir.join(".tmp");
        let mut file = std::fs::File::create(&tmp).unwrap();
        file.write_all(&bytes).unwrap();
        file.sync_all().unwrap();
        std::fs::rename(&tmp, dir.join(written.to_string())).unwrap();
        written += 1;
    }
    let rate = written as f64 / started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(dir).unwrap();
    rate
}
