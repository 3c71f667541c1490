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

/// What is wrong with a recurrence rule, in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleFault {
    /// A part is not `NAME=VALUE`.
    #[error("\"{part}\" is not NAME=VALUE")]
    NotNameValue {
        /// The part as written.
        part: String,
    },
    /// A part is given twice (RFC 5545 §3.3.10 allows each once).
    #[error("{name} is given more than once")]
    Repeated {
        /// The part's name.
        name: String,
    },
    /// A part the engine does not support.
    #[error("{name} is not supported (FREQ, INTERVAL, BYDAY, COUNT, UNTIL)")]
    UnsupportedPart {
        /// The part's name.
        name: String,
    },
    /// A frequency the engine does not support.
    #[error("FREQ={value} is not supported (DAILY, WEEKLY or MONTHLY)")]
    UnsupportedFrequency {
        /// The value given.
        value: String,
    },
    /// A number part that is not a number.
    #[error("{name}={value} is not a number")]
    NotANumber {
        /// The part's name.
        name: &'static str,
        /// The value given.
        value: String,
    },
    /// An `UNTIL` that is not a date or a UTC date-time.
    #[error("UNTIL={value} is not a date (20260630) or a UTC date-time (20260630T120000Z)")]
    BadUntil {
        /// The value given.
        value: String,
    },
    /// A `BYDAY` entry that is not a weekday.
    #[error("BYDAY {value} is not a weekday such as TU, 2TU or -1FR")]
    BadByDay {
        /// The entry given.
        value: String,
    },
    /// An ordinal out of range.
    #[error("ordinal {ordinal} is not 1 to 5 or -1 to -5")]
    BadOrdinal {
        /// The ordinal given.
        ordinal: i8,
    },
    /// An ordinal weekday outside a monthly rule.
    #[error("an ordinal weekday (1MO, -1FR) needs FREQ=MONTHLY")]
    OrdinalNeedsMonthly,
    /// An interval out of range.
    #[error("interval {interval} is not 1 to 1000")]
    BadInterval {
        /// The interval given.
        interval: u32,
    },
    /// A count out of range.
    #[error("count {count} is not 1 to {MAX_OCCURRENCES}")]
    BadCount {
        /// The count given.
        count: u32,
    },
    /// Both ends given.
    #[error("COUNT and UNTIL cannot both be given")]
    CountAndUntil,
    /// No `FREQ`.
    #[error("FREQ is missing")]
    MissingFrequency,
    /// No end.
    #[error("COUNT or UNTIL is needed: a series must end")]
    MissingEnd,
    /// The rule gives no occurrence from its first date.
    #[error("the rule gives no occurrence from {first}")]
    NoOccurrence {
        /// The first date asked for.
        first: NaiveDate,
    },
}

impl RuleFault {
    /// The fault for a person reading `lang`.
    pub fn message(&self, lang: crate::Lang) -> String {
        use RuleFault as F;
        if lang == crate::Lang::En {
            return self.to_string();
        }
        match self {
            F::NotNameValue { part } => format!("\"{part}\" não está no formato NOME=VALOR"),
            F::Repeated { name } => format!("{name} aparece mais de uma vez"),
            F::UnsupportedPart { name } => {
                format!("{name} não é suportado (FREQ, INTERVAL, BYDAY, COUNT, UNTIL)")
            }
            F::UnsupportedFrequency { value } => {
                format!("FREQ={value} não é suportado (DAILY, WEEKLY ou MONTHLY)")
            }
            F::NotANumber { name, value } => format!("{name}={value} não é um número"),
            F::BadUntil { value } => format!(
                "UNTIL={value} não é uma data (20260630) nem uma data e hora UTC (20260630T120000Z)"
            ),
            F::BadByDay { value } => {
                format!("BYDAY {value} não é um dia da semana como TU, 2TU ou -1FR")
            }
            F::BadOrdinal { ordinal } => {
                format!("o ordinal {ordinal} não está entre 1 e 5 ou -1 e -5")
            }
            F::OrdinalNeedsMonthly => {
                "um dia da semana com ordinal (1MO, -1FR) exige FREQ=MONTHLY".to_owned()
            }
            F::BadInterval { interval } => {
                format!("o intervalo {interval} não está entre 1 e 1000")
            }
            F::BadCount { count } => {
                format!("a contagem {count} não está entre 1 e {MAX_OCCURRENCES}")
            }
            F::CountAndUntil => "COUNT e UNTIL não podem vir juntos".to_owned(),
            F::MissingFrequency => "falta FREQ".to_owned(),
            F::MissingEnd => "é preciso COUNT ou UNTIL: uma série precisa terminar".to_owned(),
            F::NoOccurrence { first } => format!(
                "a regra não dá nenhuma ocorrência a partir de {}",
                first.format("%d/%m/%Y")
            ),
        }
    }
}

fn fault(field: &str, fault: RuleFault) -> Error {
    Error::invalid(field, Problem::BadRecurrence { fault })
}

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
            return Err(fault("byday", RuleFault::BadOrdinal { ordinal }));
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
            return Err(fault("interval", RuleFault::BadInterval { interval }));
        }
        if let End::Count(count) = end {
            if count == 0 || count as usize > MAX_OCCURRENCES {
                return Err(fault("count", RuleFault::BadCount { count }));
            }
        }
        let mut by_day: Vec<ByDay> = by_day.into_iter().collect();
        for (i, day) in by_day.iter().enumerate() {
            if day.ordinal.is_some() && frequency != Frequency::Monthly {
                return Err(fault("byday", RuleFault::OrdinalNeedsMonthly));
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
    /// the `RRULE:` prefix: `FREQ=WEEKLY;BYDAY=TU;COUNT=10`. Names and
    /// values are read whatever their case, as RFC 5545 says; each part
    /// may be given once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `rrule` (or the part at fault) with
    /// [`Problem::BadRecurrence`] saying what is wrong: a missing `FREQ`, a
    /// part given twice, an unsupported part (`BYMONTH`, `FREQ=YEARLY`),
    /// both `COUNT` and `UNTIL`, a bad number, weekday or date.
    ///
    /// ```
    /// use agendo_core::recurrence::RecurrenceRule;
    /// assert!(RecurrenceRule::parse("rrule:freq=weekly;byday=tu;count=2").is_ok());
    /// let twice = RecurrenceRule::parse("FREQ=DAILY;COUNT=2;COUNT=3").unwrap_err();
    /// assert_eq!(twice.to_string(), "rrule: COUNT is given more than once");
    /// ```
    pub fn parse(text: &str) -> Result<RecurrenceRule, Error> {
        let bad = |fault: RuleFault| self::fault("rrule", fault);
        let clip = crate::error::clip;
        let body = text.trim();
        let body = match body.get(..6) {
            Some(prefix) if prefix.eq_ignore_ascii_case("RRULE:") => &body[6..],
            _ => body,
        };
        let (mut frequency, mut interval, mut by_day, mut end) = (None, None, None, None);
        let mut seen: Vec<String> = Vec::new();
        for part in body.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| bad(RuleFault::NotNameValue { part: clip(part) }))?;
            let name = name.trim().to_ascii_uppercase();
            if seen.contains(&name) {
                return Err(bad(RuleFault::Repeated { name: clip(&name) }));
            }
            seen.push(name.clone());
            let number = |name: &'static str| {
                value.parse::<u32>().map_err(|_| {
                    bad(RuleFault::NotANumber {
                        name,
                        value: clip(value),
                    })
                })
            };
            match name.as_str() {
                "FREQ" => {
                    frequency = Some(match value.to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        _ => {
                            return Err(bad(RuleFault::UnsupportedFrequency { value: clip(value) }))
                        }
                    })
                }
                "INTERVAL" => interval = Some(number("INTERVAL")?),
                "COUNT" | "UNTIL" if end.is_some() => return Err(bad(RuleFault::CountAndUntil)),
                "COUNT" => end = Some(End::Count(number("COUNT")?)),
                "UNTIL" => {
                    end = Some(
                        parse_until(value)
                            .ok_or_else(|| bad(RuleFault::BadUntil { value: clip(value) }))?,
                    )
                }
                "BYDAY" => {
                    let mut days = Vec::new();
                    for day in value.split(',') {
                        days.push(
                            parse_byday(day)
                                .ok_or_else(|| bad(RuleFault::BadByDay { value: clip(day) }))??,
                        );
                    }
                    by_day = Some(days);
                }
                "WKST" if value.eq_ignore_ascii_case("MO") => {}
                other => return Err(bad(RuleFault::UnsupportedPart { name: clip(other) })),
            }
        }
        let frequency = frequency.ok_or_else(|| bad(RuleFault::MissingFrequency))?;
        let end = end.ok_or_else(|| bad(RuleFault::MissingEnd))?;
        RecurrenceRule::new(
            frequency,
            interval.unwrap_or(1),
            by_day.unwrap_or_default(),
            end,
        )
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
    /// [`MAX_OCCURRENCES`], for `rrule` when it gives no occurrence at all,
    /// for `first` outside the years the engine answers for;
    /// [`Error::LocalTimeOutOfRange`] when an occurrence falls past them.
    pub fn expand(&self, zone: Tz, first: NaiveDateTime) -> Result<Vec<DateTime<Utc>>, Error> {
        let start_date = crate::time::check_date(first.date(), "first")?;
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
        if out.is_empty() {
            // A rule that can never match (every seventh day on Tuesdays,
            // from a Monday) would book an empty series.
            return Err(fault(
                "rrule",
                RuleFault::NoOccurrence { first: start_date },
            ));
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
    // One sign at most, then one digit: `+1MO`, `-1FR`, `2TU`.
    let (negative, digits) = match ordinal.as_bytes()[0] {
        b'+' => (false, &ordinal[1..]),
        b'-' => (true, &ordinal[1..]),
        _ => (false, ordinal),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude: i8 = digits.parse().ok()?;
    Some(ByDay::nth(
        if negative { -magnitude } else { magnitude },
        weekday,
    ))
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

    fn refusal(rule: &str) -> String {
        RecurrenceRule::parse(rule).unwrap_err().to_string()
    }

    #[test]
    fn a_doubled_sign_in_byday_is_refused() {
        for rule in [
            "FREQ=MONTHLY;BYDAY=+-1MO;COUNT=2",
            "FREQ=MONTHLY;BYDAY=++1MO;COUNT=2",
            "FREQ=MONTHLY;BYDAY=+-5FR;COUNT=2",
            "FREQ=MONTHLY;BYDAY=--1MO;COUNT=2",
        ] {
            assert!(refusal(rule).contains("is not a weekday"), "{rule}");
        }
        assert!(RecurrenceRule::parse("FREQ=MONTHLY;BYDAY=+1MO,-1FR;COUNT=2").is_ok());
    }

    #[test]
    fn a_repeated_part_is_refused_naming_it() {
        assert_eq!(
            refusal("FREQ=WEEKLY;BYDAY=MO;BYDAY=TU;COUNT=2"),
            "rrule: BYDAY is given more than once"
        );
        assert_eq!(
            refusal("FREQ=DAILY;FREQ=WEEKLY;COUNT=2"),
            "rrule: FREQ is given more than once"
        );
        assert_eq!(
            refusal("FREQ=DAILY;INTERVAL=2;interval=3;COUNT=2"),
            "rrule: INTERVAL is given more than once"
        );
        assert_eq!(
            refusal("FREQ=DAILY;COUNT=2;COUNT=3"),
            "rrule: COUNT is given more than once"
        );
        assert_eq!(
            refusal("FREQ=DAILY;COUNT=2;UNTIL=20260601"),
            "rrule: COUNT and UNTIL cannot both be given"
        );
    }

    #[test]
    fn names_and_the_prefix_are_read_whatever_their_case() {
        assert_eq!(
            dates("rrule:freq=daily;count=2", "2026-03-02T09:00:00"),
            ["2026-03-02", "2026-03-03"]
        );
        assert_eq!(
            dates("RRule:Freq=Weekly;ByDay=tu;Count=1", "2026-03-02T09:00:00"),
            ["2026-03-03"]
        );
    }

    #[test]
    fn a_rule_that_never_matches_is_refused() {
        // 2026-03-02 is a Monday: every seventh day is a Monday.
        let err = RecurrenceRule::parse("FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3")
            .unwrap()
            .expand(chrono_tz::UTC, local("2026-03-02T09:00:00"))
            .unwrap_err();
        assert_eq!(err.field(), Some("rrule"));
        assert!(err
            .message(crate::Lang::PtBr)
            .contains("nenhuma ocorrência"));
    }

    #[test]
    fn past_the_zone_table_a_rule_is_refused_not_answered_wrong() {
        let rule = RecurrenceRule::parse("FREQ=DAILY;COUNT=1").unwrap();
        let err = rule
            .expand(chrono_tz::America::New_York, local("2100-07-01T12:00:00"))
            .unwrap_err();
        assert_eq!(err.field(), Some("first"), "{err}");
        // A series that starts inside the years but runs past them is
        // refused at the first occurrence past 2099.
        let runs_over = RecurrenceRule::parse("FREQ=DAILY;COUNT=3")
            .unwrap()
            .expand(chrono_tz::America::New_York, local("2099-12-31T12:00:00"))
            .unwrap_err();
        assert!(
            matches!(runs_over, Error::LocalTimeOutOfRange { .. }),
            "{runs_over}"
        );
        let ok = rule
            .expand(chrono_tz::America::New_York, local("2099-07-01T12:00:00"))
            .unwrap();
        assert_eq!(ok[0].to_rfc3339(), "2099-07-01T16:00:00+00:00");
    }

    #[test]
    fn rule_errors_read_in_portuguese_have_no_english_left() {
        for rule in [
            "FREQ=YEARLY;COUNT=2",
            "FREQ=DAILY",
            "COUNT=2",
            "FREQ=DAILY;COUNT=x",
            "FREQ=DAILY;BYMONTH=2;COUNT=2",
            "FREQ=WEEKLY;BYDAY=1MO;COUNT=2",
            "FREQ=DAILY;UNTIL=2026;COUNT=2",
        ] {
            let pt = RecurrenceRule::parse(rule)
                .unwrap_err()
                .message(crate::Lang::PtBr);
            for english in ["is not", "supported", "missing", "needs", "cannot"] {
                assert!(!pt.contains(english), "{rule}: {pt}");
            }
        }
    }
}
