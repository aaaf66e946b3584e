//! `insiden renumber`: two helpdesk members filed at the same moment on two branches and both
//! took the next id; the branch that is not merged yet renumbers its incident. Issue "A real
//! team's first month on GitHub", item 3.

use crate::support::{reported, Repo};

const SITI: (&str, &str) = ("Siti Rahayu", "siti@example.go.id");
const P1: &str = "incidents/2026/INC-2026-0001.md";

/// main with the configuration; branch `a` and branch `b` each file INC-2026-0001; `a` is
/// merged. `b` also files INC-2026-0002, which names its INC-2026-0001 as related.
fn two_branches() -> (Repo, String, String) {
    let r = Repo::new();
    r.git_init();
    r.commit(
        "Bayu Aji",
        "bayu@example.go.id",
        "2026-03-01T08:00:00+07:00",
        "Konfigurasi",
    );
    r.git(&["checkout", "-q", "-b", "a"]);
    r.write(P1, &reported("INC-2026-0001", "2026-03-02T09:00:00+07:00"));
    r.commit(SITI.0, SITI.1, "2026-03-02T09:05:00+07:00", "Laporan situs desa");
    r.git(&["checkout", "-q", "main"]);
    r.git(&["merge", "-q", "--ff-only", "a"]);
    r.git(&["checkout", "-q", "-b", "b", "main~1"]);
    let mine = reported("INC-2026-0001", "2026-03-02T09:01:00+07:00")
        .replace("Situs desa diretas", "Akun media sosial dinas diambil alih");
    r.write(P1, &mine);
    let related = reported("INC-2026-0002", "2026-03-02T09:10:00+07:00")
        .replace("status: reported\n", "status: reported\nrelated: [INC-2026-0001]\n");
    r.write("incidents/2026/INC-2026-0002.md", &related);
    r.commit(SITI.0, SITI.1, "2026-03-02T09:15:00+07:00", "Laporan akun media sosial");
    (r, mine, related)
}

#[test]
fn renumbers_the_incident_this_branch_added_to_the_next_id_free_on_the_target() {
    let (r, mine, related) = two_branches();
    // No upstream and no remote: the target is `main`.
    r.run(&["renumber", "INC-2026-0001"])
        .code(0)
        .stdout_has("incidents/2026/INC-2026-0003.md")
        .stderr_has("INC-2026-0001 is now INC-2026-0003 (free on main)");
    assert!(!r.file(P1).exists(), "the old file moved");
    assert_eq!(
        r.read("incidents/2026/INC-2026-0003.md"),
        mine.replace("id: INC-2026-0001\n", "id: INC-2026-0003\n"),
        "only the id line changed"
    );
    assert_eq!(
        r.read("incidents/2026/INC-2026-0002.md"),
        related.replace("related: [INC-2026-0001]", "related: [INC-2026-0003]")
    );
    r.commit(SITI.0, SITI.1, "2026-03-02T09:20:00+07:00", "Nomor ulang INC-2026-0001");
    // The add/add conflict is gone: main merges in cleanly and both incidents validate.
    r.git_as(
        SITI.0,
        SITI.1,
        "2026-03-02T09:25:00+07:00",
        &["merge", "-q", "--no-edit", "main"],
    );
    r.run(&["validate", "--now", "2026-03-02T10:00:00+07:00"]).code(0);
    assert!(
        r.read(P1).contains("title: Situs desa diretas"),
        "main's incident kept its id"
    );
    // Squashed (check.merge's default), the renumbered pull request lands what it files:
    // the id it gave up was never on main, so nothing was deleted.
    let check = r.run(&[
        "check",
        "--base",
        "main",
        "--format",
        "json",
        "--now",
        "2026-03-02T10:00:00+07:00",
    ]);
    assert_eq!(check.json()["diagnostics"], serde_json::json!([]), "{}", check.stdout);
    check.code(0);
}

#[test]
fn a_merged_incident_keeps_its_id() {
    let (r, _, _) = two_branches();
    r.run(&["renumber", "INC-2026-0001"]).code(0);
    r.commit(SITI.0, SITI.1, "2026-03-02T09:20:00+07:00", "Nomor ulang");
    r.git_as(
        SITI.0,
        SITI.1,
        "2026-03-02T09:25:00+07:00",
        &["merge", "-q", "--no-edit", "main"],
    );
    let before = r.read(P1);
    // INC-2026-0001 is main's now, and INC-2026-0003 exists only here; main is where both
    // branches meet, so 0001 is merged and may not move.
    r.run(&["renumber", "INC-2026-0001", "--base", "main"])
        .code(1)
        .stderr_has("INC-2026-0001 already exists where this branch left main")
        .stderr_has("a merged incident keeps its id")
        .stderr_has("nothing was written");
    assert_eq!(r.read(P1), before);
}

#[test]
fn to_picks_a_free_id_of_the_same_year_and_refuses_a_taken_one() {
    let (r, _, _) = two_branches();
    r.run(&["renumber", "INC-2026-0001", "--to", "INC-2026-0002"])
        .code(2)
        .stderr_has("is taken");
    r.run(&["renumber", "INC-2026-0001", "--to", "INC-2025-0009"])
        .code(2)
        .stderr_has("year of `reported_at`");
    r.run(&["renumber", "INC-2026-0001", "--to", "INC-2026-0010", "--base", "main"])
        .code(0)
        .stdout_has("incidents/2026/INC-2026-0010.md");
    r.run(&["renumber", "INC-2026-0099"])
        .code(2)
        .stderr_has("does not exist");
}
