//! Every count the site and the periodic reports publish, decided together: the site-wide
//! suppression table.
//!
//! A reader combines every page with every other: a quarter's report with its months', the
//! archive's months with the year, the overview's steps with its phases. So the public
//! edition's numbers are not suppressed page by page but here, once, over every period the
//! site publishes (each month from January of the first year with an incident to the newest
//! change, each quarter and year, and all time) and the overview, as tables of cells and
//! groups protected by `disclosure` (docs/SITE.md "Small counts"):
//!
//! * **time**: incidents reported per month, quarter, year and all time (months add up to
//!   quarters, quarters to years, years to all time);
//! * **totals** of each period (rejected, in and out of scope, closed, closed by autoresolve,
//!   reopened, open at the end, onward reporting) with the same label over the periods;
//! * one table per **breakdown** (category, severity, TLP, channel, reporter type,
//!   resolution, rejection code): a row's label is shown only while its restricted count is
//!   `N` or more, in every period at once, and the rest merge into one "other" row;
//! * the **KPIs'** `n` per severity and the **SLA** per state;
//! * the **overview**: incidents by state, open ones by SOP step and by phase, the last 30
//!   days.
//!
//! A table solved earlier hands its cells' bounds to the later ones (a period's count is the
//! total of its breakdowns). The internal edition runs the same code with nothing hidden.
//! Pure: no I/O, no clock; `now` and the newest change are arguments.

use crate::config::Config;
use crate::disclosure::{Count, Solution, Table, Tally};
use crate::model::{Incident, Timestamp, Tlp};
use crate::report::{aggregate, Aggregate, Facts, Period, PeriodKind, GROUPS, KPIS, NONE};
use chrono::Datelike;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The key of a breakdown's row that merges every value too rare to be named: no value of
/// any field is written so (`other` is a channel, a reporter type and a resolution).
pub const OTHER: &str = "*";

/// The breakdowns of a period's cohort, in report order.
pub const BREAKDOWNS: &[&str] = &[
    "by_category",
    "by_severity",
    "by_reporter_type",
    "by_channel",
    "by_tlp",
    "by_resolution",
    "rejected_by_code",
];

/// The totals of a period, in report order; `reported` is the period's own count.
pub const TOTALS: &[&str] = &[
    "reported",
    "rejected",
    "in_scope",
    "out_of_scope",
    "closed",
    "autoresolved",
    "reopened",
    "open_at_end",
];

/// The SOP's phases, for an overview whose per-step counts would be hidden: (key, first
/// step, last step). The built-in SOP's ten steps make four: received (validation,
/// registration, triage), handled (coordination, handling, the handling report), delivered
/// (recorded at the helpdesk and handed to the requester) and completion (documentation and
/// the autoresolve window). Steps after the last range belong to the last phase.
pub const PHASES: &[(&str, u8, u8)] = &[
    ("received", 1, 3),
    ("handled", 4, 6),
    ("delivered", 7, 8),
    ("completion", 9, u8::MAX),
];

/// How many days the overview's "recent" figures cover.
pub const RECENT_DAYS: i64 = 30;

/// A published number as the audience sees it: the whole count, and its restricted part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub count: Count,
    pub restricted: Count,
    /// The listed TLP:CLEAR incidents it includes.
    pub clear: usize,
}

impl Cell {
    fn of(s: &Solution, i: usize) -> Cell {
        Cell {
            count: s.count(i),
            restricted: s.restricted(i),
            clear: s.tally(i).clear,
        }
    }

    /// As a page that lists the value's TLP:CLEAR incidents may print it when the value is
    /// not named (a breakdown's row merged into "other"): its restricted part withheld.
    pub fn unnamed(self) -> Count {
        match self.restricted {
            Count::Shown(_) => self.count,
            Count::Range { .. } => Count::at_least(self.clear),
        }
    }

    /// A number shown as it is (TLP:CLEAR incidents only, or the internal edition).
    pub fn exact(t: Tally) -> Cell {
        Cell {
            count: Count::Shown(t.all()),
            restricted: Count::Shown(t.restricted),
            clear: t.clear,
        }
    }
}

/// The rows of a breakdown as published: `(key, cell)`, the last one possibly [`OTHER`]; or
/// `withheld` (no row) when naming even one value would say too much.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    pub rows: Vec<(String, Cell)>,
    pub withheld: bool,
}

/// The numbers of one period, decided.
#[derive(Debug, Clone)]
pub struct PeriodCounts {
    pub period: Period,
    /// Over every incident: medians, lists and the internal edition's numbers.
    pub agg: Aggregate,
    /// Over the TLP:CLEAR incidents alone (the public edition's listed part).
    pub clear: Aggregate,
    /// [`TOTALS`] → cell.
    pub totals: BTreeMap<&'static str, Cell>,
    pub by_month: Vec<((i32, u32), Cell)>,
    /// [`BREAKDOWNS`] → rows.
    pub breakdowns: BTreeMap<&'static str, Rows>,
    /// KPI → group (`GROUPS`) → the `n` behind it.
    pub kpi: BTreeMap<&'static str, BTreeMap<&'static str, Cell>>,
    /// State with an SLA → within, breached, still running and breached.
    pub sla: BTreeMap<String, [Cell; 3]>,
    /// Onward reporting: required, recorded.
    pub onward: [Cell; 2],
}

impl PeriodCounts {
    pub fn reported(&self) -> Cell {
        self.totals["reported"]
    }
}

/// The overview's numbers (now, and over all time), decided with the periods'.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The newest history entry: what every count is as of.
    pub updated: Option<Timestamp>,
    pub total: Cell,
    pub open: Cell,
    /// Every workflow state, in workflow order.
    pub states: Vec<(String, Cell)>,
    pub by_status: Rows,
    /// Open incidents per SOP step, in step order.
    pub steps: Vec<(u8, Cell)>,
    /// The same as a breakdown of the open incidents (keys are the step numbers).
    pub by_stage: Rows,
    /// Open incidents per phase ([`PHASES`]).
    pub phases: Vec<(&'static str, Cell)>,
    /// All time, by category.
    pub by_category: Rows,
    /// Every category (and `none`) over all time, for the category pages.
    pub categories: BTreeMap<String, Cell>,
    /// `[from, to)` of the recent figures, and incidents reported and closed in it.
    pub recent: Option<(Timestamp, Timestamp)>,
    pub recent_reported: Cell,
    pub recent_closed: Cell,
}

/// The decided numbers of every period and of the overview.
#[derive(Debug, Clone)]
pub struct Census {
    pub periods: Vec<PeriodCounts>,
    pub overview: Option<Overview>,
}

impl Census {
    /// The numbers of the period with this key (`2026-01`, `2026-Q1`, `2026`, custom).
    pub fn period(&self, key: &str) -> Option<&PeriodCounts> {
        self.periods.iter().find(|p| p.period.key == key)
    }
}

/// What to decide.
pub struct Input<'a, 'f> {
    pub cfg: &'a Config,
    pub facts: &'a [Facts<'f>],
    /// Whether the audience is the public (else nothing is hidden).
    pub public: bool,
    /// The time ages and SLAs are measured at.
    pub now: Timestamp,
    pub periods: Vec<Period>,
    /// Decide the overview too (the site), as of this newest change.
    pub overview: bool,
}

/// The newest history entry of all incidents: what the site's numbers are as of.
pub fn updated(incidents: &[&Incident]) -> Option<Timestamp> {
    incidents.iter().filter_map(|i| i.history.last().map(|e| e.at)).max()
}

/// The periods the site publishes: every month from January of the first year with a
/// reported incident up to the newest change (or the newest report), and every quarter and
/// year they make. A period's page exists whether or not it had incidents, so that its
/// existence tells nothing.
pub fn site_periods(facts: &[Facts<'_>], cfg: &Config, updated: Option<Timestamp>) -> Vec<Period> {
    let tz = cfg.timezone;
    let month = |t: Timestamp| {
        let l = crate::time::in_zone(t, tz);
        (l.year(), l.month())
    };
    let reported: Vec<(i32, u32)> = facts.iter().filter_map(|f| f.reported.map(month)).collect();
    let Some(first) = reported.iter().min() else {
        return Vec::new();
    };
    let last = reported
        .iter()
        .copied()
        .chain(updated.map(month))
        .max()
        .unwrap_or(*first);
    let mut months = Vec::new();
    let (mut y, mut m) = (first.0, 1);
    while (y, m) <= last && months.len() < 12 * 200 {
        months.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let quarters: BTreeSet<(i32, u32)> = months.iter().map(|(y, m)| (*y, (m - 1) / 3 + 1)).collect();
    let years: BTreeSet<i32> = months.iter().map(|(y, _)| *y).collect();
    let mut out: Vec<Period> = months.iter().filter_map(|(y, m)| Period::month(*y, *m, tz)).collect();
    out.extend(quarters.iter().filter_map(|(y, q)| Period::quarter(*y, *q, tz)));
    out.extend(years.iter().filter_map(|y| Period::year(*y, tz)));
    out
}

/// The period a standard period belongs to (month → quarter → year), by key.
fn parent_key(p: &Period, tz: chrono_tz::Tz) -> Option<String> {
    let l = crate::time::in_zone(p.from, tz);
    match p.kind {
        PeriodKind::Month => Some(format!("{:04}-Q{}", l.year(), (l.month() - 1) / 3 + 1)),
        PeriodKind::Quarter => Some(format!("{:04}", l.year())),
        PeriodKind::Year | PeriodKind::Custom => None,
    }
}

/// The values a breakdown's rows may take, TLP:CLEAR-only ones left out (`by_tlp`'s
/// `clear`, which is the number of listed incidents): every value of the field and `none`,
/// since a reader knows them all and an absent row must not tell which are rare.
fn domain(cfg: &Config, name: &str) -> Vec<String> {
    fn all<T: Copy>(v: &[T], s: fn(T) -> &'static str) -> Vec<String> {
        v.iter().map(|x| s(*x).to_owned()).collect()
    }
    use crate::model::{Channel, RejectionCode, ReporterType, Resolution, Severity};
    let mut d = match name {
        "by_category" => cfg.categories.iter().map(|c| c.id.clone()).collect(),
        "by_severity" => all(Severity::ALL, Severity::as_str),
        "by_reporter_type" => all(ReporterType::ALL, ReporterType::as_str),
        "by_channel" => all(Channel::ALL, Channel::as_str),
        "by_tlp" => Tlp::ALL
            .iter()
            .filter(|t| **t != Tlp::Clear)
            .map(|t| t.as_str().to_owned())
            .collect(),
        "by_resolution" => all(Resolution::ALL, Resolution::as_str),
        "rejected_by_code" => all(RejectionCode::ALL, RejectionCode::as_str),
        _ => Vec::new(),
    };
    d.push(NONE.to_owned());
    d
}

fn pick<'a>(a: &'a Aggregate, name: &str) -> Option<&'a BTreeMap<String, usize>> {
    Some(match name {
        "by_category" => &a.by_category,
        "by_severity" => &a.by_severity,
        "by_reporter_type" => &a.by_reporter_type,
        "by_channel" => &a.by_channel,
        "by_tlp" => &a.by_tlp,
        "by_resolution" => &a.by_resolution,
        "rejected_by_code" => &a.rejected_by_code,
        _ => return None,
    })
}

/// The published rows of a breakdown whose `members` ((key, cell), every value) add up to
/// `total`: every row whose restricted part is shown, then one [`OTHER`] row for the rest;
/// every row when nothing restricted is left in the rest (it says nothing more than its
/// count, zero); withheld when the total is not shown or no row could be named.
fn rows(s: &Solution, total: usize, members: &[(String, usize)], internal: bool) -> Rows {
    let present = |m: &usize| s.tally(*m).all() > 0;
    if internal {
        return Rows {
            rows: members
                .iter()
                .filter(|(_, m)| present(m))
                .map(|(k, m)| (k.clone(), Cell::exact(s.tally(*m))))
                .collect(),
            withheld: false,
        };
    }
    if !s.shown(total) {
        return Rows {
            rows: Vec::new(),
            withheld: true,
        };
    }
    let rest: Tally = members
        .iter()
        .filter(|(_, m)| !s.shown(*m))
        .map(|(_, m)| s.tally(*m))
        .sum();
    if rest.restricted == 0 {
        return Rows {
            rows: members
                .iter()
                .filter(|(_, m)| present(m))
                .map(|(k, m)| (k.clone(), Cell::exact(s.tally(*m))))
                .collect(),
            withheld: false,
        };
    }
    let mut out: Vec<(String, Cell)> = members
        .iter()
        .filter(|(_, m)| s.shown(*m))
        .map(|(k, m)| (k.clone(), Cell::of(s, *m)))
        .collect();
    if out.is_empty() {
        return Rows {
            rows: Vec::new(),
            withheld: true,
        };
    }
    out.push((OTHER.to_owned(), Cell::exact(rest)));
    Rows {
        rows: out,
        withheld: false,
    }
}

/// The groups of one label over the period hierarchy: for each period with children, the
/// children's cells add up to its cell (`cell_of[i]`: the label's cell in period `i`).
fn over_time(t: &mut Table, children: &[Vec<usize>], cell_of: &[Option<usize>], root: Option<(usize, &[usize])>) {
    for (i, kids) in children.iter().enumerate() {
        let Some(total) = cell_of[i] else { continue };
        let members: Vec<usize> = kids.iter().filter_map(|k| cell_of[*k]).collect();
        if !kids.is_empty() && members.len() == kids.len() {
            t.group(members, total, true);
        }
    }
    if let Some((total, years)) = root {
        let members: Vec<usize> = years.iter().filter_map(|y| cell_of[*y]).collect();
        if !members.is_empty() && members.len() == years.len() {
            t.group(members, total, true);
        }
    }
}

/// A breakdown decided: its name, its rows in each period, and all time (rows, and every
/// value's cell) when published.
type Decided = (&'static str, Vec<Rows>, Option<(Rows, BTreeMap<String, Cell>)>);

/// Decides every number of `input`: see the module documentation.
pub fn census(input: &Input<'_, '_>) -> Census {
    let cfg = input.cfg;
    let tz = cfg.timezone;
    let min = if input.public { cfg.site.public_min_count } else { 0 };
    let internal = !input.public;
    let split = |all: usize, clear: usize| Tally::split(all, clear);
    let clear_facts: Vec<Facts<'_>> = if input.public {
        input
            .facts
            .iter()
            .filter(|f| f.incident.effective_tlp() == Tlp::Clear)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let aggs: Vec<(Aggregate, Aggregate)> = input
        .periods
        .par_iter()
        .map(|p| {
            (
                aggregate(input.facts, p, cfg, input.now),
                aggregate(&clear_facts, p, cfg, input.now),
            )
        })
        .collect();
    let n = input.periods.len();
    // The hierarchy: children of each period, and the years (children of all time).
    let index: BTreeMap<&str, usize> = input
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, p) in input.periods.iter().enumerate() {
        if let Some(parent) = parent_key(p, tz).and_then(|k| index.get(k.as_str())) {
            children[*parent].push(i);
        }
    }
    let years: Vec<usize> = (0..n).filter(|i| input.periods[*i].kind == PeriodKind::Year).collect();
    let all_time = input.overview && !years.is_empty();

    // Time: incidents reported per period, and all time.
    let mut tt = Table::new(min);
    let rep: Vec<usize> = aggs
        .iter()
        .map(|(a, c)| tt.cell(split(a.totals.reported, c.totals.reported)))
        .collect();
    let root = all_time.then(|| {
        let t: Tally = years
            .iter()
            .map(|y| split(aggs[*y].0.totals.reported, aggs[*y].1.totals.reported))
            .sum();
        // The years say more to a reader than all time: withdraw all time first.
        let c = tt.cell(t);
        tt.expendable(c);
        c
    });
    over_time(
        &mut tt,
        &children,
        &rep.iter().copied().map(Some).collect::<Vec<_>>(),
        root.map(|r| (r, years.as_slice())),
    );
    // The months of each period: the site's month cells, or (a custom period's, or a period
    // outside the site) cells of their own adding up to the period's.
    let mut by_month_cells: Vec<Vec<((i32, u32), usize)>> = Vec::with_capacity(n);
    for (i, (a, c)) in aggs.iter().enumerate() {
        let own: Vec<((i32, u32), Option<usize>)> = a
            .by_month
            .iter()
            .map(|((y, m), _)| {
                let key = format!("{y:04}-{m:02}");
                let cell = (input.periods[i].kind != PeriodKind::Custom)
                    .then(|| index.get(key.as_str()).map(|j| rep[*j]))
                    .flatten();
                ((*y, *m), cell)
            })
            .collect();
        // A month of a site period is that month's own cell; one after the newest change
        // (December, on a year not over) had nothing yet and is left out.
        let cells: Vec<((i32, u32), usize)> = if own.iter().any(|(_, c)| c.is_some()) {
            own.into_iter().filter_map(|(k, c)| Some((k, c?))).collect()
        } else {
            let cells: Vec<((i32, u32), usize)> = a
                .by_month
                .iter()
                .zip(&c.by_month)
                .map(|((k, n), (_, cn))| (*k, tt.cell(split(*n, *cn))))
                .collect();
            tt.group(cells.iter().map(|(_, x)| *x).collect(), rep[i], false);
            cells
        };
        by_month_cells.push(cells);
    }
    let time = tt.solve();
    let given = |t: &mut Table, s: &Solution, cell: usize| t.given(s.tally(cell), s.bounds(cell));

    // The overview: states, steps, phases, the recent days.
    let w = &cfg.workflow;
    let overview_parts = input.overview.then(|| {
        let one = |f: &Facts<'_>| {
            if f.incident.effective_tlp() == Tlp::Clear && input.public {
                Tally {
                    clear: 1,
                    restricted: 0,
                }
            } else {
                Tally {
                    clear: 0,
                    restricted: 1,
                }
            }
        };
        let count =
            |p: &dyn Fn(&Incident) -> bool| -> Tally { input.facts.iter().filter(|f| p(f.incident)).map(one).sum() };
        let mut st = Table::new(min);
        let total = match root {
            Some(r) => given(&mut st, &time, r),
            None => st.cell(count(&|_| true)),
        };
        let states: Vec<(String, usize)> = w
            .states
            .iter()
            .map(|s| {
                // The final states are rows of their own (closed, rejected); the others are
                // rows of the breakdown by status only.
                let t = count(&|i| i.status == s.id);
                let c = if s.is_final { st.cell(t) } else { st.merged(t) };
                (s.id.clone(), c)
            })
            .collect();
        let open = st.cell(count(&|i| !w.is_final(&i.status)));
        st.breakdown(states.iter().map(|(_, c)| *c).collect(), total);
        let open_states: Vec<usize> = states.iter().filter(|(s, _)| !w.is_final(s)).map(|(_, c)| *c).collect();
        st.group(open_states, open, false);
        let mut finals: Vec<usize> = states.iter().filter(|(s, _)| w.is_final(s)).map(|(_, c)| *c).collect();
        finals.push(open);
        st.group(finals, total, false);
        let steps: Vec<(u8, usize)> = w
            .steps
            .iter()
            .map(|step| {
                let c = st.merged(count(&|i| {
                    !w.is_final(&i.status) && w.stage(&i.status) == Some(step.step)
                }));
                let members: Vec<usize> = states
                    .iter()
                    .filter(|(s, _)| !w.is_final(s) && w.stage(s) == Some(step.step))
                    .map(|(_, c)| *c)
                    .collect();
                if !members.is_empty() {
                    st.group(members, c, false);
                }
                (step.step, c)
            })
            .collect();
        st.breakdown(steps.iter().map(|(_, c)| *c).collect(), open);
        let phases: Vec<(&'static str, usize)> = PHASES
            .iter()
            .enumerate()
            .map(|(k, (key, from, to))| {
                let last = k + 1 == PHASES.len();
                let inside = |s: u8| s >= *from && (s <= *to || last);
                let c = st.cell(count(&|i| {
                    !w.is_final(&i.status) && w.stage(&i.status).is_some_and(inside)
                }));
                st.group(
                    steps.iter().filter(|(s, _)| inside(*s)).map(|(_, c)| *c).collect(),
                    c,
                    false,
                );
                (*key, c)
            })
            .collect();
        st.group(phases.iter().map(|(_, c)| *c).collect(), open, false);
        let recent = updated_of(input.facts).map(|u| {
            let end = crate::time::in_zone(u, tz).date_naive() + chrono::Duration::days(1);
            let to = crate::time::localize(end.and_time(chrono::NaiveTime::MIN), tz).unwrap_or(u);
            (to - chrono::Duration::days(RECENT_DAYS), to)
        });
        let within = |t: Timestamp| recent.is_some_and(|(f, to)| t >= f && t < to);
        let recent_reported = st.cell(count(&|i| {
            i.reported_at
                .or_else(|| i.history.first().map(|e| e.at))
                .is_some_and(within)
        }));
        let recent_closed = st.cell(count(&|i| {
            let mut prev: Option<&str> = None;
            i.history.iter().any(|e| {
                let closed = e.to == crate::report::CLOSED && prev != Some(crate::report::CLOSED) && within(e.at);
                prev = Some(&e.to);
                closed
            })
        }));
        let s = st.solve();
        let step_members: Vec<(String, usize)> = steps.iter().map(|(k, c)| (k.to_string(), *c)).collect();
        let overview = Overview {
            updated: updated_of(input.facts),
            total: Cell::of(&s, total),
            open: Cell::of(&s, open),
            states: states.iter().map(|(k, c)| (k.clone(), Cell::of(&s, *c))).collect(),
            by_status: rows(&s, total, &states, internal),
            steps: steps.iter().map(|(k, c)| (*k, Cell::of(&s, *c))).collect(),
            by_stage: rows(&s, open, &step_members, internal),
            phases: phases.iter().map(|(k, c)| (*k, Cell::of(&s, *c))).collect(),
            // Decided with the categories' table below.
            by_category: Rows::default(),
            categories: BTreeMap::new(),
            recent,
            recent_reported: Cell::of(&s, recent_reported),
            recent_closed: Cell::of(&s, recent_closed),
        };
        (overview, s, open)
    });

    // Totals of each period, with the same label over the periods.
    let mut ot = Table::new(min);
    let open_now = overview_parts.as_ref().map(|(_, s, open)| (*open, s));
    #[derive(Clone, Copy)]
    struct TotalCells {
        rejected: usize,
        in_scope: usize,
        out_of_scope: usize,
        untriaged: usize,
        closed: usize,
        autoresolved: usize,
        by_hand: usize,
        reopened: usize,
        open_at_end: usize,
        required: usize,
        recorded: usize,
        missing: usize,
    }
    let totals: Vec<TotalCells> = aggs
        .iter()
        .enumerate()
        .map(|(i, (a, c))| {
            let (at, ct) = (&a.totals, &c.totals);
            let reported = given(&mut ot, &time, rep[i]);
            let cell = |ot: &mut Table, x: usize, y: usize| ot.cell(split(x, y));
            let in_scope = cell(&mut ot, at.in_scope, ct.in_scope);
            let out_of_scope = cell(&mut ot, at.out_of_scope, ct.out_of_scope);
            let untriaged = ot.derived(split(
                at.reported - at.in_scope - at.out_of_scope,
                ct.reported - ct.in_scope - ct.out_of_scope,
            ));
            ot.group(vec![in_scope, out_of_scope, untriaged], reported, false);
            let closed = cell(&mut ot, at.closed, ct.closed);
            let autoresolved = cell(&mut ot, at.autoresolved, ct.autoresolved);
            let by_hand = ot.derived(split(at.closed - at.autoresolved, ct.closed - ct.autoresolved));
            ot.group(vec![autoresolved, by_hand], closed, false);
            let (req, creq) = (a.onward_required.len(), c.onward_required.len());
            let (rec, crec) = (a.onward_recorded.len(), c.onward_recorded.len());
            let required = cell(&mut ot, req, creq);
            let recorded = cell(&mut ot, rec, crec);
            let missing = ot.derived(split(req - rec, creq - crec));
            ot.group(vec![recorded, missing], required, false);
            // At the end of a period not over yet, the open incidents are the overview's.
            let open_at_end = match open_now {
                Some((open, s)) if input.periods[i].to > input.now => given(&mut ot, s, open),
                _ => cell(&mut ot, at.open_at_end, ct.open_at_end),
            };
            TotalCells {
                rejected: cell(&mut ot, at.rejected, ct.rejected),
                in_scope,
                out_of_scope,
                untriaged,
                closed,
                autoresolved,
                by_hand,
                reopened: cell(&mut ot, at.reopened, ct.reopened),
                open_at_end,
                required,
                recorded,
                missing,
            }
        })
        .collect();
    let additive: [fn(&TotalCells) -> usize; 10] = [
        |t| t.in_scope,
        |t| t.out_of_scope,
        |t| t.untriaged,
        |t| t.closed,
        |t| t.autoresolved,
        |t| t.by_hand,
        |t| t.reopened,
        |t| t.required,
        |t| t.recorded,
        |t| t.missing,
    ];
    for f in additive {
        let cells: Vec<Option<usize>> = totals.iter().map(|t| Some(f(t))).collect();
        over_time(&mut ot, &children, &cells, None);
    }
    let tots = ot.solve();

    // One table per breakdown.
    let breakdown_rows: Vec<Decided> = BREAKDOWNS
        .par_iter()
        .map(|name| {
            let mut keys = domain(cfg, name);
            for (a, _) in &aggs {
                if let Some(m) = pick(a, name) {
                    for k in m.keys() {
                        let clear_only = *name == "by_tlp" && k == Tlp::Clear.as_str();
                        if !clear_only && !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                }
            }
            let mut bt = Table::new(min);
            let value = |m: Option<&BTreeMap<String, usize>>, k: &str| m.and_then(|m| m.get(k)).copied().unwrap_or(0);
            let cells: Vec<(usize, Vec<(String, usize)>)> = aggs
                .iter()
                .enumerate()
                .map(|(i, (a, c))| {
                    let total = if *name == "rejected_by_code" {
                        given(&mut bt, &tots, totals[i].rejected)
                    } else {
                        given(&mut bt, &time, rep[i])
                    };
                    let members: Vec<(String, usize)> = keys
                        .iter()
                        .map(|k| {
                            let t = split(value(pick(a, name), k), value(pick(c, name), k));
                            (k.clone(), bt.merged(t))
                        })
                        .collect();
                    bt.breakdown(members.iter().map(|(_, m)| *m).collect(), total);
                    (total, members)
                })
                .collect();
            // All time, for the overview and the category pages.
            let root_cells = (all_time && *name == "by_category").then(|| {
                let total = given(&mut bt, &time, root.unwrap_or_default());
                let members: Vec<(String, usize)> = keys
                    .iter()
                    .map(|k| {
                        let t: Tally = years
                            .iter()
                            .map(|y| split(value(pick(&aggs[*y].0, name), k), value(pick(&aggs[*y].1, name), k)))
                            .sum();
                        (k.clone(), bt.merged(t))
                    })
                    .collect();
                bt.breakdown(members.iter().map(|(_, m)| *m).collect(), total);
                (total, members)
            });
            if *name != "rejected_by_code" {
                for (k, _) in keys.iter().enumerate() {
                    let of: Vec<Option<usize>> = cells.iter().map(|(_, m)| Some(m[k].1)).collect();
                    let root = root_cells.as_ref().map(|(_, m)| (m[k].1, years.as_slice()));
                    over_time(&mut bt, &children, &of, root);
                }
            }
            let s = bt.solve();
            let per_period = cells
                .iter()
                .map(|(total, members)| rows(&s, *total, members, internal))
                .collect();
            let root = root_cells.map(|(total, members)| {
                let every = members.iter().map(|(k, m)| (k.clone(), Cell::of(&s, *m))).collect();
                (rows(&s, total, &members, internal), every)
            });
            (*name, per_period, root)
        })
        .collect();

    // The KPIs' n per severity ("none", never printed, completes "all").
    let mut kt = Table::new(min);
    let kpi_cells: Vec<BTreeMap<&'static str, BTreeMap<&'static str, usize>>> = aggs
        .iter()
        .map(|(a, c)| {
            KPIS.iter()
                .map(|(k, ..)| {
                    let n = |x: &Aggregate, g: &str| x.kpi.get(k).and_then(|m| m.get(g)).map_or(0, |s| s.n);
                    let mut m: BTreeMap<&'static str, usize> =
                        GROUPS.iter().map(|g| (*g, kt.cell(split(n(a, g), n(c, g))))).collect();
                    let sev = |x: &Aggregate| GROUPS[1..].iter().map(|g| n(x, g)).sum::<usize>();
                    let none = kt.derived(split(n(a, "all") - sev(a), n(c, "all") - sev(c)));
                    let mut members: Vec<usize> = GROUPS[1..].iter().map(|g| m[g]).collect();
                    members.push(none);
                    kt.group(members, m["all"], false);
                    m.insert(NONE, none);
                    (*k, m)
                })
                .collect()
        })
        .collect();
    for (k, ..) in KPIS {
        for g in GROUPS.iter().chain([&NONE]) {
            let of: Vec<Option<usize>> = kpi_cells.iter().map(|m| Some(m[k][g])).collect();
            over_time(&mut kt, &children, &of, None);
        }
    }
    let kpis = kt.solve();

    // The SLA of each state that has one.
    let sla_states: Vec<String> = w
        .states
        .iter()
        .filter(|s| cfg.sla.get(&s.id).is_some())
        .map(|s| s.id.clone())
        .collect();
    let mut lt = Table::new(min);
    let sla_cells: Vec<Vec<[usize; 3]>> = aggs
        .iter()
        .map(|(a, c)| {
            sla_states
                .iter()
                .map(|s| {
                    let x = a.sla.get(s).copied().unwrap_or_default();
                    let y = c.sla.get(s).copied().unwrap_or_default();
                    [
                        lt.cell(split(x.within, y.within)),
                        lt.cell(split(x.breached, y.breached)),
                        lt.cell(split(x.ongoing_breached, y.ongoing_breached)),
                    ]
                })
                .collect()
        })
        .collect();
    for (k, _) in sla_states.iter().enumerate() {
        for part in 0..2 {
            let of: Vec<Option<usize>> = sla_cells.iter().map(|v| Some(v[k][part])).collect();
            over_time(&mut lt, &children, &of, None);
        }
    }
    let slas = lt.solve();

    let mut breakdowns: Vec<BTreeMap<&'static str, Rows>> = vec![BTreeMap::new(); n];
    let mut root_category = None;
    for (name, per_period, root) in breakdown_rows {
        for (i, mut r) in per_period.into_iter().enumerate() {
            // TLP:CLEAR incidents are listed: their number is shown as it is, first.
            let clear = aggs[i].0.by_tlp.get(Tlp::Clear.as_str()).copied().unwrap_or(0);
            if name == "by_tlp" && clear > 0 && !r.withheld {
                let cell = Cell::exact(Tally { clear, restricted: 0 });
                r.rows.insert(0, (Tlp::Clear.as_str().to_owned(), cell));
            }
            breakdowns[i].insert(name, r);
        }
        if root.is_some() {
            root_category = root;
        }
    }
    let periods: Vec<PeriodCounts> = aggs
        .into_iter()
        .zip(input.periods.iter())
        .zip(breakdowns)
        .enumerate()
        .map(|(i, (((agg, clear), period), breakdowns))| {
            let t = &totals[i];
            let mut totals_map = BTreeMap::new();
            totals_map.insert("reported", Cell::of(&time, rep[i]));
            for (k, c) in [
                ("rejected", t.rejected),
                ("in_scope", t.in_scope),
                ("out_of_scope", t.out_of_scope),
                ("closed", t.closed),
                ("autoresolved", t.autoresolved),
                ("reopened", t.reopened),
                ("open_at_end", t.open_at_end),
            ] {
                let mut cell = Cell::of(&tots, c);
                if k == "open_at_end" {
                    if let (Some((open, s)), true) = (open_now, period.to > input.now) {
                        cell = Cell::of(s, open);
                    }
                }
                totals_map.insert(k, cell);
            }
            PeriodCounts {
                period: period.clone(),
                totals: totals_map,
                by_month: by_month_cells[i]
                    .iter()
                    .map(|(k, c)| (*k, Cell::of(&time, *c)))
                    .collect(),
                breakdowns,
                kpi: kpi_cells[i]
                    .iter()
                    .map(|(k, m)| {
                        (
                            *k,
                            m.iter()
                                .filter(|(g, _)| **g != NONE)
                                .map(|(g, c)| (*g, Cell::of(&kpis, *c)))
                                .collect(),
                        )
                    })
                    .collect(),
                sla: sla_states
                    .iter()
                    .zip(&sla_cells[i])
                    .map(|(s, c)| (s.clone(), c.map(|x| Cell::of(&slas, x))))
                    .collect(),
                onward: [Cell::of(&tots, t.required), Cell::of(&tots, t.recorded)],
                agg,
                clear,
            }
        })
        .collect();
    let overview = overview_parts.map(|(mut o, _, _)| {
        (o.by_category, o.categories) = root_category.unwrap_or_default();
        o
    });
    Census { periods, overview }
}

fn updated_of(facts: &[Facts<'_>]) -> Option<Timestamp> {
    facts
        .iter()
        .filter_map(|f| f.incident.history.last().map(|e| e.at))
        .max()
}
