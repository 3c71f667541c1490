//! Regressions found by probing the server from outside (issue
//! "Hardening"), each named after what broke, on both databases where a
//! store is involved.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration as StdDuration;

use chrono::Duration;
use futures_util::future::join_all;
use serde_json::{json, Value};
use support::{monday_at, register, salon, sign_in, Db, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both!(
    a_registration_replayed_with_another_request_is_refused,
    a_public_booking_replayed_with_another_contact_is_refused,
    creates_replayed_with_another_body_are_refused,
    concurrent_wrong_passwords_for_one_email_are_judged_five_times,
    one_address_failing_for_one_email_does_not_lock_out_another,
    registrations_from_one_address_are_limited,
    a_refused_public_booking_leaves_no_client,
    a_token_stops_when_its_account_is_retired_or_it_signs_out,
    public_errors_speak_the_business_language,
    the_last_owner_can_be_neither_retired_nor_demoted,
);

fn registration(email: &str) -> Value {
    json!({"business_name": "Salão da Ana", "timezone": "America/Sao_Paulo", "currency": "BRL",
        "locale": "pt-BR", "name": "Ana", "email": email, "password": "cavalo-bateria-grampo"})
}

async fn a_registration_replayed_with_another_request_is_refused(db: Db) {
    let server = Server::start(db).await;
    let api = server.anonymous();
    let first = api
        .post_keyed(
            "/v1/auth/register",
            "reg-1",
            registration("ana@salao.com.br"),
        )
        .await
        .expect(201);
    // Each field of the request counts: the same key with any other value
    // is refused, and the answer holds nobody's tokens.
    let mut changes = vec![
        ("email", json!("mallory@example.com")),
        ("name", json!("Mallory")),
        ("business_name", json!("Outro Salão")),
        ("timezone", json!("America/Manaus")),
        ("currency", json!("USD")),
        ("locale", json!("en")),
        ("slug", json!("outro-endereco")),
        ("password", json!("outra-senha-muito-boa")),
    ];
    for (field, value) in changes.drain(..) {
        let mut body = registration("ana@salao.com.br");
        body[field] = value;
        let refused = api
            .post_keyed("/v1/auth/register", "reg-1", body)
            .await
            .expect(422);
        assert_eq!(refused.text("code"), "idempotency_key_reused", "{field}");
        assert_eq!(refused.body.get("access_token"), None, "{field}");
    }
    // The very same request answers the same business again.
    let again = api
        .post_keyed(
            "/v1/auth/register",
            "reg-1",
            registration("ana@salao.com.br"),
        )
        .await
        .expect(201);
    assert_eq!(again.body["business"]["id"], first.body["business"]["id"]);
    server.stop().await;
}

async fn a_public_booking_replayed_with_another_contact_is_refused(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = salon(&server, "ana@salao.com.br").await;
    let start = monday_at(0, 13).to_rfc3339();
    let body = |phone: &str| {
        json!({"service_id": service, "staff_id": staff, "start": start,
            "client": {"name": "Maria", "email": "maria@example.com", "phone": phone}})
    };
    let path = format!("/v1/public/{}/bookings", shop.slug);
    let api = server.anonymous();
    let first = api
        .post_keyed(&path, "pub-1", body("(11) 98888-7777"))
        .await
        .expect(201);
    let refused = api
        .post_keyed(&path, "pub-1", body("(11) 97777-6666"))
        .await
        .expect(422);
    assert_eq!(refused.text("code"), "idempotency_key_reused");
    assert_eq!(refused.body.get("manage_token"), None);
    let again = api
        .post_keyed(&path, "pub-1", body("(11) 98888-7777"))
        .await
        .expect(201);
    assert_eq!(again.body["booking"]["id"], first.body["booking"]["id"]);
    server.stop().await;
}

async fn creates_replayed_with_another_body_are_refused(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, _) = salon(&server, "ana@salao.com.br").await;
    let rita = json!({"name": "Rita", "email": "rita@salao.com.br",
        "password": "agenda-cheia-hoje", "role": "receptionist"});
    shop.owner
        .post_keyed("/v1/accounts", "acc-1", rita.clone())
        .await
        .expect(201);
    let mut other = rita.clone();
    other["password"] = json!("tinta-papel-caneta");
    let refused = shop
        .owner
        .post_keyed("/v1/accounts", "acc-1", other)
        .await
        .expect(422);
    assert_eq!(refused.text("code"), "idempotency_key_reused");
    shop.owner
        .post_keyed("/v1/accounts", "acc-1", rita)
        .await
        .expect(201);

    let caio = |email: &str| {
        json!({"name": "Caio", "services": [service],
            "login": {"email": email, "password": "tesoura-pente-navalha"}})
    };
    let made = shop
        .owner
        .post_keyed("/v1/staff", "staff-1", caio("caio@salao.com.br"))
        .await
        .expect(201);
    for body in [
        caio("outro@salao.com.br"),
        json!({"name": "Caio", "services": [service]}),
    ] {
        let refused = shop
            .owner
            .post_keyed("/v1/staff", "staff-1", body)
            .await
            .expect(422);
        assert_eq!(refused.text("code"), "idempotency_key_reused");
    }
    let again = shop
        .owner
        .post_keyed("/v1/staff", "staff-1", caio("caio@salao.com.br"))
        .await
        .expect(201);
    assert_eq!(again.text("id"), made.text("id"));
    assert_eq!(again.body["login"]["id"], made.body["login"]["id"]);
    server.stop().await;
}

async fn concurrent_wrong_passwords_for_one_email_are_judged_five_times(db: Db) {
    let server = Server::start(db).await;
    register(&server, "Salão", "ana@salao.com.br").await;
    let api = server.anonymous();
    let attempts = (0..64).map(|_| {
        api.post(
            "/v1/auth/login",
            json!({"email": "ana@salao.com.br", "password": "senha-errada-123"}),
        )
    });
    let answers = join_all(attempts).await;
    let count = |status: u16| answers.iter().filter(|a| a.status == status).count();
    assert_eq!(count(401), 5, "only five are judged");
    assert_eq!(count(429), 59, "the rest wait");
    server.stop().await;
}

async fn one_address_failing_for_one_email_does_not_lock_out_another(db: Db) {
    let server = Server::start(db).await;
    register(&server, "Salão", "ana@salao.com.br").await;
    register(&server, "Barbearia", "bia@barbearia.com.br").await;
    let api = server.anonymous();
    for _ in 0..6 {
        api.post(
            "/v1/auth/login",
            json!({"email": "ana@salao.com.br", "password": "senha-errada-123"}),
        )
        .await;
    }
    // A colleague behind the same address signs in.
    api.post(
        "/v1/auth/login",
        json!({"email": "bia@barbearia.com.br", "password": "cavalo-bateria-grampo"}),
    )
    .await
    .expect(200);
    server.stop().await;
}

async fn registrations_from_one_address_are_limited(db: Db) {
    let server = Server::start_with(db, &[("AGENDO_REGISTER_RATE", "3")]).await;
    for n in 0..3 {
        register(&server, "Salão", &format!("dona{n}@salao.com.br")).await;
    }
    let refused = server
        .anonymous()
        .post("/v1/auth/register", registration("dona9@salao.com.br"))
        .await
        .expect(429);
    assert!(refused.headers.contains_key("retry-after"));
    server.state.clock.advance(Duration::minutes(61));
    server
        .anonymous()
        .post("/v1/auth/register", registration("dona9@salao.com.br"))
        .await
        .expect(201);
    server.stop().await;
}

async fn a_refused_public_booking_leaves_no_client(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = salon(&server, "ana@salao.com.br").await;
    let start = monday_at(0, 14).to_rfc3339();
    let path = format!("/v1/public/{}/bookings", shop.slug);
    let api = server.anonymous();
    let tries = (0..8).map(|n| {
        api.post(
            &path,
            json!({"service_id": service, "staff_id": staff, "start": start,
                "client": {"name": format!("Cliente {n}"), "email": format!("c{n}@example.com")}}),
        )
    });
    let answers = join_all(tries).await;
    assert_eq!(answers.iter().filter(|a| a.status == 201).count(), 1);
    assert_eq!(answers.iter().filter(|a| a.status == 409).count(), 7);
    let clients = shop.owner.get("/v1/clients").await.expect(200);
    assert_eq!(
        clients.body.as_array().unwrap().len(),
        1,
        "{}",
        clients.body
    );
    server.stop().await;
}

async fn a_token_stops_when_its_account_is_retired_or_it_signs_out(db: Db) {
    let server = Server::start(db).await;
    let shop = register(&server, "Salão", "ana@salao.com.br").await;
    let rita = shop
        .owner
        .post(
            "/v1/accounts",
            json!({"name": "Rita", "email": "rita@salao.com.br",
                "password": "agenda-cheia-hoje", "role": "receptionist"}),
        )
        .await
        .expect(201)
        .text("id");
    let receptionist = sign_in(&server, "rita@salao.com.br", "agenda-cheia-hoje").await;
    receptionist
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201);
    shop.owner
        .delete(&format!("/v1/accounts/{rita}"))
        .await
        .expect(200);
    let refused = receptionist
        .post("/v1/clients", json!({"name": "João"}))
        .await
        .expect(401);
    assert_eq!(refused.content_type, "application/problem+json");
    let clients = shop.owner.get("/v1/clients").await.expect(200);
    assert_eq!(clients.body.as_array().unwrap().len(), 1);

    shop.owner.get("/v1/business").await.expect(200);
    server
        .anonymous()
        .post(
            "/v1/auth/logout",
            json!({"refresh_token": shop.refresh.clone()}),
        )
        .await
        .expect(204);
    shop.owner.get("/v1/business").await.expect(401);
    server.stop().await;
}

async fn public_errors_speak_the_business_language(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = salon(&server, "ana@salao.com.br").await;
    let api = server.anonymous();
    let bad = api
        .get(&format!(
            "/v1/public/{}/availability?service_id={service}&from=amanha&to=2026-12-08",
            shop.slug
        ))
        .await;
    assert_eq!(bad.body["status"], bad.status.as_u16());
    assert_eq!(bad.headers["content-language"], "pt-BR", "{}", bad.body);
    let start = monday_at(-1, 13).to_rfc3339();
    let closed = api
        .post(
            &format!("/v1/public/{}/bookings", shop.slug),
            json!({"service_id": service, "staff_id": staff, "start": start,
                "client": {"name": "Maria", "email": "maria@example.com"}}),
        )
        .await
        .expect(409);
    assert_eq!(closed.headers["content-language"], "pt-BR");
    assert!(closed.text("detail").contains("horário"), "{}", closed.body);
    // A caller asking for English gets English.
    let english = api
        .reading("en")
        .get("/v1/public/no-such-business")
        .await
        .expect(404);
    assert_eq!(english.headers["content-language"], "en");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_and_routes_add_no_metrics_labels() {
    let server = Server::start(Db::Sqlite).await;
    let http = reqwest::Client::new();
    for n in 0..5 {
        let method = reqwest::Method::from_bytes(format!("ZZTOP{n}").as_bytes()).unwrap();
        http.request(method, format!("{}/x{n}", server.base))
            .send()
            .await
            .unwrap();
        http.get(format!("{}/nowhere/{n}", server.base))
            .send()
            .await
            .unwrap();
    }
    let metrics = http
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("ZZTOP"), "{metrics}");
    assert!(!metrics.contains("nowhere"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(metrics.contains("route=\"unmatched\""), "{metrics}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_a_problem_document() {
    let server = Server::start(Db::Sqlite).await;
    let api = server.anonymous();
    for path in [
        "/v1/public/%ff",
        "/v1/manage/%ff%fe",
        "/v1/public/%ff/availability",
    ] {
        let answer = api.get(path).await;
        assert!(answer.status.is_client_error(), "{path}: {}", answer.status);
        assert_eq!(answer.content_type, "application/problem+json", "{path}");
        assert_eq!(answer.body["status"], answer.status.as_u16(), "{path}");
    }
    let wrong_method = api
        .raw(reqwest::Method::PUT, "/healthz", "application/json", vec![])
        .await
        .expect(405);
    assert_eq!(wrong_method.content_type, "application/problem+json");
    // What hyper refuses before any handler runs is a problem document too.
    for head in [
        &b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"[..],
        b"GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    ] {
        let answer = exchange(&server, head, StdDuration::from_secs(20)).await;
        assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
        assert!(answer.contains("application/problem+json"), "{answer}");
        assert!(answer.contains("\"status\":4"), "{answer}");
    }
    server.stop().await;
}

/// Sends `head` on a fresh connection and answers all the server sends
/// before it closes (bounded, so a server that never closes fails).
async fn exchange(server: &Server, head: &[u8], wait: StdDuration) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the connection was still open after {wait:?}: {}",
        String::from_utf8_lossy(&answer)
    );
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfinished_request_head_is_closed() {
    let server = Server::start_with(Db::Sqlite, &[("AGENDO_HEADER_TIMEOUT_SECONDS", "1")]).await;
    exchange(
        &server,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
        StdDuration::from_secs(20),
    )
    .await;
    // An idle kept-alive connection closes the same way.
    let answer = exchange(
        &server,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        StdDuration::from_secs(20),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_read() {
    let server = Server::start(Db::Sqlite).await;
    let answer = exchange(
        &server,
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 99999999999999\r\n\r\n{",
        StdDuration::from_secs(20),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_times_out() {
    let server = Server::start_with(Db::Sqlite, &[("AGENDO_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let answer = exchange(
        &server,
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"email\"",
        StdDuration::from_secs(20),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_says_every_error_is_a_problem_document() {
    let server = Server::start(Db::Sqlite).await;
    let doc = server
        .anonymous()
        .get("/openapi.json")
        .await
        .expect(200)
        .body;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            for status in ["413", "500", "503"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
            if operation.get("security").is_some() {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
            }
            if operation.get("requestBody").is_some() {
                for status in ["400", "408", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
            for (status, response) in responses {
                if status.starts_with('2') {
                    continue;
                }
                let types: Vec<&String> = response["content"].as_object().unwrap().keys().collect();
                assert_eq!(
                    types,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
            }
        }
    }
    server.stop().await;
}

async fn the_last_owner_can_be_neither_retired_nor_demoted(db: Db) {
    let server = Server::start(db).await;
    let shop = register(&server, "Salão", "ana@salao.com.br").await;
    let me = shop
        .owner
        .get("/v1/accounts/me")
        .await
        .expect(200)
        .text("id");
    let refused = shop
        .owner
        .delete(&format!("/v1/accounts/{me}"))
        .await
        .expect(409);
    assert_eq!(refused.text("code"), "last_owner");
    shop.owner.get("/v1/business").await.expect(200);
    // With a second owner, the first may go.
    shop.owner
        .post(
            "/v1/accounts",
            json!({"name": "Bia", "email": "bia@salao.com.br",
                "password": "tesoura-pente-navalha", "role": "owner"}),
        )
        .await
        .expect(201);
    let bia = server
        .anonymous()
        .post(
            "/v1/auth/login",
            json!({"email": "bia@salao.com.br", "password": "tesoura-pente-navalha"}),
        )
        .await
        .expect(200);
    let bia_id = bia.body["account"]["id"].as_str().unwrap().to_owned();
    let bia = server.anonymous().with_token(&bia.text("access_token"));
    // Two owners retiring each other at once: one of them stays.
    let me_path = format!("/v1/accounts/{me}");
    let bia_path = format!("/v1/accounts/{bia_id}");
    let (first, second) = tokio::join!(shop.owner.delete(&bia_path), bia.delete(&me_path),);
    let retired = [&first, &second].iter().filter(|a| a.status == 200).count();
    assert_eq!(retired, 1, "{} {}", first.body, second.body);
    server.stop().await;
}
