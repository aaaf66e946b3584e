//! Incident text → [`Incident`]: strips the BOM, splits the front matter from the body (LF or
//! CRLF), deserialises the front matter field by field and keeps where each key and history
//! entry sits in the file, so every finding points at a line and column of the user's file.
//!
//! Parsing works on `&str` and a display path; it never opens a file. The front matter is
//! read by the quick reader ([`crate::quick`]) when it takes the text, else by serde_yaml
//! (whose home this is, beside `config`); never by both. Field errors are gathered, not
//! stopped at: one run shows every problem of a file.

use crate::diag::{Code, Diagnostic};
use crate::markdown;
use crate::model::*;
use crate::quick;
use crate::subset::{self, Outline};
use crate::time::parse_time;
use chrono_tz::Tz;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_yaml::{Mapping, Value};

/// Incident files larger than this are refused.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Where the parts of a file are: front matter lines, keys, history entries.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// 1-based line of the first front-matter line (after the opening `---`).
    pub fm_start: usize,
    /// 1-based line of the closing `---`.
    pub fm_end: usize,
    /// Top-level keys: (name, 1-based line).
    pub keys: Vec<subset::Key>,
    /// 1-based line of each history entry.
    pub entries: Vec<usize>,
}

impl Layout {
    /// The line of a top-level key.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        self.keys.iter().find(|(k, _)| k == key).map(|&(_, l)| l)
    }

    /// The line of history entry `i`, or of `history:` when unknown.
    pub fn entry_line(&self, i: usize) -> Option<usize> {
        self.entries.get(i).copied().or_else(|| self.key_line("history"))
    }

    /// Where history entry `i` starts in `text`: its line and the column after the indent.
    pub fn entry_position(&self, text: &str, i: usize) -> (usize, usize) {
        let line = self.entry_line(i).unwrap_or(self.fm_start);
        let col = text
            .lines()
            .nth(line.saturating_sub(1))
            .map_or(1, |l| l.len() - l.trim_start().len() + 1);
        (line, col)
    }
}

/// The split of a file into front matter and body.
pub struct Split<'a> {
    pub front: &'a str,
    pub body: &'a str,
    /// 1-based line of the body's first line.
    pub body_line: usize,
}

impl Split<'_> {
    /// The outline of the front matter by the scan of the YAML subset ([`subset::scan`]),
    /// which refuses a front matter outside the subset or its bounds. `text` is the file.
    fn scan(&self, text: &str, path: &str) -> Result<Outline, Diagnostic> {
        let front = self.front.strip_suffix('\n').unwrap_or(self.front);
        subset::scan(front, FRONT_LINE).map_err(|o| {
            let code = if o.limit {
                Code::TooComplex
            } else {
                Code::UnsupportedYaml
            };
            Diagnostic::error(code, path, o.message)
                .at(text, o.line, o.column)
                .help(o.help)
        })
    }

    /// Refuses a body past the Markdown parser's budget ([`markdown::over_budget`]).
    fn within_budget(&self, text: &str, path: &str) -> Result<(), Diagnostic> {
        let Some(at) = markdown::over_budget(self.body) else {
            return Ok(());
        };
        let offset = text.len() - self.body.len() + at;
        let line = self.body_line + self.body[..at].matches('\n').count();
        let col = text[..offset].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Err(Diagnostic::error(
            Code::TooComplex,
            path,
            format!(
                "the body holds more than {} lines and Markdown markup characters",
                markdown::MAX_BODY_UNITS
            ),
        )
        .at(text, line, col)
        .help("keep logs, dumps and long evidence in an attachment and link to it from the body"))
    }

    fn layout(&self, outline: Outline) -> Layout {
        Layout {
            fm_start: FRONT_LINE,
            fm_end: self.body_line - 1,
            keys: outline.keys,
            entries: outline.entries,
        }
    }
}

/// The line of the front matter's first line: the one after the opening `---`.
const FRONT_LINE: usize = 2;

/// A parsed file: the incident (when the front matter was usable) and its layout.
pub struct Parsed {
    pub incident: Option<Incident>,
    pub layout: Layout,
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `text` (BOM already stripped) at its `---` fences.
pub fn split<'a>(text: &'a str, path: &str) -> Result<Split<'a>, Diagnostic> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Diagnostic::error(Code::NoFrontMatter, path, "the file does not start with a `---` line")
            .at(text, 1, 1)
            .help("an incident file starts with `---`, the YAML fields, and `---` again; see `insiden init` for an example"));
    }
    offset += first.len();
    let front_start = offset;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "---" {
            return Ok(Split {
                front: &text[front_start..offset],
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error(Code::UnclosedFrontMatter, path, "the front matter is not closed")
            .at(text, 1, 1)
            .help("add a line `---` after the last field"),
    )
}

/// Refuses a parsed front matter whose structure differs from what the line reader saw (the
/// keys, in order, and the number of block history entries), and any tagged value: then the
/// positions of [`Layout`] are exactly those of the values the rules judge.
fn agrees(value: &Value, layout: &mut Layout, text: &str, path: &str) -> Result<(), Diagnostic> {
    let Value::Mapping(map) = value else { return Ok(()) };
    let outside = |line: usize, msg: String| {
        Diagnostic::error(Code::UnsupportedYaml, path, msg)
            .at(text, line, 1)
            .help("write one `field: value` per line, each field name unquoted at the start of its line")
    };
    for (i, (k, v)) in map.iter().enumerate() {
        let seen = layout.keys.get(i);
        let line = seen.map_or(layout.fm_start, |s| s.1);
        let same = matches!(k, Value::String(name) if seen.is_some_and(|s| &s.0 == name));
        if !same {
            let name = match k {
                Value::String(s) => format!("`{s}`"),
                _ => "a field".into(),
            };
            return Err(outside(
                line,
                format!("{name} is not written as a `field: value` line where YAML reads it"),
            ));
        }
        if tagged(v) {
            return Err(outside(
                line,
                format!("`{}` holds a tagged value (`!…`)", seen.map_or("", |s| &*s.0)),
            ));
        }
        if let (Some(s), Value::Sequence(items)) = (seen, v) {
            if s.0 == "history" {
                if layout.entries.is_empty() {
                    // A flow list: every entry is placed at the `history:` line.
                    layout.entries = vec![s.1; items.len()];
                } else if layout.entries.len() != items.len() {
                    return Err(outside(
                        s.1,
                        format!(
                            "`history` has {} entries, but {} `- ` lines",
                            items.len(),
                            layout.entries.len()
                        ),
                    ));
                }
            }
        }
    }
    if let Some((name, line)) = layout.keys.get(map.len()) {
        return Err(outside(
            *line,
            format!("`{name}` looks like a field but YAML does not read it as one"),
        ));
    }
    Ok(())
}

fn tagged(v: &Value) -> bool {
    match v {
        Value::Tagged(_) => true,
        Value::Sequence(s) => s.iter().any(tagged),
        Value::Mapping(m) => m.iter().any(|(k, v)| tagged(k) || tagged(v)),
        _ => false,
    }
}

/// Reads an incident from its text. `path` is the repository-relative display path.
pub fn parse(text: &str, path: &str, tz: Tz) -> Parsed {
    let text_nobom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut diags = Vec::new();
    // The quick reader takes the usual front matter in one pass and finds its outline on
    // the way; anything else is scanned for the subset first (which may refuse it).
    let checked = split(text_nobom, path).and_then(|split| {
        let (quick, outline) = match quick::read(split.front, FRONT_LINE) {
            Some(read) => (Some(read.node), read.outline),
            None => (None, split.scan(text_nobom, path)?),
        };
        split.within_budget(text_nobom, path)?;
        Ok((split, quick, outline))
    });
    let (split, quick, outline) = match checked {
        Ok(c) => c,
        Err(d) => {
            return Parsed {
                incident: None,
                layout: Layout::default(),
                diagnostics: vec![d],
            }
        }
    };
    let mut layout = split.layout(outline);
    let offset = layout.fm_start - 1;
    // Fast path: a well-formed file deserialises straight into typed fields in one pass,
    // which also lists the keys in the parser's order: they must be the line reader's.
    // Anything it cannot take (a wrong type, an unknown field, a bad time, a disagreement)
    // goes the field-by-field way, which reports every problem with its position.
    if let Some(fast) = fast(quick.as_ref(), split.front) {
        if fast.agrees(&mut layout) {
            if let Some(mut inc) = fast.into_incident(tz) {
                inc.sections = markdown::sections(split.body, split.body_line);
                inc.body = split.body.to_owned();
                return Parsed {
                    incident: Some(inc),
                    layout,
                    diagnostics: diags,
                };
            }
        }
    }
    let value: Value = match serde_yaml::from_str(split.front) {
        Ok(v) => v,
        Err(e) => {
            let mut d = Diagnostic::error(
                Code::YamlSyntax,
                path,
                format!("invalid YAML: {}", strip_location(&e.to_string())),
            )
            .help("fix the YAML at this position; quote text that contains `: ` or starts with a special character");
            if let Some(loc) = e.location() {
                d = d.at(text_nobom, loc.line() + offset, loc.column());
            }
            return Parsed {
                incident: None,
                layout,
                diagnostics: vec![d],
            };
        }
    };
    if let Err(d) = agrees(&value, &mut layout, text_nobom, path) {
        return Parsed {
            incident: None,
            layout,
            diagnostics: vec![d],
        };
    }
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => Mapping::new(),
        _ => {
            diags.push(
                Diagnostic::error(Code::NotAMapping, path, "the front matter is not a mapping of fields")
                    .at(text_nobom, layout.fm_start, 1)
                    .help("write one `field: value` per line"),
            );
            return Parsed {
                incident: None,
                layout,
                diagnostics: diags,
            };
        }
    };
    let mut b = Builder {
        text: text_nobom,
        path,
        tz,
        layout: &layout,
        diags: &mut diags,
    };
    let incident = b.incident(map, split.body, split.body_line);
    Parsed {
        incident,
        layout,
        diagnostics: diags,
    }
}

/// The front matter in one typed pass: by the quick reader when it takes the text, else by
/// serde_yaml. `None` sends the file the careful way.
fn fast(quick: Option<&quick::Node<'_>>, front: &str) -> Option<Fast> {
    match quick {
        Some(node) => Fast::deserialize(quick::NodeDe(node)).ok(),
        None => serde_yaml::from_str::<Fast>(front).ok(),
    }
}

/// The quick reader's promise, for the tests and the `parse` fuzz target: when it takes the
/// front matter of `text`, serde_yaml reads the same value from it, and the typed fields it
/// gives are the ones serde_yaml gives. `Err` names the first difference.
pub fn quick_agrees(text: &str) -> Result<(), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Ok(split) = split(text, "") else {
        return Ok(());
    };
    let Some(quick::Read { node, outline }) = quick::read(split.front, FRONT_LINE) else {
        return Ok(());
    };
    // Nothing taken is outside the subset or its bounds, and the outline is the scan's.
    match split.scan(text, "") {
        Err(d) => {
            return Err(format!(
                "the quick reader took {node:?}; the subset scan refused it: {}",
                d.message
            ))
        }
        Ok(scanned) if scanned != outline => {
            return Err(format!(
                "the quick reader found the outline {outline:?}, the subset scan {scanned:?}"
            ))
        }
        Ok(_) => {}
    }
    if let Err(e) = serde_yaml::from_str::<serde::de::IgnoredAny>(split.front) {
        return Err(format!(
            "the quick reader took {node:?}; serde_yaml refused the YAML: {e}"
        ));
    }
    // Compared as text: a NaN is then equal to itself. Both may refuse (a number past u64).
    let by_yaml = serde_yaml::from_str::<Value>(split.front).map(|v| format!("{v:?}"));
    let by_quick = Value::deserialize(quick::NodeDe(&node)).map(|v| format!("{v:?}"));
    match (by_quick, by_yaml) {
        (Ok(q), Ok(y)) if q != y => return Err(format!("the quick reader read {q}, serde_yaml {y}")),
        (Ok(q), Err(e)) => return Err(format!("the quick reader read {q}; serde_yaml: {e}")),
        (Err(e), Ok(y)) => return Err(format!("serde_yaml read {y}; the quick reader: {e}")),
        _ => {}
    }
    let typed_quick = Fast::deserialize(quick::NodeDe(&node)).map(|f| format!("{f:?}"));
    let typed_yaml = serde_yaml::from_str::<Fast>(split.front).map(|f| format!("{f:?}"));
    match (typed_quick, typed_yaml) {
        (Ok(q), Ok(y)) if q != y => Err(format!("typed fields differ:\n quick {q}\n yaml  {y}")),
        (Ok(q), Err(e)) => Err(format!("the quick reader typed {q}; serde_yaml refused: {e}")),
        _ => Ok(()),
    }
}

fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

struct Builder<'a> {
    text: &'a str,
    path: &'a str,
    tz: Tz,
    layout: &'a Layout,
    diags: &'a mut Vec<Diagnostic>,
}

/// The whole front matter in one typed pass (the fast path of [`parse`]), with the keys in
/// the order the parser read them.
#[derive(Debug, Default)]
struct Fast {
    keys: Vec<String>,
    id: String,
    title: String,
    status: String,
    reported_at: Option<String>,
    occurred_at: Option<String>,
    detected_at: Option<String>,
    reporter: Option<RawReporter>,
    owner: Option<String>,
    assets: Vec<String>,
    category: Option<String>,
    severity: Option<Severity>,
    tlp: Option<String>,
    pap: Option<Pap>,
    summary: Option<String>,
    in_scope: Option<bool>,
    handler: Option<RawHandler>,
    delivered_to: Option<RawDelivery>,
    resolution: Option<Resolution>,
    impact: Option<Impact>,
    rejection_reason: Option<String>,
    rejection_code: Option<RejectionCode>,
    duplicate_of: Option<String>,
    related: Vec<String>,
    rsit: Vec<String>,
    attack: Vec<String>,
    external_reports: Vec<FastReport>,
    observables: Vec<RawObservable>,
    attachments: Vec<RawAttachment>,
    tags: Vec<String>,
    extra: Option<serde_json::Value>,
    history: Vec<FastEntry>,
    /// Whether `id`, `status` and `history` were there.
    required: [bool; 3],
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// A history entry as written (both parsing paths).
struct FastEntry {
    at: String,
    to: String,
    by: String,
    actor: Option<String>,
    note: Option<String>,
}

/// `delivered_to` as written: text (the recipient) or a mapping.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawDelivery {
    Text(String),
    Map(RawDeliveryMap),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeliveryMap {
    to: Option<String>,
    at: Option<String>,
    channel: Option<Channel>,
    letter_number: Option<String>,
}

/// An `attachments` item as written: a path, or a mapping with its kind.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawAttachment {
    Path(String),
    Map(RawAttachmentMap),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttachmentMap {
    path: String,
    kind: Option<AttachmentKind>,
    at: Option<String>,
    tool: Option<String>,
    target: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FastReport {
    to: ReportTarget,
    at: Option<String>,
    reference: Option<String>,
}

impl<'de> Deserialize<'de> for Fast {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fast, D::Error> {
        d.deserialize_map(FastVisitor)
    }
}

/// Reads the front matter's mapping field by field into [`Fast`], keeping the key order.
struct FastVisitor;

impl<'de> serde::de::Visitor<'de> for FastVisitor {
    type Value = Fast;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a mapping of incident fields")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Fast, A::Error> {
        use serde::de::Error;
        let mut f = Fast::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => (f.id, f.required[0]) = (map.next_value()?, true),
                "title" => f.title = map.next_value()?,
                "status" => (f.status, f.required[1]) = (map.next_value()?, true),
                "reported_at" => f.reported_at = map.next_value()?,
                "occurred_at" => f.occurred_at = map.next_value()?,
                "detected_at" => f.detected_at = map.next_value()?,
                "reporter" => f.reporter = map.next_value()?,
                "owner" => f.owner = map.next_value()?,
                "assets" => f.assets = map.next_value()?,
                "category" => f.category = map.next_value()?,
                "severity" => f.severity = map.next_value()?,
                "tlp" => f.tlp = map.next_value()?,
                "pap" => f.pap = map.next_value()?,
                "summary" => f.summary = map.next_value()?,
                "in_scope" => f.in_scope = map.next_value()?,
                "handler" => f.handler = map.next_value()?,
                "delivered_to" => f.delivered_to = map.next_value()?,
                "resolution" => f.resolution = map.next_value()?,
                "impact" => f.impact = map.next_value()?,
                "rejection_reason" => f.rejection_reason = map.next_value()?,
                "rejection_code" => f.rejection_code = map.next_value()?,
                "duplicate_of" => f.duplicate_of = map.next_value()?,
                "related" => f.related = map.next_value()?,
                "rsit" => f.rsit = map.next_value()?,
                "attack" => f.attack = map.next_value()?,
                "external_reports" => f.external_reports = map.next_value()?,
                "observables" => f.observables = map.next_value()?,
                "attachments" => f.attachments = map.next_value()?,
                "tags" => f.tags = map.next_value()?,
                "extra" => f.extra = map.next_value()?,
                "history" => (f.history, f.required[2]) = (map.next_value()?, true),
                other => return Err(A::Error::unknown_field(other, FIELDS)),
            }
            if f.keys.contains(&key) {
                return Err(A::Error::custom(format!("duplicate field `{key}`")));
            }
            f.keys.push(key);
        }
        Ok(f)
    }
}

impl Fast {
    /// Whether the parser read the keys the line reader saw, in the same order, and as many
    /// history entries as block `- ` lines (filling in the lines of a flow-style history).
    fn agrees(&self, layout: &mut Layout) -> bool {
        let same = self.keys.len() == layout.keys.len() && self.keys.iter().zip(&layout.keys).all(|(a, b)| *a == b.0);
        if layout.entries.is_empty() {
            let line = layout.key_line("history").unwrap_or(layout.fm_start);
            layout.entries = vec![line; self.history.len()];
        }
        same && layout.entries.len() == self.history.len()
    }

    /// `None` when something needs the careful path (a time that does not parse, a TLP
    /// spelled otherwise than the format writes it).
    fn into_incident(self, tz: Tz) -> Option<Incident> {
        if self.required.contains(&false) {
            return None;
        }
        let time = |s: Option<String>| -> Option<Option<Timestamp>> {
            match s {
                None => Some(None),
                Some(s) => parse_time(&s, tz).ok().map(Some),
            }
        };
        let tlp = match self.tlp {
            None => None,
            Some(t) => Some(Tlp::parse(&t)?),
        };
        let mut history = Vec::with_capacity(self.history.len());
        for e in self.history {
            history.push(HistoryEntry {
                at: parse_time(&e.at, tz).ok()?,
                to: e.to,
                by: e.by,
                actor: e.actor,
                note: e.note,
            });
        }
        let mut external_reports = Vec::with_capacity(self.external_reports.len());
        for r in self.external_reports {
            external_reports.push(ExternalReport {
                to: r.to,
                at: time(r.at)?,
                reference: r.reference,
            });
        }
        Some(Incident {
            id: self.id,
            title: self.title,
            status: self.status,
            reported_at: time(self.reported_at)?,
            occurred_at: time(self.occurred_at)?,
            detected_at: time(self.detected_at)?,
            reporter: self.reporter.map_or_else(Reporter::default, |r| Reporter {
                name: r.name,
                organization: r.organization,
                contact: r.contact,
                kind: r.kind,
                channel: r.channel,
            }),
            owner: self.owner,
            assets: self.assets,
            category: self.category,
            severity: self.severity,
            tlp,
            pap: self.pap,
            summary: self.summary,
            in_scope: self.in_scope,
            handler: self.handler.map(|h| Handler {
                kind: h.kind,
                name: h.name,
                contact: h.contact,
            }),
            delivered_to: match self.delivered_to {
                None => None,
                Some(RawDelivery::Text(t)) => Some(Delivery {
                    to: Some(t),
                    ..Delivery::default()
                }),
                Some(RawDelivery::Map(m)) => Some(Delivery {
                    to: m.to,
                    at: time(m.at)?,
                    channel: m.channel,
                    letter_number: m.letter_number,
                }),
            },
            resolution: self.resolution,
            impact: self.impact,
            rejection_reason: self.rejection_reason,
            rejection_code: self.rejection_code,
            duplicate_of: self.duplicate_of,
            related: self.related,
            rsit: self.rsit,
            attack: self.attack,
            external_reports,
            observables: self
                .observables
                .into_iter()
                .map(|o| Observable {
                    kind: o.kind,
                    value: o.value,
                    ioc: o.ioc,
                })
                .collect(),
            attachments: {
                let mut v = Vec::with_capacity(self.attachments.len());
                for a in self.attachments {
                    v.push(match a {
                        RawAttachment::Path(path) => Attachment {
                            path,
                            ..Attachment::default()
                        },
                        RawAttachment::Map(m) => Attachment {
                            path: m.path,
                            kind: m.kind,
                            at: time(m.at)?,
                            tool: m.tool,
                            target: m.target,
                        },
                    });
                }
                v
            },
            tags: self.tags,
            extra: self.extra,
            history,
            body: String::new(),
            sections: Vec::new(),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReporter {
    name: Option<String>,
    organization: Option<String>,
    contact: Option<String>,
    #[serde(rename = "type")]
    kind: Option<ReporterType>,
    channel: Option<Channel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandler {
    #[serde(rename = "type")]
    kind: Option<HandlerType>,
    name: Option<String>,
    contact: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObservable {
    #[serde(rename = "type")]
    kind: ObservableType,
    value: String,
    #[serde(default)]
    ioc: bool,
}

impl Builder<'_> {
    fn at_key(&self, d: Diagnostic, key: &str) -> Diagnostic {
        match self.layout.key_line(key) {
            Some(l) => d.at(self.text, l, 1),
            None => d.at(self.text, self.layout.fm_start, 1),
        }
    }

    fn error(&mut self, code: Code, key: &str, msg: String, help: &str) {
        let d = self.at_key(Diagnostic::error(code, self.path, msg), key).help(help);
        self.diags.push(d);
    }

    /// Deserialises one field's value, reporting a located error on failure.
    fn field<T: DeserializeOwned>(&mut self, key: &str, v: Value) -> Option<T> {
        match serde_yaml::from_value::<T>(v) {
            Ok(t) => Some(t),
            Err(e) => {
                let msg = e.to_string();
                let code = if msg.contains("unknown variant") {
                    Code::InvalidValue
                } else if msg.contains("unknown field") {
                    Code::UnknownField
                } else {
                    Code::WrongType
                };
                let help = match code {
                    Code::InvalidValue => "use one of the values the message lists",
                    Code::UnknownField => "remove the field or move it under `extra:`",
                    _ => "write the value in the kind the field takes; run `insiden explain wrong-type`",
                };
                self.error(code, key, format!("`{key}`: {}", strip_location(&msg)), help);
                None
            }
        }
    }

    fn text(&mut self, key: &str, v: Value) -> Option<String> {
        match v {
            Value::Null => None,
            // Numbers and booleans are accepted as text where text is expected (e.g. an owner
            // named "2024"): the field is free text.
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => self.field::<String>(key, other),
        }
    }

    fn time(&mut self, key: &str, v: Value) -> Option<Timestamp> {
        let s = self.text(key, v)?;
        match parse_time(&s, self.tz) {
            Ok(t) => Some(t),
            Err(m) => {
                self.error(
                    Code::InvalidTime,
                    key,
                    format!("`{key}`: {m}"),
                    "write RFC 3339 with an offset, e.g. 2026-01-21T09:15:00+07:00",
                );
                None
            }
        }
    }

    fn list(&mut self, key: &str, v: Value) -> Vec<String> {
        match v {
            Value::Null => Vec::new(),
            Value::String(s) => {
                self.error(
                    Code::WrongType,
                    key,
                    format!("`{key}` must be a list"),
                    &format!("write `{key}: [{s}]`"),
                );
                Vec::new()
            }
            other => self.field::<Vec<String>>(key, other).unwrap_or_default(),
        }
    }

    fn incident(&mut self, map: Mapping, body: &str, body_line: usize) -> Option<Incident> {
        let mut inc = Incident::default();
        let (mut has_id, mut has_status, mut has_history) = (false, false, false);
        for (k, v) in map {
            let Some(key) = k.as_str().map(str::to_owned) else {
                let d = Diagnostic::error(Code::UnknownField, self.path, "a field name must be text")
                    .at(self.text, self.layout.fm_start, 1)
                    .help("write `name: value`");
                self.diags.push(d);
                continue;
            };
            match key.as_str() {
                "id" => {
                    has_id = true;
                    inc.id = self.text(&key, v).unwrap_or_default();
                }
                "title" => inc.title = self.text(&key, v).unwrap_or_default(),
                "status" => {
                    has_status = true;
                    inc.status = self.text(&key, v).unwrap_or_default();
                }
                "reported_at" => inc.reported_at = self.time(&key, v),
                "occurred_at" => inc.occurred_at = self.time(&key, v),
                "detected_at" => inc.detected_at = self.time(&key, v),
                "reporter" => {
                    if let Some(r) = self.field::<Option<RawReporter>>(&key, v).flatten() {
                        inc.reporter = Reporter {
                            name: r.name,
                            organization: r.organization,
                            contact: r.contact,
                            kind: r.kind,
                            channel: r.channel,
                        };
                    }
                }
                "owner" => inc.owner = self.text(&key, v),
                "assets" => inc.assets = self.list(&key, v),
                "category" => inc.category = self.text(&key, v),
                "severity" => inc.severity = self.field(&key, v).flatten(),
                "tlp" => inc.tlp = self.tlp(v),
                "pap" => inc.pap = self.field(&key, v).flatten(),
                "summary" => inc.summary = self.text(&key, v),
                "in_scope" => inc.in_scope = self.field(&key, v).flatten(),
                "handler" => {
                    if let Some(h) = self.field::<Option<RawHandler>>(&key, v).flatten() {
                        inc.handler = Some(Handler {
                            kind: h.kind,
                            name: h.name,
                            contact: h.contact,
                        });
                    }
                }
                "delivered_to" => inc.delivered_to = self.delivery(&key, v),
                "resolution" => inc.resolution = self.field(&key, v).flatten(),
                "impact" => inc.impact = self.field(&key, v).flatten(),
                "rejection_reason" => inc.rejection_reason = self.text(&key, v),
                "rejection_code" => inc.rejection_code = self.field(&key, v).flatten(),
                "duplicate_of" => inc.duplicate_of = self.text(&key, v),
                "related" => inc.related = self.list(&key, v),
                "rsit" => inc.rsit = self.list(&key, v),
                "attack" => inc.attack = self.list(&key, v),
                "tags" => inc.tags = self.list(&key, v),
                "attachments" => inc.attachments = self.attachments(&key, v),
                "external_reports" => {
                    let raw: Vec<FastReport> = self
                        .field::<Option<Vec<FastReport>>>(&key, v)
                        .flatten()
                        .unwrap_or_default();
                    for r in raw {
                        let at = r.at.and_then(|a| self.time(&key, Value::String(a)));
                        inc.external_reports.push(ExternalReport {
                            to: r.to,
                            at,
                            reference: r.reference,
                        });
                    }
                }
                "observables" => {
                    let raw: Vec<RawObservable> = self
                        .field::<Option<Vec<RawObservable>>>(&key, v)
                        .flatten()
                        .unwrap_or_default();
                    inc.observables = raw
                        .into_iter()
                        .map(|o| Observable {
                            kind: o.kind,
                            value: o.value,
                            ioc: o.ioc,
                        })
                        .collect();
                }
                "extra" => inc.extra = self.field::<serde_json::Value>(&key, v),
                "history" => {
                    has_history = true;
                    inc.history = self.history(v);
                }
                other => {
                    let hint = match suggest(other, FIELDS) {
                        Some(s) => {
                            format!("did you mean `{s}`? Free-form data goes under `extra:`")
                        }
                        None => "remove it, or move free-form data under `extra:`".into(),
                    };
                    let msg = format!("unknown field `{other}`");
                    self.error(Code::UnknownField, other, msg, &hint);
                }
            }
        }
        for (present, key) in [(has_id, "id"), (has_status, "status"), (has_history, "history")] {
            if !present {
                let d = Diagnostic::error(Code::MissingField, self.path, format!("missing field `{key}`"))
                    .at(self.text, self.layout.fm_start, 1)
                    .help(format!("add `{key}:`; run `insiden explain missing-field`"));
                self.diags.push(d);
            }
        }
        inc.sections = markdown::sections(body, body_line);
        inc.body = body.to_owned();
        Some(inc)
    }

    /// `delivered_to`: text (the recipient) or `{ to, at, channel, letter_number }`.
    fn delivery(&mut self, key: &str, v: Value) -> Option<Delivery> {
        match v {
            Value::Mapping(_) => {
                let m = self.field::<RawDeliveryMap>(key, v)?;
                let at = m.at.and_then(|a| self.time(key, Value::String(a)));
                Some(Delivery {
                    to: m.to,
                    at,
                    channel: m.channel,
                    letter_number: m.letter_number,
                })
            }
            other => self.text(key, other).map(|t| Delivery {
                to: Some(t),
                ..Delivery::default()
            }),
        }
    }

    /// `attachments`: paths, or `{ path, kind, at, tool, target }` mappings.
    fn attachments(&mut self, key: &str, v: Value) -> Vec<Attachment> {
        let items = match v {
            Value::Null => return Vec::new(),
            Value::Sequence(items) => items,
            Value::String(s) => {
                self.error(
                    Code::WrongType,
                    key,
                    format!("`{key}` must be a list"),
                    &format!("write `{key}: [{s}]`"),
                );
                return Vec::new();
            }
            other => {
                let _ = self.field::<Vec<String>>(key, other);
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::Mapping(_) => {
                    if let Some(m) = self.field::<RawAttachmentMap>(key, item) {
                        let at = m.at.and_then(|a| self.time(key, Value::String(a)));
                        out.push(Attachment {
                            path: m.path,
                            kind: m.kind,
                            at,
                            tool: m.tool,
                            target: m.target,
                        });
                    }
                }
                other => {
                    if let Some(path) = self.field::<String>(key, other) {
                        out.push(Attachment {
                            path,
                            ..Attachment::default()
                        });
                    }
                }
            }
        }
        out
    }

    fn tlp(&mut self, v: Value) -> Option<Tlp> {
        let s = self.text("tlp", v)?;
        let lower = s.trim().to_ascii_lowercase();
        let lower = lower.strip_prefix("tlp:").unwrap_or(&lower);
        if lower == "white" {
            let d = self
                .at_key(
                    Diagnostic::warning(
                        Code::DeprecatedTlp,
                        self.path,
                        "`tlp: white` is read as `clear` (TLP 2.0)",
                    ),
                    "tlp",
                )
                .help("write `tlp: clear`");
            self.diags.push(d);
            return Some(Tlp::Clear);
        }
        match Tlp::parse(lower) {
            Some(t) => Some(t),
            None => {
                self.error(
                    Code::InvalidValue,
                    "tlp",
                    format!("`tlp: {s}` is not a TLP 2.0 label"),
                    &format!("use one of: {}", Tlp::allowed()),
                );
                None
            }
        }
    }

    fn history(&mut self, v: Value) -> Vec<HistoryEntry> {
        let items = match v {
            Value::Sequence(items) => items,
            Value::Null => Vec::new(),
            _ => {
                self.error(
                    Code::WrongType,
                    "history",
                    "`history` must be a list of entries".into(),
                    "write `- { at: …, to: …, by: …, actor: … }` per entry",
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let line = self.layout.entry_line(i).unwrap_or(self.layout.fm_start);
            let raw = match serde_yaml::from_value::<FastEntry>(item) {
                Ok(r) => r,
                Err(e) => {
                    let msg = strip_location(&e.to_string());
                    let code = if msg.contains("unknown field") {
                        Code::UnknownField
                    } else if msg.contains("missing field") {
                        Code::MissingField
                    } else {
                        Code::WrongType
                    };
                    let d = Diagnostic::error(code, self.path, format!("history entry {}: {msg}", i + 1))
                        .at(self.text, line, 1)
                        .help("an entry has `at`, `to`, `by`, `actor` and optionally `note`");
                    self.diags.push(d);
                    continue;
                }
            };
            match parse_time(&raw.at, self.tz) {
                Ok(at) => out.push(HistoryEntry {
                    at,
                    to: raw.to,
                    by: raw.by,
                    actor: raw.actor,
                    note: raw.note,
                }),
                Err(m) => {
                    let d = Diagnostic::error(Code::InvalidTime, self.path, format!("history entry {}: {m}", i + 1))
                        .at(self.text, line, 1)
                        .help("write RFC 3339 with an offset, e.g. 2026-01-21T09:15:00+07:00");
                    self.diags.push(d);
                }
            }
        }
        out
    }
}

/// The closest known name within edit distance 2.
pub fn suggest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(word, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const JKT: Tz = chrono_tz::Asia::Jakarta;
    const P: &str = "incidents/2026/INC-2026-0001.md";

    const GOOD: &str = "---\nid: INC-2026-0001\ntitle: Situs desa diretas\nstatus: registered\nreported_at: 2026-01-21T09:15:00+07:00\nreporter: { name: Budi, contact: budi@example.org, type: public, channel: whatsapp }\nassets: [https://desa.example]\ntlp: amber+strict\nhistory:\n  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, actor: siti }\n  - at: 2026-01-21 10:02\n    to: registered\n    by: helpdesk\n    actor: siti\n---\n## Laporan\nHalaman depan berubah.\n\n---\n## Analisis\n\n";

    #[test]
    fn the_quick_reader_takes_the_usual_files_and_reads_them_as_serde_yaml_does() {
        let front = |t: &str| split(t, P).map(|s| s.front.to_owned()).expect("split");
        assert!(quick::read(&front(GOOD), FRONT_LINE).is_some());
        for extra in [
            "extra: { n: 0x1F, o: 0o17, b: 0b101, p: +5, z: 007, e: 1e3, h: .5, i: .inf, m: +.inf, q: .NaN, t: TRUE, u: ~, v: 12:30 }",
            "extra: [18446744073709551616, 340282366920938463463374607431768211456, 1_000, 0x, 1.5e400, Null, yes]",
            "extra:\n  a: 'it''s'\n  b: \"\\u00e9\\n\"\n  c:\n  d: a#b\n  e: https://x.example/a?b=c\n  list:\n  - 2026-01-21\n  - { at: 2026-01-21T09:15:00+07:00 }",
            "delivered_to: { to: Kepala Dinas, at: 2026-01-22T10:00:00+07:00, channel: email }",
            "extra:\n- a:\n  - x\n  - y: z\n    w: |\n      baris\n  b: c\n-   d: e\n    f: []\n- g",
            "in_scope: True\nseverity: high\ntags: []\nrelated:",
            "summary: >-\n  Situs desa\n  diretas: halaman # depan\n\n  diganti\nrejection_reason: |\n  baris\n    menjorok\n\n  # bukan komentar\n\n",
        ] {
            let text = GOOD.replacen("---\nid:", &format!("---\n{extra}\nid:"), 1);
            assert!(quick::read(&front(&text), FRONT_LINE).is_some(), "{extra}");
            assert_eq!(quick_agrees(&text), Ok(()), "{extra}");
        }
    }

    #[test]
    fn parses_every_part_of_a_good_file() {
        let p = parse(GOOD, P, JKT);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let inc = p.incident.expect("incident");
        assert_eq!(inc.id, "INC-2026-0001");
        assert_eq!(inc.tlp, Some(Tlp::AmberStrict));
        assert_eq!(inc.reporter.channel, Some(Channel::Whatsapp));
        assert_eq!(inc.history.len(), 2);
        assert_eq!(inc.history[1].at.to_rfc3339(), "2026-01-21T10:02:00+07:00");
        assert_eq!(p.layout.entries, vec![10, 11]);
        assert_eq!(inc.sections.len(), 2);
        assert!(inc.sections[0].filled && !inc.sections[1].filled);
        assert_eq!(inc.sections[0].line, 16);
    }

    #[test]
    fn crlf_and_bom_parse_like_lf() {
        let crlf = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
        let p = parse(&crlf, P, JKT);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.incident.expect("incident").history.len(), 2);
        assert_eq!(p.layout.entries, vec![10, 11]);
    }

    fn first(text: &str) -> (Code, Option<usize>, Option<usize>) {
        let p = parse(text, P, JKT);
        let d = p
            .diagnostics
            .first()
            .unwrap_or_else(|| panic!("no diagnostic for {text:?}"));
        (d.code, d.line, d.column)
    }

    #[test]
    fn bad_inputs_have_exact_codes_and_positions() {
        let cases: &[(&str, Code, Option<usize>)] = &[
            ("no front matter\n", Code::NoFrontMatter, Some(1)),
            ("", Code::NoFrontMatter, Some(1)),
            ("---\nid: x\n", Code::UnclosedFrontMatter, Some(1)),
            ("---\nid: INC-2026-0001\ntitle: [unclosed\n---\n", Code::YamlSyntax, Some(4)),
            ("---\nid: INC-2026-0001\ntitel: x\nstatus: reported\nhistory: []\n---\n", Code::UnknownField, Some(3)),
            ("---\nid: INC-2026-0001\nstatus: reported\nseverity: severe\nhistory: []\n---\n", Code::InvalidValue, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\nin_scope: yes\nhistory: []\n---\n", Code::WrongType, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\nreported_at: kemarin\nhistory: []\n---\n", Code::InvalidTime, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\ntlp: purple\nhistory: []\n---\n", Code::InvalidValue, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\npap: amber+strict\nhistory: []\n---\n", Code::InvalidValue, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\nresolution: fixed\nhistory: []\n---\n", Code::InvalidValue, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\nreporter: { name: A, phone: 1 }\nhistory: []\n---\n", Code::UnknownField, Some(4)),
            ("---\nid: INC-2026-0001\nstatus: reported\n---\n", Code::MissingField, Some(2)),
            ("---\n- a\n- b\n---\n", Code::NotAMapping, Some(2)),
            (
                "---\nid: INC-2026-0001\nstatus: reported\nhistory:\n  - { at: 2026-01-01T00:00:00+07:00, to: reported, by: helpdesk }\n  - { at: nanti, to: registered, by: helpdesk }\n---\n",
                Code::InvalidTime,
                Some(6),
            ),
            (
                "---\nid: INC-2026-0001\nstatus: reported\nhistory:\n  - { at: 2026-01-01T00:00:00+07:00, to: reported, by: helpdesk, who: x }\n---\n",
                Code::UnknownField,
                Some(5),
            ),
        ];
        for (text, code, line) in cases {
            let (c, l, _) = first(text);
            assert_eq!((c, l), (*code, *line), "{text:?}");
        }
    }

    #[test]
    fn yaml_syntax_errors_are_mapped_to_file_lines() {
        let text = "---\nid: INC-2026-0001\nstatus: reported\nhistory:\n  - { at: 2026, to: reported\n---\n";
        let (c, l, _) = first(text);
        assert_eq!(c, Code::YamlSyntax);
        assert!(l.is_some_and(|l| l >= 5), "{l:?}");
    }

    #[test]
    fn white_is_read_as_clear_with_a_warning() {
        let p = parse(
            "---\nid: INC-2026-0001\nstatus: reported\ntlp: white\nhistory: []\n---\n",
            P,
            JKT,
        );
        assert_eq!(p.incident.expect("incident").tlp, Some(Tlp::Clear));
        assert_eq!(p.diagnostics[0].code, Code::DeprecatedTlp);
        assert!(!p.diagnostics[0].is_error());
    }

    #[test]
    fn unknown_field_suggests_the_near_name() {
        let p = parse(
            "---\nid: INC-2026-0001\nstatus: reported\nreportd_at: x\nhistory: []\n---\n",
            P,
            JKT,
        );
        assert!(p.diagnostics[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("reported_at")));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused_without_hanging() {
        let mut bomb = String::from(
            "---\nid: INC-2026-0001\nstatus: reported\nhistory: []\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        );
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        bomb.push_str("extra: *a11\n---\n");
        let p = parse(&bomb, P, JKT);
        assert!(p.diagnostics.iter().any(|d| d.is_error()));
        let deep = format!(
            "---\nid: INC-2026-0001\nextra: {}{}\n---\n",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let p = parse(&deep, P, JKT);
        assert!(p.diagnostics.iter().any(|d| d.is_error()));
    }

    #[test]
    fn body_may_contain_front_matter_fences() {
        let text = "---\nid: INC-2026-0001\nstatus: reported\nhistory: []\n---\n## Laporan\n---\nid: palsu\n---\n";
        let p = parse(text, P, JKT);
        let inc = p.incident.expect("incident");
        assert_eq!(inc.id, "INC-2026-0001");
        assert!(inc.body.contains("id: palsu"));
    }
}
