//! The engine's records as uniffi records: instants as timestamps, money
//! as decimal text with its currency, the engine's JSON shapes as text.

use std::time::SystemTime;

use agendo_core::agenda::Ended;
use agendo_core::availability::{HoursQuery, SlotAnswer};
use agendo_core::business::{Activity, Bookable};
use agendo_core::policy::PolicyQuery;

/// A free start and the professionals free then.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Slot {
    pub start: SystemTime,
    pub end: SystemTime,
    pub staff: Vec<String>,
}

pub(crate) fn slots(answer: &SlotAnswer) -> Vec<Slot> {
    answer
        .iter()
        .map(|slot| Slot {
            start: slot.start().into(),
            end: slot.end().into(),
            staff: slot.staff().map(|s| s.as_str().to_owned()).collect(),
        })
        .collect()
}

pub(crate) fn all<'a, T: 'a, R: From<&'a T>>(items: &'a [T]) -> Vec<R> {
    items.iter().map(R::from).collect()
}

/// A business.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Business {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    /// `pt-BR` or `en`.
    pub locale: String,
    /// `manual`, `on_payment` or `immediate`.
    pub confirmation: String,
    /// The cancellation policy, JSON in the engine's shape.
    pub policy_json: String,
}

impl From<&agendo_core::business::Business> for Business {
    fn from(b: &agendo_core::business::Business) -> Business {
        Business {
            id: b.id().to_string(),
            name: b.name().to_owned(),
            timezone: b.zone().name().to_owned(),
            currency: b.currency().code().to_owned(),
            locale: b.locale().tag().to_owned(),
            confirmation: b.confirmation().as_str().to_owned(),
            policy_json: json(&PolicyQuery::from(b.policy())),
        }
    }
}

/// A service to create (no `id`) or replace.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ServiceInput {
    #[uniffi(default = None)]
    pub id: Option<String>,
    pub name: String,
    #[uniffi(default = "")]
    pub description: String,
    pub duration_minutes: u32,
    /// Decimal text in the business's currency: `"80.00"`.
    pub price: String,
    #[uniffi(default = 0)]
    pub buffer_before_minutes: u32,
    #[uniffi(default = 0)]
    pub buffer_after_minutes: u32,
    #[uniffi(default = true)]
    pub active: bool,
    /// The room or machine it needs, if a given one.
    #[uniffi(default = None)]
    pub resource: Option<String>,
    /// Or the kind of room it needs, any free one of which will do.
    #[uniffi(default = None)]
    pub resource_kind: Option<String>,
    /// Its own cancellation policy, JSON text in the engine's shape.
    #[uniffi(default = None)]
    pub policy_json: Option<String>,
}

/// A service.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub description: String,
    pub duration_minutes: u32,
    /// Decimal text.
    pub price: String,
    pub currency: String,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub active: bool,
}

impl From<&agendo_core::business::Service> for Service {
    fn from(s: &agendo_core::business::Service) -> Service {
        Service {
            id: s.id().to_string(),
            name: s.name().to_owned(),
            description: s.description().to_owned(),
            duration_minutes: s.duration_minutes(),
            price: s.price().amount().to_string(),
            currency: s.price().currency().code().to_owned(),
            buffer_before_minutes: s.buffers().before_minutes(),
            buffer_after_minutes: s.buffers().after_minutes(),
            active: s.activity() == Activity::Active,
        }
    }
}

/// A professional to create (no `id`) or replace.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ProfessionalInput {
    #[uniffi(default = None)]
    pub id: Option<String>,
    pub name: String,
    #[uniffi(default = [])]
    pub services: Vec<String>,
    /// Working hours, JSON in the engine's shape; none keeps a replaced
    /// professional's hours (a new one has none).
    #[uniffi(default = None)]
    pub hours_json: Option<String>,
    #[uniffi(default = 1)]
    pub capacity: u32,
    #[uniffi(default = true)]
    pub active: bool,
}

/// A professional.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Professional {
    pub id: String,
    pub name: String,
    pub services: Vec<String>,
    /// Working hours, JSON in the engine's shape.
    pub hours_json: String,
    pub capacity: u32,
    pub active: bool,
}

impl From<&agendo_core::business::Professional> for Professional {
    fn from(p: &agendo_core::business::Professional) -> Professional {
        Professional {
            id: p.id().to_string(),
            name: p.name().to_owned(),
            services: p.services().iter().map(ToString::to_string).collect(),
            hours_json: json(&HoursQuery::from(p.hours())),
            capacity: p.capacity(),
            active: p.activity() == Activity::Active,
        }
    }
}

/// A client to create (no `id`) or replace.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ClientInput {
    #[uniffi(default = None)]
    pub id: Option<String>,
    pub name: String,
    #[uniffi(default = None)]
    pub email: Option<String>,
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = "")]
    pub notes: String,
}

/// A client.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: String,
    pub active: bool,
}

impl From<&agendo_core::business::Client> for Client {
    fn from(c: &agendo_core::business::Client) -> Client {
        Client {
            id: c.id().to_string(),
            name: c.name().to_owned(),
            email: c.email().map(|e| e.as_str().to_owned()),
            phone: c.phone().map(|p| p.as_str().to_owned()),
            notes: c.notes().to_owned(),
            active: c.activity() == Activity::Active,
        }
    }
}

/// Time taken out of a professional's hours.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Block {
    pub id: String,
    pub professional: String,
    pub start: SystemTime,
    pub end: SystemTime,
    pub reason: String,
}

impl From<&agendo_core::business::Block> for Block {
    fn from(b: &agendo_core::business::Block) -> Block {
        Block {
            id: b.id().to_string(),
            professional: match b.on() {
                Bookable::Professional(p) => p.to_string(),
                Bookable::Resource(r) => r.to_string(),
            },
            start: b.span().start().into(),
            end: b.span().end().into(),
            reason: b.reason().to_owned(),
        }
    }
}

/// A booking.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Booking {
    pub id: String,
    pub service: String,
    pub professional: String,
    pub client: String,
    pub start: SystemTime,
    pub end: SystemTime,
    /// `pending`, `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    /// Decimal text.
    pub price: String,
    /// Decimal text; zero when none is asked.
    pub deposit: String,
    pub currency: String,
    pub created_at: SystemTime,
    /// The room or machine it holds too, if any.
    pub resource: Option<String>,
    /// The recurring series it belongs to, if any.
    pub series: Option<String>,
}

impl From<&agendo_core::booking::Booking> for Booking {
    fn from(b: &agendo_core::booking::Booking) -> Booking {
        Booking {
            id: b.id().to_string(),
            service: b.service().to_string(),
            professional: b.professional().to_string(),
            client: b.client().to_string(),
            start: b.appointment().start().into(),
            end: b.appointment().end().into(),
            status: b.status().as_str().to_owned(),
            price: b.price().amount().to_string(),
            deposit: b.deposit().amount().to_string(),
            currency: b.price().currency().code().to_owned(),
            created_at: b.created_at().into(),
            resource: b.resource().map(|r| r.to_string()),
            series: b.series().map(|s| s.to_string()),
        }
    }
}

/// The money side of a cancellation or no-show, as decimal text.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Settlement {
    pub fee: String,
    pub refund: String,
    pub uncovered: String,
    pub currency: String,
    /// `business_cancelled`, `tier`, `late` or `no_show`.
    pub rule: String,
    pub fee_percent: Option<String>,
}

impl From<&agendo_core::policy::Settlement> for Settlement {
    fn from(s: &agendo_core::policy::Settlement) -> Settlement {
        Settlement {
            fee: s.fee().amount().to_string(),
            refund: s.refund().amount().to_string(),
            uncovered: s.uncovered().amount().to_string(),
            currency: s.fee().currency().code().to_owned(),
            rule: s.rule().code().to_owned(),
            fee_percent: s.rule().fee().map(|p| p.value().to_string()),
        }
    }
}

/// A booking ended by cancellation or no-show.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Cancellation {
    pub booking: Booking,
    pub settlement: Settlement,
    pub refunded_payments: Vec<String>,
}

impl From<&Ended> for Cancellation {
    fn from(e: &Ended) -> Cancellation {
        Cancellation {
            booking: (&e.booking).into(),
            settlement: (&e.settlement).into(),
            refunded_payments: e.refunded.iter().map(|p| p.id().to_string()).collect(),
        }
    }
}

/// A payment to record.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PaymentInput {
    pub client: String,
    #[uniffi(default = None)]
    pub booking: Option<String>,
    /// `pix`, `cash`, `card` or `other`.
    pub method: String,
    /// Decimal text in the business's currency.
    pub amount: String,
    #[uniffi(default = true)]
    pub approved: bool,
}

/// A payment.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Payment {
    pub id: String,
    pub client: String,
    pub booking: Option<String>,
    pub method: String,
    pub amount: String,
    pub net: String,
    pub currency: String,
    pub status: String,
    pub created_at: SystemTime,
}

impl From<&agendo_core::payment::Payment> for Payment {
    fn from(p: &agendo_core::payment::Payment) -> Payment {
        Payment {
            id: p.id().to_string(),
            client: p.client().to_string(),
            booking: p.booking().map(|b| b.to_string()),
            method: p.method().as_str().to_owned(),
            amount: p.amount().amount().to_string(),
            net: p.net().amount().to_string(),
            currency: p.amount().currency().code().to_owned(),
            status: p.status().as_str().to_owned(),
            created_at: p.created_at().into(),
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// One of the business's events.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EventOut {
    /// 1, 2, 3… per business, in commit order.
    pub number: u64,
    /// When its command ran.
    pub at: SystemTime,
    /// What happened: `booking_created`, `payment_refunded`…
    pub kind: String,
    /// The whole event as JSON (`{"type": …, "booking": …}`).
    pub json: String,
}

impl From<&agendo_core::agenda::EventRecord> for EventOut {
    fn from(e: &agendo_core::agenda::EventRecord) -> EventOut {
        EventOut {
            number: e.number,
            at: SystemTime::from(e.at),
            kind: e.event.kind().to_owned(),
            json: e.event.to_json(),
        }
    }
}
