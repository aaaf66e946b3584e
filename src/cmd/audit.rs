//! `insiden audit`: the commit rules over the whole history (root to HEAD) with a summary per
//! rule, or `--trail <ID>`: which commit introduced each history entry of an incident — the
//! provenance record a CSIRT shows an auditor.

use super::check::{check_commits, config_at, git_failure, ConfigCache, Judge, Rulebook};
use super::proof::{Mainline, Proof};
use super::{emit, incident_path, print, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{AuditArgs, FormatArg};
use crate::diag::sanitize_terminal;
use crate::git::{Repo, Version};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct TrailEntry {
    index: usize,
    at: String,
    to: String,
    by: String,
    actor: Option<String>,
    commit: String,
    subject: String,
    author: String,
    email: String,
    date: String,
    /// What the commit's signature proves: unsigned, signed by a member, a bad signature.
    signature: String,
}

pub(super) fn run(ctx: &Ctx, args: AuditArgs) -> Result<u8> {
    let repo = Repo::open(&ctx.root).map_err(git_failure)?;
    if repo.is_shallow() {
        return Err(Failure::usage(
            "the clone is shallow: an audit needs the whole history",
            "fetch the full history, e.g. `git fetch --unshallow` or `fetch-depth: 0`",
        ));
    }
    let head = repo
        .resolve("HEAD")
        .map_err(|_| Failure::usage("the repository has no commits yet", "commit the incident files first"))?;
    let (commits, _) = repo.range(None, &head).map_err(git_failure)?;
    if let Some(id) = &args.trail {
        return trail(ctx, &repo, &head, &commits, id, args.format);
    }
    let mut cache = ConfigCache::new();
    let range = check_commits(
        &repo,
        &commits,
        &mut cache,
        &Rulebook::Parent { head: head.clone() },
        Judge::default(),
    )?;
    let (diags, looked) = (&range.diagnostics, range.touched.len());
    let mut summary: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for d in diags {
        let e = summary.entry(d.code.name()).or_insert((0, d.code.description()));
        e.0 += 1;
    }
    match args.format {
        FormatArg::Json => {
            #[derive(Serialize)]
            struct Report<'a> {
                commits: usize,
                incidents_touched: usize,
                summary: BTreeMap<&'a str, usize>,
                /// Per author: commits signed with their key, and not.
                signatures: BTreeMap<&'a str, Signed>,
                diagnostics: &'a [crate::diag::Diagnostic],
            }
            #[derive(Serialize)]
            struct Signed {
                signed: usize,
                unsigned: usize,
            }
            let r = Report {
                commits: commits.len(),
                incidents_touched: looked,
                summary: summary.iter().map(|(k, v)| (*k, v.0)).collect(),
                signatures: range
                    .signatures
                    .iter()
                    .map(|(k, (s, u))| {
                        (
                            k.as_str(),
                            Signed {
                                signed: *s,
                                unsigned: *u,
                            },
                        )
                    })
                    .collect(),
                diagnostics: diags,
            };
            // Written as it is serialized: the report of a long history is tens of megabytes.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let _ = serde_json::to_writer_pretty(&mut out, &r)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush());
        }
        f => {
            emit(diags, f);
            if f == FormatArg::Human {
                let mut s = format!(
                    "audited {} commit(s), {looked} incident-file change(s)\n",
                    commits.len()
                );
                if summary.is_empty() {
                    s.push_str("no findings: every change followed the SOP\n");
                }
                for (code, (n, desc)) in &summary {
                    s.push_str(&format!("{n:>6}  {code:<24} {desc}\n"));
                }
                if !range.signatures.is_empty() {
                    s.push_str(
                        "signatures (commits changing incidents or rules): author, signed with their key, not\n",
                    );
                    for (who, (signed, unsigned)) in &range.signatures {
                        let who = sanitize_terminal(who);
                        s.push_str(&format!(
                            "{:>6}  {:<24} signed {signed}, unsigned {unsigned}\n",
                            "", who
                        ));
                    }
                }
                print(&s);
            }
        }
    }
    Ok(if diags.iter().any(|d| d.is_error()) {
        FINDINGS
    } else {
        OK
    })
}

fn trail(ctx: &Ctx, repo: &Repo, head: &str, commits: &[String], id: &str, format: FormatArg) -> Result<u8> {
    let cfg = ctx.config()?;
    let path = incident_path(&cfg, id)?;
    let mut seen = 0usize;
    let mut out: Vec<TrailEntry> = Vec::new();
    let mut walker = repo.walker();
    let mut cache = ConfigCache::new();
    let mut mainline = Mainline::default();
    for c in commits {
        let changes = walker.changes(c).map_err(git_failure)?;
        let Some(change) = changes.changes.iter().find(|ch| ch.path == path) else {
            continue;
        };
        // The walker reads an ordinary commit's new version only when asked.
        let text = match change.new.as_ref() {
            Some(Version {
                content: Some(content), ..
            }) => content.clone(),
            Some(Version {
                blob: Some(blob),
                content: None,
            }) => repo.version_text(*blob, &path),
            _ => continue,
        };
        let Ok(text) = text else {
            continue;
        };
        let Some(inc) = crate::doc::parse(&text, &path, cfg.timezone).incident else {
            continue;
        };
        let m = &changes.meta;
        let signature = if inc.history.len() > seen {
            // Whose key it is, by the rulebook the commit was made under (as `audit` judges
            // it): a member removed or a key rotated since keeps their past signatures.
            let rules = config_at(repo, &mut cache, changes.config_before.as_deref());
            let rules = rules.as_deref().unwrap_or(&cfg);
            let proof = Proof::of(repo, m, rules).map_err(git_failure)?;
            // As `audit` judges it: the forge's signature off the first-parent line is its
            // editor's or API's, not one of its merges.
            let merge = proof == Proof::Forge && mainline.holds(repo, head, &m.id).map_err(git_failure)?;
            proof.landed(merge).describe()
        } else {
            String::new()
        };
        for (i, e) in inc.history.iter().enumerate().skip(seen) {
            out.push(TrailEntry {
                index: i + 1,
                at: super::file_time(e.at, &cfg),
                to: e.to.clone(),
                by: e.by.clone(),
                actor: e.actor.clone(),
                commit: m.short().to_owned(),
                subject: m.subject.clone(),
                author: m.author.name.clone(),
                email: m.author.email.clone(),
                date: m.author.time.to_rfc3339(),
                signature: signature.clone(),
            });
        }
        seen = seen.max(inc.history.len());
    }
    if out.is_empty() {
        return Err(Failure::usage(
            format!("no commit touches {path}"),
            "check the id with `insiden list`",
        ));
    }
    if format == FormatArg::Json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({ "id": id, "path": path, "entries": out }))
                .unwrap_or_default()
        ));
    } else {
        let mut s = format!(
            "{id} ({path})\n{:>3}  {:<25} {:<13} {:<13} {:<12} {:<8} {}\n",
            "#", "AT", "TO", "BY", "ACTOR", "COMMIT", "AUTHOR, DATE, SIGNATURE"
        );
        for e in &out {
            s.push_str(&format!(
                "{:>3}  {:<25} {:<13} {:<13} {:<12} {:<8} {} <{}> {} · {}\n",
                e.index,
                e.at,
                sanitize_terminal(&e.to),
                sanitize_terminal(&e.by),
                sanitize_terminal(e.actor.as_deref().unwrap_or("-")),
                e.commit,
                sanitize_terminal(&e.author),
                sanitize_terminal(&e.email),
                e.date,
                sanitize_terminal(&e.signature)
            ));
        }
        print(&s);
    }
    Ok(OK)
}
