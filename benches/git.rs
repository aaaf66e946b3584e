//! Benchmark: `insiden check` of a 100-commit range and `insiden audit` of the whole history in
//! a repository of 10,000 incidents (`cargo bench --bench git`).
//!
//! The repository is generated with `git fast-import` on tmpfs (`/dev/shm` when present) by
//! `support::history`: one commit imports the corpus, then each commit adds a progress note to
//! one open incident, authored by the member whose entry it is. `INSIDEN_BENCH_COMMITS` sets
//! the number of commits (default 100,000) and `INSIDEN_BENCH_INCIDENTS` the incidents.
//! Beside each timing, git's own reading of the same changes (`git log --raw`, and `-p` for
//! the range) is timed as a yardstick, and the cost per commit is printed. Prints medians.
//! `INSIDEN_BENCH_SIGNED=1` signs every commit with its author's SSH key (as
//! `gpg.format=ssh` would) and sets `signing: required`, so `check` and `audit` verify every
//! signature. `INSIDEN_BENCH_BIN` measures another `insiden` binary.

mod support;
use support::{median, ms};

use std::process::Command;
use std::time::{Duration, Instant};

const MEMBERS: &[&str] = &["siti", "agus", "dewi", "bayu", "rina"];

/// The corpus configuration, requiring signatures by each member's key when given.
fn config(keys: Option<&[String]>) -> String {
    let mut c = support::corpus::CONFIG.to_owned();
    if let Some(keys) = keys {
        for (m, k) in MEMBERS.iter().zip(keys) {
            let from = format!("emails: [{m}@example.go.id] }}");
            c = c.replace(
                &from,
                &format!("emails: [{m}@example.go.id], signing_keys: [\"{k}\"] }}"),
            );
        }
        c.push_str("signing: required\n");
    }
    c
}

/// Re-creates every commit of `main`, oldest first, signed with its author's key over its
/// content, as git's `gpg.format=ssh` signing does (the `gpgsig` header, namespace `git`).
fn sign_history(dir: &std::path::Path, keys: &[ssh_key::PrivateKey]) {
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
        let email = c.author().email().unwrap_or("").to_owned();
        let who = MEMBERS.iter().position(|m| email.starts_with(m)).unwrap_or(0);
        let sig = keys[who].sign("git", ssh_key::HashAlg::Sha512, &buf).expect("sign");
        let pem = sig.to_pem(ssh_key::LineEnding::LF).expect("pem");
        parent = Some(
            repo.commit_signed(std::str::from_utf8(&buf).expect("utf-8"), &pem, Some("gpgsig"))
                .expect("signed"),
        );
    }
    repo.reference("refs/heads/main", parent.expect("a commit"), true, "signed")
        .expect("ref");
    // The signed commits were written one object file each; a clone has them in a pack.
    let packed = Command::new("git")
        .args(["repack", "-d", "-q"])
        .current_dir(dir)
        .status()
        .expect("git repack");
    assert!(packed.success(), "git repack failed");
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
    let incidents = support::incidents(10_000);
    let signed = std::env::var_os("INSIDEN_BENCH_SIGNED").is_some();
    let keys: Option<Vec<ssh_key::PrivateKey>> = signed.then(|| {
        MEMBERS
            .iter()
            .map(|_| {
                ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).expect("key")
            })
            .collect()
    });
    let public: Option<Vec<String>> = keys.as_ref().map(|ks| {
        ks.iter()
            .map(|k| k.public_key().to_openssh().expect("public"))
            .collect()
    });
    support::history::build(dir.path(), incidents, commits, &config(public.as_deref()));
    if let Some(keys) = &keys {
        sign_history(dir.path(), keys);
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
        "repository: {incidents} incidents, {} {}commits (built in {:.1} s)",
        commits + 1,
        if signed { "signed " } else { "" },
        t.elapsed().as_secs_f64()
    );

    let bin = support::run::binary(env!("CARGO_BIN_EXE_insiden"));
    println!("machine: {}", support::machine());
    let insiden = |args: &[&str]| {
        let out = Command::new(&bin)
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
    let now_after = support::history::now_after(commits);
    let now = ["--now", now_after.as_str()];
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
    println!(
        "per commit: audit {:.0} µs, git log --raw {:.0} µs",
        audit.as_secs_f64() * 1e6 / (commits + 1) as f64,
        git_audit.as_secs_f64() * 1e6 / (commits + 1) as f64
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
