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
    let (seconds, nanos) = read_parts(text)?;
    DateTime::from_timestamp(seconds, nanos)
}

/// Reads `text` in the common form as seconds since the Unix epoch and
/// nanoseconds, without building a `DateTime`; `None` as [`read_common`].
pub(crate) fn read_parts(text: &str) -> Option<(i64, u32)> {
    read_parts_after(text, None).map(|(seconds, nanos, _)| (seconds, nanos))
}

/// [`read_parts`] of `text` with the days since the epoch of its written
/// date, given those of an instant read before and its text: when `text` is
/// written on the same date, as the end of a booking usually is, the date
/// is not read again.
#[inline]
pub(crate) fn read_parts_after(text: &str, before: Option<(&str, i64)>) -> Option<(i64, u32, i64)> {
    let (head, mut rest) = text.as_bytes().split_first_chunk::<19>()?;
    if rest.is_empty() || !in_form(head) {
        return None;
    }
    let days = match before {
        Some((other, days)) if other.as_bytes().get(..10) == Some(&head[..10]) => days,
        _ => read_days(head)?,
    };
    let hour = two_digits(head, 11);
    let minute = two_digits(head, 14);
    let second = two_digits(head, 17);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
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
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
    Some((seconds, nanos, days))
}

/// The days since 1970-01-01 of the date `YYYY-MM-DD` that `b` starts
/// with, if it is one.
#[inline]
fn read_days(b: &[u8; 19]) -> Option<i64> {
    let year = two_digits(b, 0) * 100 + two_digits(b, 2);
    let month = two_digits(b, 5);
    let day = two_digits(b, 8);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(i64::from(year), month, day))
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

/// Whether `b` is written `DDDD-DD-DDTDD:DD:DD`, each `D` an ASCII digit:
/// checked eight bytes at a time (the last eight overlap the middle ones).
/// Each byte is XORed with the form's (`0` where a digit goes): a digit
/// becomes 0 to 9, a separator as written becomes 0.
fn in_form(b: &[u8; 19]) -> bool {
    const FORM: &[u8; 19] = b"0000-00-00T00:00:00";
    // 0xff at the separators of the eight bytes from 0, 8 and 11.
    const SEPARATORS: [u64; 3] = [
        0xff << 32 | 0xff << 56,
        0xff << 16 | 0xff << 40,
        0xff << 16 | 0xff << 40,
    ];
    const NIBBLES: u64 = u64::from_ne_bytes([0xf0; 8]);
    const SIXES: u64 = u64::from_ne_bytes([0x06; 8]);
    let eight = |bytes: &[u8; 19], at: usize| {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    [0, 8, 11].iter().zip(SEPARATORS).all(|(&at, separators)| {
        let x = eight(b, at) ^ eight(FORM, at);
        // Below 10 when neither x nor x + 6 reaches 16 (x + 6 carries into
        // the next byte only from an x that already fails).
        x & separators == 0 && (x | x.wrapping_add(SIXES)) & NIBBLES == 0
    })
}

/// The value of the two digits at `at` of a text [`in_form`].
fn two_digits(b: &[u8; 19], at: usize) -> u32 {
    u32::from(b[at].wrapping_sub(b'0')) * 10 + u32::from(b[at + 1].wrapping_sub(b'0'))
}

/// The value of ASCII digits; `None` for anything else.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
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
}

/// Writes the instant `micros` microseconds after the Unix epoch as
/// chrono's serde writes it (UTC, `Z`, a fraction of 3 or 6 digits when
/// there is one), for years 0 to 9999, without building a `DateTime`;
/// `None` outside.
pub(crate) fn write_micros(micros: i64) -> Option<Written> {
    Writer::default().write(micros)
}

/// Writes instants as [`write_micros`], keeping the date written last: an
/// answer writes hundreds of instants, most of them on the date of the one
/// before.
#[derive(Default)]
pub(crate) struct Writer {
    /// The day since the epoch written last, and its `YYYY-MM-DD`.
    last: Option<(i64, [u8; 10])>,
}

impl Writer {
    /// `micros` written; `None` outside the years 0 to 9999.
    pub(crate) fn write(&mut self, micros: i64) -> Option<Written> {
        const MICROS_PER_DAY: i64 = 86_400_000_000;
        let day = micros.div_euclid(MICROS_PER_DAY);
        let mut buf = *b"0000-00-00T00:00:00.000000Z\0\0\0\0\0";
        let date = match self.last {
            Some((last, date)) if last == day => date,
            _ => {
                let (year, month, day_of_month) = civil_from_days(day);
                let year = u32::try_from(year).ok().filter(|y| *y <= 9999)?;
                put(&mut buf, 0, year, 4);
                put(&mut buf, 5, month, 2);
                put(&mut buf, 8, day_of_month, 2);
                let mut date = [0; 10];
                date.copy_from_slice(&buf[..10]);
                self.last = Some((day, date));
                date
            }
        };
        buf[..10].copy_from_slice(&date);
        let in_day = micros.rem_euclid(MICROS_PER_DAY);
        let seconds = u32::try_from(in_day / 1_000_000).ok()?;
        let fraction = u32::try_from(in_day % 1_000_000).ok()?;
        // Each part at its fixed place: `YYYY-MM-DDTHH:MM:SS`, then the
        // fraction.
        put(&mut buf, 11, seconds / 3600, 2);
        put(&mut buf, 14, seconds / 60 % 60, 2);
        put(&mut buf, 17, seconds % 60, 2);
        let len = if fraction == 0 {
            19
        } else if fraction.is_multiple_of(1_000) {
            put(&mut buf, 20, fraction / 1_000, 3);
            23
        } else {
            put(&mut buf, 20, fraction, 6);
            26
        };
        buf[len] = b'Z';
        Some(Written { buf, len: len + 1 })
    }
}

/// Writes `n` in `width` digits at `at`.
fn put(buf: &mut [u8; 32], at: usize, n: u32, width: usize) {
    let mut n = n;
    for place in buf[at..at + width].iter_mut().rev() {
        *place = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`): the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted + 2) / 5 + 1;
    let month = if shifted < 10 {
        shifted + 3
    } else {
        shifted - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are small and positive by construction.
    (year, month as u32, day as u32)
}

/// Writes `instant` as chrono's serde writes it (UTC, `Z`, a fraction of 3,
/// 6 or 9 digits when there is one), for years 0 to 9999; `None` outside.
pub(crate) fn write_common(instant: DateTime<Utc>) -> Option<Written> {
    let nanos = instant.timestamp_subsec_nanos();
    if nanos >= 1_000_000_000 {
        // A leap second: chrono writes it its own way.
        return None;
    }
    if nanos.is_multiple_of(1_000) {
        return write_micros(instant.timestamp_micros());
    }
    // Nanoseconds: the whole second written, then its nine digits.
    let mut out = write_micros(instant.timestamp() * 1_000_000)?;
    out.buf[19] = b'.';
    put(&mut out.buf, 20, nanos, 9);
    out.buf[29] = b'Z';
    out.len = 30;
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

    /// Each byte of the date and time changed to every ASCII character:
    /// only a digit where a digit goes, or the separator itself, is read
    /// here, and then as chrono reads it.
    #[test]
    fn a_single_changed_byte_is_read_only_where_the_form_allows_it() {
        let form = b"2026-03-02T12:00:00Z";
        for at in 0..19 {
            for byte in 0u8..0x80 {
                let mut text = *form;
                text[at] = byte;
                let text = std::str::from_utf8(&text).unwrap();
                let digit_goes = !matches!(at, 4 | 7 | 10 | 13 | 16);
                let fits = if digit_goes {
                    byte.is_ascii_digit()
                } else {
                    byte == form[at]
                };
                match read_common(text) {
                    Some(read) => {
                        assert!(fits, "{text}");
                        assert_eq!(Some(read), chrono_reads(text), "{text}");
                    }
                    // A fitting byte is refused only for a value out of
                    // range (month 13, hour 42...), which chrono refuses
                    // too, or a leap second, which chrono reads.
                    None if fits => {
                        assert!(
                            chrono_reads(text).is_none() || text.ends_with(":60Z"),
                            "{text}"
                        )
                    }
                    None => {}
                }
            }
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
    fn microseconds_are_written_as_chrono_writes_them() {
        let far = [
            -62_167_219_200_000_000,
            -62_135_596_800_000_001,
            253_402_300_799_999_999,
            -1,
            0,
            951_782_400_000_000,
        ];
        // Every day from 1900 to 2100, at a time that moves through the day.
        let days = (-25_567..47_482)
            .map(|d: i64| d * 86_400_000_000 + (d * 7_919_000_001).rem_euclid(86_400_000_000));
        for micros in far.into_iter().chain(days) {
            let instant = DateTime::from_timestamp_micros(micros).unwrap();
            assert_eq!(
                write_micros(micros).unwrap().as_str(),
                serde_json::to_value(instant).unwrap().as_str().unwrap(),
                "{micros}"
            );
        }
        assert!(write_micros(-62_167_219_200_000_001).is_none());
        // One writer through instants in order, and back: the date it keeps
        // is the one of the instant written.
        let mut writer = Writer::default();
        let hours = (-48..48)
            .chain((-48..48).rev())
            .map(|h: i64| 1_772_452_800_000_000 + h * 3_600_000_000 + h);
        for micros in hours {
            let written = writer.write(micros).unwrap();
            assert_eq!(written.as_str(), write_micros(micros).unwrap().as_str());
        }
        assert!(write_micros(253_402_300_800_000_000).is_none());
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
