//! CPU time from `/proc`, in seconds: the kernel reports it in ticks of
//! `USER_HZ`, which is 100 on every architecture Linux runs on.

/// The fields of `/proc/{pid}/stat` after the command name (which is in
/// parentheses and may hold spaces): the first is field 3, the state.
fn stat_fields(pid: &str) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    rest.split_whitespace().map(str::to_string).collect()
}

fn ticks(fields: &[String], first: usize) -> f64 {
    // `first` counts from 1 as proc(5) does; the vector starts at field 3.
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (field(first) + field(first + 1)) as f64 / 100.0
}

/// User and system time of this process's reaped children (`cutime`,
/// `cstime`). The harness reaps nothing else while wrk runs, so the
/// difference across one run is wrk's own.
pub fn children_secs() -> f64 {
    ticks(&stat_fields("self"), 16)
}

/// User and system time of the processes `pids` (`utime`, `stime`).
pub fn secs(pids: &[u32]) -> f64 {
    pids.iter().map(|pid| ticks(&stat_fields(&pid.to_string()), 14)).sum()
}

/// As [`secs`] for one process, with its reaped children's time: a
/// server's own work and that of the child processes it waited for.
pub fn with_children(pid: u32) -> f64 {
    let fields = stat_fields(&pid.to_string());
    ticks(&fields, 14) + ticks(&fields, 16)
}

/// The processes whose parent is `pid` (nginx's workers).
pub fn children_of(pid: u32) -> Vec<u32> {
    let entries = std::fs::read_dir("/proc").into_iter().flatten().flatten();
    let pids = entries.filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok());
    pids.filter(|p| stat_fields(&p.to_string()).get(1).is_some_and(|ppid| *ppid == pid.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_and_finds_its_child() {
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        assert!(secs(&[std::process::id()]) > 0.0);
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let found = children_of(std::process::id());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(found.contains(&child.id()), "{found:?}");
    }
}
