//! The site in a real browser: Debian's `chromium`, headless, opens the overview and an
//! incident page of the sample site from `file://`, and we check that
//!
//! * no network request was attempted by the page: Chromium's NetLog (`--log-net-log`) records
//!   every URL request with its network isolation key; a request made on behalf of a
//!   `file://` page carries `file://` there, while the browser's own background traffic does
//!   not. Any `http(s)`/`ws(s)` request from a `file://` page fails the test;
//! * no console message was logged (`--enable-logging=stderr` prints each as `CONSOLE`;
//!   the pages have no script, so any message is an error such as a blocked resource);
//! * the page rendered (its DOM, from `--dump-dom`, holds the expected heading);
//! * on a phone (390 px wide) nothing is off-screen: the document is no wider than the screen
//!   and every cell of an incident table (the TLP, the dates) lies within it, measured in a
//!   frame by a script of the test's own (the pages have none).
//!
//! Screenshots at 1280 and 390 px go to `target/screenshots/`. Without chromium the test is
//! skipped with a notice, unless `INSIDEN_REQUIRE_BROWSER` is set (CI sets it).

use crate::support::sample;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(profile: &Path, extra: &[String], url: &str) -> std::process::Output {
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium")
}

/// Requests to the network made on behalf of a `file://` page, from a NetLog file.
fn page_requests(netlog: &str) -> Vec<String> {
    netlog
        .lines()
        .filter(|l| l.contains("file://"))
        .filter_map(|l| {
            let i = l.find("\"url\":\"")?;
            let url = &l[i + 7..];
            let url = &url[..url.find('"')?];
            ["http:", "https:", "ws:", "wss:", "ftp:"]
                .iter()
                .any(|s| url.starts_with(s))
                .then(|| url.to_owned())
        })
        .collect()
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let d = target.join("screenshots");
    std::fs::create_dir_all(&d).expect("screenshots dir");
    d
}

#[test]
fn pages_open_from_file_urls_without_network_requests_or_console_errors() {
    if !have_browser() {
        return;
    }
    let r = sample();
    let shots = screenshots_dir();
    for audience in ["public", "internal"] {
        let out = format!("site-{audience}");
        r.run(&[
            "build",
            "--out",
            &out,
            "--audience",
            audience,
            "--now",
            "2026-11-28T09:00:00+07:00",
        ])
        .code(0);
        for (page, heading) in [
            ("index.html", "Status Layanan Insiden Keamanan Informasi"),
            ("incidents/INC-2026-0003.html", "Defacement pada situs Desa Sumberagung"),
            ("reports/2026.html", "Laporan Layanan Insiden Keamanan Informasi"),
            ("archive/2026.html", "Arsip 2026"),
        ] {
            let name = format!("{audience}-{}", page.replace('/', "-").replace(".html", ""));
            look(&r, &out, page, heading, &name, &shots);
        }
    }
}

/// Whether chromium is there; without it (and without `INSIDEN_REQUIRE_BROWSER`) a browser
/// test is skipped with a notice.
fn have_browser() -> bool {
    if Path::new(CHROMIUM).is_file() {
        return true;
    }
    assert!(
        std::env::var_os("INSIDEN_REQUIRE_BROWSER").is_none(),
        "INSIDEN_REQUIRE_BROWSER is set but {CHROMIUM} is missing"
    );
    eprintln!("notice: {CHROMIUM} not found; browser test skipped (apt-get install chromium)");
    false
}

#[test]
fn a_regencys_public_overview_shows_numbers_and_reads_on_a_phone() {
    if !have_browser() {
        return;
    }
    // Two years of a regency's volume, about a third TLP:CLEAR.
    let now = "2026-11-28T09:00:00+07:00";
    let r = crate::support::regency(&[2025, 2026], 250, 5, now);
    r.run(&["build", "--out", "site-regency", "--now", now]).code(0);
    let index = r.read("site-regency/index.html");
    // Real numbers in the headline figures, not only markers of suppressed counts.
    let numbers = |class: &str| -> Vec<String> {
        index
            .split(&format!("class=\"{class}\">"))
            .skip(1)
            // The count follows a visually hidden label, where there is one.
            .map(|x| {
                x.strip_prefix("<span class=\"visually-hidden\">")
                    .map_or(x, |y| y.split_once("</span>").map_or(y, |(_, z)| z))
            })
            .filter_map(|x| x.split('<').next())
            .map(|x| x.trim().to_owned())
            .collect()
    };
    let plain = |v: &[String]| {
        v.iter()
            .filter(|x| x.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .count()
    };
    let figures = numbers("figure-count");
    assert!(plain(&figures) >= 4, "headline figures: {figures:?}");
    let stages = numbers("stage-count");
    assert!(
        plain(&stages) * 2 >= stages.len(),
        "open incidents per stage or phase: {stages:?}"
    );
    look(
        &r,
        "site-regency",
        "index.html",
        "Status Layanan Insiden Keamanan Informasi",
        "regency-public-index",
        &screenshots_dir(),
    );
    look(
        &r,
        "site-regency",
        "reports/2026.html",
        "Laporan Layanan Insiden Keamanan Informasi",
        "regency-public-reports-2026",
        &screenshots_dir(),
    );
}

/// Opens `page` of the site in `out`: it renders `heading`, makes no request and logs nothing
/// to the console, fits a 390 px phone; screenshots at 1280 and 390 px are kept as `name`.
fn look(r: &crate::support::Repo, out: &str, page: &str, heading: &str, name: &str, shots: &Path) {
    let file = r.file(out).join(page);
    let url = format!("file://{}", file.display());
    let profile = tempfile::tempdir().expect("profile");
    let netlog = profile.path().join("net.json");
    let dom = chromium(
        &profile.path().join("p"),
        &[
            format!("--log-net-log={}", netlog.display()),
            "--net-log-capture-mode=Default".into(),
            "--dump-dom".into(),
        ],
        &url,
    );
    let stderr = String::from_utf8_lossy(&dom.stderr);
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(html.contains(heading), "{name}: page did not render:\n{stderr}");
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "{name}: console messages: {console:#?}");
    let log = std::fs::read_to_string(&netlog).unwrap_or_default();
    assert!(!log.is_empty(), "{name}: no NetLog written");
    let requests = page_requests(&log);
    assert!(requests.is_empty(), "{name}: network requests: {requests:#?}");
    for (width, height) in [(1280, 2000), (390, 2400)] {
        let png = shots.join(format!("{name}-{width}.png"));
        let shot = chromium(
            &profile.path().join(format!("s{width}")),
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={width},{height}"),
            ],
            &url,
        );
        assert!(
            png.is_file(),
            "{name}: no screenshot: {}",
            String::from_utf8_lossy(&shot.stderr)
        );
    }
    let (scroll, right) = phone_layout(profile.path(), &file);
    assert!(scroll <= 390, "{name}: {scroll} px wide on a 390 px phone");
    assert!(
        right <= 390,
        "{name}: an incident table's cell ends at {right} px, off a 390 px phone"
    );
}

/// The page in a 390 px frame: the document's width and the right edge of the rightmost cell
/// of its incident tables, in CSS pixels.
fn phone_layout(dir: &Path, page: &Path) -> (u64, u64) {
    let frame = dir.join("phone.html");
    let html = format!(
        r#"<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="file://{}" width="390" height="900" style="border:0"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {{
  var d = this.contentDocument, right = 0;
  d.querySelectorAll('table.incidents td').forEach(function (td) {{ right = Math.max(right, td.getBoundingClientRect().right); }});
  document.getElementById('out').textContent = 'layout ' + d.documentElement.scrollWidth + ' ' + Math.ceil(right) + ' end';
}});
</script></body></html>"#,
        page.display()
    );
    std::fs::write(&frame, html).expect("frame");
    let out = chromium(
        &dir.join("phone"),
        &[
            "--allow-file-access-from-files".into(),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
        ],
        &format!("file://{}", frame.display()),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<u64> = dom
        .split("layout ")
        .nth(1)
        .and_then(|s| s.split(" end").next())
        .unwrap_or_else(|| panic!("no layout measured for {}: {dom}", page.display()))
        .split(' ')
        .map(|n| n.parse().expect("a number"))
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn the_netlog_check_catches_a_page_loading_from_elsewhere() {
    let line = r#"{"params":{"initiator":"null","network_isolation_key":"file:// [internally: file://] file://","url":"https://fonts.example/x.css"},"type":2}"#;
    assert_eq!(page_requests(line), vec!["https://fonts.example/x.css".to_owned()]);
    let background = r#"{"params":{"initiator":"not an origin","network_isolation_key":"https://google.com https://google.com","url":"https://www.google.com/x"},"type":2}"#;
    assert!(page_requests(background).is_empty());
}

/// The requester's letter printed by Chromium, as "print to PDF" in any browser would: A4
/// pages, no request to the network, no console message, and a screenshot to look at.
#[test]
fn the_letter_prints_to_a4_without_network_requests() {
    if !Path::new(CHROMIUM).is_file() {
        assert!(
            std::env::var_os("INSIDEN_REQUIRE_BROWSER").is_none(),
            "INSIDEN_REQUIRE_BROWSER is set but {CHROMIUM} is missing"
        );
        eprintln!("notice: {CHROMIUM} not found; browser test skipped (apt-get install chromium)");
        return;
    }
    let r = sample();
    let shots = screenshots_dir();
    r.run(&["letter", "INC-2026-0006", "--out", "surat.html", "--date", "2026-12-01"])
        .code(0);
    let file = r.file("surat.html");
    let url = format!("file://{}", file.display());
    let profile = tempfile::tempdir().expect("profile");
    let netlog = profile.path().join("net.json");
    let pdf = shots.join("letter-INC-2026-0006.pdf");
    let _ = std::fs::remove_file(&pdf);
    let out = chromium(
        &profile.path().join("p"),
        &[
            format!("--log-net-log={}", netlog.display()),
            "--net-log-capture-mode=Default".into(),
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &url,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "letter: console messages: {console:#?}");
    let requests = page_requests(&std::fs::read_to_string(&netlog).unwrap_or_default());
    assert!(requests.is_empty(), "letter: network requests: {requests:#?}");
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}):\n{stderr}"));
    let text = String::from_utf8_lossy(&bytes);
    // A4 is 595 × 842 points; every page of the letter has that size.
    let boxes: Vec<&str> = text
        .match_indices("/MediaBox")
        .map(|(i, _)| &text[i..(i + 40).min(text.len())])
        .collect();
    assert!(!boxes.is_empty(), "no pages in the PDF");
    for b in &boxes {
        let nums: Vec<f64> = b
            .split(['[', ']'])
            .nth(1)
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        assert!(
            nums.len() == 4 && (nums[2] - 595.0).abs() < 2.0 && (nums[3] - 842.0).abs() < 2.0,
            "not an A4 page: {b}"
        );
    }
    assert!(boxes.len() <= 4, "the letter runs to {} pages", boxes.len());
    let png = shots.join("letter-INC-2026-0006.png");
    chromium(
        &profile.path().join("s"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=900,1300".into(),
        ],
        &url,
    );
    assert!(png.is_file(), "no screenshot of the letter");
}
