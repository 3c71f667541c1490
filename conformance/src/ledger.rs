//! The money a business is owed and pays out, through the use cases:
//! receivables (one-off and monthly, paid by hand, overdue as `now`
//! passes, listed a page at a time) and commission rules with a
//! professional's monthly statement.

use std::sync::Arc;

use agendo_core::agenda::{
    Actor, CommissionFields, Context, Discount, Event, ReceivableFilter, ReceivableRequest,
};
use agendo_core::commission::CommissionScope;
use agendo_core::money::Percent;
use agendo_core::page::PageRequest;
use agendo_core::payment::ReceivableStatus;
use agendo_core::store::{IdempotencyKey, Store};
use agendo_core::Error;
use chrono::NaiveDate;
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

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

fn monthly_fee(salon: &Salon, months: u32) -> ReceivableRequest {
    ReceivableRequest {
        client: salon.maria.id(),
        booking: None,
        amount: Decimal::new(15000, 2),
        due: date("2026-01-31"),
        description: "Mensalidade da piscina".to_owned(),
        months,
    }
}

case!(
    /// A monthly receivable is one per month, due on the same day or the
    /// month's last; each is pending until its due date ends in the
    /// business's zone, overdue after, paid when marked; the list filters
    /// by state and client and pages without repeats; a keyed retry makes
    /// nothing twice; bad requests name the field and keep nothing.
    receivables_are_owed_paid_and_listed,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let key = IdempotencyKey::parse("fee-2026").expect("key");
        let keyed = salon.staff().with_key(key);
        let made = agenda
            .create_receivables(&keyed, &monthly_fee(&salon, 4))
            .await
            .expect("create");
        let again = agenda
            .create_receivables(&keyed, &monthly_fee(&salon, 4))
            .await
            .expect("retry");
        assert_eq!(made, again, "a retry answers the same receivables");
        let dues: Vec<NaiveDate> = made.iter().map(|o| o.receivable.due()).collect();
        assert_eq!(
            dues,
            [date("2026-01-31"), date("2026-02-28"), date("2026-03-31"), date("2026-04-30")]
        );
        // Now is 2026-03-01 in São Paulo: January's and February's are overdue.
        let statuses: Vec<ReceivableStatus> = made.iter().map(|o| o.status).collect();
        use ReceivableStatus::{Overdue, Paid, Pending};
        assert_eq!(statuses, [Overdue, Overdue, Pending, Pending]);
        // February's was overdue from 2026-03-01 00:00 in São Paulo (03:00 UTC).
        assert_eq!(made[1].overdue_from, Some(at("2026-03-01T03:00:00Z")));

        let paid = agenda
            .pay_receivable(&salon.staff(), made[0].receivable.id())
            .await
            .expect("pay");
        assert_eq!(paid.status, Paid);
        assert_eq!(paid.receivable.paid_at(), Some(now()));
        assert_eq!(paid.overdue_from, None);
        let err = agenda
            .pay_receivable(&salon.staff(), made[0].receivable.id())
            .await
            .expect_err("paid twice");
        assert!(matches!(err, Error::AlreadyPaid { .. }), "{err}");

        let one_off = ReceivableRequest {
            client: salon.joao.id(),
            months: 1,
            due: date("2026-03-05"),
            description: "Pacote de 5 cortes".to_owned(),
            ..monthly_fee(&salon, 1)
        };
        agenda
            .create_receivables(&salon.staff(), &one_off)
            .await
            .expect("one-off");

        let overdue = ReceivableFilter {
            status: Some(Overdue),
            ..ReceivableFilter::default()
        };
        let page = agenda
            .receivables(&salon.staff(), &overdue, &PageRequest::first("receivables"))
            .await
            .expect("overdue");
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].receivable.due(), date("2026-02-28"));
        let joaos = ReceivableFilter {
            client: Some(salon.joao.id()),
            ..ReceivableFilter::default()
        };
        let page = agenda
            .receivables(&salon.staff(), &joaos, &PageRequest::first("receivables"))
            .await
            .expect("joão's");
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].receivable.description(), "Pacote de 5 cortes");

        // Two at a time, by due date: every receivable once.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let request = PageRequest::read("receivables", cursor.as_deref(), Some(2))
                .expect("page request");
            let page = agenda
                .receivables(&salon.staff(), &ReceivableFilter::default(), &request)
                .await
                .expect("page");
            seen.extend(page.items.iter().map(|o| o.receivable.due()));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5);
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");

        // Bad requests: named, nothing kept.
        let before = agenda
            .receivables(&salon.staff(), &ReceivableFilter::default(), &PageRequest::first("receivables"))
            .await
            .expect("list")
            .items
            .len();
        for (request, field) in [
            (monthly_fee(&salon, 0), "months"),
            (monthly_fee(&salon, 37), "months"),
            (ReceivableRequest { amount: Decimal::ZERO, ..monthly_fee(&salon, 1) }, "amount"),
            (ReceivableRequest { amount: Decimal::new(1, 3), ..monthly_fee(&salon, 1) }, "amount"),
            (ReceivableRequest { due: date("2099-12-31"), ..monthly_fee(&salon, 2) }, "due"),
        ] {
            let err = agenda
                .create_receivables(&salon.staff(), &request)
                .await
                .expect_err(field);
            assert_eq!(err.field(), Some(field), "{err}");
        }
        let after = agenda
            .receivables(&salon.staff(), &ReceivableFilter::default(), &PageRequest::first("receivables"))
            .await
            .expect("list")
            .items
            .len();
        assert_eq!(before, after, "a refused request keeps nothing");

        let receptionist = Context::new(salon.business.id(), now(), Actor::Receptionist);
        let err = agenda
            .create_receivables(&receptionist, &monthly_fee(&salon, 1))
            .await
            .expect_err("receptionist");
        assert!(matches!(err, Error::Forbidden { .. }), "{err}");

        let events = agenda.events(&salon.staff(), 0, 500).await.expect("events");
        let created = events
            .iter()
            .filter(|e| matches!(e.event, Event::ReceivableCreated { .. }))
            .count();
        assert_eq!(created, 5);
        assert!(events
            .iter()
            .any(|e| e.event == Event::ReceivablePaid { receivable: made[0].receivable.id() }));
    }
);

case!(
    /// Commission rules replace the business's list; the most specific
    /// wins on the statement, which lists only the professional's completed
    /// bookings of the local month; a professional reads their own
    /// statement only; rules that cover nobody or repeat a scope are
    /// refused by position.
    commissions_make_a_monthly_statement,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let pct = |s: &str| Discount::Percent(Percent::parse(s).expect("percent"));
        let rules = [
            CommissionFields {
                professional: Some(salon.ana.id()),
                service: None,
                rate: pct("40"),
            },
            CommissionFields {
                professional: Some(salon.ana.id()),
                service: Some(salon.cut.id()),
                rate: Discount::Amount(Decimal::new(1250, 2)),
            },
            CommissionFields {
                professional: None,
                service: Some(salon.cut.id()),
                rate: pct("30"),
            },
        ];
        let kept = agenda
            .set_commissions(&salon.staff(), &rules)
            .await
            .expect("set");
        assert_eq!(kept.len(), 3);
        assert!(matches!(kept[1].scope, CommissionScope::ProfessionalService(..)));

        // Two cuts with Ana and one with Bia, completed at the time of each.
        let ana1 = salon.book(&salon.ana, &salon.maria, "2026-03-02T12:00:00Z").await;
        let ana2 = salon.book(&salon.ana, &salon.joao, "2026-03-31T20:00:00Z").await;
        let bia1 = salon.book(&salon.bia, &salon.maria, "2026-03-03T12:00:00Z").await;
        // Ana's on 1 April 00:30 local (03:30 UTC) is April's.
        let april = salon.book(&salon.ana, &salon.maria, "2026-04-01T12:00:00Z").await;
        let later = at("2026-04-02T12:00:00Z");
        for booking in [&ana1, &ana2, &bia1, &april] {
            let ctx = Context::staff(salon.business.id(), later);
            agenda.confirm(&ctx, booking.id()).await.expect("confirm");
            agenda.complete(&ctx, booking.id()).await.expect("complete");
        }
        let statement = agenda
            .statement(&salon.staff(), salon.ana.id(), date("2026-03-15"))
            .await
            .expect("statement");
        assert_eq!(statement.month, date("2026-03-01"));
        let lines: Vec<_> = statement.lines.iter().map(|l| l.booking).collect();
        assert_eq!(lines, [ana1.id(), ana2.id()]);
        assert_eq!(statement.lines[0].commission, brl("12.50"));
        assert_eq!(statement.revenue, brl("100"));
        assert_eq!(statement.total, brl("25"));
        let bias = agenda
            .statement(&salon.staff(), salon.bia.id(), date("2026-03-01"))
            .await
            .expect("bia");
        assert_eq!(bias.total, brl("15"), "the service's 30% of R$ 50");

        let ana = Context::new(salon.business.id(), now(), Actor::Professional(salon.ana.id()));
        assert!(agenda.statement(&ana, salon.ana.id(), date("2026-03-01")).await.is_ok());
        let err = agenda
            .statement(&ana, salon.bia.id(), date("2026-03-01"))
            .await
            .expect_err("another's statement");
        assert!(matches!(err, Error::Forbidden { .. }), "{err}");

        let nobody = CommissionFields {
            professional: None,
            service: None,
            rate: pct("10"),
        };
        let err = agenda
            .set_commissions(&salon.staff(), &[rules[0].clone(), nobody])
            .await
            .expect_err("covers nobody");
        assert_eq!(err.field(), Some("commissions[1].service_id"), "{err}");
        let err = agenda
            .set_commissions(&salon.staff(), &[rules[0].clone(), rules[0].clone()])
            .await
            .expect_err("twice");
        assert_eq!(err.field(), Some("commissions[1].service_id"), "{err}");
        assert_eq!(agenda.commissions(&salon.staff()).await.expect("rules").len(), 3);
    }
);
