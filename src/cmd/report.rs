//! `insiden report`: parses the period, validates every incident (stopping with `validate`'s
//! diagnostics on an error), aggregates, applies the audience and renders Markdown, HTML,
//! CSV or JSON to standard output or, atomically, to `--out`. With `--rev`, the configuration,
//! incidents and templates come from that revision's git objects.

use super::build::{audience, lang, template_failure};
use super::{emit, now, print, Ctx, Failure, Result, FINDINGS, OK};
use crate::audience::{Audience, Lens};
use crate::cli::{FormatArg, ReportArgs, ReportFormatArg};
use crate::diag::{Code, Diagnostic};
use crate::report::{Facts, Period, PeriodKind};
use crate::site::templates::context;
use crate::site::templates::{safe, value};
use chrono::Datelike;
use rayon::prelude::*;

const PERIOD_HELP: &str =
    "e.g. --period 2026-01, --period 2026-Q1, --period 2026, or --from 2026-01-01 --to 2026-02-01 (the end is exclusive)";

pub(super) fn run(ctx: &Ctx, args: ReportArgs) -> Result<u8> {
    let source = ctx.source(args.rev.as_deref())?;
    let cfg = source.config()?;
    if let Some(out) = &args.out {
        super::output::refuse_tracked(ctx, "--out", out, &ctx.root.join(out), false)?;
    }
    let now_t = now(args.now.as_deref(), &cfg)?;
    let tz = cfg.timezone;
    let period = match (&args.period, &args.from, &args.to) {
        (Some(p), _, _) => Period::parse(p, tz),
        (None, Some(f), Some(t)) => Period::custom(f, t, tz),
        _ => {
            // The previous calendar month.
            let local = crate::time::in_zone(now_t, tz);
            let (y, m) = if local.month() == 1 {
                (local.year() - 1, 12)
            } else {
                (local.year(), local.month() - 1)
            };
            Period::month(y, m, tz).ok_or_else(|| "the previous month is out of range".to_owned())
        }
    }
    .map_err(|m| Failure::usage(m, PERIOD_HELP))?;
    let public = audience(args.audience) == Audience::Public;
    if public && period.kind == PeriodKind::Custom {
        // A range beside the site's month or year (1–30 March against March) would give a
        // small restricted count away by subtraction; the site's periods are protected together.
        return Err(Failure::usage(
            "the public edition covers the site's periods only, not a custom --from/--to range",
            "use --period YYYY, YYYY-Qn or YYYY-MM, or --audience internal for a custom range",
        ));
    }
    let v = source.load(&cfg, now_t);
    if v.has_errors() {
        emit(&v.diagnostics, FormatArg::Human);
        return Ok(FINDINGS);
    }
    let owned = v.into_incidents();
    let incidents: Vec<&crate::model::Incident> = owned.iter().map(|i| &**i).collect();
    let facts: Vec<Facts<'_>> = incidents.par_iter().map(|i| Facts::new(i, &cfg, now_t)).collect();
    let audience = audience(args.audience);
    // A public month, quarter or year is decided with every period the site publishes, so the
    // report shows exactly the numbers of the site's page for it and adds nothing to them.
    let periods = if public {
        let mut all = crate::census::site_periods(&facts, &cfg, crate::census::updated(&incidents));
        if !all.iter().any(|p| p.key == period.key) {
            all.push(period.clone());
        }
        all
    } else {
        vec![period.clone()]
    };
    let census = crate::census::census(&crate::census::Input {
        cfg: &cfg,
        facts: &facts,
        public,
        now: now_t,
        periods,
        overview: public,
    });
    let Some(counts) = census.period(&period.key) else {
        return Err(Failure::usage(format!("no numbers for {}", period.key), PERIOD_HELP));
    };
    let lens = Lens::new(&cfg, lang(args.lang, cfg.language), audience, &incidents);
    let view = lens.report(counts, &facts, Some(now_t), None);
    let text = match args.format {
        ReportFormatArg::Md => crate::report::to_markdown(&view),
        ReportFormatArg::Csv => crate::report::to_csv(&view),
        ReportFormatArg::Json => crate::report::to_json(&view),
        ReportFormatArg::Html => {
            let tpl = source.templates()?;
            let css = String::from_utf8_lossy(tpl.static_file("report.css")).into_owned();
            let base = context! {
                t => value(&crate::i18n::ui(view.lang)),
                lang => value(&view.lang),
                root => "",
                standalone => true,
                css => safe(css),
            };
            let data = context! {
                report => value(&view),
                sla_rows => value(&view.sla_rows),
                charts => crate::site::charts(&view, view.lang),
                kpis => value(&crate::audience::kpi_labels(view.lang)),
                groups => value(&crate::audience::group_labels(view.lang)),
            };
            tpl.render("report.html", &base, data).map_err(template_failure)?
        }
    };
    match &args.out {
        Some(out) => {
            let path = ctx.root.join(out);
            crate::store::write_atomic(&path, text.as_bytes()).map_err(|e| {
                Failure::Diags(vec![Diagnostic::error(
                    Code::Io,
                    out.display().to_string(),
                    format!("cannot write the report: {e}"),
                )
                .help("check the folder's permissions")])
            })?;
        }
        None => print(&text),
    }
    Ok(OK)
}
