//! Diagnostics as data: every finding the tool reports, with a stable code, a severity, the
//! file, line and column it points at, a message and a hint, and the three renderers (human,
//! `--format json`, `--format github`).
//!
//! Rules build [`Diagnostic`] values and never print; commands choose the format at the edge.
//! This module knows no subcommand and no rule. Untrusted text (titles, notes, YAML snippets)
//! is escaped for the medium it is printed to: terminal control characters for humans, `%`,
//! CR and LF for GitHub annotations.

use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For a reviewer's eyes: never fails a command, not even with `--deny warnings`.
    Note,
    Warning,
    Error,
}

macro_rules! codes {
    ($( $variant:ident = $name:literal : $desc:literal, )*) => {
        /// The stable identifier of a rule. Its kebab-case name appears in every output format
        /// and never changes meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The kebab-case name used in output.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// One sentence saying what the rule protects.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => $desc, )* }
            }
        }
    };
}

codes! {
    // Reading files.
    Io = "io": "A file could not be read or written.",
    InvalidUtf8 = "invalid-utf8": "Incident files must be UTF-8 text.",
    FileTooLarge = "file-too-large": "Incident files larger than 1 MiB are refused; attach large evidence elsewhere.",
    NoFrontMatter = "no-front-matter": "An incident file starts with a `---` line opening its YAML front matter.",
    UnclosedFrontMatter = "unclosed-front-matter": "The front matter must end with a `---` line.",
    YamlSyntax = "yaml-syntax": "The front matter must be valid YAML.",
    UnsupportedYaml = "unsupported-yaml": "The front matter is a plain block mapping: no complex keys, tags, anchors, aliases, flow mapping at the top, or Unicode line separators.",
    TooComplex = "too-complex": "Front matter nests at most 64 levels and holds at most 100,000 values; a body holds at most 100,000 lines and Markdown markup characters.",
    // Schema.
    NotAMapping = "not-a-mapping": "The front matter must be a mapping of field names to values.",
    UnknownField = "unknown-field": "Every field must be one the format defines; free-form data goes under `extra:`.",
    MissingField = "missing-field": "A field every incident needs is absent.",
    WrongType = "wrong-type": "A field holds a value of the wrong type.",
    InvalidValue = "invalid-value": "A value is not one of the field's allowed values.",
    InvalidTime = "invalid-time": "Times are RFC 3339, e.g. 2026-01-21T09:15:00+07:00.",
    InvalidId = "invalid-id": "Incident ids are <prefix>-<year>-<NNNN>.",
    DeprecatedTlp = "deprecated-tlp": "TLP:WHITE is TLP:CLEAR since TLP 2.0.",
    UnknownCategory = "unknown-category": "Categories come from the configured taxonomy.",
    // Repository-wide.
    PathMismatch = "path-mismatch": "An incident lives at incidents/<year>/<id>.md, matching its id and reported_at.",
    DuplicateId = "duplicate-id": "Every incident id is used once.",
    MissingAttachment = "missing-attachment": "Attachments named by an incident exist in the repository.",
    UnresolvedReference = "unresolved-reference": "`related` and `duplicate_of` name existing incidents.",
    DuplicateLetterNumber = "duplicate-letter-number": "A letter number is recorded for one incident only.",
    // History and workflow.
    EmptyHistory = "empty-history": "An incident's history has at least its `reported` entry.",
    HistoryStart = "history-start": "History starts with the workflow's initial state.",
    UnknownState = "unknown-state": "States come from the workflow.",
    UnknownRole = "unknown-role": "Roles come from the workflow.",
    UnknownMember = "unknown-member": "An entry's actor is a member of the team it names.",
    TransitionNotAllowed = "transition-not-allowed": "Each entry follows a transition the SOP allows.",
    RoleNotAllowed = "role-not-allowed": "Each transition is made by a team the SOP assigns to it.",
    TimeDecreasing = "time-decreasing": "History entry times never decrease.",
    StatusMismatch = "status-mismatch": "`status` equals the `to` of the last history entry.",
    MissingNote = "missing-note": "Updates, send-backs, hand-backs and follow-ups carry a note.",
    RequirementMissing = "requirement-missing": "A transition's required fields and sections are present.",
    WindowClosed = "window-closed": "Follow-up reports reopen an incident only inside the autoresolve window.",
    WindowOpen = "window-open": "An incident is closed only after its autoresolve window has elapsed.",
    // Warnings of SPEC §3.
    OnwardReportMissing = "onward-report-missing": "High and critical incidents are reported onward (Peraturan BSSN 1/2024 art. 15).",
    RestrictedTlpExternal = "restricted-tlp-external": "TLP:AMBER+STRICT and TLP:RED incidents stay inside the organisation.",
    RedBody = "red-body": "TLP:RED details belong outside a shared repository.",
    SlaBreached = "sla-breached": "An incident stayed in a state longer than its SLA.",
    AutoresolveOverdue = "autoresolve-overdue": "A resolved incident whose window elapsed awaits documentation by the data team.",
    // Commit checks.
    FileDeleted = "file-deleted": "Incident records are never deleted or renamed.",
    ImmutableField = "immutable-field": "`id` and `reported_at` never change once filed.",
    HistoryRewritten = "history-rewritten": "History is append-only: existing entries are never changed, removed or reordered.",
    RecordRepaired = "record-repaired": "A note: a maintainer rewrote a record whose previous version no longer reads; its history could not be compared.",
    ActorNotAuthor = "actor-not-author": "An entry's actor is the member who authored the commit that adds it.",
    NotAMember = "not-a-member": "Every change under incidents/ is authored by a team member (or, for `by: system` entries only, the bot).",
    FieldNotAllowed = "field-not-allowed": "Some fields (by default `tlp`, `severity`, `in_scope`) are changed only by the teams the workflow names.",
    BotOverreach = "bot-overreach": "The bot's commits only append `by: system` entries (and the status they set).",
    EntryInFuture = "entry-in-future": "An entry's time is not after the checker's clock, nor after its commit's committer date plus 10 minutes.",
    LateRecord = "late-record": "A follow-up committed after its window closed claims a time inside it; the note explains the late record.",
    EntryBackdated = "entry-backdated": "An entry's time is not before its commit minus `max_backdate`.",
    SystemNotBot = "system-not-bot": "Only the configured bot identity writes `by: system` entries.",
    TlpLowered = "tlp-lowered": "TLP is lowered only with an update by analysis or coordination in the same commit.",
    ConfigChanged = "config-changed": "The configuration changed; later commits are checked against the new one.",
    UnsignedCommit = "unsigned-commit": "With `signing: required`, every commit that changes incidents/, insiden.yaml or site-templates/ carries an SSH signature.",
    BadSignature = "bad-signature": "A commit's signature must verify over exactly that commit's content, in the `git` namespace.",
    SignatureMismatch = "signature-mismatch": "A commit is signed with a key of the member who authored it (`signing_keys` at the merge base).",
    ActorNotPrAuthor = "actor-not-pr-author": "Without signatures, a pull request records moves only in the name of its author (`check --pr-author`).",
    RulesChanged = "rules-changed": "insiden.yaml and site-templates/ are changed only by the configured `maintainers`.",
    MixedChange = "mixed-change": "A range that changes the rules (insiden.yaml, site-templates/) changes nothing under incidents/.",
    ForbiddenPath = "forbidden-path": "Symlinks, submodules, .gitattributes and non-UTF-8 paths have no place under incidents/ or site-templates/; insiden.yaml is a regular file.",
    AttachmentChanged = "attachment-changed": "Attachments under incidents/ are evidence: once committed they are never changed or removed.",
    MergeTlpLowered = "merge-tlp-lowered": "A merge may not combine one side's TLP lowering with the other side's changes to the same incident.",
    UnrelatedHistory = "unrelated-history": "A commit without a parent (a second root, an unrelated history) enters only by a maintainer.",
    NoIdentity = "no-identity": "Without team members in insiden.yaml, identity checks are skipped.",
    // Configuration.
    Config = "config": "insiden.yaml must be valid.",
    Template = "template": "A site template must render.",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The commit a finding was made in (for `check` and `audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitRef {
    pub id: String,
    pub subject: String,
}

impl CommitRef {
    /// The id `check --staged` gives the changes in the index, which are no commit yet.
    pub const STAGED: &'static str = "staged";

    /// "commit 1a2b3c4 (subject)", or "the staged changes".
    pub fn describe(&self) -> String {
        if self.id == Self::STAGED {
            "the staged changes".into()
        } else {
            format!("commit {} ({})", self.id, sanitize_terminal(&self.subject))
        }
    }
}

/// A place in a file and the line quoted there, taken while the file's text is at hand: the
/// repository-wide rules point at files whose text was dropped once they were parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchor {
    line: usize,
    column: usize,
    source_line: Option<String>,
    source_column: usize,
}

impl Anchor {
    /// Line `line`, column `column` (1-based) of `text` (the whole file).
    pub fn new(text: &str, line: usize, column: usize) -> Anchor {
        let d = Diagnostic::note(Code::YamlSyntax, "", "").at(text, line, column);
        Anchor {
            line: d.line.unwrap_or(0),
            column: d.column.unwrap_or(1),
            source_line: d.source_line,
            source_column: d.source_column,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// 1-based line in the file, when the finding has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column (in characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRef>,
    /// The text of the line pointed at (at most `WINDOW` characters around the column),
    /// for the human renderer.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// The 1-based column within `source_line`.
    #[serde(skip)]
    pub source_column: usize,
}

impl Diagnostic {
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, path, message)
    }

    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, path, message)
    }

    pub fn note(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Note, path, message)
    }

    /// Whether `--deny warnings` fails on this finding: errors and warnings, not notes.
    pub fn is_denied_warning(&self) -> bool {
        self.severity >= Severity::Warning
    }

    fn new(code: Code, severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            commit: None,
            source_line: None,
            source_column: 1,
        }
    }

    /// Points the finding at a place taken from a text that is no longer at hand.
    #[must_use]
    pub fn at_anchor(mut self, a: &Anchor) -> Self {
        if a.line > 0 {
            self.line = Some(a.line);
            self.column = Some(a.column);
            self.source_line.clone_from(&a.source_line);
            self.source_column = a.source_column;
        }
        self
    }

    /// Points the finding at a line and column of `text` (the whole file).
    #[must_use]
    pub fn at(mut self, text: &str, line: usize, column: usize) -> Self {
        if line > 0 {
            self.line = Some(line);
            self.column = Some(column.max(1));
            if snippet_allowed(text) {
                if let Some(l) = text.lines().nth(line - 1) {
                    let (w, c) = window(l.trim_end_matches('\r'), column.max(1));
                    self.source_line = Some(w.to_owned());
                    self.source_column = c;
                }
            }
        }
        self
    }

    /// Points at a location known without its text.
    #[must_use]
    pub fn at_line(mut self, line: usize, column: usize) -> Self {
        if line > 0 {
            self.line = Some(line);
            self.column = Some(column.max(1));
        }
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn in_commit(mut self, commit: CommitRef) -> Self {
        self.commit = Some(commit);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:column`, as far as known.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.path),
            (Some(l), None) => format!("{}:{l}", self.path),
            _ => self.path.clone(),
        }
    }
}

/// Output formats for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// Sorts findings by path, line, column and code so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message).cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
}

/// Renders findings followed by a one-line summary (human) or as one document (json).
pub fn render(diags: &[Diagnostic], format: Format) -> String {
    match format {
        Format::Human => {
            // Each finding is laid out on its own (an audit of a long history holds a hundred
            // thousand); only the joining is in order.
            let parts: Vec<String> = diags.par_iter().with_min_len(256).map(render_human).collect();
            let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + 160);
            for p in &parts {
                out.push_str(p);
                out.push('\n');
            }
            let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
            let (errors, warnings, notes) = (count(Severity::Error), count(Severity::Warning), count(Severity::Note));
            if let Some(first) = diags.first() {
                let notes = if notes > 0 {
                    format!(", {notes} note(s)")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "{errors} error(s), {warnings} warning(s){notes}");
                let _ = writeln!(
                    out,
                    "run `insiden explain {}` (or any other code) for why a rule exists and what to do",
                    first.code.name()
                );
            }
            out
        }
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&JsonReport { diagnostics: diags }).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Github => diags
            .par_iter()
            .with_min_len(256)
            .map(render_github)
            .collect::<Vec<_>>()
            .concat(),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: &'a [Diagnostic],
}

/// How many findings in one text quote their source line; the rest give line and column
/// only. Finding a line reads the text up to it, so without a bound a file with thousands of
/// findings would take time growing with their number times its size.
pub const MAX_SNIPPETS_PER_TEXT: usize = 64;

/// Whether one more finding in `text` may quote its line: counted per thread for the text
/// last seen (by address and length), which is the file a rule is working through.
fn snippet_allowed(text: &str) -> bool {
    use std::cell::Cell;
    thread_local! {
        static SEEN: Cell<(usize, usize, usize)> = const { Cell::new((0, 0, 0)) };
    }
    SEEN.with(|seen| {
        let (ptr, len, n) = seen.get();
        let key = (text.as_ptr() as usize, text.len());
        let n = if (ptr, len) == key { n + 1 } else { 1 };
        seen.set((key.0, key.1, n));
        n <= MAX_SNIPPETS_PER_TEXT
    })
}

/// At most [`WINDOW`] characters of `line` around 1-based character column `col`, and the
/// column within them. A long line is cut because the renderer's work, and a finding's size,
/// grow with the length of the line it quotes.
fn window(line: &str, col: usize) -> (&str, usize) {
    const BEFORE: usize = 80;
    if line.len() <= WINDOW {
        return (line, col);
    }
    let skip = col.saturating_sub(BEFORE + 1);
    let mut chars = line.char_indices().skip(skip);
    let start = chars.next().map_or(line.len(), |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .nth(WINDOW)
        .map_or(line.len(), |(i, _)| start + i);
    (&line[start..end], col - skip)
}

/// The most characters of a source line a human diagnostic shows.
const WINDOW: usize = 200;

/// Human text in the manner of rustc: code, location, the source line with a caret, help.
pub fn render_human(d: &Diagnostic) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    let level = match d.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Note,
    };
    let code = d.code.name();
    let message = sanitize_terminal(&d.message);
    let help = d.help.as_deref().map(sanitize_terminal);
    let commit_note = d.commit.as_ref().map(|c| format!("in {}", c.describe()));
    // A path is text the repository chose: a file name may carry terminal controls.
    let location = sanitize_terminal(&d.location());
    let path = sanitize_terminal(&d.path);
    // Every whitespace character is shown as one space: the renderer counts a tab as four
    // columns and other whitespace as one, and a caret inside a long run of leading
    // whitespace made it subtract past zero (found by the `validate` fuzz target).
    let source = d.source_line.as_deref().map(|s| {
        sanitize_terminal(s)
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect::<String>()
    });
    let column = d.source_column;

    let mut msg = level.title(&message).id(code);
    if let (Some(src), Some(line)) = (source.as_deref(), d.line) {
        // A caret in the leading spaces of a line that has text goes under its first word.
        let lead = src.len() - src.trim_start_matches(' ').len();
        let col = if lead < src.len() { column.max(lead + 1) } else { column };
        // Byte range of the pointed-at token in the source line: from the column to the next
        // space or `:` (a key) — a caret under the token, not the whole line.
        let start = src
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(src.len(), |(i, _)| i);
        let rest = &src[start..];
        let len = rest
            .find(|c: char| c == ':' || c == ',' || c == '}' || c.is_whitespace())
            .filter(|&n| n > 0)
            .unwrap_or(rest.len().max(1).min(rest.len()));
        let end = (start + len).min(src.len());
        let span = if start < end { start..end } else { start..start };
        msg = msg.snippet(
            Snippet::source(src)
                .line_start(line)
                .origin(&path)
                .annotation(level.span(span)),
        );
    } else {
        msg = msg.footer(Level::Note.title(&location));
    }
    if let Some(c) = commit_note.as_deref() {
        msg = msg.footer(Level::Note.title(c));
    }
    if let Some(h) = help.as_deref() {
        msg = msg.footer(Level::Help.title(h));
    }
    let mut out = Renderer::plain().render(msg).to_string();
    if d.source_line.is_none() || d.line.is_none() {
        // Keep the location greppable on the first line for findings without a snippet.
        out = out.replacen(&format!("]: {message}"), &format!("]: {location}: {message}"), 1);
    }
    out
}

/// `::error file=…,line=…,col=…,title=…::message`, escaped as GitHub requires.
pub fn render_github(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = format!("file={}", escape_property(&d.path));
    if let Some(l) = d.line {
        let _ = write!(props, ",line={l}");
    }
    if let Some(c) = d.column {
        let _ = write!(props, ",col={c}");
    }
    let _ = write!(
        props,
        ",title={}",
        escape_property(&format!("insiden {}", d.code.name()))
    );
    let mut text = d.message.clone();
    if let Some(c) = &d.commit {
        let _ = write!(text, " ({})", c.describe());
    }
    if let Some(h) = &d.help {
        let _ = write!(text, "\nhelp: {h}");
    }
    format!("::{kind} {props}::{}\n", escape_data(&text))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Makes untrusted text safe for a terminal: control characters (ANSI escapes included),
/// bidirectional overrides and zero-width characters are shown as `\u{…}`.
pub fn sanitize_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if bad {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostic {
        let text = "---\nid: INC-2026-0001\ntitel: x\n---\n";
        Diagnostic::error(
            Code::UnknownField,
            "incidents/2026/INC-2026-0001.md",
            "unknown field `titel`",
        )
        .at(text, 3, 1)
        .help("did you mean `title`?")
    }

    #[test]
    fn terminal_controls_in_a_path_never_reach_the_terminal() {
        let path = "incidents/2026/INC-\u{1b}[31mRED.md";
        for d in [
            Diagnostic::error(Code::ForbiddenPath, path, "refused"),
            Diagnostic::error(Code::YamlSyntax, path, "bad").at("---\nid: [\n---\n", 2, 5),
        ] {
            let out = render_human(&d);
            assert!(!out.contains('\u{1b}'), "{out:?}");
        }
    }

    #[test]
    fn human_output_shows_code_location_source_and_help() {
        let out = render_human(&sample());
        assert!(out.contains("error[unknown-field]: unknown field `titel`"), "{out}");
        assert!(out.contains("incidents/2026/INC-2026-0001.md:3:1"), "{out}");
        assert!(out.contains("titel: x"), "{out}");
        assert!(out.contains("^^^^^"), "{out}");
        assert!(out.contains("help: did you mean `title`?"), "{out}");
    }

    #[test]
    fn human_output_without_line_names_the_file_on_the_first_line() {
        let d = Diagnostic::error(Code::DuplicateId, "incidents/2026/a.md", "duplicate");
        let out = render_human(&d);
        assert!(
            out.starts_with("error[duplicate-id]: incidents/2026/a.md: duplicate"),
            "{out}"
        );
    }

    #[test]
    fn github_annotations_escape_newlines_percent_and_property_separators() {
        let mut d = sample();
        d.message = "50% done\nnext, line".into();
        d.path = "a,b:c.md".into();
        let out = render_github(&d);
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac.md,line=3,col=1,title=insiden unknown-field::50%25 done%0Anext, line%0Ahelp: did you mean `title`?\n"
        );
    }

    #[test]
    fn json_output_names_code_severity_and_position() {
        let out = render(&[sample()], Format::Json);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let d = &v["diagnostics"][0];
        assert_eq!(d["code"], "unknown-field");
        assert_eq!(d["severity"], "error");
        assert_eq!(d["line"], 3);
        assert_eq!(d["column"], 1);
    }

    #[test]
    fn terminal_sanitiser_neutralises_escape_sequences_and_bidi_overrides() {
        assert_eq!(sanitize_terminal("a\u{1b}[31mb\u{202e}c"), "a\\u{1b}[31mb\\u{202e}c");
    }

    #[test]
    fn code_names_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.name()), "duplicate {}", c.name());
            assert!(c
                .name()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '-' || ch.is_ascii_digit()));
        }
    }

    /// Regression (found by the `validate` fuzz target): a caret inside a long run of leading
    /// tabs on a long line made the snippet renderer subtract past zero.
    #[test]
    fn a_caret_in_leading_whitespace_of_a_long_line_renders() {
        for lead in ["\t".repeat(15), " ".repeat(60), "\u{3000}".repeat(40)] {
            let line = format!("{lead}body/\r {{b: c{}", "x".repeat(200));
            let text = format!("---\n{line}\n---\n");
            for col in [1, 5, 16, 70] {
                let d = Diagnostic::error(Code::YamlSyntax, "a.md", "x").at(&text, 2, col);
                assert!(render_human(&d).contains("a.md:2:"), "{lead:?} {col}");
            }
        }
    }
}
