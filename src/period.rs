//! Report periods: a month (`2026-01`), a quarter (`2026-Q1`), a year (`2026`) or a custom
//! `[from, to)`, each half-open in the configured time zone, with their names for readers.
//!
//! Pure: no files, no clock.

use crate::model::Timestamp;
use crate::workflow::Lang;
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

/// What kind of period a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
    Custom,
}

/// A half-open span of time `[from, to)` in the configured zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// `2026-01`, `2026-Q1`, `2026` or `<from date>_<to date>`.
    pub key: String,
    pub kind: PeriodKind,
    pub from: Timestamp,
    pub to: Timestamp,
}

pub(crate) fn midnight(d: NaiveDate, tz: Tz) -> Option<Timestamp> {
    crate::time::localize(d.and_time(chrono::NaiveTime::MIN), tz)
}

impl Period {
    /// The calendar month `year-month` in `tz`.
    pub fn month(year: i32, month: u32, tz: Tz) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let to = from.checked_add_months(chrono::Months::new(1))?;
        Some(Period {
            key: format!("{year:04}-{month:02}"),
            kind: PeriodKind::Month,
            from: midnight(from, tz)?,
            to: midnight(to, tz)?,
        })
    }

    /// Quarter `q` (1–4) of `year` in `tz`.
    pub fn quarter(year: i32, q: u32, tz: Tz) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
        let to = from.checked_add_months(chrono::Months::new(3))?;
        Some(Period {
            key: format!("{year:04}-Q{q}"),
            kind: PeriodKind::Quarter,
            from: midnight(from, tz)?,
            to: midnight(to, tz)?,
        })
    }

    /// The calendar year in `tz`.
    pub fn year(year: i32, tz: Tz) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let to = NaiveDate::from_ymd_opt(year + 1, 1, 1)?;
        Some(Period {
            key: format!("{year:04}"),
            kind: PeriodKind::Year,
            from: midnight(from, tz)?,
            to: midnight(to, tz)?,
        })
    }

    /// Parses `2026-01`, `2026-Q1` (or `2026-q1`) or `2026`; years 1970 to 9998.
    pub fn parse(s: &str, tz: Tz) -> Result<Period, String> {
        let s = s.trim();
        let bad = || format!("`{s}` is not a period; write a month (2026-01), a quarter (2026-Q1) or a year (2026)");
        let year_of = |y: &str| -> Result<i32, String> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                let n: i32 = y.parse().map_err(|_| bad())?;
                if (1970..=9998).contains(&n) {
                    Ok(n)
                } else {
                    Err(format!("`{s}`: the year must be from 1970 to 9998"))
                }
            } else {
                Err(bad())
            }
        };
        match s.split_once('-') {
            None => Period::year(year_of(s)?, tz).ok_or_else(bad),
            Some((y, rest)) => {
                let year = year_of(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let quarter = || format!("`{s}`: a quarter is Q1, Q2, Q3 or Q4");
                    let q = match q.as_bytes() {
                        [d @ b'1'..=b'4'] => u32::from(d - b'0'),
                        _ => return Err(quarter()),
                    };
                    Period::quarter(year, q, tz).ok_or_else(quarter)
                } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                    let m: u32 = rest.parse().map_err(|_| bad())?;
                    Period::month(year, m, tz).ok_or_else(|| format!("`{s}`: a month is 01 to 12"))
                } else {
                    Err(bad())
                }
            }
        }
    }

    /// A custom `[from, to)`; both are times (or dates, meaning their midnight in `tz`).
    pub fn custom(from: &str, to: &str, tz: Tz) -> Result<Period, String> {
        let f = crate::time::parse_time(from, tz).map_err(|m| format!("--from: {m}"))?;
        let t = crate::time::parse_time(to, tz).map_err(|m| format!("--to: {m}"))?;
        if f >= t {
            return Err(format!(
                "the period is empty: --from {from} is not before --to {to} (the end is exclusive)"
            ));
        }
        let day = |x: Timestamp| crate::time::in_zone(x, tz).format("%Y-%m-%d").to_string();
        Ok(Period {
            key: format!("{}_{}", day(f), day(t)),
            kind: PeriodKind::Custom,
            from: f,
            to: t,
        })
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        t >= self.from && t < self.to
    }

    /// The period's name for readers: "Januari 2026", "Triwulan I 2026", "Tahun 2026".
    pub fn label(&self, lang: Lang, tz: Tz) -> String {
        let local = crate::time::in_zone(self.from, tz);
        let (y, m) = (local.year(), local.month());
        match self.kind {
            PeriodKind::Month => crate::i18n::month_year(lang, y, m),
            PeriodKind::Quarter => {
                let q = ["I", "II", "III", "IV"][((m - 1) / 3) as usize % 4];
                match lang {
                    Lang::Id => format!("Triwulan {q} {y}"),
                    Lang::En => format!("Q{} {y}", (m - 1) / 3 + 1),
                }
            }
            PeriodKind::Year => match lang {
                Lang::Id => format!("Tahun {y}"),
                Lang::En => format!("Year {y}"),
            },
            PeriodKind::Custom => {
                let f = crate::i18n::time(lang, self.from, tz).text;
                let t = crate::i18n::time(lang, self.to, tz).text;
                match lang {
                    Lang::Id => format!("{f} s.d. sebelum {t}"),
                    Lang::En => format!("{f} to before {t}"),
                }
            }
        }
    }

    /// The months the period touches, as `(year, month)`.
    pub fn months(&self, tz: Tz) -> Vec<(i32, u32)> {
        let start = crate::time::in_zone(self.from, tz).date_naive();
        let last = crate::time::in_zone(self.to - Duration::seconds(1), tz).date_naive();
        let mut out = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(start.year(), start.month(), 1);
        while let Some(x) = d {
            if x > last || out.len() > 1200 {
                break;
            }
            out.push((x.year(), x.month()));
            d = x.checked_add_months(chrono::Months::new(1));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JKT: Tz = chrono_tz::Asia::Jakarta;

    #[test]
    fn periods_parse_in_the_configured_zone_half_open() {
        let p = Period::parse("2026-01", JKT).expect("month");
        assert_eq!(p.from.to_rfc3339(), "2026-01-01T00:00:00+07:00");
        assert_eq!(p.to.to_rfc3339(), "2026-02-01T00:00:00+07:00");
        let q = Period::parse("2026-Q4", JKT).expect("quarter");
        assert_eq!(q.to.to_rfc3339(), "2027-01-01T00:00:00+07:00");
        assert_eq!(Period::parse("2026", JKT).expect("year").key, "2026");
        assert_eq!(Period::parse("2026-q2", JKT).expect("quarter").key, "2026-Q2");
        assert_eq!(Period::parse("1970-01", JKT).expect("first").key, "1970-01");
        assert_eq!(Period::parse("9998-Q4", JKT).expect("last").key, "9998-Q4");
        for bad in [
            "2026-13", "2026-Q5", "26", "2026-1", "x", "2026-Q", "", "0000", "9999", "1969", "2026-Q01", "2026-Q+1",
            "2026-Q0", "2026-Q 1", "+202", "2026-00", "9999-12",
        ] {
            assert!(Period::parse(bad, JKT).is_err(), "{bad}");
        }
        assert!(Period::custom("2026-02-01", "2026-01-01", JKT).is_err());
        assert!(Period::custom("2026-01-01", "2026-01-01", JKT).is_err());
        let c = Period::custom("2026-01-10", "2026-03-01", JKT).expect("custom");
        assert_eq!(c.months(JKT), vec![(2026, 1), (2026, 2)]);
    }
}
