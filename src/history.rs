//! The commit rules: given what one commit did to one incident file (the version before, the
//! version after, and who made the commit), decide whether the SOP allows it: no deletion or
//! rename, `id` and `reported_at` unchanged, history append-only, each appended entry an
//! allowed move by the right team made by a member the commit identifies, entry times
//! plausible for the commit, `system` entries only from the bot, the requirements of each
//! transition met by the file as it stood in that commit, TLP lowered only with an update by
//! analysis or coordination.
//!
//! Input is plain data from `git` ([`CommitMeta`] and text); this module never calls git2.
//! Every finding carries the commit and the line of the offending entry in that commit's
//! version of the file.

use crate::config::{Config, Member};
use crate::diag::{Code, CommitRef, Diagnostic};
use crate::doc;
use crate::git::CommitMeta;
use crate::model::{HistoryEntry, Incident};
use crate::workflow::{Move, Violation, NEW, SYSTEM};
use chrono::Duration;

/// How far after its commit an entry's time may lie (clock skew).
pub const FUTURE_SKEW: Duration = Duration::minutes(10);

/// The people a commit speaks for: its author and every `Co-authored-by:` trailer.
pub fn people(meta: &CommitMeta) -> Vec<(&str, &str)> {
    std::iter::once((meta.author.name.as_str(), meta.author.email.as_str()))
        .chain(meta.co_authors.iter().map(|(n, e)| (n.as_str(), e.as_str())))
        .collect()
}

/// Whether `member` is one of `people`: by an email the member lists, or by the forge handle
/// in a GitHub no-reply address (`12345+handle@users.noreply.github.com`).
pub fn identifies(member: &Member, people: &[(&str, &str)]) -> bool {
    people.iter().any(|(_, email)| {
        member.emails.iter().any(|m| m.eq_ignore_ascii_case(email))
            || member
                .github
                .as_deref()
                .is_some_and(|handle| noreply_handle(email).is_some_and(|h| h.eq_ignore_ascii_case(handle)))
    })
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

/// Checks what one commit did to one incident file. `olds` are the file's texts in each
/// parent (`None`: absent there; empty for the root commit), `new` its text after the commit.
/// An ordinary commit must keep its parent's history as a prefix; a merge must keep every
/// parent's entries, in order. Entries no parent had are the commit's own and are judged as
/// moves made by its author.
pub fn check_change(
    meta: &CommitMeta,
    path: &str,
    olds: &[Option<&str>],
    new: Option<&str>,
    cfg: &Config,
) -> Vec<Diagnostic> {
    let commit = CommitRef {
        id: meta.short().to_owned(),
        subject: meta.subject.clone(),
    };
    let mut out = Vec::new();
    let existed = olds.iter().any(Option::is_some);
    let Some(new_text) = new else {
        if existed {
            out.push(
                Diagnostic::error(Code::FileDeleted, path, "the incident file was deleted or renamed")
                    .help("incident records are never removed; restore the file (a wrongly filed report is `rejected`, not deleted)")
                    .in_commit(commit),
            );
        }
        return out;
    };
    let new_text = new_text.strip_prefix('\u{feff}').unwrap_or(new_text);
    let parsed = doc::parse(new_text, path, cfg.timezone);
    let Some(after) = parsed.incident else {
        out.extend(parsed.diagnostics.into_iter().map(|d| d.in_commit(commit.clone())));
        return out;
    };
    let layout = parsed.layout;
    let at_entry = |code: Code, i: usize, msg: String| {
        let line = layout.entry_line(i).unwrap_or(layout.fm_start);
        let col = new_text
            .lines()
            .nth(line.saturating_sub(1))
            .map_or(1, |l| l.len() - l.trim_start().len() + 1);
        Diagnostic::error(code, path, msg)
            .at(new_text, line, col)
            .in_commit(commit.clone())
    };
    let at_key = |code: Code, key: &str, msg: String| {
        let line = layout.key_line(key).unwrap_or(layout.fm_start);
        Diagnostic::error(code, path, msg)
            .at(new_text, line, 1)
            .in_commit(commit.clone())
    };

    let mut befores: Vec<Incident> = Vec::new();
    for old in olds.iter().flatten() {
        match doc::parse(old, path, cfg.timezone).incident {
            Some(b) => befores.push(b),
            None => out.push(
                at_key(
                    Code::HistoryRewritten,
                    "history",
                    "the previous version of this file cannot be read, so this change cannot be verified against it"
                        .into(),
                )
                .help("restore the file from its last valid version, then make the change on top of it"),
            ),
        }
    }
    if !out.is_empty() {
        return out;
    }
    if !existed {
        if let Some(first) = after.history.first() {
            if first.to != cfg.workflow.initial {
                out.push(
                    at_entry(
                        Code::HistoryStart,
                        0,
                        format!("a new incident's history starts with `{}`", first.to),
                    )
                    .help(format!("the first entry is `to: {}`", cfg.workflow.initial)),
                );
                return out;
            }
        }
    }
    if befores.iter().any(|b| b.id != after.id) {
        out.push(
            at_key(Code::ImmutableField, "id", format!("`id` changed to `{}`", after.id))
                .help("an id never changes once filed"),
        );
    }
    if befores.iter().any(|b| b.reported_at != after.reported_at) {
        out.push(
            at_key(Code::ImmutableField, "reported_at", "`reported_at` changed".into())
                .help("the time a report arrived never changes; correct a typo with an update note instead"),
        );
    }

    // Which entries of the new version each parent already had.
    let mut known = vec![false; after.history.len()];
    if let [b] = befores.as_slice() {
        let prefix = b.history.len().min(after.history.len());
        if let Some(i) = (0..prefix).find(|&i| !same_entry(&b.history[i], &after.history[i])) {
            out.push(
                at_entry(
                    Code::HistoryRewritten,
                    i,
                    format!("history entry {} was changed", i + 1),
                )
                .help(
                    "history is append-only: restore the entry and add a new one (an update with a note) to correct it",
                ),
            );
            return out;
        }
        if after.history.len() < b.history.len() {
            out.push(
                at_key(
                    Code::HistoryRewritten,
                    "history",
                    format!(
                        "{} history entr(ies) were removed",
                        b.history.len() - after.history.len()
                    ),
                )
                .help("history is append-only: restore the removed entries"),
            );
            return out;
        }
        known[..prefix].iter_mut().for_each(|k| *k = true);
    } else {
        for b in &befores {
            match subsequence(&b.history, &after.history) {
                Some(matched) => matched.into_iter().for_each(|i| known[i] = true),
                None => {
                    out.push(
                        at_key(Code::HistoryRewritten, "history", "the merge drops, changes or reorders entries one of its parents recorded".into())
                            .help("keep every entry of both sides; rebasing the branch instead of merging keeps the history linear"),
                    );
                    return out;
                }
            }
        }
    }

    let w = &cfg.workflow;
    let cal = cfg.calendar();
    let people = people(meta);
    let bot = is_bot(meta, cfg);
    let identity = cfg.has_members();
    let commit_time = meta.author.time;
    let mut lowering_allowed = false;
    for (i, e) in after.history.iter().enumerate().filter(|(i, _)| !known[*i]) {
        let prev: Option<&str> = i.checked_sub(1).map(|p| after.history[p].to.as_str());
        match w.check_entry(prev, e) {
            Ok(Move::Transition(t)) => {
                for u in w.unmet(t, &after, i, &cal) {
                    out.push(
                        at_entry(
                            crate::rules::unmet_code(&u),
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
            }
            Ok(Move::Update) => {}
            Err(v) => out.push(at_entry(violation_code(&v), i, violation_message(prev, e, &v))),
        }
        if e.by == SYSTEM {
            if !bot {
                out.push(
                    at_entry(
                        Code::SystemNotBot,
                        i,
                        format!(
                            "a `system` entry in a commit authored by {} <{}> and committed by {} <{}>",
                            meta.author.name, meta.author.email, meta.committer.name, meta.committer.email
                        ),
                    )
                    .help(
                        "only the configured bot (autoresolve.bot) writes `by: system`; a person closes as `helpdesk`",
                    ),
                );
            }
        } else if identity {
            let actor = e.actor.as_deref().unwrap_or("");
            match cfg.members(&e.by).iter().find(|m| m.id == actor) {
                Some(m) if !identifies(m, &people) => out.push(
                    at_entry(Code::ActorNotAuthor, i, format!("`{actor}` made this entry, but the commit is by {} <{}>", meta.author.name, meta.author.email))
                        .help(format!("commit as {actor} (one of their emails or GitHub account), or add `Co-authored-by: {} <email>` to the commit message", m.name)),
                ),
                Some(_) => {}
                None => out.push(at_entry(Code::UnknownMember, i, format!("`{actor}` is not a member of team `{}`", e.by)).help("name a member of the team in `by`")),
            }
        }
        if commit_time
            .checked_add_signed(FUTURE_SKEW)
            .is_some_and(|limit| e.at > limit)
        {
            out.push(
                at_entry(
                    Code::EntryInFuture,
                    i,
                    format!(
                        "entry dated {} lies after its commit ({})",
                        e.at.to_rfc3339(),
                        commit_time.to_rfc3339()
                    ),
                )
                .help("an entry records what already happened: check the date and the offset"),
            );
        }
        if commit_time
            .checked_sub_signed(cfg.max_backdate)
            .is_some_and(|limit| e.at < limit)
        {
            out.push(
                at_entry(
                    Code::EntryBackdated,
                    i,
                    format!(
                        "entry dated {} lies more than {} before its commit",
                        e.at.to_rfc3339(),
                        crate::time::format_duration(cfg.max_backdate)
                    ),
                )
                .help("record moves when they happen; a late record says so in an update note dated now"),
            );
        }
        if matches!(e.by.as_str(), "analysis" | "coordination") {
            lowering_allowed = true;
        }
    }

    // A missing `tlp` means AMBER, so removing the field lowers TLP:RED too.
    let now_tlp = after.effective_tlp();
    if let Some(old_tlp) = befores.iter().filter_map(|b| b.tlp).max() {
        if now_tlp < old_tlp && !lowering_allowed {
            out.push(
                at_key(Code::TlpLowered, "tlp", format!("TLP lowered from {} to {}", old_tlp.label(), now_tlp.label()))
                    .help("lowering TLP is decided by analysis or coordination: add their update entry with a note in the same commit"),
            );
        }
    }
    out
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
            check_change(
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
        assert_eq!(check_change(&m, P, &[], Some(V1), &cfg()), vec![]);
        let m = meta("siti-r@users.noreply.github.com", "2026-01-21T09:20:00+07:00");
        assert_eq!(check_change(&m, P, &[], Some(V1), &cfg()), vec![]);
    }

    #[test]
    fn another_author_needs_a_co_author_trailer() {
        let mut m = meta("agus@example.go.id", "2026-01-21T09:20:00+07:00");
        let d = check_change(&m, P, &[], Some(V1), &cfg());
        assert_eq!(codes(&d), [Code::ActorNotAuthor]);
        assert_eq!(
            (d[0].line, d[0].commit.as_ref().map(|c| c.id.as_str())),
            (Some(9), Some("abcdef1"))
        );
        m.co_authors.push(("Siti".into(), "SITI@example.go.id".into()));
        assert_eq!(check_change(&m, P, &[], Some(V1), &cfg()), vec![]);
    }

    #[test]
    fn deletion_is_refused() {
        let d = check_change(
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
        let d = check_change(
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
            codes(&check_change(&m, P, &[Some(V1)], Some(&changed), &cfg())),
            [Code::HistoryRewritten]
        );
        let removed = V1.replace(
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }\n",
            "",
        );
        assert!(codes(&check_change(&m, P, &[Some(V1)], Some(&removed), &cfg())).contains(&Code::HistoryRewritten));
        // The same entry restyled (block instead of flow) is the same value.
        let restyled = V1.replace(
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }",
            "  - at: 2026-01-21T09:15:00+07:00\n    to: reported\n    by: helpdesk\n    actor: siti",
        );
        assert_eq!(check_change(&m, P, &[Some(V1)], Some(&restyled), &cfg()), vec![]);
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
            let d = check_change(&m, P, &[Some(V1)], Some(&append(entry)), &cfg());
            assert!(codes(&d).contains(&code), "{code:?} expected for {entry}: {d:?}");
            assert_eq!(
                d.iter().find(|x| x.code == code).and_then(|x| x.line),
                Some(10),
                "{code:?}"
            );
        }
        let ok =
            append("{ at: 2026-01-21T12:05:00+07:00, to: reported, by: helpdesk, actor: siti, note: Menunggu bukti }");
        assert_eq!(check_change(&m, P, &[Some(V1)], Some(&ok), &cfg()), vec![]);
    }

    #[test]
    fn tlp_is_lowered_only_with_analysis_or_coordination() {
        let m = meta("siti@example.go.id", "2026-01-21T12:00:00+07:00");
        let lowered = V1.replace("tlp: amber", "tlp: clear");
        assert_eq!(
            codes(&check_change(&m, P, &[Some(V1)], Some(&lowered), &cfg())),
            [Code::TlpLowered]
        );
        let m = meta("dewi@example.go.id", "2026-01-21T12:00:00+07:00");
        let with_update = append(
            "{ at: 2026-01-21T11:00:00+07:00, to: reported, by: analysis, actor: dewi, note: Aman dipublikasikan }",
        )
        .replace("tlp: amber", "tlp: clear");
        assert_eq!(check_change(&m, P, &[Some(V1)], Some(&with_update), &cfg()), vec![]);
        // Removing the field means TLP:AMBER, which lowers TLP:RED.
        let red = V1.replace("tlp: amber", "tlp: red");
        let removed = V1.replace("tlp: amber\n", "");
        assert_eq!(
            codes(&check_change(&m, P, &[Some(&red)], Some(&removed), &cfg())),
            [Code::TlpLowered]
        );
        // Raising is always allowed.
        let m = meta("siti@example.go.id", "2026-01-21T12:00:00+07:00");
        let raised = V1.replace("tlp: amber", "tlp: red");
        assert_eq!(check_change(&m, P, &[Some(V1)], Some(&raised), &cfg()), vec![]);
    }

    #[test]
    fn a_new_file_must_start_reported() {
        let v = V1
            .replace("to: reported, by", "to: registered, by")
            .replace("status: reported", "status: registered");
        let d = check_change(
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
        let d = check_change(&m, P, &[Some(base)], Some(&early), &cfg());
        assert!(codes(&d).contains(&Code::WindowOpen), "{d:?}");
        let on_time = close("2026-01-27T09:00:00+07:00");
        let d = check_change(&m, P, &[Some(base)], Some(&on_time), &cfg());
        assert!(!codes(&d).contains(&Code::WindowOpen), "{d:?}");
        assert!(!codes(&d).contains(&Code::SystemNotBot), "{d:?}");
    }
}
