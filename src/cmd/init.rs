//! `insiden init [DIR]`: a new incident repository that validates: `insiden.yaml` with the five
//! teams to fill in, an empty `incidents/`, a README saying the repository must be private and
//! how the public site is published, `.gitignore` for every output folder, CODEOWNERS, the CI
//! workflows (pinned to this version of insiden) and, outside `incidents/`, a complete example
//! incident that is never a record.

use super::{file_time, now, print, Failure, Result, OK};
use crate::cli::InitArgs;
use crate::config::Config;
use crate::model::Timestamp;
use chrono::{Datelike, Duration, TimeZone, Weekday};
use std::path::Path;

const CONFIG: &str = include_str!("../init/insiden.yaml");
const EXAMPLE: &str = include_str!("../init/example.md");
/// The example's website scan report, next to it.
const EXAMPLE_SCAN: &str = include_str!("../init/example-scan.txt");
/// The build outputs, and the temporary names of a run that was killed (files being written,
/// a site being built or replaced; see `store::TEMP_PREFIX`). The next run removes those.
const README: &str = include_str!("../init/README.md");
const GITIGNORE: &str = "# insiden build output\n/public/\n/site/\n/internal/\n# insiden report output (`insiden report --out laporan-2026-Q1.html`)\n/laporan-*\n/laporan/\n/report-*\n/reports/\n# insiden letter output (`insiden letter INC-2026-0001 --out surat-INC-2026-0001.html`)\n/surat-*\n/surat/\n# left by an interrupted insiden run; the next run removes them\n.insiden-tmp-*\n";
const CODEOWNERS: &str = "\
# The rules (insiden.yaml, site templates) and CI change only with a maintainer's review:
# tick \"Require review from Code Owners\" in the branch protection of main. Replace
# @ganti-tim-koordinasi with your GitHub team (@organisation/team) or users.
/insiden.yaml       @ganti-tim-koordinasi
/.github/           @ganti-tim-koordinasi
/site-templates/    @ganti-tim-koordinasi
";
const WORKFLOWS: &[(&str, &str)] = &[
    ("check.yml", include_str!("../init/workflows/check.yml")),
    ("autoresolve.yml", include_str!("../init/workflows/autoresolve.yml")),
    ("pages.yml", include_str!("../init/workflows/pages.yml")),
];
/// How the workflow templates name the action; `init` writes this version's reference.
const ACTION_PLACEHOLDER: &str = "trenggalekkab-csirt/insiden@main";
/// Where the example lives: outside `incidents/`, so it is never checked, published or counted.
pub(super) const EXAMPLE_PATH: &str = "examples/INC-EXAMPLE.md";
/// Where the example's scan report lives, relative to the repository.
const EXAMPLE_SCAN_PATH: &str = "examples/lampiran/INC-EXAMPLE-scan.txt";

pub(super) fn run(dir: &Path, args: InitArgs) -> Result<u8> {
    let target = match &args.target {
        Some(t) if t.is_absolute() => t.clone(),
        Some(t) => dir.join(t),
        None => dir.to_path_buf(),
    };
    if target.exists() {
        let mut entries = std::fs::read_dir(&target).map_err(|e| {
            Failure::usage(
                format!("cannot read {}: {e}", target.display()),
                "choose another directory",
            )
        })?;
        if entries.any(|e| e.is_ok_and(|e| e.file_name() != ".git")) {
            return Err(Failure::usage(
                format!("{} is not empty", target.display()),
                "init writes into an empty directory (a fresh `git init` is fine)",
            ));
        }
    }
    let cfg = Config::parse(Some(CONFIG), "insiden.yaml").map_err(Failure::Diags)?;
    let at = match args.at.as_deref() {
        Some(s) => super::time_arg("--at", Some(s), &cfg)?,
        None => now(None, &cfg)?,
    };
    let year = crate::time::in_zone(at, cfg.timezone).format("%Y").to_string();
    let action = action_reference();
    let readme = README
        .replace("{year}", &year)
        .replace("{repo_url}", env!("CARGO_PKG_REPOSITORY"))
        .replace("{version}", env!("CARGO_PKG_VERSION"))
        .replace("{docs_url}", &docs_url());
    let mut files: Vec<(String, String)> = vec![
        ("insiden.yaml".into(), CONFIG.into()),
        (".gitignore".into(), GITIGNORE.into()),
        ("README.md".into(), readme),
        (".github/CODEOWNERS".into(), CODEOWNERS.into()),
        (EXAMPLE_PATH.into(), example(at, &cfg)),
        (EXAMPLE_SCAN_PATH.into(), EXAMPLE_SCAN.replace("{year}", &year)),
    ];
    files.extend(
        WORKFLOWS
            .iter()
            .map(|(n, t)| (format!(".github/workflows/{n}"), t.replace(ACTION_PLACEHOLDER, &action))),
    );
    for (rel, text) in &files {
        crate::store::create_new(&target.join(rel), text.as_bytes())
            .map_err(|e| Failure::usage(format!("cannot write {rel}: {e}"), "check the directory's permissions"))?;
    }
    print(&format!(
        "created an incident repository in {}\nnext: read README.md (the repository must be private), fill in the teams in insiden.yaml, then `git init -b main && git add -A && git commit`\n",
        target.display()
    ));
    Ok(OK)
}

/// `owner/name@v<version>` of this build, from Cargo.toml's `repository` and `version`.
pub(super) fn action_reference() -> String {
    let repo = env!("CARGO_PKG_REPOSITORY");
    match repo.strip_prefix("https://github.com/") {
        Some(path) => format!("{}@v{}", path.trim_end_matches('/'), env!("CARGO_PKG_VERSION")),
        None => ACTION_PLACEHOLDER.to_owned(),
    }
}

/// The documentation of this version on GitHub.
fn docs_url() -> String {
    format!(
        "{}/blob/v{}/docs",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/'),
        env!("CARGO_PKG_VERSION")
    )
}

/// The example incident, dated in the past: a report that arrived on a Friday evening at least
/// three weeks before `at`, recorded the next Monday, closed by the bot after its window.
fn example(at: Timestamp, cfg: &Config) -> String {
    let tz = cfg.timezone;
    let mut day = crate::time::in_zone(at, tz).date_naive() - Duration::days(21);
    while day.weekday() != Weekday::Fri {
        day -= Duration::days(1);
    }
    let time = |days: i64, hour: u32, minute: u32| -> String {
        let d = day + Duration::days(days);
        let local = d
            .and_hms_opt(hour, minute, 0)
            .and_then(|n| tz.from_local_datetime(&n).earliest())
            .map_or(at, |t| t.fixed_offset());
        file_time(local, cfg)
    };
    // (days after the Friday, hour, minute) of `reported_at` and each history entry.
    let times = [
        (0, 19, 30), // reported_at: Friday evening
        (3, 8, 0),   // recorded on Monday
        (3, 8, 30),
        (3, 10, 0),
        (3, 15, 0),
        (4, 9, 0),
        (5, 14, 0),
        (6, 10, 0),
        (6, 13, 0),
        (7, 9, 0), // resolved: the window opens
        (10, 10, 0),
        (13, 1, 0), // the bot's run after the 5-day window
    ];
    let year = day.format("%Y").to_string();
    let resolved = day + Duration::days(7);
    let mut text = EXAMPLE
        .replace("{year}", &year)
        .replace("{month_roman}", crate::letter::roman_month(resolved.month()));
    // Highest index first, so `{t1}` does not match the start of `{t11}`.
    for (i, (d, h, m)) in times.iter().enumerate().rev() {
        text = text.replace(&format!("{{t{i}}}"), &time(*d, *h, *m));
    }
    text
}
