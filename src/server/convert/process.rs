//! Conversion runs in a child process (`vitrine convert`), never in the
//! server: a hostile or slow document can exhaust only the child's address
//! space and CPU time, and the child is killed when the time is up.

use super::ConvertError;
use crate::error::AppError;
use crate::server::config::Config;
use std::ffi::{OsStr, OsString};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// Converts `input` (whose original name is `name`) to Markdown in a child
/// process, text only.
pub async fn run(config: &Config, input: &Path, name: &str) -> Result<String, ConvertError> {
    markdown(config, config.convert_timeout, &convert_args(input, name)).await
}

/// As `run` for a preview: killed after `timeout` (a page waits for less
/// than an upload), and with an Office document's pictures.
pub async fn for_preview(config: &Config, timeout: Duration, input: &Path, name: &str) -> Result<String, ConvertError> {
    let args = [&convert_args(input, name)[..], &[OsStr::new("--pictures")]].concat();
    markdown(config, timeout, &args).await
}

fn convert_args<'a>(input: &'a Path, name: &'a str) -> [&'a OsStr; 4] {
    [OsStr::new("convert"), input.as_os_str(), OsStr::new("--name"), OsStr::new(name)]
}

async fn markdown(config: &Config, timeout: Duration, args: &[&OsStr]) -> Result<String, ConvertError> {
    let out = limited(config, timeout, args).await?;
    String::from_utf8(out).map_err(|_| ConvertError::NotUtf8)
}

/// Runs `vitrine ARGS` in a child process with the conversion's memory
/// limit, killed after `timeout`; its standard output.
pub async fn limited(config: &Config, timeout: Duration, args: &[&OsStr]) -> Result<Vec<u8>, ConvertError> {
    let Some(exe) = &config.converter else {
        return Err(ConvertError::Off);
    };
    let limits = Limits { memory: config.convert_memory_bytes, cpu_seconds: timeout.as_secs() + 1 };
    let mut cmd = tokio::process::Command::new(exe);
    cmd.args(args).args(limits.args());
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let child = cmd.spawn().map_err(ConvertError::Start)?;
    // On time-out the future, and with it the child, is dropped: kill_on_drop ends it.
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => Err(ConvertError::Timeout(timeout.as_secs())),
        Ok(Err(e)) => Err(ConvertError::Failed(e)),
        Ok(Ok(out)) if out.status.success() => Ok(out.stdout),
        // Killed by a signal (an abort when memory ran out, even while it
        // was printing a reason; the CPU limit's SIGXCPU): the limits.
        Ok(Ok(out)) if out.status.signal().is_some() => Err(ConvertError::Limits),
        Ok(Ok(out)) => {
            let said = String::from_utf8_lossy(&out.stderr);
            let reason = said.lines().find_map(|l| l.strip_prefix("error: "));
            Err(reason.map_or(ConvertError::Limits, |r| ConvertError::Child(r.to_string())))
        }
    }
}

/// The limits a child sets on itself first thing, before it reads its
/// input. Not set between fork and exec (`pre_exec`): that makes std fork
/// the whole server rather than spawn the child, at a cost that grows with
/// the server's memory (7 ms of CPU per child at 20 MiB, 21 ms at 200 MiB).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Limits {
    /// Address space, in bytes.
    #[arg(long)]
    pub memory: u64,
    /// CPU time, in seconds.
    #[arg(long)]
    pub cpu_seconds: u64,
}

impl Limits {
    fn args(self) -> [OsString; 4] {
        ["--memory".into(), self.memory.to_string().into(), "--cpu-seconds".into(), self.cpu_seconds.to_string().into()]
    }

    pub fn apply(self) -> std::io::Result<()> {
        limit(libc::RLIMIT_AS, self.memory)?;
        limit(libc::RLIMIT_CPU, self.cpu_seconds)
    }
}

fn limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let lim = libc::rlimit { rlim_cur: value, rlim_max: value };
    // SAFETY: setrlimit reads the struct we pass and nothing else.
    if unsafe { libc::setrlimit(resource, &lim) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `vitrine convert INPUT --name NAME [--pictures]`: Markdown on standard
/// output.
pub fn main(input: &Path, name: &str, pictures: bool) -> Result<(), AppError> {
    // Past the memory limit the read fails cleanly: say so, as for a parser.
    let bytes = std::fs::read(input).map_err(|e| match e.kind() {
        std::io::ErrorKind::OutOfMemory => AppError::from(ConvertError::Limits),
        _ => e.into(),
    })?;
    let markdown = if pictures { super::with_pictures(name, &bytes)? } else { super::to_markdown(name, &bytes)? };
    print!("{markdown}");
    Ok(())
}
