//! Benchmark: read, parse and validate 10,000 incidents (`cargo bench --bench validate`;
//! `INSIDEN_BENCH_INCIDENTS` sets another number). The corpus is `support::corpus`.
//!
//! The corpus is written to tmpfs (`/dev/shm` when present) so disk speed does not blur the
//! result, and the time to merely write the same files is reported beside it as a yardstick.
//! Prints medians of several runs.

mod support;
use support::median;

use std::time::Instant;

// The same allocator as the binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 7;

fn main() {
    let base = support::scratch_base();
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    let root = dir.path();
    let n = support::incidents(10_000);
    let files: Vec<(String, String)> = (0..n).map(|i| support::corpus::incident(i, n)).collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let entries: usize = files.iter().map(|(_, t)| t.matches("\n  - { at: ").count()).sum();
    let body: usize = files
        .iter()
        .map(|(_, t)| t.split_once("\n---\n").map_or(0, |(_, b)| b.len()))
        .sum();
    let most = files
        .iter()
        .map(|(_, t)| t.matches("\n  - { at: ").count())
        .max()
        .unwrap_or(0);

    let mut write_times = Vec::new();
    for run in 0..RUNS {
        let target = root.join(format!("w{run}"));
        let t = Instant::now();
        for (rel, text) in &files {
            let p = target.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write");
        }
        write_times.push(t.elapsed());
    }
    let repo = root.join("w0");
    let config = support::corpus::CONFIG;
    std::fs::write(repo.join("insiden.yaml"), config).expect("config");
    let cfg = insiden::config::Config::parse(Some(config), "insiden.yaml").expect("config");
    let now = chrono::DateTime::parse_from_rfc3339(support::corpus::NOW).expect("now");

    let mut validate_times = Vec::new();
    let mut count = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let scan = insiden::store::scan(&repo);
        let v = insiden::rules::validate(&scan.files, &scan.present, &cfg, now);
        validate_times.push(t.elapsed());
        assert!(!v.has_errors(), "{:?}", v.diagnostics.first());
        count = v.files.len();
    }
    let mut scan_times = Vec::new();
    let mut parse_times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let scan = insiden::store::scan(&repo);
        scan_times.push(t.elapsed());
        let t = Instant::now();
        use rayon::prelude::*;
        let n: usize = scan
            .files
            .par_iter()
            .map(|f| insiden::doc::parse(&f.text, &f.path, cfg.timezone).diagnostics.len())
            .sum();
        parse_times.push(t.elapsed());
        assert_eq!(n, 0);
    }
    let w = median(write_times);
    let v = median(validate_times);
    println!(
        "incidents:                 {count} ({:.1} MB; per file {:.1} KB, body {:.1} KB, {:.1} history entries, at most {most})",
        bytes as f64 / 1e6,
        bytes as f64 / 1e3 / n as f64,
        body as f64 / 1e3 / n as f64,
        entries as f64 / n as f64
    );
    println!("threads:                   {}", rayon::current_num_threads());
    println!("write the files (median):  {:>8.1} ms", w.as_secs_f64() * 1e3);
    println!("scan+parse+validate (med): {:>8.1} ms", v.as_secs_f64() * 1e3);
    println!(
        "  of which scan (read):    {:>8.1} ms",
        median(scan_times).as_secs_f64() * 1e3
    );
    println!(
        "  of which parse (doc):    {:>8.1} ms",
        median(parse_times).as_secs_f64() * 1e3
    );
    println!("ratio validate/write:      {:>8.2}", v.as_secs_f64() / w.as_secs_f64());
}
