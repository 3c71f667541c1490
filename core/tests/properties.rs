//! Property tests: the span algebra, the DST rule and the whole slot search
//! against naive oracles written here, minute by minute, from the rules in
//! the crate docs. The oracles share no code with the engine: they only ask
//! chrono-tz what local time an instant has (the direction with one answer)
//! and scan.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use agendo_core::availability::{
    Block, BlockKey, Booking, BookingKey, Buffers, DateRange, Mode, SlotQuery, SlotRules,
    SlotSearch, StaffCalendar, StaffKey, WeeklyHours, WorkingHours,
};
use agendo_core::time::{Disambiguation, LocalOffset, LocalTime, Span, SpanSet, WallTime, Window};
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

/// Zones with DST in either hemisphere, half-hour and 45-minute offsets, a
/// 30-minute DST shift, negative DST (Dublin), Ramadan breaks (Casablanca)
/// and a skipped day (Apia).
const ZONES: &[&str] = &[
    "America/Sao_Paulo",
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "Pacific/Chatham",
    "America/St_Johns",
    "America/Santiago",
    "Africa/Casablanca",
    "Asia/Tehran",
    "UTC",
];

const MINUTE: i64 = 60;

fn zone(i: usize) -> Tz {
    ZONES[i % ZONES.len()].parse().unwrap()
}

/// Minutes since the epoch of a UTC instant.
fn minutes(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(MINUTE)
}

fn instant(minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(minutes * MINUTE, 0).unwrap()
}

/// The local wall time of the instant `m` in `zone`: the direction of the
/// mapping that always has exactly one answer.
fn wall(zone: Tz, m: i64) -> NaiveDateTime {
    instant(m).with_timezone(&zone).naive_local()
}

/// Every offset change of `zone` between 2005 and 2030, to the minute.
fn transitions(zone: Tz) -> &'static [i64] {
    static ALL: OnceLock<HashMap<Tz, Vec<i64>>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        ZONES
            .iter()
            .map(|name| {
                let z: Tz = name.parse().unwrap();
                let off = |m: i64| zone_offset_seconds(z, m);
                let start = minutes(Utc.with_ymd_and_hms(2005, 1, 1, 0, 0, 0).unwrap());
                let end = minutes(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap());
                let mut found = Vec::new();
                let mut m = start;
                while m < end {
                    let next = m + 60;
                    if off(m) != off(next) {
                        // Bisect to the first minute of the new offset.
                        let (mut lo, mut hi) = (m, next);
                        while hi - lo > 1 {
                            let mid = (lo + hi) / 2;
                            if off(mid) == off(m) {
                                lo = mid;
                            } else {
                                hi = mid;
                            }
                        }
                        found.push(hi);
                    }
                    m = next;
                }
                (z, found)
            })
            .collect()
    });
    &all[&zone]
}

fn zone_offset_seconds(zone: Tz, m: i64) -> i32 {
    zone.offset_from_utc_datetime(&instant(m).naive_utc())
        .fix()
        .local_minus_utc()
}

/// The oracle of the DST rule: every instant, to the minute, whose wall time
/// is `local`, found by scanning a day and a bit on either side.
enum Scan {
    /// The instants with that wall time, in order (one, or two in a fold).
    Found(Vec<i64>),
    /// None has it: the offsets just before and just after the jump over it.
    Gap { before: i32, after: i32 },
}

fn scan(zone: Tz, local: NaiveDateTime) -> Scan {
    let guess = minutes(local.and_utc());
    // Offsets lie between −12:00 and +14:00.
    let (from, to) = (guess - 15 * 60, guess + 13 * 60);
    let found: Vec<i64> = (from..=to).filter(|&m| wall(zone, m) == local).collect();
    if !found.is_empty() {
        return Scan::Found(found);
    }
    let jump = (from..to)
        .find(|&m| wall(zone, m) < local && wall(zone, m + 1) > local)
        .expect("a local time no instant has lies in a jump");
    Scan::Gap {
        before: zone_offset_seconds(zone, jump),
        after: zone_offset_seconds(zone, jump + 1),
    }
}

/// The oracle's instant for `local` by RFC 5545's rule, in minutes.
fn oracle_resolve(zone: Tz, local: NaiveDateTime) -> i64 {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<(Tz, NaiveDateTime), i64>> = Default::default();
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&(zone, local)).copied()) {
        return hit;
    }
    let m = match scan(zone, local) {
        Scan::Found(found) => found[0],
        Scan::Gap { before, .. } => minutes(local.and_utc()) - i64::from(before) / MINUTE,
    };
    CACHE.with(|c| c.borrow_mut().insert((zone, local), m));
    m
}

// ---------------------------------------------------------------------------
// The span algebra against sets of minutes.

fn span_set(spans: &[(u8, u8)]) -> (SpanSet, BTreeSet<i64>) {
    let base = 29_000_000; // some minute in 2025
    let mut cells = BTreeSet::new();
    let set = spans
        .iter()
        .map(|&(start, len)| {
            let (a, b) = (i64::from(start), i64::from(start) + i64::from(len) + 1);
            cells.extend(base + a..base + b);
            Span::new(instant(base + a), instant(base + b)).unwrap()
        })
        .collect();
    (set, cells)
}

fn cells_of(set: &SpanSet) -> BTreeSet<i64> {
    set.spans()
        .iter()
        .flat_map(|s| minutes(s.start())..minutes(s.end()))
        .collect()
}

fn assert_normal(set: &SpanSet) {
    for pair in set.spans().windows(2) {
        assert!(pair[0].end() < pair[1].start(), "{set:?} is not normal");
    }
}

proptest! {
    #[test]
    fn span_set_algebra_matches_sets_of_minutes(
        a in prop::collection::vec((0u8..120, 0u8..30), 0..8),
        b in prop::collection::vec((0u8..120, 0u8..30), 0..8),
        probe in (0u8..140, 0u8..20),
    ) {
        let (sa, ca) = span_set(&a);
        let (sb, cb) = span_set(&b);
        for set in [&sa, &sb] {
            assert_normal(set);
        }
        prop_assert_eq!(cells_of(&sa), ca.clone());
        let union = sa.union(&sb);
        let inter = sa.intersection(&sb);
        let diff = sa.difference(&sb);
        for set in [&union, &inter, &diff] {
            assert_normal(set);
        }
        prop_assert_eq!(cells_of(&union), ca.union(&cb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(cells_of(&inter), ca.intersection(&cb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(cells_of(&diff), ca.difference(&cb).copied().collect::<BTreeSet<_>>());
        let (ps, pc) = span_set(&[probe]);
        let probe_span = ps.spans()[0];
        prop_assert_eq!(sa.overlaps(&probe_span), !pc.is_disjoint(&ca));
        prop_assert_eq!(sa.contains(&probe_span), pc.is_subset(&ca));
    }
}

// ---------------------------------------------------------------------------
// The DST rule against the scan.

/// A local time near one of the zone's offset changes, or anywhere.
fn local_near_transition() -> impl Strategy<Value = (Tz, NaiveDateTime)> {
    (0..ZONES.len(), any::<prop::sample::Index>(), -200i64..200).prop_map(|(z, pick, delta)| {
        let zone = zone(z);
        let changes = transitions(zone);
        let at = if changes.is_empty() {
            29_000_000 + delta * 1000
        } else {
            changes[pick.index(changes.len())]
        };
        // The wall time just before the change, moved by `delta` minutes.
        let local = wall(zone, at - 1) + chrono::TimeDelta::minutes(delta + 1);
        (zone, local)
    })
}

proptest! {
    #[test]
    fn local_time_resolution_matches_the_scan((zone, local) in local_near_transition()) {
        let time = LocalTime::of(zone, local);
        let got = |rule| time.instant(rule).map(minutes).ok();
        let base = minutes(local.and_utc());
        match scan(zone, local) {
            Scan::Found(found) if found.len() == 1 => {
                let is_unique = matches!(time.offset(), LocalOffset::Unique(_));
                prop_assert!(is_unique);
                for rule in [Disambiguation::Compatible, Disambiguation::Earlier,
                             Disambiguation::Later, Disambiguation::Reject] {
                    prop_assert_eq!(got(rule), Some(found[0]));
                }
            }
            Scan::Found(found) => {
                let is_fold = matches!(time.offset(), LocalOffset::Fold { .. });
                prop_assert!(is_fold);
                prop_assert_eq!(got(Disambiguation::Compatible), Some(found[0]));
                prop_assert_eq!(got(Disambiguation::Earlier), Some(found[0]));
                prop_assert_eq!(got(Disambiguation::Later), found.last().copied());
                prop_assert_eq!(got(Disambiguation::Reject), None);
            }
            Scan::Gap { before, after } => {
                let is_gap = matches!(time.offset(), LocalOffset::Gap { .. });
                prop_assert!(is_gap);
                let with = |offset: i32| Some(base - i64::from(offset) / MINUTE);
                prop_assert_eq!(got(Disambiguation::Compatible), with(before));
                prop_assert_eq!(got(Disambiguation::Later), with(before));
                prop_assert_eq!(got(Disambiguation::Earlier), with(after));
                prop_assert_eq!(got(Disambiguation::Reject), None);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The whole slot search against a minute-by-minute oracle.

/// Raw windows as minutes since midnight, `start < end ≤ 1440`.
type Windows = Vec<(u16, u16)>;

#[derive(Clone, Debug)]
struct StaffCase {
    zone: Tz,
    weekly: [Windows; 7],
    /// Days after `from` (may fall outside the range) and their windows.
    overrides: Vec<(u64, Windows)>,
    /// Minutes since the epoch, `start < end`.
    blocks: Vec<(i64, i64)>,
    bookings: Vec<(i64, i64)>,
    capacity: u32,
}

#[derive(Clone, Debug)]
struct Case {
    from: NaiveDate,
    days: u64,
    now: i64,
    duration: u32,
    step: u32,
    before: u32,
    after: u32,
    notice: u32,
    horizon: Option<u32>,
    daily: Option<u32>,
    mode: Mode,
    staff: Vec<StaffCase>,
}

fn windows() -> impl Strategy<Value = Windows> {
    // Windows at the day's edges are drawn often: they are where dates meet.
    let start = prop_oneof![1 => Just(0u16), 4 => 0u16..288];
    prop::collection::vec((start, 1u16..60, prop::bool::weighted(0.25)), 0..3).prop_map(|ws| {
        ws.into_iter()
            .map(|(start, len, to_midnight)| {
                let start = start * 5;
                let end = if to_midnight {
                    1440
                } else {
                    (start + len * 5).min(1440)
                };
                (start, end)
            })
            .filter(|(s, e)| s < e)
            .collect()
    })
}

fn busy(base: i64, days: u64) -> impl Strategy<Value = Vec<(i64, i64)>> {
    let reach = (days as i64 + 2) * 24 * 12;
    prop::collection::vec((0..reach, 1i64..48), 0..6).prop_map(move |items| {
        items
            .into_iter()
            .map(|(at, len)| {
                let start = base - 14 * 60 + at * 5;
                (start, start + len * 5)
            })
            .collect()
    })
}

fn staff_case(base: i64, days: u64, query_zone: Tz) -> impl Strategy<Value = StaffCase> {
    (
        prop::array::uniform7(windows()),
        prop::collection::vec((0u64..6, windows()), 0..3),
        busy(base, days),
        busy(base, days),
        1u32..4,
        prop::bool::weighted(0.2),
        0..ZONES.len(),
    )
        .prop_map(
            move |(weekly, mut overrides, blocks, bookings, capacity, own_zone, z)| {
                overrides.sort_by_key(|o| o.0);
                overrides.dedup_by_key(|o| o.0);
                StaffCase {
                    zone: if own_zone { zone(z) } else { query_zone },
                    weekly,
                    overrides,
                    blocks,
                    bookings,
                    capacity,
                }
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..ZONES.len(),
        any::<prop::sample::Index>(),
        -3i64..2,
        1u64..5,
    )
        .prop_flat_map(|(z, pick, shift, days)| {
            let zone = zone(z);
            let changes = transitions(zone);
            let near = if changes.is_empty() {
                29_000_000
            } else {
                changes[pick.index(changes.len())]
            };
            let from = wall(zone, near).date() + chrono::TimeDelta::days(shift);
            let base = minutes(from.and_hms_opt(0, 0, 0).unwrap().and_utc());
            (
                Just((from, days, zone, base)),
                0..((days as i64 + 1) * 24 * 12),
                prop::sample::select(vec![5u32, 15, 30, 45, 60, 90]),
                prop::sample::select(vec![5u32, 10, 15, 30, 60]),
                (0u32..4, 0u32..4),
                prop::sample::select(vec![0u32, 0, 30, 120, 600]),
                prop::option::weighted(0.3, 0u32..4),
                prop::option::weighted(0.3, 0u32..3),
                prop::bool::weighted(0.3),
                prop::collection::vec(staff_case(base, days, zone), 1..4),
            )
        })
        .prop_map(
            |(
                (from, days, _, base),
                now,
                duration,
                step,
                (before, after),
                notice,
                horizon,
                daily,
                all,
                staff,
            )| {
                Case {
                    from,
                    days,
                    now: base - 24 * 60 + now * 5,
                    duration,
                    step,
                    before: before * 5,
                    after: after * 5,
                    notice,
                    horizon,
                    daily,
                    mode: if all { Mode::All } else { Mode::Any },
                    staff,
                }
            },
        )
}

fn key(i: usize) -> String {
    // Not in index order, so sorting by key is exercised.
    format!("s{}", (i * 7 + 3) % 10)
}

fn day_windows(windows: &Windows) -> Vec<Window> {
    windows
        .iter()
        .map(|&(s, e)| {
            let t = |m: u16| WallTime::new((m / 60) as u8, (m % 60) as u8).unwrap();
            Window::new(t(s), t(e)).unwrap()
        })
        .collect()
}

fn to_search(case: &Case) -> SlotSearch {
    let span = |(a, b): (i64, i64)| Span::new(instant(a), instant(b)).unwrap();
    let staff =
        case.staff
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut week = WeeklyHours::closed();
                for (d, w) in (0u8..).zip(&s.weekly) {
                    let day = Weekday::try_from(d).unwrap();
                    week = week.with_day(day, day_windows(w)).unwrap();
                }
                let mut hours = WorkingHours::new(week);
                for (offset, w) in &s.overrides {
                    hours = hours
                        .with_override(case.from + Days::new(*offset), day_windows(w))
                        .unwrap();
                }
                StaffCalendar::new(StaffKey::parse(&key(i)).unwrap(), s.zone, hours)
                    .with_blocks(s.blocks.iter().enumerate().map(|(k, &b)| {
                        Block::new(BlockKey::parse(&format!("b{k}")).unwrap(), span(b))
                    }))
                    .with_bookings(s.bookings.iter().enumerate().map(|(k, &b)| {
                        Booking::new(BookingKey::parse(&format!("k{k}")).unwrap(), span(b))
                    }))
                    .with_capacity(s.capacity)
                    .unwrap()
            })
            .collect();
    let rules = SlotRules::new(case.duration)
        .unwrap()
        .with_step(case.step)
        .unwrap()
        .with_buffers(Buffers::new(case.before, case.after).unwrap())
        .with_min_notice(case.notice)
        .unwrap()
        .with_horizon_days(case.horizon)
        .unwrap()
        .with_daily_limit(case.daily)
        .unwrap();
    let range = DateRange::new(case.from, case.from + Days::new(case.days - 1)).unwrap();
    SlotSearch::new(range, instant(case.now), rules, case.mode, staff).unwrap()
}

/// The oracle: each professional's free starts, in minutes.
fn oracle_free(case: &Case) -> Vec<BTreeSet<i64>> {
    let dur = i64::from(case.duration);
    let step = i64::from(case.step);
    case.staff
        .iter()
        .map(|s| {
            let mut candidates = BTreeSet::new();
            for d in 0..case.days {
                let date = case.from + Days::new(d);
                let windows = s
                    .overrides
                    .iter()
                    .find(|(o, _)| *o == d)
                    .map(|(_, w)| w)
                    .unwrap_or(&s.weekly[date.weekday().num_days_from_monday() as usize]);
                // The day's working minutes; runs of them are merged windows.
                let mut cells = BTreeSet::new();
                for &(ws, we) in windows {
                    let local = |m: u16| {
                        date.and_hms_opt(0, 0, 0).unwrap()
                            + chrono::TimeDelta::minutes(i64::from(m))
                    };
                    let a = oracle_resolve(s.zone, local(ws));
                    let b = oracle_resolve(s.zone, local(we));
                    cells.extend(a..b);
                }
                let cells: Vec<i64> = cells.into_iter().collect();
                for run in cells.chunk_by(|x, y| y - x == 1) {
                    let (first, end) = (run[0], run[run.len() - 1] + 1);
                    let mut start = first;
                    while start + dur <= end {
                        candidates.insert(start);
                        start += step;
                    }
                }
            }
            let local_date = |m: i64| wall(s.zone, m).date();
            candidates
                .into_iter()
                .filter(|&start| {
                    let held = (
                        start - i64::from(case.before),
                        start + dur + i64::from(case.after),
                    );
                    let meets = |&&(a, b): &&(i64, i64)| a < held.1 && held.0 < b;
                    start >= case.now + i64::from(case.notice)
                        && case
                            .horizon
                            .is_none_or(|h| start < case.now + i64::from(h) * 24 * 60)
                        && !s.blocks.iter().any(|b| meets(&b))
                        && s.bookings.iter().filter(meets).count() < s.capacity as usize
                        && case.daily.is_none_or(|limit| {
                            let day = local_date(start);
                            s.bookings.iter().filter(|b| local_date(b.0) == day).count()
                                < limit as usize
                        })
                })
                .collect()
        })
        .collect()
}

/// The oracle's answer: each start with the keys of the free staff, sorted.
fn oracle_answer(case: &Case, free: &[BTreeSet<i64>]) -> Vec<String> {
    let mut by_start: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (i, starts) in free.iter().enumerate() {
        for &start in starts {
            by_start.entry(start).or_default().push(key(i));
        }
    }
    by_start
        .into_iter()
        .filter(|(_, who)| case.mode == Mode::Any || who.len() == case.staff.len())
        .map(|(start, mut who)| {
            who.sort();
            format!("{} {}", start, who.join(","))
        })
        .collect()
}

fn engine_answer(search: &SlotSearch) -> Vec<String> {
    search
        .find_slots()
        .iter()
        .map(|slot| {
            let who: Vec<&str> = slot.staff().map(|k| k.as_str()).collect();
            assert_eq!(
                slot.end() - slot.start(),
                chrono::TimeDelta::minutes(i64::from(search.rules().duration_minutes()))
            );
            format!("{} {}", minutes(slot.start()), who.join(","))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn slot_search_matches_the_minute_by_minute_oracle(case in case()) {
        let search = to_search(&case);
        let free = oracle_free(&case);
        prop_assert_eq!(engine_answer(&search), oracle_answer(&case, &free));
        let answer = search.find_slots();
        prop_assert_eq!(answer.to_json(), serde_json::to_string(&answer).unwrap());
    }

    #[test]
    fn explanation_agrees_with_the_search(case in case(), extra in prop::collection::vec(0i64..(6 * 24 * 12), 0..20)) {
        let search = to_search(&case);
        let free = oracle_free(&case);
        let answered: BTreeSet<i64> = search.find_slots().iter().map(|s| minutes(s.start())).collect();
        let base = minutes(case.from.and_hms_opt(0, 0, 0).unwrap().and_utc()) - 14 * 60;
        let probes: BTreeSet<i64> = free
            .iter()
            .flatten()
            .copied()
            .chain(extra.iter().map(|m| base + m * 5))
            .collect();
        // The search sorts staff by key; the oracle keeps the case's order.
        let order: Vec<usize> = {
            let mut idx: Vec<usize> = (0..case.staff.len()).collect();
            idx.sort_by_key(|&i| key(i));
            idx
        };
        for start in probes {
            let why = search.explain(instant(start));
            prop_assert_eq!(why.answered(), answered.contains(&start), "start {}", start);
            for (verdict, &i) in why.staff().iter().zip(&order) {
                prop_assert_eq!(verdict.staff().as_str(), key(i));
                prop_assert_eq!(verdict.free(), free[i].contains(&start),
                    "start {} staff {} reasons {:?}", start, key(i), verdict.reasons());
                prop_assert_eq!(verdict.free(), verdict.reasons().is_empty());
            }
        }
    }

    #[test]
    fn a_search_written_as_json_reads_back_the_same(case in case()) {
        let search = to_search(&case);
        let json = serde_json::to_string(&SlotQuery::from(&search)).unwrap();
        let again = SlotQuery::from_json(&json).unwrap().to_search().unwrap();
        prop_assert_eq!(&again, &search);
        prop_assert_eq!(SlotSearch::from_json(&json).unwrap(), search);
    }

    /// The one-pass reader of `SlotSearch::from_json` answers exactly as the
    /// two-stage reader, whatever was done to the text: written pretty or
    /// compact, then edited where a stricter reader could go wrong.
    #[test]
    fn a_search_read_in_one_pass_is_the_two_stage_search(
        case in case(),
        pretty in any::<bool>(),
        edits in prop::collection::vec((0..TEXT_EDITS.len(), any::<prop::sample::Index>()), 0..3),
    ) {
        let query = SlotQuery::from(&to_search(&case));
        let mut text = if pretty {
            serde_json::to_string_pretty(&query).unwrap()
        } else {
            serde_json::to_string(&query).unwrap()
        };
        for (edit, at) in edits {
            let (find, replace) = TEXT_EDITS[edit];
            let places: Vec<usize> = text.match_indices(find).map(|(i, _)| i).collect();
            if !places.is_empty() {
                let i = places[at.index(places.len())];
                text.replace_range(i..i + find.len(), replace);
            }
        }
        let two_stage = SlotQuery::from_json(&text).and_then(|q| q.to_search());
        prop_assert_eq!(SlotSearch::from_json(&text), two_stage, "{}", text);
    }
}

/// Edits of a query's text: (what is found, what replaces one of them).
/// Each makes the text unusual in a way the two readers must read alike:
/// escapes, spacing, numbers, `null`, repeated and unknown fields, other
/// forms of instants, keys and values that are refused.
const TEXT_EDITS: [(&str, &str); 34] = [
    ("\"a", "\"\\u0061"),
    ("\"id\"", "\"\\u0069d\""),
    (",", " ,\n\t"),
    (":", "\r: "),
    ("Z\"", "+00:00\""),
    ("Z\"", "-03:00\""),
    ("Z\"", ".5Z\""),
    ("Z\"", ".000000001Z\""),
    ("Z\"", "z\""),
    ("T", "t"),
    ("T", " "),
    ("\"20", "\" 20"),
    ("\"20", "\"21"),
    ("\"20", "\"19"),
    (":30", ":29"),
    ("00:00", "24:00"),
    ("-0", "-1"),
    (":0", ":-0"),
    (":1", ":01"),
    (":1", ":1.0"),
    (":1", ":1e0"),
    (":1", ":-1"),
    ("null", "0"),
    (":1", ":null"),
    ("\"capacity\":", "\"capacity\":null,\"capacity\":"),
    ("\"id\":", "\"id\":\"x\",\"id\":"),
    ("\"id\":", "\"spare\":1,\"id\":"),
    (
        "\"start\":",
        "\"start\":\"2026-03-02T12:00:00Z\",\"begin\":",
    ),
    ("[]", "null"),
    ("[]", "[[]]"),
    ("\"any\"", "\"all\""),
    ("\"any\"", "\"Any\""),
    ("\"k", "\"\u{1}k"),
    ("}", "} "),
];

// ---------------------------------------------------------------------------
// Recurrence expansion against a day-by-day oracle, across DST changes.

use agendo_core::recurrence::{ByDay, End, Frequency, RecurrenceRule};

/// The weekday `i` days after Monday.
fn weekday(i: usize) -> Weekday {
    Weekday::try_from(i as u8).unwrap()
}

#[derive(Clone, Debug)]
struct RuleCase {
    zone: Tz,
    first: NaiveDateTime,
    frequency: Frequency,
    interval: u32,
    weekdays: Vec<Weekday>,
    ordinals: Vec<(i8, Weekday)>,
    end: End,
}

fn rule_case() -> impl Strategy<Value = RuleCase> {
    (
        0..ZONES.len(),
        any::<prop::sample::Index>(),
        0i64..60,
        0u32..96,
        0usize..3,
        1u32..4,
        0u8..128,
        prop::collection::btree_set((prop_oneof![-5i8..=-1, 1i8..=5], 0usize..7), 0..3),
        prop_oneof![(1u32..25).prop_map(Some), Just(None)],
        0u64..200,
    )
        .prop_map(
            |(
                z,
                transition,
                days_before,
                quarter,
                freq,
                interval,
                mask,
                ordinals,
                count,
                until_days,
            )| {
                let zone = zone(z);
                let list = transitions(zone);
                let anchor = if list.is_empty() {
                    minutes(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap())
                } else {
                    list[transition.index(list.len())]
                };
                let date = wall(zone, anchor).date() - chrono::TimeDelta::days(days_before);
                let first = date
                    .and_hms_opt(quarter / 4, (quarter % 4) * 15, 0)
                    .unwrap();
                let frequency = [Frequency::Daily, Frequency::Weekly, Frequency::Monthly][freq];
                let weekdays: Vec<Weekday> = (0..7)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(weekday)
                    .collect();
                let ordinals: Vec<(i8, Weekday)> =
                    ordinals.into_iter().map(|(n, w)| (n, weekday(w))).collect();
                let end = match count {
                    Some(n) => End::Count(n),
                    None => End::UntilDate(date + Days::new(until_days)),
                };
                RuleCase {
                    zone,
                    first,
                    frequency,
                    interval,
                    weekdays,
                    ordinals,
                    end,
                }
            },
        )
}

fn rule_of(case: &RuleCase) -> RecurrenceRule {
    let by_day: Vec<ByDay> = match case.frequency {
        Frequency::Monthly if !case.ordinals.is_empty() => case
            .ordinals
            .iter()
            .map(|(n, w)| ByDay::nth(*n, *w).unwrap())
            .collect(),
        _ => case.weekdays.iter().map(|w| ByDay::every(*w)).collect(),
    };
    RecurrenceRule::new(case.frequency, case.interval, by_day, case.end).unwrap()
}

/// Whether `d` is an occurrence date, read straight from the rule's words.
fn oracle_matches(case: &RuleCase, d: NaiveDate) -> bool {
    let d0 = case.first.date();
    let interval = i64::from(case.interval);
    match case.frequency {
        Frequency::Daily => {
            (d - d0).num_days() % interval == 0
                && (case.weekdays.is_empty() || case.weekdays.contains(&d.weekday()))
        }
        Frequency::Weekly => {
            let monday = |x: NaiveDate| {
                x - chrono::TimeDelta::days(i64::from(x.weekday().num_days_from_monday()))
            };
            let weeks = (monday(d) - monday(d0)).num_days() / 7;
            let days = if case.weekdays.is_empty() {
                vec![d0.weekday()]
            } else {
                case.weekdays.clone()
            };
            weeks % interval == 0 && days.contains(&d.weekday())
        }
        Frequency::Monthly => {
            let months = i64::from(d.year() * 12 + d.month0() as i32)
                - i64::from(d0.year() * 12 + d0.month0() as i32);
            if months % interval != 0 {
                return false;
            }
            if !case.ordinals.is_empty() {
                case.ordinals.iter().any(|(n, w)| {
                    let same: Vec<NaiveDate> = (1..=31)
                        .filter_map(|day| NaiveDate::from_ymd_opt(d.year(), d.month(), day))
                        .filter(|x| x.weekday() == *w)
                        .collect();
                    let pick = if *n > 0 {
                        same.get(*n as usize - 1)
                    } else {
                        same.len()
                            .checked_sub(n.unsigned_abs() as usize)
                            .and_then(|i| same.get(i))
                    };
                    pick == Some(&d)
                })
            } else if !case.weekdays.is_empty() {
                case.weekdays.contains(&d.weekday())
            } else {
                d.day() == d0.day()
            }
        }
    }
}

fn oracle_expand(case: &RuleCase) -> Vec<i64> {
    let mut out = Vec::new();
    let mut d = case.first.date();
    let last = d + Days::new(60 * 366);
    while d <= last {
        match case.end {
            End::Count(n) if out.len() >= n as usize => break,
            End::UntilDate(until) if d > until => break,
            _ => {}
        }
        if oracle_matches(case, d) {
            out.push(oracle_resolve(case.zone, d.and_time(case.first.time())));
        }
        d = d.succ_opt().unwrap();
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// RFC 5545 expansion in local time agrees with walking the calendar
    /// day by day and resolving each wall time by the DST oracle.
    #[test]
    fn recurrence_agrees_with_a_day_by_day_oracle(case in rule_case()) {
        let expected = oracle_expand(&case);
        match rule_of(&case).expand(case.zone, case.first) {
            Ok(starts) => {
                let engine: Vec<i64> = starts.into_iter().map(minutes).collect();
                prop_assert_eq!(engine, expected, "{:?} rule {}", case, rule_of(&case));
            }
            // A rule that gives no occurrence is refused, never an empty
            // series.
            Err(error) => {
                prop_assert!(expected.is_empty(), "{:?}: {}", case, error);
                prop_assert_eq!(error.field(), Some("rrule"));
            }
        }
    }
}
