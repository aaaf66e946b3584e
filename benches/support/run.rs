//! Running the `insiden` binary as a user does, timed, with its peak memory.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The binary under test: `INSIDEN_BENCH_BIN` (to compare another build), else this one.
pub fn binary(built: &str) -> String {
    std::env::var("INSIDEN_BENCH_BIN").unwrap_or_else(|_| built.to_owned())
}

/// One run: wall time and peak resident memory in bytes (from GNU time when present).
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub time: Duration,
    pub peak: Option<u64>,
}

/// Runs `bin` with `args` in `dir`; exit codes above 1 fail the benchmark.
pub fn run(bin: &str, dir: &Path, args: &[&str]) -> Run {
    let gnu_time = Path::new("/usr/bin/time").is_file();
    let mut cmd = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("-C").arg(dir).args(args);
    let t = Instant::now();
    let out = cmd.output().expect("run");
    let time = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{bin} {args:?}: {stderr}");
    let peak = gnu_time
        .then(|| stderr.lines().last().and_then(|l| l.trim().parse::<u64>().ok()))
        .flatten()
        .map(|kb| kb * 1024);
    Run { time, peak }
}

/// The median time and the largest peak of `runs` runs.
pub fn repeat(runs: usize, mut f: impl FnMut() -> Run) -> Run {
    let all: Vec<Run> = (0..runs).map(|_| f()).collect();
    Run {
        time: super::median(all.iter().map(|r| r.time).collect()),
        peak: all.iter().filter_map(|r| r.peak).max(),
    }
}

/// Megabytes, for printing.
pub fn mb(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "?".into(), |b| format!("{:.0} MB", b as f64 / 1e6))
}

/// The time to merely write every file under `site` again (same paths, same bytes), on
/// every core: the floor a build's output cannot go below.
pub fn rewrite_time(site: &Path, scratch: &Path) -> (Duration, usize, u64) {
    use rayon::prelude::*;
    let mut files = Vec::new();
    let mut stack = vec![site.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").flatten() {
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(site).expect("inside").to_path_buf();
                files.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let mut dirs: Vec<_> = files
        .iter()
        .filter_map(|(p, _)| p.parent().map(|d| scratch.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    let t = Instant::now();
    for d in &dirs {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    files
        .par_iter()
        .for_each(|(p, b)| std::fs::write(scratch.join(p), b).expect("write"));
    let time = t.elapsed();
    let _ = std::fs::remove_dir_all(scratch);
    (time, files.len(), bytes)
}
