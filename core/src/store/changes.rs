//! What each commit changed, so a kept read is brought forward instead of
//! read again whole.
//!
//! A unit of work notes what it writes that a slot search reads
//! ([`Changed`]): each booking and block as it now stands, the calendars
//! (a professional or resource over a span) they met before and after, or
//! that another record a search depends on changed (the business, a
//! service, a professional, a resource). The store counts each commit in
//! its [`ChangeLog`]; a search kept at an earlier count asks what changed
//! since ([`ChangeLog::since`]) and applies it: a booking or block as it
//! now stands replaces what was kept of it, and a calendar changed by
//! another host (known only as a span) is read again.
//!
//! Why a commit is noted twice: a unit first *reserves* its place in the
//! log, before its commit, and is *published* (counted in the version)
//! after. Two commits that change the same booking do so one after the
//! other (the second reads what the first wrote), so their reservations
//! come in that order even when the first's publication comes late. A
//! search kept at version `v` re-applies everything reserved after the
//! oldest reservation still unpublished at `v`: the changes it may not have
//! seen, in the order they were made, the last one of each booking
//! winning.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use crate::booking::Booking;
use crate::business::{Block, Bookable};
use crate::ids::{BlockId, BookingId, BusinessId};
use crate::store::Held;
use crate::time::Span;

/// What one unit of work changed that a kept search may have read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    business: Option<BusinessId>,
    records: bool,
    access: bool,
    calendars: Vec<(Bookable, Span)>,
    changes: Vec<Change>,
}

/// One change a kept search applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A booking as it now stands: the time it holds when active, `None`
    /// when it holds none (cancelled, completed, no-show).
    Booking(BookingId, Option<Held>),
    /// A block as it now stands; `None` once removed.
    Block(BlockId, Option<(Bookable, Span)>),
    /// Bookings or blocks of a calendar over a span changed, but how is
    /// not known here (another host's commit): read it again.
    Calendar(Bookable, Span),
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

    /// Whether an account or a session changed: who may sign in, and as
    /// what ([`ChangeLog::access_since`]).
    pub fn access(&self) -> bool {
        self.access
    }

    /// Notes a change of an account or a session.
    pub fn account(&mut self) {
        self.access = true;
    }

    /// The calendars whose bookings or blocks changed, each with the span
    /// the change met (before and after): what another host hears.
    pub fn calendars(&self) -> &[(Bookable, Span)] {
        &self.calendars
    }

    /// The changes, in the order they were made.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Notes a change of a record every search may read.
    pub fn record(&mut self) {
        self.records = true;
    }

    /// Notes that `on`'s bookings or blocks over `span` changed, how not
    /// known (another host's commit).
    pub fn calendar(&mut self, on: Bookable, span: Span) {
        self.touch(on, span);
        self.push(Change::Calendar(on, span));
    }

    /// Notes `booking` as it was before this unit wrote it.
    pub fn booking_was(&mut self, booking: &Booking) {
        if booking.status().is_active() {
            for on in places(booking) {
                self.touch(on, booking.held());
            }
        }
    }

    /// Notes `booking` as this unit wrote it.
    pub fn booking(&mut self, booking: &Booking) {
        self.booking_was(booking);
        let held = booking.status().is_active().then(|| Held::of(booking));
        self.push(Change::Booking(booking.id(), held));
    }

    /// Notes `block` as it was before this unit wrote or removed it.
    pub fn block_was(&mut self, block: &Block) {
        self.touch(block.on(), block.span());
    }

    /// Notes `block` as this unit wrote it.
    pub fn block(&mut self, block: &Block) {
        self.block_was(block);
        self.push(Change::Block(block.id(), Some((block.on(), block.span()))));
    }

    /// Notes that the block `id` (as it was, `block`) is removed.
    pub fn block_removed(&mut self, block: &Block) {
        self.block_was(block);
        self.push(Change::Block(block.id(), None));
    }

    /// Whether nothing a search reads changed.
    pub fn is_empty(&self) -> bool {
        !self.records && !self.access && self.calendars.is_empty() && self.changes.is_empty()
    }

    fn touch(&mut self, on: Bookable, span: Span) {
        if !self.calendars.contains(&(on, span)) {
            self.calendars.push((on, span));
        }
    }

    fn push(&mut self, change: Change) {
        // A later change of the same booking or block says all.
        let key = |c: &Change| match c {
            Change::Booking(id, _) => Some(Ok(*id)),
            Change::Block(id, _) => Some(Err(*id)),
            Change::Calendar(..) => None,
        };
        if let Some(k) = key(&change) {
            self.changes.retain(|c| key(c) != Some(k));
        }
        self.changes.push(change);
    }
}

/// The professional and the resource a booking takes.
fn places(booking: &Booking) -> impl Iterator<Item = Bookable> {
    std::iter::once(Bookable::Professional(booking.professional()))
        .chain(booking.resource().map(Bookable::Resource))
}

/// The most commits a log remembers; a search kept from before the oldest
/// is read again whole.
pub const LOGGED: usize = 8_192;

/// A store's count of commits ([`crate::store::Store::version`]) and what
/// the recent ones changed.
///
/// # Example
/// ```
/// use agendo_core::business::Bookable;
/// use agendo_core::ids::{BusinessId, ProfessionalId};
/// use agendo_core::store::{Change, ChangeLog, Changed};
/// use agendo_core::time::Span;
///
/// let log = std::sync::Arc::new(ChangeLog::default());
/// let shop = BusinessId::random();
/// let kept_at = log.version();
/// let mut changed = Changed::of(shop);
/// let ana = Bookable::Professional(ProfessionalId::random());
/// let span = Span::new("2026-03-02T12:00:00Z".parse().unwrap(), "2026-03-02T12:30:00Z".parse().unwrap()).unwrap();
/// changed.calendar(ana, span);
/// log.record(&changed);
/// assert_eq!(log.since(kept_at, shop), Some(vec![Change::Calendar(ana, span)]));
/// assert_eq!(log.since(kept_at, BusinessId::random()), Some(vec![]));
/// log.forget();
/// assert_eq!(log.since(kept_at, shop), None);
/// ```
#[derive(Debug, Default)]
pub struct ChangeLog {
    // A `std::sync::Mutex`: nothing is awaited while it is held.
    log: Mutex<Log>,
}

/// A commit's place in a [`ChangeLog`], from [`ChangeLog::reserve`] to
/// [`Ticket::publish`]. Dropped unpublished (its commit cut short, whether
/// it took effect unknown), it counts as [`Ended::Unknown`].
#[derive(Debug)]
#[must_use = "a reserved change is counted only when published"]
pub struct Ticket {
    log: Arc<ChangeLog>,
    position: Option<u64>,
}

impl Ticket {
    /// Counts the reserved commit as it `ended`; the new count.
    pub fn publish(mut self, ended: Ended) -> u64 {
        match self.position.take() {
            Some(position) => self.log.publish(position, ended),
            None => self.log.version(),
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(position) = self.position.take() {
            self.log.publish(position, Ended::Unknown);
        }
    }
}

/// How a reserved commit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It committed: its changes count.
    Committed,
    /// It did not: nothing changed.
    RolledBack,
    /// Whether it committed is not known: anything kept is read again.
    Unknown,
}

#[derive(Debug)]
struct Log {
    version: u64,
    /// The position the next reservation takes.
    next: u64,
    /// The recent commits by position, oldest first.
    entries: VecDeque<Entry>,
    /// Positions below this one were dropped from `entries`.
    dropped_below: u64,
    /// For each recent version, from `floors_base` on, the oldest position
    /// a search kept at that version may not have seen.
    floors: VecDeque<u64>,
    floors_base: u64,
    /// The positions reserved and not yet published.
    pending: BTreeSet<u64>,
    /// What changed at or before this version is no longer known.
    known_from: u64,
}

impl Default for Log {
    fn default() -> Log {
        Log {
            version: 0,
            next: 0,
            entries: VecDeque::new(),
            dropped_below: 0,
            floors: VecDeque::from([0]),
            floors_base: 0,
            pending: BTreeSet::new(),
            known_from: 0,
        }
    }
}

#[derive(Debug)]
struct Entry {
    position: u64,
    changed: Arc<Changed>,
    published: bool,
}

impl ChangeLog {
    /// The count of commits so far.
    pub fn version(&self) -> u64 {
        self.lock().version
    }

    /// Places a commit's changes in the log, before the commit: see the
    /// module's notes.
    pub fn reserve(self: &Arc<Self>, changed: &Changed) -> Ticket {
        let mut log = self.lock();
        let position = log.next;
        log.next += 1;
        log.pending.insert(position);
        if log.entries.len() >= LOGGED {
            if let Some(dropped) = log.entries.pop_front() {
                log.dropped_below = dropped.position + 1;
            }
        }
        log.entries.push_back(Entry {
            position,
            changed: Arc::new(changed.clone()),
            published: false,
        });
        Ticket {
            log: self.clone(),
            position: Some(position),
        }
    }

    fn publish(&self, position: u64, ended: Ended) -> u64 {
        let mut log = self.lock();
        log.pending.remove(&position);
        let at = log.place(position);
        let known = match (ended, at.and_then(|i| log.entries.get_mut(i))) {
            (Ended::Committed, Some(entry)) => {
                entry.published = true;
                true
            }
            (Ended::RolledBack, Some(entry)) => {
                entry.changed = Arc::new(Changed::default());
                entry.published = true;
                true
            }
            // Unknown, or already dropped from the log.
            _ => false,
        };
        log.count(known)
    }

    /// Counts one commit that changed `changed`, reserved and published at
    /// once (where commits are counted in order, under one lock).
    pub fn record(self: &Arc<Self>, changed: &Changed) -> u64 {
        self.reserve(changed).publish(Ended::Committed)
    }

    /// Counts a commit whose changes are not known (another host's, not
    /// heard in full): every search kept before it is read again whole.
    pub fn forget(&self) -> u64 {
        self.lock().count(false)
    }

    /// What changed in `business` since a search was kept at `version`, to
    /// apply in this order; `None` when a record every search reads
    /// changed, or when it is no longer all known.
    pub fn since(&self, version: u64, business: BusinessId) -> Option<Vec<Change>> {
        let log = self.lock();
        let floor = log.floor(version)?;
        let mut changes = Vec::new();
        for entry in log.from(floor) {
            if entry.changed.business != Some(business) || !entry.published {
                continue;
            }
            if entry.changed.records {
                return None;
            }
            changes.extend(entry.changed.changes.iter().cloned());
        }
        Some(changes)
    }

    /// Whether an account or a session of any business may have changed
    /// since `version`: what a host checked of a session then may no
    /// longer hold.
    pub fn access_since(&self, version: u64) -> bool {
        let log = self.lock();
        log.floor(version)
            .is_none_or(|floor| log.from(floor).any(|e| e.published && e.changed.access))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Log {
    /// The entries from position `floor` on: found by their place, since
    /// positions follow each other, so a search that missed one commit
    /// reads one entry, not the whole log.
    fn from(&self, floor: u64) -> impl Iterator<Item = &Entry> {
        let start = self.place(floor).unwrap_or(0).min(self.entries.len());
        self.entries.range(start..)
    }

    /// Where the entry of `position` is, or comes, in `entries`; `None`
    /// when it was dropped.
    fn place(&self, position: u64) -> Option<usize> {
        let first = self.entries.front().map_or(self.next, |e| e.position);
        position
            .checked_sub(first)
            .and_then(|i| usize::try_from(i).ok())
    }

    /// The oldest position a search kept at `version` may not have seen;
    /// `None` when what came after it is no longer all known.
    fn floor(&self, version: u64) -> Option<u64> {
        if version < self.known_from || version > self.version {
            return None;
        }
        let index = usize::try_from(version.checked_sub(self.floors_base)?).ok()?;
        let floor = *self.floors.get(index)?;
        (floor >= self.dropped_below).then_some(floor)
    }

    /// Counts a commit, `known` or not; the new version.
    fn count(&mut self, known: bool) -> u64 {
        self.version += 1;
        if !known {
            self.known_from = self.version;
        }
        let floor = self.pending.first().copied().unwrap_or(self.next);
        self.floors.push_back(floor);
        if self.floors.len() > LOGGED {
            self.floors.pop_front();
            self.floors_base += 1;
        }
        self.version
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

    fn held(on: ProfessionalId, hour: u32) -> Held {
        Held {
            booking: BookingId::random(),
            professional: on,
            resource: None,
            span: span(hour),
        }
    }

    #[test]
    fn a_record_change_or_a_forgotten_one_means_read_again() {
        let log = Arc::new(ChangeLog::default());
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
        assert_eq!(
            log.since(after, shop),
            Some(vec![Change::Calendar(ana, span(12))])
        );
        assert_eq!(log.since(log.version(), shop), Some(vec![]));
        log.forget();
        assert_eq!(log.since(after, shop), None);
        assert_eq!(log.since(log.version(), shop), Some(vec![]));
    }

    #[test]
    fn a_late_publication_is_applied_in_the_order_of_the_changes() {
        let log = Arc::new(ChangeLog::default());
        let shop = BusinessId::random();
        let ana = ProfessionalId::random();
        let booking = held(ana, 12);
        // The first commit books; the second, made after it, cancels; the
        // first is published last.
        let mut first = Changed::of(shop);
        first.push(Change::Booking(booking.booking, Some(booking)));
        let mut second = Changed::of(shop);
        second.push(Change::Booking(booking.booking, None));
        let one = log.reserve(&first);
        let two = log.reserve(&second);
        let kept = two.publish(Ended::Committed);
        // Kept after the cancel was published: the booking may or may not
        // have been seen, so both are applied again, in order.
        one.publish(Ended::Committed);
        assert_eq!(
            log.since(kept, shop),
            Some(vec![
                Change::Booking(booking.booking, Some(booking)),
                Change::Booking(booking.booking, None)
            ])
        );
        // Kept once both are published, nothing is left to apply.
        assert_eq!(log.since(log.version(), shop), Some(vec![]));
    }

    #[test]
    fn a_rolled_back_commit_changes_nothing_and_an_unknown_one_everything() {
        let log = Arc::new(ChangeLog::default());
        let shop = BusinessId::random();
        let mut booked = Changed::of(shop);
        let b = held(ProfessionalId::random(), 12);
        booked.push(Change::Booking(b.booking, Some(b)));
        let kept = log.version();
        log.reserve(&booked).publish(Ended::RolledBack);
        assert_eq!(log.since(kept, shop), Some(vec![]));
        // A commit cut short counts as unknown.
        drop(log.reserve(&booked));
        assert_eq!(log.since(kept, shop), None);
    }

    #[test]
    fn the_oldest_changes_are_forgotten_past_the_bound() {
        let log = Arc::new(ChangeLog::default());
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
        // In a full log, a session change is found from before it only.
        let mut signed_out = Changed::of(shop);
        signed_out.account();
        let before_it = log.version();
        log.record(&signed_out);
        log.record(&booked);
        assert!(log.access_since(before_it));
        assert!(!log.access_since(before_it + 1));
        assert_eq!(log.since(before_it + 1, shop).map(|c| c.len()), Some(1));
        // A commit outside any business counts, and changes nothing kept.
        let before = log.version();
        log.record(&Changed::default());
        assert_eq!(log.version(), before + 1);
        assert_eq!(log.since(before, shop), Some(vec![]));
    }

    #[test]
    fn a_unit_keeps_the_last_change_of_each_booking() {
        let mut changed = Changed::of(BusinessId::random());
        let b = held(ProfessionalId::random(), 12);
        changed.push(Change::Booking(b.booking, Some(b)));
        changed.push(Change::Booking(b.booking, None));
        assert_eq!(changed.changes(), [Change::Booking(b.booking, None)]);
    }
}
