//! Conversion runs in a child process (`vitrine convert`), never in the
//! server: a hostile or slow document can exhaust only the child's address
//! space and CPU time, and the child is killed when the time is up.

use crate::error::AppError;
use crate::server::config::Config;
use std::ffi::OsStr;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// Converts `input` (whose original name is `name`) to Markdown in a child
/// process; the error is a short reason for the upload's answer.
pub async fn run(config: &Config, input: &Path, name: &str) -> Result<String, String> {
    let args = [OsStr::new("convert"), input.as_os_str(), OsStr::new("--name"), OsStr::new(name)];
    let out = limited(config, "Conversion", config.convert_timeout, &args).await?;
    String::from_utf8(out).map_err(|_| "Conversion produced text that is not UTF-8".into())
}

/// Runs `vitrine ARGS` (`what` names it in reasons) in a child process with
/// the conversion's memory limit, killed after `timeout`; its standard
/// output, or a short reason.
pub async fn limited(config: &Config, what: &str, timeout: Duration, args: &[&OsStr]) -> Result<Vec<u8>, String> {
    let Some(exe) = &config.converter else {
        return Err(format!("{what} is turned off on this server"));
    };
    let mut cmd = std::process::Command::new(exe);
    cmd.args(args);
    let (memory, cpu_seconds) = (config.convert_memory_bytes, timeout.as_secs() + 1);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            limit(libc::RLIMIT_AS, memory)?;
            limit(libc::RLIMIT_CPU, cpu_seconds)
        });
    }
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| format!("{what} could not start: {e}"))?;
    // On time-out the future, and with it the child, is dropped: kill_on_drop ends it.
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => Err(format!("{what} took longer than {} seconds", timeout.as_secs())),
        Ok(Err(e)) => Err(format!("{what} failed: {e}")),
        Ok(Ok(out)) if out.status.success() => Ok(out.stdout),
        Ok(Ok(out)) => {
            let said = String::from_utf8_lossy(&out.stderr);
            let reason = said.lines().find_map(|l| l.strip_prefix("error: ")).map(str::to_string);
            Err(reason.unwrap_or_else(|| format!("{what} failed: the document was too large or too complex")))
        }
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

/// `vitrine convert INPUT --name NAME`: Markdown on standard output.
pub fn main(input: &Path, name: &str) -> Result<(), AppError> {
    let bytes = std::fs::read(input)?;
    let markdown = super::to_markdown(name, &bytes).map_err(AppError::BadRequest)?;
    print!("{markdown}");
    Ok(())
}
