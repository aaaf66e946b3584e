//! `insiden check`: every commit of `base..head` (or the staged changes) against the commit
//! rules, each commit against the configuration of its parent, then `validate` on the head
//! tree read from git objects — so CI judges the pull request's head, not the disk.

use super::proof::{self, guarded, Mainline, Proof, Verified};
use super::{emit, now, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{CheckArgs, DenyArg, FormatArg};
use crate::config::{Config, FILE_NAME};
use crate::config::{MergeMethod, Signing};
use crate::diag::{Code, CommitRef, Diagnostic};
use crate::git::{BlobId, GitError, Location, Version};
use crate::git::{Change, CommitChanges, CommitMeta, PathWhat, Person, Repo};
use crate::history::{
    author_member, author_roles, is_bot, is_forge, maintainer_commit, Env, Judging, New, Old, Verdict,
};
use crate::model::{Incident, Timestamp, Tlp};
use crate::store::INCIDENTS_DIR;
use chrono_tz::Tz;
use rayon::prelude::*;
use std::collections::HashSet;
use std::collections::{BTreeMap, HashMap};
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
    /// Per author (member id, or the email of a non-member): commits that change incidents
    /// or rules, (signed by the author's key, not).
    pub signatures: BTreeMap<String, (usize, usize)>,
    /// Per incident path, the last commit of the range that changed it.
    pub last_touch: HashMap<String, CommitMeta>,
}

/// Which configuration judges each commit.
pub(super) enum Rulebook {
    /// One for the whole range: the configuration at the merge base (`check`). A pull
    /// request cannot change the rules its own commits are judged by.
    Fixed(Arc<Config>),
    /// Each commit by its first parent's (`audit`, which replays the history of `head` as it
    /// happened).
    Parent { head: String },
}

/// What the checker brings to a range besides the commits: its clock, and the forge account
/// that opened the pull request.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Judge<'a> {
    pub now: Option<Timestamp>,
    pub pr_author: Option<&'a str>,
    /// Which rules judge each commit (`Authorship` when the pull request lands squashed).
    pub judging: Judging,
}

/// What the ordered part of judging a commit decided, for the per-file rules that follow.
struct Judged {
    changes: CommitChanges,
    /// The commit's own findings (paths, rules, signature), before its files'.
    diagnostics: Vec<Diagnostic>,
    /// `None` when the rulebook could not be read (the commit's files are not judged).
    cfg: Option<Arc<Config>>,
    signed_by_author: bool,
    trailers: bool,
}

/// Runs the commit rules over `commits` (oldest first).
///
/// A window of commits is read on every core, its commit-level rules are applied in order,
/// then the rules of each changed file run on every core, one task per incident path (a
/// path's changes in commit order, carrying its TLP floor from one to the next), and the
/// findings are put back in commit order: the result is the same as judging one change after
/// the other.
pub(super) fn check_commits(
    repo: &Repo,
    commits: &[String],
    cache: &mut ConfigCache,
    rulebook: &Rulebook,
    judge: Judge<'_>,
) -> std::result::Result<RangeResult, Failure> {
    let mut p = Progress::default();
    let location = repo.location();
    let windows: Vec<&[String]> = commits.chunks(WINDOW).collect();
    let mut ahead = windows.first().map(|w| read_window(&location, w, rulebook));
    for wi in 0..windows.len() {
        let reads = ahead.take().unwrap_or_default();
        // The next window is read while this one is judged: the cores are not left idle
        // while the commit-level rules run in order.
        rayon::in_place_scope(|scope| {
            if let Some(next) = windows.get(wi + 1).copied() {
                let (slot, location) = (&mut ahead, &location);
                scope.spawn(move |_| *slot = Some(read_window(location, next, rulebook)));
            }
            judge_window(&mut p, reads, repo, &location, cache, rulebook, judge)
        })?;
    }
    if let (Rulebook::Fixed(_), Some(rules), Some(incidents)) = (rulebook, &p.rules_change, &p.incident_change) {
        p.out.push(
            Diagnostic::error(
                Code::MixedChange,
                FILE_NAME,
                format!(
                    "this range changes the rules (commit {}) and incidents (commit {})",
                    rules.id, incidents.id
                ),
            )
            .help("change the rules in a pull request of their own; incidents are then judged by the merged rules")
            .in_commit(rules.clone()),
        );
    }
    Ok(RangeResult {
        diagnostics: p.out,
        touched: p.touched,
        config_changed: p.any_config_change,
        signatures: p.signatures,
        last_touch: p.last_touch,
    })
}

/// Judges the next window of commits, read ahead (`reads`, in commit order), carrying what
/// it finds into `p`; `location` is `repo`'s, for the file rules' readers.
fn judge_window(
    p: &mut Progress,
    reads: Vec<std::result::Result<Read, GitError>>,
    repo: &Repo,
    location: &Location,
    cache: &mut ConfigCache,
    rulebook: &Rulebook,
    judge: Judge<'_>,
) -> std::result::Result<(), Failure> {
    let wi = p.windows;
    let mut judged: Vec<Judged> = Vec::with_capacity(reads.len());
    for read in reads {
        let Read { changes: c, signature } = read.map_err(git_failure)?;
        let commit = CommitRef {
            id: c.meta.short().to_owned(),
            subject: c.meta.subject.clone(),
        };
        let mut diags = Vec::new();
        let cfg = match rulebook {
            Rulebook::Fixed(cfg) => cfg.clone(),
            Rulebook::Parent { .. } => match config_at(repo, cache, c.config_before.as_deref()) {
                Ok(cfg) => cfg,
                Err(found) => {
                    diags.extend(found.into_iter().map(|d| d.in_commit(commit.clone())));
                    judged.push(Judged {
                        changes: c,
                        diagnostics: diags,
                        cfg: None,
                        signed_by_author: false,
                        trailers: false,
                    });
                    continue;
                }
            },
        };
        let audit = matches!(rulebook, Rulebook::Parent { .. });
        let needs_proof =
            audit || cfg.signing == Signing::Required || judge.pr_author.is_some() || is_forge(&c.meta, &cfg);
        let proof = if needs_proof && guarded(&c) && !merged_only(&c) {
            Proof::judge(signature.as_ref(), &c.meta, &cfg)
        } else {
            Proof::Unsigned
        };
        // The forge's own commits count as its merges only where its merges land: on the
        // first-parent line of the history `audit` replays. A pull request's commits
        // (`check`) are never its merges: one the forge signed was made in its web editor or
        // through its API, for whatever author the account named, with a message it typed.
        let forge_merge = match rulebook {
            Rulebook::Fixed(_) => false,
            Rulebook::Parent { head } => {
                is_forge(&c.meta, &cfg)
                    && (proof == Proof::Forge || !c.meta.co_authors.is_empty())
                    && p.mainline.holds(repo, head, &c.meta.id).map_err(git_failure)?
            }
        };
        let proof = proof.landed(forge_merge);
        let fixed = matches!(rulebook, Rulebook::Fixed(_));
        let signed_by_author = proof.by_author(&c.meta, &cfg);
        // An author email is a claim: in a pull request the maintainer is the account that
        // opened it, or the author a signature proves.
        let maintainer = maintainer_commit(&c.meta, &cfg, judge.pr_author, signed_by_author);
        p.any_config_change |= c.config_changed;
        diags.extend(path_rules(&c, &cfg, &commit));
        if fixed && c.meta.parents == 0 && !maintainer {
            diags.push(
                Diagnostic::error(
                    Code::UnrelatedHistory,
                    FILE_NAME,
                    format!(
                        "commit {} has no parent: it brings a history of its own into the range",
                        commit.id
                    ),
                )
                .help("build on the target branch (`git rebase`); only a maintainer may join an unrelated history")
                .in_commit(commit.clone()),
            );
        }
        if c.config_changed || c.templates_changed {
            p.rules_change.get_or_insert(commit.clone());
            let what = if c.config_changed { FILE_NAME } else { "site-templates/" };
            // A history judged commit by commit (`audit`) holds rule changes from before
            // `maintainers:` existed: the rule did not exist then either.
            let rule_applies = fixed || !cfg.maintainers.is_empty();
            if cfg.from_file && !maintainer && rule_applies {
                let who = format!("{} <{}>", c.meta.author.name, c.meta.author.email);
                let claimed = author_member(&c.meta, &cfg).is_some_and(|m| cfg.is_maintainer(m));
                let message = match judge.pr_author {
                Some(login) if claimed => format!(
                    "{what} is changed in a commit authored as the maintainer {who}, but the pull request was opened by `{login}`"
                ),
                _ => format!("{what} is changed by {who}, who is not a maintainer"),
            };
                diags.push(
                Diagnostic::error(Code::RulesChanged, what, message)
                    .help("the rules change only in a maintainer's own pull request, or in a commit signed with their key (`maintainers:` in insiden.yaml); ask one to make this change")
                    .in_commit(commit.clone()),
            );
            } else if !fixed && c.meta.parents > 0 {
                diags.push(
                    Diagnostic::warning(
                        Code::ConfigChanged,
                        what,
                        format!(
                            "{what} changed in this commit; the commits after it are checked against the new rules"
                        ),
                    )
                    .help("review rule changes with the whole team: they change what the SOP allows")
                    .in_commit(commit.clone()),
                );
            }
        }
        if c.incidents_changed {
            p.incident_change.get_or_insert(commit.clone());
        }
        if !merged_only(&c) {
            diags.extend(proof::rules(&c, &proof, &cfg, &commit));
        }
        // `Co-authored-by:` speaks for others only on the forge's merges (signed by it when
        // signing is required); a pull request's commits speak for their authors alone.
        let trailers = forge_merge && (cfg.signing == Signing::Off || proof == Proof::Forge);
        if audit && guarded(&c) && !merged_only(&c) {
            let who = author_member(&c.meta, &cfg).map_or_else(|| c.meta.author.email.clone(), str::to_owned);
            let tally = p.signatures.entry(who).or_insert((0, 0));
            if signed_by_author {
                tally.0 += 1;
            } else {
                tally.1 += 1;
            }
        }
        judged.push(Judged {
            changes: c,
            diagnostics: diags,
            cfg: Some(cfg),
            signed_by_author,
            trailers,
        });
    }
    // The file rules: one task per path, its changes in commit order.
    let mut by_path: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut paths: Vec<&str> = Vec::new();
    for (ci, j) in judged.iter().enumerate() {
        if j.cfg.is_none() {
            continue;
        }
        for (hi, ch) in j.changes.changes.iter().enumerate() {
            let v = by_path.entry(ch.path.as_str()).or_default();
            if v.is_empty() {
                paths.push(ch.path.as_str());
            }
            v.push((ci, hi));
        }
    }
    let tasks: Vec<(&str, Option<Known>)> = paths.iter().map(|path| (*path, p.known.remove(*path))).collect();
    let verdicts: Vec<PathVerdict> = tasks
        .into_par_iter()
        .map_init(
            || Reader { location, repo: None },
            |reader, (path, mut last)| {
                let mut floor = p.floors.get(path).copied();
                let mut found = Vec::with_capacity(by_path[path].len());
                for &(ci, hi) in &by_path[path] {
                    let j = &judged[ci];
                    let Some(cfg) = j.cfg.as_deref() else {
                        found.push(Vec::new());
                        continue;
                    };
                    let change = &j.changes.changes[hi];
                    let env = Env {
                        judging: judge.judging,
                        now: judge.now,
                        tlp_floor: floor,
                        clean_merge: change.clean_merge,
                        pr_author: judge.pr_author,
                        signed_by_author: j.signed_by_author,
                        trailers: j.trailers,
                    };
                    let verdict = judge_change(&j.changes.meta, change, cfg, env, &mut last, &mut |b, p| {
                        reader.text(b, p)
                    })?;
                    if verdict.tlp_floor.is_some() {
                        floor = verdict.tlp_floor;
                    }
                    found.push(verdict.diagnostics);
                }
                if let Some(k) = &mut last {
                    k.window = wi;
                }
                Ok((found, floor, last))
            },
        )
        .collect::<std::result::Result<_, GitError>>()
        .map_err(git_failure)?;
    // Back in commit order.
    let mut found: HashMap<(usize, usize), Vec<Diagnostic>> = HashMap::new();
    for (path, (diags, floor, last)) in paths.iter().zip(verdicts) {
        for (at, d) in by_path[path].iter().zip(diags) {
            found.insert(*at, d);
        }
        if let Some(f) = floor {
            p.floors.insert((*path).to_owned(), f);
        }
        if let Some(k) = last {
            p.known.insert((*path).to_owned(), k);
        }
    }
    forget_oldest(&mut p.known);
    for (ci, j) in judged.into_iter().enumerate() {
        p.out.extend(j.diagnostics);
        if j.cfg.is_none() {
            continue;
        }
        for (hi, change) in j.changes.changes.iter().enumerate() {
            p.touched.insert(change.path.clone());
            p.last_touch.insert(change.path.clone(), j.changes.meta.clone());
            p.out.extend(found.remove(&(ci, hi)).unwrap_or_default());
        }
    }
    p.windows += 1;
    Ok(())
}

/// What judging a range has found so far, carried from one window to the next.
#[derive(Default)]
struct Progress {
    out: Vec<Diagnostic>,
    touched: HashSet<String>,
    any_config_change: bool,
    /// Per incident path, the TLP its history has reached (a label may not go down).
    floors: HashMap<String, Tlp>,
    rules_change: Option<CommitRef>,
    incident_change: Option<CommitRef>,
    signatures: BTreeMap<String, (usize, usize)>,
    last_touch: HashMap<String, CommitMeta>,
    /// Per incident path, what its latest version parsed to.
    known: HashMap<String, Known>,
    /// Windows judged so far.
    windows: usize,
    /// The audited head's first-parent line.
    mainline: Mainline,
}

/// The rules of what a change does (history, moves and their requirements, windows, TLP),
/// on the net change from `from` to `head` of every incident the range touched: what a
/// squash merge lands. Dates are those of the last commit that touched each file.
fn net_changes(
    repo: &Repo,
    from: &str,
    head: &str,
    range: &RangeResult,
    cfg: &Config,
    now: Timestamp,
    pr_author: Option<&str>,
) -> std::result::Result<Vec<Diagnostic>, Failure> {
    let before = repo.snapshot(from, Some(&range.touched)).map_err(git_failure)?;
    let after = repo.snapshot(head, Some(&range.touched)).map_err(git_failure)?;
    let text = |snap: &crate::git::Snapshot, path: &str| -> Option<Version> {
        snap.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| Ok(f.text.clone()))
            .or_else(|| snap.problems.iter().find(|d| d.path == path).map(|d| Err(d.clone())))
            .map(Version::text)
    };
    let mut paths: Vec<&String> = range.touched.iter().collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Some(meta) = range.last_touch.get(path) else {
            continue;
        };
        let change = Change {
            path: path.clone(),
            olds: vec![text(&before, path)],
            new: text(&after, path),
            clean_merge: false,
        };
        // Who opened the pull request still decides whose repair a maintainer's is.
        let env = Env {
            judging: Judging::Outcome,
            now: Some(now),
            pr_author,
            ..Env::default()
        };
        out.extend(check_file_change(repo, meta, &change, cfg, env).diagnostics);
    }
    Ok(out)
}

/// Whether a commit is a merge that adds nothing of its own: every incident file it changes
/// is one parent's version or exactly git's own merge, and no other path changed. It records
/// nothing in anyone's name, so it needs no signature.
fn merged_only(c: &CommitChanges) -> bool {
    c.meta.parents > 1
        && c.paths.is_empty()
        && !c.config_changed
        && !c.templates_changed
        && c.changes.iter().all(|ch| {
            fn text(v: &Version) -> Option<&String> {
                v.content.as_ref().and_then(|c| c.as_ref().ok())
            }
            ch.clean_merge
                || ch
                    .new
                    .as_ref()
                    .and_then(text)
                    .is_some_and(|n| ch.olds.iter().flatten().filter_map(text).any(|o| o == n))
        })
}

/// Incidents this branch files under an id that the base gave to another incident since the
/// branch left it (two helpdesk staff filing at once): each is `duplicate-id`, naming the
/// next id free on both.
fn filed_meanwhile(
    repo: &Repo,
    fork: &str,
    base: &str,
    head: &str,
    range: &RangeResult,
    base_rev: &str,
    cfg: &Config,
) -> std::result::Result<Vec<Diagnostic>, Failure> {
    let at_fork = repo.snapshot(fork, Some(&HashSet::new())).map_err(git_failure)?.present;
    let at_base = repo.snapshot(base, Some(&HashSet::new())).map_err(git_failure)?.present;
    let at_head = repo.snapshot(head, Some(&HashSet::new())).map_err(git_failure)?.present;
    let mut taken: HashSet<(i32, u32)> = at_base
        .iter()
        .chain(&at_head)
        .filter_map(|p| incident_id(p, cfg))
        .map(|id| (id.year, id.number))
        .collect();
    let mut paths: Vec<&String> = range
        .touched
        .iter()
        .filter(|p| !at_fork.contains(*p) && at_base.contains(*p))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Some(id) = incident_id(path, cfg) else { continue };
        let free = (id.number + 1..)
            .find(|n| !taken.contains(&(id.year, *n)))
            .unwrap_or(id.number + 1);
        taken.insert((id.year, free));
        let next = crate::model::IncidentId {
            number: free,
            ..id.clone()
        };
        out.push(
            Diagnostic::error(
                Code::DuplicateId,
                path.as_str(),
                format!("{id} was filed on {base_rev} for another incident since this branch left it"),
            )
            .help(format!(
                "give this incident the next free id: `insiden renumber {id} --to {next}`"
            )),
        );
    }
    Ok(out)
}

/// The id of an incident path (`incidents/<year>/<id>.md`).
fn incident_id(path: &str, cfg: &Config) -> Option<crate::model::IncidentId> {
    let stem = path.rsplit('/').next()?.strip_suffix(".md")?;
    crate::model::IncidentId::parse(stem, &cfg.id_prefix)
}

/// What merging `head` into the moved-on `base` would make of each incident both changed:
/// git's own merge adds nothing of its own, but it may carry one side's TLP lowering onto
/// the other side's details (`merge-tlp-lowered`).
fn landing(
    repo: &Repo,
    base: &str,
    head: &str,
    base_rev: &str,
    cfg: &Config,
    now: Timestamp,
) -> std::result::Result<Vec<Diagnostic>, Failure> {
    let Some(changes) = repo.landing(base, head).map_err(git_failure)? else {
        // Conflicts: the forge will not merge it as it stands, and the next check (on the
        // merged branch) judges the resolution.
        eprintln!("note: the branch does not merge cleanly into {base_rev}; merge or rebase, then check again");
        return Ok(Vec::new());
    };
    let head_meta = repo.commit_meta(head).map_err(git_failure)?;
    let meta = CommitMeta {
        id: format!("{:0<40}", "merge"),
        subject: format!("{} merged into {base_rev}", head_meta.short()),
        ..head_meta
    };
    let env = Env {
        now: Some(now),
        clean_merge: true,
        ..Env::default()
    };
    Ok(changes
        .iter()
        .flat_map(|c| check_file_change(repo, &meta, c, cfg, env).diagnostics)
        .collect())
}

/// A commit as read from git: what it changed, and its signature with what verifying it
/// found. Reading is the part of the work that needs no rules.
struct Read {
    changes: CommitChanges,
    signature: Option<Verified>,
}

/// Commits per window: each window is read on every core, then judged in order.
const WINDOW: usize = 512;

/// Reads a window of commits in order, split between the cores (each part with its own
/// repository handle and tree cache); signatures are verified where they are read, the
/// forge's against the keys of the rulebook that will judge the commit (`rulebook`, or its
/// parent's when judging replays history).
fn read_window(
    location: &Location,
    window: &[String],
    rulebook: &Rulebook,
) -> Vec<std::result::Result<Read, GitError>> {
    let part = window.len().div_ceil(rayon::current_num_threads().max(1)).max(64);
    let parts: Vec<std::result::Result<Vec<Read>, GitError>> = window
        .par_chunks(part)
        .map(|ids| {
            let r = location.open()?;
            let mut walker = r.walker();
            let mut configs = ConfigCache::new();
            ids.iter()
                .map(|id| {
                    let changes = walker.changes(id)?;
                    let mut signature = r.signature(id)?.map(Verified::new);
                    if let Some(sig) = &mut signature {
                        let cfg = match rulebook {
                            Rulebook::Fixed(cfg) => Some(cfg.clone()),
                            Rulebook::Parent { .. } => {
                                config_at(&r, &mut configs, changes.config_before.as_deref()).ok()
                            }
                        };
                        if let Some(cfg) = cfg.filter(|cfg| is_forge(&changes.meta, cfg)) {
                            sig.check_forge(&cfg.check.forge_keys);
                        }
                    }
                    Ok(Read { changes, signature })
                })
                .collect()
        })
        .collect();
    parts
        .into_iter()
        .flat_map(|p| match p {
            Ok(reads) => reads.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
        .collect()
}

/// The rules on paths other than incident files: nothing forbidden appears, attachments
/// are never changed or removed, and only members (never the bot) add them.
fn path_rules(c: &CommitChanges, cfg: &Config, commit: &CommitRef) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let member = !author_roles(&c.meta, cfg).is_empty();
    let mut attachment_by_stranger = false;
    for p in &c.paths {
        let d = match &p.what {
            PathWhat::Forbidden(why) => Some(
                Diagnostic::error(Code::ForbiddenPath, &p.path, format!("{why}: refused"))
                    .help("remove it; incident files and templates are plain files, read exactly as git stores them"),
            ),
            PathWhat::AttachmentRemoved => Some(
                Diagnostic::error(Code::FileDeleted, &p.path, "an attachment was deleted or renamed")
                    .help("evidence under incidents/ is never removed; restore it"),
            ),
            PathWhat::AttachmentChanged => Some(
                Diagnostic::error(Code::AttachmentChanged, &p.path, "an attachment was changed")
                    .help("evidence never changes once committed; restore it and add the new version as a new file"),
            ),
            PathWhat::AttachmentAdded => None,
        };
        out.extend(d.map(|d| d.in_commit(commit.clone())));
        if !matches!(p.what, PathWhat::Forbidden(_)) {
            attachment_by_stranger |= cfg.has_members() && !member;
        }
    }
    if attachment_by_stranger {
        let code = if is_bot(&c.meta, cfg) {
            Code::BotOverreach
        } else {
            Code::NotAMember
        };
        out.push(
            Diagnostic::error(
                code,
                INCIDENTS_DIR,
                format!(
                    "attachments are changed by {} <{}>, who is not a member of any team",
                    c.meta.author.name, c.meta.author.email
                ),
            )
            .help("commit with the email (or GitHub account) listed for you under `teams:` in insiden.yaml")
            .in_commit(commit.clone()),
        );
    }
    out
}

/// The commit rules for one changed file. A version that is not readable text is a finding:
/// with nothing to compare against, the change must not pass unverified.
fn check_file_change(repo: &Repo, meta: &CommitMeta, change: &Change, cfg: &Config, env: Env) -> Verdict {
    judge_change(meta, change, cfg, env, &mut None, &mut |blob, path| {
        Ok(repo.version_text(blob, path))
    })
    .unwrap_or_else(|e| Verdict {
        diagnostics: vec![Diagnostic::error(Code::Io, &change.path, e.message)],
        tlp_floor: env.tlp_floor,
    })
}

/// What the latest version of an incident file parsed to, kept for the file's next change,
/// whose parent's version it is: each version is parsed once, not once as a commit's new
/// version and again as the next one's old.
struct Known {
    blob: BlobId,
    /// The timezone it was parsed in (a version reads differently in another).
    timezone: Tz,
    incident: Option<Incident>,
    /// The last window that changed the file.
    window: usize,
}

/// How many files' latest versions are kept parsed between windows (some 10 KB each).
const KNOWN: usize = 8192;

/// Forgets the versions of the files changed longest ago, down to [`KNOWN`].
fn forget_oldest(known: &mut HashMap<String, Known>) {
    if known.len() <= KNOWN {
        return;
    }
    let mut by_age: Vec<(usize, String)> = known.iter().map(|(p, k)| (k.window, p.clone())).collect();
    by_age.sort_unstable();
    for (_, p) in by_age.iter().take(known.len() - KNOWN) {
        known.remove(p);
    }
}

/// What the rules of one file found in a window: per change, its findings; the TLP floor
/// after them; the file's latest version, parsed.
type PathVerdict = (Vec<Vec<Diagnostic>>, Option<Tlp>, Option<Known>);

/// Reads the versions a change left unread, on a repository handle of its own (one per
/// thread), opened when first needed.
struct Reader<'l> {
    location: &'l Location,
    repo: Option<Repo>,
}

impl Reader<'_> {
    fn text(&mut self, blob: BlobId, path: &str) -> std::result::Result<crate::git::Content, GitError> {
        let repo = match &self.repo {
            Some(r) => r,
            None => self.repo.insert(self.location.open()?),
        };
        Ok(repo.version_text(blob, path))
    }
}

/// [`check_file_change`] in a range: an ordinary commit's parent version left unread is
/// what `known` holds when it is the same blob parsed in the same timezone (else it is read
/// with `read` and parsed), and `known` then holds the new version.
fn judge_change(
    meta: &CommitMeta,
    change: &Change,
    cfg: &Config,
    env: Env,
    known: &mut Option<Known>,
    read: &mut dyn FnMut(BlobId, &str) -> std::result::Result<crate::git::Content, GitError>,
) -> std::result::Result<Verdict, GitError> {
    let commit = CommitRef {
        id: meta.short().to_owned(),
        subject: meta.subject.clone(),
    };
    let refuse = |d: Diagnostic| Verdict {
        diagnostics: vec![d.in_commit(commit.clone())],
        tlp_floor: env.tlp_floor,
    };
    let path = change.path.as_str();
    // A version not read by the walker: what `known` holds of it, or its text read now.
    let hit = |v: &Version| {
        let k = known.as_ref()?;
        (change.olds.len() == 1 && v.blob == Some(k.blob) && k.timezone == cfg.timezone).then_some(&k.incident)
    };
    let mut fetched = Vec::with_capacity(change.olds.len());
    for o in &change.olds {
        fetched.push(match o {
            Some(
                v @ Version {
                    blob: Some(b),
                    content: None,
                },
            ) if hit(v).is_none() => Some(read(*b, path)?),
            _ => None,
        });
    }
    let fetched_new = match &change.new {
        Some(Version {
            blob: Some(b),
            content: None,
        }) => Some(read(*b, path)?),
        _ => None,
    };
    let lost = || GitError {
        message: format!("a version of {path} was not read"),
        help: "run `git fsck`".into(),
    };
    let mut olds: Vec<Option<Old<'_>>> = Vec::with_capacity(change.olds.len());
    for (o, f) in change.olds.iter().zip(&fetched) {
        let Some(v) = o else {
            olds.push(None);
            continue;
        };
        match v.content.as_ref().or(f.as_ref()) {
            Some(Ok(t)) => olds.push(Some(Old::Text(t.as_str()))),
            Some(Err(_)) => {
                return Ok(refuse(
                    Diagnostic::error(
                        Code::HistoryRewritten,
                        path,
                        "the previous version of this file is not readable text, so this change cannot be verified against it",
                    )
                    .help("restore the file from its last valid version, then make the change on top of it"),
                ))
            }
            None => olds.push(Some(Old::Parsed(hit(v).ok_or_else(lost)?.as_ref()))),
        }
    }
    let new_text = match change.new.as_ref().map(|v| v.content.as_ref().or(fetched_new.as_ref())) {
        Some(Some(Ok(t))) => Some(t.as_str()),
        Some(Some(Err(d))) => return Ok(refuse(d.clone())),
        Some(None) => return Err(lost()),
        None => None,
    };
    let new = new_text.map(|t| crate::history::parse_new(t, path, cfg));
    let verdict = crate::history::check_parsed(
        meta,
        path,
        &olds,
        new.as_ref().map(|(text, parsed)| New { text, parsed }),
        cfg,
        env,
    );
    drop(olds);
    // A text that starts with a second byte-order mark parses otherwise as a parent's version
    // (one mark is removed there, two here): it is not kept.
    if let (Some((text, parsed)), Some(blob)) = (new, change.new.as_ref().and_then(|v| v.blob)) {
        if !text.starts_with('\u{feff}') {
            *known = Some(Known {
                blob,
                timezone: cfg.timezone,
                incident: parsed.incident,
                window: 0,
            });
        }
    }
    Ok(verdict)
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
            id: crate::diag::CommitRef::STAGED.into(),
            subject: String::new(),
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
            let env = Env {
                now: Some(now),
                ..Env::default()
            };
            diags.extend(check_file_change(&repo, &meta, ch, &head_cfg, env).diagnostics);
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
        // One rulebook: the configuration where the range leaves the target branch.
        let fork = repo.merge_base(&base, &head).map_err(git_failure)?;
        let fork_cfg = config_at(
            &repo,
            &mut cache,
            repo.config_id_at(&fork).map_err(git_failure)?.as_deref(),
        )
        .map_err(Failure::Diags)?;
        let now = now(args.now.as_deref(), &fork_cfg)?;
        let squash = fork_cfg.check.merge == MergeMethod::Squash;
        let judge = Judge {
            now: Some(now),
            pr_author: args.pr_author.as_deref(),
            judging: if squash { Judging::Authorship } else { Judging::Whole },
        };
        let range = check_commits(&repo, &commits, &mut cache, &Rulebook::Fixed(fork_cfg.clone()), judge)?;
        if squash {
            // The squash commit lands the range's net change to each incident: from the base
            // (or, when the base moved on, from where the branch left it) to the head.
            let from = if is_ancestor { &base } else { &fork };
            diags.extend(net_changes(
                &repo,
                from,
                &head,
                &range,
                &fork_cfg,
                now,
                args.pr_author.as_deref(),
            )?);
        }
        // The base moved on since the branch left it: judge how the branch will land on it.
        if !is_ancestor {
            diags.extend(filed_meanwhile(
                &repo, &fork, &base, &head, &range, &base_rev, &fork_cfg,
            )?);
            diags.extend(landing(&repo, &base, &head, &base_rev, &fork_cfg, now)?);
        }
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
    // How long an incident has waited is the site's and `validate`'s business, not a
    // change's: a pull request is never refused because the clock moved on.
    v.diagnostics
        .retain(|d| !matches!(d.code, Code::SlaBreached | Code::AutoresolveOverdue));
    diags.append(&mut v.diagnostics);
    diags.extend(snapshot.problems);
    emit(&diags, args.format);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let failed =
        errors > 0 || (args.deny == Some(DenyArg::Warnings) && diags.iter().any(Diagnostic::is_denied_warning));
    if args.format == FormatArg::Human && diags.is_empty() {
        eprintln!("checked {what}: no findings");
    }
    Ok(if failed { FINDINGS } else { OK })
}
