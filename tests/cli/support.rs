//! The test harness: temporary repositories and a runner for the real binary.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A temporary incident repository.
pub struct Repo {
    dir: tempfile::TempDir,
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The sample configuration's teams, small enough to read in a test.
pub const CONFIG: &str = r#"
organization: { name: Test-CSIRT, unit: Dinas Uji, sop: "01/SOP/2026" }
autoresolve:
  days: 5
  business_days: false
  holidays: []
  bot: { id: insiden-bot, emails: ["bot@example.org"] }
sla:
  reported: 4h
  triage: { default: 2d, critical: 4h }
teams:
  helpdesk: { name: Helpdesk, members: [{ id: siti, name: Siti Rahayu, emails: [siti@example.go.id], github: siti-r }] }
  data: { name: Data, members: [{ id: agus, name: Agus Salim, emails: [agus@example.go.id], github: agus-s }] }
  analysis: { name: Analisis, members: [{ id: dewi, name: Dewi Lestari, emails: [dewi@example.go.id], github: dewi-l }] }
  coordination: { name: Koordinasi, members: [{ id: bayu, name: Bayu Aji, emails: [bayu@example.go.id], github: bayu-a }] }
  handling: { name: Penanganan, members: [{ id: rina, name: Rina Wati, emails: [rina@example.go.id], github: rina-w }] }
maintainers: [bayu]
"#;

/// A valid incident in `reported`.
pub fn reported(id: &str, at: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Situs desa diretas\nstatus: reported\nreported_at: {at}\nreporter: {{ name: Budi, contact: budi@example.org }}\nhistory:\n  - {{ at: {at}, to: reported, by: helpdesk, actor: siti }}\n---\n## Laporan\n\nHalaman depan situs berubah.\n"
    )
}

impl Repo {
    /// An empty directory.
    pub fn empty() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A directory with the test configuration.
    pub fn new() -> Repo {
        let r = Repo::empty();
        r.write("insiden.yaml", CONFIG);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.file(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Runs `insiden -C <repo> args…`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, None)
    }

    pub fn run_with(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_in(self.path(), args, stdin)
    }

    /// Runs `insiden -C <dir> args…` with this repository's clean environment.
    pub fn run_in(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = Command::cargo_bin("insiden").expect("binary");
        cmd.arg("-C").arg(dir).args(args);
        // Keep the user's git identity out of the tests.
        cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path());
        cmd.write_stdin(stdin.unwrap_or(""));
        let out = cmd.output().expect("run");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `git init` with a fixed branch name and no user identity.
    pub fn git_init(&self) -> &Self {
        self.git(&["init", "-q", "-b", "main"]);
        self
    }

    /// Stages everything and commits as `name <email>` at `date` (RFC 3339); returns the id.
    pub fn commit(&self, name: &str, email: &str, date: &str, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git_as(name, email, date, &["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Runs `git` with a fixed author and committer.
    pub fn git_as(&self, name: &str, email: &str, date: &str, args: &[&str]) -> String {
        let identity = [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_AUTHOR_DATE", date),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_COMMITTER_DATE", date),
        ];
        self.git_with(&identity, args)
    }

    /// Stages everything and commits as `name <email>` with different author and committer
    /// dates (both claims); returns the id.
    pub fn commit_dated(&self, name: &str, email: &str, authored: &str, committed: &str, message: &str) -> String {
        self.git(&["add", "-A"]);
        let identity = [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_AUTHOR_DATE", authored),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_COMMITTER_DATE", committed),
        ];
        self.git_with(&identity, &["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Runs plain `git` in the repository, untouched by the user's configuration.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_with(&[], args)
    }

    /// Runs `git` with `input` on its standard input.
    pub fn git_with_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("git");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `git` with extra environment (identities, dates, `GNUPGHOME`).
    pub fn git_with(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .envs(env.iter().copied())
            .args(args)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Every file under `dir`: (path relative to `dir` with `/`, bytes), sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A repository holding a copy of the project's sample data (`insiden.yaml`, `incidents/`).
pub fn sample() -> Repo {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read dir") {
            let p = e.expect("entry").path();
            let target = to.join(p.file_name().expect("name"));
            if p.is_dir() {
                copy(&p, &target);
            } else {
                std::fs::copy(&p, &target).expect("copy");
            }
        }
    }
    let r = Repo::empty();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(src.join("insiden.yaml"), r.file("insiden.yaml")).expect("config");
    copy(&src.join("incidents"), &r.file("incidents"));
    r
}

/// What a reader can tell of a published count: its least and greatest possible values
/// (`None`: unbounded). `"< N"` is 1 to N-1 (zeros are shown as 0), `"≥ N"` at least N,
/// `"x"` anything.
pub fn count_bounds(v: &serde_json::Value) -> (u64, Option<u64>) {
    if let Some(n) = v.as_u64() {
        return (n, Some(n));
    }
    let s = v.as_str().unwrap_or_else(|| panic!("not a count: {v}"));
    let num = |p: &str| -> u64 { s[p.len()..].trim().parse().unwrap_or_else(|_| panic!("count {s}")) };
    if s.starts_with('<') {
        (1, Some(num("<") - 1))
    } else if s.starts_with('≥') {
        (num("≥"), None)
    } else if s == "x" {
        (0, None)
    } else {
        panic!("unknown count {s}")
    }
}

/// How many ways (0, 1, or 2 meaning "two or more") the cells of a group can be filled,
/// each within its bounds, so that they add up to a total within `total`'s bounds.
pub fn solutions(cells: &[(u64, Option<u64>)], total: (u64, Option<u64>)) -> usize {
    fn go(cells: &[(u64, Option<u64>)], left: u64) -> usize {
        match cells.split_first() {
            None => usize::from(left == 0),
            Some(((lo, hi), rest)) => {
                let mut n = 0;
                for v in *lo..=hi.unwrap_or(left).min(left) {
                    n += go(rest, left - v);
                    if n >= 2 {
                        return 2;
                    }
                }
                n
            }
        }
    }
    let Some(top) = total.1 else { return 2 };
    let mut n = 0;
    for t in total.0..=top {
        n += go(cells, t);
        if n >= 2 {
            return 2;
        }
    }
    n
}

/// Asserts that a published group whose cells add up to `total` cannot be solved: when a
/// cell is hidden as small ("< N"), at least two fillings fit; and the true values fit.
#[track_caller]
pub fn assert_unsolvable(what: &str, cells: &[serde_json::Value], total: &serde_json::Value, truth: &[u64]) {
    let bounds: Vec<_> = cells.iter().map(count_bounds).collect();
    let t = count_bounds(total);
    for (b, v) in bounds.iter().zip(truth) {
        assert!(
            *v >= b.0 && b.1.is_none_or(|h| *v <= h),
            "{what}: {v} shown as {cells:?}"
        );
    }
    let small = cells.iter().any(|c| c.as_str().is_some_and(|s| s.starts_with('<')));
    if small {
        assert_eq!(
            solutions(&bounds, t),
            2,
            "{what}: {cells:?} with total {total} is solvable"
        );
    }
}

/// The least public count (`site.public_min_count`) of the test configurations.
pub const MIN: u64 = 3;

/// Asserts [`assert_unsolvable`], and that a reader who also subtracts the TLP:CLEAR
/// incidents listed beside the group (`clear`, one per cell, and `clear_total`: what the
/// listed incidents add up to in each cell and in the total) cannot pin the restricted part
/// of any cell, or of the total, to one value from 1 to `MIN - 1`.
#[track_caller]
pub fn assert_restricted_unsolvable(
    what: &str,
    cells: &[serde_json::Value],
    total: &serde_json::Value,
    clear: &[u64],
    clear_total: u64,
    truth: &[u64],
) {
    assert_unsolvable(what, cells, total, truth);
    assert_eq!(cells.len(), clear.len(), "{what}: a TLP:CLEAR part per cell");
    // What a count says of its restricted part, once the listed incidents are subtracted.
    let restricted = |v: &serde_json::Value, c: u64| -> (u64, Option<u64>) {
        let (lo, hi) = count_bounds(v);
        let hi = hi.map(|h| {
            h.checked_sub(c)
                .unwrap_or_else(|| panic!("{what}: {v} is less than the {c} incidents listed"))
        });
        (lo.saturating_sub(c), hi)
    };
    let r: Vec<(u64, Option<u64>)> = cells.iter().zip(clear).map(|(v, c)| restricted(v, *c)).collect();
    let t = restricted(total, clear_total);
    let sum_lo = |skip: Option<usize>| -> u64 {
        r.iter()
            .enumerate()
            .filter(|(j, _)| Some(*j) != skip)
            .map(|(_, b)| b.0)
            .sum()
    };
    let sum_hi = |skip: Option<usize>| -> Option<u64> {
        r.iter()
            .enumerate()
            .filter(|(j, _)| Some(*j) != skip)
            .try_fold(0u64, |a, (_, b)| Some(a + b.1?))
    };
    let min_opt = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let pinned = |lo: u64, hi: Option<u64>| hi == Some(lo) && (1..MIN).contains(&lo);
    // Each cell lies within its own bounds and within the total less the others' (the sums
    // of integer ranges are ranges, so this is exact for one group).
    for (i, (lo, hi)) in r.iter().enumerate() {
        let lo = (*lo).max(sum_hi(Some(i)).map_or(0, |oh| t.0.saturating_sub(oh)));
        let hi = min_opt(*hi, t.1.map(|th| th.saturating_sub(sum_lo(Some(i)))));
        assert!(
            !pinned(lo, hi),
            "{what}: the restricted part of cell {i} is {lo}: {cells:?} with total {total}, listed {clear:?} of {clear_total}"
        );
    }
    let lo = t.0.max(sum_lo(None));
    let hi = min_opt(t.1, sum_hi(None));
    assert!(
        !pinned(lo, hi),
        "{what}: the restricted part of the total is {lo}: {cells:?} with total {total}, listed {clear:?} of {clear_total}"
    );
}

/// A copy of `r` with only its TLP:CLEAR incidents: what a reader of the public edition sees
/// in full. References to other incidents (`related`) are left out.
pub fn clear_only(r: &Repo) -> Repo {
    let c = Repo::empty();
    c.write("insiden.yaml", &r.read("insiden.yaml"));
    for (rel, bytes) in tree(&r.file("incidents")) {
        let text = String::from_utf8(bytes).expect("utf-8");
        let front = text.split("\n---").next().unwrap_or("");
        if front.lines().any(|l| l.trim().eq_ignore_ascii_case("tlp: clear")) {
            let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("related:")).collect();
            c.write(&format!("incidents/{rel}"), &(kept.join("\n") + "\n"));
        }
    }
    c
}

/// The ids of the incidents a page links to, sorted.
pub fn listed_ids(html: &str) -> Vec<String> {
    let html = html.replace("&#x2f;", "/");
    let mut ids: Vec<String> = html
        .split("incidents/")
        .skip(1)
        .filter_map(|s| s.split(".html").next())
        .filter(|s| s.starts_with("INC-") && s.len() < 40)
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A deterministic pseudo-random sequence (a linear congruential generator).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn pick(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A corpus of `n` incidents of varied category, severity, TLP, channel and fate over the
/// first half of 2026; closed ones go through every SOP step.
pub fn varied(n: usize, seed: u64) -> Repo {
    let r = Repo::new();
    let mut g = Lcg(seed);
    let cats = ["phishing", "judi-online", "defacement", "malware", "ddos"];
    let sevs = ["low", "medium", "high", "critical"];
    let tlps = ["clear", "clear", "green", "amber", "red"];
    let chans = ["email", "whatsapp", "phone"];
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T09:00:00+07:00").expect("t");
    for i in 0..n {
        let at = start + chrono::Duration::hours((g.pick(180 * 24)) as i64);
        let ts = |t: chrono::DateTime<chrono::FixedOffset>| t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let id = format!("INC-2026-{:04}", i + 1);
        let extra = format!(
            "category: {}\nseverity: {}\ntlp: {}\nowner: Dinas {}\nassets: [x.example]\n",
            cats[g.pick(cats.len())],
            sevs[g.pick(sevs.len())],
            tlps[g.pick(tlps.len())],
            ["A", "B", "C"][g.pick(3)]
        );
        let chan = chans[g.pick(chans.len())];
        let mut text = reported(&id, &ts(at))
            .replace("status: reported\n", &format!("status: reported\n{extra}"))
            .replace(
                "contact: budi@example.org }",
                &format!("contact: budi@example.org, channel: {chan} }}"),
            );
        match g.pick(3) {
            0 => {}
            1 => {
                text = text.replace("status: reported", "status: registered").replace(
                    "actor: siti }\n---",
                    &format!(
                        "actor: siti }}\n  - {{ at: {}, to: registered, by: helpdesk, actor: siti }}\n---",
                        ts(at + chrono::Duration::hours(g.pick(30) as i64 + 1))
                    ),
                );
            }
            _ => {
                text = text
                    .replace(
                        "status: reported",
                        "status: rejected\nrejection_reason: Bukan insiden\nrejection_code: refuted",
                    )
                    .replace(
                        "actor: siti }\n---",
                        &format!(
                            "actor: siti }}\n  - {{ at: {}, to: rejected, by: helpdesk, actor: siti }}\n---",
                            ts(at + chrono::Duration::hours(1))
                        ),
                    );
            }
        }
        r.write(&format!("incidents/2026/{id}.md"), &text);
    }
    r
}
