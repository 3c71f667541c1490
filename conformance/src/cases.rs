//! The cases. Each takes a fresh, empty store.
//!
//! 2026-03-02 is a Monday; 13:00Z is 10:00 in São Paulo.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use agendo_core::agenda::{
    BlockFields, BookRequest, BusinessFields, Context, PaymentRequest, PaymentState, SeriesRequest,
};
use agendo_core::availability::Buffers;
use agendo_core::booking::{Booking, BookingStatus};
use agendo_core::business::{Activity, Bookable, Client, Professional, Resource, Service};
use agendo_core::contact::TaxId;
use agendo_core::ids::{ClientId, ReceivableId, ResourceId, ServiceId};
use agendo_core::money::Percent;
use agendo_core::payment::{PaymentMethod, PaymentStatus, Receivable};
use agendo_core::policy::{CancellationPolicy, Tier};
use agendo_core::recurrence::RecurrenceRule;
use agendo_core::store::{Access, BookingFilter, IdempotencyKey, Store};
use agendo_core::time::Span;
use agendo_core::Error;
use chrono::NaiveDate;
use futures_util::future::join_all;

use crate::salon::{at, brl, now, Salon};

pub(crate) type Boxed = Pin<Box<dyn Future<Output = ()> + Send>>;

macro_rules! case {
    ($(#[$doc:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name($store: Arc<dyn Store>) -> Boxed {
            Box::pin(async move $body)
        }
    };
}

/// An approved card payment of `amount` reais by the booking's client.
fn by_card(booking: &Booking, amount: &str) -> PaymentRequest {
    PaymentRequest {
        client: booking.client(),
        booking: Some(booking.id()),
        method: PaymentMethod::Card,
        amount: brl(amount).amount(),
        state: PaymentState::Approved,
    }
}

fn span(start: &str, end: &str) -> Span {
    Span::new(at(start), at(end)).unwrap()
}

case!(
    /// Every kind of record reads back equal to what was written.
    records_read_back_as_written,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let room = Resource::new(ResourceId::random(), salon.business.id(), "Sala de laser")
            .unwrap()
            .with_capacity(2)
            .unwrap();
        salon.agenda.save_resource(&ctx, &room).await.unwrap();
        let laser = Service::new(ServiceId::random(), salon.business.id(), "Laser", 45, brl("199.90"))
            .unwrap()
            .with_description("Depilação a laser, sessão")
            .unwrap()
            .with_buffers(Buffers::new(5, 10).unwrap())
            .with_resource(Some(room.id()));
        salon.agenda.save_service(&ctx, &laser).await.unwrap();
        let client = salon
            .maria
            .clone()
            .with_tax_id(Some(TaxId::parse("529.982.247-25").unwrap()))
            .with_notes("prefere manhãs")
            .unwrap()
            .with_attribute("skin_type", "III")
            .unwrap();
        salon.agenda.save_client(&ctx, &client).await.unwrap();

        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.business().await.unwrap().as_ref(), Some(&salon.business));
        assert_eq!(work.service(laser.id()).await.unwrap().as_ref(), Some(&laser));
        assert_eq!(work.service(salon.cut.id()).await.unwrap().as_ref(), Some(&salon.cut));
        assert_eq!(work.professional(salon.ana.id()).await.unwrap().as_ref(), Some(&salon.ana));
        assert_eq!(work.resource(room.id()).await.unwrap().as_ref(), Some(&room));
        assert_eq!(work.client(client.id()).await.unwrap().as_ref(), Some(&client));
        assert_eq!(work.client(ClientId::random()).await.unwrap(), None);
    }
);

case!(
    /// Lists come sorted by name.
    lists_are_sorted_by_name,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let names: Vec<String> = work.professionals().await.unwrap().iter().map(|p| p.name().to_owned()).collect();
        assert_eq!(names, ["Ana", "Bia"]);
        let names: Vec<String> = work.clients().await.unwrap().iter().map(|c| c.name().to_owned()).collect();
        assert_eq!(names, ["João Lima", "Maria Souza"]);
        assert_eq!(work.services().await.unwrap(), std::slice::from_ref(&salon.cut));
    }
);

case!(
    /// A unit of work of one business finds nothing of another (R7).
    one_business_never_sees_another,
    |store| {
        let first = Salon::open(store.clone()).await;
        let second = Salon::open(store.clone()).await;
        let booking = first.book(&first.ana, &first.maria, "2026-03-02T13:00:00Z").await;
        let mut work = store.begin(second.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.service(first.cut.id()).await.unwrap(), None);
        assert_eq!(work.professional(first.ana.id()).await.unwrap(), None);
        assert_eq!(work.client(first.maria.id()).await.unwrap(), None);
        assert_eq!(work.booking(booking.id()).await.unwrap(), None);
        assert!(work.bookings(&BookingFilter::default()).await.unwrap().is_empty());
        assert_eq!(work.professionals().await.unwrap().len(), 2);
        drop(work);
        // The other salon's staff cannot act on it either.
        let err = second.agenda.cancel(&second.staff(), booking.id(), "").await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        // The same time with the second salon's Ana is free.
        second.book(&second.ana, &second.maria, "2026-03-02T13:00:00Z").await;
    }
);

case!(
    /// Dropping a unit of work without committing keeps none of its writes.
    uncommitted_work_is_thrown_away,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let client = Client::new(ClientId::random(), salon.business.id(), "Ninguém").unwrap();
        {
            let mut work = store.begin(salon.business.id(), Access::Write).await.unwrap();
            work.put_client(&client).await.unwrap();
            assert!(work.client(client.id()).await.unwrap().is_some(), "a unit sees its own writes");
        }
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.client(client.id()).await.unwrap(), None);
    }
);

case!(
    /// A booking's status, spans, price and whole history read back.
    booking_history_reads_back_as_written,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let booking = salon.agenda.confirm(&ctx, booking.id()).await.unwrap();
        let booking = salon.agenda.reschedule(&ctx, booking.id(), at("2026-03-03T14:00:00Z")).await.unwrap();
        let ended = salon.agenda.cancel(&ctx.clone().as_client(), booking.id(), "viagem").await.unwrap();
        assert_eq!(ended.booking.status(), BookingStatus::Cancelled);
        assert_eq!(ended.booking.history().len(), 4);
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.booking(booking.id()).await.unwrap(), Some(ended.booking));
    }
);

case!(
    /// Booking a taken time is refused, naming the booking in the way (R18).
    a_taken_slot_is_refused_naming_the_booking,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let first = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let err = salon
            .agenda
            .book(&salon.staff(), &salon.cut_at(&salon.ana, &salon.joao, "2026-03-02T13:15:00Z"))
            .await
            .unwrap_err();
        match err {
            Error::SlotTaken { bookings, .. } => {
                assert_eq!(bookings.iter().map(|b| b.to_string()).collect::<Vec<_>>(), [first.id().to_string()])
            }
            other => panic!("expected slot_taken, got {other}"),
        }
        // Touching is not overlapping, and Bia is free.
        salon.book(&salon.ana, &salon.joao, "2026-03-02T13:30:00Z").await;
        salon.book(&salon.bia, &salon.joao, "2026-03-02T13:00:00Z").await;
    }
);

case!(
    /// The store refuses an overlapping active booking written without the
    /// conflict check: no code path can double-book.
    the_store_guard_refuses_overlaps_the_caller_did_not_check,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let first = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let sneaky = Booking::new(
            agendo_core::ids::BookingId::random(),
            &salon.cut,
            salon.ana.id(),
            salon.joao.id(),
            at("2026-03-02T13:10:00Z"),
            brl("50"),
            brl("0"),
            now(),
        )
        .unwrap();
        let mut work = store.begin(salon.business.id(), Access::Write).await.unwrap();
        let err = work.insert_booking(&sneaky).await.unwrap_err();
        assert!(matches!(err, Error::SlotTaken { .. }), "{err}");
        // Moving an existing booking onto another is refused the same way.
        let second = salon_booking_in(&mut *work, &salon, "2026-03-02T15:00:00Z").await;
        let moved = second
            .apply(
                agendo_core::booking::Action::Reschedule {
                    appointment: first.appointment(),
                },
                now(),
            )
            .unwrap();
        let err = work.update_booking(&moved).await.unwrap_err();
        assert!(matches!(err, Error::SlotTaken { .. }), "{err}");
    }
);

async fn salon_booking_in(
    work: &mut dyn agendo_core::store::UnitOfWork,
    salon: &Salon,
    start: &str,
) -> Booking {
    let booking = Booking::new(
        agendo_core::ids::BookingId::random(),
        &salon.cut,
        salon.ana.id(),
        salon.joao.id(),
        at(start),
        brl("50"),
        brl("0"),
        now(),
    )
    .unwrap();
    work.insert_booking(&booking).await.unwrap();
    booking
}

case!(
    /// A professional of capacity 2 takes two overlapping bookings, not three.
    capacity_allows_that_many_overlapping_bookings,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ana = salon.ana.clone().with_capacity(2).unwrap();
        salon.agenda.save_professional(&salon.staff(), &ana).await.unwrap();
        salon.book(&ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        salon.book(&ana, &salon.joao, "2026-03-02T13:00:00Z").await;
        let err = salon
            .agenda
            .book(&salon.staff(), &salon.cut_at(&ana, &salon.maria, "2026-03-02T13:20:00Z"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::SlotTaken { capacity: 2, ref bookings, .. } if bookings.len() == 2), "{err}");
    }
);

case!(
    /// A service's buffers keep time free even next to another service.
    buffers_hold_between_two_services,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let color = Service::new(ServiceId::random(), salon.business.id(), "Coloração", 60, brl("120"))
            .unwrap()
            .with_buffers(Buffers::new(0, 15).unwrap());
        salon.agenda.save_service(&ctx, &color).await.unwrap();
        let ana = salon.ana.clone().with_services([salon.cut.id(), color.id()]);
        salon.agenda.save_professional(&ctx, &ana).await.unwrap();
        let request = BookRequest {
            service: color.id(),
            professional: ana.id(),
            client: salon.maria.id(),
            start: at("2026-03-02T13:00:00Z"),
            discount: None,
        };
        salon.agenda.book(&ctx, &request).await.unwrap();
        // The colour ends at 14:00Z and keeps 15 minutes for cleaning.
        let err = salon
            .agenda
            .book(&ctx, &salon.cut_at(&ana, &salon.joao, "2026-03-02T14:00:00Z"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::SlotTaken { .. }), "{err}");
        salon.book(&ana, &salon.joao, "2026-03-02T14:15:00Z").await;
    }
);

case!(
    /// A cancelled booking no longer holds its time.
    a_cancelled_booking_frees_its_time,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let first = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        salon.agenda.cancel(&salon.staff(), first.id(), "").await.unwrap();
        salon.book(&salon.ana, &salon.joao, "2026-03-02T13:00:00Z").await;
    }
);

case!(
    /// `bookings_meeting` lists the active bookings whose held span overlaps.
    bookings_meeting_lists_only_active_overlapping_bookings,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let a = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let b = salon.book(&salon.ana, &salon.joao, "2026-03-02T13:30:00Z").await;
        let c = salon.book(&salon.ana, &salon.joao, "2026-03-02T14:00:00Z").await;
        salon.book(&salon.bia, &salon.joao, "2026-03-02T13:30:00Z").await;
        salon.agenda.cancel(&salon.staff(), c.id(), "").await.unwrap();
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let found = work
            .bookings_meeting(Bookable::Professional(salon.ana.id()), span("2026-03-02T13:29:00Z", "2026-03-02T15:00:00Z"))
            .await
            .unwrap();
        assert_eq!(found.iter().map(Booking::id).collect::<Vec<_>>(), [a.id(), b.id()]);
        let found = work
            .bookings_meeting(Bookable::Professional(salon.ana.id()), span("2026-03-02T13:30:00Z", "2026-03-02T13:31:00Z"))
            .await
            .unwrap();
        assert_eq!(found.iter().map(Booking::id).collect::<Vec<_>>(), [b.id()], "half-open spans");
    }
);

case!(
    /// Agenda filters (R23, R25) select by range, professional, client,
    /// status and series, and agree with `BookingFilter::matches`.
    booking_filters_select_by_each_field,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let mut all = [
            salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await,
            salon.book(&salon.ana, &salon.joao, "2026-03-03T13:00:00Z").await,
            salon.book(&salon.bia, &salon.maria, "2026-03-04T13:00:00Z").await,
        ];
        all[1] = salon.agenda.confirm(&ctx, all[1].id()).await.unwrap();
        let filters = [
            BookingFilter::default(),
            BookingFilter { during: Some(span("2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z")), ..Default::default() },
            BookingFilter { professional: Some(salon.ana.id()), ..Default::default() },
            BookingFilter { client: Some(salon.maria.id()), ..Default::default() },
            BookingFilter { statuses: vec![BookingStatus::Confirmed], ..Default::default() },
            BookingFilter { statuses: vec![BookingStatus::Pending, BookingStatus::Cancelled], professional: Some(salon.ana.id()), ..Default::default() },
            BookingFilter { ids: Some(vec![all[0].id(), all[1].id()]), ..Default::default() },
            BookingFilter { ids: Some(vec![all[1].id()]), statuses: vec![BookingStatus::Pending], ..Default::default() },
            BookingFilter { ids: Some(Vec::new()), ..Default::default() },
        ];
        let expected_sizes = [3, 1, 2, 2, 1, 1, 2, 0, 0];
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        for (filter, size) in filters.iter().zip(expected_sizes) {
            let found = work.bookings(filter).await.unwrap();
            let expected: Vec<&Booking> = all.iter().filter(|b| filter.matches(b)).collect();
            assert_eq!(found.len(), size, "{filter:?}");
            assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{filter:?}");
        }
    }
);

case!(
    /// Blocks are kept, found by the span they meet, deleted, and refuse
    /// bookings in their time (R16).
    blocks_are_kept_listed_and_deleted,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let lunch = salon.agenda.add_block(&ctx, &BlockFields {
            on: Bookable::Professional(salon.ana.id()),
            start: at("2026-03-02T15:00:00Z"),
            end: at("2026-03-02T16:00:00Z"),
            reason: "almoço".to_owned(),
        }).await.unwrap();
        let err = salon.agenda.book(&ctx, &salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T15:30:00Z")).await.unwrap_err();
        assert!(matches!(err, Error::Blocked { .. }), "{err}");
        {
            let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
            let on = Bookable::Professional(salon.ana.id());
            assert_eq!(work.blocks_meeting(on, span("2026-03-02T14:00:00Z", "2026-03-02T15:00:01Z")).await.unwrap(), std::slice::from_ref(&lunch));
            assert!(work.blocks_meeting(on, span("2026-03-02T16:00:00Z", "2026-03-02T17:00:00Z")).await.unwrap().is_empty());
            assert!(work.blocks_meeting(Bookable::Professional(salon.bia.id()), lunch.span()).await.unwrap().is_empty());
        }
        // Bia has no such block: it is not found, and Ana's stays.
        let bia = Bookable::Professional(salon.bia.id());
        let err = salon.agenda.remove_block(&ctx, bia, lunch.id()).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        salon.agenda.remove_block(&ctx, lunch.on(), lunch.id()).await.unwrap();
        salon.book(&salon.ana, &salon.maria, "2026-03-02T15:30:00Z").await;
        let err = salon.agenda.remove_block(&ctx, lunch.on(), lunch.id()).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
    }
);

case!(
    /// A service that needs a room books the professional and the room
    /// together: Bia cannot use the room while Ana does.
    a_service_with_a_resource_books_both_together,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let room = Resource::new(ResourceId::random(), salon.business.id(), "Sala 1").unwrap();
        salon.agenda.save_resource(&ctx, &room).await.unwrap();
        let laser = Service::new(ServiceId::random(), salon.business.id(), "Laser", 45, brl("200"))
            .unwrap()
            .with_resource(Some(room.id()));
        salon.agenda.save_service(&ctx, &laser).await.unwrap();
        let with_laser = |p: &Professional| p.clone().with_services([salon.cut.id(), laser.id()]);
        let (ana, bia) = (with_laser(&salon.ana), with_laser(&salon.bia));
        salon.agenda.save_professional(&ctx, &ana).await.unwrap();
        salon.agenda.save_professional(&ctx, &bia).await.unwrap();
        let request = |p: &Professional, start: &str| BookRequest {
            service: laser.id(),
            professional: p.id(),
            client: salon.maria.id(),
            start: at(start),
            discount: None,
        };
        let first = salon.agenda.book(&ctx, &request(&ana, "2026-03-02T13:00:00Z")).await.unwrap();
        assert_eq!(first.resource(), Some(room.id()));
        let err = salon.agenda.book(&ctx, &request(&bia, "2026-03-02T13:30:00Z")).await.unwrap_err();
        match err {
            Error::SlotTaken { staff, .. } => assert_eq!(staff.as_str(), room.id().to_string()),
            other => panic!("expected the room taken, got {other}"),
        }
        salon.agenda.book(&ctx, &request(&bia, "2026-03-02T13:45:00Z")).await.unwrap();
        // A room taken out of service takes no bookings.
        let retired = room.with_activity(Activity::Retired);
        salon.agenda.save_resource(&ctx, &retired).await.unwrap();
        let err = salon.agenda.book(&ctx, &request(&bia, "2026-03-02T16:00:00Z")).await.unwrap_err();
        assert!(matches!(err, Error::Retired { .. }), "{err}");
    }
);

case!(
    /// Payments read back; with confirmation on payment, a payment covering
    /// the price confirms the booking (R19, R35).
    payments_read_back_and_confirm_on_payment,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let fields = BusinessFields { confirmation: Some(agendo_core::business::ConfirmationMode::OnPayment), ..Default::default() };
        salon.agenda.change_business(&ctx, &fields).await.unwrap();
        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let pay = |amount: &str, state| PaymentRequest {
            client: salon.maria.id(),
            booking: Some(booking.id()),
            method: PaymentMethod::Pix,
            amount: brl(amount).amount(),
            state,
        };
        let half = salon.agenda.record_payment(&ctx, &pay("25", PaymentState::Approved)).await.unwrap();
        assert_eq!(half.booking.as_ref().unwrap().status(), BookingStatus::Pending);
        let rest = salon.agenda.record_payment(&ctx, &pay("25", PaymentState::Pending)).await.unwrap();
        assert_eq!(rest.booking.as_ref().unwrap().status(), BookingStatus::Pending);
        let approved = salon.agenda.approve_payment(&ctx, rest.payment.id()).await.unwrap();
        assert_eq!(approved.payment.status(), PaymentStatus::Approved);
        assert_eq!(approved.booking.as_ref().unwrap().status(), BookingStatus::Confirmed);
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.payment(half.payment.id()).await.unwrap().as_ref(), Some(&half.payment));
        assert_eq!(work.payments_for_booking(booking.id()).await.unwrap().len(), 2);
        assert_eq!(work.payments_for_client(salon.maria.id()).await.unwrap().len(), 2);
        assert!(work.payments_for_client(salon.joao.id()).await.unwrap().is_empty());
        drop(work);
        // A payment for Maria's booking cannot be recorded for João.
        let mut wrong = pay("10", PaymentState::Approved);
        wrong.client = salon.joao.id();
        let err = salon.agenda.record_payment(&ctx, &wrong).await.unwrap_err();
        assert_eq!(err.field(), Some("booking_id"));
    }
);

case!(
    /// A late cancellation keeps the policy's fee and records the refund
    /// on the payments (R21, R37).
    cancelling_refunds_the_payments_by_the_policy,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let request = by_card(&booking, "50");
        let paid = salon.agenda.record_payment(&ctx, &request).await.unwrap();
        // Two hours before the start: the late fee of 50%.
        let late = Context::staff(salon.business.id(), at("2026-03-02T11:00:00Z")).as_client();
        let ended = salon.agenda.cancel(&late, booking.id(), "").await.unwrap();
        assert_eq!((ended.settlement.fee(), ended.settlement.refund()), (brl("25"), brl("25")));
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let payment = work.payment(paid.payment.id()).await.unwrap().unwrap();
        assert_eq!(payment.status(), PaymentStatus::PartiallyRefunded);
        assert_eq!(payment.net(), brl("25"));
        assert_eq!(ended.refunded, [payment]);
    }
);

case!(
    /// A cancel ends by the policy as it stands when it runs: after the
    /// service is given a policy of its own, the next late cancel keeps
    /// that policy's fee, not the business's it kept before.
    a_cancel_ends_by_the_policy_as_it_stands,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let mut paid = Vec::new();
        for who in [&salon.ana, &salon.bia] {
            let booking = salon.book(who, &salon.maria, "2026-03-02T13:00:00Z").await;
            let request = by_card(&booking, "50");
            salon.agenda.record_payment(&ctx, &request).await.unwrap();
            paid.push(booking);
        }
        // Two hours before the start: the business's late fee of 50%.
        let late = Context::staff(salon.business.id(), at("2026-03-02T11:00:00Z")).as_client();
        let first = salon.agenda.cancel(&late, paid[0].id(), "").await.unwrap();
        assert_eq!((first.settlement.fee(), first.settlement.refund()), (brl("25"), brl("25")));
        let pct = |s: &str| Percent::parse(s).unwrap();
        let strict = CancellationPolicy::new(
            [Tier::new(24, pct("100")).unwrap()],
            pct("100"),
            pct("100"),
            None,
        )
        .unwrap();
        let cut = salon.cut.clone().with_policy(Some(strict)).unwrap();
        salon.agenda.save_service(&ctx, &cut).await.unwrap();
        let second = salon.agenda.cancel(&late, paid[1].id(), "").await.unwrap();
        assert_eq!((second.settlement.fee(), second.settlement.refund()), (brl("50"), brl("0")));
        assert!(second.refunded.is_empty(), "nothing refunded: {:?}", second.refunded);
    }
);

case!(
    /// A cancel and a no-show answer with the booking and the refunded
    /// payments exactly as they read back afterwards, at instants with
    /// nanoseconds; a cancel replayed under its idempotency key answers the
    /// same, read back.
    an_ended_booking_answers_as_it_reads_back,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let cancelled = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let missed = salon.book(&salon.bia, &salon.joao, "2026-03-02T13:00:00Z").await;
        // Paid in two parts, an hour apart.
        for (amount, when) in [("20", "2026-03-01T12:00:00Z"), ("30", "2026-03-01T13:00:00Z")] {
            let ctx = Context::staff(salon.business.id(), at(when));
            salon.agenda.record_payment(&ctx, &by_card(&cancelled, amount)).await.unwrap();
        }
        salon.agenda.record_payment(&ctx, &by_card(&missed, "50")).await.unwrap();
        if salon.agenda.booking(&ctx, missed.id()).await.unwrap().status() == BookingStatus::Pending {
            salon.agenda.confirm(&ctx, missed.id()).await.unwrap();
        }
        // Two hours before the start: a fee of 25 of the 50 paid; the
        // refund of 25 comes off the 30 paid last.
        let late = Context::staff(salon.business.id(), at("2026-03-02T11:00:00.123456789Z"))
            .as_client()
            .with_key(IdempotencyKey::parse("cancel-1").unwrap());
        let ended = salon.agenda.cancel(&late, cancelled.id(), "viagem").await.unwrap();
        assert_eq!(ended.refunded.len(), 1);
        assert_eq!(ended.refunded[0].amount(), brl("30"));
        assert_eq!(salon.agenda.cancel(&late, cancelled.id(), "viagem").await.unwrap(), ended);
        let after = Context::staff(salon.business.id(), at("2026-03-02T14:00:00.987654321Z"));
        let shown = salon.agenda.no_show(&after, missed.id()).await.unwrap();
        assert_eq!(shown.booking.status(), BookingStatus::NoShow);
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        for ended in [ended, shown] {
            let id = ended.booking.id();
            assert_eq!(work.booking(id).await.unwrap(), Some(ended.booking));
            let refunded: Vec<_> = work
                .payments_for_booking(id)
                .await
                .unwrap()
                .into_iter()
                .filter(|p| !p.refunds().is_empty())
                .collect();
            assert_eq!(ended.refunded, refunded);
        }
    }
);

case!(
    /// Receivables read back, paid or not.
    receivables_read_back_as_written,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let due = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let owed = Receivable::new(ReceivableId::random(), salon.business.id(), salon.maria.id(), None, brl("150"), due, "pacote").unwrap();
        let paid = Receivable::new(ReceivableId::random(), salon.business.id(), salon.joao.id(), None, brl("30"), due.pred_opt().unwrap(), "")
            .unwrap()
            .pay(now())
            .unwrap();
        let mut work = store.begin(salon.business.id(), Access::Write).await.unwrap();
        work.put_receivable(&owed).await.unwrap();
        work.put_receivable(&paid).await.unwrap();
        work.commit().await.unwrap();
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.receivable(owed.id()).await.unwrap().as_ref(), Some(&owed));
        assert_eq!(work.receivables().await.unwrap(), [paid, owed], "by due date");
    }
);

case!(
    /// The same key and request answer the first outcome without a second
    /// booking; the same key with another request is refused.
    idempotency_keys_replay_and_refuse_reuse,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff().with_key(IdempotencyKey::parse("req-1").unwrap());
        let request = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z");
        let first = salon.agenda.book(&ctx, &request).await.unwrap();
        let again = salon.agenda.book(&ctx, &request).await.unwrap();
        assert_eq!(first, again);
        let other = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T14:00:00Z");
        let err = salon.agenda.book(&ctx, &other).await.unwrap_err();
        assert!(matches!(err, Error::IdempotencyKeyReused { .. }), "{err}");
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.bookings(&BookingFilter::default()).await.unwrap().len(), 1);
        drop(work);
        // Keys belong to one business: another salon may use the same key.
        let second = Salon::open(store.clone()).await;
        let ctx2 = second.staff().with_key(IdempotencyKey::parse("req-1").unwrap());
        second.agenda.book(&ctx2, &second.cut_at(&second.ana, &second.maria, "2026-03-02T13:00:00Z")).await.unwrap();
    }
);

case!(
    /// A series with a clash books nothing and names every clash; without
    /// one, it books every occurrence (R22).
    a_series_is_booked_whole_or_not_at_all,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        // João holds Tuesday 2026-03-17, 10:00.
        salon.book(&salon.ana, &salon.joao, "2026-03-17T13:00:00Z").await;
        let request = SeriesRequest {
            service: salon.cut.id(),
            professional: salon.ana.id(),
            client: salon.maria.id(),
            first: "2026-03-03T10:00:00".parse().unwrap(),
            rule: RecurrenceRule::parse("FREQ=WEEKLY;BYDAY=TU;COUNT=4").unwrap(),
            discount: None,
        };
        let err = salon.agenda.book_series(&ctx, &request).await.unwrap_err();
        match &err {
            Error::SeriesClashes { clashes, .. } => {
                assert_eq!(clashes.len(), 1);
                assert_eq!((clashes[0].index, clashes[0].start), (2, at("2026-03-17T13:00:00Z")));
                assert_eq!(clashes[0].cause.code(), "slot_taken");
                // The next free starts that day: 10:30, 11:00, 11:30.
                assert_eq!(
                    clashes[0].alternatives,
                    [at("2026-03-17T13:30:00Z"), at("2026-03-17T14:00:00Z"), at("2026-03-17T14:30:00Z")]
                );
                let text = err.message(agendo_core::Lang::PtBr);
                assert!(text.contains("ter, 17/03 às 10:00"), "{text}");
                assert!(text.contains("livre perto: ter, 17/03 às 10:30"), "{text}");
            }
            other => panic!("expected series_clashes, got {other}"),
        }
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let filter = BookingFilter { client: Some(salon.maria.id()), ..Default::default() };
        assert!(work.bookings(&filter).await.unwrap().is_empty(), "nothing of the series was kept");
        drop(work);
        let request = SeriesRequest { first: "2026-03-03T11:00:00".parse().unwrap(), ..request };
        let series = salon.agenda.book_series(&ctx, &request).await.unwrap();
        assert_eq!(series.len(), 4);
        assert!(series.iter().all(|b| b.series() == series[0].series() && b.series().is_some()));
        assert_eq!(series[3].appointment().start(), at("2026-03-24T14:00:00Z"));
    }
);

case!(
    /// Moving "this and following" moves the booking and the later ones of
    /// its series by as much in local time, all or none: a clash with any
    /// names it and moves nothing.
    move_this_and_following,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let request = SeriesRequest {
            service: salon.cut.id(),
            professional: salon.ana.id(),
            client: salon.maria.id(),
            first: "2026-03-03T09:00:00".parse().unwrap(),
            rule: RecurrenceRule::parse("FREQ=WEEKLY;COUNT=4").unwrap(),
            discount: None,
        };
        let series = salon.agenda.book_series(&ctx, &request).await.unwrap();
        // João holds Wednesday 2026-03-25 at 10:00: the last occurrence would land on it.
        let joao = salon.book(&salon.ana, &salon.joao, "2026-03-25T13:00:00Z").await;
        let err = salon
            .agenda
            .reschedule_following(&ctx, series[1].id(), at("2026-03-11T13:00:00Z"))
            .await
            .unwrap_err();
        match &err {
            Error::SeriesClashes { clashes, .. } => {
                assert_eq!(clashes.len(), 1, "{err}");
                assert_eq!((clashes[0].index, clashes[0].start), (2, at("2026-03-25T13:00:00Z")));
                assert_eq!(clashes[0].cause.code(), "slot_taken");
                assert!(err.to_string().contains("cannot be moved, so none was"), "{err}");
            }
            other => panic!("expected series_clashes, got {other}"),
        }
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        for booking in &series {
            let kept = work.booking(booking.id()).await.unwrap().unwrap();
            assert_eq!(kept.appointment(), booking.appointment(), "nothing moved");
        }
        drop(work);
        salon.agenda.cancel(&ctx, joao.id(), "desistiu").await.unwrap();
        // Tuesday 09:00 becomes Wednesday 10:00 from the second on.
        let moved = salon
            .agenda
            .reschedule_following(&ctx, series[1].id(), at("2026-03-11T13:00:00Z"))
            .await
            .unwrap();
        let starts: Vec<_> = moved.iter().map(|b| b.appointment().start()).collect();
        assert_eq!(
            starts,
            [at("2026-03-11T13:00:00Z"), at("2026-03-18T13:00:00Z"), at("2026-03-25T13:00:00Z")]
        );
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let first = work.booking(series[0].id()).await.unwrap().unwrap();
        assert_eq!(first.appointment().start(), at("2026-03-03T12:00:00Z"), "the first stays");
        drop(work);
        // A week later, all at once: each lands where the next one was.
        let moved = salon
            .agenda
            .reschedule_following(&ctx, moved[0].id(), at("2026-03-18T13:00:00Z"))
            .await
            .unwrap();
        assert_eq!(moved[2].appointment().start(), at("2026-04-01T13:00:00Z"));
        let single = salon.book(&salon.bia, &salon.joao, "2026-03-02T13:00:00Z").await;
        let err = salon
            .agenda
            .reschedule_following(&ctx, single.id(), at("2026-03-02T14:00:00Z"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotInSeries { .. }), "{err}");
    }
);

case!(
    /// Cancelling "this and following" cancels the booking and the later
    /// ones of its series, not the earlier.
    cancel_this_and_following,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let request = SeriesRequest {
            service: salon.cut.id(),
            professional: salon.ana.id(),
            client: salon.maria.id(),
            first: "2026-03-02T10:00:00".parse().unwrap(),
            rule: RecurrenceRule::parse("FREQ=DAILY;COUNT=5").unwrap(),
            discount: None,
        };
        let series = salon.agenda.book_series(&ctx, &request).await.unwrap();
        let ended = salon.agenda.cancel_following(&ctx, series[2].id(), "mudou de cidade").await.unwrap();
        assert_eq!(ended.iter().map(|e| e.booking.id()).collect::<Vec<_>>(), series[2..].iter().map(Booking::id).collect::<Vec<_>>());
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        for ended in &ended {
            assert_eq!(work.booking(ended.booking.id()).await.unwrap().as_ref(), Some(&ended.booking));
        }
        for (i, booking) in series.iter().enumerate() {
            let status = work.booking(booking.id()).await.unwrap().unwrap().status();
            let expected = if i < 2 { BookingStatus::Pending } else { BookingStatus::Cancelled };
            assert_eq!(status, expected, "occurrence {i}");
        }
        drop(work);
        let single = salon.book(&salon.bia, &salon.joao, "2026-03-02T13:00:00Z").await;
        let err = salon.agenda.cancel_following(&ctx, single.id(), "").await.unwrap_err();
        assert!(matches!(err, Error::NotInSeries { .. }), "{err}");
    }
);

case!(
    /// Many clients booking one slot at once: exactly one gets it, the
    /// others get the conflict (R18).
    concurrent_bookings_of_one_slot_let_exactly_one_win,
    |store| {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let mut clients = Vec::new();
        for i in 0..16 {
            let client = Client::new(ClientId::random(), salon.business.id(), &format!("Cliente {i}")).unwrap();
            salon.agenda.save_client(&salon.staff(), &client).await.unwrap();
            clients.push(client);
        }
        let attempts = clients.iter().map(|client| {
            let salon = salon.clone();
            let request = salon.cut_at(&salon.ana, client, "2026-03-02T13:00:00Z");
            async move { salon.agenda.book(&salon.staff(), &request).await }
        });
        let results = join_all(attempts).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        let taken = results.iter().filter(|r| matches!(r, Err(Error::SlotTaken { .. }))).count();
        assert_eq!((won, taken), (1, 15), "{results:?}");
    }
);

case!(
    /// Retries of one request under one key, at once, make one booking.
    concurrent_retries_with_one_key_make_one_booking,
    |store| {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let ctx = salon.staff().with_key(IdempotencyKey::parse("retry-me").unwrap());
        let request = salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z");
        let attempts = (0..8).map(|_| {
            let (salon, ctx, request) = (salon.clone(), ctx.clone(), request.clone());
            async move { salon.agenda.book(&ctx, &request).await }
        });
        let results = join_all(attempts).await;
        let ids: Vec<_> = results.iter().map(|r| r.as_ref().map(Booking::id).map_err(|e| e.to_string())).collect();
        assert!(ids.iter().all(|id| id == &ids[0] && id.is_ok()), "{ids:?}");
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.bookings(&BookingFilter::default()).await.unwrap().len(), 1);
    }
);

case!(
    /// A booking added alone (one step, no unit of work) keeps every
    /// promise of the unit's insert: it reads back, a kept search sees it,
    /// an overlap is refused naming the booking met, a taken id is
    /// refused, and a professional who takes two at once gets exactly two.
    a_booking_added_alone_keeps_the_guard,
    |store| {
        use agendo_core::agenda::SlotsRequest;
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let only_ana = SlotsRequest {
            service: salon.cut.id(),
            professional: Some(salon.ana.id()),
            from: monday,
            to: monday,
            step_minutes: None,
        };
        assert_eq!(salon.agenda.slots(&ctx, &only_ana).await.unwrap().len(), 18);
        let cut = |who: &Professional, start: &str| salon.pending(&salon.cut, who, at(start));
        let first = cut(&salon.ana, "2026-03-02T13:00:00Z");
        store.insert_booking_alone(&first).await.unwrap();
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.booking(first.id()).await.unwrap(), Some(first.clone()));
        drop(work);
        let kept = salon.agenda.slots(&ctx, &only_ana).await.unwrap();
        assert_eq!(kept.len(), 17);
        assert!(!kept.iter().any(|s| s.start() == at("2026-03-02T13:00:00Z")));

        match store.insert_booking_alone(&cut(&salon.ana, "2026-03-02T13:15:00Z")).await {
            Err(Error::SlotTaken { bookings, .. }) => {
                assert_eq!(bookings.iter().map(|b| b.to_string()).collect::<Vec<_>>(), [first.id().to_string()]);
            }
            other => panic!("expected slot_taken, got {other:?}"),
        }
        assert!(matches!(
            store.insert_booking_alone(&first).await,
            Err(Error::AlreadyExists { .. })
        ));

        // Bia takes two at once: the longer way counts.
        let bia = salon.bia.clone().with_capacity(2).unwrap();
        salon.agenda.save_professional(&ctx, &bia).await.unwrap();
        store.insert_booking_alone(&cut(&bia, "2026-03-02T14:00:00Z")).await.unwrap();
        store.insert_booking_alone(&cut(&bia, "2026-03-02T14:00:00Z")).await.unwrap();
        assert!(matches!(
            store.insert_booking_alone(&cut(&bia, "2026-03-02T14:15:00Z")).await,
            Err(Error::SlotTaken { .. })
        ));
    }
);

/// The events of a new booking, as [`Agenda::book`] records them.
///
/// [`Agenda::book`]: agendo_core::agenda::Agenda::book
pub fn created(booking: &Booking) -> Vec<agendo_core::agenda::Event> {
    vec![agendo_core::agenda::Event::BookingCreated {
        booking: booking.id(),
        professional: booking.professional(),
        client: booking.client(),
        service: booking.service(),
        start: booking.appointment().start(),
        series: booking.series(),
    }]
}

/// The kinds of the business's events, numbered 1, 2, 3... without a gap.
async fn event_kinds(
    store: &Arc<dyn Store>,
    business: agendo_core::ids::BusinessId,
) -> Vec<String> {
    let mut work = store.begin(business, Access::Read).await.unwrap();
    let events = work.events_after(0, 500).await.unwrap();
    let numbers: Vec<u64> = events.iter().map(|e| e.number).collect();
    assert_eq!(numbers, (1..=events.len() as u64).collect::<Vec<_>>());
    events.iter().map(|e| e.event.kind().to_owned()).collect()
}

case!(
    /// A booking made in one step of the store (`Store::book_alone`) is
    /// only ever one the unit of work's way would make: whatever the store
    /// cannot tell in that step (an overlap, a block, a retired or unknown
    /// client, a room) it declines, writing nothing; what it adds reads
    /// back, with its events numbered after the others, and kept searches
    /// see it. `Agenda::book`, which takes the step when it can, answers
    /// as ever.
    a_booking_made_in_one_step_keeps_every_check,
    |store| {
        use agendo_core::agenda::SlotsRequest;
        use agendo_core::business::Block;
        use agendo_core::ids::BlockId;
        use agendo_core::store::Alone;
        let salon = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let business = salon.business.id();
        let held = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let mut work = store.begin(business, Access::Read).await.unwrap();
        assert_eq!(work.booking(held.id()).await.unwrap(), Some(held.clone()));
        drop(work);
        let mut kinds = event_kinds(&store, business).await;
        assert_eq!(kinds.last().map(String::as_str), Some("booking_created"));

        // A block of Ana's, a retired João.
        let block = Block::new(
            BlockId::random(),
            business,
            Bookable::Professional(salon.ana.id()),
            span("2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"),
            "Almoço",
        )
        .unwrap();
        let mut work = store.begin(business, Access::Write).await.unwrap();
        work.put_block(&block).await.unwrap();
        work.put_client(&salon.joao.clone().with_activity(Activity::Retired)).await.unwrap();
        work.commit().await.unwrap();
        let cut = |who: &Professional, start: &str| salon.pending(&salon.cut, who, at(start));
        let for_client = |client: ClientId, start: &str| {
            Booking::new(
                agendo_core::ids::BookingId::random(),
                &salon.cut,
                salon.bia.id(),
                client,
                at(start),
                salon.cut.price(),
                agendo_core::money::Money::zero(salon.cut.price().currency()),
                now(),
            )
            .unwrap()
        };
        let taken = |done: Result<Alone, Error>| match done {
            Ok(Alone::Declined) => {}
            Err(Error::SlotTaken { bookings, .. }) => {
                assert_eq!(bookings.iter().map(|b| b.to_string()).collect::<Vec<_>>(), [held.id().to_string()]);
            }
            other => panic!("an overlap: expected declined or slot_taken, got {other:?}"),
        };
        let overlap = cut(&salon.ana, "2026-03-02T13:15:00Z");
        taken(store.book_alone(&overlap, &created(&overlap), now()).await);
        let declined = [
            ("an overlap", overlap),
            ("a block", cut(&salon.ana, "2026-03-02T15:30:00Z")),
            ("a retired client", for_client(salon.joao.id(), "2026-03-02T13:00:00Z")),
            ("an unknown client", for_client(ClientId::random(), "2026-03-02T13:00:00Z")),
        ];
        for (why, booking) in declined.iter().skip(1) {
            let done = store.book_alone(booking, &created(booking), now()).await.unwrap();
            assert_eq!(done, Alone::Declined, "{why}");
        }
        for (why, booking) in &declined {
            let mut work = store.begin(business, Access::Read).await.unwrap();
            assert_eq!(work.booking(booking.id()).await.unwrap(), None, "{why}");
            drop(work);
            assert_eq!(event_kinds(&store, business).await, kinds, "{why}");
        }
        // Through the use case, each is refused as before.
        let refused = salon
            .agenda
            .book(&ctx, &salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T15:30:00Z"))
            .await;
        assert!(matches!(refused, Err(Error::Blocked { .. })), "{refused:?}");
        let refused = salon
            .agenda
            .book(&ctx, &salon.cut_at(&salon.ana, &salon.joao, "2026-03-02T09:00:00Z"))
            .await;
        assert!(matches!(refused, Err(Error::Retired { .. })), "{refused:?}");
        let refused = salon
            .agenda
            .book(&ctx, &salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T13:15:00Z"))
            .await;
        match refused {
            Err(Error::SlotTaken { bookings, .. }) => {
                assert_eq!(bookings.iter().map(|b| b.to_string()).collect::<Vec<_>>(), [held.id().to_string()]);
            }
            other => panic!("expected slot_taken, got {other:?}"),
        }

        // A free time: added whole, or declined leaving nothing.
        let only_bia = SlotsRequest {
            service: salon.cut.id(),
            professional: Some(salon.bia.id()),
            from: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            step_minutes: None,
        };
        let offered = salon.agenda.slots(&ctx, &only_bia).await.unwrap().len();
        let free = cut(&salon.bia, "2026-03-02T13:00:00Z");
        let done = store.book_alone(&free, &created(&free), now()).await.unwrap();
        let mut work = store.begin(business, Access::Read).await.unwrap();
        let found = work.booking(free.id()).await.unwrap();
        drop(work);
        let now_offered = salon.agenda.slots(&ctx, &only_bia).await.unwrap().len();
        if done == Alone::Added {
            assert_eq!(found, Some(free.clone()));
            kinds.push("booking_created".to_owned());
            assert_eq!(now_offered, offered - 1);
        } else {
            assert_eq!(found, None);
            assert_eq!(now_offered, offered);
        }
        assert_eq!(event_kinds(&store, business).await, kinds);

        // Two at once for Bia when she takes two; never a third.
        let bia = salon.bia.clone().with_capacity(2).unwrap();
        salon.agenda.save_professional(&ctx, &bia).await.unwrap();
        let mut added = 0;
        for _ in 0..3 {
            let both = cut(&bia, "2026-03-02T16:00:00Z");
            match store.book_alone(&both, &created(&both), now()).await {
                Ok(Alone::Added) => added += 1,
                Ok(Alone::Declined) | Err(Error::SlotTaken { capacity: 2, .. }) => {}
                Err(other) => panic!("expected added, declined or slot_taken, got {other:?}"),
            }
        }
        assert!(added <= 2, "{added} bookings at once for a capacity of 2");

        // The business now confirms at once: the next booking is confirmed,
        // with both events, whatever was kept of the business before.
        let mut work = store.begin(business, Access::Write).await.unwrap();
        let immediate = salon
            .business
            .clone()
            .with_confirmation(agendo_core::business::ConfirmationMode::Immediate);
        work.put_business(&immediate).await.unwrap();
        work.commit().await.unwrap();
        let confirmed = salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        assert_eq!(confirmed.status(), BookingStatus::Confirmed);
        let mut work = store.begin(business, Access::Read).await.unwrap();
        assert_eq!(work.booking(confirmed.id()).await.unwrap(), Some(confirmed));
        drop(work);
        let kinds = event_kinds(&store, business).await;
        assert_eq!(kinds[kinds.len() - 2..], ["booking_created", "booking_confirmed"]);
    }
);

/// What a store with a one-step booking must do: add a booking on free
/// time in that step, its events numbered after the others, seen by kept
/// searches; [`Agenda::book`] then books in it too. For the stores' own
/// tests (the reference store has no such step).
///
/// [`Agenda::book`]: agendo_core::agenda::Agenda::book
///
/// # Panics
/// When the store declines a booking it could add, or adds it wrongly.
pub async fn books_in_one_step(store: Arc<dyn Store>) {
    use agendo_core::store::Alone;
    let salon = Salon::open(store.clone()).await;
    let business = salon.business.id();
    let first = salon
        .book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z")
        .await;
    let before = event_kinds(&store, business).await;
    let free = salon.pending(&salon.cut, &salon.ana, at("2026-03-02T14:00:00Z"));
    let done = store
        .book_alone(&free, &created(&free), now())
        .await
        .unwrap();
    assert_eq!(done, Alone::Added);
    let mut work = store.begin(business, Access::Read).await.unwrap();
    assert_eq!(work.booking(free.id()).await.unwrap(), Some(free.clone()));
    assert_eq!(work.booking(first.id()).await.unwrap(), Some(first));
    drop(work);
    let after = event_kinds(&store, business).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().map(String::as_str), Some("booking_created"));
    // Numbered once, the same numbers are read again.
    assert_eq!(event_kinds(&store, business).await, after);
    // Refused by the guard alone, named in the same step.
    let overlap = salon.pending(&salon.cut, &salon.ana, at("2026-03-02T14:15:00Z"));
    match store.book_alone(&overlap, &created(&overlap), now()).await {
        Err(Error::SlotTaken { bookings, .. }) => {
            assert_eq!(
                bookings.iter().map(|b| b.to_string()).collect::<Vec<_>>(),
                [free.id().to_string()]
            );
        }
        other => panic!("expected slot_taken, got {other:?}"),
    }
    assert_eq!(event_kinds(&store, business).await, after);
}
