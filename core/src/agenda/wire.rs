//! The JSON shapes of the changes every adapter reads the same way: a
//! change of the business's settings and profile, and commission rules.
//! HTTP reads them from a request's body, the bindings from a dict or
//! JSON text; each is read here once, naming the field of a bad value.

use serde::Deserialize;

use super::{BusinessFields, CommissionFields, Discount};
use crate::business::{Colour, ConfirmationMode};
use crate::contact::{Email, Phone, TaxId};
use crate::error::{Error, Problem};
use crate::ids::{ProfessionalId, ServiceId};
use crate::lang::Lang;
use crate::money::{read_amount, Percent};
use crate::notify::NotifySettings;
use crate::policy::PolicyQuery;
use crate::time::WallTime;

/// A change of the business's settings and profile: only the fields given
/// change; `null` clears a tax id, phone, e-mail or colour.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessPatch {
    /// The name.
    pub name: Option<String>,
    /// The language of messages: `pt-BR` or `en`.
    pub locale: Option<String>,
    /// `manual`, `on_payment` or `immediate`.
    pub confirmation: Option<String>,
    /// The cancellation policy.
    pub policy: Option<PolicyQuery>,
    /// When reminders and payment notices go.
    pub notify: Option<NotifyQuery>,
    /// The registered name; empty clears it.
    pub legal_name: Option<String>,
    /// The CPF or CNPJ.
    #[serde(default, deserialize_with = "double")]
    pub tax_id: Option<Option<String>>,
    /// The phone.
    #[serde(default, deserialize_with = "double")]
    pub phone: Option<Option<String>>,
    /// The e-mail.
    #[serde(default, deserialize_with = "double")]
    pub email: Option<Option<String>>,
    /// The address; empty clears it.
    pub address: Option<String>,
    /// The brand colour, `#RRGGBB`.
    #[serde(default, deserialize_with = "double")]
    pub colour: Option<Option<String>>,
    /// What it is about; empty clears it.
    pub description: Option<String>,
}

/// When reminders and payment notices go, in the business's local time.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyQuery {
    /// The local time of the day-before reminder; none turns it off.
    pub day_before_at: Option<String>,
    /// Minutes before the start of the second reminder; none turns it off.
    pub minutes_before: Option<u32>,
    /// The local time payment notices go.
    pub payment_at: String,
    /// For how many days overdue notices go.
    pub overdue_days: u8,
}

impl NotifyQuery {
    /// The settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field under `notify.`.
    pub fn to_settings(&self) -> Result<NotifySettings, Error> {
        let day_before_at = self
            .day_before_at
            .as_deref()
            .map(|t| WallTime::parse(t).map_err(|e| e.at("day_before_at")))
            .transpose();
        let settings = day_before_at.and_then(|day_before_at| {
            let payment_at = WallTime::parse(&self.payment_at).map_err(|e| e.at("payment_at"))?;
            NotifySettings::new(
                day_before_at,
                self.minutes_before,
                payment_at,
                self.overdue_days,
            )
        });
        settings.map_err(|e| e.under("notify"))
    }
}

impl BusinessPatch {
    /// Reads a change from JSON text.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] naming the value that could not be read.
    pub fn from_json(text: &str) -> Result<BusinessPatch, Error> {
        crate::availability::read_json(text)
    }

    /// The change as the engine's fields, each value checked.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field.
    pub fn to_fields(&self) -> Result<BusinessFields, Error> {
        let cleared = |value: &Option<Option<String>>| -> Option<Option<String>> {
            value.as_ref().map(|v| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
            })
        };
        Ok(BusinessFields {
            name: self.name.clone(),
            locale: self.locale.as_deref().map(Lang::parse).transpose()?,
            confirmation: self
                .confirmation
                .as_deref()
                .map(ConfirmationMode::parse)
                .transpose()?,
            policy: self.policy.clone(),
            slug: None,
            notify: self
                .notify
                .as_ref()
                .map(NotifyQuery::to_settings)
                .transpose()?,
            legal_name: self.legal_name.clone(),
            tax_id: cleared(&self.tax_id)
                .map(|t| t.as_deref().map(TaxId::parse).transpose())
                .transpose()
                .map_err(|e| e.at("tax_id"))?,
            phone: cleared(&self.phone)
                .map(|p| p.as_deref().map(Phone::parse).transpose())
                .transpose()
                .map_err(|e| e.at("phone"))?,
            email: cleared(&self.email)
                .map(|e| e.as_deref().map(Email::parse).transpose())
                .transpose()
                .map_err(|e| e.at("email"))?,
            address: self.address.clone(),
            colour: cleared(&self.colour)
                .map(|c| c.as_deref().map(Colour::parse).transpose())
                .transpose()?,
            description: self.description.clone(),
        })
    }
}

/// One commission rule as written: whom it covers and its rate, a percent
/// or a fixed amount (exactly one).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionQuery {
    /// The professional it covers, if it names one.
    #[serde(default)]
    pub staff_id: Option<String>,
    /// The service it covers, if it names one.
    #[serde(default)]
    pub service_id: Option<String>,
    /// A percent of the price, as decimal text.
    #[serde(default)]
    pub percent: Option<String>,
    /// Or a fixed amount, as decimal text.
    #[serde(default)]
    pub amount: Option<String>,
}

impl CommissionQuery {
    /// Reads a list of rules from JSON text.
    ///
    /// # Errors
    /// [`Error::MalformedJson`] naming the value that could not be read.
    pub fn list_from_json(text: &str) -> Result<Vec<CommissionQuery>, Error> {
        crate::availability::read_json(text)
    }

    /// The rule at position `i` of a list, as the engine's fields.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `[i].percent`, `[i].staff_id`…
    pub fn to_fields(&self, i: usize) -> Result<CommissionFields, Error> {
        let at = |e: Error| e.under(&format!("[{i}]"));
        let rate = match (&self.percent, &self.amount) {
            (Some(p), None) => {
                Discount::Percent(Percent::parse(p).map_err(|e| at(e.at("percent")))?)
            }
            (None, Some(a)) => Discount::Amount(read_amount(a).map_err(|e| at(e.at("amount")))?),
            _ => {
                return Err(at(Error::invalid(
                    "percent",
                    Problem::UnknownValue {
                        value: "both or neither".to_owned(),
                        expected: "either percent or amount",
                    },
                )))
            }
        };
        Ok(CommissionFields {
            professional: self
                .staff_id
                .as_deref()
                .map(|p| ProfessionalId::parse(p).map_err(|e| at(e.at("staff_id"))))
                .transpose()?,
            service: self
                .service_id
                .as_deref()
                .map(|s| ServiceId::parse(s).map_err(|e| at(e.at("service_id"))))
                .transpose()?,
            rate,
        })
    }
}

/// Reads a field that may be absent (no change) or `null` (clear it).
fn double<'de, D, T>(reader: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(reader).map(Some)
}
