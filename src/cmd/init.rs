//! `insiden init [DIR]`: a new incident repository that validates: `insiden.yaml` with the five
//! teams to fill in, `incidents/` with one example incident, `.gitignore`, and the CI workflows.

use super::{file_time, now, print, Failure, Result, OK};
use crate::cli::InitArgs;
use crate::config::Config;
use std::path::Path;

const CONFIG: &str = include_str!("../init/insiden.yaml");
const EXAMPLE: &str = include_str!("../init/example.md");
/// The build outputs, and the temporary names of a run that was killed (files being written,
/// a site being built or replaced; see `store::TEMP_PREFIX`). The next run removes those.
const GITIGNORE: &str = "# insiden build output\n/public/\n/site/\n# left by an interrupted insiden run; the next run removes them\n.insiden-tmp-*\n";
const WORKFLOWS: &[(&str, &str)] = &[
    ("check.yml", include_str!("../init/workflows/check.yml")),
    ("autoresolve.yml", include_str!("../init/workflows/autoresolve.yml")),
    ("pages.yml", include_str!("../init/workflows/pages.yml")),
];

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
    let example = EXAMPLE.replace("{year}", &year).replace("{at}", &file_time(at, &cfg));
    let mut files: Vec<(String, String)> = vec![
        ("insiden.yaml".into(), CONFIG.into()),
        (".gitignore".into(), GITIGNORE.into()),
        (format!("incidents/{year}/INC-{year}-0001.md"), example),
    ];
    files.extend(
        WORKFLOWS
            .iter()
            .map(|(n, t)| (format!(".github/workflows/{n}"), (*t).to_owned())),
    );
    for (rel, text) in &files {
        crate::store::create_new(&target.join(rel), text.as_bytes())
            .map_err(|e| Failure::usage(format!("cannot write {rel}: {e}"), "check the directory's permissions"))?;
    }
    print(&format!(
        "created an incident repository in {}\nnext: fill in the teams in insiden.yaml, then `git init`, commit, and see the README's operator guide\n",
        target.display()
    ));
    Ok(OK)
}
