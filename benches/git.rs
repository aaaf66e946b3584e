//! Benchmark: `insiden check` of a 100-commit range and `insiden audit` of the whole history in
//! a repository of 10,000 incidents (`cargo bench --bench git`).
//!
//! The repository is generated with `git fast-import` on tmpfs (`/dev/shm` when present): one
//! commit adds 10,000 incidents, then each commit appends one update entry to one incident,
//! authored by the member it names. `INSIDEN_BENCH_COMMITS` sets the number of commits
//! (default 100,000). Beside each timing, git's own reading of the same changes
//! (`git log --raw`) is timed as a yardstick. Prints medians. `INSIDEN_BENCH_SIGNED=1`
//! signs every commit with Siti's SSH key (as `gpg.format=ssh` would) and sets
//! `signing: required`, so `check` and `audit` verify every signature.

mod support;
use support::{median, ms};

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const INCIDENTS: usize = 10_000;
const CONFIG: &str =
    "teams:\n  helpdesk: { name: H, members: [{ id: siti, name: Siti, emails: [siti@example.go.id] }] }\n";

/// The configuration, requiring signatures by `public` when given.
fn config(public: Option<&str>) -> String {
    match public {
        None => CONFIG.to_owned(),
        Some(k) => {
            CONFIG.replace(
                "emails: [siti@example.go.id] }",
                &format!("emails: [siti@example.go.id], signing_keys: [\"{k}\"] }}"),
            ) + "signing: required\n"
        }
    }
}

/// Re-creates every commit of `main`, oldest first, signed with `key` over its content, as
/// git's `gpg.format=ssh` signing does (the `gpgsig` header, namespace `git`).
fn sign_history(dir: &std::path::Path, key: &ssh_key::PrivateKey) {
    let repo = git2::Repository::open(dir).expect("repo");
    let mut walk = repo.revwalk().expect("walk");
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .expect("sort");
    walk.push_ref("refs/heads/main").expect("main");
    let mut parent: Option<git2::Oid> = None;
    for oid in walk {
        let c = repo.find_commit(oid.expect("oid")).expect("commit");
        let parents: Vec<git2::Commit<'_>> = parent.iter().map(|p| repo.find_commit(*p).expect("parent")).collect();
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let buf = repo
            .commit_create_buffer(
                &c.author(),
                &c.committer(),
                c.message().unwrap_or(""),
                &c.tree().expect("tree"),
                &refs,
            )
            .expect("buffer");
        let sig = key.sign("git", ssh_key::HashAlg::Sha512, &buf).expect("sign");
        let pem = sig.to_pem(ssh_key::LineEnding::LF).expect("pem");
        parent = Some(
            repo.commit_signed(std::str::from_utf8(&buf).expect("utf-8"), &pem, Some("gpgsig"))
                .expect("signed"),
        );
    }
    repo.reference("refs/heads/main", parent.expect("a commit"), true, "signed")
        .expect("ref");
}

/// Incidents are spread over ten years, as ids are numbered per year.
const YEARS: usize = 10;

fn incident(i: usize) -> (String, String) {
    let year = 2017 + i % YEARS;
    let id = format!("INC-{year}-{:04}", i / YEARS + 1);
    let text = format!(
        "---\nid: {id}\ntitle: Laporan nomor {i}\nstatus: reported\nreported_at: {year}-01-01T08:00:00+07:00\nreporter: {{ name: Pelapor {i} }}\ntlp: amber\nhistory:\n  - {{ at: {year}-01-01T08:00:00+07:00, to: reported, by: helpdesk, actor: siti }}\n---\n## Laporan\n\nIsi laporan {i}.\n"
    );
    (format!("incidents/{year}/{id}.md"), text)
}

fn data(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(format!("data {}\n", text.len()).as_bytes());
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
}

fn build(dir: &std::path::Path, commits: usize, public: Option<&str>) {
    let run = |args: &[&str]| {
        let st = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .expect("git");
        assert!(st.success());
    };
    run(&["init", "-q", "-b", "main"]);
    let mut stream = Vec::new();
    let start: i64 = 1_798_768_800; // 2027-01-01T08:00:00+07:00, after every report
    stream.extend_from_slice(
        format!("commit refs/heads/main\ncommitter Siti <siti@example.go.id> {start} +0700\n").as_bytes(),
    );
    data(&mut stream, "Impor insiden");
    stream.extend_from_slice(b"M 100644 inline insiden.yaml\n");
    data(&mut stream, &config(public));
    let mut texts: Vec<(String, String)> = (0..INCIDENTS).map(incident).collect();
    for (path, text) in &texts {
        stream.extend_from_slice(format!("M 100644 inline {path}\n").as_bytes());
        data(&mut stream, text);
    }
    for c in 0..commits {
        let t = start + 600 + (c as i64) * 60;
        let i = (c * 7919) % INCIDENTS;
        let at = chrono::DateTime::from_timestamp(t, 0)
            .expect("time")
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"));
        let entry = format!(
            "  - {{ at: {}, to: reported, by: helpdesk, actor: siti, note: Pembaruan {c} }}\n---\n",
            at.format("%Y-%m-%dT%H:%M:%S%:z")
        );
        let (path, text) = &mut texts[i];
        *text = text.replacen("\n---\n## Laporan", &format!("\n{}## Laporan", entry), 1);
        stream.extend_from_slice(
            format!("commit refs/heads/main\ncommitter Siti <siti@example.go.id> {t} +0700\n").as_bytes(),
        );
        data(&mut stream, &format!("Pembaruan {c}"));
        stream.extend_from_slice(format!("M 100644 inline {path}\n").as_bytes());
        data(&mut stream, text);
    }
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .expect("fast-import");
    child.stdin.take().expect("stdin").write_all(&stream).expect("write");
    assert!(child.wait().expect("wait").success());
    run(&["checkout", "-q", "main"]);
}

/// The median time of `runs` runs of `f`.
fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let commits: usize = std::env::var("INSIDEN_BENCH_COMMITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let base = support::scratch_base();
    let dir = tempfile::tempdir_in(base).expect("dir");
    let t = Instant::now();
    let signed = std::env::var_os("INSIDEN_BENCH_SIGNED").is_some();
    let key = signed.then(|| {
        ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).expect("key")
    });
    let public = key.as_ref().map(|k| k.public_key().to_openssh().expect("public"));
    build(dir.path(), commits, public.as_deref());
    if let Some(key) = &key {
        sign_history(dir.path(), key);
    }
    // INSIDEN_BENCH_KEEP=1 keeps the generated repository for profiling.
    let dir = if std::env::var_os("INSIDEN_BENCH_KEEP").is_some() {
        let kept = dir.keep();
        println!("kept {}", kept.display());
        Keep::Kept(kept)
    } else {
        Keep::Temp(dir)
    };
    println!(
        "repository: {INCIDENTS} incidents, {} {}commits (built in {:.1} s)",
        commits + 1,
        if signed { "signed " } else { "" },
        t.elapsed().as_secs_f64()
    );

    let bin = env!("CARGO_BIN_EXE_insiden");
    let insiden = |args: &[&str]| {
        let out = Command::new(bin)
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("run");
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("git");
        assert!(out.status.success());
    };
    let now = ["--now", "2027-01-01T09:00:00+07:00"];
    let check = time(5, || {
        insiden(&[&["check", "--base", "HEAD~100", "--format", "json"][..], &now[..]].concat())
    });
    let validate = time(5, || {
        insiden(&[&["validate", "--format", "json"][..], &now[..]].concat())
    });
    let git_check = time(5, || {
        git(&[
            "log",
            "--raw",
            "-p",
            "--format=%H %an",
            "HEAD~100..HEAD",
            "--",
            "incidents/",
        ])
    });
    println!(
        "check HEAD~100..HEAD (median of 5): {:>8.1} ms   (git log -p of the range: {:.1} ms)",
        ms(check),
        ms(git_check)
    );
    println!("validate, every file (median of 5):  {:>8.1} ms", ms(validate));
    let audit = time(1, || insiden(&["audit", "--format", "json"]));
    let git_audit = time(1, || git(&["log", "--raw", "--format=%H %an", "--", "incidents/"]));
    println!(
        "audit of {} commits:                 {:>8.1} s    (git log --raw of the same history: {:.1} s)",
        commits + 1,
        audit.as_secs_f64(),
        git_audit.as_secs_f64()
    );
}

enum Keep {
    Temp(tempfile::TempDir),
    Kept(std::path::PathBuf),
}

impl Keep {
    fn path(&self) -> &std::path::Path {
        match self {
            Keep::Temp(t) => t.path(),
            Keep::Kept(p) => p,
        }
    }
}
