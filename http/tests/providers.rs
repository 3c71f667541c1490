//! WhatsApp and SMS through a business's own provider account, against
//! local servers of ours that check the documented request (path, auth,
//! body) and answer with the documented bodies: success, a number the
//! provider refuses, a rate limit and a provider's outage; on both
//! databases. Credentials are sealed in the database and never sent back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use support::{monday_at, salon, Api, Db, Server};

on_both!(
    whatsapp_template_messages_go_out_and_refusals_are_told_apart,
    sms_goes_out_through_twilio_and_refusals_are_told_apart,
);

const PHONE_NUMBER_ID: &str = "106540352242922";
const WHATSAPP_TOKEN: &str = "EAAG-test-token-do-not-log";
const ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const AUTH_TOKEN: &str = "twilio-auth-token-do-not-log";
const FROM: &str = "+5511999990000";

/// What the fake providers saw: each accepted request, and what in a
/// request broke the documented form.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<Value>>>,
    wrong: Arc<Mutex<Vec<String>>>,
}

impl Seen {
    fn wrong(&self, what: String) {
        self.wrong.lock().unwrap().push(what);
    }
}

/// The answer for a recipient, by the end of its number: `0000` refused,
/// `1111` rate limited, `2222` an outage, any other accepted.
fn outcome(to: &str) -> &'static str {
    if to.ends_with("0000") {
        "refused"
    } else if to.ends_with("1111") {
        "limited"
    } else if to.ends_with("2222") {
        "down"
    } else {
        "ok"
    }
}

async fn whatsapp(
    State(seen): State<Seen>,
    Path(phone_number_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if phone_number_id != PHONE_NUMBER_ID {
        seen.wrong(format!("phone number id {phone_number_id}"));
    }
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth != Some(&format!("Bearer {WHATSAPP_TOKEN}")) {
        seen.wrong(format!("authorization {auth:?}"));
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    for (field, want) in [
        ("messaging_product", "whatsapp"),
        ("type", "template"),
        ("recipient_type", "individual"),
    ] {
        if body[field] != want {
            seen.wrong(format!("{field} = {}", body[field]));
        }
    }
    if !to.bytes().all(|b| b.is_ascii_digit()) || to.is_empty() {
        seen.wrong(format!("to {to:?} is not digits"));
    }
    if body["template"]["components"][0]["type"] != "body" {
        seen.wrong(format!("components {}", body["template"]["components"]));
    }
    seen.requests.lock().unwrap().push(body);
    match outcome(&to) {
        "refused" => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": "(#131026) Message Undeliverable",
                "type": "OAuthException", "code": 131026,
                "error_data": {"messaging_product": "whatsapp", "details": "Message Undeliverable."},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"}})),
        )
            .into_response(),
        "limited" => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": "(#130429) Rate limit hit",
                "type": "OAuthException", "code": 130429,
                "error_data": {"messaging_product": "whatsapp",
                    "details": "Cloud API message throughput has been reached."},
                "fbtrace_id": "A2ojXH2bN7XbJH9Dy9k4uD1"}})),
        )
            .into_response(),
        "down" => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"error": {"message": "(#2) Service temporarily unavailable",
                "type": "OAuthException", "code": 2, "fbtrace_id": "AbCdEf"}})),
        )
            .into_response(),
        _ => axum::Json(json!({"messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": format!("wamid.HBgLNTUx{to}")}]}))
        .into_response(),
    }
}

async fn twilio(
    State(seen): State<Seen>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if sid != ACCOUNT_SID {
        seen.wrong(format!("account {sid}"));
    }
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth != Some(&format!("Basic {basic}")) {
        seen.wrong(format!("authorization {auth:?}"));
    }
    let kind = headers.get("content-type").and_then(|v| v.to_str().ok());
    if kind != Some("application/x-www-form-urlencoded") {
        seen.wrong(format!("content type {kind:?}"));
    }
    let form: std::collections::BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let to = form.get("To").cloned().unwrap_or_default();
    if !to.starts_with('+') {
        seen.wrong(format!("To {to:?}"));
    }
    if form.get("From").map(String::as_str) != Some(FROM) {
        seen.wrong(format!("From {:?}", form.get("From")));
    }
    if form.get("Body").is_none_or(|b| b.is_empty()) {
        seen.wrong("an empty Body".to_owned());
    }
    seen.requests.lock().unwrap().push(json!(form));
    let error = |status: StatusCode, code: u32, message: String| {
        (
            status,
            axum::Json(json!({"code": code, "message": message,
                "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
                "status": status.as_u16()})),
        )
    };
    match outcome(&to) {
        "refused" => error(
            StatusCode::BAD_REQUEST,
            21211,
            format!("The 'To' number {to} is not a valid phone number."),
        )
        .into_response(),
        "limited" => {
            let mut answer = error(
                StatusCode::TOO_MANY_REQUESTS,
                20429,
                "Too Many Requests".into(),
            )
            .into_response();
            answer
                .headers_mut()
                .insert("retry-after", "120".parse().unwrap());
            answer
        }
        "down" => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            20500,
            "Internal Server Error".into(),
        )
        .into_response(),
        _ => (
            StatusCode::CREATED,
            axum::Json(
                json!({"account_sid": ACCOUNT_SID, "api_version": "2010-04-01",
                "body": form.get("Body"), "direction": "outbound-api", "from": FROM,
                "sid": format!("SM{}", "b".repeat(32)), "status": "queued", "to": to}),
            ),
        )
            .into_response(),
    }
}

/// Both fake providers on one loopback port.
async fn providers() -> (String, Seen) {
    let seen = Seen::default();
    let app = Router::new()
        .route("/v23.0/{id}/messages", post(whatsapp))
        .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, seen)
}

async fn server_for(db: Db, base: &str) -> Server {
    Server::start_with(
        db,
        &[
            ("AGENDO_WHATSAPP_API_URL", &format!("{base}/v23.0")),
            ("AGENDO_TWILIO_API_URL", base),
        ],
    )
    .await
}

/// Books `service` with `staff` for a client with each phone ending;
/// the clients' ids by ending.
async fn book_four(owner: &Api, service: &str, staff: &str) -> Vec<(String, String)> {
    let mut clients = Vec::new();
    for (hour, end) in [(12, "1234"), (13, "0000"), (14, "1111"), (15, "2222")] {
        let client = owner
            .post(
                "/v1/clients",
                json!({"name": format!("Cliente {end}"), "phone": format!("(11) 98888-{end}")}),
            )
            .await
            .expect(201)
            .text("id");
        owner
            .post(
                "/v1/bookings",
                json!({"service_id": service, "staff_id": staff, "client_id": client,
                    "start": monday_at(0, hour).to_rfc3339()}),
            )
            .await
            .expect(201);
        clients.push((end.to_owned(), client));
    }
    clients
}

/// The messages on `channel` once each was tried (20 s at most), by the
/// end of their address.
async fn tried(owner: &Api, channel: &str) -> Vec<(String, Value)> {
    for _ in 0..200 {
        let list = owner
            .get(&format!("/v1/messages?channel={channel}"))
            .await
            .expect(200);
        let items = list.body.as_array().unwrap().clone();
        // Each tried and its outcome recorded (a claimed message in flight
        // has its attempt counted but no outcome yet).
        let settled = |m: &Value| m["status"] != "pending" || m["last_error"].is_string();
        if items.len() == 4 && items.iter().all(settled) {
            return items
                .into_iter()
                .map(|m| {
                    let address = m["address"].as_str().unwrap();
                    (address[address.len() - 4..].to_owned(), m)
                })
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = owner
        .get(&format!("/v1/messages?channel={channel}"))
        .await
        .expect(200);
    panic!("the {channel} messages were not all tried: {}", list.body);
}

fn by_end<'a>(messages: &'a [(String, Value)], end: &str) -> &'a Value {
    &messages.iter().find(|(e, _)| e == end).unwrap().1
}

/// The sealed credentials of the business's channels, as stored.
async fn sealed(server: &Server, business: &str) -> Vec<Vec<u8>> {
    let business = agendo_core::ids::BusinessId::parse(business).unwrap();
    let mut work = server
        .state
        .agenda
        .store()
        .begin(business, agendo_core::store::Access::Read)
        .await
        .unwrap();
    work.channel_setups()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.sealed)
        .collect()
}

async fn whatsapp_template_messages_go_out_and_refusals_are_told_apart(db: Db) {
    let (base, seen) = providers().await;
    let server = server_for(db, &base).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    // Bad settings are refused, named; nothing is kept.
    let bad = owner
        .put(
            "/v1/channels/whatsapp",
            json!({"phone_number_id": "abc", "access_token": WHATSAPP_TOKEN}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "phone_number_id");
    let bad = owner
        .put(
            "/v1/channels/whatsapp",
            json!({"phone_number_id": PHONE_NUMBER_ID, "access_token": " "}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "access_token");
    assert_eq!(owner.get("/v1/channels").await.expect(200).body, json!([]));
    let set = owner
        .put(
            "/v1/channels/whatsapp",
            json!({"phone_number_id": PHONE_NUMBER_ID, "access_token": WHATSAPP_TOKEN}),
        )
        .await
        .expect(200);
    assert_eq!(set.body["settings"]["template_prefix"], "agendo_");
    let listed = owner.get("/v1/channels").await.expect(200);
    assert!(
        !listed.body.to_string().contains(WHATSAPP_TOKEN),
        "{}",
        listed.body
    );
    assert_eq!(listed.body[0]["credentials_set"], true);
    for bytes in sealed(&server, &shop.business).await {
        assert!(
            !bytes
                .windows(WHATSAPP_TOKEN.len())
                .any(|w| w == WHATSAPP_TOKEN.as_bytes()),
            "the token is sealed in the database"
        );
    }

    book_four(owner, &service, &bia).await;
    let messages = tried(owner, "whatsapp").await;
    let ok = by_end(&messages, "1234");
    assert_eq!(ok["status"], "sent");
    assert_eq!(ok["reference"], "wamid.HBgLNTUx5511988881234");
    let refused = by_end(&messages, "0000");
    assert_eq!(refused["status"], "dead", "{refused}");
    assert!(refused["last_error"].as_str().unwrap().contains("131026"));
    let limited = by_end(&messages, "1111");
    assert_eq!(limited["status"], "pending", "a rate limit is tried again");
    assert!(limited["last_error"].as_str().unwrap().contains("130429"));
    assert!(limited["next_at"].is_string());
    let down = by_end(&messages, "2222");
    assert_eq!(down["status"], "pending", "an outage is tried again");
    assert!(down["last_error"].as_str().unwrap().contains("503"));

    // The documented request: the template by topic, in the business's
    // language, the topic's variables in order, the message's id.
    assert_eq!(*seen.wrong.lock().unwrap(), Vec::<String>::new());
    let requests = seen.requests.lock().unwrap().clone();
    let sent = requests
        .iter()
        .find(|r| r["to"] == "5511988881234")
        .unwrap();
    assert_eq!(sent["template"]["name"], "agendo_booking_made");
    assert_eq!(sent["template"]["language"]["code"], "pt_BR");
    let parameters = sent["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap();
    assert_eq!(
        parameters.len(),
        9,
        "client, service, professional, when, date, time, price, business, link"
    );
    assert_eq!(parameters[0]["text"], "Cliente 1234");
    assert_eq!(parameters[6]["text"], "R$ 80,00");
    assert_eq!(sent["biz_opaque_callback_data"], ok["id"]);

    owner.delete("/v1/channels/whatsapp").await.expect(204);
    owner.delete("/v1/channels/whatsapp").await.expect(404);
    server.stop().await;
}

async fn sms_goes_out_through_twilio_and_refusals_are_told_apart(db: Db) {
    let (base, seen) = providers().await;
    let server = server_for(db, &base).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let bad = owner
        .put(
            "/v1/channels/sms",
            json!({"account_sid": "AC123", "auth_token": AUTH_TOKEN, "from": FROM}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "account_sid");
    let bad = owner
        .put(
            "/v1/channels/sms",
            json!({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "from": "0800"}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "from");
    owner
        .put(
            "/v1/channels/sms",
            json!({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "from": "(11) 99999-0000"}),
        )
        .await
        .expect(200);
    let listed = owner.get("/v1/channels").await.expect(200);
    assert!(!listed.body.to_string().contains(AUTH_TOKEN));
    assert_eq!(listed.body[0]["settings"]["from"], FROM);

    book_four(owner, &service, &bia).await;
    let messages = tried(owner, "sms").await;
    let ok = by_end(&messages, "1234");
    assert_eq!(ok["status"], "sent");
    assert_eq!(ok["reference"], format!("SM{}", "b".repeat(32)));
    let refused = by_end(&messages, "0000");
    assert_eq!(refused["status"], "dead");
    assert!(refused["last_error"].as_str().unwrap().contains("21211"));
    let limited = by_end(&messages, "1111");
    assert_eq!(limited["status"], "pending");
    assert!(limited["last_error"].as_str().unwrap().contains("20429"));
    // Twilio asked for 120 s: the retry waits at least that.
    let next: chrono::DateTime<chrono::Utc> = limited["next_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next >= chrono::Utc::now() + chrono::Duration::seconds(100),
        "{next}"
    );
    let down = by_end(&messages, "2222");
    assert_eq!(down["status"], "pending");
    assert!(down["last_error"].as_str().unwrap().contains("500"));

    assert_eq!(*seen.wrong.lock().unwrap(), Vec::<String>::new());
    let requests = seen.requests.lock().unwrap().clone();
    let sent = requests
        .iter()
        .find(|r| r["To"] == "+5511988881234")
        .unwrap();
    let text = sent["Body"].as_str().unwrap();
    assert!(text.starts_with("Olá, Cliente 1234!"), "{text}");
    assert!(text.contains("R$ 80,00"), "{text}");
    server.stop().await;
}

/// The state of a host over the SQLite file `db` with channel `keys`.
async fn host(db: &std::path::Path, keys: &str) -> agendo_http::state::AppState {
    let vars = std::collections::HashMap::from([
        (
            "DATABASE_URL".to_owned(),
            format!("sqlite:{}", db.display()),
        ),
        ("AGENDO_CHANNEL_KEYS".to_owned(), keys.to_owned()),
        (
            "AGENDO_SECRET".to_owned(),
            "a-test-secret-of-at-least-32-bytes!!".to_owned(),
        ),
    ]);
    let config = agendo_http::config::Config::from_vars(|name| vars.get(name).cloned()).unwrap();
    agendo_http::state(config).await.unwrap()
}

/// Rotating the channel key: a new key first, the old one after it,
/// `agendo reseal`, then the old key dropped; what no key opens is
/// counted, not lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_with_reseal() {
    let key = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agendo.db");
    let old = key(1);
    let first = Server::start_with(
        Db::Sqlite,
        &[
            ("DATABASE_URL", &format!("sqlite:{}", db.display())),
            ("AGENDO_CHANNEL_KEYS", &old),
            ("AGENDO_SECRET", "a-test-secret-of-at-least-32-bytes!!"),
        ],
    )
    .await;
    let shop = support::register(&first, "Salão da Ana", "dona@salao.com.br").await;
    shop.owner
        .put(
            "/v1/channels/whatsapp",
            json!({"phone_number_id": PHONE_NUMBER_ID, "access_token": WHATSAPP_TOKEN}),
        )
        .await
        .expect(200);
    first.stop().await;

    let both = host(&db, &format!("{}, {old}", key(2))).await;
    let done = agendo_http::channels::reseal(&both).await.unwrap();
    assert_eq!((done.resealed, done.current, done.unopened), (1, 0, 0));
    both.db.close().await;
    let new = host(&db, &key(2)).await;
    let done = agendo_http::channels::reseal(&new).await.unwrap();
    assert_eq!((done.resealed, done.current, done.unopened), (0, 1, 0));
    let business = agendo_core::ids::BusinessId::parse(&shop.business).unwrap();
    let setups = new
        .agenda
        .channel_setups(&agendo_core::agenda::Context::staff(business, new.now()))
        .await
        .unwrap();
    let (credentials, newest) = new.channels.open(business, &setups[0]).unwrap();
    assert!(newest);
    assert_eq!(credentials["access_token"], WHATSAPP_TOKEN);
    new.db.close().await;
    let lost = host(&db, &key(3)).await;
    let done = agendo_http::channels::reseal(&lost).await.unwrap();
    assert_eq!((done.resealed, done.current, done.unopened), (0, 0, 1));
    lost.db.close().await;
}
