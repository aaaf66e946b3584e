//! Where `build --out` and `report --out` may write: outside the repository, or in a place git
//! ignores. A site or report written where `git add -A` picks it up ends up in the incident
//! repository's history (an internal edition holds reporters' contacts), so such an output is
//! refused before anything is written, naming the `.gitignore` line that would allow it. So is
//! an output whose way passes through a file or link the repository tracks: a commit could
//! put a link there to send the output anywhere.

use super::{Ctx, Failure, Result};
use std::path::Path;

/// Refuses `out` (`abs` once joined to the root; a folder when `is_dir`) when it lies inside
/// the git working tree and git would track it. Outside a git repository anything goes.
pub(super) fn refuse_tracked(ctx: &Ctx, flag: &str, out: &Path, abs: &Path, is_dir: bool) -> Result<()> {
    let Ok(repo) = crate::git::Repo::open(&ctx.root) else {
        return Ok(());
    };
    // The way there first, as written: a link committed in place of a folder on it would take
    // the output wherever the commit's author chose (and the checks below follow links).
    let base = std::fs::canonicalize(&ctx.root).unwrap_or_else(|_| ctx.root.clone());
    if let Some(tracked) = repo
        .tracked_on_the_way(&base.join(abs.strip_prefix(&ctx.root).unwrap_or(abs)))
        .map_err(|e| Failure::usage(e.message, e.help))?
    {
        return Err(Failure::usage(
            format!(
                "{flag} {} goes through `{tracked}`, which the repository tracks as a file or a link",
                out.display()
            ),
            "write outside the repository, or to a folder git ignores that no commit put a link on the way to",
        ));
    }
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
