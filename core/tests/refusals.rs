//! Bad input is refused with an error that names the field and the problem.

mod support;

use agendo_core::availability::SlotQuery;
use agendo_core::Lang;
use serde_json::{json, Value};
use support::{base, busy, refusal, staff, with};

/// Checks that `query` is refused at `field` with a message containing `says`.
fn check(query: &Value, field: &str, says: &str) {
    let err = refusal(query);
    assert_eq!(err.field(), Some(field), "{err}");
    assert!(
        err.to_string().contains(says),
        "{err:?} does not say {says:?}"
    );
    assert!(!err.message(Lang::PtBr).is_empty());
}

#[test]
fn malformed_json_names_the_document_and_the_position() {
    let err = SlotQuery::from_json("{\"timezone\": \"UTC\",\n  ").unwrap_err();
    assert_eq!(err.code(), "malformed_json");
    assert_eq!(err.field(), Some("query"));
    assert!(err.to_string().contains("line 2"), "{err}");
    let trailing = SlotQuery::from_json(&format!("{} x", base())).unwrap_err();
    assert_eq!(trailing.field(), Some("query"));
}

#[test]
fn wrong_type_missing_and_unknown_fields_are_named() {
    check(
        &with(base(), "/staff/0/capacity", json!("one")),
        "staff[0].capacity",
        "expected i64",
    );
    let mut q = base();
    q.as_object_mut().unwrap().remove("now");
    check(&q, "query", "missing field `now`");
    check(
        &with(base(), "/daily_limt", json!(2)),
        "daily_limt",
        "unknown field",
    );
    check(
        &with(base(), "/staff/0/weekly/monday", json!([])),
        "staff[0].weekly.monday",
        "unknown field",
    );
    check(
        &with(base(), "/mode", json!("some")),
        "mode",
        "unknown variant",
    );
}

#[test]
fn unknown_zones_are_named_at_either_level() {
    check(
        &with(base(), "/timezone", json!("America/Sao Paulo")),
        "timezone",
        "unknown time zone",
    );
    check(
        &with(base(), "/staff/0/timezone", json!("Mars/Olympus")),
        "staff[0].timezone",
        "unknown time zone",
    );
}

#[test]
fn dates_and_instants_must_be_exact() {
    for bad in ["2026-3-2", "2026-02-30", "02/03/2026", ""] {
        check(&with(base(), "/from", json!(bad)), "from", "is not a date");
    }
    // Dates and instants past the years the zone data covers are refused,
    // not answered with a wrong offset.
    for far in ["0000-01-01", "1899-12-31", "2100-01-01"] {
        check(
            &with(base(), "/from", json!(far)),
            "from",
            "outside the years",
        );
    }
    check(
        &with(base(), "/now", json!("9999-12-31T00:00:00Z")),
        "now",
        "outside the years",
    );
    check(
        &with(base(), "/now", json!("2026-03-01T12:00:00")),
        "now",
        "RFC 3339",
    );
    check(
        &with(
            base(),
            "/staff/0/blocks",
            json!([busy("b1", "2026-03-02T12:00:00Z", "tomorrow")]),
        ),
        "staff[0].blocks[0].end",
        "RFC 3339",
    );
}

#[test]
fn to_before_from_and_ranges_over_400_days_are_refused() {
    check(
        &with(base(), "/to", json!("2026-03-01")),
        "to",
        "is before the start of the range",
    );
    check(
        &with(base(), "/to", json!("2027-04-06")),
        "to",
        "covers 401 days",
    );
}

#[test]
fn windows_must_be_hh_mm_and_end_after_they_start() {
    check(
        &with(
            base(),
            "/staff/0/weekly",
            json!({ "mon": [["09:00", "25:00"]] }),
        ),
        "staff[0].weekly.mon[0][1]",
        "\"25:00\" is not a time of day",
    );
    check(
        &with(
            base(),
            "/staff/0/weekly",
            json!({ "tue": [["08:00", "09:00"], ["12:00", "09:00"]] }),
        ),
        "staff[0].weekly.tue[1]",
        "end 09:00 is not after start 12:00",
    );
    check(
        &with(
            base(),
            "/staff/0/overrides",
            json!([{ "date": "2026-03-02", "windows": [["10:00", "10:00"]] }]),
        ),
        "staff[0].overrides[0].windows[0]",
        "is not after",
    );
    let many: Vec<Value> = (0..49).map(|_| json!(["09:00", "10:00"])).collect();
    check(
        &with(base(), "/staff/0/weekly", json!({ "wed": many })),
        "staff[0].weekly.wed",
        "has 49 entries",
    );
}

#[test]
fn negative_and_out_of_range_numbers_are_refused() {
    for field in [
        "duration_minutes",
        "step_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "min_notice_minutes",
        "horizon_days",
        "daily_limit",
    ] {
        check(
            &with(base(), &format!("/{field}"), json!(-5)),
            field,
            "must not be negative, got -5",
        );
    }
    check(
        &with(base(), "/duration_minutes", json!(0)),
        "duration_minutes",
        "at least 1",
    );
    check(
        &with(base(), "/step_minutes", json!(99999999999_i64)),
        "step_minutes",
        "at most",
    );
    check(
        &with(base(), "/staff/0/capacity", json!(0)),
        "staff[0].capacity",
        "at least 1",
    );
    check(
        &with(base(), "/duration_minutes", json!(1.5)),
        "duration_minutes",
        "expected i64",
    );
}

#[test]
fn staff_must_be_present_and_unique() {
    check(
        &with(base(), "/staff", json!([])),
        "staff",
        "must not be empty",
    );
    let twins = json!([
        staff("ana", json!({})),
        staff("bia", json!({})),
        staff("ana", json!({})),
    ]);
    check(
        &with(base(), "/staff", twins),
        "staff[2].id",
        "\"ana\" appears more than once",
    );
    check(
        &with(base(), "/staff/0/id", json!("")),
        "staff[0].id",
        "must not be empty",
    );
    check(
        &with(
            base(),
            "/staff/0/overrides",
            json!([
                { "date": "2026-03-02", "windows": [] },
                { "date": "2026-03-02", "windows": [] }
            ]),
        ),
        "staff[0].overrides[1].date",
        "appears more than once",
    );
}

#[test]
fn spans_must_end_after_they_start() {
    check(
        &with(
            base(),
            "/staff/0/bookings",
            json!([busy("k1", "2026-03-02T12:00:00Z", "2026-03-02T12:00:00Z")]),
        ),
        "staff[0].bookings[0].end",
        "is not after start",
    );
}

#[test]
fn a_query_too_large_to_answer_is_refused_before_it_runs() {
    let everyone: Vec<Value> = (0..10)
        .map(|i| staff(&format!("s{i}"), json!({ "mon": [["00:00", "24:00"]] })))
        .collect();
    let q = with(base(), "/staff", json!(everyone));
    let q = with(q, "/to", json!("2027-01-01"));
    let q = with(q, "/step_minutes", json!(1));
    check(&q, "query", "candidate starts");
}

#[test]
fn messages_read_in_brazilian_portuguese() {
    let err = refusal(&with(base(), "/to", json!("2026-03-01")));
    assert_eq!(
        err.message(Lang::PtBr),
        "to: 2026-03-01 é anterior ao início do intervalo, 2026-03-02"
    );
}
