//! A fresh, empty database on the test server for each test.
//!
//! `cargo xtask test` starts a throwaway PostgreSQL and sets
//! `AGENDO_TEST_POSTGRES_URL` to its administrator URL. Without it these
//! tests fail: a missing database is a failure, never a skip.

use std::future::Future;

use agendo_postgres::PgStore;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The variable naming the test server.
pub const URL_VAR: &str = "AGENDO_TEST_POSTGRES_URL";

/// The test server's administrator URL.
pub fn server_url() -> String {
    std::env::var(URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{URL_VAR} is not set: run the tests with `cargo xtask test`, which starts \
             PostgreSQL 15, or point {URL_VAR} at a server whose user may create databases"
        )
    })
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
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

/// Runs `test` with the URL of a new, empty database, dropped afterwards.
pub async fn with_fresh_database<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = server_url();
    let name = format!("agendo_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("connecting to the test server {server}: {e}"));
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    test(with_database(&server, &name)).await;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop the test database");
}

/// Runs `test` on a store over a new, empty database, with its URL.
pub fn on_fresh_store<F, Fut>(connections: u32, test: F)
where
    F: FnOnce(PgStore, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(with_fresh_database(|url| async move {
        let store = PgStore::connect_with(&url, connections)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        test(store.clone(), url).await;
        store.close().await;
    }));
}
