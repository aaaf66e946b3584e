//! Time: parsing timestamps (an offset-less time is read in the configured zone), durations,
//! and the calendar of the autoresolve window in calendar or working days.
//!
//! Pure: it never reads the system clock. `now` is always an argument, read once by the
//! command layer.

use crate::model::Timestamp;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Parses an RFC 3339 time; a time without offset (`2026-01-21T09:15[:00]`, also with a
/// space instead of `T`) is read in `tz`. A bare date means its midnight in `tz`.
pub fn parse_time(s: &str, tz: Tz) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    // RFC 3339 with a lower-case or space separator and an offset.
    for fmt in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Ok(t);
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return localize(naive, tz)
                .ok_or_else(|| format!("`{s}` does not exist in time zone {tz} (a daylight-saving gap)"));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return localize(date.and_time(NaiveTime::MIN), tz).ok_or_else(|| format!("`{s}` does not exist in {tz}"));
    }
    Err(format!(
        "`{s}` is not a time; write RFC 3339, e.g. 2026-01-21T09:15:00+07:00"
    ))
}

/// A local wall-clock time in `tz` with that zone's offset.
pub fn localize(naive: NaiveDateTime, tz: Tz) -> Option<Timestamp> {
    tz.from_local_datetime(&naive).earliest().map(|t| t.fixed_offset())
}

/// Shows a time in `tz`.
pub fn in_zone(t: Timestamp, tz: Tz) -> DateTime<Tz> {
    t.with_timezone(&tz)
}

/// The short label of a zone at a time: `WIB` for Asia/Jakarta, else its abbreviation.
pub fn zone_label(t: Timestamp, tz: Tz) -> String {
    match tz.name() {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".into(),
        "Asia/Makassar" => "WITA".into(),
        "Asia/Jayapura" => "WIT".into(),
        _ => in_zone(t, tz).format("%Z").to_string(),
    }
}

/// RFC 3339 with the offset, e.g. `2026-01-21T09:15:00+07:00`, without a format string
/// (pages print thousands of these).
pub fn rfc3339_local(t: Timestamp, tz: Tz) -> String {
    rfc3339_of(&in_zone(t, tz))
}

/// [`rfc3339_local`] of a time already shown in its zone.
pub fn rfc3339_of(local: &DateTime<Tz>) -> String {
    use chrono::{Offset, Timelike};
    let secs = local.offset().fix().local_minus_utc();
    let (sign, secs) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
    let mut s = String::with_capacity(25);
    push_date(&mut s, local.date_naive());
    s.push('T');
    push_digits(&mut s, local.hour(), 2);
    s.push(':');
    push_digits(&mut s, local.minute(), 2);
    s.push(':');
    push_digits(&mut s, local.second(), 2);
    s.push(sign);
    push_digits(&mut s, secs.unsigned_abs() / 3600, 2);
    s.push(':');
    push_digits(&mut s, (secs.unsigned_abs() % 3600) / 60, 2);
    s
}

/// Appends `d` as `2026-01-21`.
pub fn push_date(s: &mut String, d: chrono::NaiveDate) {
    push_digits(s, u32::try_from(d.year()).unwrap_or(0), 4);
    s.push('-');
    push_digits(s, d.month(), 2);
    s.push('-');
    push_digits(s, d.day(), 2);
}

/// Appends `n` in decimal, zero-padded to `width` digits (more when it needs them).
pub fn push_digits(s: &mut String, n: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(buf.len().saturating_sub(width));
    s.extend(buf[start..].iter().map(|&b| char::from(b)));
}

/// The longest duration the configuration accepts (ten years): longer ones are typos, and
/// bounding them keeps every time computation far from overflow.
pub const MAX_DURATION_DAYS: i64 = 3660;

/// Parses `<n>m`, `<n>h` or `<n>d`, up to [`MAX_DURATION_DAYS`].
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let err = || format!("`{s}` is not a duration; write <n>m, <n>h or <n>d, e.g. 4h");
    let unit = s.chars().last().ok_or_else(err)?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| err())?;
    if n < 0 {
        return Err(err());
    }
    let d = match unit {
        'm' => Duration::try_minutes(n),
        'h' => Duration::try_hours(n),
        'd' => Duration::try_days(n),
        _ => return Err(err()),
    };
    match d {
        Some(d) if d <= Duration::days(MAX_DURATION_DAYS) => Ok(d),
        _ => Err(format!("`{s}` is longer than {MAX_DURATION_DAYS} days")),
    }
}

/// Renders a duration the way the config writes it (largest exact unit).
pub fn format_duration(d: Duration) -> String {
    let m = d.num_minutes();
    if m != 0 && m % (24 * 60) == 0 {
        format!("{}d", m / (24 * 60))
    } else if m != 0 && m % 60 == 0 {
        format!("{}h", m / 60)
    } else {
        format!("{m}m")
    }
}

/// Hours as a decimal, for humans and reports.
pub fn hours(d: Duration) -> f64 {
    d.num_seconds() as f64 / 3600.0
}

/// Renders an age compactly: `3d 4h`, `5h 10m`, `12m`.
pub fn format_age(d: Duration) -> String {
    let m = d.num_minutes().max(0);
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    }
}

/// The autoresolve calendar: how long the window lasts and which days count.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub tz: Tz,
    pub days: u32,
    pub business_days: bool,
    pub holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Whether `date` is a working day: not Saturday or Sunday, not a listed holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// When a window opened at `start` has elapsed.
    ///
    /// Calendar days: `start` plus `days` × 24 hours. Working days: the same wall-clock time
    /// on the `days`-th working day after the start's date (in the configured zone), so a
    /// window opened on Friday 10:00 with 5 working days ends the next Friday 10:00, later
    /// for each holiday in between.
    pub fn window_end(&self, start: Timestamp) -> Timestamp {
        if !self.business_days {
            // `days` is bounded by the configuration; saturate rather than overflow anyway.
            return start
                .checked_add_signed(Duration::days(i64::from(self.days)))
                .unwrap_or(start);
        }
        let local = in_zone(start, self.tz);
        let mut date = local.date_naive();
        let mut counted = 0;
        // Bounded: even a calendar of nothing but holidays cannot loop forever.
        let mut guard = 0;
        while counted < self.days && guard < 3660 {
            date = date.succ_opt().unwrap_or(date);
            if self.is_working_day(date) {
                counted += 1;
            }
            guard += 1;
        }
        localize(date.and_time(local.time()), self.tz).unwrap_or_else(|| start + Duration::days(i64::from(guard)))
    }

    /// Whether the window opened at `start` has elapsed at `at`.
    pub fn elapsed(&self, start: Timestamp, at: Timestamp) -> bool {
        at >= self.window_end(start)
    }
}

/// Office hours: the days of the week and the hours of the day that count as working time,
/// less the holidays (SOP *hari kerja*; `sla.clock: business`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    pub tz: Tz,
    /// Monday first: whether each day of the week is a working day.
    pub days: [bool; 7],
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub holidays: BTreeSet<NaiveDate>,
}

impl OfficeHours {
    fn works_on(&self, day: Weekday) -> bool {
        self.days[day.num_days_from_monday() as usize]
    }

    fn open_on(&self, date: NaiveDate) -> bool {
        self.works_on(date.weekday()) && !self.holidays.contains(&date)
    }

    /// The working time of one day that falls between `from` and `to`.
    fn on_day(&self, date: NaiveDate, from: Timestamp, to: Timestamp) -> Duration {
        if !self.open_on(date) {
            return Duration::zero();
        }
        let (Some(open), Some(close)) = (
            localize(date.and_time(self.start), self.tz),
            localize(date.and_time(self.end), self.tz),
        ) else {
            return Duration::zero();
        };
        (close.min(to) - open.max(from)).max(Duration::zero())
    }

    /// The working time between two instants: only the office hours of working days count,
    /// so a report on Friday at 17:00 has waited no time by Monday at 07:30. Linear in the
    /// number of weeks at most: whole weeks are counted at once.
    pub fn between(&self, from: Timestamp, to: Timestamp) -> Duration {
        if to <= from || self.end <= self.start {
            return Duration::zero();
        }
        let first = in_zone(from, self.tz).date_naive();
        let last = in_zone(to, self.tz).date_naive();
        let day = self.end - self.start;
        let mut total = Duration::zero();
        let mut date = first;
        while date <= last {
            let whole_week_ahead = date > first && (last - date).num_days() > 7;
            if whole_week_ahead {
                let weeks = ((last - date).num_days() - 1) / 7;
                let end = date + Duration::days(weeks * 7);
                let holidays = self
                    .holidays
                    .range(date..end)
                    .filter(|h| self.works_on(h.weekday()))
                    .count();
                let per_week = self.days.iter().filter(|d| **d).count();
                let working = weeks * per_week as i64 - holidays as i64;
                total += day * i32::try_from(working).unwrap_or(i32::MAX);
                date = end;
                continue;
            }
            total += self.on_day(date, from, to);
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn cal(business: bool, holidays: &[&str]) -> Calendar {
        Calendar {
            tz: chrono_tz::Asia::Jakarta,
            days: 5,
            business_days: business,
            holidays: holidays
                .iter()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date"))
                .collect(),
        }
    }

    #[test]
    fn times_without_offset_are_read_in_the_configured_zone() {
        let jkt = chrono_tz::Asia::Jakarta;
        assert_eq!(
            parse_time("2026-01-21T09:15:00", jkt),
            Ok(t("2026-01-21T09:15:00+07:00"))
        );
        assert_eq!(parse_time("2026-01-21 09:15", jkt), Ok(t("2026-01-21T09:15:00+07:00")));
        assert_eq!(
            parse_time("2026-01-21T02:15:00Z", jkt),
            Ok(t("2026-01-21T02:15:00+00:00"))
        );
        assert_eq!(parse_time("2026-01-21", jkt), Ok(t("2026-01-21T00:00:00+07:00")));
        assert!(parse_time("21/01/2026", jkt).is_err());
        assert!(parse_time("2026-02-30T10:00:00+07:00", jkt).is_err());
    }

    #[test]
    fn durations_accept_minutes_hours_and_days_only() {
        assert_eq!(parse_duration("90m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("4h"), Ok(Duration::hours(4)));
        assert_eq!(parse_duration("2d"), Ok(Duration::days(2)));
        for bad in [
            "",
            "4",
            "h",
            "4w",
            "-1d",
            "1.5h",
            "é",
            "3661d",
            "9999999999999999d",
            "99999999999999m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::hours(72)), "3d");
        assert_eq!(format_duration(Duration::minutes(90)), "90m");
    }

    #[test]
    fn calendar_window_is_five_times_twenty_four_hours_to_the_minute() {
        let c = cal(false, &[]);
        let start = t("2026-03-06T10:00:00+07:00");
        assert!(!c.elapsed(start, t("2026-03-11T09:59:00+07:00")));
        assert!(c.elapsed(start, t("2026-03-11T10:00:00+07:00")));
    }

    #[test]
    fn working_day_window_skips_the_weekend() {
        // Friday 10:00 → next Friday 10:00.
        let c = cal(true, &[]);
        let start = t("2026-03-06T10:00:00+07:00");
        assert_eq!(c.window_end(start), t("2026-03-13T10:00:00+07:00"));
        assert!(!c.elapsed(start, t("2026-03-13T09:59:00+07:00")));
    }

    #[test]
    fn working_day_window_skips_holidays() {
        // Nyepi (2026-03-19, Thursday) and cuti bersama (2026-03-20) inside the window.
        let c = cal(true, &["2026-03-19", "2026-03-20"]);
        let start = t("2026-03-16T08:00:00+07:00"); // Monday
        assert_eq!(c.window_end(start), t("2026-03-25T08:00:00+07:00"));
    }

    #[test]
    fn window_opened_on_a_holiday_counts_from_the_next_working_day() {
        let c = cal(true, &["2026-12-25"]);
        let start = t("2026-12-25T09:00:00+07:00"); // Friday, Christmas
        assert_eq!(c.window_end(start), t("2027-01-01T09:00:00+07:00"));
    }

    #[test]
    fn zone_label_is_wib_for_jakarta() {
        assert_eq!(zone_label(t("2026-01-01T00:00:00Z"), chrono_tz::Asia::Jakarta), "WIB");
    }

    #[test]
    fn local_rfc3339_matches_chrono_in_any_zone() {
        for (s, tz) in [
            ("2026-01-01T00:00:00Z", chrono_tz::Asia::Jakarta),
            ("2026-07-01T12:34:56Z", chrono_tz::America::St_Johns),
            ("2026-03-29T01:30:00Z", chrono_tz::Europe::Berlin),
        ] {
            let t = t(s);
            assert_eq!(
                rfc3339_local(t, tz),
                in_zone(t, tz).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                "{s}"
            );
        }
    }

    fn office() -> OfficeHours {
        OfficeHours {
            tz: chrono_tz::Asia::Jakarta,
            days: [true, true, true, true, true, false, false],
            start: NaiveTime::from_hms_opt(7, 30, 0).expect("t"),
            end: NaiveTime::from_hms_opt(16, 0, 0).expect("t"),
            holidays: [NaiveDate::from_ymd_opt(2026, 12, 25).expect("d")]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn office_hours_skip_evenings_weekends_and_holidays() {
        let o = office();
        // Friday 17:00 → Monday 09:00: only Monday 07:30–09:00 counts.
        assert_eq!(
            o.between(t("2026-12-04T17:00:00+07:00"), t("2026-12-07T09:00:00+07:00")),
            Duration::minutes(90)
        );
        // Within one working day.
        assert_eq!(
            o.between(t("2026-12-07T10:00:00+07:00"), t("2026-12-07T12:15:00+07:00")),
            Duration::minutes(135)
        );
        // Christmas (a Friday) is not counted.
        assert_eq!(
            o.between(t("2026-12-24T15:00:00+07:00"), t("2026-12-28T08:30:00+07:00")),
            Duration::minutes(120)
        );
        // Backwards or empty spans are nothing.
        assert_eq!(
            o.between(t("2026-12-07T12:00:00+07:00"), t("2026-12-07T10:00:00+07:00")),
            Duration::zero()
        );
    }

    #[test]
    fn long_spans_count_whole_weeks_at_once_and_agree_with_day_by_day() {
        let o = office();
        let from = t("2026-01-02T09:00:00+07:00");
        for days in [3, 8, 15, 40, 400, 3700] {
            let to = from + Duration::days(days) + Duration::hours(5);
            let mut slow = Duration::zero();
            let mut d = in_zone(from, o.tz).date_naive();
            while d <= in_zone(to, o.tz).date_naive() {
                slow += o.on_day(d, from, to);
                d = d.succ_opt().expect("day");
            }
            assert_eq!(o.between(from, to), slow, "{days} days");
        }
    }
}
