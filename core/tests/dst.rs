//! Daylight-saving changes and odd offsets. Each expectation is worked out
//! by hand from the zone's published rules, in the comment above it.

mod support;

use serde_json::{json, Value};
use support::{check, staff};

/// One professional in `zone` with `weekly` hours, searched `from`..=`to`.
fn query(zone: &str, from: &str, to: &str, weekly: Value, duration: u32) -> Value {
    json!({
        "timezone": zone, "from": from, "to": to,
        "now": "2000-01-01T00:00:00Z",
        "duration_minutes": duration,
        "staff": [ staff("ana", weekly) ]
    })
}

#[test]
fn sao_paulo_2018_11_04_midnight_did_not_exist() {
    // Clocks jumped from 00:00 (−03) to 01:00 (−02). Saturday's 23:00–24:00
    // ends at the gap, read with the offset before it: 03:00 UTC. Sunday's
    // 00:00–02:00 starts there too and ends at 02:00 −02 = 04:00 UTC: one
    // hour of work, not two. Sunday 09:00 is −02, so 11:00 UTC.
    let q = query(
        "America/Sao_Paulo",
        "2018-11-03",
        "2018-11-04",
        json!({ "sat": [["23:00", "24:00"]], "sun": [["00:00", "02:00"], ["09:00", "09:30"]] }),
        30,
    );
    check(
        &q,
        &[
            "2018-11-04T02:00:00Z ana",
            "2018-11-04T02:30:00Z ana",
            "2018-11-04T03:00:00Z ana",
            "2018-11-04T03:30:00Z ana",
            "2018-11-04T11:00:00Z ana",
        ],
    );
}

#[test]
fn sao_paulo_2019_02_16_repeated_the_last_hour_of_the_day() {
    // Clocks went back from 00:00 (−02) to 23:00 (−03) on the 16th, so
    // 23:00–24:00 happened twice. 22:00 (−02) is 00:00 UTC; 24:00 is the 17th
    // at 00:00 −03 = 03:00 UTC: the window holds three hours.
    let q = query(
        "America/Sao_Paulo",
        "2019-02-16",
        "2019-02-16",
        json!({ "sat": [["22:00", "24:00"]] }),
        60,
    );
    check(
        &q,
        &[
            "2019-02-17T00:00:00Z ana",
            "2019-02-17T01:00:00Z ana",
            "2019-02-17T02:00:00Z ana",
        ],
    );
}

#[test]
fn new_york_spring_forward_day_loses_the_gap() {
    // 2026-03-08: 02:00 EST became 03:00 EDT. 01:00 EST is 06:00 UTC and
    // 04:00 EDT is 08:00 UTC: a 01:00–04:00 window holds two hours.
    let q = query(
        "America/New_York",
        "2026-03-08",
        "2026-03-08",
        json!({ "sun": [["01:00", "04:00"]] }),
        60,
    );
    check(
        &q,
        &["2026-03-08T06:00:00Z ana", "2026-03-08T07:00:00Z ana"],
    );
}

#[test]
fn new_york_window_wholly_inside_the_gap_is_dropped() {
    // 02:00 reads as 03:00 EDT (07:00 UTC), and so does the real 03:00:
    // the window is empty. 02:30–03:30 reads as 03:30–03:30: empty too.
    for window in [["02:00", "03:00"], ["02:30", "03:30"]] {
        let q = query(
            "America/New_York",
            "2026-03-08",
            "2026-03-08",
            json!({ "sun": [window] }),
            15,
        );
        check(&q, &[]);
    }
}

#[test]
fn new_york_gap_start_moves_forward_by_the_gap() {
    // 02:30 does not exist; read with EST it is 07:30 UTC (03:30 EDT).
    let q = query(
        "America/New_York",
        "2026-03-08",
        "2026-03-08",
        json!({ "sun": [["02:30", "05:00"]] }),
        60,
    );
    check(&q, &["2026-03-08T07:30:00Z ana"]);
}

#[test]
fn new_york_fall_back_day_gains_the_repeated_hour() {
    // 2026-11-01: 02:00 EDT became 01:00 EST. 01:00 is ambiguous and takes
    // the earlier instant, 05:00 UTC; 02:00 EST is 07:00 UTC.
    let q = query(
        "America/New_York",
        "2026-11-01",
        "2026-11-01",
        json!({ "sun": [["01:00", "02:00"]] }),
        30,
    );
    check(
        &q,
        &[
            "2026-11-01T05:00:00Z ana",
            "2026-11-01T05:30:00Z ana",
            "2026-11-01T06:00:00Z ana",
            "2026-11-01T06:30:00Z ana",
        ],
    );
}

#[test]
fn london_spring_and_autumn() {
    // 2026-03-29: 01:00 GMT became 02:00 BST. 00:30 GMT is 00:30 UTC and
    // 02:30 BST is 01:30 UTC.
    let q = query(
        "Europe/London",
        "2026-03-29",
        "2026-03-29",
        json!({ "sun": [["00:30", "02:30"]] }),
        30,
    );
    check(
        &q,
        &["2026-03-29T00:30:00Z ana", "2026-03-29T01:00:00Z ana"],
    );
    // 2026-10-25: 02:00 BST became 01:00 GMT. 00:30 BST is 23:30 UTC the day
    // before and 02:30 GMT is 02:30 UTC: three hours.
    let q = query(
        "Europe/London",
        "2026-10-25",
        "2026-10-25",
        json!({ "sun": [["00:30", "02:30"]] }),
        60,
    );
    check(
        &q,
        &[
            "2026-10-24T23:30:00Z ana",
            "2026-10-25T00:30:00Z ana",
            "2026-10-25T01:30:00Z ana",
        ],
    );
}

#[test]
fn lord_howe_shifts_by_thirty_minutes() {
    // 2026-10-04: 02:00 (+10:30) became 02:30 (+11). 01:00 +10:30 is 14:30
    // UTC on the 3rd; 04:00 +11 is 17:00 UTC: two and a half hours.
    let q = query(
        "Australia/Lord_Howe",
        "2026-10-04",
        "2026-10-04",
        json!({ "sun": [["01:00", "04:00"]] }),
        30,
    );
    check(
        &q,
        &[
            "2026-10-03T14:30:00Z ana",
            "2026-10-03T15:00:00Z ana",
            "2026-10-03T15:30:00Z ana",
            "2026-10-03T16:00:00Z ana",
            "2026-10-03T16:30:00Z ana",
        ],
    );
    // 2026-04-05: 02:00 (+11) became 01:30 (+10:30). 01:00 +11 is 14:00 UTC
    // on the 4th; 02:00 +10:30 is 15:30 UTC: an hour and a half.
    let q = query(
        "Australia/Lord_Howe",
        "2026-04-05",
        "2026-04-05",
        json!({ "sun": [["01:00", "02:00"]] }),
        30,
    );
    check(
        &q,
        &[
            "2026-04-04T14:00:00Z ana",
            "2026-04-04T14:30:00Z ana",
            "2026-04-04T15:00:00Z ana",
        ],
    );
}

#[test]
fn kathmandu_is_five_hours_forty_five_ahead() {
    let q = query(
        "Asia/Kathmandu",
        "2026-03-02",
        "2026-03-02",
        json!({ "mon": [["09:00", "10:00"]] }),
        30,
    );
    check(
        &q,
        &["2026-03-02T03:15:00Z ana", "2026-03-02T03:45:00Z ana"],
    );
}

#[test]
fn apia_2011_12_30_did_not_exist_and_each_start_is_answered_once() {
    // Samoa went from 2011-12-29 24:00 (−10) straight to 2011-12-31 00:00
    // (+14). The 29th's 09:00 is 19:00 UTC. The 30th's 09:00 falls in the gap
    // and is read with −10: 19:00 UTC on the 30th, the very instant of the
    // 31st's 09:00 (+14). That start is answered once.
    let every_day = json!([["09:00", "10:00"]]);
    let q = query(
        "Pacific/Apia",
        "2011-12-29",
        "2011-12-31",
        json!({ "thu": every_day, "fri": every_day, "sat": every_day }),
        60,
    );
    check(
        &q,
        &["2011-12-29T19:00:00Z ana", "2011-12-30T19:00:00Z ana"],
    );
}
