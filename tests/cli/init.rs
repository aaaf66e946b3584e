//! `insiden init`: a new repository that validates, says it must be private, keeps build output
//! out of git, pins its workflows to this release, and teaches with an example that is never a
//! record. Issue "A real team's first month on GitHub", items 1, 6 and 8.

use crate::support::Repo;

const AT: &str = "2026-05-02T10:00:00+07:00";

fn init() -> Repo {
    let r = Repo::empty();
    r.run(&["init", "baru", "--at", AT]).code(0).stdout_has("README.md");
    r
}

#[test]
fn creates_a_repository_that_validates() {
    let r = init();
    for f in [
        "insiden.yaml",
        ".gitignore",
        "README.md",
        ".github/CODEOWNERS",
        "examples/INC-EXAMPLE.md",
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
    // The check binds new entries to the account GitHub authenticated as the pull request's
    // author, passed through the environment (never spliced into the script).
    let check = r.read("baru/.github/workflows/check.yml");
    assert!(
        check.contains("PR_AUTHOR: ${{ github.event.pull_request.user.login")
            && check.contains("--pr-author \"$PR_AUTHOR\""),
        "{check}"
    );
    let cfg = r.read("baru/insiden.yaml");
    for team in ["helpdesk:", "data:", "analysis:", "coordination:", "handling:"] {
        assert!(cfg.contains(team), "{team}");
    }
}

#[test]
fn the_example_lives_outside_incidents_and_validates_when_the_teams_are_the_placeholders() {
    let r = init();
    assert!(!r.file("baru/incidents").exists(), "no record is created by init");
    let example = r.read("baru/examples/INC-EXAMPLE.md");
    // The example goes through all ten steps, every required field and section included:
    // copied into incidents/ (which the README says not to do) it is a valid closed incident.
    assert!(example.contains("status: closed"), "{example}");
    let year = example
        .lines()
        .find_map(|l| l.strip_prefix("id: INC-"))
        .and_then(|rest| rest.get(..4))
        .expect("id");
    r.write(&format!("baru/incidents/{year}/INC-{year}-0001.md"), &example);
    // With its website scan report, which its category requires before leaving triage.
    let scan = r.read("baru/examples/lampiran/INC-EXAMPLE-scan.txt");
    r.write(&format!("baru/incidents/{year}/lampiran/INC-EXAMPLE-scan.txt"), &scan);
    r.run_in(&r.file("baru"), &["validate", "--now", AT], None).code(0);
    // It is dated in the past, a Friday evening report recorded on Monday.
    assert!(example.contains("reported_at: 2026-04-10T19:30:00+07:00"), "{example}");
    assert!(
        example.contains("{ at: 2026-04-13T08:00:00+07:00, to: reported"),
        "{example}"
    );
    // The README says why it is where it is, and how to file the first real one.
    let readme = r.read("baru/README.md");
    assert!(readme.contains("examples/INC-EXAMPLE.md") && readme.contains("insiden new --title"));
}

#[test]
fn the_readme_says_the_repository_must_be_private_in_indonesian_and_english() {
    let r = init();
    let readme = r.read("baru/README.md");
    for needle in [
        "Repositori ini wajib privat",
        "This repository must be private",
        "Kolaborator",
        "Collaborators",
        "STATUS_DEPLOY_KEY",
        "-status",
        "incidents/2026/INC-2026-0001.md",
    ] {
        assert!(readme.contains(needle), "README lacks {needle:?}");
    }
    assert!(!readme.contains("{year}") && !readme.contains("{docs_url}"), "{readme}");
    let owners = r.read("baru/.github/CODEOWNERS");
    for path in ["/insiden.yaml", "/.github/", "/site-templates/"] {
        assert!(owners.lines().any(|l| l.starts_with(path)), "CODEOWNERS lacks {path}");
    }
}

#[test]
fn workflows_use_the_action_of_this_release() {
    let r = init();
    let repo = env!("CARGO_PKG_REPOSITORY").trim_start_matches("https://github.com/");
    let expected = format!("uses: {repo}@v{}", env!("CARGO_PKG_VERSION"));
    for w in ["check", "autoresolve", "pages"] {
        let text = r.read(&format!("baru/.github/workflows/{w}.yml"));
        assert!(text.contains(&expected), "{w}.yml lacks {expected}");
        assert!(!text.contains("@main"), "{w}.yml still names @main");
    }
}

/// Item 1: the outputs the docs use are ignored, so `git add -A` never commits a site.
#[test]
fn every_output_folder_the_docs_use_is_ignored_and_builds_there() {
    let r = init();
    let base = r.file("baru");
    r.git_with(&[], &["-C", &base.display().to_string(), "init", "-q", "-b", "main"]);
    for out in ["public", "site", "internal"] {
        r.run_in(&base, &["build", "--out", out, "--audience", "internal"], None)
            .code(0);
    }
    // The internal edition of a two-edition call is judged as its own --out would be.
    r.run_in(&base, &["build", "--out", "site", "--internal-out", "intern"], None)
        .code(2)
        .stderr_has("--internal-out intern is inside the repository");
    assert!(!base.join("intern").exists());
    r.run_in(&base, &["build", "--out", "public", "--internal-out", "internal"], None)
        .code(0);
    r.run_in(
        &base,
        &[
            "report",
            "--period",
            "2026-Q1",
            "--format",
            "html",
            "--out",
            "laporan-2026-Q1.html",
        ],
        None,
    )
    .code(0);
    r.run_in(
        &base,
        &["letter", "INC-2026-0001", "--out", "surat-INC-2026-0001.html"],
        None,
    )
    .code(2)
    .stderr_has("does not exist");
    let status = r.git_with(
        &[],
        &[
            "-C",
            &base.display().to_string(),
            "status",
            "--porcelain",
            "--untracked-files=all",
        ],
    );
    assert!(
        status.lines().all(|l| !l.contains("public/")
            && !l.contains("site/")
            && !l.contains("internal/")
            && !l.contains("laporan")
            && !l.contains("surat")),
        "git would track output:\n{status}"
    );
}

#[test]
fn refuses_a_directory_that_is_not_empty() {
    let r = Repo::empty();
    r.write("baru/catatan.txt", "jangan ditimpa");
    r.run(&["init", "baru"]).code(2).stderr_has("not empty");
    assert_eq!(r.read("baru/catatan.txt"), "jangan ditimpa");
}
