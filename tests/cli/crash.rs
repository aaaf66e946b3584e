//! Killed at any instant: `build` and `autoresolve --commit` are stopped with SIGKILL at
//! seeded random moments, and what they leave must need no person. The site is always the
//! complete previous or the complete new one, and the next build leaves no staging folder;
//! the next `autoresolve --commit` succeeds, its commit is the one an uninterrupted run makes,
//! the tree is clean and `git fsck` finds nothing.

use crate::support::{tree, varied, Lcg, Repo};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `insiden -C <repo> args…` and kills it after `delay` (unless it ended before).
/// Returns whether it was killed.
fn run_killed(r: &Repo, args: &[&str], delay: Duration) -> bool {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("insiden"))
        .arg("-C")
        .arg(r.path())
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", r.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + delay;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        if Instant::now() >= deadline {
            child.kill().expect("SIGKILL");
            // Reaped, so the process id is gone and what it left counts as abandoned.
            child.wait().expect("wait");
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// How long an uninterrupted run takes.
fn timed(r: &Repo, args: &[&str]) -> Duration {
    let t = Instant::now();
    r.run(args).code(0);
    t.elapsed()
}

/// A delay between a fifth of a whole run and a little more than all of it: the start of a
/// run only reads, and the writing is at its end.
fn delay(g: &mut Lcg, whole: Duration) -> Duration {
    let micros = whole.as_micros() as usize;
    Duration::from_micros((micros / 5 + g.pick(micros * 17 / 20 + 1)) as u64)
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

const NOW: &str = "2026-07-01T09:00:00+07:00";

/// Kills per test, and runs started at most to get them (a run that ends before its kill
/// makes the next delays shorter).
const KILLS: usize = 20;
const ATTEMPTS: usize = 60;

#[test]
fn a_build_killed_at_any_instant_leaves_the_old_or_the_new_site_and_the_next_build_cleans_up() {
    let r = varied(60, 11);
    // Two complete sites to tell apart: the Indonesian and the English edition.
    r.run(&["build", "--now", NOW, "--out", "ref-id", "--lang", "id"])
        .code(0);
    let whole = timed(&r, &["build", "--now", NOW, "--out", "ref-en", "--lang", "en"])
        .min(timed(&r, &["build", "--now", NOW, "--out", "ref-en", "--lang", "en"]));
    let (id, en) = (tree(&r.file("ref-id")), tree(&r.file("ref-en")));
    assert_ne!(id, en);
    let before = names(r.path());
    let mut g = Lcg(0x5eed_0001);
    let (mut killed, mut whole) = (0, whole);
    let mut built = false;
    for i in 0..ATTEMPTS {
        if killed == KILLS {
            break;
        }
        let lang = if i % 2 == 0 { "en" } else { "id" };
        if run_killed(
            &r,
            &["build", "--now", NOW, "--out", "public", "--lang", lang],
            delay(&mut g, whole),
        ) {
            killed += 1;
        } else {
            whole = whole * 4 / 5;
        }
        // Once there is a site, it is never missing and never partial.
        built |= r.file("public").exists();
        if built {
            let site = tree(&r.file("public"));
            assert!(
                site == id || site == en,
                "kill {i}: the site is neither complete edition"
            );
        }
    }
    assert_eq!(killed, KILLS, "runs ended before they could be killed");
    r.run(&["build", "--now", NOW, "--out", "public", "--lang", "id"])
        .code(0);
    assert_eq!(tree(&r.file("public")), id);
    let mut expected = before;
    expected.push("public".into());
    expected.sort();
    assert_eq!(names(r.path()), expected, "leftovers beside the site");
}

#[test]
fn a_build_killed_between_the_two_renames_of_the_fallback_gets_its_site_back() {
    // What a build on a system without folder exchange leaves when killed between its two
    // renames: no output folder, the previous site aside, the new one staged.
    let r = varied(5, 3);
    r.run(&["build", "--now", NOW, "--out", "public"]).code(0);
    let site = tree(&r.file("public"));
    std::fs::rename(r.file("public"), r.file(".insiden-tmp-999999999-old.public")).expect("aside");
    std::fs::create_dir(r.file(".insiden-tmp-999999999-AbCdEf.public")).expect("staged");
    // And what versions before this one left.
    std::fs::create_dir(r.file(".public.new-Xy12Zq")).expect("legacy staging");
    std::fs::create_dir(r.file(".public.old-4242")).expect("legacy old");
    r.run(&["build", "--now", NOW, "--out", "public", "--lang", "en"])
        .code(0);
    assert_ne!(tree(&r.file("public")), site);
    assert_eq!(names(r.path()), ["incidents", "insiden.yaml", "public"]);
}

/// A repository where `n` documented incidents wait for autoresolve, committed by a member.
fn waiting(n: usize) -> (Repo, String) {
    let r = varied(30, 5);
    let text = crate::autoresolve::incident("2026-03-02T09:00:00+07:00", Some("2026-03-02T10:00:00+07:00"));
    for i in 0..n {
        // In two year folders, so a run writes in more than one.
        let (year, at) = if i % 2 == 0 {
            ("2025", "2025-03-02")
        } else {
            ("2026", "2026-03-02")
        };
        let id = format!("INC-{year}-{:04}", 900 + i);
        let t = text.replace("INC-2026-0001", &id).replace("2026-03-02", at);
        r.write(&format!("incidents/{year}/{id}.md"), &t);
    }
    r.git_init();
    let base = r.commit("Agus Salim", "agus@example.go.id", "2026-03-02T11:00:00+07:00", "Data");
    (r, base)
}

#[track_caller]
fn assert_fsck_clean(r: &Repo) {
    let out = Command::new("git")
        .current_dir(r.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["fsck", "--no-dangling"])
        .output()
        .expect("git fsck");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.trim().is_empty(), "git fsck:\n{text}");
}

#[test]
fn autoresolve_commit_killed_at_any_instant_is_finished_by_the_next_run() {
    let (r, base) = waiting(16);
    let args = ["autoresolve", "--commit", "--now", NOW];
    let first = timed(&r, &args);
    let reference = r.git(&["rev-parse", "HEAD"]).trim().to_owned();
    r.git(&["reset", "-q", "--hard", &base]);
    let whole = first.min(timed(&r, &args));
    assert_ne!(reference, base);
    assert_eq!(r.git(&["status", "--porcelain", "--untracked-files=all"]), "");
    let mut g = Lcg(0x5eed_0002);
    let (mut killed, mut finished, mut whole) = (0, 0, whole);
    for i in 0..ATTEMPTS {
        if killed == KILLS {
            break;
        }
        r.git(&["reset", "-q", "--hard", &base]);
        if run_killed(&r, &args, delay(&mut g, whole)) {
            killed += 1;
        } else {
            whole = whole * 4 / 5;
        }
        let run = r.run(&args);
        run.code(0);
        if run.stderr.contains("finished writing out") {
            finished += 1;
        }
        assert_eq!(
            r.git(&["rev-parse", "HEAD"]).trim(),
            reference,
            "kill {i}: not the commit an uninterrupted run makes\n{}",
            run.stderr
        );
        assert_eq!(
            r.git(&["status", "--porcelain", "--untracked-files=all"]),
            "",
            "kill {i}: the tree is not clean\n{}",
            run.stderr
        );
        assert_eq!(
            names(&r.file(".git"))
                .iter()
                .filter(|n| n.ends_with(".lock") || n.ends_with(".pid"))
                .count(),
            0
        );
    }
    assert_eq!(killed, KILLS, "runs ended before they could be killed");
    eprintln!("autoresolve: {finished} of {KILLS} kills left a commit to write out");
    assert_fsck_clean(&r);
    r.run(&["check", "--base", &base, "--now", NOW]).code(0);
}

#[test]
fn a_bot_commit_not_yet_written_out_is_finished_and_someones_edit_is_never_overwritten() {
    let (r, base) = waiting(4);
    let args = ["autoresolve", "--commit", "--now", NOW];
    r.run(&args).code(0);
    let done = r.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let closed = r.read("incidents/2025/INC-2025-0900.md");
    // Killed right after the branch moved: HEAD is the bot's commit, files and index are
    // still the parent's; then with one file already written out.
    for written in [false, true] {
        r.git(&["reset", "-q", "--hard", &base]);
        r.git(&["update-ref", "refs/heads/main", &done]);
        if written {
            r.write("incidents/2025/INC-2025-0900.md", &closed);
        }
        r.run(&args)
            .code(0)
            .stderr_has("finished writing out")
            .stdout_has("nothing to close");
        assert_eq!(r.git(&["status", "--porcelain", "--untracked-files=all"]), "");
        assert_eq!(r.git(&["rev-parse", "HEAD"]).trim(), done);
    }
    // A person's edit in the same state is left alone, and the run refuses.
    r.git(&["reset", "-q", "--hard", &base]);
    r.git(&["update-ref", "refs/heads/main", &done]);
    let edited = r
        .read("incidents/2025/INC-2025-0900.md")
        .replace("title: Pemindaian port", "title: Diubah");
    r.write("incidents/2025/INC-2025-0900.md", &edited);
    r.run(&args).code(2).stderr_has("uncommitted changes");
    assert_eq!(r.read("incidents/2025/INC-2025-0900.md"), edited);
}

#[test]
fn git_locks_left_by_a_killed_bot_are_removed_and_a_running_bot_is_waited_for() {
    let (r, base) = waiting(2);
    let git = r.file(".git");
    // A bot killed inside git's lock window: its marker, then the index lock it took.
    std::fs::write(git.join("insiden-autoresolve.pid"), "999999999\n").expect("marker");
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(git.join("index.lock"), "").expect("lock");
    std::fs::write(git.join("refs/heads/main.lock"), "").expect("lock");
    r.run(&["autoresolve", "--commit", "--now", NOW])
        .code(0)
        .stdout_has("committed");
    assert_eq!(r.git(&["status", "--porcelain", "--untracked-files=all"]), "");
    assert!(!git.join("index.lock").exists() && !git.join("insiden-autoresolve.pid").exists());
    // A marker naming a process that runs (this test) is another bot at work.
    r.git(&["reset", "-q", "--hard", &base]);
    std::fs::write(git.join("insiden-autoresolve.pid"), format!("{}\n", std::process::id())).expect("marker");
    r.run(&["autoresolve", "--commit", "--now", NOW])
        .code(2)
        .stderr_has("another `insiden autoresolve --commit` is running");
    assert_eq!(r.git(&["rev-parse", "HEAD"]).trim(), base);
}

#[test]
fn temp_files_of_killed_writers_are_ignored_then_removed() {
    let (r, _) = waiting(2);
    // What `transition`, `new` or the bot leave when killed while writing, now and before.
    for name in [".insiden-tmp-999999999-q1w2e3", ".insiden-Ab12Cd"] {
        r.write(&format!("incidents/2025/{name}"), "---\nid: setengah");
    }
    // A name without a process id is abandoned once it is an hour old.
    let long_ago = std::time::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(r.file("incidents/2025/.insiden-Ab12Cd"))
        .and_then(|f| f.set_modified(long_ago))
        .expect("mtime");
    r.run(&["validate", "--now", NOW]).code(0);
    r.run(&["autoresolve", "--commit", "--now", NOW])
        .code(0)
        .stdout_has("committed");
    assert_eq!(names(&r.file("incidents/2025")), ["INC-2025-0900.md"]);
    assert_eq!(r.git(&["status", "--porcelain", "--untracked-files=all"]), "");
}
