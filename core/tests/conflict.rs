//! The conflict check made when booking names what a request clashes with.

mod support;

use agendo_core::availability::{Buffers, StaffCalendar};
use agendo_core::time::Span;
use agendo_core::Error;
use serde_json::json;
use support::{base, busy, search, with};

/// Ana's calendar from a query's first professional.
fn ana(query: &serde_json::Value) -> StaffCalendar {
    search(query).staff()[0].clone()
}

fn span(start: &str, end: &str) -> Span {
    Span::new(start.parse().unwrap(), end.parse().unwrap()).unwrap()
}

#[test]
fn a_booking_inside_free_hours_is_accepted_even_off_the_step_grid() {
    let ana = ana(&base());
    // 09:10–09:40 local: a receptionist may book off the grid.
    let wanted = span("2026-03-02T12:10:00Z", "2026-03-02T12:40:00Z");
    assert_eq!(ana.check_booking(wanted, Buffers::NONE), Ok(()));
}

#[test]
fn a_booking_outside_the_hours_is_refused_naming_the_hours() {
    let ana = ana(&base());
    let wanted = span("2026-03-02T12:45:00Z", "2026-03-02T13:15:00Z");
    let err = ana.check_booking(wanted, Buffers::NONE).unwrap_err();
    assert_eq!(err.code(), "outside_working_hours");
    assert_eq!(
        err.to_string(),
        "ana does not work the whole of 2026-03-02T12:45:00Z/2026-03-02T13:15:00Z"
    );
}

#[test]
fn a_booking_across_two_joined_windows_of_one_day_is_accepted() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["09:00", "10:00"], ["10:00", "11:00"]] }),
    );
    let wanted = span("2026-03-02T12:45:00Z", "2026-03-02T13:15:00Z");
    assert_eq!(ana(&q).check_booking(wanted, Buffers::NONE), Ok(()));
}

#[test]
fn a_booking_across_midnight_between_two_dates_is_refused() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["22:00", "24:00"]], "tue": [["00:00", "02:00"]] }),
    );
    let wanted = span("2026-03-03T02:30:00Z", "2026-03-03T03:30:00Z");
    let err = ana(&q).check_booking(wanted, Buffers::NONE).unwrap_err();
    assert_eq!(err.code(), "outside_working_hours");
}

#[test]
fn a_booking_meeting_blocks_names_the_earliest() {
    let q = with(
        base(),
        "/staff/0/blocks",
        json!([
            busy("call", "2026-03-02T12:20:00Z", "2026-03-02T12:25:00Z"),
            busy("lunch", "2026-03-02T12:05:00Z", "2026-03-02T12:10:00Z"),
        ]),
    );
    let wanted = span("2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z");
    match ana(&q).check_booking(wanted, Buffers::NONE) {
        Err(Error::Blocked {
            block, span: held, ..
        }) => {
            assert_eq!(block.as_str(), "lunch");
            assert_eq!(held, span("2026-03-02T12:05:00Z", "2026-03-02T12:10:00Z"));
        }
        other => panic!("expected a block, got {other:?}"),
    }
}

#[test]
fn a_booking_at_capacity_names_every_booking_it_meets() {
    let q = with(base(), "/staff/0/capacity", json!(2));
    let q = with(
        q,
        "/staff/0/bookings",
        json!([
            busy("k2", "2026-03-02T12:15:00Z", "2026-03-02T12:45:00Z"),
            busy("k1", "2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z"),
        ]),
    );
    let ana = ana(&q);
    let err = ana
        .check_booking(
            span("2026-03-02T12:10:00Z", "2026-03-02T12:40:00Z"),
            Buffers::NONE,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ana is fully booked then: k1, k2 already take 2 place(s)"
    );
    // One booking met is still under a capacity of two.
    let ok = span("2026-03-02T12:30:00Z", "2026-03-02T13:00:00Z");
    assert_eq!(ana.check_booking(ok, Buffers::NONE), Ok(()));
}

#[test]
fn buffers_make_a_touching_booking_clash() {
    let q = with(
        base(),
        "/staff/0/bookings",
        json!([busy("k1", "2026-03-02T12:30:00Z", "2026-03-02T13:00:00Z")]),
    );
    let ana = ana(&q);
    let wanted = span("2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z");
    assert_eq!(ana.check_booking(wanted, Buffers::NONE), Ok(()));
    let err = ana
        .check_booking(wanted, Buffers::new(0, 10).unwrap())
        .unwrap_err();
    assert_eq!(err.code(), "slot_taken");
}
