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
    for format in ["md", "html", "csv", "json"] {
        let run = r.run(&[
            "report",
            "--period",
            "2026-03",
            "--audience",
            "public",
            "--format",
            format,
            "--now",
            "2026-04-01T00:00:00+07:00",
        ]);
        run.code(0);
        for s in SECRETS {
            assert!(!run.stdout.contains(s), "{format} leaks {s}");
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

/// Every group of a public report whose cells add up to a published total, checked against
/// the internal report's true numbers, read from its totals alone and after subtracting the
/// TLP:CLEAR incidents the report lists (`clear`: the internal report of the TLP:CLEAR
/// incidents alone, which lists exactly those and counts nothing else).
fn assert_report_unsolvable(
    what: &str,
    public: &serde_json::Value,
    internal: &serde_json::Value,
    clear: &serde_json::Value,
) {
    use crate::support::{assert_restricted_unsolvable, MIN};
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["incidents"]
            .as_array()
            .expect("list")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids(public), ids(clear), "{what}: the listed incidents");
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    // A number a reader may learn, shown as the public edition shows a count of `all`
    // incidents of which `listed` are listed.
    let as_total = |all: u64, listed: u64| -> serde_json::Value {
        let rest = all - listed;
        if rest == 0 || rest >= MIN {
            serde_json::json!(all)
        } else if listed == 0 {
            serde_json::json!(format!("< {MIN}"))
        } else {
            serde_json::json!(format!("≥ {}", listed + 1))
        }
    };
    let by_key = |list: &serde_json::Value, keys: &[String]| -> Vec<u64> {
        keys.iter()
            .map(|k| {
                list.as_array()
                    .expect("list")
                    .iter()
                    .find(|b| b["key"] == k.as_str())
                    .map_or(0, |b| b["count"].as_u64().expect("internal counts are numbers"))
            })
            .collect()
    };
    let reported = &public["totals"]["reported"];
    for (list, total, total_key) in [
        ("by_category", reported, "reported"),
        ("by_severity", reported, "reported"),
        ("by_reporter_type", reported, "reported"),
        ("by_channel", reported, "reported"),
        ("by_tlp", reported, "reported"),
        ("by_resolution", reported, "reported"),
        ("by_month", reported, "reported"),
        ("rejected_by_code", &public["totals"]["rejected"], "rejected"),
    ] {
        let rows = public[list].as_array().expect("rows");
        if rows.iter().any(|b| b["key"] == "withheld") {
            assert_eq!(rows.len(), 1, "{what} {list}");
            continue;
        }
        let keys: Vec<String> = rows
            .iter()
            .map(|b| b["key"].as_str().expect("key").to_owned())
            .collect();
        let cells: Vec<serde_json::Value> = rows.iter().map(|b| b["count"].clone()).collect();
        assert_restricted_unsolvable(
            &format!("{what} {list}"),
            &cells,
            total,
            &by_key(&clear[list], &keys),
            n(&clear["totals"][total_key]),
            &by_key(&internal[list], &keys),
        );
    }
    // The public report lists its TLP:CLEAR incidents: their number is the TLP:CLEAR count.
    assert_eq!(
        by_key(&clear["by_tlp"], &["clear".to_owned()])[0],
        ids(public).len() as u64,
        "{what}"
    );
    // Owners: the TLP:CLEAR owners and "others" add up to the total too.
    let owner_rows = public["by_owner"].as_array().expect("rows");
    if public["by_owner"][0]["key"] != "withheld" {
        let owners: Vec<serde_json::Value> = owner_rows.iter().map(|b| b["count"].clone()).collect();
        let keys: Vec<String> = owner_rows
            .iter()
            .map(|b| b["key"].as_str().expect("key").to_owned())
            .collect();
        assert_restricted_unsolvable(
            &format!("{what} by_owner"),
            &owners,
            reported,
            &by_key(&clear["by_owner"], &keys),
            n(&clear["totals"]["reported"]),
            &[],
        );
    }
    let restricted = &public["restricted"];
    if restricted["by_category"][0]["key"] != "withheld" {
        let cells: Vec<_> = restricted["by_category"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|b| b["count"].clone())
            .collect();
        assert_restricted_unsolvable(
            &format!("{what} restricted"),
            &cells,
            &restricted["count"],
            &vec![0; cells.len()],
            0,
            &[],
        );
    }
    // KPI n: the severities (and the unpublished "none", anything) add up to "all".
    let sevs = ["low", "medium", "high", "critical"];
    for (k, groups) in public["kpi"].as_object().expect("kpi") {
        let mut cells: Vec<serde_json::Value> = sevs.iter().map(|g| groups[*g]["n"].clone()).collect();
        let truth: Vec<u64> = sevs
            .iter()
            .map(|g| internal["kpi"][k][*g]["n"].as_u64().expect("n"))
            .collect();
        let mut listed: Vec<u64> = sevs.iter().map(|g| n(&clear["kpi"][k][*g]["n"])).collect();
        let listed_all = n(&clear["kpi"][k]["all"]["n"]);
        listed.push(listed_all - listed.iter().sum::<u64>());
        cells.push(serde_json::json!("x"));
        for (g, v) in sevs.iter().zip(&cells) {
            if v.is_string() {
                assert!(
                    groups[*g]["median_hours"].is_null(),
                    "{what} kpi {k} {g} median of a hidden n"
                );
            }
        }
        assert_restricted_unsolvable(
            &format!("{what} kpi {k}"),
            &cells,
            &groups["all"]["n"],
            &listed,
            listed_all,
            &truth,
        );
    }
    // SLA: within and breached add up to the stays that ended, a number a reader may learn.
    for (state, s) in public["sla"].as_object().expect("sla") {
        let i = &internal["sla"][state];
        let c = &clear["sla"][state];
        let truth = [i["within"].as_u64().expect("n"), i["breached"].as_u64().expect("n")];
        let listed = [n(&c["within"]), n(&c["breached"])];
        let cells = [s["within"].clone(), s["breached"].clone()];
        assert_restricted_unsolvable(
            &format!("{what} sla {state}"),
            &cells,
            &as_total(truth[0] + truth[1], listed[0] + listed[1]),
            &listed,
            listed[0] + listed[1],
            &truth,
        );
    }
    let o = &internal["onward_reporting"];
    let (req, rec) = (o["required"].as_u64().expect("n"), o["recorded"].as_u64().expect("n"));
    let oc = &clear["onward_reporting"];
    let (creq, crec) = (n(&oc["required"]), n(&oc["recorded"]));
    assert_restricted_unsolvable(
        &format!("{what} onward"),
        &[public["onward_reporting"]["recorded"].clone(), serde_json::json!("x")],
        &as_total(req, creq),
        &[crec, creq - crec],
        creq,
        &[rec, req - rec],
    );
    // The totals are checked on their own as well.
    for (key, count) in public["totals"].as_object().expect("totals") {
        assert_restricted_unsolvable(
            &format!("{what} totals {key}"),
            std::slice::from_ref(count),
            count,
            &[n(&clear["totals"][key])],
            n(&clear["totals"][key]),
            &[n(&internal["totals"][key])],
        );
    }
}

#[test]
fn public_report_groups_cannot_be_solved_from_their_totals() {
    let now = "2026-12-01T00:00:00+07:00";
    let check = |r: &Repo, periods: &[&str]| {
        let clear = crate::support::clear_only(r);
        for p in periods {
            let run = |r: &Repo, aud: &str| {
                r.run(&[
                    "report",
                    "--period",
                    p,
                    "--format",
                    "json",
                    "--audience",
                    aud,
                    "--now",
                    now,
                ])
                .code(0)
                .json()
            };
            assert_report_unsolvable(p, &run(r, "public"), &run(r, "internal"), &run(&clear, "internal"));
        }
    };
    let sample = crate::support::sample();
    check(&sample, &["2026", "2026-Q1", "2026-Q4", "2026-11", "2026-02", "2025"]);
    for seed in [1, 7, 42] {
        let r = crate::support::varied(40, seed);
        r.run(&["validate", "--now", now]).code(0);
        check(&r, &["2026", "2026-Q1", "2026-Q2", "2026-01", "2026-03", "2026-05"]);
    }
}
