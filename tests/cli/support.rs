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

    /// Runs plain `git` in the repository, untouched by the user's configuration.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_with(&[], args)
    }

    fn git_with(&self, env: &[(&str, &str)], args: &[&str]) -> String {
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
