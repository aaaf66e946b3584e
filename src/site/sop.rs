//! The internal site's SOP page: the SOP as configured — its ten steps with the team, the
//! *Kelengkapan*, the *Output* and the SLA of each, every state change with what it requires,
//! the qualifications, equipment and records, and the legal basis — from the same data the
//! rules enforce. Pure: a view from the configuration.

use crate::audience::clean;
use crate::config::Config;
use crate::i18n;
use crate::workflow::{Lang, TransitionDef, WindowRequirement, NEW};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SopStep {
    pub step: u8,
    pub label: String,
    pub activity: Option<String>,
    pub teams: Vec<String>,
    pub inputs: Option<String>,
    pub output: Option<String>,
    pub note: Option<String>,
    /// "Dilaporkan: 4 jam" per state that waits for this step.
    pub sla: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SopMove {
    pub step: Option<u8>,
    pub from: String,
    pub to: String,
    pub by: Vec<String>,
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SopView {
    pub title: String,
    pub number: String,
    pub unit: String,
    pub steps: Vec<SopStep>,
    pub moves: Vec<SopMove>,
    pub qualifications: Vec<String>,
    pub equipment: Vec<String>,
    pub records: Vec<String>,
    pub legal_basis: Vec<String>,
    pub warning: Option<String>,
    pub scan_categories: Vec<String>,
    pub autoresolve: String,
}

fn pick(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// A target as a person writes it: "4 jam", "2 hari", "1 hari 12 jam".
fn span(lang: Lang, d: chrono::Duration) -> String {
    let m = d.num_minutes().max(0);
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    let unit = |n: i64, id: &str, en: &str| match lang {
        Lang::Id => format!("{n} {id}"),
        Lang::En => format!("{n} {en}{}", if n == 1 { "" } else { "s" }),
    };
    let parts: Vec<String> = [(days, "hari", "day"), (hours, "jam", "hour"), (mins, "menit", "minute")]
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, id, en)| unit(n, id, en))
        .collect();
    if parts.is_empty() {
        unit(0, "menit", "minute")
    } else {
        parts.join(" ")
    }
}

/// The SOP page's view.
pub fn view(cfg: &Config, lang: Lang) -> SopView {
    let w = &cfg.workflow;
    let role = |r: &str| {
        cfg.teams
            .get(r)
            .map(|t| clean(&t.name))
            .or_else(|| w.roles.iter().find(|x| x.id == r).map(|x| x.label.get(lang).to_owned()))
            .unwrap_or_else(|| match r {
                crate::workflow::SYSTEM => pick(lang, "Sistem (bot CI)", "System (CI bot)"),
                other => other.to_owned(),
            })
    };
    let state = |s: &str| {
        if s == NEW {
            return pick(lang, "(baru)", "(new)");
        }
        w.state(s)
            .map_or_else(|| s.to_owned(), |d| d.label.get(lang).to_owned())
    };
    let section = |s: &str| {
        w.section(s)
            .map_or_else(|| s.to_owned(), |d| d.label.get(lang).to_owned())
    };
    let steps = w
        .steps
        .iter()
        .map(|s| {
            let mut teams: Vec<String> = Vec::new();
            for t in w.transitions.iter().filter(|t| t.step == Some(s.step) && !t.reopen) {
                for r in &t.by {
                    let name = role(r);
                    if !teams.contains(&name) {
                        teams.push(name);
                    }
                }
            }
            let sla = w
                .states
                .iter()
                .filter(|st| w.stage(&st.id) == Some(s.step))
                .filter_map(|st| {
                    let target = cfg.sla.get(&st.id)?;
                    let mut parts = Vec::new();
                    if let Some(d) = target.default {
                        parts.push(span(lang, d));
                    }
                    for (sev, d) in &target.by_severity {
                        parts.push(format!(
                            "{} {}",
                            i18n::term(lang, "severity", sev.as_str()),
                            span(lang, *d)
                        ));
                    }
                    (!parts.is_empty()).then(|| format!("{}: {}", st.label.get(lang), parts.join(", ")))
                })
                .collect();
            SopStep {
                step: s.step,
                label: s.label.get(lang).to_owned(),
                activity: s.activity.as_ref().map(|l| l.get(lang).to_owned()),
                teams,
                inputs: s.inputs.as_ref().map(|l| l.get(lang).to_owned()),
                output: s.output.as_ref().map(|l| l.get(lang).to_owned()),
                note: s.note.as_ref().map(|l| l.get(lang).to_owned()),
                sla,
            }
        })
        .collect();
    let scan_categories: Vec<String> = cfg
        .categories
        .iter()
        .filter(|c| c.requires_scan)
        .map(|c| clean(c.label.get(lang)))
        .collect();
    let requires = |t: &TransitionDef| -> Vec<String> {
        let r = &t.requires;
        let mut out: Vec<String> = r.fields.clone();
        out.extend(r.equals.iter().map(|(f, v)| format!("{f}: {v}")));
        out.extend(r.sections.iter().map(|s| format!("## {}", section(s))));
        if r.note {
            out.push(pick(lang, "catatan (note)", "a note"));
        }
        match r.window {
            Some(WindowRequirement::Open) => out.push(pick(
                lang,
                "masa autoresolve masih berjalan",
                "the autoresolve window still open",
            )),
            Some(WindowRequirement::Elapsed) => out.push(pick(
                lang,
                "masa autoresolve telah berakhir",
                "the autoresolve window elapsed",
            )),
            None => {}
        }
        if r.path_sections {
            out.push(pick(
                lang,
                "semua bagian yang diwajibkan langkah sebelumnya terisi",
                "every section the earlier steps required, filled",
            ));
        }
        if r.scan_report && !scan_categories.is_empty() {
            out.push(match lang {
                Lang::Id => format!(
                    "laporan hasil scanning website (kategori {})",
                    scan_categories.join(", ")
                ),
                Lang::En => format!("a website scan report (categories {})", scan_categories.join(", ")),
            });
        }
        out
    };
    let moves = w
        .transitions
        .iter()
        .map(|t| SopMove {
            step: t.step,
            from: t.from.iter().map(state).collect::<Vec<_>>().join(", "),
            to: state(&t.to),
            by: t.by.iter().map(|r| role(r)).collect(),
            requires: requires(t),
        })
        .collect();
    let days = cfg.autoresolve.days;
    SopView {
        title: cfg
            .sop
            .title
            .as_deref()
            .map_or_else(|| i18n::text(lang, "sop_page"), clean),
        number: clean(&cfg.organization.sop),
        unit: clean(&cfg.organization.unit),
        steps,
        moves,
        qualifications: cfg.sop.qualifications.iter().map(|s| clean(s)).collect(),
        equipment: cfg.sop.equipment.iter().map(|s| clean(s)).collect(),
        records: cfg.sop.records.iter().map(|s| clean(s)).collect(),
        legal_basis: cfg.report.legal_basis.iter().map(|s| clean(s)).collect(),
        warning: cfg.sop.warning.as_deref().map(clean),
        scan_categories,
        autoresolve: match (lang, cfg.autoresolve.business_days) {
            (Lang::Id, false) => {
                format!("Masa autoresolve: {days} hari kalender sejak laporan diteruskan kepada pemohon.")
            }
            (Lang::Id, true) => format!("Masa autoresolve: {days} hari kerja sejak laporan diteruskan kepada pemohon."),
            (Lang::En, false) => format!("Autoresolve window: {days} calendar days from delivery to the requester."),
            (Lang::En, true) => format!("Autoresolve window: {days} working days from delivery to the requester."),
        },
    }
}
