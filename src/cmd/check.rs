//! `insiden check`: every commit of `base..head` (or the staged changes) against the commit
//! rules, each commit against the configuration of its parent, then `validate` on the head
//! tree read from git objects — so CI judges the pull request's head, not the disk.

use super::{emit, now, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{CheckArgs, DenyArg, FormatArg};
use crate::config::{Config, FILE_NAME};
use crate::diag::{Code, CommitRef, Diagnostic};
use crate::git::{Change, CommitMeta, Person, Repo};
use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;

/// Parsed configurations by the blob id of `insiden.yaml` (`None`: the built-in one), so a
/// range does not re-parse the configuration for every commit.
pub(super) type ConfigCache = HashMap<Option<String>, Arc<Config>>;

pub(super) fn git_failure(e: crate::git::GitError) -> Failure {
    Failure::usage(e.message, e.help)
}

/// The configuration stored in a blob (or the built-in one when `id` is `None`), parsed once.
pub(super) fn config_at(
    repo: &Repo,
    cache: &mut ConfigCache,
    id: Option<&str>,
) -> std::result::Result<Arc<Config>, Vec<Diagnostic>> {
    let key = id.map(str::to_owned);
    if let Some(c) = cache.get(&key) {
        return Ok(c.clone());
    }
    let text = match id {
        Some(id) => Some(repo.blob_text(id, FILE_NAME).map_err(|d| vec![d])?),
        None => None,
    };
    let cfg = Arc::new(Config::parse(text.as_deref(), FILE_NAME)?);
    cache.insert(key, cfg.clone());
    Ok(cfg)
}

/// What the commit rules found over a range.
pub(super) struct RangeResult {
    pub diagnostics: Vec<Diagnostic>,
    /// Incident paths changed in the range.
    pub touched: HashSet<String>,
    /// Whether `insiden.yaml` changed in the range.
    pub config_changed: bool,
}

/// Runs the commit rules over `commits` (oldest first).
pub(super) fn check_commits(
    repo: &Repo,
    commits: &[String],
    cache: &mut ConfigCache,
) -> std::result::Result<RangeResult, Failure> {
    let mut out = Vec::new();
    let mut touched = HashSet::new();
    let mut any_config_change = false;
    let mut walker = repo.walker();
    for id in commits {
        let c = walker.changes(id).map_err(git_failure)?;
        let commit = CommitRef {
            id: c.meta.short().to_owned(),
            subject: c.meta.subject.clone(),
        };
        // Adding the configuration in the first commit changes nothing that was checked before.
        any_config_change |= c.config_changed;
        if c.config_changed && c.meta.parents > 0 {
            out.push(
                Diagnostic::warning(Code::ConfigChanged, FILE_NAME, "insiden.yaml changed in this commit; the commits after it are checked against the new configuration")
                    .help("review configuration changes with the whole team: they change what the SOP allows")
                    .in_commit(commit.clone()),
            );
        }
        if c.changes.is_empty() {
            continue;
        }
        let cfg = match config_at(repo, cache, c.config_before.as_deref()) {
            Ok(cfg) => cfg,
            Err(diags) => {
                out.extend(diags.into_iter().map(|d| d.in_commit(commit.clone())));
                continue;
            }
        };
        for change in &c.changes {
            touched.insert(change.path.clone());
            out.extend(check_file_change(&c.meta, change, &cfg));
        }
    }
    Ok(RangeResult {
        diagnostics: out,
        touched,
        config_changed: any_config_change,
    })
}

/// The commit rules for one changed file. A version that is not readable text is a finding:
/// with nothing to compare against, the change must not pass unverified.
fn check_file_change(meta: &CommitMeta, change: &Change, cfg: &Config) -> Vec<Diagnostic> {
    let commit = CommitRef {
        id: meta.short().to_owned(),
        subject: meta.subject.clone(),
    };
    let mut olds: Vec<Option<&str>> = Vec::with_capacity(change.olds.len());
    for o in &change.olds {
        match o {
            Some(Ok(t)) => olds.push(Some(t.as_str())),
            Some(Err(_)) => {
                return vec![Diagnostic::error(
                Code::HistoryRewritten,
                &change.path,
                "the previous version of this file is not readable text, so this change cannot be verified against it",
            )
            .help("restore the file from its last valid version, then make the change on top of it")
            .in_commit(commit)]
            }
            None => olds.push(None),
        }
    }
    let new = match &change.new {
        Some(Ok(t)) => Some(t.as_str()),
        Some(Err(d)) => return vec![d.clone().in_commit(commit)],
        None => None,
    };
    crate::history::check_change(meta, &change.path, &olds, new, cfg)
}

pub(super) fn run(ctx: &Ctx, args: CheckArgs) -> Result<u8> {
    let repo = Repo::open(&ctx.root).map_err(git_failure)?;
    let mut cache = ConfigCache::new();
    let mut diags = Vec::new();
    let (snapshot, partial, what) = if args.staged {
        let head_cfg = config_at(&repo, &mut cache, repo.head_config_id().as_deref()).map_err(Failure::Diags)?;
        let now = now(args.now.as_deref(), &head_cfg)?;
        let email = crate::git::user_email(&ctx.root).unwrap_or_default();
        let name = crate::git::user_name(&ctx.root).unwrap_or_default();
        let person = Person { name, email, time: now };
        let meta = CommitMeta {
            id: "staged".into(),
            subject: "staged changes".into(),
            author: person.clone(),
            committer: person,
            co_authors: vec![],
            parents: 1,
        };
        let (changes, config_changed) = repo.staged_changes().map_err(git_failure)?;
        if config_changed {
            diags.push(
                Diagnostic::warning(
                    Code::ConfigChanged,
                    FILE_NAME,
                    "insiden.yaml is staged; incidents are checked against the committed configuration",
                )
                .help("commit configuration changes on their own"),
            );
        }
        for ch in &changes {
            diags.extend(check_file_change(&meta, ch, &head_cfg));
        }
        (
            repo.index_snapshot().map_err(git_failure)?,
            false,
            format!("{} staged incident file(s)", changes.len()),
        )
    } else {
        let base_rev = args.base.clone().unwrap_or_default();
        let base = repo.resolve(&base_rev).map_err(git_failure)?;
        let head = repo.resolve(&args.head).map_err(git_failure)?;
        let (commits, is_ancestor) = repo.range(Some(&base), &head).map_err(git_failure)?;
        if !is_ancestor && args.format == FormatArg::Human {
            eprintln!(
                "note: {base_rev} is not an ancestor of {}; checking the {} commit(s) of {} not in {base_rev}",
                args.head,
                commits.len(),
                args.head
            );
        }
        let range = check_commits(&repo, &commits, &mut cache)?;
        diags.extend(range.diagnostics);
        // Unchanged files were judged when they were committed; when the configuration
        // changed, every file is judged again under the new one.
        let only = (!range.config_changed).then_some(&range.touched);
        (
            repo.snapshot(&head, only).map_err(git_failure)?,
            only.is_some(),
            format!("{} commit(s) in {base_rev}..{}", commits.len(), args.head),
        )
    };

    // Then validate the resulting tree, against its own configuration.
    let head_cfg = Config::parse(snapshot.config.as_deref(), FILE_NAME).map_err(Failure::Diags)?;
    let now = now(args.now.as_deref(), &head_cfg)?;
    let mut v = if partial {
        crate::rules::validate_changed(&snapshot.files, &snapshot.present, &head_cfg, now)
    } else {
        crate::rules::validate(&snapshot.files, &snapshot.present, &head_cfg, now)
    };
    diags.append(&mut v.diagnostics);
    diags.extend(snapshot.problems);
    emit(&diags, args.format);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let failed = errors > 0 || (args.deny == Some(DenyArg::Warnings) && !diags.is_empty());
    if args.format == FormatArg::Human && diags.is_empty() {
        eprintln!("checked {what}: no findings");
    }
    Ok(if failed { FINDINGS } else { OK })
}
