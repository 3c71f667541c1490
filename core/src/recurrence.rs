//! Recurring bookings: "the pool, every Tuesday at 09:00" (R22).
//!
//! A [`RecurrenceRule`] is the part of RFC 5545 (§3.3.10) a small business
//! needs: `FREQ` `DAILY`, `WEEKLY` or `MONTHLY`, `INTERVAL`, `BYDAY` (with an
//! ordinal such as `2TU` or `-1FR` for monthly rules) and `COUNT` or `UNTIL`.
//! It is expanded in the business's local time: every occurrence is at the
//! same wall-clock time as the first, whatever the offset that day, and a
//! wall time that does not exist or happens twice is resolved by the
//! engine's DST rule ([`Disambiguation::Compatible`]).
//!
//! Choices where RFC 5545 leaves room or surprises:
//! - The occurrences are the dates that match the rule on or after the first
//!   date; the first date itself is an occurrence only if it matches (as
//!   python-dateutil does; RFC 5545 would always count it, which books a
//!   Monday for a "every Tuesday" rule started on a Monday).
//! - A monthly rule on the 31st skips the months without one (RFC 5545).
//! - Weeks start on Monday (`WKST=MO`, the RFC's default).
//! - At most [`MAX_OCCURRENCES`] occurrences, so a rule cannot make unbounded
//!   work; a rule whose `UNTIL` would make more is refused, not cut short.
//!
//! Booking the occurrences, all or none, is the use case's
//! ([`crate::agenda::Agenda::book_series`]).

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;

use crate::error::{Error, Problem};
use crate::time::{Disambiguation, LocalTime};

/// The most occurrences a rule may have: two years of a daily rule.
pub const MAX_OCCURRENCES: usize = 731;
/// The most periods (days, weeks or months) an expansion walks before it
/// gives up looking for another occurrence.
const MAX_PERIODS: u32 = 50_000;

/// How often a rule repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// Every `INTERVAL` days.
    Daily,
    /// Every `INTERVAL` weeks.
    Weekly,
    /// Every `INTERVAL` months.
    Monthly,
}

/// A `BYDAY` entry: a weekday, with an ordinal in monthly rules (`1MO` the
/// first Monday, `-1FR` the last Friday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ByDay {
    ordinal: Option<i8>,
    weekday: Weekday,
}

impl ByDay {
    /// Every `weekday` of the period.
    pub fn every(weekday: Weekday) -> ByDay {
        ByDay {
            ordinal: None,
            weekday,
        }
    }

    /// The `ordinal`-th `weekday` of the month, from the end when negative.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `byday` unless `ordinal` is 1 to 5 or −1 to −5.
    pub fn nth(ordinal: i8, weekday: Weekday) -> Result<ByDay, Error> {
        if ordinal == 0 || !(-5..=5).contains(&ordinal) {
            return Err(Error::invalid(
                "byday",
                Problem::BadRecurrence {
                    detail: format!("ordinal {ordinal} is not 1 to 5 or -1 to -5"),
                },
            ));
        }
        Ok(ByDay {
            ordinal: Some(ordinal),
            weekday,
        })
    }

    /// The ordinal, if any.
    pub fn ordinal(&self) -> Option<i8> {
        self.ordinal
    }

    /// The weekday.
    pub fn weekday(&self) -> Weekday {
        self.weekday
    }

    fn matches(&self, date: NaiveDate) -> bool {
        if date.weekday() != self.weekday {
            return false;
        }
        match self.ordinal {
            None => true,
            Some(n) if n > 0 => (date.day0() / 7) as i8 + 1 == n,
            Some(n) => {
                let days_in_month = last_day_of_month(date).day();
                -(((days_in_month - date.day()) / 7) as i8 + 1) == n
            }
        }
    }
}

/// When a rule stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum End {
    /// After this many occurrences.
    Count(u32),
    /// At this instant, inclusive (`UNTIL=20260630T120000Z`).
    Until(DateTime<Utc>),
    /// At the end of this local date, inclusive (`UNTIL=20260630`).
    UntilDate(NaiveDate),
}

/// A recurrence rule in RFC 5545 terms.
///
/// # Example
/// ```
/// use agendo_core::recurrence::RecurrenceRule;
/// use chrono::NaiveDateTime;
///
/// // Every other Tuesday at 09:00 in São Paulo, four times.
/// let rule = RecurrenceRule::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4")?;
/// let first: NaiveDateTime = "2026-03-03T09:00:00".parse().unwrap();
/// let starts = rule.expand(chrono_tz::America::Sao_Paulo, first)?;
/// let text: Vec<String> = starts.iter().map(|s| s.format("%m-%d %H:%M").to_string()).collect();
/// assert_eq!(text, ["03-03 12:00", "03-17 12:00", "03-31 12:00", "04-14 12:00"]);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecurrenceRule {
    frequency: Frequency,
    interval: u32,
    by_day: Vec<ByDay>,
    end: End,
}

impl RecurrenceRule {
    /// A rule.
    ///
    /// # Errors
    /// [`Error::Invalid`] for
    /// - `interval` below 1 or above 1000;
    /// - `count` below 1 or above [`MAX_OCCURRENCES`];
    /// - `byday` with an ordinal in a daily or weekly rule, or a weekday
    ///   given twice.
    pub fn new(
        frequency: Frequency,
        interval: u32,
        by_day: impl IntoIterator<Item = ByDay>,
        end: End,
    ) -> Result<RecurrenceRule, Error> {
        if !(1..=1000).contains(&interval) {
            return Err(Error::invalid(
                "interval",
                Problem::BadRecurrence {
                    detail: format!("interval {interval} is not 1 to 1000"),
                },
            ));
        }
        if let End::Count(count) = end {
            if count == 0 || count as usize > MAX_OCCURRENCES {
                return Err(Error::invalid(
                    "count",
                    Problem::BadRecurrence {
                        detail: format!("count {count} is not 1 to {MAX_OCCURRENCES}"),
                    },
                ));
            }
        }
        let mut by_day: Vec<ByDay> = by_day.into_iter().collect();
        for (i, day) in by_day.iter().enumerate() {
            if day.ordinal.is_some() && frequency != Frequency::Monthly {
                return Err(Error::invalid(
                    "byday",
                    Problem::BadRecurrence {
                        detail: "an ordinal weekday (1MO, -1FR) needs FREQ=MONTHLY".into(),
                    },
                ));
            }
            if by_day[..i].contains(day) {
                return Err(Error::invalid(
                    "byday",
                    Problem::Duplicate {
                        value: byday_text(day),
                    },
                ));
            }
        }
        by_day.sort_by_key(|d| (d.weekday.num_days_from_monday(), d.ordinal));
        Ok(RecurrenceRule {
            frequency,
            interval,
            by_day,
            end,
        })
    }

    /// Reads a rule written as an RFC 5545 `RRULE` value, with or without
    /// the `RRULE:` prefix: `FREQ=WEEKLY;BYDAY=TU;COUNT=10`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `rrule` (or the part at fault) with
    /// [`Problem::BadRecurrence`] saying what is wrong: a missing `FREQ`, an
    /// unsupported part (`BYMONTH`, `FREQ=YEARLY`), both `COUNT` and
    /// `UNTIL`, a bad number or date.
    pub fn parse(text: &str) -> Result<RecurrenceRule, Error> {
        let bad = |detail: String| Error::invalid("rrule", Problem::BadRecurrence { detail });
        let body = text.trim();
        let body = body.strip_prefix("RRULE:").unwrap_or(body);
        let (mut frequency, mut interval, mut by_day, mut end) = (None, 1, Vec::new(), None);
        for part in body.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').ok_or_else(|| {
                bad(format!(
                    "\"{}\" is not NAME=VALUE",
                    crate::error::clip(part)
                ))
            })?;
            match name.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    frequency = Some(match value.to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        other => {
                            return Err(bad(format!(
                                "FREQ={} is not supported (DAILY, WEEKLY or MONTHLY)",
                                crate::error::clip(other)
                            )))
                        }
                    })
                }
                "INTERVAL" => {
                    interval = value.parse().map_err(|_| {
                        bad(format!(
                            "INTERVAL={} is not a number",
                            crate::error::clip(value)
                        ))
                    })?
                }
                "COUNT" | "UNTIL" if end.is_some() => {
                    return Err(bad("COUNT and UNTIL cannot both be given".into()))
                }
                "COUNT" => {
                    end = Some(End::Count(value.parse().map_err(|_| {
                        bad(format!(
                            "COUNT={} is not a number",
                            crate::error::clip(value)
                        ))
                    })?))
                }
                "UNTIL" => {
                    end = Some(parse_until(value).ok_or_else(|| {
                        bad(format!(
                        "UNTIL={} is not a date (20260630) or a UTC date-time (20260630T120000Z)",
                        crate::error::clip(value)
                    ))
                    })?)
                }
                "BYDAY" => {
                    for day in value.split(',') {
                        by_day.push(parse_byday(day).ok_or_else(|| {
                            bad(format!(
                                "BYDAY {} is not a weekday such as TU, 2TU or -1FR",
                                crate::error::clip(day)
                            ))
                        })??);
                    }
                }
                "WKST" if value.eq_ignore_ascii_case("MO") => {}
                other => {
                    return Err(bad(format!(
                        "{} is not supported (FREQ, INTERVAL, BYDAY, COUNT, UNTIL)",
                        crate::error::clip(other)
                    )))
                }
            }
        }
        let frequency = frequency.ok_or_else(|| bad("FREQ is missing".into()))?;
        let end = end.ok_or_else(|| bad("COUNT or UNTIL is needed: a series must end".into()))?;
        RecurrenceRule::new(frequency, interval, by_day, end)
    }

    /// The frequency.
    pub fn frequency(&self) -> Frequency {
        self.frequency
    }
    /// Every how many periods.
    pub fn interval(&self) -> u32 {
        self.interval
    }
    /// The `BYDAY` entries, Monday first.
    pub fn by_day(&self) -> &[ByDay] {
        &self.by_day
    }
    /// When it stops.
    pub fn end(&self) -> End {
        self.end
    }

    /// The starts of the occurrences, in order, for a first occurrence at
    /// local `first` in `zone`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `until` when the rule would make more than
    /// [`MAX_OCCURRENCES`]; [`Error::LocalTimeOutOfRange`] at the far ends
    /// of the calendar.
    pub fn expand(&self, zone: Tz, first: NaiveDateTime) -> Result<Vec<DateTime<Utc>>, Error> {
        let start_date = first.date();
        let time = first.time();
        let mut out = Vec::new();
        for k in 0..MAX_PERIODS {
            let Some(period) = self.period_start(start_date, k) else {
                break;
            };
            if self.past_end(period, zone)? {
                break;
            }
            for date in self.dates_in(period, start_date) {
                let instant =
                    LocalTime::of(zone, date.and_time(time)).instant(Disambiguation::Compatible)?;
                let done = match self.end {
                    End::Count(n) => out.len() >= n as usize,
                    End::Until(until) => instant > until,
                    End::UntilDate(until) => date > until,
                };
                if done {
                    return Ok(out);
                }
                if out.len() == MAX_OCCURRENCES {
                    return Err(Error::invalid(
                        "until",
                        Problem::TooMany {
                            count: MAX_OCCURRENCES + 1,
                            max: MAX_OCCURRENCES,
                        },
                    ));
                }
                out.push(instant);
            }
        }
        Ok(out)
    }

    /// The first date of period `k`: day, Monday of the week or first of
    /// the month.
    fn period_start(&self, start: NaiveDate, k: u32) -> Option<NaiveDate> {
        let steps = k.checked_mul(self.interval)?;
        match self.frequency {
            Frequency::Daily => start.checked_add_signed(TimeDelta::days(i64::from(steps))),
            Frequency::Weekly => {
                let monday =
                    start - TimeDelta::days(i64::from(start.weekday().num_days_from_monday()));
                monday.checked_add_signed(TimeDelta::weeks(i64::from(steps)))
            }
            Frequency::Monthly => start.with_day(1)?.checked_add_months(Months::new(steps)),
        }
    }

    /// Whether period starting at `period` begins after the rule's end.
    fn past_end(&self, period: NaiveDate, zone: Tz) -> Result<bool, Error> {
        Ok(match self.end {
            End::Count(_) => false,
            End::UntilDate(until) => period > until,
            End::Until(until) => period > until.with_timezone(&zone).date_naive(),
        })
    }

    /// The dates of the period starting at `period` that match the rule, in
    /// order, on or after `start`.
    fn dates_in(&self, period: NaiveDate, start: NaiveDate) -> Vec<NaiveDate> {
        let mut dates: Vec<NaiveDate> = match self.frequency {
            Frequency::Daily => vec![period],
            Frequency::Weekly => {
                let days: Vec<Weekday> = if self.by_day.is_empty() {
                    vec![start.weekday()]
                } else {
                    self.by_day.iter().map(|d| d.weekday).collect()
                };
                days.iter()
                    .filter_map(|d| {
                        period.checked_add_signed(TimeDelta::days(i64::from(
                            d.num_days_from_monday(),
                        )))
                    })
                    .collect()
            }
            Frequency::Monthly if self.by_day.is_empty() => {
                period.with_day(start.day()).into_iter().collect()
            }
            Frequency::Monthly => period
                .iter_days()
                .take_while(|d| d.month() == period.month())
                .collect(),
        };
        dates.retain(|d| {
            *d >= start
                && (self.by_day.is_empty()
                    || self.frequency == Frequency::Weekly
                    || self.by_day.iter().any(|b| b.matches(*d)))
        });
        dates.sort_unstable();
        dates.dedup();
        dates
    }
}

impl fmt::Display for RecurrenceRule {
    /// The rule as an RFC 5545 `RRULE` value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let freq = match self.frequency {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
        };
        write!(f, "FREQ={freq}")?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self.by_day.iter().map(byday_text).collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        match self.end {
            End::Count(n) => write!(f, ";COUNT={n}"),
            End::Until(at) => write!(f, ";UNTIL={}", at.format("%Y%m%dT%H%M%SZ")),
            End::UntilDate(date) => write!(f, ";UNTIL={}", date.format("%Y%m%d")),
        }
    }
}

fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date)
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Mon),
    ("TU", Weekday::Tue),
    ("WE", Weekday::Wed),
    ("TH", Weekday::Thu),
    ("FR", Weekday::Fri),
    ("SA", Weekday::Sat),
    ("SU", Weekday::Sun),
];

fn byday_text(day: &ByDay) -> String {
    let name = WEEKDAYS
        .iter()
        .find(|(_, w)| *w == day.weekday)
        .map_or("", |(n, _)| *n);
    match day.ordinal {
        Some(n) => format!("{n}{name}"),
        None => name.to_owned(),
    }
}

fn parse_byday(text: &str) -> Option<Result<ByDay, Error>> {
    let text = text.trim().to_ascii_uppercase();
    let split = text.len().checked_sub(2)?;
    let (ordinal, name) = text.split_at_checked(split)?;
    let weekday = WEEKDAYS.iter().find(|(n, _)| *n == name)?.1;
    if ordinal.is_empty() {
        return Some(Ok(ByDay::every(weekday)));
    }
    let ordinal: i8 = ordinal.strip_prefix('+').unwrap_or(ordinal).parse().ok()?;
    Some(ByDay::nth(ordinal, weekday))
}

fn parse_until(text: &str) -> Option<End> {
    if let Some(stamp) = text.strip_suffix('Z') {
        let local = NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S").ok()?;
        return Some(End::Until(local.and_utc()));
    }
    NaiveDate::parse_from_str(text, "%Y%m%d")
        .ok()
        .filter(|_| text.len() == 8)
        .map(End::UntilDate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        s.parse().unwrap()
    }
    fn dates(rule: &str, first: &str) -> Vec<String> {
        RecurrenceRule::parse(rule)
            .unwrap()
            .expand(chrono_tz::UTC, local(first))
            .unwrap()
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect()
    }

    #[test]
    fn weekly_by_day_skips_a_first_date_that_does_not_match() {
        // 2026-03-02 is a Monday.
        assert_eq!(
            dates("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3", "2026-03-02T09:00:00"),
            ["2026-03-03", "2026-03-05", "2026-03-10"]
        );
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months() {
        assert_eq!(
            dates("FREQ=MONTHLY;COUNT=3", "2026-01-31T09:00:00"),
            ["2026-01-31", "2026-03-31", "2026-05-31"]
        );
    }

    #[test]
    fn monthly_last_friday_and_second_tuesday() {
        assert_eq!(
            dates("FREQ=MONTHLY;BYDAY=-1FR;COUNT=2", "2026-01-01T09:00:00"),
            ["2026-01-30", "2026-02-27"]
        );
        assert_eq!(
            dates(
                "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20260331",
                "2026-01-01T09:00:00"
            ),
            ["2026-01-13", "2026-02-10", "2026-03-10"]
        );
    }

    #[test]
    fn daily_with_interval_and_until_instant_inclusive() {
        assert_eq!(
            dates(
                "FREQ=DAILY;INTERVAL=3;UNTIL=20260307T090000Z",
                "2026-03-01T09:00:00"
            ),
            ["2026-03-01", "2026-03-04", "2026-03-07"]
        );
    }

    #[test]
    fn wall_time_is_kept_across_dst() {
        // New York springs forward on 2026-03-08: 09:00 is 14:00Z before, 13:00Z after.
        let rule = RecurrenceRule::parse("FREQ=DAILY;COUNT=2").unwrap();
        let starts = rule
            .expand(chrono_tz::America::New_York, local("2026-03-07T09:00:00"))
            .unwrap();
        assert_eq!(starts[0].to_rfc3339(), "2026-03-07T14:00:00+00:00");
        assert_eq!(starts[1].to_rfc3339(), "2026-03-08T13:00:00+00:00");
        // 02:30 does not exist that day: the engine's rule reads it as 03:30.
        let starts = rule
            .expand(chrono_tz::America::New_York, local("2026-03-07T02:30:00"))
            .unwrap();
        assert_eq!(starts[1].to_rfc3339(), "2026-03-08T07:30:00+00:00");
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        for (text, needle) in [
            ("BYDAY=TU;COUNT=2", "FREQ is missing"),
            ("FREQ=YEARLY;COUNT=2", "YEARLY"),
            ("FREQ=WEEKLY", "must end"),
            ("FREQ=WEEKLY;COUNT=2;UNTIL=20260101", "both"),
            ("FREQ=WEEKLY;BYDAY=1TU;COUNT=2", "MONTHLY"),
            ("FREQ=WEEKLY;BYMONTH=3;COUNT=2", "BYMONTH"),
            ("FREQ=DAILY;COUNT=0", "count 0"),
            ("FREQ=DAILY;INTERVAL=0;COUNT=1", "interval 0"),
            ("FREQ=MONTHLY;BYDAY=6MO;COUNT=1", "ordinal 6"),
            ("FREQ=DAILY;BYDAY=XX;COUNT=1", "XX"),
        ] {
            let err = RecurrenceRule::parse(text).unwrap_err();
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn an_until_past_the_limit_is_refused() {
        let rule = RecurrenceRule::parse("FREQ=DAILY;UNTIL=20300101").unwrap();
        let err = rule
            .expand(chrono_tz::UTC, local("2026-01-01T09:00:00"))
            .unwrap_err();
        assert_eq!(err.field(), Some("until"));
    }

    #[test]
    fn display_writes_the_rrule_back() {
        for text in [
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10",
            "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231",
            "FREQ=DAILY;UNTIL=20260307T090000Z",
        ] {
            assert_eq!(RecurrenceRule::parse(text).unwrap().to_string(), text);
        }
    }
}
