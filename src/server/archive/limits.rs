use std::time::{Duration, Instant};

/// Bounds on what reading archives may cost. Memory held by the cache is at
/// most `cache_bytes` of members plus `max_open_archives` central
/// directories of at most `max_entries` entries each.
#[derive(Clone, Debug)]
pub struct ArchiveLimits {
    pub max_member_bytes: u64,
    pub max_entries: u64,
    /// Largest uncompressed/compressed ratio of a member over 1 MiB.
    pub max_ratio: u64,
    pub cache_bytes: u64,
    pub max_open_archives: usize,
    pub ttl: Duration,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_member_bytes: 64 * 1024 * 1024,
            max_entries: 10_000,
            max_ratio: 100,
            cache_bytes: 64 * 1024 * 1024,
            max_open_archives: 32,
            ttl: Duration::from_secs(5 * 60),
        }
    }
}

/// Time since some fixed start: the cache's only notion of time, so tests
/// can move it forward instead of sleeping.
pub trait Clock: Send + Sync {
    fn now(&self) -> Duration;
}

pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        Self(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}
