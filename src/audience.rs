//! Confidentiality by audience (SPEC §6, FIRST TLP 2.0): the only constructor of the view
//! structs that templates and the JSON outputs receive, so a template cannot reach a field its
//! audience may not see.
//!
//! * `Public`: a TLP:CLEAR incident shows its title, summary, body, status, category,
//!   severity, owner and timeline (teams, never people). Every other incident (a missing `tlp`
//!   counts as AMBER) appears only in counts; a count from 1 to `public_min_count - 1` is
//!   shown as "< N", and counts published beside their total are suppressed together
//!   ([`Lens::suppress`]) so that none can be computed by subtraction. A count that includes
//!   TLP:CLEAR incidents, which are listed in full, is suppressed by its restricted part
//!   alone ([`Tally`], [`Lens::suppress_tallies`]). Reporter, contacts, actors, assets, observables and attachments are
//!   never public.
//! * `Internal`: everything, except that a TLP:RED incident shows metadata only (no body,
//!   summary, notes or attachments).
//!
//! No I/O and no minijinja: views are plain serialisable data. Strings from incident files
//! are cleaned of characters XML cannot carry.

use crate::config::Config;
use crate::i18n::{self, TimeText};
use crate::model::{Incident, Timestamp, Tlp};
use crate::report::{Aggregate, Facts, GROUPS, KPIS, NONE};
use crate::workflow::Lang;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

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

/// Who a build or a report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Public,
    Internal,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
        }
    }
}

/// A count as an audience sees it. On the public edition a count from 1 to `N - 1`
/// (`N` = `site.public_min_count`) is `Below(N)`; a larger count withheld so that a small one
/// cannot be computed from its group's total is `AtLeast(N)`; a count withheld together with
/// its whole group (any value, zero included) is `Withheld`. See [`Lens::suppress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Shown(usize),
    Below(u32),
    AtLeast(u32),
    Withheld,
}

impl Count {
    /// The number, when shown.
    pub fn value(self) -> Option<usize> {
        match self {
            Count::Shown(n) => Some(n),
            _ => None,
        }
    }

    /// What a reader can tell from the count: its least and greatest possible values
    /// (`None`: unbounded).
    pub fn bounds(self) -> (u64, Option<u64>) {
        match self {
            Count::Shown(n) => (n as u64, Some(n as u64)),
            Count::Below(m) => (1, Some(u64::from(m).saturating_sub(1))),
            Count::AtLeast(m) => (u64::from(m), None),
            Count::Withheld => (0, None),
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Shown(n) => write!(f, "{n}"),
            Count::Below(m) => write!(f, "< {m}"),
            Count::AtLeast(m) => write!(f, "≥ {m}"),
            Count::Withheld => f.write_str("x"),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Shown(n) => s.serialize_u64(*n as u64),
            _ => s.serialize_str(&self.to_string()),
        }
    }
}

/// A count as a reader of the public edition can split it: the TLP:CLEAR incidents it
/// includes, which are listed in full beside it and so are known, and the rest, which must be
/// protected. Only the restricted part is suppressed (see [`Lens::tallies`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub clear: usize,
    pub restricted: usize,
}

impl Tally {
    /// A count of restricted incidents only.
    pub fn restricted(n: usize) -> Tally {
        Tally {
            clear: 0,
            restricted: n,
        }
    }

    /// `all` incidents of which `clear` are TLP:CLEAR.
    pub fn split(all: usize, clear: usize) -> Tally {
        Tally {
            clear: clear.min(all),
            restricted: all.saturating_sub(clear),
        }
    }

    pub fn all(self) -> usize {
        self.clear + self.restricted
    }
}

impl std::ops::Add for Tally {
    type Output = Tally;
    fn add(self, o: Tally) -> Tally {
        Tally {
            clear: self.clear + o.clear,
            restricted: self.restricted + o.restricted,
        }
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(it: I) -> Tally {
        it.fold(Tally::default(), |a, b| a + b)
    }
}

/// A sum published (or computable) beside its parts: the cells `members` of a table add up
/// to the cell `total`. Indices are into the values given to [`Lens::suppress`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub members: Vec<usize>,
    pub total: usize,
}

fn sum_lo(it: impl Iterator<Item = u64>) -> u64 {
    it.fold(0, u64::saturating_add)
}

fn sum_hi(mut it: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    it.try_fold(0u64, |a, x| x.map(|x| a.saturating_add(x)))
}

/// Bounds propagation over a table's groups: each cell's least and greatest possible value
/// given what is shown (`None`: unbounded). Sound, and exact for a single group.
fn propagate(shown: &[Count], groups: &[Group]) -> Vec<(u64, Option<u64>)> {
    let mut b: Vec<(u64, Option<u64>)> = shown.iter().map(|c| c.bounds()).collect();
    for _ in 0..64 {
        let mut changed = false;
        for g in groups {
            let (tlo, thi) = b[g.total];
            let lo_sum = sum_lo(g.members.iter().map(|m| b[*m].0));
            let hi_sum = sum_hi(g.members.iter().map(|m| b[*m].1));
            // The total lies within the sum of its members' bounds.
            let nlo = tlo.max(lo_sum);
            let nhi = match (thi, hi_sum) {
                (Some(a), Some(c)) => Some(a.min(c)),
                (a, c) => a.or(c),
            };
            if (nlo, nhi) != (tlo, thi) {
                b[g.total] = (nlo, nhi);
                changed = true;
            }
            let (tlo, thi) = b[g.total];
            // Each member is the total less the others.
            for (k, m) in g.members.iter().enumerate() {
                let others = || {
                    g.members
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k)
                        .map(|(_, o)| b[*o])
                };
                let others_lo = sum_lo(others().map(|x| x.0));
                let others_hi = sum_hi(others().map(|x| x.1));
                let (lo, hi) = b[*m];
                let nlo = others_hi.map_or(lo, |oh| lo.max(tlo.saturating_sub(oh)));
                let nhi = match (hi, thi.map(|t| t.saturating_sub(others_lo))) {
                    (Some(a), Some(c)) => Some(a.min(c)),
                    (a, c) => a.or(c),
                };
                if (nlo, nhi) != (lo, hi) {
                    b[*m] = (nlo, nhi);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    b
}

/// Removes characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR; U+FFFE,
/// U+FFFF), so every output stays well-formed whatever a file contains, and the
/// bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069),
/// which would reverse the text that follows them on a page, in a feed reader's list or in a
/// window title. Right-to-left text itself needs none of them and is kept; templates also
/// isolate user text with `<bdi>`.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| (matches!(c, '\t' | '\n' | '\r') || !c.is_control()) && c != '\u{fffe}' && c != '\u{ffff}')
        .filter(|c| !is_bidi_control(*c))
        .collect()
}

/// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn clean_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(clean).filter(|s| !s.trim().is_empty())
}

/// A value with its label in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Labelled {
    pub id: String,
    pub label: String,
}

/// A link target relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: String,
    pub href: String,
}

/// The TLP of an incident, for badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlpView {
    pub id: &'static str,
    pub label: &'static str,
    /// CSS class suffix (`clear`, `green`, `amber`, `amber-strict`, `red`).
    pub class: &'static str,
}

fn tlp_view(t: Tlp) -> TlpView {
    TlpView {
        id: t.as_str(),
        label: t.label(),
        class: match t {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber-strict",
            Tlp::Red => "red",
        },
    }
}

/// One of the SOP's steps on an incident's progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    pub step: u8,
    pub label: String,
    /// `done`, `current`, `skipped` or `pending`.
    pub state: &'static str,
    pub at: Option<TimeText>,
    pub team: Option<String>,
}

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    pub at: TimeText,
    pub state: Labelled,
    pub update: bool,
    pub team: String,
    /// The member's name: internal edition only.
    pub actor: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReporterView {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub contact: Option<String>,
    pub kind: Option<String>,
    pub channel: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerView {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalReportView {
    pub to: String,
    pub at: Option<TimeText>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservableView {
    pub kind: String,
    pub value: String,
    pub ioc: bool,
}

/// The SLA of the current state (internal edition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaView {
    pub state: String,
    pub spent: String,
    pub limit: String,
    pub breached: bool,
}

/// Everything an incident page may show to its audience. Fields an audience may not see are
/// `None` or empty: they are never filled for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub status: Labelled,
    pub is_final: bool,
    pub tlp: TlpView,
    pub severity: Option<Labelled>,
    pub category: Option<Link>,
    pub owner: Option<Link>,
    pub summary: Option<String>,
    pub reported_at: Option<TimeText>,
    pub occurred_at: Option<TimeText>,
    pub detected_at: Option<TimeText>,
    pub closed_at: Option<TimeText>,
    /// TLP:RED on the internal edition: body, summary, notes and attachments withheld.
    pub red_withheld: bool,
    /// Safe HTML from `markdown::to_html`.
    pub body_html: Option<String>,
    pub steps: Vec<StepView>,
    pub timeline: Vec<EntryView>,
    // Internal edition only.
    pub internal: bool,
    pub reporter: Option<ReporterView>,
    pub assets: Vec<String>,
    pub handler: Option<HandlerView>,
    pub delivered_to: Option<String>,
    pub resolution: Option<String>,
    pub impact: Option<String>,
    pub pap: Option<String>,
    pub in_scope: Option<bool>,
    pub rejection: Option<String>,
    pub duplicate_of: Option<Link>,
    pub related: Vec<Link>,
    pub rsit: Vec<String>,
    pub attack: Vec<String>,
    pub external_reports: Vec<ExternalReportView>,
    pub observables: Vec<ObservableView>,
    pub attachments: Vec<String>,
    pub tags: Vec<String>,
    pub sla: Option<SlaView>,
}

/// A line in a list of incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub href: String,
    pub status: Labelled,
    pub tlp: TlpView,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub owner: Option<String>,
    pub reported_at: Option<TimeText>,
    pub closed_at: Option<TimeText>,
}

/// An incident in `api/incidents.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiIncident {
    pub id: String,
    pub url: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub tlp: &'static str,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub owner: Option<String>,
    pub summary: Option<String>,
    pub reported_at: Option<String>,
    pub closed_at: Option<String>,
    pub timeline: Vec<ApiEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<ApiInternal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiEntry {
    pub at: String,
    pub to: String,
    pub by: String,
    pub update: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Fields of `api/incidents.json` on the internal edition only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiInternal {
    pub red_withheld: bool,
    pub reporter: Option<ReporterView>,
    pub assets: Vec<String>,
    pub handler: Option<HandlerView>,
    pub in_scope: Option<bool>,
    pub resolution: Option<String>,
    pub external_reports: Vec<ExternalReportView>,
    pub observables: Vec<ObservableView>,
    pub attachments: Vec<String>,
    pub tags: Vec<String>,
}

/// The lens through which one audience sees the incidents: configuration, language, and the
/// link targets of categories and owners.
pub struct Lens<'a> {
    pub cfg: &'a Config,
    pub lang: Lang,
    pub audience: Audience,
    members: HashMap<&'a str, &'a str>,
    owners: BTreeMap<String, String>,
}

/// A file-name-safe slug (never empty).
pub fn slug(s: &str) -> String {
    let s = crate::markdown::slug(s);
    s.chars().take(80).collect::<String>().trim_end_matches('-').to_owned()
}

impl<'a> Lens<'a> {
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
        let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
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

    /// A count as the audience sees it, on its own (see [`Lens::counts`] for counts published
    /// beside their total).
    pub fn count(&self, n: usize) -> Count {
        let min = self.cfg.site.public_min_count;
        if self.is_public() && n > 0 && (n as u64) < u64::from(min) {
            Count::Below(min)
        } else {
            Count::Shown(n)
        }
    }

    /// The counts of a group whose total (their sum) is published, or may be learnt: see
    /// [`Lens::suppress`]. The total itself is shown as [`Lens::count`] shows it.
    pub fn counts(&self, cells: &[usize]) -> Vec<Count> {
        let mut values = cells.to_vec();
        values.push(cells.iter().sum());
        let group = Group {
            members: (0..cells.len()).collect(),
            total: cells.len(),
        };
        let mut out = self.suppress(&values, &[group]);
        out.truncate(cells.len());
        out
    }

    /// A count that may include listed TLP:CLEAR incidents, on its own: its restricted part is
    /// shown as [`Lens::count`] would show it (see [`Lens::mixed`]).
    pub fn tally(&self, t: Tally) -> Count {
        self.mixed(t, self.count(t.restricted))
    }

    /// [`Lens::counts`] for counts that may include listed TLP:CLEAR incidents.
    pub fn tallies(&self, cells: &[Tally]) -> Vec<Count> {
        let mut values = cells.to_vec();
        values.push(cells.iter().copied().sum());
        let group = Group {
            members: (0..cells.len()).collect(),
            total: cells.len(),
        };
        let mut out = self.suppress_tallies(&values, &[group]);
        out.truncate(cells.len());
        out
    }

    /// [`Lens::suppress`] for cells that may include listed TLP:CLEAR incidents. A public
    /// reader knows the TLP:CLEAR part of every cell (those incidents are listed in full, and
    /// every such part is taken as known, even where the list does not give it), so a cell is
    /// worth exactly its restricted part: the restricted parts, which add up by the same
    /// groups, are suppressed as [`Lens::suppress`] does, and each cell is shown from its
    /// restricted part's count ([`Lens::mixed`]).
    pub fn suppress_tallies(&self, cells: &[Tally], groups: &[Group]) -> Vec<Count> {
        let restricted: Vec<usize> = cells.iter().map(|t| t.restricted).collect();
        self.suppress(&restricted, groups)
            .into_iter()
            .zip(cells)
            .map(|(k, t)| self.mixed(*t, k))
            .collect()
    }

    /// How a cell of `t.clear` listed TLP:CLEAR incidents and `t.restricted` others is shown,
    /// given how its restricted part alone is shown (`k`). A shown restricted part is added
    /// to the TLP:CLEAR part; otherwise a cell with TLP:CLEAR incidents is shown as at least
    /// the TLP:CLEAR part plus the least its restricted part may be ("≥ c + 1" for a hidden
    /// small part, "≥ c + N" for a withheld larger one), which tells a reader who subtracts
    /// the listed incidents no more than the restricted part's own marker. A withheld cell
    /// stays withheld, and a cell without TLP:CLEAR incidents is its restricted part.
    pub fn mixed(&self, t: Tally, k: Count) -> Count {
        if !self.is_public() {
            return Count::Shown(t.all());
        }
        if t.clear == 0 {
            return k;
        }
        match k {
            Count::Shown(r) => Count::Shown(t.clear + r),
            Count::Below(_) | Count::AtLeast(_) => {
                let least = usize::try_from(k.bounds().0).unwrap_or(usize::MAX);
                let at_least = t.clear.saturating_add(least);
                Count::AtLeast(u32::try_from(at_least).unwrap_or(u32::MAX))
            }
            Count::Withheld => Count::Withheld,
        }
    }

    /// Complementary suppression (public edition; the internal edition shows every number).
    ///
    /// `values` are the cells of a table and `groups` say which cells add up to which. Every
    /// count from 1 to `N - 1` is hidden (`< N`). Then, while a reader could still compute a
    /// hidden small count from the shown cells and the groups' sums — one hidden cell in a
    /// group, or hidden cells forced to equal values (all 1, all `N - 1`, all at their least)
    /// — the smallest still-shown positive member of a group holding that cell is withheld as
    /// `≥ N`. When no shown positive member is left, every member of those groups (zeros
    /// included) is withheld (`x`). Group totals are never withheld by this rule.
    pub fn suppress(&self, values: &[usize], groups: &[Group]) -> Vec<Count> {
        let min = self.cfg.site.public_min_count;
        let mut out: Vec<Count> = values.iter().map(|v| self.count(*v)).collect();
        if !self.is_public() || min <= 1 {
            return out;
        }
        let small = |i: usize| values[i] > 0 && (values[i] as u64) < u64::from(min);
        let mut given_up = vec![false; values.len()];
        loop {
            let b = propagate(&out, groups);
            let solved: Vec<usize> = (0..values.len())
                .filter(|&i| small(i) && !given_up[i] && b[i].1 == Some(b[i].0))
                .collect();
            let Some(&cell) = solved.first() else { break };
            let holds = |g: &Group, c: usize| g.total == c || g.members.contains(&c);
            // Prefer withholding one more count (of any group holding a solved cell) to
            // withholding a whole group.
            let candidate = groups
                .iter()
                .filter(|g| solved.iter().any(|c| holds(g, *c)))
                .flat_map(|g| g.members.iter().copied())
                .filter(|&m| matches!(out[m], Count::Shown(v) if v > 0))
                .min_by_key(|&m| (values[m], m));
            if let Some(m) = candidate {
                out[m] = Count::AtLeast(min);
                continue;
            }
            let holding: Vec<&Group> = groups.iter().filter(|g| holds(g, cell)).collect();
            let mut changed = false;
            for g in &holding {
                for &m in &g.members {
                    if out[m] != Count::Withheld {
                        out[m] = Count::Withheld;
                        changed = true;
                    }
                }
            }
            if !changed {
                // Nothing left to hide around this cell (a group of one): leave it.
                given_up[cell] = true;
            }
        }
        out
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
        self.cfg
            .workflow
            .transitions_from(state)
            .filter(|t| !t.reopen)
            .filter_map(|t| t.step)
            .min()
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
            tlp: tlp_view(inc.effective_tlp()),
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
            tlp: tlp_view(inc.effective_tlp()),
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
            body_html: if withhold || !self.may("body") || inc.body.trim().is_empty() {
                None
            } else {
                Some(crate::markdown::to_html(&clean(&inc.body), 1, "isi-"))
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
            tags: Vec::new(),
            sla: None,
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
        v.delivered_to = clean_opt(&inc.delivered_to);
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
            v.attachments = inc.attachments.iter().map(|a| clean(a)).collect();
        }
        v.tags = inc.tags.iter().map(|x| clean(x)).collect();
        v.sla = crate::workflow::stays(&self.cfg.workflow, &self.cfg.sla, inc, now)
            .last()
            .filter(|s| s.limit.is_some() && !self.cfg.workflow.is_final(&s.state))
            .map(|s| SlaView {
                state: self.state_label(&s.state),
                spent: crate::time::format_age(s.spent),
                limit: s.limit.map(crate::time::format_age).unwrap_or_default(),
                breached: s.breached(),
            });
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
        let iso = |t: Timestamp| self.time(t).iso;
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
                        inc.attachments.iter().map(|a| clean(a)).collect()
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
        all.sort_by(|(a, i), (b, j)| {
            b.history[*j]
                .at
                .cmp(&a.history[*i].at)
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| j.cmp(i))
        });
        all.truncate(limit);
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

    /// The lines of a breakdown whose total is published, `(key, label, count)` with a line
    /// only for each key that occurs, suppressed as [`Lens::tallies`] does. A breakdown
    /// withheld as a whole becomes a single line with its total, since the presence of a line
    /// would tell that its count is not zero.
    pub fn breakdown(&self, rows: Vec<(String, String, Tally)>) -> Vec<Breakdown> {
        let cells: Vec<Tally> = rows.iter().map(|r| r.2).collect();
        let counts = self.tallies(&cells);
        if counts.contains(&Count::Withheld) {
            return vec![Breakdown {
                key: "withheld".into(),
                label: i18n::text(self.lang, "withheld"),
                count: self.tally(cells.iter().copied().sum()),
                rsit: Vec::new(),
            }];
        }
        rows.into_iter()
            .zip(counts)
            .map(|((key, label, _), count)| Breakdown {
                key,
                label,
                count,
                rsit: Vec::new(),
            })
            .collect()
    }

    /// The periodic report as this audience may see it.
    /// `generated` is printed as the generation time when given (the site gives it only
    /// with `--now`, so that its pages do not depend on the clock).
    ///
    /// On the public edition the TLP:CLEAR incidents are listed in full, so every count is
    /// split into their part (counted by aggregating them alone, measured at `now` as `agg`
    /// was) and the rest ([`Tally`]), and only the rest is protected.
    pub fn report(
        &self,
        agg: &Aggregate,
        facts: &[Facts<'_>],
        now: Timestamp,
        generated: Option<Timestamp>,
    ) -> ReportView {
        let lang = self.lang;
        let tz = self.cfg.timezone;
        let clear_agg = self.is_public().then(|| {
            let clear: Vec<Facts<'_>> = facts.iter().filter(|f| self.shows(f.incident)).cloned().collect();
            crate::report::aggregate(&clear, &agg.period, self.cfg, now)
        });
        let ca = clear_agg.as_ref();
        // A number of the aggregate with its TLP:CLEAR part.
        let split = |pick: &dyn Fn(&Aggregate) -> usize| Tally::split(pick(agg), ca.map_or(0, pick));
        let c = |pick: &dyn Fn(&Aggregate) -> usize| self.tally(split(pick));
        type Map = BTreeMap<String, usize>;
        let rows =
            |pick: &dyn Fn(&Aggregate) -> &Map, label: &dyn Fn(&str) -> String| -> Vec<(String, String, Tally)> {
                pick(agg)
                    .iter()
                    .map(|(k, n)| {
                        let l = if k == NONE { i18n::text(lang, "none") } else { label(k) };
                        let clear = ca.and_then(|a| pick(a).get(k)).copied().unwrap_or(0);
                        (clean(k), l, Tally::split(*n, clear))
                    })
                    .collect()
            };
        let mut by_category = self.breakdown(rows(&|a| &a.by_category, &|k| self.category_label(k)));
        for b in &mut by_category {
            b.rsit = self.cfg.category(&b.key).map(|c| c.rsit.clone()).unwrap_or_default();
        }
        let mut severities = rows(&|a| &a.by_severity, &|k| i18n::term(lang, "severity", k));
        let rank = |k: &str| crate::model::Severity::parse(k).map_or(usize::MAX, |s| s as usize);
        severities.sort_by_key(|b| rank(&b.0));
        let by_severity = self.breakdown(severities);
        // Owners of incidents the audience may not see are never named: on the public
        // edition, only TLP:CLEAR incidents are counted by owner, the rest as one line.
        let by_owner = if self.is_public() {
            let mut m: BTreeMap<String, usize> = BTreeMap::new();
            let mut rest = 0;
            for row in &agg.cohort {
                let inc = facts[row.incident].incident;
                if self.shows(inc) {
                    *m.entry(inc.owner.clone().unwrap_or_else(|| NONE.to_owned()))
                        .or_insert(0) += 1;
                } else {
                    rest += 1;
                }
            }
            let mut v: Vec<(String, String, Tally)> = m
                .iter()
                .map(|(k, n)| {
                    let l = if k == NONE { i18n::text(lang, "none") } else { clean(k) };
                    (clean(k), l, Tally::split(*n, *n))
                })
                .collect();
            if rest > 0 {
                v.push((
                    "restricted".into(),
                    i18n::text(lang, "other_restricted"),
                    Tally::restricted(rest),
                ));
            }
            self.breakdown(v)
        } else {
            self.breakdown(rows(&|a| &a.by_owner, &|k| clean(k)))
        };
        // KPI n: the severities (and the unpublished "none") add up to `all`.
        let kpi = agg
            .kpi
            .iter()
            .map(|(k, groups)| {
                let n_of = |a: &Aggregate, g: &str| a.kpi.get(k).and_then(|gs| gs.get(g)).map_or(0, |s| s.n);
                let n = |g: &str| split(&|a| n_of(a, g));
                let sevs: Vec<Tally> = GROUPS[1..].iter().map(|g| n(g)).collect();
                let mut cells = sevs.clone();
                let all = n("all");
                let sum: Tally = sevs.iter().copied().sum();
                cells.push(Tally {
                    clear: all.clear.saturating_sub(sum.clear),
                    restricted: all.restricted.saturating_sub(sum.restricted),
                });
                let shown = self.tallies(&cells);
                let g = groups
                    .iter()
                    .map(|(g, s)| {
                        let count = GROUPS[1..]
                            .iter()
                            .position(|x| x == g)
                            .map_or_else(|| self.tally(n(g)), |i| shown[i]);
                        let hidden = count.value().is_none();
                        (
                            *g,
                            StatView {
                                median_hours: if hidden { None } else { s.median },
                                p90_hours: if hidden { None } else { s.p90 },
                                n: count,
                            },
                        )
                    })
                    .collect();
                (*k, g)
            })
            .collect();
        let sla_rows: Vec<SlaRow> = self
            .cfg
            .workflow
            .states
            .iter()
            .filter_map(|s| {
                agg.sla.get(&s.id).map(|_| {
                    let of = |f: fn(&crate::report::SlaCount) -> usize| {
                        split(&|a: &Aggregate| a.sla.get(&s.id).map_or(0, f))
                    };
                    let wb = self.tallies(&[of(|x| x.within), of(|x| x.breached)]);
                    SlaRow {
                        state: s.id.clone(),
                        label: s.label.get(lang).to_owned(),
                        within: wb[0],
                        breached: wb[1],
                        ongoing_breached: self.tally(of(|x| x.ongoing_breached)),
                    }
                })
            })
            .collect();
        let sla = sla_rows.iter().map(|r| (r.state.clone(), r.clone())).collect();
        let internal = !self.is_public();
        let id_of = |i: usize| clean(&facts[i].incident.id);
        let mut incidents = Vec::new();
        let mut restricted = 0;
        let mut restricted_by_category: BTreeMap<String, usize> = BTreeMap::new();
        for row in &agg.cohort {
            let inc = facts[row.incident].incident;
            if !self.shows(inc) {
                restricted += 1;
                *restricted_by_category
                    .entry(inc.category.clone().unwrap_or_else(|| NONE.to_owned()))
                    .or_insert(0) += 1;
                continue;
            }
            let Some(reported) = facts[row.incident].reported else {
                continue;
            };
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
        let period = &agg.period;
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
                reported: c(&|a| a.totals.reported),
                rejected: c(&|a| a.totals.rejected),
                in_scope: c(&|a| a.totals.in_scope),
                out_of_scope: c(&|a| a.totals.out_of_scope),
                closed: c(&|a| a.totals.closed),
                autoresolved: c(&|a| a.totals.autoresolved),
                reopened: c(&|a| a.totals.reopened),
                open_at_end: c(&|a| a.totals.open_at_end),
            },
            rejected_by_code: self.breakdown(rows(&|a| &a.rejected_by_code, &|k| {
                i18n::term(lang, "rejection_code", k)
            })),
            // Every month of the period is listed, zeros included.
            by_month: {
                let cells: Vec<Tally> = agg
                    .by_month
                    .iter()
                    .map(|(key, _)| split(&|a| a.by_month.iter().find(|(m, _)| m == key).map_or(0, |(_, n)| *n)))
                    .collect();
                agg.by_month
                    .iter()
                    .zip(self.tallies(&cells))
                    .map(|(((y, m), _), count)| Breakdown {
                        key: format!("{y:04}-{m:02}"),
                        label: i18n::month_year(lang, *y, *m),
                        count,
                        rsit: Vec::new(),
                    })
                    .collect()
            },
            by_category,
            by_severity,
            by_owner,
            by_reporter_type: self.breakdown(rows(&|a| &a.by_reporter_type, &|k| {
                i18n::term(lang, "reporter_type", k)
            })),
            by_channel: self.breakdown(rows(&|a| &a.by_channel, &|k| i18n::term(lang, "channel", k))),
            by_tlp: self.breakdown(rows(&|a| &a.by_tlp, &|k| {
                Tlp::parse(k).map_or_else(|| clean(k), |t| t.label().to_owned())
            })),
            by_resolution: self.breakdown(rows(&|a| &a.by_resolution, &|k| i18n::term(lang, "resolution", k))),
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
                required: c(&|a| a.onward_required.len()),
                recorded: self.tallies(&[
                    split(&|a| a.onward_recorded.len()),
                    split(&|a| a.onward_required.len() - a.onward_recorded.len()),
                ])[0],
                missing: internal.then(|| {
                    agg.onward_required
                        .iter()
                        .filter(|i| !agg.onward_recorded.contains(i))
                        .map(|i| id_of(*i))
                        .collect()
                }),
            },
            incidents,
            restricted: self.is_public().then(|| RestrictedView {
                count: self.count(restricted),
                by_category: self.breakdown(
                    restricted_by_category
                        .iter()
                        .map(|(k, n)| (clean(k), self.category_label(k), Tally::restricted(*n)))
                        .collect(),
                ),
            }),
        }
    }
}

/// One entry of the Atom feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub updated: String,
    pub href: String,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgView {
    pub name: String,
    pub unit: String,
    pub sop: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodView {
    pub key: String,
    pub kind: crate::report::PeriodKind,
    pub label: String,
    pub from: TimeText,
    pub to: TimeText,
}

/// The report's totals as an audience sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TotalsView {
    pub reported: Count,
    pub rejected: Count,
    pub in_scope: Count,
    pub out_of_scope: Count,
    pub closed: Count,
    pub autoresolved: Count,
    pub reopened: Count,
    pub open_at_end: Count,
}

impl TotalsView {
    /// (interface key, count) in report order.
    pub fn rows(&self) -> [(&'static str, Count); 8] {
        [
            ("t_reported", self.reported),
            ("t_rejected", self.rejected),
            ("t_in_scope", self.in_scope),
            ("t_out_of_scope", self.out_of_scope),
            ("t_closed", self.closed),
            ("t_autoresolved", self.autoresolved),
            ("t_reopened", self.reopened),
            ("t_open_at_end", self.open_at_end),
        ]
    }
}

/// One line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    pub key: String,
    pub label: String,
    pub count: Count,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rsit: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StatView {
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    pub n: Count,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaRow {
    #[serde(skip)]
    pub state: String,
    pub label: String,
    pub within: Count,
    pub breached: Count,
    pub ongoing_breached: Count,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreachView {
    pub id: String,
    pub href: String,
    pub state: String,
    pub state_label: String,
    pub spent_hours: f64,
    pub limit_hours: f64,
    pub ongoing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnwardView {
    pub required: Count,
    pub recorded: Count,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportIncident {
    pub id: String,
    pub href: String,
    pub title: String,
    pub reported_at: TimeText,
    pub category: Option<String>,
    pub category_label: String,
    pub severity: Option<String>,
    pub severity_label: String,
    pub tlp: &'static str,
    pub status_at_end: String,
    pub status_label: String,
    pub kpi_hours: BTreeMap<&'static str, Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestrictedView {
    pub count: Count,
    pub by_category: Vec<Breakdown>,
}

/// The periodic report as an audience sees it; every format renders this.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportView {
    pub title: String,
    pub organization: OrgView,
    pub period: PeriodView,
    /// When the report was made; `None` on the site built without `--now`.
    pub generated: Option<TimeText>,
    pub audience: Audience,
    pub audience_label: String,
    /// The TLP of the report itself.
    pub tlp: &'static str,
    pub lang: Lang,
    pub totals: TotalsView,
    pub rejected_by_code: Vec<Breakdown>,
    pub by_month: Vec<Breakdown>,
    pub by_category: Vec<Breakdown>,
    pub by_severity: Vec<Breakdown>,
    pub by_owner: Vec<Breakdown>,
    pub by_reporter_type: Vec<Breakdown>,
    pub by_channel: Vec<Breakdown>,
    pub by_tlp: Vec<Breakdown>,
    pub by_resolution: Vec<Breakdown>,
    /// KPI key → group (`all`, `low`…) → stat.
    pub kpi: BTreeMap<&'static str, BTreeMap<&'static str, StatView>>,
    /// State → SLA counts.
    pub sla: BTreeMap<String, SlaRow>,
    /// The same, in workflow order (for tables).
    #[serde(skip)]
    pub sla_rows: Vec<SlaRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaches: Option<Vec<BreachView>>,
    pub onward_reporting: OnwardView,
    pub incidents: Vec<ReportIncident>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted: Option<RestrictedView>,
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
    fn public_counts_below_the_minimum_are_suppressed() {
        let cfg = Config::builtin();
        let l = Lens::new(&cfg, Lang::Id, Audience::Public, &[]);
        assert_eq!(l.count(0), Count::Shown(0));
        assert_eq!(l.count(2).to_string(), "< 3");
        assert_eq!(l.count(3), Count::Shown(3));
        let l = Lens::new(&cfg, Lang::Id, Audience::Internal, &[]);
        assert_eq!(l.count(1), Count::Shown(1));
        assert_eq!(serde_json::to_string(&Count::Below(3)).expect("json"), "\"< 3\"");
    }

    /// How many ways (0, 1 or 2 = "two or more") the hidden cells of a group can be filled
    /// so that they add up to a total within `total`, each within its bounds.
    fn solutions(cells: &[Count], total: (u64, Option<u64>)) -> usize {
        fn go(bounds: &[(u64, Option<u64>)], left: u64) -> usize {
            match bounds.split_first() {
                None => usize::from(left == 0),
                Some(((lo, hi), rest)) => {
                    let mut n = 0;
                    let top = hi.unwrap_or(left).min(left);
                    for v in *lo..=top {
                        n += go(rest, left - v);
                        if n >= 2 {
                            return 2;
                        }
                    }
                    n
                }
            }
        }
        let bounds: Vec<_> = cells.iter().map(|c| c.bounds()).collect();
        let mut n = 0;
        let top = total.1.expect("a known total");
        for t in total.0..=top {
            n += go(&bounds, t);
            if n >= 2 {
                return 2;
            }
        }
        n
    }

    fn public() -> Config {
        Config::builtin()
    }

    #[test]
    fn complementary_suppression_leaves_no_group_solvable_from_its_total() {
        let cfg = public();
        let l = Lens::new(&cfg, Lang::Id, Audience::Public, &[]);
        // The review's example: reported 15, medium 3, high 6, none 4, low 1, critical 1.
        let c = l.counts(&[1, 3, 6, 1, 4]);
        assert!(c[1].value().is_none() && c[0] == Count::Below(3), "{c:?}");
        assert_eq!(solutions(&c, (15, Some(15))), 2, "{c:?}");
        // One small cell beside a total: the smallest other cell is withheld.
        assert_eq!(
            l.counts(&[2, 5, 9]),
            vec![Count::Below(3), Count::AtLeast(3), Count::Shown(9)]
        );
        // Zeros stay zeros; nothing small, nothing hidden.
        assert_eq!(
            l.counts(&[0, 4, 3]),
            vec![Count::Shown(0), Count::Shown(4), Count::Shown(3)]
        );
        // Two ones under a total of 2 (itself "< 3"): no cell can be shown at all.
        assert_eq!(l.counts(&[1, 1]), vec![Count::Withheld, Count::Withheld]);
        // The internal edition shows every number.
        let i = Lens::new(&cfg, Lang::Id, Audience::Internal, &[]);
        assert_eq!(i.counts(&[1, 2]), vec![Count::Shown(1), Count::Shown(2)]);
        // Every group of up to four cells with values up to 7.
        let mut cells = [0usize; 4];
        for code in 0..8usize.pow(4) {
            let mut x = code;
            for c in cells.iter_mut() {
                *c = x % 8;
                x /= 8;
            }
            for len in 1..=4 {
                let v = &cells[..len];
                let shown = l.counts(v);
                let t: usize = v.iter().sum();
                let total = l.count(t).bounds();
                // The markers tell the truth.
                for (c, n) in shown.iter().zip(v) {
                    let (lo, hi) = c.bounds();
                    assert!(
                        *n as u64 >= lo && hi.is_none_or(|h| *n as u64 <= h),
                        "{v:?} → {shown:?}"
                    );
                }
                if v.iter().any(|n| (1..3).contains(n)) && len > 1 {
                    assert_eq!(solutions(&shown, total), 2, "{v:?} → {shown:?} is solvable");
                }
            }
        }
    }

    #[test]
    fn counts_with_listed_clear_incidents_protect_their_restricted_part() {
        let cfg = public();
        let l = Lens::new(&cfg, Lang::Id, Audience::Public, &[]);
        let t = |clear, restricted| Tally { clear, restricted };
        // An archive month of 4 listed TLP:CLEAR incidents and 1 other: not "5".
        assert_eq!(l.tally(t(4, 1)), Count::AtLeast(5));
        // Nothing restricted: the listed incidents are counted as they are, small or not.
        assert_eq!(l.tally(t(2, 0)), Count::Shown(2));
        assert_eq!(l.tally(t(0, 2)), Count::Below(3));
        assert_eq!(l.tally(t(2, 3)), Count::Shown(5));
        // By TLP: CLEAR 4 (all listed), GREEN 1, AMBER 6; the total 11 would give GREEN away.
        let c = l.tallies(&[t(4, 0), t(0, 1), t(0, 6)]);
        assert_eq!(c, vec![Count::Shown(4), Count::Below(3), Count::AtLeast(3)]);
        // Every small group of cells with up to two listed incidents each: once the listed
        // incidents are subtracted, no small restricted part is fixed by the total.
        for code in 0..(3usize * 4).pow(3) {
            let mut x = code;
            let cells: Vec<Tally> = (0..3)
                .map(|_| {
                    let v = t(x % 3, (x / 3) % 4);
                    x /= 12;
                    v
                })
                .collect();
            let shown = l.tallies(&cells);
            let sum: Tally = cells.iter().copied().sum();
            let restricted = |c: Count, clear: usize| -> Count {
                let (lo, hi) = c.bounds();
                let clear = clear as u64;
                match hi {
                    Some(h) if h == lo => Count::Shown((lo - clear) as usize),
                    Some(h) if lo > clear => Count::Below((h - clear + 1) as u32),
                    _ if lo > clear => Count::AtLeast((lo - clear) as u32),
                    _ => Count::Withheld,
                }
            };
            let seen: Vec<Count> = shown.iter().zip(&cells).map(|(c, v)| restricted(*c, v.clear)).collect();
            let total = restricted(l.tally(sum), sum.clear).bounds();
            for (c, v) in shown.iter().zip(&cells) {
                let (lo, hi) = c.bounds();
                let n = v.all() as u64;
                assert!(n >= lo && hi.is_none_or(|h| n <= h), "{cells:?} → {shown:?}");
            }
            if cells.iter().any(|v| (1..3).contains(&v.restricted)) && total.1.is_some() {
                assert_eq!(solutions(&seen, total), 2, "{cells:?} → {shown:?} is solvable");
            }
        }
    }

    #[test]
    fn linked_groups_are_suppressed_together() {
        let cfg = public();
        let l = Lens::new(&cfg, Lang::Id, Audience::Public, &[]);
        // total = a + b + c; open = a + b; a small: hiding only c would let open give a away.
        let values = [19, 13, 1, 12, 6];
        let groups = [
            Group {
                members: vec![2, 3, 4],
                total: 0,
            },
            Group {
                members: vec![2, 3],
                total: 1,
            },
        ];
        let out = l.suppress(&values, &groups);
        assert_eq!(out[2], Count::Below(3));
        assert!(out[3].value().is_none(), "{out:?}");
        let b = propagate(&out, &groups);
        assert_ne!(b[2].1, Some(b[2].0), "{out:?}");
    }

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
}
