//! The pages' security, without a browser (the browser test,
//! `http/tests/browser/run.py`, drives them end to end): the policy with
//! a fresh nonce on every page, the cookies' flags, a form refused without
//! its CSRF token (and nothing stored), the staff area behind a sign-in
//! that signing out ends, and another business's pages answering 404; on
//! both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{Db, Server};

on_both!(
    every_page_has_its_own_nonce_and_no_inline_anything,
    a_form_without_its_token_is_refused_and_stores_nothing,
    the_staff_area_needs_a_sign_in_keeps_to_its_business_and_signing_out_ends_it,
    a_refused_form_names_the_field_and_keeps_what_was_typed,
    a_client_books_with_a_phone_alone_and_is_known_by_it_next_time,
    no_address_or_query_makes_a_page_fail,
    the_account_link_pages_verify_an_email_and_reset_a_password_once,
);

/// A browser without a cookie jar: cookies are passed by hand, so each
/// test says which it sends.
struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: Vec<String>,
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl Page {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The value of the first form field `name`.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .html
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in the page"))
            + marker.len();
        self.html[start..].split('"').next().unwrap().to_owned()
    }
}

impl Browser {
    fn new(server: &Server) -> Browser {
        Browser {
            base: server.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }

    fn keep(&mut self, page: &Page) {
        for cookie in page.cookies() {
            let pair = cookie.split(';').next().unwrap().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.cookies.push(pair);
            }
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            request.header("cookie", self.cookies.join("; "))
        };
        let answer = request
            .header("accept-language", "pt-BR")
            .send()
            .await
            .unwrap();
        let page = Page {
            status: answer.status().as_u16(),
            headers: answer.headers().clone(),
            html: answer.text().await.unwrap(),
        };
        self.keep(&page);
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// Signs in on the staff page's form with its token, adding `extra`
    /// fields (`next`).
    async fn sign_in(&mut self, email: &str, password: &str, extra: &[(&str, &str)]) -> Page {
        let csrf = self.get("/staff/sign-in").await.field("csrf");
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ];
        form.extend_from_slice(extra);
        self.post("/staff/sign-in", &form).await
    }
}

fn nonce_of(policy: &str) -> String {
    let start = policy.find("'nonce-").expect("a nonce in the policy") + 7;
    policy[start..].split('\'').next().unwrap().to_owned()
}

async fn every_page_has_its_own_nonce_and_no_inline_anything(db: Db) {
    let server = Server::start(db).await;
    let (shop, _, _) = support::salon(&server, "ana@salao.com").await;
    let mut browser = Browser::new(&server);
    let first = browser.get(&format!("/b/{}", shop.slug)).await;
    assert_eq!(first.status, 200);
    let policy = first.header("content-security-policy");
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    assert!(
        policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    let nonce = nonce_of(&policy);
    assert!(nonce.len() >= 22, "a nonce of 128 bits or more: {nonce}");
    assert!(first.html.contains(&format!("<script nonce=\"{nonce}\"")));
    assert!(!first.html.contains(" style=\"") && !first.html.contains(" onclick="));
    let browser_cookie = first
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("agendo_browser="))
        .expect("a visitor gets the browser cookie");
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(
            browser_cookie.contains(flag),
            "{browser_cookie} lacks {flag}"
        );
    }
    let second = browser.get(&format!("/b/{}", shop.slug)).await;
    assert_ne!(nonce_of(&second.header("content-security-policy")), nonce);
    assert!(
        second.cookies().is_empty(),
        "a known browser keeps its cookie"
    );
    // The assets are the only other requests, from this host, cached.
    let css = browser.get("/assets/app.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("cache-control").contains("immutable"));
    assert!(!css.html.contains("http://") && !css.html.contains("https://"));
    server.stop().await;
}

async fn a_form_without_its_token_is_refused_and_stores_nothing(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = support::salon(&server, "ana@salao.com").await;
    let start = support::monday_at(0, 13).to_rfc3339();
    let mut visitor = Browser::new(&server);
    let path = format!(
        "/b/{}?service={service}&pro={staff}&date={}&start={}",
        shop.slug,
        support::next_monday(),
        start.replace('+', "%2B")
    );
    let form = visitor.get(&path).await;
    assert_eq!(form.status, 200);
    let token = form.field("csrf");
    let key = form.field("key");
    let start_field = form.field("start");
    let fields = |csrf: &'static str| {
        vec![
            ("csrf", csrf),
            ("service", service.as_str()),
            ("pro", staff.as_str()),
            ("name", "Maria Silva"),
            ("email", "maria@example.com"),
        ]
    };
    let book = format!("/b/{}/book", shop.slug);
    // No token, and a token of another browser: refused, nothing stored.
    let mut body = fields("");
    body.extend([("start", start_field.as_str()), ("key", key.as_str())]);
    let refused = visitor.post(&book, &body).await;
    assert_eq!(refused.status, 403);
    assert!(refused.html.contains("Este formulário expirou"));
    let mut stranger = Browser::new(&server);
    stranger.get(&format!("/b/{}", shop.slug)).await;
    let mut body = fields("");
    body[0].1 = &token;
    body.extend([("start", start_field.as_str()), ("key", key.as_str())]);
    assert_eq!(stranger.post(&book, &body).await.status, 403);
    let bookings = shop.owner.get("/v1/bookings").await.expect(200);
    assert_eq!(
        bookings.body.as_array().unwrap().len(),
        0,
        "{:?}",
        bookings.body
    );
    let clients = shop.owner.get("/v1/clients").await.expect(200);
    assert_eq!(clients.body.as_array().unwrap().len(), 0);
    // With its token the same form books, and sending it twice books once.
    let done = visitor.post(&book, &body).await;
    assert_eq!(done.status, 303, "{}", done.html);
    let manage = done.header("location");
    assert!(
        manage.starts_with("/manage/") && manage.ends_with("?new=1"),
        "{manage}"
    );
    let again = visitor.post(&book, &body).await;
    assert_eq!(again.status, 303);
    let bookings = shop.owner.get("/v1/bookings").await.expect(200);
    assert_eq!(bookings.body.as_array().unwrap().len(), 1);
    let page = visitor.get(&manage).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Agendamento feito"));
    // The manage page's forms are bound to its link.
    let cancel = format!("{}/cancel", manage.split('?').next().unwrap());
    let refused = visitor
        .post(&cancel, &[("csrf", &token), ("confirm", "yes")])
        .await;
    assert_eq!(refused.status, 403);
    let bound = page.field("csrf");
    let quote = visitor.post(&cancel, &[("csrf", &bound)]).await;
    assert_eq!(quote.status, 200);
    assert!(
        quote.html.contains("Sim, cancelar"),
        "the cancellation is confirmed first"
    );
    let bookings = shop.owner.get("/v1/bookings").await.expect(200);
    assert_eq!(
        bookings.body[0]["status"], "pending",
        "asking for the fee cancels nothing"
    );
    // The same quote through the API, for the client and for the business.
    let token = manage
        .trim_start_matches("/manage/")
        .split('?')
        .next()
        .unwrap();
    let quote = server
        .anonymous()
        .get(&format!("/v1/manage/{token}/cancellation"))
        .await
        .expect(200);
    assert_eq!(
        quote.body["policy_fee"]["amount"], "0.00",
        "a week's notice is free"
    );
    assert_eq!(quote.body["rule"], "tier");
    let id = bookings.body[0]["id"].as_str().unwrap();
    let quote = shop
        .owner
        .get(&format!("/v1/bookings/{id}/cancellation"))
        .await
        .expect(200);
    assert_eq!(quote.body["rule"], "business_cancelled");
    server.stop().await;
}

async fn the_staff_area_needs_a_sign_in_keeps_to_its_business_and_signing_out_ends_it(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = support::salon(&server, "ana@salao.com").await;
    let other = support::register(&server, "Barbearia do Zé", "ze@barbearia.com").await;
    let client = other
        .owner
        .post("/v1/clients", json!({"name": "Carlos"}))
        .await
        .expect(201)
        .text("id");
    let mut desk = Browser::new(&server);
    let asked = desk.get("/staff/agenda?view=week").await;
    assert_eq!(asked.status, 303);
    assert_eq!(
        asked.header("location"),
        "/staff/sign-in?next=%2Fstaff%2Fagenda%3Fview%3Dweek"
    );
    // The sign-in form's token, bound to the browser and not the session.
    let csrf = desk.get("/staff/sign-in").await.field("csrf");
    let wrong = desk.sign_in("ana@salao.com", "errada-errada", &[]).await;
    assert_eq!(wrong.status, 401);
    let signed = desk
        .sign_in(
            "ana@salao.com",
            "cavalo-bateria-grampo",
            &[("next", "/staff/agenda?view=week")],
        )
        .await;
    assert_eq!(signed.status, 303);
    assert_eq!(signed.header("location"), "/staff/agenda?view=week");
    let cookie = signed
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("agendo_staff="))
        .expect("the staff cookie");
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let agenda = desk.get("/staff/agenda").await;
    assert_eq!(agenda.status, 200);
    assert!(agenda.html.contains("Bia"));
    // A booking made by the API shows; another business's client is 404.
    let maria = shop
        .owner
        .post("/v1/clients", json!({"name": "Maria"}))
        .await
        .expect(201)
        .text("id");
    let booking_id = shop
        .owner
        .post(
            "/v1/bookings",
            json!({"service_id": service, "staff_id": staff, "client_id": maria,
                "start": support::monday_at(0, 13)}),
        )
        .await
        .expect(201)
        .text("id");
    let mine = desk.get(&format!("/staff/bookings/{booking_id}")).await;
    assert_eq!(mine.status, 200);
    assert!(mine.html.contains("Maria"));
    let theirs = desk.get(&format!("/staff/clients/{client}")).await;
    assert_eq!(theirs.status, 404);
    assert!(theirs.html.contains("Página não encontrada"));
    // An action without the session's token is refused and changes nothing.
    let refused = desk
        .post(
            &format!("/staff/bookings/{booking_id}/cancel"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let still = shop
        .owner
        .get(&format!("/v1/bookings/{booking_id}"))
        .await
        .expect(200);
    assert_ne!(still.body["status"], "cancelled");
    // A move the working hours do not allow (00:00 in São Paulo) is
    // refused naming why, not as if someone had taken the time.
    let session_csrf = mine.field("csrf");
    let night = support::monday_at(0, 3).to_rfc3339();
    let moved = desk
        .post(
            &format!("/staff/bookings/{booking_id}/move"),
            &[("csrf", &session_csrf), ("start", &night)],
        )
        .await;
    assert!((400..500).contains(&moved.status), "{}", moved.status);
    assert!(moved.html.contains("Bia não trabalha"), "{}", moved.html);
    assert!(!moved.html.contains("acabou de ser reservado"));
    // Signing out ends the session: the same cookie no longer opens pages.
    let kept = desk.cookies.clone();
    let out = desk
        .post("/staff/sign-out", &[("csrf", &session_csrf)])
        .await;
    assert_eq!(out.status, 303);
    assert!(out
        .cookies()
        .iter()
        .any(|c| c.starts_with("agendo_staff=;") && c.contains("Max-Age=0")));
    desk.cookies = kept;
    let after = desk.get("/staff/agenda").await;
    assert_eq!(
        after.status, 303,
        "a signed-out session's cookie is refused"
    );
    server.stop().await;
}

async fn a_refused_form_names_the_field_and_keeps_what_was_typed(db: Db) {
    let server = Server::start(db).await;
    let mut visitor = Browser::new(&server);
    let form = visitor.get("/register").await;
    let csrf = form.field("csrf");
    let key = form.field("key");
    let refused = visitor
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("business_name", "Estúdio Unhas da Lu"),
                ("timezone", "America/Sao_Paulo"),
                ("currency", "BRL"),
                ("locale", "pt-BR"),
                ("name", "Lu"),
                ("email", "lu@unhas.com"),
                ("password", "curta"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"10\" aria-invalid=\"true\""));
    assert!(
        refused.html.contains("value=\"Estúdio Unhas da Lu\""),
        "what was typed is kept"
    );
    assert!(
        !refused.html.contains("curta"),
        "a password is never sent back"
    );
    let zone = visitor
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("business_name", "Estúdio Unhas da Lu"),
                ("timezone", "America/Sao_Paul"),
                ("currency", "BRL"),
                ("locale", "pt-BR"),
                ("name", "Lu"),
                ("email", "lu@unhas.com"),
                ("password", "cavalo-bateria-grampo"),
            ],
        )
        .await;
    assert_eq!(zone.status, 422);
    assert!(zone.html.contains("id=\"timezone\" name=\"timezone\" list=\"zones\" required value=\"America/Sao_Paul\" aria-invalid=\"true\""));
    server.stop().await;
}

async fn a_client_books_with_a_phone_alone_and_is_known_by_it_next_time(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = support::salon(&server, "ana@salao.com").await;
    let mut visitor = Browser::new(&server);
    let mut book = async |hour: u32, email: &str, phone: &str| {
        let start = support::monday_at(0, hour).to_rfc3339();
        let path = format!(
            "/b/{}?service={service}&pro={staff}&start={}",
            shop.slug,
            start.replace('+', "%2B")
        );
        let form = visitor.get(&path).await;
        let (csrf, key, start) = (form.field("csrf"), form.field("key"), form.field("start"));
        visitor
            .post(
                &format!("/b/{}/book", shop.slug),
                &[
                    ("csrf", &csrf),
                    ("key", &key),
                    ("service", &service),
                    ("pro", &staff),
                    ("start", &start),
                    ("name", "Maria Silva"),
                    ("email", email),
                    ("phone", phone),
                ],
            )
            .await
    };
    let neither = book(13, "", "").await;
    assert_eq!(neither.status, 422);
    assert!(
        neither.html.contains("informe um e-mail ou um telefone"),
        "{}",
        neither.html
    );
    assert!(neither.html.contains("aria-invalid=\"true\""));
    assert_eq!(
        shop.owner
            .get("/v1/clients")
            .await
            .expect(200)
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(book(13, "", "(11) 98765-4321").await.status, 303);
    assert_eq!(book(14, "", "+55 11 98765-4321").await.status, 303);
    let clients = shop.owner.get("/v1/clients").await.expect(200);
    assert_eq!(
        clients.body.as_array().unwrap().len(),
        1,
        "one client, known by the phone: {:?}",
        clients.body
    );
    assert_eq!(clients.body[0]["email"], serde_json::Value::Null);
    let bookings = shop.owner.get("/v1/bookings").await.expect(200);
    assert_eq!(bookings.body.as_array().unwrap().len(), 2);
    // The API takes a phone alone too.
    let answer = server
        .anonymous()
        .post(
            &format!("/v1/public/{}/bookings", shop.slug),
            json!({"service_id": service, "staff_id": staff, "start": support::monday_at(0, 15),
                "client": {"name": "Maria Silva", "phone": "+5511987654321"}}),
        )
        .await
        .expect(201);
    assert_eq!(answer.body["booking"]["client_id"], clients.body[0]["id"]);
    server.stop().await;
}

async fn no_address_or_query_makes_a_page_fail(db: Db) {
    let server = Server::start(db).await;
    let (shop, service, staff) = support::salon(&server, "ana@salao.com").await;
    let mut desk = Browser::new(&server);
    let signed = desk
        .sign_in("ana@salao.com", "cavalo-bateria-grampo", &[])
        .await;
    assert_eq!(signed.status, 303);
    let slug = &shop.slug;
    let odd_dates = [
        "262143-12-31",
        "0001-01-01",
        "1900-01-01",
        "2099-12-31",
        "9999-99-99",
        "x",
    ];
    let mut paths = vec![
        format!("/b/{slug}?service=garbage&pro=%00&date=9999-99-99&start=notatime"),
        format!("/b/{slug}?service={service}&pro={staff}&start=2099-12-31T23:59:59Z"),
        format!("/b/{slug}?service={service}&start=1900-01-01T00:00:00Z"),
        "/b/NOT-A-SLUG".to_owned(),
        "/manage/garbage".to_owned(),
        "/manage/garbage/move?date=262143-12-31".to_owned(),
        format!("/staff/bookings/new?pro={staff}&start=262143-12-31T00:00:00Z"),
        "/staff/bookings/new?pro=x&start=x&client=x".to_owned(),
        "/staff/blocks/new?pro=%3Cscript%3E&date=%3Cscript%3E".to_owned(),
        "/staff/bookings/not-an-id".to_owned(),
        format!("/staff/bookings/{}?date=262143-12-31", uuid::Uuid::new_v4()),
        "/staff/clients?q=%00%FF%FE".to_owned(),
        "/staff/clients/not-an-id".to_owned(),
        "/language?to=xx&back=//evil.example".to_owned(),
        "/language?to=en&back=/%5C%5Cevil.example".to_owned(),
    ];
    for date in odd_dates {
        for view in ["day", "week"] {
            paths.push(format!("/staff/agenda?view={view}&date={date}&pro={staff}"));
            paths.push(format!("/staff/agenda?view={view}&date={date}"));
        }
    }
    for path in &paths {
        let page = desk.get(path).await;
        assert!(page.status < 500, "{path} answered {}", page.status);
        if path.starts_with("/language") {
            assert_eq!(
                page.header("location"),
                "/",
                "{path} may only go back to this host"
            );
        }
        if page.status == 200 {
            assert!(!page.html.contains("<script>"), "{path} echoed markup");
        }
    }
    server.stop().await;
}

async fn the_account_link_pages_verify_an_email_and_reset_a_password_once(db: Db) {
    let smtp = support::smtp::Smtp::start();
    let server = Server::start_with(db, &[("AGENDO_SMTP_URL", &smtp.url())]).await;
    let shop = support::register(&server, "Salão da Ana", "dona@salao.com.br").await;
    let mails = smtp.wait_for_to("dona@salao.com.br", 1).await;
    let secret = support::smtp::link_secret(&mails[0], "verify-email");
    let mut visitor = Browser::new(&server);
    let page = visitor.get("/verify-email").await;
    let csrf = page.field("csrf");
    // Without the secret (no script to copy it), the form says so.
    let missing = visitor
        .post("/verify-email", &[("csrf", &csrf), ("token", "")])
        .await;
    assert_eq!(missing.status, 422);
    let done = visitor
        .post("/verify-email", &[("csrf", &csrf), ("token", &secret)])
        .await;
    assert_eq!(done.status, 200);
    assert!(
        done.html.contains("Seu e-mail está confirmado"),
        "{}",
        done.html
    );
    let me = shop.owner.get("/v1/accounts/me").await.expect(200);
    assert!(me.body["email_verified_at"].is_string());
    let again = visitor
        .post("/verify-email", &[("csrf", &csrf), ("token", &secret)])
        .await;
    assert_eq!(again.status, 422, "a link works once");
    // A reset asked for on the page arrives by e-mail and works once.
    let forgot = visitor.get("/staff/forgot").await;
    let asked = visitor
        .post(
            "/staff/forgot",
            &[
                ("csrf", &forgot.field("csrf")),
                ("email", "dona@salao.com.br"),
            ],
        )
        .await;
    assert_eq!(asked.status, 200);
    assert!(asked.html.contains("um link está a caminho"));
    let mails = smtp.wait_for_to("dona@salao.com.br", 2).await;
    let secret = support::smtp::link_secret(&mails[1], "reset-password");
    let fields = [
        ("csrf", csrf.as_str()),
        ("token", secret.as_str()),
        ("password", "nova-senha-bem-longa"),
    ];
    let reset = visitor.post("/reset-password", &fields).await;
    assert_eq!(reset.status, 200, "{}", reset.html);
    assert!(reset.html.contains("Sua senha foi alterada"));
    assert_eq!(visitor.post("/reset-password", &fields).await.status, 422);
    support::sign_in(&server, "dona@salao.com.br", "nova-senha-bem-longa").await;
    server.stop().await;
}
