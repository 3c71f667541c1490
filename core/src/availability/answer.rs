//! The answer to a slot search.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use super::keys::StaffKey;
use super::rules::Mode;
use crate::time::rfc3339::Writer;
use crate::time::timeline::to_utc;
use crate::time::Span;

/// The free slots a search found, sorted by start, each start once.
///
/// Serialized as the engine's answer contract:
/// `{"slots":[{"start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z","staff":["ana"]}]}`,
/// instants in UTC with `Z`, staff keys sorted.
///
/// Slots do not own their staff lists: each refers to a run of indices into
/// one shared list, so an answer of a thousand slots costs two allocations
/// rather than a thousand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotAnswer {
    /// Every professional searched, sorted by key.
    staff: Vec<StaffKey>,
    duration: i64,
    slots: Vec<Entry>,
    /// Runs of indices into `staff`, one per distinct set of free staff.
    members: Vec<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    start: i64,
    first: u32,
    len: u32,
}

impl SlotAnswer {
    /// Combines each professional's free starts (`free[i]` for `staff[i]`,
    /// each sorted) by `mode`.
    pub(crate) fn combine(
        staff: Vec<StaffKey>,
        mode: Mode,
        free: Vec<Vec<i64>>,
        duration: i64,
    ) -> SlotAnswer {
        let everyone = len_u32(staff.len());
        let mut answer = SlotAnswer {
            members: (0..everyone).collect(),
            staff,
            duration,
            slots: Vec::new(),
        };
        match (mode, free.as_slice()) {
            (_, [only]) => answer.push_all(only),
            (Mode::All, [first, rest @ ..]) => {
                let mut common = first.clone();
                for other in rest {
                    common = intersect(&common, other);
                }
                answer.push_all(&common);
            }
            (Mode::Any, _) => answer.push_grouped(&free),
            (Mode::All, []) => {}
        }
        answer
    }

    /// One answer from answers of one professional each (with whatever
    /// else each needed, such as a room): a start is in it when it is in any
    /// of them, listing the professionals whose answer has it.
    pub(crate) fn any_of(mut answers: Vec<(StaffKey, SlotAnswer)>, duration: i64) -> SlotAnswer {
        answers.sort_by(|a, b| a.0.cmp(&b.0));
        let free = answers
            .iter()
            .map(|(_, answer)| answer.slots.iter().map(|e| e.start).collect())
            .collect();
        let keys = answers.into_iter().map(|(key, _)| key).collect();
        SlotAnswer::combine(keys, Mode::Any, free, duration)
    }

    /// One answer from each professional's free starts (each sorted and
    /// without repeats): a start is in it when any professional has it.
    pub(crate) fn any_of_starts(keyed: Vec<(StaffKey, Vec<i64>)>, duration: i64) -> SlotAnswer {
        let mut keyed = keyed;
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let (keys, free) = keyed.into_iter().unzip();
        SlotAnswer::combine(keys, Mode::Any, free, duration)
    }

    /// The slots starting from `earliest` up to (not including) `latest`:
    /// the answer the same search bounded by them finds, equal to it.
    pub(crate) fn within(&self, earliest: i64, latest: i64) -> SlotAnswer {
        let (low, high) = self.cut(earliest, latest);
        let kept = &self.slots[low..high];
        let everyone = len_u32(self.staff.len());
        // Every answer's members start with the run of all its staff; runs
        // of starts grouped by who is free follow, in the order of their
        // first slot, so those the kept slots use are one stretch.
        let mut members: Vec<u32> = (0..everyone).collect();
        let slots = match kept.first() {
            Some(first) if first.first >= everyone => {
                let base = first.first;
                let end = kept.iter().map(|e| e.first + e.len).max().unwrap_or(base);
                let runs = self.members.get(base as usize..end as usize);
                members.extend_from_slice(runs.unwrap_or_default());
                kept.iter()
                    .map(|e| Entry {
                        first: e.first - base + everyone,
                        ..*e
                    })
                    .collect()
            }
            _ => kept.to_vec(),
        };
        SlotAnswer {
            staff: self.staff.clone(),
            duration: self.duration,
            slots,
            members,
        }
    }

    /// The free starts, on the engine's timeline.
    pub(crate) fn starts(&self) -> impl Iterator<Item = i64> + '_ {
        self.slots.iter().map(|e| e.start)
    }

    /// Adds `starts` as slots free for every professional of the answer.
    fn push_all(&mut self, starts: &[i64]) {
        let len = len_u32(self.staff.len());
        self.slots.extend(starts.iter().map(|&start| Entry {
            start,
            first: 0,
            len,
        }));
    }

    /// Adds each start free for any professional, listing who is free.
    fn push_grouped(&mut self, free: &[Vec<i64>]) {
        // Each list is sorted: merged, by start and then professional, with
        // one head per professional rather than sorting every start.
        use std::cmp::Reverse;
        let mut heads: std::collections::BinaryHeap<Reverse<(i64, u32, usize)>> = free
            .iter()
            .enumerate()
            .filter_map(|(i, starts)| Some(Reverse((*starts.first()?, len_u32(i), 0))))
            .collect();
        let mut pairs: Vec<(i64, u32)> = Vec::with_capacity(free.iter().map(Vec::len).sum());
        while let Some(Reverse((start, i, at))) = heads.pop() {
            pairs.push((start, i));
            if let Some(&next) = free[i as usize].get(at + 1) {
                heads.push(Reverse((next, i, at + 1)));
            }
        }
        // The run of the previous slot, reused while the same staff are free.
        let mut previous: Option<(u32, u32)> = None;
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            let who = group.iter().map(|&(_, i)| i);
            let (first, len) = match previous {
                Some((first, len))
                    if self.members[first as usize..][..len as usize]
                        .iter()
                        .copied()
                        .eq(who.clone()) =>
                {
                    (first, len)
                }
                _ => {
                    let first = len_u32(self.members.len());
                    self.members.extend(who);
                    (first, len_u32(group.len()))
                }
            };
            previous = Some((first, len));
            self.slots.push(Entry {
                start: group[0].0,
                first,
                len,
            });
        }
    }

    /// How many slots there are.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no slot is free.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The slots, sorted by start.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Slot<'_>> {
        self.slots.iter().map(move |entry| Slot {
            answer: self,
            entry: *entry,
        })
    }
}

/// One free slot: when, and which professionals are free then.
#[derive(Clone, Copy, Debug)]
pub struct Slot<'a> {
    answer: &'a SlotAnswer,
    entry: Entry,
}

impl<'a> Slot<'a> {
    /// When the appointment would start.
    pub fn start(&self) -> DateTime<Utc> {
        to_utc(self.entry.start)
    }

    /// When the appointment would end (buffers not included).
    pub fn end(&self) -> DateTime<Utc> {
        to_utc(self.entry.start + self.answer.duration)
    }

    /// The appointment's span.
    pub fn span(&self) -> Span {
        Span::after(self.entry.start, self.answer.duration)
    }

    /// The professionals free at this start, sorted by key.
    pub fn staff(&self) -> impl ExactSizeIterator<Item = &'a StaffKey> + Clone + 'a {
        let answer: &'a SlotAnswer = self.answer;
        let run = &answer.members[self.entry.first as usize..][..self.entry.len as usize];
        run.iter().map(move |&i| &answer.staff[i as usize])
    }
}

impl SlotAnswer {
    /// The answer as JSON text, exactly as its `Serialize` writes it, but
    /// faster: each professional's key is escaped once for the whole answer
    /// rather than once per slot, and instants are written digit by digit.
    /// A week of four professionals' slots is a few hundred instants and
    /// keys; hosts answering many searches spend most of the answer's time
    /// here.
    ///
    /// # Example
    /// ```
    /// # use agendo_core::availability::*;
    /// # use agendo_core::time::{parse_zone, Window};
    /// # use chrono::{NaiveDate, Weekday};
    /// # let week = WeeklyHours::closed().with_day(Weekday::Mon, [Window::parse("09:00", "10:00")?])?;
    /// # let ana = StaffCalendar::new(StaffKey::parse("ana")?, parse_zone("America/Sao_Paulo")?, WorkingHours::new(week));
    /// # let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    /// # let search = SlotSearch::new(DateRange::new(monday, monday)?, "2026-03-01T12:00:00Z".parse().unwrap(),
    /// #     SlotRules::new(30)?, Mode::Any, vec![ana])?;
    /// let answer = search.find_slots();
    /// assert_eq!(answer.to_json(), serde_json::to_string(&answer).unwrap());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        self.render(None)
    }

    /// The JSON text of [`SlotAnswer::to_json`], writing where each slot's
    /// object starts into `starts` when given.
    fn render(&self, mut starts: Option<&mut Vec<usize>>) -> String {
        let keys: Vec<String> = self
            .staff
            .iter()
            .map(|k| serde_json::to_string(k.as_str()).unwrap_or_else(|_| "\"\"".to_owned()))
            .collect();
        // A slot is about 70 bytes and 40 a professional listed in it.
        let run: usize = keys.iter().map(|k| k.len() + 1).sum();
        let mut out = String::with_capacity(16 + self.slots.len() * (70 + run.min(160)));
        let mut writer = Writer::default();
        out.push_str("{\"slots\":[");
        for (i, entry) in self.slots.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if let Some(starts) = starts.as_deref_mut() {
                starts.push(out.len());
            }
            out.push_str("{\"start\":\"");
            write_instant(&mut out, &mut writer, entry.start);
            out.push_str("\",\"end\":\"");
            write_instant(&mut out, &mut writer, entry.start + self.duration);
            out.push_str("\",\"staff\":[");
            let run = &self.members[entry.first as usize..][..entry.len as usize];
            for (j, &member) in run.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&keys[member as usize]);
            }
            out.push_str("]}");
        }
        out.push_str("]}");
        out
    }

    /// The indices of the first slot starting from `earliest` and of the
    /// first starting from `latest`.
    fn cut(&self, earliest: i64, latest: i64) -> (usize, usize) {
        let low = self.slots.partition_point(|e| e.start < earliest);
        let high = low + self.slots[low..].partition_point(|e| e.start < latest);
        (low, high)
    }
}

/// An answer's JSON text, written once, with where each slot's object
/// starts: the text of any cut of the answer
/// ([`SlotAnswer::within`]) is then the text itself, shared, or one copy
/// out of it, rather than written again.
#[derive(Debug)]
pub(crate) struct AnswerText {
    text: Arc<str>,
    starts: Vec<usize>,
}

/// The JSON text of a slot search's answer, as
/// [`SlotAnswer::to_json`] writes it: shared with the text a kept search
/// keeps when the answer is all of it, else the request's own.
///
/// ```
/// # use agendo_core::availability::AnswerJson;
/// let text = AnswerJson::from(r#"{"slots":[]}"#.to_owned());
/// assert_eq!(text.as_str(), r#"{"slots":[]}"#);
/// assert_eq!(String::from(text), r#"{"slots":[]}"#);
/// ```
#[derive(Clone, Debug)]
pub struct AnswerJson(Text);

#[derive(Clone, Debug)]
enum Text {
    Shared(Arc<str>),
    Own(String),
}

impl AnswerJson {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Text::Shared(text) => text,
            Text::Own(text) => text,
        }
    }
}

/// Texts are equal when they read the same, shared or not.
impl PartialEq for AnswerJson {
    fn eq(&self, other: &AnswerJson) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for AnswerJson {}

impl From<String> for AnswerJson {
    fn from(text: String) -> AnswerJson {
        AnswerJson(Text::Own(text))
    }
}

impl From<AnswerJson> for String {
    fn from(text: AnswerJson) -> String {
        match text.0 {
            Text::Shared(text) => text.to_string(),
            Text::Own(text) => text,
        }
    }
}

impl AsRef<[u8]> for AnswerJson {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl AnswerText {
    /// The text of `answer`.
    pub(crate) fn of(answer: &SlotAnswer) -> AnswerText {
        let mut starts = Vec::with_capacity(answer.slots.len());
        // Kept a while: no room beyond what it holds.
        let text = Arc::from(answer.render(Some(&mut starts)));
        starts.shrink_to_fit();
        AnswerText { text, starts }
    }

    /// The bytes the text holds.
    pub(crate) fn size(&self) -> usize {
        self.text.len() + self.starts.capacity() * std::mem::size_of::<usize>()
    }

    /// `answer.within(earliest, latest).to_json()`, where `answer` is the
    /// answer this is the text of.
    pub(crate) fn within(&self, answer: &SlotAnswer, earliest: i64, latest: i64) -> AnswerJson {
        let (low, high) = answer.cut(earliest, latest);
        if low == 0 && high == self.starts.len() {
            return AnswerJson(Text::Shared(self.text.clone()));
        }
        const HEAD: &str = "{\"slots\":[";
        let Some(&from) = self.starts.get(low).filter(|_| low < high) else {
            return AnswerJson::from(format!("{HEAD}]}}"));
        };
        // A slot's object ends at the comma before the next one, the last
        // one's before the closing `]}`.
        let to = self
            .starts
            .get(high)
            .map_or(self.text.len() - 2, |&next| next - 1);
        let body = &self.text[from..to];
        let mut out = String::with_capacity(HEAD.len() + body.len() + 2);
        out.push_str(HEAD);
        out.push_str(body);
        out.push_str("]}");
        AnswerJson::from(out)
    }
}

/// Writes an instant as chrono's serde does for `DateTime<Utc>`: RFC 3339
/// in UTC with `Z`, fractional seconds only when not whole (3 digits when
/// whole milliseconds, else 6).
fn write_instant(out: &mut String, writer: &mut Writer, micros: i64) {
    match writer.write(micros) {
        Some(written) => out.push_str(written.as_str()),
        // Outside four digits chrono adds a sign; let it write those.
        None => out.push_str(&to_utc(micros).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    }
}

impl Serialize for SlotAnswer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Slots<'a>(&'a SlotAnswer);
        impl Serialize for Slots<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for slot in self.0.iter() {
                    seq.serialize_element(&slot)?;
                }
                seq.end()
            }
        }
        let mut out = serializer.serialize_struct("SlotAnswer", 1)?;
        out.serialize_field("slots", &Slots(self))?;
        out.end()
    }
}

impl Serialize for Slot<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Staff<'a>(&'a Slot<'a>);
        impl Serialize for Staff<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.staff())
            }
        }
        let mut out = serializer.serialize_struct("Slot", 3)?;
        out.serialize_field("start", &crate::time::rfc3339::Instant(self.start()))?;
        out.serialize_field("end", &crate::time::rfc3339::Instant(self.end()))?;
        out.serialize_field("staff", &Staff(self))?;
        out.end()
    }
}

/// The starts in both sorted lists.
fn intersect(a: &[i64], b: &[i64]) -> Vec<i64> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// An index or count as `u32`. Searches hold at most
/// [`MAX_STAFF`](super::MAX_STAFF) professionals, so indices into the staff
/// and member lists fit.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_json_writes_what_serde_writes_for_fractional_instants() {
        let keys = vec![
            StaffKey::parse("ana \"a\"").unwrap(),
            StaffKey::parse("bia\\b").unwrap(),
        ];
        let base = 1_772_452_800_000_000; // 2026-03-02T12:00:00Z
        let free = vec![
            vec![base, base + 1_500, base + 123_456, base + 2_000_000],
            vec![base + 1_500, base + 999_999],
        ];
        for mode in [Mode::Any, Mode::All] {
            let answer = SlotAnswer::combine(keys.clone(), mode, free.clone(), 1_800_000_000);
            assert_eq!(answer.to_json(), serde_json::to_string(&answer).unwrap());
        }
        let empty = SlotAnswer::combine(keys, Mode::Any, vec![vec![], vec![]], 60);
        assert_eq!(empty.to_json(), r#"{"slots":[]}"#);
    }

    fn free_lists() -> impl proptest::strategy::Strategy<Value = Vec<Vec<i64>>> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop::collection::btree_set(0i64..60, 0..30).prop_map(|s| s.into_iter().collect()),
            1..5,
        )
    }

    proptest::proptest! {
        /// An answer cut to a span of starts is, member list included, the
        /// answer combined from the starts in that span only: what a kept
        /// search answers at a later `now` is what searching afresh does;
        /// and so is the text cut out of its kept text.
        #[test]
        fn an_answer_cut_to_a_span_is_the_answer_of_that_span(
            free in free_lists(),
            earliest in -5i64..65,
            width in 0i64..70,
            all in proptest::bool::ANY,
        ) {
            let keys: Vec<StaffKey> = (0..free.len())
                .map(|i| StaffKey::parse(&format!("p{i}")).unwrap())
                .collect();
            let mode = if all { Mode::All } else { Mode::Any };
            let latest = if width == 69 { i64::MAX } else { earliest + width };
            let whole = SlotAnswer::combine(keys.clone(), mode, free.clone(), 30);
            let cut: Vec<Vec<i64>> = free
                .iter()
                .map(|starts| starts.iter().copied().filter(|s| (earliest..latest).contains(s)).collect())
                .collect();
            let fresh = SlotAnswer::combine(keys, mode, cut, 30);
            // Its text, cut out of the whole answer's, is the text of
            // that answer.
            let text = AnswerText::of(&whole).within(&whole, earliest, latest);
            proptest::prop_assert_eq!(&text, &AnswerJson::from(fresh.to_json()));
            proptest::prop_assert_eq!(text.as_str(), fresh.to_json());
            proptest::prop_assert_eq!(whole.within(earliest, latest), fresh);
        }
    }
}
