//! `insiden check` and `insiden audit` on real repositories built commit by commit, each
//! commit made by the member whose move it records, with fixed dates.

use crate::support::Repo;
use chrono::{DateTime, Duration, FixedOffset};

/// Members of the test configuration: (id, name, email).
const SITI: (&str, &str, &str) = ("siti", "Siti Rahayu", "siti@example.go.id");
const AGUS: (&str, &str, &str) = ("agus", "Agus Salim", "agus@example.go.id");
const DEWI: (&str, &str, &str) = ("dewi", "Dewi Lestari", "dewi@example.go.id");
const BAYU: (&str, &str, &str) = ("bayu", "Bayu Aji", "bayu@example.go.id");
const RINA: (&str, &str, &str) = ("rina", "Rina Wati", "rina@example.go.id");
const BOT: (&str, &str, &str) = ("insiden-bot", "github-actions[bot]", "bot@example.org");

/// A repository and a clock that moves forward with each step.
struct Sop {
    repo: Repo,
    now: DateTime<FixedOffset>,
}

impl Sop {
    fn new() -> Sop {
        let repo = Repo::new();
        repo.git_init();
        let now = DateTime::parse_from_rfc3339("2026-03-02T08:00:00+07:00").expect("time");
        repo.commit("Admin", "admin@example.go.id", &now.to_rfc3339(), "Konfigurasi");
        Sop { repo, now }
    }

    fn tick(&mut self, minutes: i64) -> String {
        self.now += Duration::minutes(minutes);
        self.now.to_rfc3339()
    }

    fn path(id: &str) -> String {
        format!("incidents/2026/{id}.md")
    }

    /// Appends a body section to the incident file.
    fn section(&self, id: &str, heading: &str, text: &str) {
        let p = Self::path(id);
        let mut body = self.repo.read(&p);
        body.push_str(&format!("\n## {heading}\n\n{text}\n"));
        self.repo.write(&p, &body);
    }

    /// Inserts a raw front-matter line before `history:`.
    fn field(&self, id: &str, line: &str) {
        let p = Self::path(id);
        let text = self.repo.read(&p).replacen("history:", &format!("{line}\nhistory:"), 1);
        self.repo.write(&p, &text);
    }

    /// Files a new incident as Siti and commits it.
    fn new_incident(&mut self, title: &str) -> String {
        let at = self.tick(30);
        let run = self.repo.run(&[
            "new",
            "--title",
            title,
            "--reporter",
            "Budi",
            "--contact",
            "budi@example.org",
            "--owner",
            "Pemdes Sumberagung",
            "--asset",
            "https://desa.example",
            "--category",
            "defacement",
            "--at",
            &at,
            "--actor",
            "siti",
            "--description",
            "Situs berubah.",
        ]);
        run.code(0);
        let id = run
            .stdout
            .trim()
            .rsplit('/')
            .next()
            .expect("path")
            .trim_end_matches(".md")
            .to_owned();
        let commit_at = self.tick(5);
        self.repo
            .commit(SITI.1, SITI.2, &commit_at, &format!("Laporan baru {id}"));
        id
    }

    /// Makes a move as `who` (with extra args) and commits it as `who`.
    fn step(&mut self, who: (&str, &str, &str), id: &str, state: &str, extra: &[&str]) -> String {
        let at = self.tick(60);
        let mut args = vec!["transition", id, state, "--actor", who.0, "--at", &at];
        if who.0 == BOT.0 {
            args = vec!["transition", id, state, "--role", "system", "--at", &at];
        }
        args.extend_from_slice(extra);
        self.repo.run(&args).code(0);
        let commit_at = self.tick(5);
        self.repo.commit(who.1, who.2, &commit_at, &format!("{id}: {state}"))
    }

    fn check(&self, base: &str) -> crate::support::Run {
        self.check_with(base, &["--format", "json"])
    }

    /// `check` of the range as the pull request `login` opened (`--pr-author`).
    fn check_as(&self, base: &str, login: &str) -> crate::support::Run {
        self.check_with(base, &["--format", "json", "--pr-author", login])
    }

    /// `check --base <base>` a minute after the last move, with `args`.
    fn check_with(&self, base: &str, args: &[&str]) -> crate::support::Run {
        let now = (self.now + Duration::minutes(1)).to_rfc3339();
        self.repo
            .run(&[&["check", "--base", base, "--now", &now][..], args].concat())
    }
}

fn codes(run: &crate::support::Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Walks an incident through the main path of the SOP with a follow-up report, then lets the
/// bot close it; a second incident is rejected, a third goes the out-of-scope path and is
/// closed by the helpdesk, a fourth is handed to an external party who hands it back.
fn full_history() -> Sop {
    let mut s = Sop::new();
    let a = s.new_incident("Defacement situs desa");
    s.step(SITI, &a, "registered", &[]);
    s.step(AGUS, &a, "triage", &[]);
    s.section(&a, "Analisis", "Injeksi melalui plugin usang.");
    s.section(&a, "Rekomendasi", "Perbarui plugin.");
    s.step(
        DEWI,
        &a,
        "coordination",
        &["--set", "severity=high", "--set", "tlp=amber", "--set", "in_scope=true"],
    );
    s.step(
        BAYU,
        &a,
        "handling",
        &["--set", "handler.type=internal", "--set", "handler.name=Tim CSIRT"],
    );
    s.section(&a, "Penanganan", "Konten dipulihkan.");
    s.step(RINA, &a, "handled", &[]);
    s.section(&a, "Kesimpulan", "Selesai ditangani.");
    s.step(BAYU, &a, "compiled", &[]);
    s.step(AGUS, &a, "recorded", &[]);
    s.step(SITI, &a, "resolved", &["--set", "delivered_to=Pemdes Sumberagung"]);
    s.tick(60 * 24 * 2);
    s.step(SITI, &a, "triage", &["--note", "Laporan lanjutan: konten muncul lagi"]);
    s.step(DEWI, &a, "coordination", &[]);
    s.step(BAYU, &a, "handling", &[]);
    s.step(RINA, &a, "handled", &[]);
    s.step(BAYU, &a, "compiled", &[]);
    s.step(AGUS, &a, "recorded", &[]);
    s.step(SITI, &a, "resolved", &[]);
    let reported_on = s.now.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    s.field(
        &a,
        &format!("external_reports: [{{ to: bssn, at: {reported_on}, reference: BSSN-2026-77 }}]"),
    );
    s.step(AGUS, &a, "documented", &["--set", "resolution=true-positive"]);
    s.tick(60 * 24 * 5);
    s.step(BOT, &a, "closed", &["--note", "Masa autoresolve 5 hari berakhir"]);

    let b = s.new_incident("Laporan ganda");
    s.step(
        SITI,
        &b,
        "rejected",
        &[
            "--set",
            "rejection_reason=Sudah dilaporkan",
            "--set",
            "rejection_code=duplicate",
            "--set",
            &format!("duplicate_of={a}"),
        ],
    );

    let c = s.new_incident("Situs sekolah provinsi");
    s.step(SITI, &c, "registered", &[]);
    s.step(AGUS, &c, "triage", &[]);
    s.section(&c, "Analisis", "Bukan aset kabupaten.");
    s.section(&c, "Rekomendasi", "Teruskan ke CSIRT provinsi.");
    s.step(DEWI, &c, "handled", &["--set", "in_scope=false", "--set", "tlp=clear"]);
    s.section(&c, "Kesimpulan", "Diteruskan.");
    s.step(BAYU, &c, "compiled", &[]);
    s.step(AGUS, &c, "recorded", &[]);
    s.step(SITI, &c, "resolved", &["--set", "delivered_to=Pelapor"]);
    s.step(AGUS, &c, "documented", &["--set", "resolution=not-an-incident"]);
    s.tick(60 * 24 * 6);
    s.step(SITI, &c, "closed", &[]);

    let d = s.new_incident("DDoS portal");
    s.step(SITI, &d, "registered", &[]);
    s.step(AGUS, &d, "triage", &[]);
    s.section(&d, "Analisis", "Lonjakan lalu lintas.");
    s.section(&d, "Rekomendasi", "Aktifkan mitigasi.");
    s.step(
        DEWI,
        &d,
        "coordination",
        &[
            "--set",
            "severity=medium",
            "--set",
            "tlp=green",
            "--set",
            "in_scope=true",
        ],
    );
    s.step(BAYU, &d, "triage", &["--note", "Perlu data log tambahan"]);
    s.step(DEWI, &d, "coordination", &[]);
    s.step(
        BAYU,
        &d,
        "handling",
        &["--set", "handler.type=external", "--set", "handler.name=Vendor Hosting"],
    );
    s.step(RINA, &d, "coordination", &["--note", "Vendor menolak, kembalikan"]);
    s.step(BAYU, &d, "handling", &["--set", "handler.type=internal"]);
    s.step(RINA, &d, "handling", &["--note", "Mitigasi berjalan"]);
    s
}

#[test]
fn a_legitimate_history_through_every_path_has_no_findings() {
    let s = full_history();
    let run = s.check(s.repo.git(&["rev-list", "--max-parents=0", "HEAD"]).trim());
    run.code(0);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    let audit = s.repo.run(&["audit", "--format", "json"]);
    audit.code(0);
    let v = audit.json();
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{}", audit.stdout);
    assert_eq!(v["commits"], 40);
}

/// Makes one more commit on top of a small valid history and returns the findings of
/// `check --base <before>`.
fn bad_commit(
    edit: impl FnOnce(&Sop, &str),
    author: (&str, &str, &str),
    minutes_later: i64,
) -> (Sop, crate::support::Run, String) {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    s.step(SITI, &id, "registered", &[]);
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    edit(&s, &id);
    let at = s.tick(minutes_later);
    let commit = s.repo.commit(author.1, author.2, &at, "Perubahan yang salah");
    let run = s.check(&base);
    (s, run, commit[..7].to_owned())
}

fn assert_caught(run: &crate::support::Run, code: &str, commit: &str, line: Option<u64>) {
    let v = run.json();
    let d = v["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["code"] == code)
        .cloned();
    let d = d.unwrap_or_else(|| panic!("{code} not reported: {}", run.stdout));
    assert_eq!(d["commit"]["id"], commit, "{code}");
    assert_eq!(d["commit"]["subject"], "Perubahan yang salah");
    if let Some(l) = line {
        assert_eq!(d["line"], l, "{code}: {d}");
    }
    assert_eq!(run.code, 1, "{code}");
}

fn edit_file(s: &Sop, id: &str, from: &str, to: &str) {
    let p = Sop::path(id);
    let text = s.repo.read(&p);
    assert!(text.contains(from), "{from:?} not in {text}");
    s.repo.write(&p, &text.replacen(from, to, 1));
}

/// The registered incident's last history line is line 15; an appended entry is line 16.
fn append(s: &Sop, id: &str, entry: &str) {
    edit_file(s, id, "\n---\n## Laporan", &format!("\n  - {entry}\n---\n## Laporan"));
}

#[test]
fn each_history_rule_is_caught_with_its_code_commit_and_line() {
    type Edit = Box<dyn Fn(&Sop, &str)>;
    type Member = (&'static str, &'static str, &'static str);
    let cases: Vec<(&str, Edit, Member, Option<u64>)> = vec![
        (
            "file-deleted",
            Box::new(|s, id| std::fs::remove_file(s.repo.file(&Sop::path(id))).expect("rm")),
            SITI,
            None,
        ),
        (
            "file-deleted",
            Box::new(|s, id| {
                std::fs::rename(
                    s.repo.file(&Sop::path(id)),
                    s.repo.file("incidents/2026/INC-2026-0099.md"),
                )
                .expect("mv")
            }),
            SITI,
            None,
        ),
        (
            "immutable-field",
            Box::new(|s, id| {
                edit_file(
                    s,
                    id,
                    "reported_at: 2026-03-02T08:30:00+07:00",
                    "reported_at: 2026-03-02T08:31:00+07:00",
                )
            }),
            SITI,
            Some(5),
        ),
        (
            "history-rewritten",
            Box::new(|s, id| {
                edit_file(
                    s,
                    id,
                    "to: registered, by: helpdesk, actor: siti",
                    "to: registered, by: helpdesk, actor: siti, note: ubah",
                )
            }),
            SITI,
            Some(15),
        ),
        (
            "transition-not-allowed",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: coordination, by: data, actor: agus }",
                )
            }),
            AGUS,
            Some(16),
        ),
        (
            "role-not-allowed",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: triage, by: helpdesk, actor: siti }",
                )
            }),
            SITI,
            Some(16),
        ),
        (
            "actor-not-author",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: triage, by: data, actor: agus }",
                )
            }),
            SITI,
            Some(16),
        ),
        (
            "unknown-member",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: triage, by: data, actor: siti }",
                )
            }),
            SITI,
            Some(16),
        ),
        (
            "entry-in-future",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T12:00:00+07:00, to: triage, by: data, actor: agus }",
                )
            }),
            AGUS,
            Some(16),
        ),
        (
            "entry-backdated",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: triage, by: data, actor: agus }",
                )
            }),
            AGUS,
            Some(16),
        ),
        (
            "system-not-bot",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: registered, by: system, actor: insiden-bot, note: x }",
                )
            }),
            SITI,
            Some(16),
        ),
        (
            "missing-note",
            Box::new(|s, id| {
                append(
                    s,
                    id,
                    "{ at: 2026-03-02T10:00:00+07:00, to: registered, by: data, actor: agus }",
                )
            }),
            AGUS,
            Some(16),
        ),
    ];
    for (code, edit, author, line) in cases {
        // Times: the registered entry is at 09:35; "10:00" entries are committed at 10:00 + 5m
        // except where the rule is about the time itself.
        let minutes = match code {
            "entry-in-future" => 0,
            "entry-backdated" => 60 * 24 * 4,
            _ => 20,
        };
        let (_, run, commit) = bad_commit(|s, id| edit(s, id), author, minutes);
        assert_caught(&run, code, &commit, line);
    }
}

#[test]
fn tlp_lowered_without_analysis_is_caught_and_with_it_passes() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    edit_file(&s, &id, "status: reported", "status: reported\ntlp: red");
    let at = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &at, "TLP");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    edit_file(&s, &id, "tlp: red", "tlp: amber");
    let at = s.tick(5);
    let bad = s.repo.commit(SITI.1, SITI.2, &at, "Perubahan yang salah");
    assert_caught(&s.check(&base), "tlp-lowered", &bad[..7], Some(5));
    s.repo.git(&["reset", "-q", "--hard", &base]);
    edit_file(&s, &id, "tlp: red", "tlp: amber");
    s.step(
        DEWI,
        &id,
        "reported",
        &["--note", "TLP diturunkan setelah analisis awal"],
    );
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
}

#[test]
fn a_pull_request_is_fixed_forward_when_squashed_and_judged_per_commit_when_merged() {
    // A move to coordination without its sections, completed in the next commit.
    let attempt = |merge: &str| {
        let mut s = Sop::new();
        if merge != "squash" {
            let cfg = s.repo.read("insiden.yaml") + &format!("check: {{ merge: {merge} }}\n");
            s.repo.write("insiden.yaml", &cfg);
            let at = s.tick(1);
            s.repo.commit(BAYU.1, BAYU.2, &at, "Cara merge");
        }
        let id = s.new_incident("Situs desa");
        s.step(SITI, &id, "registered", &[]);
        s.step(AGUS, &id, "triage", &[]);
        let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
        append(
            &s,
            &id,
            "{ at: 2026-03-02T12:00:00+07:00, to: coordination, by: analysis, actor: dewi }",
        );
        edit_file(
            &s,
            &id,
            "status: triage",
            "status: coordination\nseverity: low\ntlp: clear\nin_scope: true",
        );
        let bad = s
            .repo
            .commit(DEWI.1, DEWI.2, "2026-03-02T12:05:00+07:00", "Perubahan yang salah");
        s.section(&id, "Analisis", "x");
        s.section(&id, "Rekomendasi", "y");
        s.repo
            .commit(DEWI.1, DEWI.2, "2026-03-02T12:10:00+07:00", "Tambah bagian");
        s.now = DateTime::parse_from_rfc3339("2026-03-02T12:10:00+07:00").expect("t");
        (s, base, bad)
    };
    // Squashed (the default): what lands meets the requirements.
    let (s, base, _) = attempt("squash");
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    // ...but a non-member's commit in the branch still fails, whatever comes after it.
    let mut s = s;
    edit_file(&s, "INC-2026-0001", "title: Situs desa", "title: Situs desa diubah");
    let at = s.tick(5);
    let stranger = s.repo.commit(MALLORY.1, MALLORY.2, &at, "Perubahan yang salah");
    s.section("INC-2026-0001", "Catatan", "z");
    let at = s.tick(5);
    s.repo.commit(DEWI.1, DEWI.2, &at, "Lanjut");
    assert_caught(&s.check(&base), "not-a-member", &stranger[..7], None);
    // Merged commit by commit: the commit that made the move did not meet its requirements.
    let (s, base, bad) = attempt("merge");
    assert_caught(&s.check(&base), "requirement-missing", &bad[..7], None);
    s.repo.run(&["validate", "--now", "2026-03-02T12:11:00+07:00"]).code(0);
}

#[test]
fn the_bot_closes_only_after_the_window_and_only_the_bot_writes_system() {
    let mut s = full_history();
    // Reuse the out-of-scope incident's shape: a fresh incident up to documented.
    let id = s.new_incident("Pemindaian");
    s.step(SITI, &id, "registered", &[]);
    s.step(AGUS, &id, "triage", &[]);
    s.section(&id, "Analisis", "Temuan pemindaian.");
    s.section(&id, "Rekomendasi", "Tutup port.");
    s.step(DEWI, &id, "handled", &["--set", "in_scope=false"]);
    s.section(&id, "Kesimpulan", "Selesai.");
    s.step(BAYU, &id, "compiled", &[]);
    s.step(AGUS, &id, "recorded", &[]);
    s.step(SITI, &id, "resolved", &["--set", "delivered_to=Pelapor"]);
    s.step(AGUS, &id, "documented", &["--set", "resolution=false-positive"]);
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // One day later the bot tries to close: the window (5 days) is still open.
    let at = s.tick(60 * 24);
    append_last(
        &s,
        &id,
        &format!("{{ at: {at}, to: closed, by: system, actor: insiden-bot, note: autoresolve }}"),
        "documented",
        "closed",
    );
    let commit_at = s.tick(1);
    let early = s.repo.commit(BOT.1, BOT.2, &commit_at, "Perubahan yang salah");
    assert_caught(&s.check(&base), "window-open", &early[..7], None);
    // A person writing a system entry is caught too.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    let at = s.tick(60 * 24 * 5);
    append_last(
        &s,
        &id,
        &format!("{{ at: {at}, to: closed, by: system, actor: insiden-bot, note: autoresolve }}"),
        "documented",
        "closed",
    );
    let commit_at = s.tick(1);
    let spoof = s.repo.commit(SITI.1, SITI.2, &commit_at, "Perubahan yang salah");
    assert_caught(&s.check(&base), "system-not-bot", &spoof[..7], None);
    // The same commit by the bot is clean.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    append_last(
        &s,
        &id,
        &format!("{{ at: {at}, to: closed, by: system, actor: insiden-bot, note: autoresolve }}"),
        "documented",
        "closed",
    );
    s.repo.commit(BOT.1, BOT.2, &commit_at, "autoresolve");
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    // Bound to the forge account that opens the bot's pull requests, the bot's commit in a
    // pull request a member's account opened is a spoofed bot (anyone can set its emails);
    // in the bot account's own, it is clean.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    let cfg = s.repo.read("insiden.yaml").replace(
        "bot: { id: insiden-bot, emails: [\"bot@example.org\"] }",
        "bot: { id: insiden-bot, emails: [\"bot@example.org\"], github: \"insiden-bot[bot]\" }",
    );
    s.repo.write("insiden.yaml", &cfg);
    let t = s.tick(5);
    s.repo.commit(BAYU.1, BAYU.2, &t, "Akun bot");
    let bound = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let at = s.tick(10);
    append_last(
        &s,
        &id,
        &format!("{{ at: {at}, to: closed, by: system, actor: insiden-bot, note: autoresolve }}"),
        "documented",
        "closed",
    );
    let t = s.tick(1);
    let spoofed = s.repo.commit(BOT.1, BOT.2, &t, "Perubahan yang salah");
    assert_caught(
        &s.check_as(&bound, "siti-r"),
        "actor-not-pr-author",
        &spoofed[..7],
        None,
    );
    let run = s.check_as(&bound, "insiden-bot[bot]");
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
}

fn append_last(s: &Sop, id: &str, entry: &str, from: &str, to: &str) {
    edit_file(s, id, &format!("status: {from}"), &format!("status: {to}"));
    append(s, id, entry);
}

#[test]
fn a_co_author_trailer_grants_no_identity() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Two moves by two members land as one commit (a squash merge) authored by the first.
    s.repo
        .run(&[
            "transition",
            &id,
            "registered",
            "--actor",
            "siti",
            "--at",
            "2026-03-02T09:40:00+07:00",
        ])
        .code(0);
    s.repo
        .run(&[
            "transition",
            &id,
            "triage",
            "--actor",
            "agus",
            "--at",
            "2026-03-02T09:50:00+07:00",
        ])
        .code(0);
    s.repo.git(&["add", "-A"]);
    s.repo.git_as(
        SITI.1,
        SITI.2,
        "2026-03-02T10:00:00+07:00",
        &[
            "commit",
            "-q",
            "-m",
            "Registrasi dan input (#12)\n\nCo-authored-by: Agus Salim <1234+agus-s@users.noreply.github.com>",
        ],
    );
    s.now = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+07:00").expect("t");
    // A trailer is text anyone can type: Agus's entry in Siti's commit is not his.
    let run = s.check(&base);
    run.code(1);
    assert_eq!(codes(&run), ["actor-not-author"], "{}", run.stdout);
    // Without the trailer, the same.
    s.repo.git_as(
        SITI.1,
        SITI.2,
        "2026-03-02T10:00:00+07:00",
        &["commit", "-q", "--amend", "-m", "Perubahan yang salah"],
    );
    let commit = s.repo.git(&["rev-parse", "--short=7", "HEAD"]).trim().to_owned();
    assert_caught(&s.check(&base), "actor-not-author", &commit, Some(16));
}

#[test]
fn merge_commits_are_checked_for_what_they_add_beyond_their_parents() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    s.repo.git(&["checkout", "-q", "-b", "registrasi"]);
    s.step(SITI, &id, "registered", &[]);
    s.repo.git(&["checkout", "-q", "main"]);
    let other = s.new_incident("Phishing");
    let _ = other;
    let at = s.tick(5);
    s.repo.git_as(
        BAYU.1,
        BAYU.2,
        &at,
        &["merge", "-q", "--no-ff", "registrasi", "-m", "Merge registrasi"],
    );
    // The merge is by Bayu, who is neither Siti nor a helpdesk member: the branch's commit
    // was checked on its own, so the merge adds nothing to check.
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    // An "evil" merge that changes an incident beyond both parents is checked.
    s.repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    s.repo.git_as(
        BAYU.1,
        BAYU.2,
        &at,
        &["merge", "-q", "--no-ff", "--no-commit", "registrasi"],
    );
    edit_file(
        &s,
        &id,
        "actor: siti }\n---",
        "actor: siti }\n  - { at: 2026-03-02T11:00:00+07:00, to: triage, by: data, actor: agus }\n---",
    );
    edit_file(&s, &id, "status: registered", "status: triage");
    let merge = s.repo.commit(BAYU.1, BAYU.2, &at, "Perubahan yang salah");
    assert_caught(&s.check(&base), "actor-not-author", &merge[..7], None);
}

#[test]
fn the_rules_change_only_by_a_maintainer_and_never_beside_incidents() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Agus joins the helpdesk.
    let cfg = s.repo.read("insiden.yaml").replace(
        "emails: [siti@example.go.id], github: siti-r }]",
        "emails: [siti@example.go.id], github: siti-r }, { id: agus, name: Agus Salim, emails: [agus@example.go.id] }]",
    );
    s.repo.write("insiden.yaml", &cfg);
    let at = s.tick(5);
    let by_admin = s.repo.commit("Admin", "admin@example.go.id", &at, "Agus ke helpdesk");
    let run = s.check(&base);
    run.code(1);
    assert_eq!(codes(&run), ["rules-changed"]);
    assert_eq!(
        run.json()["diagnostics"][0]["commit"]["id"].as_str(),
        Some(&by_admin[..7])
    );
    // The same change by the maintainer passes.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    s.repo.write("insiden.yaml", &cfg);
    let at = s.tick(5);
    s.repo.commit(BAYU.1, BAYU.2, &at, "Agus ke helpdesk");
    let run = s.check(&base);
    run.code(0);
    assert!(codes(&run).is_empty());
    // In the same range as a move, the move is still judged by the old rules: and the mix
    // itself is refused.
    s.step(AGUS, &id, "registered", &["--role", "helpdesk"]);
    let run = s.check(&base);
    run.code(1);
    assert!(codes(&run).contains(&"mixed-change".to_owned()), "{:?}", codes(&run));
    // Once the rules are merged, the move is judged by them.
    let merged = s.repo.git(&["rev-parse", "HEAD~1"]).trim().to_owned();
    s.check(&merged).code(0);
}

#[test]
fn bad_input_is_a_clear_error() {
    let s = Sop::new();
    s.repo
        .run(&["check", "--base", "nope"])
        .code(2)
        .stderr_has("unknown revision `nope`");
    s.repo
        .run(&["check", "--base", "HEAD", "--head", "nope"])
        .code(2)
        .stderr_has("unknown revision");
    Repo::new()
        .run(&["check", "--base", "HEAD"])
        .code(2)
        .stderr_has("not inside a git repository");
    // Unrelated histories.
    s.repo.git(&["checkout", "-q", "--orphan", "lain"]);
    s.repo
        .commit("Admin", "admin@example.go.id", "2026-03-02T08:00:00+07:00", "Lain");
    s.repo
        .run(&["check", "--base", "main", "--head", "lain"])
        .code(2)
        .stderr_has("no common ancestor");
    // A shallow clone that lacks the base.
    let mut s = Sop::new();
    s.new_incident("a");
    s.new_incident("b");
    let clone = Repo::empty();
    let src = format!("file://{}", s.repo.path().display());
    clone.git(&["clone", "-q", "--depth", "1", &src, "."]);
    clone
        .run(&["check", "--base", "HEAD~1"])
        .code(2)
        .stderr_has("fetch-depth: 0");
    clone.run(&["audit"]).code(2).stderr_has("fetch-depth: 0");
}

#[test]
fn non_utf8_blobs_are_findings_of_their_commit() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    std::fs::write(s.repo.file(&Sop::path(&id)), b"---\nid: \xff\n---\n").expect("write");
    let at = s.tick(5);
    let bad = s.repo.commit(SITI.1, SITI.2, &at, "Perubahan yang salah");
    assert_caught(&s.check(&base), "invalid-utf8", &bad[..7], Some(2));
}

#[test]
fn staged_changes_are_checked_for_a_pre_commit_hook() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    s.repo.git(&["config", "user.email", "agus@example.go.id"]);
    s.repo.git(&["config", "user.name", "Agus Salim"]);
    append(
        &s,
        &id,
        "{ at: 2026-03-02T09:40:00+07:00, to: registered, by: helpdesk, actor: siti }",
    );
    edit_file(&s, &id, "status: reported", "status: registered");
    s.repo.git(&["add", "-A"]);
    // Agus stages Siti's move.
    let run = s.repo.run(&[
        "check",
        "--staged",
        "--format",
        "json",
        "--now",
        "2026-03-02T09:45:00+07:00",
    ]);
    assert_eq!(run.code, 1);
    assert!(codes(&run).contains(&"actor-not-author".to_owned()), "{}", run.stdout);
    // Staged changes are no commit: the finding says where it is without inventing one.
    for format in ["human", "github"] {
        let run = s.repo.run(&[
            "check",
            "--staged",
            "--format",
            format,
            "--now",
            "2026-03-02T09:45:00+07:00",
        ]);
        run.code(1);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("the staged changes"), "{all}");
        assert!(!all.contains("commit staged"), "{all}");
    }
    s.repo.git(&["config", "user.email", "siti@example.go.id"]);
    let run = s.repo.run(&["check", "--staged", "--now", "2026-03-02T09:45:00+07:00"]);
    run.code(0).stderr_has("checked 1 staged incident file(s): no findings");
}

#[test]
fn audit_summarises_per_rule_and_trails_each_entry_to_its_commit() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let reg = s.step(SITI, &id, "registered", &[]);
    append(
        &s,
        &id,
        "{ at: 2026-03-02T10:30:00+07:00, to: triage, by: data, actor: agus }",
    );
    edit_file(&s, &id, "status: registered", "status: triage");
    s.repo
        .commit(SITI.1, SITI.2, "2026-03-02T10:35:00+07:00", "Input oleh Siti");
    let run = s.repo.run(&["audit"]);
    run.code(1)
        .stdout_has("actor-not-author")
        .stdout_has("audited 4 commit(s)");
    let v = s.repo.run(&["audit", "--trail", &id, "--format", "json"]).json();
    let entries = v["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1]["commit"], &reg[..7]);
    assert_eq!(entries[1]["author"], "Siti Rahayu");
    assert_eq!(entries[2]["email"], "siti@example.go.id");
    s.repo.run(&["audit", "--trail", "INC-2026-0404"]).code(2);
    // What the trail prints of an entry is text from the file: control characters are shown
    // escaped, never sent to the terminal.
    append(
        &s,
        &id,
        r#"{ at: 2026-03-02T11:00:00+07:00, to: "triage\e[2J", by: "data\e]0;x\a", actor: "agus\e[31m" }"#,
    );
    s.repo.commit(AGUS.1, AGUS.2, "2026-03-02T11:05:00+07:00", "Catatan");
    let trail = s.repo.run(&["audit", "--trail", &id]);
    trail.code(0);
    assert_eq!(trail.stdout.lines().count(), 6, "{}", trail.stdout);
    assert!(
        !trail.stdout.contains('\u{1b}') && !trail.stdout.contains('\u{7}'),
        "{:?}",
        trail.stdout
    );
}

#[test]
fn audit_judges_a_past_rule_change_by_the_rules_of_its_time() {
    let mut s = Sop::new();
    // A repository set up before `maintainers:` existed; the admin changed the rules then:
    // a note, not a finding.
    let cfg = s.repo.read("insiden.yaml");
    let before = cfg.replace("maintainers: [bayu]\n", "");
    s.repo.git(&["checkout", "-q", "--orphan", "lama"]);
    s.repo.write("insiden.yaml", &before);
    let at = s.tick(5);
    s.repo.commit("Admin", "admin@example.go.id", &at, "Konfigurasi lama");
    s.repo
        .write("insiden.yaml", &before.replace("Dinas Uji", "Dinas Uji Coba"));
    let at = s.tick(5);
    s.repo.commit("Admin", "admin@example.go.id", &at, "Nama unit");
    let v = s.repo.run(&["audit", "--format", "json"]).json();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"config-changed") && !codes.contains(&"rules-changed"),
        "{v}"
    );
    // Once the rule exists, a change by someone else is a finding, years later too.
    s.repo.write("insiden.yaml", &cfg);
    let at = s.tick(5);
    s.repo.commit("Admin", "admin@example.go.id", &at, "Pengelola: Bayu");
    s.repo
        .write("insiden.yaml", &cfg.replace("Dinas Uji", "Dinas Uji Lagi"));
    let at = s.tick(5);
    let late = s.repo.commit(SITI.1, SITI.2, &at, "Nama unit lagi");
    let run = s.repo.run(&["audit", "--format", "json"]);
    run.code(1);
    let found: Vec<(String, String)> = run.json()["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "rules-changed")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["commit"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(found, [("rules-changed".to_owned(), late[..7].to_owned())]);
}

/// Attack: a helpdesk clerk opens a pull request whose commit claims the maintainer's email
/// and adds themselves to the data team. The email is only a claim; the account that opened
/// the pull request is not.
#[test]
fn a_rules_change_under_a_maintainers_email_counts_only_in_the_maintainers_pull_request() {
    let mut s = Sop::new();
    s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let cfg = s.repo.read("insiden.yaml").replace(
        "emails: [siti@example.go.id], github: siti-r }]",
        "emails: [siti@example.go.id], github: siti-r }, { id: agus, name: Agus Salim, emails: [agus@example.go.id] }]",
    );
    s.repo.write("insiden.yaml", &cfg);
    let at = s.tick(5);
    let spoofed = s.repo.commit(BAYU.1, BAYU.2, &at, "Perubahan yang salah");
    let run = s.check_as(&base, "siti-r");
    run.code(1);
    assert_caught(&run, "rules-changed", &spoofed[..7], None);
    assert!(run.stdout.contains("opened by `siti-r`"), "{}", run.stdout);
    // The honest twin: the same commit in the pull request Bayu opened.
    let run = s.check_as(&base, "bayu-a");
    run.code(0);
    assert!(codes(&run).is_empty(), "{}", run.stdout);
}

#[test]
fn a_record_that_no_longer_reads_is_repaired_by_a_maintainer_only() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    // Written before the reader accepted only its subset of YAML: a tag.
    let p = Sop::path(&id);
    let good = s.repo.read(&p);
    s.repo.write(&p, &good.replacen("title: ", "title: !!str ", 1));
    let at = s.tick(5);
    s.repo.commit("Admin", "admin@example.go.id", &at, "Judul bertag");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Anyone's change to it cannot be verified against it.
    s.repo.write(&p, &good);
    let at = s.tick(5);
    let fix = s.repo.commit(SITI.1, SITI.2, &at, "Perubahan yang salah");
    let run = s.check(&base);
    assert_caught(&run, "history-rewritten", &fix[..7], None);
    assert!(run.stdout.contains("repaired by a maintainer"), "{}", run.stdout);
    // A maintainer's repair is accepted, and says what a reviewer must look at.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    s.repo.write(&p, &good);
    s.repo.commit(BAYU.1, BAYU.2, &at, "Perbaikan berkas oleh pengelola");
    let run = s.check(&base);
    run.code(0);
    assert_eq!(codes(&run), ["record-repaired"]);
    assert_eq!(run.json()["diagnostics"][0]["severity"], "note");
    // A note is for the reviewer: the pull request's required check still passes.
    s.check_with(
        &base,
        &["--deny", "warnings", "--format", "github", "--pr-author", "bayu-a"],
    )
    .code(0)
    .stdout_has("::notice ");
    // The same commit in a pull request Siti opened: Bayu's email is only a claim.
    let run = s.check_as(&base, "siti-r");
    run.code(1);
    assert!(codes(&run).contains(&"history-rewritten".to_owned()), "{}", run.stdout);
    assert!(!codes(&run).contains(&"record-repaired".to_owned()), "{}", run.stdout);
}

/// Regression: a merge whose result equals an older parent's version used to pass, silently
/// dropping the entries the other parent had recorded.
#[test]
fn a_merge_that_drops_a_parents_entries_is_caught() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let c0 = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    s.step(SITI, &id, "registered", &[]);
    let c1 = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let tree = s.repo.git(&["rev-parse", &format!("{c0}^{{tree}}")]).trim().to_owned();
    let evil = s.repo.git_as(
        BAYU.1,
        BAYU.2,
        "2026-03-02T11:00:00+07:00",
        &["commit-tree", &tree, "-p", &c1, "-p", &c0, "-m", "Perubahan yang salah"],
    );
    let evil = evil.trim();
    let run = s.repo.run(&[
        "check",
        "--base",
        &c1,
        "--head",
        evil,
        "--format",
        "json",
        "--now",
        "2026-03-02T11:00:00+07:00",
    ]);
    assert_caught(&run, "history-rewritten", &evil[..7], None);
    // A merge onto an unrelated empty history that deletes the incident is caught too.
    let empty = s
        .repo
        .git(&["hash-object", "-t", "tree", "-w", "/dev/null"])
        .trim()
        .to_owned();
    let orphan = s.repo.git_as(
        BAYU.1,
        BAYU.2,
        "2026-03-02T11:00:00+07:00",
        &["commit-tree", &empty, "-m", "kosong"],
    );
    let gone = s.repo.git_as(
        BAYU.1,
        BAYU.2,
        "2026-03-02T11:05:00+07:00",
        &[
            "commit-tree",
            &empty,
            "-p",
            &c1,
            "-p",
            orphan.trim(),
            "-m",
            "Perubahan yang salah",
        ],
    );
    let gone = gone.trim();
    let run = s.repo.run(&[
        "check",
        "--base",
        &c1,
        "--head",
        gone,
        "--format",
        "json",
        "--now",
        "2026-03-02T11:10:00+07:00",
    ]);
    assert_caught(&run, "file-deleted", &gone[..7], None);
}

#[test]
fn a_merge_of_two_teams_appending_to_one_incident_keeps_both_and_passes() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    s.step(SITI, &id, "registered", &[]);
    s.step(AGUS, &id, "triage", &[]);
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    s.repo.git(&["checkout", "-q", "-b", "analisis"]);
    s.step(DEWI, &id, "triage", &["--note", "Analisis awal berjalan"]);
    s.repo.git(&["checkout", "-q", "main"]);
    s.step(SITI, &id, "triage", &["--note", "Pelapor mengirim bukti tambahan"]);
    // Resolve the conflict by keeping both entries, in time order.
    let p = Sop::path(&id);
    let theirs = s.repo.git(&["show", &format!("analisis:{p}")]);
    let dewi_line = theirs
        .lines()
        .find(|l| l.contains("Analisis awal berjalan"))
        .expect("entry")
        .to_owned();
    let ours = s.repo.read(&p);
    let siti_line = ours
        .lines()
        .find(|l| l.contains("bukti tambahan"))
        .expect("entry")
        .to_owned();
    let merged = ours.replace(&siti_line, &format!("{dewi_line}\n{siti_line}"));
    let at = s.tick(5);
    let _ = s.repo.git_as(
        BAYU.1,
        BAYU.2,
        &at,
        &["merge", "-q", "--no-ff", "--no-commit", "-X", "ours", "analisis"],
    );
    s.repo.write(&p, &merged);
    s.repo.commit(BAYU.1, BAYU.2, &at, "Gabung analisis");
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
}

#[test]
fn a_person_committing_with_the_bots_author_is_not_the_bot() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    append(
        &s,
        &id,
        "{ at: 2026-03-02T10:00:00+07:00, to: reported, by: system, actor: insiden-bot, note: palsu }",
    );
    s.repo.git(&["add", "-A"]);
    let out = std::process::Command::new("git")
        .current_dir(s.repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", BOT.1)
        .env("GIT_AUTHOR_EMAIL", BOT.2)
        .env("GIT_AUTHOR_DATE", "2026-03-02T10:05:00+07:00")
        .env("GIT_COMMITTER_NAME", SITI.1)
        .env("GIT_COMMITTER_EMAIL", SITI.2)
        .env("GIT_COMMITTER_DATE", "2026-03-02T10:05:00+07:00")
        .args(["commit", "-q", "-m", "Perubahan yang salah"])
        .output()
        .expect("git");
    assert!(out.status.success());
    let commit = s.repo.git(&["rev-parse", "--short=7", "HEAD"]).trim().to_owned();
    s.now = DateTime::parse_from_rfc3339("2026-03-02T10:05:00+07:00").expect("t");
    let run = s.check(&base);
    assert_caught(&run, "system-not-bot", &commit, Some(15));
    // And even the real bot only closes: a `system` update is not an allowed move.
    assert!(codes(&run).contains(&"role-not-allowed".to_owned()), "{}", run.stdout);
}

// Attacks by a pull request's author, each beside the honest change that must pass. The
// threat model is in docs/SECURITY.md.

/// A non-member of every team.
const MALLORY: (&str, &str, &str) = ("mallory", "Mallory", "mallory@example.org");

/// Each way of hiding a key from a line reader is refused by the parser's gate.
#[test]
fn front_matter_outside_the_yaml_subset_is_refused() {
    let hide: &[(&str, &str)] = &[
        ("history:\n", "? history\n: "),
        (
            "status: registered\n",
            "status: registered # catatan\u{2028}tlp: clear\n",
        ),
        ("title: Situs desa\n", "title: !!str Situs desa\n"),
        ("title: Situs desa\n", "title: &t Situs desa\nsummary: *t\n"),
        // A field name the line reader does not take as one (the quick reader declines it).
        ("title: Situs desa\n", "title: Situs desa\nx-title: Palsu\n"),
    ];
    for (from, to) in hide {
        let (_, run, commit) = bad_commit(|s, id| edit_file(s, id, from, to), SITI, 5);
        assert_caught(&run, "unsupported-yaml", &commit, None);
    }
    // A whole front matter as one flow mapping.
    let (_, run, commit) = bad_commit(
        |s, id| {
            let p = Sop::path(id);
            let text = s.repo.read(&p);
            let body = text.splitn(3, "---\n").nth(2).expect("body").to_owned();
            s.repo.write(
                &p,
                &format!("---\n{{id: {id}, title: Palsu, status: closed, tlp: clear, history: []}}\n---\n{body}"),
            );
        },
        MALLORY,
        5,
    );
    assert_caught(&run, "unsupported-yaml", &commit, None);
    // The honest twin: the same field written plainly.
    let (_, run, _) = bad_commit(
        |s, id| edit_file(s, id, "title: Situs desa", "title: \"Situs desa: halaman depan\""),
        SITI,
        5,
    );
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
}

/// Only members change incidents; only the deciding teams change reserved fields; a trailer
/// lends nobody's identity.
#[test]
fn every_change_has_an_owner() {
    let (_, run, commit) = bad_commit(
        |s, id| edit_file(s, id, "title: Situs desa", "title: Judul lain"),
        MALLORY,
        5,
    );
    assert_caught(&run, "not-a-member", &commit, None);
    let (_, run, commit) = bad_commit(
        |s, id| edit_file(s, id, "status: registered", "status: registered\ntlp: red"),
        SITI,
        5,
    );
    assert_caught(&run, "field-not-allowed", &commit, Some(5));
    let (_, run, commit) = bad_commit(
        |s, id| edit_file(s, id, "status: registered", "status: registered\nseverity: low"),
        AGUS,
        5,
    );
    assert_caught(&run, "field-not-allowed", &commit, None);
    // Honest: a member edits the title; analysis raises TLP.
    let (_, run, _) = bad_commit(
        |s, id| edit_file(s, id, "title: Situs desa", "title: Situs desa sumberagung"),
        AGUS,
        5,
    );
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    let (_, run, _) = bad_commit(
        |s, id| edit_file(s, id, "status: registered", "status: registered\ntlp: amber+strict"),
        DEWI,
        5,
    );
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
}

/// Deleting `tlp: amber`, then adding `tlp: clear` lowers TLP in two steps.
#[test]
fn tlp_lowered_in_two_steps_is_caught_in_each_range() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    s.step(SITI, &id, "registered", &[]);
    edit_file(&s, &id, "status: registered", "status: registered\ntlp: amber");
    let at = s.tick(5);
    s.repo.commit(DEWI.1, DEWI.2, &at, "TLP");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    edit_file(&s, &id, "tlp: amber\n", "");
    let at = s.tick(5);
    let first = s.repo.commit(SITI.1, SITI.2, &at, "Hapus baris");
    edit_file(&s, &id, "status: registered", "status: registered\ntlp: clear");
    let at = s.tick(5);
    let second = s.repo.commit(SITI.1, SITI.2, &at, "Perubahan yang salah");
    assert_caught(&s.check(&base), "tlp-lowered", &second[..7], None);
    // Judged alone, the second commit lowers from the missing tlp (AMBER).
    assert_caught(&s.check(&first), "tlp-lowered", &second[..7], None);
}

/// A pull request that changes the configuration to act as someone is judged by the base's.
#[test]
fn a_range_cannot_change_its_own_rulebook() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let cfg = s.repo.read("insiden.yaml");
    s.repo.write(
        "insiden.yaml",
        &cfg.replace("[siti@example.go.id]", "[siti@example.go.id, mallory@example.org]"),
    );
    let at = s.tick(5);
    let add = s.repo.commit(MALLORY.1, MALLORY.2, &at, "Tambah email");
    // Mallory records Siti's move, as the email just added would let her.
    let at = s.tick(5);
    s.repo
        .run(&["transition", &id, "registered", "--actor", "siti", "--at", &at])
        .code(0);
    let at = s.tick(5);
    s.repo.commit(MALLORY.1, MALLORY.2, &at, "Registrasi");
    s.repo.write("insiden.yaml", &cfg);
    let at = s.tick(5);
    s.repo.commit(MALLORY.1, MALLORY.2, &at, "Kembalikan");
    let run = s.check(&base);
    run.code(1);
    let found = codes(&run);
    for code in ["rules-changed", "not-a-member", "actor-not-author", "mixed-change"] {
        assert!(found.iter().any(|c| c == code), "{code} missing: {found:?}");
    }
    assert_eq!(run.json()["diagnostics"][0]["commit"]["id"].as_str(), Some(&add[..7]));
}

/// Dates are claims: the checker's clock and the committer date bound them.
#[test]
fn forged_dates_do_not_open_or_close_windows() {
    let mut s = full_history();
    let id = s.new_incident("Pemindaian");
    s.step(SITI, &id, "registered", &[]);
    s.step(AGUS, &id, "triage", &[]);
    s.section(&id, "Analisis", "Temuan pemindaian.");
    s.section(&id, "Rekomendasi", "Tutup port.");
    s.step(DEWI, &id, "handled", &["--set", "in_scope=false"]);
    s.section(&id, "Kesimpulan", "Selesai.");
    s.step(BAYU, &id, "compiled", &[]);
    s.step(AGUS, &id, "recorded", &[]);
    let resolved_at = s.tick(60);
    s.repo
        .run(&[
            "transition",
            &id,
            "resolved",
            "--actor",
            "siti",
            "--at",
            &resolved_at,
            "--set",
            "delivered_to=Pelapor",
        ])
        .code(0);
    let at = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &at, "Selesai");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Seven days later (window: 5 days), a follow-up dated on day 3.
    let claimed = (s.now + Duration::days(3)).to_rfc3339();
    s.now += Duration::days(7);
    let entry =
        format!("{{ at: {claimed}, to: triage, by: helpdesk, actor: siti, note: Laporan lanjutan dari pelapor }}");
    append_last(&s, &id, &entry, "resolved", "triage");
    let late = s
        .repo
        .commit(SITI.1, SITI.2, &s.now.to_rfc3339(), "Perubahan yang salah");
    let run = s.check(&base);
    assert!(codes(&run).contains(&"late-record".to_owned()), "{}", run.stdout);
    let denied = s.check_with(&base, &["--format", "json", "--deny", "warnings"]);
    assert_caught(&denied, "late-record", &late[..7], None);
    // The same follow-up committed on day 3 passes.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    append_last(&s, &id, &entry, "resolved", "triage");
    let on_time = (DateTime::parse_from_rfc3339(&claimed).expect("t") + Duration::minutes(5)).to_rfc3339();
    s.repo.commit(SITI.1, SITI.2, &on_time, "Laporan lanjutan");
    let run = s.check_with(&base, &["--format", "json", "--deny", "warnings"]);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    // Closing early: an entry dated after the window, the author date set to match, the
    // committer date (and the check's clock) three days earlier.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    let documented_at = s.tick(10);
    s.repo
        .run(&[
            "transition",
            &id,
            "documented",
            "--actor",
            "agus",
            "--at",
            &documented_at,
            "--set",
            "resolution=false-positive",
        ])
        .code(0);
    s.repo.commit(AGUS.1, AGUS.2, &s.now.to_rfc3339(), "Dokumentasi");
    let documented = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let claimed = (s.now + Duration::days(6)).to_rfc3339();
    let entry = format!("{{ at: {claimed}, to: closed, by: helpdesk, actor: siti }}");
    append_last(&s, &id, &entry, "documented", "closed");
    let really = (s.now + Duration::days(3)).to_rfc3339();
    let early = s
        .repo
        .commit_dated(SITI.1, SITI.2, &claimed, &really, "Perubahan yang salah");
    s.now += Duration::days(3);
    assert_caught(&s.check(&documented), "entry-in-future", &early[..7], None);
    // An entry after the checker's clock is in the future, whatever the commit claims.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    let future = (s.now + Duration::days(30)).to_rfc3339();
    let entry = format!("{{ at: {future}, to: resolved, by: helpdesk, actor: siti, note: catatan }}");
    append_last(&s, &id, &entry, "resolved", "resolved");
    let bad = s.repo.commit(SITI.1, SITI.2, &future, "Perubahan yang salah");
    assert_caught(&s.check(&base), "entry-in-future", &bad[..7], None);
}

/// Evidence is append-only; what git would transform or follow has no place in a record.
#[test]
fn attachments_attributes_symlinks_and_foreign_roots_are_findings() {
    let setup = |s: &Sop, _id: &str| {
        s.repo.write("incidents/2026/lampiran/scan.txt", "hasil pemindaian\n");
    };
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    setup(&s, &id);
    let at = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &at, "Lampiran");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let try_commit = |s: &mut Sop, edit: &dyn Fn(&Sop)| {
        s.repo.git(&["reset", "-q", "--hard", &base]);
        edit(s);
        let at = s.tick(5);
        let c = s.repo.commit(SITI.1, SITI.2, &at, "Perubahan yang salah");
        (s.check(&base), c[..7].to_owned())
    };
    let (run, c) = try_commit(&mut s, &|s| {
        std::fs::remove_file(s.repo.file("incidents/2026/lampiran/scan.txt")).expect("rm")
    });
    assert_caught(&run, "file-deleted", &c, None);
    let (run, c) = try_commit(&mut s, &|s| {
        s.repo.write("incidents/2026/lampiran/scan.txt", "diganti\n");
    });
    assert_caught(&run, "attachment-changed", &c, None);
    let (run, c) = try_commit(&mut s, &|s| {
        s.repo.write(".gitattributes", "*.md working-tree-encoding=SHIFT_JIS\n");
    });
    assert_caught(&run, "forbidden-path", &c, None);
    for (path, text) in [
        ("incidents/.gitattributes", "*.md eol=crlf\n"),
        ("docs/.gitattributes", "* filter=lfs\n"),
        (".gitmodules", "[submodule \"x\"]\n\tpath = incidents/x\n\turl = ../x\n"),
    ] {
        let (run, c) = try_commit(&mut s, &|s| {
            s.repo.write(path, text);
        });
        assert_caught(&run, "forbidden-path", &c, None);
    }
    let (run, c) = try_commit(&mut s, &|s| {
        std::os::unix::fs::symlink("../../insiden.yaml", s.repo.file("incidents/2026/INC-2026-0009.md"))
            .expect("symlink");
    });
    assert_caught(&run, "forbidden-path", &c, None);
    // The same content, now as a symlink: a mode change is a change.
    let (run, c) = try_commit(&mut s, &|s| {
        let p = s.repo.file("incidents/2026/lampiran/scan.txt");
        std::fs::remove_file(&p).expect("rm");
        std::os::unix::fs::symlink("hasil pemindaian\n", &p).expect("symlink");
    });
    assert_caught(&run, "forbidden-path", &c, None);
    // A file whose name is not UTF-8, holding a forged close: never skipped.
    let (run, c) = try_commit(&mut s, &|s| {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"INC-2026-\xff.md");
        std::fs::write(s.repo.file("incidents/2026").join(name), "---\nid: x\n---\n").expect("write");
    });
    assert_caught(&run, "forbidden-path", &c, None);
    // Honest: a new attachment beside the old one.
    let (run, _) = try_commit(&mut s, &|s| {
        s.repo.write("incidents/2026/lampiran/scan-2.txt", "pemindaian ulang\n");
    });
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    // A history with a root of its own, merged in by a non-maintainer.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    s.repo.git(&["checkout", "-q", "--orphan", "asing"]);
    s.repo.git(&["rm", "-q", "-r", "--cached", "."]);
    let at = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &at, "Akar lain");
    s.repo.git(&["checkout", "-q", "main"]);
    let at = s.tick(5);
    s.repo.git_as(
        SITI.1,
        SITI.2,
        &at,
        &[
            "merge",
            "-q",
            "--allow-unrelated-histories",
            "--no-edit",
            "-s",
            "ours",
            "asing",
        ],
    );
    let run = s.check(&base);
    assert!(codes(&run).contains(&"unrelated-history".to_owned()), "{}", run.stdout);
}

/// A merge may not carry one side's TLP lowering onto the other side's new details, and
/// "Update branch" on an honest pull request passes.
#[test]
fn what_lands_is_judged_as_a_merge() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    s.step(SITI, &id, "registered", &[]);
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // The pull request: analysis lowers TLP to CLEAR.
    s.repo.git(&["checkout", "-q", "-b", "turunkan"]);
    edit_file(&s, &id, "status: registered", "status: registered\ntlp: clear");
    s.step(DEWI, &id, "registered", &["--note", "Aman dipublikasikan"]);
    // Meanwhile on main: a handling note with details, written under AMBER.
    s.repo.git(&["checkout", "-q", "main"]);
    s.section(&id, "Catatan", "Kredensial admin: rahasia-123");
    let at = s.tick(5);
    s.repo.commit(AGUS.1, AGUS.2, &at, "Rincian");
    let main = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // GitHub's test merge: main merged with the pull request.
    let at = s.tick(5);
    s.repo.git_as(
        DEWI.1,
        DEWI.2,
        &at,
        &["merge", "-q", "--no-ff", "--no-edit", "turunkan"],
    );
    let run = s.check(&main);
    assert!(codes(&run).contains(&"merge-tlp-lowered".to_owned()), "{}", run.stdout);
    // The same judged from the stale branch itself, with --base the moved-on target tip.
    let stale = s.check_with(&main, &["--head", "turunkan", "--format", "json"]);
    assert!(
        codes(&stale).contains(&"merge-tlp-lowered".to_owned()),
        "{}",
        stale.stdout
    );
    stale.code(1);
    // "Update branch" that brings main's changes to a file the branch did not touch passes.
    s.repo.git(&["reset", "-q", "--hard", &main]);
    s.repo.git(&["checkout", "-q", "-b", "lain", &base]);
    let other = s.new_incident("Phishing");
    let at = s.tick(5);
    s.repo
        .git_as(BAYU.1, BAYU.2, &at, &["merge", "-q", "--no-ff", "--no-edit", "main"]);
    let run = s.check(&main);
    assert_eq!(codes(&run), Vec::<String>::new(), "{other}: {}", run.stdout);
    // And before the update, the stale branch lands cleanly too.
    let stale = s.check_with(&main, &["--head", "lain~1", "--format", "json"]);
    assert_eq!(codes(&stale), Vec::<String>::new(), "{}", stale.stdout);
}

/// Two helpdesk staff file at once: the branch that lands second learns the next free id.
#[test]
fn an_id_filed_on_the_base_meanwhile_names_the_next_free_one() {
    let mut s = Sop::new();
    s.new_incident("Pertama");
    let fork = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    s.repo.git(&["checkout", "-q", "-b", "kedua"]);
    let mine = s.new_incident("Dari cabang");
    s.repo.git(&["checkout", "-q", "main"]);
    let theirs = s.new_incident("Di main");
    assert_eq!(mine, theirs);
    let run = s.check_with("main", &["--head", "kedua", "--format", "json"]);
    run.code(1);
    let v = run.json();
    let d = v["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["code"] == "duplicate-id")
        .cloned();
    let d = d.unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(d["help"].as_str().unwrap_or("").contains("INC-2026-0003"), "{d}");
    // The branch on its own (against where it left main) is fine.
    s.check_with(&fork, &["--head", "kedua"]).code(0);
}

#[test]
fn a_test_merge_that_brings_the_bases_new_templates_changes_no_rules() {
    let mut s = Sop::new();
    let id = s.new_incident("Situs desa");
    let fork = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Siti's pull request: one move.
    s.repo.git(&["checkout", "-q", "-b", "usulan"]);
    s.step(SITI, &id, "registered", &[]);
    // Meanwhile the maintainer changes a template on main.
    s.repo.git(&["checkout", "-q", "main"]);
    s.repo.write("site-templates/404.html", "{{ title }}\n");
    let at = s.tick(5);
    s.repo.commit(BAYU.1, BAYU.2, &at, "Templat 404");
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // What CI checks out: the pull request merged into the current base. The merge brings
    // main's template as main has it; it changes no rule.
    let at = s.tick(5);
    s.repo.git_as(
        SITI.1,
        SITI.2,
        &at,
        &["merge", "-q", "--no-ff", "-m", "Merge usulan into main", "usulan"],
    );
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    run.code(0);
    // A merge that writes a template of its own, like neither parent's, changes the rules.
    s.repo.write("site-templates/404.html", "{{ title }} — gabungan\n");
    s.repo.git(&["add", "-A"]);
    let at = s.tick(5);
    s.repo
        .git_as(SITI.1, SITI.2, &at, &["commit", "-q", "--amend", "--no-edit"]);
    assert_eq!(
        s.repo
            .git(&["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count(),
        3
    );
    let run = s.check(&base);
    assert!(codes(&run).contains(&"rules-changed".to_owned()), "{:?}", codes(&run));
    // The same pull request changing the template itself is a rule change, merge or not.
    s.repo.git(&["reset", "-q", "--hard", &fork]);
    s.repo.git(&["checkout", "-q", "usulan"]);
    s.repo.write("site-templates/404.html", "{{ title }} — ubah\n");
    let at = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &at, "Templat");
    let run = s.check(&fork);
    assert!(codes(&run).contains(&"rules-changed".to_owned()), "{:?}", codes(&run));
}
