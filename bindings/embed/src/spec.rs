//! What a caller passes to the embedded engine, in plain values (text ids,
//! exact decimals, UTC instants), and how each becomes the engine's record.
//! Every check is the engine's; a failure names the caller's field.

use agendo_core::agenda::{ClientFields, ProfessionalFields, ServiceFields};
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Business, ConfirmationMode};
use agendo_core::contact::{Email, Phone};
use agendo_core::ids::{BusinessId, ClientId, ProfessionalId, ResourceId, ServiceId};
use agendo_core::money::Currency;
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
    /// The room or machine it needs, if a given one.
    pub resource: Option<String>,
    /// Or the kind of room it needs, any free one of which will do.
    pub resource_kind: Option<String>,
    /// Its own cancellation policy; the business's when `None`.
    pub policy: Option<PolicyQuery>,
}

impl ServiceSpec {
    /// The service it names, if any, and every field it sets.
    pub(crate) fn fields(&self) -> Result<(Option<ServiceId>, ServiceFields), Error> {
        let id = existing(self.id.as_deref(), ServiceId::parse)?;
        Ok((
            id,
            ServiceFields {
                name: Some(self.name.clone()),
                description: Some(self.description.clone()),
                duration_minutes: Some(self.duration_minutes),
                price: Some(self.price),
                buffer_before_minutes: Some(self.buffer_before_minutes),
                buffer_after_minutes: Some(self.buffer_after_minutes),
                active: Some(self.active),
                resource: Some(
                    self.resource
                        .as_deref()
                        .map(|r| ResourceId::parse(r).map_err(|e| e.at("resource")))
                        .transpose()?,
                ),
                resource_kind: Some(self.resource_kind.clone()),
                policy: Some(self.policy.clone()),
            },
        ))
    }
}

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
    /// The professional it names, if any, and every field it sets; hours
    /// left out keep a professional's hours (a new one's are closed).
    pub(crate) fn fields(&self) -> Result<(Option<ProfessionalId>, ProfessionalFields), Error> {
        let id = existing(self.id.as_deref(), ProfessionalId::parse)?;
        let services = self
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| ServiceId::parse(s).map_err(|e| e.at(format!("services[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            id,
            ProfessionalFields {
                name: Some(self.name.clone()),
                services: Some(services),
                capacity: Some(self.capacity),
                hours: self.hours.clone(),
                active: Some(self.active),
            },
        ))
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
    /// The client it names, if any, and every field it sets (an e-mail or
    /// phone left out is cleared).
    pub(crate) fn fields(&self) -> Result<(Option<ClientId>, ClientFields), Error> {
        let id = existing(self.id.as_deref(), ClientId::parse)?;
        Ok((
            id,
            ClientFields {
                name: Some(self.name.clone()),
                email: Some(Email::read_optional(self.email.as_deref())?),
                phone: Some(Phone::read_optional(self.phone.as_deref())?),
                notes: Some(self.notes.clone()),
                ..ClientFields::default()
            },
        ))
    }
}

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

pub(crate) fn existing<T>(
    given: Option<&str>,
    parse: fn(&str) -> Result<T, agendo_core::Error>,
) -> Result<Option<T>, Error> {
    Ok(given
        .map(|text| parse(text).map_err(|e| e.at("id")))
        .transpose()?)
}
