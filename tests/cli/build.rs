//! `insiden build`: confidentiality by audience (planted secrets), untrusted text, links,
//! determinism, atomicity and template overrides. Issue "The status site".

use crate::support::{sample, tree, Repo};
use std::path::Path;

const NOW: &str = "2026-11-28T09:00:00+07:00";

/// Secrets planted in every field of non-CLEAR incidents that the public must never see.
pub const SECRETS: &[&str] = &[
    "SECRET-TITLE-A1",
    "SECRET-SUMMARY-A2",
    "SECRET-BODY-A3",
    "SECRET-NOTE-A4",
    "SECRET-ASSET-A5",
    "SECRET-OBS-A6",
    "SECRET-CONTACT-A7",
    "SECRET-REPORTER-A8",
    "SECRET-OWNER-A9",
    "SECRET-ATTACH-A10",
    "SECRET-TITLE-R1",
    "SECRET-BODY-R3",
    "SECRET-NOTE-R4",
    "SECRET-ATTACH-R10",
    "SECRET-TITLE-N1",
    "SECRET-BODY-N3",
    "SECRET-TITLE-G1",
    "SECRET-BODY-G3",
    // Of the TLP:CLEAR incident: people and contacts are never public either.
    "SECRET-CLEAR-CONTACT",
    "SECRET-CLEAR-REPORTER",
    "SECRET-CLEAR-ASSET",
    "SECRET-CLEAR-OBS",
    // Members of the teams (support::CONFIG).
    "Siti Rahayu",
    "siti@example.go.id",
    "Agus Salim",
    "agus@example.go.id",
];

fn incident(id: &str, tlp: Option<&str>, tag: &str, attach: bool) -> String {
    let tlp = tlp.map(|t| format!("tlp: {t}\n")).unwrap_or_default();
    let attachment = if attach {
        format!("attachments: [lampiran/SECRET-ATTACH-{tag}10.txt]\n")
    } else {
        String::new()
    };
    format!(
        "---\nid: {id}\ntitle: SECRET-TITLE-{tag}1 situs\nstatus: reported\nreported_at: 2026-03-02T09:00:00+07:00\n{tlp}\
summary: SECRET-SUMMARY-{tag}2\nreporter: {{ name: SECRET-REPORTER-{tag}8, contact: SECRET-CONTACT-{tag}7 }}\n\
owner: SECRET-OWNER-{tag}9\nassets: [https://SECRET-ASSET-{tag}5.example]\n\
observables: [{{ type: ip, value: SECRET-OBS-{tag}6, ioc: true }}]\n{attachment}\
history:\n- {{ at: 2026-03-02T09:00:00+07:00, to: reported, by: helpdesk, actor: siti }}\n\
  - {{ at: 2026-03-02T10:00:00+07:00, to: reported, by: data, actor: agus, note: SECRET-NOTE-{tag}4 }}\n\
---\n## Laporan\n\nSECRET-BODY-{tag}3 isi laporan.\n"
    )
}

/// A TLP:CLEAR incident full of hostile text.
const HOSTILE: &str = r#"---
id: INC-2026-0001
title: "\"><script>alert('x')</script> Situs 🚨 مرحبا بالعالم & <b>tebal</b>"
status: reported
reported_at: 2026-03-01T09:00:00+07:00
tlp: clear
summary: "<img src=x onerror=alert(1)> ringkasan \"kutip\" 'tunggal'"
reporter: { name: SECRET-CLEAR-REPORTER, contact: SECRET-CLEAR-CONTACT }
assets: [https://SECRET-CLEAR-ASSET.example]
observables: [{ type: domain, value: SECRET-CLEAR-OBS, ioc: false }]
owner: "Dinas <Uji> & \"Kutip\""
history:
  - { at: 2026-03-01T09:00:00+07:00, to: reported, by: helpdesk, actor: siti }
  - { at: 2026-03-01T09:30:00+07:00, to: reported, by: helpdesk, actor: siti, note: "<script>alert(2)</script> catatan \u202Eterbalik\u202C 😀" }
---
## Laporan

<script>alert(3)</script>

Klik [di sini](javascript:alert(4)) atau [ini](JaVaScRiPt:alert(5)) dan <img src=x onerror="alert(6)">.

<a href="javascript:alert(7)">tautan</a> ]]> <!-- komentar -->
"#;

pub fn secrets_repo() -> Repo {
    let r = Repo::new();
    r.write("incidents/2026/INC-2026-0001.md", HOSTILE);
    r.write(
        "incidents/2026/INC-2026-0002.md",
        &incident("INC-2026-0002", Some("amber"), "A", true),
    );
    r.write(
        "incidents/2026/INC-2026-0003.md",
        &incident("INC-2026-0003", Some("red"), "R", true),
    );
    r.write(
        "incidents/2026/INC-2026-0004.md",
        &incident("INC-2026-0004", None, "N", false),
    );
    r.write(
        "incidents/2026/INC-2026-0005.md",
        &incident("INC-2026-0005", Some("green"), "G", false),
    );
    r.write("incidents/2026/lampiran/SECRET-ATTACH-A10.txt", "hasil pemindaian\n");
    r.write("incidents/2026/lampiran/SECRET-ATTACH-R10.txt", "hasil pemindaian\n");
    r
}

fn build(r: &Repo, out: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut args = vec!["build", "--out", out, "--now", NOW];
    args.extend_from_slice(extra);
    r.run(&args).code(0);
    tree(&r.file(out))
}

fn text(files: &[(String, Vec<u8>)]) -> Vec<(&str, String)> {
    files
        .iter()
        .map(|(p, b)| (p.as_str(), String::from_utf8_lossy(b).into_owned()))
        .collect()
}

#[test]
fn public_site_contains_no_planted_secret_in_any_file() {
    let r = secrets_repo();
    r.run(&["validate"]).code(0);
    for lang in ["id", "en"] {
        let files = build(&r, "public", &["--lang", lang]);
        assert!(files.iter().any(|(p, _)| p == "incidents/INC-2026-0001.html"));
        for (path, body) in text(&files) {
            for s in SECRETS {
                assert!(!body.contains(s), "{path} leaks {s}");
            }
        }
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        for hidden in ["INC-2026-0002", "INC-2026-0003", "INC-2026-0004", "INC-2026-0005"] {
            assert!(!names.iter().any(|p| p.contains(hidden)), "{hidden} has a page");
        }
    }
}

/// When a restricted incident was last worked on is not public: the newest change may be a
/// TLP:RED incident's, so the public edition says only its day — on the pages and in the
/// JSON API alike.
#[test]
fn the_time_of_day_of_a_restricted_incidents_change_is_not_public() {
    let r = secrets_repo();
    let p = "incidents/2026/INC-2026-0003.md";
    let red = r
        .read(p)
        .replace("at: 2026-03-02T10:00:00+07:00", "at: 2026-03-05T14:37:00+07:00");
    assert!(red.contains("14:37"));
    r.write(p, &red);
    let mut args = vec!["build", "--out", "public"];
    r.run(&args).code(0);
    for (path, body) in text(&tree(&r.file("public"))) {
        for t in ["14:37", "14.37", "2:37"] {
            assert!(!body.contains(t), "{path} tells the time of the RED change ({t})");
        }
        if path.starts_with("api/") {
            let v: serde_json::Value = serde_json::from_str(&body).expect("json");
            if let Some(u) = v.get("updated").and_then(|u| u.as_str()) {
                assert_eq!(u, "2026-03-05T00:00:00+07:00", "{path}");
            }
        }
    }
    assert!(page(&tree(&r.file("public")), "index.html").contains("5 Maret 2026"));
    // The internal edition keeps the time.
    args.extend(["--audience", "internal"]);
    args[2] = "internal";
    r.run(&args).code(0);
    let internal = tree(&r.file("internal"));
    assert!(text(&internal).iter().any(|(_, b)| b.contains("14.37")));
}

/// Issue "The public site and report: leak nothing": `occurred_at` and `detected_at` are
/// internal (docs/SITE.md "Public fields"), even of a TLP:CLEAR incident.
#[test]
fn occurrence_and_detection_times_of_a_clear_incident_stay_internal() {
    let r = sample();
    let public = build(&r, "public", &[]);
    let internal = build(&r, "internal", &["--audience", "internal"]);
    // INC-2026-0001 is TLP:CLEAR, occurred 8 January 22.14 and detected 12 January 08.30.
    for (times, files) in [(false, &public), (true, &internal)] {
        let page = page(files, "incidents/INC-2026-0001.html");
        for t in ["2026-01-08T22:14:00+07:00", "2026-01-12T08:30:00+07:00"] {
            assert_eq!(page.contains(t), times, "{t}");
        }
        for (path, body) in text(files).into_iter().filter(|(p, _)| p.starts_with("api/")) {
            assert!(!body.contains("2026-01-08T22:14"), "{path} carries occurred_at");
        }
    }
}

#[test]
fn internal_site_shows_amber_details_and_hides_red_bodies_notes_and_attachments() {
    let r = secrets_repo();
    let files = build(&r, "internal", &["--audience", "internal"]);
    let page = |id: &str| -> String {
        text(&files)
            .into_iter()
            .find(|(p, _)| *p == format!("incidents/{id}.html"))
            .map(|(_, b)| b)
            .unwrap_or_else(|| panic!("no page for {id}"))
    };
    let amber = page("INC-2026-0002");
    for s in [
        "SECRET-TITLE-A1",
        "SECRET-BODY-A3",
        "SECRET-NOTE-A4",
        "SECRET-CONTACT-A7",
        "SECRET-OBS-A6",
        "SECRET-ATTACH-A10",
        "Siti Rahayu",
    ] {
        assert!(amber.contains(s), "internal AMBER page lacks {s}");
    }
    let red = page("INC-2026-0003");
    assert!(red.contains("SECRET-TITLE-R1") && red.contains("TLP:RED"));
    for s in ["SECRET-BODY-R3", "SECRET-NOTE-R4", "SECRET-ATTACH-R10"] {
        for (path, body) in text(&files) {
            assert!(!body.contains(s), "{path} shows the RED incident's {s}");
        }
    }
}

#[test]
fn hostile_text_renders_as_text_and_every_json_and_xml_output_parses() {
    let r = secrets_repo();
    for audience in ["public", "internal"] {
        let files = build(&r, audience, &["--audience", audience]);
        for (path, body) in text(&files) {
            let lower = body.to_lowercase();
            if path.ends_with(".html") || path.ends_with(".xml") {
                assert!(!lower.contains("<script"), "{path} has a script element");
                assert!(!lower.contains("<img"), "{path} has an img element");
                assert!(!lower.contains("<a href=\"javascript"), "{path} links to javascript:");
                for tag in lower.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
                    let handler = tag
                        .split_whitespace()
                        .skip(1)
                        .any(|a| a.starts_with("on") && a.contains('='));
                    assert!(!handler, "{path}: event handler attribute in <{tag}>");
                    assert!(!tag.contains("javascript:"), "{path}: javascript: in <{tag}>");
                }
                assert!(!lower.contains("<b>tebal"), "{path} renders raw HTML");
            }
            if path.ends_with(".json") {
                serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
            }
            if path.ends_with(".xml") || path.ends_with(".svg") {
                well_formed(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
            }
        }
        let page = String::from_utf8_lossy(
            &files
                .iter()
                .find(|(p, _)| p == "incidents/INC-2026-0001.html")
                .expect("page")
                .1,
        )
        .into_owned();
        assert!(
            page.contains("مرحبا بالعالم") && page.contains("🚨"),
            "RTL text and emoji kept"
        );
        assert!(page.contains("&lt;script&gt;"), "scripts shown as text");
        let feed = String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "feed.xml").expect("feed").1).into_owned();
        assert!(feed.contains("INC-2026-0001"), "{feed}");
    }
}

/// Parses `xml` to the end with quick-xml.
fn well_formed(xml: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Text(t)) => {
                t.unescape().map_err(|e| e.to_string())?;
            }
            Ok(_) => {}
            Err(e) => return Err(format!("at {}: {e}", reader.error_position())),
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(format!("unbalanced elements ({depth})"))
    }
}

/// Every `href="…"` and `src="…"` of an HTML file.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&#x2f;", "/").replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

fn assert_links_resolve(root: &Path, files: &[(String, Vec<u8>)]) {
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html") && p != "404.html") {
        let html = String::from_utf8_lossy(bytes);
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        for link in links(&html) {
            assert!(
                !link.starts_with('/') && !link.starts_with("//"),
                "{path}: absolute link {link} breaks under a sub-path"
            );
            if link.starts_with("http:") || link.starts_with("https:") || link.starts_with("mailto:") {
                continue;
            }
            let target = link.split('#').next().unwrap_or("");
            if target.is_empty() {
                continue;
            }
            let resolved = root.join(dir).join(target);
            assert!(resolved.is_file(), "{path}: broken link {link}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn every_internal_link_resolves_on_the_sample_data() {
    let r = sample();
    r.run(&["validate"]).code(0);
    for audience in ["public", "internal"] {
        for lang in ["id", "en"] {
            let out = format!("site-{audience}-{lang}");
            let files = build(&r, &out, &["--audience", audience, "--lang", lang]);
            assert_links_resolve(&r.file(&out), &files);
        }
    }
    let files = build(&r, "secrets", &["--audience", "internal"]);
    let _ = files;
}

#[test]
fn sample_site_has_every_page_kind_and_times_in_wib() {
    let r = sample();
    let files = build(&r, "public", &[]);
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for must in [
        "index.html",
        "404.html",
        "feed.xml",
        "style.css",
        "api/incidents.json",
        "api/status.json",
        "api/schema/incidents.schema.json",
        "api/schema/status.schema.json",
        "archive/index.html",
        "archive/2026.html",
        "archive/2026-02.html",
        "categories/index.html",
        "categories/defacement.html",
        "owners/index.html",
        "reports/index.html",
        "reports/2026-02.html",
        "reports/2026-Q1.html",
        "reports/2026.html",
        "incidents/INC-2026-0003.html",
    ] {
        assert!(names.contains(&must), "missing {must}: {names:?}");
    }
    let page = String::from_utf8_lossy(
        &files
            .iter()
            .find(|(p, _)| p == "incidents/INC-2026-0003.html")
            .expect("page")
            .1,
    )
    .into_owned();
    assert!(page.contains("<time datetime=\"2026-02-10T10:12:00+07:00\">10 Februari 2026 10.12 WIB</time>"));
    assert!(page.contains("TLP:CLEAR") && page.contains("lang=\"id\""));
    let report =
        String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "reports/2026.html").expect("report").1).into_owned();
    assert!(report.contains("<svg") && report.contains("role=\"img\""));
    for (path, body) in text(&files) {
        assert!(
            !body.contains("//fonts.") && !body.contains("<script"),
            "{path} loads something from elsewhere"
        );
    }
    let feed = String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "feed.xml").expect("feed").1).into_owned();
    well_formed(&feed).expect("feed");
    assert!(feed.matches("<entry>").count() <= 50);
    assert!(
        feed.contains("<id>tag:csirt.trenggalekkab.example,2026-"),
        "stable tag ids"
    );
}

/// Issue "The public site and report: leak nothing, and still tell stakeholders something":
/// every page says when its data last changed, from the newest history entry, not the clock.
#[test]
fn every_page_says_when_its_data_last_changed() {
    let r = sample();
    r.run(&["build", "--out", "public"]).code(0);
    let files = tree(&r.file("public"));
    let mut pages = 0;
    for (path, body) in text(&files).into_iter().filter(|(p, _)| p.ends_with(".html")) {
        // INC-2026-0015's report on 27 November 2026 is the newest entry of the sample.
        assert!(
            body.contains("Diperbarui <time datetime=\"2026-11-27\">27 November 2026</time>"),
            "{path} does not say when its data last changed"
        );
        pages += 1;
    }
    assert!(pages > 50);
}

#[test]
fn building_twice_gives_identical_bytes() {
    let r = sample();
    for audience in ["public", "internal"] {
        let a = build(&r, "a", &["--audience", audience]);
        let b = build(&r, "b", &["--audience", audience]);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert!(x == y, "{} differs between builds", x.0);
        }
    }
    // Without --now the public edition does not depend on the clock.
    r.run(&["build", "--out", "c"]).code(0);
    r.run(&["build", "--out", "d"]).code(0);
    assert!(tree(&r.file("c")) == tree(&r.file("d")));
}

/// Incident pages, lists and report pages are written without the template engine while their
/// templates (`incident.html`, `list.html`, `macros.html`, `report-page.html`,
/// `report-body.html`, `layout.html`) are the built-ins: a site whose `site-templates/` holds
/// copies of them (so the engine renders them) is the same site, byte for byte, in both
/// editions and languages, for the sample data (every field an incident may have), a regency's
/// year (every step and state) and the planted secrets and hostile text of every TLP.
#[test]
fn pages_written_directly_are_the_same_with_the_builtin_templates_copied_into_site_templates() {
    let builtins = [
        ("incident.html", include_str!("../../src/templates/incident.html")),
        ("list.html", include_str!("../../src/templates/list.html")),
        ("macros.html", include_str!("../../src/templates/macros.html")),
        ("report-page.html", include_str!("../../src/templates/report-page.html")),
        ("report-body.html", include_str!("../../src/templates/report-body.html")),
        ("layout.html", include_str!("../../src/templates/layout.html")),
    ];
    // Each repository with the fewest incident pages, lists and reports its four builds make.
    for (r, least) in [
        (sample(), 20),
        (crate::support::regency(&[2026], 150, 3, NOW), 20),
        (secrets_repo(), 12),
    ] {
        let mut sites = Vec::new();
        for copies in [false, true] {
            for (name, text) in builtins {
                let path = r.file(&format!("site-templates/{name}"));
                if copies {
                    r.write(&format!("site-templates/{name}"), text);
                } else {
                    let _ = std::fs::remove_file(path);
                }
            }
            let mut site = Vec::new();
            for audience in ["public", "internal"] {
                for lang in ["id", "en"] {
                    site.extend(build(&r, "out", &["--audience", audience, "--lang", lang]));
                }
            }
            sites.push(site);
        }
        let pages = sites[0].iter().filter(|(p, _)| p.starts_with("incidents/")).count();
        assert!(pages >= least, "{pages} incident pages");
        let lists = sites[0].iter().filter(|(p, _)| is_list(p)).count();
        assert!(lists >= least, "{lists} lists");
        let reports = sites[0].iter().filter(|(p, _)| is_report(p)).count();
        assert!(reports >= least, "{reports} reports");
        assert_eq!(sites[0].len(), sites[1].len());
        for (direct, engine) in sites[0].iter().zip(&sites[1]) {
            assert!(direct == engine, "{} differs from the engine's page", direct.0);
        }
    }
}

/// A page `list.html` makes: a year or month of the archive, a category's, an owner's.
fn is_list(path: &str) -> bool {
    ["archive/", "categories/", "owners/"]
        .iter()
        .any(|d| path.starts_with(d) && path.ends_with(".html") && !path.ends_with("/index.html"))
}

/// A page `report-page.html` makes: a period's report.
fn is_report(path: &str) -> bool {
    path.starts_with("reports/") && path.ends_with(".html") && path != "reports/index.html"
}

/// A replaced `layout.html`, `incident.html`, `list.html`, `macros.html`, `report-page.html` or
/// `report-body.html` is what incident pages, lists and reports are made of, from the working
/// tree and from a revision (`--rev`).
#[test]
fn a_replaced_template_shapes_the_pages_written_without_the_engine() {
    let r = sample();
    r.write(".gitignore", "/out/\n");
    r.git_init();
    // (template, where the mark goes, the pages that must carry it)
    let incidents = |p: &str| p.starts_with("incidents/");
    let lists_with_tables = |p: &str, page: &str| is_list(p) && page.contains("<table");
    for (name, builtin) in [
        ("layout.html", include_str!("../../src/templates/layout.html")),
        ("incident.html", include_str!("../../src/templates/incident.html")),
        ("list.html", include_str!("../../src/templates/list.html")),
        ("macros.html", include_str!("../../src/templates/macros.html")),
        ("report-page.html", include_str!("../../src/templates/report-page.html")),
        ("report-body.html", include_str!("../../src/templates/report-body.html")),
    ] {
        let _ = std::fs::remove_dir_all(r.file("site-templates"));
        let mark = format!("<!-- {name} of the organisation -->");
        r.write(
            &format!("site-templates/{name}"),
            &builtin
                .replace("<h1>", &format!("{mark}<h1>"))
                .replace("<body", &format!("{mark}<body"))
                .replace("<tbody>", &format!("{mark}<tbody>"))
                .replace("{% block main %}\n", &format!("{{% block main %}}\n{mark}")),
        );
        r.commit("Siti", "siti@example.org", "2026-11-01T09:00:00+07:00", name);
        let from_tree = build(&r, "out", &["--audience", "internal"]);
        std::fs::remove_dir_all(r.file("site-templates")).expect("rm");
        let from_rev = build(&r, "out", &["--audience", "internal", "--rev", "HEAD"]);
        for files in [from_tree, from_rev] {
            let marked: Vec<_> = files
                .iter()
                .filter(|(p, bytes)| {
                    let page = String::from_utf8_lossy(bytes);
                    match name {
                        "layout.html" => incidents(p) || is_list(p) || is_report(p),
                        "incident.html" => incidents(p),
                        "list.html" => is_list(p),
                        "macros.html" => lists_with_tables(p, &page),
                        _ => is_report(p),
                    }
                })
                .collect();
            assert!(marked.len() >= 5, "{} pages made of {name}", marked.len());
            for (p, bytes) in marked {
                assert!(
                    String::from_utf8_lossy(bytes).contains(&mark),
                    "{p} without the {name} mark"
                );
            }
        }
    }
}

/// Pages are written as they are rendered, on every core, and the JSON API a slice at a
/// time: the bytes depend neither on the number of threads nor on where the slices fall
/// (more incidents than one slice).
#[test]
fn the_site_is_the_same_on_one_thread_and_on_many() {
    let r = crate::support::varied(700, 15);
    for audience in ["public", "internal"] {
        let mut sites = Vec::new();
        for threads in ["1", "3"] {
            let out = format!("site-{threads}");
            r.run_env(
                &[("RAYON_NUM_THREADS", threads)],
                &["build", "--out", &out, "--now", NOW, "--audience", audience],
            )
            .code(0);
            sites.push(tree(&r.file(&out)));
        }
        assert_eq!(sites[0].len(), sites[1].len());
        for (x, y) in sites[0].iter().zip(&sites[1]) {
            assert!(x == y, "{} differs between one thread and three ({audience})", x.0);
        }
        if audience == "internal" {
            let api = sites[0].iter().find(|(p, _)| p == "api/incidents.json").expect("api");
            let doc: serde_json::Value = serde_json::from_slice(&api.1).expect("json");
            assert_eq!(doc["incidents"].as_array().map(Vec::len), Some(700));
        }
    }
}

#[test]
fn without_now_no_page_prints_a_generation_time() {
    let r = sample();
    for lang in ["id", "en"] {
        r.run(&["build", "--out", "c", "--lang", lang]).code(0);
        let files = tree(&r.file("c"));
        let mut reports = 0;
        for (path, body) in text(&files).into_iter().filter(|(p, _)| p.starts_with("reports/")) {
            for label in ["Dibuat", "Generated", "Keadaan per", "As of"] {
                assert!(
                    !body.contains(&format!("<dt>{label}</dt>")),
                    "{path} prints a generation time"
                );
            }
            reports += 1;
        }
        assert!(reports > 3);
        let status: serde_json::Value = serde_json::from_str(&r.read("c/api/status.json")).expect("json");
        assert!(status["as_of"].is_null());
    }
    // With --now the report pages say when they were made.
    let files = build(&r, "d", &[]);
    let page = text(&files)
        .into_iter()
        .find(|(p, _)| *p == "reports/2026.html")
        .expect("page")
        .1;
    assert!(
        page.contains("<dt>Dibuat</dt><dd><time datetime=\"2026-11-28T09:00:00+07:00\">"),
        "{page}"
    );
}

#[test]
fn an_invalid_incident_stops_the_build_and_leaves_the_previous_site() {
    let r = sample();
    let before = build(&r, "public", &[]);
    r.write(
        "incidents/2026/INC-2026-0099.md",
        "---\nid: INC-2026-0099\ntitle: x\nstatus: closed\n---\n",
    );
    let validate = r.run(&["validate", "--now", NOW]);
    validate.code(1);
    let run = r.run(&["build", "--now", NOW]);
    run.code(1);
    assert!(run.stderr.contains("INC-2026-0099.md"), "{}", run.stderr);
    assert_eq!(run.stderr, validate.stderr, "the same diagnostics as validate");
    assert!(tree(&r.file("public")) == before, "previous output untouched");
}

#[test]
fn an_override_template_replaces_the_builtin_and_its_errors_name_file_and_line() {
    let r = sample();
    r.write(
        "site-templates/404.html",
        "<!DOCTYPE html><title>{{ title }}</title><p>Khusus {{ site.organization }}</p>\n",
    );
    let files = build(&r, "public", &[]);
    let nf = String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "404.html").expect("404").1).into_owned();
    assert!(nf.contains("Khusus Trenggalekkab-CSIRT"), "{nf}");
    r.write(
        "site-templates/incident.html",
        "{% extends \"layout.html\" %}\n{% block main %}\n{{ incident.secret_field }}\n{% endblock %}\n",
    );
    let run = r.run(&["build", "--now", NOW]);
    run.code(2);
    assert!(run.stderr.contains("site-templates/incident.html:3"), "{}", run.stderr);
    r.write("site-templates/incident.html", "{% if %}\n");
    r.run(&["build"]).code(2).stderr_has("site-templates/incident.html:1");
    // Both the overview and the incident pages failing: the overview's error is told, every
    // time, whichever part of the build stopped first.
    r.write(
        "site-templates/incident.html",
        "{% extends \"layout.html\" %}\n{% block main %}\n{{ incident.secret_field }}\n{% endblock %}\n",
    );
    r.write(
        "site-templates/index.html",
        "{% extends \"layout.html\" %}\n{% block main %}\n\n{{ overview.secret_field }}\n{% endblock %}\n",
    );
    for _ in 0..3 {
        let run = r.run(&["build", "--now", NOW]);
        run.code(2).stderr_has("site-templates/index.html:4");
        assert!(!run.stderr.contains("incident.html"), "{}", run.stderr);
    }
}

#[test]
fn an_unknown_template_name_stops_the_build_naming_the_file_and_the_builtins() {
    let r = sample();
    let before = build(&r, "public", &[]);
    r.write("site-templates/incidents.html", "{{ title }}\n");
    let run = r.run(&["build", "--now", NOW]);
    run.code(2)
        .stderr_has("site-templates/incidents.html")
        .stderr_has("incident.html")
        .stderr_has("layout.html")
        .stderr_has("style.css");
    assert!(tree(&r.file("public")) == before, "previous output untouched");
    r.run(&["report", "--period", "2026", "--format", "html"])
        .code(2)
        .stderr_has("site-templates/incidents.html");
}

#[cfg(unix)]
#[test]
fn an_out_that_is_a_link_updates_the_folder_it_names_and_stays_a_link() {
    let r = sample();
    r.write(".gitignore", "/public/\n/dangling/\n");
    let www = tempfile::tempdir().expect("web root");
    let site = www.path().join("site");
    let site_arg = site.display().to_string();
    build(&r, &site_arg, &[]);
    assert!(!site.join("sop.html").exists(), "the public edition has no SOP page");
    std::os::unix::fs::symlink(&site, r.file("public")).expect("link");
    let run = r.run(&["build", "--out", "public", "--audience", "internal", "--now", NOW]);
    run.code(0)
        .stderr_has(&site.canonicalize().expect("site").display().to_string());
    let link = std::fs::symlink_metadata(r.file("public")).expect("public");
    assert!(link.file_type().is_symlink(), "`public` is still the link");
    assert!(
        site.join("sop.html").is_file(),
        "the folder the link names holds the new site"
    );
    let beside: Vec<_> = std::fs::read_dir(www.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(beside, ["site"], "nothing left beside the site");
    // A link to nothing: refused, with what to do.
    std::os::unix::fs::symlink(www.path().join("gone"), r.file("dangling")).expect("link");
    r.run(&["build", "--out", "dangling", "--now", NOW])
        .code(2)
        .stderr_has("cannot be reached")
        .stderr_has("give the folder itself");
    assert!(!www.path().join("gone").exists());
}

/// `--internal-out`: one reading of the incidents, two sites, each the bytes its own call
/// makes; the public one still holds no planted secret.
#[test]
fn both_editions_in_one_call_are_the_bytes_of_two_calls_and_keep_their_audiences_apart() {
    for r in [secrets_repo(), sample()] {
        let public = build(&r, "public", &[]);
        let internal = build(&r, "internal", &["--audience", "internal"]);
        let run = r.run(&["build", "--out", "site", "--internal-out", "intranet", "--now", NOW]);
        run.code(0)
            .stderr_has("into site (public, id)")
            .stderr_has("into intranet (internal, id)");
        assert!(
            tree(&r.file("site")) == public,
            "the public edition differs from its own call's"
        );
        assert!(
            tree(&r.file("intranet")) == internal,
            "the internal edition differs from its own call's"
        );
        for (path, body) in text(&public) {
            for s in SECRETS {
                assert!(!body.contains(s), "{path} leaks {s}");
            }
        }
    }
}

#[test]
fn the_two_editions_of_one_call_go_to_folders_apart() {
    let r = sample();
    for (out, internal) in [
        ("site", "site/intern"),
        ("site", "./site"),
        ("site", "x/../site"),
        ("intern/site", "intern"),
        // One folder where names are compared in any case (macOS, Windows): refused everywhere.
        ("site", "SITE/intern"),
    ] {
        r.run(&["build", "--out", out, "--internal-out", internal])
            .code(2)
            .stderr_has("one holds the other")
            .stderr_has("side by side");
        assert!(
            !r.file("site").exists() && !r.file("intern").exists(),
            "{out} {internal}: nothing written"
        );
    }
    // Through a link the operator made: still inside the public site.
    build(&r, "site", &[]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(r.file("site"), r.file("web")).expect("link");
        let before = tree(&r.file("site"));
        r.run(&["build", "--out", "site", "--internal-out", "web/intern"])
            .code(2)
            .stderr_has("one holds the other");
        assert!(tree(&r.file("site")) == before, "the public site is as it was");
    }
    r.run(&["build", "--audience", "internal", "--internal-out", "intern"])
        .code(2)
        .stderr_has("--internal-out builds the internal edition beside the public one")
        .stderr_has("leave out --audience internal");
    // The public site given as a link to a folder that holds the internal one.
    #[cfg(unix)]
    {
        build(&r, "www", &[]);
        std::os::unix::fs::symlink(r.file("www"), r.file("pub")).expect("link");
        r.run(&["build", "--out", "pub", "--internal-out", "www/intern"])
            .code(2)
            .stderr_has("one holds the other");
    }
}

/// A template only the internal edition uses (the SOP page) fails the call, and neither
/// site is replaced: both are swapped in only once both are written.
#[test]
fn an_edition_that_fails_leaves_both_previous_sites() {
    let r = sample();
    r.run(&["build", "--out", "site", "--internal-out", "intern", "--now", NOW])
        .code(0);
    let (site, intern) = (tree(&r.file("site")), tree(&r.file("intern")));
    r.write(
        "site-templates/sop.html",
        "{% extends \"layout.html\" %}\n{% block main %}\n{{ sop.steps|nope }}\n{% endblock %}\n",
    );
    // Alone, the public edition builds (without --now, so its pages differ from before).
    r.run(&["build", "--out", "site"]).code(0);
    let public_alone = tree(&r.file("site"));
    assert!(public_alone != site, "the public edition alone was rebuilt");
    r.run(&["build", "--out", "site", "--internal-out", "intern"])
        .code(2)
        .stderr_has("site-templates/sop.html:3");
    assert!(tree(&r.file("site")) == public_alone, "the public site is as it was");
    assert!(tree(&r.file("intern")) == intern, "the internal site is as it was");
    let beside: Vec<String> = std::fs::read_dir(r.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".git")
        .collect();
    assert!(beside.is_empty(), "staging folders left: {beside:?}");
}

#[test]
fn build_refuses_to_replace_a_folder_it_did_not_write() {
    let r = sample();
    let run = r.run(&["build", "--out", "incidents"]);
    run.code(2);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert!(r.file("incidents/2026/INC-2026-0003.md").is_file());
    r.run(&["build", "--out", "."]).code(2);
    // Spelled through a folder that does not exist yet and `..`: judged where it leads once
    // that folder is made. The folder holding the repository was replaced, the repository
    // with it, when such a path was judged as written.
    let repo_name = r.path().file_name().expect("name").to_string_lossy().into_owned();
    for out in [
        format!("nope/../../{repo_name}"),
        "nope/..".to_owned(),
        "nope/../incidents".to_owned(),
    ] {
        let run = r.run(&["build", "--out", &out]);
        run.code(2);
        assert!(run.stderr.contains("refusing"), "{out}: {}", run.stderr);
        assert!(r.file("incidents/2026/INC-2026-0003.md").is_file(), "{out}");
        assert!(!r.file("nope").exists(), "{out}: nothing made on the way");
    }
    // Its honest twin: the folder it leads to is built, and named as given.
    r.run(&["build", "--out", "nope/../situs"])
        .code(0)
        .stderr_has("into nope/../situs (public");
    assert!(r.file("situs/index.html").is_file() && !r.file("nope").exists());
}

fn page<'a>(files: &'a [(String, Vec<u8>)], path: &str) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(
        &files
            .iter()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .1,
    )
}

#[test]
fn bidi_override_characters_never_reach_a_page_or_the_feed() {
    let r = Repo::new();
    let at = "2026-03-01T09:00:00+07:00";
    let file = crate::support::reported("INC-2026-0001", at)
        .replace(
            "title: Situs desa diretas",
            "title: \"Situs \u{202E}terbalik tanpa penutup \u{2067}isolat\"\ntlp: clear\nowner: \"Dinas \u{202D}Uji\"\nsummary: \"ringkasan \u{202E}balik\"",
        )
        .replace(
            "actor: siti }",
            "actor: siti }\n  - { at: 2026-03-01T10:00:00+07:00, to: reported, by: helpdesk, actor: siti, note: \"catatan \u{202B}x\" }",
        );
    r.write("incidents/2026/INC-2026-0001.md", &file);
    r.run(&["validate"]).code(0);
    for audience in ["public", "internal"] {
        let files = build(&r, audience, &["--audience", audience]);
        for (path, body) in text(&files) {
            for c in [
                '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
                '\u{2069}',
            ] {
                assert!(!body.contains(c), "{path} carries U+{:04X}", c as u32);
            }
        }
        let page = text(&files)
            .into_iter()
            .find(|(p, _)| *p == "incidents/INC-2026-0001.html")
            .expect("page")
            .1;
        assert!(
            page.contains("<bdi>Situs terbalik tanpa penutup isolat</bdi>"),
            "{page}"
        );
        assert!(page.contains("<p class=\"lead\" dir=\"auto\">"), "{page}");
        let feed = text(&files)
            .into_iter()
            .find(|(p, _)| *p == "feed.xml")
            .expect("feed")
            .1;
        well_formed(&feed).expect("feed");
        assert!(feed.contains("Situs terbalik tanpa penutup isolat</title>"), "{feed}");
    }
    let md = r
        .run(&["report", "--period", "2026-03", "--audience", "public"])
        .code(0)
        .stdout
        .clone();
    assert!(!md.contains('\u{202E}') && md.contains("Situs terbalik"), "{md}");
}

#[test]
fn the_404_page_links_from_the_base_url_path_at_any_depth() {
    let r = sample();
    let files = build(&r, "public", &[]);
    let nf = text(&files).into_iter().find(|(p, _)| *p == "404.html").expect("404").1;
    let hrefs = links(&nf);
    assert!(hrefs.contains(&"/status/style.css".to_owned()), "{hrefs:?}");
    assert!(hrefs.contains(&"/status/index.html".to_owned()), "{hrefs:?}");
    assert!(hrefs.iter().all(|h| h.starts_with("/status/")), "{hrefs:?}");
    // Without a base URL: links from the host's root and the stylesheet inline.
    let cfg = r.read("insiden.yaml").replace(
        "base_url: https://csirt.trenggalekkab.example/status/",
        "base_url: \"\"",
    );
    r.write("insiden.yaml", &cfg);
    let files = build(&r, "public", &[]);
    let nf = text(&files).into_iter().find(|(p, _)| *p == "404.html").expect("404").1;
    assert!(nf.contains("<style>") && !nf.contains("stylesheet"), "{nf}");
    assert!(links(&nf).iter().all(|h| h.starts_with('/')), "{nf}");
}

#[test]
fn feed_links_are_absolute_under_xml_base_and_the_feed_stays_well_formed() {
    let r = sample();
    let files = build(&r, "public", &[]);
    let feed = text(&files)
        .into_iter()
        .find(|(p, _)| *p == "feed.xml")
        .expect("feed")
        .1;
    well_formed(&feed).expect("feed");
    assert!(
        feed.contains("xml:base=\"https:&#x2f;&#x2f;csirt.trenggalekkab.example&#x2f;status&#x2f;\""),
        "{feed}"
    );
    let hrefs = links(&feed);
    assert!(hrefs.len() > 2);
    for h in &hrefs {
        assert!(h.starts_with("https://csirt.trenggalekkab.example/status/"), "{h}");
    }
    assert!(hrefs.contains(&"https://csirt.trenggalekkab.example/status/incidents/INC-2026-0003.html".to_owned()));
    // Without a base URL: relative links, no xml:base.
    let cfg = r.read("insiden.yaml").replace(
        "base_url: https://csirt.trenggalekkab.example/status/",
        "base_url: \"\"",
    );
    r.write("insiden.yaml", &cfg);
    let files = build(&r, "public", &[]);
    let feed = text(&files)
        .into_iter()
        .find(|(p, _)| *p == "feed.xml")
        .expect("feed")
        .1;
    well_formed(&feed).expect("feed");
    assert!(
        !feed.contains("xml:base") && links(&feed).contains(&"index.html".to_owned()),
        "{feed}"
    );
}

/// Every count of a JSON document: (path, value), a count being a `count` member or one of
/// the status document's top-level numbers.
fn json_counts(v: &serde_json::Value, path: &str, out: &mut Vec<(String, serde_json::Value)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                let is_count = k == "count"
                    || (path.is_empty() && ["total", "open", "closed", "rejected"].contains(&k.as_str()))
                    || (path.ends_with("year_to_date") || path.ends_with("last_30_days"))
                        && ["reported", "closed"].contains(&k.as_str());
                if is_count {
                    out.push((p, x.clone()));
                } else {
                    json_counts(x, &p, out);
                }
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                json_counts(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Issue "The public site and report: leak nothing, and still tell stakeholders something":
/// at a regency's real volume (about 250 incidents a year, a third TLP:CLEAR) the public API
/// must say something: at most a quarter of its counts suppressed.
#[test]
fn at_a_regency_volume_the_public_api_suppresses_at_most_a_quarter_of_its_counts() {
    let now = "2026-11-28T09:00:00+07:00";
    let r = crate::support::regency(&[2025, 2026], 250, 5, now);
    r.run(&["validate", "--now", now]).code(0);
    r.run(&["build", "--out", "public", "--now", now]).code(0);
    let mut cells = Vec::new();
    for doc in ["api/status.json", "api/incidents.json"] {
        let v: serde_json::Value = serde_json::from_str(&r.read(&format!("public/{doc}"))).expect("json");
        json_counts(&v, doc, &mut cells);
    }
    let suppressed: Vec<&(String, serde_json::Value)> = cells.iter().filter(|(_, c)| !c.is_u64()).collect();
    let ratio = suppressed.len() as f64 / cells.len() as f64;
    eprintln!(
        "public API: {} of {} counts suppressed ({:.0} %): {suppressed:?}",
        suppressed.len(),
        cells.len(),
        ratio * 100.0
    );
    assert!(cells.len() > 20, "{cells:?}");
    assert!(ratio <= 0.25, "{} of {} suppressed", suppressed.len(), cells.len());
}

/// Issue "The public site and report: leak nothing, and still tell stakeholders something":
/// one language per page. The English edition carries no Indonesian interface text, the
/// Indonesian one no English units, and each writes numbers its own way.
#[test]
fn each_edition_speaks_one_language_and_writes_numbers_its_way() {
    use insiden::workflow::Lang;
    let r = sample();
    let id = insiden::i18n::ui(Lang::Id);
    let en = insiden::i18n::ui(Lang::En);
    // Indonesian interface text that English never shares, long enough not to be a name.
    let indonesian: Vec<&str> = id
        .iter()
        .filter(|(k, v)| en.get(*k) != Some(*v) && v.chars().count() >= 6)
        .map(|(_, v)| *v)
        .filter(|v| !en.values().any(|e| e.contains(v)))
        .collect();
    assert!(indonesian.len() > 100);
    for audience in ["public", "internal"] {
        let out = format!("en-{audience}");
        let files = build(&r, &out, &["--audience", audience, "--lang", "en"]);
        for (path, body) in text(&files) {
            // Incident pages and lists carry the incidents' own (Indonesian) titles and text.
            if !path.ends_with(".html") || path.starts_with("incidents/") {
                continue;
            }
            // Incident titles and owners (isolated in <bdi>) and the configured names are data.
            let ui: String = body
                .split("<bdi>")
                .map(|s| s.split_once("</bdi>").map_or(s, |(_, b)| b))
                .collect();
            // So is the incidents' own text in the internal report.
            let ui: String = ui
                .split("<div class=\"incident-text-body\">")
                .map(|s| s.split_once("</div><!-- incident-text-body -->").map_or(s, |(_, b)| b))
                .collect();
            let ui = [
                "Status Layanan Insiden Keamanan Informasi",
                "Dinas Komunikasi dan Informatika Kabupaten Trenggalek",
            ]
            .iter()
            .fold(ui, |ui, name| ui.replace(name, ""));
            for t in &indonesian {
                assert!(!ui.contains(&html_text(t)), "{audience} {path} says {t:?}");
            }
            for t in ["Tipe", "Nilai"] {
                assert!(!ui.contains(&format!(">{t}<")), "{audience} {path} says {t}");
            }
        }
    }
    // Durations in words, not "5d 8h"; decimals with a comma.
    let files = build(&r, "id-internal", &["--audience", "internal"]);
    let overview = page(&files, "index.html");
    assert!(
        overview.contains(" hari ") || overview.contains(" jam "),
        "no duration in words"
    );
    let units = ["d ", "h ", "m<"];
    for cell in overview.split("<td class=\"num\"").skip(1) {
        let cell = cell.split("</td>").next().unwrap_or("");
        for u in units {
            let bare = cell
                .char_indices()
                .any(|(i, c)| c.is_ascii_digit() && cell[i + 1..].starts_with(u));
            assert!(!bare, "English unit in {cell}");
        }
    }
    let report = page(&files, "reports/2026.html");
    let kpi = report.split("<table class=\"kpi\">").nth(1).expect("kpi table");
    assert!(kpi.contains(',') && !kpi.contains(". / "), "{kpi}");
    let en_report = build(&r, "en-internal-report", &["--audience", "internal", "--lang", "en"]);
    let kpi = page(&en_report, "reports/2026.html");
    let kpi = kpi.split("<table class=\"kpi\">").nth(1).expect("kpi table");
    let decimal_comma = kpi.char_indices().any(|(i, c)| {
        c == ','
            && i > 0
            && kpi.as_bytes()[i - 1].is_ascii_digit()
            && kpi.as_bytes().get(i + 1).is_some_and(u8::is_ascii_digit)
            && kpi.as_bytes().get(i + 2).is_none_or(|b| !b.is_ascii_digit())
    });
    assert!(!decimal_comma, "a decimal comma in the English edition");
    // The Markdown and CSV reports follow the language too.
    let md = r
        .run(&["report", "--period", "2026", "--now", NOW])
        .code(0)
        .stdout
        .clone();
    assert!(!md.contains("n=") || !md.contains(".0 /"), "{md}");
    let csv = r
        .run(&["report", "--period", "2026", "--format", "csv", "--now", NOW])
        .code(0)
        .stdout
        .clone();
    let csv_en = r
        .run(&[
            "report", "--period", "2026", "--format", "csv", "--lang", "en", "--now", NOW,
        ])
        .code(0)
        .stdout
        .clone();
    assert!(
        csv.contains(",\"") && csv.lines().skip(1).any(|l| l.contains(",\"") && l.contains(',')),
        "{csv}"
    );
    assert!(!csv_en.contains('"'), "{csv_en}");
}

/// Text as minijinja escapes it in HTML.
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}
