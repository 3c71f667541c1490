//! `agendo`, the Python module: Agendo's engine in-process.
//!
//! Two halves, both over the same engine as the HTTP server:
//! - functions that need no store: `find_slots`, `check_booking`,
//!   `settle_cancellation`, `expand_recurrence`;
//! - `Engine`, the use cases over an SQLite file (`Engine.open`) or a
//!   Postgres database (`Engine.connect`).
//!
//! Every call releases the GIL while the engine works, so threads run in
//! parallel and an `Engine` may be shared by all of them. Errors are
//! `agendo.Error` subclasses (see `errors`); no argument crashes the
//! interpreter. The stubs in `agendo.pyi` document each call for editors
//! and type checkers.

// Python callers pass keyword arguments; the Rust functions behind them
// take one parameter each.
#![allow(clippy::too_many_arguments)]

mod convert;
mod de;
mod engine;
mod errors;
mod records;

use pyo3::prelude::*;

use agendo_core::availability::SlotQuery;
use convert::{decimal, instant, json_text, wall_time, Query};
use errors::raise;
use records::{Settlement, Slot};

/// The free slots of a query in the engine's JSON contract: a dict (or JSON
/// text) with `timezone`, `from`, `to`, `now`, `duration_minutes` and
/// `staff`. Dates may be `date`s, instants aware `datetime`s.
#[pyfunction]
fn find_slots(py: Python<'_>, query: &Bound<'_, PyAny>) -> PyResult<Vec<Slot>> {
    let query = convert::query::<SlotQuery>(query, "query")?;
    let answer = py
        .detach(|| match &query {
            Query::Text(text) => agendo_embed::pure::find_slots(text),
            Query::Read(query) => agendo_embed::pure::find_slots_in(query),
        })
        .map_err(raise)?;
    Ok(records::slots(&answer))
}

/// Checks that `staff` of the query may be booked at exactly `start` for the
/// query's duration; returns None, or raises `SlotTaken`, `Blocked` or
/// `OutsideWorkingHours`.
#[pyfunction]
fn check_booking(
    py: Python<'_>,
    query: &Bound<'_, PyAny>,
    staff: &str,
    start: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let query = convert::query::<SlotQuery>(query, "query")?;
    let start = instant(start, "start")?;
    py.detach(|| match &query {
        Query::Text(text) => agendo_embed::pure::check_booking(text, staff, start),
        Query::Read(query) => agendo_embed::pure::check_booking_in(query, staff, start),
    })
    .map_err(raise)
}

/// What cancelling costs under `policy` (a dict in the engine's shape):
/// the fee kept and the refund of what was `paid`, exact Decimals.
#[pyfunction]
#[pyo3(signature = (policy, *, price, paid, currency, start, now, by = "client"))]
fn settle_cancellation(
    policy: &Bound<'_, PyAny>,
    price: &Bound<'_, PyAny>,
    paid: &Bound<'_, PyAny>,
    currency: &str,
    start: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    by: &str,
) -> PyResult<Settlement> {
    let policy = agendo_embed::read_policy(&json_text(policy, "policy")?).map_err(raise)?;
    let settled = agendo_embed::pure::settle_cancellation(
        &policy,
        currency,
        decimal(price, "price")?,
        decimal(paid, "paid")?,
        agendo_core::policy::Party::parse(by).map_err(|e| raise(e.into()))?,
        instant(start, "start")?,
        instant(now, "now")?,
    )
    .map_err(raise)?;
    Ok((&settled).into())
}

/// The starts of a recurring series, as aware UTC datetimes: `rule` is an
/// RRULE (`FREQ=WEEKLY;COUNT=4`), `first` the naive local wall time of the
/// first occurrence in `timezone`; each occurrence keeps that wall time
/// across daylight-saving changes.
#[pyfunction]
fn expand_recurrence(
    rule: &str,
    first: &Bound<'_, PyAny>,
    timezone: &str,
) -> PyResult<Vec<chrono::DateTime<chrono::Utc>>> {
    // The engine's years end in 2099, well inside a Python datetime's.
    let first = wall_time(first, "first")?;
    agendo_embed::pure::expand_recurrence(rule, timezone, first).map_err(raise)
}

/// The module.
#[pymodule]
fn agendo(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_function(wrap_pyfunction!(find_slots, module)?)?;
    module.add_function(wrap_pyfunction!(check_booking, module)?)?;
    module.add_function(wrap_pyfunction!(settle_cancellation, module)?)?;
    module.add_function(wrap_pyfunction!(expand_recurrence, module)?)?;
    module.add_class::<engine::Engine>()?;
    module.add_class::<records::Slot>()?;
    module.add_class::<records::Business>()?;
    module.add_class::<records::Service>()?;
    module.add_class::<records::Professional>()?;
    module.add_class::<records::Client>()?;
    module.add_class::<records::Block>()?;
    module.add_class::<records::Booking>()?;
    module.add_class::<records::Settlement>()?;
    module.add_class::<records::Cancellation>()?;
    module.add_class::<records::Payment>()?;
    errors::register(module)
}
