//! `insiden autoresolve`: the window to the minute, working days, follow-ups, idempotence,
//! the bot's commit and its passing `check`.

use crate::support::Repo;

const P: &str = "incidents/2026/INC-2026-0001.md";

/// A valid incident that went the out-of-scope path to `documented` (or `resolved` when
/// `documented_at` is `None`).
pub fn incident(resolved_at: &str, documented_at: Option<&str>) -> String {
    let status = if documented_at.is_some() {
        "documented"
    } else {
        "resolved"
    };
    let documented = documented_at
        .map(|t| format!("  - {{ at: {t}, to: documented, by: data, actor: agus }}\n"))
        .unwrap_or_default();
    let entries = [
        "{ at: 2026-03-02T08:00:00+07:00, to: reported, by: helpdesk, actor: siti }",
        "{ at: 2026-03-02T08:10:00+07:00, to: registered, by: helpdesk, actor: siti }",
        "{ at: 2026-03-02T08:20:00+07:00, to: triage, by: data, actor: agus }",
        "{ at: 2026-03-02T08:30:00+07:00, to: handled, by: analysis, actor: dewi }",
        "{ at: 2026-03-02T08:40:00+07:00, to: compiled, by: coordination, actor: bayu }",
        "{ at: 2026-03-02T08:50:00+07:00, to: recorded, by: data, actor: agus }",
    ];
    let mut history: String = entries.iter().map(|e| format!("  - {e}\n")).collect();
    history.push_str(&format!(
        "  - {{ at: {resolved_at}, to: resolved, by: helpdesk, actor: siti }}\n{documented}"
    ));
    format!(
        "---\nid: INC-2026-0001\ntitle: Pemindaian port\nstatus: {status}\nreported_at: 2026-03-02T08:00:00+07:00\nreporter: {{ name: Budi }}\n\
category: kerentanan\nowner: Dinas Kesehatan\nassets: [https://dinkes.example]\nin_scope: false\ndelivered_to: Dinas Kesehatan\nresolution: not-an-incident\n\
history:\n{history}---\n## Laporan\n\nPort terbuka.\n\n## Analisis\n\nBukan insiden.\n\n## Rekomendasi\n\nTutup port.\n\n## Kesimpulan\n\nSelesai.\n"
    )
}

fn repo(text: &str) -> Repo {
    let r = Repo::new();
    r.write(P, text);
    r
}

#[test]
fn closes_exactly_when_the_window_elapses_with_a_byte_exact_edit() {
    let before = incident("2026-03-02T09:00:00+07:00", Some("2026-03-02T10:00:00+07:00"));
    let r = repo(&before);
    r.run(&["autoresolve", "--now", "2026-03-07T08:59:00+07:00"])
        .code(0)
        .stdout_has("nothing to close");
    assert_eq!(r.read(P), before);
    r.run(&["autoresolve", "--now", "2026-03-07T09:00:00+07:00"])
        .code(0)
        .stdout_has("closed INC-2026-0001 (documented → closed): window ended 2026-03-07T09:00:00+07:00");
    let expected = before.replace("status: documented", "status: closed").replace(
        "to: documented, by: data, actor: agus }\n",
        "to: documented, by: data, actor: agus }\n  - { at: 2026-03-07T09:00:00+07:00, to: closed, by: system, actor: insiden-bot, note: Masa autoresolve 5 hari berakhir 2026-03-07 09:00 WIB tanpa laporan lanjutan }\n",
    );
    assert_eq!(r.read(P), expected);
    r.run(&["validate", "--now", "2026-03-07T09:01:00+07:00"]).code(0);
    // A second run changes nothing.
    r.run(&["autoresolve", "--now", "2026-03-08T09:00:00+07:00"])
        .code(0)
        .stdout_has("nothing to close");
    assert_eq!(r.read(P), expected);
}

#[test]
fn working_days_skip_weekends_and_holidays() {
    let r = repo(&incident(
        "2026-03-13T09:00:00+07:00",
        Some("2026-03-13T10:00:00+07:00"),
    ));
    // Friday 13 March; Nyepi (Thursday 19 March) is a holiday: five working days end on
    // Monday 23 March at 09:00.
    let cfg = r.read("insiden.yaml").replace(
        "business_days: false\n  holidays: []",
        "business_days: true\n  holidays: [2026-03-19]",
    );
    r.write("insiden.yaml", &cfg);
    r.run(&["autoresolve", "--dry-run", "--now", "2026-03-23T08:59:00+07:00"])
        .code(0)
        .stdout_has("nothing to close");
    r.run(&["autoresolve", "--dry-run", "--now", "2026-03-23T09:00:00+07:00"])
        .code(0)
        .stdout_has("would close INC-2026-0001");
    r.run(&["autoresolve", "--now", "2026-03-23T09:00:00+07:00"]).code(0);
    assert!(r
        .read(P)
        .contains("note: Masa autoresolve 5 hari kerja berakhir 2026-03-23 09:00 WIB tanpa laporan lanjutan"));
}

#[test]
fn a_follow_up_inside_the_window_reopens_and_restarts_it() {
    let r = repo(&incident("2026-03-02T09:00:00+07:00", None));
    r.run(&[
        "transition",
        "INC-2026-0001",
        "triage",
        "--actor",
        "siti",
        "--at",
        "2026-03-04T09:00:00+07:00",
        "--note",
        "Laporan lanjutan: port terbuka lagi",
    ])
    .code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "handled",
        "--actor",
        "dewi",
        "--at",
        "2026-03-04T10:00:00+07:00",
    ])
    .code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "compiled",
        "--actor",
        "bayu",
        "--at",
        "2026-03-04T11:00:00+07:00",
    ])
    .code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "recorded",
        "--actor",
        "agus",
        "--at",
        "2026-03-04T12:00:00+07:00",
    ])
    .code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "resolved",
        "--actor",
        "siti",
        "--at",
        "2026-03-04T13:00:00+07:00",
    ])
    .code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "documented",
        "--actor",
        "agus",
        "--at",
        "2026-03-04T14:00:00+07:00",
    ])
    .code(0);
    // The first window would have ended 7 March 09:00; the new one ends 9 March 13:00.
    r.run(&["autoresolve", "--dry-run", "--now", "2026-03-08T09:00:00+07:00"])
        .code(0)
        .stdout_has("nothing to close");
    r.run(&["autoresolve", "--dry-run", "--now", "2026-03-09T13:00:00+07:00"])
        .code(0)
        .stdout_has("would close");
    // After the window, a follow-up is refused: it is a new report.
    r.run(&[
        "transition",
        "INC-2026-0001",
        "triage",
        "--actor",
        "siti",
        "--at",
        "2026-03-10T09:00:00+07:00",
        "--note",
        "Terlambat",
    ])
    .code(1)
    .stderr_has("window-closed");
}

#[test]
fn resolved_incidents_past_the_window_are_listed_as_overdue() {
    let r = repo(&incident("2026-03-02T09:00:00+07:00", None));
    let before = r.read(P);
    r.run(&["autoresolve", "--now", "2026-03-08T09:00:00+07:00"])
        .code(0)
        .stdout_has("overdue INC-2026-0001 (resolved): window ended 2026-03-07T09:00:00+07:00; data documents it");
    assert_eq!(r.read(P), before);
    r.run(&[
        "autoresolve",
        "--now",
        "2026-03-08T09:00:00+07:00",
        "--format",
        "github",
    ])
    .code(0)
    .stdout_has("::warning file=incidents/2026/INC-2026-0001.md,title=insiden autoresolve-overdue::");
    let v = r
        .run(&["autoresolve", "--now", "2026-03-08T09:00:00+07:00", "--format", "json"])
        .json();
    assert_eq!(v["overdue"][0]["id"], "INC-2026-0001");
}

#[test]
fn commit_makes_one_bot_commit_that_passes_check() {
    let r = repo(&incident(
        "2026-03-02T09:00:00+07:00",
        Some("2026-03-02T10:00:00+07:00"),
    ));
    r.write(
        "incidents/2026/INC-2026-0002.md",
        &incident("2026-03-02T09:00:00+07:00", Some("2026-03-02T10:00:00+07:00"))
            .replace("INC-2026-0001", "INC-2026-0002"),
    );
    r.git_init();
    r.commit(
        "Agus Salim",
        "agus@example.go.id",
        "2026-03-02T10:05:00+07:00",
        "Dokumentasi",
    );
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_owned();
    r.run(&["autoresolve", "--commit", "--now", "2026-03-07T10:00:00+07:00"])
        .code(0)
        .stdout_has("committed");
    let log = r.git(&["log", "-1", "--format=%an <%ae>%n%ad%n%B", "--date=iso-strict"]);
    assert!(log.starts_with("github-actions[bot] <bot@example.org>\n2026-03-07T10:00:00+07:00\nautoresolve: tutup INC-2026-0001, INC-2026-0002\n"), "{log}");
    assert!(
        log.contains("- INC-2026-0001: Masa autoresolve 5 hari berakhir 2026-03-07 09:00 WIB"),
        "{log}"
    );
    assert_eq!(r.git(&["status", "--porcelain"]), "");
    r.run(&["check", "--base", &head, "--now", "2026-03-07T10:01:00+07:00"])
        .code(0);
    // Nothing left to do: no second commit.
    r.run(&["autoresolve", "--commit", "--now", "2026-03-08T10:00:00+07:00"])
        .code(0)
        .stdout_has("nothing to close");
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn commit_refuses_uncommitted_incident_changes() {
    let r = repo(&incident(
        "2026-03-02T09:00:00+07:00",
        Some("2026-03-02T10:00:00+07:00"),
    ));
    r.git_init();
    r.commit(
        "Agus Salim",
        "agus@example.go.id",
        "2026-03-02T10:05:00+07:00",
        "Dokumentasi",
    );
    let edited = r
        .read(P)
        .replace("title: Pemindaian port", "title: Pemindaian port terbuka");
    r.write(P, &edited);
    r.run(&["autoresolve", "--commit", "--now", "2026-03-07T10:00:00+07:00"])
        .code(2)
        .stderr_has("uncommitted changes");
    assert_eq!(r.read(P), edited);
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

#[test]
fn invalid_data_and_bad_times_change_nothing() {
    // Documented without a preceding resolved: the history itself is invalid.
    let broken = incident("2026-03-02T09:00:00+07:00", Some("2026-03-02T10:00:00+07:00"))
        .replace("to: resolved, by: helpdesk", "to: recorded, by: data")
        .replace("by: data, actor: siti", "by: data, actor: agus");
    let r = repo(&broken);
    r.run(&["autoresolve", "--now", "2026-03-09T10:00:00+07:00"])
        .code(1)
        .stderr_has("changed nothing");
    assert_eq!(r.read(P), broken);
    r.run(&["autoresolve", "--now", "lusa"]).code(2).stderr_has("--now");
    let r = repo(&incident(
        "2026-03-02T09:00:00+07:00",
        Some("2026-03-02T10:00:00+07:00"),
    ));
    r.write("insiden.yaml", &r.read("insiden.yaml").replace("days: 5", "days: 0"));
    r.run(&["autoresolve"]).code(2).stderr_has("at least 1");
    r.write(
        "insiden.yaml",
        &r.read("insiden.yaml")
            .replace("days: 0", "days: 5")
            .replace("holidays: []", "holidays: [25-12-2026]"),
    );
    r.run(&["autoresolve"]).code(2).stderr_has("YYYY-MM-DD");
}

#[test]
fn commit_refuses_an_uncommitted_configuration() {
    let r = repo(&incident(
        "2026-03-02T09:00:00+07:00",
        Some("2026-03-02T10:00:00+07:00"),
    ));
    r.git_init();
    r.commit(
        "Agus Salim",
        "agus@example.go.id",
        "2026-03-02T10:05:00+07:00",
        "Dokumentasi",
    );
    // A shorter window that is not committed would close early and fail `check`.
    r.write("insiden.yaml", &r.read("insiden.yaml").replace("days: 5", "days: 1"));
    r.run(&["autoresolve", "--commit", "--now", "2026-03-04T10:00:00+07:00"])
        .code(2)
        .stderr_has("insiden.yaml");
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}
