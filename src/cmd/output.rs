//! Where `build --out` and `report --out` may write: outside the repository, or in a place git
//! ignores. A site or report written where `git add -A` picks it up ends up in the incident
//! repository's history (an internal edition holds reporters' contacts), so such an output is
//! refused before anything is written, naming the `.gitignore` line that would allow it.

use super::{Ctx, Failure, Result};
use std::path::Path;

/// Refuses `out` (`abs` once joined to the root; a folder when `is_dir`) when it lies inside
/// the git working tree and git would track it. Outside a git repository anything goes.
pub(super) fn refuse_tracked(ctx: &Ctx, flag: &str, out: &Path, abs: &Path, is_dir: bool) -> Result<()> {
    let Ok(repo) = crate::git::Repo::open(&ctx.root) else {
        return Ok(());
    };
    let ignored = repo
        .is_ignored(abs, is_dir)
        .map_err(|e| Failure::usage(e.message, e.help))?;
    if ignored != Some(false) {
        return Ok(());
    }
    let rel = repo.workdir_path(abs).unwrap_or_else(|| out.display().to_string());
    let line = if is_dir { format!("/{rel}/") } else { format!("/{rel}") };
    let what = if is_dir { "the site" } else { "the report" };
    Err(Failure::usage(
        format!(
            "{flag} {} is inside the repository and git would track it: `git add -A` would commit {what}",
            out.display()
        ),
        format!(
            "add the line `{line}` to .gitignore (and `git rm -r --cached {rel}` if it was committed before), or write outside the repository"
        ),
    ))
}
