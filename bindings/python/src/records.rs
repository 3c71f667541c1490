//! The engine's records as read-only Python objects: instants are aware
//! `datetime`s in UTC, money is `decimal.Decimal` with its `currency`.

use agendo_core::agenda::Ended;
use agendo_core::availability::{HoursQuery, SlotAnswer};
use agendo_core::booking::Booking as CoreBooking;
use agendo_core::business::{
    Activity, Block as CoreBlock, Bookable, Business as CoreBusiness, Client as CoreClient,
    Professional as CoreProfessional, Service as CoreService,
};
use agendo_core::payment::Payment as CorePayment;
use agendo_core::policy::{PolicyQuery, Settlement as CoreSettlement};
use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::convert::from_json;

/// A free start and the professionals free then.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Slot {
    /// The start, in UTC.
    pub start: DateTime<Utc>,
    /// The end of the appointment, in UTC.
    pub end: DateTime<Utc>,
    /// The ids of the professionals free then, sorted.
    pub staff: Vec<String>,
}

#[pymethods]
impl Slot {
    fn __repr__(&self) -> String {
        format!(
            "Slot(start={}, end={}, staff={:?})",
            self.start.to_rfc3339(),
            self.end.to_rfc3339(),
            self.staff
        )
    }
}

/// The slots of an answer.
pub fn slots(answer: &SlotAnswer) -> Vec<Slot> {
    answer
        .iter()
        .map(|slot| Slot {
            start: slot.start(),
            end: slot.end(),
            staff: slot.staff().map(|s| s.as_str().to_owned()).collect(),
        })
        .collect()
}

/// A business.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Business {
    /// Its id.
    pub id: String,
    /// The name.
    pub name: String,
    /// Its IANA zone.
    pub timezone: String,
    /// Its ISO 4217 currency.
    pub currency: String,
    /// The language of its messages: `pt-BR` or `en`.
    pub locale: String,
    /// `manual`, `on_payment` or `immediate`.
    pub confirmation: String,
    policy_json: String,
}

#[pymethods]
impl Business {
    /// The cancellation policy, as a dict in the engine's JSON shape.
    #[getter]
    fn policy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.policy_json)
    }

    fn __repr__(&self) -> String {
        format!("Business(id={:?}, name={:?})", self.id, self.name)
    }
}

impl From<&CoreBusiness> for Business {
    fn from(b: &CoreBusiness) -> Business {
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

/// A service the business sells.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Service {
    /// Its id.
    pub id: String,
    /// The name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// How long it takes.
    pub duration_minutes: u32,
    /// Its price.
    pub price: Decimal,
    /// The price's currency.
    pub currency: String,
    /// Minutes kept free before it.
    pub buffer_before_minutes: u32,
    /// Minutes kept free after it.
    pub buffer_after_minutes: u32,
    /// Whether it takes new bookings.
    pub active: bool,
}

#[pymethods]
impl Service {
    fn __repr__(&self) -> String {
        format!("Service(id={:?}, name={:?})", self.id, self.name)
    }
}

impl From<&CoreService> for Service {
    fn from(s: &CoreService) -> Service {
        Service {
            id: s.id().to_string(),
            name: s.name().to_owned(),
            description: s.description().to_owned(),
            duration_minutes: s.duration_minutes(),
            price: s.price().amount(),
            currency: s.price().currency().code().to_owned(),
            buffer_before_minutes: s.buffers().before_minutes(),
            buffer_after_minutes: s.buffers().after_minutes(),
            active: s.activity() == Activity::Active,
        }
    }
}

/// A professional.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Professional {
    /// Their id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The ids of the services they perform, sorted.
    pub services: Vec<String>,
    /// How many clients at once.
    pub capacity: u32,
    /// Whether they take new bookings.
    pub active: bool,
    hours_json: String,
}

#[pymethods]
impl Professional {
    /// The working hours, as a dict in the engine's JSON shape
    /// (`{"weekly": {"mon": [["09:00", "18:00"]]}, "overrides": []}`).
    #[getter]
    fn hours<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.hours_json)
    }

    fn __repr__(&self) -> String {
        format!("Professional(id={:?}, name={:?})", self.id, self.name)
    }
}

impl From<&CoreProfessional> for Professional {
    fn from(p: &CoreProfessional) -> Professional {
        Professional {
            id: p.id().to_string(),
            name: p.name().to_owned(),
            services: p.services().iter().map(ToString::to_string).collect(),
            capacity: p.capacity(),
            active: p.activity() == Activity::Active,
            hours_json: json(&HoursQuery::from(p.hours())),
        }
    }
}

/// A client of the business.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Client {
    /// Their id.
    pub id: String,
    /// The name.
    pub name: String,
    /// Their e-mail, if known.
    pub email: Option<String>,
    /// Their phone in E.164, if known.
    pub phone: Option<String>,
    /// The business's notes.
    pub notes: String,
    /// Whether they are active.
    pub active: bool,
}

#[pymethods]
impl Client {
    fn __repr__(&self) -> String {
        format!("Client(id={:?}, name={:?})", self.id, self.name)
    }
}

impl From<&CoreClient> for Client {
    fn from(c: &CoreClient) -> Client {
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
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Block {
    /// Its id.
    pub id: String,
    /// The professional (or resource) blocked.
    pub professional: String,
    /// The first instant, UTC.
    pub start: DateTime<Utc>,
    /// The first instant after, UTC.
    pub end: DateTime<Utc>,
    /// Why, maybe empty.
    pub reason: String,
}

#[pymethods]
impl Block {
    fn __repr__(&self) -> String {
        format!("Block(id={:?}, start={})", self.id, self.start.to_rfc3339())
    }
}

impl From<&CoreBlock> for Block {
    fn from(b: &CoreBlock) -> Block {
        Block {
            id: b.id().to_string(),
            professional: match b.on() {
                Bookable::Professional(p) => p.to_string(),
                Bookable::Resource(r) => r.to_string(),
            },
            start: b.span().start(),
            end: b.span().end(),
            reason: b.reason().to_owned(),
        }
    }
}

/// A booking.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Booking {
    /// Its id.
    pub id: String,
    /// The service.
    pub service: String,
    /// The professional.
    pub professional: String,
    /// The client.
    pub client: String,
    /// When the appointment starts, UTC.
    pub start: DateTime<Utc>,
    /// When it ends, UTC.
    pub end: DateTime<Utc>,
    /// `pending`, `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    /// The price after any discount.
    pub price: Decimal,
    /// The deposit asked to confirm it (zero when none).
    pub deposit: Decimal,
    /// The currency of the amounts.
    pub currency: String,
    /// When it was made, UTC.
    pub created_at: DateTime<Utc>,
    /// The room or machine it holds too, if any.
    pub resource: Option<String>,
    /// The recurring series it belongs to, if any.
    pub series: Option<String>,
}

#[pymethods]
impl Booking {
    fn __repr__(&self) -> String {
        format!(
            "Booking(id={:?}, start={}, status={:?})",
            self.id,
            self.start.to_rfc3339(),
            self.status
        )
    }
}

impl From<&CoreBooking> for Booking {
    fn from(b: &CoreBooking) -> Booking {
        Booking {
            id: b.id().to_string(),
            service: b.service().to_string(),
            professional: b.professional().to_string(),
            client: b.client().to_string(),
            start: b.appointment().start(),
            end: b.appointment().end(),
            status: b.status().as_str().to_owned(),
            price: b.price().amount(),
            deposit: b.deposit().amount(),
            currency: b.price().currency().code().to_owned(),
            created_at: b.created_at(),
            resource: b.resource().map(|r| r.to_string()),
            series: b.series().map(|s| s.to_string()),
        }
    }
}

/// The money side of a cancellation or no-show.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Settlement {
    /// What the business keeps: at most what was paid.
    pub fee: Decimal,
    /// What goes back to the client.
    pub refund: Decimal,
    /// The part of the policy's fee the payments did not cover.
    pub uncovered: Decimal,
    /// The currency of the amounts.
    pub currency: String,
    /// The rule that decided: `business_cancelled`, `tier`, `late` or
    /// `no_show`.
    pub rule: String,
    /// That rule's fee, a percent, if it has one.
    pub fee_percent: Option<Decimal>,
}

#[pymethods]
impl Settlement {
    fn __repr__(&self) -> String {
        format!(
            "Settlement(fee={}, refund={}, rule={:?})",
            self.fee, self.refund, self.rule
        )
    }
}

impl From<&CoreSettlement> for Settlement {
    fn from(s: &CoreSettlement) -> Settlement {
        Settlement {
            fee: s.fee().amount(),
            refund: s.refund().amount(),
            uncovered: s.uncovered().amount(),
            currency: s.fee().currency().code().to_owned(),
            rule: s.rule().code().to_owned(),
            fee_percent: s.rule().fee().map(|p| p.value()),
        }
    }
}

/// A booking ended by cancellation or no-show, with its settlement.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Cancellation {
    /// The booking, now cancelled or no-show.
    pub booking: Booking,
    /// The fee kept and the refund.
    pub settlement: Settlement,
    /// The ids of the payments the refund was recorded on.
    pub refunded_payments: Vec<String>,
}

#[pymethods]
impl Cancellation {
    fn __repr__(&self) -> String {
        format!(
            "Cancellation(booking={:?}, fee={}, refund={})",
            self.booking.id, self.settlement.fee, self.settlement.refund
        )
    }
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

/// A payment recorded by the business.
#[pyclass(module = "agendo", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Payment {
    /// Its id.
    pub id: String,
    /// Who paid.
    pub client: String,
    /// The booking it pays for, if any.
    pub booking: Option<String>,
    /// `cash`, `card`, `pix` or `other`.
    pub method: String,
    /// How much was paid.
    pub amount: Decimal,
    /// What is kept after refunds.
    pub net: Decimal,
    /// The currency of the amounts.
    pub currency: String,
    /// `pending`, `approved`, `refused`, `refunded` or `partially_refunded`.
    pub status: String,
    /// When it was recorded, UTC.
    pub created_at: DateTime<Utc>,
}

#[pymethods]
impl Payment {
    fn __repr__(&self) -> String {
        format!(
            "Payment(id={:?}, amount={}, status={:?})",
            self.id, self.amount, self.status
        )
    }
}

impl From<&CorePayment> for Payment {
    fn from(p: &CorePayment) -> Payment {
        Payment {
            id: p.id().to_string(),
            client: p.client().to_string(),
            booking: p.booking().map(|b| b.to_string()),
            method: p.method().as_str().to_owned(),
            amount: p.amount().amount(),
            net: p.net().amount(),
            currency: p.amount().currency().code().to_owned(),
            status: p.status().as_str().to_owned(),
            created_at: p.created_at(),
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
