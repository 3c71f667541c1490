//! The runner's promises on every store: keyed creates replay, partial
//! changes made at once all land, and every command's events are in the
//! business's outbox, numbered, in the command's own transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use agendo_core::account::{PasswordHash, Passwords, Role};
use agendo_core::agenda::{
    AccountFields, Agenda, BlockFields, BusinessFields, ClientFields, Context, Event,
    PaymentRequest, PaymentState, ProfessionalFields, ServiceFields,
};
use agendo_core::business::{Activity, Bookable, ConfirmationMode};
use agendo_core::contact::{Email, Phone, TaxId};
use agendo_core::payment::PaymentMethod;
use agendo_core::store::{Access, BookingFilter, IdempotencyKey, Store};
use agendo_core::{Error, Lang};
use futures_util::future::join_all;
use rust_decimal::Decimal;

use crate::cases::Boxed;
use crate::salon::{at, now, Salon};

macro_rules! case {
    ($(#[$doc:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name($store: Arc<dyn Store>) -> Boxed {
            Box::pin(async move $body)
        }
    };
}

/// A stand-in for the host's hashing: a "hash" that names the password and
/// a fresh salt, so two hashes of one password differ as real ones do.
pub struct PlainPasswords;

#[async_trait::async_trait]
impl Passwords for PlainPasswords {
    async fn hash(&self, password: &str) -> Result<PasswordHash, Error> {
        let salt = uuid::Uuid::new_v4().simple().to_string();
        let text: String = password.bytes().map(|b| format!("{b:02x}")).collect();
        PasswordHash::parse(&format!("$plain${salt}${text}"))
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, Error> {
        let text: String = password.bytes().map(|b| format!("{b:02x}")).collect();
        Ok(hash.as_str().rsplit('$').next() == Some(text.as_str()))
    }
}

fn keyed(salon: &Salon, key: &str) -> Context {
    salon
        .staff()
        .with_key(IdempotencyKey::parse(key).expect("key"))
}

fn reused<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::IdempotencyKeyReused { .. }) => {}
        other => panic!("expected IdempotencyKeyReused, got {other:?}"),
    }
}

case!(
    /// A create under a key makes one record: the retry answers it, the
    /// key with another request is refused, and the kept outcome of each
    /// kind of record reads back from the store.
    keyed_creates_replay_and_refuse_reuse,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let agenda = &salon.agenda;

        let service = ServiceFields {
            name: Some("Escova".to_owned()),
            duration_minutes: Some(40),
            price: Some(Decimal::new(6000, 2)),
            ..ServiceFields::default()
        };
        let made = agenda.create_service(&keyed(&salon, "svc"), &service).await.unwrap();
        let again = agenda.create_service(&keyed(&salon, "svc"), &service).await.unwrap();
        assert_eq!(made, again);
        let other = ServiceFields { name: Some("Escova longa".to_owned()), ..service.clone() };
        reused(agenda.create_service(&keyed(&salon, "svc"), &other).await);

        let professional = ProfessionalFields {
            name: Some("Carla".to_owned()),
            services: Some(vec![salon.cut.id()]),
            ..ProfessionalFields::default()
        };
        let carla = agenda.create_professional(&keyed(&salon, "pro"), &professional).await.unwrap();
        assert_eq!(agenda.create_professional(&keyed(&salon, "pro"), &professional).await.unwrap(), carla);
        assert_eq!(carla.services().len(), 1);

        let client = ClientFields {
            name: Some("Rita".to_owned()),
            phone: Some(Some(Phone::parse("(11) 97777-6666").unwrap())),
            ..ClientFields::default()
        };
        let rita = agenda.create_client(&keyed(&salon, "cli"), &client).await.unwrap();
        assert_eq!(agenda.create_client(&keyed(&salon, "cli"), &client).await.unwrap(), rita);
        reused(agenda.create_client(&keyed(&salon, "cli"), &ClientFields { phone: Some(None), ..client }).await);

        let block = BlockFields {
            on: Bookable::Professional(carla.id()),
            start: at("2026-03-02T15:00:00Z"),
            end: at("2026-03-02T16:00:00Z"),
            reason: "almoço".to_owned(),
        };
        let lunch = agenda.add_block(&keyed(&salon, "blk"), &block).await.unwrap();
        assert_eq!(agenda.add_block(&keyed(&salon, "blk"), &block).await.unwrap(), lunch);

        let login = AccountFields {
            name: "Recepção".to_owned(),
            email: Email::parse("recepcao@example.com").unwrap(),
            role: Role::Receptionist,
            professional: None,
        };
        let account = agenda.create_account(&keyed(&salon, "acc"), &login, "senha-longa-1", &PlainPasswords).await.unwrap();
        let retry = agenda.create_account(&keyed(&salon, "acc"), &login, "senha-longa-1", &PlainPasswords).await.unwrap();
        assert_eq!(retry.id(), account.id());
        // The same login with another password is another request.
        reused(agenda.create_account(&keyed(&salon, "acc"), &login, "outra-senha-2", &PlainPasswords).await);
        assert_eq!(agenda.accounts(&salon.staff()).await.unwrap().len(), 1);

        let rename = BusinessFields { name: Some("Salão Novo".to_owned()), ..BusinessFields::default() };
        agenda.change_business(&keyed(&salon, "biz"), &rename).await.unwrap();
        agenda.change_business(&keyed(&salon, "biz"), &rename).await.unwrap();
        reused(agenda.change_business(&keyed(&salon, "biz"), &BusinessFields::default()).await);

        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.services().await.unwrap().len(), 2, "one Escova");
        assert_eq!(work.clients().await.unwrap().len(), 3, "one Rita");
        assert_eq!(work.professionals().await.unwrap().len(), 3, "one Carla");
    }
);

case!(
    /// A professional made with a login is made with it, or not at all:
    /// a taken e-mail leaves no professional behind.
    a_professional_and_their_login_are_made_together,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let login = agendo_core::agenda::LoginFields {
            email: Email::parse("carla@example.com").unwrap(),
            role: Role::Professional,
        };
        let carla = ProfessionalFields { name: Some("Carla".to_owned()), ..ProfessionalFields::default() };
        let (professional, account) = salon.agenda
            .create_professional_with_login(&salon.staff(), &carla, &login, "senha-longa-1", &PlainPasswords)
            .await
            .unwrap();
        assert_eq!(account.professional(), Some(professional.id()));
        assert_eq!(account.name(), "Carla");
        let dora = ProfessionalFields { name: Some("Dora".to_owned()), ..ProfessionalFields::default() };
        let err = salon.agenda
            .create_professional_with_login(&salon.staff(), &dora, &login, "senha-longa-2", &PlainPasswords)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::EmailTaken { .. }), "{err}");
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let names: Vec<String> = work.professionals().await.unwrap().iter().map(|p| p.name().to_owned()).collect();
        assert_eq!(names, ["Ana", "Bia", "Carla"]);
    }
);

case!(
    /// Many people change different fields of one record at once: every
    /// change lands, none is lost to another's stale copy (R12–R14).
    concurrent_changes_of_different_fields_all_land,
    |store| {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let service = salon.cut.id();
        let service_changes = vec![
            ServiceFields { name: Some("Corte novo".to_owned()), ..Default::default() },
            ServiceFields { description: Some("Com lavagem".to_owned()), ..Default::default() },
            ServiceFields { duration_minutes: Some(45), ..Default::default() },
            ServiceFields { price: Some(Decimal::new(7500, 2)), ..Default::default() },
            ServiceFields { buffer_before_minutes: Some(5), ..Default::default() },
            ServiceFields { buffer_after_minutes: Some(10), ..Default::default() },
        ];
        let client = salon.maria.id();
        let client_changes = vec![
            ClientFields { name: Some("Maria S. Souza".to_owned()), ..Default::default() },
            ClientFields { notes: Some("Prefere manhã".to_owned()), ..Default::default() },
            ClientFields { email: Some(None), ..Default::default() },
            ClientFields { tax_id: Some(Some(TaxId::parse("529.982.247-25").unwrap())), ..Default::default() },
            ClientFields { attributes: Some(BTreeMap::from([("cabelo".to_owned(), "cacheado".to_owned())])), ..Default::default() },
        ];
        let professional = salon.ana.id();
        let professional_changes = vec![
            ProfessionalFields { name: Some("Ana Paula".to_owned()), ..Default::default() },
            ProfessionalFields { capacity: Some(2), ..Default::default() },
        ];
        let business_changes = vec![
            BusinessFields { name: Some("Salão Renovado".to_owned()), ..Default::default() },
            BusinessFields { locale: Some(Lang::En), ..Default::default() },
            BusinessFields { confirmation: Some(ConfirmationMode::OnPayment), ..Default::default() },
        ];
        let mut tasks: Vec<Boxed> = Vec::new();
        for fields in service_changes {
            let salon = salon.clone();
            tasks.push(Box::pin(async move {
                salon.agenda.change_service(&salon.staff(), service, &fields).await.unwrap();
            }));
        }
        for fields in client_changes {
            let salon = salon.clone();
            tasks.push(Box::pin(async move {
                salon.agenda.change_client(&salon.staff(), client, &fields).await.unwrap();
            }));
        }
        for fields in professional_changes {
            let salon = salon.clone();
            tasks.push(Box::pin(async move {
                salon.agenda.change_professional(&salon.staff(), professional, &fields).await.unwrap();
            }));
        }
        for fields in business_changes {
            let salon = salon.clone();
            tasks.push(Box::pin(async move {
                salon.agenda.change_business(&salon.staff(), &fields).await.unwrap();
            }));
        }
        join_all(tasks).await;

        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let cut = work.service(service).await.unwrap().unwrap();
        assert_eq!(
            (cut.name(), cut.description(), cut.duration_minutes(), cut.price().amount()),
            ("Corte novo", "Com lavagem", 45, Decimal::new(7500, 2))
        );
        assert_eq!((cut.buffers().before_minutes(), cut.buffers().after_minutes()), (5, 10));
        let maria = work.client(client).await.unwrap().unwrap();
        assert_eq!(maria.name(), "Maria S. Souza");
        assert_eq!(maria.notes(), "Prefere manhã");
        assert_eq!(maria.email(), None);
        assert!(maria.phone().is_some(), "the phone nobody changed stays");
        assert_eq!(maria.tax_id().map(|t| t.as_str().to_owned()), Some("52998224725".to_owned()));
        assert_eq!(maria.attributes().get("cabelo").map(String::as_str), Some("cacheado"));
        let ana = work.professional(professional).await.unwrap().unwrap();
        assert_eq!((ana.name(), ana.capacity()), ("Ana Paula", 2));
        assert_eq!(ana.hours(), salon.ana.hours(), "hours nobody changed stay");
        let business = work.business().await.unwrap().unwrap();
        assert_eq!(business.name(), "Salão Renovado");
        assert_eq!(business.locale(), Lang::En);
        assert_eq!(business.confirmation(), ConfirmationMode::OnPayment);
    }
);

/// The events after `after`, as their kinds.
async fn kinds_after(agenda: &Agenda, ctx: &Context, after: u64) -> Vec<(u64, &'static str)> {
    agenda
        .events(ctx, after, 500)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.number, e.event.kind()))
        .collect()
}

case!(
    /// Every command records what it did, numbered on from the last event
    /// of its business; a refused command records nothing.
    events_follow_every_command_in_order,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let other = Salon::open(store.clone()).await;
        let ctx = salon.staff();
        let setup = kinds_after(&salon.agenda, &ctx, 0).await;
        assert_eq!(
            setup.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
            ["service_created", "professional_created", "professional_created", "client_created", "client_created"]
        );
        assert_eq!(setup.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        let last = 5;

        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        // Taken: refused, and no event.
        let err = salon.agenda.book(&ctx, &salon.cut_at(&salon.ana, &salon.joao, "2026-03-02T13:00:00Z")).await.unwrap_err();
        assert!(matches!(err, Error::SlotTaken { .. }), "{err}");
        let payment = PaymentRequest {
            client: salon.maria.id(),
            booking: Some(booking.id()),
            method: PaymentMethod::Pix,
            amount: Decimal::new(5000, 2),
            state: PaymentState::Approved,
        };
        salon.agenda.record_payment(&ctx, &payment).await.unwrap();
        salon.agenda.confirm(&ctx, booking.id()).await.unwrap();
        let late = Context::staff(salon.business.id(), at("2026-03-02T12:00:00Z")).as_client();
        salon.agenda.cancel(&late, booking.id(), "imprevisto").await.unwrap();

        let events = salon.agenda.events(&ctx, last, 500).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
        assert_eq!(
            kinds,
            ["booking_created", "payment_recorded", "payment_approved", "booking_confirmed", "booking_cancelled", "payment_refunded"]
        );
        assert_eq!(events.iter().map(|e| e.number).collect::<Vec<_>>(), (6..=11).collect::<Vec<_>>());
        match &events[0].event {
            Event::BookingCreated { booking: id, professional, client, start, .. } => {
                assert_eq!((*id, *professional, *client, *start), (booking.id(), salon.ana.id(), salon.maria.id(), at("2026-03-02T13:00:00Z")));
            }
            other => panic!("expected booking_created, got {other:?}"),
        }
        match &events[4].event {
            Event::BookingCancelled { by, fee, refund, .. } => {
                assert_eq!((by.as_str(), fee.as_str(), refund.as_str()), ("client", "25.00", "25.00"));
            }
            other => panic!("expected booking_cancelled, got {other:?}"),
        }
        assert_eq!(events[0].at, now());
        // Paging: after 9, the last two; a small page stops early.
        assert_eq!(kinds_after(&salon.agenda, &ctx, 9).await, [(10, "booking_cancelled"), (11, "payment_refunded")]);
        assert_eq!(salon.agenda.events(&ctx, 0, 2).await.unwrap().len(), 2);
        // The other business numbers its own from 1.
        assert_eq!(kinds_after(&other.agenda, &other.staff(), 0).await.len(), 5);
        assert_eq!(kinds_after(&other.agenda, &other.staff(), 5).await, []);
    }
);

case!(
    /// Commands of one business at once number their events 1, 2, 3…
    /// without a gap or a repeat.
    concurrent_commands_number_events_without_gaps,
    |store| {
        let salon = Arc::new(Salon::open(store.clone()).await);
        let tasks = (0..16).map(|i| {
            let salon = salon.clone();
            async move {
                let fields = ClientFields { name: Some(format!("Cliente {i}")), ..Default::default() };
                let client = salon.agenda.create_client(&salon.staff(), &fields).await.unwrap();
                let who = if i % 2 == 0 { &salon.ana } else { &salon.bia };
                let start = format!("2026-03-02T{:02}:00:00Z", 12 + i / 2);
                salon.agenda.book(&salon.staff(), &salon.cut_at(who, &client, &start)).await.unwrap();
            }
        });
        join_all(tasks).await;
        let events = salon.agenda.events(&salon.staff(), 0, 500).await.unwrap();
        assert_eq!(events.len(), 5 + 32);
        assert_eq!(events.iter().map(|e| e.number).collect::<Vec<_>>(), (1..=37).collect::<Vec<_>>());
        assert_eq!(events.iter().filter(|e| e.event.kind() == "booking_created").count(), 16);
    }
);

case!(
    /// A command whose commit fails leaves nothing: no booking and no
    /// event.
    a_command_that_does_not_commit_leaves_no_event,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let failing = Agenda::new(Arc::new(crate::failing::FailingCommit(store.clone())));
        let err = failing
            .book(&salon.staff(), &salon.cut_at(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Storage { .. }), "{err}");
        assert_eq!(kinds_after(&salon.agenda, &salon.staff(), 5).await, []);
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert!(work.bookings(&BookingFilter::default()).await.unwrap().is_empty());
        drop(work);
        // The same booking through the real store lands, numbered 6.
        salon.book(&salon.ana, &salon.maria, "2026-03-02T13:00:00Z").await;
        assert_eq!(kinds_after(&salon.agenda, &salon.staff(), 5).await, [(6, "booking_created")]);
        let retired = ClientFields { active: Some(false), ..Default::default() };
        salon.agenda.change_client(&salon.staff(), salon.joao.id(), &retired).await.unwrap();
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.client(salon.joao.id()).await.unwrap().unwrap().activity(), Activity::Retired);
    }
);
