//! The load harnesses' barbershop: a salon of many professionals open
//! around the clock, booked at random by many tasks at once, through the
//! store's one step or the whole use case (`store-load`, and the ceiling
//! of `http-load`'s bookings phase).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agendo_core::agenda::{Agenda, BookRequest, Context};
use agendo_core::booking::{Booking, BookingStatus};
use agendo_core::business::{Business, Client, Professional, Service};
use agendo_core::ids::{BookingId, BusinessId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::{Currency, Money};
use agendo_core::store::{Access, BookingFilter, Store};
use agendo_core::{Error, Lang};
use chrono::{DateTime, TimeDelta, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A barbershop set up for load: a 30-minute haircut, professionals open
/// around the clock every day, one client.
pub struct Shop {
    /// The use cases over the shop's store.
    pub agenda: Agenda,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The business.
    pub business: Business,
    /// The haircut.
    pub cut: Service,
    /// The professionals.
    pub staff: Vec<Professional>,
    /// The client every booking is for.
    pub client: Client,
    /// "Now" for every booking made.
    pub now: DateTime<Utc>,
    /// The local midnight (São Paulo) of the first day booked.
    pub first: DateTime<Utc>,
}

/// The local midnight in São Paulo (UTC-3, no summer time since 2019) of
/// `day`: a haircut starts at 00:00–23:15 local and never runs past
/// midnight, where one day's opening hours end.
pub fn sao_paulo_midnight(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(3, 0, 0).unwrap_or_default().and_utc()
}

/// Opens a [`Shop`] of `professionals` in `store`, its bookings made at
/// `now` from the day of `first` (a local midnight) on.
///
/// # Errors
/// What the store answers.
pub async fn open_shop(
    store: Arc<dyn Store>,
    professionals: usize,
    now: DateTime<Utc>,
    first: DateTime<Utc>,
) -> Result<Shop, Error> {
    let agenda = Agenda::new(store.clone());
    let business = Business::new(
        BusinessId::random(),
        "Barbearia da Carga",
        chrono_tz::America::Sao_Paulo,
        Currency::BRL,
        Lang::PtBr,
    )?;
    agenda.create_business(&business).await?;
    let ctx = Context::staff(business.id(), now);
    let cut = Service::new(
        ServiceId::random(),
        business.id(),
        "Corte",
        30,
        Money::parse("50", Currency::BRL)?,
    )?;
    agenda.save_service(&ctx, &cut).await?;
    // Open around the clock, so the use case's hours never refuse.
    let mut week = agendo_core::availability::WeeklyHours::closed();
    for day in [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ] {
        week = week.with_day(day, [agendo_core::time::Window::parse("00:00", "24:00")?])?;
    }
    let hours = agendo_core::availability::WorkingHours::new(week);
    let mut staff = Vec::with_capacity(professionals);
    for i in 0..professionals {
        let professional = Professional::new(
            ProfessionalId::random(),
            business.id(),
            &format!("Prof {i}"),
        )?
        .with_services([cut.id()])
        .with_hours(hours.clone());
        agenda.save_professional(&ctx, &professional).await?;
        staff.push(professional);
    }
    let client = Client::new(ClientId::random(), business.id(), "Cliente da Carga")?;
    agenda.save_client(&ctx, &client).await?;
    Ok(Shop {
        agenda,
        store,
        business,
        cut,
        staff,
        client,
        now,
        first,
    })
}

/// A new booking of a haircut with `professional` at `start`.
///
/// # Errors
/// When `start` is out of the engine's range.
pub fn booking(
    shop: &Shop,
    professional: &Professional,
    start: DateTime<Utc>,
) -> Result<Booking, Error> {
    Booking::new(
        BookingId::random(),
        &shop.cut,
        professional.id(),
        shop.client.id(),
        start,
        shop.cut.price(),
        Money::zero(Currency::BRL),
        shop.now,
    )
}

/// One attempt at the store's level: the guarded insert as one step.
async fn attempt_store(
    shop: &Shop,
    professional: &Professional,
    start: DateTime<Utc>,
) -> Result<(), Error> {
    shop.store
        .insert_booking_alone(&booking(shop, professional, start)?)
        .await
}

async fn attempt_agenda(
    shop: &Shop,
    professional: &Professional,
    start: DateTime<Utc>,
) -> Result<(), Error> {
    let request = BookRequest {
        service: shop.cut.id(),
        professional: professional.id(),
        client: shop.client.id(),
        start,
        discount: None,
    };
    let ctx = Context::staff(shop.business.id(), shop.now);
    shop.agenda.book(&ctx, &request).await.map(drop)
}

/// What the tasks of a phase did.
#[derive(Default)]
pub struct Tally {
    /// Bookings made.
    pub made: u64,
    /// Attempts refused: the time was taken.
    pub refused: u64,
    /// Attempts that failed otherwise.
    pub failed: u64,
    /// Each attempt's latency, in µs.
    pub micros: Vec<u32>,
}

/// A random professional of the shop and a random start: 30 days from its
/// first, 94 quarter hours a day.
pub fn pick<'s>(shop: &'s Shop, rng: &mut ChaCha8Rng) -> (&'s Professional, DateTime<Utc>) {
    let (staff, first) = (&shop.staff, shop.first);
    let professional = &staff[rng.random_range(0..staff.len())];
    let start = first
        + TimeDelta::days(rng.random_range(0..30))
        + TimeDelta::minutes(15 * rng.random_range(0..94));
    (professional, start)
}

async fn task(shop: Arc<Shop>, seed: u64, through_agenda: bool, stop: Arc<AtomicBool>) -> Tally {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tally = Tally::default();
    while !stop.load(Ordering::Relaxed) {
        let (professional, start) = pick(&shop, &mut rng);
        let began = Instant::now();
        let result = if through_agenda {
            attempt_agenda(&shop, professional, start).await
        } else {
            attempt_store(&shop, professional, start).await
        };
        tally
            .micros
            .push(u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX));
        match result {
            Ok(()) => tally.made += 1,
            Err(Error::SlotTaken { .. }) => tally.refused += 1,
            Err(e) => {
                tally.failed += 1;
                if tally.failed <= 3 {
                    eprintln!("store-load: attempt failed: {e}");
                }
            }
        }
    }
    tally
}

/// Active bookings of each professional that overlap another.
///
/// # Errors
/// What the store answers.
pub async fn double_bookings(shop: &Shop) -> Result<usize, Error> {
    let staff: Vec<ProfessionalId> = shop.staff.iter().map(Professional::id).collect();
    overlaps(&*shop.store, shop.business.id(), &staff).await
}

/// Active bookings of each of `staff` in `business` that overlap another.
///
/// # Errors
/// What the store answers.
pub async fn overlaps(
    store: &dyn Store,
    business: BusinessId,
    staff: &[ProfessionalId],
) -> Result<usize, Error> {
    let mut work = store.begin(business, Access::Read).await?;
    let mut found = 0;
    for professional in staff {
        let filter = BookingFilter {
            professional: Some(*professional),
            statuses: vec![BookingStatus::Pending, BookingStatus::Confirmed],
            ..BookingFilter::default()
        };
        let mut held: Vec<_> = work
            .bookings(&filter)
            .await?
            .iter()
            .map(|b| b.held())
            .collect();
        held.sort();
        found += held.windows(2).filter(|w| w[0].overlaps(&w[1])).count();
    }
    Ok(found)
}

/// The `p` quantile of `sorted` microseconds, in ms.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[rank]) / 1000.0
}

/// What a phase measured.
pub struct Measured {
    /// Attempts a second.
    pub rate: f64,
    /// Their p99, in ms.
    pub p99: f64,
    /// Double-bookings found and failed attempts.
    pub bad: usize,
}

/// How a phase books and for how long.
pub struct Load {
    /// Tasks booking at once.
    pub tasks: usize,
    /// Professionals of the shop.
    pub professionals: usize,
    /// How long, in seconds.
    pub seconds: u64,
    /// "Now" for every booking.
    pub now: DateTime<Utc>,
    /// The local midnight of the first day booked.
    pub first: DateTime<Utc>,
}

/// Runs `load.tasks` tasks booking on a shop of their own for
/// `load.seconds`, through the store's one step or the whole use case,
/// and prints it.
///
/// # Errors
/// When the shop cannot be opened or a task is lost.
pub async fn phase(
    store: Arc<dyn Store>,
    load: &Load,
    through_agenda: bool,
) -> Result<Measured, String> {
    let shop = Arc::new(
        open_shop(store, load.professionals, load.now, load.first)
            .await
            .map_err(|e| e.to_string())?,
    );
    let stop = Arc::new(AtomicBool::new(false));
    let began = Instant::now();
    let handles: Vec<_> = (0..load.tasks)
        .map(|i| {
            tokio::spawn(task(
                shop.clone(),
                42 + i as u64,
                through_agenda,
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(load.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for handle in handles {
        let tally = handle.await.map_err(|e| e.to_string())?;
        all.made += tally.made;
        all.refused += tally.refused;
        all.failed += tally.failed;
        all.micros.extend(tally.micros);
    }
    let elapsed = began.elapsed().as_secs_f64();
    all.micros.sort_unstable();
    let doubles = double_bookings(&shop).await.map_err(|e| e.to_string())?;
    let rate = all.micros.len() as f64 / elapsed;
    let p99 = percentile(&all.micros, 0.99);
    println!(
        "  {}: {rate:.0} attempts/s ({:.0} booked/s, {} refused, {} failed); \
         p50 {:.2} ms, p99 {p99:.2} ms, max {:.2} ms; double-bookings {doubles}",
        if through_agenda {
            "use case (Agenda::book)"
        } else {
            "store path (Store::insert_booking_alone)"
        },
        all.made as f64 / elapsed,
        all.refused,
        all.failed,
        percentile(&all.micros, 0.50),
        percentile(&all.micros, 1.0)
    );
    Ok(Measured {
        rate,
        p99,
        bad: doubles + all.failed as usize,
    })
}
