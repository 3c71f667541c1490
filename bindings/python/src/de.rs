//! A serde reader over Python objects: a dict read straight into the
//! engine's types (or into a JSON value), with nothing built in between.
//!
//! The contract's JSON is what it reads: text, whole numbers, dicts with
//! text keys, lists (or tuples), booleans and None; an aware `datetime`
//! is read as an RFC 3339 instant, a `date` and a `Decimal` as text. A
//! Python value with no JSON (a naive datetime, an object, a key that is
//! not text, an int too large) is a `ValidationError` naming its path,
//! raised as it is ([`Mismatch::Raised`]). A value that is JSON but does
//! not fit the type asked for ([`Mismatch::Unfit`]) is not named here: the
//! caller writes the argument out as JSON text for core's reader, which
//! names the path (`staff[0].bookings[3].start`) in core's words.

use std::borrow::Cow;
use std::fmt;

use pyo3::prelude::*;
use pyo3::types::dict::BoundDictIterator;
use pyo3::types::list::BoundListIterator;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use crate::convert::{date, decimal, instant};
use crate::errors::invalid;
use agendo_core::{Expected, Problem};

/// Reads `value`, the argument `field`, as a `T`.
///
/// # Errors
/// [`Mismatch::Raised`] for a Python value with no JSON, naming its path;
/// [`Mismatch::Unfit`] when the value does not fit `T`.
pub fn read<T: DeserializeOwned>(value: &Bound<'_, PyAny>, field: &str) -> Result<T, Mismatch> {
    let mut keys = Keys::default();
    T::deserialize(Reader {
        value: value.clone(),
        path: &Path::Root(field),
        depth: 0,
        keys: &mut keys,
    })
}

/// The text of `value`, the argument `field`.
///
/// # Errors
/// A `ValidationError` naming `field` for text that is not valid Unicode.
pub fn text(value: &Bound<'_, PyString>, field: &str) -> PyResult<String> {
    with_utf8(value, &Path::Root(field), str::to_owned)
}

/// Why a value could not be read.
#[derive(Debug)]
pub enum Mismatch {
    /// A Python error to raise as it is: a value with no JSON, named.
    Raised(PyErr),
    /// The value is JSON but does not fit the type, in serde's words.
    Unfit(String),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Raised(err) => err.fmt(f),
            Mismatch::Unfit(problem) => f.write_str(problem),
        }
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Mismatch::Unfit(msg.to_string())
    }
}

impl From<PyErr> for Mismatch {
    fn from(err: PyErr) -> Self {
        Mismatch::Raised(err)
    }
}

/// Where a value sits in the argument, spelt out only for an error.
enum Path<'a, 'py> {
    Root(&'a str),
    Key(&'a Path<'a, 'py>, &'a Bound<'py, PyAny>),
    Index(&'a Path<'a, 'py>, usize),
}

impl Path<'_, '_> {
    fn render(&self) -> String {
        match self {
            Path::Root(field) => (*field).to_owned(),
            Path::Key(Path::Root(_), key) => key.to_string(),
            Path::Key(parent, key) => format!("{}.{key}", parent.render()),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// The text of the dict keys met so far, by object: `json.loads` and
/// Python's literals share one object per distinct key, so a thousand
/// bookings' `"start"` is encoded once. Looked up newest first: the keys
/// of a list of dicts are the last met.
#[derive(Default)]
struct Keys<'py> {
    seen: Vec<(Bound<'py, PyAny>, Box<str>)>,
}

/// Distinct keys remembered; a query has about thirty.
const KEYS_KEPT: usize = 64;

impl<'py> Keys<'py> {
    /// The text of `key`, a key of the dict at `dict`.
    fn text(
        &mut self,
        key: &Bound<'py, PyAny>,
        dict: &Path<'_, 'py>,
    ) -> Result<Cow<'_, str>, Mismatch> {
        if let Some(i) = self.seen.iter().rposition(|(seen, _)| seen.is(key)) {
            return Ok(Cow::Borrowed(&self.seen[i].1));
        }
        let Ok(text) = key.cast::<PyString>() else {
            return Err(Mismatch::Raised(invalid(
                &dict.render(),
                Problem::Unfit {
                    expected: Expected::TextKeys,
                },
            )));
        };
        let text: Box<str> = with_utf8(text, dict, |text| Box::from(text))?;
        if self.seen.len() == KEYS_KEPT {
            return Ok(Cow::Owned(text.into()));
        }
        self.seen.push((key.clone(), text));
        Ok(Cow::Borrowed(&self.seen[self.seen.len() - 1].1))
    }
}

/// Calls `f` with the UTF-8 text of `text`, found at `path`, without
/// copying it into Rust (the stable ABI of Python 3.9 lends no UTF-8 view
/// of a `str`).
fn with_utf8<R>(
    text: &Bound<'_, PyString>,
    path: &Path<'_, '_>,
    f: impl FnOnce(&str) -> R,
) -> PyResult<R> {
    let unicode = || {
        invalid(
            &path.render(),
            Problem::Unfit {
                expected: Expected::Text,
            },
        )
    };
    let bytes = text.encode_utf8().map_err(|_| unicode())?;
    let utf8 = std::str::from_utf8(bytes.as_bytes()).map_err(|_| unicode())?;
    Ok(f(utf8))
}

/// One Python value, at `path`.
struct Reader<'a, 'py> {
    value: Bound<'py, PyAny>,
    path: &'a Path<'a, 'py>,
    /// How many dicts and lists hold the value.
    depth: usize,
    keys: &'a mut Keys<'py>,
}

/// The most dicts and lists one inside another, as for JSON text: deeper
/// (or a list that holds itself) is refused rather than overflowing the
/// stack of the interpreter's thread.
const DEPTH_MAX: usize = 128;

impl<'a, 'py> Reader<'a, 'py> {
    fn items(self, list: &Bound<'py, PyList>) -> Items<'a, 'py> {
        Items {
            items: list.iter(),
            next: 0,
            path: self.path,
            depth: self.depth + 1,
            keys: self.keys,
        }
    }

    /// Refuses a dict or a list nested deeper than [`DEPTH_MAX`].
    fn nest(&self) -> Result<(), Mismatch> {
        if self.depth < DEPTH_MAX {
            return Ok(());
        }
        Err(Mismatch::Raised(invalid(
            &self.path.render(),
            Problem::TooDeep { max: DEPTH_MAX },
        )))
    }
}

impl<'de> de::Deserializer<'de> for Reader<'_, '_> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        let value = &self.value;
        // The common kinds of a query first: text, dicts, lists, whole numbers.
        if let Ok(text) = value.cast_exact::<PyString>() {
            return with_utf8(text, self.path, |text| visitor.visit_str(text))?;
        }
        if let Ok(dict) = value.cast::<PyDict>() {
            self.nest()?;
            return visitor.visit_map(Entries {
                len: dict.len(),
                entries: dict.iter(),
                entry: None,
                path: self.path,
                depth: self.depth + 1,
                keys: self.keys,
            });
        }
        if let Ok(list) = value.cast::<PyList>() {
            self.nest()?;
            let list = list.clone();
            return visitor.visit_seq(self.items(&list));
        }
        if let Ok(flag) = value.cast::<PyBool>() {
            return visitor.visit_bool(flag.is_true());
        }
        if value.is_instance_of::<PyInt>() {
            return match value.extract::<i64>() {
                Ok(n) => visitor.visit_i64(n),
                Err(_) => Err(Mismatch::Raised(invalid(
                    &self.path.render(),
                    Problem::OutOfRange,
                ))),
            };
        }
        if value.is_none() {
            return visitor.visit_unit();
        }
        if let Ok(float) = value.cast::<PyFloat>() {
            // Kept a number, so the reader names the field that expected a
            // whole number or decimal text.
            return visitor.visit_f64(float.value());
        }
        if let Ok(text) = value.cast::<PyString>() {
            return with_utf8(text, self.path, |text| visitor.visit_str(text))?;
        }
        if value.is_instance_of::<PyDateTime>() {
            return visitor.visit_str(&instant(value, &self.path.render())?.to_rfc3339());
        }
        if value.is_instance_of::<PyDate>() {
            return visitor.visit_str(&date(value, &self.path.render())?.to_string());
        }
        if value.get_type().name()? == "Decimal" {
            return visitor.visit_str(&decimal(value, &self.path.render())?.to_string());
        }
        if let Ok(tuple) = value.cast::<PyTuple>() {
            self.nest()?;
            let list = tuple.to_list();
            return visitor.visit_seq(self.items(&list));
        }
        let kind = value.get_type().name()?;
        Err(Mismatch::Raised(invalid(
            &self.path.render(),
            Problem::WrongKind {
                found: kind.to_string(),
            },
        )))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if self.value.is_none() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        // Enums in the contract are unit variants spelt as text (`"any"`).
        match self.value.cast::<PyString>() {
            Ok(text) => with_utf8(text, self.path, |text| {
                visitor.visit_enum(IntoDeserializer::<Mismatch>::into_deserializer(text))
            })?,
            Err(_) => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// A key of the dict at `dict`, read through [`Keys`].
struct Key<'a, 'py> {
    key: &'a Bound<'py, PyAny>,
    dict: &'a Path<'a, 'py>,
    keys: &'a mut Keys<'py>,
}

impl<'de> de::Deserializer<'de> for Key<'_, '_> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_str(&self.keys.text(self.key, self.dict)?)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The entries of the dict at `path`; `entry` is the one whose key was
/// just read.
struct Entries<'a, 'py> {
    len: usize,
    entries: BoundDictIterator<'py>,
    entry: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    path: &'a Path<'a, 'py>,
    depth: usize,
    keys: &'a mut Keys<'py>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let read = seed.deserialize(Key {
            key: &key,
            dict: self.path,
            keys: &mut *self.keys,
        })?;
        self.entry = Some((key, value));
        Ok(Some(read))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Mismatch> {
        let (key, value) = self
            .entry
            .take()
            .ok_or_else(|| Mismatch::Unfit("a value asked for before its key".to_owned()))?;
        seed.deserialize(Reader {
            value,
            path: &Path::Key(self.path, &key),
            depth: self.depth,
            keys: &mut *self.keys,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}

/// The items of the list (or tuple) at `path`; `next` is the index of the
/// next one.
struct Items<'a, 'py> {
    items: BoundListIterator<'py>,
    next: usize,
    path: &'a Path<'a, 'py>,
    depth: usize,
    keys: &'a mut Keys<'py>,
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Mismatch;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Mismatch> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(Reader {
            value,
            path: &Path::Index(self.path, index),
            depth: self.depth,
            keys: &mut *self.keys,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
