//! What every benchmark shares: where to put its files, and how to summarise timings.
// Each benchmark is its own crate and uses only some of these.
#![allow(dead_code, unreachable_pub)]

pub mod corpus;
pub mod history;
pub mod run;

use std::path::PathBuf;
use std::time::Duration;

/// tmpfs when the machine has it, so disk speed does not blur the result.
pub fn scratch_base() -> PathBuf {
    if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    }
}

/// The median of several timings.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Milliseconds as a decimal.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The number of incidents: `INSIDEN_BENCH_INCIDENTS`, else `default`.
pub fn incidents(default: usize) -> usize {
    std::env::var("INSIDEN_BENCH_INCIDENTS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Memory available and the shared memory in use (tmpfs files are most of it), in GiB, from
/// `/proc/meminfo`: files left on tmpfs by earlier runs take the memory a run needs (a 100k
/// build slowed by a quarter).
fn memory() -> Option<(f64, f64)> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let gib = |key: &str| -> Option<f64> {
        let line = info.lines().find(|l| l.starts_with(key))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0 / 1024.0)
    };
    Some((gib("MemAvailable:")?, gib("Shmem:")?))
}

/// The machine, for the record: processor, cores, load and memory.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown processor".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let memory = memory().map_or_else(String::new, |(available, shared)| {
        format!(", {available:.1} GiB of memory available ({shared:.1} GiB shared, tmpfs files included)")
    });
    format!(
        "{cpu}, {cores} cores, load average {}{memory}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    )
}
