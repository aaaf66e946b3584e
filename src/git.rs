//! git2's only home: opening the repository given by `-C`, resolving revisions, walking a
//! range oldest first, reading what each commit changed under `incidents/` (and whether it
//! changed `insiden.yaml`), reading a tree's incident files, the index for `--staged`, and
//! making the bot's commit for `autoresolve --commit`.
//!
//! Every function returns plain owned data (`CommitMeta`, `Change`, text); no git2 type leaves
//! this module, and nothing here parses YAML or knows a rule.

use crate::config::FILE_NAME as CONFIG_FILE;
use crate::diag::Diagnostic;
use crate::model::Timestamp;
use crate::store::{decode, SourceFile, INCIDENTS_DIR};
use chrono::{FixedOffset, TimeZone};
use git2::{DiffOptions, ObjectType, Oid, Repository, Sort, TreeWalkMode, TreeWalkResult};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// An error talking to git, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitError {
    pub message: String,
    pub help: String,
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

fn err(message: impl Into<String>, help: impl Into<String>) -> GitError {
    GitError {
        message: message.into(),
        help: help.into(),
    }
}

fn git_err(context: &str, e: &git2::Error) -> GitError {
    err(
        format!("{context}: {}", e.message()),
        "check the repository with `git status` and `git log`",
    )
}

const SHALLOW_HELP: &str = "the clone is shallow: fetch the full history, e.g. `fetch-depth: 0` in actions/checkout";

/// Who made a commit, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub time: Timestamp,
}

/// A commit as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMeta {
    /// Full hex id.
    pub id: String,
    pub subject: String,
    pub author: Person,
    pub committer: Person,
    /// `Co-authored-by:` trailers: (name, email).
    pub co_authors: Vec<(String, String)>,
    pub parents: usize,
}

impl CommitMeta {
    pub fn short(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }
}

/// File content read from git: text, or why it is not usable text.
pub type Content = Result<String, Diagnostic>;

/// One incident file a commit changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    /// The version before (first parent), `None` when the file was added.
    pub old: Option<Content>,
    /// The version after, `None` when the file was deleted.
    pub new: Option<Content>,
}

/// What one commit changed.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    pub meta: CommitMeta,
    pub changes: Vec<Change>,
    /// The blob id of `insiden.yaml` in the first parent (or `None`), i.e. the configuration
    /// this commit is checked against.
    pub config_before: Option<String>,
    /// Whether this commit changed `insiden.yaml`.
    pub config_changed: bool,
}

/// A snapshot of incident files (a tree or the index).
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: Vec<SourceFile>,
    pub present: HashSet<String>,
    pub problems: Vec<Diagnostic>,
    pub config: Option<String>,
}

/// The `user.email` git would use in `dir` (repository config, then global), if any.
pub fn user_email(dir: &Path) -> Option<String> {
    user_config(dir, "user.email")
}

/// The `user.name` git would use in `dir`.
pub fn user_name(dir: &Path) -> Option<String> {
    user_config(dir, "user.name")
}

fn user_config(dir: &Path, key: &str) -> Option<String> {
    let config = match Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config.get_string(key).ok().filter(|e| !e.trim().is_empty())
}

/// An open repository.
pub struct Repo {
    repo: Repository,
}

impl Repo {
    /// Opens the repository whose work tree is at (or above) `dir`.
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        Repository::discover(dir).map(|repo| Repo { repo }).map_err(|e| {
            err(
                format!("{} is not inside a git repository ({})", dir.display(), e.message()),
                "run the command in the incident repository, or pass -C <dir>",
            )
        })
    }

    /// The repository's work tree root.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Resolves a revision to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        let obj = self.repo.revparse_single(rev).map_err(|e| {
            let help = if self.repo.is_shallow() {
                SHALLOW_HELP.to_owned()
            } else {
                "name a branch, tag or commit that exists (`git log --oneline`)".into()
            };
            err(format!("unknown revision `{rev}` ({})", e.message()), help)
        })?;
        let commit = obj.peel_to_commit().map_err(|_| {
            err(
                format!("`{rev}` does not name a commit"),
                "name a branch, tag or commit",
            )
        })?;
        Ok(commit.id().to_string())
    }

    fn oid(s: &str) -> Result<Oid, GitError> {
        Oid::from_str(s).map_err(|e| git_err("bad object id", &e))
    }

    /// The commits in `base..head` (reachable from head, not from base), oldest first; with
    /// no base, every commit reachable from head. Also says whether `base` is an ancestor of
    /// `head` (when it is not, the range starts at their merge base, as `git log base..head`).
    pub fn range(&self, base: Option<&str>, head: &str) -> Result<(Vec<String>, bool), GitError> {
        let head_oid = Self::oid(head)?;
        let mut walk = self
            .repo
            .revwalk()
            .map_err(|e| git_err("cannot walk the history", &e))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .map_err(|e| git_err("cannot walk the history", &e))?;
        walk.push(head_oid)
            .map_err(|e| git_err("cannot walk the history", &e))?;
        let mut is_ancestor = true;
        if let Some(base) = base {
            let base_oid = Self::oid(base)?;
            if base_oid != head_oid {
                is_ancestor = self.repo.graph_descendant_of(head_oid, base_oid).unwrap_or(false);
                if !is_ancestor && self.repo.merge_base(base_oid, head_oid).is_err() {
                    let help = if self.repo.is_shallow() {
                        SHALLOW_HELP
                    } else {
                        "the two revisions share no history: check --base"
                    };
                    return Err(err("the base and head have no common ancestor", help));
                }
            }
            walk.hide(base_oid)
                .map_err(|e| git_err("cannot walk the history", &e))?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| {
                let help = if self.repo.is_shallow() {
                    SHALLOW_HELP
                } else {
                    "the repository may be damaged: run `git fsck`"
                };
                err(format!("cannot walk the history: {}", e.message()), help)
            })?;
            out.push(oid.to_string());
        }
        Ok((out, is_ancestor))
    }

    /// Whether the clone is shallow (its history is cut off).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    fn meta(commit: &git2::Commit<'_>) -> CommitMeta {
        let person = |s: git2::Signature<'_>| {
            let when = s.when();
            let offset = FixedOffset::east_opt(when.offset_minutes() * 60)
                .unwrap_or(FixedOffset::east_opt(0).expect("zero offset"));
            let time = offset
                .timestamp_opt(when.seconds(), 0)
                .single()
                .unwrap_or_else(|| offset.timestamp_opt(0, 0).single().expect("epoch"));
            Person {
                name: String::from_utf8_lossy(s.name_bytes()).into_owned(),
                email: String::from_utf8_lossy(s.email_bytes()).into_owned(),
                time,
            }
        };
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        CommitMeta {
            id: commit.id().to_string(),
            subject: message.lines().next().unwrap_or("").trim().to_owned(),
            author: person(commit.author()),
            committer: person(commit.committer()),
            co_authors: co_authors(&message),
            parents: commit.parent_count(),
        }
    }

    /// The commit's metadata alone.
    pub fn commit_meta(&self, id: &str) -> Result<CommitMeta, GitError> {
        let commit = self
            .repo
            .find_commit(Self::oid(id)?)
            .map_err(|e| git_err("cannot read a commit", &e))?;
        Ok(Self::meta(&commit))
    }

    fn blob(&self, oid: Oid, path: &str) -> Content {
        let blob = self.repo.find_blob(oid).map_err(|e| {
            Diagnostic::error(
                crate::diag::Code::Io,
                path,
                format!("cannot read the blob: {}", e.message()),
            )
            .help("run `git fsck`")
        })?;
        if blob.size() > crate::doc::MAX_FILE_BYTES {
            return decode(vec![0; blob.size()], path.to_owned()).map(|f| f.text);
        }
        decode(blob.content().to_vec(), path.to_owned()).map(|f| f.text)
    }

    /// The text of a blob by id (for configurations).
    pub fn blob_text(&self, id: &str, path: &str) -> Content {
        let oid = Oid::from_str(id).map_err(|_| Diagnostic::error(crate::diag::Code::Io, path, "bad blob id"))?;
        self.blob(oid, path)
    }

    /// What commit `id` changed under `incidents/` relative to its first parent. For a merge,
    /// only files whose merged content differs from every parent count: what the other
    /// parents brought was checked in the commits that made it.
    pub fn changes(&self, id: &str) -> Result<CommitChanges, GitError> {
        let commit = self
            .repo
            .find_commit(Self::oid(id)?)
            .map_err(|e| git_err("cannot read a commit", &e))?;
        let tree = commit.tree().map_err(|e| git_err("cannot read a tree", &e))?;
        let parents: Vec<git2::Tree<'_>> = commit.parents().filter_map(|p| p.tree().ok()).collect();
        if parents.len() != commit.parent_count() {
            return Err(err(
                format!("a parent of commit {} is missing", commit.id()),
                SHALLOW_HELP,
            ));
        }
        let first = parents.first();
        let mut opts = DiffOptions::new();
        opts.pathspec(format!("{INCIDENTS_DIR}/"))
            .pathspec(CONFIG_FILE)
            .skip_binary_check(true);
        let diff = self
            .repo
            .diff_tree_to_tree(first, Some(&tree), Some(&mut opts))
            .map_err(|e| git_err("cannot diff a commit", &e))?;
        let mut changes = Vec::new();
        let mut config_changed = false;
        for delta in diff.deltas() {
            let path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if path == CONFIG_FILE {
                config_changed = true;
                continue;
            }
            if !path.ends_with(".md")
                || path
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
            {
                continue;
            }
            let new_id = delta.new_file().id();
            if parents.len() > 1 {
                let same_as_another = parents[1..]
                    .iter()
                    .any(|p| entry_id(p, &path) == Some(new_id) || (new_id.is_zero() && entry_id(p, &path).is_none()));
                if same_as_another {
                    continue;
                }
            }
            let old_id = delta.old_file().id();
            let old = (!old_id.is_zero()).then(|| self.blob(old_id, &path));
            let new = (!new_id.is_zero()).then(|| self.blob(new_id, &path));
            changes.push(Change { path, old, new });
        }
        let config_before = first.and_then(|t| entry_id(t, CONFIG_FILE)).map(|o| o.to_string());
        Ok(CommitChanges {
            meta: Self::meta(&commit),
            changes,
            config_before,
            config_changed,
        })
    }

    /// The incident files and `insiden.yaml` of commit `id`'s tree.
    pub fn snapshot(&self, id: &str) -> Result<Snapshot, GitError> {
        let commit = self
            .repo
            .find_commit(Self::oid(id)?)
            .map_err(|e| git_err("cannot read a commit", &e))?;
        let tree = commit.tree().map_err(|e| git_err("cannot read a tree", &e))?;
        let mut entries: Vec<(String, Oid)> = Vec::new();
        if let Ok(entry) = tree.get_path(Path::new(INCIDENTS_DIR)) {
            if let Ok(sub) = self.repo.find_tree(entry.id()) {
                sub.walk(TreeWalkMode::PreOrder, |dir, e| {
                    if e.kind() == Some(ObjectType::Blob) {
                        entries.push((format!("{INCIDENTS_DIR}/{dir}{}", e.name().unwrap_or("")), e.id()));
                    }
                    TreeWalkResult::Ok
                })
                .map_err(|e| git_err("cannot read a tree", &e))?;
            }
        }
        let config = entry_id(&tree, CONFIG_FILE)
            .map(|o| self.blob(o, CONFIG_FILE))
            .transpose()
            .map_err(|d| err(d.message, "fix insiden.yaml"))?;
        Ok(self.read_entries(entries, config))
    }

    fn read_entries(&self, entries: Vec<(String, Oid)>, config: Option<String>) -> Snapshot {
        let mut snap = Snapshot {
            config,
            ..Snapshot::default()
        };
        for (path, oid) in entries {
            let is_incident = path.ends_with(".md")
                && !path
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case("README.md"));
            if is_incident {
                match self.blob(oid, &path) {
                    Ok(text) => snap.files.push(SourceFile {
                        path: path.clone(),
                        text,
                    }),
                    Err(d) => snap.problems.push(d),
                }
            }
            snap.present.insert(path);
        }
        snap
    }

    /// The staged changes under `incidents/` (the index against HEAD), and whether
    /// `insiden.yaml` is among them.
    pub fn staged_changes(&self) -> Result<(Vec<Change>, bool), GitError> {
        let head_tree = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        let mut opts = DiffOptions::new();
        opts.pathspec(format!("{INCIDENTS_DIR}/")).pathspec(CONFIG_FILE);
        let diff = self
            .repo
            .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))
            .map_err(|e| git_err("cannot diff the index", &e))?;
        let mut changes = Vec::new();
        let mut config_changed = false;
        for delta in diff.deltas() {
            let path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if path == CONFIG_FILE {
                config_changed = true;
                continue;
            }
            if !path.ends_with(".md") {
                continue;
            }
            let (old_id, new_id) = (delta.old_file().id(), delta.new_file().id());
            changes.push(Change {
                old: (!old_id.is_zero()).then(|| self.blob(old_id, &path)),
                new: (!new_id.is_zero()).then(|| self.blob(new_id, &path)),
                path,
            });
        }
        Ok((changes, config_changed))
    }

    /// The incident files and `insiden.yaml` as staged in the index.
    pub fn index_snapshot(&self) -> Result<Snapshot, GitError> {
        let index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        let mut entries = Vec::new();
        let mut config = None;
        for e in index.iter() {
            let path = String::from_utf8_lossy(&e.path).into_owned();
            if path == CONFIG_FILE {
                config = Some(e.id);
            } else if path.starts_with(&format!("{INCIDENTS_DIR}/")) {
                entries.push((path, e.id));
            }
        }
        let config = config
            .map(|o| self.blob(o, CONFIG_FILE))
            .transpose()
            .map_err(|d| err(d.message, "fix insiden.yaml"))?;
        Ok(self.read_entries(entries, config))
    }

    /// The blob id of `insiden.yaml` at HEAD, if any.
    pub fn head_config_id(&self) -> Option<String> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        entry_id(&tree, CONFIG_FILE).map(|o| o.to_string())
    }

    /// Paths under `incidents/` with uncommitted changes (staged or not), untracked included.
    pub fn dirty_incidents(&self) -> Result<Vec<String>, GitError> {
        let mut opts = git2::StatusOptions::new();
        opts.pathspec(format!("{INCIDENTS_DIR}/"))
            .include_untracked(true)
            .recurse_untracked_dirs(true);
        let statuses = self
            .repo
            .statuses(Some(&mut opts))
            .map_err(|e| git_err("cannot read the status", &e))?;
        Ok(statuses
            .iter()
            .filter(|s| !s.status().is_ignored())
            .filter_map(|s| s.path().ok().map(str::to_owned))
            .collect())
    }

    /// Whether anything is staged (index differs from HEAD).
    pub fn has_staged(&self) -> Result<bool, GitError> {
        let head_tree = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        let diff = self
            .repo
            .diff_tree_to_index(head_tree.as_ref(), Some(&index), None)
            .map_err(|e| git_err("cannot diff the index", &e))?;
        Ok(diff.deltas().len() > 0)
    }

    /// Commits `paths` (repository-relative, already written to the work tree) on top of HEAD
    /// as `name <email>` at `time`; returns the new commit's id.
    pub fn commit_paths(
        &self,
        paths: &[String],
        message: &str,
        name: &str,
        email: &str,
        time: Timestamp,
    ) -> Result<String, GitError> {
        let mut index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        for p in paths {
            index
                .add_path(Path::new(p))
                .map_err(|e| git_err(&format!("cannot stage {p}"), &e))?;
        }
        index.write().map_err(|e| git_err("cannot write the index", &e))?;
        let tree_id = index.write_tree().map_err(|e| git_err("cannot write the tree", &e))?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .map_err(|e| git_err("cannot read the tree", &e))?;
        let when = git2::Time::new(time.timestamp(), time.offset().local_minus_utc() / 60);
        let sig = git2::Signature::new(name, email, &when).map_err(|e| git_err("invalid bot identity", &e))?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let oid = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .map_err(|e| git_err("cannot commit", &e))?;
        Ok(oid.to_string())
    }
}

fn entry_id(tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    tree.get_path(Path::new(path))
        .ok()
        .filter(|e| e.kind() == Some(ObjectType::Blob))
        .map(|e| e.id())
}

/// `Co-authored-by: Name <email>` trailers (case-insensitive key), in order.
pub fn co_authors(message: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in message.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("co-authored-by") {
            continue;
        }
        let value = value.trim();
        if let (Some(lt), Some(gt)) = (value.rfind('<'), value.rfind('>')) {
            if lt < gt {
                out.push((value[..lt].trim().to_owned(), value[lt + 1..gt].trim().to_owned()));
            }
        }
    }
    out
}

/// A cache of parsed configurations by blob id, so a range is not re-parsed per commit.
pub type ConfigCache = HashMap<Option<String>, std::sync::Arc<crate::config::Config>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn co_author_trailers_are_read_case_insensitively() {
        let msg = "Register INC-2026-0001\n\nDetails.\n\nCo-authored-by: Siti Rahayu <siti@example.go.id>\nco-authored-by: Agus <12345+agus-s@users.noreply.github.com>\nSigned-off-by: X <x@y>\n";
        assert_eq!(
            co_authors(msg),
            vec![
                ("Siti Rahayu".to_owned(), "siti@example.go.id".to_owned()),
                ("Agus".to_owned(), "12345+agus-s@users.noreply.github.com".to_owned())
            ]
        );
    }
}
