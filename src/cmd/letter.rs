//! `insiden letter <ID>`: the requester's letter (*Laporan dan/atau Rekomendasi*, SOP steps
//! 6–8) of one incident, as standalone HTML with A4 print CSS or as Markdown, to standard output
//! or, atomically, to `--out`. The letter exists from `compiled` on; before that the command
//! refuses (exit 1) and says why. The number is the one recorded in `delivered_to`, else the
//! next free one of the letter's year, and the `transition` to `resolved` it suggests carries it.

use super::build::{lang, template_failure};
use super::{emit, now, print, Ctx, Failure, Result, FINDINGS, OK};
use crate::cli::{FormatArg, LetterArgs, LetterFormatArg};
use crate::diag::{Code, Diagnostic};
use crate::letter::{self, LetterArgs as Args};
use crate::site::templates::{context, safe, value};
use chrono::{Datelike, NaiveDate};

pub(super) fn run(ctx: &Ctx, args: LetterArgs) -> Result<u8> {
    let source = ctx.source(None)?;
    let cfg = source.config()?;
    if let Some(out) = &args.out {
        super::output::refuse_tracked(ctx, "--out", out, &ctx.root.join(out), false)?;
    }
    let now_t = now(None, &cfg)?;
    let rel = super::incident_path(&cfg, &args.id)?;
    let v = source.load(&cfg, now_t);
    let mine: Vec<Diagnostic> = v
        .diagnostics
        .iter()
        .filter(|d| d.path == rel && d.is_error())
        .cloned()
        .collect();
    if !mine.is_empty() {
        emit(&mine, FormatArg::Human);
        eprintln!("error: {rel} must be valid before its letter is made; fix the findings above");
        return Ok(FINDINGS);
    }
    let incidents = v.incidents();
    let Some(inc) = incidents.iter().find(|i| i.id == args.id).copied() else {
        return Err(Failure::usage(
            format!("{rel} does not exist"),
            "check the id with `insiden list`",
        ));
    };
    if let Some(why) = letter::not_ready(inc, &cfg) {
        return Err(Failure::refused(
            why,
            "compile the report first: `## Kesimpulan` with text, then `insiden transition <ID> compiled`",
        ));
    }
    let delivery = inc.delivered_to.as_ref();
    let date = match &args.date {
        Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| Failure::usage(format!("--date `{d}` is not a date"), "e.g. --date 2026-03-04"))?,
        // The recorded delivery's day, else the day the report went to the requester (the
        // latest entry into `resolved`), else today.
        None => {
            let delivered = delivery.and_then(|d| d.at).or_else(|| {
                inc.history
                    .iter()
                    .rev()
                    .find(|e| Some(e.to.as_str()) == cfg.workflow.window_opens.as_deref())
                    .map(|e| e.at)
            });
            crate::time::in_zone(delivered.unwrap_or(now_t), cfg.timezone).date_naive()
        }
    };
    let recorded = delivery
        .and_then(|d| d.letter_number.clone())
        .filter(|n| !n.trim().is_empty());
    let assigned = recorded.is_none();
    let number = match recorded {
        Some(n) => n,
        None => {
            let others = incidents
                .iter()
                .filter(|i| i.id != inc.id)
                .filter_map(|i| i.delivered_to.as_ref().and_then(|d| d.letter_number.as_deref()));
            let seq = letter::next_seq(&cfg.letter.number, others, date.year());
            letter::number(&cfg.letter.number, inc, &cfg.id_prefix, date, seq)
        }
    };
    let language = lang(args.lang, cfg.language);
    let view = letter::letter(
        inc,
        &cfg,
        &Args {
            lang: language,
            date,
            number: number.clone(),
            include_red: args.include_red,
        },
    );
    let tpl = source.templates()?;
    let (name, css) = match args.format {
        LetterFormatArg::Html => (
            "letter.html",
            String::from_utf8_lossy(tpl.static_file("letter.css")).into_owned(),
        ),
        LetterFormatArg::Md => ("letter.md", String::new()),
    };
    let base = context! { css => safe(css) };
    let mut text = tpl
        .render(name, &base, context! { letter => value(&view) })
        .map_err(template_failure)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match &args.out {
        Some(out) => {
            crate::store::write_atomic(&ctx.root.join(out), text.as_bytes()).map_err(|e| {
                Failure::Diags(vec![Diagnostic::error(
                    Code::Io,
                    out.display().to_string(),
                    format!("cannot write the letter: {e}"),
                )
                .help("check the folder's permissions")])
            })?;
        }
        None => print(&text),
    }
    let mut err = std::io::stderr().lock();
    let w = &cfg.workflow;
    let before_delivery = w.step_of(&inc.status) < w.step_of("resolved");
    if assigned && before_delivery {
        use std::io::Write as _;
        let to = view.recipient.replace('\'', "’");
        let _ = writeln!(
            err,
            "letter {number} for {}. Once it is recorded at the helpdesk and delivered, record the delivery:\n  insiden transition {} resolved --set 'delivered_to.to={to}' --set delivered_to.at={} --set delivered_to.channel=letter --set 'delivered_to.letter_number={number}'",
            inc.id,
            inc.id,
            date.format("%Y-%m-%d"),
        );
    } else if assigned {
        use std::io::Write as _;
        let _ = writeln!(
            err,
            "letter {number} for {} (the number is not recorded: `delivered_to.letter_number` is empty)",
            inc.id
        );
    }
    Ok(OK)
}
