//! Builders for slot queries in tests, and a compact form of answers.

#![allow(dead_code)]

use agendo_core::availability::{SlotAnswer, SlotQuery, SlotSearch};
use agendo_core::Error;
use serde_json::{json, Value};

/// One professional, `ana`, working Mondays 09:00–10:00 in São Paulo (UTC−3),
/// searched on Monday 2026-03-02 for a 30-minute service.
pub fn base() -> Value {
    json!({
        "timezone": "America/Sao_Paulo",
        "from": "2026-03-02", "to": "2026-03-02",
        "now": "2026-03-01T12:00:00Z",
        "duration_minutes": 30,
        "staff": [ staff("ana", json!({ "mon": [["09:00", "10:00"]] })) ]
    })
}

/// A professional with weekly windows and nothing else.
pub fn staff(id: &str, weekly: Value) -> Value {
    json!({ "id": id, "weekly": weekly })
}

/// A block or booking.
pub fn busy(id: &str, start: &str, end: &str) -> Value {
    json!({ "id": id, "start": start, "end": end })
}

/// `query` with `value` set at the JSON pointer `path`.
pub fn with(mut query: Value, path: &str, value: Value) -> Value {
    let (parent, key) = path.rsplit_once('/').expect("a JSON pointer");
    let target = query.pointer_mut(parent).expect("the parent exists");
    match target {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value,
        _ => panic!("{parent} is neither an object nor an array"),
    }
    query
}

/// The validated search of a JSON query.
pub fn search(query: &Value) -> SlotSearch {
    let query = SlotQuery::from_json(&query.to_string()).expect("the query reads");
    query.to_search().expect("the query is valid")
}

/// The error a JSON query is refused with.
pub fn refusal(query: &Value) -> Error {
    match SlotQuery::from_json(&query.to_string()).and_then(|q| q.to_search()) {
        Ok(_) => panic!("the query was accepted: {query}"),
        Err(err) => err,
    }
}

/// Each slot as `START STAFF,STAFF` with START in UTC.
pub fn lines(answer: &SlotAnswer) -> Vec<String> {
    answer
        .iter()
        .map(|slot| {
            let staff: Vec<&str> = slot.staff().map(|k| k.as_str()).collect();
            format!("{:?} {}", slot.start(), staff.join(","))
        })
        .collect()
}

/// Checks that the query answers exactly `expect`.
pub fn check(query: &Value, expect: &[&str]) {
    let got = lines(&search(query).find_slots());
    assert_eq!(got, expect, "query: {query}");
}
