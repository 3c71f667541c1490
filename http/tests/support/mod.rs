//! The real server on a random loopback port, over a SQLite file in a
//! temporary directory or a fresh database on the Postgres that
//! `cargo xtask test` starts (`AGENDO_TEST_POSTGRES_URL`; without it the
//! Postgres tests fail, never skip).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

pub mod smtp;

use agendo_http::config::Config;
use agendo_http::state::AppState;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Which database the server runs on.
#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A running server.
pub struct Server {
    pub base: String,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

impl Server {
    /// Starts the server over `db`, with `extra` settings.
    pub async fn start_with(db: Db, extra: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut vars: HashMap<String, String> = HashMap::new();
        let mut postgres = None;
        match db {
            Db::Sqlite => {
                vars.insert(
                    "DATABASE_URL".into(),
                    format!("sqlite:{}", dir.path().join("agendo.db").display()),
                );
            }
            Db::Postgres => {
                let server = std::env::var("AGENDO_TEST_POSTGRES_URL").unwrap_or_else(|_| {
                    panic!(
                        "AGENDO_TEST_POSTGRES_URL is not set: run the tests with `cargo xtask test`, \
                         which starts PostgreSQL 15"
                    )
                });
                let name = format!("agendo_http_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::connect(&server).await.unwrap();
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                vars.insert("DATABASE_URL".into(), with_database(&server, &name));
                vars.insert(
                    "AGENDO_SECRET".into(),
                    "a-test-secret-of-at-least-32-bytes!!".into(),
                );
                vars.insert("AGENDO_DB_CONNECTIONS".into(), "8".into());
                postgres = Some((server, name));
            }
        }
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_vars(|name| vars.get(name).cloned()).unwrap();
        let state = agendo_http::state(config).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        let task = tokio::spawn(async move {
            agendo_http::serve_on(listener, serving, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Server {
            base,
            state,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
            postgres,
        }
    }

    /// Starts the server over `db`.
    pub async fn start(db: Db) -> Server {
        Server::start_with(db, &[]).await
    }

    /// A client without a token.
    pub fn anonymous(&self) -> Api {
        Api {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: None,
            lang: None,
        }
    }

    /// Stops the server and drops its database.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        if let Some((server, name)) = self.postgres.take() {
            let mut admin = PgConnection::connect(&server).await.unwrap();
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .unwrap();
        }
    }
}

/// A caller of the API.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
    pub lang: Option<&'static str>,
}

/// An answer: the status, the headers we look at, and the JSON body
/// (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// The body's `field`, as text.
    pub fn text(&self, field: &str) -> String {
        match &self.body[field] {
            Value::String(s) => s.clone(),
            other => panic!("{field} is not text in {}: {other}", self.body),
        }
    }

    /// Panics unless the status is `status`.
    pub fn expect(self, status: u16) -> Answer {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self
    }
}

impl Api {
    /// The same caller with `token`.
    pub fn with_token(&self, token: &str) -> Api {
        Api {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The same caller reading `lang`.
    pub fn reading(&self, lang: &'static str) -> Api {
        Api {
            lang: Some(lang),
            ..self.clone()
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let mut request = request;
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(lang) = self.lang {
            request = request.header("accept-language", lang);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            content_type,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn post_keyed(&self, path: &str, key: &str, body: Value) -> Answer {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("idempotency-key", key)
                .json(&body),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(self.http.put(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(self.http.patch(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        self.send(
            self.http
                .request(method, format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }
}

/// A registered business: its owner's API, ids and tokens.
pub struct Shop {
    pub owner: Api,
    pub business: String,
    pub slug: String,
    pub refresh: String,
}

/// Registers a business named `name` with owner e-mail `email`.
pub async fn register(server: &Server, name: &str, email: &str) -> Shop {
    let answer = server
        .anonymous()
        .post(
            "/v1/auth/register",
            json!({
                "business_name": name, "timezone": "America/Sao_Paulo", "currency": "BRL",
                "locale": "pt-BR", "name": "Dona", "email": email,
                "password": "cavalo-bateria-grampo",
            }),
        )
        .await
        .expect(201);
    Shop {
        owner: server.anonymous().with_token(&answer.text("access_token")),
        business: answer.body["business"]["id"].as_str().unwrap().to_owned(),
        slug: answer.body["business"]["slug"].as_str().unwrap().to_owned(),
        refresh: answer.text("refresh_token"),
    }
}

/// Signs `email` in with `password`: its caller.
pub async fn sign_in(server: &Server, email: &str, password: &str) -> Api {
    let api = server.anonymous();
    let answer = api
        .post(
            "/v1/auth/login",
            json!({"email": email, "password": password}),
        )
        .await
        .expect(200);
    api.with_token(&answer.text("access_token"))
}

/// A Monday at least a week away, in São Paulo.
pub fn next_monday() -> NaiveDate {
    let mut day = (Utc::now() + Duration::days(7)).date_naive();
    while day.weekday() != Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    day
}

/// `days` after the next Monday at `hour`:00 UTC (10:00 in São Paulo
/// for 13).
pub fn monday_at(days: i64, hour: u32) -> chrono::DateTime<Utc> {
    (next_monday() + Duration::days(days))
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
}

/// A salon with a 30-minute haircut, Bia working Monday to Saturday 9 to
/// 18, and a policy keeping half the price for less than 24 hours' notice.
pub async fn salon(server: &Server, email: &str) -> (Shop, String, String) {
    let shop = register(server, "Salão da Ana", email).await;
    shop.owner
        .patch(
            "/v1/business",
            json!({"policy": {"tiers": [{"min_notice_hours": 24, "fee_percent": "0"}],
                "late_fee_percent": "50", "no_show_fee_percent": "100"}}),
        )
        .await
        .expect(200);
    let service = shop
        .owner
        .post(
            "/v1/services",
            json!({"name": "Corte", "duration_minutes": 30, "price": "80.00"}),
        )
        .await
        .expect(201)
        .text("id");
    let staff = shop
        .owner
        .post("/v1/staff", json!({"name": "Bia", "services": [service]}))
        .await
        .expect(201)
        .text("id");
    let day = json!([["09:00", "18:00"]]);
    shop.owner
        .put(
            &format!("/v1/staff/{staff}/hours"),
            json!({"weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day}}),
        )
        .await
        .expect(200);
    (shop, service, staff)
}

/// The id of the newest line of `api`'s inbox, once the server's worker
/// has gathered one (20 seconds at most).
pub async fn inbox_line(api: &Api) -> String {
    for _ in 0..200 {
        let inbox = api.get("/v1/inbox").await.expect(200);
        if let Some(id) = inbox.body[0]["id"].as_str() {
            return id.to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the worker never gathered a line into the inbox");
}

/// Writes one `#[tokio::test]` per database for each async test function
/// taking a [`Db`].
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Db::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Db::Postgres).await
                }
            )*
        }
    };
}
