//! What Linux's `/proc` says about processes and the machine: a process's peak resident memory
//! (`VmHWM`), CPU time spent by the server, the load generator and PostgreSQL's processes, and
//! the machine's description for the report. Reading only; nothing here signals a process.
//! On a system without `/proc` the figures are absent, never invented.

use std::fs;
use std::process::Command;

use serde::Serialize;

/// Peak resident set size of `pid` in KiB (`VmHWM`), while the process is alive.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    status_field(pid, "VmHWM:")
}

fn status_field(pid: u32, name: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// `(comm, utime + stime)` of one process, in clock ticks.
fn stat(path: &str) -> Option<(String, u64)> {
    let text = fs::read_to_string(path).ok()?;
    // comm is in parentheses and may contain spaces; the fields after it are space-separated.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text[open + 1..close].to_owned();
    let rest: Vec<&str> = text[close + 1..].split_whitespace().collect();
    // After ")": state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12.
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}

/// CPU ticks used so far by one process (all its threads).
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    stat(&format!("/proc/{pid}/stat")).map(|(_, t)| t)
}

/// CPU ticks used so far by every process named `postgres` (the postmaster and its backends).
/// Backends that exited during a window are missed, which is why the bench keeps one pool open
/// per measurement.
pub fn postgres_ticks() -> u64 {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| stat(&format!("{}/stat", e.path().display())))
        .filter(|(comm, _)| comm == "postgres")
        .map(|(_, ticks)| ticks)
        .sum()
}

/// CPU ticks the whole machine has spent busy (all CPUs; idle and iowait left out), from the
/// first line of `/proc/stat`.
pub fn machine_busy_ticks() -> Option<u64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …
    let busy = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&i| fields.get(i))
        .sum();
    Some(busy)
}

/// Clock ticks per second (`getconf CLK_TCK`); 100 on every common Linux build.
pub fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// The machine a report was measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub logical_cpus: usize,
    pub memory_gib: f64,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub commit: String,
    pub sqlite: Option<String>,
    pub postgres: Option<String>,
}

impl Machine {
    pub fn describe() -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
        let memory_kib = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .unwrap_or(0.0);
        let os = fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| std::env::consts::OS.to_owned());
        Self {
            cpu,
            logical_cpus: std::thread::available_parallelism().map_or(1, usize::from),
            memory_gib: (memory_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            os,
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_owned(), |s| s.trim().to_owned()),
            rustc: command_line("rustc", &["--version"]),
            commit: command_line("git", &["describe", "--always", "--dirty"]),
            sqlite: None,
            postgres: None,
        }
    }

    pub fn one_line(&self) -> String {
        format!(
            "{} logical CPUs ({}), {} GiB RAM, {}, Linux {}, {}, commit {}",
            self.logical_cpus,
            self.cpu,
            self.memory_gib,
            self.os,
            self.kernel,
            self.rustc,
            self.commit
        )
    }
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(crate::cli::workspace_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |s| s.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_peak_and_cpu_time() {
        let pid = std::process::id();
        let peak = peak_rss_kib(pid).expect("VmHWM of this process");
        assert!(peak > 100, "peak {peak} KiB");
        // Burn a little CPU so the tick count cannot be zero by rounding.
        let mut x = 0u64;
        for i in 0..30_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert_ne!(x, 1);
        assert!(cpu_ticks(pid).expect("stat of this process") > 0);
        assert!(machine_busy_ticks().expect("/proc/stat") >= cpu_ticks(pid).unwrap_or(0));
    }

    #[test]
    fn a_process_that_does_not_exist_has_no_figures() {
        assert_eq!(peak_rss_kib(u32::MAX), None);
        assert_eq!(cpu_ticks(u32::MAX), None);
    }
}
