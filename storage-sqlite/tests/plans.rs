//! The worker's reads of every round go by index: SQLite's plan for each
//! names an index for every table it reads, and scans none but the list of
//! businesses. A plan that scans `bookings` or every message of a business
//! costs a round milliseconds that grow with what is stored.

use agendo_core::ids::MessageId;
use agendo_sql::queue::{gather_query, known_query};
use agendo_sql::sql::{Params, Query};
use agendo_sqlite::SqliteStore;
use chrono::{NaiveDate, TimeDelta, Utc};
use sqlx::{Connection, Row};

/// The lines of SQLite's plan for `query` (unbound parameters read as
/// NULL, which does not change the plan).
async fn plan(raw: &mut sqlx::SqliteConnection, query: &Query) -> Vec<String> {
    let text = format!("EXPLAIN QUERY PLAN {}", query.sql());
    sqlx::query(sqlx::AssertSqlSafe(text))
        .fetch_all(raw)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("detail"))
        .collect()
}

async fn opened() -> (tempfile::TempDir, sqlx::SqliteConnection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agendo.db");
    // Opening applies the migrations, indexes included.
    SqliteStore::open(&path).await.unwrap().close().await;
    let raw = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    (dir, raw)
}

#[tokio::test]
async fn finding_the_businesses_to_gather_reads_bookings_by_index() {
    let (_dir, mut raw) = opened().await;
    let now = Utc::now();
    let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let query = gather_query(
        Params::Question,
        now,
        now + TimeDelta::days(2),
        today,
        today,
    );
    let plan = plan(&mut raw, &query).await;
    let bookings: Vec<&String> = plan.iter().filter(|l| l.contains("bookings")).collect();
    assert!(!bookings.is_empty(), "{plan:?}");
    for line in &bookings {
        assert!(
            line.starts_with("SEARCH") && line.contains("bookings_start (business_id=?"),
            "bookings read by their business and start: {plan:?}"
        );
    }
    for line in &plan {
        assert!(
            !line.starts_with("SCAN") || line.contains("businesses"),
            "only the businesses are scanned: {plan:?}"
        );
    }
}

#[tokio::test]
async fn messages_known_are_read_by_their_key() {
    let (_dir, mut raw) = opened().await;
    let ids: Vec<MessageId> = (0..3)
        .map(|_| MessageId::from_uuid(uuid::Uuid::new_v4()))
        .collect();
    let plan = plan(&mut raw, &known_query(Params::Question, &ids)).await;
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert!(
        plan[0].starts_with("SEARCH messages USING INDEX sqlite_autoindex_messages_1 (id=?)"),
        "{plan:?}"
    );
}
