//! Times the slot search on any query file and prints the number of slots and
//! the median and p95 microseconds per call, JSON parsing excluded.
//!
//! Run with: cargo run --release -p agendo-benches --bin slots-bench -- w1.json [--seconds N]
//!
//! Three figures are printed: the search of the validated query (what a host
//! that keeps calendars in memory pays per request), the search plus
//! reading the query's values into the validated form (what a host pays when
//! it builds the search from stored rows on each request), and the whole
//! call from JSON text, visiting every slot (what the Python module's
//! `find_slots` does before making Python objects).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use agendo_core::availability::{SlotQuery, SlotSearch};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: slots-bench QUERY.json [--seconds N] (uso: slots-bench CONSULTA.json [--seconds N])";
    let path = args.next().ok_or(usage)?;
    let seconds = match (args.next().as_deref(), args.next()) {
        (None, _) => 3.0,
        (Some("--seconds"), Some(n)) => n.parse::<f64>().map_err(|_| usage.to_owned())?,
        _ => return Err(usage.to_owned()),
    };
    let text = std::fs::read_to_string(&path).map_err(|err| format!("{path}: {err}"))?;
    let query = SlotQuery::from_json(&text).map_err(|err| format!("{path}: {err}"))?;
    let search = query.to_search().map_err(|err| format!("{path}: {err}"))?;
    let slots = search.find_slots().len();
    println!("query: {path}");
    println!("slots: {slots}");
    let budget = Duration::from_secs_f64(seconds / 3.0);
    report(
        "search of the validated query",
        time(budget, || search.find_slots().len()),
    );
    report(
        "validate + search",
        time(budget, || {
            query.to_search().map(|s| s.find_slots().len()).unwrap_or(0)
        }),
    );
    report(
        "read JSON + validate + search",
        time(budget, || {
            SlotSearch::from_json(&text)
                .map(|s| s.find_slots().iter().count())
                .unwrap_or(0)
        }),
    );
    Ok(())
}

/// Times `call` repeatedly for about `budget` after a warm-up, each call on
/// its own, and returns the times sorted.
fn time(budget: Duration, mut call: impl FnMut() -> usize) -> Vec<Duration> {
    let warm = Instant::now();
    while warm.elapsed() < budget / 10 {
        std::hint::black_box(call());
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || times.len() < 10 {
        let t = Instant::now();
        std::hint::black_box(call());
        times.push(t.elapsed());
    }
    times.sort_unstable();
    times
}

fn report(what: &str, times: Vec<Duration>) {
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{what}: median {:.1} µs, p95 {:.1} µs over {} calls",
        micros(at(0.5)),
        micros(at(0.95)),
        times.len()
    );
}
