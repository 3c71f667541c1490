//! Load harness for the stores: N tasks book contended slots at once.
//!
//! ```text
//! cargo run --release -p agendo-benches --bin store-load -- sqlite [--path FILE]
//! cargo run --release -p agendo-benches --bin store-load -- postgres --url URL
//!     [--tasks 64] [--seconds 10] [--professionals 50] [--through store|agenda]
//!     [--connections 16]
//! ```
//!
//! Each task repeats one booking attempt: a random professional, a
//! 30-minute haircut starting on a random 15-minute mark of the next 30 days,
//! ending by local midnight (so neighbouring attempts overlap as well as
//! collide). Through `store` (the default) an attempt is what a booking is
//! at the store's level: open a write unit of work, insert (the store's
//! guard refuses a taken time), commit; with `PRECHECK` set in the
//! environment, the professional's active bookings meeting the time are
//! read first. Through `agenda` it is the whole use case
//! (`Agenda::book`: business, service, professional, client, blocks, checks).
//! Afterwards every professional's active bookings are read back and checked
//! for overlaps: the double-bookings found must be 0.
//!
//! Printed: attempts/s, bookings/s (made), refusals, p50/p99/max latency of
//! an attempt, and the double-bookings found.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agendo_core::agenda::{Agenda, BookRequest, Context};
use agendo_core::booking::{Booking, BookingStatus};
use agendo_core::business::{Bookable, Business, Client, Professional, Service};
use agendo_core::ids::{BookingId, BusinessId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::{Currency, Money};
use agendo_core::store::{Access, BookingFilter, Store};
use agendo_core::{Error, Lang};
use chrono::{DateTime, TimeDelta, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const USAGE: &str = "usage: store-load sqlite [--path FILE] | postgres --url URL
    [--tasks N (64)] [--seconds S (10)] [--professionals P (50)] [--through store|agenda]
    [--connections C (Postgres pool, 16)]";

struct Options {
    database: String,
    url: Option<String>,
    path: Option<String>,
    tasks: usize,
    seconds: u64,
    professionals: usize,
    through_agenda: bool,
    connections: u32,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let database = args.next().ok_or(USAGE)?;
    let mut options = Options {
        database,
        url: None,
        path: None,
        tasks: 64,
        seconds: 10,
        professionals: 50,
        through_agenda: false,
        connections: agendo_postgres::DEFAULT_CONNECTIONS,
    };
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || value.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--url" => options.url = Some(value.clone()),
            "--path" => options.path = Some(value.clone()),
            "--tasks" => options.tasks = number()?.max(1) as usize,
            "--seconds" => options.seconds = number()?.max(1),
            "--professionals" => options.professionals = number()?.max(1) as usize,
            "--through" => options.through_agenda = value == "agenda",
            "--connections" => {
                options.connections = u32::try_from(number()?.max(1)).unwrap_or(u32::MAX);
            }
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(options)
}

static PRECHECK: AtomicBool = AtomicBool::new(false);

struct Shop {
    agenda: Agenda,
    store: Arc<dyn Store>,
    business: Business,
    cut: Service,
    staff: Vec<Professional>,
    client: Client,
}

fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().expect("instant")
}

async fn open_shop(store: Arc<dyn Store>, professionals: usize) -> Result<Shop, Error> {
    let agenda = Agenda::new(store.clone());
    let business = Business::new(
        BusinessId::random(),
        "Barbearia da Carga",
        chrono_tz::America::Sao_Paulo,
        Currency::BRL,
        Lang::PtBr,
    )?;
    agenda.create_business(&business).await?;
    let ctx = Context::staff(business.id(), now());
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
    })
}

/// One attempt at the store's level: check, then insert, in one unit.
async fn attempt_store(
    shop: &Shop,
    professional: &Professional,
    start: DateTime<Utc>,
) -> Result<(), Error> {
    let booking = Booking::new(
        BookingId::random(),
        &shop.cut,
        professional.id(),
        shop.client.id(),
        start,
        shop.cut.price(),
        Money::zero(Currency::BRL),
        now(),
    )?;
    let mut work = shop.store.begin(shop.business.id(), Access::Write).await?;
    if PRECHECK.load(Ordering::Relaxed) {
        let on = Bookable::Professional(professional.id());
        let meeting = work.bookings_meeting(on, booking.held()).await?;
        if let Some(taken) = meeting.first() {
            return Err(agendo_core::store::slot_taken(on, 1, [taken.id()]));
        }
    }
    work.insert_booking(&booking).await?;
    work.commit().await
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
    let ctx = Context::staff(shop.business.id(), now());
    shop.agenda.book(&ctx, &request).await.map(drop)
}

#[derive(Default)]
struct Tally {
    made: u64,
    refused: u64,
    failed: u64,
    micros: Vec<u32>,
}

async fn task(shop: Arc<Shop>, seed: u64, through_agenda: bool, stop: Arc<AtomicBool>) -> Tally {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tally = Tally::default();
    // Local midnight in São Paulo (UTC-3, no summer time since 2019): a
    // haircut starts at 00:00–23:15 local and never runs past midnight,
    // where one day's opening hours end.
    let first = "2026-03-02T03:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("instant");
    while !stop.load(Ordering::Relaxed) {
        let professional = &shop.staff[rng.random_range(0..shop.staff.len())];
        let start = first
            + TimeDelta::days(rng.random_range(0..30))
            + TimeDelta::minutes(15 * rng.random_range(0..94));
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
async fn double_bookings(shop: &Shop) -> Result<usize, Error> {
    let mut work = shop.store.begin(shop.business.id(), Access::Read).await?;
    let mut found = 0;
    for professional in &shop.staff {
        let filter = BookingFilter {
            professional: Some(professional.id()),
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

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[rank]) / 1000.0
}

async fn open_store(options: &Options) -> Result<(Arc<dyn Store>, String), String> {
    match options.database.as_str() {
        "sqlite" => {
            let path = options.path.clone().unwrap_or_else(|| {
                std::env::temp_dir()
                    .join(format!("agendo-load-{}.db", std::process::id()))
                    .to_string_lossy()
                    .into_owned()
            });
            let store = agendo_sqlite::SqliteStore::open(&path)
                .await
                .map_err(|e| e.to_string())?;
            Ok((Arc::new(store), format!("SQLite file {path}")))
        }
        "postgres" => {
            let url = options
                .url
                .clone()
                .or_else(|| std::env::var("DATABASE_URL").ok())
                .ok_or("postgres needs --url or DATABASE_URL")?;
            let store = agendo_postgres::PgStore::connect_with(&url, options.connections)
                .await
                .map_err(|e| e.to_string())?;
            Ok((Arc::new(store), "Postgres".to_owned()))
        }
        other => Err(format!("unknown database {other}\n{USAGE}")),
    }
}

async fn main_async(options: Options) -> Result<usize, String> {
    let (store, label) = open_store(&options).await?;
    let shop = Arc::new(
        open_shop(store, options.professionals)
            .await
            .map_err(|e| e.to_string())?,
    );
    let stop = Arc::new(AtomicBool::new(false));
    let began = Instant::now();
    let handles: Vec<_> = (0..options.tasks)
        .map(|i| {
            tokio::spawn(task(
                shop.clone(),
                42 + i as u64,
                options.through_agenda,
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
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
    if options.database == "sqlite" && options.path.is_none() {
        // The default file is ours to remove, with its WAL and index.
        let file = label.trim_start_matches("SQLite file ").to_owned();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    }
    let attempts = all.micros.len() as f64;
    println!(
        "{label}, {} tasks, {} professionals, through {}, {:.1} s",
        options.tasks,
        options.professionals,
        if options.through_agenda {
            "Agenda::book"
        } else {
            "the store API"
        },
        elapsed
    );
    println!(
        "  attempts/s {:.0}   bookings/s {:.0}   refused (slot taken) {}   failed {}",
        attempts / elapsed,
        all.made as f64 / elapsed,
        all.refused,
        all.failed
    );
    println!(
        "  latency ms: p50 {:.2}   p99 {:.2}   max {:.2}",
        percentile(&all.micros, 0.50),
        percentile(&all.micros, 0.99),
        percentile(&all.micros, 1.0)
    );
    println!("  double-bookings found afterwards: {doubles}");
    Ok(doubles + all.failed as usize)
}

fn main() -> std::process::ExitCode {
    PRECHECK.store(std::env::var_os("PRECHECK").is_some(), Ordering::Relaxed);
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(main_async(options)) {
        Ok(0) => std::process::ExitCode::SUCCESS,
        Ok(_) => {
            eprintln!("store-load: double-bookings or failed attempts found");
            std::process::ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("store-load: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
