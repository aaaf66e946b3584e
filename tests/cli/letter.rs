//! `insiden letter`, structured `delivered_to`, scan reports as records, and the signed
//! Laporan Layanan: golden letters of the sample incidents, refusals, TLP:RED, delivery in
//! both forms, the scan report required by web categories, and what the public edition never
//! shows.

use crate::support::{sample, Repo, CONFIG};
use std::path::Path;

/// The sample incidents that have a letter (from `compiled` on), and those that do not.
const WITH_LETTER: &[&str] = &[
    "INC-2025-0001",
    "INC-2025-0003",
    "INC-2026-0001",
    "INC-2026-0003",
    "INC-2026-0004",
    "INC-2026-0005",
    "INC-2026-0006",
    "INC-2026-0007",
    "INC-2026-0009",
    "INC-2026-0012",
];
const WITHOUT_LETTER: &[&str] = &[
    "INC-2025-0002",
    "INC-2026-0002",
    "INC-2026-0008",
    "INC-2026-0010",
    "INC-2026-0011",
    "INC-2026-0013",
    "INC-2026-0014",
    "INC-2026-0015",
];

/// Compares `actual` with the golden file `tests/cli/letter/<name>`; with `INSIDEN_BLESS=1`
/// writes it instead.
#[track_caller]
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/letter")
        .join(name);
    if std::env::var_os("INSIDEN_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with INSIDEN_BLESS=1 to create it", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its golden file {} (run with INSIDEN_BLESS=1 after checking the change):\n{actual}",
        path.display()
    );
}

#[test]
fn every_sample_incident_from_compiled_on_has_a_letter_matching_its_golden_file() {
    let r = sample();
    for id in WITH_LETTER {
        for (format, ext) in [("html", "html"), ("md", "md")] {
            let run = r.run(&["letter", id, "--format", format, "--date", "2026-12-01"]);
            run.code(0);
            assert!(run.stdout.contains(id), "{id}: the letter does not name the incident");
            golden(&format!("{id}.{ext}"), &run.stdout);
        }
    }
    // English, once.
    let en = r.run(&["letter", "INC-2026-0003", "--lang", "en", "--date", "2026-12-01"]);
    en.code(0).stdout_has("Subject").stdout_has("TLP:CLEAR");
    golden("INC-2026-0003.en.html", &en.stdout);
}

#[test]
fn the_letter_is_refused_before_compiled_with_the_reason() {
    let r = sample();
    for id in WITHOUT_LETTER {
        let run = r.run(&["letter", id]);
        run.code(1).stderr_has("nothing was written");
        assert!(
            run.stderr.contains("from `compiled`") || run.stderr.contains("rejected"),
            "{id}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{id}: printed a letter");
    }
    // --out is not written either.
    let out = tempfile::tempdir().expect("tmp");
    let file = out.path().join("surat.html");
    r.run(&["letter", "INC-2026-0011", "--out", &file.display().to_string()])
        .code(1);
    assert!(!file.exists());
}

#[test]
fn the_letter_has_the_government_letter_parts_and_a4_print_css() {
    let r = sample();
    let mut html = r.run(&["letter", "INC-2026-0006", "--date", "2026-12-01"]);
    html.code(0);
    html.stdout = unescape(&html.stdout);
    for part in [
        "@page",
        "size: A4",
        "PEMERINTAH KABUPATEN TRENGGALEK".to_lowercase().as_str(),
        "Nomor",
        "Sifat",
        "Lampiran",
        "Perihal",
        "Kepada Yth.",
        "1. Analisis",
        "2. Rekomendasi",
        "3. Penanganan",
        "4. Kesimpulan",
        "NIP. 19700101 199203 1 001",
        // The number recorded on delivery is the letter's number.
        "014/CSIRT/XI/2026",
        // The TLP marking, before the letterhead.
        "TLP:AMBER",
        "1 (satu) berkas hasil scanning website",
    ] {
        assert!(
            html.stdout.to_lowercase().contains(&part.to_lowercase()),
            "the letter lacks {part:?}"
        );
    }
    let tlp = html.stdout.find("tlp tlp-amber").expect("TLP badge");
    let kop = html.stdout.find("class=\"kop\"").expect("letterhead");
    assert!(tlp < kop, "the TLP marking is not at the top");
    // No request leaves the letter: no external stylesheet, font or script.
    for bad in ["<script", "<link", "http://", "@import"] {
        assert!(!html.stdout.contains(bad), "the letter has {bad}");
    }
}

/// A repository with one incident at `compiled`, of this TLP, category and body.
fn compiled_repo(tlp: &str, category: &str, extra: &str, body: &str) -> Repo {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &format!(
            "---\nid: INC-2026-0001\ntitle: Kebocoran data pada aplikasi kepegawaian\nstatus: compiled\nreported_at: 2026-03-02T09:15:00+07:00\nreporter: {{ name: Budi, organization: BKPSDM, contact: budi@example.org }}\nowner: BKPSDM\nassets: [https://simpeg.example.go.id]\ncategory: {category}\nseverity: high\ntlp: {tlp}\nin_scope: true\nhandler: {{ type: internal, name: Tim Penanganan }}\n{extra}history:\n  - {{ at: 2026-03-02T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }}\n  - {{ at: 2026-03-02T09:40:00+07:00, to: registered, by: helpdesk, actor: siti }}\n  - {{ at: 2026-03-02T10:05:00+07:00, to: triage, by: data, actor: agus }}\n  - {{ at: 2026-03-02T13:30:00+07:00, to: coordination, by: analysis, actor: dewi }}\n  - {{ at: 2026-03-02T14:00:00+07:00, to: handling, by: coordination, actor: bayu }}\n  - {{ at: 2026-03-03T16:00:00+07:00, to: handled, by: handling, actor: rina }}\n  - {{ at: 2026-03-04T09:00:00+07:00, to: compiled, by: coordination, actor: bayu }}\n---\n{body}"
        ),
    );
    r
}

const BODY: &str = "## Laporan\n\nData pegawai tersebar.\n\n## Analisis\n\nRAHASIA-ANALISIS-7731 akun layanan bocor.\n\n## Rekomendasi\n\nRAHASIA-REKOMENDASI-7731 ganti kredensial.\n\n## Penanganan\n\nRAHASIA-PENANGANAN-7731 akun dinonaktifkan.\n\n## Kesimpulan\n\nRAHASIA-KESIMPULAN-7731 insiden tertangani.\n";

#[test]
fn tlp_red_text_appears_only_with_include_red() {
    let r = compiled_repo("red", "kebocoran-data", "", BODY);
    for format in ["html", "md"] {
        let plain = r.run(&["letter", "INC-2026-0001", "--format", format, "--date", "2026-03-05"]);
        plain.code(0).stdout_has("TLP:RED").stdout_has("Rahasia");
        assert!(
            !plain.stdout.contains("7731"),
            "{format}: TLP:RED text without --include-red"
        );
        assert!(
            plain.stdout.contains("tidak dimuat dalam surat ini"),
            "{format}: no notice"
        );
        let full = r.run(&[
            "letter",
            "INC-2026-0001",
            "--format",
            format,
            "--date",
            "2026-03-05",
            "--include-red",
        ]);
        full.code(0);
        for s in [
            "RAHASIA-ANALISIS-7731",
            "RAHASIA-REKOMENDASI-7731",
            "RAHASIA-PENANGANAN-7731",
            "RAHASIA-KESIMPULAN-7731",
        ] {
            assert!(full.stdout.contains(s), "{format}: --include-red lacks {s}");
        }
    }
    // The letter's marking comes first in the Markdown too.
    let md = r.run(&["letter", "INC-2026-0001", "--format", "md", "--date", "2026-03-05"]);
    assert!(md.stdout.starts_with("**TLP:RED**"), "{}", md.stdout);
}

#[test]
fn a_letter_number_is_assigned_and_the_suggested_transition_records_it() {
    let r = compiled_repo("amber", "kebocoran-data", "", BODY);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "recorded",
        "--actor",
        "agus",
        "--at",
        "2026-03-04T10:00:00+07:00",
    ])
    .code(0);
    let first = r.run(&["letter", "INC-2026-0001", "--format", "md", "--date", "2026-03-05"]);
    first.code(0).stdout_has("001/CSIRT/III/2026");
    let suggested = first
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("insiden transition"))
        .unwrap_or_else(|| panic!("no suggested command:\n{}", first.stderr))
        .trim()
        .to_owned();
    assert!(
        suggested.contains("delivered_to.letter_number=001/CSIRT/III/2026"),
        "{suggested}"
    );
    // Run the suggested command as a shell would split it.
    let words = shell_words(&suggested);
    let mut args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
    args.extend(["--actor", "siti", "--at", "2026-03-05T10:00:00+07:00"]);
    r.run(&args).code(0);
    let text = r.read("incidents/2026/INC-2026-0001.md");
    assert!(text.contains("delivered_to:\n  to: BKPSDM\n"), "{text}");
    assert!(text.contains("  letter_number: \"001/CSIRT/III/2026\"\n"), "{text}");
    r.run(&["validate"]).code(0);
    // The recorded number is the letter's from now on, whatever the date.
    r.run(&["letter", "INC-2026-0001", "--format", "md", "--date", "2026-04-20"])
        .code(0)
        .stdout_has("001/CSIRT/III/2026");
    let show = r.run(&[
        "show",
        "INC-2026-0001",
        "--format",
        "json",
        "--now",
        "2026-03-06T09:00:00+07:00",
    ]);
    let v = show.json();
    assert_eq!(v["delivered_to"]["letter_number"], "001/CSIRT/III/2026");
    assert_eq!(v["delivered_to"]["channel"], "letter");
    r.run(&["show", "INC-2026-0001", "--now", "2026-03-06T09:00:00+07:00"])
        .code(0)
        .stdout_has("delivered to: BKPSDM")
        .stdout_has("letter 001/CSIRT/III/2026");
}

/// HTML text as a reader sees it (templates escape `/` and quotes).
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Splits a command line the way a POSIX shell does for single-quoted words.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn delivered_to_is_valid_as_text_and_as_a_mapping_and_strict_as_a_mapping() {
    let text_form = compiled_repo("amber", "kebocoran-data", "delivered_to: Kepala BKPSDM\n", BODY);
    text_form.run(&["validate"]).code(0);
    let map_form = compiled_repo(
        "amber",
        "kebocoran-data",
        "delivered_to: { to: Kepala BKPSDM, at: 2026-03-05T10:00:00+07:00, channel: letter, letter_number: 007/CSIRT/III/2026 }\n",
        BODY,
    );
    map_form.run(&["validate"]).code(0);
    map_form
        .run(&["letter", "INC-2026-0001", "--format", "md"])
        .code(0)
        .stdout_has("007/CSIRT/III/2026")
        .stdout_has("Kepala BKPSDM")
        .stdout_has("5 Maret 2026");
    let block = compiled_repo(
        "amber",
        "kebocoran-data",
        "delivered_to:\n  to: Kepala BKPSDM\n  channel: walk-in\n",
        BODY,
    );
    block.run(&["validate"]).code(0);
    let typo = compiled_repo(
        "amber",
        "kebocoran-data",
        "delivered_to: { to: Kepala BKPSDM, nomor: 1 }\n",
        BODY,
    );
    typo.run(&["validate"])
        .code(1)
        .stderr_has("unknown-field")
        .stderr_has("INC-2026-0001.md:14:");
    let bad_channel = compiled_repo(
        "amber",
        "kebocoran-data",
        "delivered_to: { to: Kepala BKPSDM, channel: pigeon }\n",
        BODY,
    );
    bad_channel.run(&["validate"]).code(1).stderr_has("invalid-value");
}

/// The test configuration with web categories that require a scan report.
fn scan_config() -> String {
    format!(
        "{CONFIG}categories:\n  - {{ id: defacement, label: {{ id: Defacement, en: Defacement }}, requires_scan: true }}\n  - {{ id: phishing, label: {{ id: Phishing, en: Phishing }} }}\n"
    )
}

fn triage_incident(category: &str, attachments: &str) -> String {
    format!(
        "---\nid: INC-2026-0001\ntitle: Situs desa diretas\nstatus: triage\nreported_at: 2026-03-02T09:15:00+07:00\nreporter: {{ name: Budi }}\nowner: Pemdes\nassets: [https://desa.example.go.id]\ncategory: {category}\nseverity: high\ntlp: amber\nin_scope: true\n{attachments}history:\n  - {{ at: 2026-03-02T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }}\n  - {{ at: 2026-03-02T09:40:00+07:00, to: registered, by: helpdesk, actor: siti }}\n  - {{ at: 2026-03-02T10:05:00+07:00, to: triage, by: data, actor: agus }}\n---\n## Laporan\n\nHalaman depan berubah.\n\n## Analisis\n\nAkun admin lemah.\n\n## Rekomendasi\n\nGanti kata sandi.\n"
    )
}

#[test]
fn a_web_incident_leaves_triage_only_with_a_scan_report() {
    let r = Repo::new();
    r.write("insiden.yaml", &scan_config());
    r.write("incidents/2026/INC-2026-0001.md", &triage_incident("defacement", ""));
    let refused = r.run(&[
        "transition",
        "INC-2026-0001",
        "coordination",
        "--actor",
        "dewi",
        "--at",
        "2026-03-02T13:00:00+07:00",
    ]);
    refused
        .code(1)
        .stderr_has("requirement-missing")
        .stderr_has("website scan report")
        .stderr_has("defacement");
    assert!(!r.read("incidents/2026/INC-2026-0001.md").contains("to: coordination"));
    // A plain attachment is not a scan report.
    r.write("incidents/2026/lampiran/scan.txt", "hasil pindai\n");
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &triage_incident("defacement", "attachments: [lampiran/scan.txt]\n"),
    );
    r.run(&[
        "transition",
        "INC-2026-0001",
        "coordination",
        "--actor",
        "dewi",
        "--at",
        "2026-03-02T13:00:00+07:00",
    ])
    .code(1);
    // A typed one is.
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &triage_incident(
            "defacement",
            "attachments:\n  - { path: lampiran/scan.txt, kind: scan-report, at: 2026-03-02T11:00:00+07:00, tool: Nikto, target: https://desa.example.go.id }\n",
        ),
    );
    r.run(&["validate"]).code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "coordination",
        "--actor",
        "dewi",
        "--at",
        "2026-03-02T13:00:00+07:00",
    ])
    .code(0);
    // A category without `requires_scan` moves on without one.
    let p = Repo::new();
    p.write("insiden.yaml", &scan_config());
    p.write("incidents/2026/INC-2026-0001.md", &triage_incident("phishing", ""));
    p.run(&[
        "transition",
        "INC-2026-0001",
        "coordination",
        "--actor",
        "dewi",
        "--at",
        "2026-03-02T13:00:00+07:00",
    ])
    .code(0);
    // The built-in default leaves it off: existing repositories stay valid.
    let d = Repo::new();
    d.write("incidents/2026/INC-2026-0001.md", &triage_incident("defacement", ""));
    d.run(&[
        "transition",
        "INC-2026-0001",
        "coordination",
        "--actor",
        "dewi",
        "--at",
        "2026-03-02T13:00:00+07:00",
    ])
    .code(0);
}

#[test]
fn a_bad_attachment_mapping_is_located() {
    let r = Repo::new();
    r.write("incidents/2026/lampiran/scan.txt", "x\n");
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &triage_incident(
            "defacement",
            "attachments:\n  - { path: lampiran/scan.txt, kind: pindai }\n",
        ),
    );
    r.run(&["validate"])
        .code(1)
        .stderr_has("invalid-value")
        .stderr_has("INC-2026-0001.md:13:");
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &triage_incident(
            "defacement",
            "attachments:\n  - { path: lampiran/tidak-ada.txt, kind: scan-report }\n",
        ),
    );
    r.run(&["validate"]).code(1).stderr_has("missing-attachment");
}

#[test]
fn scan_reports_are_on_the_internal_incident_page_and_never_public() {
    let r = sample();
    r.run(&[
        "build",
        "--out",
        "pub",
        "--audience",
        "public",
        "--now",
        "2026-12-01T09:00:00+07:00",
    ])
    .code(0);
    r.run(&[
        "build",
        "--out",
        "int",
        "--audience",
        "internal",
        "--now",
        "2026-12-01T09:00:00+07:00",
    ])
    .code(0);
    // INC-2026-0003 is TLP:CLEAR: its page is public, its scan report is not.
    let internal = unescape(&std::fs::read_to_string(r.file("int/incidents/INC-2026-0003.html")).expect("page"));
    assert!(internal.contains("Laporan hasil scanning website"));
    assert!(internal.contains("lampiran/INC-2026-0003-scan.txt"));
    assert!(internal.contains("Nikto 2.5"));
    for (rel, bytes) in crate::support::tree(&r.file("pub")) {
        let text = unescape(&String::from_utf8_lossy(&bytes));
        for secret in [
            "INC-2026-0003-scan",
            "Nikto",
            "WPScan",
            "014/CSIRT",
            "015/CSIRT",
            "Bambang",
            "Dasar hukum",
            "sop.html",
        ] {
            assert!(!text.contains(secret), "public {rel} shows {secret:?}");
        }
    }
    assert!(!r.file("pub/sop.html").exists());
    // The internal SOP page shows the SOP as configured.
    let sop = unescape(&std::fs::read_to_string(r.file("int/sop.html")).expect("sop page"));
    for part in [
        "Pengecekan",
        "Isian Incident Report Form",
        "Laporan dan/atau Rekomendasi Trenggalekkab-CSIRT",
        "Helpdesk Dinas Kominfo",
        "Triase & analisis: 2 hari, Tinggi 1 hari, Kritis 4 jam",
        "Peraturan Badan Siber dan Sandi Negara Nomor 1 Tahun 2024",
        "Kabid dan Kasi",
        "laporan hasil scanning website (kategori",
    ] {
        assert!(sop.contains(part), "the SOP page lacks {part:?}");
    }
    // The internal incident page shows the delivery.
    let six = unescape(&std::fs::read_to_string(r.file("int/incidents/INC-2026-0006.html")).expect("page"));
    assert!(six.contains("014/CSIRT/XI/2026") && six.contains("Sekretaris Badan Pendapatan Daerah"));
}

#[test]
fn the_report_counts_scan_reports_and_the_internal_edition_can_be_signed() {
    let r = sample();
    let now = "2026-12-01T09:00:00+07:00";
    let json = r.run(&["report", "--period", "2026", "--format", "json", "--now", now]);
    let v = json.code(0).json();
    assert_eq!(v["records"]["scan_reports"], 4);
    assert_eq!(v["records"]["letters"], 2);
    let y2025 = r
        .run(&["report", "--period", "2025", "--format", "json", "--now", now])
        .json();
    assert_eq!(y2025["records"]["scan_reports"], 1);
    let md = r.run(&["report", "--period", "2026", "--now", now]);
    md.code(0)
        .stdout_has("Laporan hasil scanning website tercatat: 4")
        .stdout_has("## Dasar hukum")
        .stdout_has("Peraturan Badan Siber dan Sandi Negara Nomor 1 Tahun 2024 tentang Pengelolaan Insiden Siber")
        .stdout_has("Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik")
        .stdout_has("Mengetahui,")
        .stdout_has("**Drs. Bambang Wicaksono, M.Si.**")
        .stdout_has("NIP. 19700101 199203 1 001")
        .stdout_has("### INC-2026-0006")
        .stdout_has("**Rekomendasi:**");
    let html = r.run(&["report", "--period", "2026", "--format", "html", "--now", now]);
    html.code(0)
        .stdout_has("Dasar hukum")
        .stdout_has("Mengetahui,")
        .stdout_has("Drs. Bambang Wicaksono, M.Si.")
        .stdout_has("class=\"incident-text\"");
    // TLP:RED texts stay out of the internal edition too.
    assert!(md.stdout.contains("### INC-2026-0013"));
    for format in ["md", "html", "json", "csv"] {
        let public = r.run(&[
            "report",
            "--period",
            "2026",
            "--format",
            format,
            "--audience",
            "public",
            "--now",
            now,
        ]);
        public.code(0);
        for absent in [
            "Dasar hukum",
            "Mengetahui",
            "Bambang",
            "19700101",
            "scan_reports",
            "incident_texts",
            "legal_basis",
            "scanning website",
        ] {
            assert!(
                !public.stdout.contains(absent),
                "public {format} report shows {absent:?}"
            );
        }
    }
}

#[test]
fn approval_defaults_to_the_letter_signatory_and_can_be_set() {
    let r = compiled_repo("amber", "kebocoran-data", "", BODY);
    let now = "2026-03-31T09:00:00+07:00";
    // Without a signatory: the legal basis is there, no approval block.
    let md = r.run(&["report", "--period", "2026-03", "--now", now]);
    md.code(0)
        .stdout_has("## Dasar hukum")
        .stdout_has("RAHASIA-REKOMENDASI-7731")
        .stdout_has("RAHASIA-KESIMPULAN-7731");
    assert!(!md.stdout.contains("Mengetahui"));
    let mut cfg = CONFIG.to_owned();
    cfg.push_str(
        "letter:\n  number: \"{seq}/{year}\"\n  signatory: { name: Penandatangan Surat, title: Ketua CSIRT }\n",
    );
    r.write("insiden.yaml", &cfg);
    r.run(&["report", "--period", "2026-03", "--now", now])
        .code(0)
        .stdout_has("Mengetahui,")
        .stdout_has("Penandatangan Surat");
    cfg.push_str("report:\n  approval: { name: Kepala Dinas Uji, title: Kepala Dinas, nip: \"1970\" }\n  legal_basis: [Peraturan Uji Nomor 1]\n");
    r.write("insiden.yaml", &cfg);
    let set = r.run(&["report", "--period", "2026-03", "--now", now]);
    set.code(0)
        .stdout_has("Kepala Dinas Uji")
        .stdout_has("1. Peraturan Uji Nomor 1");
    assert!(!set.stdout.contains("Penandatangan Surat"));
    assert!(!set.stdout.contains("Pelayanan Publik"));
    // The public edition: none of it, and none of the incident text.
    let public = r.run(&["report", "--period", "2026-03", "--audience", "public", "--now", now]);
    for absent in ["Kepala Dinas Uji", "Peraturan Uji", "7731", "Mengetahui"] {
        assert!(!public.stdout.contains(absent), "public report shows {absent:?}");
    }
}

#[test]
fn a_bad_letter_number_pattern_is_a_configuration_error_naming_its_line() {
    let r = compiled_repo("amber", "kebocoran-data", "", BODY);
    let mut cfg = CONFIG.to_owned();
    cfg.push_str("letter:\n  number: \"{nomor}/CSIRT/{year}\"\n");
    r.write("insiden.yaml", &cfg);
    let run = r.run(&["letter", "INC-2026-0001"]);
    run.code(2).stderr_has("{nomor}").stderr_has("insiden.yaml:");
    let mut cfg = CONFIG.to_owned();
    cfg.push_str("letter:\n  number: \"CSIRT/{year}\"\n");
    r.write("insiden.yaml", &cfg);
    r.run(&["validate"]).code(2).stderr_has("neither {seq}");
}

#[test]
fn init_sets_requires_scan_for_the_web_categories() {
    let r = Repo::empty();
    r.run(&["init", "baru"]).code(0);
    let cfg = r.read("baru/insiden.yaml");
    for id in ["defacement", "judi-online", "kerentanan"] {
        let at = cfg.find(&format!("- id: {id}\n")).unwrap_or_else(|| panic!("no {id}"));
        let entry = &cfg[at..];
        let end = entry[2..].find("- id:").map_or(entry.len(), |e| e + 2);
        assert!(entry[..end].contains("requires_scan: true"), "{id}: {}", &entry[..end]);
    }
    assert_eq!(cfg.matches("\n    requires_scan: true").count(), 3);
    r.run_in(&r.file("baru"), &["config"], None)
        .code(0)
        .stdout_has("requires_scan: true");
}

#[test]
fn a_letter_number_recorded_twice_is_a_finding() {
    let r = compiled_repo(
        "amber",
        "kebocoran-data",
        "delivered_to: { to: Kepala BKPSDM, letter_number: 007/CSIRT/III/2026 }\n",
        BODY,
    );
    let other = r
        .read("incidents/2026/INC-2026-0001.md")
        .replace("INC-2026-0001", "INC-2026-0002");
    r.write("incidents/2026/INC-2026-0002.md", &other);
    r.run(&["validate"])
        .code(1)
        .stderr_has("duplicate-letter-number")
        .stderr_has("INC-2026-0002.md:14:")
        .stderr_has("INC-2026-0001");
    // The next letter takes the number after it.
    let third = r
        .read("incidents/2026/INC-2026-0001.md")
        .replace("INC-2026-0001", "INC-2026-0003")
        .replace(
            "delivered_to: { to: Kepala BKPSDM, letter_number: 007/CSIRT/III/2026 }\n",
            "",
        );
    r.write(
        "incidents/2026/INC-2026-0002.md",
        &third.replace("INC-2026-0003", "INC-2026-0002"),
    );
    r.run(&["letter", "INC-2026-0002", "--format", "md", "--date", "2026-03-20"])
        .code(0)
        .stdout_has("008/CSIRT/III/2026");
}
