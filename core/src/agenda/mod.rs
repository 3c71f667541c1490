//! The use cases: what a business, its staff or a client does to the
//! business's agenda (R12–R22, R34–R37).
//!
//! Every change is a [`Command`]. [`Agenda::run`] is the one runner: it asks
//! the permission table ([`permission::grant`]) whether the context's actor
//! may, opens one unit of work of the [`Store`], answers a retry from the
//! outcome kept under the idempotency key, executes the command (reading
//! what it needs, applying the rules of the modules before it: the conflict
//! check, the lifecycle, the policy, money), records the command's events
//! in the business's outbox, keeps the outcome under the key and commits,
//! all or nothing. When a concurrent writer gets in the way
//! ([`Error::WriteConflict`]) it runs again from the start, up to three
//! times. The typed methods ([`Agenda::book`], [`Agenda::cancel`]…) build
//! a command, run it and read back what it made.
//!
//! With a key, the first request's outcome is kept; the same key with the
//! same command ([`Command::fingerprint`]) answers that outcome again
//! without doing the work twice, and with a different command is refused
//! ([`Error::IdempotencyKeyReused`]). A failed request keeps nothing, so it
//! may be retried with its key.
//!
//! The use cases live in files by family: `setup` (services,
//! professionals, resources, clients), `hours` (working hours and blocks),
//! `booking`, `payments`, `access` (registering, accounts, sessions) and
//! `slots` (the free-slot search).
//!
//! Choices where the requirements are silent:
//! - A booking is refused if it starts before `now`.
//! - Cancelling (or a no-show) records the refund the policy gives on the
//!   booking's approved payments, newest payment first, in the same unit of
//!   work: the business then hands the money back.
//! - A recorded payment must be in the business's currency, and a payment
//!   for a booking must be by the booking's client.

mod access;
pub use access::registered_as;
mod booking;
pub use booking::{ALTERNATIVES, ALTERNATIVES_FOR};
mod command;
mod commissions;
mod event;
mod feeds;
mod hours;
mod kept;
mod lists;
mod messages;
mod payments;
pub mod permission;
mod receivables;
mod recovery;
mod runner;
mod setup;
mod slots;
pub mod throttle;
mod webhooks;
mod why;
mod wire;

pub use command::{
    AccountFields, BlockFields, BusinessFields, ClientFields, Command, LoginFields,
    ProfessionalFields, ResourceFields, ServiceFields, FINGERPRINT_VERSION,
};
pub use commissions::CommissionFields;
pub use event::{Event, EventRecord, EVENT_KINDS};
pub use lists::{ClientFilter, History, HistoryLine, PaymentFilter, Payments};
pub use messages::{Gathered, Links, NoLinks, Preview, LEASE, REMINDER_HORIZON};
pub use permission::{Action, Actor, Grant};
pub use receivables::{Owed, ReceivableFilter, ReceivableRequest, MAX_MONTHS};
pub use recovery::{link_mail, AccountToken, Issued, TokenPurpose, TOKEN_LIFETIME};
pub use runner::EVENTS_PAGE;
pub use slots::SlotsRequest;
pub use webhooks::EndpointFields;
pub use why::{Cause, InTheWay, Verdict, Why, WhyRequest};
pub use wire::{BusinessPatch, CommissionQuery, NotifyQuery};

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::booking::Booking;
use crate::business::{Activity, Business, Client, Professional, Resource, Service};
use crate::contact::{Email, Phone};
use crate::error::{Error, RecordKind};
use crate::ids::{BookingId, BusinessId, ClientId, PaymentId, ProfessionalId, ServiceId};
use crate::money::{Money, Share};
use crate::payment::{Payment, PaymentMethod};
use crate::policy::{Party, Settlement};
use crate::recurrence::RecurrenceRule;
use crate::store::{IdempotencyKey, Store, UnitOfWork};
use rust_decimal::Decimal;

/// Who does what, when, for which business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The business, from the caller's identity (R7).
    pub business: BusinessId,
    /// Now. The engine never reads the clock.
    pub now: DateTime<Utc>,
    /// Who acts, for the permission table.
    pub actor: Actor,
    /// For whom, for the cancellation policy: the client or the business.
    pub by: Party,
    /// The idempotency key of the request, if the caller sent one.
    pub key: Option<IdempotencyKey>,
    /// The account acting, when one signed in: a booking's history names
    /// it.
    pub account: Option<crate::ids::AccountId>,
}

impl Context {
    /// A context for `actor` of `business` at `now`, without a key; it
    /// acts for the client when the actor is a client, a manage link or
    /// the public.
    pub fn new(business: BusinessId, now: DateTime<Utc>, actor: Actor) -> Context {
        Context {
            business,
            now,
            actor,
            by: if actor.is_client() {
                Party::Client
            } else {
                Party::Business
            },
            key: None,
            account: None,
        }
    }

    /// A context for the program that embeds the engine
    /// ([`Actor::Operator`], who may do everything), acting for the
    /// business at `now`, without a key.
    pub fn staff(business: BusinessId, now: DateTime<Utc>) -> Context {
        Context::new(business, now, Actor::Operator)
    }

    /// The same context acting for the client.
    pub fn as_client(mut self) -> Context {
        self.by = Party::Client;
        self
    }

    /// The same context naming the account that acts.
    pub fn with_account(mut self, account: crate::ids::AccountId) -> Context {
        self.account = Some(account);
        self
    }

    /// Who acts, as a booking's history records it.
    pub fn who(&self) -> crate::booking::Who {
        crate::booking::Who {
            actor: self.actor.as_str().into(),
            account: self.account,
        }
    }

    /// The same context with `key`.
    pub fn with_key(mut self, key: IdempotencyKey) -> Context {
        self.key = Some(key);
        self
    }
}

/// A discount asked for a booking: a percent of the price, or an amount
/// in the business's currency (read by the use case, so a caller need not
/// know the currency).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discount {
    /// A percent of the price.
    Percent(crate::money::Percent),
    /// An amount, in the business's currency.
    Amount(Decimal),
}

impl Discount {
    /// The share of a price in `currency` it takes.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `discount.amount` with more decimals than
    /// the currency has, or too large.
    pub fn share(self, currency: crate::money::Currency) -> Result<Share, Error> {
        match self {
            Discount::Percent(percent) => Ok(Share::Percent(percent)),
            Discount::Amount(amount) => Money::new(amount, currency)
                .map(Share::Fixed)
                .map_err(|e| e.at("discount.amount")),
        }
    }
}

/// A request to book one appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookRequest {
    /// The service.
    pub service: ServiceId,
    /// The professional.
    pub professional: ProfessionalId,
    /// The client.
    pub client: ClientId,
    /// When the appointment starts.
    pub start: DateTime<Utc>,
    /// A discount on the service's price, if any.
    pub discount: Option<Discount>,
}

/// A request to book one appointment for a person who does not sign in,
/// known by their contact (the public booking page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactBookRequest {
    /// The service.
    pub service: ServiceId,
    /// The professional.
    pub professional: ProfessionalId,
    /// When the appointment starts.
    pub start: DateTime<Utc>,
    /// The person's name, for a new client.
    pub name: String,
    /// Their e-mail; an e-mail or a phone (or both) is needed.
    pub email: Option<Email>,
    /// Their phone; an e-mail or a phone (or both) is needed.
    pub phone: Option<Phone>,
}

/// A request to book a recurring series, all or nothing (R22).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesRequest {
    /// The service.
    pub service: ServiceId,
    /// The professional.
    pub professional: ProfessionalId,
    /// The client.
    pub client: ClientId,
    /// The local date and wall time of the first occurrence, in the
    /// business's zone.
    pub first: NaiveDateTime,
    /// How it repeats.
    pub rule: RecurrenceRule,
    /// A discount on every occurrence, if any.
    pub discount: Option<Discount>,
}

/// Whether a recorded payment came in already.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Waiting to be seen (a PIX not yet in the statement).
    Pending,
    /// The money is in hand.
    Approved,
}

impl PaymentState {
    /// Reads `approved` or `pending`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `state`.
    pub fn parse(text: &str) -> Result<PaymentState, Error> {
        match text.trim() {
            "approved" => Ok(PaymentState::Approved),
            "pending" => Ok(PaymentState::Pending),
            other => Err(Error::Invalid {
                field: "state".to_owned(),
                problem: crate::error::Problem::UnknownValue {
                    value: crate::error::clip(other),
                    expected: "approved, pending",
                },
            }),
        }
    }
}

/// A request to record a manual payment (R35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Who pays.
    pub client: ClientId,
    /// The booking it pays for, if any.
    pub booking: Option<BookingId>,
    /// How.
    pub method: PaymentMethod,
    /// How much, in the business's currency.
    pub amount: Decimal,
    /// Whether it came in already.
    pub state: PaymentState,
}

/// A booking that ended by cancellation or no-show, with the money side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    /// The booking, cancelled or no-show.
    pub booking: Booking,
    /// The fee kept, the refund and the rule.
    pub settlement: Settlement,
    /// The payments the refund was recorded on.
    pub refunded: Vec<Payment>,
}

/// A payment, and its booking when the payment confirmed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paid {
    /// The payment.
    pub payment: Payment,
    /// The booking, if the payment is for one (confirmed by it when the
    /// business confirms on payment).
    pub booking: Option<Booking>,
}

/// The use cases over a store.
///
/// # Example: booking, cancelling with a fee and refunding
/// ```
/// use std::sync::Arc;
/// use agendo_core::agenda::*;
/// use agendo_core::availability::{WeeklyHours, WorkingHours};
/// use agendo_core::business::*;
/// use agendo_core::ids::*;
/// use agendo_core::money::{Currency, Money, Percent};
/// use agendo_core::payment::PaymentMethod;
/// use agendo_core::policy::{CancellationPolicy, Tier};
/// use agendo_core::store::MemoryStore;
/// use agendo_core::time::Window;
/// use agendo_core::Lang;
/// use chrono::{DateTime, Utc, Weekday};
///
/// # futures_executor::block_on(async {
/// let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
/// let brl = |s: &str| Money::parse(s, Currency::BRL).unwrap();
/// let agenda = Agenda::new(Arc::new(MemoryStore::new()));
///
/// // A salon that keeps half the price for cancellations within 24 hours.
/// let policy = CancellationPolicy::new([Tier::new(24, Percent::parse("0")?)?], Percent::parse("50")?, Percent::ALL, None)?;
/// let shop = Business::new(BusinessId::random(), "Salão da Ana", chrono_tz::America::Sao_Paulo, Currency::BRL, Lang::PtBr)?
///     .with_policy(policy)?;
/// let now = at("2026-03-01T12:00:00Z");
/// let staff = Context::staff(shop.id(), now);
/// agenda.create_business(&shop).await?;
/// let cut = Service::new(ServiceId::random(), shop.id(), "Corte", 60, brl("80"))?;
/// agenda.save_service(&staff, &cut).await?;
/// let week = WeeklyHours::closed().with_day(Weekday::Tue, [Window::parse("09:00", "18:00")?])?;
/// let ana = Professional::new(ProfessionalId::random(), shop.id(), "Ana")?
///     .with_services([cut.id()]).with_hours(WorkingHours::new(week));
/// agenda.save_professional(&staff, &ana).await?;
/// let maria = Client::new(ClientId::random(), shop.id(), "Maria")?;
/// agenda.save_client(&staff, &maria).await?;
///
/// // Tuesday 10 March, 10:00 in São Paulo.
/// let request = BookRequest { service: cut.id(), professional: ana.id(), client: maria.id(),
///     start: at("2026-03-10T13:00:00Z"), discount: None };
/// let booking = agenda.book(&staff, &request).await?;
/// // The same time again is taken.
/// assert_eq!(agenda.book(&staff, &request).await.unwrap_err().code(), "slot_taken");
///
/// let payment = PaymentRequest { client: maria.id(), booking: Some(booking.id()), method: PaymentMethod::Pix,
///     amount: rust_decimal::Decimal::from(80), state: PaymentState::Approved };
/// agenda.record_payment(&staff, &payment).await?;
///
/// // Maria cancels 3 hours before: the policy keeps half and refunds the rest.
/// let late = Context::staff(shop.id(), at("2026-03-10T10:00:00Z")).as_client();
/// let ended = agenda.cancel(&late, booking.id(), "imprevisto").await?;
/// assert_eq!(ended.settlement.fee(), brl("40"));
/// assert_eq!(ended.settlement.refund(), brl("40"));
/// assert_eq!(ended.refunded[0].net(), brl("40"));
/// # Ok::<(), agendo_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Agenda {
    store: Arc<dyn Store>,
    /// What recent slot searches read, for stores that say when it changes.
    slot_cache: Arc<slots::SlotCache>,
    /// What recent bookings' plans read, for the same stores.
    kept: Arc<kept::KeptRecords>,
}

impl Agenda {
    /// The use cases over `store`.
    pub fn new(store: Arc<dyn Store>) -> Agenda {
        Agenda {
            store,
            slot_cache: Arc::default(),
            kept: Arc::default(),
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

fn same_business(
    ctx: &Context,
    business: BusinessId,
    record: RecordKind,
    id: impl ToString,
) -> Result<(), Error> {
    if business == ctx.business {
        Ok(())
    } else {
        Err(Error::NotFound {
            record,
            id: id.to_string(),
        })
    }
}

async fn load_business(work: &mut dyn UnitOfWork, id: BusinessId) -> Result<Business, Error> {
    work.business().await?.ok_or_else(|| Error::NotFound {
        record: RecordKind::Business,
        id: id.to_string(),
    })
}

macro_rules! loader {
    ($name:ident, $method:ident, $id:ty, $record:ty, $kind:ident) => {
        async fn $name(work: &mut dyn UnitOfWork, id: $id) -> Result<$record, Error> {
            work.$method(id).await?.ok_or_else(|| Error::NotFound {
                record: RecordKind::$kind,
                id: id.to_string(),
            })
        }
    };
}

loader!(load_service, service, ServiceId, Service, Service);
loader!(
    load_professional,
    professional,
    ProfessionalId,
    Professional,
    Professional
);
loader!(
    load_resource,
    resource,
    crate::ids::ResourceId,
    Resource,
    Resource
);
loader!(load_client, client, ClientId, Client, Client);
// The same, held for a change (see `UnitOfWork::service_for_update`).
loader!(
    hold_service,
    service_for_update,
    ServiceId,
    Service,
    Service
);
loader!(
    hold_professional,
    professional_for_update,
    ProfessionalId,
    Professional,
    Professional
);
loader!(hold_client, client_for_update, ClientId, Client, Client);
loader!(load_booking, booking, BookingId, Booking, Booking);
loader!(load_payment, payment, PaymentId, Payment, Payment);

fn active(activity: Activity, record: RecordKind, id: impl ToString) -> Result<(), Error> {
    match activity {
        Activity::Active => Ok(()),
        Activity::Retired => Err(Error::Retired {
            record,
            id: id.to_string(),
        }),
    }
}
