//! What a caller passes to the embedded engine, in plain values (text ids,
//! exact decimals, UTC instants), and how each becomes the engine's record.
//! Every check is the engine's; a failure names the caller's field.

use agendo_core::availability::{HoursQuery, WeeklyHours, WorkingHours};
use agendo_core::business::{Activity, Business, Client, ConfirmationMode, Professional, Service};
use agendo_core::contact::{Email, Phone};
use agendo_core::ids::{BusinessId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::{Currency, Money};
use agendo_core::policy::PolicyQuery;
use agendo_core::time::parse_zone;
use agendo_core::Lang;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::Error;

/// A new business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessSpec {
    /// The name.
    pub name: String,
    /// Its IANA zone, such as `America/Sao_Paulo`.
    pub timezone: String,
    /// Its ISO 4217 currency, such as `BRL`.
    pub currency: String,
    /// The language of its messages: `pt-BR` or `en`.
    pub locale: String,
    /// How bookings are confirmed: `manual`, `on_payment` or `immediate`.
    pub confirmation: String,
    /// Its cancellation policy; free cancellation when `None`.
    pub policy: Option<PolicyQuery>,
}

impl BusinessSpec {
    pub(crate) fn build(&self) -> Result<Business, Error> {
        let zone = parse_zone(&self.timezone).map_err(|e| e.at("timezone"))?;
        let currency = Currency::parse(&self.currency).map_err(|e| e.at("currency"))?;
        let mut business = Business::new(
            BusinessId::random(),
            &self.name,
            zone,
            currency,
            Lang::parse(&self.locale)?,
        )?
        .with_confirmation(ConfirmationMode::parse(&self.confirmation)?);
        if let Some(policy) = &self.policy {
            business =
                business.with_policy(policy.to_policy(currency).map_err(|e| e.under("policy"))?)?;
        }
        Ok(business)
    }
}

/// A service to create (no `id`) or replace (its `id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSpec {
    /// The service to replace; a new one when `None`.
    pub id: Option<String>,
    /// The name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// How long it takes.
    pub duration_minutes: u32,
    /// Its price in the business's currency.
    pub price: Decimal,
    /// Minutes kept free before it.
    pub buffer_before_minutes: u32,
    /// Minutes kept free after it.
    pub buffer_after_minutes: u32,
    /// Whether it takes new bookings.
    pub active: bool,
}

impl ServiceSpec {
    pub(crate) fn build(&self, business: &Business) -> Result<Service, Error> {
        let id = new_or(
            self.id.as_deref(),
            "id",
            ServiceId::random,
            ServiceId::parse,
        )?;
        let price = Money::new(self.price, business.currency()).map_err(|e| e.at("price"))?;
        let buffers = agendo_core::availability::Buffers::new(
            self.buffer_before_minutes,
            self.buffer_after_minutes,
        )?;
        Ok(
            Service::new(id, business.id(), &self.name, self.duration_minutes, price)?
                .with_description(&self.description)?
                .with_buffers(buffers)
                .with_activity(activity(self.active)),
        )
    }
}

/// A professional to create (no `id`) or replace (its `id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfessionalSpec {
    /// The professional to replace; a new one when `None`.
    pub id: Option<String>,
    /// The name.
    pub name: String,
    /// The ids of the services they perform.
    pub services: Vec<String>,
    /// Their working hours; when `None`, a new professional has none (is
    /// never free) and a replaced one keeps theirs.
    pub hours: Option<HoursQuery>,
    /// How many clients at once (1 for most).
    pub capacity: u32,
    /// Whether they take new bookings.
    pub active: bool,
}

impl ProfessionalSpec {
    pub(crate) fn build(
        &self,
        business: &Business,
        current: Option<&Professional>,
    ) -> Result<Professional, Error> {
        let id = new_or(
            self.id.as_deref(),
            "id",
            ProfessionalId::random,
            ProfessionalId::parse,
        )?;
        let services = self
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| ServiceId::parse(s).map_err(|e| e.at(format!("services[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        let hours = match (&self.hours, current) {
            (Some(query), _) => hours(query)?,
            (None, Some(current)) => current.hours().clone(),
            (None, None) => WorkingHours::new(WeeklyHours::closed()),
        };
        Ok(Professional::new(id, business.id(), &self.name)?
            .with_services(services)
            .with_hours(hours)
            .with_capacity(self.capacity)
            .map_err(|e| e.at("capacity"))?
            .with_activity(activity(self.active)))
    }

    /// The professional's id, when the spec replaces one.
    pub(crate) fn existing(&self) -> Result<Option<ProfessionalId>, Error> {
        Ok(self
            .id
            .as_deref()
            .map(|id| ProfessionalId::parse(id).map_err(|e| e.at("id")))
            .transpose()?)
    }
}

/// A client to create (no `id`) or replace (its `id`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientSpec {
    /// The client to replace; a new one when `None`.
    pub id: Option<String>,
    /// The name.
    pub name: String,
    /// Their e-mail, if known.
    pub email: Option<String>,
    /// Their phone, if known (E.164, or national with the business's
    /// country code).
    pub phone: Option<String>,
    /// Notes the business keeps.
    pub notes: String,
}

impl ClientSpec {
    pub(crate) fn build(&self, business: &Business) -> Result<Client, Error> {
        let id = new_or(self.id.as_deref(), "id", ClientId::random, ClientId::parse)?;
        let email = self.email.as_deref().map(Email::parse).transpose()?;
        let phone = self.phone.as_deref().map(Phone::parse).transpose()?;
        Ok(Client::new(id, business.id(), &self.name)?
            .with_email(email)
            .with_phone(phone)
            .with_notes(&self.notes)?)
    }
}

/// A request for free slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotsSpec {
    /// The service.
    pub service: String,
    /// One professional, or any who performs the service when `None`.
    pub professional: Option<String>,
    /// The first local date, in the business's zone.
    pub from: NaiveDate,
    /// The last local date, included.
    pub to: NaiveDate,
    /// Minutes between starts; the service's duration when `None`.
    pub step_minutes: Option<u32>,
}

/// A booking to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookSpec {
    /// The service.
    pub service: String,
    /// The professional.
    pub professional: String,
    /// The client.
    pub client: String,
    /// When the appointment starts.
    pub start: DateTime<Utc>,
}

/// A payment to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentSpec {
    /// Who pays.
    pub client: String,
    /// The booking it pays for, if any.
    pub booking: Option<String>,
    /// How: `pix`, `cash`, `card` or `other`.
    pub method: String,
    /// How much, in the business's currency.
    pub amount: Decimal,
    /// Whether the money is in hand already (else it waits for approval).
    pub approved: bool,
}

/// Reads working hours in the engine's JSON shape, naming a bad value by
/// its path under `hours`.
pub(crate) fn hours(query: &HoursQuery) -> Result<WorkingHours, Error> {
    query.to_hours().map_err(|e| e.under("hours").into())
}

/// Reads working hours from JSON text in the engine's shape, naming a bad
/// value by its path under `hours`.
///
/// # Errors
/// [`crate::Kind::Validation`] naming `hours.…`.
pub fn read_hours(text: &str) -> Result<HoursQuery, Error> {
    HoursQuery::from_json(text).map_err(|e| e.under("hours").into())
}

/// Reads a cancellation policy from JSON text in the engine's shape, naming
/// a bad value by its path under `policy`.
///
/// # Errors
/// [`crate::Kind::Validation`] naming `policy.…`.
pub fn read_policy(text: &str) -> Result<PolicyQuery, Error> {
    PolicyQuery::from_json(text).map_err(|e| e.under("policy").into())
}

/// Reads amount text in its one written form (`"80.00"`, `"-5"`) as an
/// exact amount, naming `field` when it is not one.
///
/// # Errors
/// [`crate::Kind::Validation`] naming `field`: not a number, past the
/// engine's largest amount, or digits an amount cannot keep (none is
/// rounded away).
pub fn read_amount(text: &str, field: &str) -> Result<Decimal, Error> {
    agendo_core::money::read_amount(text).map_err(|e| e.at(field).into())
}

/// Reads an amount given as a number (sign, digits, power of ten; a
/// Python `Decimal`'s parts), naming `field` when it is not one; `shown`
/// is how the value reads.
///
/// # Errors
/// As [`read_amount`].
pub fn amount_from_parts(
    negative: bool,
    digits: &str,
    exponent: i64,
    shown: &str,
    field: &str,
) -> Result<Decimal, Error> {
    agendo_core::money::amount_from_parts(negative, digits, exponent, shown)
        .map_err(|e| e.at(field).into())
}

fn activity(active: bool) -> Activity {
    if active {
        Activity::Active
    } else {
        Activity::Retired
    }
}

/// A new id, or the one given, read as `field`.
fn new_or<T>(
    given: Option<&str>,
    field: &str,
    random: fn() -> T,
    parse: fn(&str) -> Result<T, agendo_core::Error>,
) -> Result<T, Error> {
    match given {
        None => Ok(random()),
        Some(text) => Ok(parse(text).map_err(|e| e.at(field))?),
    }
}
