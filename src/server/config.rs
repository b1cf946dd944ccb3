//! Settings of a running server: `Config`, what the server uses, made by
//! the tests or from `Settings`, what `Leptos.toml`, the environment and
//! `serve`'s flags say.

use super::content::ContentOrigin;
use super::meta::pg::DatabaseUrl;
use super::store::blobs::object::Location;
use crate::error::AppError;
use axum_client_ip::ClientIpSource;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    /// The bucket that holds data files and sidecars; `None`: the data directory.
    pub store: Option<Location>,
    /// The S3 endpoint, if not AWS's (credentials and region: the `AWS_*` variables).
    pub s3_endpoint: Option<String>,
    /// Where copies of objects are kept for readers that need a file.
    pub spool_dir: PathBuf,
    pub spool_bytes: u64,
    /// Whether large downloads from the bucket answer a redirect to it.
    pub s3_redirect: bool,
    /// The PostgreSQL database of users, conversations and messages; `None`:
    /// SQLite in the data directory.
    pub database_url: Option<DatabaseUrl>,
    /// Where to listen, if not the Leptos configuration's address.
    pub site_addr: Option<SocketAddr>,
    /// This process's name in its logs and `/readyz`.
    pub instance: String,
    /// Largest artifact a tool result may carry.
    pub max_artifact_bytes: u64,
    /// Memory for small files kept once read (0 keeps none).
    pub file_cache_bytes: u64,
    /// Memory for listing pages kept once read in the PostgreSQL mode (0 keeps none).
    pub listing_cache_bytes: u64,
    pub uploads: UploadLimits,
    /// The `vitrine` binary whose `convert` subcommand turns documents into
    /// Markdown in a separate, limited process; `None` turns conversion off.
    pub converter: Option<PathBuf>,
    pub convert_timeout: Duration,
    /// Address space the conversion process may use.
    pub convert_memory_bytes: u64,
    pub connections: super::listen::ConnectionLimits,
    pub sign_in: SignInLimits,
    /// Where a sign-in's client address is read: the connection, or the
    /// header the proxy in front of the instances sets.
    pub client_ip: ClientIpSource,
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
            store: None,
            s3_endpoint: None,
            spool_dir: std::env::temp_dir().join("vitrine-spool"),
            spool_bytes: 1024 * MIB,
            s3_redirect: false,
            database_url: None,
            site_addr: None,
            instance: host_name(),
            max_artifact_bytes: 100 * MIB,
            file_cache_bytes: 32 * MIB,
            listing_cache_bytes: 16 * MIB,
            uploads: UploadLimits { max_file_bytes: 50 * MIB, max_files: 10, max_request_bytes: 100 * MIB },
            converter: None,
            convert_timeout: Duration::from_secs(30),
            convert_memory_bytes: 1024 * MIB,
            connections: Default::default(),
            sign_in: SignInLimits { per_account: 5, per_address: 20 },
            client_ip: ClientIpSource::ConnectInfo,
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

/// The machine's host name, the default instance name.
fn host_name() -> String {
    rustix::system::uname().nodename().to_string_lossy().into_owned()
}

/// The file `vitrine` reads, from the current directory, when no
/// `--config` names another.
pub const FILE: &str = "Leptos.toml";

/// The server's settings, every one optional (`Leptos.toml` documents each
/// with its default). A key of the file is overridden by `VITRINE_<KEY>` in
/// the environment (the site address by `LEPTOS_SITE_ADDR`, which
/// cargo-leptos sets), and both by `serve`'s flag `--<key>`.
#[derive(clap::Args, Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on (default 127.0.0.1:3000).
    #[arg(long)]
    pub site_addr: Option<SocketAddr>,
    /// Where artifacts, conversations and users are kept (default ./data).
    // A flag of every subcommand, declared once by `cli::Cli`.
    #[arg(skip)]
    pub data_dir: Option<PathBuf>,
    /// This process's name on its log lines and in /readyz (default the host name).
    #[arg(long)]
    pub instance: Option<String>,
    /// Logs as `text` (default) or `json`, a JSON object a line.
    #[arg(long)]
    pub log_format: Option<LogFormat>,
    /// Where data files are kept: s3://bucket[/prefix] (default the data directory).
    #[arg(long)]
    #[serde(deserialize_with = "parsed", serialize_with = "displayed")]
    pub store: Option<Location>,
    /// S3 endpoint of the store, if not AWS's (e.g. http://127.0.0.1:8333).
    #[arg(long)]
    pub s3_endpoint: Option<String>,
    /// Where copies of a bucket's objects are kept for readers that need a file (default $TMPDIR/vitrine-spool).
    #[arg(long)]
    pub spool_dir: Option<PathBuf>,
    /// Most disk for those copies, in MiB (default 1024).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub spool_mib: Option<u64>,
    /// Large downloads from the bucket answer 302 to a presigned URL of it (default off).
    #[arg(long, value_parser = clap::builder::BoolishValueParser::new())]
    #[serde(deserialize_with = "boolish")]
    pub s3_redirect: Option<bool>,
    /// Where users, conversations and messages are kept: postgres://user:password@host/database
    /// (default SQLite in the data directory).
    #[arg(long)]
    #[serde(deserialize_with = "parsed", serialize_with = "displayed")]
    pub database_url: Option<DatabaseUrl>,
    /// Largest artifact accepted, in bytes (default 100 MiB).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub max_artifact_bytes: Option<u64>,
    /// Memory for small files (up to 256 KiB) kept once read, in MiB (default 32; 0 keeps none).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub file_cache_mib: Option<u64>,
    /// Memory for listing pages kept once read, checked against the database at each use, in MiB
    /// (PostgreSQL only; default 16; 0 keeps none).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub listing_cache_mib: Option<u64>,
    /// Largest uploaded file, in bytes (default 50 MiB).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub max_upload_bytes: Option<u64>,
    /// Most files in one upload request (default 10).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub max_upload_files: Option<u32>,
    /// Largest upload request, all files together, in bytes (default 100 MiB).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub max_upload_request_bytes: Option<u64>,
    /// Most open connections (default 4096, fewer if file descriptors are short).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub max_connections: Option<u32>,
    /// Seconds a client has to send a request's headers (default 10).
    #[arg(long)]
    #[serde(deserialize_with = "whole")]
    pub header_timeout_secs: Option<u64>,
    /// Sign-in attempts a minute for one account name (default 5).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(deserialize_with = "at_least_one")]
    pub sign_in_per_account: Option<u32>,
    /// Sign-in attempts a minute from one client address (default 20).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    #[serde(deserialize_with = "at_least_one")]
    pub sign_in_per_address: Option<u32>,
    /// Where the client address that sign-in limits count is read: ConnectInfo (the connection,
    /// the default), or the header the proxy in front sets: RightmostXForwardedFor, XRealIp, …
    /// (instances must then be reachable only through that proxy).
    #[arg(long)]
    #[serde(deserialize_with = "parsed", serialize_with = "displayed")]
    pub client_ip_source: Option<ClientIpSource>,
    /// Origin that serves agent-made files, another host name than the app's
    /// (e.g. https://usercontent.example.com; default http://usercontent.localhost on the app's port).
    #[arg(long)]
    #[serde(deserialize_with = "parsed", serialize_with = "displayed")]
    pub content_origin: Option<ContentOrigin>,
    /// Share links: `on` (default) or `off` (none can be made; existing ones answer 410).
    #[arg(long, value_parser = clap::builder::BoolishValueParser::new())]
    #[serde(deserialize_with = "boolish")]
    pub sharing: Option<bool>,
    /// Allow share links that never expire (default: 1 hour to 90 days).
    #[arg(long, value_parser = clap::builder::BoolishValueParser::new())]
    #[serde(deserialize_with = "boolish")]
    pub share_no_expiry: Option<bool>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Settings {
    /// The settings from `file` (a missing one is an error), or from
    /// `./Leptos.toml` if there is one, then from the environment (`env`
    /// reads a variable), then from `flags`. A wrong value is refused with
    /// where it was set.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>, flags: &Settings) -> Result<Self, AppError> {
        let default = Path::new(FILE);
        let mut table = match file {
            Some(path) => read(path)?,
            None if default.exists() => read(default)?,
            None => toml::Table::new(),
        };
        for key in Self::keys() {
            let name = env_name(&key);
            if let Some(value) = env(&name) {
                let value = toml::Value::String(value);
                check(&name, &key, &value)?;
                table.insert(key, value);
            }
        }
        table.extend(toml::Table::try_from(flags).map_err(|e| AppError::BadRequest(e.to_string()))?);
        Self::deserialize(table).map_err(|e| AppError::BadRequest(e.message().to_string()))
    }

    /// The keys, in order: each field that is a flag of `serve`, and the
    /// data directory, a flag of every command.
    fn keys() -> Vec<String> {
        let serve = <Self as clap::Args>::augment_args(clap::Command::new("serve"));
        let flags = serve.get_arguments().map(|a| a.get_id().to_string()).filter(|id| id != "help");
        flags.chain(["data_dir".to_string()]).collect()
    }

    /// The instance's name: the one set, else the host name.
    pub fn instance(&self) -> String {
        self.instance.clone().unwrap_or_else(host_name)
    }

    /// `Config`'s defaults, with what these settings set.
    pub fn config(self) -> Config {
        let instance = self.instance();
        let mut c = Config::new(self.data_dir.unwrap_or_else(|| "./data".into()));
        c.site_addr = self.site_addr;
        c.store = self.store;
        c.s3_endpoint = self.s3_endpoint;
        c.spool_dir = self.spool_dir.unwrap_or(c.spool_dir);
        if let Some(mib) = self.spool_mib {
            c.spool_bytes = mib.saturating_mul(MIB);
        }
        c.s3_redirect = self.s3_redirect.unwrap_or(c.s3_redirect);
        c.database_url = self.database_url;
        c.instance = instance;
        c.max_artifact_bytes = self.max_artifact_bytes.unwrap_or(c.max_artifact_bytes);
        if let Some(mib) = self.file_cache_mib {
            c.file_cache_bytes = mib.saturating_mul(MIB);
        }
        if let Some(mib) = self.listing_cache_mib {
            c.listing_cache_bytes = mib.saturating_mul(MIB);
        }
        c.uploads.max_file_bytes = self.max_upload_bytes.unwrap_or(c.uploads.max_file_bytes);
        c.uploads.max_files = self.max_upload_files.unwrap_or(c.uploads.max_files);
        c.uploads.max_request_bytes = self.max_upload_request_bytes.unwrap_or(c.uploads.max_request_bytes);
        c.connections.max_connections = self.max_connections.unwrap_or(c.connections.max_connections);
        if let Some(secs) = self.header_timeout_secs {
            c.connections.header_timeout = Duration::from_secs(secs);
        }
        c.sign_in.per_account = self.sign_in_per_account.unwrap_or(c.sign_in.per_account);
        c.sign_in.per_address = self.sign_in_per_address.unwrap_or(c.sign_in.per_address);
        c.client_ip = self.client_ip_source.unwrap_or(c.client_ip);
        c.content_origin = self.content_origin;
        c.sharing.enabled = self.sharing.unwrap_or(c.sharing.enabled);
        c.sharing.allow_no_expiry = self.share_no_expiry.unwrap_or(c.sharing.allow_no_expiry);
        c
    }
}

/// The variable that overrides `key`.
fn env_name(key: &str) -> String {
    match key {
        "site_addr" => "LEPTOS_SITE_ADDR".into(),
        _ => format!("VITRINE_{}", key.to_uppercase()),
    }
}

/// The file's keys, each checked alone so that an error names its key.
fn read(path: &Path) -> Result<toml::Table, AppError> {
    let shown = path.display();
    let bad = |message: String| AppError::BadRequest(format!("{shown}: {message}"));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map_or(0, |s| text[..s.start].matches('\n').count() + 1);
        bad(format!("line {line}: {}", e.message().trim().replace('\n', " ")))
    })?;
    let keys = Settings::keys();
    for (key, value) in &table {
        if !keys.contains(key) {
            return Err(bad(format!("unknown setting `{key}` (known: {})", keys.join(", "))));
        }
        check(&format!("{shown}: {key}"), key, value)?;
    }
    Ok(table)
}

/// `value` as `key`, or the error, after `source`.
fn check(source: &str, key: &str, value: &toml::Value) -> Result<(), AppError> {
    let one = toml::Table::from_iter([(key.to_string(), value.clone())]);
    Settings::deserialize(one).map(drop).map_err(|e| AppError::BadRequest(format!("{source}: {}", e.message())))
}

/// A whole number, from the file's integer or the environment's text.
fn whole<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<Option<T>, D::Error> {
    struct Whole;
    impl Visitor<'_> for Whole {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(format!("expected a whole number, got {v}")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim().parse().map_err(|_| E::custom(format!("expected a whole number, got {v:?}")))
        }
    }
    let n = d.deserialize_any(Whole)?;
    T::try_from(n).map(Some).map_err(|_| de::Error::custom(format!("{n} is too large")))
}

fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match whole(d)? {
        Some(0) => Err(de::Error::custom("expected a whole number from 1, got 0")),
        n => Ok(n),
    }
}

/// A switch: a boolean, or on/off, yes/no, true/false, 1/0 as the
/// environment and the command line take it.
fn boolish<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct Boolish;
    impl Visitor<'_> for Boolish {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("on or off")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "on" | "yes" | "true" | "1" => Ok(true),
                "off" | "no" | "false" | "0" => Ok(false),
                _ => Err(E::custom(format!("expected on or off, got {v:?}"))),
            }
        }
    }
    d.deserialize_any(Boolish).map(Some)
}

fn parsed<'de, D: Deserializer<'de>, T>(d: D) -> Result<Option<T>, D::Error>
where
    T: std::str::FromStr<Err: std::fmt::Display>,
{
    String::deserialize(d)?.parse().map(Some).map_err(de::Error::custom)
}

fn displayed<S: Serializer, T: std::fmt::Display>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}
