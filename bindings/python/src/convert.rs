//! Python values in and out: aware datetimes to UTC instants, exact
//! decimals, and dicts in the engine's JSON contract. A value of the wrong
//! kind is a `ValidationError` naming the argument, never a crash.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyInt, PyString, PyTzInfo};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

use crate::de::{self, Mismatch};
use crate::errors::invalid;
use agendo_core::{Expected, Problem};

/// An aware `datetime` as a UTC instant; a naive one is refused, since
/// its instant depends on a zone the engine would have to guess.
pub fn instant(value: &Bound<'_, PyAny>, field: &str) -> PyResult<DateTime<Utc>> {
    let Ok(datetime) = value.cast::<PyDateTime>() else {
        return Err(unfit(field, Expected::AwareDateTime));
    };
    if datetime.call_method0("utcoffset")?.is_none() {
        return Err(unfit(field, Expected::AwareDateTime));
    }
    let out_of_range = || {
        invalid(
            field,
            Problem::OutsideSupportedYears {
                value: value.str().map(|s| s.to_string()).unwrap_or_default(),
            },
        )
    };
    let utc = PyTzInfo::utc(value.py())?;
    // Python itself overflows turning datetime(1, 1, 1, tzinfo=+09:00) to
    // UTC: that is a value out of range, not an error of the caller's code.
    datetime
        .call_method1("astimezone", (utc,))
        .map_err(|_| out_of_range())?
        .extract::<DateTime<Utc>>()
        .map_err(|_| out_of_range())
}

/// An aware `datetime` when one is given (not `None`).
pub fn instant_or_none(
    value: Option<&Bound<'_, PyAny>>,
    field: &str,
) -> PyResult<Option<DateTime<Utc>>> {
    match value {
        Some(value) if !value.is_none() => instant(value, field).map(Some),
        _ => Ok(None),
    }
}

/// `now` when given, else the clock: the engine never reads it itself.
pub fn now_or_clock(value: Option<&Bound<'_, PyAny>>) -> PyResult<DateTime<Utc>> {
    match value {
        Some(value) if !value.is_none() => instant(value, "now"),
        _ => Ok(Utc::now()),
    }
}

/// A naive `datetime`: a wall time, read in a zone the caller names.
pub fn wall_time(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDateTime> {
    let datetime = value
        .cast::<PyDateTime>()
        .map_err(|_| unfit(field, Expected::LocalDateTime))?;
    if !datetime.call_method0("utcoffset")?.is_none() {
        return Err(unfit(field, Expected::LocalDateTime));
    }
    value
        .extract::<NaiveDateTime>()
        .map_err(|_| invalid(field, Problem::OutOfRange))
}

/// A `date` (not a `datetime`, which is a date too in Python).
pub fn date(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    if value.is_instance_of::<PyDateTime>() || !value.is_instance_of::<PyDate>() {
        return Err(unfit(field, Expected::Date));
    }
    value
        .extract::<NaiveDate>()
        .map_err(|_| invalid(field, Problem::OutOfRange))
}

/// An exact amount: a `Decimal`, an `int` or decimal text. A `float` is
/// refused: 0.1 + 0.2 is not money.
pub fn decimal(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Decimal> {
    let exact = value.is_instance_of::<PyString>()
        || (value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>())
        || value.get_type().name()? == "Decimal";
    if !exact {
        return Err(unfit(field, Expected::Amount));
    }
    let text = match value.extract::<i128>() {
        Ok(int) => int.to_string(),
        // An int past i128 is past any amount, and past 4,300 digits
        // Python refuses to write it as text at all.
        Err(_) if value.is_instance_of::<PyInt>() => {
            return Err(invalid(
                field,
                Problem::AmountTooLarge {
                    value: if value.lt(0)? {
                        "≤ -1e38"
                    } else {
                        "≥ 1e38"
                    }
                    .to_owned(),
                    max: agendo_core::money::MAX_AMOUNT,
                },
            ));
        }
        Err(_) if value.is_instance_of::<PyString>() => value.str()?.to_string(),
        // A Decimal is a number, not text: read from its parts, so
        // `Decimal("4.5E+1")` is 45 and `Decimal("1E+999999999")` is judged
        // without writing a billion digits.
        Err(_) => return decimal_parts(value, field),
    };
    agendo_embed::read_amount(&text, field).map_err(crate::errors::raise)
}

/// A `Decimal` read from `as_tuple()`: its sign, digits and exponent (a
/// text exponent is NaN or infinity, which no amount is).
fn decimal_parts(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Decimal> {
    let shown = value.str()?.to_string();
    let parts = value.call_method0("as_tuple")?;
    let sign: i64 = parts.get_item(0)?.extract()?;
    let digits: Vec<u8> = parts.get_item(1)?.extract()?;
    let exponent = parts.get_item(2)?;
    let (digits, exponent) = match exponent.extract::<i64>() {
        Ok(exponent) => (
            digits
                .iter()
                .map(|d| char::from(b'0' + d % 10))
                .collect::<String>(),
            exponent,
        ),
        Err(_) => (String::new(), 0),
    };
    agendo_embed::amount_from_parts(sign == 1, &digits, exponent, &shown, field)
        .map_err(crate::errors::raise)
}

/// A count (minutes, a capacity): an `int` from 0 to 4,294,967,295; the
/// engine then applies its own bounds. Out of range is a `ValidationError`
/// naming the argument, not a bare `OverflowError`.
pub fn count(value: &Bound<'_, PyAny>, field: &str) -> PyResult<u32> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        let kind = value.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "argument '{field}': expected an int, got {kind}"
        )));
    }
    match value.extract::<i64>() {
        Ok(n) if n < 0 => Err(invalid(field, Problem::Negative { value: n })),
        Ok(n) => u32::try_from(n).map_err(|_| too_large(field)),
        Err(_) if value.lt(0)? => Err(invalid(field, Problem::OutOfRange)),
        Err(_) => Err(too_large(field)),
    }
}

/// [`count`] for an optional argument.
pub fn count_or_none(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<u32>> {
    match value {
        Some(value) if !value.is_none() => count(value, field).map(Some),
        _ => Ok(None),
    }
}

fn too_large(field: &str) -> PyErr {
    invalid(
        field,
        Problem::TooLarge {
            max: u64::from(u32::MAX),
        },
    )
}

/// A value of another kind than `field` holds.
fn unfit(field: &str, expected: Expected) -> PyErr {
    invalid(field, Problem::Unfit { expected })
}

/// A dict (or JSON text) in the engine's contract shape, as JSON text.
/// Datetimes become RFC 3339 instants, dates ISO dates, Decimals decimal
/// text; the engine then reads the text and names any bad value by its
/// path (`staff[0].weekly.mon[1]`).
pub fn json_text(value: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return de::text(text, field);
    }
    match de::read::<serde_json::Value>(value, field) {
        Ok(json) => Ok(json.to_string()),
        Err(Mismatch::Raised(err)) => Err(err),
        Err(Mismatch::Unfit(problem)) => Err(invalid(
            field,
            Problem::Unreadable {
                detail: problem.to_string(),
            },
        )),
    }
}

/// A query argument: JSON text, for the engine to read with the GIL
/// released, or a dict already read into the engine's type.
pub enum Query<T> {
    Text(String),
    Read(T),
}

/// Reads a query argument. A dict is read straight into `T`; one that
/// does not fit is written out as JSON text instead, so that the engine's
/// reader names the field in its error.
pub fn query<T: DeserializeOwned>(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Query<T>> {
    if value.is_instance_of::<PyString>() {
        return Ok(Query::Text(json_text(value, field)?));
    }
    match de::read(value, field) {
        Ok(read) => Ok(Query::Read(read)),
        Err(Mismatch::Raised(err)) => Err(err),
        Err(Mismatch::Unfit(_)) => Ok(Query::Text(json_text(value, field)?)),
    }
}

/// JSON text as Python values (dicts, lists, text, numbers).
pub fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}
