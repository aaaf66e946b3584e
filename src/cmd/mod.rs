//! The orchestration layer: one file per subcommand. This is where `store`, `git`, `config`
//! and the pure modules meet, where the clock is read (once, in [`now`]), and where findings
//! become exit codes: 0 success, 1 the data breaks a rule, 2 a usage, configuration or I/O
//! problem.

mod audit;
mod autoresolve;
mod build;
mod check;
mod completions;
mod config_cmd;
mod explain;
mod init;
mod letter;
mod list;
mod man;
mod new;
mod output;
mod proof;
mod renumber;
mod report;
mod show;
mod source;
mod transition;
mod validate;

use crate::cli::{Cli, Command, FormatArg};
use crate::config::Config;
use crate::diag::{self, Diagnostic, Format};
use crate::model::Timestamp;
pub use source::Source;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit codes.
pub const OK: u8 = 0;
pub const FINDINGS: u8 = 1;
pub const TROUBLE: u8 = 2;

/// Why a command could not run (exit 2).
#[derive(Debug)]
pub enum Failure {
    /// Located problems (a broken config, an unreadable file).
    Diags(Vec<Diagnostic>),
    /// A usage problem, with what to do.
    Usage { message: String, help: String },
    /// The SOP refuses the request (exit 1, nothing written).
    Refused { message: String, help: String },
}

impl Failure {
    /// The SOP refuses: exit 1, and the message says nothing was written.
    pub fn refused(message: impl Into<String>, help: impl Into<String>) -> Failure {
        Failure::Refused {
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Failure {
        Failure::Usage {
            message: message.into(),
            help: help.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Failure>;

/// Settings every command shares.
pub struct Ctx {
    pub root: PathBuf,
}

pub fn run(cli: Cli) -> u8 {
    let format = match &cli.command {
        Command::Validate(a) => a.format,
        Command::Check(a) => a.format,
        Command::Audit(a) => a.format,
        Command::Autoresolve(a) => a.format,
        _ => FormatArg::Human,
    };
    let result = Ctx::new(&cli.dir).and_then(|ctx| match cli.command {
        Command::Init(a) => init::run(&cli.dir, a),
        Command::New(a) => new::run(&ctx, a),
        Command::Transition(a) => transition::run(&ctx, a),
        Command::Validate(a) => validate::run(&ctx, a),
        Command::Check(a) => check::run(&ctx, a),
        Command::Audit(a) => audit::run(&ctx, a),
        Command::Autoresolve(a) => autoresolve::run(&ctx, a),
        Command::List(a) => list::run(&ctx, a),
        Command::Show(a) => show::run(&ctx, a),
        Command::Config => config_cmd::run(&ctx),
        Command::Build(a) => build::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Letter(a) => letter::run(&ctx, a),
        Command::Renumber(a) => renumber::run(&ctx, &a),
        Command::Explain(a) => explain::run(&a),
        Command::Completions(a) => completions::run(&a),
        Command::Man => man::run(),
    });
    match result {
        Ok(code) => code,
        Err(f) => {
            let code = if matches!(f, Failure::Refused { .. }) {
                FINDINGS
            } else {
                TROUBLE
            };
            report_failure(f, format);
            code
        }
    }
}

fn report_failure(f: Failure, format: FormatArg) {
    let refused = matches!(f, Failure::Refused { .. });
    let diags = match f {
        Failure::Diags(d) => d,
        Failure::Refused { message, help } | Failure::Usage { message, help } => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "error: {}", diag::sanitize_terminal(&message));
            if !help.is_empty() {
                let _ = writeln!(err, "  help: {}", diag::sanitize_terminal(&help));
            }
            if refused {
                let _ = writeln!(err, "nothing was written");
            }
            return;
        }
    };
    emit(&diags, format);
}

/// Prints findings in the chosen format: human text to stderr, json and github to stdout.
pub fn emit(diags: &[Diagnostic], format: FormatArg) {
    let f = to_format(format);
    let text = diag::render(diags, f);
    if text.is_empty() {
        return;
    }
    if f == Format::Human {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    } else {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

pub fn to_format(f: FormatArg) -> Format {
    match f {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Github => Format::Github,
    }
}

impl Ctx {
    fn new(dir: &Path) -> Result<Ctx> {
        if !dir.is_dir() {
            return Err(Failure::usage(
                format!("`{}` is not a directory", dir.display()),
                "pass -C <dir> with the incident repository's root",
            ));
        }
        Ok(Ctx {
            root: dir.to_path_buf(),
        })
    }

    /// Loads `insiden.yaml` from the working tree (or the built-in default when there is none).
    pub fn config(&self) -> Result<Config> {
        self.source(None)?.config()
    }

    /// The working tree, or with `rev` that revision's git objects.
    pub fn source(&self, rev: Option<&str>) -> Result<Source> {
        Source::open(&self.root, rev)
    }
}

/// The current time: `--now` when given, else the system clock. The only place the clock is read.
#[allow(clippy::disallowed_methods)]
pub fn now(arg: Option<&str>, cfg: &Config) -> Result<Timestamp> {
    match arg {
        Some(s) => crate::time::parse_time(s, cfg.timezone)
            .map_err(|m| Failure::usage(format!("--now: {m}"), "e.g. --now 2026-11-28T09:00:00+07:00")),
        None => Ok(chrono::Utc::now().with_timezone(&cfg.timezone).fixed_offset()),
    }
}

/// Parses a user-given time flag.
pub fn time_arg(flag: &str, arg: Option<&str>, cfg: &Config) -> Result<Timestamp> {
    match arg {
        Some(s) => crate::time::parse_time(s, cfg.timezone).map_err(|m| {
            Failure::usage(
                format!("{flag}: {m}"),
                "e.g. 2026-11-28T09:00:00+07:00, or a local time in the configured zone",
            )
        }),
        None => now(None, cfg),
    }
}

/// Writes to stdout, ignoring a closed pipe.
pub fn print(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

/// Loads and validates every incident in the working tree.
pub fn load(ctx: &Ctx, cfg: &Config, now: Timestamp) -> crate::rules::Validation {
    Source::WorkTree(ctx.root.clone()).load(cfg, now)
}

/// The path of an incident file from its id (`incidents/<year>/<id>.md`).
pub fn incident_path(cfg: &Config, id: &str) -> Result<String> {
    let parsed = crate::model::IncidentId::parse(id, &cfg.id_prefix).ok_or_else(|| {
        Failure::usage(
            format!("`{id}` is not an incident id"),
            format!("ids look like {}-2026-0007", cfg.id_prefix),
        )
    })?;
    Ok(format!("incidents/{}/{id}.md", parsed.year))
}

/// Formats a time in the configured zone with its offset, as the files write it.
pub fn file_time(t: Timestamp, cfg: &Config) -> String {
    crate::time::rfc3339_local(t, cfg.timezone)
}
