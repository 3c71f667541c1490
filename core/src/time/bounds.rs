//! The years the engine answers for, and the one reader of dates and
//! instants written as text.
//!
//! chrono-tz's table of offsets ends in 2099: after it, a zone with summer
//! time keeps its last standard offset for ever (New York in July 2100
//! would be 17:00Z where its rule says 16:00Z). Rather than answer a wrong
//! offset, the engine refuses what lies outside the years it can answer
//! for, and no business means a booking, block or series in the year 1 or
//! 9999 anyway. The first year leaves room for records kept from long ago.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};

use crate::error::{Error, Problem};

/// The first year the engine answers for.
pub const FIRST_YEAR: i32 = 1900;
/// The last year the engine answers for: where the time-zone data ends.
pub const LAST_YEAR: i32 = 2099;

/// Refuses a date outside [`FIRST_YEAR`] to [`LAST_YEAR`], naming `field`.
///
/// # Errors
/// [`Error::Invalid`] with [`Problem::OutsideSupportedYears`].
pub fn check_date(date: NaiveDate, field: &str) -> Result<NaiveDate, Error> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(Error::invalid(
            field,
            Problem::OutsideSupportedYears {
                value: date.to_string(),
            },
        ))
    }
}

/// Seconds since the Unix epoch of instants surely inside the supported
/// years: 1901 to 2098 need no calendar.
const SURELY_INSIDE: std::ops::Range<i64> = -2_177_452_800..4_070_908_800;

/// Refuses an instant outside [`FIRST_YEAR`] to [`LAST_YEAR`] (in UTC, with
/// a day's margin so every zone's local date is inside too), naming
/// `field`.
///
/// # Errors
/// [`Error::Invalid`] with [`Problem::OutsideSupportedYears`].
///
/// ```
/// use agendo_core::time::check_instant;
/// let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
/// assert!(check_instant(at("2026-03-02T12:00:00Z"), "start").is_ok());
/// let far = check_instant(at("2100-07-01T16:00:00Z"), "start").unwrap_err();
/// assert_eq!(far.field(), Some("start"));
/// ```
pub fn check_instant(instant: DateTime<Utc>, field: &str) -> Result<DateTime<Utc>, Error> {
    if SURELY_INSIDE.contains(&instant.timestamp()) {
        return Ok(instant);
    }
    let date = instant.date_naive();
    let inside = date
        .pred_opt()
        .zip(date.succ_opt())
        .is_some_and(|(before, after)| before.year() >= FIRST_YEAR && after.year() <= LAST_YEAR);
    if inside {
        Ok(instant)
    } else {
        Err(Error::invalid(
            field,
            Problem::OutsideSupportedYears {
                value: instant.to_rfc3339(),
            },
        ))
    }
}

/// Reads a date written exactly `YYYY-MM-DD` (spaces around it aside), in
/// the supported years: the one reader of dates every adapter uses.
///
/// # Errors
/// [`Error::Invalid`] for `field` with [`Problem::BadDate`] or
/// [`Problem::OutsideSupportedYears`].
pub fn read_date(text: &str, field: &str) -> Result<NaiveDate, Error> {
    let text = text.trim();
    let bad = || {
        Error::invalid(
            field,
            Problem::BadDate {
                value: crate::error::clip(text),
            },
        )
    };
    // Exactly YYYY-MM-DD, digits where digits go: chrono's reader would
    // also take `2026-3-2`, and costs a format string on every search.
    let date = match text.as_bytes() {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
            use super::rfc3339::digits;
            let year = digits(y).and_then(|y| i32::try_from(y).ok());
            let (month, day) = (digits(&[*m1, *m2]), digits(&[*d1, *d2]));
            year.zip(month)
                .zip(day)
                .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d))
        }
        _ => None,
    };
    check_date(date.ok_or_else(bad)?, field)
}

/// Reads a month written `YYYY-MM` as its first day, in the supported
/// years.
///
/// # Errors
/// [`Error::Invalid`] for `field` with [`Problem::BadDate`] (the text as
/// given) or [`Problem::OutsideSupportedYears`].
///
/// ```
/// use agendo_core::time::read_month;
/// assert_eq!(read_month("2026-03", "month")?.to_string(), "2026-03-01");
/// assert_eq!(read_month("março", "month").unwrap_err().field(), Some("month"));
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn read_month(text: &str, field: &str) -> Result<NaiveDate, Error> {
    read_date(&format!("{}-01", text.trim()), field).map_err(|e| match e {
        Error::Invalid {
            field,
            problem: Problem::BadDate { .. },
        } => Error::Invalid {
            field,
            problem: Problem::BadDate {
                value: crate::error::clip(text.trim()),
            },
        },
        other => other,
    })
}

/// The span from `from` to `to`, the first or last instant the engine
/// answers for standing in for one left out; `None` when both are: the
/// period filter of a list.
///
/// # Errors
/// [`Error::Invalid`] for `to` when it is not after `from`.
pub fn span_between(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Option<crate::time::Span>, Error> {
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    let all = supported_span();
    crate::time::Span::new(from.unwrap_or(all.start()), to.unwrap_or(all.end()))
        .map(Some)
        .map_err(|e| e.at("to"))
}

/// Reads an RFC 3339 instant with an offset (spaces around it aside), in
/// the supported years: the one reader of instants every adapter uses.
///
/// # Errors
/// [`Error::Invalid`] for `field` with [`Problem::BadInstant`] or
/// [`Problem::OutsideSupportedYears`].
pub fn read_instant(text: &str, field: &str) -> Result<DateTime<Utc>, Error> {
    let text = text.trim();
    let instant = super::rfc3339::read_common(text)
        .map(Ok)
        .unwrap_or_else(|| DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)))
        .map_err(|_| {
            Error::invalid(
                field,
                Problem::BadInstant {
                    value: crate::error::clip(text),
                },
            )
        })?;
    check_instant(instant, field)
}

/// The span from `start` to `end` when both are written in the common RFC
/// 3339 form (no space around), well inside the supported years, and `end`
/// is after `start`: exactly the span [`read_instant`] and
/// [`Span::new`](crate::time::Span::new) make of the same text, without
/// building a `DateTime`. `None` for anything else, which the caller reads
/// the long way to learn what is wrong, or that it is right after all.
#[inline]
pub(crate) fn read_common_span(start: &str, end: &str) -> Option<crate::time::Span> {
    let (start_seconds, start_nanos, start_days) = super::rfc3339::read_parts_after(start, None)?;
    let (end_seconds, end_nanos, _) =
        super::rfc3339::read_parts_after(end, Some((start, start_days)))?;
    if !SURELY_INSIDE.contains(&start_seconds) || !SURELY_INSIDE.contains(&end_seconds) {
        return None;
    }
    if (end_seconds, end_nanos) <= (start_seconds, start_nanos) {
        return None;
    }
    // As `Span::new`: the start rounded down to a microsecond, the end up.
    let micros = |seconds: i64, nanos: u32| seconds * 1_000_000 + i64::from(nanos / 1_000);
    let end_rounding = i64::from(!end_nanos.is_multiple_of(1_000));
    crate::time::Span::from_micros(
        micros(start_seconds, start_nanos),
        micros(end_seconds, end_nanos) + end_rounding,
    )
}

/// Reads a local date and wall time, `YYYY-MM-DDTHH:MM` or
/// `YYYY-MM-DDTHH:MM:SS`, without an offset (the wall time in a zone the
/// caller names), in the supported years.
///
/// # Errors
/// [`Error::Invalid`] for `field` with [`Problem::Unfit`] (a local date
/// and time) or [`Problem::OutsideSupportedYears`].
///
/// ```
/// use agendo_core::time::read_local;
/// assert_eq!(read_local("2026-03-02T09:00", "first")?.to_string(), "2026-03-02 09:00:00");
/// assert_eq!(read_local("2026-03-02T09:00:00Z", "first").unwrap_err().field(), Some("first"));
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn read_local(text: &str, field: &str) -> Result<NaiveDateTime, Error> {
    let text = text.trim();
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            Error::invalid(
                field,
                Problem::Unfit {
                    expected: crate::error::Expected::LocalDateTime,
                },
            )
        })?;
    check_date(local.date(), field)?;
    Ok(local)
}

/// The span of every instant the engine answers for: from the start of
/// [`FIRST_YEAR`] to the end of [`LAST_YEAR`], in UTC. It meets every
/// record a store holds.
pub fn supported_span() -> crate::time::Span {
    let start = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(LAST_YEAR + 1, 1, 1).unwrap_or(NaiveDate::MAX);
    let at = |d: NaiveDate| {
        d.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_micros()
    };
    crate::time::Span::after(at(start), at(end) - at(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_only_when_written_exactly_year_month_day() {
        let read = |text: &str| read_date(text, "from").map(|d| d.to_string());
        assert_eq!(read("2026-03-02").unwrap(), "2026-03-02");
        assert_eq!(read(" 2028-02-29 ").unwrap(), "2028-02-29");
        for bad in [
            "2026-3-02",
            "2026-03-2",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "+026-03-02",
            "2026/03/02",
            "2026-03-0a",
            "20260302xx",
            "2026-03-021",
            "",
            "２０２６-03-02",
        ] {
            let err = read(bad).unwrap_err();
            assert!(
                matches!(&err, Error::Invalid { field, problem: Problem::BadDate { .. } } if field == "from"),
                "{bad:?}: {err:?}"
            );
        }
        assert!(matches!(
            read("0999-01-01").unwrap_err(),
            Error::Invalid {
                problem: Problem::OutsideSupportedYears { .. },
                ..
            }
        ));
    }

    #[test]
    fn dates_and_instants_outside_the_supported_years_are_refused() {
        assert!(read_date("2099-12-31", "to").is_ok());
        assert_eq!(
            read_date("2100-01-01", "to").unwrap_err().field(),
            Some("to")
        );
        assert!(read_date("0001-01-01", "from").is_err());
        assert!(read_instant("1900-01-02T00:00:00Z", "start").is_ok());
        assert!(read_instant("1900-01-01T00:00:00Z", "start").is_err());
        assert!(read_instant("0001-01-01T00:00:00+09:00", "start").is_err());
        assert!(read_instant("9999-12-31T23:59:59Z", "end").is_err());
        assert!(read_instant("2026-13-01T00:00:00Z", "start").is_err());
    }
}
