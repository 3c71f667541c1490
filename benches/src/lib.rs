//! Fixed workloads for measuring the slot search, shared by the criterion
//! benchmarks and the `workload` and `slots-bench` binaries, so anyone can
//! re-create the exact inputs as JSON and time other schedulers on them.

use agendo_core::availability::{BusyQuery, Mode, SlotQuery, StaffQuery, WeeklyQuery};
use agendo_core::time::{Disambiguation, LocalTime};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub mod cpu;
pub mod shop;

/// The seed of every workload.
pub const SEED: u64 = 42;

/// A named workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// One professional in São Paulo, Mon–Fri 09:00–12:00 and 13:00–18:00, a
    /// 30-minute service and step, 90 days from 2026-03-02, 1,000 bookings.
    W1,
    /// The same over 7 days with 50 bookings.
    W2,
}

impl Workload {
    /// Reads `w1` or `w2`.
    pub fn parse(name: &str) -> Option<Workload> {
        match name.to_ascii_lowercase().as_str() {
            "w1" => Some(Workload::W1),
            "w2" => Some(Workload::W2),
            _ => None,
        }
    }

    /// The workload's query.
    pub fn query(self) -> SlotQuery {
        match self {
            Workload::W1 => barber(90, 1_000),
            Workload::W2 => barber(7, 50),
        }
    }
}

/// The working windows of the workloads, in minutes since midnight.
const WINDOWS: [(u32, u32); 2] = [(9 * 60, 12 * 60), (13 * 60, 18 * 60)];

/// One professional working weekdays over `days` days from 2026-03-02, with
/// `bookings` bookings drawn from [`SEED`]: each starts on a 15-minute mark
/// inside the working hours of a weekday in the range, lasts 30 or 60
/// minutes, and may overlap others.
pub fn barber(days: u64, bookings: usize) -> SlotQuery {
    let zone = chrono_tz::America::Sao_Paulo;
    let from = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
    let workdays: Vec<NaiveDate> = (0..days)
        .map(|d| from + Days::new(d))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    // The 15-minute marks a booking may start on.
    let marks: Vec<u32> = WINDOWS
        .iter()
        .flat_map(|&(start, end)| (start..end).step_by(15))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let instant = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bookings = (0..bookings)
        .map(|i| {
            let day = workdays[rng.random_range(0..workdays.len())];
            let mark = marks[rng.random_range(0..marks.len())];
            let minutes = if rng.random_bool(0.5) { 30 } else { 60 };
            let local = day.and_hms_opt(mark / 60, mark % 60, 0).unwrap_or_default();
            // The engine's own DST rule, so a workload in a zone with DST
            // places its bookings where the engine reads the hours.
            let start = LocalTime::of(zone, local)
                .instant(Disambiguation::Compatible)
                .unwrap_or_else(|_| local.and_utc());
            BusyQuery {
                id: format!("k{i}"),
                start: instant(start),
                end: instant(start + chrono::TimeDelta::minutes(minutes)),
            }
        })
        .collect();
    let day: Vec<(String, String)> = WINDOWS.iter().map(|&(s, e)| (hh_mm(s), hh_mm(e))).collect();
    SlotQuery {
        timezone: zone.name().to_owned(),
        from: from.to_string(),
        to: (from + Days::new(days - 1)).to_string(),
        now: "2026-03-01T12:00:00Z".to_owned(),
        duration_minutes: 30,
        buffer_before_minutes: Some(0),
        buffer_after_minutes: Some(0),
        step_minutes: Some(30),
        min_notice_minutes: Some(0),
        horizon_days: None,
        daily_limit: None,
        mode: Some(Mode::Any),
        staff: vec![StaffQuery {
            id: "ana".to_owned(),
            timezone: None,
            weekly: WeeklyQuery {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day,
                sat: Vec::new(),
                sun: Vec::new(),
            },
            overrides: Vec::new(),
            blocks: Vec::new(),
            bookings,
            capacity: Some(1),
        }],
    }
}

fn hh_mm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::Workload;

    #[test]
    fn workloads_are_deterministic_and_valid() {
        for w in [Workload::W1, Workload::W2] {
            assert_eq!(w.query(), w.query());
            let search = w.query().to_search().expect("the workload is valid");
            assert!(!search.find_slots().is_empty());
        }
        assert_eq!(Workload::W1.query().staff[0].bookings.len(), 1_000);
        assert_eq!(Workload::W2.query().staff[0].bookings.len(), 50);
        assert_eq!(Workload::W1.query().to, "2026-05-30");
        assert_eq!(Workload::W2.query().to, "2026-03-08");
    }

    #[test]
    fn bookings_start_on_quarter_hours_inside_working_hours() {
        let search = Workload::W1.query().to_search().unwrap();
        let ana = &search.staff()[0];
        for booking in ana.bookings() {
            let local = booking.span().start().with_timezone(&ana.zone());
            let minute = chrono::Timelike::hour(&local) * 60 + chrono::Timelike::minute(&local);
            assert_eq!(minute % 15, 0);
            assert!(super::WINDOWS
                .iter()
                .any(|&(s, e)| s <= minute && minute < e));
            let length = booking.span().duration().num_minutes();
            assert!(length == 30 || length == 60);
        }
    }
}
