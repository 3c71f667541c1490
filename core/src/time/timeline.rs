//! The engine's internal timeline: UTC instants as whole microseconds since the
//! Unix epoch, in an `i64`.
//!
//! The slot search compares and adds instants thousands of times per query;
//! an `i64` does that in one instruction where `DateTime<Utc>` arithmetic
//! takes tens of nanoseconds (measured on the reference machine), so spans
//! store microseconds and convert at the edges. An `i64` of microseconds
//! covers ±292,000 years, more than chrono's own range, so every `DateTime`
//! converts without loss beyond its sub-microsecond part.

use chrono::{DateTime, Utc};

/// Microseconds in one minute.
pub(crate) const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Microseconds in one day of 24 hours.
pub(crate) const MICROS_PER_DAY: i64 = 24 * 60 * MICROS_PER_MINUTE;

/// The instant, rounded down to a whole microsecond.
pub(crate) fn floor_micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

/// The instant, rounded up to a whole microsecond.
pub(crate) fn ceil_micros(instant: DateTime<Utc>) -> i64 {
    let floor = instant.timestamp_micros();
    if instant.timestamp_subsec_nanos().is_multiple_of(1_000) {
        floor
    } else {
        floor.saturating_add(1)
    }
}

/// The instant at `micros`, clamped to the range chrono can represent.
///
/// Every value the engine builds comes from a `DateTime` plus or minus at most
/// a few years, so the clamp only guards against panics at the far ends of
/// chrono's range, hundreds of thousands of years away.
pub(crate) fn to_utc(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(if micros < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

#[cfg(test)]
mod tests {
    use super::{ceil_micros, floor_micros, to_utc};
    use chrono::{DateTime, Utc};

    #[test]
    fn sub_microsecond_parts_round_outwards() {
        let t: DateTime<Utc> = "2026-03-02T12:00:00.000000500Z".parse().unwrap();
        assert_eq!(ceil_micros(t) - floor_micros(t), 1);
        let whole: DateTime<Utc> = "2026-03-02T12:00:00.000001Z".parse().unwrap();
        assert_eq!(ceil_micros(whole), floor_micros(whole));
        assert_eq!(to_utc(floor_micros(whole)), whole);
    }

    #[test]
    fn far_values_clamp_instead_of_panicking() {
        assert_eq!(to_utc(i64::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(to_utc(i64::MIN), DateTime::<Utc>::MIN_UTC);
    }
}
