//! What a business sets up and reads back, through the use cases, on
//! every store: rooms of a kind, the business profile and pictures,
//! "why not free?", and the lists (payments with totals, clients by
//! attribute, a booking's history).

use std::collections::BTreeMap;
use std::sync::Arc;

use agendo_core::agenda::{
    Actor, BlockFields, BookRequest, BusinessFields, ClientFilter, Context, PaymentFilter,
    PaymentRequest, PaymentState, ResourceFields, ServiceFields, WhyRequest,
};
use agendo_core::availability::Reason;
use agendo_core::booking::Change;
use agendo_core::business::{Bookable, Colour};
use agendo_core::contact::{Phone, TaxId};
use agendo_core::ids::AccountId;
use agendo_core::page::PageRequest;
use agendo_core::payment::{PaymentMethod, PaymentStatus};
use agendo_core::picture::{Picture, Subject};
use agendo_core::store::Store;
use agendo_core::{Error, Lang};
use rust_decimal::Decimal;

use crate::cases::Boxed;
use crate::salon::{at, brl, now, Salon};

macro_rules! case {
    ($(#[$doc:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name($store: Arc<dyn Store>) -> Boxed {
            Box::pin(async move $body)
        }
    };
}

case!(
    /// A service that needs a kind of room takes the first free room of
    /// that kind; slots need a professional and a room free together; when
    /// every room is taken the refusal names a room; a retired room is
    /// never taken.
    a_service_takes_any_free_room_of_its_kind,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let ctx = salon.staff();
        let room = |name: &str| ResourceFields {
            name: Some(name.to_owned()),
            kind: Some("Sala de laser".to_owned()),
            ..ResourceFields::default()
        };
        let sala1 = agenda.create_resource(&ctx, &room("Sala 1")).await.expect("sala 1");
        let sala2 = agenda.create_resource(&ctx, &room("Sala 2")).await.expect("sala 2");
        assert_eq!(sala1.kind(), "Sala de laser");
        let laser = agenda
            .create_service(
                &ctx,
                &ServiceFields {
                    name: Some("Laser".to_owned()),
                    duration_minutes: Some(60),
                    price: Some(Decimal::new(200, 0)),
                    resource_kind: Some(Some("sala de LASER".to_owned())),
                    ..ServiceFields::default()
                },
            )
            .await
            .expect("laser");
        assert_eq!(laser.resource_kind(), Some("sala de LASER"));
        for p in [&salon.ana, &salon.bia] {
            let fields = agendo_core::agenda::ProfessionalFields {
                services: Some(vec![salon.cut.id(), laser.id()]),
                ..Default::default()
            };
            agenda.change_professional(&ctx, p.id(), &fields).await.expect("performs");
        }
        let book = |p: agendo_core::ids::ProfessionalId, client, start: &str| BookRequest {
            service: laser.id(),
            professional: p,
            client,
            start: at(start),
            discount: None,
        };
        // Monday 10:00 local: Ana takes Sala 1, Bia Sala 2.
        let first = agenda
            .book(&ctx, &book(salon.ana.id(), salon.maria.id(), "2026-03-02T13:00:00Z"))
            .await
            .expect("ana");
        let second = agenda
            .book(&ctx, &book(salon.bia.id(), salon.joao.id(), "2026-03-02T13:00:00Z"))
            .await
            .expect("bia");
        assert_eq!(first.resource(), Some(sala1.id()));
        assert_eq!(second.resource(), Some(sala2.id()));
        // At 10:00 both rooms are taken: no slot, though Ana and Bia would be free for a cut.
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let slots = agenda
            .slots(
                &ctx,
                &agendo_core::agenda::SlotsRequest {
                    service: laser.id(),
                    professional: None,
                    from: monday,
                    to: monday,
                    step_minutes: Some(30),
                },
            )
            .await
            .expect("slots");
        let starts: Vec<_> = slots.iter().map(|s| s.start()).collect();
        assert!(!starts.contains(&at("2026-03-02T13:00:00Z")), "{starts:?}");
        assert!(!starts.contains(&at("2026-03-02T13:30:00Z")), "{starts:?}");
        assert!(starts.contains(&at("2026-03-02T14:00:00Z")), "{starts:?}");
        // A third person at 10:30 with Bia: Bia is busy; with a new professional...
        // ...Ana is busy too. Retire Sala 2 and book at 11:00: only Sala 1.
        agenda
            .change_resource(&ctx, sala2.id(), &ResourceFields::retired())
            .await
            .expect("retire");
        let third = agenda
            .book(&ctx, &book(salon.bia.id(), salon.maria.id(), "2026-03-02T14:00:00Z"))
            .await
            .expect("bia at 11");
        assert_eq!(third.resource(), Some(sala1.id()));
        let err = agenda
            .book(&ctx, &book(salon.ana.id(), salon.joao.id(), "2026-03-02T14:30:00Z"))
            .await
            .expect_err("the only room is taken");
        match &err {
            Error::SlotTaken { staff, .. } => assert_eq!(staff.as_str(), sala1.id().to_string()),
            other => panic!("expected the room taken, got {other}"),
        }
        assert!(err.message(Lang::PtBr).contains("Sala 1"), "{}", err.message(Lang::PtBr));
        // Moving keeps a room of the kind.
        let moved = agenda
            .reschedule(&ctx, first.id(), at("2026-03-02T17:00:00Z"))
            .await
            .expect("move");
        assert_eq!(moved.resource(), Some(sala1.id()));
        // A kind nobody has is refused naming the field.
        let err = agenda
            .create_service(
                &ctx,
                &ServiceFields {
                    name: Some("Criolipólise".to_owned()),
                    duration_minutes: Some(60),
                    price: Some(Decimal::new(300, 0)),
                    resource_kind: Some(Some("máquina".to_owned())),
                    ..ServiceFields::default()
                },
            )
            .await
            .expect_err("no such kind");
        assert_eq!(err.field(), Some("resource_kind"), "{err}");
        let rooms = agenda.resources(&ctx).await.expect("rooms");
        assert_eq!(rooms.len(), 2);
    }
);

case!(
    /// The business profile and notification settings change field by
    /// field and read back; pictures are kept, replaced and removed, a
    /// professional's photo only for a professional of the business.
    the_profile_and_pictures_read_back,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let ctx = salon.staff();
        let fields = BusinessFields {
            legal_name: Some("Salão Conformidade Ltda".to_owned()),
            tax_id: Some(Some(TaxId::parse("11.222.333/0001-81").expect("cnpj"))),
            phone: Some(Some(Phone::parse("(11) 3333-4444").expect("phone"))),
            address: Some("Rua Augusta, 100 — São Paulo".to_owned()),
            colour: Some(Some(Colour::parse("#1a7f3c").expect("colour"))),
            description: Some("Cortes e cores desde 1998.".to_owned()),
            notify: Some(
                agendo_core::notify::NotifySettings::new(
                    Some(agendo_core::time::WallTime::parse("18:00").expect("time")),
                    Some(90),
                    agendo_core::time::WallTime::parse("09:00").expect("time"),
                    3,
                )
                .expect("notify"),
            ),
            ..BusinessFields::default()
        };
        let changed = agenda.change_business(&ctx, &fields).await.expect("profile");
        let profile = changed.profile();
        assert_eq!(profile.legal_name(), "Salão Conformidade Ltda");
        assert_eq!(profile.colour().map(|c| c.to_string()).as_deref(), Some("#1A7F3C"));
        assert_eq!(changed.notify().minutes_before(), Some(90));
        // Another field alone keeps the profile.
        let renamed = agenda
            .change_business(&ctx, &BusinessFields { name: Some("Salão C".to_owned()), ..BusinessFields::default() })
            .await
            .expect("rename");
        assert_eq!(renamed.profile(), changed.profile());
        assert_eq!(renamed.notify(), changed.notify());
        let cleared = agenda
            .change_business(&ctx, &BusinessFields { tax_id: Some(None), ..BusinessFields::default() })
            .await
            .expect("clear");
        assert_eq!(cleared.profile().tax_id(), None);
        assert_eq!(cleared.profile().address(), "Rua Augusta, 100 — São Paulo");

        let png = {
            let img = image::RgbaImage::from_pixel(64, 32, image::Rgba([26, 127, 60, 255]));
            let mut out = Vec::new();
            image::DynamicImage::ImageRgba8(img)
                .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
                .expect("png");
            out
        };
        let logo = Picture::read(&png).expect("logo");
        agenda.set_picture(&ctx, Subject::Logo, Some(logo.clone())).await.expect("set logo");
        assert_eq!(agenda.picture(&ctx, Subject::Logo).await.expect("logo back"), logo);
        let photo = Subject::Professional(salon.ana.id());
        agenda.set_picture(&ctx, photo, Some(logo.clone())).await.expect("photo");
        agenda.set_picture(&ctx, photo, None).await.expect("remove");
        let err = agenda.picture(&ctx, photo).await.expect_err("removed");
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        let stranger = Subject::Professional(agendo_core::ids::ProfessionalId::random());
        let err = agenda.set_picture(&ctx, stranger, Some(logo)).await.expect_err("no such professional");
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        let receptionist = Context::new(salon.business.id(), now(), Actor::Receptionist);
        let err = agenda.set_picture(&receptionist, Subject::Logo, None).await.expect_err("receptionist");
        assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    }
);

case!(
    /// "Why not free?" names, per professional, the block by its reason,
    /// the booking by its client, and the working hours, with local times.
    why_not_free_names_what_is_in_the_way,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let ctx = salon.staff();
        salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        agenda
            .add_block(
                &ctx,
                &BlockFields {
                    on: Bookable::Professional(salon.bia.id()),
                    start: at("2026-03-02T12:00:00Z"),
                    end: at("2026-03-02T15:00:00Z"),
                    reason: "Dentista".to_owned(),
                },
            )
            .await
            .expect("block");
        let why = agenda
            .why_not_free(
                &ctx,
                &WhyRequest {
                    service: salon.cut.id(),
                    professional: None,
                    start: at("2026-03-02T13:00:00Z"),
                },
            )
            .await
            .expect("why");
        assert!(!why.free);
        let names: Vec<&str> = why.professionals.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Ana", "Bia"]);
        let ana = &why.professionals[0];
        assert!(matches!(ana.causes[0].reason, Reason::AtCapacity { .. }), "{ana:?}");
        assert_eq!(ana.causes[0].bookings[0].label, "Maria Souza");
        let bia = &why.professionals[1];
        assert_eq!(bia.causes[0].blocks[0].label, "Dentista");
        let text = why.message(Lang::PtBr);
        assert!(text.contains("seg, 02/03 às 10:00"), "{text}");
        assert!(text.contains("Ana: ocupado por Maria Souza (seg, 02/03 às 10:00–10:30)"), "{text}");
        assert!(text.contains("Bia: bloqueado: Dentista (seg, 02/03 às 09:00–12:00)"), "{text}");
        // Sunday is outside the hours; 11:00 on Monday is free with Ana.
        let sunday = agenda
            .why_not_free(&ctx, &WhyRequest { service: salon.cut.id(), professional: Some(salon.ana.id()), start: at("2026-03-08T13:00:00Z") })
            .await
            .expect("sunday");
        assert_eq!(sunday.professionals[0].causes[0].rule(), "outside_working_hours");
        let free = agenda
            .why_not_free(&ctx, &WhyRequest { service: salon.cut.id(), professional: None, start: at("2026-03-02T14:00:00Z") })
            .await
            .expect("free");
        assert!(free.free && free.professionals[0].free);
        // A professional hears about themself only.
        let bia = Context::new(salon.business.id(), now(), Actor::Professional(salon.bia.id()));
        let own = agenda
            .why_not_free(&bia, &WhyRequest { service: salon.cut.id(), professional: None, start: at("2026-03-02T13:00:00Z") })
            .await
            .expect("bia's own");
        assert_eq!(own.professionals.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Bia"]);
        let err = agenda
            .why_not_free(&bia, &WhyRequest { service: salon.cut.id(), professional: Some(salon.ana.id()), start: at("2026-03-02T13:00:00Z") })
            .await
            .expect_err("ana's");
        assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    }
);

case!(
    /// Lists page in a stable order: payments filtered by status, method,
    /// period, professional and client with totals of all they keep;
    /// clients by custom attribute; a booking's history says who did what.
    lists_filter_total_and_tell_who,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let ctx = salon.staff();
        let anas = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        let bias = salon.book(&salon.bia, &salon.joao, "2026-03-02T13:00:00Z").await;
        let pay = |booking: &agendo_core::booking::Booking, client, method, amount: i64, state| PaymentRequest {
            client,
            booking: Some(booking.id()),
            method,
            amount: Decimal::new(amount, 0),
            state,
        };
        let p1 = agenda.record_payment(&ctx, &pay(&anas, salon.maria.id(), PaymentMethod::Pix, 50, PaymentState::Approved)).await.expect("p1");
        agenda.record_payment(&ctx, &pay(&bias, salon.joao.id(), PaymentMethod::Cash, 30, PaymentState::Approved)).await.expect("p2");
        agenda.record_payment(&ctx, &pay(&bias, salon.joao.id(), PaymentMethod::Pix, 20, PaymentState::Pending)).await.expect("p3");
        agenda.refund(&ctx, p1.payment.id(), Decimal::new(10, 0), "troco").await.expect("refund");

        let all = agenda.payments(&ctx, &PaymentFilter::default(), &PageRequest::read("payments", None, Some(2)).unwrap()).await.expect("all");
        assert_eq!((all.count, all.page.items.len()), (3, 2));
        assert!(all.page.next.is_some());
        assert_eq!((all.amount, all.refunded, all.net), (brl("100"), brl("10"), brl("70")));
        let pix = agenda
            .payments(&ctx, &PaymentFilter { method: Some(PaymentMethod::Pix), ..Default::default() }, &PageRequest::first("payments"))
            .await
            .expect("pix");
        assert_eq!((pix.count, pix.amount), (2, brl("70")));
        let bia = agenda
            .payments(&ctx, &PaymentFilter { professional: Some(salon.bia.id()), status: Some(PaymentStatus::Approved), ..Default::default() }, &PageRequest::first("payments"))
            .await
            .expect("bia");
        assert_eq!((bia.count, bia.net), (1, brl("30")));
        let later = agendo_core::time::Span::new(at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z")).unwrap();
        let none = agenda.payments(&ctx, &PaymentFilter { during: Some(later), ..Default::default() }, &PageRequest::first("payments")).await.expect("period");
        assert_eq!(none.count, 0, "every payment was recorded on 1 March");
        let err = agenda.payments(&ctx, &PaymentFilter::default(), &PageRequest::read("clients", None, None).unwrap()).await;
        assert!(err.is_ok(), "a page request names its list only through its cursor");

        let fields = agendo_core::agenda::ClientFields {
            attributes: Some(BTreeMap::from([("tipo_de_piscina".to_owned(), "Fibra".to_owned())])),
            ..Default::default()
        };
        agenda.change_client(&ctx, salon.joao.id(), &fields).await.expect("attribute");
        let fibra = ClientFilter {
            attributes: BTreeMap::from([("tipo_de_piscina".to_owned(), "fibra".to_owned())]),
            ..ClientFilter::default()
        };
        let page = agenda.clients_page(&ctx, &fibra, &PageRequest::first("clients")).await.expect("fibra");
        assert_eq!(page.items.iter().map(|c| c.name()).collect::<Vec<_>>(), ["João Lima"]);
        let everyone = agenda.clients_page(&ctx, &ClientFilter::default(), &PageRequest::read("clients", None, Some(1)).unwrap()).await.expect("page 1");
        assert_eq!(everyone.items[0].name(), "João Lima", "by name: João before Maria");
        let next = PageRequest::read("clients", everyone.next.as_deref(), Some(1)).unwrap();
        let page2 = agenda.clients_page(&ctx, &ClientFilter::default(), &next).await.expect("page 2");
        assert_eq!(page2.items[0].name(), "Maria Souza");
        assert!(page2.next.is_none());

        // Who did what: a receptionist signed in as an account confirms.
        let account = AccountId::random();
        let desk = Context::new(salon.business.id(), now(), Actor::Receptionist).with_account(account);
        agenda.confirm(&desk, anas.id()).await.expect("confirm");
        let history = agenda.booking_history(&ctx, anas.id()).await.expect("history");
        assert_eq!(history.lines.len(), 2, "created, confirmed: {:?}", history.lines);
        let last = history.lines.last().unwrap();
        assert_eq!(last.change, Change::Confirmed);
        let by = last.by.as_ref().expect("who");
        assert_eq!((&*by.actor, by.account), ("receptionist", Some(account)));
        assert_eq!(history.lines[0].by.as_ref().map(|w| &*w.actor), Some("operator"));
    }
);
