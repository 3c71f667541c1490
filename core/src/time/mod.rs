//! Time: instants, spans, wall-clock times and zones.
//!
//! This module decides how a time a person wrote ("Mondays 09:00 to 12:00 in
//! São Paulo") becomes instants on one UTC timeline, and gives the algebra of
//! spans the rest of the engine is built on. It knows nothing of
//! professionals, services or bookings.
//!
//! - An instant is a UTC [`DateTime<Utc>`](chrono::DateTime). A [`Span`] is
//!   half-open, `[start, end)`, and never empty: touching spans do not overlap.
//! - A [`SpanSet`] is a set of instants kept as sorted, disjoint spans, with
//!   union, intersection and difference in time linear in the two inputs.
//! - A [`WallTime`] is a time of day as a person writes it, `HH:MM`, where
//!   `24:00` is the midnight that ends a day; a [`Window`] is a pair of them.
//! - A local date and wall time are turned into an instant in an IANA zone
//!   through [`LocalTime`], which reports gaps and folds as data, and a
//!   [`Disambiguation`] rule that picks an instant from them. The engine uses
//!   [`Disambiguation::Compatible`], RFC 5545's rule.
//! - Every date and instant a business's records hold is in the years
//!   [`FIRST_YEAR`] to [`LAST_YEAR`], the years the time-zone data answers
//!   for; anything else is refused, never computed with a wrong offset.

mod bounds;
pub(crate) mod rfc3339;
mod shown;
mod span;
pub(crate) mod span_set;
pub(crate) mod timeline;
mod wall;
mod zone;

pub use bounds::{
    check_date, check_instant, read_date, read_instant, read_local, read_month, span_between,
    supported_span, FIRST_YEAR, LAST_YEAR,
};

/// The weekdays as written in hours documents and stores: `mon` … `sun`.
pub const WEEKDAYS: [(chrono::Weekday, &str); 7] = [
    (chrono::Weekday::Mon, "mon"),
    (chrono::Weekday::Tue, "tue"),
    (chrono::Weekday::Wed, "wed"),
    (chrono::Weekday::Thu, "thu"),
    (chrono::Weekday::Fri, "fri"),
    (chrono::Weekday::Sat, "sat"),
    (chrono::Weekday::Sun, "sun"),
];

/// `day` as written in hours documents: `mon` … `sun`.
pub fn weekday_name(day: chrono::Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize].1
}
pub(crate) use bounds::read_common_span;
pub use shown::{shown, shown_date, shown_day};
pub use span::Span;
pub use span_set::SpanSet;
pub use wall::{WallTime, Window};
pub(crate) use zone::resolve_micros;
pub use zone::{parse_zone, Disambiguation, LocalOffset, LocalTime};
