//! The conflict check made when booking (R18).
//!
//! The slot search answers "when can I come?"; this check answers "may I
//! book exactly this?". It applies the same rules of working hours, blocks
//! and capacity, but to one span that need not be on the step grid: a
//! receptionist may book 09:10 by hand. It leaves out minimum notice, horizon
//! and daily limit, which are the business's rules for clients booking
//! themselves, and for the caller to apply.
//!
//! A store calls this inside the same transaction that writes the booking, so
//! the check and the write are one atomic step.

use super::calendar::StaffCalendar;
use super::rules::Buffers;
use crate::error::Error;
use crate::time::timeline::MICROS_PER_MINUTE;
use crate::time::Span;

impl StaffCalendar {
    /// Checks that `appointment`, held with `buffers` around it, can be
    /// booked: it lies inside one merged working window of one date, the held
    /// span meets none of the blocks, and it meets fewer bookings than the
    /// capacity. To reschedule a booking, build the calendar without it.
    ///
    /// # Errors
    /// The first rule broken, in this order:
    /// - [`Error::OutsideWorkingHours`] when the appointment is not inside
    ///   the working hours;
    /// - [`Error::Blocked`] naming the earliest block the held span meets;
    /// - [`Error::SlotTaken`] naming every booking it meets, when they are as
    ///   many as the capacity.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::*;
    /// use agendo_core::time::{parse_zone, Span, Window};
    /// use chrono::{DateTime, Utc, Weekday};
    ///
    /// let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    /// let week = WeeklyHours::closed().with_day(Weekday::Mon, [Window::parse("09:00", "18:00")?])?;
    /// let ana = StaffCalendar::new(StaffKey::parse("ana")?, parse_zone("America/Sao_Paulo")?, WorkingHours::new(week))
    ///     .with_bookings([Booking::new(
    ///         BookingKey::parse("k1")?,
    ///         Span::new(at("2026-03-02T12:00:00Z"), at("2026-03-02T12:30:00Z"))?,
    ///     )]);
    /// let wanted = Span::new(at("2026-03-02T12:15:00Z"), at("2026-03-02T12:45:00Z"))?;
    /// let err = ana.check_booking(wanted, Buffers::NONE).unwrap_err();
    /// assert_eq!(err.code(), "slot_taken");
    /// let later = Span::new(at("2026-03-02T12:30:00Z"), at("2026-03-02T13:00:00Z"))?;
    /// assert!(ana.check_booking(later, Buffers::NONE).is_ok());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn check_booking(&self, appointment: Span, buffers: Buffers) -> Result<(), Error> {
        let (start, end) = (appointment.start_micros(), appointment.end_micros());
        let inside = self
            .windows_around(start, end)
            .iter()
            .any(|(_, window)| window.contains(&appointment));
        if !inside {
            return Err(Error::OutsideWorkingHours {
                staff: self.key().clone(),
                span: appointment,
                shown: None,
            });
        }
        let held = held_span(appointment, buffers);
        if let Some(block) = self.blocks_meeting(held).next() {
            return Err(Error::Blocked {
                staff: self.key().clone(),
                block: block.key().clone(),
                span: block.span(),
                shown: None,
            });
        }
        let meeting: Vec<_> = self
            .bookings_meeting(held)
            .map(|b| b.key().clone())
            .collect();
        if meeting.len() >= self.capacity() as usize {
            return Err(Error::SlotTaken {
                staff: self.key().clone(),
                bookings: meeting,
                capacity: self.capacity(),
                shown: None,
            });
        }
        Ok(())
    }
}

/// The time a booking of `appointment` holds: the appointment widened by its
/// buffers.
pub fn held_span(appointment: Span, buffers: Buffers) -> Span {
    let before = i64::from(buffers.before_minutes()) * MICROS_PER_MINUTE;
    let after = i64::from(buffers.after_minutes()) * MICROS_PER_MINUTE;
    let start = appointment.start_micros().saturating_sub(before);
    let end = appointment.end_micros().saturating_add(after);
    Span::after(start, end - start)
}
