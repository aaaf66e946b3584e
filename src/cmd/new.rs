//! `insiden new`: files a new incident in the initial state with the next free id of its year.

use super::{emit, file_time, print, time_arg, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{FormatArg, NewArgs, TlpArg};
use crate::config::Config;
use crate::edit::yaml_scalar;
use crate::model::{Channel, IncidentId, ReporterType};
use std::io::{IsTerminal, Read};

pub(super) fn run(ctx: &Ctx, args: NewArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let at = time_arg("--at", args.at.as_deref(), &cfg)?;
    // A report that arrived before it is recorded (Friday evening, recorded on Tuesday) keeps
    // its arrival in `reported_at`; the first history entry is dated when it is recorded, so
    // the commit that adds it is not `entry-backdated`.
    let reported_at = match args.reported_at.as_deref() {
        Some(s) => time_arg("--reported-at", Some(s), &cfg)?,
        None => at,
    };
    if reported_at > at {
        return Err(Failure::usage(
            format!(
                "--reported-at {} is after the recording time {}",
                file_time(reported_at, &cfg),
                file_time(at, &cfg)
            ),
            "a report is recorded after it arrives: give an earlier --reported-at, or a later --at",
        ));
    }
    check_words(&args)?;
    let role = cfg
        .workflow
        .transition(crate::workflow::NEW, &cfg.workflow.initial)
        .and_then(|t| t.by.first().cloned())
        .unwrap_or_default();
    let actor = super::transition::resolve_actor(ctx, &cfg, args.actor.as_deref(), std::slice::from_ref(&role))?.1;
    let description = match args.description.clone() {
        Some(d) => d,
        None if !std::io::stdin().is_terminal() => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Failure::usage(
                    format!("cannot read the report from standard input: {e}"),
                    "pass --description",
                )
            })?;
            s
        }
        None => String::new(),
    };
    if description.trim().is_empty() {
        return Err(Failure::usage(
            "the report text is empty",
            "pass --description \"…\" or pipe the report text on standard input",
        ));
    }

    let year: i32 = crate::time::in_zone(reported_at, cfg.timezone)
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(1970);
    let dir = ctx.root.join("incidents").join(year.to_string());
    let number = next_number(&dir, &cfg.id_prefix, year);
    let id = IncidentId {
        prefix: cfg.id_prefix.clone(),
        year,
        number,
    }
    .to_string();
    let text = render(
        &cfg,
        &args,
        &id,
        (&file_time(reported_at, &cfg), &file_time(at, &cfg)),
        &role,
        actor.as_deref(),
        description.trim_end(),
    );

    // The new file must validate on its own before it is written.
    let rel = format!("incidents/{year}/{id}.md");
    let file = crate::store::SourceFile {
        path: rel.clone(),
        text: text.clone(),
    };
    let (_, diags) = crate::rules::validate_file(&file, &cfg, at);
    let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        emit(&errors, FormatArg::Human);
        return Ok(FINDINGS);
    }
    let path = dir.join(format!("{id}.md"));
    crate::store::create_new(&path, text.as_bytes()).map_err(|e| {
        Failure::usage(
            format!("cannot create {rel}: {e}"),
            "another incident may have taken this id at the same moment; run the command again",
        )
    })?;
    print(&format!("{rel}\n"));
    Ok(OK)
}

fn check_words(args: &NewArgs) -> Result<()> {
    if let Some(c) = &args.channel {
        if Channel::parse(c).is_none() {
            return Err(Failure::usage(
                format!("--channel `{c}` is not a channel"),
                format!("use one of: {}", Channel::allowed()),
            ));
        }
    }
    if let Some(k) = &args.kind {
        if ReporterType::parse(k).is_none() {
            return Err(Failure::usage(
                format!("--type `{k}` is not a reporter type"),
                format!("use one of: {}", ReporterType::allowed()),
            ));
        }
    }
    if args.title.trim().is_empty() || args.reporter.trim().is_empty() {
        return Err(Failure::usage(
            "--title and --reporter must not be empty",
            "say what was reported and by whom",
        ));
    }
    Ok(())
}

/// The highest number used in `dir` plus one. Every file named like an id counts, valid or not,
/// so a broken file never has its id given away twice.
fn next_number(dir: &std::path::Path, prefix: &str, year: i32) -> u32 {
    let mut max = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name
                .strip_suffix(".md")
                .and_then(|stem| IncidentId::parse(stem, prefix))
            {
                if id.year == year {
                    max = max.max(id.number);
                }
            }
        }
    }
    max + 1
}

/// The new file's text; `times` are (`reported_at`, the first entry's `at`).
fn render(
    cfg: &Config,
    a: &NewArgs,
    id: &str,
    times: (&str, &str),
    role: &str,
    actor: Option<&str>,
    description: &str,
) -> String {
    let (reported_at, at) = times;
    let q = |s: &str| yaml_scalar(s.trim());
    let mut s = String::from("---\n");
    s.push_str(&format!(
        "id: {id}\ntitle: {}\nstatus: {}\nreported_at: {reported_at}\n",
        q(&a.title),
        cfg.workflow.initial
    ));
    s.push_str(&format!("reporter:\n  name: {}\n", q(&a.reporter)));
    for (key, v) in [
        ("organization", &a.organization),
        ("contact", &a.contact),
        ("type", &a.kind),
        ("channel", &a.channel),
    ] {
        if let Some(v) = v {
            s.push_str(&format!("  {key}: {}\n", q(v)));
        }
    }
    if let Some(o) = &a.owner {
        s.push_str(&format!("owner: {}\n", q(o)));
    }
    if !a.assets.is_empty() {
        s.push_str("assets:\n");
        for asset in &a.assets {
            s.push_str(&format!("  - {}\n", q(asset)));
        }
    }
    if let Some(c) = &a.category {
        s.push_str(&format!("category: {}\n", q(c)));
    }
    if let Some(t) = a.tlp {
        let word = match t {
            TlpArg::Clear => "clear",
            TlpArg::Green => "green",
            TlpArg::Amber => "amber",
            TlpArg::AmberStrict => "amber+strict",
            TlpArg::Red => "red",
        };
        s.push_str(&format!("tlp: {word}\n"));
    }
    s.push_str("history:\n");
    let actor = actor.map(|a| format!(", actor: {}", q(a))).unwrap_or_default();
    s.push_str(&format!(
        "  - {{ at: {at}, to: {}, by: {role}{actor} }}\n",
        cfg.workflow.initial
    ));
    let heading = cfg
        .workflow
        .section("laporan")
        .map_or("Laporan", |d| d.label.id.as_str());
    s.push_str(&format!("---\n## {heading}\n\n{description}\n"));
    s
}
