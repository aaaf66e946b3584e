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

    /// Runs `insiden args…` here with `env` added to the clean environment.
    pub fn run_env(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        self.run_full(self.path(), env, args, None)
    }

    /// Runs `insiden -C <dir> args…` with this repository's clean environment.
    pub fn run_in(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_full(dir, &[], args, stdin)
    }

    fn run_full(&self, dir: &Path, env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = Command::cargo_bin("insiden").expect("binary");
        cmd.arg("-C").arg(dir).args(args);
        cmd.envs(env.iter().copied());
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

/// The least public count (`site.public_min_count`) of the test configurations.
pub const MIN: u64 = 3;

/// A copy of `r` with only its TLP:CLEAR incidents: what a reader of the public edition sees
/// in full. References to other incidents (`related`) are left out.
pub fn clear_only(r: &Repo) -> Repo {
    let c = Repo::empty();
    c.write("insiden.yaml", &r.read("insiden.yaml"));
    for (rel, bytes) in tree(&r.file("incidents")) {
        // Attachments (scan reports) come along: they are never published.
        if !rel.ends_with(".md") {
            std::fs::create_dir_all(c.file(&format!("incidents/{rel}")).parent().expect("parent")).expect("mkdir");
            std::fs::write(c.file(&format!("incidents/{rel}")), &bytes).expect("attachment");
            continue;
        }
        let text = String::from_utf8(bytes).expect("utf-8");
        let front = text.split("\n---").next().unwrap_or("");
        if front.lines().any(|l| l.trim().eq_ignore_ascii_case("tlp: clear")) {
            let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("related:")).collect();
            c.write(&format!("incidents/{rel}"), &(kept.join("\n") + "\n"));
        }
    }
    c
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

/// A regency's real volume: `per_year` incidents in each of `years` (about a third
/// TLP:CLEAR), of the categories, severities, channels and owners such a CSIRT sees, each
/// taken through the SOP's steps with plausible durations and cut off at `now`: most are
/// closed, some rejected at step 1 or advised out of scope at step 3, the recent ones open at
/// every step. Deterministic for a seed.
pub fn regency(years: &[i32], per_year: usize, seed: u64, now: &str) -> Repo {
    type T = chrono::DateTime<chrono::FixedOffset>;
    let r = Repo::new();
    let mut g = Lcg(seed);
    let now: T = chrono::DateTime::parse_from_rfc3339(now).expect("now");
    let ts = |t: T| t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    // (value, weight)
    let weighted = |g: &mut Lcg, items: &[(&'static str, usize)]| -> &'static str {
        let total: usize = items.iter().map(|(_, w)| w).sum();
        let mut x = g.pick(total);
        for (v, w) in items {
            if x < *w {
                return v;
            }
            x -= w;
        }
        items[0].0
    };
    let cats = [
        ("judi-online", 30),
        ("defacement", 14),
        ("phishing", 12),
        ("kerentanan", 12),
        ("malware", 7),
        ("akun-diretas", 6),
        ("ddos", 4),
        ("kebocoran-data", 4),
        ("eksploitasi-aplikasi", 4),
        ("brute-force", 3),
        ("gangguan-layanan", 2),
        ("ransomware", 1),
        ("akses-ilegal", 1),
    ];
    let sevs = [("low", 30), ("medium", 40), ("high", 22), ("critical", 8)];
    let tlps = [
        ("clear", 34),
        ("green", 30),
        ("amber", 28),
        ("amber+strict", 4),
        ("red", 4),
    ];
    let chans = [
        ("email", 25),
        ("whatsapp", 30),
        ("phone", 10),
        ("web-form", 10),
        ("bssn-notification", 15),
        ("scan", 10),
    ];
    let kinds = [
        ("owner", 35),
        ("employee", 15),
        ("public", 15),
        ("bssn", 15),
        ("internal-scan", 12),
        ("researcher", 4),
        ("csirt-province", 4),
    ];
    let resolutions = [
        ("true-positive", 80),
        ("false-positive", 10),
        ("duplicate", 5),
        ("indeterminate", 5),
    ];
    let owners = [
        "Dinas Pendidikan",
        "Dinas Kesehatan",
        "RSUD dr. Soedomo",
        "Bapenda",
        "Dinas Dukcapil",
        "BKPSDM",
        "Dinas Kominfo",
        "Sekretariat Daerah",
        "Pemdes Sumberagung",
        "Pemdes Karangan",
        "Pemdes Watulimo",
        "Pemdes Pogalan",
        "Kecamatan Munjungan",
        "DPMPTSP",
        "Dinas Sosial",
    ];
    let mut n = 0;
    for &year in years {
        let start: T = chrono::DateTime::parse_from_rfc3339(&format!("{year}-01-01T08:00:00+07:00")).expect("t");
        let mut times: Vec<T> = (0..per_year)
            .map(|_| start + chrono::Duration::minutes(g.pick(365 * 24 * 60) as i64))
            .filter(|t| *t < now)
            .collect();
        times.sort();
        for at in times {
            n += 1;
            let id = format!("INC-{year}-{n:04}");
            let h = |x: usize| chrono::Duration::hours(x as i64);
            let cat = weighted(&mut g, &cats);
            let sev = weighted(&mut g, &sevs);
            let tlp = weighted(&mut g, &tlps);
            let chan = weighted(&mut g, &chans);
            let kind = weighted(&mut g, &kinds);
            let resolution = weighted(&mut g, &resolutions);
            let owner = owners[g.pick(owners.len())];
            let fate = g.pick(100); // < 12 rejected, < 20 out of scope, else the full path
                                    // Every step's time: (to, by, actor).
            let mut steps: Vec<(T, &str, &str, &str)> = vec![(at, "reported", "helpdesk", "siti")];
            let mut t = at;
            let mut push =
                |t: &mut T, dt: chrono::Duration, to: &'static str, by: &'static str, actor: &'static str| {
                    *t += dt;
                    steps.push((*t, to, by, actor));
                };
            if fate < 12 {
                push(&mut t, h(1 + g.pick(6)), "rejected", "helpdesk", "siti");
            } else {
                push(&mut t, h(1 + g.pick(5)), "registered", "helpdesk", "siti");
                push(&mut t, h(1 + g.pick(20)), "triage", "data", "agus");
                if fate < 20 {
                    push(&mut t, h(4 + g.pick(40)), "handled", "analysis", "dewi");
                } else {
                    push(&mut t, h(4 + g.pick(40)), "coordination", "analysis", "dewi");
                    push(&mut t, h(2 + g.pick(22)), "handling", "coordination", "bayu");
                    // Some wait weeks for the owner or a vendor.
                    let handling = if g.pick(10) < 3 {
                        200 + g.pick(1300)
                    } else {
                        24 + g.pick(200)
                    };
                    push(&mut t, h(handling), "handled", "handling", "rina");
                }
                push(&mut t, h(4 + g.pick(60)), "compiled", "coordination", "bayu");
                push(&mut t, h(1 + g.pick(20)), "recorded", "data", "agus");
                push(&mut t, h(1 + g.pick(40)), "resolved", "helpdesk", "siti");
                let resolved = t;
                push(&mut t, h(4 + g.pick(90)), "documented", "data", "agus");
                let closed = resolved + chrono::Duration::days(5) + h(1 + g.pick(5));
                if closed > t {
                    t = closed;
                    steps.push((t, "closed", "system", "insiden-bot"));
                }
            }
            steps.retain(|s| s.0 < now);
            let status = steps.last().expect("reported").1;
            let mut history = String::new();
            for (t, to, by, actor) in &steps {
                history.push_str(&format!(
                    "  - {{ at: {}, to: {to}, by: {by}, actor: {actor} }}\n",
                    ts(*t)
                ));
            }
            let in_scope = if fate < 20 { "false" } else { "true" };
            let mut front = format!(
                "---\nid: {id}\ntitle: Insiden {cat} pada {owner} ({n})\nstatus: {status}\nreported_at: {}\n\
reporter: {{ name: Pelapor {n}, contact: pelapor{n}@example.org, type: {kind}, channel: {chan} }}\n\
owner: {owner}\nassets: [https://aset-{n}.example]\ncategory: {cat}\nseverity: {sev}\ntlp: {tlp}\n\
summary: Ringkasan insiden {n}.\nin_scope: {in_scope}\n",
                ts(at)
            );
            if fate < 12 {
                front.push_str("rejection_reason: Bukan insiden\nrejection_code: refuted\n");
            } else {
                front.push_str("handler: { type: internal, name: Tim Penanganan }\ndelivered_to: Pemohon\n");
                if steps.iter().any(|s| s.1 == "documented") {
                    front.push_str(&format!("resolution: {resolution}\n"));
                }
                if matches!(sev, "high" | "critical") {
                    front.push_str(&format!("external_reports: [{{ to: bssn, at: {} }}]\n", ts(at + h(30))));
                }
            }
            let text = format!(
                "{front}history:\n{history}---\n## Laporan\n\nLaporan {n}.\n\n## Analisis\n\nAnalisis.\n\n\
## Rekomendasi\n\nRekomendasi.\n\n## Penanganan\n\nPenanganan.\n\n## Kesimpulan\n\nKesimpulan.\n"
            );
            r.write(&format!("incidents/{year}/{id}.md"), &text);
        }
    }
    r
}
