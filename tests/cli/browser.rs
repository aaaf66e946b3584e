//! The site in a real browser: Debian's `chromium`, headless, opens the overview and an
//! incident page of the sample site from `file://`, and we check that
//!
//! * no network request was attempted by the page: Chromium's NetLog (`--log-net-log`) records
//!   every URL request with its network isolation key; a request made on behalf of a
//!   `file://` page carries `file://` there, while the browser's own background traffic does
//!   not. Any `http(s)`/`ws(s)` request from a `file://` page fails the test;
//! * no console message was logged (`--enable-logging=stderr` prints each as `CONSOLE`;
//!   the pages have no script, so any message is an error such as a blocked resource);
//! * the page rendered (its DOM, from `--dump-dom`, holds the expected heading).
//!
//! Screenshots go to `target/screenshots/`. Without chromium the test is skipped with a
//! notice, unless `INSIDEN_REQUIRE_BROWSER` is set (CI sets it).

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
        ] {
            let file = r.file(&out).join(page);
            let url = format!("file://{}", file.display());
            let name = format!("{audience}-{}", page.replace('/', "-").replace(".html", ""));
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
            let png = shots.join(format!("{name}.png"));
            let shot = chromium(
                &profile.path().join("s"),
                &[
                    format!("--screenshot={}", png.display()),
                    "--window-size=1280,2000".into(),
                ],
                &url,
            );
            assert!(
                png.is_file(),
                "{name}: no screenshot: {}",
                String::from_utf8_lossy(&shot.stderr)
            );
        }
    }
}

#[test]
fn the_netlog_check_catches_a_page_loading_from_elsewhere() {
    let line = r#"{"params":{"initiator":"null","network_isolation_key":"file:// [internally: file://] file://","url":"https://fonts.example/x.css"},"type":2}"#;
    assert_eq!(page_requests(line), vec!["https://fonts.example/x.css".to_owned()]);
    let background = r#"{"params":{"initiator":"not an origin","network_isolation_key":"https://google.com https://google.com","url":"https://www.google.com/x"},"type":2}"#;
    assert!(page_requests(background).is_empty());
}
