//! Half-open spans of UTC time.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::timeline::{ceil_micros, floor_micros, to_utc};
use crate::error::{Error, Problem};

/// A non-empty, half-open span of time `[start, end)` between two UTC instants.
///
/// Two spans overlap when each starts before the other ends, so spans that only
/// touch (one ends when the next starts) do not overlap: a 09:00–09:30 booking
/// and a 09:30–10:00 booking can both stand.
///
/// The engine's precision is one microsecond. A start with nanoseconds is
/// rounded down and an end rounded up, so a span never shrinks and an overlap
/// is never missed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    start: i64,
    end: i64,
}

impl Span {
    /// The span from `start` (included) to `end` (excluded).
    ///
    /// # Errors
    /// [`Error::Invalid`] with [`Problem::SpanNotIncreasing`] when `end` is not
    /// after `start`.
    ///
    /// # Example
    /// ```
    /// use agendo_core::time::Span;
    /// use chrono::{TimeDelta, TimeZone, Utc};
    ///
    /// let nine = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    /// let half_past = nine + TimeDelta::minutes(30);
    /// let first = Span::new(nine, half_past)?;
    /// let second = Span::new(half_past, half_past + TimeDelta::minutes(30))?;
    /// assert!(!first.overlaps(&second)); // touching is not overlapping
    /// assert!(Span::new(half_past, nine).is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Span, Error> {
        if end <= start {
            return Err(Error::invalid(
                "span",
                Problem::SpanNotIncreasing { start, end },
            ));
        }
        Ok(Span {
            start: floor_micros(start),
            end: ceil_micros(end),
        })
    }

    /// The span between two points of the internal timeline, if it is not empty.
    pub(crate) fn from_micros(start: i64, end: i64) -> Option<Span> {
        (start < end).then_some(Span { start, end })
    }

    /// The span of `length` microseconds (at least one) from `start`.
    pub(crate) fn after(start: i64, length: i64) -> Span {
        let end = start.saturating_add(length.max(1));
        Span {
            start: start.min(end - 1),
            end,
        }
    }

    /// The first instant of the span.
    pub fn start(&self) -> DateTime<Utc> {
        to_utc(self.start)
    }

    /// The first instant after the span.
    pub fn end(&self) -> DateTime<Utc> {
        to_utc(self.end)
    }

    /// How long the span lasts.
    pub fn duration(&self) -> TimeDelta {
        TimeDelta::microseconds(self.end.saturating_sub(self.start))
    }

    /// Whether the two spans share at least one instant.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether every instant of `other` is in this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether `instant` is in this span.
    pub fn contains_instant(&self, instant: DateTime<Utc>) -> bool {
        let at = floor_micros(instant);
        self.start <= at && at < self.end
    }

    pub(crate) fn start_micros(&self) -> i64 {
        self.start
    }

    pub(crate) fn end_micros(&self) -> i64 {
        self.end
    }
}

/// Shown as an ISO 8601 interval, `2026-03-02T12:00:00Z/2026-03-02T12:30:00Z`,
/// which reads the same in every language.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}/{:?}", self.start(), self.end())
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:?}, {:?})", self.start(), self.end())
    }
}

/// Serialized as `{"start": "...Z", "end": "...Z"}` with RFC 3339 UTC instants.
impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Span", 2)?;
        out.serialize_field("start", &self.start())?;
        out.serialize_field("end", &self.end())?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::Span;
    use chrono::{DateTime, TimeDelta, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn span(start: &str, end: &str) -> Span {
        Span::new(at(start), at(end)).unwrap()
    }

    #[test]
    fn empty_or_reversed_span_is_refused() {
        let t = at("2026-03-02T12:00:00Z");
        assert!(Span::new(t, t).is_err());
        assert!(Span::new(t, t - TimeDelta::seconds(1)).is_err());
    }

    #[test]
    fn touching_spans_do_not_overlap_but_sharing_one_microsecond_does() {
        let a = span("2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z");
        let b = span("2026-03-02T12:30:00Z", "2026-03-02T13:00:00Z");
        let c = span("2026-03-02T12:29:59.999999Z", "2026-03-02T13:00:00Z");
        assert!(!a.overlaps(&b) && !b.overlaps(&a));
        assert!(a.overlaps(&c) && c.overlaps(&a));
    }

    #[test]
    fn nanoseconds_widen_the_span_outwards() {
        let s = Span::new(
            at("2026-03-02T12:00:00.0000005Z"),
            at("2026-03-02T12:00:00.0000015Z"),
        )
        .unwrap();
        assert_eq!(s.start(), at("2026-03-02T12:00:00Z"));
        assert_eq!(s.end(), at("2026-03-02T12:00:00.000002Z"));
    }

    #[test]
    fn display_is_an_iso_interval_and_serde_uses_utc_z() {
        let s = span("2026-03-02T09:00:00-03:00", "2026-03-02T09:30:00-03:00");
        assert_eq!(s.to_string(), "2026-03-02T12:00:00Z/2026-03-02T12:30:00Z");
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z"}"#
        );
        assert_eq!(s.duration(), TimeDelta::minutes(30));
        assert!(s.contains_instant(at("2026-03-02T12:00:00Z")));
        assert!(!s.contains_instant(at("2026-03-02T12:30:00Z")));
    }
}
