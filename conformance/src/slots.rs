//! The cases of free slots read from the store (R17): what
//! [`agendo_core::agenda::Agenda::slots`] offers is what booking accepts.
//! 2026-03-02 is a Monday; 12:00Z is 09:00 in São Paulo.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use agendo_core::agenda::{BlockFields, SlotsRequest};
use agendo_core::availability::SlotAnswer;
use agendo_core::business::{Activity, Bookable, Resource, Service};
use agendo_core::ids::{ResourceId, ServiceId};
use agendo_core::store::Store;
use agendo_core::time::Span;
use agendo_core::Error;
use chrono::NaiveDate;

use crate::cases::Boxed;
use crate::races::Dice;
use crate::salon::{at, brl, Salon};

macro_rules! case {
    ($(#[$doc:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name($store: Arc<dyn Store>) -> Boxed {
            Box::pin(async move $body)
        }
    };
}

/// A room open Ana's hours and a 60-minute peel that needs it, which Ana
/// and Bia perform (besides the haircut).
async fn peel_in_a_room(salon: &Salon) -> (Resource, Service) {
    let ctx = salon.staff();
    let room = Resource::new(ResourceId::random(), salon.business.id(), "Sala")
        .unwrap()
        .with_hours(salon.ana.hours().clone());
    salon.agenda.save_resource(&ctx, &room).await.unwrap();
    let peel = Service::new(
        ServiceId::random(),
        salon.business.id(),
        "Peeling",
        60,
        brl("120"),
    )
    .unwrap()
    .with_resource(Some(room.id()));
    salon.agenda.save_service(&ctx, &peel).await.unwrap();
    for p in [&salon.ana, &salon.bia] {
        let p = p.clone().with_services([salon.cut.id(), peel.id()]);
        salon.agenda.save_professional(&ctx, &p).await.unwrap();
    }
    (room, peel)
}

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn request(service: ServiceId) -> SlotsRequest {
    SlotsRequest {
        service,
        professional: None,
        from: monday(),
        to: monday(),
        step_minutes: None,
    }
}

/// Each slot as `start staff,staff`, staff by name.
fn lines(salon: &Salon, answer: &SlotAnswer) -> Vec<String> {
    let name = |key: &str| {
        if key == salon.ana.id().to_string() {
            "ana"
        } else if key == salon.bia.id().to_string() {
            "bia"
        } else {
            "?"
        }
    };
    answer
        .iter()
        .map(|s| {
            let mut staff: Vec<&str> = s.staff().map(|k| name(k.as_str())).collect();
            staff.sort_unstable();
            format!("{} {}", s.start().format("%H:%M"), staff.join(","))
        })
        .collect()
}

case!(
    /// Any professional who performs the service is offered; a booking and
    /// a block take their time out for that professional only.
    slots_offer_every_professional_and_leave_out_taken_time,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let all = salon.agenda.slots(&ctx, &request(salon.cut.id())).await.unwrap();
        // 09:00 to 18:00 local is 12:00Z to 21:00Z: 18 half hours each.
        assert_eq!(all.len(), 18);
        assert_eq!(lines(&salon, &all)[0], "12:00 ana,bia");

        salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let block = BlockFields {
            on: Bookable::Professional(salon.bia.id()),
            start: at("2026-03-02T14:00:00Z"),
            end: at("2026-03-02T15:00:00Z"),
            reason: "almoço".to_owned(),
        };
        salon.agenda.add_block(&ctx, &block).await.unwrap();
        let now = lines(&salon, &salon.agenda.slots(&ctx, &request(salon.cut.id())).await.unwrap());
        assert!(now.contains(&"13:00 bia".to_owned()), "{now:?}");
        assert!(now.contains(&"14:00 ana".to_owned()), "{now:?}");
        assert!(now.contains(&"14:30 ana".to_owned()), "{now:?}");
        assert!(now.contains(&"15:00 ana,bia".to_owned()), "{now:?}");

        let only_bia = SlotsRequest {
            professional: Some(salon.bia.id()),
            step_minutes: Some(60),
            ..request(salon.cut.id())
        };
        let bia = lines(&salon, &salon.agenda.slots(&ctx, &only_bia).await.unwrap());
        assert_eq!(bia.len(), 8, "{bia:?}");
        assert!(!bia.iter().any(|l| l.starts_with("14:00")), "{bia:?}");
    }
);

case!(
    /// A service that needs a room is offered only when a professional and
    /// the room are both free: one room, two professionals, one slot taken.
    slots_of_a_service_with_a_room_need_the_room_free,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let (_, peel) = peel_in_a_room(&salon).await;
        let before = lines(&salon, &salon.agenda.slots(&ctx, &request(peel.id())).await.unwrap());
        assert_eq!(before.first().map(String::as_str), Some("12:00 ana,bia"));

        let mut booking = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T12:00:00Z");
        booking.service = peel.id();
        salon.agenda.book(&ctx, &booking).await.unwrap();
        let after = lines(&salon, &salon.agenda.slots(&ctx, &request(peel.id())).await.unwrap());
        // Bia is free at 12:00 but the room is not.
        assert_eq!(after.first().map(String::as_str), Some("13:00 ana,bia"), "{after:?}");
    }
);

case!(
    /// A search kept from earlier answers at a later `now` as a search
    /// made afresh then: the starts now past drop out, with and without a
    /// room, and nothing else changes; its text too.
    kept_searches_drop_the_starts_now_past,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let (_, peel) = peel_in_a_room(&salon).await;
        salon.book(&salon.ana, &salon.maria, "2026-03-02T15:00:00Z").await;
        let staff_at = |now: &str| agendo_core::agenda::Context::staff(salon.business.id(), at(now));
        for service in [salon.cut.id(), peel.id()] {
            // Kept by this agenda at the salon's `now`, before the day.
            let early = salon.agenda.slots(&salon.staff(), &request(service)).await.unwrap();
            assert_eq!(lines(&salon, &early).first().map(String::as_str), Some("12:00 ana,bia"));
            for now in ["2026-03-02T12:00:00Z", "2026-03-02T13:10:00Z", "2026-03-02T15:00:00.000001Z", "2026-03-02T21:00:00Z"] {
                let kept = salon.agenda.slots(&staff_at(now), &request(service)).await.unwrap();
                let fresh = agendo_core::agenda::Agenda::new(store.clone())
                    .slots(&staff_at(now), &request(service))
                    .await
                    .unwrap();
                assert_eq!(kept, fresh, "at {now}");
                // The text, cut out of the kept answer's kept text.
                let text = salon.agenda.slots_json(&staff_at(now), &request(service)).await.unwrap();
                assert_eq!(text.as_str(), fresh.to_json(), "at {now}");
                assert!(kept.iter().all(|slot| slot.start() >= at(now)), "at {now}: {:?}", lines(&salon, &kept));
            }
        }
        let later = salon.agenda.slots(&staff_at("2026-03-02T13:10:00Z"), &request(salon.cut.id())).await.unwrap();
        assert_eq!(lines(&salon, &later).first().map(String::as_str), Some("13:30 ana,bia"));
        assert!(!lines(&salon, &later).contains(&"15:00 ana,bia".to_owned()));
    }
);

case!(
    /// A retired service offers nothing and says so; a service nobody
    /// performs offers no slot.
    slots_of_a_retired_or_unperformed_service,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let nails = Service::new(ServiceId::random(), salon.business.id(), "Unhas", 45, brl("35")).unwrap();
        salon.agenda.save_service(&ctx, &nails).await.unwrap();
        assert!(salon.agenda.slots(&ctx, &request(nails.id())).await.unwrap().is_empty());
        let asked = SlotsRequest { professional: Some(salon.ana.id()), ..request(nails.id()) };
        assert!(matches!(
            salon.agenda.slots(&ctx, &asked).await,
            Err(Error::ServiceNotPerformed { .. })
        ));
        let retired = salon.cut.clone().with_activity(Activity::Retired);
        salon.agenda.save_service(&ctx, &retired).await.unwrap();
        assert!(matches!(
            salon.agenda.slots(&ctx, &request(salon.cut.id())).await,
            Err(Error::Retired { .. })
        ));
    }
);

case!(
    /// Reading several professionals' blocks and bookings at once gives
    /// what reading each in turn gives, in the port's order.
    batched_reads_agree_with_one_at_a_time,
    |store| {
        use agendo_core::store::Access;
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        for (who, start) in [
            (&salon.ana, "2026-03-02T13:00:00Z"),
            (&salon.bia, "2026-03-02T13:00:00Z"),
            (&salon.bia, "2026-03-03T15:00:00Z"),
        ] {
            salon.book(who, &salon.maria, start).await;
            let block = BlockFields {
                on: Bookable::Professional(who.id()),
                start: at(start) + chrono::TimeDelta::hours(2),
                end: at(start) + chrono::TimeDelta::hours(3),
                reason: "pausa".to_owned(),
            };
            salon.agenda.add_block(&ctx, &block).await.unwrap();
        }
        let on = [Bookable::Professional(salon.ana.id()), Bookable::Professional(salon.bia.id())];
        let span = Span::new(at("2026-03-01T00:00:00Z"), at("2026-03-05T00:00:00Z")).unwrap();
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let mut blocks = Vec::new();
        let mut bookings = Vec::new();
        for who in on {
            blocks.extend(work.blocks_meeting(who, span).await.unwrap());
            bookings.extend(work.bookings_meeting(who, span).await.unwrap());
        }
        blocks.sort_by_key(|b| (b.span(), b.id()));
        bookings.sort_by_key(|b| (b.held(), b.id()));
        assert_eq!(work.blocks_meeting_any(&on, span).await.unwrap(), blocks);
        assert_eq!(work.bookings_meeting_any(&on, span).await.unwrap(), bookings);
        let held: Vec<_> = bookings.iter().map(agendo_core::store::Held::of).collect();
        assert_eq!(work.held_any(&on, span).await.unwrap(), held);
        assert_eq!(bookings.len(), 3);
        assert_eq!(blocks.len(), 3);
        assert!(work.bookings_meeting_any(&[], span).await.unwrap().is_empty());
    }
);

case!(
    /// A search after a booking made elsewhere (another host's agenda on
    /// the same store) sees it: what a search keeps is dropped when the
    /// store changes.
    slots_see_a_booking_made_through_another_agenda,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let only_ana = SlotsRequest {
            professional: Some(salon.ana.id()),
            ..request(salon.cut.id())
        };
        let before = salon.agenda.slots(&ctx, &only_ana).await.unwrap();
        assert_eq!(before.len(), 18);
        // Asked again, the answer is the same.
        assert_eq!(salon.agenda.slots(&ctx, &only_ana).await.unwrap(), before);
        let elsewhere = agendo_core::agenda::Agenda::new(store.clone());
        let mut cut = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T15:00:00Z");
        cut.discount = None;
        elsewhere.book(&ctx, &cut).await.unwrap();
        let after = salon.agenda.slots(&ctx, &only_ana).await.unwrap();
        assert_eq!(after.len(), 17);
        assert!(!after.iter().any(|s| s.start() == at("2026-03-02T15:00:00Z")));
    }
);

case!(
    /// What a search keeps is brought forward by each commit, never used
    /// stale: after rounds of random bookings, cancellations, moves, blocks
    /// and an hours change made at once with searches running, every kept
    /// search answers exactly what a search that keeps nothing answers
    /// (a fresh agenda over the same store), in answer and in text.
    kept_searches_answer_as_fresh_ones_under_concurrent_writes,
    |store| {
        use agendo_core::agenda::Agenda;
        use futures_util::future::join_all;

        let salon = Arc::new(Salon::open(store.clone()).await);
        let ctx = salon.staff();
        let (room, peel) = peel_in_a_room(&salon).await;
        let room_id = room.id();
        let tuesday = monday().succ_opt().unwrap();
        let requests = [
            SlotsRequest { to: tuesday, ..request(salon.cut.id()) },
            SlotsRequest { professional: Some(salon.ana.id()), ..request(salon.cut.id()) },
            SlotsRequest { professional: Some(salon.bia.id()), from: tuesday, to: tuesday, ..request(salon.cut.id()) },
            SlotsRequest { step_minutes: Some(15), to: tuesday, ..request(peel.id()) },
            // A week later: no write below reaches it, so it is kept whole.
            SlotsRequest { from: monday() + chrono::Days::new(7), to: monday() + chrono::Days::new(8), ..request(salon.cut.id()) },
        ];
        let same = |round: usize| {
            let salon = salon.clone();
            let requests = requests.clone();
            let store = store.clone();
            async move {
                let fresh = Agenda::new(store);
                for r in &requests {
                    let kept = salon.agenda.slots(&salon.staff(), r).await.unwrap();
                    let read = fresh.slots(&salon.staff(), r).await.unwrap();
                    assert_eq!(lines(&salon, &kept), lines(&salon, &read), "round {round}, {r:?}");
                    let text = salon.agenda.slots_json(&salon.staff(), r).await.unwrap();
                    assert_eq!(text.as_str(), read.to_json(), "round {round}, {r:?}");
                }
            }
        };
        same(0).await;
        for round in 1..=6u64 {
            // Four writers, each a few random changes, and four searchers,
            // all at once.
            let writers = (0..4u64).map(|w| {
                let salon = salon.clone();
                let peel = peel.clone();
                async move {
                    let mut dice = Dice(round * 16 + w);
                    let ctx = salon.staff();
                    let mut mine = Vec::new();
                    for _ in 0..6 {
                        let who = if dice.below(2) == 0 { &salon.ana } else { &salon.bia };
                        let day = dice.below(3) as i64;
                        let half_hours = dice.below(18) as i64;
                        let start = at("2026-03-02T12:00:00Z")
                            + chrono::TimeDelta::days(day)
                            + chrono::TimeDelta::minutes(30 * half_hours);
                        match dice.below(6) {
                            0 | 1 => {
                                let mut cut = salon.cut_at(who, &salon.maria, "2026-03-02T12:00:00Z");
                                cut.start = start;
                                if dice.below(3) == 0 {
                                    cut.service = peel.id();
                                }
                                if let Ok(b) = salon.agenda.book(&ctx, &cut).await {
                                    mine.push(b.id());
                                }
                            }
                            2 if !mine.is_empty() => {
                                let id = mine.swap_remove(dice.below(mine.len()));
                                salon.agenda.cancel(&ctx, id, "mudou de ideia").await.unwrap();
                            }
                            3 if !mine.is_empty() => {
                                let id = mine[dice.below(mine.len())];
                                let _ = salon.agenda.reschedule(&ctx, id, start).await;
                            }
                            4 => {
                                let block = BlockFields {
                                    on: if dice.below(4) == 0 {
                                        Bookable::Resource(room_id)
                                    } else {
                                        Bookable::Professional(who.id())
                                    },
                                    start,
                                    end: start + chrono::TimeDelta::minutes(45),
                                    reason: "pausa".to_owned(),
                                };
                                let block = salon.agenda.add_block(&ctx, &block).await.unwrap();
                                if dice.below(2) == 0 {
                                    salon.agenda.remove_block(&ctx, block.on(), block.id()).await.unwrap();
                                }
                            }
                            _ => {
                                // Booked and cancelled at once: two commits.
                                let mut cut = salon.cut_at(who, &salon.joao, "2026-03-02T12:00:00Z");
                                cut.start = start;
                                if let Ok(b) = salon.agenda.book(&ctx, &cut).await {
                                    salon.agenda.cancel(&ctx, b.id(), "teste").await.unwrap();
                                }
                            }
                        }
                    }
                }
            });
            let searchers = (0..4).map(|s| {
                let salon = salon.clone();
                let r = requests[s % requests.len()].clone();
                async move {
                    for i in 0..6 {
                        // Answers and their texts, each kept per version.
                        if i % 2 == 0 {
                            salon.agenda.slots(&salon.staff(), &r).await.unwrap();
                        } else {
                            salon.agenda.slots_json(&salon.staff(), &r).await.unwrap();
                        }
                    }
                }
            });
            futures_util::future::join(join_all(writers), join_all(searchers)).await;
            if round == 3 {
                // An hours change: every kept search of the business is
                // read again.
                let hours: agendo_core::availability::HoursQuery = serde_json::from_str(
                    r#"{"weekly": {"mon": [["10:00", "16:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]]}}"#,
                )
                .unwrap();
                salon.agenda.set_hours(&ctx, salon.bia.id(), &hours).await.unwrap();
            }
            same(round as usize).await;
        }
    }
);
