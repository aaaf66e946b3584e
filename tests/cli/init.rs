//! `insiden init`: a new repository that validates.

use crate::support::Repo;

#[test]
fn creates_a_repository_that_validates() {
    let r = Repo::empty();
    r.run(&["init", "baru", "--at", "2026-05-02T10:00:00+07:00"]).code(0);
    for f in [
        "insiden.yaml",
        ".gitignore",
        "incidents/2026/INC-2026-0001.md",
        ".github/workflows/check.yml",
        ".github/workflows/autoresolve.yml",
        ".github/workflows/pages.yml",
    ] {
        assert!(r.file(&format!("baru/{f}")).is_file(), "{f}");
    }
    let run = r.run_in(
        &r.file("baru"),
        &["validate", "--now", "2026-05-02T11:00:00+07:00"],
        None,
    );
    run.code(0);
    // Build output and what an interrupted run leaves stay out of git.
    let ignore = r.read("baru/.gitignore");
    for line in ["/public/", ".insiden-tmp-*"] {
        assert!(ignore.lines().any(|l| l == line), "{line}: {ignore}");
    }
    let cfg = r.read("baru/insiden.yaml");
    for team in ["helpdesk:", "data:", "analysis:", "coordination:", "handling:"] {
        assert!(cfg.contains(team), "{team}");
    }
}

#[test]
fn refuses_a_directory_that_is_not_empty() {
    let r = Repo::empty();
    r.write("baru/catatan.txt", "jangan ditimpa");
    r.run(&["init", "baru"]).code(2).stderr_has("not empty");
    assert_eq!(r.read("baru/catatan.txt"), "jangan ditimpa");
}
