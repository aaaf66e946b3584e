//! The command line: clap derive types and their help text, and the completion scripts and
//! manual page generated from them (clap_complete, clap_mangen). No logic and no I/O: `cmd`
//! turns these into plain settings and prints what is generated here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Security-incident handling as code: the SOP as a Git workflow, checked on every commit.
#[derive(Debug, Parser)]
#[command(name = "insiden", version, about, long_about = None)]
pub struct Cli {
    /// Run as if started in DIR (the incident repository's root).
    #[arg(short = 'C', value_name = "DIR", global = true, default_value = ".")]
    pub dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FormatArg {
    #[default]
    Human,
    Json,
    Github,
}

/// Output of the terminal views (`list`, `show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ViewFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyArg {
    /// Treat warnings as errors (exit 1).
    Warnings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new incident repository: insiden.yaml, README, .gitignore, CODEOWNERS, CI
    /// workflows, and an example incident outside incidents/.
    Init(InitArgs),
    /// File a new incident in `reported` with the next free id; prints its path.
    New(NewArgs),
    /// Move an incident to STATE (or add an update note to its current state).
    Transition(TransitionArgs),
    /// Check every incident file against the format, the workflow and the repository rules.
    Validate(ValidateArgs),
    /// Check every commit of a range (or the staged changes) against the SOP's history rules.
    Check(CheckArgs),
    /// Run the commit checks over the whole history; `--trail ID` shows an incident's provenance.
    Audit(AuditArgs),
    /// Close incidents whose autoresolve window has elapsed; list those overdue for documentation.
    Autoresolve(AutoresolveArgs),
    /// List incidents with their next team, age in state and SLA.
    List(ListArgs),
    /// Show one incident: the SOP's ten steps and what the next step requires.
    Show(ShowArgs),
    /// Print the effective configuration (insiden.yaml over the built-in default).
    Config,
    /// Build the static status site (the public edition by default) into a folder.
    Build(BuildArgs),
    /// The periodic report, Laporan Layanan Insiden Keamanan Informasi, for a period.
    Report(ReportArgs),
    /// The requester's letter (Laporan dan/atau Rekomendasi) of one incident, from `compiled` on.
    Letter(LetterArgs),
    /// Give an incident this branch added, and that is not merged yet, the next free id.
    Renumber(RenumberArgs),
    /// Explain a diagnostic code: why the rule exists and what to do (all codes without CODE).
    Explain(ExplainArgs),
    /// Print a shell completion script (e.g. `insiden completions bash > ~/.local/share/bash-completion/completions/insiden`).
    Completions(CompletionsArgs),
    /// Print the manual page in roff (e.g. `insiden man > ~/.local/share/man/man1/insiden.1`).
    Man,
}

#[derive(Debug, Args)]
pub struct RenumberArgs {
    /// The id this branch gave the incident, e.g. INC-2026-0016.
    pub id: String,
    /// The new id (default: the next id free both on the target branch and in the working tree).
    #[arg(long, value_name = "NEW")]
    pub to: Option<String>,
    /// The branch the pull request targets (default: this branch's upstream, else `main`).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code as printed in a finding, e.g. `entry-backdated`.
    pub code: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The shell completion script for `shell`, generated from these types.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "insiden", &mut out);
    out
}

/// The manual page (roff), generated from these types; subcommands are listed with their
/// one-line help.
pub fn man() -> std::io::Result<Vec<u8>> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create (default: the current one). It must be empty or not exist.
    pub target: Option<PathBuf>,
    /// Time of the example incident (default: now).
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlpArg {
    Clear,
    Green,
    Amber,
    #[value(name = "amber+strict")]
    AmberStrict,
    Red,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Short title of the report.
    #[arg(long)]
    pub title: String,
    /// The reporter's name (pelapor).
    #[arg(long)]
    pub reporter: String,
    /// The reporter's contact (never published).
    #[arg(long)]
    pub contact: Option<String>,
    /// The reporter's organisation.
    #[arg(long)]
    pub organization: Option<String>,
    /// How the report arrived: email, phone, whatsapp, web-form, letter, walk-in, bssn-notification, scan, other.
    #[arg(long)]
    pub channel: Option<String>,
    /// The reporter type: owner, employee, public, bssn, csirt-province, other-csirt, vendor, researcher, internal-scan, other.
    #[arg(long = "type")]
    pub kind: Option<String>,
    /// The requester / application owner (OPD).
    #[arg(long)]
    pub owner: Option<String>,
    /// An affected asset (URL, host); repeat for several.
    #[arg(long = "asset")]
    pub assets: Vec<String>,
    /// A category from the taxonomy.
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long, value_enum)]
    pub tlp: Option<TlpArg>,
    /// When the incident is recorded: the time of the first history entry (default: now);
    /// RFC 3339, or local time in the configured zone.
    #[arg(long)]
    pub at: Option<String>,
    /// When the report arrived, if earlier than its recording (e.g. Friday evening, recorded
    /// on Tuesday): kept in `reported_at`, which also gives the id its year (default: --at).
    #[arg(long, value_name = "TIME")]
    pub reported_at: Option<String>,
    /// The helpdesk member filing it (default: the member whose email is `git config user.email`).
    #[arg(long)]
    pub actor: Option<String>,
    /// The report text for `## Laporan` (default: read from standard input).
    #[arg(long)]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct TransitionArgs {
    /// The incident id, e.g. INC-2026-0007.
    pub id: String,
    /// The state to move to; the current state with `--note` records an update.
    pub state: String,
    /// A note for the timeline (required for updates, send-backs and follow-ups).
    #[arg(long)]
    pub note: Option<String>,
    /// The member making the move (default: from `git config user.email`).
    #[arg(long)]
    pub actor: Option<String>,
    /// The team the move is made as, when the actor belongs to several.
    #[arg(long)]
    pub role: Option<String>,
    /// When the move happened (default: now).
    #[arg(long)]
    pub at: Option<String>,
    /// Set a field in the same edit, e.g. `--set severity=high --set handler.type=external`;
    /// list fields take comma-separated items: `--set assets=https://a.go.id,https://b.go.id`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: FormatArg,
    /// `--deny warnings`: exit 1 on warnings too.
    #[arg(long, value_enum)]
    pub deny: Option<DenyArg>,
    /// The time SLAs and windows are measured at (default: now).
    #[arg(long)]
    pub now: Option<String>,
    /// Read insiden.yaml, incidents/ and site-templates/ from this git revision's objects
    /// instead of the working tree (use in CI).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The revision the range starts after (e.g. origin/main).
    #[arg(long, required_unless_present = "staged", conflicts_with = "staged")]
    pub base: Option<String>,
    /// The last revision of the range.
    #[arg(long, default_value = "HEAD")]
    pub head: String,
    /// Check the index against HEAD (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: FormatArg,
    /// `--deny warnings`: exit 1 on warnings too.
    #[arg(long, value_enum)]
    pub deny: Option<DenyArg>,
    /// The checker's clock: no entry may lie after it (default: now).
    #[arg(long)]
    pub now: Option<String>,
    /// The forge login that opened the pull request (in CI: `github.event.pull_request.user.login`,
    /// passed through `env:`). Without a signature by its author, every new entry must be
    /// this member's.
    #[arg(long, value_name = "LOGIN")]
    pub pr_author: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Show which commit made each history entry of this incident.
    #[arg(long, value_name = "ID")]
    pub trail: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only incidents in this state (repeatable).
    #[arg(long)]
    pub status: Vec<String>,
    /// Only incidents past an SLA or past their autoresolve window.
    #[arg(long)]
    pub overdue: bool,
    /// Only incidents of this owner (case-insensitive substring).
    #[arg(long)]
    pub owner: Option<String>,
    /// Only incidents of this category.
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ViewFormat,
    /// The time ages are measured at (default: now).
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: ViewFormat,
    /// The time ages are measured at (default: now).
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct AutoresolveArgs {
    /// The time the windows are judged at (default: now); also the time of the bot's entries.
    #[arg(long)]
    pub now: Option<String>,
    /// Print the plan and write nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,
    /// Record the result as one commit by the bot identity of insiden.yaml.
    #[arg(long)]
    pub commit: bool,
    /// With --commit: make the commit on a new branch B (e.g. `autoresolve/2026-11-28`) on top
    /// of HEAD, for a pull request; the current branch, the index and the working tree are
    /// left as they are.
    #[arg(long, requires = "commit", value_name = "B")]
    pub branch: Option<String>,
    /// Sign the commit with this OpenSSH private key (unencrypted). Without it, the key's text
    /// is taken from the environment variable INSIDEN_SIGNING_KEY when set (a repository secret).
    #[arg(long, requires = "commit", value_name = "FILE")]
    pub signing_key: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: FormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AudienceArg {
    /// TLP:CLEAR details only; everything else as counts.
    Public,
    /// The organisation's edition: everything but TLP:RED bodies, notes and attachments.
    Internal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Id,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    Md,
    Html,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The output folder (relative to the repository root); it is replaced as a whole.
    #[arg(long, default_value = "public")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "public")]
    pub audience: AudienceArg,
    /// Also build the internal edition, into this folder, from the same reading of the
    /// incidents (`--out` is then the public edition). Neither folder may hold the other.
    #[arg(long, value_name = "DIR")]
    pub internal_out: Option<PathBuf>,
    /// The site's language (default: `language` in insiden.yaml).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// The time ages and SLAs are measured at (default: now); also printed on the pages.
    #[arg(long)]
    pub now: Option<String>,
    /// Read insiden.yaml, incidents/ and site-templates/ from this git revision's objects
    /// instead of the working tree (use in CI).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LetterFormatArg {
    /// A standalone page with print CSS for A4: "print to PDF" in a browser gives the letter.
    Html,
    Md,
}

#[derive(Debug, Args)]
pub struct LetterArgs {
    /// The incident, e.g. INC-2026-0012.
    pub id: String,
    #[arg(long, value_enum, default_value = "html")]
    pub format: LetterFormatArg,
    /// The letter's language (default: `language` in insiden.yaml).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Write the letter to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Include the text of a TLP:RED incident (left out by default).
    #[arg(long)]
    pub include_red: bool,
    /// The letter's date, e.g. 2026-03-04 (default: the recorded delivery's date, else the day
    /// the incident went to `resolved`, else today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A month (2026-01), a quarter (2026-Q1) or a year (2026) in the configured zone
    /// (default: the previous calendar month).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub period: Option<String>,
    /// The start of a custom period (inclusive): a date or a time.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// The end of a custom period (exclusive): a date or a time.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormatArg,
    #[arg(long, value_enum, default_value = "internal")]
    pub audience: AudienceArg,
    /// The report's language (default: `language` in insiden.yaml).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The generation time, which also bounds still-running SLA stays (default: now).
    #[arg(long)]
    pub now: Option<String>,
    /// Read insiden.yaml, incidents/ and site-templates/ from this git revision's objects
    /// instead of the working tree (use in CI).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}
