//! `insiden transition`: surgical, atomic, refusing what the SOP forbids.

use crate::support::{reported, Repo};

const P: &str = "incidents/2026/INC-2026-0001.md";

fn repo_with(text: &str) -> Repo {
    let r = Repo::new();
    r.write(P, text);
    r
}

#[test]
fn registers_with_set_fields_keeping_every_other_byte() {
    // Comments, quoting, flow style and a body with `---` must survive.
    let text = "---\nid: INC-2026-0001   # nomor\ntitle: 'Situs desa: diretas'\nstatus: reported\nreported_at: 2026-01-21T09:15:00+07:00\nreporter: { name: Budi, contact: budi@example.org }\nassets: [https://desa.example]\nhistory:\n  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }\n---\n## Laporan\n\nIsi.\n\n---\nid: bukan-ini\n";
    let r = repo_with(text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "registered",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T10:00:00+07:00",
        "--set",
        "category=defacement",
        "--set",
        "owner=Pemdes Sumberagung",
    ])
    .code(0)
    .stdout_has("reported → registered by helpdesk (siti)");
    let expected = "---\nid: INC-2026-0001   # nomor\ntitle: 'Situs desa: diretas'\nstatus: registered\nreported_at: 2026-01-21T09:15:00+07:00\nreporter: { name: Budi, contact: budi@example.org }\nassets: [https://desa.example]\ncategory: defacement\nowner: Pemdes Sumberagung\nhistory:\n  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }\n  - { at: 2026-01-21T10:00:00+07:00, to: registered, by: helpdesk, actor: siti }\n---\n## Laporan\n\nIsi.\n\n---\nid: bukan-ini\n";
    assert_eq!(r.read(P), expected);
}

#[test]
fn keeps_crlf_line_endings() {
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00")
        .replace(
            "status: reported",
            "status: reported\ncategory: phishing\nowner: Dinas\nassets: [a]",
        )
        .replace('\n', "\r\n");
    let r = repo_with(&text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "registered",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T10:00:00+07:00",
    ])
    .code(0);
    let out = r.read(P);
    assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    assert!(out.contains("status: registered\r\n"));
}

#[test]
fn refuses_a_skipped_step_listing_the_allowed_ones_and_writes_nothing() {
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    let r = repo_with(&text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "triage",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T10:00:00+07:00",
    ])
    .code(1)
    .stderr_has("reported → triage is not allowed")
    .stderr_has("allowed from reported: registered, rejected");
    assert_eq!(r.read(P), text);
}

#[test]
fn refuses_a_move_whose_requirements_are_missing_naming_them() {
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    let r = repo_with(&text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "registered",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T10:00:00+07:00",
    ])
    .code(1)
    .stderr_has("requires field `category`")
    .stderr_has("requires field `owner`")
    .stderr_has("requires field `assets`");
    assert_eq!(r.read(P), text);
}

#[test]
fn refuses_the_wrong_team() {
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00")
        .replace("status: reported", "status: reported\nrejection_reason: bukan insiden");
    let r = repo_with(&text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "rejected",
        "--actor",
        "agus",
        "--at",
        "2026-01-21T10:00:00+07:00",
    ])
    .code(1)
    .stderr_has("helpdesk");
    assert_eq!(r.read(P), text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "rejected",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T10:00:00+07:00",
    ])
    .code(0);
}

#[test]
fn an_update_needs_a_note_and_any_team_may_add_it() {
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    let r = repo_with(&text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "reported",
        "--actor",
        "dewi",
        "--at",
        "2026-01-21T10:00:00+07:00",
    ])
    .code(1)
    .stderr_has("--note");
    r.run(&[
        "transition",
        "INC-2026-0001",
        "reported",
        "--actor",
        "dewi",
        "--at",
        "2026-01-21T10:00:00+07:00",
        "--note",
        "Menunggu bukti: \"tangkapan layar\"",
    ])
    .code(0);
    assert!(r.read(P).contains("  - { at: 2026-01-21T10:00:00+07:00, to: reported, by: analysis, actor: dewi, note: \"Menunggu bukti: \\\"tangkapan layar\\\"\" }\n"));
    r.run(&["validate", "--now", "2026-01-21T10:30:00+07:00"]).code(0);
}

#[test]
fn block_style_history_gets_a_block_style_entry() {
    let text = "---\nid: INC-2026-0001\ntitle: x\nstatus: reported\nreported_at: 2026-01-21T09:15:00+07:00\nreporter:\n  name: Budi\nhistory:\n  - at: 2026-01-21T09:15:00+07:00\n    to: reported\n    by: helpdesk\n    actor: siti\n---\n## Laporan\nx\n";
    let r = repo_with(text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "reported",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T11:00:00+07:00",
        "--note",
        "ok",
    ])
    .code(0);
    assert!(r.read(P).contains("    actor: siti\n  - at: 2026-01-21T11:00:00+07:00\n    to: reported\n    by: helpdesk\n    actor: siti\n    note: ok\n---\n"), "{}", r.read(P));
}

#[test]
fn refuses_times_before_the_last_entry_unknown_states_and_protected_fields() {
    let text = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00");
    let r = repo_with(&text);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "reported",
        "--actor",
        "siti",
        "--at",
        "2026-01-20T10:00:00+07:00",
        "--note",
        "x",
    ])
    .code(2)
    .stderr_has("before the last entry");
    r.run(&["transition", "INC-2026-0001", "selesai", "--actor", "siti"])
        .code(2)
        .stderr_has("unknown state");
    r.run(&[
        "transition",
        "INC-2026-0001",
        "reported",
        "--actor",
        "siti",
        "--note",
        "x",
        "--set",
        "id=INC-2026-0002",
    ])
    .code(2);
    r.run(&["transition", "INC-2026-0009", "registered", "--actor", "siti"])
        .code(2)
        .stderr_has("does not exist");
    assert_eq!(r.read(P), text);
}
