//! The one runner seen from HTTP (issue "One place for every use case"):
//! every role gets what the engine's permission table grants, changes of
//! different fields made at once all land, and the events of each command
//! can be followed in order, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use agendo_core::agenda::permission::{grant, Action, Actor, Grant};
use agendo_core::ids::ProfessionalId;
use futures_util::future::join_all;
use serde_json::{json, Value};
use support::{monday_at, salon, sign_in, Api, Db, Server};

on_both!(
    every_role_gets_what_the_permission_table_grants,
    concurrent_patches_of_different_fields_all_land,
    events_are_followed_in_order_and_a_held_request_wakes_on_one,
);

/// One request standing for `action`, by `api`, on `own` records of a
/// professional's (their own) or on another's: the status it answers.
struct World {
    owner: Api,
    service: String,
    bia: String,
    caio: String,
    maria: String,
    hour: std::sync::atomic::AtomicU32,
}

impl World {
    /// A fresh booking of `professional` (made by the owner), at a new
    /// hour each time.
    async fn booking(&self, professional: &str) -> String {
        let n = self.hour.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let start = slot(n);
        self.owner
            .post(
                "/v1/bookings",
                json!({"service_id": self.service, "staff_id": professional,
                    "client_id": self.maria, "start": start}),
            )
            .await
            .expect(201)
            .text("id")
    }

    /// A line of Bia's inbox: a booking's, once the server's worker
    /// gathered it.
    async fn inbox_line(&self) -> String {
        self.booking(&self.bia).await;
        support::inbox_line(&self.owner).await
    }

    async fn payment(&self) -> String {
        self.owner
            .post(
                "/v1/payments",
                json!({"client_id": self.maria, "method": "pix", "amount": "80.00"}),
            )
            .await
            .expect(201)
            .body["payment"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn attempt(&self, api: &Api, action: Action, mine: bool) -> u16 {
        let whose = if mine { &self.caio } else { &self.bia };
        let n = self.hour.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let answer = match action {
            Action::ChangeBusiness => api.patch("/v1/business", json!({"name": "Salão"})).await,
            Action::ManageAccounts => api.get("/v1/accounts").await,
            Action::EditCatalog => {
                api.post(
                    "/v1/services",
                    json!({"name": format!("Serviço {n}"), "duration_minutes": 30, "price": "10"}),
                )
                .await
            }
            Action::EditStaff => {
                api.post("/v1/staff", json!({"name": format!("Nova {n}")}))
                    .await
            }
            Action::EditHours => {
                let day = json!([["09:00", "18:00"]]);
                api.put(
                    &format!("/v1/staff/{whose}/hours"),
                    json!({"weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}}),
                )
                .await
            }
            Action::EditClients => {
                api.post("/v1/clients", json!({"name": format!("Cliente {n}")}))
                    .await
            }
            Action::ReadClients => api.get("/v1/clients").await,
            Action::Book => {
                let start = slot(n);
                api.post(
                    "/v1/bookings",
                    json!({"service_id": self.service, "staff_id": whose,
                        "client_id": self.maria, "start": start}),
                )
                .await
            }
            // The public page's action: its own test is in `api.rs`.
            Action::BookAsContact => return 0,
            Action::Attend => {
                let booking = self.booking(whose).await;
                api.post(&format!("/v1/bookings/{booking}/confirm"), json!({}))
                    .await
            }
            Action::Move => {
                let booking = self.booking(whose).await;
                api.post(
                    &format!("/v1/bookings/{booking}/cancel"),
                    json!({"reason": "teste"}),
                )
                .await
            }
            Action::ReadBookings => {
                let booking = self.booking(whose).await;
                api.get(&format!("/v1/bookings/{booking}")).await
            }
            Action::TakePayments => {
                api.post(
                    "/v1/payments",
                    json!({"client_id": self.maria, "method": "cash", "amount": "10.00"}),
                )
                .await
            }
            Action::Refund => {
                let payment = self.payment().await;
                api.post(
                    &format!("/v1/payments/{payment}/refund"),
                    json!({"amount": "10.00", "reason": "teste"}),
                )
                .await
            }
            Action::ReadPayments => {
                let payment = self.payment().await;
                api.get(&format!("/v1/payments/{payment}")).await
            }
            Action::ReadEvents => api.get("/v1/events").await,
            Action::ReadStatements => {
                api.get(&format!("/v1/staff/{whose}/statement?month=2026-03"))
                    .await
            }
            Action::ReadMessages => api.get("/v1/messages").await,
            Action::ReadInbox => api.get(&format!("/v1/inbox?professional_id={whose}")).await,
            Action::ResendMessages => {
                let line = self.inbox_line().await;
                let answer = api
                    .post(&format!("/v1/messages/{line}/resend"), json!({}))
                    .await;
                // Allowed callers hear the line is not dead: the
                // permission passed.
                if answer.status.as_u16() == 409 && answer.body["code"] == "message_not_dead" {
                    return 200;
                }
                answer
            }
            other => panic!("no request stands for {other}"),
        };
        answer.status.as_u16()
    }
}

/// The `n`th free hour of the weeks ahead: eight a day (09:00 to 16:00 in
/// São Paulo), Monday to Friday.
fn slot(n: u32) -> chrono::DateTime<chrono::Utc> {
    let day = n / 8;
    monday_at(i64::from(day / 5 * 7 + day % 5), 12 + n % 8)
}

/// What the table says `actor` gets for `action` on its own records
/// (`mine`) or another's: a success, 403, or 404 where another's booking
/// is not theirs to see.
fn expected(actor: &Actor, action: Action, mine: bool) -> &'static str {
    match grant(actor, action) {
        Grant::All => "2xx",
        Grant::Own if mine => "2xx",
        Grant::Own => match action {
            Action::Attend | Action::Move | Action::ReadBookings => "404",
            _ => "403",
        },
        Grant::None => "403",
    }
}

fn seen(status: u16) -> &'static str {
    match status {
        200..=299 => "2xx",
        403 => "403",
        404 => "404",
        _ => "other",
    }
}

async fn every_role_gets_what_the_permission_table_grants(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let caio = shop
        .owner
        .post(
            "/v1/staff",
            json!({"name": "Caio", "services": [service],
                "hours": {"weekly": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]],
                    "wed": [["09:00", "18:00"]], "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]]}},
                "login": {"email": "caio@salao.com.br", "password": "tesoura-pente-navalha"}}),
        )
        .await
        .expect(201)
        .text("id");
    shop.owner
        .post(
            "/v1/accounts",
            json!({"name": "Rita", "email": "rita@salao.com.br",
                "password": "agenda-cheia-hoje", "role": "receptionist"}),
        )
        .await
        .expect(201);
    let maria = shop
        .owner
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201)
        .text("id");
    let world = World {
        owner: shop.owner.clone(),
        service,
        bia,
        caio: caio.clone(),
        maria,
        hour: std::sync::atomic::AtomicU32::new(0),
    };
    let caio_id = ProfessionalId::parse(&caio).unwrap();
    let roles = [
        (Actor::Owner, shop.owner.clone()),
        (
            Actor::Receptionist,
            sign_in(&server, "rita@salao.com.br", "agenda-cheia-hoje").await,
        ),
        (
            Actor::Professional(caio_id),
            sign_in(&server, "caio@salao.com.br", "tesoura-pente-navalha").await,
        ),
    ];
    let mut wrong = Vec::new();
    for (actor, api) in &roles {
        for action in Action::ALL {
            if action == Action::BookAsContact {
                continue;
            }
            for mine in [true, false] {
                let want = expected(actor, action, mine);
                let got = seen(world.attempt(api, action, mine).await);
                if want != got {
                    wrong.push(format!(
                        "{} {action} ({}): table says {want}, HTTP answered {got}",
                        actor.as_str(),
                        if mine { "own" } else { "another's" }
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    server.stop().await;
}

async fn concurrent_patches_of_different_fields_all_land(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let patches = [
        json!({"name": "Corte novo"}),
        json!({"description": "Com lavagem"}),
        json!({"duration_minutes": 45}),
        json!({"price": "95.50"}),
        json!({"buffer_before_minutes": 5}),
        json!({"buffer_after_minutes": 10}),
    ];
    let path = format!("/v1/services/{service}");
    let answers = join_all(patches.iter().map(|p| shop.owner.patch(&path, p.clone()))).await;
    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    let staff = format!("/v1/staff/{bia}");
    let answers = join_all([
        shop.owner.patch(&staff, json!({"name": "Bia Souza"})),
        shop.owner.patch(&staff, json!({"capacity": 3})),
    ])
    .await;
    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");

    let cut = shop.owner.get(&path).await.expect(200).body;
    assert_eq!(cut["name"], "Corte novo");
    assert_eq!(cut["description"], "Com lavagem");
    assert_eq!(cut["duration_minutes"], 45);
    assert_eq!(cut["price"]["amount"], "95.50");
    assert_eq!(cut["buffer_before_minutes"], 5);
    assert_eq!(cut["buffer_after_minutes"], 10);
    let bia = shop.owner.get(&staff).await.expect(200).body;
    assert_eq!(
        (bia["name"].clone(), bia["capacity"].clone()),
        (json!("Bia Souza"), json!(3))
    );
    assert_eq!(
        bia["hours"]["weekly"]["mon"],
        json!([["09:00", "18:00"]]),
        "the hours stay"
    );
    server.stop().await;
}

async fn events_are_followed_in_order_and_a_held_request_wakes_on_one(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let page = shop.owner.get("/v1/events").await.expect(200).body;
    let types: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "business_changed",
            "service_created",
            "professional_created",
            "hours_changed"
        ]
    );
    let numbers: Vec<u64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let next = page["next"].as_u64().unwrap();
    assert_eq!(next, 4);
    assert_eq!(page["events"][1]["service"], Value::String(service.clone()));

    // A held request answers as soon as a command commits an event.
    let held = {
        let owner = shop.owner.clone();
        tokio::spawn(async move { owner.get(&format!("/v1/events?after={next}&wait=20")).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let maria = shop
        .owner
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201)
        .text("id");
    let woke = held.await.unwrap().expect(200).body;
    assert_eq!(woke["events"][0]["type"], "client_created");
    assert_eq!(woke["events"][0]["client"], Value::String(maria.clone()));
    assert_eq!(woke["next"], 5);

    let booking = shop
        .owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": maria, "start": monday_at(0, 13)}),
        )
        .await
        .expect(201)
        .text("id");
    // The refusal a person reads names Bia and the local time; the ids
    // are in the problem's context.
    let taken = shop
        .owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": maria, "start": monday_at(0, 13)}),
        )
        .await
        .expect(409);
    let local = monday_at(0, 13).with_timezone(&chrono_tz::America::Sao_Paulo);
    assert_eq!(
        taken.text("detail"),
        format!(
            "Bia já tem um horário seg, {} às 10:00",
            local.format("%d/%m")
        )
    );
    assert_eq!(
        taken.body["context"]["bookings"][0],
        Value::String(booking.clone())
    );
    let after = shop.owner.get("/v1/events?after=5").await.expect(200).body;
    assert_eq!(after["events"][0]["type"], "booking_created");
    assert_eq!(after["events"][0]["booking"], Value::String(booking));
    assert_eq!(after["events"][0]["start"], json!(monday_at(0, 13)));
    // Nothing new: an empty page that keeps the place.
    let empty = shop.owner.get("/v1/events?after=6").await.expect(200).body;
    assert_eq!(
        (empty["events"].clone(), empty["next"].clone()),
        (json!([]), json!(6))
    );
    let bad = shop.owner.get("/v1/events?limit=0").await.expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "limit");
    server.stop().await;
}
