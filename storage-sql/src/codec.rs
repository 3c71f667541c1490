//! The JSON of nested values kept in one column each.
//!
//! Writing goes through plain serde types that mirror the engine's values;
//! reading goes back through the engine's constructors, so a stored value
//! that the engine would refuse is reported ([`crate::corrupt`]) instead of
//! rebuilt unchecked. Amounts are `{"amount": "50.00", "currency": "BRL"}`;
//! percents are decimal strings; instants RFC 3339 UTC; wall times `HH:MM`.

use std::collections::BTreeMap;

use agendo_core::availability::WorkingHours;
use agendo_core::booking::{Change, Event, Who};
use agendo_core::business::{Colour, Profile};
use agendo_core::commission::{CommissionRule, CommissionScope};
use agendo_core::contact::{Email, Phone, TaxId};
use agendo_core::ids::{
    AccountId, BlockId, BookingId, ClientId, PaymentId, ProfessionalId, ReceivableId, ResourceId,
    ServiceId,
};
use agendo_core::money::{Currency, Money, Percent, Share};
use agendo_core::notify::NotifySettings;
use agendo_core::payment::Refund;
use agendo_core::policy::{CancellationPolicy, Party, Rule, Settlement, Tier};
use agendo_core::store::Outcome;
use agendo_core::time::{Span, WallTime, Window};
use agendo_core::Error;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::corrupt;

/// Writes `value`'s stored form.
fn write<T: Serialize>(value: &T) -> String {
    // These forms hold strings, numbers, lists and maps with string keys
    // only, which serde_json always writes.
    serde_json::to_string(value).unwrap_or_default()
}

/// Reads the stored form of `column`.
fn read<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| corrupt(column, e))
}

/// Maps an engine error met while rebuilding `column` to a storage error.
fn rebuilt<T>(column: &str, result: Result<T, Error>) -> Result<T, Error> {
    result.map_err(|e| corrupt(column, e))
}

#[derive(Serialize, Deserialize)]
struct MoneyForm {
    amount: Decimal,
    currency: String,
}

impl MoneyForm {
    fn of(money: Money) -> MoneyForm {
        MoneyForm {
            amount: money.amount(),
            currency: money.currency().code().to_owned(),
        }
    }

    fn money(&self, column: &str) -> Result<Money, Error> {
        rebuilt(
            column,
            Currency::parse(&self.currency).and_then(|c| Money::new(self.amount, c)),
        )
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ShareForm {
    Fixed(MoneyForm),
    Percent(Decimal),
}

impl ShareForm {
    fn of(share: Share) -> ShareForm {
        match share {
            Share::Fixed(money) => ShareForm::Fixed(MoneyForm::of(money)),
            Share::Percent(percent) => ShareForm::Percent(percent.value()),
        }
    }

    fn share(&self, column: &str) -> Result<Share, Error> {
        Ok(match self {
            ShareForm::Fixed(money) => Share::Fixed(money.money(column)?),
            ShareForm::Percent(value) => Share::Percent(percent(column, *value)?),
        })
    }
}

fn percent(column: &str, value: Decimal) -> Result<Percent, Error> {
    rebuilt(column, Percent::new(value))
}

// ---- cancellation policy --------------------------------------------------

#[derive(Serialize, Deserialize)]
struct TierForm {
    min_notice_hours: u32,
    fee: Decimal,
}

#[derive(Serialize, Deserialize)]
struct PolicyForm {
    tiers: Vec<TierForm>,
    late_fee: Decimal,
    no_show_fee: Decimal,
    deposit: Option<ShareForm>,
}

/// The stored form of a cancellation policy.
pub fn policy_text(policy: &CancellationPolicy) -> String {
    write(&PolicyForm {
        tiers: policy
            .tiers()
            .iter()
            .map(|t| TierForm {
                min_notice_hours: t.min_notice_hours(),
                fee: t.fee().value(),
            })
            .collect(),
        late_fee: policy.late_fee().value(),
        no_show_fee: policy.no_show_fee().value(),
        deposit: policy.deposit().map(ShareForm::of),
    })
}

/// Reads a cancellation policy kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when the text is not a policy the engine accepts.
pub fn policy_from(column: &str, text: &str) -> Result<CancellationPolicy, Error> {
    let form: PolicyForm = read(column, text)?;
    let tiers = form
        .tiers
        .iter()
        .map(|t| {
            rebuilt(
                column,
                Tier::new(t.min_notice_hours, percent(column, t.fee)?),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let deposit = form.deposit.as_ref().map(|d| d.share(column)).transpose()?;
    rebuilt(
        column,
        CancellationPolicy::new(
            tiers,
            percent(column, form.late_fee)?,
            percent(column, form.no_show_fee)?,
            deposit,
        ),
    )
}

// ---- business settings ------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct NotifyForm {
    day_before_at: Option<String>,
    minutes_before: Option<u32>,
    payment_at: String,
    overdue_days: u8,
}

#[derive(Serialize, Deserialize)]
struct CommissionForm {
    professional: Option<Uuid>,
    service: Option<Uuid>,
    rate: ShareForm,
}

/// The stored form of notice settings.
pub fn notify_text(notify: &NotifySettings) -> String {
    write(&NotifyForm {
        day_before_at: notify.day_before_at().map(|t| t.to_string()),
        minutes_before: notify.minutes_before(),
        payment_at: notify.payment_at().to_string(),
        overdue_days: notify.overdue_days(),
    })
}

/// Reads notice settings kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when the text is not settings the engine accepts.
pub fn notify_from(column: &str, text: &str) -> Result<NotifySettings, Error> {
    let form: NotifyForm = read(column, text)?;
    let day_before_at = form
        .day_before_at
        .as_deref()
        .map(|t| rebuilt(column, WallTime::parse(t)))
        .transpose()?;
    let payment_at = rebuilt(column, WallTime::parse(&form.payment_at))?;
    rebuilt(
        column,
        NotifySettings::new(
            day_before_at,
            form.minutes_before,
            payment_at,
            form.overdue_days,
        ),
    )
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct ProfileForm {
    #[serde(skip_serializing_if = "String::is_empty")]
    legal_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    colour: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
}

/// The stored form of a business's profile.
pub fn profile_text(profile: &Profile) -> String {
    write(&ProfileForm {
        legal_name: profile.legal_name().to_owned(),
        tax_id: profile.tax_id().map(|t| t.as_str().to_owned()),
        phone: profile.phone().map(|p| p.as_str().to_owned()),
        email: profile.email().map(|e| e.as_str().to_owned()),
        address: profile.address().to_owned(),
        colour: profile.colour().map(|c| c.to_string()),
        description: profile.description().to_owned(),
    })
}

/// Reads a profile kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when the text is not a profile the engine accepts.
pub fn profile_from(column: &str, text: &str) -> Result<Profile, Error> {
    let form: ProfileForm = read(column, text)?;
    let tax_id = form.tax_id.as_deref().map(TaxId::parse).transpose();
    let phone = form.phone.as_deref().map(Phone::parse).transpose();
    let email = form.email.as_deref().map(Email::parse).transpose();
    let colour = form.colour.as_deref().map(Colour::parse).transpose();
    rebuilt(
        column,
        Profile::new(
            &form.legal_name,
            rebuilt(column, tax_id)?,
            rebuilt(column, phone)?,
            rebuilt(column, email)?,
            &form.address,
            rebuilt(column, colour)?,
            &form.description,
        ),
    )
}

/// The stored form of commission rules.
pub fn commissions_text(rules: &[CommissionRule]) -> String {
    let forms: Vec<CommissionForm> = rules
        .iter()
        .map(|rule| {
            let (professional, service) = match rule.scope {
                CommissionScope::Service(s) => (None, Some(s.as_uuid())),
                CommissionScope::Professional(p) => (Some(p.as_uuid()), None),
                CommissionScope::ProfessionalService(p, s) => {
                    (Some(p.as_uuid()), Some(s.as_uuid()))
                }
            };
            CommissionForm {
                professional,
                service,
                rate: ShareForm::of(rule.rate),
            }
        })
        .collect();
    write(&forms)
}

/// Reads commission rules kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when a rule has neither a professional nor a service.
pub fn commissions_from(column: &str, text: &str) -> Result<Vec<CommissionRule>, Error> {
    let forms: Vec<CommissionForm> = read(column, text)?;
    forms
        .iter()
        .map(|form| {
            let professional = form.professional.map(ProfessionalId::from_uuid);
            let service = form.service.map(ServiceId::from_uuid);
            let scope = match (professional, service) {
                (None, Some(s)) => CommissionScope::Service(s),
                (Some(p), None) => CommissionScope::Professional(p),
                (Some(p), Some(s)) => CommissionScope::ProfessionalService(p, s),
                (None, None) => return Err(corrupt(column, "a rule without a scope")),
            };
            Ok(CommissionRule {
                scope,
                rate: form.rate.share(column)?,
            })
        })
        .collect()
}

// ---- working hours ------------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct HoursForm {
    /// `mon` … `sun` to windows; days left out are closed.
    weekly: BTreeMap<String, Vec<(String, String)>>,
    overrides: BTreeMap<NaiveDate, Vec<(String, String)>>,
}

use agendo_core::time::WEEKDAYS as DAYS;

fn window_pairs(windows: &[Window]) -> Vec<(String, String)> {
    windows
        .iter()
        .map(|w| (w.start().to_string(), w.end().to_string()))
        .collect()
}

fn windows(column: &str, pairs: &[(String, String)]) -> Result<Vec<Window>, Error> {
    pairs
        .iter()
        .map(|(start, end)| rebuilt(column, Window::parse(start, end)))
        .collect()
}

/// The stored form of working hours.
pub fn hours_text(hours: &WorkingHours) -> String {
    write(&HoursForm {
        weekly: DAYS
            .iter()
            .filter(|(day, _)| !hours.weekly().day(*day).is_empty())
            .map(|(day, name)| ((*name).to_owned(), window_pairs(hours.weekly().day(*day))))
            .collect(),
        overrides: hours
            .overrides()
            .map(|(date, w)| (date, window_pairs(w)))
            .collect(),
    })
}

/// Reads working hours kept in `column`.
///
/// # Errors
/// [`Error::Storage`] for an unknown weekday or a window the engine
/// refuses.
pub fn hours_from(column: &str, text: &str) -> Result<WorkingHours, Error> {
    let form: HoursForm = read(column, text)?;
    let mut week = agendo_core::availability::WeeklyHours::closed();
    for (name, pairs) in &form.weekly {
        let Some((day, _)) = DAYS.iter().find(|(_, n)| n == name) else {
            return Err(corrupt(column, format_args!("unknown weekday {name:?}")));
        };
        week = rebuilt(column, week.with_day(*day, windows(column, pairs)?))?;
    }
    let mut hours = WorkingHours::new(week);
    for (date, pairs) in &form.overrides {
        hours = rebuilt(column, hours.with_override(*date, windows(column, pairs)?))?;
    }
    Ok(hours)
}

// ---- a booking's history --------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum RuleForm {
    BusinessCancelled,
    Tier { min_notice_hours: u32, fee: Decimal },
    Late { fee: Decimal },
    NoShow { fee: Decimal },
}

#[derive(Serialize, Deserialize)]
struct SettlementForm {
    policy_fee: MoneyForm,
    fee: MoneyForm,
    refund: MoneyForm,
    rule: RuleForm,
}

#[derive(Serialize, Deserialize)]
struct SpanForm {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PartyForm {
    Client,
    Business,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ChangeForm {
    Created,
    Confirmed,
    Completed,
    Cancelled {
        by: PartyForm,
        reason: String,
        settlement: SettlementForm,
    },
    NoShow {
        settlement: SettlementForm,
    },
    Rescheduled {
        from: SpanForm,
        to: SpanForm,
    },
}

#[derive(Serialize, Deserialize)]
struct EventForm {
    at: DateTime<Utc>,
    #[serde(flatten)]
    change: ChangeForm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by_actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by_account: Option<Uuid>,
}

fn settlement_form(s: &Settlement) -> SettlementForm {
    SettlementForm {
        policy_fee: MoneyForm::of(s.policy_fee()),
        fee: MoneyForm::of(s.fee()),
        refund: MoneyForm::of(s.refund()),
        rule: match s.rule() {
            Rule::BusinessCancelled => RuleForm::BusinessCancelled,
            Rule::Tier {
                min_notice_hours,
                fee,
            } => RuleForm::Tier {
                min_notice_hours,
                fee: fee.value(),
            },
            Rule::Late { fee } => RuleForm::Late { fee: fee.value() },
            Rule::NoShow { fee } => RuleForm::NoShow { fee: fee.value() },
        },
    }
}

fn settlement(column: &str, form: &SettlementForm) -> Result<Settlement, Error> {
    let rule = match form.rule {
        RuleForm::BusinessCancelled => Rule::BusinessCancelled,
        RuleForm::Tier {
            min_notice_hours,
            fee,
        } => Rule::Tier {
            min_notice_hours,
            fee: percent(column, fee)?,
        },
        RuleForm::Late { fee } => Rule::Late {
            fee: percent(column, fee)?,
        },
        RuleForm::NoShow { fee } => Rule::NoShow {
            fee: percent(column, fee)?,
        },
    };
    rebuilt(
        column,
        Settlement::restore(
            form.policy_fee.money(column)?,
            form.fee.money(column)?,
            form.refund.money(column)?,
            rule,
        ),
    )
}

fn span_form(span: Span) -> SpanForm {
    SpanForm {
        start: span.start(),
        end: span.end(),
    }
}

fn span(column: &str, form: &SpanForm) -> Result<Span, Error> {
    rebuilt(column, Span::new(form.start, form.end))
}

/// The stored form of a booking's history.
pub fn history_text(history: &[Event]) -> String {
    let forms: Vec<EventForm> = history
        .iter()
        .map(|event| EventForm {
            at: event.at,
            by_actor: event.by.as_ref().map(|w| w.actor.to_string()),
            by_account: event
                .by
                .as_ref()
                .and_then(|w| w.account)
                .map(|a| a.as_uuid()),
            change: match &event.change {
                Change::Created => ChangeForm::Created,
                Change::Confirmed => ChangeForm::Confirmed,
                Change::Completed => ChangeForm::Completed,
                Change::Cancelled {
                    by,
                    reason,
                    settlement,
                } => ChangeForm::Cancelled {
                    by: match by {
                        Party::Client => PartyForm::Client,
                        Party::Business => PartyForm::Business,
                    },
                    reason: reason.to_string(),
                    settlement: settlement_form(settlement),
                },
                Change::NoShow { settlement } => ChangeForm::NoShow {
                    settlement: settlement_form(settlement),
                },
                Change::Rescheduled { from, to } => ChangeForm::Rescheduled {
                    from: span_form(*from),
                    to: span_form(*to),
                },
            },
        })
        .collect();
    write(&forms)
}

/// Reads a booking's history kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when an event does not read back.
pub fn history_from(column: &str, text: &str) -> Result<Vec<Event>, Error> {
    let forms: Vec<EventForm> = read(column, text)?;
    forms
        .iter()
        .map(|form| {
            let change = match &form.change {
                ChangeForm::Created => Change::Created,
                ChangeForm::Confirmed => Change::Confirmed,
                ChangeForm::Completed => Change::Completed,
                ChangeForm::Cancelled {
                    by,
                    reason,
                    settlement: s,
                } => Change::Cancelled {
                    by: match by {
                        PartyForm::Client => Party::Client,
                        PartyForm::Business => Party::Business,
                    },
                    reason: reason.as_str().into(),
                    settlement: settlement(column, s)?,
                },
                ChangeForm::NoShow { settlement: s } => Change::NoShow {
                    settlement: settlement(column, s)?,
                },
                ChangeForm::Rescheduled { from, to } => Change::Rescheduled {
                    from: span(column, from)?,
                    to: span(column, to)?,
                },
            };
            Ok(Event {
                at: form.at,
                change,
                by: form.by_actor.as_ref().map(|actor| Who {
                    actor: actor.as_str().into(),
                    account: form.by_account.map(AccountId::from_uuid),
                }),
            })
        })
        .collect()
}

// ---- refunds, attributes, outcomes ------------------------------------------------

#[derive(Serialize, Deserialize)]
struct RefundForm {
    amount: MoneyForm,
    at: DateTime<Utc>,
    reason: String,
}

/// The stored form of a payment's refunds.
pub fn refunds_text(refunds: &[Refund]) -> String {
    let forms: Vec<RefundForm> = refunds
        .iter()
        .map(|r| RefundForm {
            amount: MoneyForm::of(r.amount),
            at: r.at,
            reason: r.reason.to_string(),
        })
        .collect();
    write(&forms)
}

/// Reads a payment's refunds kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when an amount does not read back.
pub fn refunds_from(column: &str, text: &str) -> Result<Vec<Refund>, Error> {
    let forms: Vec<RefundForm> = read(column, text)?;
    forms
        .iter()
        .map(|form| {
            Ok(Refund {
                amount: form.amount.money(column)?,
                at: form.at,
                reason: form.reason.as_str().into(),
            })
        })
        .collect()
}

/// The stored form of a client's custom attributes.
pub fn attributes_text(attributes: &BTreeMap<String, String>) -> String {
    write(attributes)
}

/// Reads a client's custom attributes kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when the text is not a map of strings.
pub fn attributes_from(column: &str, text: &str) -> Result<BTreeMap<String, String>, Error> {
    read(column, text)
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeForm {
    Booking(Uuid),
    Series(Vec<Uuid>),
    Payment(Uuid),
    Service(Uuid),
    Professional(Uuid),
    Resource(Uuid),
    Client(Uuid),
    Block(Uuid),
    Business,
    Account(Uuid),
    Receivables(Vec<Uuid>),
}

/// The stored form of what a request under an idempotency key made.
pub fn outcome_text(outcome: &Outcome) -> String {
    write(&match outcome {
        Outcome::Booking(id) => OutcomeForm::Booking(id.as_uuid()),
        Outcome::Series(ids) => OutcomeForm::Series(ids.iter().map(|id| id.as_uuid()).collect()),
        Outcome::Payment(id) => OutcomeForm::Payment(id.as_uuid()),
        Outcome::Service(id) => OutcomeForm::Service(id.as_uuid()),
        Outcome::Professional(id) => OutcomeForm::Professional(id.as_uuid()),
        Outcome::Resource(id) => OutcomeForm::Resource(id.as_uuid()),
        Outcome::Client(id) => OutcomeForm::Client(id.as_uuid()),
        Outcome::Block(id) => OutcomeForm::Block(id.as_uuid()),
        Outcome::Business => OutcomeForm::Business,
        Outcome::Account(id) => OutcomeForm::Account(id.as_uuid()),
        Outcome::Receivables(ids) => {
            OutcomeForm::Receivables(ids.iter().map(|id| id.as_uuid()).collect())
        }
    })
}

/// Reads an outcome kept in `column`.
///
/// # Errors
/// [`Error::Storage`] when the text is not an outcome.
pub fn outcome_from(column: &str, text: &str) -> Result<Outcome, Error> {
    Ok(match read(column, text)? {
        OutcomeForm::Booking(id) => Outcome::Booking(BookingId::from_uuid(id)),
        OutcomeForm::Series(ids) => {
            Outcome::Series(ids.into_iter().map(BookingId::from_uuid).collect())
        }
        OutcomeForm::Payment(id) => Outcome::Payment(PaymentId::from_uuid(id)),
        OutcomeForm::Service(id) => Outcome::Service(ServiceId::from_uuid(id)),
        OutcomeForm::Professional(id) => Outcome::Professional(ProfessionalId::from_uuid(id)),
        OutcomeForm::Resource(id) => Outcome::Resource(ResourceId::from_uuid(id)),
        OutcomeForm::Client(id) => Outcome::Client(ClientId::from_uuid(id)),
        OutcomeForm::Block(id) => Outcome::Block(BlockId::from_uuid(id)),
        OutcomeForm::Business => Outcome::Business,
        OutcomeForm::Account(id) => Outcome::Account(AccountId::from_uuid(id)),
        OutcomeForm::Receivables(ids) => {
            Outcome::Receivables(ids.into_iter().map(ReceivableId::from_uuid).collect())
        }
    })
}
