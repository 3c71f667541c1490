//! RFC 3339 instants read and written by hand, the common form only.
//!
//! A week of a salon's search reads thousands of instants and writes
//! hundreds; chrono's general parser and formatter cost most of the time of
//! a search from JSON text to JSON text. The common form,
//! `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, is read here directly;
//! anything else (a lowercase `t`, a space, a leap second) goes to chrono,
//! so what is accepted and what it means do not change. Written instants
//! are exactly what chrono's serde writes: UTC with `Z`, and a fraction of
//! 3, 6 or 9 digits only when the instant has one.

use chrono::{DateTime, Utc};

/// Reads `text` in the common form; `None` when it is in any other (the
/// caller then asks chrono, which may still accept it) or is not a date.
pub(crate) fn read_common(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos: u32 = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 || count > 9 {
            return None;
        }
        nanos = digits(&fraction[..count])? * 10u32.pow(9 - u32::try_from(count).ok()?);
        rest = &fraction[count..];
    }
    let offset_seconds: i64 = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
    DateTime::from_timestamp(seconds, nanos)
}

/// Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The value of ASCII digits; `None` for anything else.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// An instant written out, on the stack.
pub(crate) struct Written {
    buf: [u8; 32],
    len: usize,
}

impl Written {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn number(&mut self, n: u32, width: usize) {
        let mut n = n;
        let start = self.len;
        for _ in 0..width {
            self.push(b'0');
        }
        for i in (start..self.len).rev() {
            self.buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
}

/// Writes `instant` as chrono's serde writes it (UTC, `Z`, a fraction of 3,
/// 6 or 9 digits when there is one), for years 0 to 9999; `None` outside.
pub(crate) fn write_common(instant: DateTime<Utc>) -> Option<Written> {
    use chrono::{Datelike, Timelike};
    let year = u32::try_from(instant.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = Written {
        buf: [0; 32],
        len: 0,
    };
    out.number(year, 4);
    out.push(b'-');
    out.number(instant.month(), 2);
    out.push(b'-');
    out.number(instant.day(), 2);
    out.push(b'T');
    out.number(instant.hour(), 2);
    out.push(b':');
    out.number(instant.minute(), 2);
    out.push(b':');
    out.number(instant.second(), 2);
    let nanos = instant.nanosecond();
    if nanos >= 1_000_000_000 {
        // A leap second: chrono writes it its own way.
        return None;
    }
    if nanos != 0 {
        out.push(b'.');
        if nanos.is_multiple_of(1_000_000) {
            out.number(nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            out.number(nanos / 1_000, 6);
        } else {
            out.number(nanos, 9);
        }
    }
    out.push(b'Z');
    Some(out)
}

/// `instant` serialized as chrono's serde writes it, faster.
pub(crate) struct Instant(pub(crate) DateTime<Utc>);

impl serde::Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match write_common(self.0) {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => self.0.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_reads(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_common_form_reads_as_chrono_reads_it() {
        for text in [
            "2026-03-02T12:00:00Z",
            "2026-03-02T09:00:00-03:00",
            "2026-03-02T23:59:59+14:00",
            "2026-03-02T12:00:00.5Z",
            "2026-03-02T12:00:00.123456Z",
            "2026-03-02T12:00:00.123456789+05:45",
            "2024-02-29T00:00:00Z",
            "1900-01-01T00:00:00Z",
            "2099-12-31T23:59:59Z",
            "2000-02-29T12:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999-23:59",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(read_common(text), chrono_reads(text), "{text}");
            assert!(read_common(text).is_some(), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_chrono() {
        for text in [
            "2026-03-02t12:00:00Z",
            "2026-03-02 12:00:00Z",
            "2026-03-02T12:00:00z",
            "2026-03-02T12:00:60Z",
            "2026-02-30T12:00:00Z",
            "1900-02-29T12:00:00Z",
            "2026-13-01T12:00:00Z",
            "2026-00-01T12:00:00Z",
            "2026-01-00T12:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T12:00:00",
            "2026-03-02T12:00:00+0300",
            "2026-03-02T12:00:00.Z",
            "2026-03-02T12:00:00.1234567890Z",
            "2026-03-02T12:00:00+24:00",
            "+2026-03-02T12:00:00Z",
            "2026-3-02T12:00:00Z",
            "",
            "2026-03-02T12:00:00Zjunk",
        ] {
            assert_eq!(read_common(text), None, "{text}");
        }
    }

    #[test]
    fn written_as_chrono_writes_it() {
        for text in [
            "2026-03-02T12:00:00Z",
            "2026-03-02T12:00:00.500Z",
            "2026-03-02T12:00:00.123456Z",
            "2026-03-02T12:00:00.123456789Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let instant = chrono_reads(text).unwrap();
            let out = write_common(instant).unwrap();
            assert_eq!(
                out.as_str(),
                serde_json::to_value(instant).unwrap().as_str().unwrap()
            );
            assert_eq!(
                serde_json::to_string(&Instant(instant)).unwrap(),
                serde_json::to_string(&instant).unwrap()
            );
        }
    }
}
