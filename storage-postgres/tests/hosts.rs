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

/// Waits until both stores listen; the deadline of the test.
async fn listening(here: &PgStore, there: &PgStore) -> Instant {
    let deadline = Instant::now() + PATIENCE;
    while here.version().is_none() || there.version().is_none() {
        assert!(
            Instant::now() < deadline,
            "the stores never started listening"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    deadline
}

#[test]
fn a_search_on_one_host_sees_a_booking_made_on_another() {
    support::on_fresh_store(4, |here, url| async move {
        let there = PgStore::connect(&url).await.unwrap();
        let deadline = listening(&here, &there).await;
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

/// What another host commits arrives with what it changed: this host
/// brings forward only the calendars it meets, and every kept search ends
/// up answering what a search that keeps nothing answers.
#[test]
fn another_hosts_commits_bring_kept_searches_forward() {
    support::on_fresh_store(8, |here, url| async move {
        let there = PgStore::connect(&url).await.unwrap();
        let deadline = listening(&here, &there).await;
        let salon = Salon::open(Arc::new(here.clone())).await;
        let ctx = salon.staff();
        let elsewhere = Agenda::new(Arc::new(there.clone()));
        let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let requests: Vec<SlotsRequest> = [None, Some(salon.ana.id()), Some(salon.bia.id())]
            .into_iter()
            .map(|professional| SlotsRequest {
                service: salon.cut.id(),
                professional,
                from: monday,
                to: monday.succ_opt().unwrap(),
                step_minutes: None,
            })
            .collect();

        // One booking there: here hears which calendar it changed.
        let before = here.version().unwrap();
        let cut = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T15:00:00Z");
        let booked = elsewhere.book(&ctx, &cut).await.unwrap();
        loop {
            let heard = here.changed_since(before, salon.business.id());
            let ana = agendo_core::business::Bookable::Professional(salon.ana.id());
            if let Some(changed) = heard.filter(|c| !c.is_empty()) {
                assert_eq!(
                    changed,
                    vec![agendo_core::store::Change::Calendar(ana, booked.held())]
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "this host never heard what changed"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }

        // Rounds of writes there while here searches, then the same answers.
        let mut seed: u64 = 7;
        let mut roll = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let mut mine = vec![booked.id()];
        for round in 0..5 {
            let mut writes = Vec::new();
            for _ in 0..8 {
                let who = if roll(2) == 0 { &salon.ana } else { &salon.bia };
                let start = at("2026-03-02T12:00:00Z")
                    + chrono::TimeDelta::days(roll(2) as i64)
                    + chrono::TimeDelta::minutes(30 * roll(18) as i64);
                let mut cut = salon.cut_at(who, &salon.joao, "2026-03-02T12:00:00Z");
                cut.start = start;
                writes.push((roll(3), cut));
            }
            let searching = async {
                for _ in 0..10 {
                    for r in &requests {
                        salon.agenda.slots(&ctx, r).await.unwrap();
                    }
                }
            };
            let writing = async {
                for (what, cut) in writes {
                    match what {
                        0 if !mine.is_empty() => {
                            let id = mine.swap_remove(0);
                            elsewhere.cancel(&ctx, id, "mudou").await.unwrap();
                        }
                        1 if !mine.is_empty() => {
                            let _ = elsewhere.reschedule(&ctx, mine[0], cut.start).await;
                        }
                        _ => {
                            if let Ok(b) = elsewhere.book(&ctx, &cut).await {
                                mine.push(b.id());
                            }
                        }
                    }
                }
            };
            tokio::join!(searching, writing);
            let fresh = Agenda::new(Arc::new(there.clone()));
            for r in &requests {
                let read = fresh.slots(&ctx, r).await.unwrap();
                loop {
                    let kept = salon.agenda.slots(&ctx, r).await.unwrap();
                    if kept == read {
                        break;
                    }
                    assert!(
                        Instant::now() < deadline + PATIENCE,
                        "round {round}: this host kept a stale search of {r:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
        there.close().await;
    });
}
