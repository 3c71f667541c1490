//! Time zones, and how a local wall-clock time becomes an instant.
//!
//! Twice a year in many zones a local time does not map to exactly one
//! instant. When clocks jump forward (a *gap*) some local times never happen;
//! when they go back (a *fold*) some happen twice. [`LocalTime`] reports which
//! case a local time is in, with the offsets on both sides, and a
//! [`Disambiguation`] rule picks the instant. The engine reads working hours
//! with [`Disambiguation::Compatible`]: a time in a gap is read with the offset
//! in force just before the gap (02:30 in a 02:00→03:00 gap becomes 03:30) and
//! a time in a fold takes the earlier instant. That is RFC 5545 §3.3.5's rule,
//! jiff's `Compatible` and Python's `fold=0`.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};

use super::timeline::MICROS_PER_DAY;
use crate::error::{Error, Problem};

/// Reads an IANA time zone name such as `America/Sao_Paulo`.
///
/// Names are matched exactly, as the IANA database writes them; links such as
/// `Brazil/East` are accepted too. The database is the one chrono-tz was built
/// with (see [`chrono_tz::IANA_TZDB_VERSION`]).
///
/// # Errors
/// [`Error::Invalid`] for the field `timezone` with [`Problem::UnknownZone`].
///
/// # Example
/// ```
/// use agendo_core::time::parse_zone;
/// assert_eq!(parse_zone("Asia/Kathmandu")?.name(), "Asia/Kathmandu");
/// assert!(parse_zone("Mars/Olympus_Mons").is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn parse_zone(name: &str) -> Result<Tz, Error> {
    name.parse::<Tz>().map_err(|_| {
        Error::invalid(
            "timezone",
            Problem::UnknownZone {
                name: name.to_owned(),
            },
        )
    })
}

/// Which instant a local time that is not unique stands for.
///
/// The rule is a value, not a hidden default, so a caller that must refuse
/// such times (a form asking the person to pick) can say so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Disambiguation {
    /// In a gap, the offset before the gap (the time moves forward by the
    /// gap's length); in a fold, the earlier instant. RFC 5545's rule and the
    /// engine's.
    #[default]
    Compatible,
    /// The earlier instant: in a gap, the offset after the gap (the time moves
    /// back by the gap's length); in a fold, the first occurrence.
    Earlier,
    /// The later instant: in a gap, the offset before the gap; in a fold, the
    /// second occurrence.
    Later,
    /// An error for any time in a gap or a fold.
    Reject,
}

/// The offsets a local time can have in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LocalOffset {
    /// The local time happens once, at this offset.
    Unique(FixedOffset),
    /// Clocks jumped forward over the local time: it never happened.
    Gap {
        /// The offset in force just before the gap.
        before: FixedOffset,
        /// The offset in force just after the gap.
        after: FixedOffset,
    },
    /// Clocks went back over the local time: it happened twice.
    Fold {
        /// The offset of the first occurrence.
        before: FixedOffset,
        /// The offset of the second occurrence.
        after: FixedOffset,
    },
}

/// A local date and time in a zone, with what the zone says about it.
///
/// # Example
/// ```
/// use agendo_core::time::{Disambiguation, LocalOffset, LocalTime};
/// use chrono::NaiveDateTime;
///
/// // São Paulo, 2018-11-04: clocks jumped from 00:00 to 01:00.
/// let local: NaiveDateTime = "2018-11-04T00:30:00".parse().unwrap();
/// let time = LocalTime::of(chrono_tz::America::Sao_Paulo, local);
/// assert!(matches!(time.offset(), LocalOffset::Gap { .. }));
/// let instant = time.instant(Disambiguation::Compatible)?;
/// assert_eq!(instant.to_rfc3339(), "2018-11-04T03:30:00+00:00"); // 01:30 at -02:00
/// assert!(time.instant(Disambiguation::Reject).is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    local: NaiveDateTime,
    zone: Tz,
    offset: LocalOffset,
}

impl LocalTime {
    /// Looks `local` up in `zone`.
    pub fn of(zone: Tz, local: NaiveDateTime) -> LocalTime {
        use chrono::LocalResult;
        let offset = match zone.offset_from_local_datetime(&local) {
            LocalResult::Single(offset) => LocalOffset::Unique(offset.fix()),
            LocalResult::Ambiguous(first, second) => LocalOffset::Fold {
                before: first.fix(),
                after: second.fix(),
            },
            LocalResult::None => gap_offsets(zone, local),
        };
        LocalTime {
            local,
            zone,
            offset,
        }
    }

    /// The local date and time.
    pub fn local(&self) -> NaiveDateTime {
        self.local
    }

    /// The zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The offsets the local time can have.
    pub fn offset(&self) -> LocalOffset {
        self.offset
    }

    /// The instant `rule` picks for this local time.
    ///
    /// # Errors
    /// - [`Error::NonexistentLocalTime`] or [`Error::AmbiguousLocalTime`] when
    ///   `rule` is [`Disambiguation::Reject`] and the time is in a gap or a fold;
    /// - [`Error::LocalTimeOutOfRange`] outside the years the engine answers
    ///   for ([`super::FIRST_YEAR`] to [`super::LAST_YEAR`]).
    pub fn instant(&self, rule: Disambiguation) -> Result<DateTime<Utc>, Error> {
        use Disambiguation::{Compatible, Earlier, Later, Reject};
        let out_of_range = || Error::LocalTimeOutOfRange {
            local: self.local,
            zone: self.zone,
        };
        // Past the zone table's end every offset would be the last
        // standard one: refuse rather than answer wrong.
        if !(super::FIRST_YEAR..=super::LAST_YEAR).contains(&chrono::Datelike::year(&self.local)) {
            return Err(out_of_range());
        }
        let offset = match (self.offset, rule) {
            (LocalOffset::Unique(offset), _) => offset,
            (LocalOffset::Gap { before, .. }, Compatible | Later) => before,
            (LocalOffset::Gap { after, .. }, Earlier) => after,
            (LocalOffset::Fold { before, .. }, Compatible | Earlier) => before,
            (LocalOffset::Fold { after, .. }, Later) => after,
            (LocalOffset::Gap { before, after }, Reject) => {
                return Err(Error::NonexistentLocalTime {
                    local: self.local,
                    zone: self.zone,
                    before,
                    after,
                })
            }
            (LocalOffset::Fold { before, after }, Reject) => {
                return Err(Error::AmbiguousLocalTime {
                    local: self.local,
                    zone: self.zone,
                    before,
                    after,
                })
            }
        };
        self.local
            .checked_sub_offset(offset)
            .map(|utc| utc.and_utc())
            .ok_or_else(out_of_range)
    }
}

/// The offsets on both sides of the gap `local` falls in.
fn gap_offsets(zone: Tz, local: NaiveDateTime) -> LocalOffset {
    if let Some(GapInfo {
        begin: Some((_, before)),
        end: Some(after),
    }) = GapInfo::new(&local, &zone)
    {
        return LocalOffset::Gap {
            before: before.fix(),
            after: after.offset().fix(),
        };
    }
    // chrono-tz describes every gap inside its table; this only answers for a
    // gap at the very ends of it, by asking a day away on either side.
    let probe = |days: i64| {
        let at = local.and_utc().timestamp_micros() + days * MICROS_PER_DAY;
        let at = DateTime::from_timestamp_micros(at).map_or(local, |t| t.naive_utc());
        zone.offset_from_utc_datetime(&at).fix()
    };
    LocalOffset::Gap {
        before: probe(-1),
        after: probe(1),
    }
}

/// The engine's fast path: the instant, in microseconds, that
/// [`Disambiguation::Compatible`] gives `local` in `zone`.
///
/// The slot search turns thousands of window ends into instants per query, so
/// the common case (a unique time or a fold) does integer arithmetic on the
/// offset instead of building `DateTime` values.
pub(crate) fn resolve_micros(zone: Tz, local: NaiveDateTime) -> Option<i64> {
    use chrono::LocalResult;
    let offset = match zone.offset_from_local_datetime(&local) {
        LocalResult::Single(offset) | LocalResult::Ambiguous(offset, _) => offset.fix(),
        LocalResult::None => match gap_offsets(zone, local) {
            LocalOffset::Gap { before, .. } => before,
            LocalOffset::Unique(offset) | LocalOffset::Fold { before: offset, .. } => offset,
        },
    };
    let wall = local.and_utc().timestamp_micros();
    wall.checked_sub(i64::from(offset.local_minus_utc()) * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::{parse_zone, resolve_micros, Disambiguation, LocalOffset, LocalTime};
    use crate::time::timeline::floor_micros;
    use chrono::{DateTime, NaiveDateTime, Utc};
    use chrono_tz::Tz;

    fn check(zone: &str, local: &str, rule: Disambiguation, expect: &str) {
        let zone: Tz = parse_zone(zone).unwrap();
        let local: NaiveDateTime = local.parse().unwrap();
        let got = LocalTime::of(zone, local).instant(rule).unwrap();
        let expect: DateTime<Utc> = expect.parse().unwrap();
        assert_eq!(got, expect, "{zone} {local} {rule:?}");
        if rule == Disambiguation::Compatible {
            assert_eq!(resolve_micros(zone, local), Some(floor_micros(expect)));
        }
    }

    #[test]
    fn new_york_spring_gap_moves_forward_under_compatible() {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT.
        use Disambiguation::*;
        check(
            "America/New_York",
            "2026-03-08T02:30:00",
            Compatible,
            "2026-03-08T07:30:00Z",
        );
        check(
            "America/New_York",
            "2026-03-08T02:30:00",
            Later,
            "2026-03-08T07:30:00Z",
        );
        check(
            "America/New_York",
            "2026-03-08T02:30:00",
            Earlier,
            "2026-03-08T06:30:00Z",
        );
    }

    #[test]
    fn new_york_autumn_fold_takes_earlier_under_compatible() {
        // 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
        use Disambiguation::*;
        check(
            "America/New_York",
            "2026-11-01T01:30:00",
            Compatible,
            "2026-11-01T05:30:00Z",
        );
        check(
            "America/New_York",
            "2026-11-01T01:30:00",
            Earlier,
            "2026-11-01T05:30:00Z",
        );
        check(
            "America/New_York",
            "2026-11-01T01:30:00",
            Later,
            "2026-11-01T06:30:00Z",
        );
    }

    #[test]
    fn reject_names_the_offsets_on_both_sides() {
        let zone = parse_zone("Europe/London").unwrap();
        let gap = LocalTime::of(zone, "2026-03-29T01:30:00".parse().unwrap());
        let err = gap.instant(Disambiguation::Reject).unwrap_err();
        assert_eq!(err.code(), "nonexistent_local_time");
        assert_eq!(
            err.to_string(),
            "2026-03-29 01:30:00 does not exist in Europe/London: clocks jump from offset +00:00 to +01:00"
        );
        let fold = LocalTime::of(zone, "2026-10-25T01:30:00".parse().unwrap());
        assert!(matches!(fold.offset(), LocalOffset::Fold { .. }));
        assert_eq!(
            fold.instant(Disambiguation::Reject).unwrap_err().code(),
            "ambiguous_local_time"
        );
    }

    #[test]
    fn apia_skipped_a_whole_day_in_2011() {
        // Samoa moved across the date line: 2011-12-29 24:00 (-10:00) was
        // followed by 2011-12-31 00:00 (+14:00); noon on the 30th never was.
        check(
            "Pacific/Apia",
            "2011-12-30T12:00:00",
            Disambiguation::Compatible,
            "2011-12-30T22:00:00Z",
        );
        check(
            "Pacific/Apia",
            "2011-12-31T00:00:00",
            Disambiguation::Compatible,
            "2011-12-30T10:00:00Z",
        );
    }

    #[test]
    fn unknown_zone_names_the_field() {
        let err = parse_zone("America/Sao Paulo").unwrap_err();
        assert_eq!(err.field(), Some("timezone"));
        assert!(err
            .to_string()
            .contains("unknown time zone \"America/Sao Paulo\""));
    }
}
