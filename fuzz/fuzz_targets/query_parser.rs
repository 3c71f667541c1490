//! Arbitrary bytes into the query parser, then the search.
//!
//! Invariants: nothing panics; `SlotSearch::from_json` (one pass) reads
//! exactly what `SlotQuery` then `to_search` (two stages) read, or refuses
//! with the same error; every refusal names a field and reads in both
//! languages; a valid query's answer is sorted, each start once, and its
//! first slot is explained as answered.

#![no_main]

use agendo_core::availability::{SlotQuery, SlotSearch};
use agendo_core::{Error, Lang};
use libfuzzer_sys::fuzz_target;

fn refused(err: Error) {
    assert!(
        err.field().is_some_and(|f| !f.is_empty()),
        "{err:?} names no field"
    );
    assert!(!err.message(Lang::PtBr).is_empty());
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let read = SlotQuery::from_json(text).and_then(|q| q.to_search());
    // The one-pass reader answers exactly as the two-stage one.
    assert_eq!(SlotSearch::from_json(text), read, "the two readers differ");
    let search = match read {
        Ok(search) => search,
        Err(err) => return refused(err),
    };
    let answer = search.find_slots();
    let starts: Vec<_> = answer.iter().map(|s| s.start()).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "unsorted answer");
    if let Some(first) = starts.first() {
        assert!(search.explain(*first).answered());
    }
});
