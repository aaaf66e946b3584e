//! One truth: what `check` judges is what `validate`, `build` and `report` publish. With
//! `--rev` they read git objects, so a `.gitattributes` that changes the checked-out bytes
//! changes nothing; links, special files and oversized files are refused, never followed.
//! Issue "Enforcement that holds against a hostile contributor", item 1.

use crate::support::{reported, tree, Repo};

const NOW: &str = "2026-11-28T09:00:00+07:00";
const SECRET: &str = "SECRET-RED-BODY-7";
const SITI: (&str, &str) = ("Siti Rahayu", "siti@example.go.id");

/// A TLP:RED incident built to read as TLP:CLEAR once checked out as Shift_JIS. `¥` (U+00A5)
/// becomes byte 0x5C, a backslash: in the working tree the quoted summary escapes its closing
/// quote and swallows `tlp: red`, while in the blob `tlp: clear` sits inside `owner`'s quotes.
/// Every other character is ASCII, so the conversion is otherwise the identity.
fn red_incident() -> String {
    format!(
        "---\nid: INC-2026-0003\ntitle: Kebocoran data pegawai\nstatus: reported\n\
reported_at: 2026-03-02T09:00:00+07:00\nsummary: \"Ringkasan\u{a5}\"\ntlp: red\nowner: \" #\ntlp: clear\n# \"\n\
reporter: {{ name: Budi, contact: budi@example.org }}\n\
history:\n  - {{ at: 2026-03-02T09:00:00+07:00, to: reported, by: helpdesk, actor: siti }}\n\
---\n## Laporan\n\n{SECRET} sandi basis data.\n"
    )
}

fn commit(r: &Repo, message: &str) -> String {
    r.commit(SITI.0, SITI.1, "2026-03-02T10:00:00+07:00", message)
}

/// The origin repository: a TLP:CLEAR and the TLP:RED incident; with `attack`, a second
/// commit adds a `.gitattributes` that checks the RED file out as Shift_JIS. It is committed
/// alone so that the blob stays the UTF-8 one `check` judged.
fn origin(attack: bool) -> Repo {
    let r = Repo::new();
    r.git_init();
    // Where these tests build: ignored, as `build` requires inside a repository.
    r.write(".gitignore", "/public/\n/wt/\n/before/\n/after/\n");
    let clear = reported("INC-2026-0001", "2026-03-01T09:00:00+07:00")
        .replace("status: reported\n", "status: reported\ntlp: clear\n");
    r.write("incidents/2026/INC-2026-0001.md", &clear);
    r.write("incidents/2026/INC-2026-0003.md", &red_incident());
    commit(&r, "Register INC-2026-0001 and INC-2026-0003");
    if attack {
        r.write(
            ".gitattributes",
            "incidents/2026/INC-2026-0003.md working-tree-encoding=SHIFT_JIS\n",
        );
        r.git(&["add", ".gitattributes"]);
        r.git_as(
            SITI.0,
            SITI.1,
            "2026-03-02T10:05:00+07:00",
            &["commit", "-q", "-m", "Attributes"],
        );
    }
    r
}

/// A fresh clone made by the git command line, as CI's checkout makes it: attributes apply.
fn clone(from: &Repo) -> Repo {
    let c = Repo::empty();
    c.git(&["clone", "-q", &from.path().display().to_string(), "."]);
    c
}

fn build(r: &Repo, out: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut args = vec!["build", "--out", out, "--now", NOW];
    args.extend_from_slice(extra);
    r.run(&args).code(0);
    tree(&r.file(out))
}

fn leaks(files: &[(String, Vec<u8>)]) -> Vec<String> {
    files
        .iter()
        .filter(|(_, b)| String::from_utf8_lossy(b).contains(SECRET))
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn an_encoding_attribute_cannot_publish_a_red_incident_built_from_git_objects() {
    let attacked = clone(&origin(true));
    let honest = clone(&origin(false));
    let path = "incidents/2026/INC-2026-0003.md";

    // The premise: checkout really changed the bytes of the attacked file, and only there.
    let blob = red_incident().into_bytes();
    assert_ne!(std::fs::read(attacked.file(path)).expect("read"), blob);
    assert!(attacked.read(path).contains("summary: \"Ringkasan\\\"\n"));
    assert_eq!(std::fs::read(honest.file(path)).expect("read"), blob);

    // Read from the working tree, the converted file says TLP:CLEAR, and the public site
    // publishes the RED body: the attack as it worked before `--rev`. (Should the front
    // matter one day refuse a quoted value spanning lines, this build stops instead; the
    // byte-level premise above still holds, and the assertions below are what matter.)
    let wt = build(&attacked, "wt", &["--audience", "public"]);
    assert_eq!(
        leaks(&wt),
        ["incidents/INC-2026-0003.html"],
        "the attack no longer works"
    );

    // From git objects, both repositories give the same findings and the same site, and the
    // secret appears nowhere in it.
    let v_attacked = attacked.run(&["validate", "--rev", "HEAD", "--now", NOW, "--format", "json"]);
    let v_honest = honest.run(&["validate", "--rev", "HEAD", "--now", NOW, "--format", "json"]);
    assert_eq!(v_attacked.code, v_honest.code);
    assert_eq!(v_attacked.stdout, v_honest.stdout);
    assert!(v_attacked.stdout.contains("red-body"), "{}", v_attacked.stdout);
    let a = build(&attacked, "public", &["--rev", "HEAD", "--audience", "public"]);
    let h = build(&honest, "public", &["--rev", "HEAD", "--audience", "public"]);
    assert!(a == h, "the site built from git differs between the two clones");
    assert_eq!(leaks(&a), Vec::<String>::new());
    assert!(a.iter().any(|(p, _)| p == "incidents/INC-2026-0001.html"));
    assert!(!a.iter().any(|(p, _)| p.contains("INC-2026-0003")));

    // The honest twin reads the same from its working tree and from git.
    assert!(build(&honest, "wt", &["--audience", "public"]) == h);
    let report = |r: &Repo, extra: &[&str]| {
        let mut args = vec![
            "report",
            "--period",
            "2026",
            "--now",
            NOW,
            "--audience",
            "public",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let run = r.run(&args);
        run.code(0);
        run.stdout.clone()
    };
    assert_eq!(report(&attacked, &["--rev", "HEAD"]), report(&honest, &[]));
}

#[test]
fn with_rev_the_working_tree_is_not_consulted() {
    let r = clone(&origin(true));
    let validate = |r: &Repo| {
        let run = r.run(&["validate", "--rev", "HEAD", "--now", NOW, "--format", "json"]);
        (run.code, run.stdout.clone())
    };
    let before = validate(&r);
    let site = build(&r, "before", &["--rev", "HEAD", "--audience", "internal"]);
    // Remove the incident, break the configuration, add a broken template override.
    std::fs::remove_file(r.file("incidents/2026/INC-2026-0003.md")).expect("rm");
    r.write("incidents/2026/INC-2026-0001.md", "not an incident\n");
    r.write("insiden.yaml", "teams: [\n");
    r.write("site-templates/index.html", "{% if %}\n");
    r.write("site-templates/nope.html", "x\n");
    r.run(&["validate"]).code(2);
    assert_eq!(validate(&r), before);
    assert!(build(&r, "after", &["--rev", "HEAD", "--audience", "internal"]) == site);
    r.run(&[
        "report", "--rev", "HEAD", "--period", "2026", "--now", NOW, "--format", "html",
    ])
    .code(0);
    // A revision other than HEAD is read just as well.
    let first = r.git(&["rev-parse", "HEAD~1"]);
    let run = r.run(&["validate", "--rev", first.trim(), "--now", NOW, "--format", "json"]);
    assert_eq!((run.code, run.stdout.clone()), before);
}

#[test]
fn an_unknown_revision_or_no_repository_is_a_usage_error() {
    let r = clone(&origin(false));
    for cmd in [
        &["validate", "--rev", "no-such-rev"][..],
        &["build", "--rev", "no-such-rev"],
        &["report", "--rev", "no-such-rev", "--period", "2026"],
    ] {
        r.run(cmd)
            .code(2)
            .stderr_has("unknown revision `no-such-rev`")
            .stderr_has("help: name a branch, tag or commit");
    }
    assert!(!r.file("public").exists());
    let plain = Repo::new();
    plain
        .run(&["validate", "--rev", "HEAD"])
        .code(2)
        .stderr_has("is not inside a git repository");
    // Tree paths are relative to the repository's root, so -C must name it.
    std::fs::create_dir_all(r.file("docs")).expect("mkdir");
    r.run_in(&r.file("docs"), &["validate", "--rev", "HEAD"], None)
        .code(2)
        .stderr_has("pass -C with the root");
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A file outside the repository whose content must never be published.
    fn outside() -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("host-secret.txt");
        std::fs::write(&p, "SECRET-OUTSIDE-FILE\n").expect("write");
        (d, p)
    }

    fn in_git(r: &Repo) {
        r.git_init();
        commit(r, "Add files");
    }

    #[test]
    fn a_symlinked_style_sheet_stops_the_build_from_the_tree_and_from_git() {
        let (_keep, host) = outside();
        let targets = [
            std::path::PathBuf::from("../incidents/2026/INC-2026-0003.md"),
            host.clone(),
        ];
        for target in targets {
            let r = origin(false);
            std::fs::create_dir_all(r.file("site-templates")).expect("mkdir");
            symlink(&target, r.file("site-templates/style.css")).expect("symlink");
            for audience in ["public", "internal"] {
                r.run(&["build", "--now", NOW, "--audience", audience])
                    .code(2)
                    .stderr_has("forbidden-path")
                    .stderr_has("site-templates/style.css")
                    .stderr_has("symbolic link");
            }
            assert!(!r.file("public").exists(), "nothing was published");
            commit(&r, "A style sheet");
            assert_eq!(
                r.git(&["ls-files", "-s", "site-templates"]).split(' ').next(),
                Some("120000")
            );
            std::fs::remove_file(r.file("site-templates/style.css")).expect("rm");
            r.run(&["build", "--rev", "HEAD", "--now", NOW])
                .code(2)
                .stderr_has("forbidden-path")
                .stderr_has("site-templates/style.css");
            assert!(!r.file("public").exists(), "nothing was published");
        }
    }

    #[test]
    fn a_symlinked_report_style_sheet_is_refused_and_nothing_of_its_target_is_printed() {
        let (_keep, host) = outside();
        let r = origin(false);
        std::fs::create_dir_all(r.file("site-templates")).expect("mkdir");
        symlink(&host, r.file("site-templates/report.css")).expect("symlink");
        let args = ["report", "--period", "2026", "--now", NOW, "--format", "html"];
        let run = r.run(&args);
        run.code(2).stderr_has("site-templates/report.css");
        assert!(!run.stdout.contains("SECRET-OUTSIDE") && !run.stderr.contains("SECRET-OUTSIDE"));
        commit(&r, "A report style sheet");
        let mut rev = args.to_vec();
        rev.extend(["--rev", "HEAD"]);
        let run = r.run(&rev);
        run.code(2)
            .stderr_has("forbidden-path")
            .stderr_has("site-templates/report.css");
        assert!(!run.stdout.contains("SECRET-OUTSIDE"));
    }

    #[test]
    fn regular_override_files_work_from_the_tree_and_from_git() {
        let r = origin(false);
        r.write("site-templates/style.css", "/* GAYA-KHUSUS */\n");
        r.write("site-templates/report.css", "/* LAPORAN-KHUSUS */\n");
        commit(&r, "Our own style sheets");
        for extra in [&[][..], &["--rev", "HEAD"]] {
            let files = build(&r, "public", extra);
            let css = files.iter().find(|(p, _)| p == "style.css").expect("style.css");
            assert_eq!(css.1, b"/* GAYA-KHUSUS */\n");
            let mut args = vec!["report", "--period", "2026", "--now", NOW, "--format", "html"];
            args.extend_from_slice(extra);
            r.run(&args).code(0).stdout_has("LAPORAN-KHUSUS");
        }
    }

    #[test]
    fn links_under_incidents_are_findings_in_the_tree_and_in_git() {
        let (_keep, host) = outside();
        let r = origin(false);
        symlink("INC-2026-0001.md", r.file("incidents/2026/INC-2026-0002.md")).expect("symlink");
        symlink(&host, r.file("incidents/2026/lampiran")).expect("symlink");
        let args = ["validate", "--now", NOW, "--format", "json"];
        let wt = r.run(&args);
        wt.code(1);
        let found: Vec<(String, String)> = wt.json()["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|d| d["code"] == "forbidden-path")
            .map(|d| (d["path"].as_str().unwrap_or("").to_owned(), d["message"].to_string()))
            .collect();
        let paths: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(paths, ["incidents/2026/INC-2026-0002.md", "incidents/2026/lampiran"]);
        assert!(!wt.stdout.contains("SECRET-OUTSIDE"));
        commit(&r, "Links");
        let mut rev = args.to_vec();
        rev.extend(["--rev", "HEAD"]);
        let git = r.run(&rev);
        git.code(1);
        assert_eq!(git.stdout, wt.stdout, "the same findings from git as from the tree");
        r.run(&["build", "--rev", "HEAD", "--now", NOW]).code(1);
        r.run(&["build", "--now", NOW]).code(1);
    }

    #[test]
    fn a_symlinked_incidents_folder_or_configuration_is_refused() {
        let r = Repo::empty();
        r.write("conf/real.yaml", crate::support::CONFIG);
        symlink("conf/real.yaml", r.file("insiden.yaml")).expect("symlink");
        r.write(
            "elsewhere/2026/INC-2026-0001.md",
            &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
        );
        symlink("elsewhere", r.file("incidents")).expect("symlink");
        r.run(&["validate"])
            .code(2)
            .stderr_has("forbidden-path")
            .stderr_has("insiden.yaml");
        in_git(&r);
        r.run(&["validate", "--rev", "HEAD"])
            .code(2)
            .stderr_has("forbidden-path")
            .stderr_has("insiden.yaml");
        std::fs::remove_file(r.file("insiden.yaml")).expect("rm");
        r.write("insiden.yaml", crate::support::CONFIG);
        commit(&r, "A real configuration");
        for extra in [&[][..], &["--rev", "HEAD"]] {
            let mut args = vec!["validate", "--format", "json"];
            args.extend_from_slice(extra);
            let run = r.run(&args);
            run.code(1)
                .stdout_has("forbidden-path")
                .stdout_has("\"path\": \"incidents\"");
        }
    }

    #[test]
    fn fifos_gitattributes_and_non_utf8_names_under_incidents_are_findings() {
        use std::os::unix::ffi::OsStrExt;
        let r = origin(false);
        let ok = std::process::Command::new("mkfifo")
            .arg(r.file("incidents/2026/INC-2026-0009.md"))
            .status()
            .expect("mkfifo")
            .success();
        assert!(ok, "mkfifo");
        r.write("incidents/.gitattributes", "* text eol=crlf\n");
        let odd = r
            .file("incidents/2026")
            .join(std::ffi::OsStr::from_bytes(b"INC-2026-\xff.md"));
        std::fs::write(odd, "x").expect("write");
        let run = r.run(&["validate", "--now", NOW, "--format", "json"]);
        run.code(1);
        for path in [
            "incidents/.gitattributes",
            "incidents/2026/INC-2026-0009.md",
            "incidents/2026/INC-2026-\u{fffd}.md",
        ] {
            assert!(
                run.json()["diagnostics"]
                    .as_array()
                    .expect("list")
                    .iter()
                    .any(|d| d["code"] == "forbidden-path" && d["path"] == path),
                "{path}: {}",
                run.stdout
            );
        }
        // In git (a FIFO cannot be committed): the attributes file and the odd name.
        std::fs::remove_file(r.file("incidents/2026/INC-2026-0009.md")).expect("rm");
        commit(&r, "Odd files");
        let run = r.run(&["validate", "--rev", "HEAD", "--now", NOW, "--format", "json"]);
        run.code(1);
        let forbidden: Vec<String> = run.json()["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|d| d["code"] == "forbidden-path")
            .filter_map(|d| d["path"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            forbidden,
            ["incidents/.gitattributes", "incidents/2026/INC-2026-\u{fffd}.md"]
        );
    }
}

#[test]
fn a_submodule_under_incidents_is_a_finding() {
    let r = origin(false);
    let head = r.git(&["rev-parse", "HEAD"]);
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},incidents/2026/vendor", head.trim()),
    ]);
    r.git_as(
        SITI.0,
        SITI.1,
        "2026-03-02T11:00:00+07:00",
        &["commit", "-q", "-m", "A submodule"],
    );
    r.run(&["validate", "--rev", "HEAD", "--now", NOW, "--format", "json"])
        .code(1)
        .stdout_has("forbidden-path")
        .stdout_has("incidents/2026/vendor")
        .stdout_has("submodule");
}

#[test]
fn a_huge_sparse_incident_file_is_refused_without_being_read() {
    let r = origin(false);
    let f = std::fs::File::create(r.file("incidents/2026/INC-2026-0099.md")).expect("create");
    f.set_len(2 << 30).expect("sparse 2 GiB");
    drop(f);
    let run = r.run(&["validate", "--now", NOW, "--format", "json"]);
    run.code(1);
    assert!(
        run.json()["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .any(|d| d["code"] == "file-too-large" && d["path"] == "incidents/2026/INC-2026-0099.md"),
        "{}",
        run.stdout
    );
    r.run(&["show", "INC-2026-0099"]).code(2).stderr_has("file-too-large");
    // A blob over the limit is refused from its header.
    std::fs::remove_file(r.file("incidents/2026/INC-2026-0099.md")).expect("rm");
    let mut big = reported("INC-2026-0098", "2026-03-03T09:00:00+07:00");
    big.push_str(&"x".repeat(2 << 20));
    r.write("incidents/2026/INC-2026-0098.md", &big);
    commit(&r, "A big file");
    r.run(&["validate", "--rev", "HEAD", "--now", NOW, "--format", "json"])
        .code(1)
        .stdout_has("file-too-large")
        .stdout_has("the limit is 1 MiB");
}
