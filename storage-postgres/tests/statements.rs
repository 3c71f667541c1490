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

/// The columns that hold a record's payload are never searched on, so
/// ANALYZE leaves them out (migration 0013): sorting a sample of bookings'
/// histories was half of each ANALYZE of the table. The columns searches
/// read keep their statistics.
#[test]
fn analyze_gathers_no_statistics_on_payloads() {
    support::on_fresh_store(4, |store, url| async move {
        let salon = Salon::open(Arc::new(store.clone())).await;
        salon
            .book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z")
            .await;
        let mut raw = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("ANALYZE bookings, events")
            .execute(&mut raw)
            .await
            .unwrap();
        let gathered: Vec<String> = sqlx::query_scalar(
            "SELECT tablename || '.' || attname FROM pg_stats \
             WHERE tablename IN ('bookings', 'events') ORDER BY 1",
        )
        .fetch_all(&mut raw)
        .await
        .unwrap();
        for searched in [
            "bookings.held",
            "bookings.professional_id",
            "events.business_id",
        ] {
            assert!(
                gathered.iter().any(|c| c == searched),
                "{searched} in {gathered:?}"
            );
        }
        for payload in ["bookings.history", "events.event"] {
            assert!(
                !gathered.iter().any(|c| c == payload),
                "{payload} in {gathered:?}"
            );
        }
        let targets: Vec<(String, i32)> = sqlx::query_as(
            "SELECT attrelid::regclass::text || '.' || attname, attstattarget::int4 FROM pg_attribute \
             WHERE (attrelid, attname) IN (('messages'::regclass, 'vals'), ('messages'::regclass, 'body'), \
             ('payments'::regclass, 'refunds'), ('idempotency'::regclass, 'outcome')) ORDER BY 1",
        )
        .fetch_all(&mut raw)
        .await
        .unwrap();
        assert_eq!(
            targets,
            [
                ("idempotency.outcome".to_owned(), 0),
                ("messages.body".to_owned(), 0),
                ("messages.vals".to_owned(), 0),
                ("payments.refunds".to_owned(), 0),
            ]
        );
        store.close().await;
    });
}
