//! The statement a `sqlite3` ceiling replays (`guarded_insert_text`) is the
//! store's own guarded insert: run as text it writes the row the store
//! reads back, and its guard refuses an overlap.

use std::sync::Arc;

use agendo_conformance::{at, Salon};
use agendo_core::store::{Access, Store};
use agendo_sqlite::{Durability, SqliteStore};
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ceilings_statement_is_the_stores_insert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agendo.db");
    // Opened as the opt-in opens it: the same schema, the same rows.
    let store = SqliteStore::open_with(&path, Durability::Normal)
        .await
        .unwrap();
    let salon = Salon::open(Arc::new(store.clone())).await;
    let cut = |start: &str| salon.pending(&salon.cut, &salon.ana, at(start));
    let url = format!("sqlite:{}", path.display());
    let mut raw = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let first = cut("2026-03-02T13:00:00Z");
    let text = agendo_sqlite::guarded_insert_text(&first);
    let done = sqlx::query(sqlx::AssertSqlSafe(text))
        .execute(&mut raw)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
    let overlap = agendo_sqlite::guarded_insert_text(&cut("2026-03-02T13:15:00Z"));
    let done = sqlx::query(sqlx::AssertSqlSafe(overlap))
        .execute(&mut raw)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 0);
    raw.close().await.unwrap();
    let mut work = store
        .begin(salon.business.id(), Access::Read)
        .await
        .unwrap();
    assert_eq!(work.booking(first.id()).await.unwrap(), Some(first));
    drop(work);
    store.close().await;
}

/// The store books in one step where it can (`Store::book_alone`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_booking_is_made_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("agendo.db"))
        .await
        .unwrap();
    agendo_conformance::cases::books_in_one_step(Arc::new(store)).await;
}
