//! The periodic report's numbers: period parsing (`2026-01`, `2026-Q1`, `2026`, `--from/--to`),
//! the aggregation of incidents over a period (totals, breakdowns, KPIs, SLA, onward reporting,
//! the as-of replay) and the Markdown, CSV and JSON renderings of a [`ReportView`].
//!
//! Pure: no files, no git, no clock (`now` is an argument). The numbers here are computed over
//! every incident; what an audience may see of them (suppression, TLP) is decided only by
//! `audience`, which turns an [`Aggregate`] into the [`ReportView`] every format renders.
//! HTML goes through `site::templates`. The definitions are documented in `docs/REPORT.md`.

use crate::config::Config;
use crate::disclosure::Count;
use crate::model::{Incident, Severity, Timestamp};
pub use crate::period::{Period, PeriodKind};
use crate::views::ReportView;
use crate::workflow::{Lang, Stay};
use chrono::Datelike;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The state that means "closed" and the one that means "rejected" (the built-in SOP's names).
pub const CLOSED: &str = "closed";
pub const REJECTED: &str = "rejected";

/// The KPIs, in report order: (key, Indonesian label, English label).
pub const KPIS: &[(&str, &str, &str)] = &[
    ("time_to_register", "Waktu hingga registrasi", "Time to register"),
    ("time_to_triage", "Waktu hingga triase", "Time to triage"),
    (
        "time_to_recommendation",
        "Waktu hingga rekomendasi",
        "Time to recommendation",
    ),
    ("time_to_handle", "Waktu hingga penanganan selesai", "Time to handle"),
    (
        "time_to_deliver",
        "Waktu hingga diserahkan ke pemohon",
        "Time to deliver",
    ),
    ("time_to_close", "Waktu hingga ditutup", "Time to close"),
    ("time_to_detect", "Waktu hingga terdeteksi", "Time to detect"),
];

/// The KPI groups: every incident, then each severity.
pub const GROUPS: &[&str] = &["all", "low", "medium", "high", "critical"];

/// What an incident's history says, computed once per incident and reused for every period.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub incident: &'a Incident,
    /// `reported_at`, else the first entry's time.
    pub reported: Option<Timestamp>,
    /// The first time each KPI's end event happened (`KPIS` order; `time_to_detect` excluded).
    pub milestones: [Option<Timestamp>; 6],
    /// Every stay in a state that has an SLA limit, the last one measured up to `now`.
    pub stays: Vec<Stay<'a>>,
    /// Index of each entry that is a follow-up reopen.
    pub reopens: Vec<usize>,
    /// When the incident is on record: from its report or first entry to its last entry, or
    /// open-ended while it is not closed or rejected. No period outside it counts anything of
    /// it, so [`aggregate`] passes over it there.
    span: Option<(Timestamp, Option<Timestamp>)>,
    /// The time of the latest history entry: a period that starts after it holds none of the
    /// incident's events, closures, reopens or milestones (see [`aggregate`]).
    last_entry: Option<Timestamp>,
}

impl<'a> Facts<'a> {
    pub fn new(inc: &'a Incident, cfg: &Config, now: Timestamp) -> Facts<'a> {
        let w = &cfg.workflow;
        let reported = inc.reported_at.or_else(|| inc.history.first().map(|e| e.at));
        let mut milestones = [None; 6];
        let mut reopens = Vec::new();
        let mut prev: Option<&str> = None;
        for (i, e) in inc.history.iter().enumerate() {
            let to = e.to.as_str();
            let moved = prev != Some(to);
            if moved {
                let slot = match to {
                    "registered" => Some(0),
                    "triage" => Some(1),
                    "handled" => Some(3),
                    "resolved" => Some(4),
                    CLOSED => Some(5),
                    _ => None,
                };
                if let Some(k) = slot {
                    milestones[k].get_or_insert(e.at);
                }
                // The recommendation is ready when triage is left forward (steps 4–5 or 6).
                if prev == Some("triage") && to != REJECTED {
                    milestones[2].get_or_insert(e.at);
                }
                if let Some(p) = prev {
                    if w.transition(p, to).is_some_and(|t| t.reopen) {
                        reopens.push(i);
                    }
                }
            }
            prev = Some(to);
        }
        let mut stays = crate::workflow::stays(w, &cfg.sla, inc, now);
        let first = inc.history.iter().map(|e| e.at).min();
        let last = inc.history.iter().map(|e| e.at).max();
        let start = match (reported, first) {
            (Some(r), Some(f)) => Some(r.min(f)),
            (r, f) => r.or(f),
        };
        let open = inc.history.last().is_some_and(|e| e.to != CLOSED && e.to != REJECTED)
            || stays.last().is_some_and(|s| s.limit.is_some());
        // Only stays with a limit count in a report (held for every incident until the end).
        stays.retain(|s| s.limit.is_some());
        stays.shrink_to_fit();
        Facts {
            incident: inc,
            reported,
            milestones,
            stays,
            reopens,
            span: start.map(|s| (s, if open { None } else { Some(last.unwrap_or(s)) })),
            last_entry: last,
        }
    }

    /// Whether anything of the incident can fall in `period` (see `span`).
    fn on_record_in(&self, period: &Period) -> bool {
        self.span
            .is_some_and(|(from, to)| from < period.to && to.is_none_or(|t| t >= period.from))
    }

    /// The state as of `t`: the `to` of the last entry before `t`.
    pub fn state_at(&self, t: Timestamp) -> Option<&'a str> {
        let h = &self.incident.history;
        let n = h.partition_point(|e| e.at < t);
        n.checked_sub(1).and_then(|i| h.get(i)).map(|e| e.to.as_str())
    }

    /// Hours from the report to each KPI's end event, as recorded before `until`.
    pub fn kpi_hours(&self, until: Timestamp) -> [Option<f64>; 7] {
        let mut out = [None; 7];
        if let Some(r) = self.reported {
            for (k, m) in self.milestones.iter().enumerate() {
                if let Some(m) = m.filter(|m| *m < until) {
                    out[k] = Some(crate::time::hours(m - r).max(0.0));
                }
            }
        }
        out[6] = self.detect_hours();
        out
    }

    /// Hours from `occurred_at` to `detected_at` (or to the report), when known.
    pub fn detect_hours(&self) -> Option<f64> {
        let occurred = self.incident.occurred_at?;
        let detected = self.incident.detected_at.or(self.reported)?;
        Some(crate::time::hours(detected - occurred).max(0.0))
    }
}

/// Median and 90th percentile of a sample, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Stat {
    pub n: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// The `q`-quantile (0–1) by linear interpolation between closest ranks (the method of
/// spreadsheet `PERCENTILE.INC` and numpy's default). `None` for an empty sample.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let (first, last) = (sorted.first()?, sorted.last()?);
    if sorted.len() == 1 {
        return Some(*first);
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (sorted.get(lo).unwrap_or(first), sorted.get(hi).unwrap_or(last));
    Some(a + (b - a) * (pos - lo as f64))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Stat {
    pub fn of(mut sample: Vec<f64>) -> Stat {
        sample.sort_by(f64::total_cmp);
        Stat {
            n: sample.len(),
            median: quantile(&sample, 0.5).map(round2),
            p90: quantile(&sample, 0.9).map(round2),
        }
    }
}

/// The report's totals (see `docs/REPORT.md` for each definition).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub reported: usize,
    pub rejected: usize,
    pub in_scope: usize,
    pub out_of_scope: usize,
    pub closed: usize,
    pub autoresolved: usize,
    pub reopened: usize,
    pub open_at_end: usize,
}

/// SLA results of one state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SlaCount {
    pub within: usize,
    pub breached: usize,
    pub ongoing_breached: usize,
}

/// One stay over its SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    pub incident: usize,
    pub state: String,
    pub spent_hours: f64,
    pub limit_hours: f64,
    /// Still in the state at the end of the period.
    pub ongoing: bool,
}

/// One incident of the period's cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    /// Index into the incidents the aggregate was made from.
    pub incident: usize,
    pub status_at_end: String,
    pub kpi_hours: [Option<f64>; 7],
}

/// The numbers of one period, over every incident (no audience applied yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub period: Period,
    pub totals: Totals,
    pub rejected_by_code: BTreeMap<String, usize>,
    pub by_category: BTreeMap<String, usize>,
    pub by_severity: BTreeMap<String, usize>,
    pub by_owner: BTreeMap<String, usize>,
    pub by_reporter_type: BTreeMap<String, usize>,
    pub by_channel: BTreeMap<String, usize>,
    pub by_tlp: BTreeMap<String, usize>,
    pub by_resolution: BTreeMap<String, usize>,
    /// Reported per month of the period, `YYYY-MM` → count.
    pub by_month: Vec<((i32, u32), usize)>,
    /// KPI key → group (`GROUPS`) → stat.
    pub kpi: BTreeMap<&'static str, BTreeMap<&'static str, Stat>>,
    pub sla: BTreeMap<String, SlaCount>,
    pub breaches: Vec<Breach>,
    pub onward_required: Vec<usize>,
    pub onward_recorded: Vec<usize>,
    pub cohort: Vec<CohortRow>,
}

/// The key used for an absent value in breakdowns.
pub const NONE: &str = "none";

/// The value under `key`, made when there is none yet: the key is copied only then, not once
/// per incident and period.
fn slot<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// Counts one more under `key` (`NONE` without one).
fn bump(map: &mut BTreeMap<String, usize>, key: Option<&str>) {
    *slot(map, key.unwrap_or(NONE)) += 1;
}

/// Whether `external_reports` records the onward report that art. 15 asks for.
pub fn onward_recorded(inc: &Incident) -> bool {
    use crate::model::ReportTarget;
    inc.external_reports
        .iter()
        .any(|r| matches!(r.to, ReportTarget::Bssn | ReportTarget::CsirtSectoral))
}

/// Aggregates `facts` (every incident) over `period`; `now` bounds still-running stays.
pub fn aggregate(facts: &[Facts<'_>], period: &Period, cfg: &Config, now: Timestamp) -> Aggregate {
    let tz = cfg.timezone;
    let mut totals = Totals::default();
    let mut agg = Aggregate {
        period: period.clone(),
        totals,
        rejected_by_code: BTreeMap::new(),
        by_category: BTreeMap::new(),
        by_severity: BTreeMap::new(),
        by_owner: BTreeMap::new(),
        by_reporter_type: BTreeMap::new(),
        by_channel: BTreeMap::new(),
        by_tlp: BTreeMap::new(),
        by_resolution: BTreeMap::new(),
        by_month: Vec::new(),
        kpi: BTreeMap::new(),
        sla: BTreeMap::new(),
        breaches: Vec::new(),
        onward_required: Vec::new(),
        onward_recorded: Vec::new(),
        cohort: Vec::new(),
    };
    let months = period.months(tz);
    let mut month_counts = vec![0usize; months.len()];
    // KPI samples: kpi index → group → hours.
    let mut samples: Vec<BTreeMap<&'static str, Vec<f64>>> = vec![BTreeMap::new(); KPIS.len()];
    let horizon = period.to.min(now.max(period.from));
    for (idx, f) in facts.iter().enumerate() {
        if !f.on_record_in(period) {
            continue;
        }
        let inc = f.incident;
        let sev_group = inc.severity.map_or("none", Severity::as_str);
        // An open incident is on record in every period after its last entry, where it has no
        // events: only a stay still running and its state at the period's end count there.
        let events = f.last_entry.is_some_and(|t| t >= period.from);
        // Events in the period: closures, autoresolve closures, follow-up reopens.
        if events {
            let mut prev: Option<&str> = None;
            for (i, e) in inc.history.iter().enumerate() {
                if period.contains(e.at) {
                    if e.to == CLOSED && prev != Some(CLOSED) {
                        totals.closed += 1;
                        if e.by == crate::workflow::SYSTEM {
                            totals.autoresolved += 1;
                        }
                    }
                    if f.reopens.contains(&i) {
                        totals.reopened += 1;
                    }
                }
                prev = Some(&e.to);
            }
        }
        // KPI samples belong to the period in which their end event happened.
        if let Some(r) = f.reported.filter(|_| events) {
            for (k, m) in f.milestones.iter().enumerate() {
                if let Some(m) = m.filter(|m| period.contains(*m)) {
                    let h = crate::time::hours(m - r).max(0.0);
                    samples[k].entry("all").or_default().push(h);
                    samples[k].entry(sev_group).or_default().push(h);
                }
            }
        }
        // SLA: stays that ended in the period, and stays still running at its end.
        for s in &f.stays {
            let Some(limit) = s.limit else { continue };
            match s.left {
                Some(left) if period.contains(left) => {
                    let c = slot(&mut agg.sla, s.state);
                    if s.spent > limit {
                        c.breached += 1;
                        agg.breaches.push(Breach {
                            incident: idx,
                            state: s.state.to_owned(),
                            spent_hours: round2(crate::time::hours(s.spent)),
                            limit_hours: round2(crate::time::hours(limit)),
                            ongoing: false,
                        });
                    } else {
                        c.within += 1;
                    }
                }
                left if s.entered < horizon && left.is_none_or(|l| l >= period.to) => {
                    let spent = cfg.sla.measure(s.entered, horizon);
                    if spent > limit {
                        slot(&mut agg.sla, s.state).ongoing_breached += 1;
                        agg.breaches.push(Breach {
                            incident: idx,
                            state: s.state.to_owned(),
                            spent_hours: round2(crate::time::hours(spent)),
                            limit_hours: round2(crate::time::hours(limit)),
                            ongoing: true,
                        });
                    }
                }
                _ => {}
            }
        }
        let Some(reported) = f.reported else { continue };
        if reported >= period.to {
            continue;
        }
        let state_end = f.state_at(period.to);
        if state_end.is_some_and(|s| s != CLOSED && s != REJECTED) {
            totals.open_at_end += 1;
        }
        if reported < period.from {
            continue;
        }
        // The cohort: incidents reported in the period.
        totals.reported += 1;
        let status_at_end = state_end.unwrap_or(inc.status.as_str()).to_owned();
        if status_at_end == REJECTED {
            totals.rejected += 1;
            bump(&mut agg.rejected_by_code, inc.rejection_code.map(|c| c.as_str()));
        }
        match inc.in_scope {
            Some(true) => totals.in_scope += 1,
            Some(false) => totals.out_of_scope += 1,
            None => {}
        }
        bump(&mut agg.by_category, inc.category.as_deref());
        bump(&mut agg.by_severity, inc.severity.map(|s| s.as_str()));
        bump(&mut agg.by_owner, inc.owner.as_deref());
        bump(&mut agg.by_reporter_type, inc.reporter.kind.map(|s| s.as_str()));
        bump(&mut agg.by_channel, inc.reporter.channel.map(|s| s.as_str()));
        // A missing TLP is treated as AMBER (never public by default), and counted as such.
        bump(&mut agg.by_tlp, Some(inc.effective_tlp().as_str()));
        bump(&mut agg.by_resolution, inc.resolution.map(|s| s.as_str()));
        let local = crate::time::in_zone(reported, tz);
        if let Some(i) = months.iter().position(|&m| m == (local.year(), local.month())) {
            month_counts[i] += 1;
        }
        if let Some(h) = f.detect_hours() {
            samples[6].entry("all").or_default().push(h);
            samples[6].entry(sev_group).or_default().push(h);
        }
        if matches!(inc.severity, Some(Severity::High | Severity::Critical))
            && status_at_end != REJECTED
            && inc.in_scope != Some(false)
        {
            agg.onward_required.push(idx);
            if onward_recorded(inc) {
                agg.onward_recorded.push(idx);
            }
        }
        agg.cohort.push(CohortRow {
            incident: idx,
            status_at_end,
            kpi_hours: f.kpi_hours(period.to),
        });
    }
    for (k, (name, ..)) in KPIS.iter().enumerate() {
        let groups = GROUPS
            .iter()
            .map(|g| (*g, Stat::of(samples[k].remove(g).unwrap_or_default())))
            .collect();
        agg.kpi.insert(name, groups);
    }
    agg.cohort.sort_by(|a, b| {
        let (x, y) = (&facts[a.incident], &facts[b.incident]);
        x.reported
            .cmp(&y.reported)
            .then_with(|| x.incident.id.cmp(&y.incident.id))
    });
    // By incident, and within one in the order the stays happened (a stable sort keeps it).
    agg.breaches
        .sort_by(|a, b| facts[a.incident].incident.id.cmp(&facts[b.incident].incident.id));
    agg.by_month = months.into_iter().zip(month_counts).collect();
    agg.totals = totals;
    agg
}

// ---------------------------------------------------------------------------------------------
// Renderings of a ReportView (the audience is already applied).

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn opt_hours(lang: Lang, h: Option<f64>) -> String {
    h.map_or_else(|| "–".to_owned(), |h| crate::i18n::hours(lang, h))
}

/// The report as Markdown.
pub fn to_markdown(r: &ReportView) -> String {
    let lang = r.lang;
    let t = |k: &str| crate::i18n::text(lang, k);
    let c = |x: Count| crate::i18n::count(lang, x);
    let mut o = String::new();
    let _ = writeln!(o, "# {} — {}\n", md_escape(&r.title), md_escape(&r.period.label));
    let _ = writeln!(o, "**{}**  ", r.tlp);
    let _ = writeln!(o, "{}: {}  ", t("organization"), md_escape(&r.organization.name));
    let _ = writeln!(o, "{}: {}  ", t("unit"), md_escape(&r.organization.unit));
    let _ = writeln!(o, "{}: {}  ", t("sop"), md_escape(&r.organization.sop));
    let _ = writeln!(
        o,
        "{}: {} ({} – {})  ",
        t("period"),
        md_escape(&r.period.label),
        r.period.from.iso,
        r.period.to.iso
    );
    if let Some(g) = &r.generated {
        let _ = writeln!(o, "{}: {}  ", t("generated"), g.text);
    }
    let _ = writeln!(o, "{}: {}\n", t("audience"), r.audience_label);
    let _ = writeln!(o, "## {}\n", t("totals"));
    let _ = writeln!(o, "| | {} |\n|---|---:|", t("count"));
    for (k, v) in r.totals.rows() {
        let _ = writeln!(o, "| {} | {} |", t(k), c(v));
    }
    let table = |o: &mut String, name: &str, rows: &[crate::views::Breakdown]| {
        let _ = writeln!(o, "\n### {}\n", t(name));
        if r.withheld.contains(&name) {
            let _ = writeln!(o, "{}", t("withheld_breakdown"));
            return;
        }
        let _ = writeln!(o, "| | {} |\n|---|---:|", t("count"));
        for b in rows {
            let _ = writeln!(o, "| {} | {} |", md_escape(&b.label), c(b.count));
        }
    };
    if !r.rejected_by_code.is_empty() || r.withheld.contains(&"rejected_by_code") {
        table(&mut o, "rejected_by_code", &r.rejected_by_code);
    }
    let _ = writeln!(o, "\n## {}", t("breakdowns"));
    table(&mut o, "by_month", &r.by_month);
    table(&mut o, "by_category", &r.by_category);
    table(&mut o, "by_severity", &r.by_severity);
    table(&mut o, "by_owner", &r.by_owner);
    table(&mut o, "by_reporter_type", &r.by_reporter_type);
    table(&mut o, "by_channel", &r.by_channel);
    table(&mut o, "by_tlp", &r.by_tlp);
    table(&mut o, "by_resolution", &r.by_resolution);
    let _ = writeln!(o, "\n## {}\n\n{}\n", t("kpi"), t("kpi_help"));
    let _ = write!(o, "| |");
    for g in GROUPS {
        let _ = write!(o, " {} |", md_escape(&group_label(lang, g)));
    }
    let _ = write!(o, "\n|---|");
    for _ in GROUPS {
        let _ = write!(o, "---|");
    }
    o.push('\n');
    for (key, id, en) in KPIS {
        let _ = write!(o, "| {} |", if lang == Lang::Id { id } else { en });
        if let Some(groups) = r.kpi.get(*key) {
            for g in GROUPS {
                if let Some(s) = groups.get(*g) {
                    let _ = write!(
                        o,
                        " {} / {} (n={}) |",
                        opt_hours(lang, s.median_hours),
                        opt_hours(lang, s.p90_hours),
                        c(s.n)
                    );
                }
            }
        }
        o.push('\n');
    }
    let _ = writeln!(
        o,
        "\n## {}\n\n| | {} | {} | {} |\n|---|---:|---:|---:|",
        t("sla"),
        t("sla_within"),
        t("sla_breached"),
        t("sla_ongoing")
    );
    for s in &r.sla_rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md_escape(&s.label),
            c(s.within),
            c(s.breached),
            c(s.ongoing_breached)
        );
    }
    if let Some(b) = &r.breaches {
        let _ = writeln!(o, "\n### {}\n", t("sla_breach_list"));
        if !b.is_empty() {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |\n|---|---|---:|---:|",
                t("id"),
                t("status"),
                t("spent_hours"),
                t("limit_hours")
            );
        }
        for x in b {
            let ongoing = if x.ongoing { " *" } else { "" };
            let _ = writeln!(
                o,
                "| {} | {}{ongoing} | {} | {} |",
                x.id,
                md_escape(&x.state_label),
                crate::i18n::hours(lang, x.spent_hours),
                crate::i18n::hours(lang, x.limit_hours)
            );
        }
    }
    let _ = writeln!(o, "\n## {}\n\n{}\n", t("onward"), t("onward_help"));
    let _ = writeln!(o, "- {}: {}", t("onward_required"), c(r.onward_reporting.required));
    let _ = writeln!(o, "- {}: {}", t("onward_recorded"), c(r.onward_reporting.recorded));
    if let Some(m) = &r.onward_reporting.missing {
        let _ = writeln!(
            o,
            "- {}: {}",
            t("onward_missing"),
            if m.is_empty() { "–".to_owned() } else { m.join(", ") }
        );
    }
    let _ = writeln!(o, "\n## {}\n", t("incidents_of_period"));
    if r.incidents.is_empty() {
        let _ = writeln!(o, "{}", t("no_visible"));
    } else {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|---|",
            t("id"),
            t("reported_at"),
            t("title"),
            t("category"),
            t("severity"),
            t("tlp"),
            t("status_at_end")
        );
        for i in &r.incidents {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                i.id,
                i.reported_at.text,
                md_escape(&i.title),
                md_escape(&i.category_label),
                md_escape(&i.severity_label),
                i.tlp,
                md_escape(&i.status_label)
            );
        }
    }
    if let Some(x) = &r.restricted {
        let _ = writeln!(o, "\n{}: {}", t("restricted_count"), c(x.count));
    }
    if let Some(rec) = &r.records {
        let _ = writeln!(o, "\n## {}\n", t("records"));
        let _ = writeln!(o, "- {}: {}", t("scan_report_count"), rec.scan_reports);
        let _ = writeln!(
            o,
            "- {}: {}",
            t("scan_report_incidents"),
            rec.incidents_with_scan_report
        );
        let _ = writeln!(
            o,
            "- {}: {}",
            t("scan_required_incidents"),
            rec.incidents_requiring_scan_report
        );
        let _ = writeln!(o, "- {}: {}", t("letters_count"), rec.letters);
    }
    if let Some(texts) = &r.incident_texts {
        let _ = writeln!(o, "\n## {}\n", t("incident_texts"));
        if texts.is_empty() {
            let _ = writeln!(o, "–");
        }
        for x in texts {
            let _ = writeln!(o, "### {} — {}\n", x.id, md_escape(&x.title));
            if x.withheld {
                let _ = writeln!(o, "{}\n", t("restricted_red"));
                continue;
            }
            if let Some(sm) = &x.summary {
                let _ = writeln!(o, "**{}.** {}\n", t("summary"), md_escape(sm));
            }
            for (label, text) in [("recommendation", &x.recommendation), ("conclusion", &x.conclusion)] {
                let _ = writeln!(o, "**{}:**\n", t(label));
                let _ = writeln!(o, "{}\n", text.as_deref().map_or_else(|| "–".to_owned(), demote));
            }
        }
    }
    if let Some(basis) = &r.legal_basis {
        let _ = writeln!(o, "\n## {}\n", t("legal_basis"));
        for (i, b) in basis.iter().enumerate() {
            let _ = writeln!(o, "{}. {}", i + 1, md_escape(b));
        }
    }
    if let Some(a) = &r.approval {
        let _ = writeln!(o, "\n---\n");
        if let Some(pd) = &r.approval_place_date {
            let _ = writeln!(o, "{}  ", md_escape(pd));
        }
        let _ = writeln!(o, "{}  ", t("approval_known"));
        let _ = writeln!(o, "{},\n\n\n", md_escape(&a.title));
        let _ = writeln!(o, "**{}**  ", md_escape(&a.name));
        if let Some(nip) = &a.nip {
            let _ = writeln!(o, "NIP. {}", md_escape(nip));
        }
    }
    o
}

/// Markdown of an incident section placed under a level-3 heading: its own headings go
/// below level 4.
fn demote(md: &str) -> String {
    md.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with('#') && t.trim_start_matches('#').starts_with(' ') {
                format!("###{t}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The label of a KPI group.
pub fn group_label(lang: Lang, g: &str) -> String {
    if g == "all" {
        crate::i18n::text(lang, "all")
    } else {
        crate::i18n::term(lang, "severity", g)
    }
}

/// One CSV field, quoted per RFC 4180; a leading `= + - @` is prefixed with `'` so a
/// spreadsheet never reads a title as a formula.
fn csv_field(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control() || *c == '\n').collect();
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The report as CSV: one row per incident of the period that the audience may see. Hours are
/// written as the report's language writes numbers (`"2,50"` in Indonesian, quoted).
pub fn to_csv(r: &ReportView) -> String {
    let mut o = String::from("id,reported_at,category,severity,tlp,status_at_end");
    for (k, ..) in KPIS {
        let _ = write!(o, ",{k}_hours");
    }
    o.push_str("\r\n");
    for i in &r.incidents {
        let cells = [
            i.id.as_str(),
            i.reported_at.iso.as_str(),
            i.category.as_deref().unwrap_or(""),
            i.severity.as_deref().unwrap_or(""),
            i.tlp,
            i.status_at_end.as_str(),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        o.push_str(&row.join(","));
        for (k, ..) in KPIS {
            let v = i.kpi_hours.get(*k).copied().flatten();
            let cell = v.map(|h| csv_field(&crate::i18n::decimal(r.lang, h, 2)));
            let _ = write!(o, ",{}", cell.unwrap_or_default());
        }
        o.push_str("\r\n");
    }
    o
}

/// The report as JSON (the shape documented in `docs/REPORT.md`).
pub fn to_json(r: &ReportView) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An incident reported in March 2026, with `entries` (time, state) after the report.
    fn incident(entries: &[(&str, &str)]) -> Incident {
        let mut history =
            String::from("  - { at: 2026-03-02T09:00:00+07:00, to: reported, by: helpdesk, actor: siti }\n");
        for (at, to) in entries {
            history.push_str(&format!("  - {{ at: {at}, to: {to}, by: data, actor: agus }}\n"));
        }
        let status = entries.last().map_or("reported", |e| e.1);
        let text = format!(
            "---\nid: INC-2026-0001\ntitle: Situs\nstatus: {status}\nreported_at: 2026-03-02T09:00:00+07:00\nhistory:\n{history}---\n"
        );
        crate::doc::parse(&text, "incidents/2026/INC-2026-0001.md", chrono_tz::Asia::Jakarta)
            .incident
            .expect("parses")
    }

    #[test]
    fn a_period_counts_an_incident_only_while_it_is_on_record() {
        let cfg = Config::builtin();
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().expect("time");
        let month = |m| Period::month(2026, m, cfg.timezone).expect("month");
        let closed = incident(&[
            ("2026-03-03T09:00:00+07:00", "registered"),
            ("2026-03-04T09:00:00+07:00", "rejected"),
        ]);
        let open = incident(&[("2026-03-03T09:00:00+07:00", "registered")]);
        let f = Facts::new(&closed, &cfg, now);
        assert!(!f.on_record_in(&month(2)), "before its report");
        assert!(f.on_record_in(&month(3)));
        assert!(!f.on_record_in(&month(4)), "after it was rejected");
        let f = Facts::new(&open, &cfg, now);
        assert!(!f.on_record_in(&month(2)));
        assert!(f.on_record_in(&month(11)), "still open: in every later period");
        // Where it is passed over, a full pass counts nothing of it either.
        let agg = aggregate(&[Facts::new(&closed, &cfg, now)], &month(4), &cfg, now);
        assert_eq!(agg.totals, Totals::default());
        let agg = aggregate(&[Facts::new(&open, &cfg, now)], &month(11), &cfg, now);
        assert_eq!(agg.totals.open_at_end, 1);
    }

    #[test]
    fn a_period_after_an_open_incidents_last_entry_counts_its_running_stay_and_state_only() {
        let cfg = Config::parse(Some("sla:\n  registered: 1d\n  triage: 2d\n"), "insiden.yaml").expect("config");
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().expect("time");
        let month = |m| Period::month(2026, m, cfg.timezone).expect("month");
        // Resolved in March, reopened in April (a follow-up report), waiting in triage since.
        let inc = incident(&[
            ("2026-03-03T09:00:00+07:00", "registered"),
            ("2026-03-04T09:00:00+07:00", "resolved"),
            ("2026-04-06T09:00:00+07:00", "triage"),
        ]);
        let facts = [Facts::new(&inc, &cfg, now)];
        // The month of its last entry: the reopen and the triage stay that is still running.
        let april = aggregate(&facts, &month(4), &cfg, now);
        assert_eq!((april.totals.reopened, april.totals.open_at_end), (1, 1));
        assert_eq!(april.sla["triage"].ongoing_breached, 1);
        // A later month holds none of its entries: no reopen or KPI sample counts there
        // again, only the stay still running past its limit and the state at the end.
        let june = aggregate(&facts, &month(6), &cfg, now);
        let expected = Totals {
            open_at_end: 1,
            ..Totals::default()
        };
        assert_eq!(june.totals, expected);
        assert!(june.kpi.values().all(|groups| groups.values().all(|s| s.n == 0)));
        assert_eq!(june.sla.keys().collect::<Vec<_>>(), ["triage"]);
        assert_eq!(june.sla["triage"].ongoing_breached, 1);
        assert_eq!(june.breaches.len(), 1);
        assert!(june.breaches[0].ongoing && june.breaches[0].spent_hours > 24.0 * 50.0);
        assert!(june.cohort.is_empty());
        // An entry at the very instant a period begins is one of its events.
        let at_start = incident(&[
            ("2026-03-03T09:00:00+07:00", "registered"),
            ("2026-03-04T09:00:00+07:00", "resolved"),
            ("2026-05-01T00:00:00+07:00", "triage"),
        ]);
        let may = aggregate(&[Facts::new(&at_start, &cfg, now)], &month(5), &cfg, now);
        assert_eq!(
            month(5).from,
            "2026-05-01T00:00:00+07:00".parse::<Timestamp>().expect("time")
        );
        assert_eq!((may.totals.reopened, may.totals.open_at_end), (1, 1));
    }

    #[test]
    fn median_and_p90_interpolate_between_ranks() {
        let s = Stat::of(vec![10.0, 1.0, 2.0, 4.0, 3.0]);
        assert_eq!((s.n, s.median, s.p90), (5, Some(3.0), Some(7.6)));
        let s = Stat::of(vec![1.0, 2.0]);
        assert_eq!((s.median, s.p90), (Some(1.5), Some(1.9)));
        assert_eq!(Stat::of(vec![]).median, None);
        assert_eq!(Stat::of(vec![5.0]).p90, Some(5.0));
    }

    #[test]
    fn markdown_text_is_escaped_entities_included() {
        assert_eq!(md_escape("a &amp; <b> | c"), "a \\&amp; \\<b\\> \\| c");
        // Rendered, the text reads as written: an entity in a title stays an entity's text.
        let html = crate::markdown::to_html(&md_escape("Tom &amp; Jerry &#60;script&#62; ![x](y)"), 0, "");
        assert!(
            html.contains("Tom &amp;amp; Jerry &amp;#60;script&amp;#62; ![x](y)"),
            "{html}"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
