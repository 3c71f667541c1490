//! Outgoing webhooks (R46) against a receiver of ours on loopback that
//! checks each delivery's signature: signed deliveries, the log, a replay
//! with the same delivery id, a receiver answering 500 then 200 (retried),
//! one answering 410 (disabled), one that hangs (timed out and retried);
//! on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use support::{monday_at, salon, Api, Db, Server};

on_both!(webhooks_are_signed_logged_retried_replayed_and_stopped);

/// One post the receiver got: its path's last part, the delivery id, the
/// event type, the body, and whether the signature was good.
type Post = (String, String, String, Value, bool);

/// What the receiver got, the secrets it checks signatures with, and the
/// tries of the flaky path.
#[derive(Clone, Default)]
struct Received {
    posts: Arc<Mutex<Vec<Post>>>,
    secrets: Arc<Mutex<Vec<String>>>,
    flaky: Arc<Mutex<u32>>,
}

fn signed_by(secrets: &[String], headers: &HeaderMap, body: &str) -> bool {
    let Some(signature) = headers
        .get("agendo-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut t = None;
    let mut v1 = None;
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    // A receiver refuses a stamp far from its clock: a replayed request.
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    secrets.iter().any(|secret| {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        ring::hmac::verify(&key, format!("{t}.{body}").as_bytes(), &v1).is_ok()
    })
}

async fn receive(
    State(received): State<Received>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let good = signed_by(&received.secrets.lock().unwrap(), &headers, &body);
    received.posts.lock().unwrap().push((
        kind.clone(),
        header("agendo-delivery"),
        header("agendo-event"),
        serde_json::from_str(&body).unwrap_or(Value::Null),
        good,
    ));
    match kind.as_str() {
        "gone" => StatusCode::GONE,
        "hang" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::OK
        }
        "flaky" => {
            let mut tries = received.flaky.lock().unwrap();
            *tries += 1;
            if *tries == 1 {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            }
        }
        _ => StatusCode::NO_CONTENT,
    }
}

async fn receiver() -> (String, Received) {
    let received = Received::default();
    let app = Router::new()
        .route("/hooks/{kind}", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, received)
}

async fn endpoint(owner: &Api, received: &Received, url: String) -> String {
    let made = owner
        .post(
            "/v1/webhooks",
            json!({"url": url, "events": ["booking_created", "booking_cancelled"]}),
        )
        .await
        .expect(201);
    let secret = made.text("secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    received.secrets.lock().unwrap().push(secret);
    made.text("id")
}

/// The endpoint's log once `done` holds (20 s at most).
async fn log_until(owner: &Api, endpoint: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..200 {
        let log = owner
            .get(&format!("/v1/webhooks/{endpoint}/deliveries"))
            .await
            .expect(200);
        let items = log.body.as_array().unwrap().clone();
        if done(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = owner
        .get(&format!("/v1/webhooks/{endpoint}/deliveries"))
        .await
        .expect(200);
    panic!("the log of {endpoint} never got there: {}", log.body);
}

async fn webhooks_are_signed_logged_retried_replayed_and_stopped(db: Db) {
    let (base, received) = receiver().await;
    let server = Server::start_with(
        db,
        &[
            ("AGENDO_WEBHOOKS_ALLOW_INTERNAL", "true"),
            ("AGENDO_SEND_TIMEOUT_SECONDS", "1"),
        ],
    )
    .await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let bad = owner
        .post(
            "/v1/webhooks",
            json!({"url": "ftp://crm.example.com", "events": ["booking_created"]}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "url");
    let bad = owner
        .post(
            "/v1/webhooks",
            json!({"url": format!("{base}/hooks/ok"), "events": ["booking_eaten"]}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "events[0]");
    let ok = endpoint(owner, &received, format!("{base}/hooks/ok")).await;
    let flaky = endpoint(owner, &received, format!("{base}/hooks/flaky")).await;
    let gone = endpoint(owner, &received, format!("{base}/hooks/gone")).await;
    let hang = endpoint(owner, &received, format!("{base}/hooks/hang")).await;
    let listed = owner.get("/v1/webhooks").await.expect(200);
    assert_eq!(listed.body.as_array().unwrap().len(), 4);
    assert!(
        listed.body[0].get("secret").is_none(),
        "the secret is shown once"
    );

    let client = owner
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201)
        .text("id");
    let booking = owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": client,
                "start": monday_at(0, 13).to_rfc3339()}),
        )
        .await
        .expect(201)
        .text("id");

    // Delivered, signed, logged with status and latency.
    let log = log_until(owner, &ok, |l| {
        l.first().is_some_and(|d| d["status"] == "sent")
    })
    .await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event_type"], "booking_created");
    assert_eq!(log[0]["last_status"], 204);
    assert!(log[0]["latency_ms"].is_u64());
    let delivery = log[0]["id"].as_str().unwrap().to_owned();
    {
        let posts = received.posts.lock().unwrap();
        let (_, id, event, body, good) = posts.iter().find(|p| p.0 == "ok").unwrap();
        assert!(good, "the signature checks out");
        assert_eq!(id, &delivery);
        assert_eq!(event, "booking_created");
        assert_eq!(body["type"], "booking_created");
        assert_eq!(body["booking"], booking.as_str());
        assert_eq!(body["business_id"], shop.business.as_str());
        assert_eq!(body["delivery_id"], delivery.as_str());
    }
    // A replay posts the same delivery again.
    let replayed = owner
        .post(
            &format!("/v1/webhooks/{ok}/deliveries/{delivery}/replay"),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(replayed.body["attempts"], 0);
    log_until(owner, &ok, |l| {
        l.first()
            .is_some_and(|d| d["status"] == "sent" && d["attempts"] == 1)
    })
    .await;
    for _ in 0..100 {
        let again = received
            .posts
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.0 == "ok" && p.1 == delivery)
            .count();
        if again == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        received
            .posts
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.0 == "ok" && p.1 == delivery)
            .count(),
        2,
        "the replay carries the same delivery id"
    );

    // 410: the endpoint is disabled, and says why.
    log_until(owner, &gone, |l| {
        l.first().is_some_and(|d| d["status"] == "dead")
    })
    .await;
    let disabled = owner.get(&format!("/v1/webhooks/{gone}")).await.expect(200);
    assert_eq!(disabled.body["active"], false);
    assert!(disabled.body["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("410"));

    // 500, then retried; a receiver that hangs is timed out and retried.
    let failed = log_until(owner, &flaky, |l| {
        l.first().is_some_and(|d| d["last_status"] == 500)
    })
    .await;
    assert_eq!(failed[0]["status"], "pending");
    let hung = log_until(owner, &hang, |l| {
        l.first().is_some_and(|d| d["last_error"].is_string())
    })
    .await;
    assert_eq!(hung[0]["status"], "pending");
    assert!(
        hung[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("within 1 s"),
        "{}",
        hung[0]
    );
    server.state.clock.advance(chrono::Duration::minutes(2));
    log_until(owner, &flaky, |l| {
        l.first()
            .is_some_and(|d| d["status"] == "sent" && d["attempts"] == 2)
    })
    .await;

    // Another business cannot see or replay them.
    let other = support::register(&server, "Barbearia do Zé", "ze@barbearia.com.br").await;
    other
        .owner
        .get(&format!("/v1/webhooks/{ok}/deliveries"))
        .await
        .expect(404);
    owner
        .delete(&format!("/v1/webhooks/{ok}"))
        .await
        .expect(204);
    owner.get(&format!("/v1/webhooks/{ok}")).await.expect(404);
    server.stop().await;
}
