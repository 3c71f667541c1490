//! Races: many clients at once, as on the evening a salon opens its agenda.
//!
//! Each case starts 64 tasks together. Against a database they run on 64
//! connections' worth of concurrent transactions; whatever the interleaving,
//! no two active bookings of a professional may overlap beyond its capacity.

use std::sync::Arc;

use agendo_core::booking::Booking;
use agendo_core::business::{Client, Professional, Service};
use agendo_core::ids::{BookingId, ClientId, ProfessionalId, ServiceId};
use agendo_core::store::{Access, BookingFilter, IdempotencyKey, Store};
use agendo_core::Error;
use chrono::{Duration, Utc};
use futures_util::future::join_all;

use crate::cases::Boxed;
use crate::salon::{at, brl, Salon};

/// How many tasks race.
pub const TASKS: usize = 64;

/// A small deterministic generator (splitmix64), so a failing race can be
/// replayed from its seed.
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// 64 clients ask for the same slot at once: exactly one gets it and each
/// of the other 63 is told it is taken, by the winner's booking.
pub fn sixty_four_clients_race_for_one_slot(store: Arc<dyn Store>) -> Boxed {
    Box::pin(async move {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let mut clients = Vec::new();
        for i in 0..TASKS {
            let client = Client::new(
                ClientId::random(),
                salon.business.id(),
                &format!("Cliente {i}"),
            )
            .unwrap();
            salon
                .agenda
                .save_client(&salon.staff(), &client)
                .await
                .unwrap();
            clients.push(client);
        }
        let attempts = clients.iter().map(|client| {
            let salon = salon.clone();
            let request = salon.cut_at(&salon.ana, client, "2026-03-02T13:00:00Z");
            async move { salon.agenda.book(&salon.staff(), &request).await }
        });
        let results = join_all(attempts).await;
        let winners: Vec<&Booking> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        let winner = winners[0].id().to_string();
        for result in &results {
            match result {
                Ok(_) => {}
                Err(Error::SlotTaken { bookings, .. }) => {
                    let named: Vec<&str> = bookings.iter().map(|b| b.as_str()).collect();
                    assert_eq!(named, [winner.as_str()], "the refusal names the winner");
                }
                Err(other) => panic!("expected SlotTaken, got {other:?}"),
            }
        }
        let mut work = store
            .begin(salon.business.id(), Access::Read)
            .await
            .unwrap();
        assert_eq!(
            work.bookings(&BookingFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );
    })
}

/// 64 retries of one request under one key, at once, make one booking,
/// and every retry answers it; the key with another request is refused.
pub fn sixty_four_retries_under_one_key_make_one_booking(store: Arc<dyn Store>) -> Boxed {
    Box::pin(async move {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let ctx = salon
            .staff()
            .with_key(IdempotencyKey::parse("checkout-7f3a").unwrap());
        let request = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z");
        let other = salon.cut_at(&salon.bia, &salon.joao, "2026-03-02T15:00:00Z");
        let attempts = (0..TASKS).map(|i| {
            let (salon, ctx) = (salon.clone(), ctx.clone());
            // One in eight sends a different request under the same key.
            let request = if i % 8 == 7 {
                other.clone()
            } else {
                request.clone()
            };
            async move { (i, salon.agenda.book(&ctx, &request).await) }
        });
        let results = join_all(attempts).await;
        let mut made = Vec::new();
        let mut refused = 0;
        for (i, result) in &results {
            match result {
                Ok(booking) => made.push(booking.id()),
                Err(Error::IdempotencyKeyReused { .. }) => refused += 1,
                Err(e) => panic!("attempt {i}: {e:?}"),
            }
        }
        made.dedup();
        let mut work = store
            .begin(salon.business.id(), Access::Read)
            .await
            .unwrap();
        let stored = work.bookings(&BookingFilter::default()).await.unwrap();
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(
            made,
            [stored[0].id()],
            "every retry answers the one booking"
        );
        // The first request to get through decides what the key means; the
        // others are refused, whichever they were.
        assert!(
            refused == TASKS / 8 || refused == TASKS - TASKS / 8,
            "{refused} refused"
        );
    })
}

/// 64 tasks book random, overlapping times with five professionals (one of
/// them with room for two at once), half through the use case (checked
/// first) and half straight through the store (the guard alone), while
/// some cancel and reschedule. Afterwards no instant is held by more
/// active bookings of a professional than its capacity.
pub fn random_overlapping_bookings_never_overlap(store: Arc<dyn Store>) -> Boxed {
    Box::pin(async move {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let ctx = salon.staff();
        let long = Service::new(
            ServiceId::random(),
            salon.business.id(),
            "Escova",
            50,
            brl("80"),
        )
        .unwrap();
        salon.agenda.save_service(&ctx, &long).await.unwrap();
        let mut staff = vec![salon.ana.clone(), salon.bia.clone()];
        for (name, capacity) in [("Caio", 1), ("Duda", 1), ("Eva", 2)] {
            let professional =
                Professional::new(ProfessionalId::random(), salon.business.id(), name)
                    .unwrap()
                    .with_services([salon.cut.id(), long.id()])
                    .with_hours(salon.ana.hours().clone())
                    .with_capacity(capacity)
                    .unwrap();
            salon
                .agenda
                .save_professional(&ctx, &professional)
                .await
                .unwrap();
            staff.push(professional);
        }
        for professional in &mut staff[..2] {
            let updated = professional
                .clone()
                .with_services([salon.cut.id(), long.id()]);
            salon
                .agenda
                .save_professional(&ctx, &updated)
                .await
                .unwrap();
            *professional = updated;
        }
        let services = Arc::new([salon.cut.clone(), long]);
        let staff = Arc::new(staff);
        let tasks = (0..TASKS).map(|task| {
            let (salon, services, staff, store) = (
                salon.clone(),
                services.clone(),
                staff.clone(),
                store.clone(),
            );
            async move { race(task, &salon, &services, &staff, store).await }
        });
        let tallies = join_all(tasks).await;
        let made: usize = tallies.iter().map(|t| t.0).sum();
        let refused: usize = tallies.iter().map(|t| t.1).sum();
        assert!(
            made > 0 && refused > 0,
            "the race had no contention: {made} made, {refused} refused"
        );

        let mut work = store
            .begin(salon.business.id(), Access::Read)
            .await
            .unwrap();
        for professional in staff.iter() {
            let filter = BookingFilter {
                professional: Some(professional.id()),
                statuses: vec![
                    agendo_core::booking::BookingStatus::Pending,
                    agendo_core::booking::BookingStatus::Confirmed,
                ],
                ..BookingFilter::default()
            };
            let active = work.bookings(&filter).await.unwrap();
            for booking in &active {
                // Count the bookings holding the instant this one starts
                // holding; the most overlap always occurs at some start.
                let start = booking.held().start();
                let holding = active
                    .iter()
                    .filter(|b| b.held().contains_instant(start))
                    .count();
                assert!(
                    holding <= professional.capacity() as usize,
                    "{} holds {holding} bookings at {start}, capacity {}",
                    professional.name(),
                    professional.capacity()
                );
            }
        }
    })
}

/// One racing task: 12 attempts. Answers (bookings made, refusals).
async fn race(
    task: usize,
    salon: &Salon,
    services: &[Service; 2],
    staff: &[Professional],
    store: Arc<dyn Store>,
) -> (usize, usize) {
    let mut dice = Dice(task as u64 * 7919 + 1);
    let (mut made, mut refused) = (0, 0);
    let mut mine: Vec<BookingId> = Vec::new();
    let day = at("2026-03-02T12:00:00Z"); // 09:00 in São Paulo
    for _ in 0..12 {
        let professional = &staff[dice.below(staff.len())];
        let service = &services[dice.below(2)];
        // Starts on a 10-minute grid over 08:00 of working time, so
        // attempts overlap often without lining up.
        let start = day + Duration::minutes(10 * dice.below(48) as i64);
        let roll = dice.below(10);
        let result = if roll < 5 {
            let request = agendo_core::agenda::BookRequest {
                service: service.id(),
                professional: professional.id(),
                client: salon.maria.id(),
                start,
                discount: None,
            };
            salon
                .agenda
                .book(&salon.staff(), &request)
                .await
                .map(|b| b.id())
        } else if roll < 8 {
            unchecked_insert(&store, salon, service, professional, start, roll == 7).await
        } else if let Some(&id) = mine.get(dice.below(mine.len().max(1))) {
            let ctx = salon.staff();
            let outcome = if roll == 8 {
                salon
                    .agenda
                    .cancel(&ctx, id, "mudou de ideia")
                    .await
                    .map(drop)
            } else {
                salon.agenda.reschedule(&ctx, id, start).await.map(drop)
            };
            match outcome {
                Ok(_) | Err(Error::SlotTaken { .. }) | Err(Error::IllegalTransition { .. }) => {}
                Err(e) => panic!("task {task}: {e:?}"),
            }
            continue;
        } else {
            continue;
        };
        match result {
            Ok(id) => {
                made += 1;
                mine.push(id);
            }
            Err(Error::SlotTaken { .. }) => refused += 1,
            Err(e) => panic!("task {task}: {e:?}"),
        }
    }
    (made, refused)
}

/// Inserts a pending booking straight through the store, with no conflict
/// check: only the store's own guard stands in the way. `alone`, as a unit
/// of work of its own ([`Store::insert_booking_alone`]).
async fn unchecked_insert(
    store: &Arc<dyn Store>,
    salon: &Salon,
    service: &Service,
    professional: &Professional,
    start: chrono::DateTime<Utc>,
    alone: bool,
) -> Result<BookingId, Error> {
    let booking = salon.pending(service, professional, start);
    if alone {
        loop {
            match store.insert_booking_alone(&booking).await {
                Ok(()) => return Ok(booking.id()),
                // The holder let go between the refusal and its naming.
                Err(Error::WriteConflict) => continue,
                Err(e) => return Err(e),
            }
        }
    }
    loop {
        let mut work = store.begin(salon.business.id(), Access::Write).await?;
        match work.insert_booking(&booking).await {
            Ok(()) => {}
            Err(Error::WriteConflict) => continue,
            Err(e) => return Err(e),
        }
        return work.commit().await.map(|()| booking.id());
    }
}
