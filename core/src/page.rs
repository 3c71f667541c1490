//! Pages of a list: every list the engine answers comes a page at a time,
//! in a stable order, with an opaque cursor for the next page.
//!
//! A list orders its records by a key that never changes while the record
//! lives (a receivable by its due date and id, a payment by when it was
//! made and id). A page is the first `limit` records after the cursor's
//! key, so records added or changed while a caller pages through neither
//! repeat nor shift the pages: each record appears at most once, and every
//! record that existed throughout is seen.
//!
//! A cursor is text the caller hands back unchanged. It names its list and
//! carries a check, so a cursor that was altered, cut or taken from another
//! list is refused as [`Problem::BadCursor`] naming the field rather than
//! read as some other position.
//!
//! ```
//! use agendo_core::page::{Page, PageRequest};
//! let first = PageRequest::read("letters", None, Some(2))?;
//! let page = Page::of(vec!["c", "a", "b"], |s| s.to_string(), &first);
//! assert_eq!(page.items, ["a", "b"]);
//! let next = PageRequest::read("letters", page.next.as_deref(), Some(2))?;
//! assert_eq!(Page::of(vec!["c", "a", "b"], |s| s.to_string(), &next).items, ["c"]);
//! assert!(PageRequest::read("numbers", page.next.as_deref(), None).is_err());
//! # Ok::<(), agendo_core::Error>(())
//! ```

use crate::error::{Error, Problem};

/// The most records a page holds.
pub const MAX_PAGE: u32 = 200;

/// How many records a page holds when the caller does not say.
pub const DEFAULT_PAGE: u32 = 50;

/// The longest cursor text read: a key is at most a few ids and a date.
const MAX_CURSOR_CHARS: usize = 1024;

/// Which page of a list is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    list: &'static str,
    after: Option<String>,
    limit: usize,
}

impl PageRequest {
    /// The first page of `list`, [`DEFAULT_PAGE`] records long.
    pub fn first(list: &'static str) -> PageRequest {
        PageRequest {
            list,
            after: None,
            limit: DEFAULT_PAGE as usize,
        }
    }

    /// Reads a page request of `list`: the `cursor` a page of the same list
    /// gave (none for the first page) and a `limit` from 1 to
    /// [`MAX_PAGE`] ([`DEFAULT_PAGE`] when absent).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `cursor` ([`Problem::BadCursor`]) or `limit`.
    pub fn read(
        list: &'static str,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<PageRequest, Error> {
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 {
            return Err(Error::invalid(
                "limit",
                Problem::BelowMinimum { value: 0, min: 1 },
            ));
        }
        if limit > MAX_PAGE {
            return Err(Error::invalid(
                "limit",
                Problem::AboveMaximum {
                    value: i64::from(limit),
                    max: i64::from(MAX_PAGE),
                },
            ));
        }
        let after = match cursor {
            None => None,
            Some(text) => Some(
                decode(list, text).ok_or_else(|| Error::invalid("cursor", Problem::BadCursor))?,
            ),
        };
        Ok(PageRequest {
            list,
            after,
            limit: limit as usize,
        })
    }

    /// The most records the page holds.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// A page of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The records, in the list's order.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The page `request` asks for of `items`, ordered by `key` (which must
    /// be unique per record and never change while it lives).
    pub fn of(items: Vec<T>, key: impl Fn(&T) -> String, request: &PageRequest) -> Page<T> {
        let mut keyed: Vec<(String, T)> = items
            .into_iter()
            .map(|item| (key(&item), item))
            .filter(|(k, _)| request.after.as_ref().is_none_or(|after| k > after))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let more = keyed.len() > request.limit;
        keyed.truncate(request.limit);
        let next = match (more, keyed.last()) {
            (true, Some((last, _))) => Some(encode(request.list, last)),
            _ => None,
        };
        Page {
            items: keyed.into_iter().map(|(_, item)| item).collect(),
            next,
        }
    }

    /// The same page with each record turned by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// The order key of a record listed by name as people sort names (case
/// and accents aside), then id: services, professionals, resources,
/// clients, accounts.
pub fn name_key(name: &str, id: impl std::fmt::Display) -> String {
    format!("{}|{id}", crate::business::fold(name))
}

/// The order key of a record listed by an instant (a booking's start, a
/// payment's creation), then id: fixed-width text, so text order is time
/// order.
pub fn time_key(at: chrono::DateTime<chrono::Utc>, id: impl std::fmt::Display) -> String {
    format!(
        "{}|{id}",
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

/// The order key of a record listed newest first by an instant (messages),
/// then id: the time left until the far future, fixed width, so text
/// order is newest first.
pub fn newest_key(at: chrono::DateTime<chrono::Utc>, id: impl std::fmt::Display) -> String {
    let far = chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp_micros();
    format!("{:020}|{id}", far.saturating_sub(at.timestamp_micros()))
}

/// The cursor text: the list and key in hex, then a check of both.
fn encode(list: &str, key: &str) -> String {
    let payload = format!("{list}\u{1f}{key}");
    let mut text = String::with_capacity(payload.len() * 2 + 17);
    for byte in payload.as_bytes() {
        text.push_str(&format!("{byte:02x}"));
    }
    text.push('.');
    text.push_str(&format!("{:016x}", check(payload.as_bytes())));
    text
}

/// The key of a cursor of `list`, when it is one this module made.
fn decode(list: &str, text: &str) -> Option<String> {
    if text.len() > MAX_CURSOR_CHARS {
        return None;
    }
    let (hex, sum) = text.split_once('.')?;
    if hex.len() % 2 != 0 || sum.len() != 16 {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    if u64::from_str_radix(sum, 16).ok()? != check(&bytes) {
        return None;
    }
    let payload = String::from_utf8(bytes).ok()?;
    let (named, key) = payload.split_once('\u{1f}')?;
    (named == list).then(|| key.to_owned())
}

/// FNV-1a over the payload with a fixed salt: it tells an altered or cut
/// cursor from one this module made. A cursor is not a secret (it only
/// names a position in the caller's own list), so no key is needed.
fn check(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    b"agendo-cursor-v1"
        .iter()
        .chain(bytes)
        .fold(OFFSET, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i:03}")).collect()
    }

    #[test]
    fn pages_cover_the_list_once_in_order() {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let request = PageRequest::read("n", cursor.as_deref(), Some(7)).unwrap();
            let page = Page::of(keys(30), Clone::clone, &request);
            assert!(page.items.len() <= 7);
            seen.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, keys(30));
    }

    #[test]
    fn an_exact_last_page_has_no_next() {
        let request = PageRequest::read("n", None, Some(10)).unwrap();
        assert_eq!(Page::of(keys(10), Clone::clone, &request).next, None);
    }

    #[test]
    fn records_added_meanwhile_do_not_shift_pages() {
        let request = PageRequest::read("n", None, Some(2)).unwrap();
        let page = Page::of(
            vec!["b".to_owned(), "d".to_owned(), "f".to_owned()],
            Clone::clone,
            &request,
        );
        let next = PageRequest::read("n", page.next.as_deref(), Some(2)).unwrap();
        let later = vec!["a", "b", "c", "d", "e", "f"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(Page::of(later, Clone::clone, &next).items, ["e", "f"]);
    }

    #[test]
    fn altered_cut_or_foreign_cursors_are_refused() {
        let request = PageRequest::read("n", None, Some(1)).unwrap();
        let cursor = Page::of(keys(3), Clone::clone, &request).next.unwrap();
        let mut altered = cursor.clone().into_bytes();
        altered[3] = if altered[3] == b'1' { b'2' } else { b'1' };
        let altered = String::from_utf8(altered).unwrap();
        for bad in [
            altered.as_str(),
            &cursor[..cursor.len() - 1],
            "",
            "zz.0000000000000000",
            &"a".repeat(5000),
        ] {
            let err = PageRequest::read("n", Some(bad), None).unwrap_err();
            assert_eq!(err.field(), Some("cursor"), "{bad}");
            assert!(err.to_string().contains("cursor"), "{err}");
        }
        let err = PageRequest::read("other", Some(&cursor), None).unwrap_err();
        assert!(matches!(
            err,
            Error::Invalid {
                problem: Problem::BadCursor,
                ..
            }
        ));
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageRequest::read("n", None, None).unwrap().limit(), 50);
        for bad in [0, MAX_PAGE + 1] {
            let err = PageRequest::read("n", None, Some(bad)).unwrap_err();
            assert_eq!(err.field(), Some("limit"));
        }
    }
}
