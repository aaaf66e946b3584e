//! The static site: from the validated incidents, an audience and a language, every
//! `(relative path, bytes)` of the site, the same bytes for the same input. Every number comes
//! from one `census` of the site's periods and overview, computed once per build; pages are
//! rendered in parallel and handed to a [`Sink`] as they are made (incident and report pages
//! one by one, the other kinds a kind at a time), so a build holds the indexes and a working
//! set of pages, never the whole site.
//!
//! Pure apart from rendering: it never reads the clock (`now` is an argument), the
//! filesystem or git. Views come from `audience`, numbers from `census`, markup from
//! `templates` and `charts`; `cmd/build.rs` gives a sink that writes into the staging folder
//! of `store::Staging`.

pub mod charts;
mod direct;
pub mod sop;
pub mod templates;

use crate::audience::{Audience, Lens};
use crate::census::{Cell, Census, Overview, PeriodCounts, Rows, OTHER, PHASES};
use crate::config::Config;
use crate::disclosure::Count;
use crate::i18n::{self, TimeText};
use crate::model::{Incident, Timestamp};
use crate::report::{Facts, PeriodKind};
use crate::views::{Breakdown, IncidentRow};
use crate::workflow::Lang;
use chrono::Datelike;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use templates::{context, Value};
use templates::{safe, value, TemplateError, Templates};

/// One file of the site: path relative to the output folder, and its bytes.
pub type Page = (String, Vec<u8>);

/// Where pages go as they are rendered, from any thread. Each path is handed over once: when
/// two pages claim one path, the first claim keeps it. Kinds of pages made one after the
/// other keep that order (the built-in files first, then the overview, …, the 404 page);
/// kinds made side by side (incidents beside archive, categories and owners; reports beside
/// the feed and the API) write under paths of their own, so the site never depends on
/// which thread came first.
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;

    /// A large file, written a part at a time by `write` (the JSON API); by default
    /// gathered and handed to [`Sink::put`].
    fn put_with(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        self.put(path, &bytes)
    }
}

/// Why a site could not be made: a template failed, the sink could not take a page, or an
/// incident's body could not be read again as it was validated.
#[derive(Debug)]
pub enum Error {
    Template(TemplateError),
    Write(std::io::Error),
    Read(crate::diag::Diagnostic),
}

impl From<TemplateError> for Error {
    fn from(e: TemplateError) -> Error {
        Error::Template(e)
    }
}

/// Hands pages to a sink, once per path.
struct Out<'s> {
    sink: &'s dyn Sink,
    claimed: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Out<'_> {
    /// Whether `path` is still free; claims it.
    fn claim(&self, path: &str) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_owned())
    }

    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Error> {
        if self.claim(path) {
            self.sink.put(path, bytes).map_err(Error::Write)?;
        }
        Ok(())
    }

    /// A kind of page, written on every core; within it the first page of a path wins.
    fn all(&self, pages: Vec<Page>) -> Result<(), Error> {
        let mut seen = std::collections::HashSet::new();
        let fresh: Vec<Page> = pages.into_iter().filter(|(p, _)| seen.insert(p.clone())).collect();
        fresh.par_iter().try_for_each(|(p, b)| self.put(p, b))
    }
}

/// The version of the public JSON documents (`api/*.json`) and their schemas: semver, a
/// minor step for additions, a major one for anything a consumer could trip on
/// (docs/SITE.md "The JSON contract").
pub const API_VERSION: &str = "1.0.0";

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
    /// Where the bodies are, when the incidents do not hold them.
    pub bodies: Option<&'a dyn crate::audience::Bodies>,
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
    /// The newest history entry: what every page is as of ("Diperbarui").
    updated: Option<TimeText>,
}

/// A labelled count, optionally linking to its page.
#[derive(Debug, Clone, Serialize)]
struct CountRow {
    label: String,
    href: Option<String>,
    count: Count,
}

#[derive(Debug, Serialize)]
struct CountTable {
    title: String,
    rows: Vec<CountRow>,
    /// Why the table has no rows, when it was withheld as a whole.
    withheld: Option<String>,
}

/// The data of `list.html`: a heading, count tables and the visible incidents.
#[derive(Debug, Serialize)]
struct ListPage {
    title: String,
    nav: &'static str,
    intro: Option<String>,
    /// The page's number of incidents, and its restricted part.
    count: Option<Count>,
    restricted: Option<Count>,
    /// The periodic report of the same period.
    report: Option<String>,
    tables: Vec<CountTable>,
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
    lens: &'a Lens<'a>,
    tpl: &'a Templates,
    /// List pages written without the engine, while their templates are the built-ins.
    lists: Option<direct::list::Lists>,
    /// Report pages written without the engine, while their templates are the built-ins.
    reports: Option<direct::report::Reports>,
    /// Shared values for pages at the root and one folder down.
    base: &'a [Value; 2],
    facts: &'a [Facts<'a>],
    census: Census,
    /// The time the numbers are measured at.
    now: Timestamp,
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

    /// Renders a list page and writes it at `path`.
    fn list(&self, out: &Out<'_>, path: &str, page: &ListPage) -> Result<(), Error> {
        let depth = path.matches('/').count();
        let root = ["", "../"][depth.min(1)];
        match self.lists.as_ref().and_then(|l| l.page(root, page)) {
            Some(direct) => out.put(path, direct.as_bytes()),
            None => out.put(path, &self.render("list.html", depth, value(page))?),
        }
    }

    fn overview(&self) -> &Overview {
        static EMPTY: std::sync::OnceLock<Overview> = std::sync::OnceLock::new();
        self.census.overview.as_ref().unwrap_or_else(|| {
            EMPTY.get_or_init(|| Overview {
                updated: None,
                total: Cell::exact(Default::default()),
                open: Cell::exact(Default::default()),
                states: Vec::new(),
                by_status: Rows::default(),
                steps: Vec::new(),
                by_stage: Rows::default(),
                phases: Vec::new(),
                by_category: Rows::default(),
                categories: BTreeMap::new(),
                recent: None,
                recent_reported: Cell::exact(Default::default()),
                recent_closed: Cell::exact(Default::default()),
            })
        })
    }

    /// The restricted part of a count, on the public edition.
    fn restricted(&self, cell: Cell) -> Option<Count> {
        self.lens.is_public().then_some(cell.restricted)
    }

    /// A count table of clear-only incidents (owner pages), by state, zero rows left out.
    fn by_status(&self, incs: &[&Incident]) -> CountTable {
        let mut n: BTreeMap<&str, usize> = BTreeMap::new();
        for i in incs {
            *n.entry(i.status.as_str()).or_default() += 1;
        }
        let rows = self
            .b
            .cfg
            .workflow
            .states
            .iter()
            .filter_map(|s| {
                n.get(s.id.as_str()).map(|c| CountRow {
                    label: s.label.get(self.b.lang).to_owned(),
                    href: None,
                    count: Count::Shown(*c),
                })
            })
            .collect();
        CountTable {
            title: self.t("by_status"),
            rows,
            withheld: None,
        }
    }

    /// The report period's count with its link, as the archive and the report index print it.
    fn period_row(&self, pc: &PeriodCounts, href: String) -> CountRow {
        CountRow {
            label: pc.period.label(self.b.lang, self.b.cfg.timezone),
            href: Some(href),
            count: pc.reported().count,
        }
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

/// `site.base_url` ending in `/`, or empty when unset.
fn base_url(cfg: &Config) -> String {
    let mut base = crate::audience::clean(cfg.site.base_url.trim());
    if !base.is_empty() && !base.ends_with('/') {
        base.push('/');
    }
    base
}

/// The time the site's numbers are measured at: `--now` when given, else on the public
/// edition the newest history entry, so that the same incidents always give the same site
/// (the internal edition's SLA breaches depend on the clock by nature).
pub fn measured_at(b: &Build<'_>, updated: Option<Timestamp>) -> Timestamp {
    match (b.audience, b.show_now, updated) {
        (Audience::Public, false, Some(u)) => u,
        _ => b.now,
    }
}

/// When the data last changed, as the edition may say it: the public edition says only the
/// day (its midnight), since the newest change may be a restricted incident's and the time of
/// day it was worked on is not public. Cut here, no template or output can print more.
fn shown_updated(b: &Build<'_>, updated: Option<Timestamp>) -> Option<Timestamp> {
    match b.audience {
        Audience::Internal => updated,
        Audience::Public => updated.and_then(|t| {
            crate::period::midnight(crate::time::in_zone(t, b.cfg.timezone).date_naive(), b.cfg.timezone)
        }),
    }
}

/// The values every template receives, for pages at the root and one folder down.
fn shared(site: Value, t: Value, lang: Lang) -> [Value; 2] {
    [
        context! { site => site.clone(), t => t.clone(), root => "", lang => value(&lang) },
        context! { site => site, t => t, root => "../", lang => value(&lang) },
    ]
}

/// What `incident.html` receives besides the shared values.
fn incident_context(v: &crate::views::IncidentView) -> Value {
    context! { title => v.title.clone(), nav => "", incident => value(v) }
}

/// Renders every page of the site into `sink` as it is made; returns how many files it
/// wrote.
pub fn render(b: &Build<'_>, tpl: &Templates, sink: &dyn Sink) -> Result<usize, Error> {
    let cfg = b.cfg;
    let mut lens = Lens::new(cfg, b.lang, b.audience, &b.incidents);
    if let Some(bodies) = b.bodies {
        lens = lens.with_bodies(bodies);
    }
    let internal = b.audience == Audience::Internal;
    let updated = crate::census::updated(&b.incidents);
    let now = measured_at(b, updated);
    let facts: Vec<Facts<'_>> = b.incidents.par_iter().map(|i| Facts::new(i, cfg, now)).collect();
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
        updated: shown_updated(b, updated).map(|t| lens.time(t)),
    };
    let site_v = value(&site);
    let ui = i18n::ui(b.lang);
    let t_v = value(&ui);
    // Incident pages, lists and reports are written without the template engine while their
    // templates are the built-ins (`direct` makes the same bytes).
    let builtin = |names: &[&str]| !names.iter().any(|n| tpl.replaced(n));
    let incident_frame =
        builtin(direct::incident::TEMPLATES).then(|| direct::Frame::new(&site, &ui, direct::incident::ROOT, ""));
    let lists = builtin(direct::list::TEMPLATES).then(|| direct::list::Lists::new(&site, &ui));
    let report_pages = builtin(direct::report::TEMPLATES).then(|| {
        let kpis = crate::audience::kpi_labels(b.lang);
        let groups = crate::audience::group_labels(b.lang);
        direct::report::Reports::new(&site, &ui, &kpis, &groups)
    });
    let base = shared(site_v, t_v, b.lang);
    let out = Out {
        sink,
        claimed: std::sync::Mutex::new(std::collections::HashSet::new()),
    };
    let mut statics: Vec<Page> = Vec::new();
    for (name, bytes) in tpl.statics() {
        if name == "report.css" || name == "letter.css" {
            continue;
        }
        if name.ends_with(".schema.json") {
            statics.push((name.to_owned(), schema_with_id(bytes, &base_url(cfg), name)));
        } else {
            statics.push((name.to_owned(), bytes.to_vec()));
        }
    }
    out.all(statics)?;
    // The incident pages need no numbers: they are made while the census decides what the
    // other pages may print (its disclosure probing runs on one core) and the overview and
    // lists are written, so that neither part's one-core stretches leave the other core idle.
    // (Incident pages have paths of their own: the site is the same whichever finishes first.)
    let (pages, rest) = rayon::join(
        || {
            // Each incident page is written as soon as it is rendered, and dropped.
            b.incidents
                .par_iter()
                .filter_map(|i| lens.incident(i, b.now))
                .try_for_each(|v| {
                    let bytes = match &incident_frame {
                        Some(frame) => frame.incident_page(&v).into_bytes(),
                        None => tpl
                            .render("incident.html", &base[1], incident_context(&v))?
                            .into_bytes(),
                    };
                    out.put(&v.href, &bytes)
                })
        },
        || -> Result<Ctx<'_>, Error> {
            let periods = crate::census::site_periods(&facts, cfg, updated);
            let census = crate::census::census(&crate::census::Input {
                cfg,
                facts: &facts,
                public: !internal,
                now,
                periods,
                overview: true,
            });
            let cx = Ctx {
                b,
                lens: &lens,
                tpl,
                lists,
                reports: report_pages,
                base: &base,
                facts: &facts,
                census,
                now,
            };
            out.all(vec![overview(&cx)?])?;
            archive(&cx, &out)?;
            categories(&cx, &out)?;
            owners(&cx, &out)?;
            Ok(cx)
        },
    );
    // When both fail, the overview's error is told first, as when it was made before them.
    let cx = rest.and_then(|cx| pages.map(|()| cx))?;
    // `reports/` beside the feed and `api/` (paths of their own), for the same reason: the
    // API's list of incidents is one file, written in order.
    let (reported, published) = rayon::join(
        || reports(&cx, &out),
        || -> Result<(), Error> {
            out.all(vec![feed(&cx)?])?;
            let (incidents, status) = api(&cx);
            out.all(vec![status])?;
            if out.claim(API_INCIDENTS) {
                sink.put_with(API_INCIDENTS, &mut |w| incidents.write(&cx, w))
                    .map_err(Error::Write)?;
            }
            Ok(())
        },
    );
    reported.and(published)?;
    if b.audience == Audience::Internal {
        let ctx = context! { title => cx.t("sop_page"), nav => "sop_page", sop => value(&sop::view(cfg, b.lang)) };
        out.all(vec![("sop.html".into(), cx.render("sop.html", 0, ctx)?)])?;
    }
    // A host serves the 404 page at whatever path was asked for, so its links start from the
    // path of `site.base_url`; without one they start at `/` and the stylesheet is inlined.
    let path = base_path(&crate::audience::clean(&cfg.site.base_url));
    let css = path
        .is_none()
        .then(|| safe(String::from_utf8_lossy(tpl.static_file("style.css")).into_owned()));
    let nf_base = context! {
        site => value(&site),
        t => value(&i18n::ui(b.lang)),
        root => path.unwrap_or_else(|| "/".into()),
        lang => value(&b.lang),
    };
    let nf = context! { title => cx.t("not_found"), nav => "", css => css };
    out.all(vec![(
        "404.html".into(),
        tpl.render("404.html", &nf_base, nf)?.into_bytes(),
    )])?;
    // A body that could not be read as validated left its pages without it: none may stand.
    if let Some(d) = b.bodies.and_then(|b| b.failure()) {
        return Err(Error::Read(d));
    }
    let written = out
        .claimed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .len();
    Ok(written)
}

/// One period's report page.
fn report_page(
    cx: &Ctx<'_>,
    out: &Out<'_>,
    pc: &PeriodCounts,
    generated: Option<Timestamp>,
    texts: &crate::audience::Texts,
    (kpis, groups): (&Value, &Value),
) -> Result<(), Error> {
    let b = cx.b;
    let r = cx.lens.report(pc, cx.facts, generated, Some(texts));
    let path = format!("reports/{}.html", pc.period.key);
    let drawn = Charts::of(&r, b.lang);
    if let Some(page) = cx.reports.as_ref().and_then(|reports| reports.page(&r, &drawn)) {
        return out.put(&path, page.as_bytes());
    }
    let ctx = report_context(&r, &drawn, (kpis, groups));
    // The context holds its own copy of the view: a yearly view of a large repository is
    // tens of megabytes, not to be held twice while its page renders.
    drop(r);
    let bytes = cx.render("report-page.html", 1, ctx)?;
    out.put(&path, &bytes)
}

/// What `report-page.html` receives besides the shared values.
fn report_context(r: &crate::views::ReportView, drawn: &Charts, (kpis, groups): (&Value, &Value)) -> Value {
    context! {
        title => format!("{} — {}", r.title, r.period.label),
        nav => "reports",
        report => value(r),
        sla_rows => value(&r.sla_rows),
        charts => drawn.value(),
        kpis => kpis.clone(),
        groups => groups.clone(),
        standalone => false,
    }
}

/// A schema file with its `$id` made absolute under `site.base_url` (left as it is without
/// one, or when the file is not a JSON object).
fn schema_with_id(bytes: &[u8], base: &str, name: &str) -> Vec<u8> {
    if base.is_empty() {
        return bytes.to_vec();
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("$id".into(), serde_json::Value::String(format!("{base}{name}")));
            let mut s = serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
        _ => bytes.to_vec(),
    }
}

/// The labelled rows of a decided breakdown of the overview (states, steps, categories).
fn labelled(rows: &Rows, label: impl Fn(&str) -> String, other: &str) -> Vec<(String, String, Cell)> {
    rows.rows
        .iter()
        .map(|(k, c)| {
            let l = if k == OTHER { other.to_owned() } else { label(k) };
            (crate::audience::clean(k), l, *c)
        })
        .collect()
}

fn overview(cx: &Ctx<'_>) -> Result<Page, TemplateError> {
    let b = cx.b;
    let lang = b.lang;
    let w = &b.cfg.workflow;
    let o = cx.overview();
    let internal = b.audience == Audience::Internal;
    // Open incidents per step when every step's count can be shown, else per phase.
    let steps_shown = o.steps.iter().all(|(_, c)| c.count.value().is_some());
    #[derive(Serialize)]
    struct Stage {
        key: String,
        label: String,
        steps: String,
        count: Count,
    }
    let stages: Vec<Stage> = if steps_shown {
        o.steps
            .iter()
            .map(|(s, c)| Stage {
                key: s.to_string(),
                label: w
                    .steps
                    .iter()
                    .find(|x| x.step == *s)
                    .map(|x| x.label.get(lang).to_owned())
                    .unwrap_or_default(),
                steps: s.to_string(),
                count: c.count,
            })
            .collect()
    } else {
        PHASES
            .iter()
            .zip(&o.phases)
            .map(|((key, from, to), (_, c))| Stage {
                key: (*key).to_owned(),
                label: cx.t(&format!("phase_{key}")),
                steps: phase_steps(*from, *to, w.steps.iter().map(|s| s.step).max().unwrap_or(0)),
                count: c.count,
            })
            .collect()
    };
    let stages_note = (!steps_shown).then(|| {
        if o.phases.iter().all(|(_, c)| c.count.value().is_none()) {
            cx.t("phases_withheld")
        } else {
            cx.t("steps_withheld")
        }
    });
    // The open TLP:CLEAR incidents, listed apart from the counts.
    // By stage, then reported, then id; each incident's stage looked up once, not at every
    // comparison (a search of the workflow's transitions: a second at 100,000 incidents).
    let mut open: Vec<&Incident> = b.incidents.iter().copied().filter(|i| !w.is_final(&i.status)).collect();
    open.sort_by_cached_key(|i| (w.stage(&i.status), reported(i), i.id.as_str()));
    let open_rows = cx.rows(open.iter().copied());
    let mut closed: Vec<(&Incident, Timestamp)> = b
        .incidents
        .iter()
        .filter(|i| cx.lens.shows(i))
        .filter_map(|i| Lens::closed_at(i).map(|t| (*i, t)))
        .collect();
    closed.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.id.cmp(&y.0.id)));
    let recent = cx.rows(closed.iter().take(RECENT_CLOSURES).map(|(i, _)| *i));
    // Key figures: this year, the last 30 days, now, all time.
    let tz = b.cfg.timezone;
    let year = o.updated.map(|t| crate::time::in_zone(t, tz).year());
    let ytd = year.and_then(|y| cx.census.period(&format!("{y:04}")));
    #[derive(Serialize)]
    struct Figure {
        label: String,
        count: Count,
    }
    let mut figures = vec![Figure {
        label: cx.t("open_total"),
        count: o.open.count,
    }];
    if let (Some(y), Some(pc)) = (year, ytd) {
        figures.push(Figure {
            label: cx.t("ytd_reported").replace("{year}", &y.to_string()),
            count: pc.reported().count,
        });
        figures.push(Figure {
            label: cx.t("ytd_closed").replace("{year}", &y.to_string()),
            count: pc.totals["closed"].count,
        });
    }
    if o.recent.is_some() {
        figures.push(Figure {
            label: cx.t("recent_reported"),
            count: o.recent_reported.count,
        });
        figures.push(Figure {
            label: cx.t("recent_closed"),
            count: o.recent_closed.count,
        });
    }
    figures.push(Figure {
        label: cx.t("all_time"),
        count: o.total.count,
    });
    // The state of every incident so far.
    let final_rows: Vec<CountRow> = std::iter::once(CountRow {
        label: cx.t("open_total"),
        href: None,
        count: o.open.count,
    })
    .chain(o.states.iter().filter(|(s, _)| w.is_final(s)).map(|(s, c)| CountRow {
        label: cx.lens.state_label(s),
        href: None,
        count: c.count,
    }))
    .chain(std::iter::once(CountRow {
        label: cx.t("total"),
        href: None,
        count: o.total.count,
    }))
    .collect();
    let status_table = CountTable {
        title: cx.t("by_status"),
        rows: final_rows,
        withheld: None,
    };
    // This year's incidents by category, as a chart.
    let category_chart = ytd.map(|pc| {
        let rows = pc.breakdowns.get("by_category").cloned().unwrap_or_default();
        if rows.withheld || rows.rows.is_empty() {
            Err(cx.t("withheld_breakdown"))
        } else {
            let bars: Vec<Breakdown> = labelled(&rows, |k| cx.lens.category_label(k), &cx.t("other"))
                .into_iter()
                .map(|(key, label, c)| Breakdown {
                    key,
                    label,
                    count: c.count,
                    rsit: Vec::new(),
                })
                .collect();
            Ok(charts::bars("kategori-tahun", &cx.t("ytd_by_category"), &bars, lang))
        }
    });
    let mut breaches = Vec::new();
    let mut overdue = Vec::new();
    if internal {
        let cal = b.cfg.calendar();
        for i in &open {
            let stays = crate::workflow::stays(w, &b.cfg.sla, i, cx.now);
            if let Some(s) = stays.last().filter(|s| s.breached()) {
                if let Some(row) = cx.lens.row(i) {
                    breaches.push(Breach {
                        row,
                        state: cx.lens.state_label(s.state),
                        spent: i18n::duration(lang, s.spent),
                        limit: s.limit.map(|l| i18n::duration(lang, l)).unwrap_or_default(),
                    });
                }
            }
            if w.documentation_overdue(i, &cal, cx.now).is_some() {
                overdue.extend(cx.lens.row(i));
            }
        }
    }
    let ctx = context! {
        title => cx.t("overview"),
        nav => "overview",
        figures => value(&figures),
        ytd_year => year,
        stages => value(&stages),
        steps_shown => steps_shown,
        stages_note => stages_note,
        open_rows => value(&open_rows),
        recent => value(&recent),
        status_table => value(&status_table),
        category_chart => category_chart.as_ref().and_then(|c| c.as_ref().ok()).map(|svg| safe(svg.clone())),
        category_note => category_chart.and_then(|c| c.err()),
        restricted_open => value(&cx.restricted(o.open)),
        breaches => value(&breaches),
        overdue => value(&overdue),
    };
    Ok(("index.html".into(), cx.render("index.html", 0, ctx)?))
}

/// "1–3", "9–10": the steps of a phase as a reader sees them.
fn phase_steps(from: u8, to: u8, last: u8) -> String {
    let to = to.min(last.max(from));
    if from == to {
        from.to_string()
    } else {
        format!("{from}–{to}")
    }
}

/// A page per year and per month, each written as soon as it is rendered, then their index.
fn archive(cx: &Ctx<'_>, out: &Out<'_>) -> Result<(), Error> {
    let b = cx.b;
    let tz = b.cfg.timezone;
    let mut by_month: BTreeMap<(i32, u32), Vec<&Incident>> = BTreeMap::new();
    for i in &b.incidents {
        if let Some(t) = reported(i) {
            let l = crate::time::in_zone(t, tz);
            by_month.entry((l.year(), l.month())).or_default().push(i);
        }
    }
    #[derive(Serialize)]
    struct Year {
        year: i32,
        href: String,
        count: Count,
        months: Vec<CountRow>,
    }
    let mut index = Vec::new();
    let years: Vec<&PeriodCounts> = cx
        .census
        .periods
        .iter()
        .filter(|p| p.period.kind == PeriodKind::Year)
        .collect();
    for pc in years.iter().rev() {
        let y = crate::time::in_zone(pc.period.from, tz).year();
        let months: Vec<&PeriodCounts> = cx
            .census
            .periods
            .iter()
            .filter(|p| p.period.kind == PeriodKind::Month && p.period.key.starts_with(&format!("{y:04}-")))
            .collect();
        let rows: Vec<CountRow> = months
            .iter()
            .map(|m| cx.period_row(m, format!("archive/{}.html", m.period.key)))
            .collect();
        index.push(Year {
            year: y,
            href: format!("archive/{y:04}.html"),
            count: pc.reported().count,
            months: rows.clone(),
        });
        let all: Vec<&Incident> = by_month
            .range((y, 1)..=(y, 12))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        let page = ListPage {
            title: format!("{} {y}", cx.t("archive")),
            nav: "archive",
            intro: None,
            count: Some(pc.reported().count),
            restricted: cx.restricted(pc.reported()),
            report: Some(format!("reports/{y:04}.html")),
            tables: vec![CountTable {
                title: cx.t("months"),
                rows,
                withheld: None,
            }],
            rows: cx.rows(all.iter().copied()),
        };
        cx.list(out, &format!("archive/{y:04}.html"), &page)?;
        months.par_iter().try_for_each(|m| -> Result<(), Error> {
            let l = crate::time::in_zone(m.period.from, tz);
            let v = by_month.get(&(l.year(), l.month())).cloned().unwrap_or_default();
            let page = ListPage {
                title: format!("{} {}", cx.t("archive"), i18n::month_year(b.lang, l.year(), l.month())),
                nav: "archive",
                intro: None,
                count: Some(m.reported().count),
                restricted: cx.restricted(m.reported()),
                report: Some(format!("reports/{}.html", m.period.key)),
                tables: Vec::new(),
                rows: cx.rows(v.iter().copied()),
            };
            cx.list(out, &format!("archive/{}.html", m.period.key), &page)
        })?;
    }
    let ctx = context! { title => cx.t("archive"), nav => "archive", years => value(&index) };
    out.put("archive/index.html", &cx.render("archive.html", 1, ctx)?)
}

/// A page per category, each written as soon as it is rendered, then their index.
fn categories(cx: &Ctx<'_>, out: &Out<'_>) -> Result<(), Error> {
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
    let o = cx.overview();
    let cell = |k: &str| o.categories.get(k).copied().unwrap_or(Cell::exact(Default::default()));
    // A category named in no breakdown prints only its listed incidents, as "≥ n".
    let items: Vec<CountRow> = by
        .keys()
        .map(|k| CountRow {
            label: cx.lens.category_label(k),
            href: Some(Lens::category_href(k)),
            count: cell(k).unnamed(),
        })
        .collect();
    by.par_iter().try_for_each(|(k, v)| {
        let rsit = b.cfg.category(k).map(|c| c.rsit.join(", ")).unwrap_or_default();
        let page = ListPage {
            title: format!("{}: {}", cx.t("category"), cx.lens.category_label(k)),
            nav: "categories",
            intro: (!rsit.is_empty()).then(|| format!("{}: {rsit}", cx.t("rsit"))),
            count: Some(cell(k).unnamed()),
            restricted: cx.lens.is_public().then(|| match cell(k).restricted {
                Count::Shown(n) => Count::Shown(n),
                Count::Range { .. } => Count::WITHHELD,
            }),
            report: None,
            tables: Vec::new(),
            rows: cx.rows(v.iter().copied()),
        };
        cx.list(out, &Lens::category_href(k), &page)
    })?;
    let ctx = context! {
        title => cx.t("categories"),
        nav => "categories",
        items => value(&items),
        intro => if cx.lens.is_public() { cx.t("categories_help") } else { String::new() },
    };
    out.put("categories/index.html", &cx.render("index-list.html", 1, ctx)?)
}

/// A page per owner, each written as soon as it is rendered, then their index.
fn owners(cx: &Ctx<'_>, out: &Out<'_>) -> Result<(), Error> {
    let b = cx.b;
    // Only incidents the audience may see name their owner.
    let pages: HashMap<&str, &str> = cx.lens.owner_pages().collect();
    let mut by: BTreeMap<&str, Vec<&Incident>> = BTreeMap::new();
    for i in b.incidents.iter().filter(|i| cx.lens.shows(i)) {
        if let Some(o) = &i.owner {
            let name = crate::audience::clean(o);
            if let Some((n, _)) = pages.get_key_value(name.as_str()) {
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
            // Only incidents the audience may see, all listed on the owner's page.
            count: Count::Shown(by.get(n).map_or(0, Vec::len)),
        })
        .collect();
    cx.lens
        .owner_pages()
        .collect::<Vec<_>>()
        .par_iter()
        .try_for_each(|(n, h)| {
            let v = by.get(n).cloned().unwrap_or_default();
            let page = ListPage {
                title: format!("{}: {n}", cx.t("owner")),
                nav: "owners",
                intro: None,
                count: None,
                restricted: None,
                report: None,
                tables: vec![cx.by_status(&v)],
                rows: cx.rows(v.iter().copied()),
            };
            cx.list(out, h, &page)
        })?;
    let ctx = context! {
        title => cx.t("owners"),
        nav => "owners",
        items => value(&items),
        intro => if cx.lens.is_public() { cx.t("restricted_help") } else { String::new() },
    };
    out.put("owners/index.html", &cx.render("index-list.html", 1, ctx)?)
}

/// The report page's charts: reported per month, by category, by severity; a chart whose
/// breakdown is withheld is `none` (the page says why instead).
pub fn charts(r: &crate::views::ReportView, lang: Lang) -> Value {
    Charts::of(r, lang).value()
}

/// A report's charts (SVG), each absent where its numbers are withheld or there are none.
#[derive(Debug, Default)]
pub struct Charts {
    pub month: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
}

impl Charts {
    pub fn of(r: &crate::views::ReportView, lang: Lang) -> Charts {
        let t = |k: &str| i18n::text(lang, k);
        let chart = |name: &str, id: &str, title: &str, rows: &[Breakdown]| {
            (!r.withheld.contains(&name) && !rows.is_empty()).then(|| charts::bars(id, title, rows, lang))
        };
        let months_hidden = r.by_month.iter().all(|b| b.count.value().is_none());
        Charts {
            month: (!months_hidden).then(|| charts::bars("bulan", &t("by_month"), &r.by_month, lang)),
            category: chart("by_category", "kategori", &t("by_category"), &r.by_category),
            severity: chart("by_severity", "keparahan", &t("by_severity"), &r.by_severity),
        }
    }

    /// The charts as templates receive them: `month`, `category`, `severity`, safe markup or
    /// none.
    pub fn value(&self) -> Value {
        let svg = |c: &Option<String>| c.clone().map(safe);
        context! {
            month => svg(&self.month),
            category => svg(&self.category),
            severity => svg(&self.severity),
        }
    }
}

/// The report of every period, each written as soon as it is rendered (a yearly report of a
/// large repository is tens of megabytes), then their index.
fn reports(cx: &Ctx<'_>, out: &Out<'_>) -> Result<(), Error> {
    let b = cx.b;
    // Printed only when `--now` was given: without it the site does not depend on the clock.
    let generated = b.show_now.then_some(b.now);
    let kpis = value(&crate::audience::kpi_labels(b.lang));
    let groups = value(&crate::audience::group_labels(b.lang));
    // A year's months, quarters and the year itself are rendered together, sharing each
    // incident's texts (the same on its month's, quarter's and year's page), which are
    // dropped with the year; the year first, the largest page, while the others fill the
    // other cores.
    let mut by_year: BTreeMap<i32, Vec<&PeriodCounts>> = BTreeMap::new();
    for pc in &cx.census.periods {
        let year = crate::time::in_zone(pc.period.from, b.cfg.timezone).year();
        by_year.entry(year).or_default().push(pc);
    }
    let years: Vec<_> = by_year.into_values().collect();
    years.into_par_iter().try_for_each(|mut periods| {
        periods.sort_by_key(|p| p.period.kind != PeriodKind::Year);
        let texts = crate::audience::Texts::default();
        periods
            .par_iter()
            .try_for_each(|pc| report_page(cx, out, pc, generated, &texts, (&kpis, &groups)))
    })?;
    #[derive(Serialize)]
    struct YearIndex {
        year: CountRow,
        quarters: Vec<CountRow>,
        months: Vec<CountRow>,
    }
    let of = |kind: PeriodKind, prefix: &str| -> Vec<CountRow> {
        cx.census
            .periods
            .iter()
            .filter(|p| p.period.kind == kind && p.period.key.starts_with(prefix))
            .map(|p| cx.period_row(p, format!("reports/{}.html", p.period.key)))
            .collect()
    };
    let index: Vec<YearIndex> = cx
        .census
        .periods
        .iter()
        .filter(|p| p.period.kind == PeriodKind::Year)
        .rev()
        .map(|y| {
            let prefix = format!("{}-", y.period.key);
            YearIndex {
                year: cx.period_row(y, format!("reports/{}.html", y.period.key)),
                quarters: of(PeriodKind::Quarter, &prefix),
                months: of(PeriodKind::Month, &prefix),
            }
        })
        .collect();
    let ctx = context! { title => cx.t("reports"), nav => "reports", years => value(&index) };
    out.put("reports/index.html", &cx.render("reports.html", 1, ctx)?)
}

fn feed(cx: &Ctx<'_>) -> Result<Page, TemplateError> {
    let b = cx.b;
    let auth = authority(&b.cfg.site.base_url);
    let entries = cx.lens.feed(&b.incidents, &auth, FEED_ENTRIES);
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_owned(), |e| e.updated.clone());
    // With a base URL every link is absolute and the feed says where relative ones start.
    let ctx = context! {
        base => base_url(b.cfg),
        title => crate::audience::clean(&b.cfg.site.title),
        feed_id => format!("tag:{auth},2026-01-01:insiden/{}/{}", b.audience.as_str(), b.lang.code()),
        updated => updated,
        entries => value(&entries),
    };
    Ok(("feed.xml".into(), cx.render("feed.xml", 0, ctx)?))
}

#[derive(Serialize)]
struct Keyed {
    key: String,
    label: String,
    count: Count,
}

fn keyed(rows: Vec<(String, String, Cell)>, restricted: bool) -> Vec<Keyed> {
    rows.into_iter()
        .map(|(key, label, c)| Keyed {
            key,
            label,
            count: if restricted { c.restricted } else { c.count },
        })
        .collect()
}

/// Where the incidents of the JSON API go.
const API_INCIDENTS: &str = "api/incidents.json";

/// `api/incidents.json`, written a slice of incidents at a time: the document around the
/// list, pretty-printed as `serde_json` prints the whole (keys in order, two-space indent).
struct IncidentsDoc {
    /// Up to and including `"incidents": `.
    head: String,
    /// From the end of the list to the end of the file.
    tail: String,
}

/// How many incidents are turned into JSON at once.
const API_SLICE: usize = 512;

impl IncidentsDoc {
    fn write(&self, cx: &Ctx<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(self.head.as_bytes())?;
        let mut first = true;
        for slice in cx.b.incidents.chunks(API_SLICE) {
            let items: Vec<String> = slice
                .par_iter()
                .filter_map(|i| cx.lens.api(i))
                .map(|v| {
                    // Printed as declared: the API's structs declare their fields sorted, as
                    // a `serde_json::Value` would print them, at a fraction of the cost.
                    let s = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
                    // An element of the list sits two levels in: indent each of its lines (no
                    // JSON string holds a raw line break).
                    let mut out = String::with_capacity(s.len() + s.len() / 8);
                    for line in s.split('\n') {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str("    ");
                        out.push_str(line);
                    }
                    Ok(out)
                })
                .collect::<std::io::Result<_>>()?;
            for item in items {
                w.write_all(if first { b"[\n" } else { b",\n" })?;
                first = false;
                w.write_all(item.as_bytes())?;
            }
        }
        w.write_all(if first { b"[]" } else { b"\n  ]" })?;
        w.write_all(self.tail.as_bytes())
    }
}

/// Stands for the list of incidents while the rest of the document is printed.
const LIST_MARK: &str = "\u{0}insiden-incidents\u{0}";

fn api(cx: &Ctx<'_>) -> (IncidentsDoc, Page) {
    let b = cx.b;
    let lens = &cx.lens;
    let o = cx.overview();
    let w = &b.cfg.workflow;
    let lang = b.lang;
    let other = i18n::text(lang, "other");
    let base = base_url(b.cfg);
    let schema = |name: &str| {
        if base.is_empty() {
            format!("schema/{name}.schema.json")
        } else {
            format!("{base}api/schema/{name}.schema.json")
        }
    };
    let status_rows = labelled(&o.by_status, |k| lens.state_label(k), &other);
    let category_rows = labelled(&o.by_category, |k| lens.category_label(k), &other);
    let withheld = |name: &'static str, rows: &Rows| rows.withheld.then_some(name);
    let names = |v: &[Option<&'static str>]| v.iter().flatten().copied().collect::<Vec<_>>();
    // The restricted incidents by status and category: the restricted parts of the overview's
    // counts, decided with them, so the two never disagree.
    let restricted = lens.is_public().then(|| {
        serde_json::json!({
            "count": o.total.restricted,
            "by_status": keyed(status_rows.clone(), true),
            "by_category": keyed(category_rows.clone(), true),
            "withheld": names(&[withheld("by_status", &o.by_status), withheld("by_category", &o.by_category)]),
        })
    });
    let doc = serde_json::json!({
        "$schema": schema("incidents"),
        "schema_version": API_VERSION,
        "audience": b.audience,
        "lang": lang,
        "updated": shown_updated(b, o.updated).map(|t| lens.time(t).iso),
        "incidents": LIST_MARK,
        "restricted": restricted,
    });
    let stage_label = |s: &str| {
        s.parse::<u8>()
            .ok()
            .and_then(|n| w.steps.iter().find(|x| x.step == n))
            .map(|x| x.label.get(lang).to_owned())
            .unwrap_or_default()
    };
    let by_stage: Vec<serde_json::Value> = o
        .by_stage
        .rows
        .iter()
        .map(|(k, c)| {
            let step = k.parse::<u8>().ok();
            let label = if k == OTHER { other.clone() } else { stage_label(k) };
            serde_json::json!({ "step": step, "label": label, "count": c.count })
        })
        .collect();
    let top = w.steps.iter().map(|s| s.step).max().unwrap_or(0);
    let by_phase: Vec<serde_json::Value> = PHASES
        .iter()
        .zip(&o.phases)
        .map(|((key, from, to), (_, c))| {
            let steps: Vec<u8> = w
                .steps
                .iter()
                .map(|s| s.step)
                .filter(|s| *s >= *from && (*s <= *to || *to >= top))
                .collect();
            serde_json::json!({
                "key": key,
                "label": i18n::text(lang, &format!("phase_{key}")),
                "steps": steps,
                "count": c.count,
            })
        })
        .collect();
    let tz = b.cfg.timezone;
    let year = o.updated.map(|t| crate::time::in_zone(t, tz).year());
    let ytd = year.and_then(|y| cx.census.period(&format!("{y:04}"))).map(|pc| {
        let rows = pc.breakdowns.get("by_category").cloned().unwrap_or_default();
        serde_json::json!({
            "year": year,
            "reported": pc.reported().count,
            "closed": pc.totals["closed"].count,
            "by_category": keyed(labelled(&rows, |k| lens.category_label(k), &other), false),
            "withheld": names(&[withheld("by_category", &rows)]),
        })
    });
    let last_30_days = o.recent.map(|(from, to)| {
        serde_json::json!({
            "from": lens.time(from).iso,
            "to": lens.time(to).iso,
            "reported": o.recent_reported.count,
            "closed": o.recent_closed.count,
        })
    });
    let state = |id: &str| o.states.iter().find(|(s, _)| s == id).map(|(_, c)| c.count);
    let status = serde_json::json!({
        "$schema": schema("status"),
        "schema_version": API_VERSION,
        "audience": b.audience,
        "lang": lang,
        "updated": shown_updated(b, o.updated).map(|t| lens.time(t).iso),
        "as_of": b.show_now.then(|| lens.time(b.now).iso),
        "total": o.total.count,
        "open": o.open.count,
        "closed": state(crate::report::CLOSED),
        "rejected": state(crate::report::REJECTED),
        "year_to_date": ytd,
        "last_30_days": last_30_days,
        "by_phase": by_phase,
        "by_stage": by_stage,
        "by_status": keyed(status_rows, false),
        "by_category": keyed(category_rows, false),
        "withheld": names(&[
            withheld("by_stage", &o.by_stage),
            withheld("by_status", &o.by_status),
            withheld("by_category", &o.by_category),
        ]),
    });
    let pretty = |v: &serde_json::Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s.into_bytes()
    };
    let whole = String::from_utf8(pretty(&doc)).unwrap_or_default();
    let mark = format!("{}\n", serde_json::to_string(LIST_MARK).unwrap_or_default());
    let (head, tail) = whole
        .split_once(&mark[..mark.len() - 1])
        .map_or_else(|| (whole.clone(), String::new()), |(h, t)| (h.to_owned(), t.to_owned()));
    (IncidentsDoc { head, tail }, ("api/status.json".into(), pretty(&status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An incident of `api/incidents.json` prints, from its struct, what a `serde_json::Value`
    /// of it prints (keys sorted), whichever optional parts it has.
    #[test]
    fn api_incidents_print_from_their_structs_as_their_json_values_print() {
        use crate::views::*;
        let mut pick = direct::tests::Pick(13);
        for _ in 0..400 {
            let p = &mut pick;
            let some = |p: &mut direct::tests::Pick| p.n(3) > 0;
            let v = ApiIncident {
                category: p.opt(),
                closed_at: p.opt(),
                id: p.text(),
                internal: some(p).then(|| ApiInternal {
                    assets: p.texts(),
                    attachments: p.texts(),
                    external_reports: (0..p.n(3))
                        .map(|_| ExternalReportView {
                            at: p.time(),
                            reference: p.opt(),
                            to: p.text(),
                        })
                        .collect(),
                    handler: some(p).then(|| HandlerView {
                        contact: p.opt(),
                        kind: p.opt(),
                        name: p.opt(),
                    }),
                    in_scope: some(p).then(|| p.n(2) == 0),
                    observables: (0..p.n(3))
                        .map(|_| ObservableView {
                            ioc: p.n(2) == 0,
                            kind: p.text(),
                            value: p.text(),
                        })
                        .collect(),
                    red_withheld: p.n(2) == 0,
                    reporter: some(p).then(|| ReporterView {
                        channel: p.opt(),
                        contact: p.opt(),
                        kind: p.opt(),
                        name: p.opt(),
                        organization: p.opt(),
                    }),
                    resolution: p.opt(),
                    tags: p.texts(),
                }),
                owner: p.opt(),
                reported_at: p.opt(),
                severity: p.opt(),
                status: p.text(),
                status_label: p.text(),
                summary: p.opt(),
                timeline: (0..p.n(4))
                    .map(|_| ApiEntry {
                        actor: p.opt(),
                        at: p.text(),
                        by: p.text(),
                        note: p.opt(),
                        to: p.text(),
                        update: p.n(2) == 0,
                    })
                    .collect(),
                title: p.text(),
                tlp: p.tlp().label,
                url: p.text(),
            };
            let value = serde_json::to_value(&v).expect("value");
            assert_eq!(
                serde_json::to_string_pretty(&v).expect("print"),
                serde_json::to_string_pretty(&value).expect("print"),
                "{v:#?}"
            );
        }
    }

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

    /// Bodies that cannot be read as they were validated.
    struct Unreadable;

    impl crate::audience::Bodies for Unreadable {
        fn body(&self, _: &Incident) -> String {
            String::new()
        }

        fn failure(&self) -> Option<crate::diag::Diagnostic> {
            Some(crate::diag::Diagnostic::error(
                crate::diag::Code::Io,
                "incidents/2026/2026-0001.md",
                "the file changed while the site was being built",
            ))
        }
    }

    /// Pages taken and dropped.
    struct Nowhere;

    impl Sink for Nowhere {
        fn put(&self, _: &str, _: &[u8]) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_body_that_cannot_be_read_as_validated_fails_the_whole_site() {
        let cfg = Config::builtin();
        let text = "---\nid: 2026-0001\ntitle: Situs desa diretas\nstatus: reported\ntlp: TLP:CLEAR\nhistory:\n  - { at: 2026-03-02T09:00:00+07:00, to: reported, by: helpdesk }\n---\n## Laporan\n\nHalaman depan berubah.\n";
        let inc = crate::doc::parse(text, "incidents/2026/2026-0001.md", cfg.timezone)
            .incident
            .expect("incident");
        let tpl = Templates::new(Vec::new()).expect("templates");
        for (bodies, fails) in [(None, false), (Some(&Unreadable as &dyn crate::audience::Bodies), true)] {
            let b = Build {
                cfg: &cfg,
                incidents: vec![&inc],
                audience: Audience::Internal,
                lang: Lang::Id,
                now: inc.history[0].at,
                show_now: false,
                bodies,
            };
            let r = render(&b, &tpl, &Nowhere);
            assert_eq!(matches!(r, Err(Error::Read(_))), fails, "{:?}", r.err());
        }
    }

    #[test]
    fn phases_name_their_steps() {
        assert_eq!(phase_steps(1, 3, 10), "1–3");
        assert_eq!(phase_steps(9, u8::MAX, 10), "9–10");
        assert_eq!(phase_steps(9, u8::MAX, 9), "9");
    }
}
