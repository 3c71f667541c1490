//! A serde reader over Python objects: a dict query read straight into the
//! engine's types, with no JSON text or JSON value built in between.
//!
//! It reads what `convert::to_json` writes, the same way (a `datetime` as
//! an RFC 3339 instant, a `date` and a `Decimal` as text, a tuple as a
//! list), but it does not name where a value went wrong: on a
//! [`Mismatch`] the caller reads the argument again through JSON text,
//! whose reader names the path (`staff[0].bookings[3].start`). So the fast
//! way and the careful way agree on every answer and every error.

use std::borrow::Cow;
use std::fmt;

use pyo3::prelude::*;
use pyo3::types::dict::BoundDictIterator;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use crate::convert::{date, decimal, instant};

/// Reads `value` as a `T`.
///
/// # Errors
/// [`Mismatch`] when the value does not fit `T` or a Python call fails.
pub fn read<T: DeserializeOwned>(value: &Bound<'_, PyAny>) -> Result<T, Mismatch> {
    let mut keys = Keys::default();
    T::deserialize(Reader {
        value: value.clone(),
        keys: &mut keys,
    })
}

/// Why a value could not be read, in serde's words; the caller reads the
/// value again to learn where.
#[derive(Debug)]
pub struct Mismatch(String);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Mismatch(msg.to_string())
    }
}

impl From<PyErr> for Mismatch {
    fn from(err: PyErr) -> Self {
        Mismatch(err.to_string())
    }
}

/// The text of the dict keys met so far, by object: `json.loads` and
/// Python's literals share one object per distinct key, so a thousand
/// bookings' `"start"` is encoded once.
#[derive(Default)]
struct Keys<'py> {
    seen: Vec<(Bound<'py, PyAny>, Box<str>)>,
}

/// Distinct keys remembered; a query has about thirty.
const KEYS_KEPT: usize = 64;

impl<'py> Keys<'py> {
    fn text(&mut self, key: &Bound<'py, PyAny>) -> Result<Cow<'_, str>, Mismatch> {
        if let Some(i) = self.seen.iter().position(|(seen, _)| seen.is(key)) {
            return Ok(Cow::Borrowed(&self.seen[i].1));
        }
        let Ok(text) = key.cast::<PyString>() else {
            return Err(Mismatch("a key that is not text".to_owned()));
        };
        let text: Box<str> = with_utf8(text, |text| Box::from(text))?;
        if self.seen.len() == KEYS_KEPT {
            return Ok(Cow::Owned(text.into()));
        }
        self.seen.push((key.clone(), text));
        Ok(Cow::Borrowed(&self.seen[self.seen.len() - 1].1))
    }
}

/// Calls `f` with the UTF-8 text of `text`, without copying it into Rust.
fn with_utf8<R>(text: &Bound<'_, PyString>, f: impl FnOnce(&str) -> R) -> Result<R, Mismatch> {
    let bytes = text.encode_utf8()?;
    let utf8 = std::str::from_utf8(bytes.as_bytes()).map_err(|e| Mismatch(e.to_string()))?;
    Ok(f(utf8))
}

/// One Python value.
struct Reader<'a, 'py> {
    value: Bound<'py, PyAny>,
    keys: &'a mut Keys<'py>,
}

impl<'de> de::Deserializer<'de> for Reader<'_, '_> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        let value = &self.value;
        // The common kinds of a query first: text, dicts, lists, whole numbers.
        if let Ok(text) = value.cast_exact::<PyString>() {
            return with_utf8(text, |text| visitor.visit_str(text))?;
        }
        if let Ok(dict) = value.cast::<PyDict>() {
            return visitor.visit_map(Entries {
                len: dict.len(),
                entries: dict.iter(),
                value: None,
                keys: self.keys,
            });
        }
        if let Ok(list) = value.cast::<PyList>() {
            let items: Vec<_> = list.iter().collect();
            return visitor.visit_seq(Items {
                items: items.into_iter(),
                keys: self.keys,
            });
        }
        if let Ok(flag) = value.cast::<PyBool>() {
            return visitor.visit_bool(flag.is_true());
        }
        if value.is_instance_of::<PyInt>() {
            return visitor.visit_i64(value.extract::<i64>()?);
        }
        if value.is_none() {
            return visitor.visit_unit();
        }
        if let Ok(float) = value.cast::<PyFloat>() {
            return visitor.visit_f64(float.value());
        }
        if let Ok(text) = value.cast::<PyString>() {
            return with_utf8(text, |text| visitor.visit_str(text))?;
        }
        if value.is_instance_of::<PyDateTime>() {
            return visitor.visit_str(&instant(value, "")?.to_rfc3339());
        }
        if value.is_instance_of::<PyDate>() {
            return visitor.visit_str(&date(value, "")?.to_string());
        }
        if value.get_type().name()? == "Decimal" {
            return visitor.visit_str(&decimal(value, "")?.to_string());
        }
        if value.is_instance_of::<pyo3::types::PyTuple>() {
            let items = value.try_iter()?.collect::<PyResult<Vec<_>>>()?;
            return visitor.visit_seq(Items {
                items: items.into_iter(),
                keys: self.keys,
            });
        }
        Err(Mismatch(format!("a {}", value.get_type().name()?)))
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
            Ok(text) => with_utf8(text, |text| {
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

/// A dict key, read through [`Keys`].
struct Key<'a, 'py> {
    key: Bound<'py, PyAny>,
    keys: &'a mut Keys<'py>,
}

impl<'de> de::Deserializer<'de> for Key<'_, '_> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_str(&self.keys.text(&self.key)?)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A dict's entries.
struct Entries<'a, 'py> {
    len: usize,
    entries: BoundDictIterator<'py>,
    value: Option<Bound<'py, PyAny>>,
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
        self.value = Some(value);
        seed.deserialize(Key {
            key,
            keys: &mut *self.keys,
        })
        .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Mismatch> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Mismatch("a value asked for before its key".to_owned()))?;
        seed.deserialize(Reader {
            value,
            keys: &mut *self.keys,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}

/// A list's (or a tuple's) items.
struct Items<'a, 'py> {
    items: std::vec::IntoIter<Bound<'py, PyAny>>,
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
        seed.deserialize(Reader {
            value,
            keys: &mut *self.keys,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
