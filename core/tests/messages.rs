//! What a person reads when the engine refuses: names, local times in the
//! business's zone and money as people write it, in pt-BR and English;
//! the ids stay in the error's fields for programs.

use std::sync::Arc;

use agendo_core::agenda::*;
use agendo_core::availability::{WeeklyHours, WorkingHours};
use agendo_core::business::*;
use agendo_core::ids::*;
use agendo_core::money::{Currency, Money, Percent, Share};
use agendo_core::payment::PaymentMethod;
use agendo_core::policy::{CancellationPolicy, Tier};
use agendo_core::store::MemoryStore;
use agendo_core::time::Window;
use agendo_core::{Error, Lang};
use chrono::{DateTime, Utc, Weekday};
use rust_decimal::Decimal;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

struct Shop {
    agenda: Agenda,
    ctx: Context,
    request: BookRequest,
}

async fn shop(deposit: Option<Share>) -> Shop {
    let agenda = Agenda::new(Arc::new(MemoryStore::new()));
    let brl = |s: &str| Money::parse(s, Currency::BRL).unwrap();
    let policy = CancellationPolicy::new(
        [Tier::new(24, Percent::parse("0").unwrap()).unwrap()],
        Percent::parse("50").unwrap(),
        Percent::ALL,
        deposit,
    )
    .unwrap();
    let business = Business::new(
        BusinessId::random(),
        "Salão da Ana",
        chrono_tz::America::Sao_Paulo,
        Currency::BRL,
        Lang::PtBr,
    )
    .unwrap()
    .with_policy(policy)
    .unwrap();
    agenda.create_business(&business).await.unwrap();
    let ctx = Context::staff(business.id(), at("2026-12-01T12:00:00Z"));
    let cut = Service::new(ServiceId::random(), business.id(), "Corte", 60, brl("80")).unwrap();
    agenda.save_service(&ctx, &cut).await.unwrap();
    let week = WeeklyHours::closed()
        .with_day(Weekday::Mon, [Window::parse("09:00", "12:00").unwrap()])
        .unwrap();
    let bia = Professional::new(ProfessionalId::random(), business.id(), "Bia")
        .unwrap()
        .with_services([cut.id()])
        .with_hours(WorkingHours::new(week));
    agenda.save_professional(&ctx, &bia).await.unwrap();
    let maria = Client::new(ClientId::random(), business.id(), "Maria").unwrap();
    agenda.save_client(&ctx, &maria).await.unwrap();
    // Monday 7 December 2026, 09:00 in São Paulo.
    let request = BookRequest {
        service: cut.id(),
        professional: bia.id(),
        client: maria.id(),
        start: at("2026-12-07T12:00:00Z"),
        discount: None,
    };
    Shop {
        agenda,
        ctx,
        request,
    }
}

#[test]
fn a_taken_time_names_the_professional_and_the_local_time() {
    futures_executor::block_on(async {
        let shop = shop(None).await;
        let first = shop.agenda.book(&shop.ctx, &shop.request).await.unwrap();
        let err = shop
            .agenda
            .book(&shop.ctx, &shop.request)
            .await
            .unwrap_err();
        assert_eq!(
            err.message(Lang::PtBr),
            "Bia já tem um horário seg, 07/12 às 09:00"
        );
        assert_eq!(
            err.message(Lang::En),
            "Bia is already booked on Mon 7 Dec at 09:00"
        );
        // The machine fields keep the ids.
        match &err {
            Error::SlotTaken { bookings, .. } => {
                assert_eq!(bookings[0].as_str(), first.id().to_string());
            }
            other => panic!("expected SlotTaken, got {other:?}"),
        }
        let late = BookRequest {
            start: at("2026-12-07T15:00:00Z"),
            ..shop.request.clone()
        };
        let err = shop.agenda.book(&shop.ctx, &late).await.unwrap_err();
        assert_eq!(
            err.message(Lang::PtBr),
            "Bia não trabalha seg, 07/12 às 12:00"
        );
        let lunch = BlockFields {
            on: Bookable::Professional(shop.request.professional),
            start: at("2026-12-07T13:00:00Z"),
            end: at("2026-12-07T14:00:00Z"),
            reason: "almoço".to_owned(),
        };
        shop.agenda.add_block(&shop.ctx, &lunch).await.unwrap();
        let blocked = BookRequest {
            start: at("2026-12-07T13:00:00Z"),
            ..shop.request.clone()
        };
        let err = shop.agenda.book(&shop.ctx, &blocked).await.unwrap_err();
        assert_eq!(
            err.message(Lang::PtBr),
            "Bia não atende seg, 07/12 às 10:00 (horário bloqueado)"
        );
        assert!(!err.message(Lang::En).contains("UTC"));
    });
}

#[test]
fn money_in_messages_is_written_as_people_write_it() {
    futures_executor::block_on(async {
        let deposit = Share::Percent(Percent::parse("25").unwrap());
        let shop = shop(Some(deposit)).await;
        let booking = shop.agenda.book(&shop.ctx, &shop.request).await.unwrap();
        let err = shop
            .agenda
            .confirm(&shop.ctx, booking.id())
            .await
            .unwrap_err();
        assert_eq!(
            err.message(Lang::PtBr),
            "este agendamento precisa de um sinal de R$ 20,00 para ser confirmado; foi pago R$ 0,00"
        );
        assert_eq!(
            err.message(Lang::En),
            "this booking needs a deposit of R$20.00 to be confirmed; R$0.00 is paid"
        );
        let paid = shop
            .agenda
            .record_payment(
                &shop.ctx,
                &PaymentRequest {
                    client: shop.request.client,
                    booking: Some(booking.id()),
                    method: PaymentMethod::Pix,
                    amount: Decimal::new(125_000, 2),
                    state: PaymentState::Approved,
                },
            )
            .await
            .unwrap();
        let err = shop
            .agenda
            .refund(
                &shop.ctx,
                paid.payment.id(),
                Decimal::new(200_000, 2),
                "erro",
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.message(Lang::PtBr),
            "restam R$ 1.250,00 deste pagamento para reembolsar; foi pedido R$ 2.000,00"
        );
    });
}

#[test]
fn a_taken_room_is_named_as_the_room() {
    futures_executor::block_on(async {
        let shop = shop(None).await;
        let ctx = &shop.ctx;
        let room = Resource::new(ResourceId::random(), ctx.business, "Sala de laser")
            .unwrap()
            .with_hours(WorkingHours::new(
                WeeklyHours::closed()
                    .with_day(Weekday::Mon, [Window::parse("08:00", "20:00").unwrap()])
                    .unwrap(),
            ));
        shop.agenda.save_resource(ctx, &room).await.unwrap();
        let laser = Service::new(
            ServiceId::random(),
            ctx.business,
            "Laser",
            60,
            Money::parse("300", Currency::BRL).unwrap(),
        )
        .unwrap()
        .with_resource(Some(room.id()));
        shop.agenda.save_service(ctx, &laser).await.unwrap();
        let mut hours = WeeklyHours::closed();
        hours = hours
            .with_day(Weekday::Mon, [Window::parse("09:00", "12:00").unwrap()])
            .unwrap();
        let mut ids = Vec::new();
        for name in ["Caio", "Duda"] {
            let who = Professional::new(ProfessionalId::random(), ctx.business, name)
                .unwrap()
                .with_services([laser.id()])
                .with_hours(WorkingHours::new(hours.clone()));
            shop.agenda.save_professional(ctx, &who).await.unwrap();
            ids.push(who.id());
        }
        let at_nine = |professional| BookRequest {
            service: laser.id(),
            professional,
            ..shop.request.clone()
        };
        shop.agenda.book(ctx, &at_nine(ids[0])).await.unwrap();
        let err = shop.agenda.book(ctx, &at_nine(ids[1])).await.unwrap_err();
        assert_eq!(
            err.message(Lang::PtBr),
            "Sala de laser já tem um horário seg, 07/12 às 09:00"
        );
        match err {
            Error::SlotTaken {
                shown: Some(shown), ..
            } => assert_eq!(shown.on, Bookable::Resource(room.id())),
            other => panic!("expected the room taken, got {other:?}"),
        }
    });
}
