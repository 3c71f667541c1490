//! What each commit changed, so a kept read is brought forward instead of
//! read again whole.
//!
//! A unit of work notes what it writes that a slot search reads
//! ([`Changed`]): the bookings and blocks of a professional or resource
//! over a span, or any other record a search depends on (the business,
//! services, professionals, resources). The store counts each commit in its
//! [`ChangeLog`] with what it changed; a search kept at an earlier count
//! asks the log what changed since ([`ChangeLog::since`]) and reads again
//! only the calendars a change meets.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::booking::Booking;
use crate::business::{Block, Bookable};
use crate::ids::BusinessId;
use crate::time::Span;

/// What one unit of work changed that a kept search may have read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    business: Option<BusinessId>,
    records: bool,
    calendars: Vec<(Bookable, Span)>,
}

impl Changed {
    /// Nothing yet, in `business`.
    pub fn of(business: BusinessId) -> Changed {
        Changed {
            business: Some(business),
            ..Changed::default()
        }
    }

    /// The business whose records changed; `None` for a commit outside
    /// any one business (sign-in attempts, the message queue).
    pub fn business(&self) -> Option<BusinessId> {
        self.business
    }

    /// Whether a record every search of the business may read changed
    /// (its settings, a service, a professional, a resource): whatever was
    /// kept of the business is read again.
    pub fn records(&self) -> bool {
        self.records
    }

    /// The calendars whose bookings or blocks changed, each with the span
    /// the change met.
    pub fn calendars(&self) -> &[(Bookable, Span)] {
        &self.calendars
    }

    /// Notes a change of a record every search may read.
    pub fn record(&mut self) {
        self.records = true;
    }

    /// Notes a change of `on`'s bookings or blocks over `span`.
    pub fn calendar(&mut self, on: Bookable, span: Span) {
        if !self.calendars.contains(&(on, span)) {
            self.calendars.push((on, span));
        }
    }

    /// Notes the time `booking` holds, when it is active: a booking written
    /// is noted as it was before and as it is after.
    pub fn booking(&mut self, booking: &Booking) {
        if booking.status().is_active() {
            self.calendar(
                Bookable::Professional(booking.professional()),
                booking.held(),
            );
            if let Some(resource) = booking.resource() {
                self.calendar(Bookable::Resource(resource), booking.held());
            }
        }
    }

    /// Notes the time `block` blocks.
    pub fn block(&mut self, block: &Block) {
        self.calendar(block.on(), block.span());
    }

    /// Whether nothing a search reads changed.
    pub fn is_empty(&self) -> bool {
        !self.records && self.calendars.is_empty()
    }
}

/// The most changes a log remembers; a search kept from before the oldest
/// one is read again whole.
pub const LOGGED: usize = 8_192;

/// A store's count of commits ([`crate::store::Store::version`]) and what
/// the recent ones changed.
///
/// # Example
/// ```
/// use agendo_core::business::Bookable;
/// use agendo_core::ids::{BusinessId, ProfessionalId};
/// use agendo_core::store::{ChangeLog, Changed};
/// use agendo_core::time::Span;
///
/// let log = ChangeLog::default();
/// let shop = BusinessId::random();
/// let kept_at = log.version();
/// let mut changed = Changed::of(shop);
/// let ana = Bookable::Professional(ProfessionalId::random());
/// let span = Span::new("2026-03-02T12:00:00Z".parse().unwrap(), "2026-03-02T12:30:00Z".parse().unwrap()).unwrap();
/// changed.calendar(ana, span);
/// log.record(&changed);
/// assert_eq!(log.since(kept_at, shop), Some(vec![(ana, span)]));
/// assert_eq!(log.since(kept_at, BusinessId::random()), Some(vec![]));
/// log.forget();
/// assert_eq!(log.since(kept_at, shop), None);
/// ```
#[derive(Debug, Default)]
pub struct ChangeLog {
    // A `std::sync::Mutex`: nothing is awaited while it is held.
    log: Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    version: u64,
    /// The changes of the commits after `known_from`, oldest first, each
    /// with the count of its commit.
    entries: VecDeque<(u64, BusinessId, Entry)>,
    /// What changed at or before this count is no longer known.
    known_from: u64,
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    Records,
    Calendar(Bookable, Span),
}

impl ChangeLog {
    /// The count of commits so far.
    pub fn version(&self) -> u64 {
        self.lock().version
    }

    /// Counts one commit that changed `changed`; the new count.
    pub fn record(&self, changed: &Changed) -> u64 {
        let mut log = self.lock();
        log.version += 1;
        let version = log.version;
        if let Some(business) = changed.business {
            if changed.records {
                log.push(version, business, Entry::Records);
            } else {
                for (on, span) in &changed.calendars {
                    log.push(version, business, Entry::Calendar(*on, *span));
                }
            }
        }
        version
    }

    /// Counts a commit whose changes are not known (another host's, not
    /// heard in full): every search kept before it is read again whole.
    pub fn forget(&self) -> u64 {
        let mut log = self.lock();
        log.version += 1;
        log.entries.clear();
        log.known_from = log.version;
        log.version
    }

    /// The calendars of `business` changed by the commits after `version`,
    /// each with the span the change met; `None` when one of them changed
    /// another record a search reads, or when they are no longer all known.
    pub fn since(&self, version: u64, business: BusinessId) -> Option<Vec<(Bookable, Span)>> {
        let log = self.lock();
        if version < log.known_from {
            return None;
        }
        let mut calendars = Vec::new();
        for (_, of, entry) in log.entries.iter().rev().take_while(|(v, ..)| *v > version) {
            if *of != business {
                continue;
            }
            match entry {
                Entry::Records => return None,
                Entry::Calendar(on, span) => calendars.push((*on, *span)),
            }
        }
        Some(calendars)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Log {
    fn push(&mut self, version: u64, business: BusinessId, entry: Entry) {
        if self.entries.len() >= LOGGED {
            if let Some((oldest, ..)) = self.entries.pop_front() {
                self.known_from = self.known_from.max(oldest);
            }
        }
        self.entries.push_back((version, business, entry));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ProfessionalId;

    fn span(hour: u32) -> Span {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .unwrap()
            .and_utc();
        Span::new(start, start + chrono::TimeDelta::minutes(30)).unwrap()
    }

    #[test]
    fn a_record_change_or_a_forgotten_one_means_read_again() {
        let log = ChangeLog::default();
        let shop = BusinessId::random();
        let ana = Bookable::Professional(ProfessionalId::random());
        let start = log.version();
        let mut booked = Changed::of(shop);
        booked.calendar(ana, span(12));
        assert_eq!(log.record(&booked), start + 1);
        let mut hours = Changed::of(shop);
        hours.record();
        log.record(&hours);
        assert_eq!(log.since(start, shop), None);
        // From after the hours change, only what came next counts.
        let after = log.version();
        log.record(&booked);
        assert_eq!(log.since(after, shop), Some(vec![(ana, span(12))]));
        assert_eq!(log.since(log.version(), shop), Some(vec![]));
        log.forget();
        assert_eq!(log.since(after, shop), None);
        assert_eq!(log.since(log.version(), shop), Some(vec![]));
    }

    #[test]
    fn the_oldest_changes_are_forgotten_past_the_bound() {
        let log = ChangeLog::default();
        let shop = BusinessId::random();
        let ana = Bookable::Professional(ProfessionalId::random());
        let mut booked = Changed::of(shop);
        booked.calendar(ana, span(12));
        for _ in 0..LOGGED + 1 {
            log.record(&booked);
        }
        assert_eq!(log.since(0, shop), None);
        let recent = log.since(log.version() - 10, shop).unwrap();
        assert_eq!(recent.len(), 10);
        // A commit outside any business counts, and changes nothing kept.
        let before = log.version();
        log.record(&Changed::default());
        assert_eq!(log.version(), before + 1);
        assert_eq!(log.since(before, shop), Some(vec![]));
    }
}
