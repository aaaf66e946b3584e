//! The views: plain, serialisable data that templates and the JSON outputs receive, one
//! struct per page part. Only `audience` constructs them (through its `Lens`, which decides
//! what an audience may see), so a template never reaches a field its audience may not; this
//! module holds no logic beyond that shape.
//!
//! Counts are [`Count`]s decided by `disclosure` and `census`; times are [`TimeText`]s.

use crate::disclosure::Count;
use crate::i18n::TimeText;
use crate::model::Tlp;
use crate::period::PeriodKind;
use crate::workflow::Lang;
use serde::Serialize;
use std::collections::BTreeMap;

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

impl From<Tlp> for TlpView {
    fn from(t: Tlp) -> TlpView {
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

/// Fields in alphabetical order, as `api/incidents.json` prints them (see [`ApiIncident`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReporterView {
    pub channel: Option<String>,
    pub contact: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub organization: Option<String>,
}

/// Fields in alphabetical order, as `api/incidents.json` prints them (see [`ApiIncident`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerView {
    pub contact: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
}

/// Fields in alphabetical order, as `api/incidents.json` prints them (see [`ApiIncident`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalReportView {
    #[serde(serialize_with = "sorted_time")]
    pub at: Option<TimeText>,
    pub reference: Option<String>,
    pub to: String,
}

/// A time with its keys in alphabetical order (`TimeText` declares them in the order the
/// report's JSON prints them).
fn sorted_time<S: serde::Serializer>(t: &Option<TimeText>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    match t {
        None => s.serialize_none(),
        Some(t) => {
            let mut m = s.serialize_struct("TimeText", 4)?;
            m.serialize_field("date", &t.date)?;
            m.serialize_field("date_text", &t.date_text)?;
            m.serialize_field("iso", &t.iso)?;
            m.serialize_field("text", &t.text)?;
            m.end()
        }
    }
}

/// Fields in alphabetical order, as `api/incidents.json` prints them (see [`ApiIncident`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservableView {
    pub ioc: bool,
    pub kind: String,
    pub value: String,
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
    pub delivered_to: Option<DeliveryView>,
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
    pub attachments: Vec<AttachmentView>,
    /// The website scan reports among `attachments` (the SOP's first record).
    pub scan_reports: Vec<AttachmentView>,
    pub tags: Vec<String>,
    pub sla: Option<SlaView>,
    /// When the autoresolve window the incident waits on ends.
    pub window_ends: Option<TimeText>,
}

/// `delivered_to` on the internal edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryView {
    pub to: Option<String>,
    pub at: Option<TimeText>,
    pub channel: Option<String>,
    pub letter_number: Option<String>,
}

/// An attachment on the internal edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentView {
    pub path: String,
    pub kind: Option<String>,
    pub scan_report: bool,
    pub at: Option<TimeText>,
    pub tool: Option<String>,
    pub target: Option<String>,
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

/// An incident in `api/incidents.json`. Its fields, and those of every struct it holds, are
/// declared in alphabetical order: the file is printed as they are declared, and its keys are
/// sorted (a test holds every object of the file to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiIncident {
    pub category: Option<String>,
    pub closed_at: Option<String>,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<ApiInternal>,
    pub owner: Option<String>,
    pub reported_at: Option<String>,
    pub severity: Option<String>,
    pub status: String,
    pub status_label: String,
    pub summary: Option<String>,
    pub timeline: Vec<ApiEntry>,
    pub title: String,
    pub tlp: &'static str,
    pub url: String,
}

/// Fields in alphabetical order, as `api/incidents.json` prints them (see [`ApiIncident`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub at: String,
    pub by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub to: String,
    pub update: bool,
}

/// Fields of `api/incidents.json` on the internal edition only, in alphabetical order (see
/// [`ApiIncident`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiInternal {
    pub assets: Vec<String>,
    pub attachments: Vec<String>,
    pub external_reports: Vec<ExternalReportView>,
    pub handler: Option<HandlerView>,
    pub in_scope: Option<bool>,
    pub observables: Vec<ObservableView>,
    pub red_withheld: bool,
    pub reporter: Option<ReporterView>,
    pub resolution: Option<String>,
    pub tags: Vec<String>,
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
    pub kind: PeriodKind,
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
    /// The breakdowns published without rows: naming even one value would identify too few
    /// restricted incidents (docs/SITE.md "Small counts").
    pub withheld: Vec<&'static str>,
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
    /// The SOP's records (internal edition only): scan reports and letters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<RecordsView>,
    /// Per incident: summary, recommendation and conclusion (internal edition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_texts: Option<Vec<IncidentTextView>>,
    /// *Dasar hukum* (internal edition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<Vec<String>>,
    /// *Mengetahui*: who approves the report (internal edition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<SignatoryView>,
    /// Where and when the approval is dated: `Trenggalek, 1 Desember 2026` (internal only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_place_date: Option<String>,
}

/// The SOP's records among the period's incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordsView {
    /// Website scan reports attached to the period's incidents.
    pub scan_reports: usize,
    /// The period's incidents with at least one scan report.
    pub incidents_with_scan_report: usize,
    /// The period's incidents whose category requires a scan report.
    pub incidents_requiring_scan_report: usize,
    /// The period's incidents whose delivery records a letter number.
    pub letters: usize,
}

/// One incident's texts in the internal report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentTextView {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    /// Markdown as written, and safe HTML.
    pub recommendation: Option<String>,
    pub recommendation_html: Option<String>,
    pub conclusion: Option<String>,
    pub conclusion_html: Option<String>,
    /// TLP:RED: the texts are withheld.
    pub withheld: bool,
}

/// Who signs or approves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatoryView {
    pub name: String,
    pub title: String,
    pub nip: Option<String>,
}
