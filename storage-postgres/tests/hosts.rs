//! Two hosts on one database: what one host's slot search keeps is dropped
//! when another host commits, because every writer notifies
//! `agendo_changes` and every store listens.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use agendo_conformance::{at, Salon};
use agendo_core::agenda::{Agenda, SlotsRequest};
use agendo_core::store::Store;
use agendo_postgres::PgStore;
use chrono::NaiveDate;

/// Far longer than a notification takes to arrive on loopback; a host that
/// never hears it fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn a_search_on_one_host_sees_a_booking_made_on_another() {
    support::on_fresh_store(4, |here, url| async move {
        let there = PgStore::connect(&url).await.unwrap();
        let deadline = Instant::now() + PATIENCE;
        while here.version().is_none() || there.version().is_none() {
            assert!(
                Instant::now() < deadline,
                "the stores never started listening"
            );
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let salon = Salon::open(Arc::new(here.clone())).await;
        let ctx = salon.staff();
        let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let request = SlotsRequest {
            service: salon.cut.id(),
            professional: Some(salon.ana.id()),
            from: monday,
            to: monday,
            step_minutes: None,
        };
        assert_eq!(salon.agenda.slots(&ctx, &request).await.unwrap().len(), 18);
        // Booked through the other host.
        let elsewhere = Agenda::new(Arc::new(there.clone()));
        let cut = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T15:00:00Z");
        elsewhere.book(&ctx, &cut).await.unwrap();
        loop {
            let slots = salon.agenda.slots(&ctx, &request).await.unwrap();
            if !slots
                .iter()
                .any(|s| s.start() == at("2026-03-02T15:00:00Z"))
            {
                assert_eq!(slots.len(), 17);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "this host never heard of the booking"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        there.close().await;
    });
}
