//! `insiden validate`: the sample data, every bad input, exit codes and formats.

use crate::support::{reported, Repo};

const NOW: &str = "2026-11-27T10:00:00+07:00";

fn sample() -> Repo {
    // The repository's own sample data, copied so the test never writes into the source tree.
    let r = Repo::empty();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    r.write(
        "insiden.yaml",
        &std::fs::read_to_string(root.join("insiden.yaml")).expect("config"),
    );
    for e in walkdir(root.join("incidents")) {
        let rel = e.strip_prefix(root).expect("rel").to_string_lossy().replace('\\', "/");
        r.write(&rel, &std::fs::read_to_string(&e).expect("read"));
    }
    r
}

fn walkdir(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn sample_data_validates_with_only_its_deliberate_warnings() {
    let r = sample();
    let run = r.run(&["validate", "--now", NOW, "--format", "json"]);
    run.code(0);
    let v = run.json();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].as_str().expect("code"))
        .collect();
    // INC-2026-0008 sits in triage past its SLA; INC-2026-0013 is TLP:RED with its required sections.
    assert_eq!(codes, ["sla-breached", "red-body"]);
    r.run(&["validate", "--now", NOW, "--deny", "warnings"]).code(1);
}

#[test]
fn a_valid_repository_exits_zero_quietly() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
    );
    r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00"])
        .code(0)
        .stderr_has("1 incident(s) valid");
}

/// (file text, code, line) for bad files; each is exit 1 with its code at its line.
#[test]
fn bad_files_are_reported_with_code_file_and_line() {
    let ok = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    let cases: Vec<(String, &str, u64)> = vec![
        ("just text\n".into(), "no-front-matter", 1),
        ("---\nid: INC-2026-0001\n".into(), "unclosed-front-matter", 1),
        (
            ok.replace("title: Situs desa diretas", "title: [oops"),
            "yaml-syntax",
            4,
        ),
        (ok.replace("title:", "titel:"), "unknown-field", 3),
        (
            ok.replace("status: reported", "status: reported\nseverity: 5"),
            "wrong-type",
            5,
        ),
        (
            ok.replace("status: reported", "status: reported\nseverity: parah"),
            "invalid-value",
            5,
        ),
        (
            ok.replace("status: reported", "status: reported\ntlp: purple"),
            "invalid-value",
            5,
        ),
        (
            ok.replace("status: reported", "status: reported\npap: amber+strict"),
            "invalid-value",
            5,
        ),
        (
            ok.replace("status: reported", "status: reported\nresolution: beres"),
            "invalid-value",
            5,
        ),
        (
            ok.replace("status: reported", "status: reported\ncategory: hacking"),
            "unknown-category",
            5,
        ),
        (
            ok.replace("reported_at: 2026-01-21T09:15:00+07:00", "reported_at: kemarin sore"),
            "invalid-time",
            5,
        ),
        (ok.replace("status: reported", "status: selesai"), "unknown-state", 4),
        (
            ok.replace("status: reported", "status: registered"),
            "status-mismatch",
            4,
        ),
        (ok.replace("by: helpdesk", "by: kadis"), "unknown-role", 8),
        (ok.replace("actor: siti", "actor: agus"), "unknown-member", 8),
        (
            ok.replace(
                "history:\n  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }",
                "history: []",
            ),
            "empty-history",
            7,
        ),
        (
            ok.replace("to: reported, by", "to: registered, by")
                .replace("status: reported", "status: registered"),
            "history-start",
            8,
        ),
        (
            ok.replace("## Laporan\n\nHalaman depan situs berubah.\n", "## Laporan\n\n"),
            "requirement-missing",
            8,
        ),
        (ok.replace("id: INC-2026-0001", "id: INC-2026-1"), "invalid-id", 2),
        (ok.replace("id: INC-2026-0001", "id: INC-2026-0002"), "path-mismatch", 2),
    ];
    for (text, code, line) in cases {
        let r = Repo::new();
        r.write("incidents/2026/INC-2026-0001.md", &text);
        let run = r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00", "--format", "json"]);
        run.code(1);
        let v = run.json();
        let first = v["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["severity"] == "error")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (first["code"].as_str(), first["line"].as_u64()),
            (Some(code), Some(line)),
            "{code}: {}",
            run.stdout
        );
        assert_eq!(first["path"], "incidents/2026/INC-2026-0001.md");
    }
}

#[test]
fn history_rules_name_the_offending_entry() {
    let base = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    let add = |entry: &str| base.replace("---\n## Laporan", &format!("  - {entry}\n---\n## Laporan"));
    let cases = [
        (
            "{ at: 2026-01-21T10:00:00+07:00, to: triage, by: helpdesk, actor: siti }",
            "transition-not-allowed",
        ),
        (
            "{ at: 2026-01-21T10:00:00+07:00, to: rejected, by: data, actor: agus }",
            "role-not-allowed",
        ),
        (
            "{ at: 2026-01-21T08:00:00+07:00, to: reported, by: helpdesk, actor: siti, note: x }",
            "time-decreasing",
        ),
        (
            "{ at: 2026-01-21T10:00:00+07:00, to: reported, by: helpdesk, actor: siti }",
            "missing-note",
        ),
        (
            "{ at: 2026-01-21T10:00:00+07:00, to: registered, by: helpdesk, actor: siti }",
            "requirement-missing",
        ),
    ];
    for (entry, code) in cases {
        let r = Repo::new();
        r.write("incidents/2026/INC-2026-0001.md", &add(entry));
        let run = r.run(&["validate", "--now", "2026-01-21T10:30:00+07:00", "--format", "json"]);
        run.code(1);
        let v = run.json();
        let d = v["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["code"] == code)
            .cloned();
        let d = d.unwrap_or_else(|| panic!("{code} not found: {}", run.stdout));
        assert_eq!(d["line"], 9, "{code}");
    }
}

#[test]
fn repository_rules_catch_duplicates_missing_attachments_and_dangling_references() {
    let r = Repo::new();
    let one = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &one.replace(
            "status: reported",
            "status: reported\nattachments: [lampiran/scan.txt]\nrelated: [INC-2026-0099]",
        ),
    );
    r.write(
        "incidents/2026/INC-2026-0002.md",
        &one.replace("id: INC-2026-0001", "id: INC-2026-0002")
            .replace("status: reported", "status: reported\nduplicate_of: INC-2025-0001"),
    );
    r.write("incidents/2025/INC-2026-0001.md", &one);
    let run = r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00", "--format", "json"]);
    run.code(1);
    let v = run.json();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].as_str().expect("code"))
        .collect();
    for code in [
        "duplicate-id",
        "missing-attachment",
        "unresolved-reference",
        "path-mismatch",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    // With the attachment present, that finding goes away.
    r.write("incidents/2026/lampiran/scan.txt", "hasil scan");
    let v = r
        .run(&["validate", "--now", "2026-01-21T10:00:00+07:00", "--format", "json"])
        .json();
    assert!(!v.to_string().contains("missing-attachment"));
}

#[test]
fn human_output_is_rustc_like_and_github_output_is_annotations() {
    let r = Repo::new();
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00").replace("title:", "titel:");
    r.write("incidents/2026/INC-2026-0001.md", &text);
    r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00"])
        .code(1)
        .stderr_has("error[unknown-field]: unknown field `titel`")
        .stderr_has("--> incidents/2026/INC-2026-0001.md:3:1")
        .stderr_has("3 | titel: Situs desa diretas")
        .stderr_has("help: did you mean `title`?");
    r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00", "--format", "github"])
        .code(1)
        .stdout_has("::error file=incidents/2026/INC-2026-0001.md,line=3,col=1,title=insiden unknown-field::unknown field `titel`");
}

#[test]
fn unreadable_inputs_are_findings_not_crashes() {
    let r = Repo::new();
    std::fs::create_dir_all(r.file("incidents/2026")).expect("mkdir");
    std::fs::write(r.file("incidents/2026/INC-2026-0001.md"), b"---\nid: \xff\xfe\n---\n").expect("write");
    let mut big = reported("INC-2026-0002", "2026-01-21T09:15:00+07:00");
    big.push_str(&"x".repeat(1024 * 1024));
    r.write("incidents/2026/INC-2026-0002.md", &big);
    let run = r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00", "--format", "json"]);
    run.code(1);
    let s = run.stdout.clone();
    assert!(s.contains("invalid-utf8") && s.contains("file-too-large"), "{s}");
}

#[test]
fn yaml_bombs_are_refused_quickly() {
    let r = Repo::new();
    let mut bomb = String::from("---\nid: INC-2026-0001\nstatus: reported\nhistory: []\na: &a [x,x,x,x,x,x,x,x,x]\n");
    for i in 0..9 {
        let prev = if i == 0 { "a".to_string() } else { format!("a{}", i - 1) };
        bomb.push_str(&format!(
            "a{i}: &a{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    bomb.push_str("---\n");
    r.write("incidents/2026/INC-2026-0001.md", &bomb);
    r.run(&["validate"]).code(1);
}

#[test]
fn configuration_problems_exit_two_naming_the_line() {
    let r = Repo::empty();
    r.write(
        "insiden.yaml",
        "timezone: Asia/Jakarta\nteams:\n  helpdesk: { name: H, memebrs: [] }\n",
    );
    r.run(&["validate"])
        .code(2)
        .stderr_has("insiden.yaml:3")
        .stderr_has("memebrs");
    r.write("insiden.yaml", "site: [\n");
    r.run(&["validate"]).code(2).stderr_has("insiden.yaml");
}

#[test]
fn without_a_configuration_the_builtin_sop_applies_and_identities_are_not_checked() {
    let r = Repo::empty();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
    );
    r.run(&["validate", "--now", "2026-01-21T10:00:00+07:00"])
        .code(0)
        .stderr_has("warning[no-identity]");
}

#[test]
fn a_directory_that_does_not_exist_is_a_usage_error() {
    let r = Repo::empty();
    let missing = r.file("nowhere");
    let mut cmd = assert_cmd::Command::cargo_bin("insiden").expect("bin");
    let out = cmd.arg("-C").arg(&missing).arg("validate").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
}

#[test]
fn bad_now_is_a_usage_error() {
    Repo::new()
        .run(&["validate", "--now", "besok"])
        .code(2)
        .stderr_has("--now");
}

/// SLA on office hours: a Friday-evening report is not late on Monday morning; on wall-clock
/// time it is.
#[test]
fn sla_on_office_hours_does_not_run_over_the_weekend() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &crate::support::reported("INC-2026-0001", "2026-12-04T17:00:00+07:00"),
    );
    let monday = ["validate", "--format", "json", "--now", "2026-12-07T09:00:00+07:00"];
    let codes = |r: &Repo| -> Vec<String> {
        r.run(&monday).json()["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(codes(&r), ["sla-breached"], "wall-clock: 64 hours in `reported`");
    let cfg = r.read("insiden.yaml").replace(
        "sla:\n",
        "sla:\n  clock: business\n  business_hours: { days: [mon, tue, wed, thu, fri], start: \"07:30\", end: \"16:00\" }\n",
    );
    r.write("insiden.yaml", &cfg);
    assert_eq!(codes(&r), Vec::<String>::new(), "office hours: 90 minutes");
    // The report measures a stay still running on the same clock: no breach on Monday morning.
    let report = r
        .run(&[
            "report",
            "--period",
            "2026-12",
            "--audience",
            "internal",
            "--format",
            "json",
            "--now",
            "2026-12-07T09:00:00+07:00",
        ])
        .code(0)
        .json();
    assert_eq!(report["breaches"], serde_json::json!([]), "{report}");
    assert_eq!(report["sla"]["reported"]["ongoing_breached"], 0, "{report}");
    r.write("insiden.yaml", &cfg.replace("clock: business", "clock: sometimes"));
    r.run(&monday).code(2).stdout_has("sla.clock");
}
