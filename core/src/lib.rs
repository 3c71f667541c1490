//! `agendo-core`: the booking engine of Agendo, pure and exact.
//!
//! The engine knows when a professional is free. It runs anywhere (a server,
//! a Python process, a phone) because it does no I/O, starts no runtime and
//! never reads the clock: "now" is always an argument.
//!
//! The modules read in the order a booking lives:
//! - [`time`]: UTC instants, half-open spans and span sets, wall-clock times,
//!   zones and the DST rule;
//! - [`availability`]: working hours, blocks, bookings, the slot search, the
//!   "why not free?" explanation and the conflict check made when booking;
//! - [`ids`], [`contact`], [`business`]: the records a business keeps;
//! - [`booking`]: bookings and their lifecycle;
//! - [`policy`], [`money`], [`payment`]: cancellation fees and refunds, exact
//!   money, payments and receivables;
//! - [`recurrence`], [`commission`], [`notify`]: recurring series, commission
//!   statements and when messages are due;
//! - [`store`]: the ports a database implements, and the in-memory reference;
//! - [`agenda`]: the use cases, each one atomic unit of work over a store.
//!
//! The example of [`agenda::Agenda`] books, cancels with a fee and refunds.
//!
//! # Finding free slots
//!
//! ```
//! use agendo_core::availability::SlotQuery;
//!
//! let query = SlotQuery::from_json(r#"{
//!     "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-02",
//!     "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
//!     "staff": [{ "id": "ana", "weekly": { "mon": [["09:00", "10:00"]] } }]
//! }"#)?;
//! let answer = query.to_search()?.find_slots();
//! assert_eq!(
//!     serde_json::to_string(&answer).unwrap(),
//!     r#"{"slots":[{"start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z","staff":["ana"]},{"start":"2026-03-02T12:30:00Z","end":"2026-03-02T13:00:00Z","staff":["ana"]}]}"#
//! );
//! # Ok::<(), agendo_core::Error>(())
//! ```
//!
//! # The rules of the slot search
//!
//! These are the product's promise; tests check each one, and property tests
//! check the whole search against a naive minute-by-minute oracle.
//!
//! 1. **Windows.** For each professional and each local date `d` from `from`
//!    to `to` inclusive, the windows are the override for `d` if there is one
//!    (an empty override closes the day), else the weekly windows of `d`'s
//!    weekday.
//! 2. **Local time to instants.** Each window end is read in the
//!    professional's zone. A time that does not exist (a spring-forward gap)
//!    is read with the offset in force just before the gap, so 02:30 in a
//!    02:00→03:00 gap becomes 03:30; an ambiguous time (fall-back) takes the
//!    earlier instant. This is RFC 5545's rule and Python's `fold=0`
//!    ([`time::Disambiguation::Compatible`]). `24:00` is 00:00 of `d + 1`. A
//!    window that comes out empty (wholly inside a gap) is dropped. The day's
//!    windows, as instants, are merged: overlapping and touching windows join.
//!    Windows of different dates never join.
//! 3. **Candidates.** Candidate starts step from the start of each merged
//!    window by `step_minutes` in absolute time, while start + duration fits
//!    inside the window. Buffers may reach outside the window.
//! 4. **Free.** A candidate `s` is free for a professional when
//!    - `s ≥ now + min_notice`;
//!    - `s < now + horizon_days × 24 h`, if a horizon is set;
//!    - the span it holds, `[s − buffer_before, s + duration + buffer_after)`,
//!      overlaps none of the professional's blocks;
//!    - fewer than `capacity` of the professional's bookings overlap that
//!      span (bookings are given by the span they hold, buffers included;
//!      every booking that overlaps counts, whether or not they overlap each
//!      other, which never over-books);
//!    - if `daily_limit` is set, fewer than that many of the professional's
//!      bookings start on `s`'s local date.
//!
//!    Spans are half-open: touching is not overlapping.
//! 5. **Combining.** In `any` mode a start is answered when at least one
//!    professional is free there (from that professional's own candidates),
//!    listing all who are; in `all` mode only when every professional is free
//!    there, listing all.
//! 6. **Answer.** Slots are sorted by start, each start once, staff keys
//!    sorted, instants in UTC. The engine's precision is one microsecond.
//!
//! A query is bounded: at most [`availability::MAX_RANGE_DAYS`] dates,
//! [`availability::MAX_STAFF`] professionals,
//! [`availability::MAX_WINDOWS_PER_DAY`] windows a day and
//! [`availability::MAX_CANDIDATES`] candidate starts, so no input can make it
//! run or allocate without bound.
//!
//! # Booking conflicts
//!
//! [`availability::StaffCalendar::check_booking`] checks one requested
//! appointment against the same rules of hours, blocks and capacity, and
//! names what it clashes with: the first block, the bookings at capacity, or
//! the working hours.
//!
//! # Errors and languages
//!
//! There is one error type, [`Error`]. Each variant is a cause and carries its
//! values; invalid input names its field as a path into the query
//! (`staff[0].weekly.mon[1]`). [`Error::message`] renders it in English or
//! Brazilian Portuguese ([`Lang`]).

#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod account;
pub mod agenda;
pub mod availability;
pub mod booking;
pub mod business;
pub mod commission;
pub mod contact;
mod error;
pub mod feed;
pub mod ids;
mod lang;
pub mod message;
pub mod money;
pub mod notify;
pub mod page;
pub mod payment;
pub mod picture;
pub mod policy;
pub mod recurrence;
pub mod store;
pub mod time;
pub mod webhook;

pub use error::{Class, Error, Expected, Problem, RecordKind, SeriesClash, Shown};
pub use lang::Lang;
