//! Backup and restore (R53): `VACUUM INTO` while the store is in use, then
//! the copy opened as a store finds every booking.

use std::sync::Arc;

use agendo_conformance::Salon;
use agendo_core::store::{Access, BookingFilter, Store};
use agendo_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_every_booking() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("agendo.db"))
        .await
        .unwrap();
    let salon = Salon::open(Arc::new(store.clone())).await;
    for (who, start) in [
        (&salon.ana, "2026-03-02T12:00:00Z"),
        (&salon.ana, "2026-03-02T13:00:00Z"),
        (&salon.bia, "2026-03-03T14:30:00Z"),
    ] {
        salon.book(who, &salon.maria, start).await;
    }
    let cancelled = salon
        .book(&salon.bia, &salon.joao, "2026-03-04T15:00:00Z")
        .await;
    salon
        .agenda
        .cancel(&salon.staff(), cancelled.id(), "viagem")
        .await
        .unwrap();
    let all = BookingFilter::default();
    let mut before = store
        .begin(salon.business.id(), Access::Read)
        .await
        .unwrap();
    let expected = before.bookings(&all).await.unwrap();
    drop(before);
    assert_eq!(expected.len(), 4);

    let copy = dir.path().join("backup.db");
    store.backup_to(&copy).await.unwrap();
    assert!(
        store.backup_to(&copy).await.is_err(),
        "VACUUM INTO refuses to overwrite an existing backup"
    );
    // Writing after the backup does not reach the copy.
    salon
        .book(&salon.bia, &salon.maria, "2026-03-05T12:00:00Z")
        .await;

    let restored = SqliteStore::open(&copy).await.unwrap();
    let mut back = restored
        .begin(salon.business.id(), Access::Read)
        .await
        .unwrap();
    assert_eq!(back.bookings(&all).await.unwrap(), expected);
    assert_eq!(
        back.business().await.unwrap().as_ref(),
        Some(&salon.business)
    );
    assert_eq!(back.clients().await.unwrap().len(), 2);
    assert_eq!(
        back.professionals().await.unwrap(),
        [salon.ana.clone(), salon.bia.clone()]
    );
}
