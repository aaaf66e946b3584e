//! `insiden list`: one line per incident with its next team, age in state and SLA.

use super::{emit, load, now, print, Ctx, Result, OK};
use crate::cli::{FormatArg, ListArgs, ViewFormat};
use crate::config::Config;
use crate::model::{Incident, Timestamp};
use serde::Serialize;

/// One row of the list; also the JSON shape.
#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub id: String,
    pub status: String,
    pub next: Vec<String>,
    /// Hours in the current state; `None` once the incident is closed or rejected.
    pub age_hours: Option<f64>,
    pub sla: &'static str,
    pub overdue: bool,
    pub owner: Option<String>,
    pub category: Option<String>,
    pub title: String,
}

pub(super) fn row(inc: &Incident, cfg: &Config, now: Timestamp) -> Row {
    let w = &cfg.workflow;
    let stays = crate::workflow::stays(w, &cfg.sla, inc, now);
    let current = stays.last();
    let sla = match current {
        Some(s) if s.breached() => "breached",
        Some(s) if s.limit.is_some() => "ok",
        _ => "-",
    };
    let window_overdue = w.documentation_overdue(inc, &cfg.calendar(), now).is_some();
    Row {
        id: inc.id.clone(),
        status: inc.status.clone(),
        next: w.state(&inc.status).map(|s| s.acts.clone()).unwrap_or_default(),
        age_hours: current
            .filter(|s| !w.is_final(s.state))
            .map(|s| (crate::time::hours(s.spent) * 10.0).round() / 10.0),
        sla,
        overdue: sla == "breached" || window_overdue,
        owner: inc.owner.clone(),
        category: inc.category.clone(),
        title: inc.title.clone(),
    }
}

pub(super) fn run(ctx: &Ctx, args: ListArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let now = now(args.now.as_deref(), &cfg)?;
    let v = load(ctx, &cfg, now);
    let errors: Vec<_> = v.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    emit(&errors, FormatArg::Human);
    let owner = args.owner.as_ref().map(|o| o.to_lowercase());
    let rows: Vec<Row> = v
        .incidents()
        .into_iter()
        .filter(|i| args.status.is_empty() || args.status.contains(&i.status))
        .filter(|i| args.category.as_ref().is_none_or(|c| i.category.as_ref() == Some(c)))
        .filter(|i| {
            owner
                .as_ref()
                .is_none_or(|o| i.owner.as_ref().is_some_and(|x| x.to_lowercase().contains(o)))
        })
        .map(|i| row(i, &cfg, now))
        .filter(|r| !args.overdue || r.overdue)
        .collect();
    if args.format == ViewFormat::Json {
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ));
    } else {
        let mut out = format!(
            "{:<15} {:<13} {:<14} {:>8} {:<9} {}\n",
            "ID", "STATUS", "NEXT", "AGE", "SLA", "TITLE"
        );
        for r in &rows {
            let age = r.age_hours.map_or_else(
                || "-".to_owned(),
                |h| crate::time::format_age(chrono::Duration::minutes((h * 60.0) as i64)),
            );
            let next = if r.next.is_empty() {
                "-".into()
            } else {
                r.next.join(",")
            };
            let sla = if r.overdue && r.sla != "breached" {
                "overdue"
            } else {
                r.sla
            };
            out.push_str(&format!(
                "{:<15} {:<13} {:<14} {:>8} {:<9} {}\n",
                r.id,
                r.status,
                next,
                age,
                sla,
                crate::diag::sanitize_terminal(&r.title)
            ));
        }
        print(&out);
    }
    Ok(OK)
}
