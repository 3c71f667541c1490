//! The store's own connection pool: a unit of work dropped without commit
//! releases its locks at once, and a connection the server closed is
//! replaced without the caller seeing an error.

mod support;

use std::sync::Arc;
use std::time::Duration;

use agendo_conformance::Salon;
use agendo_core::store::{Access, IdempotencyKey, Store};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Far longer than a rollback takes; a unit that never gets the lock
/// fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn a_dropped_unit_releases_its_locks_at_once() {
    support::on_fresh_store(4, |store, _| async move {
        let salon = Salon::open(Arc::new(store.clone())).await;
        let key = IdempotencyKey::parse("retry-1").unwrap();
        // Two other connections, returned to the pool before the dropped
        // unit's, so the next unit is handed one of them, not that one.
        let others = (
            store
                .begin(salon.business.id(), Access::Read)
                .await
                .unwrap(),
            store
                .begin(salon.business.id(), Access::Read)
                .await
                .unwrap(),
        );
        let mut first = store
            .begin(salon.business.id(), Access::Write)
            .await
            .unwrap();
        // Takes the key's lock, then is dropped as a refused or cancelled
        // request would be.
        assert!(first.idempotency(&key).await.unwrap().is_none());
        drop(others);
        drop(first);
        let second = async {
            let mut second = store
                .begin(salon.business.id(), Access::Write)
                .await
                .unwrap();
            second.idempotency(&key).await.unwrap()
        };
        let found = tokio::time::timeout(PATIENCE, second)
            .await
            .expect("the dropped unit still holds the key's lock");
        assert!(found.is_none());
    });
}

/// Ends every connection of the store's pool from the server's side, as a
/// restart or an idle timeout would (its listener, notifier and numberer are
/// left alone: they reconnect by themselves); whether each was ended.
/// Waits until the ended backends have gone, so a busy server still
/// listing one is not counted the next time.
async fn end_the_pools_connections(admin: &mut PgConnection) -> Vec<bool> {
    let ended: Vec<(i32, bool)> = sqlx::query_as(AssertSqlSafe(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND application_name NOT IN ('agendo-listener', 'agendo-notifier', 'agendo-numberer')"
            .to_owned(),
    ))
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    let pids: Vec<i32> = ended.iter().map(|(pid, _)| *pid).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)")
                .bind(&pids)
                .fetch_one(&mut *admin)
                .await
                .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{left} ended backends stayed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    ended.into_iter().map(|(_, done)| done).collect()
}

#[test]
fn a_connection_the_server_closed_is_replaced() {
    support::on_fresh_store(1, |store, url| async move {
        let salon = Salon::open(Arc::new(store.clone())).await;
        // A read runs its first statement on the closed connection, and
        // again on a new one.
        let mut admin = PgConnection::connect(&url).await.unwrap();
        let ended = end_the_pools_connections(&mut admin).await;
        assert_eq!(ended, vec![true], "the pool's one connection was ended");
        let mut work = store
            .begin(salon.business.id(), Access::Read)
            .await
            .unwrap();
        assert_eq!(
            work.business().await.unwrap().as_ref(),
            Some(&salon.business)
        );
        drop(work);
        // A write's `BEGIN` finds the connection closed, and is sent again
        // on a new one.
        let ended = end_the_pools_connections(&mut admin).await;
        assert_eq!(
            ended,
            vec![true],
            "the pool's one connection was ended again"
        );
        let mut work = store
            .begin(salon.business.id(), Access::Write)
            .await
            .unwrap();
        assert_eq!(
            work.business().await.unwrap().as_ref(),
            Some(&salon.business)
        );
    });
}

/// The connection that numbers events on read (`agendo-numberer`) is
/// replaced when the server closed it, the read not failing.
#[test]
fn a_numbering_connection_the_server_closed_is_replaced() {
    support::on_fresh_store(2, |store, url| async move {
        let salon = Salon::open(Arc::new(store.clone())).await;
        let events = || async {
            let mut work = store
                .begin(salon.business.id(), Access::Read)
                .await
                .unwrap();
            work.events_after(0, 100).await.unwrap()
        };
        salon
            .book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z")
            .await;
        let before = events().await;
        assert!(!before.is_empty());
        let mut admin = PgConnection::connect(&url).await.unwrap();
        let ended: Vec<bool> = sqlx::query_scalar(AssertSqlSafe(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = 'agendo-numberer'"
                .to_owned(),
        ))
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert_eq!(ended, vec![true], "the numbering connection was ended");
        salon
            .book(&salon.ana, &salon.maria, "2026-03-02T14:00:00Z")
            .await;
        let after = events().await;
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(after[..before.len()], before[..]);
        assert_eq!(after.last().map(|e| e.number), Some(after.len() as u64));
        store.close().await;
    });
}
