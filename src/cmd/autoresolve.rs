//! `insiden autoresolve`: closes every incident whose autoresolve window has elapsed with a
//! `system` entry, lists the ones overdue for documentation, and with `--commit` records the
//! result as one commit by the bot. Nothing is written when the data is invalid, and a second
//! run changes nothing.
//!
//! With `--commit` the bot may be killed at any instant and the next run still succeeds: the
//! commit is made in the object database and the branch moved (compare and swap) before any
//! file in the working tree changes, and a run that finds the bot's last commit not yet
//! written out (HEAD moved, files still as before, or half of them) finishes writing it out
//! before it starts.

use super::check::git_failure;
use super::{emit, file_time, load, now, print, Ctx, Failure, Result, FINDINGS, OK};
use crate::autoresolve::{self, Plan};
use crate::cli::{AutoresolveArgs, FormatArg};
use crate::config::{Config, Signing};
use crate::diag::{Code, Diagnostic};
use crate::edit::{self, Scalar};
use crate::workflow::SYSTEM;

pub(super) fn run(ctx: &Ctx, args: AutoresolveArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let now = now(args.now.as_deref(), &cfg)?;
    let signing_key = signing_key(&args)?;
    if args.commit && !args.dry_run && cfg.signing == Signing::Required {
        bot_may_sign(&cfg, signing_key.as_ref())?;
    }
    let signing_key = signing_key.map(|(key, _)| key);
    if !args.dry_run {
        crate::store::remove_leftovers_under(&ctx.root, crate::store::INCIDENTS_DIR);
    }
    let repo = if args.commit {
        let repo = crate::git::Repo::open(&ctx.root).map_err(git_failure)?;
        let guard = repo.begin_bot_run().map_err(git_failure)?;
        finish_unfinished(ctx, &repo, &cfg)?;
        let dirty = repo.dirty_incidents().map_err(git_failure)?;
        if !dirty.is_empty() {
            return Err(Failure::usage(
                format!("incident files have uncommitted changes: {}", dirty.join(", ")),
                "commit or stash them first; autoresolve --commit records only its own changes",
            ));
        }
        if repo.has_staged().map_err(git_failure)? {
            return Err(Failure::usage(
                "the index has staged changes",
                "commit or unstage them first; autoresolve --commit records only its own changes",
            ));
        }
        Some((repo, guard))
    } else {
        None
    };

    let v = load(ctx, &cfg, now);
    let errors: Vec<Diagnostic> = v.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    if !errors.is_empty() {
        emit(&errors, args.format);
        if args.format == FormatArg::Human {
            eprintln!("error: the incidents are not valid; autoresolve changed nothing");
        }
        return Ok(FINDINGS);
    }
    let incidents = v.incidents();
    let plan = autoresolve::plan(&incidents, &cfg, now);

    let mut edits: Vec<(String, String, String)> = Vec::new();
    if !args.dry_run {
        // Prepare every edit first; write only when all of them succeed.
        for c in &plan.close {
            // Validation passed, so every incident lives at the path its id names.
            let file_path = super::incident_path(&cfg, &c.id)?;
            let text = std::fs::read_to_string(ctx.root.join(&file_path))
                .map_err(|e| Failure::usage(format!("cannot read {file_path}: {e}"), "check the file permissions"))?;
            let edited = apply(&text, &cfg, c, now).map_err(|e| {
                Failure::Diags(vec![Diagnostic::error(
                    Code::YamlSyntax,
                    file_path.clone(),
                    format!("cannot edit: {}", e.message),
                )
                .at(&text, e.line, 1)])
            })?;
            let (_, diags) = crate::rules::validate_file(
                &crate::store::SourceFile {
                    path: file_path.clone(),
                    text: edited.clone(),
                },
                &cfg,
                now,
            );
            let errs: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
            if !errs.is_empty() {
                emit(&errs, args.format);
                return Ok(FINDINGS);
            }
            edits.push((file_path, text, edited));
        }
    }

    let mut commit_id = None;
    if let (Some((repo, _guard)), Some(branch), false) = (&repo, args.branch.as_deref(), edits.is_empty()) {
        // On a branch of its own, for a pull request: nothing is written to the working tree.
        let id = branch_commit(repo, branch, &edits, &plan, &cfg, now, signing_key.as_deref())?;
        report(&plan, &cfg, args.format, args.dry_run, Some(&id));
        eprintln!("on the new branch {branch}; the current branch and the working tree are unchanged");
        return Ok(OK);
    }
    if !edits.is_empty() {
        match &repo {
            Some((repo, _guard)) => {
                commit_id = Some(commit(ctx, repo, &edits, &plan, &cfg, now, signing_key.as_deref())?)
            }
            None => write_all(ctx, &edits)?,
        }
    }

    report(&plan, &cfg, args.format, args.dry_run, commit_id.as_deref());
    Ok(OK)
}

/// The first line of every bot commit.
const SUBJECT: &str = "autoresolve: ";

/// Finishes writing out the bot's last commit when a killed run left HEAD ahead of the
/// working tree (see `git::Repo::unfinished_commit`); does nothing otherwise.
fn finish_unfinished(ctx: &Ctx, repo: &crate::git::Repo, cfg: &Config) -> Result<()> {
    let Some(u) = repo
        .unfinished_commit(&cfg.autoresolve.bot.emails, SUBJECT)
        .map_err(git_failure)?
    else {
        return Ok(());
    };
    check_out(ctx, repo, &u.write, &u.stage)?;
    eprintln!(
        "finished writing out {}, which an interrupted run had committed",
        u.commit.get(..7).unwrap_or(&u.commit)
    );
    Ok(())
}

/// Writes files a commit holds into the working tree, then updates their index entries.
fn check_out(ctx: &Ctx, repo: &crate::git::Repo, files: &[(String, Vec<u8>)], stage: &[String]) -> Result<()> {
    for (p, bytes) in files {
        crate::store::write_atomic(&ctx.root.join(p), bytes).map_err(|e| {
            Failure::usage(
                format!("committed, but cannot write {p}: {e}"),
                "check the file permissions, then run `insiden autoresolve --commit` again to finish",
            )
        })?;
    }
    repo.stage_paths(stage).map_err(git_failure)
}

/// Without `--commit`: writes every edit, all or nothing.
fn write_all(ctx: &Ctx, edits: &[(String, String, String)]) -> Result<()> {
    for (i, (p, _, text)) in edits.iter().enumerate() {
        if let Err(e) = crate::store::write_atomic(&ctx.root.join(p), text.as_bytes()) {
            // Put back every file this run wrote.
            for (p, original, _) in &edits[..i] {
                let _ = crate::store::write_atomic(&ctx.root.join(p), original.as_bytes());
            }
            return Err(Failure::usage(
                format!("cannot write {p}: {e}"),
                "check the file permissions",
            ));
        }
    }
    Ok(())
}

/// The bot's commit message: the closed ids and their windows.
fn message(plan: &Plan, cfg: &Config) -> String {
    let ids: Vec<&str> = plan.close.iter().map(|c| c.id.as_str()).collect();
    let mut message = format!("{SUBJECT}tutup {}\n\n", ids.join(", "));
    for c in &plan.close {
        message.push_str(&format!("- {}: {}\n", c.id, autoresolve::note(cfg, c)));
    }
    message
}

/// Each edited file's path and new content.
fn new_texts(edits: &[(String, String, String)]) -> Vec<(String, Vec<u8>)> {
    edits
        .iter()
        .map(|(p, _, text)| (p.clone(), text.as_bytes().to_vec()))
        .collect()
}

/// The bot's name and email (its first).
fn identity(cfg: &Config) -> (String, String) {
    let bot = &cfg.autoresolve.bot;
    let email = bot.emails.first().cloned().unwrap_or_default();
    (bot.name.clone().unwrap_or_else(|| bot.id.clone()), email)
}

/// Makes the signature of a commit's content with the bot's key.
fn signer(key: &str) -> impl Fn(&[u8]) -> std::result::Result<String, String> + '_ {
    move |content| crate::signing::sign(key, content).map(|(armored, _)| armored)
}

const SIGNING_KEY_HELP: &str =
    "pass the bot's OpenSSH private key, without a passphrase (its public half is autoresolve.bot.signing_keys)";

/// With `signing: required`, the bot's commit would be refused by `check` unless signed with
/// one of `autoresolve.bot.signing_keys`: refused here, before anything is written.
fn bot_may_sign(cfg: &Config, key: Option<&(String, String)>) -> Result<()> {
    let bot = &cfg.autoresolve.bot.id;
    match key {
        None => Err(Failure::usage(
            "insiden.yaml has `signing: required`, and no key was given to sign the bot's commit",
            "pass --signing-key <file>, or set INSIDEN_SIGNING_KEY from a repository secret (see the operator guide)",
        )),
        Some((_, fingerprint)) if cfg.keys.get(fingerprint) != Some(bot) => Err(Failure::usage(
            format!("the signing key {fingerprint} is not one of the bot's keys (autoresolve.bot.signing_keys)"),
            SIGNING_KEY_HELP,
        )),
        Some(_) => Ok(()),
    }
}

/// The bot's private key and its fingerprint: `--signing-key <file>`, else the text of
/// INSIDEN_SIGNING_KEY (a repository secret), else none. Read, and tried, before anything
/// is written.
fn signing_key(args: &AutoresolveArgs) -> Result<Option<(String, String)>> {
    let help = SIGNING_KEY_HELP;
    let key = match &args.signing_key {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("cannot read the signing key {}: {e}", path.display()), help))?,
        ),
        None => std::env::var("INSIDEN_SIGNING_KEY")
            .ok()
            .filter(|k| args.commit && !k.trim().is_empty()),
    };
    key.map(|k| {
        let (_, fingerprint) = crate::signing::sign(&k, b"").map_err(|m| Failure::usage(m, help))?;
        Ok((k, fingerprint))
    })
    .transpose()
}

/// One commit by the bot identity, listing the closed ids and their windows; signed when a
/// key is given. The commit is recorded and the branch moved before the working tree is
/// written.
fn commit(
    ctx: &Ctx,
    repo: &crate::git::Repo,
    edits: &[(String, String, String)],
    plan: &Plan,
    cfg: &Config,
    now: crate::model::Timestamp,
    signing_key: Option<&str>,
) -> Result<String> {
    let (name, email) = identity(cfg);
    let files = new_texts(edits);
    let sign = signing_key.map(signer);
    let sign: Option<crate::git::Signer<'_>> = sign.as_ref().map(|f| f as _);
    let id = repo
        .commit_files(&files, &message(plan, cfg), &name, &email, now, sign)
        .map_err(git_failure)?;
    let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    check_out(ctx, repo, &files, &paths)?;
    Ok(id)
}

/// The same commit as [`commit`], made on the new branch `branch` on top of HEAD, for
/// `--branch`: HEAD, the index and the working tree stay as they are.
fn branch_commit(
    repo: &crate::git::Repo,
    branch: &str,
    edits: &[(String, String, String)],
    plan: &Plan,
    cfg: &Config,
    now: crate::model::Timestamp,
    signing_key: Option<&str>,
) -> Result<String> {
    let (name, email) = identity(cfg);
    let files = new_texts(edits);
    let sign = signing_key.map(signer);
    let sign: Option<crate::git::Signer<'_>> = sign.as_ref().map(|f| f as _);
    repo.commit_on_branch(branch, &files, &message(plan, cfg), &name, &email, now, sign)
        .map_err(git_failure)
}

/// The bot's edit of one incident: `status` and the `system` entry naming the window.
fn apply(
    text: &str,
    cfg: &Config,
    c: &autoresolve::Close,
    now: crate::model::Timestamp,
) -> std::result::Result<String, edit::EditError> {
    let text = edit::set_field(text, "status", Scalar::Raw(c.to.clone()))?;
    edit::append_history(
        &text,
        &[
            ("at", Scalar::Raw(file_time(now, cfg))),
            ("to", Scalar::Raw(c.to.clone())),
            ("by", Scalar::Raw(SYSTEM.into())),
            ("actor", Scalar::Str(cfg.autoresolve.bot.id.clone())),
            ("note", Scalar::Str(autoresolve::note(cfg, c))),
        ],
    )
}

fn report(plan: &Plan, cfg: &Config, format: FormatArg, dry_run: bool, commit: Option<&str>) {
    match format {
        FormatArg::Json => {
            let v = serde_json::json!({ "dry_run": dry_run, "close": plan.close, "overdue": plan.overdue, "commit": commit });
            print(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
        }
        FormatArg::Github => {
            let diags: Vec<Diagnostic> = plan
                .overdue
                .iter()
                .map(|o| {
                    Diagnostic::warning(
                        Code::AutoresolveOverdue,
                        super::incident_path(cfg, &o.id).unwrap_or_else(|_| o.id.clone()),
                        format!(
                            "{}: the autoresolve window ended {}; documentation is overdue",
                            o.id,
                            file_time(o.ended, cfg)
                        ),
                    )
                    .help(format!(
                        "{} documents it: set `resolution` and move it to documented",
                        o.next.join(", ")
                    ))
                })
                .collect();
            print(&crate::diag::render(&diags, crate::diag::Format::Github));
            for c in &plan.close {
                print(&format!(
                    "::notice title=insiden autoresolve::{} {} → {}\n",
                    c.id, c.from, c.to
                ));
            }
        }
        FormatArg::Human => {
            let mut s = String::new();
            let verb = if dry_run { "would close" } else { "closed" };
            if plan.close.is_empty() {
                s.push_str("nothing to close\n");
            }
            for c in &plan.close {
                s.push_str(&format!(
                    "{verb} {} ({} → {}): window ended {}\n",
                    c.id,
                    c.from,
                    c.to,
                    file_time(c.ended, cfg)
                ));
            }
            for o in &plan.overdue {
                s.push_str(&format!(
                    "overdue {} ({}): window ended {}; {} documents it\n",
                    o.id,
                    o.status,
                    file_time(o.ended, cfg),
                    o.next.join(", ")
                ));
            }
            if let Some(c) = commit {
                s.push_str(&format!("committed {}\n", c.get(..7).unwrap_or(c)));
            }
            print(&s);
        }
    }
}
