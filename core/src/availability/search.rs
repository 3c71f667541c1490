//! The slot search: which starts are free, for whom (R17).
//!
//! For each professional the search walks the dates once, turns each date's
//! windows into instants, lists the candidate starts, and filters them with
//! one sweep over the (sorted) blocks and bookings. Candidates, blocks and
//! bookings are all visited in time order, so a professional costs time
//! linear in its dates, windows, candidates, blocks and bookings, after the
//! one sort of its calendar when it was built.

use chrono::{DateTime, NaiveDate, Utc};

use super::answer::SlotAnswer;
use super::calendar::StaffCalendar;
use super::rules::{DateRange, Mode, SlotRules};
use crate::error::{Error, Problem};
use crate::time::timeline::{ceil_micros, MICROS_PER_DAY, MICROS_PER_MINUTE};
use crate::time::Span;

/// The most professionals one search may combine.
pub const MAX_STAFF: usize = 500;

/// The most candidate starts one search may examine, counted as an upper
/// bound before it runs (see [`SlotSearch::new`]). It bounds the time and
/// memory of any query: a year of one-minute steps for one professional is
/// about 527,000.
pub const MAX_CANDIDATES: u64 = 2_000_000;

/// A validated slot search: the dates, now, the rules and the professionals.
///
/// Build one from typed values with [`SlotSearch::new`], or from the JSON
/// contract with [`SlotQuery`](super::SlotQuery). Then [`find_slots`] answers
/// it and [`explain`] says why any start is, or is not, in the answer.
///
/// [`find_slots`]: SlotSearch::find_slots
/// [`explain`]: SlotSearch::explain
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotSearch {
    range: DateRange,
    now: DateTime<Utc>,
    rules: SlotRules,
    mode: Mode,
    /// Sorted by key, so answers list staff in key order without sorting.
    staff: Vec<StaffCalendar>,
}

/// Refuses more professionals than a search takes ([`MAX_STAFF`]); the
/// query readers ask before reading them.
pub(super) fn check_staff_count(count: usize) -> Result<(), Error> {
    if count > MAX_STAFF {
        return Err(Error::invalid(
            "staff",
            Problem::TooMany {
                count,
                max: MAX_STAFF,
            },
        ));
    }
    Ok(())
}

/// The starts `rules` allow seen at `now`, on the engine's timeline: from
/// the first the minimum notice allows, up to (not including) the first
/// past the horizon (`i64::MAX` with none). Nothing else a search answers
/// depends on `now`: an answer found with neither bound, cut to these,
/// is the answer at `now`.
pub(crate) fn open_starts(rules: &SlotRules, now: DateTime<Utc>) -> (i64, i64) {
    // `now` is rounded up: a start in whole microseconds is at or after the
    // exact instant exactly when it is at or after the rounded one.
    let now = ceil_micros(now);
    let earliest = now.saturating_add(i64::from(rules.min_notice_minutes()) * MICROS_PER_MINUTE);
    let latest = rules.horizon_days().map_or(i64::MAX, |days| {
        now.saturating_add(i64::from(days) * MICROS_PER_DAY)
    });
    (earliest, latest)
}

/// The search's rules on the engine's timeline, in microseconds.
pub(crate) struct Bounds {
    pub(crate) duration: i64,
    pub(crate) step: i64,
    pub(crate) before: i64,
    pub(crate) after: i64,
    /// The first start allowed by the minimum notice.
    pub(crate) earliest: i64,
    /// The first start not allowed by the horizon (`i64::MAX` with none).
    pub(crate) latest: i64,
}

impl SlotSearch {
    /// A search over `range` as seen at `now`, for `rules`, combining `staff`
    /// by `mode`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `staff` when it is empty, has more
    /// than [`MAX_STAFF`] professionals or repeats a key, and for the field
    /// `query` ([`Problem::TooMuchWork`]) when the search could examine more
    /// than [`MAX_CANDIDATES`] candidate starts: professionals × dates ×
    /// (26 hours / step + 2 × the most windows a day), a day being at most
    /// 26 hours long across a DST change.
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::*;
    /// use agendo_core::time::{parse_zone, Window};
    /// use chrono::{NaiveDate, Weekday};
    ///
    /// let week = WeeklyHours::closed().with_day(Weekday::Mon, [Window::parse("09:00", "10:00")?])?;
    /// let ana = StaffCalendar::new(
    ///     StaffKey::parse("ana")?,
    ///     parse_zone("America/Sao_Paulo")?,
    ///     WorkingHours::new(week),
    /// );
    /// let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    /// let search = SlotSearch::new(
    ///     DateRange::new(monday, monday)?,
    ///     "2026-03-01T12:00:00Z".parse().unwrap(),
    ///     SlotRules::new(30)?,
    ///     Mode::Any,
    ///     vec![ana],
    /// )?;
    /// let starts: Vec<String> = search.find_slots().iter().map(|s| s.start().to_rfc3339()).collect();
    /// assert_eq!(starts, ["2026-03-02T12:00:00+00:00", "2026-03-02T12:30:00+00:00"]);
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn new(
        range: DateRange,
        now: DateTime<Utc>,
        rules: SlotRules,
        mode: Mode,
        mut staff: Vec<StaffCalendar>,
    ) -> Result<SlotSearch, Error> {
        if staff.is_empty() {
            return Err(Error::invalid("staff", Problem::Empty));
        }
        check_staff_count(staff.len())?;
        staff.sort_unstable_by(|a, b| a.key().cmp(b.key()));
        if let Some(pair) = staff.windows(2).find(|p| p[0].key() == p[1].key()) {
            return Err(Error::invalid(
                "staff",
                Problem::Duplicate {
                    value: pair[0].key().to_string(),
                },
            ));
        }
        let per_day = 26 * 60 / u64::from(rules.step_minutes()) + 1;
        let candidates: u64 = staff
            .iter()
            .map(|s| {
                let windows = 2 * s.hours().max_windows_per_day() as u64;
                range.days().unsigned_abs() * (per_day + windows)
            })
            .sum();
        if candidates > MAX_CANDIDATES {
            return Err(Error::invalid(
                "query",
                Problem::TooMuchWork {
                    candidates,
                    max: MAX_CANDIDATES,
                },
            ));
        }
        Ok(SlotSearch {
            range,
            now,
            rules,
            mode,
            staff,
        })
    }

    /// The dates searched.
    pub fn range(&self) -> DateRange {
        self.range
    }

    /// The instant the search is made at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The rules.
    pub fn rules(&self) -> SlotRules {
        self.rules
    }

    /// How the professionals combine.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The professionals, sorted by key.
    pub fn staff(&self) -> &[StaffCalendar] {
        &self.staff
    }

    /// The free starts, sorted, each once, with the professionals free at
    /// each (see the crate documentation for the rules).
    pub fn find_slots(&self) -> SlotAnswer {
        let bounds = self.bounds();
        let mut windows = Vec::new();
        let free: Vec<Vec<i64>> = self
            .staff
            .iter()
            .map(|staff| {
                let mut starts = Vec::new();
                self.free_starts(staff, &bounds, &mut windows, &mut starts);
                starts
            })
            .collect();
        let keys = self.staff.iter().map(|s| s.key().clone()).collect();
        SlotAnswer::combine(keys, self.mode, free, bounds.duration)
    }

    pub(crate) fn bounds(&self) -> Bounds {
        let minutes = |m: u32| i64::from(m) * MICROS_PER_MINUTE;
        let (earliest, latest) = open_starts(&self.rules, self.now);
        Bounds {
            duration: minutes(self.rules.duration_minutes()),
            step: minutes(self.rules.step_minutes()),
            before: minutes(self.rules.buffers().before_minutes()),
            after: minutes(self.rules.buffers().after_minutes()),
            earliest,
            latest,
        }
    }

    /// Writes to `out` the free starts of one professional, sorted, each once.
    fn free_starts(
        &self,
        staff: &StaffCalendar,
        bounds: &Bounds,
        windows: &mut Vec<Span>,
        out: &mut Vec<i64>,
    ) {
        windows.clear();
        out.clear();
        for date in self.range.iter() {
            staff.day_windows(date, windows);
        }
        for window in windows.iter() {
            candidate_starts(window, bounds, out);
        }
        // Windows of successive dates follow each other on the timeline in
        // almost every case. Sorting guards against the rest: a date skipped
        // by its zone (Pacific/Apia, 2011-12-30) reads its windows into the
        // next date's instants, and clocks going back across midnight would
        // repeat a date's instants. Each start is answered once.
        if !out.is_sorted_by(|a, b| a < b) {
            out.sort_unstable();
            out.dedup();
        }

        let blocked = staff.blocked().spans();
        let starts = staff.booking_starts();
        let ends = staff.booking_ends();
        let capacity = staff.capacity() as usize;
        let daily = self
            .rules
            .daily_limit()
            .map(|limit| DailyCounts::new(staff, limit));
        let (mut b, mut s, mut e) = (0, 0, 0);
        out.retain(|&start| {
            // The time the booking would hold, buffers included.
            let held_start = start - bounds.before;
            let held_end = start + bounds.duration + bounds.after;
            // Candidates rise, so each pointer only moves forward.
            while b < blocked.len() && blocked[b].end_micros() <= held_start {
                b += 1;
            }
            if b < blocked.len() && blocked[b].start_micros() < held_end {
                return false;
            }
            // Bookings meeting [held_start, held_end) are those starting
            // before its end, less those ending at or before its start.
            while s < starts.len() && starts[s] < held_end {
                s += 1;
            }
            while e < ends.len() && ends[e] <= held_start {
                e += 1;
            }
            s - e < capacity
                && daily
                    .as_ref()
                    .is_none_or(|daily| !daily.is_full(staff.local_date(start)))
        });
    }
}

/// Appends the starts of `window` on its step grid that fit the service and
/// the notice and horizon bounds.
fn candidate_starts(window: &Span, bounds: &Bounds, out: &mut Vec<i64>) {
    let mut start = window.start_micros();
    let last = window.end_micros() - bounds.duration;
    if start < bounds.earliest {
        // Jump to the first grid point at or after the earliest start.
        let behind = bounds.earliest - start;
        start += (behind + bounds.step - 1) / bounds.step * bounds.step;
    }
    while start <= last && start < bounds.latest {
        out.push(start);
        start += bounds.step;
    }
}

/// How many bookings of one professional start on each local date, for the
/// daily limit.
pub(crate) struct DailyCounts {
    /// The local dates of booking starts, sorted.
    dates: Vec<NaiveDate>,
    limit: usize,
}

impl DailyCounts {
    pub(crate) fn new(staff: &StaffCalendar, limit: u32) -> DailyCounts {
        let mut dates: Vec<NaiveDate> = staff
            .booking_starts()
            .iter()
            .map(|&start| staff.local_date(start))
            .collect();
        dates.sort_unstable();
        DailyCounts {
            dates,
            limit: limit as usize,
        }
    }

    pub(crate) fn count(&self, date: NaiveDate) -> usize {
        let first = self.dates.partition_point(|d| *d < date);
        let after = self.dates.partition_point(|d| *d <= date);
        after - first
    }

    pub(crate) fn is_full(&self, date: NaiveDate) -> bool {
        self.count(date) >= self.limit
    }
}
