//! Sets of instants as sorted, disjoint spans.

use super::span::Span;

/// A set of instants, kept as sorted spans that neither overlap nor touch.
///
/// Building a set from arbitrary spans sorts them once (`O(n log n)`); union,
/// intersection and difference of two sets then walk both inputs once, in time
/// linear in their sizes. Touching spans join: the set of 09:00–12:00 and
/// 12:00–13:00 is the single span 09:00–13:00.
///
/// # Example
/// ```
/// use agendo_core::time::{Span, SpanSet};
/// use chrono::{DateTime, Utc};
///
/// let span = |a: &str, b: &str| -> Span {
///     Span::new(a.parse::<DateTime<Utc>>().unwrap(), b.parse().unwrap()).unwrap()
/// };
/// let work = SpanSet::from_spans([
///     span("2026-03-02T12:00:00Z", "2026-03-02T15:00:00Z"),
///     span("2026-03-02T15:00:00Z", "2026-03-02T21:00:00Z"),
/// ]);
/// let lunch = SpanSet::from_spans([span("2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z")]);
/// assert_eq!(work.len(), 1);
/// assert_eq!(work.difference(&lunch).len(), 2);
/// assert!(work.intersection(&lunch) == lunch);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SpanSet {
    spans: Vec<Span>,
}

impl SpanSet {
    /// The empty set.
    pub fn new() -> SpanSet {
        SpanSet::default()
    }

    /// The set of every instant in any of `spans`.
    pub fn from_spans(spans: impl IntoIterator<Item = Span>) -> SpanSet {
        let mut spans: Vec<Span> = spans.into_iter().collect();
        spans.sort_unstable();
        SpanSet {
            spans: coalesce(spans),
        }
    }

    /// The spans of the set, sorted, neither overlapping nor touching.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// How many separate spans the set has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the set has no instant.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Whether any instant of `span` is in the set.
    pub fn overlaps(&self, span: &Span) -> bool {
        // The first member that ends after the span starts is the only one
        // that can overlap it: every earlier member ends before the span.
        let i = self
            .spans
            .partition_point(|s| s.end_micros() <= span.start_micros());
        self.spans.get(i).is_some_and(|s| s.overlaps(span))
    }

    /// Whether every instant of `span` is in the set (it lies inside one member).
    pub fn contains(&self, span: &Span) -> bool {
        let i = self
            .spans
            .partition_point(|s| s.end_micros() <= span.start_micros());
        self.spans.get(i).is_some_and(|s| s.contains(span))
    }

    /// Every instant in either set.
    pub fn union(&self, other: &SpanSet) -> SpanSet {
        let (a, b) = (&self.spans, &other.spans);
        let mut merged = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] <= b[j] {
                merged.push(a[i]);
                i += 1;
            } else {
                merged.push(b[j]);
                j += 1;
            }
        }
        merged.extend_from_slice(&a[i..]);
        merged.extend_from_slice(&b[j..]);
        SpanSet {
            spans: coalesce(merged),
        }
    }

    /// Every instant in both sets.
    pub fn intersection(&self, other: &SpanSet) -> SpanSet {
        let (a, b) = (&self.spans, &other.spans);
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let start = a[i].start_micros().max(b[j].start_micros());
            let end = a[i].end_micros().min(b[j].end_micros());
            out.extend(Span::from_micros(start, end));
            // The member that ends first cannot meet anything later in the
            // other set; the one that ends last may still meet the next one.
            if a[i].end_micros() <= b[j].end_micros() {
                i += 1;
            } else {
                j += 1;
            }
        }
        SpanSet { spans: out }
    }

    /// Every instant in this set and not in `other`.
    pub fn difference(&self, other: &SpanSet) -> SpanSet {
        let b = &other.spans;
        let mut out = Vec::with_capacity(self.spans.len());
        let mut j = 0;
        for span in &self.spans {
            let mut start = span.start_micros();
            let end = span.end_micros();
            // Members of `other` that end before this span starts are behind
            // every later span of `self` too.
            while j < b.len() && b[j].end_micros() <= start {
                j += 1;
            }
            let mut k = j;
            while k < b.len() && b[k].start_micros() < end {
                out.extend(Span::from_micros(start, b[k].start_micros()));
                start = start.max(b[k].end_micros());
                k += 1;
            }
            out.extend(Span::from_micros(start, end));
        }
        SpanSet { spans: out }
    }
}

impl FromIterator<Span> for SpanSet {
    fn from_iter<I: IntoIterator<Item = Span>>(iter: I) -> SpanSet {
        SpanSet::from_spans(iter)
    }
}

/// Joins sorted spans that overlap or touch.
fn coalesce(mut sorted: Vec<Span>) -> Vec<Span> {
    coalesce_tail(&mut sorted, 0);
    sorted
}

/// Joins the spans of `spans[from..]`, sorted by start, that overlap or touch,
/// in place; the spans before `from` are left as they are.
pub(crate) fn coalesce_tail(spans: &mut Vec<Span>, from: usize) {
    let mut last = from;
    for i in from + 1..spans.len() {
        let span = spans[i];
        if span.start_micros() <= spans[last].end_micros() {
            if span.end_micros() > spans[last].end_micros() {
                spans[last] = Span::from_micros(spans[last].start_micros(), span.end_micros())
                    .unwrap_or(spans[last]);
            }
        } else {
            last += 1;
            spans[last] = span;
        }
    }
    spans.truncate((last + 1).min(spans.len()));
}
