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
use std::path::{Path, PathBuf};
use std::rc::Rc;
// Reading a revision whole (`--rev`).
use crate::site::templates::{MAX_OVERRIDE_BYTES, OVERRIDE_DIR};
use crate::store::{forbidden, too_large, Forbidden};

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

/// The id of a blob: one version of a file as git stores it, the same id for the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobId(Oid);

/// One version of a file that a change compares.
#[derive(Debug, Clone)]
pub struct Version {
    /// The blob that holds it (`None` for a version not read from git's objects).
    pub blob: Option<BlobId>,
    /// Its text, or why it is not usable text; `None` while not read: an ordinary commit's
    /// versions are left to whoever judges the change, on its own core, who has usually
    /// parsed the parent's already as the previous commit's new version
    /// ([`Repo::version_text`] reads them).
    pub content: Option<Content>,
}

impl Version {
    /// A version read from `blob`.
    fn read(repo: &Repo, blob: Oid, path: &str) -> Version {
        Version {
            blob: Some(BlobId(blob)),
            content: Some(repo.blob(blob, path)),
        }
    }

    /// A version known only by its text.
    pub fn text(content: Content) -> Version {
        Version {
            blob: None,
            content: Some(content),
        }
    }
}

/// One incident file a commit changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    /// The version in each parent (one for an ordinary commit, none for the root commit);
    /// `None` where the parent has no such file.
    pub olds: Vec<Option<Version>>,
    /// The version after, `None` when the file was deleted.
    pub new: Option<Version>,
    /// For a merge: whether the result is exactly what git merges from the parents on its
    /// own, so the merge's author added nothing to it.
    pub clean_merge: bool,
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
    /// Whether this commit changed anything under `site-templates/`.
    pub templates_changed: bool,
    /// Whether this commit changed anything under `incidents/`.
    pub incidents_changed: bool,
    /// Paths other than incident files that the rules judge: attachments under
    /// `incidents/`, and what has no place in the repository's rules or records.
    pub paths: Vec<PathEvent>,
}

/// What a commit did to a path that is not an incident file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathEvent {
    pub path: String,
    pub what: PathWhat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathWhat {
    /// A symlink, submodule, `.gitattributes`, `.gitmodules` or non-UTF-8 name, or an
    /// `insiden.yaml` that is not a regular file: why.
    Forbidden(String),
    AttachmentAdded,
    AttachmentChanged,
    AttachmentRemoved,
}

/// Makes the armored signature of a commit's content (for its `gpgsig` header).
pub type Signer<'a> = &'a dyn Fn(&[u8]) -> Result<String, String>;

/// A commit's signature block and the bytes it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSignature {
    pub armored: Vec<u8>,
    pub signed: Vec<u8>,
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
        // libgit2 re-hashes every object it reads; git itself does not, and half of an
        // audit's time went to it. Pack files carry their own checksums; `git fsck` checks
        // hashes when that is the question.
        git2::opts::strict_hash_verification(false);
        Repository::discover(dir).map(|repo| Repo { repo }).map_err(|e| {
            err(
                format!("{} is not inside a git repository ({})", dir.display(), e.message()),
                "run the command in the incident repository, or pass -C <dir>",
            )
        })
    }

    /// Where the repository is, to open more handles on it (one per thread: a handle is not
    /// shared between threads).
    pub fn location(&self) -> Location {
        Location(self.repo.path().to_path_buf())
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

    /// The commits on `head`'s first-parent line: where the forge's merges land.
    pub fn first_parents(&self, head: &str) -> Result<HashSet<String>, GitError> {
        let walk_err = |e: git2::Error| git_err("cannot walk the history", &e);
        let mut walk = self.repo.revwalk().map_err(walk_err)?;
        walk.simplify_first_parent().map_err(walk_err)?;
        walk.push(Self::oid(head)?).map_err(walk_err)?;
        walk.map(|o| o.map(|o| o.to_string()).map_err(walk_err)).collect()
    }

    /// What git itself makes of merging two commits (conflicted paths have no stage-0 entry).
    fn merge_of(&self, a: Oid, b: Oid) -> Option<git2::Index> {
        let a = self.repo.find_commit(a).ok()?;
        let b = self.repo.find_commit(b).ok()?;
        self.repo.merge_commits(&a, &b, None).ok()
    }

    /// How `head` lands on `base` when `base` moved on since `head` left it: git's own merge
    /// of the two, as the incident files it changes relative to both (each with both
    /// versions). `None` when the merge has conflicts (the forge will not merge it either).
    pub fn landing(&self, base: &str, head: &str) -> Result<Option<Vec<Change>>, GitError> {
        let (base_oid, head_oid) = (Self::oid(base)?, Self::oid(head)?);
        let Some(index) = self.merge_of(base_oid, head_oid) else {
            return Err(err(
                "cannot merge the head into the base",
                "check the repository with `git status` and `git log`",
            ));
        };
        if index.has_conflicts() {
            return Ok(None);
        }
        let tree = |oid: Oid| {
            self.repo
                .find_commit(oid)
                .and_then(|c| c.tree())
                .map_err(|e| git_err("cannot read a tree", &e))
        };
        let (base_tree, head_tree) = (tree(base_oid)?, tree(head_oid)?);
        let mut changes = Vec::new();
        for e in index.iter() {
            let Ok(path) = String::from_utf8(e.path.clone()) else {
                continue;
            };
            if !path.starts_with(&format!("{INCIDENTS_DIR}/")) || !is_incident_path(&path) {
                continue;
            }
            let olds = [&base_tree, &head_tree].map(|t| entry_at(t, &path));
            if olds.iter().any(|o| o.is_some_and(|o| o.id == e.id)) {
                continue;
            }
            changes.push(Change {
                olds: olds
                    .iter()
                    .map(|o| o.filter(Entry::is_regular).map(|o| Version::read(self, o.id, &path)))
                    .collect(),
                new: Some(Version::read(self, e.id, &path)),
                path,
                clean_merge: true,
            });
        }
        Ok(Some(changes))
    }

    /// A commit's metadata.
    pub fn commit_meta(&self, id: &str) -> Result<CommitMeta, GitError> {
        let commit = self
            .repo
            .find_commit(Self::oid(id)?)
            .map_err(|e| git_err("cannot read a commit", &e))?;
        Ok(Self::meta(&commit))
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, GitError> {
        self.repo
            .merge_base(Self::oid(a)?, Self::oid(b)?)
            .map(|o| o.to_string())
            .map_err(|e| git_err("the base and head share no history", &e))
    }

    /// The blob id of `insiden.yaml` in commit `id`'s tree, if it is there.
    pub fn config_id_at(&self, id: &str) -> Result<Option<String>, GitError> {
        let commit = self
            .repo
            .find_commit(Self::oid(id)?)
            .map_err(|e| git_err("cannot read a commit", &e))?;
        let tree = commit.tree().map_err(|e| git_err("cannot read a tree", &e))?;
        Ok(entry_id(&tree, CONFIG_FILE).map(|o| o.to_string()))
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

    fn blob(&self, oid: Oid, path: &str) -> Content {
        let bytes = self.blob_bytes(oid, path, crate::doc::MAX_FILE_BYTES)?;
        decode(bytes, path.to_owned()).map(|f| f.text)
    }

    /// The text of a version whose content was left unread (shown as `path`).
    pub fn version_text(&self, blob: BlobId, path: &str) -> Content {
        self.blob(blob.0, path)
    }

    /// The text of a blob by id (for configurations).
    pub fn blob_text(&self, id: &str, path: &str) -> Content {
        let oid = Oid::from_str(id).map_err(|_| Diagnostic::error(crate::diag::Code::Io, path, "bad blob id"))?;
        self.blob(oid, path)
    }

    /// A walker that reads what commits changed, keeping recently seen trees so that a
    /// commit's parent tree (the previous commit's tree) is not read twice.
    pub fn walker(&self) -> Walker<'_> {
        Walker {
            repo: self,
            trees: HashMap::new(),
            listings: HashMap::new(),
        }
    }

    /// The incident files and `insiden.yaml` of commit `id`'s tree; with `only`, the text of
    /// just those paths is read (every path is still listed in `present`).
    pub fn snapshot(&self, id: &str, only: Option<&HashSet<String>>) -> Result<Snapshot, GitError> {
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
        Ok(self.read_entries(entries, config, only))
    }

    fn read_entries(
        &self,
        entries: Vec<(String, Oid)>,
        config: Option<String>,
        only: Option<&HashSet<String>>,
    ) -> Snapshot {
        let mut snap = Snapshot {
            config,
            ..Snapshot::default()
        };
        for (path, oid) in entries {
            if is_incident_path(&path) && only.is_none_or(|o| o.contains(&path)) {
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
            if !is_incident_path(&path) {
                continue;
            }
            let (old_id, new_id) = (delta.old_file().id(), delta.new_file().id());
            changes.push(Change {
                olds: vec![(!old_id.is_zero()).then(|| Version::read(self, old_id, &path))],
                new: (!new_id.is_zero()).then(|| Version::read(self, new_id, &path)),
                path,
                clean_merge: false,
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
        Ok(self.read_entries(entries, config, None))
    }

    /// The blob id of `insiden.yaml` at HEAD, if any.
    pub fn head_config_id(&self) -> Option<String> {
        let tree = self.repo.head().ok()?.peel_to_tree().ok()?;
        entry_id(&tree, CONFIG_FILE).map(|o| o.to_string())
    }

    /// Paths under `incidents/`, and `insiden.yaml`, with uncommitted changes (staged or not),
    /// untracked included.
    pub fn dirty_incidents(&self) -> Result<Vec<String>, GitError> {
        let mut opts = git2::StatusOptions::new();
        opts.pathspec(format!("{INCIDENTS_DIR}/"))
            .pathspec(CONFIG_FILE)
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
            // What a killed run was writing is not a change (and is removed by the next write).
            .filter(|p| !crate::store::is_temp_name(p.rsplit('/').next().unwrap_or(p)))
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

    /// A commit's SSH or OpenPGP signature (its `gpgsig` header) and the content it signs,
    /// or `None` for an unsigned commit.
    pub fn signature(&self, id: &str) -> Result<Option<RawSignature>, GitError> {
        match self.repo.extract_signature(&Self::oid(id)?, None) {
            Ok((sig, signed)) => Ok(Some(RawSignature {
                armored: sig.to_vec(),
                signed: signed.to_vec(),
            })),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_err("cannot read a commit's signature", &e)),
        }
    }

    /// Records `files` (repository path → new content) as one commit on top of HEAD by
    /// `name <email>` at `time`, touching neither the index nor the working tree: blobs, tree
    /// and commit go to the object database first, then the branch moves from the HEAD this
    /// read to the new commit only if nobody moved it meanwhile (compare and swap). A run
    /// killed before the move leaves only unreferenced objects; one killed after it leaves a
    /// checkout to finish ([`Repo::unfinished_commit`]). With `sign`, the commit carries the
    /// signature `sign` makes over its content (the `gpgsig` header). Returns the new
    /// commit's id.
    pub fn commit_files(
        &self,
        files: &[(String, Vec<u8>)],
        message: &str,
        name: &str,
        email: &str,
        time: Timestamp,
        sign: Option<Signer<'_>>,
    ) -> Result<String, GitError> {
        let branch = self.head_ref_name()?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let oid = self.make_commit(parent.as_ref(), files, message, name, email, time, sign)?;
        self.move_branch(&branch, parent.as_ref(), oid, message)?;
        Ok(oid.to_string())
    }

    /// Writes `files` over `parent`'s tree (keeping each file's mode) and a commit of it by
    /// `name <email>` at `time`, signed with `sign` when given, to the object database only.
    #[allow(clippy::too_many_arguments)]
    fn make_commit(
        &self,
        parent: Option<&git2::Commit<'_>>,
        files: &[(String, Vec<u8>)],
        message: &str,
        name: &str,
        email: &str,
        time: Timestamp,
        sign: Option<Signer<'_>>,
    ) -> Result<Oid, GitError> {
        let base = match parent {
            Some(c) => Some(c.tree().map_err(|e| git_err("cannot read HEAD's tree", &e))?),
            None => None,
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (path, bytes) in files {
            let blob = self
                .repo
                .blob(bytes)
                .map_err(|e| git_err(&format!("cannot store {path}"), &e))?;
            let mode = base
                .as_ref()
                .and_then(|t| t.get_path(Path::new(path)).ok())
                .map_or(git2::FileMode::Blob, |e| {
                    if e.filemode() == MODE_EXECUTABLE {
                        git2::FileMode::BlobExecutable
                    } else {
                        git2::FileMode::Blob
                    }
                });
            update.upsert(path.as_str(), blob, mode);
        }
        let empty;
        let base_tree = match &base {
            Some(t) => t,
            None => {
                let id = self
                    .repo
                    .treebuilder(None)
                    .and_then(|b| b.write())
                    .map_err(|e| git_err("cannot write a tree", &e))?;
                empty = self.repo.find_tree(id).map_err(|e| git_err("cannot read a tree", &e))?;
                &empty
            }
        };
        let tree_id = update
            .create_updated(&self.repo, base_tree)
            .map_err(|e| git_err("cannot write the tree", &e))?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .map_err(|e| git_err("cannot read the tree", &e))?;
        let when = git2::Time::new(time.timestamp(), time.offset().local_minus_utc() / 60);
        let sig = git2::Signature::new(name, email, &when).map_err(|e| git_err("invalid bot identity", &e))?;
        let parents: Vec<&git2::Commit<'_>> = parent.into_iter().collect();
        let Some(sign) = sign else {
            return self
                .repo
                .commit(None, &sig, &sig, message, &tree, &parents)
                .map_err(|e| git_err("cannot commit", &e));
        };
        let content = self
            .repo
            .commit_create_buffer(&sig, &sig, message, &tree, &parents)
            .map_err(|e| git_err("cannot prepare the commit", &e))?;
        let armored =
            sign(&content).map_err(|m| err(m, "check the signing key (--signing-key or INSIDEN_SIGNING_KEY)"))?;
        let content = std::str::from_utf8(&content)
            .map_err(|_| err("the commit is not UTF-8 text", "use a UTF-8 bot name and message"))?;
        self.repo
            .commit_signed(content, &armored, Some("gpgsig"))
            .map_err(|e| git_err("cannot write the signed commit", &e))
    }

    /// Moves `branch` from `parent` (`None`: unborn) to `oid`, only if nobody moved it
    /// meanwhile (compare and swap).
    fn move_branch(
        &self,
        branch: &str,
        parent: Option<&git2::Commit<'_>>,
        oid: Oid,
        message: &str,
    ) -> Result<(), GitError> {
        let subject = message.lines().next().unwrap_or("");
        let log = format!("commit: {subject}");
        let moved = match parent {
            Some(p) => self.repo.reference_matching(branch, oid, true, p.id(), &log),
            // An unborn branch is created only if it still does not exist.
            None => self.repo.reference(branch, oid, false, &log),
        };
        moved.map(|_| ()).map_err(|e| {
            err(
                format!("{branch} moved while the commit was being made ({})", e.message()),
                "another process changed the branch; run the command again",
            )
        })
    }

    /// Marks the start of the bot's changes to the branch and the index: the file
    /// `insiden-autoresolve.pid` in the git folder holds this process's id until the returned
    /// guard is dropped. When a killed run left that file, the git lock files (`index.lock`,
    /// the branch's and HEAD's `.lock`) created since that run started are its own, and are
    /// removed, so a kill inside git's own lock window needs no one to clean up. Refused while
    /// the process named in the file still runs.
    pub fn begin_bot_run(&self) -> Result<BotRun, GitError> {
        let git_dir = self.repo.path();
        let path = git_dir.join("insiden-autoresolve.pid");
        if let Ok(meta) = std::fs::metadata(&path) {
            let pid = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            // Where processes cannot be asked, a marker an hour old is a killed run's.
            let young = meta
                .modified()
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age < std::time::Duration::from_secs(3600));
            let alive = |p: u32| crate::store::process_alive(p).unwrap_or(young);
            if let Some(pid) = pid.filter(|&p| alive(p)) {
                return Err(err(
                    format!("another `insiden autoresolve --commit` is running (process {pid})"),
                    format!("wait for it to end; if it is not running, delete {}", path.display()),
                ));
            }
            let started = meta.modified().ok();
            let branch = self.head_ref_name().unwrap_or_else(|_| "HEAD".into());
            for lock in [
                git_dir.join("index.lock"),
                git_dir.join("HEAD.lock"),
                git_dir.join(format!("{branch}.lock")),
            ] {
                let since = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .zip(started)
                    .is_some_and(|(l, s)| l >= s);
                if since {
                    let _ = std::fs::remove_file(&lock);
                }
            }
        }
        std::fs::write(&path, format!("{}\n", std::process::id())).map_err(|e| {
            err(
                format!("cannot write {}: {e}", path.display()),
                "check the permissions of the git folder",
            )
        })?;
        Ok(BotRun { path })
    }

    /// The reference a commit on HEAD moves: the branch HEAD names, or `HEAD` itself when it
    /// is detached.
    fn head_ref_name(&self) -> Result<String, GitError> {
        let head = self
            .repo
            .find_reference("HEAD")
            .map_err(|e| git_err("cannot read HEAD", &e))?;
        let target = head
            .symbolic_target()
            .map_err(|e| git_err("HEAD names a branch that is not UTF-8", &e))?;
        Ok(target.unwrap_or("HEAD").to_owned())
    }

    /// The checkout of HEAD that a killed run of [`Repo::commit_files`] left unfinished: HEAD
    /// is a commit with one parent made by one of `emails` whose message starts with
    /// `subject_prefix`, and every uncommitted change under `incidents/` (and `insiden.yaml`)
    /// is a file that commit changed, still as the parent had it or already as HEAD has it,
    /// in the index and in the working tree alike. Then the files to write so that the working
    /// tree matches HEAD, and every path whose index entry must follow
    /// ([`Repo::stage_paths`]). `None` when the tree is clean or holds any other change:
    /// someone's work is never overwritten.
    pub fn unfinished_commit(&self, emails: &[String], subject_prefix: &str) -> Result<Option<Unfinished>, GitError> {
        let dirty = self.dirty_incidents()?;
        if dirty.is_empty() {
            return Ok(None);
        }
        let Some(head) = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok()) else {
            return Ok(None);
        };
        let by_bot = emails
            .iter()
            .any(|e| head.committer().email().is_ok_and(|c| c.eq_ignore_ascii_case(e)));
        if !by_bot || head.parent_count() != 1 || !head.message().is_ok_and(|m| m.starts_with(subject_prefix)) {
            return Ok(None);
        }
        let parent = head.parent(0).map_err(|e| git_err("cannot read HEAD's parent", &e))?;
        let (new_tree, old_tree) = match (head.tree(), parent.tree()) {
            (Ok(n), Ok(o)) => (n, o),
            (Err(e), _) | (_, Err(e)) => return Err(git_err("cannot read a tree", &e)),
        };
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)
            .map_err(|e| git_err("cannot compare HEAD with its parent", &e))?;
        let mut changed = Vec::new();
        for d in diff.deltas() {
            let (old, new) = (d.old_file(), d.new_file());
            let Some(path) = new.path().and_then(Path::to_str) else {
                return Ok(None);
            };
            // The bot only ever modifies files in place.
            if d.status() != git2::Delta::Modified || old.path() != new.path() {
                return Ok(None);
            }
            changed.push((path.to_owned(), old.id(), new.id()));
        }
        let index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        let workdir = self
            .repo
            .workdir()
            .ok_or_else(|| err("the repository has no working tree", ""))?;
        let mut out = Unfinished {
            commit: head.id().to_string(),
            write: Vec::new(),
            stage: Vec::new(),
        };
        for path in &dirty {
            let Some((_, old, new)) = changed.iter().find(|(p, _, _)| p == path) else {
                return Ok(None);
            };
            let staged = index.get_path(Path::new(path), 0).map(|e| e.id);
            let on_disk = std::fs::symlink_metadata(workdir.join(path))
                .ok()
                .filter(std::fs::Metadata::is_file)
                .and_then(|_| Oid::hash_file(ObjectType::Blob, workdir.join(path)).ok());
            let either = |id: Option<Oid>| id.is_some_and(|i| i == *old || i == *new);
            if !either(staged) || !either(on_disk) {
                return Ok(None);
            }
        }
        for (path, _, new) in changed {
            let on_disk = Oid::hash_file(ObjectType::Blob, workdir.join(&path)).ok();
            if on_disk != Some(new) {
                let blob = self
                    .repo
                    .find_blob(new)
                    .map_err(|e| git_err(&format!("cannot read {path} at HEAD"), &e))?;
                out.write.push((path.clone(), blob.content().to_vec()));
            }
            out.stage.push(path);
        }
        Ok(Some(out))
    }

    /// Sets the index entries of `paths` to the files as they are in the working tree (what
    /// `git add` does), after a commit made by [`Repo::commit_files`] has been written out.
    pub fn stage_paths(&self, paths: &[String]) -> Result<(), GitError> {
        let mut index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        for p in paths {
            index
                .add_path(Path::new(p))
                .map_err(|e| git_err(&format!("cannot stage {p}"), &e))?;
        }
        index.write().map_err(|e| {
            let mut g = git_err("cannot write the index", &e);
            if e.code() == git2::ErrorCode::Locked {
                g.help = "another git command is running, or one was killed and left `.git/index.lock`: when none is running, delete that file and run the command again".into();
            }
            g
        })
    }

    /// The bytes of blob `oid` (shown as `path`). A blob over `limit` bytes is refused from
    /// its object header, before its content is read or any memory is set aside for it.
    fn blob_bytes(&self, oid: Oid, path: &str, limit: usize) -> Result<Vec<u8>, Diagnostic> {
        let unreadable = |e: &git2::Error| {
            Diagnostic::error(
                crate::diag::Code::Io,
                path,
                format!("cannot read the blob: {}", e.message()),
            )
            .help("run `git fsck`")
        };
        let (size, _) = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(oid))
            .map_err(|e| unreadable(&e))?;
        if size > limit {
            return Err(too_large(path, size as u64, limit));
        }
        let blob = self.repo.find_blob(oid).map_err(|e| unreadable(&e))?;
        if blob.size() > limit {
            return Err(too_large(path, blob.size() as u64, limit));
        }
        Ok(blob.content().to_vec())
    }

    /// Whether `dir` is this repository's working tree root (always, for a bare repository):
    /// tree paths are relative to that root.
    pub fn is_root(&self, dir: &Path) -> bool {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        self.repo.workdir().is_none_or(|w| canon(w) == canon(dir))
    }

    /// `insiden.yaml`, `incidents/` and `site-templates/` as revision `rev` holds them, read
    /// from git objects alone: no checkout, so no `.gitattributes`, filter or end-of-line
    /// conversion applies, and the working tree is never consulted. Symlinks, submodules,
    /// `.gitattributes` and non-UTF-8 names under the two folders are `forbidden-path`
    /// findings, never followed or skipped; every blob's size is checked from its header first.
    pub fn revision_files(&self, rev: &str) -> Result<RevisionFiles, GitError> {
        let commit = self.resolve(rev)?;
        let tree = self
            .repo
            .find_commit(Self::oid(&commit)?)
            .and_then(|c| c.tree())
            .map_err(|e| git_err("cannot read a tree", &e))?;
        let config = match tree.get_name(CONFIG_FILE) {
            None => Ok(None),
            Some(e) => match entry_kind(&e) {
                EntryKind::File => self
                    .blob_bytes(e.id(), CONFIG_FILE, crate::doc::MAX_FILE_BYTES)
                    .map(Some),
                EntryKind::Symlink => Err(forbidden(CONFIG_FILE, Forbidden::Symlink)),
                _ => Err(forbidden(CONFIG_FILE, Forbidden::NotAFile)),
            },
        };
        let mut out = RevisionFiles {
            commit,
            config,
            incidents: Vec::new(),
            location: self.location(),
            present: HashSet::new(),
            problems: Vec::new(),
            templates: Vec::new(),
            template_problems: Vec::new(),
        };
        let (entries, problems) = self.regular_files(&tree, INCIDENTS_DIR)?;
        for (path, oid) in entries {
            if is_incident_path(&path) {
                out.incidents.push((path.clone(), BlobId(oid)));
            }
            out.present.insert(path);
        }
        out.problems = problems;
        let (entries, problems) = self.regular_files(&tree, OVERRIDE_DIR)?;
        out.template_problems = problems;
        let prefix = format!("{OVERRIDE_DIR}/");
        for (path, oid) in entries {
            match self.blob_bytes(oid, &path, MAX_OVERRIDE_BYTES) {
                Ok(bytes) => out
                    .templates
                    .push((path.strip_prefix(&prefix).unwrap_or(&path).to_owned(), bytes)),
                Err(d) => out.template_problems.push(d),
            }
        }
        Ok(out)
    }

    /// The regular files under folder `dir` of `tree` as (repository path, blob id), sorted,
    /// and a `forbidden-path` finding for every other entry that is not a folder. The walk
    /// keeps its own stack, so a deeply nested tree cannot exhaust the call stack.
    fn regular_files(&self, tree: &git2::Tree<'_>, dir: &str) -> Result<Listing, GitError> {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let Some(top) = tree.get_name(dir) else {
            return Ok((files, problems));
        };
        match entry_kind(&top) {
            EntryKind::Folder => {}
            EntryKind::Symlink => problems.push(forbidden(dir, Forbidden::Symlink)),
            EntryKind::Submodule => problems.push(forbidden(dir, Forbidden::Submodule)),
            _ => problems.push(forbidden(dir, Forbidden::NotAFolder)),
        }
        if !problems.is_empty() {
            return Ok((files, problems));
        }
        let mut stack = vec![(dir.to_owned(), top.id())];
        while let Some((prefix, id)) = stack.pop() {
            let sub = self.repo.find_tree(id).map_err(|e| git_err("cannot read a tree", &e))?;
            for e in sub.iter() {
                let Ok(name) = std::str::from_utf8(e.name_bytes()) else {
                    let path = format!("{prefix}/{}", String::from_utf8_lossy(e.name_bytes()));
                    problems.push(forbidden(path, Forbidden::NotUtf8));
                    continue;
                };
                let path = format!("{prefix}/{name}");
                match entry_kind(&e) {
                    EntryKind::Folder => stack.push((path, e.id())),
                    EntryKind::File if name.eq_ignore_ascii_case(".gitattributes") => {
                        problems.push(forbidden(path, Forbidden::Attributes));
                    }
                    EntryKind::File => files.push((path, e.id())),
                    EntryKind::Symlink => problems.push(forbidden(path, Forbidden::Symlink)),
                    EntryKind::Submodule => problems.push(forbidden(path, Forbidden::Submodule)),
                    EntryKind::Other => problems.push(forbidden(path, Forbidden::Special)),
                }
            }
        }
        files.sort();
        Ok((files, problems))
    }
}

/// The bot's run marker; see [`Repo::begin_bot_run`]. Removed when dropped.
#[derive(Debug)]
pub struct BotRun {
    path: std::path::PathBuf,
}

impl Drop for BotRun {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A bot commit whose checkout a killed run left unfinished; see [`Repo::unfinished_commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// The commit (HEAD), full id.
    pub commit: String,
    /// Files whose working-tree content is still the parent's: (repository path, HEAD's bytes).
    pub write: Vec<(String, Vec<u8>)>,
    /// Every path the commit changed, whose index entry must follow the working tree.
    pub stage: Vec<String>,
}

/// What a revision holds of the incident repository; see [`Repo::revision_files`].
#[derive(Debug)]
pub struct RevisionFiles {
    /// The commit's full id.
    pub commit: String,
    /// The bytes of `insiden.yaml` (`None`: there is none), or why it cannot be used.
    pub config: Result<Option<Vec<u8>>, Diagnostic>,
    /// The incident files (`incidents/**/*.md` but READMEs), by blob: read when they are
    /// judged ([`Location::read_incident`]), so their texts are never all held at once.
    pub incidents: Vec<(String, BlobId)>,
    /// Where the repository is, to read them from any thread.
    pub location: Location,
    /// Every regular file under `incidents/`, for attachment checks.
    pub present: HashSet<String>,
    /// Incident files that cannot be read, and forbidden entries under `incidents/`.
    pub problems: Vec<Diagnostic>,
    /// The files under `site-templates/`: (path relative to it, bytes).
    pub templates: Vec<(String, Vec<u8>)>,
    /// Forbidden or too large entries under `site-templates/`.
    pub template_problems: Vec<Diagnostic>,
}

/// The regular files of a folder as (repository path, blob id), and findings for the rest.
type Listing = (Vec<(String, Oid)>, Vec<Diagnostic>);

/// A tree entry by its git mode.
enum EntryKind {
    Folder,
    /// A regular file (mode 100644 or 100755).
    File,
    Symlink,
    /// A gitlink (mode 160000).
    Submodule,
    Other,
}

fn entry_kind(e: &git2::TreeEntry<'_>) -> EntryKind {
    match e.filemode() {
        0o040_000 => EntryKind::Folder,
        0o100_644 | 0o100_755 => EntryKind::File,
        0o120_000 => EntryKind::Symlink,
        0o160_000 => EntryKind::Submodule,
        _ => EntryKind::Other,
    }
}

/// Where a repository is; [`Location::open`] gives another handle on it.
#[derive(Debug, Clone)]
pub struct Location(std::path::PathBuf);

impl Location {
    pub fn open(&self) -> Result<Repo, GitError> {
        Repository::open(&self.0)
            .map(|repo| Repo { repo })
            .map_err(|e| git_err("cannot open the repository again", &e))
    }

    /// Reads one incident file of [`RevisionFiles::incidents`] through `repo`, a handle on
    /// this repository opened once per worker (`None` when it could not be opened).
    pub fn read_incident(
        &self,
        repo: &mut Option<Result<Repo, GitError>>,
        (path, blob): (String, BlobId),
    ) -> Result<SourceFile, Diagnostic> {
        match repo.get_or_insert_with(|| self.open()) {
            Ok(r) => r.version_text(blob, &path).map(|text| SourceFile { path, text }),
            Err(e) => Err(
                Diagnostic::error(crate::diag::Code::Io, &path, format!("cannot read: {e}"))
                    .help("check that the repository is readable"),
            ),
        }
    }
}

/// Reads what commits changed under `incidents/`; see [`Repo::walker`].
pub struct Walker<'r> {
    repo: &'r Repo,
    trees: HashMap<Oid, git2::Tree<'r>>,
    listings: HashMap<Oid, Rc<TreeEntries>>,
}

/// A tree's entries, read from the object as git stores it (`<mode> <name>\0<id>` after
/// one another, by name) rather than through libgit2's tree parser: the diff of a folder of
/// thousands of files then compares them in place. A tree this strict reading does not take
/// is read by libgit2, which decides what it holds (or that it is broken).
struct TreeEntries {
    id: Oid,
    /// Each entry's name, a NUL and its object's id (20 bytes), at the ranges `entries` give.
    data: Vec<u8>,
    /// Per entry: where its name starts and ends (at the NUL), its file mode as libgit2
    /// gives it.
    entries: Vec<(usize, usize, i32)>,
}

impl TreeEntries {
    /// The entries of a tree object's content, when every entry is in git's own form.
    fn parse(id: Oid, data: &[u8]) -> Option<TreeEntries> {
        let mut entries = Vec::with_capacity(data.len() / 40);
        let mut at = 0;
        while at < data.len() {
            let space = at + data[at..].iter().take(7).position(|b| *b == b' ')?;
            let mut mode = 0u32;
            for d in &data[at..space] {
                if !(b'0'..=b'7').contains(d) {
                    return None;
                }
                mode = mode * 8 + u32::from(d - b'0');
            }
            let start = space + 1;
            let name = std::ffi::CStr::from_bytes_until_nul(&data[start..]).ok()?.to_bytes();
            let nul = start + name.len();
            if space == at || mode > 0xFFFF || name.is_empty() || name.len() > usize::from(u16::MAX) {
                return None;
            }
            at = nul + 21;
            if at > data.len() {
                return None;
            }
            entries.push((start, nul, normalize_mode(mode)));
        }
        Some(TreeEntries {
            id,
            data: data.to_vec(),
            entries,
        })
    }

    /// The entries as libgit2 reads them.
    fn of(tree: &git2::Tree<'_>) -> TreeEntries {
        let mut data = Vec::new();
        let entries = tree
            .iter()
            .map(|e| {
                let start = data.len();
                data.extend_from_slice(e.name_bytes());
                let nul = data.len();
                data.push(0);
                data.extend_from_slice(e.id().as_bytes());
                (start, nul, e.filemode())
            })
            .collect();
        TreeEntries {
            id: tree.id(),
            data,
            entries,
        }
    }

    fn name(&self, i: usize) -> &[u8] {
        let (start, nul, _) = self.entries[i];
        &self.data[start..nul]
    }

    /// An entry's object id (its bytes) and mode: what a diff compares.
    fn key(&self, i: usize) -> (&[u8], i32) {
        let (_, nul, mode) = self.entries[i];
        (&self.data[nul + 1..nul + 21], mode)
    }

    fn oid_mode(&self, i: usize) -> Result<(Oid, i32), GitError> {
        let (id, mode) = self.key(i);
        let oid = Oid::from_bytes(id).map_err(|e| git_err("cannot read a tree", &e))?;
        Ok((oid, mode))
    }
}

/// A file mode as libgit2's `git_tree_entry_filemode` gives it: a folder, an executable
/// file, a submodule, a symlink or a file.
fn normalize_mode(mode: u32) -> i32 {
    let kind = mode & 0o170000;
    if kind == 0o040000 {
        MODE_TREE
    } else if mode & 0o100 != 0 {
        MODE_EXECUTABLE
    } else if kind == 0o160000 {
        0o160000
    } else if kind == 0o120000 {
        MODE_SYMLINK
    } else {
        MODE_FILE
    }
}

/// A changed path (raw bytes) with its non-tree entry before and after (`None`: absent).
type Delta = (Vec<u8>, Option<Entry>, Option<Entry>);

/// What differs between a parent and a commit: path → (entry before, entry after).
type Differences = HashMap<Vec<u8>, (Option<Entry>, Option<Entry>)>;

/// A tree entry that is not a tree: its object and what kind of file it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    id: Oid,
    mode: i32,
}

const MODE_FILE: i32 = 0o100644;
const MODE_EXECUTABLE: i32 = 0o100755;
const MODE_SYMLINK: i32 = 0o120000;
const MODE_TREE: i32 = 0o040000;

impl Entry {
    fn is_regular(&self) -> bool {
        matches!(self.mode, MODE_FILE | MODE_EXECUTABLE)
    }

    fn describe(&self) -> &'static str {
        match self.mode {
            MODE_SYMLINK => "a symlink",
            MODE_TREE => "a folder",
            0o160000 => "a submodule",
            _ => "a special entry",
        }
    }
}

/// The non-tree entry at `path` in `tree`.
fn entry_at(tree: &git2::Tree<'_>, path: &str) -> Option<Entry> {
    tree.get_path(Path::new(path))
        .ok()
        .filter(|e| e.kind() != Some(ObjectType::Tree))
        .map(|e| Entry {
            id: e.id(),
            mode: e.filemode(),
        })
}

impl<'r> Walker<'r> {
    fn tree(&mut self, oid: Oid) -> Result<git2::Tree<'r>, GitError> {
        if let Some(t) = self.trees.get(&oid) {
            return Ok(t.clone());
        }
        // A small cache suffices: consecutive commits share all but the changed subtrees.
        if self.trees.len() > 256 {
            self.trees.clear();
        }
        let t = self
            .repo
            .repo
            .find_tree(oid)
            .map_err(|e| git_err("cannot read a tree", &e))?;
        self.trees.insert(oid, t.clone());
        Ok(t)
    }

    /// The entries of tree `oid`, kept like [`Walker::tree`]'s trees.
    fn listing(&mut self, oid: Oid) -> Result<Rc<TreeEntries>, GitError> {
        if let Some(t) = self.listings.get(&oid) {
            return Ok(t.clone());
        }
        if self.listings.len() > 256 {
            self.listings.clear();
        }
        let odb = self.repo.repo.odb().ok();
        let raw = odb
            .as_ref()
            .and_then(|odb| odb.read(oid).ok())
            .filter(|o| o.kind() == ObjectType::Tree)
            .and_then(|o| TreeEntries::parse(oid, o.data()));
        let listing = Rc::new(match raw {
            Some(l) => l,
            None => TreeEntries::of(&self.tree(oid)?),
        });
        self.listings.insert(oid, listing.clone());
        Ok(listing)
    }

    /// What commit `id` changed under `incidents/` (against every parent), whether it
    /// changed `insiden.yaml` or `site-templates/`, and every path the rules refuse or track
    /// (attachments, symlinks, submodules, attributes, non-UTF-8 names). Blob ids and file
    /// modes are both compared: a file turned into a symlink with the same content is a change.
    pub fn changes(&mut self, id: &str) -> Result<CommitChanges, GitError> {
        let repo = &self.repo.repo;
        let commit = repo
            .find_commit(Repo::oid(id)?)
            .map_err(|e| git_err("cannot read a commit", &e))?;
        let tree = self.tree(commit.tree_id())?;
        let mut parents = Vec::with_capacity(commit.parent_count());
        let mut parent_ids = Vec::with_capacity(commit.parent_count());
        for i in 0..commit.parent_count() {
            let pid = commit.parent_id(i).map_err(|e| git_err("cannot read a commit", &e))?;
            let parent = repo
                .find_commit(pid)
                .map_err(|_| err(format!("a parent of commit {} is missing", commit.id()), SHALLOW_HELP))?;
            parents.push(self.tree(parent.tree_id())?);
            parent_ids.push(pid);
        }
        let first = parents.first().cloned();
        let config_before = first.as_ref().and_then(|t| entry_id(t, CONFIG_FILE));
        let config_now = entry_at(&tree, CONFIG_FILE);
        let config_changed = parents
            .iter()
            .map(|p| entry_at(p, CONFIG_FILE))
            .all(|e| e != config_now)
            || (parents.is_empty() && config_now.is_some());
        let mut paths = Vec::new();
        if config_changed {
            if let Some(e) = config_now.filter(|e| !e.is_regular()) {
                paths.push(PathEvent {
                    path: CONFIG_FILE.into(),
                    what: PathWhat::Forbidden(format!("insiden.yaml is {}, not a regular file", e.describe())),
                });
            }
        }
        // One diff of the whole tree: subtrees with equal ids are skipped whole, so this costs
        // what changed, and an attribute file anywhere is seen.
        // Per parent, what differs from it: (before, after) by path. A path absent from a
        // parent's diff is as that parent has it, which is as it is now.
        let mut per_parent: Vec<Differences> = Vec::with_capacity(parents.len().max(1));
        let root = self.listing(tree.id())?;
        if parents.is_empty() {
            let mut deltas = Vec::new();
            self.diff(None, Some(&root), b"", &mut deltas)?;
            per_parent.push(deltas.into_iter().map(|(p, b, a)| (p, (b, a))).collect());
        }
        for p in &parents {
            let mut deltas = Vec::new();
            let p = self.listing(p.id())?;
            self.diff(Some(&p), Some(&root), b"", &mut deltas)?;
            per_parent.push(deltas.into_iter().map(|(p, b, a)| (p, (b, a))).collect());
        }
        let mut names: Vec<Vec<u8>> = per_parent.iter().flat_map(|d| d.keys().cloned()).collect();
        names.sort();
        names.dedup();
        let mut changes = Vec::new();
        let (mut templates_changed, mut incidents_changed) = (false, false);
        let mut merged: Option<git2::Index> = None;
        let under = |raw: &[u8], dir: &str| raw.starts_with(dir.as_bytes()) && raw.get(dir.len()) == Some(&b'/');
        for raw in names {
            let now = per_parent.iter().find_map(|d| d.get(&raw)).and_then(|(_, a)| *a);
            let before: Vec<Option<Entry>> = if parents.is_empty() {
                Vec::new()
            } else {
                per_parent
                    .iter()
                    .map(|d| d.get(&raw).map_or(now, |(b, _)| *b))
                    .collect()
            };
            let (in_incidents, in_templates) = (under(&raw, INCIDENTS_DIR), under(&raw, TEMPLATES_DIR));
            let name = raw.rsplit(|b| *b == b'/').next().unwrap_or(&[]);
            let attributes = name == b".gitattributes" || raw == b".gitmodules";
            if !(in_incidents || in_templates || attributes) {
                continue;
            }
            let display = String::from_utf8_lossy(&raw).into_owned();
            let Ok(path) = String::from_utf8(raw) else {
                paths.push(PathEvent {
                    path: display,
                    what: PathWhat::Forbidden("the path is not valid UTF-8".into()),
                });
                continue;
            };
            if attributes {
                if now.is_some() {
                    paths.push(PathEvent {
                        what: PathWhat::Forbidden(format!("`{path}` changes how git checks files out")),
                        path,
                    });
                }
                continue;
            }
            // A merge changes a path only where it differs from every parent: a version one
            // parent already had came with that parent (GitHub's test merge of a pull request
            // brings the base's new templates without changing them).
            let changed_here = before.iter().all(|b| *b != now);
            templates_changed |= in_templates && changed_here;
            incidents_changed |= in_incidents && changed_here;
            if let Some(e) = now.filter(|e| !e.is_regular()) {
                paths.push(PathEvent {
                    path: path.clone(),
                    what: PathWhat::Forbidden(format!(
                        "{} under {}/",
                        e.describe(),
                        if in_templates { TEMPLATES_DIR } else { INCIDENTS_DIR }
                    )),
                });
                continue;
            }
            if in_templates {
                continue;
            }
            if !is_incident_path(&path) {
                let had = before.iter().flatten().count();
                let what = match now {
                    None if had > 0 => Some(PathWhat::AttachmentRemoved),
                    None => None,
                    Some(_) if had == 0 => Some(PathWhat::AttachmentAdded),
                    Some(n) if before.iter().flatten().all(|b| b.id != n.id) => Some(PathWhat::AttachmentChanged),
                    Some(_) => None,
                };
                if let Some(what) = what {
                    paths.push(PathEvent { path, what });
                }
                continue;
            }
            // An ordinary commit's versions are read by whoever judges the change, when it
            // needs them: its parent version is most often the version the previous commit
            // wrote, parsed already, and its new one is read on whichever core judges that
            // file (a commit that imports 100,000 files is not read on one core). A merge's
            // are read here (whether it kept a parent's version compares texts).
            let merge = parents.len() > 1;
            let version = |id: Oid| {
                if merge {
                    Version::read(self.repo, id, &path)
                } else {
                    Version {
                        blob: Some(BlobId(id)),
                        content: None,
                    }
                }
            };
            let olds = before
                .iter()
                .map(|o| o.filter(|o| o.is_regular()).map(|o| version(o.id)))
                .collect();
            let new = now.map(|o| version(o.id));
            let mut clean_merge = false;
            if let ([a, b], Some(n)) = (parent_ids.as_slice(), now) {
                if merged.is_none() {
                    merged = self.repo.merge_of(*a, *b);
                }
                clean_merge = merged
                    .as_ref()
                    .and_then(|ix| ix.get_path(Path::new(&path), 0))
                    .is_some_and(|e| e.id == n.id);
            }
            changes.push(Change {
                path,
                olds,
                new,
                clean_merge,
            });
        }
        Ok(CommitChanges {
            meta: Repo::meta(&commit),
            changes,
            config_before: config_before.map(|o| o.to_string()),
            config_changed,
            templates_changed,
            incidents_changed,
            paths,
        })
    }

    /// Every blob path under `prefix` that differs (in id or mode) between two trees. Trees
    /// with equal ids are skipped whole, and entries are compared pairwise while both trees
    /// list the same names (the usual case: one file changed), falling back to a lookup by
    /// name otherwise.
    fn diff(
        &mut self,
        old: Option<&TreeEntries>,
        new: Option<&TreeEntries>,
        prefix: &[u8],
        out: &mut Vec<Delta>,
    ) -> Result<(), GitError> {
        if let (Some(o), Some(n)) = (old, new) {
            if o.id == n.id {
                return Ok(());
            }
        }
        type Pair = (Option<(Oid, i32)>, Option<(Oid, i32)>, Vec<u8>);
        // The usual case: both trees list the same names and a few ids differ. Compare in
        // place, without copying the entries.
        let mut pairs: Option<Vec<Pair>> = None;
        if let (Some(o), Some(n)) = (old, new) {
            if o.entries.len() == n.entries.len() {
                let mut v = Vec::new();
                let mut same = true;
                for i in 0..n.entries.len() {
                    if o.name(i) != n.name(i) {
                        same = false;
                        break;
                    }
                    if o.key(i) != n.key(i) {
                        v.push((Some(o.oid_mode(i)?), Some(n.oid_mode(i)?), n.name(i).to_vec()));
                    }
                }
                if same {
                    pairs = Some(v);
                }
            }
        }
        let pairs = match pairs {
            Some(p) => p,
            None => {
                let mut old_map: HashMap<Vec<u8>, (Oid, i32)> = HashMap::new();
                if let Some(o) = old {
                    for i in 0..o.entries.len() {
                        old_map.insert(o.name(i).to_vec(), o.oid_mode(i)?);
                    }
                }
                let mut v: Vec<Pair> = Vec::new();
                if let Some(n) = new {
                    for i in 0..n.entries.len() {
                        let now = n.oid_mode(i)?;
                        match old_map.remove(n.name(i)) {
                            Some(prev) if prev == now => {}
                            prev => v.push((prev, Some(now), n.name(i).to_vec())),
                        }
                    }
                }
                v.extend(old_map.into_iter().map(|(name, prev)| (Some(prev), None, name)));
                v.sort_by(|a, b| a.2.cmp(&b.2));
                v
            }
        };
        for (before, after, name) in pairs {
            let mut path = prefix.to_vec();
            if !prefix.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&name);
            let (old_blob, old_tree) = split(before);
            let (new_blob, new_tree) = split(after);
            if old_tree.is_some() || new_tree.is_some() {
                let ot = old_tree.map(|id| self.listing(id)).transpose()?;
                let nt = new_tree.map(|id| self.listing(id)).transpose()?;
                self.diff(ot.as_deref(), nt.as_deref(), &path, out)?;
            }
            if old_blob.is_some() || new_blob.is_some() {
                out.push((path, old_blob, new_blob));
            }
        }
        Ok(())
    }
}

/// Splits an entry into (non-tree entry, tree id).
fn split(e: Option<(Oid, i32)>) -> (Option<Entry>, Option<Oid>) {
    match e {
        Some((id, MODE_TREE)) => (None, Some(id)),
        Some((id, mode)) => (Some(Entry { id, mode }), None),
        None => (None, None),
    }
}

/// Incident files are the `.md` files under `incidents/` other than a README.
fn is_incident_path(path: &str) -> bool {
    path.ends_with(".md")
        && !path
            .rsplit('/')
            .next()
            .is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
}

/// The folder of site template overrides.
const TEMPLATES_DIR: &str = "site-templates";

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

/// The incident paths of a branch and where it left its target (`renumber`), whether git would
/// keep a command's output out of the repository (`build --out`, `report --out`), and a commit
/// made on a new branch instead of the current one (`autoresolve --commit --branch`).
impl Repo {
    /// The current branch's short name and its upstream's (e.g. `origin/main`), when both are
    /// set.
    pub fn upstream(&self) -> Option<(String, String)> {
        let head = self.repo.head().ok()?;
        if !head.is_branch() {
            return None;
        }
        let name = head.shorthand().ok()?.to_owned();
        let branch = git2::Branch::wrap(head);
        let up = branch.upstream().ok()?;
        let up_name = up.name().ok()??.to_owned();
        Some((name, up_name))
    }

    /// Every path under `incidents/` in commit `id`'s tree (no file is read).
    pub fn incident_paths(&self, id: &str) -> Result<HashSet<String>, GitError> {
        Ok(self.snapshot(id, Some(&HashSet::new()))?.present)
    }

    /// Whether git would keep `path` out of the repository: `None` when `path` is outside this
    /// working tree; `Some(true)` when an ignore rule covers it (a folder when `is_dir`) and
    /// nothing at or under it is tracked; `Some(false)` when `git add -A` would pick it up.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> Result<Option<bool>, GitError> {
        let Some(workdir) = self.repo.workdir() else {
            return Ok(None);
        };
        let Some(rel) = relative_to(workdir, path) else {
            return Ok(None);
        };
        if rel.is_empty() {
            return Ok(Some(false));
        }
        // libgit2 tells a folder from a file by looking at the disk, and the output may not
        // exist yet: ask about a file inside the folder, which an ignored folder covers.
        let probe = if is_dir {
            format!("{rel}/index.html")
        } else {
            rel.clone()
        };
        let ignored = self
            .repo
            .is_path_ignored(Path::new(&probe))
            .map_err(|e| git_err("cannot read the ignore rules", &e))?;
        if !ignored {
            return Ok(Some(false));
        }
        let index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        let under = format!("{rel}/");
        let tracked = index.iter().any(|e| {
            let p = String::from_utf8_lossy(&e.path);
            p == rel || p.starts_with(&under)
        });
        Ok(Some(!tracked))
    }

    /// `path` relative to the working tree's root, with `/` separators; `None` outside it.
    pub fn workdir_path(&self, path: &Path) -> Option<String> {
        relative_to(self.repo.workdir()?, path)
    }

    /// The first place on the way to `path` (absolute; its components taken as written, no
    /// link followed) that the index holds as a file or a link — `a`, then `a/b`, … — or
    /// `path` itself when the index holds it as a link. Git tracks no folders, so an output
    /// there would be written through something a commit put in the working tree (a link to
    /// anywhere), whatever it points at.
    pub fn tracked_on_the_way(&self, path: &Path) -> Result<Option<String>, GitError> {
        let Some(workdir) = self.repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()) else {
            return Ok(None);
        };
        let index = self.repo.index().map_err(|e| git_err("cannot read the index", &e))?;
        let parts: Vec<_> = path.components().collect();
        let mut lexical = PathBuf::new();
        for (i, part) in parts.iter().enumerate() {
            match part {
                std::path::Component::ParentDir => {
                    lexical.pop();
                    continue;
                }
                std::path::Component::CurDir => continue,
                c => lexical.push(c),
            }
            // Every place the path passes is judged, `a` in `a/../b` too: the system resolves
            // `a/..` through whatever `a` is.
            let Ok(rel) = lexical.strip_prefix(&workdir) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if rel.is_empty() {
                // The working tree itself (git2 panics when asked for an empty path).
                continue;
            }
            // On the way any tracked entry counts; at the end only a link (a tracked file
            // there is the caller's "git would track it").
            let last = i + 1 == parts.len();
            if let Some(e) = index.get_path(Path::new(&rel), 0) {
                if !last || e.mode == 0o120_000 {
                    return Ok(Some(rel));
                }
            }
        }
        Ok(None)
    }

    /// Commits `files` (repository path → new content) on top of HEAD as `name <email>` at
    /// `time`, on a new branch `branch`; HEAD, the index and the working tree are left as they
    /// are. Refuses a branch that exists. Returns the new commit's id.
    #[allow(clippy::too_many_arguments)]
    pub fn commit_on_branch(
        &self,
        branch: &str,
        files: &[(String, Vec<u8>)],
        message: &str,
        name: &str,
        email: &str,
        time: Timestamp,
        sign: Option<Signer<'_>>,
    ) -> Result<String, GitError> {
        let refname = format!("refs/heads/{branch}");
        if !git2::Reference::is_valid_name(&refname) {
            return Err(err(
                format!("`{branch}` is not a valid branch name"),
                "use letters, digits, `-`, `_`, `.` and `/`, e.g. autoresolve/2026-11-28",
            ));
        }
        if self.repo.find_reference(&refname).is_ok() {
            return Err(err(
                format!("the branch `{branch}` exists already"),
                "choose another name (add the run number), or delete the old branch",
            ));
        }
        let parent = self
            .repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| git_err("HEAD names no commit", &e))?;
        let oid = self.make_commit(Some(&parent), files, message, name, email, time, sign)?;
        self.repo
            .reference(&refname, oid, false, message.lines().next().unwrap_or("autoresolve"))
            .map_err(|e| git_err(&format!("cannot create the branch `{branch}`"), &e))?;
        Ok(oid.to_string())
    }
}

/// `path` relative to `root` with `/` separators, resolving symlinks and `..` of the part
/// that exists (the rest may not exist yet); `None` when it lies outside `root`.
fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let full = crate::store::resolved(&abs)?;
    let rel = full.strip_prefix(&root).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_entries_are_read_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().expect("dir");
        let repo = Repository::init(dir.path()).expect("init");
        let blob = repo.blob(b"x").expect("blob");
        // Every kind of entry, and modes git no longer writes (group-writable, executable
        // by others only, a bare file type) that libgit2 reads as a plain kind.
        let mut raw = Vec::new();
        for (mode, name) in [
            ("40000", "a"),
            ("100644", "b.md"),
            ("100664", "c.md"),
            ("100755", "d"),
            ("100701", "e"),
            ("100001", "f"),
            ("120000", "g"),
            ("160000", "h"),
            ("100000", "i"),
            ("644", "j"),
        ] {
            raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            raw.extend_from_slice(blob.as_bytes());
        }
        let id = repo.odb().expect("odb").write(ObjectType::Tree, &raw).expect("tree");
        let ours = TreeEntries::parse(id, &raw).expect("git's own form");
        let theirs = TreeEntries::of(&repo.find_tree(id).expect("tree"));
        assert_eq!(ours.entries.len(), 10);
        assert_eq!(ours.entries.len(), theirs.entries.len());
        for i in 0..ours.entries.len() {
            assert_eq!(ours.name(i), theirs.name(i));
            assert_eq!(
                ours.key(i),
                theirs.key(i),
                "{:?}",
                String::from_utf8_lossy(ours.name(i))
            );
        }
        // What this reading does not take is left to libgit2.
        assert!(TreeEntries::parse(id, b"0100644 x\0").is_none());
        assert!(TreeEntries::parse(id, b"+100644 x\0aaaaaaaaaaaaaaaaaaaa").is_none());
        assert!(TreeEntries::parse(id, b"100644 \0aaaaaaaaaaaaaaaaaaaa").is_none());
    }

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
