//! Where `validate`, `build` and `report` read the repository from: the working tree, or with
//! `--rev` the objects of one git revision (no checkout, so no `.gitattributes`, filter or
//! end-of-line conversion stands between what `check` judged and what is published).
//!
//! Both sources give the same three things — `insiden.yaml`, the incident files with every
//! path under `incidents/`, and the template overrides — and the same findings for the same
//! content, so the commands have one code path whichever was read.

use super::build::template_failure;
use super::{Failure, Result};
use crate::config::{Config, FILE_NAME};
use crate::diag::{self, Code, Diagnostic};
use crate::doc::MAX_FILE_BYTES;
use crate::git::{BlobId, Repo, RevisionFiles};
use crate::model::{Incident, Timestamp};
use crate::rules::{Checked, Reader, Validation};
use crate::site::templates::{overrides, Templates, MAX_OVERRIDE_BYTES, OVERRIDE_DIR};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The repository's content as one command reads it.
pub enum Source {
    /// The working tree at the repository root (`-C`).
    WorkTree(PathBuf),
    /// One revision's git objects, read whole when the source is opened.
    Rev(Box<RevisionFiles>),
}

impl Source {
    /// The working tree at `root`, or revision `rev` of the repository there.
    pub fn open(root: &Path, rev: Option<&str>) -> Result<Source> {
        let Some(rev) = rev else {
            return Ok(Source::WorkTree(root.to_path_buf()));
        };
        let git = |e: crate::git::GitError| Failure::usage(e.message, e.help);
        let repo = Repo::open(root).map_err(git)?;
        if !repo.is_root(root) {
            return Err(Failure::usage(
                format!(
                    "--rev reads the repository from its root, and `{}` is not it",
                    root.display()
                ),
                "pass -C with the root of the incident repository (where .git is)",
            ));
        }
        let files = repo.revision_files(rev).map_err(git)?;
        Ok(Source::Rev(Box::new(files)))
    }

    /// `insiden.yaml` parsed and validated (the built-in default when there is none). A link
    /// or anything else that is not a regular file is refused.
    pub fn config(&self) -> Result<Config> {
        let bytes = match self {
            Source::WorkTree(root) => crate::store::read_file(root, FILE_NAME, MAX_FILE_BYTES),
            Source::Rev(r) => r.config.clone(),
        }
        .map_err(|d| Failure::Diags(vec![d]))?;
        let text = bytes.map(String::from_utf8).transpose().map_err(|_| {
            Failure::Diags(vec![Diagnostic::error(
                Code::Config,
                FILE_NAME,
                "insiden.yaml is not UTF-8",
            )
            .help("save it as UTF-8")])
        })?;
        Config::parse(text.as_deref(), FILE_NAME).map_err(Failure::Diags)
    }

    /// Every incident validated, with the problems of reading them (unreadable, too large,
    /// forbidden paths) among the findings.
    pub fn load(&self, cfg: &Config, now: Timestamp) -> Validation {
        self.load_with(cfg, now, |_| {})
    }

    /// [`Source::load`] with `keep` applied to each file once its own rules ran.
    fn load_with(&self, cfg: &Config, now: Timestamp, keep: impl Fn(&mut Checked) + Sync + Send) -> Validation {
        let mut v = match self {
            Source::WorkTree(root) => {
                let listing = crate::store::list(root);
                let reader = Reader {
                    init: || (),
                    read: |(): &mut (), f: crate::store::Found| f.read(),
                    keep,
                };
                let mut v = crate::rules::validate_read(listing.files, reader, &listing.present, cfg, now);
                v.diagnostics.extend(listing.diagnostics);
                v
            }
            Source::Rev(r) => {
                let reader = Reader {
                    init: || None,
                    read: |repo: &mut _, f| r.location.read_incident(repo, f),
                    keep,
                };
                let mut v = crate::rules::validate_read(r.incidents.clone(), reader, &r.present, cfg, now);
                v.diagnostics.extend(r.problems.iter().cloned());
                v
            }
        };
        diag::sort(&mut v.diagnostics);
        v
    }

    /// [`Source::load`], with each body taken out into a [`Stash`] as soon as its file's own
    /// rules ran (the repository-wide rules do not read bodies): a build holds no body
    /// between validation and the page that shows it.
    pub fn load_stashed(&self, cfg: &Config, now: Timestamp) -> (Validation, Stash<'_>) {
        let blobs: HashMap<&str, BlobId> = match self {
            Source::WorkTree(_) => HashMap::new(),
            Source::Rev(r) => r.incidents.iter().map(|(p, b)| (p.as_str(), *b)).collect(),
        };
        let held = Mutex::new(HashMap::new());
        let v = self.load_with(cfg, now, |c| {
            if let Some(inc) = c.incident.as_mut() {
                let body = std::mem::take(&mut inc.body);
                let at = Held {
                    path: c.path.clone(),
                    blob: blobs.get(c.path.as_str()).copied(),
                    len: body.len(),
                    hash: body_hash(&body),
                };
                lock(&held).insert(inc.id.clone(), at);
            }
        });
        let stash = Stash {
            source: self,
            held: held.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner),
            repos: Mutex::new(Vec::new()),
            failure: Mutex::new(None),
        };
        (v, stash)
    }

    /// The built-in templates with the overrides in `site-templates/`. A link, special file,
    /// `.gitattributes` or oversized file there stops the command (exit 2), naming the path.
    pub fn templates(&self) -> Result<Templates> {
        let (files, problems) = match self {
            Source::WorkTree(root) => crate::store::read_folder(root, OVERRIDE_DIR, MAX_OVERRIDE_BYTES),
            Source::Rev(r) => (r.templates.clone(), r.template_problems.clone()),
        };
        if !problems.is_empty() {
            return Err(Failure::Diags(problems));
        }
        Templates::new(overrides(files).map_err(template_failure)?).map_err(template_failure)
    }
}

/// The bodies of a build's incidents, out of memory between validation and their pages: a
/// body is read again from where it was loaded (the working tree, or the revision's blob)
/// each time a page shows it, and is used only if it is byte for byte what was validated
/// (its length and hash are kept). A file changed while the build runs (an editor saving, a
/// checkout) fails the build rather than publishing text nobody validated.
pub struct Stash<'s> {
    source: &'s Source,
    /// By incident id (unique once validation passed).
    held: HashMap<String, Held>,
    /// Repository handles for `--rev`, one per thread that reads at once.
    repos: Mutex<Vec<Option<std::result::Result<Repo, crate::git::GitError>>>>,
    failure: Mutex<Option<Diagnostic>>,
}

/// Where a stashed body is and what it was.
struct Held {
    path: String,
    blob: Option<BlobId>,
    /// The body is the file's last `len` bytes.
    len: usize,
    hash: u64,
}

fn body_hash(body: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    h.finish()
}

impl Stash<'_> {
    fn read(&self, inc: &Incident) -> std::result::Result<String, Diagnostic> {
        let Some(held) = self.held.get(&inc.id) else {
            return Ok(inc.body.clone());
        };
        let file = match self.source {
            Source::WorkTree(root) => {
                let bytes = crate::store::read_file(root, &held.path, MAX_FILE_BYTES)?;
                let bytes = bytes.ok_or_else(|| self.changed(held, "is gone"))?;
                crate::store::decode(bytes, held.path.clone())?
            }
            Source::Rev(r) => {
                let blob = held.blob.ok_or_else(|| self.changed(held, "is gone"))?;
                let mut repo = lock(&self.repos).pop().flatten();
                let read = r.location.read_incident(&mut repo, (held.path.clone(), blob));
                lock(&self.repos).push(repo);
                read?
            }
        };
        let mut text = file.text;
        let start = text.len().checked_sub(held.len).filter(|s| text.is_char_boundary(*s));
        match start {
            Some(start) if body_hash(&text[start..]) == held.hash => {
                text.drain(..start);
                Ok(text)
            }
            _ => Err(self.changed(held, "changed")),
        }
    }

    fn changed(&self, held: &Held, what: &str) -> Diagnostic {
        Diagnostic::error(
            Code::Io,
            &held.path,
            format!("the file {what} while the site was being built"),
        )
        .help("build again once nothing else writes to the repository; the previous site is untouched")
    }
}

impl crate::audience::Bodies for Stash<'_> {
    fn body(&self, inc: &Incident) -> String {
        self.read(inc).unwrap_or_else(|d| {
            lock(&self.failure).get_or_insert(d);
            String::new()
        })
    }

    fn failure(&self) -> Option<Diagnostic> {
        lock(&self.failure).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::Bodies;
    use std::process::Command;

    const BODY: &str = "## Laporan\n\nHalaman depan situs berubah.\n\n## Rekomendasi\n\nPulihkan dari cadangan.\n";

    fn incident(body: &str) -> String {
        format!(
            "---\nid: 2026-0001\ntitle: Situs desa diretas\nstatus: reported\nreported_at: 2026-03-02T09:00:00+07:00\nhistory:\n  - {{ at: 2026-03-02T09:00:00+07:00, to: reported, by: helpdesk }}\n---\n{body}"
        )
    }

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("incidents/2026")).expect("folder");
        std::fs::write(dir.path().join("incidents/2026/2026-0001.md"), incident(BODY)).expect("file");
        dir
    }

    fn stashed(source: &Source) -> (Incident, Stash<'_>) {
        let cfg = Config::builtin();
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-03T00:00:00+07:00").expect("time");
        let (v, stash) = source.load_stashed(&cfg, now);
        let mut incidents = v.into_incidents();
        assert_eq!(incidents.len(), 1);
        let inc = *incidents.remove(0);
        assert!(inc.body.is_empty(), "the incident holds no body once stashed");
        (inc, stash)
    }

    #[test]
    fn a_stashed_body_reads_back_exactly_as_validated() {
        let dir = repo();
        let source = Source::open(dir.path(), None).expect("source");
        let (inc, stash) = stashed(&source);
        assert_eq!(stash.body(&inc), BODY);
        assert_eq!(stash.body(&inc), BODY, "and again, for another page");
        assert!(stash.failure().is_none());
    }

    #[test]
    fn a_body_changed_or_removed_after_validation_fails_the_build_instead_of_showing() {
        for change in ["changed", "gone"] {
            let dir = repo();
            let source = Source::open(dir.path(), None).expect("source");
            let (inc, stash) = stashed(&source);
            let file = dir.path().join("incidents/2026/2026-0001.md");
            if change == "gone" {
                std::fs::remove_file(&file).expect("remove");
            } else {
                // Same length, other text: the hash tells them apart.
                std::fs::write(&file, incident(&BODY.replace("cadangan", "CADANGAN"))).expect("write");
            }
            assert_eq!(stash.body(&inc), "", "{change}: nothing unvalidated is shown");
            let d = stash.failure().expect("the failure is kept");
            assert_eq!(d.code, Code::Io, "{change}");
            assert_eq!(d.path, "incidents/2026/2026-0001.md", "{change}");
            assert!(d.message.contains(change), "{change}: {}", d.message);
        }
    }

    #[test]
    fn a_revision_body_is_read_again_from_its_blob_not_the_work_tree() {
        let dir = repo();
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("git");
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&["commit", "-qm", "incident"]);
        let source = Source::open(dir.path(), Some("HEAD")).expect("source");
        let (inc, stash) = stashed(&source);
        std::fs::write(
            dir.path().join("incidents/2026/2026-0001.md"),
            incident("## Laporan\n\nlain\n"),
        )
        .expect("write");
        assert_eq!(stash.body(&inc), BODY);
        assert!(stash.failure().is_none());
    }
}
