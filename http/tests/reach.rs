//! All of core within reach over HTTP (issue "All of core within reach"):
//! rooms of a kind, series, receivables, commissions, the profile and
//! pictures, histories, "why not free?" and pages, on both databases,
//! with the bad input each must refuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{json, Value};
use support::{monday_at, salon, Api, Db, Server};

on_both!(
    a_service_keeps_its_own_cancellation_policy,
    a_room_of_a_kind_is_taken_and_named,
    a_series_is_booked_whole_moved_and_refused_with_alternatives,
    receivables_commissions_and_the_profile,
    pictures_are_checked_and_served_re_encoded,
    lists_come_a_page_at_a_time_with_totals,
    a_booking_tells_who_did_what_and_why_a_time_is_not_free,
);

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([26, 127, 60, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn client(owner: &Api, name: &str) -> String {
    owner
        .post("/v1/clients", json!({"name": name}))
        .await
        .expect(201)
        .text("id")
}

async fn a_service_keeps_its_own_cancellation_policy(db: Db) {
    let server = Server::start(db).await;
    let (shop, _, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    // The business keeps half for a late cancellation; coloring keeps it all.
    let color = owner
        .post(
            "/v1/services",
            json!({"name": "Coloração", "duration_minutes": 60, "price": "200.00",
                "policy": {"tiers": [{"min_notice_hours": 48, "fee_percent": "0"}],
                    "late_fee_percent": "100", "no_show_fee_percent": "100"}}),
        )
        .await
        .expect(201);
    assert_eq!(color.body["policy"]["late_fee_percent"], "100");
    let color = color.text("id");
    owner
        .patch(&format!("/v1/staff/{bia}"), json!({"services": [color]}))
        .await
        .expect(200);
    let brush = owner
        .post(
            "/v1/services",
            json!({"name": "Escova", "duration_minutes": 30, "price": "50.00",
                "policy": {"late_fee_percent": "20", "no_show_fee_percent": "100"}}),
        )
        .await
        .expect(201)
        .text("id");
    // Back to the business's policy.
    let back = owner
        .patch(&format!("/v1/services/{brush}"), json!({"policy": null}))
        .await
        .expect(200);
    assert!(back.body["policy"].is_null());
    let bad = owner
        .patch(
            &format!("/v1/services/{brush}"),
            json!({"policy": {"late_fee_percent": "150", "no_show_fee_percent": "0"}}),
        )
        .await
        .expect(422);
    assert!(
        bad.body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("policy."),
        "{}",
        bad.body
    );
    // Maria books on the public page for Monday 10:00, pays, and cancels
    // through her link 30 hours before: the service's 48-hour tier does not
    // reach, so its late fee (all of it) is kept, not the business's half.
    let start = monday_at(0, 13);
    let public = server.anonymous();
    let booked = public
        .post(
            &format!("/v1/public/{}/bookings", shop.slug),
            json!({"service_id": color, "staff_id": bia, "start": start.to_rfc3339(),
                "client": {"name": "Maria Souza", "email": "maria@example.com"}}),
        )
        .await
        .expect(201);
    let booking = booked.body["booking"]["id"].as_str().unwrap().to_owned();
    let maria = booked.body["booking"]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manage = booked.text("manage_token");
    owner
        .post(
            "/v1/payments",
            json!({"client_id": maria, "booking_id": booking, "method": "pix", "amount": "200.00"}),
        )
        .await
        .expect(201);
    server
        .state
        .clock
        .advance(start - chrono::Duration::hours(30) - chrono::Utc::now());
    let ended = public
        .post(
            &format!("/v1/manage/{manage}/cancel"),
            json!({"reason": "imprevisto"}),
        )
        .await
        .expect(200);
    assert_eq!(
        ended.body["settlement"]["fee"]["amount"], "200.00",
        "{}",
        ended.body
    );
}

async fn a_room_of_a_kind_is_taken_and_named(db: Db) {
    let server = Server::start(db).await;
    let (shop, _, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let room = owner
        .post(
            "/v1/resources",
            json!({"name": "Sala do Laser", "kind": "laser"}),
        )
        .await
        .expect(201);
    assert_eq!(room.body["kind"], "laser");
    let room = room.text("id");
    let laser = owner
        .post(
            "/v1/services",
            json!({"name": "Depilação a laser", "duration_minutes": 60, "price": "200.00",
                "resource_kind": "Laser"}),
        )
        .await
        .expect(201);
    assert_eq!(laser.body["resource_kind"], "Laser");
    let laser = laser.text("id");
    let day = json!([["09:00", "18:00"]]);
    let caio = owner
        .post(
            "/v1/staff",
            json!({"name": "Caio", "services": [laser],
                "hours": {"weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}}}),
        )
        .await
        .expect(201)
        .text("id");
    owner
        .patch(&format!("/v1/staff/{bia}"), json!({"services": [laser]}))
        .await
        .expect(200);
    let (maria, joao) = (client(owner, "Maria").await, client(owner, "João").await);
    let start = monday_at(0, 13).to_rfc3339();
    let first = owner
        .post(
            "/v1/bookings",
            json!({"service_id": laser, "staff_id": bia, "client_id": maria, "start": start}),
        )
        .await
        .expect(201);
    assert_eq!(first.body["resource_id"], room.as_str());
    // Caio is free, the only laser room is not: the 409 names the room.
    let taken = owner
        .reading("pt-BR")
        .post(
            "/v1/bookings",
            json!({"service_id": laser, "staff_id": caio, "client_id": joao, "start": start}),
        )
        .await
        .expect(409);
    assert_eq!(
        taken.body["context"]["resource"],
        room.as_str(),
        "{}",
        taken.body
    );
    assert!(
        taken.text("detail").contains("Sala do Laser"),
        "{}",
        taken.body
    );
    // The slots of Caio leave that hour out.
    let date = monday_at(0, 13).date_naive().to_string();
    let slots = owner
        .get(&format!(
            "/v1/availability?service_id={laser}&staff_id={caio}&from={date}&to={date}"
        ))
        .await
        .expect(200);
    let starts: Vec<&str> = slots.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    let at = monday_at(0, 13).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert!(!starts.contains(&at.as_str()), "{starts:?}");
    assert!(!starts.is_empty());
    // A kind nobody has, a room of another business: named refusals.
    let none = owner
        .post(
            "/v1/services",
            json!({"name": "Crio", "duration_minutes": 60, "price": "1", "resource_kind": "máquina"}),
        )
        .await
        .expect(422);
    assert_eq!(none.body["errors"][0]["field"], "resource_kind");
    owner
        .patch(&format!("/v1/resources/{room}"), json!({"capacity": 0}))
        .await
        .expect(422);
    let retired = owner
        .delete(&format!("/v1/resources/{room}"))
        .await
        .expect(200);
    assert_eq!(retired.body["active"], false);
}

async fn a_series_is_booked_whole_moved_and_refused_with_alternatives(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let maria = client(owner, "Maria").await;
    let joao = client(owner, "João").await;
    // João holds the second Tuesday at 10:00 (13:00 UTC).
    owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": joao,
                "start": monday_at(8, 13).to_rfc3339()}),
        )
        .await
        .expect(201);
    let tuesday = monday_at(1, 13).date_naive();
    let series = |time: &str| {
        json!({"service_id": service, "staff_id": bia, "client_id": maria,
            "first": format!("{tuesday}T{time}"), "rule": "FREQ=WEEKLY;COUNT=3"})
    };
    let clash = owner
        .reading("pt-BR")
        .post("/v1/series", series("10:00:00"))
        .await
        .expect(409);
    assert_eq!(clash.text("code"), "series_clashes");
    let clashes = clash.body["context"]["clashes"].as_array().unwrap();
    assert_eq!(clashes.len(), 1, "{}", clash.body);
    assert_eq!(clashes[0]["index"], 1);
    assert_eq!(clashes[0]["code"], "slot_taken");
    assert!(
        !clashes[0]["alternatives"].as_array().unwrap().is_empty(),
        "{}",
        clash.body
    );
    assert!(
        clash.text("detail").contains("livre perto"),
        "{}",
        clash.body
    );
    // Nothing was kept: the same series an hour later books whole.
    let booked = owner
        .post("/v1/series", series("11:00:00"))
        .await
        .expect(201);
    let ids: Vec<String> = booked
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    // This and following: from the second on, an hour later.
    let moved = owner
        .post(
            &format!("/v1/bookings/{}/reschedule", ids[1]),
            json!({"start": monday_at(8, 15).to_rfc3339(), "following": true}),
        )
        .await
        .expect(200);
    assert_eq!(moved.body["id"], ids[1].as_str());
    let third = owner
        .get(&format!("/v1/bookings/{}", ids[2]))
        .await
        .expect(200);
    assert_eq!(
        third.body["start"].as_str().unwrap(),
        monday_at(15, 15).format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    // Bad rules: endless, too many, nonsense; each named, nothing kept.
    for (rule, why) in [
        ("FREQ=WEEKLY", "no end"),
        ("FREQ=DAILY;COUNT=10000", "too many"),
        ("FREQ=HOURLY;COUNT=2", "unknown frequency"),
    ] {
        let mut body = series("12:00:00");
        body["rule"] = json!(rule);
        let refused = owner.post("/v1/series", body).await;
        assert_eq!(refused.status.as_u16(), 422, "{why}: {}", refused.body);
        assert!(
            refused.body["errors"][0]["field"]
                .as_str()
                .unwrap()
                .starts_with("rule"),
            "{why}: {}",
            refused.body
        );
    }
    let bookings = owner
        .get(&format!("/v1/bookings?client_id={maria}"))
        .await
        .expect(200);
    assert_eq!(
        bookings.body.as_array().unwrap().len(),
        3,
        "refusals keep nothing"
    );
}

async fn receivables_commissions_and_the_profile(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let maria = client(owner, "Maria").await;
    let made = owner
        .post_keyed(
            "/v1/receivables",
            "mensalidade",
            json!({"client_id": maria, "amount": "150.00", "due": "2020-01-31",
                "description": "Mensalidade da piscina", "months": 3}),
        )
        .await
        .expect(201);
    let dues: Vec<&str> = made
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["due"].as_str().unwrap())
        .collect();
    assert_eq!(dues, ["2020-01-31", "2020-02-29", "2020-03-31"]);
    assert!(made
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "overdue"));
    let first = made.body[0]["id"].as_str().unwrap().to_owned();
    let paid = owner
        .post(&format!("/v1/receivables/{first}/pay"), json!({}))
        .await
        .expect(200);
    assert_eq!(paid.body["status"], "paid");
    owner
        .post(&format!("/v1/receivables/{first}/pay"), json!({}))
        .await
        .expect(409);
    let overdue = owner
        .get("/v1/receivables?status=overdue")
        .await
        .expect(200);
    assert_eq!(overdue.body.as_array().unwrap().len(), 2);
    for (body, field) in [
        (
            json!({"client_id": maria, "amount": "10", "due": "2026-03-10", "months": 100}),
            "months",
        ),
        (
            json!({"client_id": maria, "amount": "-10", "due": "2026-03-10"}),
            "amount",
        ),
        (
            json!({"client_id": maria, "amount": "10", "due": "10/03/2026"}),
            "due",
        ),
    ] {
        let refused = owner.post("/v1/receivables", body).await.expect(422);
        assert_eq!(
            refused.body["errors"][0]["field"], field,
            "{}",
            refused.body
        );
    }
    owner.get("/v1/receivables?status=late").await.expect(422);

    let rules = owner
        .put(
            "/v1/commissions",
            json!([{"staff_id": bia, "percent": "40"}, {"service_id": service, "amount": "10.00"}]),
        )
        .await
        .expect(200);
    assert_eq!(rules.body.as_array().unwrap().len(), 2);
    let nobody = owner
        .put("/v1/commissions", json!([{"percent": "10"}]))
        .await
        .expect(422);
    assert!(
        nobody.body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .contains("[0]"),
        "{}",
        nobody.body
    );
    let statement = owner
        .get(&format!("/v1/staff/{bia}/statement?month=2026-03"))
        .await
        .expect(200);
    assert_eq!(statement.body["month"], "2026-03-01");
    assert_eq!(statement.body["total"]["amount"], "0.00");
    owner
        .get(&format!("/v1/staff/{bia}/statement?month=março"))
        .await
        .expect(422);

    let profile = owner
        .patch(
            "/v1/business",
            json!({"legal_name": "Salão da Ana Ltda", "tax_id": "11.222.333/0001-81",
                "phone": "(11) 3333-4444", "email": "contato@salao.com.br",
                "address": "Rua Augusta, 100", "colour": "#1a7f3c",
                "description": "Cortes e cores.",
                "notify": {"day_before_at": "18:00", "minutes_before": 90, "payment_at": "09:00", "overdue_days": 3}}),
        )
        .await
        .expect(200);
    assert_eq!(profile.body["profile"]["colour"], "#1A7F3C");
    assert_eq!(profile.body["profile"]["tax_id"], "11222333000181");
    assert_eq!(profile.body["notify"]["minutes_before"], 90);
    for (body, field) in [
        (json!({"tax_id": "11.222.333/0001-82"}), "tax_id"),
        (json!({"colour": "verde"}), "colour"),
        (
            json!({"notify": {"payment_at": "25:00", "overdue_days": 1}}),
            "notify.payment_at",
        ),
        (json!({"address": "x".repeat(301)}), "address"),
    ] {
        let refused = owner.patch("/v1/business", body).await.expect(422);
        assert_eq!(
            refused.body["errors"][0]["field"], field,
            "{}",
            refused.body
        );
    }
    let kept = owner.get("/v1/business").await.expect(200);
    assert_eq!(
        kept.body["profile"]["legal_name"], "Salão da Ana Ltda",
        "refusals keep the profile"
    );
}

async fn pictures_are_checked_and_served_re_encoded(db: Db) {
    let server = Server::start(db).await;
    let (shop, _, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    owner.get("/v1/business/logo").await.expect(404);
    let mut upload = png(2000, 1000);
    upload.extend_from_slice(b"<script>alert(1)</script>");
    let kept = owner
        .raw(
            reqwest::Method::PUT,
            "/v1/business/logo",
            "image/png",
            upload,
        )
        .await
        .expect(200);
    assert_eq!(
        (kept.body["width"].as_u64(), kept.body["height"].as_u64()),
        (Some(1024), Some(512))
    );
    let logo = owner.get("/v1/business/logo").await.expect(200);
    assert_eq!(logo.content_type, "image/png");
    let public = server
        .anonymous()
        .get(&format!("/v1/public/{}/logo", shop.slug))
        .await
        .expect(200);
    assert_eq!(public.content_type, "image/png");
    // Not an image, a bomb, too large: refused, the logo kept.
    let text = owner
        .raw(
            reqwest::Method::PUT,
            "/v1/business/logo",
            "image/png",
            b"<svg/>".to_vec(),
        )
        .await
        .expect(422);
    assert_eq!(text.body["errors"][0]["field"], "image");
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let refused = owner
        .raw(reqwest::Method::PUT, "/v1/business/logo", "image/png", bomb)
        .await
        .expect(422);
    assert_eq!(refused.body["errors"][0]["field"], "image");
    // 50 MB declared: refused before a byte of it is read.
    let token = owner.token.clone().unwrap();
    let head = format!(
        "PUT /v1/business/logo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        50 << 20
    );
    let answer = exchange(&server, head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Just over 5 MB declared: refused too (a body sent without a length
    // is cut at the same limit as it is read).
    let head = format!(
        "PUT /v1/business/logo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        (5 << 20) + 1
    );
    let answer = exchange(&server, head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    owner.get("/v1/business/logo").await.expect(200);
    // A professional's photo; another business's professional is not found.
    owner
        .raw(
            reqwest::Method::PUT,
            &format!("/v1/staff/{bia}/photo"),
            "image/png",
            png(64, 64),
        )
        .await
        .expect(200);
    let other = support::register(&server, "Barbearia", "ze@barbearia.com.br").await;
    other
        .owner
        .raw(
            reqwest::Method::PUT,
            &format!("/v1/staff/{bia}/photo"),
            "image/png",
            png(8, 8),
        )
        .await
        .expect(404);
    // Not signed in: refused before the body is read.
    server
        .anonymous()
        .raw(
            reqwest::Method::PUT,
            "/v1/business/logo",
            "image/png",
            png(8, 8),
        )
        .await
        .expect(401);
    owner.delete("/v1/business/logo").await.expect(204);
    owner.get("/v1/business/logo").await.expect(404);
}

async fn exchange(server: &Server, head: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server answers and closes")
    .expect("the answer is read");
    String::from_utf8_lossy(&answer).into_owned()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn lists_come_a_page_at_a_time_with_totals(db: Db) {
    let server = Server::start(db).await;
    let (shop, _, _) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    for n in 0..5 {
        owner
            .post(
                "/v1/services",
                json!({"name": format!("Serviço {n}"), "duration_minutes": 30, "price": "10"}),
            )
            .await
            .expect(201);
    }
    let mut names = Vec::new();
    let mut path = "/v1/services?limit=2".to_owned();
    loop {
        let page = owner.get(&path).await.expect(200);
        let items = page.body.as_array().unwrap();
        assert!(items.len() <= 2);
        names.extend(items.iter().map(|s| s["name"].as_str().unwrap().to_owned()));
        let Some(next) = page.headers.get("agendo-next-cursor") else {
            assert!(page.headers.get("link").is_none());
            break;
        };
        let link = page
            .headers
            .get("link")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            link.starts_with("</v1/services?limit=2&cursor=") && link.ends_with("rel=\"next\""),
            "{link}"
        );
        path = format!("/v1/services?limit=2&cursor={}", next.to_str().unwrap());
    }
    assert_eq!(
        names,
        [
            "Corte",
            "Serviço 0",
            "Serviço 1",
            "Serviço 2",
            "Serviço 3",
            "Serviço 4"
        ]
    );
    let first = owner.get("/v1/services?limit=1").await.expect(200);
    let cursor = first.headers["agendo-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    let mut tampered = cursor.clone().into_bytes();
    tampered[0] = if tampered[0] == b'6' { b'7' } else { b'6' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        format!("/v1/services?cursor={tampered}"),
        format!("/v1/clients?cursor={cursor}"),
        "/v1/services?limit=0".to_owned(),
        "/v1/services?limit=201".to_owned(),
    ] {
        let refused = owner.get(&bad).await.expect(422);
        let field = refused.body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            field == "cursor" || field == "limit",
            "{bad}: {}",
            refused.body
        );
    }
    // Payments filtered, with totals of all they keep.
    let maria = client(owner, "Maria").await;
    for (method, amount) in [("pix", "50.00"), ("cash", "30.00"), ("pix", "20.00")] {
        owner
            .post(
                "/v1/payments",
                json!({"client_id": maria, "method": method, "amount": amount}),
            )
            .await
            .expect(201);
    }
    let pix = owner
        .get("/v1/payments?method=pix&limit=1")
        .await
        .expect(200);
    assert_eq!(pix.body.as_array().unwrap().len(), 1);
    assert!(pix.headers.get("agendo-next-cursor").is_some());
    let totals = owner
        .get("/v1/payments/totals?method=pix")
        .await
        .expect(200);
    assert_eq!(totals.body["count"], 2);
    assert_eq!(totals.body["amount"]["amount"], "70.00");
    let all = owner.get("/v1/payments/totals").await.expect(200);
    assert_eq!(all.body["net"]["amount"], "100.00");
    owner.get("/v1/payments?method=cheque").await.expect(422);
    // Clients by custom attribute.
    owner
        .patch(
            &format!("/v1/clients/{maria}"),
            json!({"attributes": {"piscina": "Fibra"}}),
        )
        .await
        .expect(200);
    client(owner, "João").await;
    let fibra = owner
        .get("/v1/clients?attributes=%7B%22piscina%22%3A%22fibra%22%7D")
        .await
        .expect(200);
    let found: Vec<&Value> = fibra.body.as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], "Maria");
    let bad = owner
        .get("/v1/clients?attributes=piscina")
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "attributes");
}

async fn a_booking_tells_who_did_what_and_why_a_time_is_not_free(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let maria = client(owner, "Maria Souza").await;
    let booking = owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": maria,
                "start": monday_at(0, 13).to_rfc3339()}),
        )
        .await
        .expect(201)
        .text("id");
    owner
        .post(&format!("/v1/bookings/{booking}/confirm"), json!({}))
        .await
        .expect(200);
    let history = owner
        .reading("pt-BR")
        .get(&format!("/v1/bookings/{booking}/history"))
        .await
        .expect(200);
    let lines = history.body["history"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["change"], "confirmed");
    assert_eq!(lines[1]["by"], "owner");
    assert_eq!(lines[1]["by_name"], "Dona");
    assert!(
        lines[1]["text"]
            .as_str()
            .unwrap()
            .contains("confirmado — Dona (o proprietário)"),
        "{}",
        history.body
    );
    let why = owner
        .reading("pt-BR")
        .get(&format!(
            "/v1/availability/why?service_id={service}&start={}",
            monday_at(0, 13).to_rfc3339().replace('+', "%2B")
        ))
        .await
        .expect(200);
    assert_eq!(why.body["free"], false);
    let cause = &why.body["staff"][0]["causes"][0];
    assert_eq!(cause["rule"], "at_capacity");
    assert_eq!(cause["bookings"][0]["label"], "Maria Souza");
    assert!(
        cause["message"]
            .as_str()
            .unwrap()
            .contains("ocupado por Maria Souza"),
        "{}",
        why.body
    );
    assert!(why.text("message").contains("às 10:00"), "{}", why.body);
    owner
        .get(&format!(
            "/v1/availability/why?service_id={service}&start=amanhã"
        ))
        .await
        .expect(422);
}
