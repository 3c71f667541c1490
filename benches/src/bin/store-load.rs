//! Load harness for the stores: bookings at the machine's ceiling.
//!
//! ```text
//! cargo run --release -p agendo-benches --bin store-load -- sqlite [--path FILE]
//! cargo run --release -p agendo-benches --bin store-load -- postgres --url URL
//!     [--tasks 64] [--seconds 10] [--professionals 50] [--connections 16]
//! ```
//!
//! An attempt books a 30-minute haircut with a random professional on a
//! random 15-minute mark of the next 30 days, ending by local midnight (so
//! neighbouring attempts overlap as well as collide). Three phases, each on
//! a salon of its own in the same database, each `--seconds` long:
//!
//! 1. **ceiling**: the database alone, with the same durability, inserting
//!    the same row with the same guarded statement. SQLite: the `sqlite3`
//!    shell, one writer in a loop (`synchronous = FULL`, WAL, each insert
//!    its own transaction), on the same disk. Postgres: `pgbench` with 64
//!    clients, prepared, one statement per transaction, replaying the
//!    store's one-statement insert (`agendo_postgres::insert_alone_text`).
//! 2. **store path**: `--tasks` tasks, each attempt
//!    [`Store::insert_booking_alone`] (the store's guard and the insert as
//!    one step).
//! 3. **use case**: the whole `Agenda::book` (business, service,
//!    professional, client, blocks and bookings read, checked, the events
//!    written, one unit of work).
//!
//! Printed per phase: attempts/s, bookings made/s, refusals, p50/p99/max
//! latency, and each ratio beside its ceiling on one line: the store path
//! to the database's own rate (floors: 75% on Postgres with a p99 at most
//! 1.5× pgbench's, 85% on SQLite), the use case to the store path (60%).
//! Afterwards every professional's active bookings are read back and
//! checked for overlaps: the double-bookings found must be 0. A floor
//! missed is printed, not fatal: these machines are noisy.

use std::sync::Arc;
use std::time::Instant;

use agendo_benches::shop::{booking, open_shop, percentile, phase, pick, sao_paulo_midnight, Load};
use agendo_core::store::Store;
use chrono::{DateTime, TimeDelta, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const USAGE: &str = "usage: store-load sqlite [--path FILE] | postgres --url URL
    [--tasks N (64)] [--seconds S (10)] [--professionals P (50)]
    [--connections C (Postgres pool, 16)]";

/// "Now" for every booking: the day before the first booked.
fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().expect("instant")
}

/// The first day booked, at its local midnight.
fn first() -> DateTime<Utc> {
    sao_paulo_midnight(chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default())
}

struct Options {
    database: String,
    url: Option<String>,
    path: Option<String>,
    tasks: usize,
    seconds: u64,
    professionals: usize,
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
            "--connections" => {
                options.connections = u32::try_from(number()?.max(1)).unwrap_or(u32::MAX);
            }
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(options)
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

/// The database alone: its rate and, when known, its p99 in ms.
struct Ceiling {
    rate: f64,
    p99: Option<f64>,
}

/// One writer in the `sqlite3` shell inserting the store's guarded row in
/// a loop, each insert its own transaction, `synchronous = FULL`, on the
/// file the store uses: first a short run to learn the rate, then one of
/// about `--seconds`.
async fn sqlite_ceiling(
    store: Arc<dyn Store>,
    file: &str,
    options: &Options,
) -> Result<Ceiling, String> {
    let shop = open_shop(store, options.professionals, now(), first())
        .await
        .map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let script = std::env::temp_dir().join(format!("agendo-ceiling-{}.sql", std::process::id()));
    let mut run = |inserts: usize| -> Result<f64, String> {
        let mut sql = String::from(
            "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n\
             PRAGMA foreign_keys = ON;\nPRAGMA busy_timeout = 10000;\n",
        );
        for _ in 0..inserts {
            let (professional, start) = pick(&shop, &mut rng);
            let row = booking(&shop, professional, start).map_err(|e| e.to_string())?;
            sql.push_str(&agendo_sqlite::guarded_insert_text(&row));
            sql.push_str(";\n");
        }
        std::fs::write(&script, sql).map_err(|e| e.to_string())?;
        let input = std::fs::File::open(&script).map_err(|e| e.to_string())?;
        let began = Instant::now();
        let status = std::process::Command::new("sqlite3")
            .arg("-bail")
            .arg(file)
            .stdin(input)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run sqlite3 (apt install sqlite3): {e}"))?;
        let elapsed = began.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("sqlite3 failed ({status})"));
        }
        Ok(inserts as f64 / elapsed)
    };
    let first = run(200);
    let rate =
        first.and_then(|rate| run(((rate * options.seconds as f64) as usize).clamp(200, 500_000)));
    let _ = std::fs::remove_file(&script);
    Ok(Ceiling {
        rate: rate?,
        p99: None,
    })
}

/// `pgbench` replaying the store's one-statement insert
/// (`agendo_postgres::insert_alone_text`) of a salon's row, varying what
/// each attempt varies (id, professional, start): 64 clients, prepared, one
/// statement per transaction, for `--seconds`. Its p99 comes from its
/// per-transaction log.
async fn pg_ceiling(
    store: Arc<dyn Store>,
    url: &str,
    options: &Options,
) -> Result<Ceiling, String> {
    let shop = open_shop(store, options.professionals, now(), first())
        .await
        .map_err(|e| e.to_string())?;
    let template = booking(&shop, &shop.staff[0], shop.first).map_err(|e| e.to_string())?;
    let staff: Vec<String> = shop.staff.iter().map(|p| format!("'{}'", p.id())).collect();
    let start =
        "('2026-03-02T03:00:00+00:00'::timestamptz + (:d * 1440 + :m * 15) * interval '1 minute')";
    let sql = agendo_postgres::insert_alone_text(&template)
        .replace(&format!("'{}'::uuid", template.id()), "md5(:r::text)::uuid")
        .replace(
            &format!("'{}'::uuid", shop.staff[0].id()),
            &format!("(ARRAY[{}]::uuid[])[:p]", staff.join(", ")),
        )
        .replace(
            &format!("'{}'::timestamptz", shop.first.to_rfc3339()),
            start,
        )
        .replace(
            &format!(
                "'{}'::timestamptz",
                (shop.first + TimeDelta::minutes(30)).to_rfc3339()
            ),
            &format!("({start} + interval '30 minutes')"),
        );
    let dir = std::env::temp_dir().join(format!("agendo-pgbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let script = dir.join("booking.sql");
    std::fs::write(
        &script,
        format!(
            "\\set r random(1, 9000000000000000000)\n\\set p random(1, {})\n\
             \\set d random(0, 29)\n\\set m random(0, 93)\n{sql};\n",
            shop.staff.len()
        ),
    )
    .map_err(|e| e.to_string())?;
    let pgbench = ["/usr/lib/postgresql/15/bin/pgbench", "pgbench"]
        .into_iter()
        .find(|p| !p.starts_with('/') || std::path::Path::new(p).exists())
        .unwrap_or("pgbench");
    let output = std::process::Command::new(pgbench)
        .args(["-n", "-c", "64", "-j", "2", "-M", "prepared", "-l"])
        .arg("-T")
        .arg(options.seconds.to_string())
        .arg("-f")
        .arg(&script)
        .arg(format!("--log-prefix={}", dir.join("log").display()))
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run pgbench: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok());
    let mut micros: Vec<u32> = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with("log") {
            let log = std::fs::read_to_string(entry.path()).unwrap_or_default();
            // client transaction latency-µs script epoch µs
            micros.extend(
                log.lines()
                    .filter_map(|l| l.split(' ').nth(2)?.parse::<u32>().ok()),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let Some(rate) = rate.filter(|_| output.status.success()) else {
        return Err(format!(
            "pgbench failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        ));
    };
    micros.sort_unstable();
    Ok(Ceiling {
        rate,
        p99: (!micros.is_empty()).then(|| percentile(&micros, 0.99)),
    })
}

/// `rate` as a share of `of`, and whether it reaches `floor`.
fn share(rate: f64, of: f64, floor: f64) -> String {
    let share = rate / of.max(f64::MIN_POSITIVE);
    let verdict = if share >= floor { "meets" } else { "BELOW" };
    format!(
        "{:.0}% ({verdict} the floor of {:.0}%)",
        share * 100.0,
        floor * 100.0
    )
}

async fn main_async(options: Options) -> Result<usize, String> {
    let (store, label) = open_store(&options).await?;
    let sqlite = options.database == "sqlite";
    println!(
        "{label}: {} tasks, {} professionals, {} s a phase",
        options.tasks, options.professionals, options.seconds
    );
    let ceiling = if sqlite {
        let file = label.trim_start_matches("SQLite file ").to_owned();
        sqlite_ceiling(store.clone(), &file, &options).await?
    } else {
        let url = options.url.clone().unwrap_or_default();
        pg_ceiling(store.clone(), &url, &options).await?
    };
    let what = if sqlite {
        "sqlite3 alone, one writer, synchronous = FULL"
    } else {
        "pgbench, 64 clients, prepared"
    };
    match ceiling.p99 {
        Some(p99) => println!(
            "  ceiling ({what}): {:.0} inserts/s, p99 {p99:.2} ms",
            ceiling.rate
        ),
        None => println!("  ceiling ({what}): {:.0} inserts/s", ceiling.rate),
    }
    let load = Load {
        tasks: options.tasks,
        professionals: options.professionals,
        seconds: options.seconds,
        now: now(),
        first: first(),
    };
    let path = phase(store.clone(), &load, false).await?;
    let case = phase(store.clone(), &load, true).await?;
    let floor = if sqlite { 0.85 } else { 0.75 };
    let mut line = format!(
        "  ratios: store path {:.0}/s = {} of the ceiling {:.0}/s",
        path.rate,
        share(path.rate, ceiling.rate, floor),
        ceiling.rate
    );
    if let Some(p99) = ceiling.p99 {
        let times = path.p99 / p99.max(f64::MIN_POSITIVE);
        let verdict = if times <= 1.5 { "meets" } else { "ABOVE" };
        line.push_str(&format!(
            "; p99 {:.2} ms = {times:.2}x the ceiling's {p99:.2} ms ({verdict} the bound of 1.5x)",
            path.p99
        ));
    }
    println!("{line}");
    println!(
        "  ratios: use case {:.0}/s = {} of the store path {:.0}/s",
        case.rate,
        share(case.rate, path.rate, 0.60),
        path.rate
    );
    if sqlite && options.path.is_none() {
        // The default file is ours to remove, with its WAL and index.
        let file = label.trim_start_matches("SQLite file ").to_owned();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
    }
    Ok(path.bad + case.bad)
}

fn main() -> std::process::ExitCode {
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
