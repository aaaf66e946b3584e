//! What a reader can compare agrees with itself: the same order, the same TLP, words that
//! say who did what, and when a waiting incident will close.

use crate::support::sample;

const NOW: &str = "--now=2026-12-01T00:00:00+07:00";

/// The text of an HTML fragment, tags dropped and whitespace folded.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The row headers of the first table after `marker` in an HTML page.
fn html_rows(page: &str, marker: &str) -> Vec<String> {
    let from = page.find(marker).unwrap_or_else(|| panic!("{marker} not in the page"));
    let body = &page[from..];
    let table = &body[body.find("<tbody>").expect("tbody")..body.find("</tbody>").expect("/tbody")];
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|r| text(&r[..r.find("</th>").expect("/th")]))
        .collect()
}

/// The first cells of the Markdown table under `heading`.
fn md_rows(doc: &str, heading: &str) -> Vec<String> {
    let from = doc
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} not in the report"));
    doc[from..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.split('|').nth(1).unwrap_or("").trim().replace("\\&", "&"))
        .collect()
}

#[test]
fn the_html_report_lists_sla_states_in_the_sops_order_as_the_markdown_does() {
    let r = sample();
    let args = |f: &'static str| {
        [
            "report",
            "--period",
            "2026",
            "--audience",
            "internal",
            "--format",
            f,
            NOW,
        ]
    };
    let md = r.run(&args("md")).code(0).stdout.clone();
    let html = r.run(&args("html")).code(0).stdout.clone();
    let from_md = md_rows(&md, "## Target waktu (SLA)");
    let from_html = html_rows(&html, "id=\"r-sla\"");
    assert_eq!(from_md, from_html);
    // The SOP's order, not the alphabet's.
    assert_eq!(from_md.first().map(String::as_str), Some("Dilaporkan"));
    assert_eq!(from_md.last().map(String::as_str), Some("Masa autoresolve"));
    let pos = |l: &str| from_md.iter().position(|x| x == l).expect(l);
    assert!(pos("Triase & analisis") < pos("Koordinasi") && pos("Koordinasi") < pos("Penanganan"));
}

#[test]
fn breaches_of_one_incident_are_listed_in_the_order_they_happened() {
    let r = sample();
    let md = r
        .run(&[
            "report",
            "--period",
            "2026",
            "--audience",
            "internal",
            "--format",
            "md",
            NOW,
        ])
        .code(0)
        .stdout
        .clone();
    let rows: Vec<(String, String)> = md[md.find("### Daftar pelampauan").expect("breach list")..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let c: Vec<&str> = l.split('|').map(str::trim).collect();
            (c[1].to_owned(), c[2].replace("\\&", "&"))
        })
        .collect();
    // INC-2026-0007 breached handling, then handled, then compiled: in that order.
    let seven: Vec<&str> = rows
        .iter()
        .filter(|(id, _)| id == "INC-2026-0007")
        .map(|(_, s)| s.as_str())
        .collect();
    assert_eq!(
        &seven[..3],
        ["Penanganan", "Penanganan selesai", "Laporan dikompilasi"],
        "{rows:?}"
    );
}

#[test]
fn an_incident_without_tlp_counts_under_the_amber_it_is_treated_as() {
    let r = sample();
    // INC-2026-0002 has no `tlp`: its list row says TLP:AMBER, and so must the breakdown.
    assert!(!r.read("incidents/2026/INC-2026-0002.md").contains("\ntlp:"));
    let json = r
        .run(&[
            "report",
            "--period",
            "2026",
            "--audience",
            "internal",
            "--format",
            "json",
            NOW,
        ])
        .code(0)
        .json();
    let by_tlp = json["by_tlp"].as_array().expect("by_tlp rows").clone();
    let keys: Vec<&str> = by_tlp.iter().filter_map(|row| row["key"].as_str()).collect();
    assert!(keys.contains(&"amber") && !keys.contains(&"none"), "{by_tlp:?}");
    let row = json["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .find(|i| i["id"] == "INC-2026-0002")
        .expect("INC-2026-0002 listed")
        .clone();
    assert_eq!(row["tlp"], "TLP:AMBER");
}

#[test]
fn the_timeline_says_who_moved_the_incident_and_a_waiting_one_says_when_it_closes() {
    let r = sample();
    let out = r.file("site");
    let out = out.to_str().expect("utf-8 path");
    r.run(&["build", "--audience", "internal", "--out", out, NOW]).code(0);
    let page = text(&r.read("site/incidents/INC-2026-0006.html"));
    // The data team moved the incident into triage; it did not triage it.
    assert!(
        page.contains("Status menjadi Triase & analisis · oleh Tim Pengelolaan Data"),
        "{page}"
    );
    assert!(page.contains("Pembaruan (Penanganan) · oleh Tim Penanganan"), "{page}");
    // Documented on 24 November; the window opened on 23 November 13.45 and lasts 5 days.
    assert!(
        page.contains("Masa autoresolve berakhir 28 November 2026 13.45 WIB"),
        "{page}"
    );
    // A closed incident waits on nothing.
    let closed = text(&r.read("site/incidents/INC-2026-0001.html"));
    assert!(!closed.contains("Masa autoresolve berakhir"), "{closed}");
    // `show` says the same.
    r.run(&["show", "INC-2026-0006", NOW])
        .code(0)
        .stdout_has("autoresolve window ends: 2026-11-28T13:45:00+07:00");
    let json = r
        .run(&["show", "INC-2026-0006", "--format", "json", NOW])
        .code(0)
        .json();
    assert_eq!(json["window_ends"], "2026-11-28T13:45:00+07:00");
}

#[test]
fn durations_leave_out_a_zero_second_unit() {
    let r = sample();
    let out = r.file("site");
    r.run(&[
        "build",
        "--audience",
        "internal",
        "--out",
        out.to_str().expect("path"),
        NOW,
    ])
    .code(0);
    let index = text(&r.read("site/index.html"));
    assert!(!index.contains(" 0 jam") && !index.contains(" 0 menit"), "{index}");
    assert!(index.contains("1 hari"), "{index}");
}
