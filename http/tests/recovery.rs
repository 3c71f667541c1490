//! Account recovery (R4) over HTTP, with e-mail through a real SMTP server
//! (aiosmtpd): a registration sends a verification link; a forgotten
//! password is reset by a link that works once, within the hour, and ends
//! the old sign-ins; asking answers alike for unknown e-mails; asking too
//! often is refused; on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::smtp::Smtp;
use support::{Db, Server};

on_both!(a_forgotten_password_is_reset_by_a_link_once_and_an_email_verified);

/// The token of the link in `mail`'s body.
async fn a_forgotten_password_is_reset_by_a_link_once_and_an_email_verified(db: Db) {
    let smtp = Smtp::start();
    let server = Server::start_with(
        db,
        &[
            ("AGENDO_SMTP_URL", &smtp.url()),
            ("AGENDO_PUBLIC_URL", "https://agenda.salao.example"),
        ],
    )
    .await;
    let shop = support::register(&server, "Salão da Ana", "dona@salao.com.br").await;
    // Registering sends a link to verify the e-mail.
    let mails = smtp.wait_for_to("dona@salao.com.br", 1).await;
    assert!(
        mails[0]["subject"].as_str().unwrap().contains("Confirme"),
        "{}",
        mails[0]
    );
    let verify = support::smtp::link_secret(&mails[0], "verify-email");
    let me = shop.owner.get("/v1/accounts/me").await.expect(200);
    assert!(me.body["email_verified_at"].is_null());
    server
        .anonymous()
        .post("/v1/auth/email/verify", json!({"token": verify}))
        .await
        .expect(204);
    let me = shop.owner.get("/v1/accounts/me").await.expect(200);
    assert!(me.body["email_verified_at"].is_string(), "{}", me.body);
    server
        .anonymous()
        .post("/v1/auth/email/verify", json!({"token": verify}))
        .await
        .expect(422);

    // The same answer for an e-mail with an account and one without.
    let anyone = server.anonymous();
    let known = anyone
        .post(
            "/v1/auth/password/forgot",
            json!({"email": "dona@salao.com.br"}),
        )
        .await
        .expect(202);
    let unknown = anyone
        .post(
            "/v1/auth/password/forgot",
            json!({"email": "ninguem@salao.com.br"}),
        )
        .await
        .expect(202);
    assert_eq!(known.body, unknown.body);
    let mails = smtp.wait_for_to("dona@salao.com.br", 2).await;
    let reset = support::smtp::link_secret(&mails[1], "reset-password");
    assert!(mails[1]["body"]
        .as_str()
        .unwrap()
        .contains("https://agenda.salao.example/reset-password#token="));
    assert!(smtp.mails_to("ninguem@salao.com.br").is_empty());

    // A weak password is refused, the link still good; then it works once.
    let weak = anyone
        .post(
            "/v1/auth/password/reset",
            json!({"token": reset, "password": "123"}),
        )
        .await
        .expect(422);
    assert_eq!(weak.body["errors"][0]["field"], "password");
    anyone
        .post(
            "/v1/auth/password/reset",
            json!({"token": reset, "password": "nova-senha-do-salao"}),
        )
        .await
        .expect(204);
    let again = anyone
        .reading("pt-BR")
        .post(
            "/v1/auth/password/reset",
            json!({"token": reset, "password": "outra-senha-do-salao"}),
        )
        .await
        .expect(422);
    assert_eq!(again.body["errors"][0]["field"], "token");
    // The old sign-in is over; the new password signs in.
    anyone
        .post("/v1/auth/refresh", json!({"refresh_token": shop.refresh}))
        .await
        .expect(401);
    support::sign_in(&server, "dona@salao.com.br", "nova-senha-do-salao").await;

    // A link older than an hour no longer works.
    anyone
        .post(
            "/v1/auth/password/forgot",
            json!({"email": "dona@salao.com.br"}),
        )
        .await
        .expect(202);
    let mails = smtp.wait_for_to("dona@salao.com.br", 3).await;
    let late = support::smtp::link_secret(&mails[2], "reset-password");
    server.state.clock.advance(chrono::Duration::minutes(61));
    anyone
        .post(
            "/v1/auth/password/reset",
            json!({"token": late, "password": "mais-uma-senha-nova"}),
        )
        .await
        .expect(422);
    // Three links an hour per e-mail: the fourth is refused with a wait.
    for _ in 0..3 {
        anyone
            .post(
                "/v1/auth/password/forgot",
                json!({"email": "dona@salao.com.br"}),
            )
            .await
            .expect(202);
    }
    let limited = anyone
        .post(
            "/v1/auth/password/forgot",
            json!({"email": "dona@salao.com.br"}),
        )
        .await
        .expect(429);
    assert!(limited.headers.get("retry-after").is_some());
    server.stop().await;
}
