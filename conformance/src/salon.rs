//! A small salon set up in a store, for the cases to book in.

use std::sync::Arc;

use agendo_core::agenda::{Agenda, BookRequest, Context};
use agendo_core::availability::{WeeklyHours, WorkingHours};
use agendo_core::booking::Booking;
use agendo_core::business::{Business, Client, Professional, Service};
use agendo_core::contact::{Email, Phone};
use agendo_core::ids::{BusinessId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::{Currency, Money, Percent};
use agendo_core::policy::{CancellationPolicy, Tier};
use agendo_core::store::Store;
use agendo_core::time::Window;
use agendo_core::Lang;
use chrono::{DateTime, Utc, Weekday};

/// A salon in São Paulo: Ana and Bia cut hair (30 minutes, R$ 50) Monday to
/// Saturday, 09:00 to 18:00; Maria and João are clients. Cancelling with
/// less than 24 hours' notice costs half the price.
pub struct Salon {
    /// The use cases over the store under test.
    pub agenda: Agenda,
    /// The business.
    pub business: Business,
    /// The haircut.
    pub cut: Service,
    /// A professional.
    pub ana: Professional,
    /// Another professional.
    pub bia: Professional,
    /// A client.
    pub maria: Client,
    /// Another client.
    pub joao: Client,
}

/// "Now" in every case: Sunday 2026-03-01, 09:00 in São Paulo.
pub fn now() -> DateTime<Utc> {
    at("2026-03-01T12:00:00Z")
}

/// Reads an RFC 3339 instant.
pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// An amount of reais.
pub fn brl(text: &str) -> Money {
    Money::parse(text, Currency::BRL).unwrap_or_else(|e| panic!("{text}: {e}"))
}

impl Salon {
    /// Sets the salon up in `store`.
    pub async fn open(store: Arc<dyn Store>) -> Salon {
        let agenda = Agenda::new(store);
        let pct = |s: &str| Percent::parse(s).expect("percent");
        let policy = CancellationPolicy::new(
            [Tier::new(24, pct("0")).expect("tier")],
            pct("50"),
            pct("100"),
            None,
        )
        .expect("policy");
        let business = Business::new(
            BusinessId::random(),
            "Salão Conformidade",
            chrono_tz::America::Sao_Paulo,
            Currency::BRL,
            Lang::PtBr,
        )
        .expect("business")
        .with_policy(policy)
        .expect("policy currency");
        agenda
            .create_business(&business)
            .await
            .expect("create business");
        let ctx = Context::staff(business.id(), now());
        let cut = Service::new(ServiceId::random(), business.id(), "Corte", 30, brl("50"))
            .expect("service");
        agenda.save_service(&ctx, &cut).await.expect("save service");
        let mut week = WeeklyHours::closed();
        for day in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
        ] {
            week = week
                .with_day(day, [Window::parse("09:00", "18:00").expect("window")])
                .expect("day");
        }
        let hours = WorkingHours::new(week);
        let mut staff = Vec::new();
        for name in ["Ana", "Bia"] {
            let professional = Professional::new(ProfessionalId::random(), business.id(), name)
                .expect("professional")
                .with_services([cut.id()])
                .with_hours(hours.clone());
            agenda
                .save_professional(&ctx, &professional)
                .await
                .expect("save professional");
            staff.push(professional);
        }
        let maria = Client::new(ClientId::random(), business.id(), "Maria Souza")
            .expect("client")
            .with_email(Some(Email::parse("maria@example.com").expect("email")))
            .with_phone(Some(Phone::parse("(11) 98888-7777").expect("phone")));
        let joao = Client::new(ClientId::random(), business.id(), "João Lima").expect("client");
        for client in [&maria, &joao] {
            agenda.save_client(&ctx, client).await.expect("save client");
        }
        let bia = staff.pop().expect("bia");
        let ana = staff.pop().expect("ana");
        Salon {
            agenda,
            business,
            cut,
            ana,
            bia,
            maria,
            joao,
        }
    }

    /// Staff of the salon acting at [`now`].
    pub fn staff(&self) -> Context {
        Context::staff(self.business.id(), now())
    }

    /// A request for a haircut with `professional` for `client` at `start`.
    pub fn cut_at(&self, professional: &Professional, client: &Client, start: &str) -> BookRequest {
        BookRequest {
            service: self.cut.id(),
            professional: professional.id(),
            client: client.id(),
            start: at(start),
            discount: None,
        }
    }

    /// A pending booking of `service` with `professional` for Maria at
    /// `start`, made but not stored: what a case writes to the store itself.
    pub fn pending(
        &self,
        service: &Service,
        professional: &Professional,
        start: DateTime<Utc>,
    ) -> Booking {
        Booking::new(
            agendo_core::ids::BookingId::random(),
            service,
            professional.id(),
            self.maria.id(),
            start,
            service.price(),
            Money::zero(service.price().currency()),
            now(),
        )
        .unwrap_or_else(|e| panic!("booking {start}: {e}"))
    }

    /// Books a haircut, which must succeed.
    pub async fn book(&self, professional: &Professional, client: &Client, start: &str) -> Booking {
        self.agenda
            .book(&self.staff(), &self.cut_at(professional, client, start))
            .await
            .unwrap_or_else(|e| panic!("booking {start}: {e}"))
    }
}
