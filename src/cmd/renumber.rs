//! `insiden renumber <ID> [--to NEW] [--base REV]`: when two people filed reports at the same
//! moment on two branches, both took the same next id, and the second pull request meets an
//! add/add conflict. This gives the incident *this* branch added the next id free on the
//! target branch and in the working tree: the file moves, its `id` changes (a surgical edit),
//! and `related`/`duplicate_of` naming the old id in the other files this branch added follow.
//!
//! An incident that exists where the branch left its target is merged: its id is part of the
//! record and is never changed (exit 1, nothing written).

use super::check::git_failure;
use super::{incident_path, print, Ctx, Failure, Result, OK};
use crate::cli::RenumberArgs;
use crate::config::Config;
use crate::edit::{self, Scalar};
use crate::git::Repo;
use crate::model::IncidentId;
use std::collections::HashSet;

pub(super) fn run(ctx: &Ctx, args: &RenumberArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let old_rel = incident_path(&cfg, &args.id)?;
    let old_id = IncidentId::parse(&args.id, &cfg.id_prefix)
        .ok_or_else(|| Failure::usage(format!("`{}` is not an incident id", args.id), ""))?;
    let old_abs = ctx.root.join(&old_rel);
    if !old_abs.is_file() {
        return Err(Failure::usage(
            format!("{old_rel} does not exist in the working tree"),
            "check the id with `insiden list`",
        ));
    }
    let repo = Repo::open(&ctx.root).map_err(git_failure)?;
    if !repo.is_root(&ctx.root) {
        return Err(Failure::usage(
            "renumber runs at the repository's root",
            "pass -C <the folder that holds incidents/ and .git>",
        ));
    }
    let (target_name, target) = target(&repo, args.base.as_deref())?;
    let head = repo.resolve("HEAD").map_err(git_failure)?;
    let base = repo.merge_base(&head, &target).map_err(git_failure)?;
    let at_base = repo.incident_paths(&base).map_err(git_failure)?;
    if at_base.contains(&old_rel) {
        return Err(Failure::refused(
            format!(
                "{} already exists where this branch left {target_name} (commit {}): it is merged, and a merged incident keeps its id",
                args.id,
                base.get(..7).unwrap_or(&base)
            ),
            "renumber only the incident this branch added; if the target branch has moved, run `git fetch` and pass --base <the branch the pull request targets>",
        ));
    }

    // Every id taken: on the target, at HEAD, and in the working tree.
    let mut taken: HashSet<String> = repo.incident_paths(&target).map_err(git_failure)?;
    taken.extend(repo.incident_paths(&head).map_err(git_failure)?);
    let scan = crate::store::scan(&ctx.root);
    taken.extend(scan.present.iter().cloned());
    let new_id = match &args.to {
        Some(to) => chosen(&cfg, &old_id, to, &taken)?,
        None => next_free(&cfg, &old_id, &taken),
    };
    let new_rel = incident_path(&cfg, &new_id)?;

    // Prepare every edit first, then write.
    let text = std::fs::read_to_string(&old_abs)
        .map_err(|e| Failure::usage(format!("cannot read {old_rel}: {e}"), "check the file permissions"))?;
    let renamed = edit::set_field(&text, "id", Scalar::Raw(new_id.clone())).map_err(|e| edit_failure(&old_rel, &e))?;
    let mut references: Vec<(String, String)> = Vec::new();
    for f in &scan.files {
        if at_base.contains(&f.path) || f.path == old_rel {
            continue;
        }
        if let Some(edited) = follow(&f.text, &f.path, &args.id, &new_id, &cfg)? {
            references.push((f.path.clone(), edited));
        }
    }

    crate::store::create_new(&ctx.root.join(&new_rel), renamed.as_bytes())
        .map_err(|e| Failure::usage(format!("cannot create {new_rel}: {e}"), "run the command again"))?;
    std::fs::remove_file(&old_abs)
        .map_err(|e| Failure::usage(format!("cannot remove {old_rel}: {e}"), "remove it by hand"))?;
    for (path, text) in &references {
        crate::store::write_atomic(&ctx.root.join(path), text.as_bytes())
            .map_err(|e| Failure::usage(format!("cannot write {path}: {e}"), "check the file permissions"))?;
    }
    print(&format!("{new_rel}\n"));
    let mut note = format!("{} is now {new_id} (free on {target_name})", args.id);
    for (path, _) in &references {
        note.push_str(&format!("; updated the reference in {path}"));
    }
    eprintln!(
        "{note}\nnext: git add -A incidents/ && git commit -m \"Renumber {} to {new_id}\"",
        args.id
    );
    Ok(OK)
}

/// The branch the pull request targets: `--base`; else the upstream of this branch unless it
/// is only where the branch itself is pushed (`origin/<this branch>`); else the remote's
/// default branch (`origin/HEAD`), `origin/main`, `main`.
fn target(repo: &Repo, base: Option<&str>) -> Result<(String, String)> {
    if let Some(b) = base {
        return Ok((b.to_owned(), repo.resolve(b).map_err(git_failure)?));
    }
    let mut candidates: Vec<String> = Vec::new();
    if let Some((branch, up)) = repo.upstream() {
        if up != branch && !up.ends_with(&format!("/{branch}")) {
            candidates.push(up);
        }
    }
    candidates.extend(["origin/HEAD", "origin/main", "main"].map(str::to_owned));
    candidates
        .into_iter()
        .find_map(|c| repo.resolve(&c).ok().map(|id| (c, id)))
        .ok_or_else(|| {
            Failure::usage(
                "cannot tell which branch this one will be merged into",
                "pass --base <branch>, e.g. --base origin/main (after `git fetch`)",
            )
        })
}

/// The numbers of the ids of `year` among `paths`.
fn numbers<'a>(cfg: &'a Config, year: i32, paths: &'a HashSet<String>) -> impl Iterator<Item = u32> + 'a {
    paths.iter().filter_map(move |p| {
        let stem = p.rsplit('/').next()?.strip_suffix(".md")?;
        IncidentId::parse(stem, &cfg.id_prefix)
            .filter(|id| id.year == year)
            .map(|id| id.number)
    })
}

fn next_free(cfg: &Config, old: &IncidentId, taken: &HashSet<String>) -> String {
    let max = numbers(cfg, old.year, taken).max().unwrap_or(0);
    IncidentId {
        prefix: cfg.id_prefix.clone(),
        year: old.year,
        number: max + 1,
    }
    .to_string()
}

/// `--to`: an id of the same year (the year of `reported_at`) that nobody has taken.
fn chosen(cfg: &Config, old: &IncidentId, to: &str, taken: &HashSet<String>) -> Result<String> {
    let new = IncidentId::parse(to, &cfg.id_prefix).ok_or_else(|| {
        Failure::usage(
            format!("--to `{to}` is not an incident id"),
            format!("ids look like {}-{}-0017", cfg.id_prefix, old.year),
        )
    })?;
    if new.year != old.year {
        return Err(Failure::usage(
            format!("--to {to} is of {}, but the incident's id is of {}", new.year, old.year),
            "the id's year is the year of `reported_at`; keep it",
        ));
    }
    let id = new.to_string();
    let rel = incident_path(cfg, &id)?;
    if id == old.to_string() || taken.contains(&rel) {
        return Err(Failure::usage(
            format!("--to {to} is taken"),
            "leave out --to to get the next free id",
        ));
    }
    Ok(id)
}

/// `text` with `related` and `duplicate_of` naming `old` changed to `new`, or `None` when it
/// names neither.
fn follow(text: &str, path: &str, old: &str, new: &str, cfg: &Config) -> Result<Option<String>> {
    let Some(inc) = crate::doc::parse(text, path, cfg.timezone).incident else {
        return Ok(None);
    };
    let mut out = text.to_owned();
    let mut changed = false;
    if inc.related.iter().any(|r| r == old) {
        let items: Vec<String> = inc
            .related
            .iter()
            .map(|r| if r == old { new.to_owned() } else { r.clone() })
            .collect();
        out = edit::set_list(&out, "related", &items).map_err(|e| edit_failure(path, &e))?;
        changed = true;
    }
    if inc.duplicate_of.as_deref() == Some(old) {
        out = edit::set_field(&out, "duplicate_of", Scalar::Raw(new.to_owned())).map_err(|e| edit_failure(path, &e))?;
        changed = true;
    }
    Ok(changed.then_some(out))
}

fn edit_failure(path: &str, e: &edit::EditError) -> Failure {
    Failure::usage(
        format!("cannot edit {path}: {e}"),
        "fix the file by hand (`insiden validate` shows where), then run renumber again",
    )
}
