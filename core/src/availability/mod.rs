//! Availability: when a professional is free (R15–R18).
//!
//! This module decides which starts a client may be offered for a service
//! over a range of dates, for one professional or several, why any other
//! start is not offered, and whether one requested booking clashes with the
//! calendar. It works on what it is given: a professional's working hours,
//! blocks and existing bookings. Where those come from, what a booking costs
//! and who may book are for the rest of the engine and the adapters.
//!
//! - [`WeeklyHours`] and [`WorkingHours`] hold the recurring week and its dated
//!   overrides, in local wall time; [`StaffCalendar`] adds the zone, blocks,
//!   bookings and capacity of one professional.
//! - [`SlotRules`] says what is looked for; [`SlotSearch`] is a validated
//!   search, answered by [`SlotSearch::find_slots`] with a [`SlotAnswer`] and
//!   explained start by start by [`SlotSearch::explain`].
//! - [`StaffCalendar::check_booking`] is the conflict check made when booking.
//! - [`SlotQuery`] is the JSON contract of a search.
//!
//! The rules themselves are listed in the crate documentation.

mod answer;
mod calendar;
mod conflict;
mod explain;
mod hours;
mod keys;
mod query;
pub(crate) use query::read_json;
mod rules;
mod search;
mod text;

pub(crate) use answer::AnswerText;
pub use answer::{AnswerJson, Slot, SlotAnswer};
pub(crate) use calendar::check_capacity;
pub use calendar::{Block, Booking, StaffCalendar, MAX_CAPACITY};
pub use conflict::held_span;
pub use explain::{Explanation, Reason, StaffVerdict};
pub use hours::{WeeklyHours, WorkingHours, MAX_WINDOWS_PER_DAY};
pub use keys::{BlockKey, BookingKey, StaffKey, MAX_KEY_CHARS};
pub use query::{
    find_slots, BusyQuery, HoursQuery, OverrideQuery, SlotQuery, StaffQuery, WeeklyQuery,
};
pub use rules::{
    Buffers, DateRange, Mode, SlotRules, MAX_BUFFER_MINUTES, MAX_DAILY_LIMIT, MAX_DURATION_MINUTES,
    MAX_HORIZON_DAYS, MAX_NOTICE_MINUTES, MAX_RANGE_DAYS,
};
pub(crate) use search::open_starts;
pub use search::{SlotSearch, MAX_CANDIDATES, MAX_STAFF};
