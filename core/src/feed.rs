//! Calendar feeds (R45): each professional's agenda as an iCalendar
//! (RFC 5545) subscription for a phone or Google Calendar.
//!
//! A feed is reached by a secret address; the store keeps only a hash of
//! its key, and making a new one (rotating) ends the old. The feed lists
//! the professional's bookings from [`PAST_DAYS`] days ago to
//! [`FUTURE_DAYS`] days ahead, cancelled ones included (`STATUS:CANCELLED`,
//! so a calendar that had them removes them). Each booking keeps its UID
//! for ever; its SEQUENCE grows with each change of time or status, so a
//! calendar takes the latest. Times are UTC instants (`…Z`), which every
//! calendar shows in its own zone correctly across daylight-saving
//! changes, with no time zone table to get wrong.

use chrono::{DateTime, Utc};

use crate::booking::{Booking, BookingStatus, Change};
use crate::lang::Lang;

/// How many days back a feed reaches.
pub const PAST_DAYS: i64 = 30;
/// How many days ahead a feed reaches.
pub const FUTURE_DAYS: i64 = 366;

/// How a booking stands in a calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryStatus {
    /// Made, not yet confirmed.
    Tentative,
    /// Confirmed (or done).
    Confirmed,
    /// Cancelled: calendars remove it.
    Cancelled,
}

impl EntryStatus {
    /// The RFC 5545 `STATUS` value.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Tentative => "TENTATIVE",
            EntryStatus::Confirmed => "CONFIRMED",
            EntryStatus::Cancelled => "CANCELLED",
        }
    }
}

/// One booking as a calendar event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    /// The event's UID: the booking's id, stable for ever.
    pub uid: String,
    /// Grows with each change of time or status.
    pub sequence: u32,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// How it stands.
    pub status: EntryStatus,
    /// What calendars show: the service and the client.
    pub summary: String,
    /// The service, the client and the price, as people write them.
    pub description: String,
    /// When it last changed.
    pub changed_at: DateTime<Utc>,
}

impl FeedEntry {
    /// `booking` as a calendar event, with its service's and client's
    /// names, written in `lang`.
    pub fn of(booking: &Booking, service: &str, client: &str, lang: Lang) -> FeedEntry {
        let history = booking.history();
        let sequence = history
            .iter()
            .filter(|e| {
                matches!(
                    e.change,
                    Change::Rescheduled { .. }
                        | Change::Cancelled { .. }
                        | Change::Confirmed
                        | Change::NoShow { .. }
                )
            })
            .count();
        let status = match booking.status() {
            BookingStatus::Pending => EntryStatus::Tentative,
            BookingStatus::Cancelled => EntryStatus::Cancelled,
            BookingStatus::Confirmed | BookingStatus::Completed | BookingStatus::NoShow => {
                EntryStatus::Confirmed
            }
        };
        let price = booking.price().shown(lang);
        let description = match lang {
            Lang::PtBr => format!("{service} com {client}. Valor: {price}."),
            Lang::En => format!("{service} with {client}. Price: {price}."),
        };
        FeedEntry {
            uid: format!("{}@agendo", booking.id()),
            sequence: u32::try_from(sequence).unwrap_or(u32::MAX),
            start: booking.appointment().start(),
            end: booking.appointment().end(),
            status,
            summary: format!("{service} · {client}"),
            description,
            changed_at: history.last().map_or(booking.created_at(), |e| e.at),
        }
    }
}

/// A professional's feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feed {
    /// The calendar's name: the professional and the business.
    pub name: String,
    /// The business's zone, for calendars that show one.
    pub zone: String,
    /// The bookings, by start.
    pub entries: Vec<FeedEntry>,
}
