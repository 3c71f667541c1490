//! Python values in and out: aware datetimes to UTC instants, exact
//! decimals, and dicts in the engine's JSON contract. A value of the wrong
//! kind is a `ValidationError` naming the argument, never a crash.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyTzInfo,
};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::de;
use crate::errors::invalid;

/// An aware `datetime` as a UTC instant; a naive one is refused, since
/// its instant depends on a zone the engine would have to guess.
pub fn instant(value: &Bound<'_, PyAny>, field: &str) -> PyResult<DateTime<Utc>> {
    let Ok(datetime) = value.cast::<PyDateTime>() else {
        return Err(invalid(
            field,
            "expected a datetime with a time zone",
            "esperava um datetime com fuso horário",
        ));
    };
    if datetime.call_method0("utcoffset")?.is_none() {
        return Err(invalid(
            field,
            "the datetime has no time zone (tzinfo); pass an aware datetime, such as one with ZoneInfo(\"America/Sao_Paulo\")",
            "o datetime não tem fuso horário (tzinfo); passe um datetime com fuso, como ZoneInfo(\"America/Sao_Paulo\")",
        ));
    }
    let utc = PyTzInfo::utc(value.py())?;
    datetime
        .call_method1("astimezone", (utc,))?
        .extract::<DateTime<Utc>>()
        .map_err(|_| invalid(field, "is out of range", "está fora do intervalo"))
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
    let datetime = value.cast::<PyDateTime>().map_err(|_| {
        invalid(
            field,
            "expected a naive datetime (the local wall time)",
            "esperava um datetime sem fuso (o horário local)",
        )
    })?;
    if !datetime.call_method0("utcoffset")?.is_none() {
        return Err(invalid(
            field,
            "expected a naive datetime: the wall time in `timezone`, without tzinfo",
            "esperava um datetime sem fuso: o horário local em `timezone`, sem tzinfo",
        ));
    }
    value
        .extract::<NaiveDateTime>()
        .map_err(|_| invalid(field, "is out of range", "está fora do intervalo"))
}

/// A `date` (not a `datetime`, which is a date too in Python).
pub fn date(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    if value.is_instance_of::<PyDateTime>() || !value.is_instance_of::<PyDate>() {
        return Err(invalid(
            field,
            "expected a date, such as date(2026, 3, 2)",
            "esperava uma data, como date(2026, 3, 2)",
        ));
    }
    value
        .extract::<NaiveDate>()
        .map_err(|_| invalid(field, "is out of range", "está fora do intervalo"))
}

/// An exact amount: a `Decimal`, an `int` or decimal text. A `float` is
/// refused: 0.1 + 0.2 is not money.
pub fn decimal(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Decimal> {
    let exact = value.is_instance_of::<PyString>()
        || (value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>())
        || value.get_type().name()? == "Decimal";
    if !exact {
        return Err(invalid(
            field,
            "expected a Decimal, an int or decimal text; a float is not exact money",
            "esperava Decimal, int ou texto decimal; float não é dinheiro exato",
        ));
    }
    let text = value.str()?.to_string();
    Decimal::from_str(text.trim())
        .or_else(|_| Decimal::from_scientific(text.trim()))
        .map_err(|_| {
            invalid(
                field,
                &format!("{text:?} is not a finite decimal amount"),
                &format!("{text:?} não é um valor decimal finito"),
            )
        })
}

/// A dict (or JSON text) in the engine's contract shape, as JSON text.
/// Datetimes become RFC 3339 instants, dates ISO dates, Decimals decimal
/// text; the engine then reads the text and names any bad value by its
/// path (`staff[0].weekly.mon[1]`).
pub fn json_text(value: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_cow()?.into_owned());
    }
    Ok(to_json(value, &Path::Root(field))?.to_string())
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
    if !value.is_instance_of::<PyString>() {
        if let Ok(read) = de::read(value) {
            return Ok(Query::Read(read));
        }
    }
    Ok(Query::Text(json_text(value, field)?))
}

/// Where a value sits in the document, spelled out only for an error.
enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root(field) => (*field).to_owned(),
            Path::Key(Path::Root(_), key) => (*key).to_owned(),
            Path::Key(parent, key) => format!("{}.{key}", parent.render()),
            Path::Index(Path::Root(field), i) => format!("{field}[{i}]"),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// `value` as JSON, the common kinds first (a query is mostly text, whole
/// numbers, dicts and lists).
fn to_json(value: &Bound<'_, PyAny>, path: &Path<'_>) -> PyResult<Value> {
    if let Ok(text) = value.cast_exact::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if let Ok(dict) = value.cast_exact::<PyDict>() {
        let mut map = serde_json::Map::with_capacity(dict.len());
        for (key, item) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid(
                    &path.render(),
                    "has a key that is not text",
                    "tem uma chave que não é texto",
                ));
            };
            let key = key.to_cow()?;
            let json = to_json(&item, &Path::Key(path, &key))?;
            map.insert(key.into_owned(), json);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = value.cast_exact::<PyList>() {
        let mut items = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            items.push(to_json(&item, &Path::Index(path, i))?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return match value.extract::<i64>() {
            Ok(n) => Ok(Value::from(n)),
            Err(_) => Err(invalid(&path.render(), "is too large", "é grande demais")),
        };
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        // Kept a number so the engine's reader names the field that
        // expected a whole number or decimal text.
        return Ok(serde_json::Number::from_f64(float.value())
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if value.is_instance_of::<PyDateTime>() {
        return Ok(Value::String(instant(value, &path.render())?.to_rfc3339()));
    }
    if value.is_instance_of::<PyDate>() {
        return Ok(Value::String(date(value, &path.render())?.to_string()));
    }
    if value.get_type().name()? == "Decimal" {
        return Ok(Value::String(decimal(value, &path.render())?.to_string()));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        // A dict subclass (OrderedDict, defaultdict).
        return to_json(&dict.copy()?.into_any(), path);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            items.push(to_json(&item?, &Path::Index(path, i))?);
        }
        return Ok(Value::Array(items));
    }
    let kind = value.get_type().name()?;
    Err(invalid(
        &path.render(),
        &format!("cannot be a {kind}"),
        &format!("não pode ser {kind}"),
    ))
}

/// JSON text as Python values (dicts, lists, text, numbers).
pub fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}
