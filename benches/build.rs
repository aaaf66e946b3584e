//! Benchmark: `insiden validate` and `insiden build` (public and internal edition, each on its
//! own and both in one call) of 10,000 incidents, as a user runs them (`cargo bench --bench
//! build`).
//!
//! The corpus (`support::corpus`: full bodies, about ten history entries, every state and TLP)
//! is written to tmpfs (`/dev/shm` when present). Reported, as medians of several runs: the
//! wall time and peak memory of each command, and — as a yardstick — the time to merely write
//! the internal site's files (same paths, same bytes) on every core. `INSIDEN_BENCH_INCIDENTS`
//! sets the number of incidents, `INSIDEN_BENCH_RUNS` the runs, and `INSIDEN_BENCH_BIN`
//! another `insiden` binary to measure (to compare two builds on one machine in one run);
//! `INSIDEN_BENCH_KEEP=1` only writes the corpus and keeps it.

mod support;
use support::ms;
use support::run::{mb, repeat, rewrite_time, run};

fn main() {
    let n = support::incidents(10_000);
    let runs: usize = std::env::var("INSIDEN_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let bin = support::run::binary(env!("CARGO_BIN_EXE_insiden"));
    let dir = tempfile::tempdir_in(support::scratch_base()).expect("temp dir");
    let repo = dir.path().join("repo");
    support::corpus::write(&repo, n);
    // INSIDEN_BENCH_KEEP=1 keeps the corpus (for profiling) and only writes it.
    if std::env::var_os("INSIDEN_BENCH_KEEP").is_some() {
        println!("kept {}", dir.keep().display());
        return;
    }
    let now = support::corpus::NOW;
    let validate = repeat(runs, || run(&bin, &repo, &["validate", "--now", now]));
    let out = |a: &str| dir.path().join(format!("site-{a}")).display().to_string();
    let (public_out, internal_out) = (out("public"), out("internal"));
    let public = repeat(runs, || {
        run(
            &bin,
            &repo,
            &["build", "--audience", "public", "--out", &public_out, "--now", now],
        )
    });
    let internal = repeat(runs, || {
        run(
            &bin,
            &repo,
            &["build", "--audience", "internal", "--out", &internal_out, "--now", now],
        )
    });
    // Both editions from one reading (`--internal-out`), into folders of their own.
    let (both_public, both_internal) = (out("both-public"), out("both-internal"));
    let both = repeat(runs, || {
        run(
            &bin,
            &repo,
            &[
                "build",
                "--out",
                &both_public,
                "--internal-out",
                &both_internal,
                "--now",
                now,
            ],
        )
    });
    let (write, files, bytes) = rewrite_time(std::path::Path::new(&internal_out), &dir.path().join("rewrite"));
    let (_, public_files, public_bytes) =
        rewrite_time(std::path::Path::new(&public_out), &dir.path().join("rewrite-public"));
    println!("machine:                    {}", support::machine());
    println!("binary:                     {bin}");
    println!(
        "incidents:                  {n}, threads: {}",
        rayon::current_num_threads()
    );
    println!(
        "validate:                   {:>8.1} ms  peak {}",
        ms(validate.time),
        mb(validate.peak)
    );
    println!(
        "build public:               {:>8.1} ms  peak {}  ({public_files} files, {:.1} MB)",
        ms(public.time),
        mb(public.peak),
        public_bytes as f64 / 1e6
    );
    println!(
        "build internal:             {:>8.1} ms  peak {}  ({files} files, {:.1} MB)",
        ms(internal.time),
        mb(internal.peak),
        bytes as f64 / 1e6
    );
    println!(
        "public + internal:          {:>8.1} ms",
        ms(public.time + internal.time)
    );
    println!(
        "both editions, one call:    {:>8.1} ms  peak {}  (--internal-out)",
        ms(both.time),
        mb(both.peak)
    );
    println!("just write the internal site:{:>7.1} ms", ms(write));
    println!(
        "internal build / write:     {:>8.1} ×",
        internal.time.as_secs_f64() / write.as_secs_f64()
    );
}
