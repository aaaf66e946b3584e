//! Confidentiality by audience (SPEC §6, FIRST TLP 2.0): the only constructor of the views
//! (`views`) that templates and the JSON outputs receive, so a template cannot reach a field
//! its audience may not see.
//!
//! * `Public`: a TLP:CLEAR incident shows the fields of [`PUBLIC_FIELDS`] (teams, never
//!   people). Every other incident (a missing `tlp` counts as AMBER) appears only in counts,
//!   which `census` decides with `disclosure` before they reach a view. Reporter, contacts,
//!   actors, assets, observables and attachments are never public.
//! * `Internal`: everything, except that a TLP:RED incident shows metadata only (no body,
//!   summary, notes or attachments).
//!
//! No I/O and no minijinja. Strings from incident files are cleaned of characters XML cannot
//! carry.

use crate::census::{PeriodCounts, Rows, OTHER};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::disclosure::Count;
use crate::i18n::{self, TimeText};
use crate::model::{Incident, Timestamp, Tlp};
use crate::report::{Facts, GROUPS, KPIS, NONE};
pub use crate::views::Audience;
use crate::views::{
    ApiEntry, ApiIncident, ApiInternal, AttachmentView, BreachView, Breakdown, DeliveryView, EntryView,
    ExternalReportView, FeedEntry, HandlerView, IncidentRow, IncidentTextView, IncidentView, Labelled, Link,
    ObservableView, OnwardView, OrgView, PeriodView, RecordsView, ReportIncident, ReportView, ReporterView,
    RestrictedView, SlaRow, SlaView, StatView, StepView, TlpView, TotalsView,
};
use crate::workflow::Lang;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The fields of a TLP:CLEAR incident that the public edition shows, and how: the public
/// field policy. `docs/SITE.md` ("Public fields") carries the same table, and a test keeps the
/// two equal. Every other field (`occurred_at`, `detected_at`, reporter, assets, handler,
/// resolution, …) is internal, and an incident of any other TLP shows none of them.
pub const PUBLIC_FIELDS: &[(&str, &str)] = &[
    ("id", "number and page address"),
    ("title", "heading"),
    ("summary", "lead paragraph"),
    ("status", "label, and the ten SOP steps with their times and teams"),
    ("tlp", "badge"),
    ("category", "label, linked to the category page"),
    ("severity", "label"),
    ("owner", "name, linked to the owner page"),
    ("reported_at", "time"),
    (
        "history",
        "timeline: each entry's state, time, team and note (never the actor); the closing time",
    ),
    ("body", "the rendered sections"),
];

/// Whether the public edition shows `field` of a TLP:CLEAR incident ([`PUBLIC_FIELDS`]).
pub fn is_public_field(field: &str) -> bool {
    PUBLIC_FIELDS.iter().any(|(f, _)| *f == field)
}

/// Removes characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR; U+FFFE,
/// U+FFFF), so every output stays well-formed whatever a file contains, and the
/// bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069),
/// which would reverse the text that follows them on a page, in a feed reader's list or in a
/// window title. Right-to-left text itself needs none of them and is kept; templates also
/// isolate user text with `<bdi>`.
pub fn clean(s: &str) -> String {
    let keep = |c: char| {
        (matches!(c, '\t' | '\n' | '\r') || !c.is_control())
            && c != '\u{fffe}'
            && c != '\u{ffff}'
            && !is_bidi_control(c)
    };
    // Nearly all text has nothing to strip: copy it whole rather than char by char.
    if is_plain(s.as_bytes()) || s.chars().all(keep) {
        return s.to_owned();
    }
    s.chars().filter(|&c| keep(c)).collect()
}

/// Whether `bytes` are all printable ASCII, tabs and line breaks, which [`clean`] keeps as
/// they are: bodies of a few KB are cleaned for every page and API entry that shows them, so
/// they are checked a block at a time.
fn is_plain(bytes: &[u8]) -> bool {
    let plain = |b: u8| (0x20..0x7f).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r');
    let blocks = crate::ascii::allowed_prefix(bytes, plain);
    bytes[blocks..].iter().all(|&b| plain(b))
}

/// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn clean_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(clean).filter(|s| !s.trim().is_empty())
}

/// The lens through which one audience sees the incidents: configuration, language, and the
/// link targets of categories and owners.
pub struct Lens<'a> {
    pub cfg: &'a Config,
    pub lang: Lang,
    pub audience: Audience,
    members: HashMap<&'a str, &'a str>,
    owners: BTreeMap<String, String>,
    /// Where bodies are read when they are not held by the incidents.
    bodies: Option<&'a dyn Bodies>,
}

/// The internal report's incident texts, made once and shared by the reports of the periods
/// that list an incident (its month, quarter and year): cleaning the texts and rendering
/// their Markdown once, and reading a body kept out of memory once.
#[derive(Default)]
pub struct Texts(std::sync::Mutex<HashMap<String, IncidentTextView>>);

impl Texts {
    fn get_or(&self, inc: &Incident, make: impl FnOnce() -> IncidentTextView) -> IncidentTextView {
        let lock = || self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(t) = lock().get(&inc.id) {
            return t.clone();
        }
        let t = make();
        lock().insert(inc.id.clone(), t.clone());
        t
    }
}

/// Incident bodies kept out of memory between validation and the pages that show them (a
/// build of a large repository): each is read again when it is needed.
pub trait Bodies: Sync {
    /// The body of `inc` exactly as it was validated. When it cannot be read so, the body is
    /// empty and the failure is kept for [`Bodies::failure`]: whoever renders must then
    /// discard what it rendered.
    fn body(&self, inc: &Incident) -> String;
    /// The first body that could not be read, if any.
    fn failure(&self) -> Option<Diagnostic>;
}

/// A file-name-safe slug (never empty).
pub fn slug(s: &str) -> String {
    let s = crate::markdown::slug(s);
    s.chars().take(80).collect::<String>().trim_end_matches('-').to_owned()
}

impl<'a> Lens<'a> {
    /// The lens reads bodies from `bodies` rather than from the incidents.
    pub fn with_bodies(self, bodies: &'a dyn Bodies) -> Lens<'a> {
        Lens {
            bodies: Some(bodies),
            ..self
        }
    }

    fn body<'i>(&self, inc: &'i Incident) -> Cow<'i, str> {
        match self.bodies {
            Some(b) => Cow::Owned(b.body(inc)),
            None => Cow::Borrowed(&inc.body),
        }
    }

    /// `incidents` are all incidents; owner pages exist only for owners the audience may see.
    pub fn new(cfg: &'a Config, lang: Lang, audience: Audience, incidents: &[&Incident]) -> Lens<'a> {
        let members = cfg
            .teams
            .values()
            .flat_map(|t| t.members.iter())
            .map(|m| (m.id.as_str(), m.name.as_str()))
            .collect();
        let mut lens = Lens {
            cfg,
            lang,
            audience,
            members,
            owners: BTreeMap::new(),
            bodies: None,
        };
        let mut names: Vec<String> = incidents
            .iter()
            .filter(|i| lens.shows(i))
            .filter_map(|i| clean_opt(&i.owner))
            .collect();
        names.sort();
        names.dedup();
        // Names that slug alike get -2, -3…, skipping any slug already taken ("Dinas X",
        // "Dinas X 2" and "Dinas-X" make three pages).
        // `index` is the owners' list itself.
        let mut taken: std::collections::HashSet<String> = ["index".to_owned()].into();
        for n in names {
            let base = slug(&n);
            let mut s = base.clone();
            let mut k = 1;
            while taken.contains(&s) {
                k += 1;
                s = format!("{base}-{k}");
            }
            taken.insert(s.clone());
            lens.owners.insert(n, format!("owners/{s}.html"));
        }
        lens
    }

    /// Whether the audience may see this incident's details (not only count it).
    pub fn shows(&self, inc: &Incident) -> bool {
        match self.audience {
            Audience::Public => inc.effective_tlp() == Tlp::Clear,
            Audience::Internal => true,
        }
    }

    /// Whether the incident's body, notes and attachments are withheld (TLP:RED).
    fn withholds(&self, inc: &Incident) -> bool {
        self.audience == Audience::Internal && inc.effective_tlp() == Tlp::Red
    }

    pub fn is_public(&self) -> bool {
        self.audience == Audience::Public
    }

    /// Whether the audience sees `field` of an incident it may see ([`PUBLIC_FIELDS`]).
    fn may(&self, field: &str) -> bool {
        !self.is_public() || is_public_field(field)
    }

    pub fn time(&self, t: Timestamp) -> TimeText {
        i18n::time(self.lang, t, self.cfg.timezone)
    }

    pub fn state_label(&self, state: &str) -> String {
        self.cfg
            .workflow
            .state(state)
            .map_or_else(|| clean(state), |s| s.label.get(self.lang).to_owned())
    }

    pub fn state(&self, state: &str) -> Labelled {
        Labelled {
            id: clean(state),
            label: self.state_label(state),
        }
    }

    pub fn role_label(&self, role: &str) -> String {
        if role == crate::workflow::SYSTEM {
            return i18n::term(self.lang, "role", "system");
        }
        self.cfg
            .workflow
            .roles
            .iter()
            .find(|r| r.id == role)
            .map_or_else(|| clean(role), |r| r.label.get(self.lang).to_owned())
    }

    pub fn category_label(&self, id: &str) -> String {
        if id == NONE {
            return i18n::text(self.lang, "none");
        }
        self.cfg
            .category(id)
            .map_or_else(|| clean(id), |c| c.label.get(self.lang).to_owned())
    }

    pub fn category_href(id: &str) -> String {
        format!("categories/{}.html", slug(id))
    }

    pub fn incident_href(id: &str) -> String {
        format!("incidents/{}.html", slug(id).to_uppercase())
    }

    /// The page of an owner, when the audience may see it.
    pub fn owner_href(&self, owner: &str) -> Option<&str> {
        self.owners.get(owner).map(String::as_str)
    }

    /// Every owner page: (name, href).
    pub fn owner_pages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.owners.iter().map(|(n, h)| (n.as_str(), h.as_str()))
    }

    fn owner_link(&self, inc: &Incident) -> Option<Link> {
        let name = clean_opt(&inc.owner)?;
        let href = self.owner_href(&name)?.to_owned();
        Some(Link { label: name, href })
    }

    fn severity(&self, inc: &Incident) -> Option<Labelled> {
        inc.severity.map(|s| Labelled {
            id: s.as_str().to_owned(),
            label: i18n::term(self.lang, "severity", s.as_str()),
        })
    }

    /// The SOP step an open incident is at: the earliest step of the forward transitions
    /// leaving its state (`None` for final states).
    pub fn stage(&self, state: &str) -> Option<u8> {
        self.cfg.workflow.stage(state)
    }

    /// When the incident was (last) closed.
    pub fn closed_at(inc: &Incident) -> Option<Timestamp> {
        inc.history
            .iter()
            .rev()
            .find(|e| e.to == crate::report::CLOSED)
            .map(|e| e.at)
    }

    /// A list line, or `None` when the audience may only count this incident.
    pub fn row(&self, inc: &Incident) -> Option<IncidentRow> {
        if !self.shows(inc) {
            return None;
        }
        Some(IncidentRow {
            id: clean(&inc.id),
            title: clean(&inc.title),
            href: Self::incident_href(&inc.id),
            status: self.state(&inc.status),
            tlp: TlpView::from(inc.effective_tlp()),
            category: inc
                .category
                .as_deref()
                .filter(|_| self.may("category"))
                .map(|c| self.category_label(c)),
            severity: inc
                .severity
                .filter(|_| self.may("severity"))
                .map(|s| i18n::term(self.lang, "severity", s.as_str())),
            owner: clean_opt(&inc.owner).filter(|_| self.may("owner")),
            reported_at: inc
                .reported_at
                .filter(|_| self.may("reported_at"))
                .map(|t| self.time(t)),
            closed_at: Self::closed_at(inc)
                .filter(|_| self.may("history"))
                .map(|t| self.time(t)),
        })
    }

    fn steps(&self, inc: &Incident) -> Vec<StepView> {
        let w = &self.cfg.workflow;
        let mut done: BTreeMap<u8, (Timestamp, String)> = BTreeMap::new();
        let mut prev = crate::workflow::NEW.to_owned();
        for e in &inc.history {
            if e.to != prev {
                if let Some(t) = w.transition(&prev, &e.to) {
                    if t.reopen {
                        // A follow-up report: the steps from the new stage on are redone.
                        let from = self.stage(&e.to).unwrap_or(0);
                        done.retain(|s, _| *s < from);
                    } else if let Some(step) = t.step {
                        done.insert(step, (e.at, self.role_label(&e.by)));
                    }
                }
            }
            prev.clone_from(&e.to);
        }
        let is_final = w.is_final(&inc.status);
        let current = if is_final { None } else { self.stage(&inc.status) };
        let highest = done.keys().copied().max().unwrap_or(0);
        w.steps
            .iter()
            .map(|s| {
                let d = done.get(&s.step);
                let state = if d.is_some() {
                    "done"
                } else if current == Some(s.step) {
                    "current"
                } else if is_final || s.step < highest || current.is_some_and(|c| s.step < c) {
                    "skipped"
                } else {
                    "pending"
                };
                StepView {
                    step: s.step,
                    label: s.label.get(self.lang).to_owned(),
                    state,
                    at: d.map(|(t, _)| self.time(*t)),
                    team: d.map(|(_, team)| team.clone()),
                }
            })
            .collect()
    }

    fn timeline(&self, inc: &Incident) -> Vec<EntryView> {
        let internal = self.audience == Audience::Internal;
        let withhold = self.withholds(inc);
        let mut prev: Option<&str> = None;
        inc.history
            .iter()
            .map(|e| {
                let update = prev == Some(e.to.as_str());
                prev = Some(&e.to);
                EntryView {
                    at: self.time(e.at),
                    state: self.state(&e.to),
                    update,
                    team: self.role_label(&e.by),
                    actor: if internal {
                        e.actor
                            .as_deref()
                            .map(|a| self.members.get(a).map_or_else(|| clean(a), |n| clean(n)))
                    } else {
                        None
                    },
                    note: if withhold { None } else { clean_opt(&e.note) },
                }
            })
            .collect()
    }

    fn link_incident(&self, id: &str) -> Link {
        Link {
            label: clean(id),
            href: Self::incident_href(id),
        }
    }

    /// The incident page's view, or `None` when the audience may only count this incident.
    pub fn incident(&self, inc: &Incident, now: Timestamp) -> Option<IncidentView> {
        if !self.shows(inc) {
            return None;
        }
        let internal = self.audience == Audience::Internal;
        let withhold = self.withholds(inc);
        let lang = self.lang;
        let mut v = IncidentView {
            id: clean(&inc.id),
            title: clean(&inc.title),
            href: Self::incident_href(&inc.id),
            status: self.state(&inc.status),
            is_final: self.cfg.workflow.is_final(&inc.status),
            tlp: TlpView::from(inc.effective_tlp()),
            severity: self.severity(inc).filter(|_| self.may("severity")),
            category: inc.category.as_deref().filter(|_| self.may("category")).map(|c| Link {
                label: self.category_label(c),
                href: Self::category_href(c),
            }),
            owner: self.owner_link(inc).filter(|_| self.may("owner")),
            summary: if withhold || !self.may("summary") {
                None
            } else {
                clean_opt(&inc.summary)
            },
            reported_at: inc
                .reported_at
                .filter(|_| self.may("reported_at"))
                .map(|t| self.time(t)),
            occurred_at: inc
                .occurred_at
                .filter(|_| self.may("occurred_at"))
                .map(|t| self.time(t)),
            detected_at: inc
                .detected_at
                .filter(|_| self.may("detected_at"))
                .map(|t| self.time(t)),
            closed_at: Self::closed_at(inc)
                .filter(|_| self.may("history"))
                .map(|t| self.time(t)),
            red_withheld: withhold,
            body_html: if withhold || !self.may("body") {
                None
            } else {
                let body = self.body(inc);
                (!body.trim().is_empty()).then(|| crate::markdown::to_html(&clean(&body), 1, "isi-"))
            },
            steps: if self.may("status") {
                self.steps(inc)
            } else {
                Vec::new()
            },
            timeline: if self.may("history") {
                self.timeline(inc)
            } else {
                Vec::new()
            },
            internal,
            reporter: None,
            assets: Vec::new(),
            handler: None,
            delivered_to: None,
            resolution: None,
            impact: None,
            pap: None,
            in_scope: None,
            rejection: None,
            duplicate_of: None,
            related: Vec::new(),
            rsit: Vec::new(),
            attack: Vec::new(),
            external_reports: Vec::new(),
            observables: Vec::new(),
            attachments: Vec::new(),
            scan_reports: Vec::new(),
            tags: Vec::new(),
            sla: None,
            window_ends: None,
        };
        if !internal {
            return Some(v);
        }
        let r = &inc.reporter;
        v.reporter = Some(ReporterView {
            name: clean_opt(&r.name),
            organization: clean_opt(&r.organization),
            contact: clean_opt(&r.contact),
            kind: r.kind.map(|k| i18n::term(lang, "reporter_type", k.as_str())),
            channel: r.channel.map(|k| i18n::term(lang, "channel", k.as_str())),
        });
        v.assets = inc.assets.iter().map(|a| clean(a)).collect();
        v.handler = inc.handler.as_ref().map(|h| HandlerView {
            kind: h.kind.map(|k| i18n::term(lang, "handler", k.as_str())),
            name: clean_opt(&h.name),
            contact: clean_opt(&h.contact),
        });
        v.delivered_to = inc.delivered_to.as_ref().map(|d| DeliveryView {
            to: clean_opt(&d.to),
            at: d.at.map(|t| self.time(t)),
            channel: d.channel.map(|c| i18n::term(lang, "channel", c.as_str())),
            letter_number: clean_opt(&d.letter_number),
        });
        v.resolution = inc.resolution.map(|x| i18n::term(lang, "resolution", x.as_str()));
        v.impact = inc.impact.map(|x| i18n::term(lang, "impact", x.as_str()));
        v.pap = inc.pap.map(|p| format!("PAP:{}", p.as_str().to_uppercase()));
        v.in_scope = inc.in_scope;
        v.rejection = match (&inc.rejection_code, clean_opt(&inc.rejection_reason)) {
            (Some(c), Some(r)) => Some(format!("{} — {r}", i18n::term(lang, "rejection_code", c.as_str()))),
            (Some(c), None) => Some(i18n::term(lang, "rejection_code", c.as_str())),
            (None, r) => r,
        };
        v.duplicate_of = inc.duplicate_of.as_deref().map(|d| self.link_incident(d));
        v.related = inc.related.iter().map(|d| self.link_incident(d)).collect();
        v.rsit = inc.rsit.iter().map(|x| clean(x)).collect();
        v.attack = inc.attack.iter().map(|x| clean(x)).collect();
        v.external_reports = self.external_reports(inc);
        v.observables = inc
            .observables
            .iter()
            .map(|o| ObservableView {
                kind: o.kind.as_str().to_owned(),
                value: clean(&o.value),
                ioc: o.ioc,
            })
            .collect();
        if !withhold {
            v.attachments = inc
                .attachments
                .iter()
                .map(|a| AttachmentView {
                    path: clean(&a.path),
                    kind: a.kind.map(|k| i18n::term(lang, "attachment_kind", k.as_str())),
                    scan_report: a.is_scan_report(),
                    at: a.at.map(|t| self.time(t)),
                    tool: clean_opt(&a.tool),
                    target: clean_opt(&a.target),
                })
                .collect();
            v.scan_reports = v.attachments.iter().filter(|a| a.scan_report).cloned().collect();
        }
        v.tags = inc.tags.iter().map(|x| clean(x)).collect();
        v.sla = crate::workflow::stays(&self.cfg.workflow, &self.cfg.sla, inc, now)
            .last()
            .filter(|s| s.limit.is_some() && !self.cfg.workflow.is_final(s.state))
            .map(|s| SlaView {
                state: self.state_label(s.state),
                spent: i18n::duration(lang, s.spent),
                limit: s.limit.map(|l| i18n::duration(lang, l)).unwrap_or_default(),
                breached: s.breached(),
            });
        v.window_ends = self
            .cfg
            .workflow
            .current_window(inc, &self.cfg.calendar())
            .map(|(_, end)| self.time(end));
        Some(v)
    }

    fn external_reports(&self, inc: &Incident) -> Vec<ExternalReportView> {
        inc.external_reports
            .iter()
            .map(|x| ExternalReportView {
                to: i18n::term(self.lang, "target", x.to.as_str()),
                at: x.at.map(|t| self.time(t)),
                reference: clean_opt(&x.reference),
            })
            .collect()
    }

    /// The incident in `api/incidents.json`, or `None` when the audience may only count it.
    pub fn api(&self, inc: &Incident) -> Option<ApiIncident> {
        if !self.shows(inc) {
            return None;
        }
        let internal = self.audience == Audience::Internal;
        let withhold = self.withholds(inc);
        // Only the RFC 3339 form: a page's three texts of each time were a fifth of the API's work.
        let iso = |t: Timestamp| crate::time::rfc3339_local(t, self.cfg.timezone);
        let mut prev: Option<&str> = None;
        let timeline = inc
            .history
            .iter()
            .map(|e| {
                let update = prev == Some(e.to.as_str());
                prev = Some(&e.to);
                ApiEntry {
                    at: iso(e.at),
                    to: clean(&e.to),
                    by: clean(&e.by),
                    update,
                    actor: if internal { e.actor.as_deref().map(clean) } else { None },
                    note: if withhold { None } else { clean_opt(&e.note) },
                }
            })
            .collect();
        Some(ApiIncident {
            id: clean(&inc.id),
            url: Self::incident_href(&inc.id),
            title: clean(&inc.title),
            status: clean(&inc.status),
            status_label: self.state_label(&inc.status),
            tlp: inc.effective_tlp().label(),
            category: inc.category.as_deref().filter(|_| self.may("category")).map(clean),
            severity: inc
                .severity
                .filter(|_| self.may("severity"))
                .map(|s| s.as_str().to_owned()),
            owner: clean_opt(&inc.owner).filter(|_| self.may("owner")),
            summary: if withhold || !self.may("summary") {
                None
            } else {
                clean_opt(&inc.summary)
            },
            reported_at: inc.reported_at.filter(|_| self.may("reported_at")).map(iso),
            closed_at: Self::closed_at(inc).filter(|_| self.may("history")).map(iso),
            timeline: if self.may("history") { timeline } else { Vec::new() },
            internal: internal.then(|| {
                let r = &inc.reporter;
                ApiInternal {
                    red_withheld: withhold,
                    reporter: Some(ReporterView {
                        name: clean_opt(&r.name),
                        organization: clean_opt(&r.organization),
                        contact: clean_opt(&r.contact),
                        kind: r.kind.map(|k| k.as_str().to_owned()),
                        channel: r.channel.map(|k| k.as_str().to_owned()),
                    }),
                    assets: inc.assets.iter().map(|a| clean(a)).collect(),
                    handler: inc.handler.as_ref().map(|h| HandlerView {
                        kind: h.kind.map(|k| k.as_str().to_owned()),
                        name: clean_opt(&h.name),
                        contact: clean_opt(&h.contact),
                    }),
                    in_scope: inc.in_scope,
                    resolution: inc.resolution.map(|x| x.as_str().to_owned()),
                    external_reports: self.external_reports(inc),
                    observables: inc
                        .observables
                        .iter()
                        .map(|o| ObservableView {
                            kind: o.kind.as_str().to_owned(),
                            value: clean(&o.value),
                            ioc: o.ioc,
                        })
                        .collect(),
                    attachments: if withhold {
                        Vec::new()
                    } else {
                        inc.attachments.iter().map(|a| clean(&a.path)).collect()
                    },
                    tags: inc.tags.iter().map(|x| clean(x)).collect(),
                }
            }),
        })
    }

    /// The Atom feed's entries: the `limit` most recent history entries of the incidents the
    /// audience may see, newest first. Each id is a tag URI made of the entry's date, the
    /// incident id and the entry's index, so it never changes once written.
    pub fn feed(&self, incidents: &[&Incident], authority: &str, limit: usize) -> Vec<FeedEntry> {
        let mut all: Vec<(&Incident, usize)> = incidents
            .iter()
            .filter(|i| self.shows(i))
            .flat_map(|i| (0..i.history.len()).map(move |k| (*i, k)))
            .collect();
        let newest_first = |(a, i): &(&Incident, usize), (b, j): &(&Incident, usize)| {
            b.history[*j]
                .at
                .cmp(&a.history[*i].at)
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| j.cmp(i))
        };
        // The newest `limit` of every entry of every incident: picked in linear time, and only
        // they are sorted (the order is total, so the feed is the same as a full sort's).
        if all.len() > limit {
            if let Some(last) = limit.checked_sub(1) {
                all.select_nth_unstable_by(last, newest_first);
            }
            all.truncate(limit);
        }
        all.sort_unstable_by(newest_first);
        all.into_iter()
            .map(|(inc, k)| {
                let e = &inc.history[k];
                let update = k > 0 && inc.history[k - 1].to == e.to;
                let state = self.state_label(&e.to);
                let what = if update {
                    format!("{} ({state})", i18n::text(self.lang, "update"))
                } else {
                    state
                };
                let t = self.time(e.at);
                let note = if self.withholds(inc) { None } else { clean_opt(&e.note) };
                let mut content = format!("{} — {}", t.text, self.role_label(&e.by));
                if let Some(n) = note {
                    content.push_str(": ");
                    content.push_str(&n);
                }
                FeedEntry {
                    id: format!("tag:{authority},{}:{}/{k}", t.date, clean(&inc.id)),
                    title: format!("{} — {what}: {}", clean(&inc.id), clean(&inc.title)),
                    updated: t.iso,
                    href: Self::incident_href(&inc.id),
                    content,
                }
            })
            .collect()
    }

    /// The label of a breakdown's row: `name` is one of `census::BREAKDOWNS`.
    pub fn breakdown_label(&self, name: &str, key: &str) -> String {
        let lang = self.lang;
        if key == OTHER {
            return i18n::text(lang, "other");
        }
        if key == NONE {
            return i18n::text(lang, "none");
        }
        match name {
            "by_category" => self.category_label(key),
            "by_severity" => i18n::term(lang, "severity", key),
            "by_reporter_type" => i18n::term(lang, "reporter_type", key),
            "by_channel" => i18n::term(lang, "channel", key),
            "by_tlp" => Tlp::parse(key).map_or_else(|| clean(key), |t| t.label().to_owned()),
            "by_resolution" => i18n::term(lang, "resolution", key),
            "rejected_by_code" => i18n::term(lang, "rejection_code", key),
            _ => clean(key),
        }
    }

    /// A breakdown's published rows with their labels (empty when withheld).
    fn breakdown(&self, name: &str, rows: &Rows) -> Vec<Breakdown> {
        rows.rows
            .iter()
            .map(|(key, cell)| Breakdown {
                key: clean(key),
                label: self.breakdown_label(name, key),
                count: cell.count,
                rsit: if name == "by_category" {
                    self.cfg.category(key).map(|c| c.rsit.clone()).unwrap_or_default()
                } else {
                    Vec::new()
                },
            })
            .collect()
    }

    /// The periodic report as this audience may see it, from the period's decided numbers
    /// (`census`). `generated` is printed as the generation time when given (the site gives it
    /// only with `--now`, so that its pages do not depend on the clock).
    ///
    /// `shared`, when given, keeps each incident's texts for the other periods that list it.
    pub fn report(
        &self,
        pc: &PeriodCounts,
        facts: &[Facts<'_>],
        generated: Option<Timestamp>,
        shared: Option<&Texts>,
    ) -> ReportView {
        let lang = self.lang;
        let tz = self.cfg.timezone;
        let agg = &pc.agg;
        let internal = !self.is_public();
        let mut withheld: Vec<&'static str> = Vec::new();
        let mut breakdown = |name: &'static str| -> Vec<Breakdown> {
            let rows = pc.breakdowns.get(name).cloned().unwrap_or_default();
            if rows.withheld {
                withheld.push(name);
            }
            self.breakdown(name, &rows)
        };
        let by_category = breakdown("by_category");
        let by_severity = {
            let mut v = breakdown("by_severity");
            let rank = |k: &str| match k {
                OTHER => usize::MAX,
                _ => crate::model::Severity::parse(k).map_or(usize::MAX - 1, |s| s as usize),
            };
            v.sort_by_key(|b| rank(&b.key));
            v
        };
        let by_reporter_type = breakdown("by_reporter_type");
        let by_channel = breakdown("by_channel");
        let by_tlp = breakdown("by_tlp");
        let by_resolution = breakdown("by_resolution");
        let rejected_by_code = breakdown("rejected_by_code");
        let reported = pc.reported();
        // Owners of incidents the audience may not see are never named: on the public
        // edition, only TLP:CLEAR incidents are counted by owner, the rest as one line.
        let by_owner: Vec<Breakdown> = if internal {
            agg.by_owner
                .iter()
                .map(|(k, n)| Breakdown {
                    key: clean(k),
                    label: if k == NONE { i18n::text(lang, "none") } else { clean(k) },
                    count: Count::Shown(*n),
                    rsit: Vec::new(),
                })
                .collect()
        } else {
            let mut v: Vec<Breakdown> = pc
                .clear
                .by_owner
                .iter()
                .map(|(k, n)| Breakdown {
                    key: clean(k),
                    label: if k == NONE { i18n::text(lang, "none") } else { clean(k) },
                    count: Count::Shown(*n),
                    rsit: Vec::new(),
                })
                .collect();
            v.push(Breakdown {
                key: "restricted".into(),
                label: i18n::text(lang, "other_restricted"),
                count: reported.restricted,
                rsit: Vec::new(),
            });
            v
        };
        let kpi = pc
            .kpi
            .iter()
            .map(|(k, groups)| {
                let g = groups
                    .iter()
                    .map(|(g, cell)| {
                        let s = agg.kpi.get(k).and_then(|m| m.get(g)).copied().unwrap_or_default();
                        let hidden = cell.count.value().is_none();
                        (
                            *g,
                            StatView {
                                median_hours: if hidden { None } else { s.median },
                                p90_hours: if hidden { None } else { s.p90 },
                                n: cell.count,
                            },
                        )
                    })
                    .collect();
                (*k, g)
            })
            .collect();
        let sla_rows: Vec<SlaRow> = pc
            .sla
            .iter()
            .map(|(state, [within, breached, ongoing])| SlaRow {
                state: state.clone(),
                label: self.state_label(state),
                within: within.count,
                breached: breached.count,
                ongoing_breached: ongoing.count,
            })
            .collect();
        let order = |s: &str| self.cfg.workflow.states.iter().position(|x| x.id == s);
        let mut sla_rows = sla_rows;
        sla_rows.sort_by_key(|r| order(&r.state));
        let sla = sla_rows.iter().map(|r| (r.state.clone(), r.clone())).collect();
        let id_of = |i: usize| clean(&facts[i].incident.id);
        let mut incidents = Vec::new();
        let mut texts = Vec::new();
        let mut records = RecordsView {
            scan_reports: 0,
            incidents_with_scan_report: 0,
            incidents_requiring_scan_report: 0,
            letters: 0,
        };
        for row in &agg.cohort {
            let inc = facts[row.incident].incident;
            if !self.shows(inc) {
                continue;
            }
            let Some(reported) = facts[row.incident].reported else {
                continue;
            };
            if internal {
                let scans = inc.scan_reports().count();
                records.scan_reports += scans;
                records.incidents_with_scan_report += usize::from(scans > 0);
                records.incidents_requiring_scan_report += usize::from(
                    inc.category
                        .as_deref()
                        .is_some_and(|c| self.cfg.workflow.scan_categories.contains(c)),
                );
                records.letters += usize::from(
                    inc.delivered_to
                        .as_ref()
                        .and_then(|d| d.letter_number.as_deref())
                        .is_some_and(|n| !n.trim().is_empty()),
                );
                texts.push(match shared {
                    Some(t) => t.get_or(inc, || self.incident_text(inc)),
                    None => self.incident_text(inc),
                });
            }
            incidents.push(ReportIncident {
                id: clean(&inc.id),
                href: Self::incident_href(&inc.id),
                title: clean(&inc.title),
                reported_at: self.time(reported),
                category: inc.category.as_deref().map(clean),
                category_label: inc
                    .category
                    .as_deref()
                    .map(|k| self.category_label(k))
                    .unwrap_or_default(),
                severity: inc.severity.map(|s| s.as_str().to_owned()),
                severity_label: inc
                    .severity
                    .map(|s| i18n::term(lang, "severity", s.as_str()))
                    .unwrap_or_default(),
                tlp: inc.effective_tlp().label(),
                status_at_end: clean(&row.status_at_end),
                status_label: self.state_label(&row.status_at_end),
                kpi_hours: KPIS
                    .iter()
                    .zip(row.kpi_hours)
                    .map(|((k, ..), h)| (*k, h.map(|h| (h * 100.0).round() / 100.0)))
                    .collect(),
            });
        }
        let period = &pc.period;
        let total = |k: &str| pc.totals.get(k).map_or(Count::WITHHELD, |c| c.count);
        let restricted = self.is_public().then(|| {
            let rows = pc.breakdowns.get("by_category").cloned().unwrap_or_default();
            RestrictedView {
                count: reported.restricted,
                by_category: rows
                    .rows
                    .iter()
                    .map(|(key, cell)| Breakdown {
                        key: clean(key),
                        label: self.breakdown_label("by_category", key),
                        count: cell.restricted,
                        rsit: Vec::new(),
                    })
                    .collect(),
            }
        });
        ReportView {
            title: i18n::text(lang, "report_title"),
            organization: OrgView {
                name: clean(&self.cfg.organization.name),
                unit: clean(&self.cfg.organization.unit),
                sop: clean(&self.cfg.organization.sop),
            },
            period: PeriodView {
                key: period.key.clone(),
                kind: period.kind,
                label: period.label(lang, tz),
                from: self.time(period.from),
                to: self.time(period.to),
            },
            generated: generated.map(|t| self.time(t)),
            audience: self.audience,
            audience_label: i18n::term(lang, "audience", self.audience.as_str()),
            tlp: if internal {
                Tlp::Amber.label()
            } else {
                Tlp::Clear.label()
            },
            lang,
            totals: TotalsView {
                reported: total("reported"),
                rejected: total("rejected"),
                in_scope: total("in_scope"),
                out_of_scope: total("out_of_scope"),
                closed: total("closed"),
                autoresolved: total("autoresolved"),
                reopened: total("reopened"),
                open_at_end: total("open_at_end"),
            },
            rejected_by_code,
            // Every month of the period is listed.
            by_month: pc
                .by_month
                .iter()
                .map(|((y, m), cell)| Breakdown {
                    key: format!("{y:04}-{m:02}"),
                    label: i18n::month_year(lang, *y, *m),
                    count: cell.count,
                    rsit: Vec::new(),
                })
                .collect(),
            by_category,
            by_severity,
            by_owner,
            by_reporter_type,
            by_channel,
            by_tlp,
            by_resolution,
            withheld,
            kpi,
            sla,
            sla_rows,
            breaches: internal.then(|| {
                agg.breaches
                    .iter()
                    .map(|b| BreachView {
                        id: id_of(b.incident),
                        href: Self::incident_href(&facts[b.incident].incident.id),
                        state: clean(&b.state),
                        state_label: self.state_label(&b.state),
                        spent_hours: b.spent_hours,
                        limit_hours: b.limit_hours,
                        ongoing: b.ongoing,
                    })
                    .collect()
            }),
            onward_reporting: OnwardView {
                required: pc.onward[0].count,
                recorded: pc.onward[1].count,
                missing: internal.then(|| {
                    agg.onward_required
                        .iter()
                        .filter(|i| !agg.onward_recorded.contains(i))
                        .map(|i| id_of(*i))
                        .collect()
                }),
            },
            incidents,
            restricted,
            records: internal.then_some(records),
            incident_texts: internal.then_some(texts),
            legal_basis: internal.then(|| self.cfg.report.legal_basis.iter().map(|l| clean(l)).collect()),
            approval: if internal {
                self.cfg.report.approver(&self.cfg.letter).map(crate::letter::signatory)
            } else {
                None
            },
            approval_place_date: match (internal, generated) {
                (true, Some(g)) => {
                    let d = i18n::time(lang, g, tz).date_text;
                    let city = clean(&self.cfg.letter.city);
                    Some(if city.trim().is_empty() {
                        d
                    } else {
                        format!("{city}, {d}")
                    })
                }
                _ => None,
            },
        }
    }

    /// An incident's summary, recommendation and conclusion for the internal report;
    /// withheld for TLP:RED.
    fn incident_text(&self, inc: &Incident) -> IncidentTextView {
        let withheld = self.withholds(inc);
        let body = if withheld { Cow::Borrowed("") } else { self.body(inc) };
        let texts: Vec<(&str, &str)> = inc.section_texts_in(&body).collect();
        let section = |id: &str| -> Option<String> {
            if withheld {
                return None;
            }
            let def = self.cfg.workflow.section(id)?;
            texts
                .iter()
                .find(|(h, c)| def.matches(h) && !c.trim().is_empty())
                .map(|(_, c)| clean(c.trim()))
        };
        let recommendation = section("rekomendasi");
        let conclusion = section("kesimpulan");
        let html = |m: &Option<String>| {
            m.as_deref()
                .map(|m| crate::markdown::to_html(m, 2, &format!("{}-", slug(&inc.id))))
        };
        IncidentTextView {
            id: clean(&inc.id),
            title: clean(&inc.title),
            summary: if withheld { None } else { clean_opt(&inc.summary) },
            recommendation_html: html(&recommendation),
            conclusion_html: html(&conclusion),
            recommendation,
            conclusion,
            withheld,
        }
    }
}

/// KPI labels in report order, for templates: (key, label).
pub fn kpi_labels(lang: Lang) -> Vec<Labelled> {
    KPIS.iter()
        .map(|(k, id, en)| Labelled {
            id: (*k).to_owned(),
            label: (if lang == Lang::Id { id } else { en }).to_string(),
        })
        .collect()
}

/// KPI group labels in report order, for templates.
pub fn group_labels(lang: Lang) -> Vec<Labelled> {
    GROUPS
        .iter()
        .map(|g| Labelled {
            id: (*g).to_owned(),
            label: crate::report::group_label(lang, g),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clear_incidents_have_public_views() {
        let cfg = Config::builtin();
        let mut inc = Incident {
            id: "INC-2026-0001".into(),
            title: "Rahasia".into(),
            status: "reported".into(),
            ..Incident::default()
        };
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+07:00").expect("t");
        let l = Lens::new(&cfg, Lang::Id, Audience::Public, &[]);
        assert!(l.incident(&inc, now).is_none() && l.row(&inc).is_none() && l.api(&inc).is_none());
        inc.tlp = Some(Tlp::Clear);
        let v = l.incident(&inc, now).expect("clear is public");
        assert!(v.reporter.is_none() && !v.internal);
    }

    #[test]
    fn the_feed_holds_the_newest_entries_newest_first_ties_by_id_then_later_entry() {
        let cfg = Config::builtin();
        let at = |minute: u32| {
            let (h, m) = (minute / 60, minute % 60);
            chrono::DateTime::parse_from_rfc3339(&format!("2026-01-01T{h:02}:{m:02}:00+07:00")).expect("t")
        };
        // 40 incidents whose entries fall on the same minutes as every tenth incident's, and
        // within one (an update at the same minute as the entry before it).
        let incs: Vec<Incident> = (0..40u32)
            .map(|n| Incident {
                id: format!("INC-2026-{:04}", 40 - n),
                tlp: Some(Tlp::Clear),
                history: (0..6u32)
                    .map(|k| crate::model::HistoryEntry {
                        at: at(n % 10 * 7 + k * 13 - k / 4 * 13),
                        to: ["reported", "registered", "triage", "triage", "triage", "handling"][k as usize].into(),
                        by: "helpdesk".into(),
                        actor: None,
                        note: None,
                    })
                    .collect(),
                ..Incident::default()
            })
            .collect();
        let refs: Vec<&Incident> = incs.iter().collect();
        let l = Lens::new(&cfg, Lang::En, Audience::Internal, &refs);
        // What a full sort of every entry gives.
        let mut all: Vec<(chrono::DateTime<chrono::FixedOffset>, &str, usize)> = incs
            .iter()
            .flat_map(|i| i.history.iter().enumerate().map(move |(k, e)| (e.at, i.id.as_str(), k)))
            .collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(b.2.cmp(&a.2)));
        for limit in [0, 1, 7, 50, 239, 240, 500] {
            let feed = l.feed(&refs, "example.go.id", limit);
            let got: Vec<String> = feed.iter().map(|e| e.id.clone()).collect();
            let want: Vec<String> = all
                .iter()
                .take(limit)
                .map(|(t, id, k)| format!("tag:example.go.id,{}:{id}/{k}", t.format("%Y-%m-%d")))
                .collect();
            assert_eq!(got, want, "limit {limit}");
        }
    }

    #[test]
    fn owner_pages_never_share_a_file() {
        let cfg = Config::builtin();
        let names = ["Dinas X", "Dinas-X", "Dinas X 2", "dinas x", "Dinas X-2", "Dinas X 3"];
        let incs: Vec<Incident> = names
            .iter()
            .enumerate()
            .map(|(k, n)| Incident {
                id: format!("INC-2026-{k:04}"),
                owner: Some((*n).to_owned()),
                tlp: Some(Tlp::Clear),
                ..Incident::default()
            })
            .collect();
        let refs: Vec<&Incident> = incs.iter().collect();
        for audience in [Audience::Public, Audience::Internal] {
            let l = Lens::new(&cfg, Lang::Id, audience, &refs);
            let hrefs: std::collections::BTreeSet<&str> = l.owner_pages().map(|(_, h)| h).collect();
            assert_eq!(hrefs.len(), names.len(), "{hrefs:?}");
            for n in names {
                assert!(l.owner_href(n).is_some(), "{n}");
            }
        }
    }

    /// Issue "The public site and report: leak nothing": the public field policy is one table,
    /// here and in docs/SITE.md.
    #[test]
    fn the_public_field_table_is_the_one_in_the_site_docs() {
        let docs = include_str!("../docs/SITE.md");
        let section = docs
            .split("### Public fields of a TLP:CLEAR incident")
            .nth(1)
            .expect("docs/SITE.md has the section");
        let rows: Vec<(String, String)> = section
            .lines()
            .skip_while(|l| !l.starts_with("| field"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                (cells[0].trim_matches('`').to_owned(), cells[1].to_owned())
            })
            .collect();
        let code: Vec<(String, String)> = PUBLIC_FIELDS
            .iter()
            .map(|(f, how)| ((*f).to_owned(), (*how).to_owned()))
            .collect();
        assert_eq!(rows, code);
        assert!(!is_public_field("occurred_at") && !is_public_field("detected_at"));
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(clean("a\u{1}b\u{ffff}\tc\n"), "ab\tc\n");
        assert_eq!(clean("a\u{202e}b\u{2066}c\u{2069}\u{202c} مرحبا"), "abc مرحبا");
    }

    #[test]
    fn a_character_to_remove_is_found_wherever_it_stands_in_a_long_text() {
        // Every position in and around the 32-byte blocks of the fast check, and the tail.
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let text = "a\tb\r\nc ~".chars().cycle().take(len).collect::<String>();
            assert_eq!(clean(&text), text);
            for at in 0..=len {
                for bad in ['\u{0}', '\u{1f}', '\u{7f}', '\u{202e}', '\u{ffff}'] {
                    let mut dirty = text.clone();
                    dirty.insert(at, bad);
                    assert_eq!(clean(&dirty), text, "{bad:?} at {at} of {len}");
                }
                // Text outside ASCII is kept whole wherever it starts.
                let mut other = text.clone();
                other.insert(at, 'é');
                assert_eq!(clean(&other), other);
            }
        }
    }
}
