//! The vocabulary of incidents: ids, the incident record, history entries and the closed
//! enumerations of the file format (SPEC §3).
//!
//! Pure data. This module knows nothing of YAML text, files, git, HTML or the command line;
//! `doc` builds these values from text and every other module reads them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in time with the offset it was written (or read) in.
pub type Timestamp = DateTime<FixedOffset>;

/// `<prefix>-<year>-<NNNN>`: the number has at least four digits, and only as many leading
/// zeros as make four — so every id has one spelling, and ids equal as text exactly when they
/// are equal as values (`INC-2026-00005` is not a second `INC-2026-0005`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentId {
    pub prefix: String,
    pub year: i32,
    pub number: u32,
}

impl IncidentId {
    /// Parses an id with the given prefix; `None` when it does not have the shape.
    pub fn parse(s: &str, prefix: &str) -> Option<IncidentId> {
        let rest = s.strip_prefix(prefix)?.strip_prefix('-')?;
        let (year, number) = rest.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if number.len() < 4 || number.len() > 9 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if number.len() > 4 && number.starts_with('0') {
            return None;
        }
        Some(IncidentId {
            prefix: prefix.to_owned(),
            year: year.parse().ok()?,
            number: number.parse().ok()?,
        })
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.prefix, self.year, self.number)
    }
}

macro_rules! enumeration {
    ($(#[$m:meta])* $name:ident { $( $variant:ident = $text:literal ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $( #[serde(rename = $text)] $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $( $text => Some($name::$variant), )* _ => None }
            }
            /// The allowed values, for error messages.
            pub fn allowed() -> String {
                [$( $text ),*].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

enumeration!(
    /// Severity, from triage.
    Severity { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);
enumeration!(
    /// FIRST Traffic Light Protocol 2.0, lowest to highest restriction.
    Tlp { Clear = "clear", Green = "green", Amber = "amber", AmberStrict = "amber+strict", Red = "red" }
);
enumeration!(
    /// Permissible Actions Protocol: what an external handler may do with the data.
    Pap { Clear = "clear", Green = "green", Amber = "amber", Red = "red" }
);
enumeration!(
    /// The incident's outcome, apart from its status.
    Resolution {
        TruePositive = "true-positive",
        FalsePositive = "false-positive",
        Duplicate = "duplicate",
        NotAnIncident = "not-an-incident",
        Indeterminate = "indeterminate",
        Other = "other",
    }
);
enumeration!(
    Impact { WithImpact = "with-impact", NoImpact = "no-impact", NotApplicable = "not-applicable" }
);
enumeration!(
    /// Step-1 rejections (MISP incident-disposition).
    RejectionCode {
        InsufficientData = "insufficient-data",
        FaultyIndicator = "faulty-indicator",
        Misconfiguration = "misconfiguration",
        ScanProbe = "scan-probe",
        Failed = "failed",
        Refuted = "refuted",
        Duplicate = "duplicate",
        Transferred = "transferred",
    }
);
enumeration!(
    /// Where a report came from.
    ReporterType {
        Owner = "owner",
        Employee = "employee",
        Public = "public",
        Bssn = "bssn",
        CsirtProvince = "csirt-province",
        OtherCsirt = "other-csirt",
        Vendor = "vendor",
        Researcher = "researcher",
        InternalScan = "internal-scan",
        Other = "other",
    }
);
enumeration!(
    Channel {
        Email = "email",
        Phone = "phone",
        Whatsapp = "whatsapp",
        WebForm = "web-form",
        Letter = "letter",
        WalkIn = "walk-in",
        BssnNotification = "bssn-notification",
        Scan = "scan",
        Other = "other",
    }
);
enumeration!(HandlerType { Internal = "internal", External = "external" });
enumeration!(
    /// What an attachment is: a website scan report (the SOP's *Report/Hasil Scanning
    /// Website*) or other evidence.
    AttachmentKind {
        ScanReport = "scan-report",
        Evidence = "evidence",
        Other = "other",
    }
);
enumeration!(
    /// Who an incident was reported onward to.
    ReportTarget {
        Bssn = "bssn",
        CsirtProvince = "csirt-province",
        CsirtSectoral = "csirt-sectoral",
        Police = "police",
        Vendor = "vendor",
        Other = "other",
    }
);
enumeration!(
    ObservableType {
        Url = "url",
        Domain = "domain",
        Ip = "ip",
        Hash = "hash",
        Email = "email",
        File = "file",
        Other = "other",
    }
);

impl Tlp {
    /// The label as TLP 2.0 writes it; never translated.
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reporter {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub contact: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<ReporterType>,
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Handler {
    #[serde(rename = "type")]
    pub kind: Option<HandlerType>,
    pub name: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalReport {
    pub to: ReportTarget,
    pub at: Option<Timestamp>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observable {
    #[serde(rename = "type")]
    pub kind: ObservableType,
    pub value: String,
    pub ioc: bool,
}

/// `delivered_to`: to whom, when, how and under which letter number the *Laporan dan/atau
/// Rekomendasi* went (SOP step 8). The plain text form fills only `to`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Delivery {
    pub to: Option<String>,
    pub at: Option<Timestamp>,
    pub channel: Option<Channel>,
    pub letter_number: Option<String>,
}

/// One `attachments` item: a path relative to the incident file, and for a typed item its
/// kind, when it was made, the tool and the target scanned.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Attachment {
    pub path: String,
    pub kind: Option<AttachmentKind>,
    pub at: Option<Timestamp>,
    pub tool: Option<String>,
    pub target: Option<String>,
}

impl Attachment {
    /// A website scan report.
    pub fn is_scan_report(&self) -> bool {
        self.kind == Some(AttachmentKind::ScanReport)
    }
}

/// One entry of `history`: a transition, or an update when `to` equals the state before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub to: String,
    pub by: String,
    pub actor: Option<String>,
    pub note: Option<String>,
}

/// A level-2 section of the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub heading: String,
    /// 1-based line of the heading in the file.
    pub line: usize,
    /// True when the section has non-blank text.
    pub filled: bool,
    /// Where its content lies in the incident's `body` (bytes), so it is read without
    /// parsing the Markdown again.
    #[serde(skip)]
    pub content: std::ops::Range<usize>,
}

/// An incident as its file states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub status: String,
    pub reported_at: Option<Timestamp>,
    pub occurred_at: Option<Timestamp>,
    pub detected_at: Option<Timestamp>,
    pub reporter: Reporter,
    pub owner: Option<String>,
    pub assets: Vec<String>,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    pub tlp: Option<Tlp>,
    pub pap: Option<Pap>,
    pub summary: Option<String>,
    pub in_scope: Option<bool>,
    pub handler: Option<Handler>,
    pub delivered_to: Option<Delivery>,
    pub resolution: Option<Resolution>,
    pub impact: Option<Impact>,
    pub rejection_reason: Option<String>,
    pub rejection_code: Option<RejectionCode>,
    pub duplicate_of: Option<String>,
    pub related: Vec<String>,
    pub rsit: Vec<String>,
    pub attack: Vec<String>,
    pub external_reports: Vec<ExternalReport>,
    pub observables: Vec<Observable>,
    pub attachments: Vec<Attachment>,
    pub tags: Vec<String>,
    pub extra: Option<serde_json::Value>,
    pub history: Vec<HistoryEntry>,
    pub body: String,
    pub sections: Vec<Section>,
}

impl Incident {
    /// The level-2 sections of the body with their Markdown content: (heading, content).
    pub fn section_texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.section_texts_in(&self.body)
    }

    /// [`Incident::section_texts`] of `body`, this incident's body read again (see
    /// `audience::Bodies`).
    pub fn section_texts_in<'b>(&'b self, body: &'b str) -> impl Iterator<Item = (&'b str, &'b str)> {
        self.sections
            .iter()
            .map(move |s| (s.heading.as_str(), body.get(s.content.clone()).unwrap_or("")))
    }
}

/// The top-level fields of the format, in documentation order.
pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "status",
    "reported_at",
    "occurred_at",
    "detected_at",
    "reporter",
    "owner",
    "assets",
    "category",
    "severity",
    "tlp",
    "pap",
    "summary",
    "in_scope",
    "handler",
    "delivered_to",
    "delivered_to.to",
    "delivered_to.at",
    "delivered_to.channel",
    "delivered_to.letter_number",
    "resolution",
    "impact",
    "rejection_reason",
    "rejection_code",
    "duplicate_of",
    "related",
    "rsit",
    "attack",
    "external_reports",
    "observables",
    "attachments",
    "tags",
    "extra",
    "history",
];

/// Fields a workflow requirement may name (dotted for nested ones).
pub const REQUIRABLE_FIELDS: &[&str] = &[
    "title",
    "reported_at",
    "occurred_at",
    "detected_at",
    "reporter.name",
    "reporter.organization",
    "reporter.contact",
    "reporter.type",
    "reporter.channel",
    "owner",
    "assets",
    "category",
    "severity",
    "tlp",
    "pap",
    "summary",
    "in_scope",
    "handler.type",
    "handler.name",
    "handler.contact",
    "delivered_to",
    "resolution",
    "impact",
    "rejection_reason",
    "rejection_code",
    "duplicate_of",
    "related",
    "rsit",
    "attack",
    "external_reports",
    "observables",
    "attachments",
    "tags",
];

/// The fields whose changes `workflow.field_owners` can reserve to some teams: single values,
/// compared by [`Incident::field`].
pub const OWNED_FIELDS: &[&str] = &[
    "title",
    "summary",
    "owner",
    "category",
    "severity",
    "tlp",
    "pap",
    "in_scope",
    "resolution",
    "impact",
    "delivered_to",
    "rejection_reason",
    "rejection_code",
    "duplicate_of",
];

/// The value of a field as requirements see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    Bool(bool),
    /// A list with this many items.
    List(usize),
}

impl FieldValue {
    /// Present and not empty.
    pub fn is_filled(&self) -> bool {
        match self {
            FieldValue::Text(s) => !s.trim().is_empty(),
            FieldValue::Bool(_) => true,
            FieldValue::List(n) => *n > 0,
        }
    }
}

impl Incident {
    /// Looks up a field by its (dotted) name; `None` when absent.
    pub fn field(&self, name: &str) -> Option<FieldValue> {
        fn text(s: &Option<String>) -> Option<FieldValue> {
            s.as_ref().map(|s| FieldValue::Text(s.clone()))
        }
        fn word<T: fmt::Display>(v: &Option<T>) -> Option<FieldValue> {
            v.as_ref().map(|v| FieldValue::Text(v.to_string()))
        }
        fn list<T>(v: &[T]) -> Option<FieldValue> {
            Some(FieldValue::List(v.len()))
        }
        let ts = |t: &Option<Timestamp>| t.map(|t| FieldValue::Text(t.to_rfc3339()));
        let handler = self.handler.as_ref();
        match name {
            "id" => Some(FieldValue::Text(self.id.clone())),
            "title" => Some(FieldValue::Text(self.title.clone())),
            "status" => Some(FieldValue::Text(self.status.clone())),
            "reported_at" => ts(&self.reported_at),
            "occurred_at" => ts(&self.occurred_at),
            "detected_at" => ts(&self.detected_at),
            "reporter.name" => text(&self.reporter.name),
            "reporter.organization" => text(&self.reporter.organization),
            "reporter.contact" => text(&self.reporter.contact),
            "reporter.type" => word(&self.reporter.kind),
            "reporter.channel" => word(&self.reporter.channel),
            "owner" => text(&self.owner),
            "assets" => list(&self.assets),
            "category" => text(&self.category),
            "severity" => word(&self.severity),
            "tlp" => word(&self.tlp),
            "pap" => word(&self.pap),
            "summary" => text(&self.summary),
            "in_scope" => self.in_scope.map(FieldValue::Bool),
            "handler.type" => handler.and_then(|h| word(&h.kind)),
            "handler.name" => handler.and_then(|h| text(&h.name)),
            "handler.contact" => handler.and_then(|h| text(&h.contact)),
            "delivered_to" => self.delivered_to.as_ref().and_then(|d| text(&d.to)),
            "delivered_to.to" => self.delivered_to.as_ref().and_then(|d| text(&d.to)),
            "delivered_to.at" => self.delivered_to.as_ref().and_then(|d| ts(&d.at)),
            "delivered_to.channel" => self.delivered_to.as_ref().and_then(|d| word(&d.channel)),
            "delivered_to.letter_number" => self.delivered_to.as_ref().and_then(|d| text(&d.letter_number)),
            "resolution" => word(&self.resolution),
            "impact" => word(&self.impact),
            "rejection_reason" => text(&self.rejection_reason),
            "rejection_code" => word(&self.rejection_code),
            "duplicate_of" => text(&self.duplicate_of),
            "related" => list(&self.related),
            "rsit" => list(&self.rsit),
            "attack" => list(&self.attack),
            "external_reports" => list(&self.external_reports),
            "observables" => list(&self.observables),
            "attachments" => list(&self.attachments),
            "tags" => list(&self.tags),
            _ => None,
        }
    }

    /// The scan reports among the attachments.
    pub fn scan_reports(&self) -> impl Iterator<Item = &Attachment> {
        self.attachments.iter().filter(|a| a.is_scan_report())
    }

    /// The TLP used for publishing decisions: a missing `tlp` is treated as AMBER.
    pub fn effective_tlp(&self) -> Tlp {
        self.tlp.unwrap_or(Tlp::Amber)
    }

    /// The parsed id, when it has the configured shape.
    pub fn parsed_id(&self, prefix: &str) -> Option<IncidentId> {
        IncidentId::parse(&self.id, prefix)
    }

    /// When the incident entered its current state (the latest transition, not update).
    pub fn entered_current_state(&self) -> Option<Timestamp> {
        let mut entered = None;
        let mut prev: Option<&str> = None;
        for e in &self.history {
            if prev != Some(e.to.as_str()) {
                entered = Some(e.at);
            }
            prev = Some(&e.to);
        }
        entered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_at_least_four_digits() {
        let id = IncidentId::parse("INC-2026-0007", "INC").expect("id");
        assert_eq!((id.year, id.number), (2026, 7));
        assert_eq!(id.to_string(), "INC-2026-0007");
        assert_eq!(
            IncidentId::parse("INC-2026-12345", "INC")
                .map(|i| i.to_string())
                .as_deref(),
            Some("INC-2026-12345")
        );
        for bad in [
            "INC-2026-007",
            "INC-26-0007",
            "CSIRT-2026-0007",
            "INC-2026-00a7",
            "INC2026-0007",
            "INC-2026-",
            "INC-2026-00005",
        ] {
            assert!(IncidentId::parse(bad, "INC").is_none(), "{bad}");
        }
    }

    #[test]
    fn tlp_labels_stay_in_english_upper_case() {
        assert_eq!(Tlp::AmberStrict.label(), "TLP:AMBER+STRICT");
        assert_eq!(Tlp::parse("amber+strict"), Some(Tlp::AmberStrict));
        assert!(Tlp::Red > Tlp::Amber && Tlp::Green > Tlp::Clear);
    }

    #[test]
    fn missing_tlp_is_not_publishable() {
        assert_eq!(Incident::default().effective_tlp(), Tlp::Amber);
    }

    #[test]
    fn field_lookup_reads_nested_and_list_fields() {
        let inc = Incident {
            handler: Some(Handler {
                kind: Some(HandlerType::External),
                name: Some("BSSN".into()),
                contact: None,
            }),
            ..Incident::default()
        };
        assert_eq!(inc.field("handler.type"), Some(FieldValue::Text("external".into())));
        assert_eq!(inc.field("assets"), Some(FieldValue::List(0)));
        assert!(!FieldValue::List(0).is_filled());
        assert_eq!(inc.field("nonsense"), None);
    }
}
