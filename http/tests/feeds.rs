//! Calendar feeds (R45): a professional's secret iCalendar address, read
//! back by two independent readers (Python's icalendar and vobject, with
//! the Python `cargo xtask test` prepares: `AGENDO_TEST_PYTHON`) across a
//! daylight-saving change in Lisbon; a moved booking's SEQUENCE grows, a
//! cancelled one says so, a new address ends the old; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{json, Value};
use support::{Db, Server};

on_both!(a_feed_reads_alike_in_two_readers_across_dst_and_rotates);

/// What the two readers saw of `feed`, with times in `zone`.
fn read(feed: &str, zone: &str) -> (Value, Value) {
    let python = std::env::var("AGENDO_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "AGENDO_TEST_PYTHON is not set: run the tests with `cargo xtask test`, which \
             prepares a Python with icalendar and vobject"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, feed).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ical/read.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&file)
        .arg(zone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the readers failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    (seen["icalendar"].clone(), seen["vobject"].clone())
}

async fn a_feed_reads_alike_in_two_readers_across_dst_and_rotates(db: Db) {
    let server = Server::start(db).await;
    let registered = server
        .anonymous()
        .post(
            "/v1/auth/register",
            json!({"business_name": "Barbearia do Chiado", "timezone": "Europe/Lisbon",
                "currency": "EUR", "locale": "pt-BR", "name": "Rui",
                "email": "rui@chiado.pt", "password": "cavalo-bateria-grampo"}),
        )
        .await
        .expect(201);
    let owner = server
        .anonymous()
        .with_token(&registered.text("access_token"));
    let service = owner
        .post(
            "/v1/services",
            json!({"name": "Corte", "duration_minutes": 30, "price": "15.00"}),
        )
        .await
        .expect(201)
        .text("id");
    let day = json!([["09:00", "18:00"]]);
    let ana = owner
        .post(
            "/v1/staff",
            json!({"name": "Ana", "services": [service],
                "hours": {"weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day}},
                "login": {"email": "ana@chiado.pt", "password": "tesoura-pente-navalha"}}),
        )
        .await
        .expect(201)
        .text("id");
    let client = owner
        .post("/v1/clients", json!({"name": "Marta"}))
        .await
        .expect(201)
        .text("id");
    // 10:00 in Lisbon on Friday 26 March 2027 (WET, UTC) and on Monday 29
    // March (WEST, UTC+1): the clocks changed on the Sunday between.
    let book = |start: &'static str| {
        let owner = owner.clone();
        let (service, ana, client) = (service.clone(), ana.clone(), client.clone());
        async move {
            owner
                .post(
                    "/v1/bookings",
                    json!({"service_id": service, "staff_id": ana, "client_id": client, "start": start}),
                )
                .await
                .expect(201)
                .text("id")
        }
    };
    let before = book("2027-03-26T10:00:00Z").await;
    let after = book("2027-03-29T09:00:00Z").await;
    let cancelled = book("2027-03-30T09:00:00Z").await;
    // Moved from 10:00 to 11:00 on the Monday, local time.
    owner
        .post(
            &format!("/v1/bookings/{after}/reschedule"),
            json!({"start": "2027-03-29T10:00:00Z"}),
        )
        .await
        .expect(200);
    owner
        .post(
            &format!("/v1/bookings/{cancelled}/cancel"),
            json!({"reason": "doente"}),
        )
        .await
        .expect(200);

    // Ana makes her own feed; the owner cannot be told hers, only make a
    // new one.
    let ana_api = support::sign_in(&server, "ana@chiado.pt", "tesoura-pente-navalha").await;
    let made = ana_api
        .post(&format!("/v1/staff/{ana}/feed"), json!({}))
        .await
        .expect(201);
    let url = made.text("url");
    let path = &url[url.find("/v1/feeds/").unwrap()..];
    let answer = server
        .anonymous()
        .http
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(
        answer.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let feed = answer.text().await.unwrap();
    assert!(feed.starts_with("BEGIN:VCALENDAR"), "{feed}");

    let (icalendar, vobject) = read(&feed, "Europe/Lisbon");
    assert_eq!(icalendar, vobject, "the two readers agree");
    let event = |id: &str| {
        icalendar
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["uid"] == format!("{id}@agendo"))
            .unwrap_or_else(|| panic!("{id} in {icalendar}"))
            .clone()
    };
    assert_eq!(event(&before)["start"], "2027-03-26T10:00:00+00:00");
    assert_eq!(event(&after)["start"], "2027-03-29T11:00:00+01:00");
    assert_eq!(event(&after)["end"], "2027-03-29T11:30:00+01:00");
    assert_eq!(event(&after)["sequence"], 1);
    assert_eq!(event(&before)["sequence"], 0);
    assert_eq!(event(&cancelled)["status"], "CANCELLED");
    assert!(event(&before)["summary"]
        .as_str()
        .unwrap()
        .contains("Marta"));

    // A new address ends the old.
    owner
        .post(&format!("/v1/staff/{ana}/feed"), json!({}))
        .await
        .expect(201);
    assert_eq!(server.anonymous().get(path).await.status.as_u16(), 404);
    server
        .anonymous()
        .get("/v1/feeds/cal_nothing.ics")
        .await
        .expect(404);
    server.stop().await;
}
