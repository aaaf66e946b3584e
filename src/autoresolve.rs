//! SOP step 8–10 in CI: given the incidents, the workflow, the calendar and `now`, decide
//! which incidents the bot closes (their autoresolve window has elapsed) and which wait too
//! long for documentation. Returns a plan; it never edits text or commits (`cmd/autoresolve`
//! applies the plan through `edit`, `store` and `git`).

use crate::config::Config;
use crate::model::{Incident, Timestamp};
use crate::workflow::{WindowRequirement, SYSTEM};
use serde::Serialize;

/// One incident the bot closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Close {
    pub id: String,
    pub from: String,
    pub to: String,
    /// When the window opened (the latest entry into the window's state).
    pub opened: Timestamp,
    /// When it elapsed.
    pub ended: Timestamp,
}

/// One incident whose window elapsed before it was documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    pub id: String,
    pub status: String,
    pub ended: Timestamp,
    /// The teams that act next.
    pub next: Vec<String>,
}

/// What autoresolve will do at `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub close: Vec<Close>,
    pub overdue: Vec<Overdue>,
}

/// Decides, for every incident, whether the bot closes it now or it is overdue.
pub fn plan(incidents: &[&Incident], cfg: &Config, now: Timestamp) -> Plan {
    let w = &cfg.workflow;
    let cal = cfg.calendar();
    let mut out = Plan::default();
    for inc in incidents {
        let Some(opened) = w.window_start(&inc.history, inc.history.len()) else {
            continue;
        };
        let ended = cal.window_end(opened);
        if now < ended {
            continue;
        }
        let bot_move = w
            .transitions_from(&inc.status)
            .find(|t| t.by.iter().any(|b| b == SYSTEM) && t.requires.window == Some(WindowRequirement::Elapsed));
        if let Some(t) = bot_move {
            out.close.push(Close {
                id: inc.id.clone(),
                from: inc.status.clone(),
                to: t.to.clone(),
                opened,
                ended,
            });
        } else if w.window_opens.as_deref() == Some(inc.status.as_str()) {
            let next = w.state(&inc.status).map(|s| s.acts.clone()).unwrap_or_default();
            out.overdue.push(Overdue {
                id: inc.id.clone(),
                status: inc.status.clone(),
                ended,
                next,
            });
        }
    }
    out.close.sort_by(|a, b| a.id.cmp(&b.id));
    out.overdue.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The note of the bot's entry, naming the window.
pub fn note(cfg: &Config, c: &Close) -> String {
    let unit = if cfg.autoresolve.business_days {
        "hari kerja"
    } else {
        "hari"
    };
    let end = crate::time::in_zone(c.ended, cfg.timezone).format("%Y-%m-%d %H:%M");
    format!(
        "Masa autoresolve {} {unit} berakhir {end} {} tanpa laporan lanjutan",
        cfg.autoresolve.days,
        crate::time::zone_label(c.ended, cfg.timezone)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HistoryEntry;

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn inc(id: &str, entries: &[(&str, &str)]) -> Incident {
        Incident {
            id: id.into(),
            status: entries.last().map(|e| e.0.to_owned()).unwrap_or_default(),
            history: entries
                .iter()
                .map(|(to, t)| HistoryEntry {
                    at: at(t),
                    to: (*to).into(),
                    by: "x".into(),
                    actor: None,
                    note: None,
                })
                .collect(),
            ..Incident::default()
        }
    }

    #[test]
    fn documented_incidents_close_when_the_window_elapses_and_resolved_ones_are_overdue() {
        let cfg = Config::builtin();
        let a = inc(
            "INC-2026-0001",
            &[
                ("resolved", "2026-03-02T10:00:00+07:00"),
                ("documented", "2026-03-03T10:00:00+07:00"),
            ],
        );
        let b = inc("INC-2026-0002", &[("resolved", "2026-03-02T10:00:00+07:00")]);
        let c = inc(
            "INC-2026-0003",
            &[
                ("resolved", "2026-03-05T10:00:00+07:00"),
                ("documented", "2026-03-05T11:00:00+07:00"),
            ],
        );
        let d = inc("INC-2026-0004", &[("triage", "2026-01-01T10:00:00+07:00")]);
        let p = plan(&[&a, &b, &c, &d], &cfg, at("2026-03-07T10:00:00+07:00"));
        assert_eq!(
            p.close.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["INC-2026-0001"]
        );
        assert_eq!(p.close[0].ended, at("2026-03-07T10:00:00+07:00"));
        assert_eq!(
            p.overdue.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            ["INC-2026-0002"]
        );
        assert_eq!(p.overdue[0].next, ["data"]);
        assert!(plan(&[&a], &cfg, at("2026-03-07T09:59:00+07:00")).close.is_empty());
    }

    #[test]
    fn a_follow_up_restarts_the_window() {
        let cfg = Config::builtin();
        let a = inc(
            "INC-2026-0001",
            &[
                ("resolved", "2026-03-02T10:00:00+07:00"),
                ("triage", "2026-03-04T10:00:00+07:00"),
                ("resolved", "2026-03-06T10:00:00+07:00"),
                ("documented", "2026-03-06T11:00:00+07:00"),
            ],
        );
        assert!(plan(&[&a], &cfg, at("2026-03-10T10:00:00+07:00")).close.is_empty());
        assert_eq!(plan(&[&a], &cfg, at("2026-03-11T10:00:00+07:00")).close.len(), 1);
    }

    #[test]
    fn the_note_names_the_window_in_the_configured_zone() {
        let cfg = Config::builtin();
        let c = Close {
            id: "x".into(),
            from: "documented".into(),
            to: "closed".into(),
            opened: at("2026-03-02T03:00:00Z"),
            ended: at("2026-03-07T03:00:00Z"),
        };
        assert_eq!(
            note(&cfg, &c),
            "Masa autoresolve 5 hari berakhir 2026-03-07 10:00 WIB tanpa laporan lanjutan"
        );
    }
}
