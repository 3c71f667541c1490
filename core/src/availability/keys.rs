//! The caller's keys for professionals, blocks and bookings.
//!
//! The engine never invents or interprets these: they are opaque names the
//! caller gives (a database id, `"ana"`) and the engine gives back when it
//! answers or explains, so the caller can find the record again.
//!
//! A key of up to 23 bytes (a UUID's 36 are not) is kept inline, without
//! an allocation of its own: a search reads thousands of booking keys, and
//! copying each to the heap was a good part of its time.

use std::fmt;

use serde::{Serialize, Serializer};
use smol_str::SmolStr;

use crate::error::{Error, Problem};

/// The longest key, in characters. Keys are echoed in every answer and error,
/// so the limit bounds their size; a UUID takes 36.
pub const MAX_KEY_CHARS: usize = 256;

macro_rules! key {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(SmolStr);

        impl $name {
            /// Reads a key: any text of 1 to [`MAX_KEY_CHARS`] characters.
            ///
            /// # Errors
            /// [`Error::Invalid`] with [`Problem::Empty`] or [`Problem::TooLong`].
            ///
            /// # Example
            /// ```
            #[doc = concat!("use agendo_core::availability::", stringify!($name), ";")]
            #[doc = concat!("let key = ", stringify!($name), "::parse(\"k-42\")?;")]
            /// assert_eq!(key.as_str(), "k-42");
            #[doc = concat!("assert!(", stringify!($name), "::parse(\"\").is_err());")]
            /// # Ok::<(), agendo_core::Error>(())
            /// ```
            #[inline]
            pub fn parse(text: &str) -> Result<$name, Error> {
                check_key(text, $field)?;
                Ok($name(stored(text)))
            }

            /// The key `text`, which [`is_short_key`] found 1 to
            /// [`MAX_KEY_CHARS`] bytes long (so that [`Self::parse`] takes
            /// it at once). The one-pass reader of a slot query makes
            /// thousands of keys this way, straight into their list.
            #[inline]
            #[allow(dead_code, reason = "a staff key is read with `parse`")]
            pub(crate) fn of_short(text: &str) -> $name {
                debug_assert!(is_short_key(text));
                $name(stored(text))
            }

            /// The key as the caller wrote it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

key!(
    /// The caller's key for a professional (or a resource booked like one).
    StaffKey,
    "id"
);

key!(
    /// The caller's key for a block: a break, a vacation, an absence.
    BlockKey,
    "id"
);

key!(
    /// The caller's key for a booking.
    BookingKey,
    "id"
);

/// A key's text as kept: a short one is copied inline as it is.
#[inline]
fn stored(text: &str) -> SmolStr {
    if text.len() <= SmolStr::INLINE_CAP {
        SmolStr::new_inline(text)
    } else {
        SmolStr::new(text)
    }
}

/// Whether `text` is 1 to [`MAX_KEY_CHARS`] bytes long: a key `parse` takes
/// without counting its characters.
pub(crate) fn is_short_key(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_KEY_CHARS
}

fn check_key(text: &str, field: &str) -> Result<(), Error> {
    if text.is_empty() {
        return Err(Error::invalid(field, Problem::Empty));
    }
    // A text of at most MAX_KEY_CHARS bytes has no more characters.
    if text.len() <= MAX_KEY_CHARS {
        return Ok(());
    }
    let len = text.chars().count();
    if len > MAX_KEY_CHARS {
        return Err(Error::invalid(
            field,
            Problem::TooLong {
                len,
                max: MAX_KEY_CHARS,
            },
        ));
    }
    Ok(())
}
