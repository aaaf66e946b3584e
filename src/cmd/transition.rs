//! `insiden transition <ID> <STATE>`: appends a history entry and sets `status` (and any
//! `--set` fields) with a surgical edit, after checking that the workflow allows the move and
//! that its requirements hold in the edited file. Nothing is written when the move is refused.

use super::{emit, file_time, incident_path, print, time_arg, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{FormatArg, TransitionArgs};
use crate::config::Config;
use crate::edit::{self, Scalar};
use crate::workflow::SYSTEM;

/// Fields `--set` may not touch: they are the record's identity and its history.
const PROTECTED: &[&str] = &["id", "status", "history", "reported_at"];
/// Fields `--set` may set, besides the dotted `reporter.*` and `handler.*` ones.
const SETTABLE: &[&str] = &[
    "title",
    "occurred_at",
    "detected_at",
    "owner",
    "category",
    "severity",
    "tlp",
    "pap",
    "summary",
    "in_scope",
    "delivered_to",
    "resolution",
    "impact",
    "rejection_reason",
    "rejection_code",
    "duplicate_of",
];
/// List fields `--set` fills from comma-separated items (`--set assets=https://a,https://b`).
const LISTS: &[&str] = &["assets", "related", "tags", "attack", "rsit"];

/// One `--set`: a scalar field, or a list field with its items.
enum SetValue {
    Scalar(Scalar),
    List(Vec<String>),
}

pub(super) fn run(ctx: &Ctx, args: TransitionArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let w = &cfg.workflow;
    let rel = incident_path(&cfg, &args.id)?;
    let abs = ctx.root.join(&rel);
    if !abs.is_file() {
        return Err(Failure::usage(
            format!("{rel} does not exist"),
            "check the id with `insiden list`",
        ));
    }
    let file = crate::store::read_text(&abs, rel.clone()).map_err(|d| Failure::Diags(vec![d]))?;
    let at = time_arg("--at", args.at.as_deref(), &cfg)?;
    let (_, old_diags) = crate::rules::validate_file(&file, &cfg, at);
    let old_errors: Vec<_> = old_diags.into_iter().filter(|d| d.is_error()).collect();
    if !old_errors.is_empty() {
        emit(&old_errors, FormatArg::Human);
        eprintln!("error: {rel} must be valid before it can move; fix the findings above");
        return Ok(FINDINGS);
    }
    let inc = crate::doc::parse(&file.text, &rel, cfg.timezone)
        .incident
        .ok_or_else(|| Failure::usage("unreadable incident", ""))?;
    let current = inc.status.clone();
    if w.state(&args.state).is_none() {
        let states: Vec<&str> = w.states.iter().map(|s| s.id.as_str()).collect();
        return Err(Failure::usage(
            format!("unknown state `{}`", args.state),
            format!("states: {}", states.join(", ")),
        ));
    }
    let roles: Vec<String> = if args.state == current {
        if args.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(Failure::refused(
                format!("{} is already `{current}`; an update needs --note \"…\"", args.id),
                "",
            ));
        }
        w.roles.iter().map(|r| r.id.clone()).collect()
    } else {
        match w.transition(&current, &args.state) {
            Some(t) => t.by.clone(),
            None => {
                let allowed = w.allowed_from(&current);
                let help = if allowed.is_empty() {
                    format!("`{current}` is final: nothing follows it")
                } else {
                    format!("allowed from {current}: {}", allowed.join(", "))
                };
                return Err(Failure::refused(
                    format!("{}: {current} → {} is not allowed", args.id, args.state),
                    help,
                ));
            }
        }
    };
    let (role, actor) = match &args.role {
        Some(r) if !roles.contains(r) => {
            return Err(Failure::refused(
                format!("`{r}` may not make this move"),
                format!("this step belongs to: {}", roles.join(", ")),
            ));
        }
        Some(r) => resolve_actor(ctx, &cfg, args.actor.as_deref(), std::slice::from_ref(r))?,
        None => resolve_actor(ctx, &cfg, args.actor.as_deref(), &roles)?,
    };
    if let Some(last) = inc.history.last() {
        if at < last.at {
            return Err(Failure::usage(
                format!(
                    "--at {} is before the last entry ({})",
                    file_time(at, &cfg),
                    last.at.to_rfc3339()
                ),
                "history is in time order; give a later --at",
            ));
        }
    }

    let mut text = file.text.clone();
    let apply = |text: &str, r: std::result::Result<String, edit::EditError>| {
        r.map_err(|e| {
            let d = crate::diag::Diagnostic::error(
                crate::diag::Code::YamlSyntax,
                rel.clone(),
                format!("cannot edit the file: {}", e.message),
            )
            .at(text, e.line, 1);
            Failure::Diags(vec![d.help("edit the file by hand, or simplify the YAML at this line")])
        })
    };
    for kv in &args.set {
        let (key, value) = parse_set(kv)?;
        let edited = match value {
            SetValue::Scalar(v) => edit::set_field(&text, &key, v),
            SetValue::List(items) => edit::set_list(&text, &key, &items),
        };
        text = apply(&text, edited)?;
    }
    if args.state != current {
        text = apply(&text, edit::set_field(&text, "status", Scalar::Raw(args.state.clone())))?;
    }
    let mut fields: Vec<(&str, Scalar)> = vec![
        ("at", Scalar::Raw(file_time(at, &cfg))),
        ("to", Scalar::Raw(args.state.clone())),
        ("by", Scalar::Raw(role.clone())),
    ];
    if let Some(a) = &actor {
        fields.push(("actor", Scalar::Str(a.clone())));
    }
    if let Some(n) = args.note.as_deref().filter(|n| !n.trim().is_empty()) {
        fields.push(("note", Scalar::Str(n.trim().to_owned())));
    }
    text = apply(&text, edit::append_history(&text, &fields))?;

    // The edited file must be as valid as the original: requirements of the move included.
    let edited = crate::store::SourceFile {
        path: rel.clone(),
        text,
    };
    let (_, diags) = crate::rules::validate_file(&edited, &cfg, at);
    let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        emit(&errors, FormatArg::Human);
        eprintln!(
            "error: {}: {current} → {} refused; nothing was written",
            args.id, args.state
        );
        return Ok(FINDINGS);
    }
    crate::store::write_atomic(&abs, edited.text.as_bytes())
        .map_err(|e| Failure::usage(format!("cannot write {rel}: {e}"), "check the file permissions"))?;
    let what = if args.state == current {
        format!("update in {current}")
    } else {
        format!("{current} → {}", args.state)
    };
    print(&format!(
        "{}: {what} by {role}{}\n",
        args.id,
        actor.map(|a| format!(" ({a})")).unwrap_or_default()
    ));
    Ok(OK)
}

fn parse_set(kv: &str) -> Result<(String, SetValue)> {
    let (key, value) = kv
        .split_once('=')
        .ok_or_else(|| Failure::usage(format!("--set `{kv}` is not KEY=VALUE"), "e.g. --set severity=high"))?;
    let key = key.trim();
    if PROTECTED.contains(&key) {
        return Err(Failure::usage(
            format!("--set cannot change `{key}`"),
            "id, status, reported_at and history are kept by the tool",
        ));
    }
    if LISTS.contains(&key) {
        let items: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        return Ok((key.to_owned(), SetValue::List(items)));
    }
    let nested_ok = [
        "reporter.name",
        "reporter.organization",
        "reporter.contact",
        "reporter.type",
        "reporter.channel",
        "handler.type",
        "handler.name",
        "handler.contact",
        "delivered_to.to",
        "delivered_to.at",
        "delivered_to.channel",
        "delivered_to.letter_number",
    ];
    if !SETTABLE.contains(&key) && !nested_ok.contains(&key) {
        return Err(Failure::usage(
            format!("--set cannot set `{key}`"),
            format!(
                "--set takes the fields {}, {}, and the lists {} (comma-separated); other fields (observables, external_reports, attachments, extra) are edited in the file; run `insiden explain unknown-field`",
                SETTABLE.join(", "),
                nested_ok.join(", "),
                LISTS.join(", ")
            ),
        ));
    }
    let value = match value.trim() {
        "true" => Scalar::Bool(true),
        "false" => Scalar::Bool(false),
        v => Scalar::Str(v.to_owned()),
    };
    Ok((key.to_owned(), SetValue::Scalar(value)))
}

/// Decides who makes a move and as which team: `--actor`, else the member whose email is
/// `git config user.email`; the team is the first of `roles` the actor belongs to. Without
/// configured members the actor is whatever `--actor` says and the team the first allowed.
pub(super) fn resolve_actor(
    ctx: &Ctx,
    cfg: &Config,
    actor: Option<&str>,
    roles: &[String],
) -> Result<(String, Option<String>)> {
    let first = roles.first().cloned().unwrap_or_default();
    if roles.iter().all(|r| r == SYSTEM) {
        return Ok((SYSTEM.into(), Some(cfg.autoresolve.bot.id.clone())));
    }
    if !cfg.has_members() {
        return Ok((first, actor.map(str::to_owned)));
    }
    let id = match actor {
        Some(a) => a.to_owned(),
        None => {
            let email = crate::git::user_email(&ctx.root);
            match email.as_deref().and_then(|e| cfg.member_by_email(e)) {
                Some(m) => m.id.clone(),
                None => {
                    return Err(Failure::usage(
                        match email {
                            Some(e) => format!("no team member has the email `{e}` (git config user.email)"),
                            None => "git config user.email is not set, so the actor is unknown".into(),
                        },
                        "pass --actor <member id>, or add your email to your team in insiden.yaml",
                    ))
                }
            }
        }
    };
    let role = roles
        .iter()
        .filter(|r| r.as_str() != SYSTEM)
        .find(|r| cfg.members(r).iter().any(|m| m.id == id));
    match role {
        Some(r) => Ok((r.clone(), Some(id))),
        None => Err(Failure::refused(
            format!("`{id}` is not a member of a team that may make this move"),
            format!("this step belongs to: {}", roles.join(", ")),
        )),
    }
}
