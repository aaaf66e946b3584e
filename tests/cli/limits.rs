//! Bounded work on every input: adversarial incident files of up to 1 MiB (deep `[[[[…`,
//! `{{{{…`, `- - - …` and indentation, many values, long lines, Markdown made of nothing but
//! markup) are refused or read in linear time and little memory, by `validate` and by
//! `check` alike. Times and memory are asserted loosely (the test binary is a debug build);
//! docs/ROBUSTNESS.md has the release build's numbers.

use crate::support::{reported, Repo};
use std::time::{Duration, Instant};

const MIB: usize = 1 << 20;
const AT: &str = "2026-01-05T09:00:00+07:00";
const NOW: &str = "2026-01-06T09:00:00+07:00";

/// A valid incident whose front matter gets `extra` (a field) and whose body gets `body`,
/// padded to `fill` bytes by repeating the last unit.
fn file(id: &str, extra: &str, body: &str) -> String {
    let text = reported(id, AT);
    let text = text.replacen("status: reported\n", &format!("status: reported\n{extra}"), 1);
    format!("{text}{body}")
}

/// `unit` repeated to fill what is left of 1 MiB after `around` bytes.
fn fill(unit: &str, around: usize) -> String {
    unit.repeat((MIB - around - 600) / unit.len())
}

/// The adversarial cases: (name, text, the code it must be refused with, if any).
fn cases() -> Vec<(&'static str, String, Option<&'static str>)> {
    let mut v = Vec::new();
    let half = |u: &str, close: &str| {
        let n = (MIB - 700) / (u.len() + close.len());
        format!("{}{}", u.repeat(n), close.repeat(n))
    };
    v.push((
        "deep-flow-sequence",
        format!("extra: {}\n", half("[", "]")),
        Some("too-complex"),
    ));
    v.push((
        "deep-flow-mapping",
        format!("extra: {}\n", half("{a: ", "}")),
        Some("too-complex"),
    ));
    v.push((
        "unclosed-flow",
        format!("extra: {}\n", fill("[", 0)),
        Some("too-complex"),
    ));
    v.push((
        "deep-dashes",
        format!("extra:\n  {}x\n", fill("- ", 0)),
        Some("too-complex"),
    ));
    let mut block = String::from("extra:\n");
    let mut i = 1;
    while block.len() + i + 4 < MIB - 700 {
        block.push_str(&format!("{}k:\n", " ".repeat(i)));
        i += 1;
    }
    v.push(("deep-indentation", block, Some("too-complex")));
    let keys: String = (0..)
        .map(|i| format!("  k{i:07}: v\n"))
        .take((MIB - 700) / 14)
        .collect();
    v.push(("many-keys", format!("extra:\n{keys}"), Some("too-complex")));
    v.push((
        "many-items",
        format!("extra: [{}1]\n", fill("1,", 0)),
        Some("too-complex"),
    ));
    let entry = "  - { at: 2026-01-05T09:00:00+07:00, to: reported, by: helpdesk, actor: siti, note: n }\n";
    v.push((
        "many-entries",
        format!("x_history:\n{}", fill(entry, 0)),
        Some("too-complex"),
    ));
    v.push(("long-line", format!("summary: {}\n", fill("a", 0)), None));
    // Past 100,000 values in a few hundred kilobytes: the quick reader leaves a front
    // matter that long to the scan, which counts. Its honest twin, short enough for the
    // quick reader to take, is read.
    v.push((
        "values-past-the-bound",
        format!("extra: [{}a]\n", "a,".repeat(100_000)),
        Some("too-complex"),
    ));
    v.push((
        "values-within-the-bound",
        format!("extra: [{}a]\n", "a,".repeat(40_000)),
        None,
    ));
    v
}

/// Body cases: Markdown made of one construct over and over.
fn body_cases() -> Vec<(&'static str, String, Option<&'static str>)> {
    [
        "[", ">", "*a ", "a\n", "## a\n", "`a` ", "&amp;", "|a|\n", "<a@b> ", "\\*",
    ]
    .iter()
    .map(|u| ("markdown", fill(u, 0), Some("too-complex")))
    .chain(std::iter::once(("markdown-long-text", fill("kata ", 0), None)))
    .collect()
}

/// Runs `insiden args…` under GNU time when the system has it; returns the run, its wall
/// time, and its peak memory in KiB (None without GNU time).
fn measured(r: &Repo, report: &std::path::Path, args: &[&str]) -> (crate::support::Run, Duration, Option<u64>) {
    let time = std::path::Path::new("/usr/bin/time");
    let t = Instant::now();
    let run = if time.exists() {
        let bin = assert_cmd::cargo::cargo_bin("insiden");
        let report_s = report.to_string_lossy().into_owned();
        let bin_s = bin.to_string_lossy().into_owned();
        let mut all = vec!["-o", report_s.as_str(), "-f", "%M", bin_s.as_str(), "-C"];
        let dir = r.path().to_string_lossy().into_owned();
        all.push(&dir);
        all.extend_from_slice(args);
        let out = std::process::Command::new(time)
            .args(&all)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("time");
        crate::support::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    } else {
        eprintln!("no /usr/bin/time: memory is not measured");
        r.run(args)
    };
    let elapsed = t.elapsed();
    let kib = std::fs::read_to_string(report)
        .ok()
        .and_then(|s| s.trim().lines().last()?.parse().ok());
    (run, elapsed, kib)
}

#[track_caller]
fn assert_bounded(what: &str, elapsed: Duration, kib: Option<u64>) {
    eprintln!("{what}: {elapsed:?}, peak {kib:?} KiB");
    // Loose: a debug build on a shared machine. Release numbers are in docs/ROBUSTNESS.md.
    assert!(elapsed < Duration::from_secs(10), "{what}: took {elapsed:?}");
    if let Some(k) = kib {
        assert!(k < 100 * 1024, "{what}: peak memory {k} KiB");
    }
}

/// Commits `cases` (front-matter fields or bodies) as incidents on top of a valid one, then
/// runs `validate` and `check` on them.
fn refused_quickly(cases: Vec<(&'static str, String, Option<&'static str>)>, in_body: bool) {
    // GNU time's report goes to a folder of its own.
    let reports = Repo::empty();
    let report = reports.file("peak-kib");
    let r = Repo::new();
    r.write("incidents/2026/INC-2026-0001.md", &reported("INC-2026-0001", AT));
    r.git_init();
    let base = r.commit("Siti Rahayu", "siti@example.go.id", AT, "Laporan");
    let mut expected = Vec::new();
    for (n, (name, part, code)) in cases.into_iter().enumerate() {
        let id = format!("INC-2026-{:04}", n + 2);
        let text = if in_body {
            file(&id, "", &part)
        } else {
            file(&id, &part, "")
        };
        assert!(text.len() <= MIB, "{name}: {} bytes", text.len());
        r.write(&format!("incidents/2026/{id}.md"), &text);
        expected.push((name, id, code));
    }
    r.commit("Siti Rahayu", "siti@example.go.id", AT, "Berkas besar");

    let (run, elapsed, kib) = measured(&r, &report, &["validate", "--now", NOW, "--format", "json"]);
    run.code(1);
    assert_bounded("validate", elapsed, kib);
    let found = run.json();
    let codes = |id: &str| -> Vec<String> {
        found["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["path"].as_str().is_some_and(|p| p.contains(id)))
            .map(|d| d["code"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    for (name, id, code) in &expected {
        let got = codes(id);
        match code {
            Some(c) => assert!(got.iter().any(|g| g == c), "{name} ({id}): {got:?}"),
            None => assert!(!got.iter().any(|g| g == "too-complex"), "{name} ({id}): {got:?}"),
        }
    }

    let (run, elapsed, kib) = measured(
        &r,
        &report,
        &["check", "--base", &base, "--now", NOW, "--format", "json"],
    );
    run.code(1);
    assert_bounded("check", elapsed, kib);
    assert!(run.stdout.contains("too-complex"), "{}", run.stdout);
}

#[test]
fn adversarial_front_matter_is_refused_quickly_and_in_little_memory_by_validate_and_check() {
    refused_quickly(cases(), false);
}

#[test]
fn adversarial_markdown_is_refused_quickly_and_in_little_memory_by_validate_and_check() {
    refused_quickly(body_cases(), true);
}

#[test]
fn findings_on_thousands_of_entries_take_linear_time() {
    // Regression: each finding on a history entry read the file from the top to find its
    // line, so 7,500 bad entries took seconds.
    let entry = "{ at: 2026-01-05T09:00:00+07:00, to: bogus, by: nobody, actor: x, note: n }";
    let mut many = reported("INC-2026-0001", AT);
    many = many.replace(
        "history:\n",
        &format!("history:\n{}", format!("  - {entry}\n").repeat(7_500)),
    );
    let r = Repo::new();
    r.write("incidents/2026/INC-2026-0001.md", &many);
    let t = Instant::now();
    let run = r.run(&["validate", "--now", NOW]);
    run.code(1).stderr_has("unknown state `bogus`");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}
