//! `insiden new`: files a new incident with the next free id and never overwrites.

use crate::support::{reported, Repo};

#[test]
fn files_the_next_free_id_of_the_year_and_validates() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
    );
    r.write(
        "incidents/2026/INC-2026-0007.md",
        &reported("INC-2026-0007", "2026-01-22T09:15:00+07:00"),
    );
    let run = r.run(&[
        "new",
        "--title",
        "Judi online di situs desa: \"slot gacor\"",
        "--reporter",
        "Budi",
        "--contact",
        "budi@example.org",
        "--organization",
        "Pemdes Sumberagung",
        "--channel",
        "whatsapp",
        "--type",
        "public",
        "--owner",
        "Pemdes Sumberagung",
        "--asset",
        "https://sumberagung.example",
        "--asset",
        "10.0.0.1",
        "--category",
        "judi-online",
        "--tlp",
        "amber+strict",
        "--at",
        "2026-02-01 08:30",
        "--actor",
        "siti",
        "--description",
        "Halaman berisi iklan slot.",
    ]);
    run.code(0).stdout_has("incidents/2026/INC-2026-0008.md");
    let text = r.read("incidents/2026/INC-2026-0008.md");
    assert!(text.starts_with("---\nid: INC-2026-0008\ntitle: \"Judi online di situs desa: \\\"slot gacor\\\"\"\nstatus: reported\nreported_at: 2026-02-01T08:30:00+07:00\n"), "{text}");
    assert!(
        text.contains("  - { at: 2026-02-01T08:30:00+07:00, to: reported, by: helpdesk, actor: siti }"),
        "{text}"
    );
    assert!(
        text.ends_with("---\n## Laporan\n\nHalaman berisi iklan slot.\n"),
        "{text}"
    );
    assert!(text.contains("tlp: amber+strict"));
    r.run(&["validate", "--now", "2026-02-01T09:00:00+07:00"]).code(0);
}

#[test]
fn the_year_comes_from_the_report_time_in_the_configured_zone() {
    let r = Repo::new();
    // 31 December 20:00 UTC is already 1 January in Jakarta.
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "2026-12-31T20:00:00Z",
        "--actor",
        "siti",
        "--description",
        "z",
    ])
    .code(0)
    .stdout_has("incidents/2027/INC-2027-0001.md");
}

#[test]
fn reads_the_report_text_from_standard_input() {
    let r = Repo::new();
    r.run_with(
        &[
            "new",
            "--title",
            "x",
            "--reporter",
            "y",
            "--at",
            "2026-03-01T10:00:00+07:00",
            "--actor",
            "siti",
        ],
        Some("Laporan dari surel.\n"),
    )
    .code(0);
    assert!(r
        .read("incidents/2026/INC-2026-0001.md")
        .contains("Laporan dari surel."));
}

#[test]
fn the_actor_defaults_to_the_member_with_the_git_email() {
    let r = Repo::new();
    r.git(&["init", "-q"]);
    r.git(&["config", "user.email", "siti@example.go.id"]);
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "2026-03-01T10:00:00+07:00",
        "--description",
        "z",
    ])
    .code(0);
    assert!(r.read("incidents/2026/INC-2026-0001.md").contains("actor: siti"));
    r.git(&["config", "user.email", "stranger@example.org"]);
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "2026-03-01T10:00:00+07:00",
        "--description",
        "z",
    ])
    .code(2)
    .stderr_has("stranger@example.org")
    .stderr_has("--actor");
}

#[test]
fn refuses_bad_values_and_writes_nothing() {
    let r = Repo::new();
    let base = [
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "2026-03-01T10:00:00+07:00",
        "--actor",
        "siti",
        "--description",
        "z",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { [&base[..], extra].concat() };
    r.run(&with(&["--channel", "telegram"])).code(2).stderr_has("whatsapp");
    r.run(&with(&["--tlp", "white"])).code(2);
    r.run(&with(&["--category", "hacking"]))
        .code(1)
        .stderr_has("unknown-category");
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "kemarin",
        "--actor",
        "siti",
        "--description",
        "z",
    ])
    .code(2);
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "2026-03-01T10:00:00+07:00",
        "--actor",
        "agus",
        "--description",
        "z",
    ])
    .code(1);
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "y",
        "--at",
        "2026-03-01T10:00:00+07:00",
        "--actor",
        "siti",
    ])
    .code(2)
    .stderr_has("--description");
    assert!(
        !r.file("incidents").exists()
            || std::fs::read_dir(r.file("incidents/2026"))
                .map(|d| d.count())
                .unwrap_or(0)
                == 0
    );
}
