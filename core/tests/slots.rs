//! The rules of the slot search, one test each (see the crate docs).

mod support;

use serde_json::json;
use support::{base, busy, check, staff, with};

#[test]
fn weekly_windows_are_read_in_the_professionals_zone() {
    // 09:00 in São Paulo (UTC−3) is 12:00 UTC.
    check(
        &base(),
        &["2026-03-02T12:00:00Z ana", "2026-03-02T12:30:00Z ana"],
    );
}

#[test]
fn a_professionals_own_zone_overrides_the_querys() {
    let q = with(base(), "/staff/0/timezone", json!("Asia/Kathmandu"));
    // Kathmandu is UTC+05:45.
    check(
        &q,
        &["2026-03-02T03:15:00Z ana", "2026-03-02T03:45:00Z ana"],
    );
}

#[test]
fn override_replaces_the_weekday_windows() {
    let q = with(
        base(),
        "/staff/0/overrides",
        json!([{ "date": "2026-03-02", "windows": [["14:00", "15:00"]] }]),
    );
    check(
        &q,
        &["2026-03-02T17:00:00Z ana", "2026-03-02T17:30:00Z ana"],
    );
}

#[test]
fn empty_override_closes_the_day() {
    let q = with(
        base(),
        "/staff/0/overrides",
        json!([{ "date": "2026-03-02", "windows": [] }]),
    );
    check(&q, &[]);
}

#[test]
fn override_on_another_date_changes_nothing() {
    let q = with(
        base(),
        "/staff/0/overrides",
        json!([{ "date": "2026-03-09", "windows": [] }]),
    );
    check(
        &q,
        &["2026-03-02T12:00:00Z ana", "2026-03-02T12:30:00Z ana"],
    );
}

#[test]
fn touching_windows_join_so_a_start_can_cross_the_seam() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["09:00", "10:00"], ["10:00", "11:00"]] }),
    );
    let q = with(q, "/duration_minutes", json!(45));
    // 09:45–10:30 crosses 10:00; apart, the windows would offer 09:00 and 10:00.
    check(
        &q,
        &["2026-03-02T12:00:00Z ana", "2026-03-02T12:45:00Z ana"],
    );
}

#[test]
fn overlapping_windows_merge() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["09:30", "10:30"], ["09:00", "10:00"]] }),
    );
    check(
        &q,
        &[
            "2026-03-02T12:00:00Z ana",
            "2026-03-02T12:30:00Z ana",
            "2026-03-02T13:00:00Z ana",
        ],
    );
}

#[test]
fn starts_step_from_the_start_of_each_merged_window() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["09:00", "10:00"], ["10:15", "11:00"]] }),
    );
    check(
        &q,
        &[
            "2026-03-02T12:00:00Z ana",
            "2026-03-02T12:30:00Z ana",
            "2026-03-02T13:15:00Z ana",
        ],
    );
}

#[test]
fn a_step_shorter_than_the_duration_offers_overlapping_starts() {
    let q = with(base(), "/step_minutes", json!(15));
    check(
        &q,
        &[
            "2026-03-02T12:00:00Z ana",
            "2026-03-02T12:15:00Z ana",
            "2026-03-02T12:30:00Z ana",
        ],
    );
}

#[test]
fn a_window_ending_at_24_00_runs_to_midnight() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["23:00", "24:00"]] }),
    );
    check(
        &q,
        &["2026-03-03T02:00:00Z ana", "2026-03-03T02:30:00Z ana"],
    );
}

#[test]
fn windows_of_two_dates_do_not_join_across_midnight() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["23:00", "24:00"]], "tue": [["00:00", "01:00"]] }),
    );
    let q = with(q, "/to", json!("2026-03-03"));
    let q = with(q, "/duration_minutes", json!(60));
    let q = with(q, "/step_minutes", json!(30));
    // Joined, 23:30–00:30 would be offered too.
    check(
        &q,
        &["2026-03-03T02:00:00Z ana", "2026-03-03T03:00:00Z ana"],
    );
}

#[test]
fn minimum_notice_removes_starts_sooner_than_now_plus_notice() {
    let q = with(base(), "/now", json!("2026-03-02T11:50:00Z"));
    let q = with(q, "/min_notice_minutes", json!(30));
    check(&q, &["2026-03-02T12:30:00Z ana"]);
    // A start exactly at now + notice is allowed.
    let q = with(q, "/now", json!("2026-03-02T11:30:00Z"));
    check(
        &q,
        &["2026-03-02T12:00:00Z ana", "2026-03-02T12:30:00Z ana"],
    );
}

#[test]
fn horizon_removes_starts_at_or_after_now_plus_its_days() {
    let q = with(base(), "/now", json!("2026-03-01T12:30:00Z"));
    let q = with(q, "/horizon_days", json!(1));
    check(&q, &["2026-03-02T12:00:00Z ana"]);
}

#[test]
fn buffers_hold_time_around_the_appointment_against_bookings() {
    let q = with(
        base(),
        "/staff/0/weekly",
        json!({ "mon": [["09:00", "11:00"]] }),
    );
    let q = with(
        q,
        "/staff/0/bookings",
        json!([busy("k1", "2026-03-02T13:00:00Z", "2026-03-02T13:30:00Z")]),
    );
    let after = with(q.clone(), "/buffer_after_minutes", json!(15));
    // 12:30 would hold until 13:15; 13:30 holds past the window's end, which
    // buffers may.
    check(
        &after,
        &["2026-03-02T12:00:00Z ana", "2026-03-02T13:30:00Z ana"],
    );
    let before = with(q, "/buffer_before_minutes", json!(15));
    check(
        &before,
        &["2026-03-02T12:00:00Z ana", "2026-03-02T12:30:00Z ana"],
    );
}

#[test]
fn a_booking_or_block_that_only_touches_does_not_clash() {
    let q = with(
        base(),
        "/staff/0/bookings",
        json!([busy("k1", "2026-03-02T12:30:00Z", "2026-03-02T13:00:00Z")]),
    );
    check(&q, &["2026-03-02T12:00:00Z ana"]);
    let q = with(
        base(),
        "/staff/0/blocks",
        json!([busy(
            "lunch",
            "2026-03-02T11:00:00Z",
            "2026-03-02T12:30:00Z"
        )]),
    );
    check(&q, &["2026-03-02T12:30:00Z ana"]);
}

#[test]
fn a_block_removes_every_start_it_meets() {
    let q = with(
        base(),
        "/staff/0/blocks",
        json!([busy("b1", "2026-03-02T12:15:00Z", "2026-03-02T12:45:00Z")]),
    );
    check(&q, &[]);
}

#[test]
fn capacity_two_takes_a_second_booking_but_not_a_third() {
    let q = with(base(), "/staff/0/capacity", json!(2));
    let q = with(
        q,
        "/staff/0/bookings",
        json!([
            busy("k1", "2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z"),
            busy("k2", "2026-03-02T12:15:00Z", "2026-03-02T12:45:00Z"),
        ]),
    );
    check(&q, &["2026-03-02T12:30:00Z ana"]);
}

#[test]
fn capacity_counts_every_booking_met_even_if_they_never_overlap_each_other() {
    // k1 and k2 never run together, but both meet 12:00–12:30: the engine
    // counts bookings met, which can never over-book.
    let q = with(base(), "/staff/0/capacity", json!(2));
    let q = with(
        q,
        "/staff/0/bookings",
        json!([
            busy("k1", "2026-03-02T12:00:00Z", "2026-03-02T12:20:00Z"),
            busy("k2", "2026-03-02T12:20:00Z", "2026-03-02T12:30:00Z"),
        ]),
    );
    check(&q, &["2026-03-02T12:30:00Z ana"]);
}

#[test]
fn daily_limit_counts_bookings_starting_on_the_local_date() {
    let q = with(base(), "/daily_limit", json!(1));
    // 02:00 UTC on Monday is 23:00 on Sunday in São Paulo: not Monday's.
    let sunday = with(
        q.clone(),
        "/staff/0/bookings",
        json!([busy("k0", "2026-03-02T02:00:00Z", "2026-03-02T02:30:00Z")]),
    );
    check(
        &sunday,
        &["2026-03-02T12:00:00Z ana", "2026-03-02T12:30:00Z ana"],
    );
    // 02:30 UTC on Tuesday is 23:30 on Monday: Monday is full.
    let monday = with(
        q,
        "/staff/0/bookings",
        json!([busy("k1", "2026-03-03T02:30:00Z", "2026-03-03T03:00:00Z")]),
    );
    check(&monday, &[]);
}

/// Bia works 09:00–10:00 and Ana 09:30–10:30, listed Bia first.
fn bia_then_ana() -> serde_json::Value {
    with(
        base(),
        "/staff",
        json!([
            staff("bia", json!({ "mon": [["09:00", "10:00"]] })),
            staff("ana", json!({ "mon": [["09:30", "10:30"]] })),
        ]),
    )
}

#[test]
fn any_lists_every_free_professional_in_key_order() {
    let q = bia_then_ana();
    check(
        &q,
        &[
            "2026-03-02T12:00:00Z bia",
            "2026-03-02T12:30:00Z ana,bia",
            "2026-03-02T13:00:00Z ana",
        ],
    );
}

#[test]
fn all_needs_every_professional_free_at_the_same_start() {
    let q = bia_then_ana();
    let q = with(q, "/mode", json!("all"));
    check(&q, &["2026-03-02T12:30:00Z ana,bia"]);
}

#[test]
fn all_uses_each_professionals_own_step_grid() {
    let q = with(
        base(),
        "/staff",
        json!([
            staff("ana", json!({ "mon": [["09:00", "10:00"]] })),
            staff("room", json!({ "mon": [["09:15", "10:15"]] })),
        ]),
    );
    check(&with(q, "/mode", json!("all")), &[]);
}

#[test]
fn the_contract_example_answers_exactly() {
    let request = include_str!("contract/request.json");
    let expect: serde_json::Value =
        serde_json::from_str(include_str!("contract/answer.json")).unwrap();
    let query = agendo_core::availability::SlotQuery::from_json(request).unwrap();
    let answer = agendo_core::availability::find_slots(&query).unwrap();
    assert_eq!(serde_json::to_value(&answer).unwrap(), expect);
    assert_eq!(
        serde_json::to_string(&answer.iter().next().unwrap()).unwrap(),
        r#"{"start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z","staff":["ana"]}"#
    );
}
