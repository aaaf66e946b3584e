//! git2's only home: opening the repository given by `-C`, reading the user's configured
//! email, and (for `check`, `audit` and `autoresolve --commit`) walking commits and reading
//! blobs. Every function returns plain owned data; no git2 type leaves this module.

use std::path::Path;

/// An error talking to git, with a hint for the user.
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

/// The `user.email` git would use in `dir` (repository config, then global), if any.
pub fn user_email(dir: &Path) -> Option<String> {
    let config = match git2::Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config.get_string("user.email").ok().filter(|e| !e.trim().is_empty())
}

/// Opens the repository whose work tree is at (or above) `dir`.
pub fn open(dir: &Path) -> Result<git2::Repository, GitError> {
    git2::Repository::discover(dir).map_err(|e| {
        err(
            format!("{} is not inside a git repository ({})", dir.display(), e.message()),
            "run the command in the incident repository, or pass -C <dir>",
        )
    })
}
