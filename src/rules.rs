//! Validation of incident files as they stand: the schema (via `doc`), the workflow over the
//! whole history, the requirements of the current pass, the warnings of SPEC §3, and the
//! repository-wide rules (unique ids, id ↔ path ↔ year, attachments exist, references
//! resolve).
//!
//! It receives already-read `(path, text)` pairs and the set of files present, so it never
//! touches the filesystem or git; `validate`, `check` and `build` all go through here. Every
//! finding is a located [`Diagnostic`]; nothing stops at the first one.

use crate::config::Config;
use crate::diag::{Anchor, Code, Diagnostic};
use crate::doc::{self, Layout};
use crate::model::{Incident, IncidentId, Severity, Timestamp, Tlp};
use crate::store::SourceFile;
use crate::workflow::{Move, Unmet, Violation, SYSTEM};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// One file after validation.
#[derive(Debug, Clone)]
pub struct Checked {
    pub path: String,
    /// Boxed: a validation holds one `Checked` per file, and moving them stays cheap.
    pub incident: Option<Box<Incident>>,
    /// Where the repository-wide rules may point ([`REPOSITORY_KEYS`]), taken from the text
    /// before it was dropped.
    anchors: Vec<(&'static str, Anchor)>,
}

/// The fields the repository-wide rules judge across files.
const REPOSITORY_KEYS: [&str; 5] = ["id", "delivered_to", "duplicate_of", "related", "attachments"];

impl Checked {
    fn anchor(&self, key: &str) -> Anchor {
        self.anchors
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    }
}

/// All files after validation.
#[derive(Debug, Default)]
pub struct Validation {
    pub files: Vec<Checked>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Validation {
    /// The incidents that parsed, with their paths, sorted by id.
    pub fn incidents(&self) -> Vec<&Incident> {
        let mut v: Vec<&Incident> = self.files.iter().filter_map(|c| c.incident.as_deref()).collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The incidents that parsed, sorted by id, without what validation kept to point at
    /// their files: what a report holds while it renders.
    pub fn into_incidents(self) -> Vec<Box<Incident>> {
        let mut v: Vec<Box<Incident>> = self.files.into_iter().filter_map(|c| c.incident).collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Validates every file and the repository-wide rules. `present` holds every
/// repository-relative file path (for attachments); `now` measures SLAs and windows.
pub fn validate(files: &[SourceFile], present: &HashSet<String>, cfg: &Config, now: Timestamp) -> Validation {
    let per_file = files.par_iter().map(|f| Ok(validate_file(f, cfg, now))).collect();
    with_repository_rules(per_file, present, cfg)
}

/// The ways a validation reads its files: `init` makes each worker's reader state (a
/// repository handle, or nothing), `read` reads one file (failing with a finding), and `keep`
/// trims each file once its own rules ran (a build takes the body out there).
pub struct Reader<I, R, K> {
    pub init: I,
    pub read: R,
    pub keep: K,
}

/// [`validate`] over files read as they are judged: each text is dropped once its file is
/// parsed, so memory holds the parsed incidents, not every file twice.
pub fn validate_read<T: Send, S>(
    sources: Vec<T>,
    reader: Reader<
        impl Fn() -> S + Sync + Send,
        impl Fn(&mut S, T) -> Result<SourceFile, Diagnostic> + Sync + Send,
        impl Fn(&mut Checked) + Sync + Send,
    >,
    present: &HashSet<String>,
    cfg: &Config,
    now: Timestamp,
) -> Validation {
    let Reader { init, read, keep } = reader;
    let per_file = sources
        .into_par_iter()
        .map_init(init, |state, s| {
            read(state, s).map(|f| {
                let (mut checked, diags) = validate_file(&f, cfg, now);
                keep(&mut checked);
                (checked, diags)
            })
        })
        .collect();
    with_repository_rules(per_file, present, cfg)
}

fn with_repository_rules(
    per_file: Vec<Result<(Checked, Vec<Diagnostic>), Diagnostic>>,
    present: &HashSet<String>,
    cfg: &Config,
) -> Validation {
    let mut out = repository(per_file, present, &HashMap::new());
    if !cfg.has_members() && !out.files.is_empty() {
        out.diagnostics.push(
            Diagnostic::warning(
                Code::NoIdentity,
                crate::config::FILE_NAME,
                "no team members are configured: actors are not checked",
            )
            .help("list each team's members (id, name, emails, github) in insiden.yaml"),
        );
        crate::diag::sort(&mut out.diagnostics);
    }
    out
}

/// Validates only the `changed` files, with the repository-wide rules judged against every
/// incident path in `present`: the ids of unchanged files are known from their paths (which
/// validation ties to their ids), so unchanged files are never re-read. SLA and window
/// warnings of unchanged files are left to `validate`.
pub fn validate_changed(changed: &[SourceFile], present: &HashSet<String>, cfg: &Config, now: Timestamp) -> Validation {
    let changed_paths: HashSet<&str> = changed.iter().map(|f| f.path.as_str()).collect();
    let others: HashMap<String, String> = present
        .iter()
        .filter(|p| !changed_paths.contains(p.as_str()) && p.ends_with(".md"))
        .filter_map(|p| {
            let stem = p.rsplit('/').next()?.strip_suffix(".md")?;
            IncidentId::parse(stem, &cfg.id_prefix).map(|_| (stem.to_owned(), p.clone()))
        })
        .collect();
    let per_file = changed.par_iter().map(|f| Ok(validate_file(f, cfg, now))).collect();
    repository(per_file, present, &others)
}

/// Gathers the per-file results, then applies the repository-wide rules; `others` are the
/// incidents known only by path.
fn repository(
    per_file: Vec<Result<(Checked, Vec<Diagnostic>), Diagnostic>>,
    present: &HashSet<String>,
    others: &HashMap<String, String>,
) -> Validation {
    let mut out = Validation::default();
    for r in per_file {
        match r {
            Ok((c, d)) => {
                out.files.push(c);
                out.diagnostics.extend(d);
            }
            Err(d) => out.diagnostics.push(d),
        }
    }
    out.diagnostics.extend(repository_rules(&out.files, present, others));
    crate::diag::sort(&mut out.diagnostics);
    out
}

/// Validates one file on its own.
pub fn validate_file(file: &SourceFile, cfg: &Config, now: Timestamp) -> (Checked, Vec<Diagnostic>) {
    let parsed = doc::parse(&file.text, &file.path, cfg.timezone);
    let mut diags = parsed.diagnostics;
    if let Some(inc) = &parsed.incident {
        let ctx = FileCtx {
            path: &file.path,
            text: file.text.strip_prefix('\u{feff}').unwrap_or(&file.text),
            layout: &parsed.layout,
            cfg,
            line_starts: std::cell::OnceCell::new(),
        };
        ctx.identity(inc, &mut diags);
        ctx.history(inc, &mut diags);
        ctx.warnings(inc, now, &mut diags);
    }
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let anchors = REPOSITORY_KEYS
        .iter()
        .filter_map(|&k| parsed.layout.key_line(k).map(|line| (k, Anchor::new(text, line, 1))))
        .collect();
    (
        Checked {
            path: file.path.clone(),
            incident: parsed.incident.map(Box::new),
            anchors,
        },
        diags,
    )
}

struct FileCtx<'a> {
    path: &'a str,
    text: &'a str,
    layout: &'a Layout,
    cfg: &'a Config,
    /// Where each line of `text` starts, built on first use: findings on many history
    /// entries then cost one pass over the text, not one each.
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl FileCtx<'_> {
    fn at_key(&self, code: Code, key: &str, msg: String) -> Diagnostic {
        let line = self.layout.key_line(key).unwrap_or(self.layout.fm_start);
        Diagnostic::error(code, self.path, msg).at(self.text, line, 1)
    }

    fn at_entry(&self, code: Code, i: usize, msg: String) -> Diagnostic {
        let line = self.layout.entry_line(i).unwrap_or(self.layout.fm_start);
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let col = starts.get(line.saturating_sub(1)).map_or(1, |&from| {
            let l = &self.text[from..];
            l.len() - l.trim_start_matches([' ', '\t']).len() + 1
        });
        Diagnostic::error(code, self.path, msg).at(self.text, line, col)
    }

    fn warn_key(&self, code: Code, key: &str, msg: String) -> Diagnostic {
        let mut d = self.at_key(code, key, msg);
        d.severity = crate::diag::Severity::Warning;
        d
    }

    /// id shape, id ↔ path ↔ year, category.
    fn identity(&self, inc: &Incident, out: &mut Vec<Diagnostic>) {
        let prefix = &self.cfg.id_prefix;
        let Some(id) = IncidentId::parse(&inc.id, prefix) else {
            // An empty or malformed id is never let through, or the file could live at any
            // path; this judges the parsed value, never where a line reader saw the key.
            let msg = if inc.id.is_empty() {
                "the incident has no id".to_owned()
            } else {
                format!("`{}` is not an incident id", inc.id)
            };
            out.push(self.at_key(Code::InvalidId, "id", msg).help(format!(
                "ids look like {prefix}-2026-0007: prefix, year, at least four digits (no more leading zeros than make four)"
            )));
            return;
        };
        let expected = format!("incidents/{}/{}.md", id.year, inc.id);
        if self.path != expected {
            out.push(
                self.at_key(
                    Code::PathMismatch,
                    "id",
                    format!("id `{}` belongs at `{expected}`", inc.id),
                )
                .help("move the file or fix the id; ids never change once filed"),
            );
        }
        if let Some(reported) = inc.reported_at {
            let year = crate::time::in_zone(reported, self.cfg.timezone)
                .format("%Y")
                .to_string();
            if year != id.year.to_string() {
                out.push(
                    self.at_key(
                        Code::PathMismatch,
                        "reported_at",
                        format!("reported in {year} but the id says {}", id.year),
                    )
                    .help("the id's year is the year of `reported_at` in the configured time zone"),
                );
            }
        }
        if let Some(cat) = &inc.category {
            if self.cfg.category(cat).is_none() {
                let ids: Vec<&str> = self.cfg.categories.iter().map(|c| c.id.as_str()).collect();
                let help = match doc::suggest(cat, &ids) {
                    Some(s) => format!("did you mean `{s}`? Categories: {}", ids.join(", ")),
                    None => format!("use one of: {}", ids.join(", ")),
                };
                out.push(
                    self.at_key(Code::UnknownCategory, "category", format!("unknown category `{cat}`"))
                        .help(help),
                );
            }
        }
    }

    /// The history against the workflow, the team lists and the current pass's requirements.
    fn history(&self, inc: &Incident, out: &mut Vec<Diagnostic>) {
        let w = &self.cfg.workflow;
        if inc.history.is_empty() {
            out.push(
                self.at_key(Code::EmptyHistory, "history", "the history is empty".into())
                    .help("the first entry records the report: `- { at: …, to: reported, by: helpdesk, actor: … }`"),
            );
            return;
        }
        let cal = self.cfg.calendar();
        let pass_start = pass_start(inc, w);
        let mut prev: Option<&str> = None;
        let mut prev_at: Option<Timestamp> = None;
        for (i, e) in inc.history.iter().enumerate() {
            match w.check_entry(prev, e) {
                Ok(Move::Transition(t)) => {
                    let in_pass = i == 0 || prev == Some(w.initial.as_str()) || i >= pass_start;
                    if in_pass {
                        for u in w.unmet(t, inc, i, &cal) {
                            out.push(self.unmet(i, prev.unwrap_or(crate::workflow::NEW), &e.to, &u));
                        }
                    }
                }
                Ok(Move::Update) => {}
                Err(v) => out.push(self.violation(i, &v)),
            }
            self.actor(i, &e.by, e.actor.as_deref(), out);
            if let Some(p) = prev_at {
                if e.at < p {
                    out.push(
                        self.at_entry(
                            Code::TimeDecreasing,
                            i,
                            format!(
                                "entry {} is dated {} before the entry above it ({})",
                                i + 1,
                                e.at.to_rfc3339(),
                                p.to_rfc3339()
                            ),
                        )
                        .help("history is in time order; check the date and the offset"),
                    );
                }
            }
            prev = Some(&e.to);
            prev_at = Some(e.at);
        }
        if w.state(&inc.status).is_none() {
            let states: Vec<&str> = w.states.iter().map(|s| s.id.as_str()).collect();
            out.push(
                self.at_key(Code::UnknownState, "status", format!("unknown status `{}`", inc.status))
                    .help(format!("use one of: {}", states.join(", "))),
            );
        } else if let Some(last) = inc.history.last() {
            if last.to != inc.status {
                out.push(
                    self.at_key(
                        Code::StatusMismatch,
                        "status",
                        format!(
                            "status is `{}` but the last history entry moves to `{}`",
                            inc.status, last.to
                        ),
                    )
                    .help("use `insiden transition`, which sets both; or make `status` equal the last entry's `to`"),
                );
            }
        }
    }

    fn actor(&self, i: usize, by: &str, actor: Option<&str>, out: &mut Vec<Diagnostic>) {
        if by == SYSTEM {
            let bot = &self.cfg.autoresolve.bot.id;
            if actor != Some(bot.as_str()) {
                out.push(
                    self.at_entry(
                        Code::UnknownMember,
                        i,
                        format!("`system` entries are made by the bot `{bot}`"),
                    )
                    .help(format!("set `actor: {bot}`")),
                );
            }
            return;
        }
        if !self.cfg.has_members() || !self.cfg.workflow.has_role(by) {
            return;
        }
        let members = self.cfg.members(by);
        match actor {
            None => out.push(
                self.at_entry(Code::UnknownMember, i, format!("entry {} has no `actor`", i + 1))
                    .help("name the team member who made the move: `actor: <member id>`"),
            ),
            Some(a) if !members.iter().any(|m| m.id == a) => {
                let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
                out.push(
                    self.at_entry(Code::UnknownMember, i, format!("`{a}` is not a member of team `{by}`"))
                        .help(if ids.is_empty() {
                            format!("add members to teams.{by} in insiden.yaml")
                        } else {
                            format!("members of {by}: {}", ids.join(", "))
                        }),
                );
            }
            Some(_) => {}
        }
    }

    fn violation(&self, i: usize, v: &Violation) -> Diagnostic {
        match v {
            Violation::UnknownState { state } => {
                let states: Vec<&str> = self.cfg.workflow.states.iter().map(|s| s.id.as_str()).collect();
                self.at_entry(Code::UnknownState, i, format!("unknown state `{state}`"))
                    .help(format!("use one of: {}", states.join(", ")))
            }
            Violation::UnknownRole { role } => {
                let roles: Vec<&str> = self
                    .cfg
                    .workflow
                    .roles
                    .iter()
                    .map(|r| r.id.as_str())
                    .chain([SYSTEM])
                    .collect();
                self.at_entry(Code::UnknownRole, i, format!("unknown role `{role}`"))
                    .help(format!("use one of: {}", roles.join(", ")))
            }
            Violation::BadStart { expected, found } => self
                .at_entry(Code::HistoryStart, i, format!("history starts with `{found}`"))
                .help(format!("the first entry records the report: `to: {expected}`")),
            Violation::NotAllowed { from, to, allowed } => self
                .at_entry(Code::TransitionNotAllowed, i, format!("{from} → {to} is not allowed"))
                .help(if allowed.is_empty() {
                    format!("`{from}` is final: nothing follows it")
                } else {
                    format!("allowed from {from}: {}", allowed.join(", "))
                }),
            Violation::RoleNotAllowed {
                from,
                to,
                role,
                allowed,
            } => self
                .at_entry(
                    Code::RoleNotAllowed,
                    i,
                    format!("{from} → {to} is not made by `{role}`"),
                )
                .help(format!("this step belongs to: {}", allowed.join(", "))),
            Violation::UpdateWithoutNote { state } => self
                .at_entry(Code::MissingNote, i, format!("an update in `{state}` without a note"))
                .help("an entry that stays in the same state records progress: add `note: …`"),
        }
    }

    fn unmet(&self, i: usize, from: &str, to: &str, u: &Unmet) -> Diagnostic {
        let code = unmet_code(u);
        let help = match u {
            Unmet::Field { field } => format!("fill `{field}` before this step"),
            Unmet::Equals { field, expected, .. } => format!("this path needs `{field}: {expected}`"),
            Unmet::Section { label, .. } => {
                format!("add a `## {label}` section with text to the body")
            }
            Unmet::Note => "say why in `note: …`".into(),
            Unmet::WindowClosed { .. } => "after the window a new report is a new incident: `insiden new`".into(),
            Unmet::WindowOpen { .. } => {
                "wait until the window has elapsed; `insiden autoresolve` closes it then".into()
            }
            Unmet::NoWindow => "the window opens when the helpdesk delivers the report (`resolved`)".into(),
            Unmet::ScanReport { .. } => {
                "scan the website and attach the report: `attachments: [{ path: lampiran/<file>, kind: scan-report, at: …, tool: …, target: … }]`".into()
            }
        };
        self.at_entry(code, i, format!("{from} → {to} requires {}", u.describe()))
            .help(help)
    }

    fn warnings(&self, inc: &Incident, now: Timestamp, out: &mut Vec<Diagnostic>) {
        let w = &self.cfg.workflow;
        let reached_documented = inc.history.iter().any(|e| e.to == "documented");
        if matches!(inc.severity, Some(Severity::High | Severity::Critical))
            && reached_documented
            && inc.external_reports.is_empty()
        {
            out.push(
                self.warn_key(Code::OnwardReportMissing, "severity", format!("a {} incident was documented without `external_reports`", inc.severity.map(|s| s.as_str()).unwrap_or_default()))
                    .help("record the report to BSSN or the sectoral CSIRT: `external_reports: [{ to: bssn, at: …, reference: … }]`"),
            );
        }
        let restricted = matches!(inc.tlp, Some(Tlp::AmberStrict | Tlp::Red));
        if restricted && inc.handler.as_ref().and_then(|h| h.kind) == Some(crate::model::HandlerType::External) {
            out.push(
                self.warn_key(
                    Code::RestrictedTlpExternal,
                    "handler",
                    format!(
                        "a {} incident is handed to an external handler",
                        inc.effective_tlp().label()
                    ),
                )
                .help("TLP:AMBER+STRICT and TLP:RED stay inside the organisation; agree on a lower TLP first"),
            );
        }
        if inc.tlp == Some(Tlp::Red) && has_body_text(&inc.body) {
            out.push(
                self.warn_key(Code::RedBody, "tlp", "a TLP:RED incident has body text".into())
                    .help("keep TLP:RED details outside the shared repository; leave a pointer to where they are kept"),
            );
        }
        if let Some(stay) = crate::workflow::stays(w, &self.cfg.sla, inc, now).last() {
            if stay.breached() && stay.left.is_none() {
                let limit = stay.limit.map(crate::time::format_duration).unwrap_or_default();
                out.push(
                    self.warn_key(
                        Code::SlaBreached,
                        "status",
                        format!(
                            "in `{}` for {} (SLA {limit})",
                            stay.state,
                            crate::time::format_age(stay.spent)
                        ),
                    )
                    .help(format!(
                        "the team `{}` acts next",
                        w.state(stay.state).map(|s| s.acts.join(", ")).unwrap_or_default()
                    )),
                );
            }
        }
        if let Some(end) = w.documentation_overdue(inc, &self.cfg.calendar(), now) {
            out.push(
                self.warn_key(
                    Code::AutoresolveOverdue,
                    "status",
                    format!(
                        "the autoresolve window ended {}; the incident awaits documentation",
                        end.to_rfc3339()
                    ),
                )
                .help("the data team documents it (`resolution`, then `insiden transition … documented`)"),
            );
        }
    }
}

/// The rule a missing requirement breaks.
pub(crate) fn unmet_code(u: &Unmet) -> Code {
    match u {
        Unmet::Note => Code::MissingNote,
        Unmet::WindowClosed { .. } => Code::WindowClosed,
        Unmet::WindowOpen { .. } | Unmet::NoWindow => Code::WindowOpen,
        Unmet::Field { .. } | Unmet::Equals { .. } | Unmet::Section { .. } | Unmet::ScanReport { .. } => {
            Code::RequirementMissing
        }
    }
}

/// Whether a body has text besides headings.
fn has_body_text(body: &str) -> bool {
    body.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// The history index from which requirements are checked against the file as it stands:
/// the latest reopen (follow-up report), or the start.
pub fn pass_start(inc: &Incident, w: &crate::workflow::Workflow) -> usize {
    let mut start = 0;
    let mut prev = crate::workflow::NEW.to_owned();
    for (i, e) in inc.history.iter().enumerate() {
        if e.to != prev && w.transition(&prev, &e.to).is_some_and(|t| t.reopen) {
            start = i;
        }
        prev.clone_from(&e.to);
    }
    start
}

/// The repository-wide rules over `files`; `others` maps the ids of incidents not among
/// `files` (known by their paths) to those paths.
fn repository_rules(files: &[Checked], present: &HashSet<String>, others: &HashMap<String, String>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut by_id: HashMap<&str, &str> = others.iter().map(|(id, p)| (id.as_str(), p.as_str())).collect();
    let mut sorted: Vec<&Checked> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for c in &sorted {
        let Some(inc) = &c.incident else { continue };
        if inc.id.is_empty() {
            continue;
        }
        if let Some(first) = by_id.insert(&inc.id, &c.path) {
            by_id.insert(&inc.id, first);
            out.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    &c.path,
                    format!("id `{}` is already used by {first}", inc.id),
                )
                .at_anchor(&c.anchor("id"))
                .help("give this incident the next free id (`insiden new` picks it)"),
            );
        }
    }
    let mut letters: HashMap<&str, (&str, &str)> = HashMap::new();
    for c in &sorted {
        let Some(inc) = &c.incident else { continue };
        let Some(n) = inc
            .delivered_to
            .as_ref()
            .and_then(|d| d.letter_number.as_deref())
            .filter(|n| !n.trim().is_empty())
        else {
            continue;
        };
        if let Some((id, path)) = letters.get(n.trim()) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateLetterNumber,
                    &c.path,
                    format!("letter number `{n}` is already recorded for {id} ({path})"),
                )
                .at_anchor(&c.anchor("delivered_to"))
                .help(
                    "record the number this incident's letter carries; `insiden letter <ID>` assigns the next free one",
                ),
            );
        } else {
            letters.insert(n.trim(), (&inc.id, &c.path));
        }
    }
    for c in &sorted {
        let Some(inc) = &c.incident else { continue };
        let at = |key: &str| c.anchor(key);
        for r in inc.duplicate_of.iter().chain(inc.related.iter()) {
            if !by_id.contains_key(r.as_str()) {
                let key = if inc.duplicate_of.as_ref() == Some(r) {
                    "duplicate_of"
                } else {
                    "related"
                };
                out.push(
                    Diagnostic::error(
                        Code::UnresolvedReference,
                        &c.path,
                        format!("`{key}` names `{r}`, which does not exist"),
                    )
                    .at_anchor(&at(key))
                    .help("name an existing incident id"),
                );
            }
        }
        let dir = c.path.rsplit_once('/').map_or("", |(d, _)| d);
        for a in &inc.attachments {
            let a = &a.path;
            match resolve(dir, a) {
                Some(p) if present.contains(&p) => {}
                Some(p) => out.push(
                    Diagnostic::error(
                        Code::MissingAttachment,
                        &c.path,
                        format!("attachment `{a}` does not exist (looked for {p})"),
                    )
                    .at_anchor(&at("attachments"))
                    .help("commit the file next to the incident, or fix the path (relative to the incident file)"),
                ),
                None => out.push(
                    Diagnostic::error(
                        Code::MissingAttachment,
                        &c.path,
                        format!("attachment `{a}` points outside the repository"),
                    )
                    .at_anchor(&at("attachments"))
                    .help("attachments are paths relative to the incident file, inside incidents/"),
                ),
            }
        }
    }
    out
}

/// Joins a relative path onto a directory, refusing to climb above the root.
pub fn resolve(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains('\\') || rel.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_resolve_relative_to_the_incident_and_never_escape() {
        assert_eq!(
            resolve("incidents/2026", "lampiran/scan.txt").as_deref(),
            Some("incidents/2026/lampiran/scan.txt")
        );
        assert_eq!(
            resolve("incidents/2026", "../2025/x.pdf").as_deref(),
            Some("incidents/2025/x.pdf")
        );
        assert_eq!(resolve("incidents/2026", "../../../etc/passwd"), None);
        assert_eq!(resolve("incidents/2026", "/etc/passwd"), None);
    }
}
