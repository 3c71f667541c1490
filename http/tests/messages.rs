//! Messages that arrive (issue "Messages that arrive"): the worker in the
//! server's process sends a booking's e-mail through a real SMTP server
//! (aiosmtpd on loopback, `tests/smtp/server.py`, run by the Python that
//! `cargo xtask test` prepares: `AGENDO_TEST_PYTHON`), with the message's
//! id as its `Message-ID`; a refused mailbox is a dead letter with the
//! server's reason, sent again by hand; the staff inbox, templates and
//! their preview over HTTP; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::smtp::Smtp;
use support::{monday_at, salon, Db, Server};

on_both!(
    email_goes_over_starttls_and_tls_and_never_in_clear_when_tls_is_asked,
    a_booking_email_arrives_with_its_message_id,
    a_refused_mailbox_is_a_dead_letter_sent_again_by_hand,
    templates_are_checked_previewed_and_used,
);

async fn with_smtp(db: Db, smtp: &Smtp) -> Server {
    Server::start_with(
        db,
        &[
            ("AGENDO_SMTP_URL", &smtp.url()),
            ("AGENDO_MAIL_FROM", "Salão da Ana <agenda@salao.example>"),
            ("AGENDO_PUBLIC_URL", "https://agenda.salao.example"),
        ],
    )
    .await
}

/// Waits up to 20 s for the business's messages to satisfy `done`.
async fn messages_until(
    api: &support::Api,
    query: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..200 {
        let answer = api.get(&format!("/v1/messages{query}")).await.expect(200);
        let items = answer.body.as_array().unwrap().clone();
        if done(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the messages never got there");
}

async fn a_booking_email_arrives_with_its_message_id(db: Db) {
    let smtp = Smtp::start();
    let server = with_smtp(db, &smtp).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let maria = owner
        .post(
            "/v1/clients",
            json!({"name": "Maria Souza", "email": "maria@example.com", "phone": "(11) 98888-7777"}),
        )
        .await
        .expect(201)
        .text("id");
    let start = monday_at(0, 13);
    owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": maria, "start": start.to_rfc3339()}),
        )
        .await
        .expect(201);
    // No booking moved yet, so nothing of the day before: one e-mail.
    let mails = smtp.wait_for_to("maria@example.com", 1).await;
    let mail = &mails[0];
    assert_eq!(mail["to"], json!(["maria@example.com"]));
    assert_eq!(mail["from"], "agenda@salao.example");
    let body = mail["body"].as_str().unwrap();
    let subject = mail["subject"].as_str().unwrap();
    let sent = messages_until(owner, "?channel=email", |m| {
        m.first().is_some_and(|m| m["status"] == "sent")
    })
    .await;
    let id = sent[0]["id"].as_str().unwrap();
    assert_eq!(mail["message_id"], format!("<{id}@agendo>"));
    assert!(
        subject.starts_with("Agendamento recebido: Corte, seg, "),
        "{subject}"
    );
    assert!(subject.ends_with("às 10:00"), "the local time: {subject}");
    assert!(body.contains("Olá, Maria Souza!"), "{body}");
    assert!(body.contains("R$ 80,00"), "{body}");
    assert!(
        body.contains("https://agenda.salao.example/manage/"),
        "the manage link: {body}"
    );
    assert!(sent[0]["reference"].as_str().unwrap().starts_with("250"));
    // Bia's inbox has the booking; she marks it read.
    let inbox = owner.get("/v1/inbox").await.expect(200);
    let line = &inbox.body[0];
    assert_eq!(line["recipient"], format!("professional/{bia}"));
    assert!(line["title"].as_str().unwrap().contains("Maria Souza"));
    let read = owner
        .post(
            &format!("/v1/inbox/{}/read", line["id"].as_str().unwrap()),
            json!({}),
        )
        .await
        .expect(200);
    assert!(read.body["read_at"].is_string());
    let unread = owner.get("/v1/inbox?unread=true").await.expect(200);
    assert_eq!(unread.body.as_array().unwrap().len(), 0);
    // A message id that is not a message is not found, a bad filter named.
    owner
        .post(
            &format!("/v1/inbox/{}/read", uuid::Uuid::new_v4()),
            json!({}),
        )
        .await
        .expect(404);
    let bad = owner.get("/v1/messages?status=lost").await.expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "status", "{}", bad.body);
    server.stop().await;
}

/// Books for a client with `email`; the business's owner.
async fn book_for(server: &Server, email: &str) -> support::Api {
    let (shop, service, bia) = salon(server, "dona@salao.com.br").await;
    let owner = shop.owner;
    let client = owner
        .post("/v1/clients", json!({"name": "Maria", "email": email}))
        .await
        .expect(201)
        .text("id");
    owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": client,
                "start": monday_at(0, 13).to_rfc3339()}),
        )
        .await
        .expect(201);
    owner
}

async fn email_goes_over_starttls_and_tls_and_never_in_clear_when_tls_is_asked(db: Db) {
    for (mode, scheme, query) in [
        ("--starttls", "smtp", "?tls=required"),
        ("--tls", "smtps", ""),
    ] {
        let smtp = Smtp::start_tls(mode);
        let url = format!("{scheme}://localhost:{}{query}", smtp.port);
        let ca = smtp.ca().display().to_string();
        let server = Server::start_with(
            db,
            &[("AGENDO_SMTP_URL", &url), ("AGENDO_SMTP_CA_FILE", &ca)],
        )
        .await;
        let owner = book_for(&server, "maria@example.com").await;
        for _ in 0..100 {
            if !smtp.mails_to("maria@example.com").is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let seen = owner.get("/v1/messages?channel=email").await.expect(200);
        assert!(
            !smtp.mails_to("maria@example.com").is_empty(),
            "{mode}: {}",
            seen.body
        );
        let mails = smtp.mails_to("maria@example.com");
        assert!(
            mails[0]["subject"].as_str().unwrap().contains("Corte"),
            "{mode}"
        );
        server.stop().await;
    }
    // A server that does not offer STARTTLS, when TLS is asked for: nothing
    // goes in clear; the message waits with the reason.
    let plain = Smtp::start();
    let server = Server::start_with(
        db,
        &[(
            "AGENDO_SMTP_URL",
            &format!("smtp://127.0.0.1:{}?tls=required", plain.port),
        )],
    )
    .await;
    let owner = book_for(&server, "maria@example.com").await;
    let waiting = messages_until(&owner, "?channel=email", |m| {
        m.first().is_some_and(|m| m["last_error"].is_string())
    })
    .await;
    assert_eq!(waiting[0]["status"], "pending");
    assert!(plain.mails().is_empty(), "nothing was sent in clear");
    server.stop().await;
}

async fn a_refused_mailbox_is_a_dead_letter_sent_again_by_hand(db: Db) {
    let smtp = Smtp::start();
    let server = with_smtp(db, &smtp).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let client = owner
        .post(
            "/v1/clients",
            json!({"name": "Rui", "email": "refuse-rui@example.com"}),
        )
        .await
        .expect(201)
        .text("id");
    owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": client,
                "start": monday_at(0, 14).to_rfc3339()}),
        )
        .await
        .expect(201);
    let dead = messages_until(owner, "?status=dead", |m| !m.is_empty()).await;
    assert_eq!(dead.len(), 1);
    let reason = dead[0]["last_error"].as_str().unwrap();
    assert!(
        reason.contains("550"),
        "the server's reason is kept: {reason}"
    );
    assert_eq!(dead[0]["attempts"], 1, "a permanent refusal is not retried");
    let id = dead[0]["id"].as_str().unwrap();
    // Sent again by hand: refused again, dead again, two attempts in all
    // would be wrong: it starts from zero.
    let resent = owner
        .post(&format!("/v1/messages/{id}/resend"), json!({}))
        .await
        .expect(200);
    assert_eq!(resent.body["attempts"], 0);
    messages_until(owner, "?status=dead", |m| {
        m.first()
            .is_some_and(|m| m["attempts"] == 1 && m["status"] == "dead")
    })
    .await;
    // Only a dead message is sent again.
    let line = support::inbox_line(owner).await;
    let refused = owner
        .reading("pt-BR")
        .post(&format!("/v1/messages/{line}/resend"), json!({}))
        .await
        .expect(409);
    assert_eq!(refused.body["code"], "message_not_dead");
    assert!(
        smtp.mails_to("refuse-rui@example.com").is_empty(),
        "nothing was accepted"
    );
    server.stop().await;
}

async fn templates_are_checked_previewed_and_used(db: Db) {
    let smtp = Smtp::start();
    let server = with_smtp(db, &smtp).await;
    let (shop, service, bia) = salon(&server, "dona@salao.com.br").await;
    let owner = &shop.owner;
    let all = owner.get("/v1/templates").await.expect(200);
    assert_eq!(all.body.as_array().unwrap().len(), 8 * 3 * 2);
    // An unknown variable is refused, named, in the reader's language.
    let bad = owner
        .reading("pt-BR")
        .put(
            "/v1/templates/payment_due/email/pt-BR",
            json!({"title": "Vence hoje", "body": "{{service}} vence hoje"}),
        )
        .await
        .expect(422);
    assert_eq!(bad.body["errors"][0]["field"], "body", "{}", bad.body);
    assert!(
        bad.body["detail"].as_str().unwrap().contains("{{service}}"),
        "{}",
        bad.body
    );
    owner
        .put(
            "/v1/templates/nonsense/email/pt-BR",
            json!({"title": "x", "body": "y"}),
        )
        .await
        .expect(422);
    let own = owner
        .put(
            "/v1/templates/booking_made/email/pt-BR",
            json!({"title": "Marcado: {{when}}", "body": "Oi {{client}}! {{service}} com {{professional}}, {{price}}."}),
        )
        .await
        .expect(200);
    assert_eq!(own.body["custom"], true);
    let maria = owner
        .post(
            "/v1/clients",
            json!({"name": "Maria Souza", "email": "maria@example.com"}),
        )
        .await
        .expect(201)
        .text("id");
    let booking = owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": bia, "client_id": maria,
                "start": monday_at(0, 13).to_rfc3339()}),
        )
        .await
        .expect(201)
        .text("id");
    let preview = owner
        .post(
            "/v1/templates/preview",
            json!({"topic": "booking_made", "form": "email", "lang": "pt-BR", "booking_id": booking}),
        )
        .await
        .expect(200);
    assert_eq!(
        preview.body["body"],
        "Oi Maria Souza! Corte com Bia, R$ 80,00."
    );
    let mails = smtp.wait_for_to("maria@example.com", 1).await;
    assert_eq!(
        mails[0]["body"].as_str().unwrap().trim(),
        "Oi Maria Souza! Corte com Bia, R$ 80,00."
    );
    assert!(mails[0]["subject"]
        .as_str()
        .unwrap()
        .starts_with("Marcado: seg, "));
    // A preview of a text not saved, and of a booking not there.
    let draft = owner
        .post(
            "/v1/templates/preview",
            json!({"topic": "reminder_day_before", "form": "text", "lang": "en",
                "body": "See you {{when}}", "booking_id": booking}),
        )
        .await
        .expect(200);
    assert!(
        draft.body["body"]
            .as_str()
            .unwrap()
            .starts_with("See you Mon "),
        "{}",
        draft.body
    );
    owner
        .post(
            "/v1/templates/preview",
            json!({"topic": "booking_made", "form": "email", "lang": "pt-BR",
                "booking_id": uuid::Uuid::new_v4().to_string()}),
        )
        .await
        .expect(404);
    owner
        .delete("/v1/templates/booking_made/email/pt-BR")
        .await
        .expect(204);
    let back = owner.get("/v1/templates").await.expect(200);
    assert!(back
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["custom"] == false));
    server.stop().await;
}
