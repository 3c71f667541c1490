//! "Why not free?": the explanation names every rule that removed a start.

mod support;

use agendo_core::availability::{BlockKey, BookingKey, Reason};
use agendo_core::Lang;
use serde_json::json;
use support::{base, busy, search, with};

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

fn block(key: &str) -> BlockKey {
    BlockKey::parse(key).unwrap()
}

fn booking(key: &str) -> BookingKey {
    BookingKey::parse(key).unwrap()
}

#[test]
fn an_answered_start_is_free_with_no_reason() {
    let why = search(&base()).explain(at("2026-03-02T12:00:00Z"));
    assert!(why.answered());
    assert!(why.staff()[0].free());
    assert!(why.staff()[0].reasons().is_empty());
}

#[test]
fn every_rule_that_removed_a_start_is_named() {
    let q = with(base(), "/now", json!("2026-03-02T12:10:00Z"));
    let q = with(
        q,
        "/staff/0/blocks",
        json!([
            busy("lunch", "2026-03-02T12:00:00Z", "2026-03-02T12:15:00Z"),
            busy("call", "2026-03-02T12:20:00Z", "2026-03-02T12:25:00Z"),
        ]),
    );
    let why = search(&q).explain(at("2026-03-02T12:00:00Z"));
    assert!(!why.answered());
    assert_eq!(
        why.staff()[0].reasons(),
        [
            Reason::TooSoon {
                earliest: at("2026-03-02T12:10:00Z")
            },
            Reason::Blocked {
                blocks: vec![block("lunch"), block("call")]
            },
        ]
    );
}

#[test]
fn hours_reasons_tell_off_grid_from_outside_hours_and_other_dates() {
    let s = search(&base());
    let reasons = |t: &str| s.explain(at(t)).staff()[0].reasons().to_vec();
    assert_eq!(
        reasons("2026-03-02T12:10:00Z"),
        [Reason::OffStep {
            window_start: at("2026-03-02T12:00:00Z"),
            step_minutes: 30
        }]
    );
    // 12:45 UTC is 09:45 local: 30 minutes run past the 10:00 close.
    assert_eq!(
        reasons("2026-03-02T12:45:00Z"),
        [Reason::OutsideWorkingHours]
    );
    assert!(matches!(
        reasons("2026-03-09T12:00:00Z")[..],
        [Reason::OutsideDateRange { .. }]
    ));
}

#[test]
fn capacity_and_daily_limit_name_the_bookings_and_the_date() {
    let q = with(base(), "/daily_limit", json!(1));
    let q = with(
        q,
        "/staff/0/bookings",
        json!([busy("k1", "2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z")]),
    );
    let why = search(&q).explain(at("2026-03-02T12:00:00Z"));
    assert_eq!(
        why.staff()[0].reasons(),
        [
            Reason::AtCapacity {
                bookings: vec![booking("k1")],
                capacity: 1
            },
            Reason::DailyLimit {
                date: "2026-03-02".parse().unwrap(),
                bookings: 1,
                limit: 1
            },
        ]
    );
    assert_eq!(
        why.staff()[0].reasons()[1].message(Lang::PtBr),
        "já há 1 agendamento(s) em 2026-03-02; o limite diário é 1"
    );
}

#[test]
fn explanation_serializes_with_rule_names() {
    let q = with(
        base(),
        "/staff/0/blocks",
        json!([busy("b1", "2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z")]),
    );
    let why = search(&q).explain(at("2026-03-02T12:30:00Z"));
    assert_eq!(
        serde_json::to_string(&why).unwrap(),
        r#"{"start":"2026-03-02T12:30:00Z","end":"2026-03-02T13:00:00Z","answered":false,"staff":[{"id":"ana","free":false,"reasons":[{"rule":"blocked","blocks":["b1"]}]}]}"#
    );
}
