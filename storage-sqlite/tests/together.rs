//! Bookings that wait for the writer are committed together (group
//! commit), and each is answered as if it had been alone: a refused one is
//! rolled back alone and names the booking of the same batch that holds
//! its time, a caller gone before its turn has nothing written, and the
//! others read back with their events.

use std::sync::Arc;
use std::time::Duration;

use agendo_conformance::cases::created;
use agendo_conformance::{at, now, Salon};
use agendo_core::booking::Booking;
use agendo_core::store::{Access, Alone, Store};
use agendo_core::Error;
use agendo_sqlite::SqliteStore;

/// A store on a new file, with a salon in it.
async fn opened() -> (tempfile::TempDir, SqliteStore, Arc<dyn Store>, Salon) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("agendo.db"))
        .await
        .unwrap();
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    let salon = Salon::open(shared.clone()).await;
    (dir, store, shared, salon)
}

/// Waits (without a deadline: the tasks only have to reach the queue)
/// until `n` bookings wait for the writer.
async fn until_waiting(store: &SqliteStore, n: usize) {
    while store.bookings_waiting() < n {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_waiting_for_the_writer_are_each_answered_alone() {
    let (_dir, store, shared, salon) = opened().await;
    let business = salon.business.id();
    let cut = |start: &str| salon.pending(&salon.cut, &salon.ana, at(start));
    let before = event_count(&shared, business).await;

    // A unit of work holds the writer while the others queue behind it.
    let mut holder = shared.begin(business, Access::Write).await.unwrap();
    let held = salon.pending(&salon.cut, &salon.bia, at("2026-03-02T18:00:00Z"));
    holder.insert_booking(&held).await.unwrap();

    let first = cut("2026-03-02T13:00:00Z");
    let overlap = cut("2026-03-02T13:15:00Z");
    let later = cut("2026-03-02T14:00:00Z");
    let gone = cut("2026-03-02T16:00:00Z");
    let spawn_insert = |booking: Booking| {
        let store = shared.clone();
        tokio::spawn(async move { store.insert_booking_alone(&booking).await })
    };
    let spawn_book = |booking: Booking| {
        let store = shared.clone();
        tokio::spawn(async move { store.book_alone(&booking, &created(&booking), now()).await })
    };
    // In this order in the queue: the first two meet, so the second is
    // refused by the first, written in the same transaction.
    let made_first = spawn_book(first.clone());
    until_waiting(&store, 1).await;
    let made_overlap = spawn_insert(overlap.clone());
    until_waiting(&store, 2).await;
    let made_later = spawn_insert(later.clone());
    until_waiting(&store, 3).await;
    // A caller that gives up before its turn.
    let given_up = spawn_book(gone.clone());
    until_waiting(&store, 4).await;
    given_up.abort();
    assert!(given_up.await.unwrap_err().is_cancelled());

    holder.commit().await.unwrap();
    assert_eq!(made_first.await.unwrap(), Ok(Alone::Added));
    match made_overlap.await.unwrap() {
        Err(Error::SlotTaken { bookings, .. }) => {
            let named: Vec<String> = bookings.iter().map(ToString::to_string).collect();
            assert_eq!(named, [first.id().to_string()]);
        }
        other => panic!("the overlap: expected slot_taken, got {other:?}"),
    }
    assert_eq!(made_later.await.unwrap(), Ok(()));
    assert_eq!(store.bookings_waiting(), 0);

    let mut work = shared.begin(business, Access::Read).await.unwrap();
    for (booking, kept) in [
        (&held, true),
        (&first, true),
        (&overlap, false),
        (&later, true),
        (&gone, false),
    ] {
        let read = work.booking(booking.id()).await.unwrap();
        assert_eq!(read.as_ref(), kept.then_some(booking), "{}", booking.id());
    }
    // Only the booking made with its events added any: one.
    let events = work.events_after(before, 50).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds, ["booking_created"]);
    assert_eq!(events[0].number, before + 1);
    drop(work);
    store.close().await;
}

/// Many at once, on free and taken times: every booking made reads back,
/// none overlaps, and the store's count of commits moved once for each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_at_once_each_get_their_own_answer() {
    let (_dir, store, shared, salon) = opened().await;
    let business = salon.business.id();
    let version = shared.version().unwrap();
    // 64 bookings on 16 half hours: four ask for each.
    let attempts: Vec<Booking> = (0..64)
        .map(|i| {
            let start = at("2026-03-02T12:00:00Z") + chrono::Duration::minutes(30 * (i % 16));
            salon.pending(&salon.cut, &salon.ana, start)
        })
        .collect();
    let tasks: Vec<_> = attempts
        .iter()
        .cloned()
        .map(|booking| {
            let store = shared.clone();
            tokio::spawn(async move { store.book_alone(&booking, &created(&booking), now()).await })
        })
        .collect();
    let mut made = Vec::new();
    for (task, booking) in tasks.into_iter().zip(&attempts) {
        match task.await.unwrap() {
            Ok(Alone::Added) => made.push(booking.clone()),
            Ok(Alone::Declined) => panic!("nothing but the guard stands in the way"),
            Err(Error::SlotTaken { bookings, .. }) => assert_eq!(bookings.len(), 1),
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(made.len(), 16);
    let mut work = shared.begin(business, Access::Read).await.unwrap();
    for booking in &made {
        assert_eq!(
            work.booking(booking.id()).await.unwrap().as_ref(),
            Some(booking)
        );
    }
    drop(work);
    assert!(shared.version().unwrap() >= version + 16);
    store.close().await;
}

async fn event_count(store: &Arc<dyn Store>, business: agendo_core::ids::BusinessId) -> u64 {
    let mut work = store.begin(business, Access::Read).await.unwrap();
    work.events_after(0, 10_000).await.unwrap().len() as u64
}
