//! `insiden show <ID>`: the SOP's ten steps with when each was done and by which team, the
//! timeline, and what the next step requires.

use super::{emit, incident_path, now, print, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{FormatArg, ShowArgs, ViewFormat};
use crate::config::Config;
use crate::model::Incident;
use crate::workflow::NEW;
use serde::Serialize;

#[derive(Serialize)]
struct Step {
    step: u8,
    label: String,
    done_at: Option<String>,
    by: Option<String>,
    state: Option<String>,
}

#[derive(Serialize)]
struct Next {
    to: String,
    by: Vec<String>,
    missing: Vec<String>,
}

#[derive(Serialize)]
struct View<'a> {
    id: &'a str,
    title: &'a str,
    status: &'a str,
    status_label: String,
    tlp: &'static str,
    severity: Option<String>,
    category: Option<String>,
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivered_to: Option<&'a crate::model::Delivery>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scan_reports: Vec<&'a crate::model::Attachment>,
    steps: Vec<Step>,
    next: Vec<Next>,
    sla: &'static str,
    age_hours: Option<f64>,
    /// When the autoresolve window the incident waits on ends (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    window_ends: Option<String>,
    timeline: &'a [crate::model::HistoryEntry],
}

pub(super) fn run(ctx: &Ctx, args: ShowArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let now = now(args.now.as_deref(), &cfg)?;
    let rel = incident_path(&cfg, &args.id)?;
    let abs = ctx.root.join(&rel);
    if !abs.is_file() {
        return Err(Failure::usage(
            format!("{rel} does not exist"),
            "check the id with `insiden list`",
        ));
    }
    let file = crate::store::read_text(&abs, rel.clone()).map_err(|d| Failure::Diags(vec![d]))?;
    let (checked, diags) = crate::rules::validate_file(&file, &cfg, now);
    let Some(inc) = checked.incident else {
        emit(
            &diags,
            if args.format == ViewFormat::Json {
                FormatArg::Json
            } else {
                FormatArg::Human
            },
        );
        return Ok(FINDINGS);
    };
    let row = super::list::row(&inc, &cfg, now);
    let view = View {
        id: &inc.id,
        title: &inc.title,
        status: &inc.status,
        status_label: cfg
            .workflow
            .state(&inc.status)
            .map(|s| s.label.get(cfg.language).to_owned())
            .unwrap_or_default(),
        tlp: inc.effective_tlp().label(),
        severity: inc.severity.map(|s| s.to_string()),
        category: inc.category.clone(),
        owner: inc.owner.as_deref(),
        delivered_to: inc.delivered_to.as_ref(),
        scan_reports: inc.scan_reports().collect(),
        steps: steps(&inc, &cfg),
        next: next(&inc, &cfg),
        sla: row.sla,
        age_hours: row.age_hours,
        window_ends: cfg
            .workflow
            .current_window(&inc, &cfg.calendar())
            .map(|(_, end)| super::file_time(end, &cfg)),
        timeline: &inc.history,
    };
    if args.format == ViewFormat::Json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&view).unwrap_or_default()
        ));
    } else {
        print(&human(&view, &inc, &cfg));
        emit(&diags, FormatArg::Human);
    }
    Ok(if diags.iter().any(|d| d.is_error()) {
        FINDINGS
    } else {
        OK
    })
}

/// For each SOP step, the latest entry whose transition belongs to it.
fn steps(inc: &Incident, cfg: &Config) -> Vec<Step> {
    let w = &cfg.workflow;
    let mut out: Vec<Step> = w
        .steps
        .iter()
        .map(|s| Step {
            step: s.step,
            label: s.label.get(cfg.language).to_owned(),
            done_at: None,
            by: None,
            state: None,
        })
        .collect();
    let mut prev = NEW.to_owned();
    for e in &inc.history {
        if e.to != prev {
            if let Some(step) = w.transition(&prev, &e.to).and_then(|t| t.step) {
                if let Some(s) = out.iter_mut().find(|s| s.step == step) {
                    s.done_at = Some(super::file_time(e.at, cfg));
                    s.by = Some(e.by.clone());
                    s.state = Some(e.to.clone());
                }
            }
        }
        prev.clone_from(&e.to);
    }
    out
}

fn next(inc: &Incident, cfg: &Config) -> Vec<Next> {
    let w = &cfg.workflow;
    let cal = cfg.calendar();
    w.transitions_from(&inc.status)
        .map(|t| {
            // What the file lacks for this move, judged as if the move were made now.
            let mut probe = inc.clone();
            probe.history.push(crate::model::HistoryEntry {
                at: inc
                    .history
                    .last()
                    .map_or_else(|| chrono::DateTime::UNIX_EPOCH.fixed_offset(), |e| e.at),
                to: t.to.clone(),
                by: t.by.first().cloned().unwrap_or_default(),
                actor: None,
                note: Some("-".into()),
            });
            let idx = probe.history.len() - 1;
            let mut missing: Vec<String> = w
                .unmet(t, &probe, idx, &cal)
                .iter()
                .filter(|u| {
                    !matches!(
                        u,
                        crate::workflow::Unmet::WindowOpen { .. } | crate::workflow::Unmet::WindowClosed { .. }
                    )
                })
                .map(crate::workflow::Unmet::describe)
                .collect();
            if t.requires.note {
                missing.push("a note (--note)".into());
            }
            if let Some(win) = t.requires.window {
                missing.push(match win {
                    crate::workflow::WindowRequirement::Open => "the autoresolve window still open".into(),
                    crate::workflow::WindowRequirement::Elapsed => "the autoresolve window elapsed".into(),
                });
            }
            Next {
                to: t.to.clone(),
                by: t.by.clone(),
                missing,
            }
        })
        .collect()
}

fn human(v: &View<'_>, inc: &Incident, cfg: &Config) -> String {
    use std::fmt::Write as _;
    let s = crate::diag::sanitize_terminal;
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", v.id, s(v.title));
    let _ = writeln!(
        out,
        "status: {} ({})  {}  SLA: {}",
        v.status, v.status_label, v.tlp, v.sla
    );
    if let Some(c) = &v.category {
        let _ = writeln!(out, "category: {c}  severity: {}", v.severity.as_deref().unwrap_or("-"));
    }
    if let Some(o) = v.owner {
        let _ = writeln!(out, "owner: {}", s(o));
    }
    if let Some(end) = &v.window_ends {
        let _ = writeln!(out, "autoresolve window ends: {end}");
    }
    if let Some(d) = v.delivered_to {
        let mut line = format!("delivered to: {}", s(d.to.as_deref().unwrap_or("-")));
        if let Some(at) = d.at {
            let _ = write!(line, "  at {}", super::file_time(at, cfg));
        }
        if let Some(c) = d.channel {
            let _ = write!(line, "  via {c}");
        }
        if let Some(n) = &d.letter_number {
            let _ = write!(line, "  letter {}", s(n));
        }
        let _ = writeln!(out, "{line}");
    }
    for a in &v.scan_reports {
        let mut line = format!("scan report: {}", s(&a.path));
        if let Some(t) = &a.target {
            let _ = write!(line, "  target {}", s(t));
        }
        if let Some(t) = &a.tool {
            let _ = write!(line, "  tool {}", s(t));
        }
        if let Some(at) = a.at {
            let _ = write!(line, "  at {}", super::file_time(at, cfg));
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nSOP steps:");
    for st in &v.steps {
        let mark = if st.done_at.is_some() { "x" } else { " " };
        let when = st.done_at.as_deref().unwrap_or("");
        let by = st.by.as_deref().map(|b| format!(" ({b})")).unwrap_or_default();
        let _ = writeln!(out, "  [{mark}] {:>2}. {:<32} {when}{by}", st.step, st.label);
    }
    let _ = writeln!(out, "\ntimeline:");
    for e in &inc.history {
        let note = e.note.as_deref().map(|n| format!(" — {}", s(n))).unwrap_or_default();
        let _ = writeln!(out, "  {}  {:<13} {}{note}", super::file_time(e.at, cfg), e.to, e.by);
    }
    let _ = writeln!(out, "\nnext:");
    if v.next.is_empty() {
        let _ = writeln!(out, "  (final state)");
    }
    for n in &v.next {
        let need = if n.missing.is_empty() {
            "ready".into()
        } else {
            format!("needs {}", n.missing.join(", "))
        };
        let _ = writeln!(out, "  → {:<13} by {:<22} {need}", n.to, n.by.join(","));
    }
    out
}
