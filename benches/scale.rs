//! Benchmark: how insiden grows from 1,000 to 100,000 incidents (`cargo bench --bench scale`).
//!
//! For each size, a repository is made on tmpfs (`/dev/shm` when present) with
//! `support::history`: the corpus (`support::corpus`) imported in one commit, then ten update
//! commits per incident (1,000,000 commits at 100,000 incidents), made with `git fast-import`.
//! Then, with the `insiden` binary as a user runs it: `validate`, `build` of the public and
//! the internal edition (wall time and peak memory), each alone and both in one call, of the corpus as written, the time to
//! merely write the internal site's files, `check` of the last 100 commits, and `audit` of the whole history next to
//! `git log --raw` of it. Prints a Markdown table (docs/SCALE.md holds the last one) and
//! writes the chart `docs/scale.svg`.
//!
//! `INSIDEN_BENCH_SIZES` (default `1000,10000,100000`) and `INSIDEN_BENCH_COMMITS_PER_INCIDENT`
//! (default 10) choose the sizes, `INSIDEN_BENCH_MAX_COMMITS` caps the history of the largest
//! (for a shorter run), `INSIDEN_BENCH_PUBLIC=0` leaves the public build out;
//! `INSIDEN_BENCH_RUNS` the runs of each timing (default 3;
//! `audit` runs once); `INSIDEN_BENCH_SVG` where the chart goes; `INSIDEN_BENCH_BIN` another
//! binary.

mod support;
use support::run::{mb, repeat, rewrite_time, run, Run};

use std::fmt::Write as _;
use std::time::Instant;

struct Row {
    incidents: usize,
    commits: usize,
    validate: Run,
    public: Run,
    internal: Run,
    /// Both editions in one call (`--internal-out`).
    both: Run,
    write: std::time::Duration,
    site_mb: f64,
    check: Run,
    audit: Run,
    git_log: std::time::Duration,
}

fn secs(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("INSIDEN_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect();
    let per: usize = std::env::var("INSIDEN_BENCH_COMMITS_PER_INCIDENT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let cap: usize = std::env::var("INSIDEN_BENCH_MAX_COMMITS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(usize::MAX);
    let runs: usize = std::env::var("INSIDEN_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let bin = support::run::binary(env!("CARGO_BIN_EXE_insiden"));
    println!("machine: {}", support::machine());
    println!("binary: {bin}");
    let mut rows = Vec::new();
    for &n in &sizes {
        let commits = (n * per).min(cap);
        let dir = tempfile::tempdir_in(support::scratch_base()).expect("temp dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).expect("mkdir");
        let t = Instant::now();
        support::history::build(&repo, n, commits, support::corpus::CONFIG);
        eprintln!(
            "{n} incidents, {commits} commits made in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let now = support::history::now_after(commits);
        // The site and `validate` on the corpus as written (the history's updates land in
        // the last weeks of the repository's time, after every report).
        let corpus = dir.path().join("corpus");
        support::corpus::write(&corpus, n);
        let corpus_now = support::corpus::NOW;
        let validate = repeat(runs, || run(&bin, &corpus, &["validate", "--now", corpus_now]));
        let out = |a: &str| dir.path().join(format!("site-{a}")).display().to_string();
        let (po, io) = (out("public"), out("internal"));
        let build = |audience: &str, out: &str| {
            let args = ["build", "--audience", audience, "--out", out, "--now", corpus_now];
            repeat(runs, || run(&bin, &corpus, &args))
        };
        // INSIDEN_BENCH_PUBLIC=0 leaves the public edition out (for a shorter run).
        let with_public = std::env::var("INSIDEN_BENCH_PUBLIC").map_or(true, |v| v != "0");
        let public = if with_public {
            build("public", &po)
        } else {
            Run {
                time: std::time::Duration::ZERO,
                peak: None,
            }
        };
        let internal = build("internal", &io);
        let (write, _, bytes) = rewrite_time(std::path::Path::new(&io), &dir.path().join("rewrite"));
        let both = if with_public {
            let args = ["build", "--out", &po, "--internal-out", &io, "--now", corpus_now];
            repeat(runs, || run(&bin, &corpus, &args))
        } else {
            Run {
                time: std::time::Duration::ZERO,
                peak: None,
            }
        };
        let _ = std::fs::remove_dir_all(&po);
        let _ = std::fs::remove_dir_all(&io);
        let check = repeat(runs, || {
            run(
                &bin,
                &repo,
                &["check", "--base", "HEAD~100", "--format", "json", "--now", &now],
            )
        });
        let audit = run(&bin, &repo, &["audit", "--format", "json"]);
        let t = Instant::now();
        let log = std::process::Command::new("git")
            .current_dir(&repo)
            .args(["log", "--raw", "--format=%H %an", "--", "incidents/"])
            .output()
            .expect("git");
        assert!(log.status.success());
        let git_log = t.elapsed();
        let row = Row {
            incidents: n,
            commits: commits + 1,
            validate,
            public,
            internal,
            both,
            write,
            site_mb: bytes as f64 / 1e6,
            check,
            audit,
            git_log,
        };
        eprintln!("{}", line(&row));
        rows.push(row);
    }
    println!();
    println!("| incidents | commits | validate | build public | build internal (peak) | both in one call (peak) | write the internal site | build / write | check 100 commits | audit | per commit | `git log --raw` |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!("{}", line(r));
    }
    let svg = chart(&rows);
    let path = std::env::var("INSIDEN_BENCH_SVG")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scale.svg").to_owned());
    std::fs::write(&path, svg).expect("chart");
    println!("\nchart: {path}");
}

fn line(r: &Row) -> String {
    format!(
        "| {} | {} | {} | {} | {} ({}) | {} ({}) | {} ({:.0} MB) | {:.1}× | {} | {} | {:.0} µs | {} |",
        r.incidents,
        r.commits,
        secs(r.validate.time),
        secs(r.public.time),
        secs(r.internal.time),
        mb(r.internal.peak),
        secs(r.both.time),
        mb(r.both.peak),
        secs(r.write),
        r.site_mb,
        r.internal.time.as_secs_f64() / r.write.as_secs_f64(),
        secs(r.check.time),
        secs(r.audit.time),
        r.audit.time.as_secs_f64() * 1e6 / r.commits as f64,
        secs(r.git_log),
    )
}

/// A line of the chart: its name, colour and value (seconds) for a row.
type Series = (&'static str, &'static str, fn(&Row) -> f64);

/// A log–log chart of seconds against incidents, one line per command.
fn chart(rows: &[Row]) -> String {
    let series: [Series; 5] = [
        ("validate", "#1b6ac9", |r| r.validate.time.as_secs_f64()),
        ("build public", "#2e8540", |r| r.public.time.as_secs_f64()),
        ("build internal", "#b35900", |r| r.internal.time.as_secs_f64()),
        ("write the internal site", "#777777", |r| r.write.as_secs_f64()),
        ("audit", "#8e24aa", |r| r.audit.time.as_secs_f64()),
    ];
    let (w, h, left, top, right, bottom) = (640.0, 360.0, 60.0, 20.0, 200.0, 40.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let xs: Vec<f64> = rows.iter().map(|r| (r.incidents as f64).log10()).collect();
    let (x0, x1) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min).floor(),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max).ceil().max(1.0),
    );
    let all: Vec<f64> = rows
        .iter()
        .flat_map(|r| series.iter().map(move |s| s.2(r).max(1e-3).log10()))
        .collect();
    let (y0, y1) = (
        all.iter().copied().fold(f64::INFINITY, f64::min).floor(),
        all.iter().copied().fold(f64::NEG_INFINITY, f64::max).ceil(),
    );
    let x = |v: f64| left + (v - x0) / (x1 - x0).max(1e-9) * pw;
    let y = |v: f64| top + ph - (v - y0) / (y1 - y0).max(1e-9) * ph;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"Seconds against incidents, log scales\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
    );
    for e in (x0 as i32)..=(x1 as i32) {
        let px = x(f64::from(e));
        let _ = writeln!(s, "<line x1=\"{px:.1}\" y1=\"{top}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>", top + ph, top + ph + 16.0, 10f64.powi(e));
    }
    for e in (y0 as i32)..=(y1 as i32) {
        let py = y(f64::from(e));
        let label = if e < 0 {
            format!("{}", 10f64.powi(e))
        } else {
            format!("{:.0}", 10f64.powi(e))
        };
        let _ = writeln!(s, "<line x1=\"{left}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label} s</text>", left + pw, left - 6.0, py + 4.0);
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">incidents</text>",
        left + pw / 2.0,
        h - 6.0
    );
    for (k, (name, colour, f)) in series.iter().enumerate() {
        let pts: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{:.1},{:.1}",
                    x((r.incidents as f64).log10()),
                    y(f(r).max(1e-3).log10())
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
        for p in &pts {
            let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(s, "<circle cx=\"{px}\" cy=\"{py}\" r=\"3\" fill=\"{colour}\"/>");
        }
        let ly = top + 14.0 + k as f64 * 18.0;
        let _ = writeln!(s, "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{name}</text>", left + pw + 12.0, left + pw + 30.0, left + pw + 36.0, ly + 4.0);
    }
    s.push_str("</svg>\n");
    s
}
