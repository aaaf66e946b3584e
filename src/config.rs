//! `insiden.yaml` → [`Config`], layered over the embedded `default-config.yaml` (the
//! Trenggalek SOP, the default taxonomy and the labels).
//!
//! A top-level key in `insiden.yaml` replaces the built-in one; mappings such as `site` and
//! `autoresolve` are merged key by key, while `workflow`, `categories`, `teams` and `sla` are
//! replaced whole. Keys are strict: a typo is an error naming its line. After deserialising,
//! a validation pass gathers every inconsistency (unknown roles in transitions, members in two
//! teams with clashing ids, bad durations…). This module is one of serde_yaml's two homes; it
//! reads no files itself and knows nothing of subcommands.

use crate::diag::{Code, Diagnostic};
use crate::time::{parse_duration, Calendar};
use crate::workflow::{Label, Lang, Sla, Slas, Workflow, NEW, SYSTEM};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The embedded default configuration.
pub const DEFAULT_CONFIG: &str = include_str!("default-config.yaml");

/// The configuration file's name at the repository root.
pub const FILE_NAME: &str = "insiden.yaml";

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub organization: Organization,
    pub timezone: Tz,
    pub language: Lang,
    pub id_prefix: String,
    pub site: SiteConfig,
    pub autoresolve: Autoresolve,
    pub max_backdate: Duration,
    pub sla: Slas,
    pub categories: Vec<Category>,
    pub teams: BTreeMap<String, Team>,
    /// Member ids who may change the rules: `insiden.yaml` and `site-templates/`.
    pub maintainers: Vec<String>,
    pub signing: Signing,
    pub check: CheckConfig,
    /// Key fingerprint → the member id (or the bot's id) it belongs to.
    pub keys: BTreeMap<String, String>,
    pub workflow: Workflow,
    /// The requester's letter (*Laporan dan/atau Rekomendasi*): letterhead, number, signatory.
    pub letter: LetterConfig,
    /// The periodic report's legal basis and approval.
    pub report: ReportConfig,
    /// The SOP's own text besides its steps: qualifications, equipment, records, warning.
    pub sop: SopConfig,
    /// The merged document, for `insiden config`.
    pub effective: Value,
    /// Whether an `insiden.yaml` was found.
    pub from_file: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    pub unit: String,
    pub sop: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub base_url: String,
    pub public_min_count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub emails: Vec<String>,
    /// The forge account that opens the bot's pull requests (`github-actions[bot]` for the
    /// workflows `init` writes). With `check --pr-author`, `system` entries come only from a
    /// pull request this account opened, unless the bot's key signed them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// OpenSSH public keys whose signatures are the bot's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_keys: Vec<String>,
}

/// Whether commits must carry a member's SSH signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signing {
    #[default]
    Off,
    Required,
}

/// How `check` recognises the forge's own commits (squash merges made in its interface).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// `Name <email>` of the committer of the forge's commits.
    pub forge_committer: String,
    /// The forge's published signing keys: OpenPGP public key blocks or OpenSSH key lines.
    #[serde(default)]
    pub forge_keys: Vec<String>,
    /// How pull requests land, and so what `check` judges as one change.
    #[serde(default)]
    pub merge: MergeMethod,
}

/// How the repository's merge button lands a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeMethod {
    /// One commit with the pull request's net change: moves and requirements are judged on
    /// that change, so a pull request can be fixed forward; identity stays per commit.
    #[default]
    Squash,
    /// Every commit lands as it is, and each is judged whole.
    Merge,
    Rebase,
}

#[derive(Debug, Clone)]
pub struct Autoresolve {
    pub days: u32,
    pub business_days: bool,
    pub holidays: BTreeSet<NaiveDate>,
    pub bot: Bot,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub label: Label,
    #[serde(default)]
    pub rsit: Vec<String>,
    /// Leaving triage needs a website scan report (`attachments` with `kind: scan-report`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_scan: bool,
}

/// Who signs: name, title (*jabatan*) and NIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub nip: Option<String>,
}

/// `letter:`: the requester's letter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterConfig {
    /// The lines of the letterhead (*kop surat*), the first in the largest type.
    #[serde(default)]
    pub letterhead: Vec<String>,
    /// Where the letter is dated (`Trenggalek, 3 Maret 2026`).
    #[serde(default)]
    pub city: String,
    /// The number pattern: `{seq}`, `{number}`, `{id}`, `{month}`, `{month_roman}`, `{year}`.
    pub number: String,
    #[serde(default)]
    pub signatory: Option<Signatory>,
}

/// `report:`: what makes the periodic report one the head of office signs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// *Dasar hukum*: the regulations the service rests on.
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// *Mengetahui*: who approves the report (default: `letter.signatory`).
    #[serde(default)]
    pub approval: Option<Signatory>,
}

/// `sop:`: the parts of the SOP that are not steps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SopConfig {
    pub title: Option<String>,
    pub qualifications: Vec<String>,
    pub equipment: Vec<String>,
    pub records: Vec<String>,
    pub warning: Option<String>,
}

/// The placeholders a letter number pattern may use.
pub const LETTER_PLACEHOLDERS: &[&str] = &["seq", "number", "id", "month", "month_roman", "year"];

impl ReportConfig {
    /// The approval block's signatory: `report.approval`, else `letter.signatory`.
    pub fn approver<'a>(&'a self, letter: &'a LetterConfig) -> Option<&'a Signatory> {
        self.approval.as_ref().or(letter.signatory.as_ref())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub name: String,
    #[serde(default)]
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub github: Option<String>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`) whose signatures are this member's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_keys: Vec<String>,
}

/// The file's shape, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    organization: Organization,
    timezone: String,
    language: Lang,
    id_prefix: String,
    site: SiteConfig,
    autoresolve: RawAutoresolve,
    max_backdate: String,
    #[serde(default)]
    sla: RawSlas,
    categories: Vec<Category>,
    #[serde(default)]
    teams: BTreeMap<String, Team>,
    #[serde(default)]
    maintainers: Vec<String>,
    signing: Signing,
    check: CheckConfig,
    workflow: Workflow,
    letter: LetterConfig,
    report: ReportConfig,
    #[serde(default)]
    sop: SopConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAutoresolve {
    days: u32,
    business_days: bool,
    #[serde(default)]
    holidays: Vec<Value>,
    bot: Bot,
}

/// `sla:` as written: the clock, office hours, and a target per state.
#[derive(Deserialize, Default)]
struct RawSlas {
    #[serde(default)]
    clock: Option<String>,
    #[serde(default)]
    business_hours: Option<RawOfficeHours>,
    #[serde(flatten)]
    states: BTreeMap<String, RawSla>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOfficeHours {
    days: Vec<String>,
    start: String,
    end: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSla {
    One(String),
    PerSeverity(BTreeMap<String, String>),
}

/// Keys whose value in `insiden.yaml` replaces the built-in one instead of being merged.
const REPLACED_WHOLE: &[&str] = &["workflow", "categories", "teams", "sla"];

impl Config {
    /// The built-in configuration alone.
    pub fn builtin() -> Config {
        match Config::parse(None, "<built-in>") {
            Ok(c) => c,
            // The embedded file is tested; reaching this is a build defect.
            Err(d) => panic!("built-in configuration is invalid: {d:?}"),
        }
    }

    /// Layers `text` (the content of `insiden.yaml`, if any) over the built-in default.
    /// `path` is used in diagnostics.
    pub fn parse(text: Option<&str>, path: &str) -> Result<Config, Vec<Diagnostic>> {
        let default: Value =
            serde_yaml::from_str(DEFAULT_CONFIG).map_err(|e| vec![yaml_error(&e, "<built-in>", DEFAULT_CONFIG)])?;
        let merged = match text {
            Some(text) => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let user: Value = if text.trim().is_empty() {
                    Value::Mapping(Default::default())
                } else {
                    serde_yaml::from_str(text).map_err(|e| vec![yaml_error(&e, path, text)])?
                };
                let Value::Mapping(user_map) = user else {
                    return Err(vec![Diagnostic::error(
                        Code::Config,
                        path,
                        "insiden.yaml must be a mapping of settings",
                    )
                    .at(text, 1, 1)
                    .help("start from `insiden init` or the README's example")]);
                };
                let mut base = default;
                merge(&mut base, Value::Mapping(user_map), 0);
                base
            }
            None => default,
        };
        let src = text.unwrap_or(DEFAULT_CONFIG);
        let raw: Raw = serde_yaml::from_value(merged.clone()).map_err(|e| vec![locate_value_error(&e, path, src)])?;
        let config = validate(raw, merged, text.is_some(), path, src)?;
        Ok(config)
    }

    /// The autoresolve calendar.
    pub fn calendar(&self) -> Calendar {
        Calendar {
            tz: self.timezone,
            days: self.autoresolve.days,
            business_days: self.autoresolve.business_days,
            holidays: self.autoresolve.holidays.clone(),
        }
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The members of a team (empty for unknown teams and for `system`).
    pub fn members(&self, role: &str) -> &[Member] {
        self.teams.get(role).map_or(&[], |t| t.members.as_slice())
    }

    /// Whether identity checks can run: at least one team has members.
    pub fn has_members(&self) -> bool {
        self.teams.values().any(|t| !t.members.is_empty())
    }

    /// Whether member `id` may change the rules.
    pub fn is_maintainer(&self, id: &str) -> bool {
        self.maintainers.iter().any(|m| m == id)
    }

    /// Every (team, member) in the configuration.
    pub fn all_members(&self) -> impl Iterator<Item = (&str, &Member)> {
        self.teams
            .iter()
            .flat_map(|(role, t)| t.members.iter().map(move |m| (role.as_str(), m)))
    }

    /// Finds a member by email (case-insensitive) in any team.
    pub fn member_by_email(&self, email: &str) -> Option<&Member> {
        self.teams
            .values()
            .flat_map(|t| t.members.iter())
            .find(|m| m.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }

    /// The effective configuration as YAML.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(&self.effective).unwrap_or_default()
    }
}

/// What is wrong with a letter number pattern, if anything.
fn number_pattern_problem(p: &str) -> Option<String> {
    let mut rest = p;
    let mut unique = false;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else {
            return Some(format!("letter.number `{p}` has a `{{` without its `}}`"));
        };
        let name = &rest[i + 1..i + j];
        if !LETTER_PLACEHOLDERS.contains(&name) {
            return Some(format!(
                "letter.number `{p}` names `{{{name}}}`; the placeholders are {{{}}}",
                LETTER_PLACEHOLDERS.join("}, {")
            ));
        }
        unique |= matches!(name, "seq" | "number" | "id");
        rest = &rest[i + j + 1..];
    }
    if unique {
        None
    } else {
        Some(format!(
            "letter.number `{p}` has neither {{seq}}, {{number}} nor {{id}}, so two letters would share a number"
        ))
    }
}

fn merge(base: &mut Value, over: Value, depth: usize) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                let whole = depth == 0 && k.as_str().is_some_and(|k| REPLACED_WHOLE.contains(&k));
                match b.get_mut(&k) {
                    Some(slot) if !whole => merge(slot, v, depth + 1),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// A YAML syntax error with its position in the file.
pub(crate) fn yaml_error(e: &serde_yaml::Error, path: &str, text: &str) -> Diagnostic {
    let d = Diagnostic::error(
        Code::Config,
        path,
        format!("invalid YAML: {}", strip_location(&e.to_string())),
    );
    match e.location() {
        Some(loc) => d.at(text, loc.line(), loc.column()),
        None => d,
    }
    .help("fix the YAML syntax at this position")
}

fn strip_location(msg: &str) -> String {
    // serde_yaml appends " at line L column C"; the diagnostic carries the position itself.
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Deserialisation errors of the merged value carry no position: find the key they name in
/// the user's text.
fn locate_value_error(e: &serde_yaml::Error, path: &str, text: &str) -> Diagnostic {
    let msg = e.to_string();
    let mut d = Diagnostic::error(Code::Config, path, format!("invalid configuration: {msg}"));
    if let Some(key) = msg.split('`').nth(1) {
        if let Some((line, col)) = find_key(text, key) {
            d = d.at(text, line, col);
        }
    }
    d.help("see the configuration reference in the README; unknown keys are errors")
}

/// The first line where `key:` appears as a mapping key; 1-based (line, column).
pub(crate) fn find_key(text: &str, key: &str) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line
            .trim_start()
            .trim_start_matches("- ")
            .trim_start_matches('{')
            .trim_start();
        let col = line.len() - trimmed.len() + 1;
        if trimmed.starts_with(&format!("{key}:")) {
            return Some((i + 1, col));
        }
        if let Some(pos) = line
            .find(&format!(" {key}:"))
            .or_else(|| line.find(&format!("{{{key}:")))
        {
            return Some((i + 1, pos + 2));
        }
    }
    None
}

/// The line and column of `id: <id>` (an entry of a list named by its id), if there is one.
fn find_id(text: &str, id: &str) -> Option<(usize, usize)> {
    let needle = format!("id: {id}");
    text.lines().enumerate().find_map(|(i, line)| {
        line.match_indices(&needle).find_map(|(pos, _)| {
            let before = line[..pos].chars().next_back();
            let after = line[pos + needle.len()..].chars().next();
            let whole = before.is_none_or(|c| matches!(c, ' ' | '{' | '-' | ','))
                && after.is_none_or(|c| matches!(c, ' ' | ',' | '}'));
            whole.then_some((i + 1, pos + 1))
        })
    })
}

/// `sla.clock` and `sla.business_hours`: `None` for wall-clock time.
fn office_hours(
    raw: &RawSlas,
    tz: Tz,
    holidays: &BTreeSet<NaiveDate>,
    err: &mut impl FnMut(&str, String, &str),
) -> Option<crate::time::OfficeHours> {
    match raw.clock.as_deref() {
        None | Some("calendar") => {
            if raw.business_hours.is_some() {
                err(
                    "clock",
                    "sla.business_hours is set but sla.clock is not `business`".into(),
                    "add `clock: business` under `sla:`",
                );
            }
            return None;
        }
        Some("business") => {}
        Some(other) => {
            err(
                "clock",
                format!("sla.clock `{other}` is not `business` or `calendar`"),
                "use clock: business (office hours only) or clock: calendar",
            );
            return None;
        }
    }
    let hours = raw.business_hours.as_ref();
    let time = |s: Option<&str>, default: &str, key: &str, err: &mut dyn FnMut(&str, String, &str)| {
        let s = s.unwrap_or(default);
        chrono::NaiveTime::parse_from_str(s, "%H:%M").unwrap_or_else(|_| {
            err(
                key,
                format!("sla.business_hours.{key} `{s}` is not HH:MM"),
                "e.g. \"07:30\"",
            );
            chrono::NaiveTime::parse_from_str(default, "%H:%M").unwrap_or_default()
        })
    };
    let start = time(hours.map(|h| h.start.as_str()), "07:30", "start", err);
    let end = time(hours.map(|h| h.end.as_str()), "16:00", "end", err);
    if end <= start {
        err(
            "end",
            "sla.business_hours ends before it starts".into(),
            "e.g. start: \"07:30\", end: \"16:00\"",
        );
    }
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut days = [true, true, true, true, true, false, false];
    if let Some(h) = hours {
        days = [false; 7];
        for d in &h.days {
            match names.iter().position(|n| n.eq_ignore_ascii_case(d)) {
                Some(i) => days[i] = true,
                None => err(
                    "days",
                    format!("sla.business_hours.days: `{d}` is not a day"),
                    "use mon, tue, wed, thu, fri, sat, sun",
                ),
            }
        }
    }
    Some(crate::time::OfficeHours {
        tz,
        days,
        start,
        end,
        holidays: holidays.clone(),
    })
}

fn validate(raw: Raw, effective: Value, from_file: bool, path: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let mut errs = Vec::new();
    let mut err = |key: &str, msg: String, help: &str| {
        let mut d = Diagnostic::error(Code::Config, path, msg).help(help);
        // A key's line, or for an entry named by its id (a category), the `id:` line.
        if let Some((l, c)) = find_key(text, key).or_else(|| find_id(text, key)) {
            d = d.at(text, l, c);
        }
        errs.push(d);
    };

    let timezone: Tz = raw.timezone.parse().unwrap_or_else(|_| {
        err(
            "timezone",
            format!("unknown time zone `{}`", raw.timezone),
            "use an IANA name such as Asia/Jakarta",
        );
        chrono_tz::Asia::Jakarta
    });
    if raw.id_prefix.is_empty() || !raw.id_prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        err(
            "id_prefix",
            format!("id_prefix `{}` must be letters and digits", raw.id_prefix),
            "e.g. INC",
        );
    }
    let max_backdate = parse_duration(&raw.max_backdate).unwrap_or_else(|m| {
        err("max_backdate", m, "e.g. 72h");
        Duration::hours(72)
    });
    if let Some(problem) = url_problem(&raw.site.base_url) {
        err(
            "base_url",
            format!("site.base_url {problem}"),
            "write an absolute http(s) URL such as https://csirt.example.go.id/status/, or leave it empty",
        );
    }
    if raw.autoresolve.days == 0 || raw.autoresolve.days > 366 {
        err(
            "days",
            "autoresolve.days must be at least 1 and at most 366".into(),
            "the SOP's window is 5 days",
        );
    }
    let mut holidays = BTreeSet::new();
    for h in &raw.autoresolve.holidays {
        match h.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) {
            Some(d) => {
                holidays.insert(d);
            }
            None => err(
                "holidays",
                format!(
                    "holiday `{}` is not a date",
                    serde_yaml::to_string(h).unwrap_or_default().trim()
                ),
                "write holidays as YYYY-MM-DD, e.g. 2026-12-25",
            ),
        }
    }
    if raw.autoresolve.bot.emails.is_empty() {
        err(
            "bot",
            "autoresolve.bot needs at least one email".into(),
            "the email the CI bot commits with",
        );
    }

    let w = &raw.workflow;
    let mut sla = BTreeMap::new();
    let office = office_hours(&raw.sla, timezone, &holidays, &mut err);
    for (state, spec) in raw.sla.states {
        if w.state(&state).is_none() {
            err(
                &state,
                format!("sla names unknown state `{state}`"),
                "use a state of the workflow",
            );
        }
        let mut parsed = Sla::default();
        let entries: Vec<(String, String)> = match spec {
            RawSla::One(s) => vec![("default".into(), s)],
            RawSla::PerSeverity(map) => map.into_iter().collect(),
        };
        for (k, v) in entries {
            let d = match parse_duration(&v) {
                Ok(d) => Some(d),
                Err(m) => {
                    err(&state, m, "e.g. 4h or 2d");
                    None
                }
            };
            if k == "default" {
                parsed.default = d;
            } else if let Some(sev) = crate::model::Severity::parse(&k) {
                if let Some(d) = d {
                    parsed.by_severity.insert(sev, d);
                }
            } else {
                err(
                    &k,
                    format!("sla key `{k}` is not `default` or a severity"),
                    "use default, low, medium, high or critical",
                );
            }
        }
        sla.insert(state, parsed);
    }

    // Each category has a page named after its id (`categories/<slug>.html`): two ids with
    // one page would write it twice, whichever came last.
    let mut pages: HashMap<String, &str> = HashMap::new();
    for c in &raw.categories {
        let page = crate::audience::Lens::category_href(&c.id);
        match pages.insert(page.clone(), &c.id) {
            Some(other) if other == c.id => err(
                &c.id,
                format!("category `{}` is listed twice", c.id),
                "keep one entry per category",
            ),
            Some(other) => err(
                &c.id,
                format!("categories `{other}` and `{}` would share one page, `{page}`", c.id),
                "give them ids that differ in letters or digits, not only in case or punctuation",
            ),
            None if !c.id.chars().any(char::is_alphanumeric) => err(
                &c.id,
                format!("category id `{}` has no letter or digit to name its page", c.id),
                "use letters, digits and `-` (e.g. `web-defacement`)",
            ),
            None => {}
        }
        if page == crate::audience::Lens::category_href("index") {
            err(
                &c.id,
                format!(
                    "category id `{}` would take the place of the categories' list page",
                    c.id
                ),
                "choose another id (e.g. `indeks-situs`)",
            );
        }
        for r in &c.rsit {
            if !r.contains(':') {
                err(
                    r,
                    format!("RSIT name `{r}` is not `predicate:value`"),
                    "e.g. availability:ddos",
                );
            }
        }
    }

    for (role, team) in &raw.teams {
        if !w.has_role(role) || role == SYSTEM {
            err(
                role,
                format!("team `{role}` is not a role of the workflow"),
                "teams are helpdesk, data, analysis, coordination and handling",
            );
        }
        let mut ids = BTreeSet::new();
        for m in &team.members {
            if !ids.insert(&m.id) {
                err(
                    &m.id,
                    format!("member `{}` is listed twice in team `{role}`", m.id),
                    "keep one entry per member",
                );
            }
        }
    }
    // One id, one person: the same id in two teams must carry the same name.
    let mut people: HashMap<&str, &str> = HashMap::new();
    for team in raw.teams.values() {
        for m in &team.members {
            if let Some(name) = people.insert(&m.id, &m.name) {
                if name != m.name {
                    err(
                        &m.id,
                        format!("member id `{}` names two people ({name}, {})", m.id, m.name),
                        "give each person one id",
                    );
                }
            }
        }
    }

    for m in &raw.maintainers {
        if !people.contains_key(m.as_str()) {
            err(
                m,
                format!("maintainer `{m}` is not a member of any team"),
                "name a member id listed under `teams:`",
            );
        }
    }
    // Signing keys parse, and each belongs to one person (or the bot).
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let owners = raw
        .teams
        .values()
        .flat_map(|t| t.members.iter().map(|m| (m.id.as_str(), &m.signing_keys)))
        .chain(std::iter::once((
            raw.autoresolve.bot.id.as_str(),
            &raw.autoresolve.bot.signing_keys,
        )));
    for (owner, lines) in owners {
        for line in lines {
            match crate::signing::parse_key(line) {
                Ok(k) => {
                    if let Some(other) = keys.insert(k.fingerprint.clone(), owner.to_owned()) {
                        if other != owner {
                            err(
                                owner,
                                format!("the key {} is listed for both `{other}` and `{owner}`", k.fingerprint),
                                "a signing key belongs to one person: give each member their own",
                            );
                        }
                    }
                }
                Err(m) => err(
                    owner,
                    format!("a signing key of `{owner}`: {m}"),
                    "paste the whole line of the `.pub` file: `ssh-ed25519 AAAA… comment`",
                ),
            }
        }
    }
    for k in &raw.check.forge_keys {
        if let Err(m) = crate::signing::parse_forge_key(k) {
            err(
                "forge_keys",
                format!("check.forge_keys: {m}"),
                "paste the forge's published key: an OpenPGP public key block or an OpenSSH key line",
            );
        }
    }
    for (field, roles) in &w.field_owners {
        if !crate::model::OWNED_FIELDS.contains(&field.as_str()) {
            err(
                field,
                format!("`field_owners` names `{field}`, which is not a field it can guard"),
                &format!("guard one of: {}", crate::model::OWNED_FIELDS.join(", ")),
            );
        }
        for r in roles {
            if !w.has_role(r) || r == SYSTEM {
                err(
                    r,
                    format!("`field_owners.{field}` names unknown role `{r}`"),
                    "name a team of the workflow",
                );
            }
        }
    }

    validate_workflow(w, &mut err);
    if let Some(problem) = number_pattern_problem(&raw.letter.number) {
        err("number", problem, "e.g. number: \"{seq}/CSIRT/{month_roman}/{year}\"");
    }

    if errs.is_empty() {
        Ok(Config {
            organization: raw.organization,
            timezone,
            language: raw.language,
            id_prefix: raw.id_prefix,
            site: raw.site,
            autoresolve: Autoresolve {
                days: raw.autoresolve.days,
                business_days: raw.autoresolve.business_days,
                holidays,
                bot: raw.autoresolve.bot,
            },
            max_backdate,
            sla: Slas { targets: sla, office },
            categories: raw.categories.clone(),
            teams: raw.teams,
            maintainers: raw.maintainers,
            signing: raw.signing,
            check: raw.check,
            keys,
            workflow: {
                let mut w = raw.workflow;
                w.scan_categories = raw
                    .categories
                    .iter()
                    .filter(|c| c.requires_scan)
                    .map(|c| c.id.clone())
                    .collect();
                w
            },
            letter: raw.letter,
            report: raw.report,
            sop: raw.sop,
            effective,
            from_file,
        })
    } else {
        Err(errs)
    }
}

fn validate_workflow(w: &Workflow, err: &mut impl FnMut(&str, String, &str)) {
    let states: BTreeSet<&str> = w.states.iter().map(|s| s.id.as_str()).collect();
    if states.len() != w.states.len() {
        err(
            "states",
            "a workflow state is listed twice".into(),
            "keep one entry per state",
        );
    }
    if !states.contains(w.initial.as_str()) {
        err(
            "initial",
            format!("initial state `{}` is not a state", w.initial),
            "name one of the workflow's states",
        );
    }
    if let Some(o) = &w.window_opens {
        if !states.contains(o.as_str()) {
            err(
                "window_opens",
                format!("window_opens names unknown state `{o}`"),
                "name one of the workflow's states",
            );
        }
    }
    for s in &w.states {
        for r in &s.acts {
            if !w.has_role(r) {
                err(
                    r,
                    format!("state `{}` names unknown role `{r}`", s.id),
                    "declare it under workflow.roles",
                );
            }
        }
    }
    if w.transition(NEW, &w.initial).is_none() {
        err(
            "transitions",
            format!("no transition from `new` to the initial state `{}`", w.initial),
            "add `{ from: new, to: <initial>, by: [...] }`",
        );
    }
    for t in &w.transitions {
        for f in t.from.iter() {
            if f != NEW && !states.contains(f) {
                err(
                    f,
                    format!("transition from unknown state `{f}`"),
                    "name a workflow state or `new`",
                );
            }
        }
        if !states.contains(t.to.as_str()) {
            err(
                &t.to,
                format!("transition to unknown state `{}`", t.to),
                "name a workflow state",
            );
        }
        for r in &t.by {
            if !w.has_role(r) {
                err(
                    r,
                    format!("transition to `{}` names unknown role `{r}`", t.to),
                    "declare it under workflow.roles",
                );
            }
        }
        for f in t.requires.fields.iter().chain(t.requires.equals.keys()) {
            if !crate::model::REQUIRABLE_FIELDS.contains(&f.as_str()) {
                err(
                    f,
                    format!("requirement names unknown field `{f}`"),
                    "use a field of the incident format, dotted for nested ones",
                );
            }
        }
        for s in &t.requires.sections {
            if w.section(s).is_none() {
                err(
                    s,
                    format!("requirement names unknown section `{s}`"),
                    "declare it under workflow.sections",
                );
            }
        }
        if t.requires.window.is_some() && w.window_opens.is_none() {
            err(
                "window",
                "a transition requires the window but `window_opens` is not set".into(),
                "set workflow.window_opens",
            );
        }
    }
}

/// What is wrong with `site.base_url`, if anything. It ends up in `href`s, the feed's
/// `xml:base` and the API's `$id`s, so only an absolute `http`/`https` URL with a host and
/// without spaces, quotes, angle brackets or control characters is accepted (empty: unset).
fn url_problem(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return Some(format!("`{url}` is not an http(s) URL"));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Some(format!("`{url}` has no host"));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\'))
    {
        return Some(format!("`{}` contains {c:?}", url.escape_debug()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_must_be_an_http_url() {
        for ok in [
            "",
            "https://csirt.example.go.id/status/",
            "http://x.test:8080",
            "HTTPS://X.TEST/a?b#c",
        ] {
            assert_eq!(url_problem(ok), None, "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript://x.test/%0aalert(1)",
            "data:text/html,x",
            "//x.test/",
            "/status/",
            "https://",
            "https:///path",
            "https://x.test/a b",
            "https://x.test/\"><script>",
            "ftp://x.test/",
        ] {
            assert!(url_problem(bad).is_some(), "{bad}");
        }
        let err = Config::parse(Some("site:\n  base_url: javascript:alert(1)\n"), "insiden.yaml").expect_err("bad url");
        assert_eq!((err[0].code, err[0].line), (Code::Config, Some(2)));
        assert!(err[0].message.contains("base_url"), "{}", err[0].message);
    }

    #[test]
    fn builtin_config_is_the_trenggalek_sop() {
        let c = Config::builtin();
        assert_eq!(c.organization.sop, "07-4/SOP/406.020/2022");
        assert_eq!(c.timezone, chrono_tz::Asia::Jakarta);
        assert_eq!(c.workflow.states.len(), 12);
        assert_eq!(c.autoresolve.days, 5);
        assert_eq!(c.categories.len(), 14);
        assert!(!c.from_file && !c.has_members());
    }

    #[test]
    fn user_settings_merge_over_defaults() {
        let c = Config::parse(
            Some("site:\n  public_min_count: 5\nautoresolve:\n  business_days: true\n  holidays: [2026-12-25]\n"),
            "insiden.yaml",
        )
        .expect("config");
        assert_eq!(c.site.public_min_count, 5);
        assert_eq!(c.site.title, "Status Layanan Insiden Keamanan Informasi");
        assert!(c.autoresolve.business_days);
        assert_eq!(c.autoresolve.days, 5);
        assert_eq!(c.autoresolve.holidays.len(), 1);
    }

    #[test]
    fn unknown_keys_are_errors_naming_their_line() {
        let err = Config::parse(Some("timezone: Asia/Jakarta\nsitee:\n  title: x\n"), "insiden.yaml")
            .expect_err("unknown key");
        assert_eq!(err[0].code, Code::Config);
        assert_eq!(err[0].line, Some(2));
        assert!(err[0].message.contains("sitee"), "{}", err[0].message);
    }

    #[test]
    fn yaml_syntax_errors_point_at_the_file_line() {
        let err = Config::parse(Some("timezone: Asia/Jakarta\nsite: [\n"), "insiden.yaml").expect_err("syntax");
        assert!(err[0].line.is_some());
    }

    #[test]
    fn bad_values_are_gathered_together() {
        let text = "timezone: Mars/Olympus\nmax_backdate: 3w\nautoresolve:\n  days: 0\n  holidays: [25-12-2026]\nsla:\n  triage: { default: 2d, urgent: 1h }\n";
        let err = Config::parse(Some(text), "insiden.yaml").expect_err("invalid");
        let msgs: Vec<_> = err.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(err.len(), 5, "{msgs:?}");
        assert_eq!(err[0].line, Some(1));
    }

    #[test]
    fn category_ids_that_would_share_a_page_are_refused() {
        let cats = |ids: &[&str]| {
            let list: String = ids
                .iter()
                .map(|id| format!("  - id: \"{id}\"\n    label: {{ id: x, en: x }}\n"))
                .collect();
            Config::parse(Some(&format!("categories:\n{list}")), "insiden.yaml")
        };
        let err = cats(&["web defacement", "web-defacement"]).expect_err("one page");
        assert!(err[0].message.contains("categories/web-defacement.html"), "{err:?}");
        let err = cats(&["Index!"]).expect_err("the list page");
        assert!(err[0].message.contains("list page"), "{err:?}");
        let err = cats(&["!!"]).expect_err("no page name");
        assert!(err[0].message.contains("no letter or digit"), "{err:?}");
        assert!(cats(&["web-defacement", "web-defacement-2"]).is_ok());
    }

    #[test]
    fn teams_must_be_workflow_roles() {
        let err = Config::parse(
            Some("teams:\n  kadis: { name: Kepala Dinas, members: [] }\n"),
            "insiden.yaml",
        )
        .expect_err("role");
        assert!(err[0].message.contains("kadis"));
    }

    #[test]
    fn sla_accepts_one_duration_or_per_severity() {
        let c = Config::parse(
            Some("sla:\n  reported: 4h\n  triage: { default: 2d, critical: 4h }\n"),
            "insiden.yaml",
        )
        .expect("config");
        assert_eq!(c.sla["reported"].limit(None), Some(Duration::hours(4)));
        assert_eq!(
            c.sla["triage"].limit(Some(crate::model::Severity::Critical)),
            Some(Duration::hours(4))
        );
        assert_eq!(
            c.sla["triage"].limit(Some(crate::model::Severity::Low)),
            Some(Duration::days(2))
        );
    }

    #[test]
    fn a_replacement_workflow_is_validated() {
        let text = "workflow:\n  roles: [{ id: helpdesk, label: { id: H, en: H } }]\n  sections: []\n  initial: open\n  states: [{ id: open, label: { id: Buka, en: Open } }]\n  transitions:\n    - { from: new, to: open, by: [helpdesk] }\n    - { from: open, to: shut, by: [nobody] }\n";
        let err = Config::parse(Some(text), "insiden.yaml").expect_err("workflow");
        assert_eq!(err.len(), 2, "{err:?}");
    }
}
