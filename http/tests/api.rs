//! End-to-end tests: the real server on a random port, over a SQLite file
//! and over the Postgres that `cargo xtask test` starts, walked as a
//! business and as its clients would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::{Duration, TimeZone, Utc};
use futures_util::future::join_all;
use serde_json::{json, Value};
use support::{next_monday, register, salon, sign_in, Db, Server};

on_both!(
    a_business_and_its_clients_walk_the_whole_flow,
    another_business_ids_answer_not_found,
    refresh_tokens_rotate_and_a_reused_or_expired_one_fails,
    the_sixth_failed_login_answers_429,
    concurrent_bookings_of_one_slot_let_exactly_one_win,
    control_characters_in_names_are_refused_by_every_store,
);

async fn a_business_and_its_clients_walk_the_whole_flow(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = salon(&server, "ana@salao.com.br").await;
    let monday = next_monday();

    // The business finds a free slot: 10:00 in São Paulo is 13:00Z.
    let slots = shop
        .owner
        .get(&format!(
            "/v1/availability?service_id={service}&from={monday}&to={monday}"
        ))
        .await
        .expect(200);
    let ten = format!("{monday}T13:00:00Z");
    let slot = slots.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == ten)
        .unwrap_or_else(|| panic!("no 10:00 slot in {}", slots.body));
    assert_eq!(slot["staff"], json!([staff]));

    // A client books it from the public page, without signing in.
    let public = server.anonymous();
    let page = public
        .get(&format!("/v1/public/{}", shop.slug))
        .await
        .expect(200);
    assert_eq!(page.body["services"][0]["id"], service);
    assert_eq!(page.body["staff"][0]["id"], staff);
    let booked = public
        .post(
            &format!("/v1/public/{}/bookings", shop.slug),
            json!({"service_id": service, "staff_id": staff, "start": format!("{monday}T10:00:00-03:00"),
                "client": {"name": "Maria Souza", "email": "maria@example.com", "phone": "(11) 98888-7777"}}),
        )
        .await
        .expect(201);
    let booking = booked.body["booking"]["id"].as_str().unwrap().to_owned();
    let maria = booked.body["booking"]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manage = booked.text("manage_token");

    // A second client asking for the same time is told it is taken, and
    // nothing more: not whose booking holds it.
    let taken = public
        .reading("pt-BR")
        .post(
            &format!("/v1/public/{}/bookings", shop.slug),
            json!({"service_id": service, "staff_id": staff, "start": ten,
                "client": {"name": "João Lima", "email": "joao@example.com"}}),
        )
        .await
        .expect(409);
    assert_eq!(taken.content_type, "application/problem+json");
    assert_eq!(taken.text("code"), "slot_taken");
    assert_eq!(taken.body.get("context"), None, "{}", taken.body);
    assert!(!taken.body.to_string().contains(&booking), "{}", taken.body);
    assert!(
        taken.text("detail").contains("não está mais disponível"),
        "{}",
        taken.body
    );

    // Maria pays by PIX at the desk.
    let paid = shop
        .owner
        .post(
            "/v1/payments",
            json!({"client_id": maria, "booking_id": booking, "method": "pix", "amount": "80.00"}),
        )
        .await
        .expect(201);
    assert_eq!(paid.body["payment"]["status"], "approved");

    // Three hours before, she cancels through her link: the policy keeps
    // half and refunds half.
    let start = Utc.from_utc_datetime(&monday.and_hms_opt(13, 0, 0).unwrap());
    let until = start - Duration::hours(3) - Utc::now();
    server.state.clock.advance(until);
    let ended = public
        .post(
            &format!("/v1/manage/{manage}/cancel"),
            json!({"reason": "imprevisto"}),
        )
        .await
        .expect(200);
    assert_eq!(ended.body["booking"]["status"], "cancelled");
    assert_eq!(
        ended.body["settlement"]["fee"],
        json!({"amount": "40.00", "currency": "BRL"})
    );
    assert_eq!(
        ended.body["settlement"]["refund"],
        json!({"amount": "40.00", "currency": "BRL"})
    );
    assert_eq!(ended.body["settlement"]["rule"], "late");

    // Her history shows the booking and the refunded payment (the owner
    // signs in again: a week has passed).
    let login = public
        .post(
            "/v1/auth/login",
            json!({"email": "ana@salao.com.br", "password": "cavalo-bateria-grampo"}),
        )
        .await
        .expect(200);
    let owner = public.with_token(&login.text("access_token"));
    let history = owner
        .get(&format!("/v1/clients/{maria}/bookings"))
        .await
        .expect(200);
    assert_eq!(history.body[0]["id"], booking);
    assert_eq!(history.body[0]["status"], "cancelled");
    let payments = owner
        .get(&format!("/v1/clients/{maria}/payments"))
        .await
        .expect(200);
    assert_eq!(payments.body[0]["net"]["amount"], "40.00");

    // The slot is free again, and the metrics counted what happened.
    let again = owner
        .get(&format!(
            "/v1/availability?service_id={service}&from={monday}&to={monday}"
        ))
        .await
        .expect(200);
    assert!(again.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["start"] == ten));
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("agendo_bookings_created_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("agendo_booking_conflicts_total 1"),
        "{metrics}"
    );
    server.stop().await;
}

async fn another_business_ids_answer_not_found(db: Db) {
    let server = Server::start(db).await;
    let (ana, service, staff) = salon(&server, "ana@salao.com.br").await;
    let other = register(&server, "Barbearia do Zé", "ze@barbearia.com.br").await;
    let client = ana
        .owner
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201)
        .text("id");
    let start = format!("{}T13:00:00Z", next_monday());
    let booking = ana
        .owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": staff, "client_id": client, "start": start}),
        )
        .await
        .expect(201)
        .text("id");
    for path in [
        format!("/v1/services/{service}"),
        format!("/v1/staff/{staff}"),
        format!("/v1/clients/{client}"),
        format!("/v1/bookings/{booking}"),
        format!("/v1/clients/{client}/bookings"),
    ] {
        let answer = other.owner.get(&path).await;
        assert_eq!(answer.status.as_u16(), 404, "{path}: {}", answer.body);
        assert_eq!(answer.text("code"), "not_found");
    }
    other
        .owner
        .patch(&format!("/v1/services/{service}"), json!({"price": "1.00"}))
        .await
        .expect(404);
    other
        .owner
        .post(&format!("/v1/bookings/{booking}/cancel"), json!({}))
        .await
        .expect(404);
    let lists = other.owner.get("/v1/bookings").await.expect(200);
    assert_eq!(lists.body, json!([]));
    // Nothing changed for Ana.
    let mine = ana
        .owner
        .get(&format!("/v1/services/{service}"))
        .await
        .expect(200);
    assert_eq!(mine.body["price"]["amount"], "80.00");
    server.stop().await;
}

async fn refresh_tokens_rotate_and_a_reused_or_expired_one_fails(db: Db) {
    let server = Server::start(db).await;
    let shop = register(&server, "Salão", "ana@salao.com.br").await;
    let api = server.anonymous();
    let first = shop.refresh.clone();
    let second = api
        .post("/v1/auth/refresh", json!({"refresh_token": first}))
        .await
        .expect(200);
    let second_token = second.text("refresh_token");
    assert_ne!(second_token, first);
    assert!(second
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("HttpOnly"));
    // The new access token works.
    api.with_token(&second.text("access_token"))
        .get("/v1/accounts/me")
        .await
        .expect(200);

    // The first token again: refused, and the session is over for both.
    let reused = api
        .post("/v1/auth/refresh", json!({"refresh_token": first}))
        .await
        .expect(401);
    assert_eq!(reused.text("code"), "session_ended");
    api.post("/v1/auth/refresh", json!({"refresh_token": second_token}))
        .await
        .expect(401);

    // A fresh sign-in, then past the session's 30 days: expired.
    let login = api
        .post(
            "/v1/auth/login",
            json!({"email": "ANA@salao.com.br", "password": "cavalo-bateria-grampo"}),
        )
        .await
        .expect(200);
    let access = api.with_token(&login.text("access_token"));
    access.get("/v1/services").await.expect(200);
    server.state.clock.advance(Duration::minutes(16));
    let stale = access.get("/v1/services").await.expect(401);
    assert_eq!(stale.text("code"), "unauthenticated");
    server.state.clock.advance(Duration::days(31));
    api.post(
        "/v1/auth/refresh",
        json!({"refresh_token": login.text("refresh_token")}),
    )
    .await
    .expect(401);

    // Signing out ends a session at once.
    let login = api
        .post(
            "/v1/auth/login",
            json!({"email": "ana@salao.com.br", "password": "cavalo-bateria-grampo"}),
        )
        .await
        .expect(200);
    let token = login.text("refresh_token");
    api.post("/v1/auth/logout", json!({"refresh_token": token}))
        .await
        .expect(204);
    api.post("/v1/auth/refresh", json!({"refresh_token": token}))
        .await
        .expect(401);
    server.stop().await;
}

async fn the_sixth_failed_login_answers_429(db: Db) {
    let server = Server::start(db).await;
    register(&server, "Salão", "ana@salao.com.br").await;
    let api = server.anonymous();
    for _ in 0..5 {
        let wrong = api
            .post(
                "/v1/auth/login",
                json!({"email": "ana@salao.com.br", "password": "senha-errada-123"}),
            )
            .await
            .expect(401);
        assert_eq!(wrong.text("code"), "bad_credentials");
    }
    // Even the right password waits now.
    let limited = api
        .post(
            "/v1/auth/login",
            json!({"email": "ana@salao.com.br", "password": "cavalo-bateria-grampo"}),
        )
        .await
        .expect(429);
    let wait: u64 = limited
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // After the window, the right password works again.
    server.state.clock.advance(Duration::minutes(16));
    api.post(
        "/v1/auth/login",
        json!({"email": "ana@salao.com.br", "password": "cavalo-bateria-grampo"}),
    )
    .await
    .expect(200);
    server.stop().await;
}

async fn concurrent_bookings_of_one_slot_let_exactly_one_win(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = salon(&server, "ana@salao.com.br").await;
    let start = format!("{}T14:00:00Z", next_monday());
    let mut clients = Vec::new();
    for i in 0..16 {
        clients.push(
            shop.owner
                .post("/v1/clients", json!({"name": format!("Cliente {i}")}))
                .await
                .expect(201)
                .text("id"),
        );
    }
    let attempts = clients.iter().map(|client| {
        let owner = shop.owner.clone();
        let body =
            json!({"service_id": service, "staff_id": staff, "client_id": client, "start": start});
        async move { owner.post("/v1/bookings", body).await }
    });
    let answers = join_all(attempts).await;
    let won: Vec<&Value> = answers
        .iter()
        .filter(|a| a.status == 201)
        .map(|a| &a.body)
        .collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    let holder = won[0]["id"].clone();
    for lost in answers.iter().filter(|a| a.status != 201) {
        assert_eq!(lost.status.as_u16(), 409, "{}", lost.body);
        assert_eq!(lost.body["context"]["bookings"], json!([holder]));
    }
    server.stop().await;
}

/// Postgres cannot hold U+0000 in text; the engine refuses it (and other
/// control characters in names) before any store sees it.
async fn control_characters_in_names_are_refused_by_every_store(db: Db) {
    let server = Server::start(db).await;
    let shop = register(&server, "Salão", "ana@salao.com.br").await;
    for name in ["Maria\u{0}", "Maria\u{1b}[31m"] {
        let refused = shop
            .owner
            .post("/v1/clients", json!({"name": name}))
            .await
            .expect(422);
        assert_eq!(
            refused.body["errors"][0]["field"], "name",
            "{}",
            refused.body
        );
    }
    let notes = shop
        .owner
        .post(
            "/v1/clients",
            json!({"name": "Maria", "notes": "nada\u{0}"}),
        )
        .await
        .expect(422);
    assert_eq!(notes.body["errors"][0]["field"], "notes", "{}", notes.body);
    shop.owner
        .post(
            "/v1/clients",
            json!({"name": "Maria", "notes": "1. lavar\n2. secar"}),
        )
        .await
        .expect(201);
    let clients = shop.owner.get("/v1/clients").await.expect(200).body;
    assert_eq!(clients.as_array().map(Vec::len), Some(1), "{clients}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_problem_naming_the_field_and_changes_nothing() {
    let server = Server::start_with(Db::Sqlite, &[("AGENDO_BODY_LIMIT", "2048")]).await;
    let shop = register(&server, "Salão", "ana@salao.com.br").await;
    let owner = &shop.owner;
    let post = reqwest::Method::POST;

    let broken = owner
        .reading("en")
        .raw(
            post.clone(),
            "/v1/services",
            "application/json",
            b"{\"name\": \"Corte\",\n \"price\": }".to_vec(),
        )
        .await
        .expect(400);
    assert_eq!(broken.text("code"), "malformed_json");
    assert!(broken.text("detail").contains("line 2"), "{}", broken.body);

    let unknown = owner
        .post(
            "/v1/services",
            json!({"name": "Corte", "duration_minutes": 30, "price": "80", "colour": "red"}),
        )
        .await
        .expect(400);
    assert!(
        unknown.text("detail").contains("colour"),
        "{}",
        unknown.body
    );

    let float = owner
        .post(
            "/v1/services",
            json!({"name": "Corte", "duration_minutes": 30, "price": 80.5}),
        )
        .await
        .expect(400);
    assert_eq!(float.body["errors"][0]["field"], "price");

    let negative = owner
        .reading("pt-BR")
        .post(
            "/v1/services",
            json!({"name": "Corte", "duration_minutes": 30, "price": "-1"}),
        )
        .await
        .expect(422);
    assert_eq!(negative.body["errors"][0]["field"], "price");
    assert_eq!(negative.headers.get("content-language").unwrap(), "pt-BR");

    // Named as written, not clamped to a 64-bit figure.
    let huge = owner
        .post(
            "/v1/services",
            json!({"name": "Corte", "duration_minutes": 30, "price": "100000000000000000000"}),
        )
        .await
        .expect(422);
    assert_eq!(huge.body["errors"][0]["field"], "price");
    let detail = huge.text("detail");
    assert!(
        detail.contains("100000000000000000000") && detail.contains("1000000000000"),
        "{detail}"
    );
    // An amount has one written form: no sign before it, no exponent.
    for written in ["+5", "5E+1", ".5"] {
        let odd = owner
            .post(
                "/v1/services",
                json!({"name": "Corte", "duration_minutes": 30, "price": written}),
            )
            .await
            .expect(422);
        assert_eq!(odd.body["errors"][0]["field"], "price", "{written}");
    }
    // A block from the year 0 to 9999 means nothing to a business.
    let block = owner
        .post(
            &format!("/v1/staff/{}/blocks", staff_for_blocks(owner).await),
            json!({"start": "0000-01-01T00:00:00Z", "end": "9999-12-31T00:00:00Z"}),
        )
        .await
        .expect(422);
    assert_eq!(block.body["errors"][0]["field"], "start");

    let hours = owner
        .post(
            "/v1/staff",
            json!({"name": "Bia", "hours": {"weekly": {"tue": [["12:00", "09:00"]]}}}),
        )
        .await
        .expect(422);
    assert_eq!(hours.body["errors"][0]["field"], "hours.weekly.tue[0]");

    owner
        .raw(
            post.clone(),
            "/v1/clients",
            "text/plain",
            b"name=x".to_vec(),
        )
        .await
        .expect(415);
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(4096));
    owner
        .raw(
            post.clone(),
            "/v1/clients",
            "application/json",
            big.into_bytes(),
        )
        .await
        .expect(413);
    owner.get("/v1/bookings/not-a-uuid").await.expect(404);
    owner.get("/v1/availability?service_id=x").await.expect(400);
    let email = owner
        .post("/v1/clients", json!({"name": "Maria", "email": "maria@"}))
        .await
        .expect(422);
    assert_eq!(email.body["errors"][0]["field"], "email");
    server.anonymous().get("/v1/services").await.expect(401);
    server.anonymous().get("/v1/nothing-here").await.expect(404);
    server
        .anonymous()
        .raw(
            reqwest::Method::DELETE,
            "/v1/auth/login",
            "application/json",
            vec![],
        )
        .await
        .expect(405);
    let weak = server
        .anonymous()
        .post(
            "/v1/auth/register",
            json!({"business_name": "X", "timezone": "America/Sao_Paulo", "currency": "BRL",
            "locale": "pt-BR", "name": "X", "email": "x@example.com", "password": "1234567890"}),
        )
        .await
        .expect(422);
    assert_eq!(weak.body["errors"][0]["field"], "password");
    let zone = server
        .anonymous()
        .post("/v1/auth/register", json!({"business_name": "X", "timezone": "Mars/Olympus", "currency": "BRL",
            "locale": "pt-BR", "name": "X", "email": "x@example.com", "password": "cavalo-bateria-grampo"}))
        .await
        .expect(422);
    assert_eq!(zone.body["errors"][0]["field"], "timezone");

    // None of it was stored.
    assert_eq!(owner.get("/v1/services").await.expect(200).body, json!([]));
    assert_eq!(owner.get("/v1/clients").await.expect(200).body, json!([]));
    server.stop().await;
}

/// A professional to put blocks on.
async fn staff_for_blocks(owner: &support::Api) -> String {
    owner
        .post("/v1/staff", json!({"name": "Bloqueada"}))
        .await
        .expect(201)
        .text("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_openapi_document() {
    let server = Server::start(Db::Sqlite).await;
    let doc = server.anonymous().get("/openapi.json").await.expect(200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().unwrap();
    let mut operations = 0;
    // Every documented operation is served: none answers "no such route"
    // or "method not allowed".
    for (path, item) in paths {
        let concrete = path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    "00000000-0000-4000-8000-000000000000"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let answer = server
                .anonymous()
                .raw(
                    method.to_uppercase().parse().unwrap(),
                    &concrete,
                    "application/json",
                    b"{}".to_vec(),
                )
                .await;
            assert_ne!(answer.status.as_u16(), 405, "{method} {path}");
            assert_ne!(answer.body["code"], "route_not_found", "{method} {path}");
            assert!(
                answer.status.as_u16() < 500 || path == "/readyz",
                "{method} {path}: {}",
                answer.body
            );
        }
    }
    // And every handler is documented: each route module adds routes only
    // through `routes!`, one per `#[utoipa::path]`.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut annotated = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        annotated += text.matches("#[utoipa::path(").count();
        assert!(
            !text.contains(".route("),
            "a route added without its documentation"
        );
    }
    assert_eq!(operations, annotated);
    let docs = reqwest::get(format!("{}/docs/", server.base))
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_limit_what_staff_may_do() {
    let server = Server::start(Db::Sqlite).await;
    let (shop, service, bia) = salon(&server, "ana@salao.com.br").await;
    let caio = shop
        .owner
        .post(
            "/v1/staff",
            json!({"name": "Caio", "services": [service],
                "login": {"email": "caio@salao.com.br", "password": "tesoura-pente-navalha"}}),
        )
        .await
        .expect(201);
    assert_eq!(caio.body["login"]["role"], "professional");
    let caio_id = caio.text("id");
    shop.owner
        .post(
            "/v1/accounts",
            json!({"name": "Rita", "email": "rita@salao.com.br",
            "password": "agenda-cheia-hoje", "role": "receptionist"}),
        )
        .await
        .expect(201);
    let rita = sign_in(&server, "rita@salao.com.br", "agenda-cheia-hoje").await;
    let caio = sign_in(&server, "caio@salao.com.br", "tesoura-pente-navalha").await;

    // The receptionist manages clients and bookings but not the catalog or money.
    let maria = rita
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201)
        .text("id");
    let start = format!("{}T13:00:00Z", next_monday());
    let booking = rita
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": maria, "start": start}),
        )
        .await
        .expect(201)
        .text("id");
    let denied = rita
        .post(
            "/v1/services",
            json!({"name": "X", "duration_minutes": 30, "price": "1"}),
        )
        .await
        .expect(403);
    assert_eq!(denied.text("code"), "forbidden");
    rita.post(
        "/v1/payments",
        json!({"client_id": maria, "method": "cash", "amount": "10.00"}),
    )
    .await
    .expect(403);
    rita.get(&format!("/v1/clients/{maria}/payments"))
        .await
        .expect(200);

    // The professional sees and books only their own agenda.
    assert_eq!(caio.get("/v1/bookings").await.expect(200).body, json!([]));
    caio.get(&format!("/v1/bookings/{booking}"))
        .await
        .expect(404);
    caio.post(
        "/v1/bookings",
        json!({"service_id": service, "staff_id": bia, "client_id": maria, "start": start}),
    )
    .await
    .expect(403);
    // Caio has no hours yet, so his own slot is outside them: a 409, not a 403.
    let own = caio
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": caio_id, "client_id": maria, "start": start}),
        )
        .await
        .expect(409);
    assert_eq!(own.text("code"), "outside_working_hours");
    caio.put(&format!("/v1/staff/{bia}/hours"), json!({"weekly": {}}))
        .await
        .expect(403);
    caio.put(
        &format!("/v1/staff/{caio_id}/hours"),
        json!({"weekly": {"mon": [["09:00", "12:00"]]}}),
    )
    .await
    .expect(200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_create_under_one_key_answers_the_same_record() {
    let server = Server::start(Db::Sqlite).await;
    let register = json!({"business_name": "Salão", "timezone": "America/Sao_Paulo", "currency": "BRL",
        "locale": "pt-BR", "name": "Dona", "email": "dona@salao.com.br", "password": "cavalo-bateria-grampo"});
    let api = server.anonymous();
    let first = api
        .post_keyed("/v1/auth/register", "reg-1", register.clone())
        .await
        .expect(201);
    let again = api
        .post_keyed("/v1/auth/register", "reg-1", register)
        .await
        .expect(201);
    assert_eq!(first.body["business"]["id"], again.body["business"]["id"]);
    let owner = api.with_token(&again.text("access_token"));

    let cut = json!({"name": "Corte", "duration_minutes": 30, "price": "80.00"});
    let service = owner
        .post_keyed("/v1/services", "svc-1", cut.clone())
        .await
        .expect(201)
        .text("id");
    assert_eq!(
        owner
            .post_keyed("/v1/services", "svc-1", cut)
            .await
            .expect(201)
            .text("id"),
        service
    );
    let other = json!({"name": "Barba", "duration_minutes": 20, "price": "40.00"});
    let reused = owner
        .post_keyed("/v1/services", "svc-1", other)
        .await
        .expect(422);
    assert_eq!(reused.text("code"), "idempotency_key_reused");
    assert_eq!(
        owner
            .get("/v1/services")
            .await
            .expect(200)
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let day = json!([["09:00", "18:00"]]);
    let bia = json!({"name": "Bia", "services": [service], "hours": {"weekly": {"mon": day}}});
    let staff = owner
        .post_keyed("/v1/staff", "bia", bia.clone())
        .await
        .expect(201)
        .text("id");
    assert_eq!(
        owner
            .post_keyed("/v1/staff", "bia", bia)
            .await
            .expect(201)
            .text("id"),
        staff
    );
    let maria = json!({"name": "Maria"});
    let client = owner
        .post_keyed("/v1/clients", "maria", maria.clone())
        .await
        .expect(201)
        .text("id");
    assert_eq!(
        owner
            .post_keyed("/v1/clients", "maria", maria)
            .await
            .expect(201)
            .text("id"),
        client
    );
    let monday = next_monday();
    let lunch = json!({"start": format!("{monday}T15:00:00Z"), "end": format!("{monday}T16:00:00Z"), "reason": "almoço"});
    let path = format!("/v1/staff/{staff}/blocks");
    let block = owner
        .post_keyed(&path, "lunch", lunch.clone())
        .await
        .expect(201)
        .text("id");
    assert_eq!(
        owner
            .post_keyed(&path, "lunch", lunch)
            .await
            .expect(201)
            .text("id"),
        block
    );
    let book = json!({"service_id": service, "staff_id": staff, "client_id": client, "start": format!("{monday}T13:00:00Z")});
    let booking = owner
        .post_keyed("/v1/bookings", "b-1", book.clone())
        .await
        .expect(201)
        .text("id");
    assert_eq!(
        owner
            .post_keyed("/v1/bookings", "b-1", book)
            .await
            .expect(201)
            .text("id"),
        booking
    );
    let rita = json!({"name": "Rita", "email": "rita@salao.com.br", "password": "agenda-cheia-hoje", "role": "receptionist"});
    let account = owner
        .post_keyed("/v1/accounts", "rita", rita.clone())
        .await
        .expect(201)
        .text("id");
    assert_eq!(
        owner
            .post_keyed("/v1/accounts", "rita", rita)
            .await
            .expect(201)
            .text("id"),
        account
    );
    server.stop().await;
}
