//! `insiden report`: totals against an independent count, the as-of replay, KPIs, audiences
//! and formats. Issue "The periodic report".

use crate::build::{secrets_repo, SECRETS};
use crate::support::{reported, Repo};

/// What the generator made, to count independently of the tool.
struct Made {
    reported: chrono::DateTime<chrono::FixedOffset>,
    /// 0 still reported, 1 rejected an hour later, 2 closed by autoresolve.
    kind: usize,
    closed: Option<chrono::DateTime<chrono::FixedOffset>>,
}

fn ts(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn closed_incident(
    id: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    sev: &str,
) -> (String, chrono::DateTime<chrono::FixedOffset>) {
    let h = |n: i64| ts(at + chrono::Duration::hours(n));
    let closed = at + chrono::Duration::hours(8 + 24 * 6);
    let text = format!(
        "---\nid: {id}\ntitle: Judi online {id}\nstatus: closed\nreported_at: {r}\nreporter: {{ name: Budi, type: public, channel: whatsapp }}\n\
owner: Dinas Uji\nassets: [https://x.example]\ncategory: judi-online\nseverity: {sev}\ntlp: amber\nin_scope: true\n\
handler: {{ type: internal, name: Tim }}\ndelivered_to: Dinas Uji\nresolution: true-positive\n\
external_reports: [{{ to: bssn, at: {r} }}]\nhistory:\n\
  - {{ at: {r}, to: reported, by: helpdesk, actor: siti }}\n\
  - {{ at: {h1}, to: registered, by: helpdesk, actor: siti }}\n\
  - {{ at: {h2}, to: triage, by: data, actor: agus }}\n\
  - {{ at: {h3}, to: coordination, by: analysis, actor: dewi }}\n\
  - {{ at: {h4}, to: handling, by: coordination, actor: bayu }}\n\
  - {{ at: {h5}, to: handled, by: handling, actor: rina }}\n\
  - {{ at: {h6}, to: compiled, by: coordination, actor: bayu }}\n\
  - {{ at: {h7}, to: recorded, by: data, actor: agus }}\n\
  - {{ at: {h8}, to: resolved, by: helpdesk, actor: siti }}\n\
  - {{ at: {h9}, to: documented, by: data, actor: agus }}\n\
  - {{ at: {c}, to: closed, by: system, actor: insiden-bot }}\n\
---\n## Laporan\n\nx\n\n## Analisis\n\nx\n\n## Rekomendasi\n\nx\n\n## Penanganan\n\nx\n\n## Kesimpulan\n\nx\n",
        r = ts(at),
        h1 = h(1),
        h2 = h(2),
        h3 = h(3),
        h4 = h(4),
        h5 = h(5),
        h6 = h(6),
        h7 = h(7),
        h8 = h(8),
        h9 = h(9),
        c = ts(closed),
    );
    (text, closed)
}

fn generated() -> (Repo, Vec<Made>) {
    let r = Repo::new();
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T09:00:00+07:00").expect("t");
    let mut made = Vec::new();
    for i in 0..36usize {
        let at = start + chrono::Duration::days(((i * 7) % 59) as i64) + chrono::Duration::minutes(i as i64);
        let id = format!("INC-2026-{:04}", i + 1);
        let kind = i % 3;
        let (text, closed) = match kind {
            0 => (reported(&id, &ts(at)), None),
            1 => {
                let text = reported(&id, &ts(at))
                    .replace(
                        "status: reported",
                        "status: rejected\nrejection_reason: Bukan insiden\nrejection_code: refuted",
                    )
                    .replace(
                        "actor: siti }\n---",
                        &format!(
                            "actor: siti }}\n  - {{ at: {}, to: rejected, by: helpdesk, actor: siti }}\n---",
                            ts(at + chrono::Duration::hours(1))
                        ),
                    );
                (text, None)
            }
            _ => {
                let (t, c) = closed_incident(&id, at, if i % 2 == 0 { "high" } else { "low" });
                (t, Some(c))
            }
        };
        r.write(&format!("incidents/2026/{id}.md"), &text);
        made.push(Made {
            reported: at,
            kind,
            closed,
        });
    }
    (r, made)
}

#[test]
fn totals_equal_an_independent_count_on_a_generated_corpus() {
    let (r, made) = generated();
    r.run(&["validate", "--now", "2026-06-01T00:00:00+07:00"]).code(0);
    let from = chrono::DateTime::parse_from_rfc3339("2026-02-01T00:00:00+07:00").expect("t");
    let to = chrono::DateTime::parse_from_rfc3339("2026-03-01T00:00:00+07:00").expect("t");
    let inp = |t: chrono::DateTime<chrono::FixedOffset>| t >= from && t < to;
    let cohort: Vec<&Made> = made.iter().filter(|m| inp(m.reported)).collect();
    let expected_reported = cohort.len();
    let expected_rejected = cohort.iter().filter(|m| m.kind == 1).count();
    let expected_closed = made.iter().filter(|m| m.closed.is_some_and(inp)).count();
    let expected_open = made
        .iter()
        .filter(|m| m.reported < to)
        .filter(|m| match m.kind {
            0 => true,
            1 => false,
            _ => m.closed.is_some_and(|c| c >= to),
        })
        .count();
    let v = r
        .run(&[
            "report",
            "--period",
            "2026-02",
            "--format",
            "json",
            "--now",
            "2026-06-01T00:00:00+07:00",
        ])
        .code(0)
        .json();
    let t = &v["totals"];
    assert_eq!(t["reported"], expected_reported, "{t}");
    assert_eq!(t["rejected"], expected_rejected, "{t}");
    assert_eq!(t["closed"], expected_closed, "{t}");
    assert_eq!(t["autoresolved"], expected_closed, "{t}");
    assert_eq!(t["open_at_end"], expected_open, "{t}");
    assert_eq!(t["in_scope"], cohort.iter().filter(|m| m.kind == 2).count(), "{t}");
    assert_eq!(v["period"]["from"]["iso"], "2026-02-01T00:00:00+07:00");
    assert_eq!(v["incidents"].as_array().map(Vec::len), Some(expected_reported));
    let by_cat: usize = v["by_category"]
        .as_array()
        .expect("array")
        .iter()
        .map(|b| b["count"].as_u64().unwrap_or(0) as usize)
        .sum();
    assert_eq!(by_cat, expected_reported);
    let high = cohort.iter().filter(|m| m.kind == 2).filter(|m| {
        made.iter()
            .position(|x| std::ptr::eq(x, **m))
            .is_some_and(|i| i % 2 == 0)
    });
    assert_eq!(v["onward_reporting"]["required"], high.clone().count());
    assert_eq!(v["onward_reporting"]["recorded"], high.count());
    for k in ["time_to_register", "time_to_close", "time_to_detect"] {
        for g in ["all", "low", "medium", "high", "critical"] {
            assert!(v["kpi"][k][g]["n"].is_u64(), "kpi.{k}.{g}");
        }
    }
}

#[test]
fn an_incident_closed_after_the_period_counts_as_open_at_its_end() {
    let r = Repo::new();
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-28T09:00:00+07:00").expect("t");
    let (text, closed) = closed_incident("INC-2026-0001", at, "medium");
    assert!(closed.to_rfc3339().as_str() > "2026-02-01");
    r.write("incidents/2026/INC-2026-0001.md", &text);
    let jan = r
        .run(&[
            "report",
            "--period",
            "2026-01",
            "--format",
            "json",
            "--now",
            "2026-06-01T00:00:00+07:00",
        ])
        .code(0)
        .json();
    assert_eq!(jan["totals"]["open_at_end"], 1);
    assert_eq!(jan["totals"]["closed"], 0);
    assert_eq!(jan["incidents"][0]["status_at_end"], "documented");
    let feb = r
        .run(&[
            "report",
            "--period",
            "2026-02",
            "--format",
            "json",
            "--now",
            "2026-06-01T00:00:00+07:00",
        ])
        .code(0)
        .json();
    assert_eq!(feb["totals"]["open_at_end"], 0);
    assert_eq!(feb["totals"]["closed"], 1);
    assert_eq!(feb["totals"]["reported"], 0);
}

#[test]
fn kpi_median_and_p90_on_a_hand_made_set() {
    let r = Repo::new();
    // Time to register: 1 h, 2 h and 4 h.
    for (n, hours) in [(1, 1), (2, 2), (3, 4)] {
        let id = format!("INC-2026-{n:04}");
        let at = format!("2026-03-0{n}T08:00:00+07:00");
        let reg = format!("2026-03-0{n}T{:02}:00:00+07:00", 8 + hours);
        let text = reported(&id, &at)
            .replace(
                "status: reported",
                "status: registered\ncategory: phishing\nowner: Dinas Uji\nassets: [x.example]\nseverity: high",
            )
            .replace(
                "actor: siti }\n---",
                &format!("actor: siti }}\n  - {{ at: {reg}, to: registered, by: helpdesk, actor: siti }}\n---"),
            );
        r.write(&format!("incidents/2026/{id}.md"), &text);
    }
    let v = r
        .run(&[
            "report",
            "--period",
            "2026-Q1",
            "--format",
            "json",
            "--now",
            "2026-04-01T00:00:00+07:00",
        ])
        .code(0)
        .json();
    let k = &v["kpi"]["time_to_register"];
    assert_eq!(k["all"]["n"], 3);
    assert_eq!(k["all"]["median_hours"], 2.0);
    assert_eq!(k["all"]["p90_hours"], 3.6);
    assert_eq!(k["high"]["n"], 3);
    assert_eq!(k["low"]["n"], 0);
    assert!(k["low"]["median_hours"].is_null());
    // The public edition suppresses a KPI whose n is below public_min_count (3): n = 3 shows.
    let p = r
        .run(&[
            "report",
            "--period",
            "2026-Q1",
            "--format",
            "json",
            "--audience",
            "public",
            "--now",
            "2026-04-01T00:00:00+07:00",
        ])
        .code(0)
        .json();
    assert_eq!(p["kpi"]["time_to_register"]["all"]["median_hours"], 2.0);
    assert!(p["kpi"]["time_to_triage"]["all"]["median_hours"].is_null());
}

#[test]
fn public_report_is_free_of_planted_secrets_in_every_format() {
    let r = secrets_repo();
    // Every kind of period, in every format and language.
    let periods: [&[&str]; 4] = [
        &["--period", "2026-03"],
        &["--period", "2026-Q1"],
        &["--period", "2026"],
        &["--period", "2026-04"],
    ];
    // A custom range beside the site's March would give a small count away by subtraction:
    // the public edition has none.
    r.run(&[
        "report",
        "--audience",
        "public",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--now",
        "2026-04-01T00:00:00+07:00",
    ])
    .code(2)
    .stderr_has("the site's periods");
    for period in periods {
        for format in ["md", "html", "csv", "json"] {
            for lang in ["id", "en"] {
                let mut args = vec!["report", "--audience", "public", "--format", format, "--lang", lang];
                args.extend_from_slice(period);
                args.extend_from_slice(&["--now", "2026-04-01T00:00:00+07:00"]);
                let run = r.run(&args);
                run.code(0);
                for s in SECRETS {
                    assert!(!run.stdout.contains(s), "{period:?} {format} {lang} leaks {s}");
                }
            }
        }
    }
    let v = r
        .run(&[
            "report",
            "--period",
            "2026-03",
            "--audience",
            "public",
            "--format",
            "json",
        ])
        .code(0)
        .json();
    assert_eq!(v["totals"]["reported"], 5);
    assert_eq!(
        v["incidents"].as_array().map(Vec::len),
        Some(1),
        "only the TLP:CLEAR one"
    );
    assert_eq!(v["restricted"]["count"], 4);
    assert_eq!(v["tlp"], "TLP:CLEAR");
    let internal = r
        .run(&[
            "report",
            "--period",
            "2026-03",
            "--format",
            "json",
            "--now",
            "2026-04-01T00:00:00+07:00",
        ])
        .code(0)
        .json();
    assert_eq!(internal["incidents"].as_array().map(Vec::len), Some(5));
    assert_eq!(internal["tlp"], "TLP:AMBER");
}

/// Splits one CSV line (RFC 4180, no embedded newlines in this data).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("field").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().expect("field").push(c),
        }
    }
    assert!(!quoted, "unterminated quote in {line}");
    out
}

#[test]
fn csv_and_json_parse_and_markdown_and_html_carry_the_same_numbers() {
    let (r, _) = generated();
    let now = "2026-06-01T00:00:00+07:00";
    let csv = r
        .run(&["report", "--period", "2026", "--format", "csv", "--now", now])
        .code(0)
        .stdout
        .clone();
    let lines: Vec<&str> = csv.lines().collect();
    let header = csv_fields(lines[0]);
    assert_eq!(header[0], "id");
    assert!(header.contains(&"time_to_close_hours".to_string()));
    assert_eq!(lines.len(), 37);
    for l in &lines[1..] {
        assert_eq!(csv_fields(l).len(), header.len(), "{l}");
    }
    let v = r
        .run(&["report", "--period", "2026", "--format", "json", "--now", now])
        .code(0)
        .json();
    assert_eq!(v["totals"]["reported"], 36);
    let md = r
        .run(&["report", "--period", "2026", "--now", now])
        .code(0)
        .stdout
        .clone();
    assert!(md.contains("| Dilaporkan dalam periode | 36 |"), "{md}");
    let out = r.run(&[
        "report",
        "--period",
        "2026",
        "--format",
        "html",
        "--lang",
        "en",
        "--out",
        "laporan.html",
        "--now",
        now,
    ]);
    out.code(0);
    let html = r.read("laporan.html");
    assert!(html.contains("<svg") && html.contains("@page") && html.contains("Reported in the period"));
    assert!(!html.contains("<link") && !html.contains("<script"), "standalone");
}

#[test]
fn bad_periods_are_usage_errors_and_an_empty_period_is_a_report_of_zeros() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
    );
    for bad in [
        vec!["--period", "2026-13"],
        vec!["--period", "Q1"],
        vec!["--period", "0000"],
        vec!["--period", "9999"],
        vec!["--period", "2026-Q01"],
        vec!["--period", "2026-Q+1"],
        vec!["--from", "2026-02-01", "--to", "2026-01-01"],
    ] {
        let mut args = vec!["report"];
        args.extend(bad.iter());
        let run = r.run(&args);
        run.code(2);
        assert!(
            run.stderr.contains("period") || run.stderr.contains("month"),
            "{}",
            run.stderr
        );
    }
    let v = r
        .run(&["report", "--period", "2024", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(v["totals"]["reported"], 0);
    assert_eq!(v["totals"]["open_at_end"], 0);
    let v = r
        .run(&[
            "report",
            "--from",
            "2026-01-21",
            "--to",
            "2026-01-22",
            "--format",
            "json",
        ])
        .code(0)
        .json();
    assert_eq!(v["totals"]["reported"], 1);
    r.write("incidents/2026/INC-2026-0002.md", "---\nid: nope\n---\n");
    r.run(&["report", "--period", "2026-01"]).code(1);
}

/// Issue "The public site and report: leak nothing": a month with one restricted incident.
/// Its report was a single row "< 3" per breakdown, each row's label giving away the
/// incident's TLP, category, severity, channel, reporter type and resolution. No page or
/// report, of that month or of the quarter and year holding it, may name any of them now.
#[test]
fn a_lone_restricted_incident_gives_none_of_its_values_away() {
    let now = "2026-11-28T09:00:00+07:00";
    let r = crate::support::regency(&[2026], 120, 3, now);
    // Clear April and give no other incident the lone one's values; then add it.
    for (path, _) in crate::support::tree(&r.file("incidents")) {
        let file = format!("incidents/{path}");
        let text = r.read(&file);
        if text.contains("reported_at: 2026-04-") {
            std::fs::remove_file(r.file(&file)).expect("remove");
            continue;
        }
        let text = text
            .replace("category: ransomware", "category: phishing")
            .replace("severity: critical", "severity: high")
            .replace("tlp: red", "tlp: amber")
            .replace("type: researcher", "type: owner")
            .replace("resolution: false-positive", "resolution: true-positive");
        r.write(&file, &text);
    }
    let text = closed_incident(
        "INC-2026-0999",
        chrono::DateTime::parse_from_rfc3339("2026-04-14T10:00:00+07:00").expect("t"),
        "critical",
    )
    .0
    .replace("category: judi-online", "category: ransomware")
    .replace("tlp: amber", "tlp: red")
    .replace("type: public, channel: whatsapp", "type: researcher, channel: walk-in")
    .replace("resolution: true-positive", "resolution: false-positive");
    r.write("incidents/2026/INC-2026-0999.md", &text);
    r.run(&["validate", "--now", now]).code(0);
    let values = [
        ("by_category", "ransomware"),
        ("by_severity", "critical"),
        ("by_tlp", "red"),
        ("by_channel", "walk-in"),
        ("by_reporter_type", "researcher"),
        ("by_resolution", "false-positive"),
    ];
    // Labels that can only come from a row about the lone incident.
    let labels = [
        "Ransomware",
        "TLP:RED",
        "Datang langsung",
        "Walk-in",
        "Peneliti keamanan",
        "Security researcher",
        "Positif palsu",
        "False positive",
    ];
    for period in ["2026-04", "2026-Q2", "2026"] {
        for format in ["md", "html", "csv", "json"] {
            for lang in ["id", "en"] {
                let run = r.run(&[
                    "report",
                    "--period",
                    period,
                    "--audience",
                    "public",
                    "--format",
                    format,
                    "--lang",
                    lang,
                    "--now",
                    now,
                ]);
                run.code(0);
                for l in labels {
                    assert!(!run.stdout.contains(l), "{period} {format} {lang} names {l}");
                }
                if format == "json" {
                    let v = run.json();
                    for (list, key) in values {
                        let rows = v[list].as_array().expect("rows");
                        assert!(
                            !rows.iter().any(|b| b["key"] == key),
                            "{period} {list} names {key}: {rows:?}"
                        );
                    }
                }
            }
        }
    }
    // The site: that month's, quarter's and year's pages, and the overview.
    r.run(&["build", "--out", "public", "--now", now]).code(0);
    for page in [
        "reports/2026-04.html",
        "reports/2026-Q2.html",
        "reports/2026.html",
        "index.html",
        "archive/2026-04.html",
    ] {
        let html = r.read(&format!("public/{page}"));
        for l in labels {
            assert!(!html.contains(l), "{page} names {l}");
        }
    }
    for doc in ["api/status.json", "api/incidents.json"] {
        let text = r.read(&format!("public/{doc}"));
        assert!(
            !text.contains("\"ransomware\"") && !text.contains("Ransomware"),
            "{doc}: {text}"
        );
    }
    // The month still says something: its count, as a range.
    let april = r.read("public/reports/2026-04.html");
    assert!(april.contains("&lt; 3"), "{april}");
}
