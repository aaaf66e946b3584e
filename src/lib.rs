//! insiden: security-incident handling as code.
//!
//! Incidents are Markdown files with YAML front matter in a Git repository; the SOP is data
//! (`workflow`); `rules` validates files as they stand and `history` checks what each commit
//! changed. The layers, from pure to I/O: `model`, `time`, `period`, `workflow`, `diag`, `i18n`,
//! `disclosure`, `views` (pure); `subset`, `quick`, `doc`, `edit`, `markdown`, `rules`, `history`,
//! `report`, `census`, `audience`, `explain` (text); `store`, `git`, `config`, `signing`, `site`
//! (adapters); `cmd` and `cli` (orchestration).

pub mod ascii;
pub mod audience;
pub mod autoresolve;
pub mod census;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod disclosure;
pub mod doc;
pub mod edit;
pub mod explain;
pub mod git;
pub mod history;
pub mod i18n;
pub mod letter;
pub mod markdown;
pub mod model;
pub mod period;
pub mod quick;
pub mod report;
pub mod rules;
pub mod signing;
pub mod site;
pub mod store;
pub mod subset;
pub mod time;
pub mod views;
pub mod workflow;

/// Runs a parsed command line and returns the process exit code: 0 success, 1 the data breaks
/// a rule, 2 a usage, configuration or I/O problem.
pub fn run(cli: cli::Cli) -> u8 {
    cmd::run(cli)
}
