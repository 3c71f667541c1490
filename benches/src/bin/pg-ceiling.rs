//! What sqlx and this machine allow before any of Agendo's schema: N tasks
//! insert into the bare guard table of `pgbench/guard.sql` through a sqlx
//! pool, each insert in its own transaction (BEGIN, INSERT, COMMIT: the
//! round trips every write unit of work costs) or alone (`--autocommit`).
//!
//! ```text
//! psql "$URL" -c "CREATE EXTENSION IF NOT EXISTS btree_gist;
//!   CREATE TABLE t (p int, r tstzrange, EXCLUDE USING gist (p WITH =, r WITH &&))"
//! cargo run --release -p agendo-benches --bin pg-ceiling -- URL [--tasks 64]
//!     [--connections 16] [--seconds 8] [--autocommit]
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::postgres::types::PgRange;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

const USAGE: &str =
    "usage: pg-ceiling URL [--tasks N (64)] [--connections C (16)] [--seconds S (8)] [--autocommit]";

const INSERT: &str = "INSERT INTO t VALUES ($1, $2) ON CONFLICT DO NOTHING";

async fn insert(
    pool: &PgPool,
    p: i32,
    r: PgRange<DateTime<Utc>>,
    autocommit: bool,
) -> sqlx::Result<()> {
    if autocommit {
        sqlx::query(INSERT).bind(p).bind(r).execute(pool).await?;
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    sqlx::query(INSERT)
        .bind(p)
        .bind(r)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

async fn run(
    url: String,
    tasks: u64,
    connections: u32,
    seconds: u64,
    autocommit: bool,
) -> Result<(), String> {
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .connect(&url)
        .await
        .map_err(|e| e.to_string())?;
    let stop = Arc::new(AtomicBool::new(false));
    let first: DateTime<Utc> = "2026-03-02T00:00:00Z".parse().map_err(|e| format!("{e}"))?;
    let began = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|i| {
            let (pool, stop) = (pool.clone(), stop.clone());
            tokio::spawn(async move {
                let mut rng = ChaCha8Rng::seed_from_u64(i);
                let mut micros = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let p: i32 = rng.random_range(1..=50);
                    let start = first + TimeDelta::minutes(15 * rng.random_range(0..11_520));
                    let range = PgRange::from(start..start + TimeDelta::minutes(30));
                    let at = Instant::now();
                    insert(&pool, p, range, autocommit).await?;
                    micros.push(u32::try_from(at.elapsed().as_micros()).unwrap_or(u32::MAX));
                }
                Ok::<_, sqlx::Error>(micros)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for handle in handles {
        all.extend(
            handle
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?,
        );
    }
    let elapsed = began.elapsed().as_secs_f64();
    all.sort_unstable();
    let at = |p: f64| {
        all.get(((all.len().max(1) - 1) as f64 * p).round() as usize)
            .map_or(0.0, |m| f64::from(*m) / 1000.0)
    };
    println!(
        "{} tasks, {connections} connections, {}: inserts/s {:.0}   p50 {:.2} ms   p99 {:.2} ms",
        tasks,
        if autocommit {
            "autocommit"
        } else {
            "BEGIN/INSERT/COMMIT"
        },
        all.len() as f64 / elapsed,
        at(0.5),
        at(0.99),
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        eprintln!("{USAGE}");
        return std::process::ExitCode::from(2);
    };
    let (mut tasks, mut connections, mut seconds, mut autocommit) = (64, 16, 8, false);
    while let Some(flag) = args.next() {
        if flag == "--autocommit" {
            autocommit = true;
            continue;
        }
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--tasks", Some(v)) => tasks = v.max(1),
            ("--connections", Some(v)) => connections = u32::try_from(v.max(1)).unwrap_or(u32::MAX),
            ("--seconds", Some(v)) => seconds = v.max(1),
            _ => {
                eprintln!("bad flag {flag}\n{USAGE}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(url, tasks, connections, seconds, autocommit)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pg-ceiling: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
