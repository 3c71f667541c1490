//! A professional's calendar: zone, working hours, blocks and bookings.

use chrono::{NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

use super::hours::WorkingHours;
use super::keys::{BlockKey, BookingKey, StaffKey};
use crate::error::{Error, Problem};
use crate::time::span_set::coalesce_tail;
use crate::time::timeline::to_utc;
use crate::time::{resolve_micros, Span, SpanSet};

/// The most bookings one professional can take at once.
pub const MAX_CAPACITY: u32 = 10_000;

/// Time taken out of a professional's hours: lunch, a vacation, an absence
/// (R16).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Block {
    key: BlockKey,
    span: Span,
}

impl Block {
    /// The block `key` over `span`.
    pub fn new(key: BlockKey, span: Span) -> Block {
        Block { key, span }
    }

    /// The caller's key.
    pub fn key(&self) -> &BlockKey {
        &self.key
    }

    /// When the block holds.
    pub fn span(&self) -> Span {
        self.span
    }
}

/// A booking the professional already has, by the time it holds: the
/// appointment widened by its service's buffers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Booking {
    key: BookingKey,
    span: Span,
}

impl Booking {
    /// The booking `key` holding `span`.
    pub fn new(key: BookingKey, span: Span) -> Booking {
        Booking { key, span }
    }

    /// The caller's key.
    pub fn key(&self) -> &BookingKey {
        &self.key
    }

    /// The time the booking holds, buffers included.
    pub fn span(&self) -> Span {
        self.span
    }
}

/// Everything the engine needs to know of one professional (or one
/// resource, such as a room, booked like one): its zone, working hours,
/// blocks, bookings and how many bookings it can take at once.
///
/// # Example
/// ```
/// use agendo_core::availability::{StaffCalendar, StaffKey, WeeklyHours, WorkingHours};
/// use agendo_core::time::{parse_zone, Window};
/// use chrono::Weekday;
///
/// let week = WeeklyHours::closed().with_day(Weekday::Mon, [Window::parse("09:00", "18:00")?])?;
/// let ana = StaffCalendar::new(
///     StaffKey::parse("ana")?,
///     parse_zone("America/Sao_Paulo")?,
///     WorkingHours::new(week),
/// )
/// .with_capacity(2)?;
/// assert_eq!(ana.capacity(), 2);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffCalendar {
    key: StaffKey,
    zone: Tz,
    hours: WorkingHours,
    /// Sorted by span.
    blocks: Vec<Block>,
    /// The blocks as a set, for the sweep of the slot search.
    blocked: SpanSet,
    /// Sorted by span.
    bookings: Vec<Booking>,
    /// Booking starts and ends, each sorted, for counting the bookings that
    /// meet a span with two pointers (see `search`).
    booking_starts: Vec<i64>,
    booking_ends: Vec<i64>,
    capacity: u32,
}

impl StaffCalendar {
    /// A calendar with no block, no booking and a capacity of one.
    pub fn new(key: StaffKey, zone: Tz, hours: WorkingHours) -> StaffCalendar {
        StaffCalendar {
            key,
            zone,
            hours,
            blocks: Vec::new(),
            blocked: SpanSet::new(),
            bookings: Vec::new(),
            booking_starts: Vec::new(),
            booking_ends: Vec::new(),
            capacity: 1,
        }
    }

    /// The same calendar with `blocks` added.
    pub fn with_blocks(mut self, blocks: impl IntoIterator<Item = Block>) -> StaffCalendar {
        add(&mut self.blocks, blocks);
        self.blocks_changed();
        self
    }

    /// The same calendar with `bookings` added.
    pub fn with_bookings(mut self, bookings: impl IntoIterator<Item = Booking>) -> StaffCalendar {
        add(&mut self.bookings, bookings);
        sort_by_span(&mut self.bookings, |b| b.span);
        self.booking_starts = self
            .bookings
            .iter()
            .map(|b| b.span.start_micros())
            .collect();
        self.booking_ends = self.bookings.iter().map(|b| b.span.end_micros()).collect();
        self.booking_ends.sort_unstable();
        self
    }

    /// Whether the booking `key` is at `span` here (`None`: it is not in
    /// this calendar), so that putting it there changes nothing.
    pub(crate) fn has_booking_at(&self, key: &BookingKey, span: Option<Span>) -> bool {
        self.bookings.iter().find(|b| b.key == *key).map(|b| b.span) == span
    }

    /// Puts the booking `key` at `span`, or takes it out (`None`). It is
    /// taken out and put in at its place, without sorting again: a kept
    /// search applies each committed booking this way, thousands a second
    /// under load.
    pub(crate) fn put_booking(&mut self, key: &BookingKey, span: Option<Span>) {
        if let Some(i) = self.bookings.iter().position(|b| b.key == *key) {
            let old = self.bookings.remove(i).span.end_micros();
            self.booking_starts.remove(i);
            let end = self.booking_ends.partition_point(|&e| e < old);
            if self.booking_ends.get(end) == Some(&old) {
                self.booking_ends.remove(end);
            }
        }
        if let Some(span) = span {
            let i = self.bookings.partition_point(|b| b.span <= span);
            self.bookings.insert(i, Booking::new(key.clone(), span));
            self.booking_starts.insert(i, span.start_micros());
            let end = self
                .booking_ends
                .partition_point(|&e| e <= span.end_micros());
            self.booking_ends.insert(end, span.end_micros());
        }
    }

    /// Whether the block `key` is at `span` here (`None`: it is not in this
    /// calendar).
    pub(crate) fn has_block_at(&self, key: &BlockKey, span: Option<Span>) -> bool {
        self.blocks.iter().find(|b| b.key == *key).map(|b| b.span) == span
    }

    /// Puts the block `key` at `span`, or takes it out (`None`).
    pub(crate) fn put_block(&mut self, key: &BlockKey, span: Option<Span>) {
        self.blocks.retain(|b| b.key != *key);
        self.blocks
            .extend(span.map(|span| Block::new(key.clone(), span)));
        self.blocks_changed();
    }

    /// Sorts the blocks and makes the set of their spans again.
    fn blocks_changed(&mut self) {
        sort_by_span(&mut self.blocks, |b| b.span);
        self.blocked = self.blocks.iter().map(Block::span).collect();
    }

    /// The same calendar taking up to `capacity` bookings at once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `capacity` below 1 or past
    /// [`MAX_CAPACITY`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::{StaffCalendar, StaffKey, WorkingHours};
    /// let room = StaffCalendar::new(StaffKey::parse("laser room")?, chrono_tz::UTC, WorkingHours::default());
    /// assert_eq!(room.clone().with_capacity(3)?.capacity(), 3);
    /// assert_eq!(room.with_capacity(0).unwrap_err().field(), Some("capacity"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn with_capacity(self, capacity: u32) -> Result<StaffCalendar, Error> {
        let capacity = check_capacity(capacity)?;
        Ok(StaffCalendar { capacity, ..self })
    }

    /// The caller's key.
    pub fn key(&self) -> &StaffKey {
        &self.key
    }

    /// The zone the working hours are written in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The working hours.
    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// The blocks, sorted by start.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The bookings, sorted by start.
    pub fn bookings(&self) -> &[Booking] {
        &self.bookings
    }

    /// How many bookings the professional can take at once.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// The blocks that share an instant with `span`, in time order.
    pub(crate) fn blocks_meeting(&self, span: Span) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(move |b| b.span.overlaps(&span))
    }

    /// The bookings that share an instant with `span`, in time order.
    pub(crate) fn bookings_meeting(&self, span: Span) -> impl Iterator<Item = &Booking> {
        self.bookings.iter().filter(move |b| b.span.overlaps(&span))
    }

    pub(crate) fn blocked(&self) -> &SpanSet {
        &self.blocked
    }

    pub(crate) fn booking_starts(&self) -> &[i64] {
        &self.booking_starts
    }

    pub(crate) fn booking_ends(&self) -> &[i64] {
        &self.booking_ends
    }

    /// Appends `date`'s working windows, as instants, to `out`: each end read
    /// in the professional's zone by the engine's DST rule, windows that come
    /// out empty dropped (a window wholly inside a gap), and the rest merged,
    /// touching windows joining. Windows of different dates are never merged
    /// with each other.
    pub(crate) fn day_windows(&self, date: NaiveDate, out: &mut Vec<Span>) {
        let first = out.len();
        for window in self.hours.windows_on(date) {
            let start = window.start().on(date);
            let end = window.end().on(date);
            let (Some(start), Some(end)) = (
                start.and_then(|t| resolve_micros(self.zone, t)),
                end.and_then(|t| resolve_micros(self.zone, t)),
            ) else {
                continue;
            };
            out.extend(Span::from_micros(start, end));
        }
        let day = &mut out[first..];
        if !day.is_sorted() {
            day.sort_unstable();
        }
        coalesce_tail(out, first);
    }

    /// The merged working windows, with their dates, of every date whose
    /// windows could hold an instant between `start` and `end`: the local
    /// dates of both, and one date more on either side, since a DST change
    /// can move a window's instants across midnight.
    pub(crate) fn windows_around(&self, start: i64, end: i64) -> Vec<(NaiveDate, Span)> {
        let first = self.local_date(start);
        let first = first.pred_opt().unwrap_or(first);
        let last = self.local_date(end);
        let last = last.succ_opt().unwrap_or(last);
        let mut out = Vec::new();
        let mut windows = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            windows.clear();
            self.day_windows(date, &mut windows);
            out.extend(windows.iter().map(|w| (date, *w)));
        }
        out
    }

    /// The local date, in the professional's zone, of the instant `micros`.
    pub(crate) fn local_date(&self, micros: i64) -> NaiveDate {
        let utc = to_utc(micros).naive_utc();
        let offset = self.zone.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_offset(offset).unwrap_or(utc).date()
    }
}

/// Checks a capacity: 1 to [`MAX_CAPACITY`], for the field `capacity`.
pub(crate) fn check_capacity(capacity: u32) -> Result<u32, Error> {
    if capacity == 0 {
        return Err(Error::invalid(
            "capacity",
            Problem::BelowMinimum { value: 0, min: 1 },
        ));
    }
    if capacity > MAX_CAPACITY {
        return Err(Error::invalid(
            "capacity",
            Problem::AboveMaximum {
                value: i64::from(capacity),
                max: i64::from(MAX_CAPACITY),
            },
        ));
    }
    Ok(capacity)
}

/// `more` added to `list`; into an empty list, a `Vec` is taken as it is,
/// not copied.
fn add<T>(list: &mut Vec<T>, more: impl IntoIterator<Item = T>) {
    if list.is_empty() {
        *list = more.into_iter().collect();
    } else {
        list.extend(more);
    }
}

/// Sorts `items` by their spans (start, then end), those with equal spans
/// in the order they came: what a stable `sort_by_key(span)` does, faster
/// for the thousand bookings of a season (see [`span_order`]). The items are
/// moved once, to where they go.
pub(super) fn sort_by_span<T>(items: &mut [T], span: impl Fn(&T) -> Span) {
    if items.is_sorted_by_key(&span) {
        return;
    }
    let order = span_order(items, span);
    // Item `order[p]` goes to place `p`: each cycle of the permutation is
    // followed once, by swaps.
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// The indices of `items` in the order of their spans (start, then end),
/// those with equal spans in the order they came. Each item's start, less
/// the earliest, is packed with its index into one integer, those integers
/// are sorted, and the few runs of equal starts are put in order of their
/// ends. Starts too far apart to pack (centuries) are sorted the plain way.
pub(super) fn span_order<T>(items: &[T], span: impl Fn(&T) -> Span) -> Vec<usize> {
    let n = items.len();
    let starts = items.iter().map(|item| span(item).start_micros());
    let (Some(first), Some(last)) = (starts.clone().min(), starts.max()) else {
        return Vec::new();
    };
    // The bits an index takes, and those left for the start.
    let index_bits = usize::BITS - n.saturating_sub(1).leading_zeros();
    let packable = last
        .checked_sub(first)
        .and_then(|reach| u64::try_from(reach).ok())
        .filter(|reach| index_bits < 64 && reach.checked_shr(64 - index_bits) == Some(0));
    if n < 32 || packable.is_none() {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| span(&items[i]));
        return order;
    }
    let index_mask = (1u64 << index_bits) - 1;
    let mut order: Vec<u64> = items
        .iter()
        .enumerate()
        .map(|(i, item)| ((span(item).start_micros() - first) as u64) << index_bits | i as u64)
        .collect();
    order.sort_unstable();
    // Equal starts came out by index; their ends decide, stably.
    for run in order.chunk_by_mut(|a, b| a >> index_bits == b >> index_bits) {
        if run.len() > 1 {
            run.sort_by_key(|key| span(&items[(key & index_mask) as usize]).end_micros());
        }
    }
    order
        .into_iter()
        .map(|key| (key & index_mask) as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::{StaffKey, WorkingHours};

    fn span(start: i64, minutes: i64) -> Span {
        Span::from_micros(start * 60_000_000, (start + minutes) * 60_000_000).unwrap()
    }

    #[test]
    fn a_booking_put_in_its_place_is_the_calendar_built_afresh() {
        let key = |i: u64| BookingKey::parse(&format!("k{i}")).unwrap();
        let empty = StaffCalendar::new(
            StaffKey::parse("ana").unwrap(),
            chrono_tz::UTC,
            WorkingHours::default(),
        );
        let mut kept = empty.clone();
        let mut held: std::collections::BTreeMap<u64, Span> = Default::default();
        // A fixed sequence of moves, additions and cancellations, ties included.
        let mut seed: u64 = 7;
        for _ in 0..2_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let which = (seed >> 33) % 40;
            let at = match (seed >> 20) % 4 {
                0 => None,
                _ => Some(span(
                    ((seed >> 40) % 50) as i64 * 15,
                    [30, 60, 15][((seed >> 8) % 3) as usize],
                )),
            };
            assert_eq!(
                kept.has_booking_at(&key(which), at),
                held.get(&which).copied() == at
            );
            kept.put_booking(&key(which), at);
            match at {
                Some(at) => held.insert(which, at),
                None => held.remove(&which),
            };
            let fresh = empty
                .clone()
                .with_bookings(held.iter().map(|(k, s)| Booking::new(key(*k), *s)));
            let spans = |c: &StaffCalendar| c.bookings.iter().map(|b| b.span).collect::<Vec<_>>();
            assert_eq!(spans(&kept), spans(&fresh));
            assert_eq!(kept.booking_starts, fresh.booking_starts);
            assert_eq!(kept.booking_ends, fresh.booking_ends);
            let keys = |c: &StaffCalendar| {
                let mut all: Vec<_> = c.bookings.iter().map(|b| (b.span, b.key.clone())).collect();
                all.sort();
                all
            };
            assert_eq!(keys(&kept), keys(&fresh));
        }
    }

    proptest::proptest! {
        /// Spans sorted by packing starts with indices are in the order a
        /// stable sort by span gives, equal spans in the order they came;
        /// few or many, close together or centuries apart, with ties.
        #[test]
        fn sorting_by_span_is_a_stable_sort_by_span(
            spans in proptest::collection::vec((0i64..40, 1i64..4, proptest::bool::ANY), 0..300),
            far in proptest::bool::ANY,
        ) {
            // Quarter hours, or starts spread over most of the timeline
            // (too far apart to pack with an index).
            let unit: i64 = if far { i64::MAX / 50 } else { 900_000_000 };
            let mut items: Vec<(Span, usize)> = spans
                .iter()
                .enumerate()
                .map(|(i, &(start, length, long))| {
                    let end = start * unit + length * if long { unit } else { 900_000_000 };
                    (Span::from_micros(start * unit, end).unwrap(), i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|(span, _)| *span);
            sort_by_span(&mut items, |(span, _)| *span);
            proptest::prop_assert_eq!(items, expected);
        }
    }
}
