//! The commit rules: given what one commit did to one incident file (its version in each
//! parent, its version after, and who made the commit), decide whether the SOP allows it.
//!
//! Each rule is one function named after its code, over a shared `Change`: the parsed
//! versions, the entries the commit added, the teams its author belongs to, and what the
//! range knows that the commit alone does not (the checker's clock, the strictest TLP the
//! incident has had). A reader finds a rule by its code; a test exercises it alone.
//!
//! Identity is the commit's author, matched against the team lists by email or GitHub
//! no-reply handle. `Co-authored-by:` trailers are text anyone can type: they grant nothing,
//! except on the forge's own merges where the caller says so ([`Env::trailers`]).
//! Input is plain data from `git` ([`CommitMeta`] and text); this module never calls git2.

use crate::config::{Config, Member};
use crate::diag::{Code, CommitRef, Diagnostic, Severity};
use crate::doc::{self, Layout};
use crate::git::CommitMeta;
use crate::model::{HistoryEntry, Incident, Timestamp, Tlp};
use crate::workflow::{Move, Unmet, Violation, NEW, SYSTEM};
use chrono::Duration;

/// How far after its commit an entry's time may lie (clock skew).
pub const FUTURE_SKEW: Duration = Duration::minutes(10);

/// The roles that may lower TLP when the workflow names none.
const TLP_DECIDERS: &[&str] = &["analysis", "coordination"];

/// Whether `member` is the person with `email`: by an email the member lists, or by the
/// forge handle in a GitHub no-reply address (`12345+handle@users.noreply.github.com`).
pub fn identifies(member: &Member, email: &str) -> bool {
    member.emails.iter().any(|m| m.eq_ignore_ascii_case(email))
        || member
            .github
            .as_deref()
            .is_some_and(|handle| noreply_handle(email).is_some_and(|h| h.eq_ignore_ascii_case(handle)))
}

fn noreply_handle(email: &str) -> Option<&str> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    Some(local.split_once('+').map_or(local, |(_, h)| h))
}

/// Whether the commit was both authored and committed by the configured bot (a person can
/// set any author with `git commit --author`; the committer is who made the commit).
pub fn is_bot(meta: &CommitMeta, cfg: &Config) -> bool {
    let bot = |email: &str| cfg.autoresolve.bot.emails.iter().any(|e| e.eq_ignore_ascii_case(email));
    bot(&meta.author.email) && bot(&meta.committer.email)
}

/// The (team, member) pairs the commit's author is.
pub fn author_roles<'c>(meta: &CommitMeta, cfg: &'c Config) -> Vec<(&'c str, &'c Member)> {
    cfg.all_members()
        .filter(|(_, m)| identifies(m, &meta.author.email))
        .collect()
}

/// Whether the commit is the forge's own (its committer is `check.forge_committer`).
pub fn is_forge(meta: &CommitMeta, cfg: &Config) -> bool {
    let configured = &cfg.check.forge_committer;
    let email = configured
        .rsplit_once('<')
        .and_then(|(_, e)| e.strip_suffix('>'))
        .unwrap_or(configured);
    meta.committer.email.eq_ignore_ascii_case(email.trim())
}

/// The member id of the commit's author, if any.
pub fn author_member<'c>(meta: &CommitMeta, cfg: &'c Config) -> Option<&'c str> {
    author_roles(meta, cfg).first().map(|(_, m)| m.id.as_str())
}

/// Which rules judge a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Judging {
    /// Every rule: the commit lands as it is (merge or rebase).
    #[default]
    Whole,
    /// Who made it: membership, the bot, reserved fields, each entry's actor and dates. Each
    /// commit of a pull request that lands squashed.
    Authorship,
    /// What it does to the incident: history, moves and their requirements, windows, TLP. The
    /// net change a squashed pull request lands.
    Outcome,
}

/// What the range knows that one commit does not.
#[derive(Debug, Clone, Copy, Default)]
pub struct Env<'a> {
    /// Which rules judge this change.
    pub judging: Judging,
    /// The pull request's author (`check --pr-author`): without a verified signature, every
    /// entry is recorded in their name.
    pub pr_author: Option<&'a str>,
    /// The commit's signature verifies with a key of its author.
    pub signed_by_author: bool,
    /// `Co-authored-by:` trailers name who made the moves: the commit is one of the forge's
    /// merges (its committer is `check.forge_committer`, with signing required its signature
    /// verifies with `check.forge_keys`, and it lies on the first-parent line `audit`
    /// replays). Never in a pull request's own commits.
    pub trailers: bool,
    /// The checker's clock: no entry may lie after it.
    pub now: Option<Timestamp>,
    /// The strictest TLP the incident has had on the base or earlier in the range, since its
    /// last authorised lowering.
    pub tlp_floor: Option<Tlp>,
    /// For a merge: the result is exactly what git merges from the parents on its own, so
    /// the merge's author added nothing that needs an author.
    pub clean_merge: bool,
}

/// What the rules found about one change, and the TLP floor the next commit is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub diagnostics: Vec<Diagnostic>,
    pub tlp_floor: Option<Tlp>,
}

/// One commit's change to one incident file, as every rule sees it.
struct Change<'a> {
    meta: &'a CommitMeta,
    commit: CommitRef,
    path: &'a str,
    text: &'a str,
    layout: &'a Layout,
    befores: &'a [&'a Incident],
    after: &'a Incident,
    /// Indices of the entries no parent had: the commit's own.
    fresh: Vec<usize>,
    cfg: &'a Config,
    roles: Vec<(&'a str, &'a Member)>,
    bot: bool,
    env: Env<'a>,
}

impl Change<'_> {
    fn at_entry(&self, code: Code, i: usize, msg: String) -> Diagnostic {
        let (line, col) = self.layout.entry_position(self.text, i);
        Diagnostic::error(code, self.path, msg)
            .at(self.text, line, col)
            .in_commit(self.commit.clone())
    }

    fn at_key(&self, code: Code, key: &str, msg: String) -> Diagnostic {
        let line = self.layout.key_line(key).unwrap_or(self.layout.fm_start);
        Diagnostic::error(code, self.path, msg)
            .at(self.text, line, 1)
            .in_commit(self.commit.clone())
    }

    fn fresh_entries(&self) -> impl Iterator<Item = (usize, &HistoryEntry)> {
        self.fresh.iter().map(|&i| (i, &self.after.history[i]))
    }

    fn author_is(&self, roles: &[String]) -> bool {
        self.roles.iter().any(|(r, _)| roles.iter().any(|x| x == r))
    }

    fn author(&self) -> String {
        format!("{} <{}>", self.meta.author.name, self.meta.author.email)
    }

    /// The roles that decide a field: the workflow's `field_owners`, or for `tlp` the
    /// analysis and coordination teams when the workflow names none.
    fn owners(&self, field: &str) -> Vec<String> {
        match self.cfg.workflow.field_owners.get(field) {
            Some(r) => r.clone(),
            None if field == "tlp" => TLP_DECIDERS.iter().map(|s| (*s).to_owned()).collect(),
            None => Vec::new(),
        }
    }

    /// Whether the change adds an entry by a team that decides TLP, made by its author (on a
    /// squashed net change, whose entry is whose is judged commit by commit).
    fn tlp_decided(&self) -> bool {
        let owners = self.owners("tlp");
        self.fresh_entries().any(|(_, e)| owners.contains(&e.by))
            && (self.author_is(&owners) || !self.identity() || self.env.judging == Judging::Outcome)
    }

    fn identity(&self) -> bool {
        self.cfg.has_members()
    }
}

/// Checks what one commit did to one incident file. `olds` are the file's texts in each
/// parent (`None`: absent there; empty for the root commit), `new` its text after the commit.
/// An ordinary commit must keep its parent's history as a prefix; a merge must keep every
/// parent's entries, in order. Entries no parent had are the commit's own, judged as moves
/// made by its author.
pub fn check_change(
    meta: &CommitMeta,
    path: &str,
    olds: &[Option<&str>],
    new: Option<&str>,
    cfg: &Config,
    env: Env<'_>,
) -> Verdict {
    let new = new.map(|t| parse_new(t, path, cfg));
    let olds: Vec<Option<Old<'_>>> = olds.iter().map(|o| o.map(Old::Text)).collect();
    let new = new.as_ref().map(|(text, parsed)| New { text, parsed });
    check_parsed(meta, path, &olds, new, cfg, env)
}

/// A parent's version of the file, as [`check_parsed`] takes it: its text, or what parsing
/// it gave (`None`: it does not parse) when that is known already, e.g. from the previous
/// commit, whose new version it is. A merge's versions are given as text: whether the merge
/// kept one of them whole compares texts.
#[derive(Debug, Clone, Copy)]
pub enum Old<'a> {
    Text(&'a str),
    Parsed(Option<&'a Incident>),
}

/// The version after the commit: its text without a byte-order mark, and what it parses to
/// (both from [`parse_new`]).
#[derive(Clone, Copy)]
pub struct New<'a> {
    pub text: &'a str,
    pub parsed: &'a doc::Parsed,
}

/// A commit's new version of a file as [`check_parsed`] reads it: without its byte-order
/// mark, parsed.
pub fn parse_new<'t>(text: &'t str, path: &str, cfg: &Config) -> (&'t str, doc::Parsed) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    (text, doc::parse(text, path, cfg.timezone))
}

/// What [`doc::parse`] of a previous version gives: the version's incident, `None` when it
/// does not parse.
fn parse_old(old: Old<'_>, path: &str, cfg: &Config) -> Option<Incident> {
    match old {
        Old::Text(t) => doc::parse(t, path, cfg.timezone).incident,
        Old::Parsed(_) => None,
    }
}

/// [`check_change`] with the versions parsed by the caller, who may keep what a version
/// parses to and give it again when the version comes back as the next commit's parent.
pub fn check_parsed(
    meta: &CommitMeta,
    path: &str,
    olds: &[Option<Old<'_>>],
    new: Option<New<'_>>,
    cfg: &Config,
    env: Env<'_>,
) -> Verdict {
    let commit = CommitRef {
        id: meta.short().to_owned(),
        subject: meta.subject.clone(),
    };
    let mut verdict = Verdict {
        diagnostics: Vec::new(),
        tlp_floor: env.tlp_floor,
    };
    let out = &mut verdict.diagnostics;
    let existed = olds.iter().any(Option::is_some);
    let Some(New { text: new_text, parsed }) = new else {
        // A squashed pull request is judged by whether the file is gone when it lands.
        if existed && env.judging != Judging::Authorship {
            out.push(
                Diagnostic::error(Code::FileDeleted, path, "the incident file was deleted or renamed")
                    .help("incident records are never removed; restore the file (a wrongly filed report is `rejected`, not deleted)")
                    .in_commit(commit),
            );
        }
        return verdict;
    };
    // What each parent's version parses to (those given as text, parsed here).
    let read: Vec<Option<Incident>> = olds.iter().flatten().map(|o| parse_old(*o, path, cfg)).collect();
    let old_incidents: Vec<Option<&Incident>> = olds
        .iter()
        .flatten()
        .zip(&read)
        .map(|(o, r)| match o {
            Old::Text(_) => r.as_ref(),
            Old::Parsed(i) => *i,
        })
        .collect();
    // A squashed pull request's commits are judged for who made them; what a commit left
    // broken, a later one may mend before the change lands.
    if env.judging == Judging::Authorship
        && (parsed.diagnostics.iter().any(Diagnostic::is_error) || old_incidents.iter().any(Option::is_none))
    {
        if cfg.has_members() && !is_bot(meta, cfg) && author_roles(meta, cfg).is_empty() {
            out.push(
                Diagnostic::error(
                    Code::NotAMember,
                    path,
                    format!("this change is authored by {} <{}>, who is not a member of any team", meta.author.name, meta.author.email),
                )
                .help("commit with the email (or GitHub account) listed for you under `teams:` in insiden.yaml; a maintainer adds new members")
                .in_commit(commit),
            );
        }
        return verdict;
    }
    let Some(after) = parsed.incident.as_ref() else {
        out.extend(parsed.diagnostics.iter().map(|d| d.clone().in_commit(commit.clone())));
        return verdict;
    };
    // A file that does not parse cleanly is never judged as if it did.
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        out.extend(
            parsed
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.clone().in_commit(commit.clone())),
        );
        return verdict;
    }
    let mut befores: Vec<&Incident> = Vec::new();
    for old in &old_incidents {
        match *old {
            Some(b) => befores.push(b),
            // A version written before the reader grew stricter (YAML outside the subset)
            // can only be repaired, by those who may change the rules; for anyone else the
            // change cannot be verified.
            None if maintainer_commit(meta, cfg, env.pr_author, env.signed_by_author) => {
                out.push(
                    Diagnostic::note(
                        Code::RecordRepaired,
                        path,
                        "the previous version of this file cannot be read; a maintainer's repair is accepted as it stands, without comparing its history",
                    )
                    .at(new_text, parsed.layout.fm_start, 1)
                    .in_commit(commit.clone())
                    .help("review this pull request's diff by eye: keep every history entry the old version had"),
                );
                return verdict;
            }
            None => {
                out.push(
                    Diagnostic::error(
                        Code::HistoryRewritten,
                        path,
                        "the previous version of this file cannot be read, so this change cannot be verified against it",
                    )
                    .at(new_text, parsed.layout.fm_start, 1)
                    .in_commit(commit.clone())
                    .help("a file that no longer reads (`insiden validate --rev <base>` names the line) is repaired by a maintainer, in a pull request of its own"),
                );
                return verdict;
            }
        }
    }
    let mut c = Change {
        meta,
        commit,
        path,
        text: new_text,
        layout: &parsed.layout,
        befores: &befores,
        after,
        fresh: Vec::new(),
        cfg,
        roles: author_roles(meta, cfg),
        bot: is_bot(meta, cfg),
        env,
    };
    // A merge that keeps one parent's version of the file adds nothing of its own: only the
    // other parents' entries must survive in it.
    let kept = befores.len() > 1
        && olds
            .iter()
            .flatten()
            .any(|o| matches!(o, Old::Text(t) if t.strip_prefix('\u{feff}').unwrap_or(t) == new_text));
    let judging = c.env.judging;
    let (who, what) = (judging != Judging::Outcome, judging != Judging::Authorship);
    if !existed && what {
        if let Err(d) = history_start(&c) {
            out.push(d);
            return verdict;
        }
    }
    match history_rewritten(&c) {
        Ok(fresh) => c.fresh = fresh,
        // Judged on the net change; here only which entries are new matters.
        Err(_) if !what => c.fresh = not_in_any(&c),
        Err(d) => {
            out.push(d);
            return verdict;
        }
    }
    // What a merge takes whole from one side, or as git merges it, was decided where it was
    // made: the TLP it carries is the floor from here on, unless it lowers one side's.
    if kept {
        verdict.tlp_floor = Some(after.effective_tlp());
        return verdict;
    }
    if c.env.clean_merge && c.fresh.is_empty() {
        match merge_tlp_lowered(&c) {
            Some(d) => out.push(d),
            None => verdict.tlp_floor = Some(after.effective_tlp()),
        }
        return verdict;
    }
    if what {
        out.extend(immutable_field(&c));
    }
    if who {
        out.extend(not_a_member(&c));
        out.extend(bot_overreach(&c));
        out.extend(field_not_allowed(&c));
    }
    for (i, e) in c.fresh_entries() {
        out.extend(transition(&c, i, e));
        if who {
            out.extend(system_not_bot(&c, i, e));
            out.extend(actor_not_author(&c, i, e));
            out.extend(actor_not_pr_author(&c, i, e));
            out.extend(entry_in_future(&c, i, e));
            out.extend(entry_backdated(&c, i, e));
        }
    }
    if what {
        let (tlp, floor) = tlp_lowered(&c);
        out.extend(tlp);
        verdict.tlp_floor = Some(floor);
    }
    out.extend(merge_tlp_lowered(&c));
    verdict
}

/// The entries no parent has anywhere in its history (compared by value).
fn not_in_any(c: &Change) -> Vec<usize> {
    (0..c.after.history.len())
        .filter(|&i| {
            !c.befores
                .iter()
                .any(|b| b.history.iter().any(|e| same_entry(e, &c.after.history[i])))
        })
        .collect()
}

/// `history-start`: a new incident's history starts with the workflow's initial state.
fn history_start(c: &Change) -> Result<(), Diagnostic> {
    match c.after.history.first() {
        Some(first) if first.to != c.cfg.workflow.initial => Err(c
            .at_entry(
                Code::HistoryStart,
                0,
                format!("a new incident's history starts with `{}`", first.to),
            )
            .help(format!("the first entry is `to: {}`", c.cfg.workflow.initial))),
        _ => Ok(()),
    }
}

/// `history-rewritten`: every parent's entries survive, unchanged and in order. Returns the
/// indices of the entries no parent had.
fn history_rewritten(c: &Change) -> Result<Vec<usize>, Diagnostic> {
    let after = &c.after.history;
    let mut known = vec![false; after.len()];
    if let [b] = c.befores {
        let prefix = b.history.len().min(after.len());
        if let Some(i) = (0..prefix).find(|&i| !same_entry(&b.history[i], &after[i])) {
            return Err(c
                .at_entry(
                    Code::HistoryRewritten,
                    i,
                    format!("history entry {} was changed", i + 1),
                )
                .help(
                    "history is append-only: restore the entry and add a new one (an update with a note) to correct it",
                ));
        }
        if after.len() < b.history.len() {
            return Err(c
                .at_key(
                    Code::HistoryRewritten,
                    "history",
                    format!("{} history entr(ies) were removed", b.history.len() - after.len()),
                )
                .help("history is append-only: restore the removed entries"));
        }
        known[..prefix].iter_mut().for_each(|k| *k = true);
    } else {
        for b in c.befores {
            match subsequence(&b.history, after) {
                Some(matched) => matched.into_iter().for_each(|i| known[i] = true),
                None => {
                    return Err(c
                        .at_key(
                            Code::HistoryRewritten,
                            "history",
                            "the merge drops, changes or reorders entries one of its parents recorded".into(),
                        )
                        .help("keep every entry of both sides; rebasing the branch instead of merging keeps the history linear"))
                }
            }
        }
    }
    Ok((0..after.len()).filter(|&i| !known[i]).collect())
}

/// `immutable-field`: `id` and `reported_at` never change.
fn immutable_field(c: &Change) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if c.befores.iter().any(|b| b.id != c.after.id) {
        out.push(
            c.at_key(Code::ImmutableField, "id", format!("`id` changed to `{}`", c.after.id))
                .help("an id never changes once filed"),
        );
    }
    if c.befores.iter().any(|b| b.reported_at != c.after.reported_at) {
        out.push(
            c.at_key(Code::ImmutableField, "reported_at", "`reported_at` changed".into())
                .help("the time a report arrived never changes; correct a typo with an update note instead"),
        );
    }
    out
}

/// `not-a-member`: every change to an incident is authored by a team member, or by the bot.
fn not_a_member(c: &Change) -> Option<Diagnostic> {
    if !c.identity() || c.bot || !c.roles.is_empty() {
        return None;
    }
    Some(
        c.at_key(
            Code::NotAMember,
            "id",
            format!("this change is authored by {}, who is not a member of any team", c.author()),
        )
        .help("commit with the email (or GitHub account) listed for you under `teams:` in insiden.yaml; a maintainer adds new members"),
    )
}

/// `bot-overreach`: the bot's commit only appends `by: system` entries and sets `status`.
fn bot_overreach(c: &Change) -> Vec<Diagnostic> {
    if !c.bot {
        return Vec::new();
    }
    let mut out: Vec<Diagnostic> = c
        .fresh_entries()
        .filter(|(_, e)| e.by != SYSTEM)
        .map(|(i, e)| {
            c.at_entry(
                Code::BotOverreach,
                i,
                format!("the bot's commit adds an entry by `{}`", e.by),
            )
            .help("the bot only writes `by: system` entries; people commit their own moves")
        })
        .collect();
    let only_appended = match c.befores {
        [b] => {
            let mut same = c.after.clone();
            same.history.truncate(b.history.len());
            same.status.clone_from(&b.status);
            same.sections.clone_from(&b.sections);
            same == **b
        }
        _ => false,
    };
    if !only_appended {
        out.push(
            c.at_key(
                Code::BotOverreach,
                "status",
                "the bot's commit changes more than the history and status".into(),
            )
            .help("the bot closes incidents and changes nothing else; make other edits as a team member"),
        );
    }
    out
}

/// `field-not-allowed`: fields the workflow reserves (`field_owners`) change only in commits
/// authored by a member of one of their teams. A new file may set `tlp` to AMBER or stricter.
fn field_not_allowed(c: &Change) -> Vec<Diagnostic> {
    if !c.identity() || c.bot {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (field, owners) in &c.cfg.workflow.field_owners {
        let now = c.after.field(field);
        let changed = if c.befores.is_empty() {
            now.is_some() && !(field == "tlp" && c.after.effective_tlp() >= Tlp::Amber)
        } else {
            c.befores.iter().all(|b| b.field(field) != now)
        };
        if changed && !c.author_is(owners) {
            out.push(
                c.at_key(
                    Code::FieldNotAllowed,
                    field,
                    format!(
                        "`{field}` is changed by {}, who is not in {}",
                        c.author(),
                        owners.join(" or ")
                    ),
                )
                .help(format!(
                    "leave `{field}` to {}: they change it in their own commit",
                    owners.join(" or ")
                )),
            );
        }
    }
    out
}

/// The requirements of a transition (fields, sections, note, window), met by the file as it
/// stands in this commit. The window is judged at the later of the entry's time and the
/// commit's: a follow-up committed after its window closed that claims a time inside it is
/// a `late-record` warning when it explains itself in a note, `window-closed` otherwise.
fn transition(c: &Change, i: usize, e: &HistoryEntry) -> Vec<Diagnostic> {
    let w = &c.cfg.workflow;
    let prev: Option<&str> = i.checked_sub(1).map(|p| c.after.history[p].to.as_str());
    let t = match w.check_entry(prev, e) {
        Ok(Move::Transition(t)) => t,
        Ok(Move::Update) => return Vec::new(),
        Err(_) if c.env.judging == Judging::Authorship => return Vec::new(),
        Err(v) => return vec![c.at_entry(violation_code(&v), i, violation_message(prev, e, &v))],
    };
    let cal = c.cfg.calendar();
    let committed = c.meta.committer.time;
    let all = w.unmet(t, c.after, i, &cal);
    // Closing waits for the window by the entry's own time (which `entry-in-future` bounds);
    // reopening needs it open at the later of the entry's and the commit's time. The commit's
    // time is judged with the commit (authorship), the requirements with the change landed.
    let late: Vec<Unmet> = match c.env.judging {
        Judging::Outcome => Vec::new(),
        _ => w
            .unmet_at(t, c.after, i, &cal, Some(e.at.max(committed)))
            .into_iter()
            .filter(|u| matches!(u, Unmet::WindowClosed { .. }) && !all.contains(u))
            .collect(),
    };
    let claimed = if c.env.judging == Judging::Authorship {
        Vec::new()
    } else {
        all
    };
    let mut out = Vec::new();
    for u in claimed.iter().chain(&late) {
        let late = late.contains(u);
        if late && e.note.as_deref().is_some_and(|n| !n.trim().is_empty()) {
            let mut d = c
                .at_entry(
                    Code::LateRecord,
                    i,
                    format!(
                        "this follow-up claims {} but was committed {}, after its window closed ({})",
                        e.at.to_rfc3339(),
                        committed.to_rfc3339(),
                        u.describe()
                    ),
                )
                .help("a follow-up that arrived in time but is recorded late needs the team's review; CI refuses it with --deny warnings");
            d.severity = Severity::Warning;
            out.push(d);
            continue;
        }
        out.push(
            c.at_entry(
                crate::rules::unmet_code(u),
                i,
                format!(
                    "{} → {} requires {} in the commit that makes it",
                    prev.unwrap_or(NEW),
                    e.to,
                    u.describe()
                ),
            )
            .help("make the move in the same commit as the fields and sections it needs"),
        );
    }
    out
}

/// `system-not-bot`: `by: system` entries come only from the bot identity.
fn system_not_bot(c: &Change, i: usize, e: &HistoryEntry) -> Option<Diagnostic> {
    (e.by == SYSTEM && !c.bot).then(|| {
        c.at_entry(
            Code::SystemNotBot,
            i,
            format!(
                "a `system` entry in a commit authored by {} and committed by {} <{}>",
                c.author(),
                c.meta.committer.name,
                c.meta.committer.email
            ),
        )
        .help("only the configured bot (autoresolve.bot) writes `by: system`; a person closes as `helpdesk`")
    })
}

/// `actor-not-author` / `unknown-member`: an entry's actor is a member of the team it names,
/// and is the commit's author.
fn actor_not_author(c: &Change, i: usize, e: &HistoryEntry) -> Option<Diagnostic> {
    if e.by == SYSTEM || !c.identity() {
        return None;
    }
    let actor = e.actor.as_deref().unwrap_or("");
    match c.cfg.members(&e.by).iter().find(|m| m.id == actor) {
        None => Some(
            c.at_entry(Code::UnknownMember, i, format!("`{actor}` is not a member of team `{}`", e.by))
                .help("name a member of the team in `by`"),
        ),
        Some(m) if !speaks_for(c, m) => Some(
            c.at_entry(
                Code::ActorNotAuthor,
                i,
                format!("`{actor}` made this entry, but the commit is authored by {}", c.author()),
            )
            .help(format!(
                "{} records their own move in a commit they author; each member commits with an email or GitHub account listed for them",
                m.name
            )),
        ),
        Some(_) => None,
    }
}

/// Whether the commit speaks for `m`: its author, or on the forge's own commits a
/// `Co-authored-by:` trailer.
fn speaks_for(c: &Change, m: &Member) -> bool {
    identifies(m, &c.meta.author.email)
        || (c.env.trailers && c.meta.co_authors.iter().any(|(_, email)| identifies(m, email)))
}

/// Whether a maintainer made this commit: its author is one and — in a pull request, unless a
/// signature proves the author — the pull request was opened by that maintainer's account
/// (an author email is only a claim). Every privilege a maintainer has (repairing a record,
/// changing the rules, joining a history) asks this one question.
pub fn maintainer_commit(meta: &CommitMeta, cfg: &Config, pr_author: Option<&str>, signed_by_author: bool) -> bool {
    let Some(id) = author_member(meta, cfg).filter(|m| cfg.is_maintainer(m)) else {
        return false;
    };
    match pr_author {
        Some(login) if !signed_by_author => cfg
            .all_members()
            .any(|(_, m)| m.id == id && m.github.as_deref().is_some_and(|g| g.eq_ignore_ascii_case(login))),
        _ => true,
    }
}

/// `actor-not-pr-author`: without a signature that proves otherwise, a pull request records
/// moves only in the name of the forge account that opened it — and `system` entries only
/// in a pull request the bot's account (`autoresolve.bot.github`) opened.
fn actor_not_pr_author(c: &Change, i: usize, e: &HistoryEntry) -> Option<Diagnostic> {
    let login = c.env.pr_author?;
    if c.env.signed_by_author {
        return None;
    }
    if e.by == SYSTEM {
        let bot = c.cfg.autoresolve.bot.github.as_deref()?;
        return (!bot.eq_ignore_ascii_case(login)).then(|| {
            c.at_entry(
                Code::ActorNotPrAuthor,
                i,
                format!("a `system` entry, but the pull request was opened by `{login}`, not by the bot's account `{bot}`"),
            )
            .help("only the bot writes `by: system`, in the pull requests its workflow opens; a person closes as `helpdesk`")
        });
    }
    let actor = e.actor.as_deref().unwrap_or("");
    let member = c.cfg.all_members().find(|(_, m)| m.id == actor).map(|(_, m)| m);
    let theirs = member
        .and_then(|m| m.github.as_deref())
        .is_some_and(|g| g.eq_ignore_ascii_case(login));
    (!theirs).then(|| {
        c.at_entry(
            Code::ActorNotPrAuthor,
            i,
            format!("`{actor}` made this entry, but the pull request was opened by `{login}`"),
        )
        .help("each member records their own moves in their own pull request (or in a commit signed with their key)")
    })
}

/// `entry-in-future`: no entry lies after the checker's clock, or after its commit's
/// committer date plus a small skew.
fn entry_in_future(c: &Change, i: usize, e: &HistoryEntry) -> Option<Diagnostic> {
    let committed = c.meta.committer.time;
    let after_commit = committed
        .checked_add_signed(FUTURE_SKEW)
        .is_some_and(|limit| e.at > limit);
    let after_now = c.env.now.is_some_and(|now| e.at > now + FUTURE_SKEW);
    (after_commit || after_now).then(|| {
        let against = if after_now {
            "the time of this check".to_owned()
        } else {
            format!("its commit ({})", committed.to_rfc3339())
        };
        c.at_entry(
            Code::EntryInFuture,
            i,
            format!("entry dated {} lies after {against}", e.at.to_rfc3339()),
        )
        .help("an entry records what already happened: check the date and the offset")
    })
}

/// `entry-backdated`: no entry lies more than `max_backdate` before its commit.
fn entry_backdated(c: &Change, i: usize, e: &HistoryEntry) -> Option<Diagnostic> {
    let committed = c.meta.committer.time;
    committed
        .checked_sub_signed(c.cfg.max_backdate)
        .is_some_and(|limit| e.at < limit)
        .then(|| {
            c.at_entry(
                Code::EntryBackdated,
                i,
                format!(
                    "entry dated {} lies more than {} before its commit",
                    e.at.to_rfc3339(),
                    crate::time::format_duration(c.cfg.max_backdate)
                ),
            )
            .help("date the entry now; for a report that arrived earlier, record the arrival time in `reported_at` (`insiden new --reported-at …`) and date the entry now; a late step says so in an update note dated now")
        })
}

/// `tlp-lowered`: TLP goes below the strictest the incident has had (on the base or earlier
/// in the range, a missing `tlp` being AMBER) only in a commit by a team that decides TLP,
/// with its entry. Returns the finding and the floor the next commit is held to.
fn tlp_lowered(c: &Change) -> (Option<Diagnostic>, Tlp) {
    let now = c.after.effective_tlp();
    let floor = c
        .befores
        .iter()
        .map(|b| b.effective_tlp())
        .chain(c.env.tlp_floor)
        .max()
        .unwrap_or(Tlp::Amber);
    if now >= floor {
        return (None, floor);
    }
    if c.tlp_decided() {
        return (None, now);
    }
    if c.befores.len() > 1 {
        // A merge is judged by `merge-tlp-lowered`.
        return (None, floor);
    }
    let d = c
        .at_key(
            Code::TlpLowered,
            "tlp",
            format!("TLP lowered from {} to {}", floor.label(), now.label()),
        )
        .help(format!(
            "lowering TLP is decided by {}: their member adds an update entry with a note in the same commit",
            c.owners("tlp").join(" or ")
        ));
    (Some(d), floor)
}

/// `merge-tlp-lowered`: a merge whose result differs from every parent may not carry one
/// side's lower TLP onto text the other side changed: the lowering was approved on other text.
fn merge_tlp_lowered(c: &Change) -> Option<Diagnostic> {
    if c.befores.len() < 2 || c.tlp_decided() {
        return None;
    }
    let now = c.after.effective_tlp();
    let highest = c.befores.iter().map(|b| b.effective_tlp()).max()?;
    (now < highest).then(|| {
        c.at_key(
            Code::MergeTlpLowered,
            "tlp",
            format!(
                "the merge combines a lowering to {} with changes made under {}",
                now.label(),
                highest.label()
            ),
        )
        .help("merge with the stricter TLP kept, then lower it again on the merged text with an update by the deciding team")
    })
}

/// The indices at which `part` occurs in `whole` in order, or `None` when it does not.
fn subsequence(part: &[HistoryEntry], whole: &[HistoryEntry]) -> Option<Vec<usize>> {
    let mut out = Vec::with_capacity(part.len());
    let mut j = 0;
    for e in part {
        while j < whole.len() && !same_entry(e, &whole[j]) {
            j += 1;
        }
        if j == whole.len() {
            return None;
        }
        out.push(j);
        j += 1;
    }
    Some(out)
}

/// Entries are compared by value (time as an instant with its offset, and every field).
fn same_entry(a: &HistoryEntry, b: &HistoryEntry) -> bool {
    a.at == b.at
        && a.at.offset() == b.at.offset()
        && a.to == b.to
        && a.by == b.by
        && a.actor == b.actor
        && a.note == b.note
}

fn violation_code(v: &Violation) -> Code {
    match v {
        Violation::UnknownState { .. } => Code::UnknownState,
        Violation::UnknownRole { .. } => Code::UnknownRole,
        Violation::BadStart { .. } => Code::HistoryStart,
        Violation::NotAllowed { .. } => Code::TransitionNotAllowed,
        Violation::RoleNotAllowed { .. } => Code::RoleNotAllowed,
        Violation::UpdateWithoutNote { .. } => Code::MissingNote,
    }
}

fn violation_message(prev: Option<&str>, e: &HistoryEntry, v: &Violation) -> String {
    match v {
        Violation::NotAllowed { allowed, .. } => format!(
            "{} → {} is not allowed (allowed: {})",
            prev.unwrap_or(NEW),
            e.to,
            allowed.join(", ")
        ),
        Violation::RoleNotAllowed { role, allowed, .. } => format!(
            "{} → {} is not made by `{role}` (only {})",
            prev.unwrap_or(NEW),
            e.to,
            allowed.join(", ")
        ),
        Violation::UnknownState { state } => format!("unknown state `{state}`"),
        Violation::UnknownRole { role } => format!("unknown role `{role}`"),
        Violation::BadStart { found, .. } => format!("history starts with `{found}`"),
        Violation::UpdateWithoutNote { state } => format!("an update in `{state}` without a note"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Person;

    const CFG: &str = "autoresolve: { days: 5, business_days: false, holidays: [], bot: { id: insiden-bot, emails: [bot@example.org] } }\nteams:\n  helpdesk: { name: H, members: [{ id: siti, name: Siti, emails: [siti@example.go.id], github: siti-r }] }\n  data: { name: D, members: [{ id: agus, name: Agus, emails: [agus@example.go.id] }] }\n  analysis: { name: A, members: [{ id: dewi, name: Dewi, emails: [dewi@example.go.id] }] }\n";

    fn check(meta: &CommitMeta, path: &str, olds: &[Option<&str>], new: Option<&str>, cfg: &Config) -> Vec<Diagnostic> {
        check_change(meta, path, olds, new, cfg, Env::default()).diagnostics
    }

    fn cfg() -> Config {
        Config::parse(Some(CFG), "insiden.yaml").expect("config")
    }

    fn meta(email: &str, at: &str) -> CommitMeta {
        let time = chrono::DateTime::parse_from_rfc3339(at).expect("time");
        let p = Person {
            name: "Someone".into(),
            email: email.into(),
            time,
        };
        CommitMeta {
            id: "abcdef1234567".into(),
            subject: "Catat".into(),
            author: p.clone(),
            committer: p,
            co_authors: vec![],
            parents: 1,
        }
    }

    const V1: &str = "---\nid: INC-2026-0001\ntitle: x\nstatus: reported\nreported_at: 2026-01-21T09:15:00+07:00\nreporter: { name: Budi }\ntlp: amber\nhistory:\n  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }\n---\n## Laporan\nx\n";
    const P: &str = "incidents/2026/INC-2026-0001.md";

    fn codes(d: &[Diagnostic]) -> Vec<Code> {
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_new_file_by_its_actor_passes() {
        assert_eq!(
            check(
                &meta("siti@example.go.id", "2026-01-21T09:20:00+07:00"),
                P,
                &[],
                Some(V1),
                &cfg()
            ),
            vec![]
        );
    }

    #[test]
    fn github_noreply_addresses_identify_by_handle() {
        let m = meta("1234+siti-r@users.noreply.github.com", "2026-01-21T09:20:00+07:00");
        assert_eq!(check(&m, P, &[], Some(V1), &cfg()), vec![]);
        let m = meta("siti-r@users.noreply.github.com", "2026-01-21T09:20:00+07:00");
        assert_eq!(check(&m, P, &[], Some(V1), &cfg()), vec![]);
    }

    #[test]
    fn another_author_is_refused_and_a_co_author_trailer_grants_nothing() {
        let mut m = meta("agus@example.go.id", "2026-01-21T09:20:00+07:00");
        let d = check(&m, P, &[], Some(V1), &cfg());
        assert_eq!(codes(&d), [Code::ActorNotAuthor]);
        assert_eq!(
            (d[0].line, d[0].commit.as_ref().map(|c| c.id.as_str())),
            (Some(9), Some("abcdef1"))
        );
        m.co_authors.push(("Siti".into(), "SITI@example.go.id".into()));
        assert_eq!(codes(&check(&m, P, &[], Some(V1), &cfg())), [Code::ActorNotAuthor]);
    }

    #[test]
    fn deletion_is_refused() {
        let d = check(
            &meta("siti@example.go.id", "2026-01-21T09:20:00+07:00"),
            P,
            &[Some(V1)],
            None,
            &cfg(),
        );
        assert_eq!(codes(&d), [Code::FileDeleted]);
    }

    #[test]
    fn id_and_reported_at_are_immutable() {
        let v2 = V1.replace(
            "reported_at: 2026-01-21T09:15:00+07:00",
            "reported_at: 2026-01-21T09:16:00+07:00",
        );
        let d = check(
            &meta("siti@example.go.id", "2026-01-21T09:20:00+07:00"),
            P,
            &[Some(V1)],
            Some(&v2),
            &cfg(),
        );
        assert_eq!(codes(&d), [Code::ImmutableField]);
        assert_eq!(d[0].line, Some(5));
    }

    #[test]
    fn history_is_append_only() {
        let m = meta("siti@example.go.id", "2026-01-21T09:20:00+07:00");
        let changed = V1.replace("actor: siti }", "actor: siti, note: ubah }");
        assert_eq!(
            codes(&check(&m, P, &[Some(V1)], Some(&changed), &cfg())),
            [Code::HistoryRewritten]
        );
        let removed = V1.replace(
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }\n",
            "",
        );
        assert!(codes(&check(&m, P, &[Some(V1)], Some(&removed), &cfg())).contains(&Code::HistoryRewritten));
        // The same entry restyled (block instead of flow) is the same value.
        let restyled = V1.replace(
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }",
            "  - at: 2026-01-21T09:15:00+07:00\n    to: reported\n    by: helpdesk\n    actor: siti",
        );
        assert_eq!(check(&m, P, &[Some(V1)], Some(&restyled), &cfg()), vec![]);
    }

    fn append(entry: &str) -> String {
        V1.replace("---\n## Laporan", &format!("  - {entry}\n---\n## Laporan"))
    }

    #[test]
    fn appended_entries_are_checked_against_the_workflow_and_the_commit() {
        let m = meta("siti@example.go.id", "2026-01-21T12:00:00+07:00");
        let cases = [
            (
                "{ at: 2026-01-21T11:00:00+07:00, to: triage, by: helpdesk, actor: siti }",
                Code::TransitionNotAllowed,
            ),
            (
                "{ at: 2026-01-21T11:00:00+07:00, to: rejected, by: data, actor: agus }",
                Code::RoleNotAllowed,
            ),
            (
                "{ at: 2026-01-21T11:00:00+07:00, to: registered, by: helpdesk, actor: siti }",
                Code::RequirementMissing,
            ),
            (
                "{ at: 2026-01-21T12:30:00+07:00, to: reported, by: helpdesk, actor: siti, note: x }",
                Code::EntryInFuture,
            ),
            (
                "{ at: 2026-01-17T11:00:00+07:00, to: reported, by: helpdesk, actor: siti, note: x }",
                Code::EntryBackdated,
            ),
            (
                "{ at: 2026-01-21T11:00:00+07:00, to: reported, by: system, actor: insiden-bot, note: x }",
                Code::SystemNotBot,
            ),
            (
                "{ at: 2026-01-21T11:00:00+07:00, to: reported, by: data, actor: agus, note: x }",
                Code::ActorNotAuthor,
            ),
        ];
        for (entry, code) in cases {
            let d = check(&m, P, &[Some(V1)], Some(&append(entry)), &cfg());
            assert!(codes(&d).contains(&code), "{code:?} expected for {entry}: {d:?}");
            assert_eq!(
                d.iter().find(|x| x.code == code).and_then(|x| x.line),
                Some(10),
                "{code:?}"
            );
        }
        let ok =
            append("{ at: 2026-01-21T12:05:00+07:00, to: reported, by: helpdesk, actor: siti, note: Menunggu bukti }");
        assert_eq!(check(&m, P, &[Some(V1)], Some(&ok), &cfg()), vec![]);
    }

    #[test]
    fn tlp_is_lowered_only_with_analysis_or_coordination() {
        let m = meta("siti@example.go.id", "2026-01-21T12:00:00+07:00");
        let lowered = V1.replace("tlp: amber", "tlp: clear");
        assert_eq!(
            codes(&check(&m, P, &[Some(V1)], Some(&lowered), &cfg())),
            [Code::FieldNotAllowed, Code::TlpLowered]
        );
        let m = meta("dewi@example.go.id", "2026-01-21T12:00:00+07:00");
        let with_update = append(
            "{ at: 2026-01-21T11:00:00+07:00, to: reported, by: analysis, actor: dewi, note: Aman dipublikasikan }",
        )
        .replace("tlp: amber", "tlp: clear");
        assert_eq!(check(&m, P, &[Some(V1)], Some(&with_update), &cfg()), vec![]);
        // Removing the field means TLP:AMBER, which lowers TLP:RED.
        let red = V1.replace("tlp: amber", "tlp: red");
        let removed = V1.replace("tlp: amber\n", "");
        assert_eq!(
            codes(&check(&m, P, &[Some(&red)], Some(&removed), &cfg())),
            [Code::TlpLowered]
        );
        // Raising is analysis's or coordination's decision too: it hides an incident.
        let raised = V1.replace("tlp: amber", "tlp: red");
        assert_eq!(check(&m, P, &[Some(V1)], Some(&raised), &cfg()), vec![]);
        let m = meta("siti@example.go.id", "2026-01-21T12:00:00+07:00");
        assert_eq!(
            codes(&check(&m, P, &[Some(V1)], Some(&raised), &cfg())),
            [Code::FieldNotAllowed]
        );
    }

    #[test]
    fn a_new_file_must_start_reported() {
        let v = V1
            .replace("to: reported, by", "to: registered, by")
            .replace("status: reported", "status: registered");
        let d = check(
            &meta("siti@example.go.id", "2026-01-21T09:20:00+07:00"),
            P,
            &[],
            Some(&v),
            &cfg(),
        );
        assert_eq!(codes(&d), [Code::HistoryStart]);
    }

    #[test]
    fn the_bot_closes_only_after_the_window() {
        let base = "---\nid: INC-2026-0001\ntitle: x\nstatus: documented\nreported_at: 2026-01-21T09:15:00+07:00\nhistory:\n  - { at: 2026-01-21T09:15:00+07:00, to: recorded, by: data, actor: agus }\n  - { at: 2026-01-22T09:00:00+07:00, to: resolved, by: helpdesk, actor: siti }\n  - { at: 2026-01-22T10:00:00+07:00, to: documented, by: data, actor: agus }\n---\n";
        let close = |at: &str| {
            base.replace("status: documented", "status: closed").replace(
                "\n---\n",
                &format!("\n  - {{ at: {at}, to: closed, by: system, actor: insiden-bot, note: autoresolve }}\n---\n"),
            )
        };
        let early = close("2026-01-27T08:59:00+07:00");
        let m = meta("bot@example.org", "2026-01-27T09:00:00+07:00");
        let d = check(&m, P, &[Some(base)], Some(&early), &cfg());
        assert!(codes(&d).contains(&Code::WindowOpen), "{d:?}");
        let on_time = close("2026-01-27T09:00:00+07:00");
        let d = check(&m, P, &[Some(base)], Some(&on_time), &cfg());
        assert!(!codes(&d).contains(&Code::WindowOpen), "{d:?}");
        assert!(!codes(&d).contains(&Code::SystemNotBot), "{d:?}");
    }
}
