//! A slot search read straight from JSON text.
//!
//! [`SlotQuery`] reads a query in two stages: serde copies every string of
//! the text into an owned [`SlotQuery`], then [`SlotQuery::to_search`] reads
//! each value, naming the field of the first bad one. For a salon's season
//! that is thousands of strings copied only to be read once, and most of the
//! time of a search from text to answer.
//!
//! [`SlotSearch::from_json`] reads the common case in one pass instead: the
//! strings are borrowed from the text, and each block and booking becomes
//! its calendar entry as it is read. That pass is stricter than the
//! contract: it takes only what it can read without a copy or a second
//! look (no escaped string, instants in the common RFC 3339 form well inside
//! the supported years, a span that ends after it starts). Anything else,
//! every refusal included, is read again the two-stage way, which then
//! answers exactly as it always has: the same search, or the same error
//! naming the same field. So the pass never changes what a query means,
//! only how soon a plain one is read.

use chrono::Weekday;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::Deserialize as _;

use super::calendar::{span_order, Block, Booking};
use super::keys::{is_short_key, BlockKey, BookingKey};
use super::query::{add_staff, read_hours, staff_calendar, staff_key_and_zone, Head, SlotQuery};
use super::rules::Mode;
use super::search::{check_staff_count, SlotSearch};
use crate::error::Error;
use crate::time::WEEKDAYS;

impl SlotSearch {
    /// Reads a search from the JSON text of a [`SlotQuery`]: the same search
    /// as `SlotQuery::from_json(text)?.to_search()`, or the same error, read
    /// faster. A plain query (no escaped string, instants such as
    /// `2026-03-02T12:00:00Z` or `2026-03-02T09:00:00-03:00`) is read in one
    /// pass without copying its strings; any other is read the two-stage way.
    ///
    /// # Errors
    /// As [`SlotQuery::from_json`] and [`SlotQuery::to_search`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::availability::{SlotQuery, SlotSearch};
    /// let text = r#"{
    ///     "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-02",
    ///     "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
    ///     "staff": [{ "id": "ana", "weekly": { "mon": [["09:00", "10:00"]] },
    ///                 "bookings": [{ "id": "k1", "start": "2026-03-02T12:00:00Z",
    ///                                "end": "2026-03-02T12:30:00Z" }] }]
    /// }"#;
    /// let search = SlotSearch::from_json(text)?;
    /// assert_eq!(search, SlotQuery::from_json(text)?.to_search()?);
    /// assert_eq!(search.find_slots().len(), 1);
    /// let late = text.replace("12:30:00Z", "11:30:00Z");
    /// let err = SlotSearch::from_json(&late).unwrap_err();
    /// assert_eq!(err.field(), Some("staff[0].bookings[0].end"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<SlotSearch, Error> {
        match read_plain(text) {
            Some(search) => Ok(search),
            None => SlotQuery::from_json(text)?.to_search(),
        }
    }
}

/// The search of a plain query; `None` for any other, or a refused one.
fn read_plain(text: &str) -> Option<SlotSearch> {
    let mut reader = Reader { text, at: 0 };
    let query = reader.query()?;
    reader.space();
    if reader.at != text.len() {
        return None;
    }
    let head = query.head.read().ok()?;
    check_staff_count(query.staff.len()).ok()?;
    let mut staff = Vec::with_capacity(query.staff.len());
    for member in query.staff {
        // A path is only written for an error, and an error is read again
        // the two-stage way, which names it; here it names nothing.
        let path = "";
        let (key, zone) = staff_key_and_zone(member.id, member.timezone, head.zone, path).ok()?;
        let overrides = member.overrides.iter().map(|(d, w)| (*d, w.as_slice()));
        let hours = read_hours(member.weekly.each_day(), overrides, path).ok()?;
        let calendar = staff_calendar(
            key,
            zone,
            hours,
            in_order(&member.blocks, BlockKey::of_short, Block::new),
            in_order(&member.bookings, BookingKey::of_short, Booking::new),
            member.capacity,
            path,
        )
        .ok()?;
        add_staff(&mut staff, calendar, path, member.id).ok()?;
    }
    head.search(staff).ok()
}

/// The length of the plain string that `rest` starts with, up to its
/// closing quote; `None` if an escape or a control character comes first,
/// or no quote. Eight bytes are looked at a time.
#[inline]
fn plain_len(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // The bytes below `n` (at most 0x80) of `word` as their high bits; the
    // lowest is exact, which is the one used.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let equal = |word: u64, byte: u8| below(word ^ (ONES * u64::from(byte)), 1);
    let mut at = 0;
    while let Some(chunk) = rest.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let stops = equal(word, b'"') | equal(word, b'\\') | below(word, 0x20);
        if stops != 0 {
            at += (stops.trailing_zeros() / 8) as usize;
            return (rest[at] == b'"').then_some(at);
        }
        at += 8;
    }
    let tail = rest[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    (rest[at + tail] == b'"').then_some(at + tail)
}

/// A query's values as the reader found them.
struct PlainQuery<'a> {
    head: Head<'a>,
    staff: Vec<PlainStaff<'a>>,
}

/// A professional's values as the reader found them.
struct PlainStaff<'a> {
    id: &'a str,
    timezone: Option<&'a str>,
    weekly: PlainWeek<'a>,
    overrides: Vec<(&'a str, Vec<Pair<'a>>)>,
    blocks: Vec<Busy<'a>>,
    bookings: Vec<Busy<'a>>,
    capacity: Option<i64>,
}

/// A block's or booking's key as written, and its span.
type Busy<'a> = (&'a str, crate::time::Span);

/// The blocks or bookings `busy` in the order of their spans, each made
/// with its key where it goes: the order is found on the pairs of a key as
/// written and a span, and nothing is moved after it is made.
fn in_order<K, T>(
    busy: &[Busy<'_>],
    key: impl Fn(&str) -> K,
    item: impl Fn(K, crate::time::Span) -> T,
) -> Vec<T> {
    let order = span_order(busy, |(_, span)| *span);
    order
        .into_iter()
        .map(|i| {
            let (id, span) = busy[i];
            item(key(id), span)
        })
        .collect()
}

/// A window as written, `["HH:MM", "HH:MM"]`.
type Pair<'a> = (&'a str, &'a str);

/// The weekly windows as written, Monday first.
#[derive(Default)]
struct PlainWeek<'a>([Vec<Pair<'a>>; 7]);

impl<'a> PlainWeek<'a> {
    fn each_day(&self) -> [(Weekday, &[Pair<'a>]); 7] {
        std::array::from_fn(|i| (WEEKDAYS[i].0, self.0[i].as_slice()))
    }
}

/// A reader of JSON text in exactly the shapes of a slot query, stricter
/// than serde_json: every method answers `None` for what it does not
/// expect, and the whole text is then read the two-stage way. What it does
/// take, it reads as serde_json and the derived `Deserialize` of
/// [`SlotQuery`] do: objects whose keys are the fields, each at most once,
/// no other; `null` for a field that may be left out; lists; strings
/// without escapes or control characters; whole non-negative numbers.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    /// Skips JSON's white space: space, tab, line feed, carriage return.
    fn space(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after white space, not taken.
    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.text.as_bytes().get(self.at).copied()
    }

    /// Takes `byte`, after white space.
    fn take(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Takes `null` if it comes next.
    fn null(&mut self) -> bool {
        self.space();
        let found = self.text.as_bytes()[self.at..].starts_with(b"null");
        if found {
            self.at += 4;
        }
        found
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.take(b'"')?;
        let start = self.at;
        let len = plain_len(&self.text.as_bytes()[start..])?;
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// Takes `"name"` if it comes next.
    fn key_named(&mut self, name: &str) -> bool {
        self.space();
        let rest = &self.text.as_bytes()[self.at..];
        // Byte by byte: names are a few bytes, shorter than a call.
        let found = rest.len() > name.len() + 1
            && rest[0] == b'"'
            && rest[name.len() + 1] == b'"'
            && rest[1..].iter().zip(name.as_bytes()).all(|(a, b)| a == b);
        if found {
            self.at += name.len() + 2;
        }
        found
    }

    /// A whole number written `0` or without leading zeros, of at most 18
    /// digits, not followed by a fraction or an exponent.
    fn number(&mut self) -> Option<i64> {
        self.space();
        let bytes = &self.text.as_bytes()[self.at..];
        let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 || len > 18 || (len > 1 && bytes[0] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = bytes.get(len) {
            return None;
        }
        self.at += len;
        bytes[..len]
            .iter()
            .try_fold(0i64, |n, b| Some(n * 10 + i64::from(b - b'0')))
    }

    /// `null` or a number.
    fn optional_number(&mut self) -> Option<Option<i64>> {
        if self.null() {
            return Some(None);
        }
        self.number().map(Some)
    }

    /// An object: `field` is called with each key, at most once each of the
    /// `N` keys of `names`, and reads its value.
    fn object<const N: usize>(
        &mut self,
        names: [&str; N],
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<[bool; N]> {
        let mut seen = [false; N];
        let mut expected = 0;
        let mut more = self.open(b'{', b'}')?;
        while more {
            // Keys mostly come in the order they are written in, so the one
            // after the last is tried first, as it is written.
            let index = if expected < N && self.key_named(names[expected]) {
                expected
            } else {
                let key = self.string()?;
                names.iter().position(|name| *name == key)?
            };
            expected = index + 1;
            if std::mem::replace(&mut seen[index], true) {
                return None;
            }
            self.take(b':')?;
            field(self, index)?;
            more = self.more(b'}')?;
        }
        Some(seen)
    }

    /// A list, each item read by `item`; `null` too when `nullable`.
    fn list<T>(
        &mut self,
        nullable: bool,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        if nullable && self.null() {
            return Some(Vec::new());
        }
        let mut items = Vec::new();
        let mut more = self.open(b'[', b']')?;
        while more {
            items.push(item(self)?);
            more = self.more(b']')?;
        }
        Some(items)
    }

    /// Takes `open`, and `close` if it follows at once; whether an item
    /// comes (`false` for an empty list or object).
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.take(open)?;
        let empty = self.peek()? == close;
        if empty {
            self.at += 1;
        }
        Some(!empty)
    }

    /// After an item: takes a comma (`true`: another item comes) or `close`
    /// (`false`: the end).
    fn more(&mut self, close: u8) -> Option<bool> {
        let next = self.peek()?;
        if next != b',' && next != close {
            return None;
        }
        self.at += 1;
        Some(next == b',')
    }

    fn query(&mut self) -> Option<PlainQuery<'a>> {
        const NAMES: [&str; 13] = [
            "timezone",
            "from",
            "to",
            "now",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "step_minutes",
            "min_notice_minutes",
            "horizon_days",
            "daily_limit",
            "mode",
            "staff",
        ];
        let mut head = Head {
            timezone: "",
            from: "",
            to: "",
            now: "",
            duration_minutes: 0,
            buffer_before_minutes: None,
            buffer_after_minutes: None,
            step_minutes: None,
            min_notice_minutes: None,
            horizon_days: None,
            daily_limit: None,
            mode: None,
        };
        let mut staff = Vec::new();
        let seen = self.object(NAMES, |r, field| {
            match field {
                0 => head.timezone = r.string()?,
                1 => head.from = r.string()?,
                2 => head.to = r.string()?,
                3 => head.now = r.string()?,
                4 => head.duration_minutes = r.number()?,
                5 => head.buffer_before_minutes = r.optional_number()?,
                6 => head.buffer_after_minutes = r.optional_number()?,
                7 => head.step_minutes = r.optional_number()?,
                8 => head.min_notice_minutes = r.optional_number()?,
                9 => head.horizon_days = r.optional_number()?,
                10 => head.daily_limit = r.optional_number()?,
                11 => {
                    head.mode = match r.null() {
                        true => None,
                        // The word read as `Mode`'s own `Deserialize` reads it.
                        false => Some(
                            Mode::deserialize(StrDeserializer::<ValueError>::new(r.string()?))
                                .ok()?,
                        ),
                    }
                }
                _ => staff = r.list(false, Reader::staff)?,
            }
            Some(())
        })?;
        // The fields that may not be left out.
        [0, 1, 2, 3, 4, 12]
            .iter()
            .all(|&i| seen[i])
            .then_some(PlainQuery { head, staff })
    }

    fn staff(&mut self) -> Option<PlainStaff<'a>> {
        const NAMES: [&str; 7] = [
            "id",
            "timezone",
            "weekly",
            "overrides",
            "blocks",
            "bookings",
            "capacity",
        ];
        let mut member = PlainStaff {
            id: "",
            timezone: None,
            weekly: PlainWeek::default(),
            overrides: Vec::new(),
            blocks: Vec::new(),
            bookings: Vec::new(),
            capacity: None,
        };
        let seen = self.object(NAMES, |r, field| {
            match field {
                0 => member.id = r.string()?,
                1 => member.timezone = if r.null() { None } else { Some(r.string()?) },
                2 => member.weekly = r.week()?,
                3 => member.overrides = r.list(true, Reader::day_override)?,
                4 => member.blocks = r.list(true, Reader::busy)?,
                5 => member.bookings = r.list(true, Reader::busy)?,
                _ => member.capacity = r.optional_number()?,
            }
            Some(())
        })?;
        (seen[0] && seen[2]).then_some(member)
    }

    fn week(&mut self) -> Option<PlainWeek<'a>> {
        let mut week = PlainWeek::default();
        self.object(WEEKDAYS.map(|(_, name)| name), |r, day| {
            week.0[day] = r.list(true, Reader::window)?;
            Some(())
        })?;
        Some(week)
    }

    fn window(&mut self) -> Option<Pair<'a>> {
        self.take(b'[')?;
        let start = self.string()?;
        self.take(b',')?;
        let end = self.string()?;
        self.take(b']')?;
        Some((start, end))
    }

    fn day_override(&mut self) -> Option<(&'a str, Vec<Pair<'a>>)> {
        let (mut date, mut windows) = ("", Vec::new());
        let seen = self.object(["date", "windows"], |r, field| {
            match field {
                0 => date = r.string()?,
                _ => windows = r.list(true, Reader::window)?,
            }
            Some(())
        })?;
        seen[0].then_some((date, windows))
    }

    /// A block or a booking, its span read as `read_instant` and `Span::new`
    /// would.
    fn busy(&mut self) -> Option<Busy<'a>> {
        let (id, start, end) = match self.busy_in_order() {
            Some(parts) => parts,
            None => {
                let (mut id, mut start, mut end) = ("", "", "");
                let seen = self.object(["id", "start", "end"], |r, field| {
                    let value = r.string()?;
                    match field {
                        0 => id = value,
                        1 => start = value,
                        _ => end = value,
                    }
                    Some(())
                })?;
                if seen != [true; 3] {
                    return None;
                }
                (id, start, end)
            }
        };
        let span = crate::time::read_common_span(start, end)?;
        is_short_key(id).then_some((id, span))
    }

    /// The id, start and end of a block or booking whose keys come in
    /// that order, `{"id":"…","start":"…","end":"…"}`, as serde_json, a
    /// browser's or Python's `json.dumps` write it (spaces or not): read
    /// in that order, without the bookkeeping of keys in any order that
    /// [`Reader::object`] does. A season's bookings are thousands of these,
    /// and that bookkeeping took most of the time of reading them. `None`,
    /// with nothing taken, for any other order, which `object` then reads.
    fn busy_in_order(&mut self) -> Option<(&'a str, &'a str, &'a str)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = self.at;
        // Takes `compact`, or else `form` byte by byte, a space in it
        // standing for any white space (none included).
        let take = |at: &mut usize, compact: &[u8], form: &[u8]| -> Option<()> {
            if bytes.get(*at..)?.starts_with(compact) {
                *at += compact.len();
                return Some(());
            }
            for &byte in form {
                if byte == b' ' {
                    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(*at) {
                        *at += 1;
                    }
                } else if bytes.get(*at) == Some(&byte) {
                    *at += 1;
                } else {
                    return None;
                }
            }
            Some(())
        };
        // The string whose opening quote was taken, and `at` past its
        // closing one. An instant is mostly `2026-03-02T12:00:00Z` (20
        // bytes) or `2026-03-02T09:00:00-03:00` (25): when a quote follows
        // that many bytes, they are taken without looking for the quote. A
        // quote or a backslash among them is not an instant, which the
        // span's reader refuses, and the query is then read the two-stage
        // way.
        let string = |at: &mut usize, lengths: &[usize]| -> Option<&'a str> {
            let rest = bytes.get(*at..)?;
            let len = match lengths.iter().find(|&&len| rest.get(len) == Some(&b'"')) {
                Some(&len) => len,
                None => plain_len(rest)?,
            };
            let value = text.get(*at..*at + len)?;
            *at += len + 1;
            Some(value)
        };
        take(&mut at, b"{\"id\":\"", b" { \"id\" : \"")?;
        let id = string(&mut at, &[])?;
        take(&mut at, b",\"start\":\"", b" , \"start\" : \"")?;
        let start = string(&mut at, &[20, 25])?;
        take(&mut at, b",\"end\":\"", b" , \"end\" : \"")?;
        let end = string(&mut at, &[20, 25])?;
        take(&mut at, b"}", b" }")?;
        self.at = at;
        Some((id, start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = r#"{
        "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-06",
        "now": "2026-03-01T12:00:00Z", "duration_minutes": 30, "step_minutes": 15,
        "buffer_before_minutes": null, "mode": "all", "horizon_days": 60,
        "staff": [
            { "id": "ana", "weekly": { "mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": null },
              "overrides": [{ "date": "2026-03-04", "windows": [] }],
              "blocks": [{ "id": "b1", "start": "2026-03-03T15:00:00.5Z", "end": "2026-03-03T16:00:00-03:00" }],
              "bookings": [{ "end": "2026-03-02T12:30:00Z", "id": "k1", "start": "2026-03-02T12:00:00Z" }],
              "capacity": 2 },
            { "id": "bia", "timezone": "Europe/Lisbon", "weekly": {}, "overrides": null,
              "bookings": null }
        ]
    }"#;

    fn two_stage(text: &str) -> Result<SlotSearch, Error> {
        SlotQuery::from_json(text)?.to_search()
    }

    #[test]
    fn a_plain_query_is_read_in_one_pass_as_in_two_stages() {
        let search = read_plain(PLAIN).expect("a plain query is read in one pass");
        assert_eq!(Ok(search), two_stage(PLAIN));
        let mut kept = crate::availability::SlotQuery::from(&two_stage(PLAIN).unwrap());
        kept.staff[0].bookings[0].id = "k-ç".to_owned();
        let written = serde_json::to_string(&kept).unwrap();
        assert!(read_plain(&written).is_some());
    }

    /// Bookings and blocks written id, start, end, with or without spaces,
    /// are read in that order; in any other order nothing is taken, and
    /// the keys are then read in any order. Either way the search is the
    /// one read in two stages.
    #[test]
    fn busy_times_written_in_order_are_read_in_order() {
        for (text, in_order) in [
            (r#"{"id":"k1","start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z"}"#, true),
            (r#"{"id": "k1", "start": "2026-03-02T09:00:00-03:00", "end": "2026-03-02T12:30:00.5Z"}"#, true),
            ("{\n  \"id\": \"k1\",\n  \"start\": \"2026-03-02T12:00:00Z\",\n  \"end\": \"2026-03-02T12:30:00Z\"\n}", true),
            (r#"{"start":"2026-03-02T12:00:00Z","id":"k1","end":"2026-03-02T12:30:00Z"}"#, false),
            (r#"{"id":"k1","start":"2026-03-02T12:00:00Z"}"#, false),
            (r#"{"id":"k1","start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z","x":1}"#, false),
        ] {
            let mut reader = Reader { text, at: 0 };
            let read = reader.busy_in_order();
            assert_eq!(read.is_some(), in_order, "{text}");
            assert_eq!(reader.at, if in_order { text.len() } else { 0 }, "{text}");
            let query = PLAIN.replace(
                r#"{ "end": "2026-03-02T12:30:00Z", "id": "k1", "start": "2026-03-02T12:00:00Z" }"#,
                text,
            );
            assert_ne!(query, PLAIN);
            let two = two_stage(&query);
            assert_eq!(read_plain(&query).ok_or(()), two.clone().map_err(|_| ()), "{text}");
            assert_eq!(SlotSearch::from_json(&query), two, "{text}");
        }
    }

    #[test]
    fn what_one_pass_does_not_take_is_read_in_two_stages() {
        for text in [
            PLAIN.replace("\"ana\"", "\"\\u0061na\""),
            PLAIN.replace("12:30:00Z", "12:30:00z"),
            PLAIN.replace("\"capacity\": 2", "\"capacity\": 2.0"),
            PLAIN.replace("\"capacity\": 2", "\"capacity\": 2e0"),
            PLAIN.replace("\"capacity\": 2", "\"capacity\": 02"),
            PLAIN.replace("\"capacity\": 2", "\"capacity\": 2, \"capacity\": 2"),
            PLAIN.replace("\"capacity\": 2", "\"capacity\": 2, \"spare\": 2"),
            PLAIN.replace("\"mode\": \"all\"", "\"mode\": \"ALL\""),
            PLAIN.replace("2026-03-03T15:00:00.5Z", "2026-03-03T15:00:00 Z"),
            PLAIN.replace("2026-03-03T15:00:00.5Z", "2100-03-03T15:00:00Z"),
            PLAIN.replace("\"weekly\": {}", "\"weekly\": null"),
            format!("{PLAIN} x"),
        ] {
            assert!(read_plain(&text).is_none(), "{text}");
            assert_eq!(SlotSearch::from_json(&text), two_stage(&text), "{text}");
        }
        let escaped = PLAIN.replace("\"ana\"", "\"\\u0061na\"");
        assert_eq!(SlotSearch::from_json(&escaped), two_stage(PLAIN));
        let refused = SlotSearch::from_json(&PLAIN.replace("\"capacity\": 2", "\"capacity\": 02"));
        assert_eq!(refused.unwrap_err().field(), Some("staff[0].capacity"));
    }

    #[test]
    fn a_plain_string_ends_at_its_first_quote_and_never_at_an_escape() {
        fn simple(rest: &[u8]) -> Option<usize> {
            let at = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            (rest[at] == b'"').then_some(at)
        }
        let alphabet: [&[u8]; 8] = [
            b"a",
            b"\"",
            b"\\",
            b"\x1f",
            b"\x7f",
            b" ",
            "é".as_bytes(),
            b"\x00",
        ];
        // Every string of up to 20 pieces drawn from a fixed sequence.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let pieces = (seed % 21) as usize;
            for k in 0..pieces {
                let pick = (seed >> (3 * (k % 20))) % 8;
                // Mostly plain letters, as real text is.
                let piece = if pick < 5 {
                    alphabet[0]
                } else {
                    alphabet[1 + (pick as usize + k) % 7]
                };
                text.extend_from_slice(piece);
            }
            assert_eq!(plain_len(&text), simple(&text), "{text:?}");
        }
    }

    #[test]
    fn a_span_read_in_one_pass_is_the_span_read_the_long_way() {
        for (start, end) in [
            ("2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z"),
            (
                "2026-03-02T12:00:00.0000005Z",
                "2026-03-02T12:00:00.0000015Z",
            ),
            (
                "2026-03-02T09:00:00-03:00",
                "2026-03-02T12:00:00.000001+00:00",
            ),
            ("1901-12-14T00:00:00Z", "2098-12-31T00:00:00+14:00"),
        ] {
            let long = crate::time::Span::new(
                crate::time::read_instant(start, "start").unwrap(),
                crate::time::read_instant(end, "end").unwrap(),
            );
            assert_eq!(crate::time::read_common_span(start, end), long.ok());
        }
        let equal = ("2026-03-02T12:00:00Z", "2026-03-02T09:00:00-03:00");
        assert_eq!(crate::time::read_common_span(equal.0, equal.1), None);
        assert_eq!(
            crate::time::read_common_span(" 2026-03-02T12:00:00Z", equal.0),
            None
        );
    }
}
