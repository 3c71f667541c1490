//! The statement a `pgbench` ceiling replays (`insert_alone_text`) is the
//! store's own one-step insert: run as text it writes the row the store
//! reads back, and its guard refuses an overlap.

mod support;

use std::sync::Arc;

use agendo_conformance::{at, Salon};
use agendo_core::store::{Access, Store};
use sqlx::{Connection, Row};

#[test]
fn the_ceilings_statement_is_the_stores_insert() {
    support::on_fresh_store(4, |store, url| async move {
        let salon = Salon::open(Arc::new(store.clone())).await;
        let cut = |start: &str| salon.pending(&salon.cut, &salon.ana, at(start));
        let mut raw = sqlx::PgConnection::connect(&url).await.unwrap();
        let first = cut("2026-03-02T13:00:00Z");
        let text = agendo_postgres::insert_alone_text(&first);
        let row = sqlx::query(sqlx::AssertSqlSafe(text))
            .fetch_one(&mut raw)
            .await
            .unwrap();
        assert_eq!(row.get::<i64, _>("added"), 1);
        let mut work = store
            .begin(salon.business.id(), Access::Read)
            .await
            .unwrap();
        assert_eq!(work.booking(first.id()).await.unwrap(), Some(first.clone()));
        drop(work);
        let overlap = agendo_postgres::insert_alone_text(&cut("2026-03-02T13:15:00Z"));
        let row = sqlx::query(sqlx::AssertSqlSafe(overlap))
            .fetch_one(&mut raw)
            .await
            .unwrap();
        assert_eq!(row.get::<i64, _>("added"), 0);
        let met: Vec<uuid::Uuid> = row.get("met");
        assert_eq!(met, [first.id().as_uuid()]);
        store.close().await;
    });
}

/// The store books in one step where it can (`Store::book_alone`), its
/// events numbered when first read.
#[test]
fn a_free_booking_is_made_in_one_step() {
    support::on_fresh_store(4, |store, _url| async move {
        agendo_conformance::cases::books_in_one_step(Arc::new(store.clone())).await;
        store.close().await;
    });
}
