//! What messages are due, and when (R28–R30).
//!
//! [`due_notices`] is a pure function from a business's settings, its
//! bookings and receivables, and `now` to the notices due at `now`. It sends
//! nothing and remembers nothing: every notice carries a dedupe key, stable
//! across calls, and a sender (the worker of the HTTP host) records the keys
//! it has sent, so running the function every minute, on many hosts, after
//! a restart, never sends a message twice (R33).
//!
//! The notices, and the window in which each is due:
//! - **booking made** (client and professional), from when it was made until
//!   the appointment starts, while the booking is active;
//! - **booking confirmed** (client), likewise, unless it was confirmed the
//!   instant it was made (the "made" message says so);
//! - **booking changed** (client and professional), for the latest
//!   reschedule only, until the new start;
//! - **booking cancelled** (client and professional), until the cancelled
//!   appointment would have started; a cancelled booking gets no other
//!   notice;
//! - **reminder the day before** (client), at the business's configured
//!   local hour on the day before the appointment, until it starts;
//! - **reminder shortly before** (client), `minutes_before` minutes before
//!   the start (an hour by default), until it starts;
//! - **payment due** (client), at the configured local hour of the due date,
//!   until the day is over;
//! - **payment overdue** (client), at that hour on each of the first
//!   `overdue_days` days after the due date (three at most, R30), each until
//!   the next.
//!
//! A reminder is skipped when the booking got its current time after the
//! reminder's moment (booked at 20:00 for tomorrow, after the 18:00
//! reminder): the confirmation already told the client. A notice whose
//! window closed unsent (the worker was down the whole time) is dropped,
//! never sent late.

use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::booking::{Booking, BookingStatus, Change};
use crate::business::Business;
use crate::error::{Error, Problem};
use crate::ids::{BookingId, ClientId, ProfessionalId, ReceivableId};
use crate::payment::Receivable;
use crate::time::{Disambiguation, LocalTime, WallTime};

/// The most days of overdue notices (R30).
pub const MAX_OVERDUE_DAYS: u8 = 3;
/// The most minutes before the start a "shortly before" reminder may go.
pub const MAX_REMINDER_MINUTES: u32 = 24 * 60;

/// When a business's messages go out (R29, R30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NotifySettings {
    day_before_at: Option<WallTime>,
    minutes_before: Option<u32>,
    payment_at: WallTime,
    overdue_days: u8,
}

impl Default for NotifySettings {
    /// The day-before reminder at 18:00, another an hour before, payment
    /// notices at 09:00, overdue notices for three days.
    fn default() -> NotifySettings {
        NotifySettings {
            day_before_at: WallTime::new(18, 0).ok(),
            minutes_before: Some(60),
            payment_at: WallTime::new(9, 0).unwrap_or(WallTime::MIDNIGHT),
            overdue_days: MAX_OVERDUE_DAYS,
        }
    }
}

impl NotifySettings {
    /// Settings: the local time of the day-before reminder (none to turn it
    /// off), how many minutes before the start the second reminder goes
    /// (none to turn it off), the local time of payment notices and how many
    /// days of overdue notices.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `minutes_before` outside 1 to
    /// [`MAX_REMINDER_MINUTES`], `overdue_days` past [`MAX_OVERDUE_DAYS`], or
    /// `day_before_at` / `payment_at` at `24:00`.
    pub fn new(
        day_before_at: Option<WallTime>,
        minutes_before: Option<u32>,
        payment_at: WallTime,
        overdue_days: u8,
    ) -> Result<NotifySettings, Error> {
        if let Some(minutes) = minutes_before {
            if !(1..=MAX_REMINDER_MINUTES).contains(&minutes) {
                return Err(Error::invalid(
                    "minutes_before",
                    Problem::AboveMaximum {
                        value: i64::from(minutes),
                        max: i64::from(MAX_REMINDER_MINUTES),
                    },
                ));
            }
        }
        if overdue_days > MAX_OVERDUE_DAYS {
            return Err(Error::invalid(
                "overdue_days",
                Problem::AboveMaximum {
                    value: i64::from(overdue_days),
                    max: i64::from(MAX_OVERDUE_DAYS),
                },
            ));
        }
        for (field, time) in [
            ("day_before_at", day_before_at),
            ("payment_at", Some(payment_at)),
        ] {
            if time == Some(WallTime::END_OF_DAY) {
                return Err(Error::invalid(
                    field,
                    Problem::BadTime {
                        value: "24:00".into(),
                    },
                ));
            }
        }
        Ok(NotifySettings {
            day_before_at,
            minutes_before,
            payment_at,
            overdue_days,
        })
    }

    /// The local time of the day-before reminder, if on.
    pub fn day_before_at(&self) -> Option<WallTime> {
        self.day_before_at
    }
    /// How many minutes before the start the second reminder goes, if on.
    pub fn minutes_before(&self) -> Option<u32> {
        self.minutes_before
    }
    /// The local time of payment notices.
    pub fn payment_at(&self) -> WallTime {
        self.payment_at
    }
    /// How many days of overdue notices.
    pub fn overdue_days(&self) -> u8 {
        self.overdue_days
    }
}

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// A booking was made.
    BookingMade,
    /// A booking was confirmed.
    BookingConfirmed,
    /// A booking moved to another time.
    BookingChanged,
    /// A booking was cancelled.
    BookingCancelled,
    /// The reminder the day before.
    ReminderDayBefore,
    /// The reminder shortly before.
    ReminderShortlyBefore,
    /// A payment is due today.
    PaymentDue,
    /// A payment is overdue; the day after the due date, from 1.
    PaymentOverdue {
        /// Which day after the due date.
        day: u8,
    },
}

impl NoticeKind {
    /// The kind as written in keys and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            NoticeKind::BookingMade => "booking_made",
            NoticeKind::BookingConfirmed => "booking_confirmed",
            NoticeKind::BookingChanged => "booking_changed",
            NoticeKind::BookingCancelled => "booking_cancelled",
            NoticeKind::ReminderDayBefore => "reminder_day_before",
            NoticeKind::ReminderShortlyBefore => "reminder_shortly_before",
            NoticeKind::PaymentDue => "payment_due",
            NoticeKind::PaymentOverdue { .. } => "payment_overdue",
        }
    }
}

/// Who a notice is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    /// A client.
    Client(ClientId),
    /// A professional.
    Professional(ProfessionalId),
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Client(id) => write!(f, "client/{id}"),
            Recipient::Professional(id) => write!(f, "professional/{id}"),
        }
    }
}

impl Recipient {
    /// Reads `client/{id}` or `professional/{id}`, as displayed.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `recipient`.
    pub fn parse(text: &str) -> Result<Recipient, Error> {
        let bad = || {
            Error::invalid(
                "recipient",
                Problem::UnknownValue {
                    value: crate::error::clip(text),
                    expected: "client/{id}, professional/{id}",
                },
            )
        };
        match text.split_once('/') {
            Some(("client", id)) => ClientId::parse(id)
                .map(Recipient::Client)
                .map_err(|_| bad()),
            Some(("professional", id)) => ProfessionalId::parse(id)
                .map(Recipient::Professional)
                .map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// What a notice is about: a booking or a receivable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A booking.
    Booking(BookingId),
    /// A receivable.
    Receivable(ReceivableId),
}

impl Subject {
    /// `booking/{id}` or `receivable/{id}`.
    pub fn key(&self) -> String {
        match self {
            Subject::Booking(id) => format!("booking/{id}"),
            Subject::Receivable(id) => format!("receivable/{id}"),
        }
    }

    /// Reads [`Subject::key`] back.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `subject`.
    pub fn parse(text: &str) -> Result<Subject, Error> {
        let bad = || {
            Error::invalid(
                "subject",
                Problem::UnknownValue {
                    value: crate::error::clip(text),
                    expected: "booking/{id}, receivable/{id}",
                },
            )
        };
        match text.split_once('/') {
            Some(("booking", id)) => BookingId::parse(id)
                .map(Subject::Booking)
                .map_err(|_| bad()),
            Some(("receivable", id)) => ReceivableId::parse(id)
                .map(Subject::Receivable)
                .map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// A message due to go out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What it says.
    pub kind: NoticeKind,
    /// Who gets it.
    pub recipient: Recipient,
    /// What it is about.
    pub subject: Subject,
    /// The moment it became due.
    pub due_at: DateTime<Utc>,
    /// A key naming this message and no other, stable across calls: a
    /// sender that records it never sends the message twice.
    pub dedupe_key: String,
}

/// The notices due at `now` for `business`, from its `bookings` and
/// `receivables`, sorted by the moment each became due (then by key).
///
/// # Example
/// ```
/// use agendo_core::booking::Booking;
/// use agendo_core::business::{Business, Service};
/// use agendo_core::ids::*;
/// use agendo_core::money::{Currency, Money};
/// use agendo_core::notify::{due_notices, NoticeKind};
/// use agendo_core::Lang;
/// use chrono::{DateTime, Utc};
///
/// let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
/// let shop = Business::new(BusinessId::random(), "Salão", chrono_tz::America::Sao_Paulo, Currency::BRL, Lang::PtBr)?;
/// let price = Money::parse("45", Currency::BRL)?;
/// let cut = Service::new(ServiceId::random(), shop.id(), "Corte", 30, price)?;
/// // Booked on the 1st for the 10th at 12:00 in São Paulo.
/// let booking = Booking::new(BookingId::random(), &cut, ProfessionalId::random(), ClientId::random(),
///     at("2026-03-10T15:00:00Z"), price, Money::zero(Currency::BRL), at("2026-03-01T12:00:00Z"))?;
/// // 18:00 the day before, in São Paulo: the reminder is due.
/// let due = due_notices(&shop, &[booking], &[], at("2026-03-09T21:00:00Z"));
/// let kinds: Vec<_> = due.iter().map(|n| n.kind).collect();
/// assert!(kinds.contains(&NoticeKind::ReminderDayBefore));
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn due_notices(
    business: &Business,
    bookings: &[Booking],
    receivables: &[Receivable],
    now: DateTime<Utc>,
) -> Vec<Notice> {
    let mut out = Vec::new();
    for booking in bookings {
        if booking.business() == business.id() {
            booking_notices(business, booking, now, &mut out);
        }
    }
    for receivable in receivables {
        if receivable.business() == business.id() {
            receivable_notices(business, receivable, now, &mut out);
        }
    }
    out.sort_by(|a, b| (a.due_at, &a.dedupe_key).cmp(&(b.due_at, &b.dedupe_key)));
    out
}

fn booking_notices(
    business: &Business,
    booking: &Booking,
    now: DateTime<Utc>,
    out: &mut Vec<Notice>,
) {
    let id = booking.id();
    let client = Recipient::Client(booking.client());
    let professional = Recipient::Professional(booking.professional());
    let start = booking.appointment().start();
    let mut push = |kind: NoticeKind, tag: String, due_at: DateTime<Utc>, to: &[Recipient]| {
        for recipient in to {
            out.push(Notice {
                kind,
                recipient: *recipient,
                subject: Subject::Booking(id),
                due_at,
                dedupe_key: format!("booking/{id}/{tag}/{}", recipient),
            });
        }
    };
    let history = booking.history();
    if booking.status() == BookingStatus::Cancelled {
        let cancelled = history
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| matches!(e.change, Change::Cancelled { .. }));
        if let Some((index, event)) = cancelled {
            if event.at <= now && now < start {
                push(
                    NoticeKind::BookingCancelled,
                    format!("{index}/{}", NoticeKind::BookingCancelled.as_str()),
                    event.at,
                    &[client, professional],
                );
            }
        }
        return;
    }
    if !booking.status().is_active() || now >= start {
        return;
    }
    let created = booking.created_at();
    let mut timed_at = created;
    for (index, event) in history.iter().enumerate() {
        let kind = match &event.change {
            Change::Created => Some((NoticeKind::BookingMade, vec![client, professional])),
            Change::Confirmed if event.at > created => {
                Some((NoticeKind::BookingConfirmed, vec![client]))
            }
            Change::Rescheduled { .. } => {
                timed_at = event.at;
                let latest = !history[index + 1..]
                    .iter()
                    .any(|e| matches!(e.change, Change::Rescheduled { .. }));
                latest.then(|| (NoticeKind::BookingChanged, vec![client, professional]))
            }
            _ => None,
        };
        if let Some((kind, to)) = kind {
            if event.at <= now {
                push(kind, format!("{index}/{}", kind.as_str()), event.at, &to);
            }
        }
    }
    let zone = business.zone();
    let settings = business.notify();
    let stamp = start.timestamp();
    if let Some(at) = settings.day_before_at() {
        let local_date = start.with_timezone(&zone).date_naive();
        if let Some(due) = local_date
            .pred_opt()
            .and_then(|d| local_instant(zone, d, at))
        {
            if due <= now && timed_at <= due {
                let kind = NoticeKind::ReminderDayBefore;
                push(kind, format!("{}/{stamp}", kind.as_str()), due, &[client]);
            }
        }
    }
    if let Some(minutes) = settings.minutes_before() {
        let due = start - TimeDelta::minutes(i64::from(minutes));
        if due <= now && timed_at <= due {
            let kind = NoticeKind::ReminderShortlyBefore;
            push(kind, format!("{}/{stamp}", kind.as_str()), due, &[client]);
        }
    }
}

fn receivable_notices(
    business: &Business,
    receivable: &Receivable,
    now: DateTime<Utc>,
    out: &mut Vec<Notice>,
) {
    if receivable.paid_at().is_some() {
        return;
    }
    let zone = business.zone();
    let at = business.notify().payment_at();
    let id = receivable.id();
    let recipient = Recipient::Client(receivable.client());
    let mut push = |kind: NoticeKind, tag: String, due_at: DateTime<Utc>| {
        out.push(Notice {
            kind,
            recipient,
            subject: Subject::Receivable(id),
            due_at,
            dedupe_key: format!("receivable/{id}/{tag}/{recipient}"),
        });
    };
    let days = 0..=business.notify().overdue_days();
    for day in days {
        let Some(date) = receivable
            .due()
            .checked_add_signed(TimeDelta::days(i64::from(day)))
        else {
            continue;
        };
        let (Some(due), Some(until)) = (
            local_instant(zone, date, at),
            date.succ_opt()
                .and_then(|next| local_instant(zone, next, at)),
        ) else {
            continue;
        };
        // The due-date notice lasts until the end of the due date; each
        // overdue notice until the next one.
        let until = if day == 0 {
            receivable.overdue_from(zone).unwrap_or(until)
        } else {
            until
        };
        if due <= now && now < until {
            if day == 0 {
                push(NoticeKind::PaymentDue, "payment_due".into(), due);
            } else {
                push(
                    NoticeKind::PaymentOverdue { day },
                    format!("payment_overdue/{day}"),
                    due,
                );
            }
        }
    }
}

/// The instant of local `time` on `date` in `zone`, by the engine's DST
/// rule.
fn local_instant(zone: Tz, date: NaiveDate, time: WallTime) -> Option<DateTime<Utc>> {
    LocalTime::of(zone, time.on(date)?)
        .instant(Disambiguation::Compatible)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_and_subjects_read_back() {
        let r = Recipient::Professional(ProfessionalId::random());
        assert_eq!(Recipient::parse(&r.to_string()).unwrap(), r);
        let s = Subject::Receivable(ReceivableId::random());
        assert_eq!(Subject::parse(&s.key()).unwrap(), s);
        assert!(Recipient::parse("robot/1").is_err());
    }
}
