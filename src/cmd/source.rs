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
use crate::git::{Repo, RevisionFiles};
use crate::model::Timestamp;
use crate::rules::Validation;
use crate::site::templates::{overrides, Templates, MAX_OVERRIDE_BYTES, OVERRIDE_DIR};
use std::path::{Path, PathBuf};

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
        let mut v = match self {
            Source::WorkTree(root) => {
                let listing = crate::store::list(root);
                let read = |(): &mut (), f: crate::store::Found| f.read();
                let mut v = crate::rules::validate_read(listing.files, || (), read, &listing.present, cfg, now);
                v.diagnostics.extend(listing.diagnostics);
                v
            }
            Source::Rev(r) => {
                let read = |repo: &mut _, f| r.location.read_incident(repo, f);
                let mut v = crate::rules::validate_read(r.incidents.clone(), || None, read, &r.present, cfg, now);
                v.diagnostics.extend(r.problems.iter().cloned());
                v
            }
        };
        diag::sort(&mut v.diagnostics);
        v
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
