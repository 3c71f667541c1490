//! Arbitrary well-formed searches into the slot search, the explanation and
//! the conflict check.
//!
//! Values are folded into their valid ranges, so almost every input is a
//! search the engine must answer: any zone of the database, dates from 1800
//! to 2400 (LMT offsets with seconds, the far end of the zone tables), any
//! windows, blocks, bookings and rules. Invariants: nothing panics; the
//! answer is sorted, each start once, staff sorted; answered starts are
//! explained as answered; an explanation is free exactly when it gives no
//! reason.

#![no_main]

use agendo_core::availability::{
    Block, BlockKey, Booking, BookingKey, Buffers, DateRange, Mode, SlotRules, SlotSearch,
    StaffCalendar, StaffKey, WeeklyHours, WorkingHours,
};
use agendo_core::time::{Span, WallTime, Window};
use arbitrary::Arbitrary;
use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::{Tz, TZ_VARIANTS};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    zone: u16,
    from: u32,
    days: u8,
    now: i32,
    duration: u16,
    step: u16,
    before: u16,
    after: u16,
    notice: u16,
    horizon: Option<u8>,
    daily: Option<u8>,
    all: bool,
    staff: Vec<Staff>,
    probes: Vec<(i32, u16)>,
}

#[derive(Arbitrary, Debug)]
struct Staff {
    zone: Option<u16>,
    weekly: [Vec<(u16, u16)>; 7],
    overrides: Vec<(u8, Vec<(u16, u16)>)>,
    blocks: Vec<(i32, u16)>,
    bookings: Vec<(i32, u16)>,
    capacity: u8,
}

fn zone(i: u16) -> Tz {
    TZ_VARIANTS[usize::from(i) % TZ_VARIANTS.len()]
}

fn windows(raw: &[(u16, u16)]) -> Vec<Window> {
    let time = |m: u16| {
        let m = m % 1441;
        WallTime::new((m / 60) as u8, (m % 60) as u8).ok()
    };
    raw.iter()
        .take(48)
        .filter_map(|&(s, e)| Window::new(time(s)?, time(e)?).ok())
        .collect()
}

fn span(base: DateTime<Utc>, reach: i64, (offset, len): (i32, u16)) -> Option<Span> {
    let start = base + TimeDelta::minutes(i64::from(offset).rem_euclid(reach) - 24 * 60);
    Span::new(start, start + TimeDelta::minutes(1 + i64::from(len % 720))).ok()
}

fn build(input: &Input) -> Option<SlotSearch> {
    let epoch = NaiveDate::from_ymd_opt(1800, 1, 1)?;
    let from = epoch + Days::new(u64::from(input.from % (600 * 366)));
    let days = 1 + u64::from(input.days % 62);
    let range = DateRange::new(from, from + Days::new(days - 1)).ok()?;
    let base = from.and_hms_opt(0, 0, 0)?.and_utc();
    let reach = (days as i64 + 2) * 24 * 60;
    let now = base + TimeDelta::minutes(i64::from(input.now % (400 * 24 * 60)));
    let rules = SlotRules::new(1 + u32::from(input.duration % 720))
        .ok()?
        .with_step(1 + u32::from(input.step % 240))
        .ok()?
        .with_buffers(
            Buffers::new(u32::from(input.before % 240), u32::from(input.after % 240)).ok()?,
        )
        .with_min_notice(u32::from(input.notice))
        .ok()?
        .with_horizon_days(input.horizon.map(u32::from))
        .ok()?
        .with_daily_limit(input.daily.map(|d| u32::from(d % 8)))
        .ok()?;
    let query_zone = zone(input.zone);
    let mut staff = Vec::new();
    for (i, s) in input.staff.iter().take(6).enumerate() {
        let mut week = WeeklyHours::closed();
        for (day, raw) in (0u8..).zip(&s.weekly) {
            week = week
                .with_day(Weekday::try_from(day).ok()?, windows(raw))
                .ok()?;
        }
        let mut hours = WorkingHours::new(week);
        for (offset, raw) in s.overrides.iter().take(8) {
            let date = from + Days::new(u64::from(*offset % 64));
            hours = match hours.clone().with_override(date, windows(raw)) {
                Ok(hours) => hours,
                Err(_) => hours,
            };
        }
        let blocks = s.blocks.iter().take(64).enumerate().filter_map(|(k, &b)| {
            Some(Block::new(
                BlockKey::parse(&format!("b{k}")).ok()?,
                span(base, reach, b)?,
            ))
        });
        let bookings = s
            .bookings
            .iter()
            .take(256)
            .enumerate()
            .filter_map(|(k, &b)| {
                Some(Booking::new(
                    BookingKey::parse(&format!("k{k}")).ok()?,
                    span(base, reach, b)?,
                ))
            });
        let calendar = StaffCalendar::new(
            StaffKey::parse(&format!("s{i}")).ok()?,
            s.zone.map_or(query_zone, zone),
            hours,
        )
        .with_blocks(blocks.collect::<Vec<_>>())
        .with_bookings(bookings.collect::<Vec<_>>())
        .with_capacity(1 + u32::from(s.capacity % 4))
        .ok()?;
        staff.push(calendar);
    }
    let mode = if input.all { Mode::All } else { Mode::Any };
    SlotSearch::new(range, now, rules, mode, staff).ok()
}

fuzz_target!(|input: Input| {
    let Some(search) = build(&input) else {
        return;
    };
    let answer = search.find_slots();
    let mut previous = None;
    for slot in answer.iter() {
        assert!(
            previous < Some(slot.start()),
            "starts out of order or repeated"
        );
        previous = Some(slot.start());
        let staff: Vec<_> = slot.staff().collect();
        assert!(!staff.is_empty() && staff.windows(2).all(|w| w[0] < w[1]));
        assert!(slot.end() > slot.start());
    }
    for slot in answer.iter().take(8) {
        assert!(
            search.explain(slot.start()).answered(),
            "an answered start is not explained as answered"
        );
    }
    let base = search
        .range()
        .from()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc());
    let reach = (search.range().days() + 2) * 24 * 60;
    for &probe in input.probes.iter().take(16) {
        let Some(base) = base else { break };
        let Some(wanted) = span(base, reach, probe) else {
            continue;
        };
        let why = search.explain(wanted.start());
        for verdict in why.staff() {
            assert_eq!(verdict.free(), verdict.reasons().is_empty());
        }
        for staff in search.staff() {
            let _ = staff.check_booking(wanted, search.rules().buffers());
        }
    }
});
