//! The static site's page plan: from the validated incidents, an audience and a language, the
//! complete list of `(relative path, bytes)` to write, sorted so the same input gives the same
//! bytes. Every index (by stage, year, month, category, owner, period) is built once; pages
//! are rendered in parallel.
//!
//! Pure apart from rendering: it never reads the clock (`now` is an argument), the
//! filesystem or git. Views come from `audience`, numbers from `report`, markup from
//! `templates` and `charts`; `cmd/build.rs` hands the plan to `store::write_tree_atomic`.

pub mod charts;
pub mod templates;

use crate::audience::{Audience, Breakdown, Count, Group, IncidentRow, Lens, Tally};
use crate::config::Config;
use crate::i18n::{self, TimeText};
use crate::model::{Incident, Timestamp};
use crate::report::{Facts, Period};
use crate::workflow::Lang;
use chrono::Datelike;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use templates::{context, Value};
use templates::{safe, value, TemplateError, Templates};

/// One file of the site: path relative to the output folder, and its bytes.
pub type Page = (String, Vec<u8>);

/// What to build.
pub struct Build<'a> {
    pub cfg: &'a Config,
    /// Every valid incident.
    pub incidents: Vec<&'a Incident>,
    pub audience: Audience,
    pub lang: Lang,
    /// The time ages and SLAs are measured at.
    pub now: Timestamp,
    /// Whether `now` was given (`--now`): only then is it printed on pages.
    pub show_now: bool,
}

/// How many changes the Atom feed carries.
pub const FEED_ENTRIES: usize = 50;
/// How many closures the overview lists.
const RECENT_CLOSURES: usize = 10;

#[derive(Serialize)]
struct SiteView {
    title: String,
    organization: String,
    unit: String,
    sop: String,
    lang: Lang,
    audience: Audience,
    internal: bool,
    edition: String,
    notice: String,
    base_url: String,
    as_of: Option<TimeText>,
}

/// A labelled count, optionally linking to its page.
#[derive(Debug, Clone, Serialize)]
struct CountRow {
    label: String,
    href: Option<String>,
    count: Count,
}

#[derive(Serialize)]
struct CountTable {
    title: String,
    rows: Vec<CountRow>,
}

/// The data of `list.html`: a heading, count tables and the visible incidents.
#[derive(Serialize)]
struct ListPage {
    title: String,
    nav: &'static str,
    intro: Option<String>,
    tables: Vec<CountTable>,
    rows: Vec<IncidentRow>,
    restricted: Option<Count>,
}

#[derive(Serialize)]
struct Stage {
    step: u8,
    label: String,
    count: Count,
    rows: Vec<IncidentRow>,
}

#[derive(Serialize)]
struct Breach {
    row: IncidentRow,
    state: String,
    spent: String,
    limit: String,
}

struct Ctx<'a> {
    b: &'a Build<'a>,
    lens: Lens<'a>,
    tpl: &'a Templates,
    /// Shared values for pages at the root and one folder down.
    base: [Value; 2],
    facts: Vec<Facts<'a>>,
    shared: Shared,
}

/// Counts that several pages publish (the overview, `api/status.json`, the archive, the
/// category index and the report index), suppressed together as one table so that each
/// number reads the same wherever it appears and no page's totals give a hidden one away.
struct Shared {
    /// Per workflow state, in workflow order, over every incident.
    states: Vec<Count>,
    /// Open incidents per SOP step, in step order.
    stages: Vec<Count>,
    open: Count,
    total: Count,
    /// Category (with `none`) → count; every configured category is a key.
    categories: BTreeMap<String, Count>,
    /// Incidents by the month, quarter and year of their report.
    months: BTreeMap<(i32, u32), Count>,
    quarters: BTreeMap<(i32, u32), Count>,
    years: BTreeMap<i32, Count>,
    /// The restricted part of some of the above, suppressed with them: what a page says of
    /// its restricted incidents is the part of its count that a reader cannot list.
    r_states: Vec<Count>,
    r_open: Count,
    r_total: Count,
    r_categories: BTreeMap<String, Count>,
    r_months: BTreeMap<(i32, u32), Count>,
    r_quarters: BTreeMap<(i32, u32), Count>,
    r_years: BTreeMap<i32, Count>,
}

impl Shared {
    /// The shared count of incidents reported in a month, quarter or year, and its
    /// restricted part.
    fn period(&self, p: &Period, tz: chrono_tz::Tz) -> Option<(Count, Count)> {
        let l = crate::time::in_zone(p.from, tz);
        let q = (l.year(), (l.month() - 1) / 3 + 1);
        let m = (l.year(), l.month());
        let both = |a: Option<&Count>, b: Option<&Count>| Some((*a?, *b?));
        match p.kind {
            crate::report::PeriodKind::Month => both(self.months.get(&m), self.r_months.get(&m)),
            crate::report::PeriodKind::Quarter => both(self.quarters.get(&q), self.r_quarters.get(&q)),
            crate::report::PeriodKind::Year => both(self.years.get(&l.year()), self.r_years.get(&l.year())),
            crate::report::PeriodKind::Custom => None,
        }
    }

    fn new(b: &Build<'_>, lens: &Lens<'_>) -> Shared {
        let w = &b.cfg.workflow;
        // Each cell with its TLP:CLEAR part, which the public edition lists in full.
        let one = |i: &Incident| {
            if lens.shows(i) {
                Tally {
                    clear: 1,
                    restricted: 0,
                }
            } else {
                Tally::restricted(1)
            }
        };
        let tally = |incs: &mut dyn Iterator<Item = &Incident>| incs.map(one).sum::<Tally>();
        let mut values: Vec<Tally> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let cell = |values: &mut Vec<Tally>, v: Tally| {
            values.push(v);
            values.len() - 1
        };
        let total = cell(&mut values, tally(&mut b.incidents.iter().copied()));
        let open_incs: Vec<&Incident> = b.incidents.iter().copied().filter(|i| !w.is_final(&i.status)).collect();
        let open = cell(&mut values, tally(&mut open_incs.iter().copied()));
        // States → total; open states → open; each step's states → that step.
        let states: Vec<usize> = w
            .states
            .iter()
            .map(|s| {
                let n = tally(&mut b.incidents.iter().copied().filter(|i| i.status == s.id));
                cell(&mut values, n)
            })
            .collect();
        groups.push(Group {
            members: states.clone(),
            total,
        });
        let open_states: Vec<usize> = w
            .states
            .iter()
            .zip(&states)
            .filter(|(s, _)| !s.is_final)
            .map(|(_, c)| *c)
            .collect();
        if open_states.iter().map(|c| values[*c]).sum::<Tally>() == values[open] {
            groups.push(Group {
                members: open_states,
                total: open,
            });
        }
        let stages: Vec<usize> = w
            .steps
            .iter()
            .map(|st| {
                let n = tally(
                    &mut open_incs
                        .iter()
                        .copied()
                        .filter(|i| lens.stage(&i.status) == Some(st.step)),
                );
                let c = cell(&mut values, n);
                let members: Vec<usize> = w
                    .states
                    .iter()
                    .zip(&states)
                    .filter(|(s, _)| !s.is_final && lens.stage(&s.id) == Some(st.step))
                    .map(|(_, c)| *c)
                    .collect();
                if members.iter().map(|m| values[*m]).sum::<Tally>() == n {
                    groups.push(Group { members, total: c });
                }
                c
            })
            .collect();
        if stages.iter().map(|c| values[*c]).sum::<Tally>() == values[open] {
            groups.push(Group {
                members: stages.clone(),
                total: open,
            });
        }
        // Categories → total.
        let mut cat_n: BTreeMap<String, Tally> = b
            .cfg
            .categories
            .iter()
            .map(|c| (c.id.clone(), Tally::default()))
            .collect();
        for i in &b.incidents {
            let e = cat_n
                .entry(i.category.clone().unwrap_or_else(|| crate::report::NONE.into()))
                .or_default();
            *e = *e + one(i);
        }
        let cats: Vec<(String, usize)> = cat_n.into_iter().map(|(k, n)| (k, cell(&mut values, n))).collect();
        groups.push(Group {
            members: cats.iter().map(|(_, c)| *c).collect(),
            total,
        });
        // Months → quarter → year → total.
        let tz = b.cfg.timezone;
        let mut month_n: BTreeMap<(i32, u32), Tally> = BTreeMap::new();
        for i in &b.incidents {
            if let Some(t) = reported(i) {
                let l = crate::time::in_zone(t, tz);
                let e = month_n.entry((l.year(), l.month())).or_default();
                *e = *e + one(i);
            }
        }
        let months: BTreeMap<(i32, u32), usize> = month_n.iter().map(|(k, n)| (*k, cell(&mut values, *n))).collect();
        let mut quarter_n: BTreeMap<(i32, u32), Tally> = BTreeMap::new();
        for ((y, m), n) in &month_n {
            let e = quarter_n.entry((*y, (m - 1) / 3 + 1)).or_default();
            *e = *e + *n;
        }
        let quarters: BTreeMap<(i32, u32), usize> = quarter_n
            .iter()
            .map(|((y, q), n)| {
                let c = cell(&mut values, *n);
                let members = months
                    .iter()
                    .filter(|((yy, m), _)| yy == y && (m - 1) / 3 + 1 == *q)
                    .map(|(_, c)| *c)
                    .collect();
                groups.push(Group { members, total: c });
                ((*y, *q), c)
            })
            .collect();
        let mut year_n: BTreeMap<i32, Tally> = BTreeMap::new();
        for ((y, _), n) in &month_n {
            let e = year_n.entry(*y).or_default();
            *e = *e + *n;
        }
        let years: BTreeMap<i32, usize> = year_n
            .iter()
            .map(|(y, n)| {
                let c = cell(&mut values, *n);
                let members = quarters
                    .iter()
                    .filter(|((yy, _), _)| yy == y)
                    .map(|(_, c)| *c)
                    .collect();
                groups.push(Group { members, total: c });
                (*y, c)
            })
            .collect();
        let dated: Tally = year_n.values().copied().sum();
        let all = if dated == values[total] {
            total
        } else {
            cell(&mut values, dated)
        };
        groups.push(Group {
            members: years.values().copied().collect(),
            total: all,
        });
        // The restricted parts are suppressed (`Lens::suppress_tallies`); they are kept too, for
        // the pages that print the restricted part of a shared count on its own.
        let hidden = lens.suppress(&values.iter().map(|t| t.restricted).collect::<Vec<_>>(), &groups);
        let shown: Vec<Count> = values.iter().zip(&hidden).map(|(t, k)| lens.mixed(*t, *k)).collect();
        Shared {
            r_states: states.iter().map(|c| hidden[*c]).collect(),
            r_open: hidden[open],
            r_total: hidden[total],
            r_categories: cats.iter().map(|(k, c)| (k.clone(), hidden[*c])).collect(),
            r_months: months.iter().map(|(k, c)| (*k, hidden[*c])).collect(),
            r_quarters: quarters.iter().map(|(k, c)| (*k, hidden[*c])).collect(),
            r_years: years.iter().map(|(k, c)| (*k, hidden[*c])).collect(),
            states: states.iter().map(|c| shown[*c]).collect(),
            stages: stages.iter().map(|c| shown[*c]).collect(),
            open: shown[open],
            total: shown[total],
            categories: cats.into_iter().map(|(k, c)| (k, shown[c])).collect(),
            months: months.into_iter().map(|(k, c)| (k, shown[c])).collect(),
            quarters: quarters.into_iter().map(|(k, c)| (k, shown[c])).collect(),
            years: years.into_iter().map(|(k, c)| (k, shown[c])).collect(),
        }
    }
}

impl Ctx<'_> {
    fn render(&self, name: &str, depth: usize, ctx: Value) -> Result<Vec<u8>, TemplateError> {
        let base = &self.base[depth.min(1)];
        self.tpl.render(name, base, ctx).map(String::into_bytes)
    }

    fn t(&self, key: &str) -> String {
        i18n::text(self.b.lang, key)
    }

    fn rows<'x>(&self, incs: impl Iterator<Item = &'x Incident>) -> Vec<IncidentRow> {
        incs.filter_map(|i| self.lens.row(i)).collect()
    }

    fn list(&self, path: String, page: &ListPage) -> Result<Page, TemplateError> {
        let depth = path.matches('/').count();
        Ok((path, self.render("list.html", depth, value(page))?))
    }

    /// A count table whose total (the page's number of incidents) is published: rows
    /// `(label, href, count)` for the keys that occur, suppressed together by their restricted
    /// parts (`Lens::tallies`). A table withheld as a whole becomes one row with its total, since
    /// the presence of a row tells that its count is not zero.
    fn table(&self, title: String, rows: Vec<(String, Option<String>, Tally)>) -> CountTable {
        let cells: Vec<Tally> = rows.iter().map(|r| r.2).collect();
        let counts = self.lens.tallies(&cells);
        let rows = if counts.contains(&Count::Withheld) {
            vec![CountRow {
                label: self.t("withheld"),
                href: None,
                count: self.lens.tally(cells.iter().copied().sum()),
            }]
        } else {
            rows.into_iter()
                .zip(counts)
                .map(|((label, href, _), count)| CountRow { label, href, count })
                .collect()
        };
        CountTable { title, rows }
    }

    /// Counts by state in workflow order (zero rows left out).
    fn by_status(&self, incs: &[&Incident]) -> CountTable {
        let mut n: BTreeMap<&str, Tally> = BTreeMap::new();
        for i in incs {
            let e = n.entry(i.status.as_str()).or_default();
            *e = *e + self.one(i);
        }
        let rows = self
            .b
            .cfg
            .workflow
            .states
            .iter()
            .filter_map(|s| {
                n.get(s.id.as_str())
                    .map(|c| (s.label.get(self.b.lang).to_owned(), None, *c))
            })
            .collect();
        self.table(self.t("by_status"), rows)
    }

    fn by_category(&self, incs: &[&Incident], link: bool) -> CountTable {
        let mut n: BTreeMap<String, Tally> = BTreeMap::new();
        for i in incs {
            let e = n
                .entry(i.category.clone().unwrap_or_else(|| crate::report::NONE.into()))
                .or_default();
            *e = *e + self.one(i);
        }
        let rows = n
            .into_iter()
            .map(|(k, c)| {
                let href = (link && k != crate::report::NONE).then(|| Lens::category_href(&k));
                (self.lens.category_label(&k), href, c)
            })
            .collect();
        self.table(self.t("by_category"), rows)
    }

    /// One incident as a [`Tally`]: TLP:CLEAR (listed) or not.
    fn one(&self, i: &Incident) -> Tally {
        if self.lens.shows(i) {
            Tally {
                clear: 1,
                restricted: 0,
            }
        } else {
            Tally::restricted(1)
        }
    }

    /// The restricted part of a page's count, as the shared table shows it (`shared`), so
    /// that it reads the same as the count beside the page's link.
    fn restricted(&self, shared: Option<Count>) -> Option<Count> {
        self.lens.is_public().then(|| shared.unwrap_or(Count::Withheld))
    }
}

fn reported(i: &Incident) -> Option<Timestamp> {
    i.reported_at.or_else(|| i.history.first().map(|e| e.at))
}

/// The tag-URI authority for feed ids: the host of `site.base_url`, else a reserved name.
fn authority(base_url: &str) -> String {
    let rest = base_url.split("://").nth(1).unwrap_or("");
    let host: String = rest
        .split(['/', ':', '?', '#'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    if host.is_empty() {
        "insiden.invalid".into()
    } else {
        host.to_ascii_lowercase()
    }
}

/// The path part of `site.base_url` with a trailing `/` (`https://x.example/status` →
/// `/status/`), or `None` when no base URL is set.
fn base_path(base_url: &str) -> Option<String> {
    let url = base_url.trim();
    if url.is_empty() {
        return None;
    }
    let rest = match url.split_once("://") {
        Some((_, r)) => r.find('/').map_or("/", |i| &r[i..]),
        None if url.starts_with('/') => url,
        None => "/",
    };
    let path = rest.split(['?', '#']).next().unwrap_or("/");
    let mut p = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    if !p.ends_with('/') {
        p.push('/');
    }
    Some(p)
}

/// Computes every page of the site.
pub fn plan(b: &Build<'_>, tpl: &Templates) -> Result<Vec<Page>, TemplateError> {
    let cfg = b.cfg;
    let lens = Lens::new(cfg, b.lang, b.audience, &b.incidents);
    let internal = b.audience == Audience::Internal;
    let site = SiteView {
        title: crate::audience::clean(&cfg.site.title),
        organization: crate::audience::clean(&cfg.organization.name),
        unit: crate::audience::clean(&cfg.organization.unit),
        sop: crate::audience::clean(&cfg.organization.sop),
        lang: b.lang,
        audience: b.audience,
        internal,
        edition: i18n::text(
            b.lang,
            if internal {
                "audience_internal"
            } else {
                "audience_public"
            },
        ),
        notice: if internal {
            i18n::text(b.lang, "internal_notice")
        } else {
            i18n::text(b.lang, "public_notice").replace("{n}", &cfg.site.public_min_count.to_string())
        },
        base_url: crate::audience::clean(&cfg.site.base_url),
        as_of: b.show_now.then(|| lens.time(b.now)),
    };
    let site_v = value(&site);
    let t_v = value(&i18n::ui(b.lang));
    let base = [
        context! { site => site_v.clone(), t => t_v.clone(), root => "" },
        context! { site => site_v, t => t_v, root => "../" },
    ];
    let facts: Vec<Facts<'_>> = b.incidents.par_iter().map(|i| Facts::new(i, cfg, b.now)).collect();
    let shared = Shared::new(b, &lens);
    let cx = Ctx {
        b,
        lens,
        tpl,
        base,
        facts,
        shared,
    };
    let mut pages: Vec<Page> = Vec::new();
    for (name, bytes) in tpl.statics() {
        if name != "report.css" {
            pages.push((name.to_owned(), bytes.to_vec()));
        }
    }
    pages.push(overview(&cx)?);
    let incident_pages: Result<Vec<Page>, TemplateError> = b
        .incidents
        .par_iter()
        .filter_map(|i| cx.lens.incident(i, b.now))
        .map(|v| {
            let path = v.href.clone();
            let ctx = context! { title => v.title.clone(), nav => "", incident => value(&v) };
            Ok((path, cx.render("incident.html", 1, ctx)?))
        })
        .collect();
    pages.extend(incident_pages?);
    pages.extend(archive(&cx)?);
    pages.extend(categories(&cx)?);
    pages.extend(owners(&cx)?);
    pages.extend(reports(&cx)?);
    pages.push(feed(&cx)?);
    pages.extend(api(&cx));
    // A host serves the 404 page at whatever path was asked for, so its links start from the
    // path of `site.base_url`; without one they start at `/` and the stylesheet is inlined.
    let path = base_path(&crate::audience::clean(&cfg.site.base_url));
    let css = path
        .is_none()
        .then(|| safe(String::from_utf8_lossy(tpl.static_file("style.css")).into_owned()));
    let nf_base =
        context! { site => value(&site), t => value(&i18n::ui(b.lang)), root => path.unwrap_or_else(|| "/".into()) };
    let nf = context! { title => cx.t("not_found"), nav => "", css => css };
    pages.push(("404.html".into(), tpl.render("404.html", &nf_base, nf)?.into_bytes()));
    pages.sort_by(|a, c| a.0.cmp(&c.0));
    pages.dedup_by(|a, c| a.0 == c.0);
    Ok(pages)
}

fn overview(cx: &Ctx<'_>) -> Result<Page, TemplateError> {
    let b = cx.b;
    let w = &b.cfg.workflow;
    let open: Vec<&Incident> = b.incidents.iter().copied().filter(|i| !w.is_final(&i.status)).collect();
    let stages: Vec<Stage> = w
        .steps
        .iter()
        .zip(&cx.shared.stages)
        .map(|(s, count)| {
            let here: Vec<&Incident> = open
                .iter()
                .copied()
                .filter(|i| cx.lens.stage(&i.status) == Some(s.step))
                .collect();
            Stage {
                step: s.step,
                label: s.label.get(b.lang).to_owned(),
                count: *count,
                rows: cx.rows(here.into_iter()),
            }
        })
        .collect();
    // The same numbers as `api/status.json`; states without incidents are left out.
    let status_table = CountTable {
        title: cx.t("by_status"),
        rows: w
            .states
            .iter()
            .zip(&cx.shared.states)
            .filter(|(_, c)| **c != Count::Shown(0))
            .map(|(s, c)| CountRow {
                label: s.label.get(b.lang).to_owned(),
                href: None,
                count: *c,
            })
            .collect(),
    };
    let mut closed: Vec<(&Incident, Timestamp)> = b
        .incidents
        .iter()
        .filter(|i| cx.lens.shows(i))
        .filter_map(|i| Lens::closed_at(i).map(|t| (*i, t)))
        .collect();
    closed.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.id.cmp(&y.0.id)));
    let recent = cx.rows(closed.iter().take(RECENT_CLOSURES).map(|(i, _)| *i));
    let internal = b.audience == Audience::Internal;
    let mut breaches = Vec::new();
    let mut overdue = Vec::new();
    if internal {
        let cal = b.cfg.calendar();
        for i in &open {
            let stays = crate::workflow::stays(w, &b.cfg.sla, i, b.now);
            if let Some(s) = stays.last().filter(|s| s.breached()) {
                if let Some(row) = cx.lens.row(i) {
                    breaches.push(Breach {
                        row,
                        state: cx.lens.state_label(&s.state),
                        spent: crate::time::format_age(s.spent),
                        limit: s.limit.map(crate::time::format_age).unwrap_or_default(),
                    });
                }
            }
            let window_overdue = w.window_opens.as_deref() == Some(i.status.as_str())
                && w.window_start(&i.history, i.history.len())
                    .is_some_and(|s| cal.elapsed(s, b.now));
            if window_overdue {
                overdue.extend(cx.lens.row(i));
            }
        }
    }
    let ctx = context! {
        title => cx.t("overview"),
        nav => "overview",
        open_total => value(&cx.shared.open),
        stages => value(&stages),
        recent => value(&recent),
        status_table => value(&status_table),
        restricted_open => value(&cx.restricted(Some(cx.shared.r_open))),
        breaches => value(&breaches),
        overdue => value(&overdue),
    };
    Ok(("index.html".into(), cx.render("index.html", 0, ctx)?))
}

fn archive(cx: &Ctx<'_>) -> Result<Vec<Page>, TemplateError> {
    let b = cx.b;
    let tz = b.cfg.timezone;
    let mut by_month: BTreeMap<(i32, u32), Vec<&Incident>> = BTreeMap::new();
    for i in &b.incidents {
        if let Some(t) = reported(i) {
            let l = crate::time::in_zone(t, tz);
            by_month.entry((l.year(), l.month())).or_default().push(i);
        }
    }
    let mut pages = Vec::new();
    let years: BTreeSet<i32> = by_month.keys().map(|(y, _)| *y).collect();
    #[derive(Serialize)]
    struct Year {
        year: i32,
        href: String,
        count: Count,
        months: Vec<CountRow>,
    }
    let mut index = Vec::new();
    for y in years.iter().rev() {
        let months: Vec<CountRow> = by_month
            .range((*y, 1)..=(*y, 12))
            .map(|((yy, m), _)| CountRow {
                label: i18n::month_year(b.lang, *yy, *m),
                href: Some(format!("archive/{yy:04}-{m:02}.html")),
                count: cx.shared.months.get(&(*yy, *m)).copied().unwrap_or(Count::Withheld),
            })
            .collect();
        let all: Vec<&Incident> = by_month
            .range((*y, 1)..=(*y, 12))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        index.push(Year {
            year: *y,
            href: format!("archive/{y:04}.html"),
            count: cx.shared.years.get(y).copied().unwrap_or(Count::Withheld),
            months: months.clone(),
        });
        let page = ListPage {
            title: format!("{} {y}", cx.t("archive")),
            nav: "archive",
            intro: None,
            tables: vec![
                CountTable {
                    title: cx.t("months"),
                    rows: months,
                },
                cx.by_status(&all),
                cx.by_category(&all, true),
            ],
            rows: cx.rows(all.iter().copied()),
            restricted: cx.restricted(cx.shared.r_years.get(y).copied()),
        };
        pages.push(cx.list(format!("archive/{y:04}.html"), &page)?);
    }
    let month_pages: Result<Vec<Page>, TemplateError> = by_month
        .par_iter()
        .map(|((y, m), v)| {
            let page = ListPage {
                title: format!("{} {}", cx.t("archive"), i18n::month_year(b.lang, *y, *m)),
                nav: "archive",
                intro: None,
                tables: vec![cx.by_status(v), cx.by_category(v, true)],
                rows: cx.rows(v.iter().copied()),
                restricted: cx.restricted(cx.shared.r_months.get(&(*y, *m)).copied()),
            };
            cx.list(format!("archive/{y:04}-{m:02}.html"), &page)
        })
        .collect();
    pages.extend(month_pages?);
    let ctx = context! { title => cx.t("archive"), nav => "archive", years => value(&index) };
    pages.push(("archive/index.html".into(), cx.render("archive.html", 1, ctx)?));
    Ok(pages)
}

fn categories(cx: &Ctx<'_>) -> Result<Vec<Page>, TemplateError> {
    let b = cx.b;
    let mut by: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    for c in &b.cfg.categories {
        by.entry(c.id.clone()).or_default();
    }
    for i in &b.incidents {
        if let Some(c) = &i.category {
            by.entry(c.clone()).or_default().push(i);
        }
    }
    let items: Vec<CountRow> = by
        .keys()
        .map(|k| CountRow {
            label: cx.lens.category_label(k),
            href: Some(Lens::category_href(k)),
            count: cx.shared.categories.get(k).copied().unwrap_or(Count::Withheld),
        })
        .collect();
    let mut pages: Vec<Page> = by
        .par_iter()
        .map(|(k, v)| {
            let rsit = b.cfg.category(k).map(|c| c.rsit.join(", ")).unwrap_or_default();
            let page = ListPage {
                title: format!("{}: {}", cx.t("category"), cx.lens.category_label(k)),
                nav: "categories",
                intro: (!rsit.is_empty()).then(|| format!("{}: {rsit}", cx.t("rsit"))),
                tables: vec![cx.by_status(v)],
                rows: cx.rows(v.iter().copied()),
                restricted: cx.restricted(cx.shared.r_categories.get(k).copied()),
            };
            cx.list(Lens::category_href(k), &page)
        })
        .collect::<Result<_, _>>()?;
    let ctx = context! { title => cx.t("categories"), nav => "categories", items => value(&items) };
    pages.push(("categories/index.html".into(), cx.render("index-list.html", 1, ctx)?));
    Ok(pages)
}

fn owners(cx: &Ctx<'_>) -> Result<Vec<Page>, TemplateError> {
    let b = cx.b;
    // Only incidents the audience may see name their owner.
    let mut by: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for i in b.incidents.iter().filter(|i| cx.lens.shows(i)) {
        if let Some(o) = &i.owner {
            let name = crate::audience::clean(o);
            if let Some((n, _)) = cx.lens.owner_pages().find(|(n, _)| *n == name) {
                by.entry(n).or_default().push(i);
            }
        }
    }
    let items: Vec<CountRow> = cx
        .lens
        .owner_pages()
        .map(|(n, h)| CountRow {
            label: n.to_owned(),
            href: Some(h.to_owned()),
            // Only TLP:CLEAR incidents, all listed on the owner's page.
            count: cx.lens.tally(Tally {
                clear: by.get(n).map_or(0, Vec::len),
                restricted: 0,
            }),
        })
        .collect();
    let mut pages: Vec<Page> = cx
        .lens
        .owner_pages()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|(n, h)| {
            let v = by.get(n).cloned().unwrap_or_default();
            let page = ListPage {
                title: format!("{}: {n}", cx.t("owner")),
                nav: "owners",
                intro: None,
                tables: vec![cx.by_status(&v)],
                rows: cx.rows(v.iter().copied()),
                restricted: None,
            };
            cx.list((*h).to_owned(), &page)
        })
        .collect::<Result<_, _>>()?;
    let ctx = context! {
        title => cx.t("owners"),
        nav => "owners",
        items => value(&items),
        intro => if cx.lens.is_public() { cx.t("restricted_help") } else { String::new() },
    };
    pages.push(("owners/index.html".into(), cx.render("index-list.html", 1, ctx)?));
    Ok(pages)
}

/// The report page's charts: reported per month, by category, by severity.
pub fn charts(r: &crate::audience::ReportView, lang: Lang) -> Value {
    let t = |k: &str| i18n::text(lang, k);
    let cat: Vec<Breakdown> = r.by_category.clone();
    context! {
        month => safe(charts::bars("bulan", &t("by_month"), &r.by_month)),
        category => safe(charts::bars("kategori", &t("by_category"), &cat)),
        severity => safe(charts::bars("keparahan", &t("by_severity"), &r.by_severity)),
    }
}

fn reports(cx: &Ctx<'_>) -> Result<Vec<Page>, TemplateError> {
    let b = cx.b;
    let tz = b.cfg.timezone;
    let mut months: BTreeSet<(i32, u32)> = BTreeSet::new();
    for f in &cx.facts {
        if let Some(t) = f.reported {
            let l = crate::time::in_zone(t, tz);
            months.insert((l.year(), l.month()));
        }
    }
    let mut periods: Vec<Period> = Vec::new();
    let years: BTreeSet<i32> = months.iter().map(|(y, _)| *y).collect();
    let quarters: BTreeSet<(i32, u32)> = months.iter().map(|(y, m)| (*y, (m - 1) / 3 + 1)).collect();
    periods.extend(months.iter().filter_map(|(y, m)| Period::month(*y, *m, tz)));
    periods.extend(quarters.iter().filter_map(|(y, q)| Period::quarter(*y, *q, tz)));
    periods.extend(years.iter().filter_map(|y| Period::year(*y, tz)));
    // Printed only when `--now` was given: without it the site does not depend on the clock.
    let generated = b.show_now.then_some(b.now);
    let views: Vec<(Period, crate::audience::ReportView)> = periods
        .par_iter()
        .map(|p| {
            let agg = crate::report::aggregate(&cx.facts, p, b.cfg, b.now);
            let mut r = cx.lens.report(&agg, &cx.facts, b.now, generated);
            // The number reported per month, quarter and year is also on the archive and the
            // report index: show it as those pages do.
            if let Some((c, restricted)) = cx.shared.period(p, tz) {
                r.totals.reported = c;
                if let Some(v) = &mut r.restricted {
                    v.count = restricted;
                }
            }
            for row in &mut r.by_month {
                if let Some(c) = row
                    .key
                    .split_once('-')
                    .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
                    .and_then(|k| cx.shared.months.get(&k))
                {
                    row.count = *c;
                }
            }
            (p.clone(), r)
        })
        .collect();
    let kpis = value(&crate::audience::kpi_labels(b.lang));
    let groups = value(&crate::audience::group_labels(b.lang));
    let mut pages: Vec<Page> = views
        .par_iter()
        .map(|(p, r)| {
            let ctx = context! {
                title => format!("{} — {}", r.title, r.period.label),
                nav => "reports",
                report => value(r),
                charts => charts(r, b.lang),
                kpis => kpis.clone(),
                groups => groups.clone(),
                standalone => false,
            };
            Ok((
                format!("reports/{}.html", p.key),
                cx.render("report-page.html", 1, ctx)?,
            ))
        })
        .collect::<Result<_, TemplateError>>()?;
    #[derive(Serialize)]
    struct YearIndex {
        year: CountRow,
        quarters: Vec<CountRow>,
        months: Vec<CountRow>,
    }
    let row = |r: &crate::audience::ReportView| CountRow {
        label: r.period.label.clone(),
        href: Some(format!("reports/{}.html", r.period.key)),
        count: r.totals.reported,
    };
    let index: Vec<YearIndex> = years
        .iter()
        .rev()
        .filter_map(|y| {
            let key = format!("{y:04}");
            let year = views.iter().find(|(p, _)| p.key == key).map(|(_, r)| row(r))?;
            let of = |kind: crate::report::PeriodKind| {
                views
                    .iter()
                    .filter(|(p, _)| p.kind == kind && p.key.starts_with(&format!("{key}-")))
                    .map(|(_, r)| row(r))
                    .collect::<Vec<_>>()
            };
            Some(YearIndex {
                year,
                quarters: of(crate::report::PeriodKind::Quarter),
                months: of(crate::report::PeriodKind::Month),
            })
        })
        .collect();
    let ctx = context! { title => cx.t("reports"), nav => "reports", years => value(&index) };
    pages.push(("reports/index.html".into(), cx.render("reports.html", 1, ctx)?));
    Ok(pages)
}

fn feed(cx: &Ctx<'_>) -> Result<Page, TemplateError> {
    let b = cx.b;
    let auth = authority(&b.cfg.site.base_url);
    let entries = cx.lens.feed(&b.incidents, &auth, FEED_ENTRIES);
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), |e| e.updated.clone());
    // With a base URL every link is absolute and the feed says where relative ones start.
    let mut base = crate::audience::clean(b.cfg.site.base_url.trim());
    if !base.is_empty() && !base.ends_with('/') {
        base.push('/');
    }
    let ctx = context! {
        base => base,
        title => crate::audience::clean(&b.cfg.site.title),
        feed_id => format!("tag:{auth},2026-01-01:insiden/{}/{}", b.audience.as_str(), match b.lang { Lang::Id => "id", Lang::En => "en" }),
        updated => updated,
        entries => value(&entries),
    };
    Ok(("feed.xml".into(), cx.render("feed.xml", 0, ctx)?))
}

fn api(cx: &Ctx<'_>) -> Vec<Page> {
    let b = cx.b;
    let lens = &cx.lens;
    let incidents: Vec<crate::audience::ApiIncident> = b.incidents.par_iter().filter_map(|i| lens.api(i)).collect();
    let hidden: Vec<&Incident> = b.incidents.iter().copied().filter(|i| !lens.shows(i)).collect();
    #[derive(Serialize)]
    struct Labelled {
        key: String,
        label: String,
        count: Count,
    }
    // The restricted incidents by status and category are the restricted parts of the
    // overview's counts, suppressed with them (`Shared`), so the two never disagree.
    let restricted = lens.is_public().then(|| {
        let sh = &cx.shared;
        let by_status: Vec<Labelled> = b
            .cfg
            .workflow
            .states
            .iter()
            .zip(&sh.r_states)
            .map(|(s, count)| Labelled {
                key: s.id.clone(),
                label: s.label.get(b.lang).to_owned(),
                count: *count,
            })
            .collect();
        let mut n: BTreeMap<String, usize> = BTreeMap::new();
        for i in &hidden {
            *n.entry(i.category.clone().unwrap_or_else(|| crate::report::NONE.into()))
                .or_insert(0) += 1;
        }
        let rows: Vec<Labelled> = n
            .keys()
            .map(|k| Labelled {
                key: crate::audience::clean(k),
                label: lens.category_label(k),
                count: sh.r_categories.get(k).copied().unwrap_or(Count::Withheld),
            })
            .collect();
        // A row exists only for a category with restricted incidents: when one is withheld
        // (`x`), the presence of the rows would say they are not zero.
        let by_category = if rows.iter().any(|r| r.count == Count::Withheld) {
            vec![Labelled {
                key: "withheld".into(),
                label: i18n::text(b.lang, "withheld"),
                count: sh.r_total,
            }]
        } else {
            rows
        };
        serde_json::json!({
            "count": sh.r_total,
            "by_status": by_status,
            "by_category": by_category,
        })
    });
    let doc = serde_json::json!({
        "$schema": "schema/incidents.schema.json",
        "audience": b.audience,
        "lang": b.lang,
        "incidents": incidents,
        "restricted": restricted,
    });
    let w = &b.cfg.workflow;
    let sh = &cx.shared;
    let stages: Vec<serde_json::Value> = w
        .steps
        .iter()
        .zip(&sh.stages)
        .map(|(s, c)| serde_json::json!({ "step": s.step, "label": s.label.get(b.lang), "count": c }))
        .collect();
    let by_status: Vec<Labelled> = w
        .states
        .iter()
        .zip(&sh.states)
        .map(|(s, c)| Labelled {
            key: s.id.clone(),
            label: s.label.get(b.lang).to_owned(),
            count: *c,
        })
        .collect();
    // Categories without incidents are left out, as before.
    let by_category: Vec<Labelled> = sh
        .categories
        .iter()
        .filter(|(_, c)| **c != Count::Shown(0))
        .map(|(k, c)| Labelled {
            label: lens.category_label(k),
            key: crate::audience::clean(k),
            count: *c,
        })
        .collect();
    let status = serde_json::json!({
        "$schema": "schema/status.schema.json",
        "audience": b.audience,
        "lang": b.lang,
        "as_of": b.show_now.then(|| lens.time(b.now).iso),
        "total": sh.total,
        "open": sh.open,
        "by_stage": stages,
        "by_status": by_status,
        "by_category": by_category,
    });
    let pretty = |v: &serde_json::Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s.into_bytes()
    };
    vec![
        ("api/incidents.json".into(), pretty(&doc)),
        ("api/status.json".into(), pretty(&status)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_authority_is_the_base_url_host() {
        assert_eq!(authority("https://CSIRT.example.go.id/status/"), "csirt.example.go.id");
        assert_eq!(authority(""), "insiden.invalid");
        assert_eq!(authority("http://x.test:8080/a"), "x.test");
    }

    #[test]
    fn the_404_page_links_from_the_base_url_path() {
        assert_eq!(
            base_path("https://csirt.example.go.id/status/").as_deref(),
            Some("/status/")
        );
        assert_eq!(
            base_path("https://csirt.example.go.id/status?x=1").as_deref(),
            Some("/status/")
        );
        assert_eq!(base_path("https://csirt.example.go.id").as_deref(), Some("/"));
        assert_eq!(base_path("/insiden").as_deref(), Some("/insiden/"));
        assert_eq!(base_path(" "), None);
    }
}
