//! The SOP as data: states, roles, transitions, what each transition requires, update
//! entries, the autoresolve window and SLA evaluation.
//!
//! The built-in workflow is the Trenggalek SOP (`default-config.yaml`); another CSIRT replaces
//! it in `insiden.yaml`. This module is pure: no files, no git, no clock, no text positions.
//! It returns [`Violation`] values and `rules`/`history` attach locations to them.

use crate::model::{HistoryEntry, Incident, Severity, Timestamp};
use crate::time::Calendar;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The pseudo-state a new incident comes from.
pub const NEW: &str = "new";
/// The role of the CI bot.
pub const SYSTEM: &str = "system";

/// A label in the two languages of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub id: String,
    pub en: String,
}

/// The product's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// The language's code, as written in `insiden.yaml` and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

impl Label {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    pub id: String,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub id: String,
    pub label: Label,
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl SectionDef {
    /// Whether a heading names this section (either label or an alias, case-insensitive).
    pub fn matches(&self, heading: &str) -> bool {
        let h = heading.trim();
        [&self.label.id, &self.label.en]
            .into_iter()
            .chain(self.aliases.iter())
            // Lower-casing allocates: ASCII names and headings, nearly all of them, compare
            // without it, with the same answer.
            .any(|n| {
                n.eq_ignore_ascii_case(h) || (!(n.is_ascii() && h.is_ascii()) && n.to_lowercase() == h.to_lowercase())
            })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub step: u8,
    pub label: Label,
    /// The SOP's *Kegiatan*: what the step does.
    #[serde(default)]
    pub activity: Option<Label>,
    /// *Kelengkapan*: what the step works from.
    #[serde(default)]
    pub inputs: Option<Label>,
    /// *Output*: what the step produces.
    #[serde(default)]
    pub output: Option<Label>,
    /// *Keterangan*.
    #[serde(default)]
    pub note: Option<Label>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    pub id: String,
    /// The roles that act next.
    #[serde(default)]
    pub acts: Vec<String>,
    pub label: Label,
    /// No transition leaves a final state.
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

/// One or several states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn contains(&self, s: &str) -> bool {
        match self {
            OneOrMany::One(x) => x == s,
            OneOrMany::Many(v) => v.iter().any(|x| x == s),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let v: Vec<&str> = match self {
            OneOrMany::One(x) => vec![x.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        };
        v.into_iter()
    }
}

/// A value a requirement expects a field to have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    Bool(bool),
    Text(String),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Bool(b) => write!(f, "{b}"),
            Expected::Text(s) => f.write_str(s),
        }
    }
}

/// Whether the autoresolve window must be open or elapsed at the entry's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowRequirement {
    Open,
    Elapsed,
}

/// What the file must contain once a transition is made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Requires {
    /// Fields that must be present and non-empty (dotted for nested ones).
    pub fields: Vec<String>,
    /// Fields that must have this value.
    pub equals: BTreeMap<String, Expected>,
    /// Body sections (by section id) that must be present with text.
    pub sections: Vec<String>,
    /// The entry must carry a `note`.
    pub note: bool,
    pub window: Option<WindowRequirement>,
    /// Every section required by the transitions taken so far must be filled.
    pub path_sections: bool,
    /// A website scan report among the attachments, when the incident's category has
    /// `requires_scan: true`.
    pub scan_report: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionDef {
    pub from: OneOrMany,
    pub to: String,
    #[serde(default)]
    pub step: Option<u8>,
    pub by: Vec<String>,
    #[serde(default)]
    pub requires: Requires,
    /// A follow-up report: the requirements pass starts again here.
    #[serde(default)]
    pub reopen: bool,
}

/// The workflow: the SOP as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub roles: Vec<RoleDef>,
    pub sections: Vec<SectionDef>,
    #[serde(default)]
    pub steps: Vec<StepDef>,
    pub initial: String,
    #[serde(default)]
    pub window_opens: Option<String>,
    pub states: Vec<StateDef>,
    pub transitions: Vec<TransitionDef>,
    /// Fields that only some teams may change (`tlp: [analysis, coordination]`); the teams
    /// are those of the commit's author. Absent: anyone who may edit the file.
    #[serde(default)]
    pub field_owners: BTreeMap<String, Vec<String>>,
    /// The categories whose incidents need a website scan report where a transition
    /// requires `scan_report` (from `categories[].requires_scan`).
    #[serde(skip)]
    pub scan_categories: BTreeSet<String>,
}

/// Why an entry is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    UnknownState {
        state: String,
    },
    UnknownRole {
        role: String,
    },
    /// The first entry is not the initial state.
    BadStart {
        expected: String,
        found: String,
    },
    NotAllowed {
        from: String,
        to: String,
        allowed: Vec<String>,
    },
    RoleNotAllowed {
        from: String,
        to: String,
        role: String,
        allowed: Vec<String>,
    },
    /// An update (same state) without a note.
    UpdateWithoutNote {
        state: String,
    },
}

/// What a requirement found missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    Field {
        field: String,
    },
    Equals {
        field: String,
        expected: String,
        found: Option<String>,
    },
    Section {
        section: String,
        label: String,
    },
    Note,
    WindowClosed {
        ended: Timestamp,
    },
    WindowOpen {
        ends: Timestamp,
    },
    /// The move needs the autoresolve window, but it was never opened.
    NoWindow,
    /// The incident's category requires a website scan report, and none is attached.
    ScanReport {
        category: String,
    },
}

impl Unmet {
    /// A short description for messages, e.g. "field `owner`", "section ## Analisis".
    pub fn describe(&self) -> String {
        match self {
            Unmet::Field { field } => format!("field `{field}`"),
            Unmet::Equals { field, expected, found } => match found {
                Some(f) => format!("`{field}: {expected}` (found `{f}`)"),
                None => format!("`{field}: {expected}`"),
            },
            Unmet::Section { label, .. } => format!("section `## {label}` with text"),
            Unmet::Note => "a `note` on the entry".into(),
            Unmet::WindowClosed { ended } => format!("an open autoresolve window (it ended {})", ended.to_rfc3339()),
            Unmet::WindowOpen { ends } => format!("an elapsed autoresolve window (it ends {})", ends.to_rfc3339()),
            Unmet::NoWindow => "an autoresolve window, which was never opened".into(),
            Unmet::ScanReport { category } => {
                format!("a website scan report in `attachments` (category `{category}` requires one)")
            }
        }
    }
}

/// The kind of an accepted entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Move<'w> {
    Transition(&'w TransitionDef),
    Update,
}

impl Workflow {
    pub fn state(&self, id: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.id == id)
    }

    pub fn has_role(&self, id: &str) -> bool {
        id == SYSTEM || self.roles.iter().any(|r| r.id == id)
    }

    pub fn section(&self, id: &str) -> Option<&SectionDef> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// The transition `from → to` (`from` is [`NEW`] for the first entry).
    pub fn transition(&self, from: &str, to: &str) -> Option<&TransitionDef> {
        self.transitions.iter().find(|t| t.from.contains(from) && t.to == to)
    }

    /// The states reachable from `from`, in workflow order.
    pub fn allowed_from(&self, from: &str) -> Vec<String> {
        self.transitions
            .iter()
            .filter(|t| t.from.contains(from))
            .map(|t| t.to.clone())
            .collect()
    }

    /// The transitions leaving `from`.
    pub fn transitions_from<'a>(&'a self, from: &'a str) -> impl Iterator<Item = &'a TransitionDef> + 'a {
        self.transitions.iter().filter(move |t| t.from.contains(from))
    }

    /// Checks that `entry` may follow state `prev` (`None` for the first entry): a known
    /// state and role, an allowed transition by an allowed role, or an update with a note.
    pub fn check_entry(&self, prev: Option<&str>, entry: &HistoryEntry) -> Result<Move<'_>, Violation> {
        if self.state(&entry.to).is_none() {
            return Err(Violation::UnknownState {
                state: entry.to.clone(),
            });
        }
        if !self.has_role(&entry.by) {
            return Err(Violation::UnknownRole { role: entry.by.clone() });
        }
        let Some(prev) = prev else {
            if entry.to != self.initial {
                return Err(Violation::BadStart {
                    expected: self.initial.clone(),
                    found: entry.to.clone(),
                });
            }
            let t = self.transition(NEW, &entry.to);
            return match t {
                Some(t) if !t.by.contains(&entry.by) => Err(Violation::RoleNotAllowed {
                    from: NEW.into(),
                    to: entry.to.clone(),
                    role: entry.by.clone(),
                    allowed: t.by.clone(),
                }),
                Some(t) => Ok(Move::Transition(t)),
                None => Err(Violation::NotAllowed {
                    from: NEW.into(),
                    to: entry.to.clone(),
                    allowed: self.allowed_from(NEW),
                }),
            };
        };
        if prev == entry.to {
            // An update: any team's member may add a progress note; the bot only closes.
            if entry.by == SYSTEM {
                let allowed = self.roles.iter().map(|r| r.id.clone()).collect();
                return Err(Violation::RoleNotAllowed {
                    from: prev.into(),
                    to: entry.to.clone(),
                    role: SYSTEM.into(),
                    allowed,
                });
            }
            return if entry.note.as_deref().is_some_and(|n| !n.trim().is_empty()) {
                Ok(Move::Update)
            } else {
                Err(Violation::UpdateWithoutNote { state: prev.into() })
            };
        }
        match self.transition(prev, &entry.to) {
            None => Err(Violation::NotAllowed {
                from: prev.into(),
                to: entry.to.clone(),
                allowed: self.allowed_from(prev),
            }),
            Some(t) if !t.by.contains(&entry.by) => Err(Violation::RoleNotAllowed {
                from: prev.into(),
                to: entry.to.clone(),
                role: entry.by.clone(),
                allowed: t.by.clone(),
            }),
            Some(t) => Ok(Move::Transition(t)),
        }
    }

    /// The window that is open or was last opened before history index `before`: the time
    /// of the latest entry into `window_opens` among `history[..before]`.
    pub fn window_start(&self, history: &[HistoryEntry], before: usize) -> Option<Timestamp> {
        let opens = self.window_opens.as_deref()?;
        let mut prev: Option<&str> = None;
        let mut start = None;
        for e in history.iter().take(before) {
            if e.to == opens && prev != Some(opens) {
                start = Some(e.at);
            }
            prev = Some(&e.to);
        }
        start
    }

    /// When the autoresolve window ended, if the incident is still in the state that opened
    /// it and the window is over by `now`: it awaits documentation (`autoresolve-overdue`).
    pub fn documentation_overdue(&self, incident: &Incident, cal: &Calendar, now: Timestamp) -> Option<Timestamp> {
        if self.window_opens.as_deref() != Some(incident.status.as_str()) {
            return None;
        }
        let end = cal.window_end(self.window_start(&incident.history, incident.history.len())?);
        (now >= end).then_some(end)
    }

    /// The autoresolve window the incident waits on now — its state opens one, or a move out
    /// of its state needs one — as (start, end); `None` otherwise (also once it is final).
    pub fn current_window(&self, incident: &Incident, cal: &Calendar) -> Option<(Timestamp, Timestamp)> {
        let status = incident.status.as_str();
        let waits = self.window_opens.as_deref() == Some(status)
            || self
                .transitions
                .iter()
                .any(|t| t.from.contains(status) && t.requires.window.is_some());
        if !waits || self.is_final(status) {
            return None;
        }
        let start = self.window_start(&incident.history, incident.history.len())?;
        Some((start, cal.window_end(start)))
    }

    /// What `t`, made by `history[index]`, requires that `incident` (as it stands) lacks.
    pub fn unmet(&self, t: &TransitionDef, incident: &Incident, index: usize, cal: &Calendar) -> Vec<Unmet> {
        let at = incident.history.get(index).map(|e| e.at);
        self.unmet_at(t, incident, index, cal, at)
    }

    /// [`Workflow::unmet`], judging the window at `at` instead of the entry's own time (the
    /// commit rules use the later of the entry's time and its commit's).
    pub fn unmet_at(
        &self,
        t: &TransitionDef,
        incident: &Incident,
        index: usize,
        cal: &Calendar,
        at: Option<Timestamp>,
    ) -> Vec<Unmet> {
        let mut out = Vec::new();
        let r = &t.requires;
        for f in &r.fields {
            if !incident.field(f).is_some_and(|v| v.is_filled()) {
                out.push(Unmet::Field { field: f.clone() });
            }
        }
        for (f, expected) in &r.equals {
            let found = incident.field(f);
            let ok = match (expected, &found) {
                (Expected::Bool(b), Some(crate::model::FieldValue::Bool(v))) => b == v,
                (Expected::Text(s), Some(crate::model::FieldValue::Text(v))) => s == v,
                _ => false,
            };
            if !ok {
                let found = found.map(|v| match v {
                    crate::model::FieldValue::Text(s) => s,
                    crate::model::FieldValue::Bool(b) => b.to_string(),
                    crate::model::FieldValue::List(n) => format!("a list of {n}"),
                });
                out.push(Unmet::Equals {
                    field: f.clone(),
                    expected: expected.to_string(),
                    found,
                });
            }
        }
        let mut sections: Vec<&str> = r.sections.iter().map(String::as_str).collect();
        if r.path_sections {
            for s in self.path_sections(&incident.history[..index.min(incident.history.len())]) {
                if !sections.contains(&s) {
                    sections.push(s);
                }
            }
        }
        for s in sections {
            if !self.section_filled(incident, s) {
                let label = self.section(s).map_or_else(|| s.to_owned(), |d| d.label.id.clone());
                out.push(Unmet::Section {
                    section: s.into(),
                    label,
                });
            }
        }
        if r.scan_report {
            if let Some(c) = incident
                .category
                .as_deref()
                .filter(|c| self.scan_categories.contains(*c))
            {
                if incident.scan_reports().next().is_none() {
                    out.push(Unmet::ScanReport { category: c.to_owned() });
                }
            }
        }
        let entry = incident.history.get(index);
        if r.note
            && entry
                .and_then(|e| e.note.as_deref())
                .is_none_or(|n| n.trim().is_empty())
        {
            out.push(Unmet::Note);
        }
        if let (Some(w), Some(at)) = (r.window, at) {
            match self.window_start(&incident.history, index) {
                Some(start) => {
                    let end = cal.window_end(start);
                    match w {
                        WindowRequirement::Open if at >= end => out.push(Unmet::WindowClosed { ended: end }),
                        WindowRequirement::Elapsed if at < end => out.push(Unmet::WindowOpen { ends: end }),
                        _ => {}
                    }
                }
                None => out.push(Unmet::NoWindow),
            }
        }
        out
    }

    /// Whether the body has the section `id` with text.
    pub fn section_filled(&self, incident: &Incident, id: &str) -> bool {
        let Some(def) = self.section(id) else {
            return false;
        };
        incident.sections.iter().any(|s| s.filled && def.matches(&s.heading))
    }

    /// The sections required by the transitions of `history` (in order, without repeats).
    fn path_sections<'a>(&'a self, history: &[HistoryEntry]) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        let mut prev = NEW.to_owned();
        for e in history {
            if e.to != prev {
                if let Some(t) = self.transition(&prev, &e.to) {
                    for s in &t.requires.sections {
                        if !out.contains(&s.as_str()) {
                            out.push(s);
                        }
                    }
                }
            }
            prev.clone_from(&e.to);
        }
        out
    }

    /// The step of the SOP each state belongs to, from the transitions entering it.
    pub fn step_of(&self, state: &str) -> Option<u8> {
        self.transitions
            .iter()
            .filter(|t| t.to == state && !t.reopen)
            .find_map(|t| t.step)
    }

    /// The SOP step an open incident in `state` is at: the earliest step of the forward
    /// transitions leaving it (`None` for final states).
    pub fn stage(&self, state: &str) -> Option<u8> {
        self.transitions_from(state)
            .filter(|t| !t.reopen)
            .filter_map(|t| t.step)
            .min()
    }

    /// Whether a state is final (closed, rejected).
    pub fn is_final(&self, state: &str) -> bool {
        self.state(state).is_some_and(|s| s.is_final)
    }
}

/// Time allowed in a state, optionally per severity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sla {
    pub default: Option<Duration>,
    pub by_severity: BTreeMap<Severity, Duration>,
}

impl Sla {
    pub fn limit(&self, severity: Option<Severity>) -> Option<Duration> {
        severity
            .and_then(|s| self.by_severity.get(&s).copied())
            .or(self.default)
    }
}

/// The SLA targets per state, and the clock they are measured on: wall-clock time, or only
/// office hours (`sla.clock: business`).
#[derive(Debug, Clone, Default)]
pub struct Slas {
    pub targets: BTreeMap<String, Sla>,
    /// `Some`: only these hours count.
    pub office: Option<crate::time::OfficeHours>,
}

impl Slas {
    pub fn get(&self, state: &str) -> Option<&Sla> {
        self.targets.get(state)
    }

    /// The time between two instants on the SLA's clock.
    pub fn measure(&self, from: Timestamp, to: Timestamp) -> Duration {
        match &self.office {
            Some(o) => o.between(from, to),
            None => (to - from).max(Duration::zero()),
        }
    }
}

impl std::ops::Index<&str> for Slas {
    type Output = Sla;

    fn index(&self, state: &str) -> &Sla {
        &self.targets[state]
    }
}

/// One stay in a state and how it compares with the SLA.
#[derive(Debug, Clone, PartialEq)]
pub struct Stay<'a> {
    pub state: &'a str,
    pub entered: Timestamp,
    /// `None` while the incident is still in the state.
    pub left: Option<Timestamp>,
    pub spent: Duration,
    pub limit: Option<Duration>,
}

impl Stay<'_> {
    pub fn breached(&self) -> bool {
        self.limit.is_some_and(|l| self.spent > l)
    }
}

/// Every stay of the incident's history (updates do not end a stay), the last one measured
/// up to `now` unless the state is final; time is counted on the SLA's clock.
pub fn stays<'a>(w: &Workflow, sla: &Slas, incident: &'a Incident, now: Timestamp) -> Vec<Stay<'a>> {
    let mut out: Vec<Stay> = Vec::new();
    for e in &incident.history {
        if out.last().is_some_and(|s| s.state == e.to) {
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.left = Some(e.at);
            last.spent = sla.measure(last.entered, e.at);
        }
        out.push(Stay {
            state: &e.to,
            entered: e.at,
            left: None,
            spent: Duration::zero(),
            limit: if w.is_final(&e.to) {
                None
            } else {
                sla.get(&e.to).and_then(|s| s.limit(incident.severity))
            },
        });
    }
    if let Some(last) = out.last_mut() {
        if !w.is_final(last.state) {
            last.spent = sla.measure(last.entered, now);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldValue, Section, Tlp};
    use chrono::{DateTime, NaiveDate};

    fn workflow() -> Workflow {
        crate::config::Config::builtin().workflow
    }

    #[test]
    fn a_heading_names_a_section_in_any_case_outside_ascii_too() {
        let def = SectionDef {
            id: "dampak".into(),
            label: Label {
                id: "Dampak".into(),
                en: "Impact".into(),
            },
            aliases: vec!["Évaluation".into()],
        };
        for h in ["Dampak", " dAMPAK ", "IMPACT", "évaluation", "ÉVALUATION"] {
            assert!(def.matches(h), "{h}");
        }
        for h in ["Dampak!", "Evaluation", "Impacts", ""] {
            assert!(!def.matches(h), "{h}");
        }
    }

    fn cal() -> Calendar {
        Calendar {
            tz: chrono_tz::Asia::Jakarta,
            days: 5,
            business_days: false,
            holidays: Default::default(),
        }
    }

    fn at(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn entry(to: &str, by: &str, when: &str) -> HistoryEntry {
        HistoryEntry {
            at: at(when),
            to: to.into(),
            by: by.into(),
            actor: Some("x".into()),
            note: None,
        }
    }

    fn noted(mut e: HistoryEntry) -> HistoryEntry {
        e.note = Some("catatan".into());
        e
    }

    /// Every row of SPEC §2: (from, to, the role that may make it, a role that may not).
    const ROWS: &[(&str, &str, &str, &str)] = &[
        ("new", "reported", "helpdesk", "data"),
        ("reported", "registered", "helpdesk", "data"),
        ("reported", "rejected", "helpdesk", "analysis"),
        ("registered", "triage", "data", "helpdesk"),
        ("triage", "coordination", "analysis", "coordination"),
        ("triage", "handled", "analysis", "handling"),
        ("coordination", "handling", "coordination", "analysis"),
        ("coordination", "triage", "coordination", "helpdesk"),
        ("handling", "handled", "handling", "coordination"),
        ("handling", "coordination", "handling", "data"),
        ("handled", "compiled", "coordination", "data"),
        ("compiled", "recorded", "data", "helpdesk"),
        ("recorded", "resolved", "helpdesk", "data"),
        ("resolved", "triage", "helpdesk", "analysis"),
        ("documented", "triage", "helpdesk", "data"),
        ("resolved", "documented", "data", "helpdesk"),
        ("documented", "closed", "system", "data"),
        ("documented", "closed", "helpdesk", "analysis"),
    ];

    #[test]
    fn every_sop_transition_is_allowed_for_its_role_and_refused_for_another() {
        let w = workflow();
        for &(from, to, ok_role, bad_role) in ROWS {
            let prev = (from != NEW).then_some(from);
            let e = entry(to, ok_role, "2026-01-01T10:00:00+07:00");
            assert!(
                matches!(w.check_entry(prev, &e), Ok(Move::Transition(_))),
                "{from} → {to} by {ok_role}"
            );
            let e = entry(to, bad_role, "2026-01-01T10:00:00+07:00");
            assert!(
                matches!(w.check_entry(prev, &e), Err(Violation::RoleNotAllowed { .. })),
                "{from} → {to} by {bad_role} must be refused"
            );
        }
    }

    #[test]
    fn skipped_steps_are_refused_listing_the_allowed_moves() {
        let w = workflow();
        let e = entry("closed", "helpdesk", "2026-01-01T10:00:00+07:00");
        assert_eq!(
            w.check_entry(Some("triage"), &e),
            Err(Violation::NotAllowed {
                from: "triage".into(),
                to: "closed".into(),
                allowed: vec!["coordination".into(), "handled".into()]
            })
        );
        for (from, to) in [
            ("reported", "triage"),
            ("registered", "coordination"),
            ("handling", "compiled"),
            ("closed", "triage"),
            ("rejected", "registered"),
            ("recorded", "documented"),
        ] {
            let e = entry(to, "helpdesk", "2026-01-01T10:00:00+07:00");
            assert!(
                matches!(w.check_entry(Some(from), &e), Err(Violation::NotAllowed { .. })),
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn history_must_start_with_reported() {
        let w = workflow();
        let e = entry("triage", "helpdesk", "2026-01-01T10:00:00+07:00");
        assert!(matches!(w.check_entry(None, &e), Err(Violation::BadStart { .. })));
    }

    #[test]
    fn updates_need_a_note_and_any_role() {
        let w = workflow();
        let e = entry("handling", "analysis", "2026-01-01T10:00:00+07:00");
        assert_eq!(
            w.check_entry(Some("handling"), &e),
            Err(Violation::UpdateWithoutNote {
                state: "handling".into()
            })
        );
        assert_eq!(w.check_entry(Some("handling"), &noted(e)), Ok(Move::Update));
    }

    #[test]
    fn unknown_states_and_roles_are_named() {
        let w = workflow();
        let e = entry("selesai", "helpdesk", "2026-01-01T10:00:00+07:00");
        assert_eq!(
            w.check_entry(Some("reported"), &e),
            Err(Violation::UnknownState {
                state: "selesai".into()
            })
        );
        let e = entry("registered", "kadis", "2026-01-01T10:00:00+07:00");
        assert_eq!(
            w.check_entry(Some("reported"), &e),
            Err(Violation::UnknownRole { role: "kadis".into() })
        );
    }

    fn incident(history: Vec<HistoryEntry>) -> Incident {
        Incident {
            id: "INC-2026-0001".into(),
            title: "t".into(),
            history,
            ..Incident::default()
        }
    }

    #[test]
    fn registration_requires_the_filled_report_form() {
        let w = workflow();
        let mut inc = incident(vec![
            entry("reported", "helpdesk", "2026-01-01T10:00:00+07:00"),
            entry("registered", "helpdesk", "2026-01-01T11:00:00+07:00"),
        ]);
        let t = w.transition("reported", "registered").expect("row");
        let unmet = w.unmet(t, &inc, 1, &cal());
        assert_eq!(
            unmet,
            vec![
                Unmet::Field {
                    field: "category".into()
                },
                Unmet::Field { field: "owner".into() },
                Unmet::Field { field: "assets".into() }
            ]
        );
        inc.category = Some("defacement".into());
        inc.owner = Some("Dinas Kesehatan".into());
        inc.assets = vec!["https://dinkes.example".into()];
        assert!(w.unmet(t, &inc, 1, &cal()).is_empty());
    }

    #[test]
    fn triage_to_coordination_requires_scope_severity_tlp_and_sections() {
        let w = workflow();
        let t = w.transition("triage", "coordination").expect("row");
        let mut inc = incident(vec![]);
        inc.in_scope = Some(false);
        let unmet = w.unmet(t, &inc, 0, &cal());
        assert!(unmet.contains(&Unmet::Field {
            field: "severity".into()
        }));
        assert!(unmet.contains(&Unmet::Equals {
            field: "in_scope".into(),
            expected: "true".into(),
            found: Some("false".into())
        }));
        assert!(unmet
            .iter()
            .any(|u| matches!(u, Unmet::Section { section, .. } if section == "analisis")));
        inc.in_scope = Some(true);
        inc.severity = Some(Severity::High);
        inc.tlp = Some(Tlp::Amber);
        inc.sections = vec![
            Section {
                heading: "Analysis".into(),
                line: 1,
                filled: true,
                content: 0..0,
            },
            Section {
                heading: "Rekomendasi".into(),
                line: 3,
                filled: true,
                content: 0..0,
            },
        ];
        assert_eq!(w.unmet(t, &inc, 0, &cal()), vec![]);
        // An empty section does not count.
        inc.sections[1].filled = false;
        assert_eq!(w.unmet(t, &inc, 0, &cal()).len(), 1);
    }

    #[test]
    fn out_of_scope_path_requires_in_scope_false() {
        let w = workflow();
        let t = w.transition("triage", "handled").expect("row");
        let inc = incident(vec![]);
        assert!(w.unmet(t, &inc, 0, &cal()).contains(&Unmet::Equals {
            field: "in_scope".into(),
            expected: "false".into(),
            found: None
        }));
    }

    #[test]
    fn send_backs_and_hand_backs_need_a_note() {
        let w = workflow();
        for (from, to) in [("coordination", "triage"), ("handling", "coordination")] {
            let t = w.transition(from, to).expect("row");
            let inc = incident(vec![entry(to, "x", "2026-01-01T10:00:00+07:00")]);
            assert_eq!(w.unmet(t, &inc, 0, &cal()), vec![Unmet::Note], "{from} → {to}");
            let inc = incident(vec![noted(entry(to, "x", "2026-01-01T10:00:00+07:00"))]);
            assert!(w.unmet(t, &inc, 0, &cal()).is_empty());
        }
    }

    fn resolved_history(reopen_at: &str) -> Vec<HistoryEntry> {
        vec![
            entry("recorded", "data", "2026-03-01T10:00:00+07:00"),
            entry("resolved", "helpdesk", "2026-03-02T10:00:00+07:00"),
            noted(entry("triage", "helpdesk", reopen_at)),
        ]
    }

    #[test]
    fn follow_up_reopens_only_inside_the_window() {
        let w = workflow();
        let t = w.transition("resolved", "triage").expect("row");
        let inside = incident(resolved_history("2026-03-07T09:59:00+07:00"));
        assert!(w.unmet(t, &inside, 2, &cal()).is_empty());
        let outside = incident(resolved_history("2026-03-07T10:00:00+07:00"));
        assert_eq!(
            w.unmet(t, &outside, 2, &cal()),
            vec![Unmet::WindowClosed {
                ended: at("2026-03-07T10:00:00+07:00")
            }]
        );
    }

    #[test]
    fn closing_waits_for_the_window_counted_in_working_days_with_holidays() {
        let w = workflow();
        let t = w.transition("documented", "closed").expect("row");
        let mut c = cal();
        c.business_days = true;
        c.holidays.insert(NaiveDate::from_ymd_opt(2026, 3, 19).expect("date"));
        let history = |close: &str| {
            vec![
                entry("resolved", "helpdesk", "2026-03-16T08:00:00+07:00"),
                entry("documented", "data", "2026-03-17T08:00:00+07:00"),
                entry("closed", "system", close),
            ]
        };
        // Monday + 5 working days with Thursday off = next Tuesday 08:00.
        let early = incident(history("2026-03-24T07:59:00+07:00"));
        assert_eq!(
            w.unmet(t, &early, 2, &c),
            vec![Unmet::WindowOpen {
                ends: at("2026-03-24T08:00:00+07:00")
            }]
        );
        let on_time = incident(history("2026-03-24T08:00:00+07:00"));
        assert!(w.unmet(t, &on_time, 2, &c).is_empty());
    }

    #[test]
    fn documentation_requires_resolution_and_every_section_of_the_path() {
        let w = workflow();
        let t = w.transition("resolved", "documented").expect("row");
        let mut inc = incident(vec![
            entry("reported", "helpdesk", "2026-03-01T08:00:00+07:00"),
            entry("registered", "helpdesk", "2026-03-01T09:00:00+07:00"),
            entry("triage", "data", "2026-03-01T10:00:00+07:00"),
            entry("handled", "analysis", "2026-03-01T11:00:00+07:00"),
            entry("compiled", "coordination", "2026-03-01T12:00:00+07:00"),
            entry("recorded", "data", "2026-03-01T13:00:00+07:00"),
            entry("resolved", "helpdesk", "2026-03-01T14:00:00+07:00"),
            entry("documented", "data", "2026-03-01T15:00:00+07:00"),
        ]);
        let unmet = w.unmet(t, &inc, 7, &cal());
        assert!(unmet.contains(&Unmet::Field {
            field: "resolution".into()
        }));
        let sections: Vec<_> = unmet
            .iter()
            .filter_map(|u| {
                if let Unmet::Section { section, .. } = u {
                    Some(section.as_str())
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(sections, ["laporan", "analisis", "rekomendasi", "kesimpulan"]);
        assert_eq!(inc.field("resolution"), None::<FieldValue>);
        inc.resolution = Some(crate::model::Resolution::FalsePositive);
        inc.sections = ["Laporan", "Analisis", "Rekomendasi", "Kesimpulan"]
            .iter()
            .map(|h| Section {
                heading: (*h).into(),
                line: 1,
                filled: true,
                content: 0..0,
            })
            .collect();
        assert!(w.unmet(t, &inc, 7, &cal()).is_empty());
    }

    #[test]
    fn sla_is_measured_per_stay_and_per_severity() {
        let w = workflow();
        let mut sla = BTreeMap::new();
        sla.insert(
            "triage".to_owned(),
            Sla {
                default: Some(Duration::days(2)),
                by_severity: [(Severity::Critical, Duration::hours(4))].into(),
            },
        );
        let mut inc = incident(vec![
            entry("reported", "helpdesk", "2026-03-01T08:00:00+07:00"),
            entry("triage", "data", "2026-03-01T09:00:00+07:00"),
            noted(entry("triage", "analysis", "2026-03-01T12:00:00+07:00")),
        ]);
        let now = at("2026-03-01T15:00:00+07:00");
        let mut sla = Slas {
            targets: sla,
            office: None,
        };
        let s = stays(&w, &sla, &inc, now);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].spent, Duration::hours(6));
        assert!(!s[1].breached());
        inc.severity = Some(Severity::Critical);
        assert!(stays(&w, &sla, &inc, now)[1].breached());
        // On office hours, 1 March 2026 is a Sunday: no time has passed.
        sla.office = Some(crate::time::OfficeHours {
            tz: chrono_tz::Asia::Jakarta,
            days: [true, true, true, true, true, false, false],
            start: chrono::NaiveTime::from_hms_opt(7, 30, 0).expect("t"),
            end: chrono::NaiveTime::from_hms_opt(16, 0, 0).expect("t"),
            holidays: Default::default(),
        });
        assert_eq!(stays(&w, &sla, &inc, now)[1].spent, Duration::zero());
    }
}
