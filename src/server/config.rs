//! Settings of a running server, from the command line or the tests.

use super::content::ContentOrigin;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Largest artifact a tool result may carry.
    pub max_artifact_bytes: u64,
    /// Memory for small files kept once read (0 keeps none).
    pub file_cache_bytes: u64,
    pub uploads: UploadLimits,
    /// The `vitrine` binary whose `convert` subcommand turns documents into
    /// Markdown in a separate, limited process; `None` turns conversion off.
    pub converter: Option<PathBuf>,
    pub convert_timeout: Duration,
    /// Address space the conversion process may use.
    pub convert_memory_bytes: u64,
    pub connections: super::listen::ConnectionLimits,
    pub sign_in: SignInLimits,
    /// Where agent-made pages are served: another host name than the app's.
    /// `None`: `http://usercontent.localhost` on the app's port.
    pub content_origin: Option<ContentOrigin>,
    pub events: super::events::EventLimits,
    pub sharing: Sharing,
}

/// What the operator allows of share links.
#[derive(Clone, Copy, Debug)]
pub struct Sharing {
    /// Off: no link can be made, and existing ones answer 410.
    pub enabled: bool,
    /// Links that never expire may be made.
    pub allow_no_expiry: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_files: u32,
    pub max_request_bytes: u64,
}

/// Sign-in attempts allowed a minute, each also the burst allowed at once.
#[derive(Clone, Copy, Debug)]
pub struct SignInLimits {
    /// For one account name, from anywhere: slows password guessing.
    pub per_account: u32,
    /// From one client address (an IPv6 /64), whatever the names.
    pub per_address: u32,
}

const MIB: u64 = 1024 * 1024;

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            max_artifact_bytes: 100 * MIB,
            file_cache_bytes: 32 * MIB,
            uploads: UploadLimits { max_file_bytes: 50 * MIB, max_files: 10, max_request_bytes: 100 * MIB },
            converter: None,
            convert_timeout: Duration::from_secs(30),
            convert_memory_bytes: 1024 * MIB,
            connections: Default::default(),
            sign_in: SignInLimits { per_account: 5, per_address: 20 },
            content_origin: None,
            events: Default::default(),
            sharing: Sharing { enabled: true, allow_no_expiry: false },
        }
    }

    /// The content origin: the configured one, or the default beside the
    /// app's address `site`.
    pub fn content_origin(&self, site: SocketAddr) -> ContentOrigin {
        self.content_origin.clone().unwrap_or_else(|| ContentOrigin::beside(site))
    }
}
