//! Payments and receivables (R35, R37, R38).
//!
//! A payment is recorded by staff (cash, card, PIX, other) and moves
//! pending → approved | refused; an approved payment may be refunded in
//! parts that add up to at most its amount. A receivable is an amount a
//! client owes by a due date; whether it is pending, paid or overdue is a
//! function of `now` and the business's zone, never a stored flag that a
//! clock must flip.
//!
//! Whether an approved payment confirms its booking is decided by the use
//! case ([`crate::agenda`]) from the business's [`ConfirmationMode`](crate::business::ConfirmationMode).

use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::business::{bounded, MAX_NAME_CHARS};
use crate::error::{Error, Problem};
use crate::ids::{BookingId, BusinessId, ClientId, PaymentId, ReceivableId};
use crate::money::Money;
use crate::time::{Disambiguation, LocalTime};

/// How a client paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// Cash.
    Cash,
    /// A card, through the business's own terminal.
    Card,
    /// PIX.
    Pix,
    /// Anything else (a transfer, a voucher).
    Other,
}

impl PaymentMethod {
    /// The method as written in APIs and stores: `cash`, `card`, `pix`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Pix => "pix",
            PaymentMethod::Other => "other",
        }
    }

    /// Reads a method written by [`PaymentMethod::as_str`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for `method` with [`Problem::UnknownValue`].
    pub fn parse(text: &str) -> Result<PaymentMethod, Error> {
        Ok(match text {
            "cash" => PaymentMethod::Cash,
            "card" => PaymentMethod::Card,
            "pix" => PaymentMethod::Pix,
            "other" => PaymentMethod::Other,
            _ => {
                return Err(Error::invalid(
                    "method",
                    Problem::UnknownValue {
                        value: crate::error::clip(text),
                        expected: "cash, card, pix, other",
                    },
                ))
            }
        })
    }
}

/// Where a payment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Recorded, not yet approved (a PIX not yet seen in the bank).
    Pending,
    /// The money came in.
    Approved,
    /// It did not.
    Refused,
    /// Approved, and part of it went back.
    PartiallyRefunded,
    /// Approved, and all of it went back.
    Refunded,
}

impl PaymentStatus {
    /// Reads a status as written in APIs.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `status` with [`Problem::UnknownValue`].
    pub fn parse(text: &str) -> Result<PaymentStatus, Error> {
        [
            PaymentStatus::Pending,
            PaymentStatus::Approved,
            PaymentStatus::Refused,
            PaymentStatus::PartiallyRefunded,
            PaymentStatus::Refunded,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| {
            Error::invalid(
                "status",
                Problem::UnknownValue {
                    value: crate::error::clip(text),
                    expected: "pending, approved, refused, partially_refunded, refunded",
                },
            )
        })
    }

    /// The status as written in APIs and stores.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Approved => "approved",
            PaymentStatus::Refused => "refused",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// The status in `lang`, for people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(
            self.as_str(),
            match self {
                PaymentStatus::Pending => "pendente",
                PaymentStatus::Approved => "aprovado",
                PaymentStatus::Refused => "recusado",
                PaymentStatus::PartiallyRefunded => "parcialmente estornado",
                PaymentStatus::Refunded => "estornado",
            },
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A move of a payment, as named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentAction {
    /// Approve.
    Approve,
    /// Refuse.
    Refuse,
    /// Refund.
    Refund,
}

impl PaymentAction {
    /// The action as written in APIs: `approve`, `refuse`, `refund`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentAction::Approve => "approve",
            PaymentAction::Refuse => "refuse",
            PaymentAction::Refund => "refund",
        }
    }

    /// The action done, in English: `approved`, `refused`, `refunded`.
    pub fn past_participle(self) -> &'static str {
        match self {
            PaymentAction::Approve => "approved",
            PaymentAction::Refuse => "refused",
            PaymentAction::Refund => "refunded",
        }
    }

    /// The action done, in `lang`, for people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(
            self.past_participle(),
            match self {
                PaymentAction::Approve => "aprovado",
                PaymentAction::Refuse => "recusado",
                PaymentAction::Refund => "estornado",
            },
        )
    }
}

impl fmt::Display for PaymentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Money given back from a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// How much.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, maybe empty.
    pub reason: Box<str>,
}

/// A payment recorded by staff (R35).
///
/// # Example
/// ```
/// use agendo_core::ids::*;
/// use agendo_core::money::{Currency, Money};
/// use agendo_core::payment::{Payment, PaymentMethod, PaymentStatus};
/// use chrono::{DateTime, Utc};
///
/// let now: DateTime<Utc> = "2026-03-10T15:00:00Z".parse().unwrap();
/// let brl = |s| Money::parse(s, Currency::BRL).unwrap();
/// let pix = Payment::new(PaymentId::random(), BusinessId::random(), ClientId::random(), None, PaymentMethod::Pix, brl("100"), now)?
///     .approve(now)?
///     .refund(brl("30"), "desconto", now)?;
/// assert_eq!(pix.status(), PaymentStatus::PartiallyRefunded);
/// assert_eq!(pix.net(), brl("70"));
/// assert!(pix.refund(brl("70.01"), "", now).is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    id: PaymentId,
    business: BusinessId,
    client: ClientId,
    booking: Option<BookingId>,
    method: PaymentMethod,
    amount: Money,
    status: PaymentStatus,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    refunds: Vec<Refund>,
}

/// A payment's parts, for a store to write and read back.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct PaymentParts {
    pub id: PaymentId,
    pub business: BusinessId,
    pub client: ClientId,
    pub booking: Option<BookingId>,
    pub method: PaymentMethod,
    pub amount: Money,
    pub status: PaymentStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub refunds: Vec<Refund>,
}

impl Payment {
    /// A pending payment of `amount` by `client`, for `booking` if given.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `amount` when it is not above zero.
    pub fn new(
        id: PaymentId,
        business: BusinessId,
        client: ClientId,
        booking: Option<BookingId>,
        method: PaymentMethod,
        amount: Money,
        now: DateTime<Utc>,
    ) -> Result<Payment, Error> {
        positive(amount)?;
        Ok(Payment {
            id,
            business,
            client,
            booking,
            method,
            amount,
            status: PaymentStatus::Pending,
            created_at: now,
            decided_at: None,
            refunds: Vec::new(),
        })
    }

    /// Rebuilds a payment from the parts a store kept.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `refunds` when they add up to more than the
    /// amount, or [`Error::CurrencyMismatch`] in them.
    pub fn from_parts(parts: PaymentParts) -> Result<Payment, Error> {
        let refunded = Money::sum(
            parts.amount.currency(),
            parts.refunds.iter().map(|r| r.amount),
        )?;
        if refunded.checked_cmp(&parts.amount)? == std::cmp::Ordering::Greater {
            return Err(Error::invalid(
                "refunds",
                Problem::AboveMaximum {
                    value: refunded.amount().trunc().try_into().unwrap_or(i64::MAX),
                    max: parts.amount.amount().trunc().try_into().unwrap_or(i64::MAX),
                },
            ));
        }
        Ok(Payment {
            id: parts.id,
            business: parts.business,
            client: parts.client,
            booking: parts.booking,
            method: parts.method,
            amount: parts.amount,
            status: parts.status,
            created_at: parts.created_at,
            decided_at: parts.decided_at,
            refunds: parts.refunds,
        })
    }

    /// The parts, for a store to write.
    pub fn to_parts(&self) -> PaymentParts {
        PaymentParts {
            id: self.id,
            business: self.business,
            client: self.client,
            booking: self.booking,
            method: self.method,
            amount: self.amount,
            status: self.status,
            created_at: self.created_at,
            decided_at: self.decided_at,
            refunds: self.refunds.clone(),
        }
    }

    /// The payment approved at `now`.
    ///
    /// # Errors
    /// [`Error::IllegalPaymentTransition`] unless it is pending.
    pub fn approve(self, now: DateTime<Utc>) -> Result<Payment, Error> {
        self.decide(PaymentAction::Approve, PaymentStatus::Approved, now)
    }

    /// The payment refused at `now`.
    ///
    /// # Errors
    /// [`Error::IllegalPaymentTransition`] unless it is pending.
    pub fn refuse(self, now: DateTime<Utc>) -> Result<Payment, Error> {
        self.decide(PaymentAction::Refuse, PaymentStatus::Refused, now)
    }

    fn decide(
        mut self,
        action: PaymentAction,
        status: PaymentStatus,
        now: DateTime<Utc>,
    ) -> Result<Payment, Error> {
        if self.status != PaymentStatus::Pending {
            return Err(Error::IllegalPaymentTransition {
                payment: self.id,
                status: self.status,
                action,
            });
        }
        self.status = status;
        self.decided_at = Some(now);
        Ok(self)
    }

    /// The payment with `amount` refunded at `now` (R37). Refunds add up.
    ///
    /// # Errors
    /// - [`Error::IllegalPaymentTransition`] unless it is approved (wholly or
    ///   partly refunded already counts);
    /// - [`Error::RefundTooLarge`] when `amount` is more than what is left;
    /// - [`Error::Invalid`] for `amount` not above zero or `reason` too long;
    /// - [`Error::CurrencyMismatch`].
    pub fn refund(
        mut self,
        amount: Money,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Payment, Error> {
        if !matches!(
            self.status,
            PaymentStatus::Approved | PaymentStatus::PartiallyRefunded
        ) {
            return Err(Error::IllegalPaymentTransition {
                payment: self.id,
                status: self.status,
                action: PaymentAction::Refund,
            });
        }
        positive(amount)?;
        let left = self.net();
        if amount.checked_cmp(&left)? == std::cmp::Ordering::Greater {
            return Err(Error::RefundTooLarge {
                payment: self.id,
                requested: amount,
                refundable: left,
            });
        }
        self.refunds.push(Refund {
            amount,
            at: now,
            reason: bounded("reason", reason.trim(), MAX_NAME_CHARS * 5)?,
        });
        self.status = if self.net().is_zero() {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        Ok(self)
    }

    /// What the business holds of this payment: the amount less refunds once
    /// approved, nothing before.
    pub fn net(&self) -> Money {
        let zero = Money::zero(self.amount.currency());
        match self.status {
            PaymentStatus::Approved
            | PaymentStatus::PartiallyRefunded
            | PaymentStatus::Refunded => {
                let refunded = Money::sum(
                    self.amount.currency(),
                    self.refunds.iter().map(|r| r.amount),
                )
                .unwrap_or(zero);
                self.amount.checked_sub(refunded).unwrap_or(zero)
            }
            PaymentStatus::Pending | PaymentStatus::Refused => zero,
        }
    }

    /// The id.
    pub fn id(&self) -> PaymentId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// Who paid.
    pub fn client(&self) -> ClientId {
        self.client
    }
    /// The booking it pays for, if any.
    pub fn booking(&self) -> Option<BookingId> {
        self.booking
    }
    /// How.
    pub fn method(&self) -> PaymentMethod {
        self.method
    }
    /// How much.
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The status.
    pub fn status(&self) -> PaymentStatus {
        self.status
    }
    /// When it was recorded.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When it was approved or refused.
    pub fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.decided_at
    }
    /// The refunds, oldest first.
    pub fn refunds(&self) -> &[Refund] {
        &self.refunds
    }
}

/// Checks that `amount` is above zero, for the field `amount`.
fn positive(amount: Money) -> Result<(), Error> {
    if amount.is_zero() || amount.is_negative() {
        return Err(Error::invalid(
            "amount",
            Problem::NotPositive {
                value: amount.to_string(),
            },
        ));
    }
    Ok(())
}

/// What the business holds for one booking across `payments`: the sum of
/// their [`Payment::net`].
///
/// # Errors
/// [`Error::CurrencyMismatch`] when a payment is in another currency.
pub fn net_paid(currency: crate::money::Currency, payments: &[Payment]) -> Result<Money, Error> {
    Money::sum(currency, payments.iter().map(Payment::net))
}

/// Where a receivable stands at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReceivableStatus {
    /// Not paid, not yet due past its date.
    Pending,
    /// Paid.
    Paid,
    /// Not paid, and its due date is over in the business's zone.
    Overdue,
}

impl ReceivableStatus {
    /// Reads a status as written in APIs.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `status` with [`Problem::UnknownValue`].
    pub fn parse(text: &str) -> Result<ReceivableStatus, Error> {
        [
            ReceivableStatus::Pending,
            ReceivableStatus::Paid,
            ReceivableStatus::Overdue,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| {
            Error::invalid(
                "status",
                Problem::UnknownValue {
                    value: crate::error::clip(text),
                    expected: "pending, paid, overdue",
                },
            )
        })
    }

    /// The status as written in APIs: `pending`, `paid`, `overdue`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceivableStatus::Pending => "pending",
            ReceivableStatus::Paid => "paid",
            ReceivableStatus::Overdue => "overdue",
        }
    }
}

/// An amount a client owes by a due date, maybe for a booking (R38).
///
/// # Example
/// ```
/// use agendo_core::ids::*;
/// use agendo_core::money::{Currency, Money};
/// use agendo_core::payment::{Receivable, ReceivableStatus};
/// use chrono::{DateTime, NaiveDate, Utc};
///
/// let zone = chrono_tz::America::Sao_Paulo;
/// let due = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
/// let owed = Receivable::new(ReceivableId::random(), BusinessId::random(), ClientId::random(), None,
///     Money::parse("150", Currency::BRL)?, due, "Pacote de 3 sessões")?;
/// // 23:59 in São Paulo on the due date is still on time.
/// let late_evening: DateTime<Utc> = "2026-03-11T02:59:00Z".parse().unwrap();
/// assert_eq!(owed.status(zone, late_evening), ReceivableStatus::Pending);
/// let next_day: DateTime<Utc> = "2026-03-11T03:00:00Z".parse().unwrap();
/// assert_eq!(owed.status(zone, next_day), ReceivableStatus::Overdue);
/// assert_eq!(owed.pay(next_day)?.status(zone, next_day), ReceivableStatus::Paid);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receivable {
    id: ReceivableId,
    business: BusinessId,
    client: ClientId,
    booking: Option<BookingId>,
    amount: Money,
    due: NaiveDate,
    description: Box<str>,
    paid_at: Option<DateTime<Utc>>,
}

impl Receivable {
    /// An unpaid amount due by the end of `due` in the business's zone.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `amount` not above zero or `description` too
    /// long.
    pub fn new(
        id: ReceivableId,
        business: BusinessId,
        client: ClientId,
        booking: Option<BookingId>,
        amount: Money,
        due: NaiveDate,
        description: &str,
    ) -> Result<Receivable, Error> {
        positive(amount)?;
        Ok(Receivable {
            id,
            business,
            client,
            booking,
            amount,
            due,
            description: bounded("description", description.trim(), MAX_NAME_CHARS * 5)?,
            paid_at: None,
        })
    }

    /// Rebuilds a receivable paid at `paid_at`, as a store kept it.
    pub fn with_paid_at(mut self, paid_at: Option<DateTime<Utc>>) -> Receivable {
        self.paid_at = paid_at;
        self
    }

    /// The receivable paid at `now`.
    ///
    /// # Errors
    /// [`Error::AlreadyPaid`] when it was paid before.
    pub fn pay(mut self, now: DateTime<Utc>) -> Result<Receivable, Error> {
        if let Some(at) = self.paid_at {
            return Err(Error::AlreadyPaid {
                receivable: self.id,
                at,
            });
        }
        self.paid_at = Some(now);
        Ok(self)
    }

    /// Where it stands at `now`: overdue from the first instant of the day
    /// after the due date, in `zone`.
    pub fn status(&self, zone: Tz, now: DateTime<Utc>) -> ReceivableStatus {
        if self.paid_at.is_some() {
            return ReceivableStatus::Paid;
        }
        match self.overdue_from(zone) {
            Some(from) if now >= from => ReceivableStatus::Overdue,
            _ => ReceivableStatus::Pending,
        }
    }

    /// The first instant it is overdue, if unpaid: local midnight after the
    /// due date (with the engine's DST rule).
    pub fn overdue_from(&self, zone: Tz) -> Option<DateTime<Utc>> {
        let next = self.due.checked_add_signed(TimeDelta::days(1))?;
        LocalTime::of(zone, next.and_time(chrono::NaiveTime::MIN))
            .instant(Disambiguation::Compatible)
            .ok()
    }

    /// The id.
    pub fn id(&self) -> ReceivableId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// Who owes.
    pub fn client(&self) -> ClientId {
        self.client
    }
    /// The booking it is for, if any.
    pub fn booking(&self) -> Option<BookingId> {
        self.booking
    }
    /// How much.
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The last day to pay, in the business's zone.
    pub fn due(&self) -> NaiveDate {
        self.due
    }
    /// What it is for.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// When it was paid, if it was.
    pub fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.paid_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn brl(s: &str) -> Money {
        Money::parse(s, Currency::BRL).unwrap()
    }
    fn now() -> DateTime<Utc> {
        "2026-03-10T15:00:00Z".parse().unwrap()
    }
    fn payment() -> Payment {
        Payment::new(
            PaymentId::random(),
            BusinessId::random(),
            ClientId::random(),
            None,
            PaymentMethod::Cash,
            brl("100"),
            now(),
        )
        .unwrap()
    }

    #[test]
    fn only_pending_payments_are_decided() {
        let approved = payment().approve(now()).unwrap();
        let err = approved.clone().refuse(now()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::IllegalPaymentTransition {
                    status: PaymentStatus::Approved,
                    ..
                }
            ),
            "{err}"
        );
        assert!(payment().refuse(now()).unwrap().approve(now()).is_err());
    }

    #[test]
    fn partial_refunds_add_up_to_at_most_the_amount() {
        let p = payment().approve(now()).unwrap();
        let p = p.refund(brl("40"), "", now()).unwrap();
        assert_eq!(p.status(), PaymentStatus::PartiallyRefunded);
        let err = p.clone().refund(brl("60.01"), "", now()).unwrap_err();
        assert!(matches!(err, Error::RefundTooLarge { .. }), "{err}");
        let p = p.refund(brl("60"), "", now()).unwrap();
        assert_eq!(p.status(), PaymentStatus::Refunded);
        assert!(p.net().is_zero());
        let err = p.refund(brl("0.01"), "", now()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::IllegalPaymentTransition {
                    status: PaymentStatus::Refunded,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn pending_payments_cannot_be_refunded_and_hold_nothing() {
        let p = payment();
        assert!(p.net().is_zero());
        assert!(matches!(
            p.refund(brl("1"), "", now()).unwrap_err(),
            Error::IllegalPaymentTransition { .. }
        ));
    }

    #[test]
    fn payments_must_be_positive() {
        let err = Payment::new(
            PaymentId::random(),
            BusinessId::random(),
            ClientId::random(),
            None,
            PaymentMethod::Pix,
            brl("0"),
            now(),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("amount"));
    }

    #[test]
    fn a_receivable_is_paid_once() {
        let r = Receivable::new(
            ReceivableId::random(),
            BusinessId::random(),
            ClientId::random(),
            None,
            brl("10"),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            "",
        )
        .unwrap();
        let paid = r.pay(now()).unwrap();
        assert!(matches!(
            paid.pay(now()).unwrap_err(),
            Error::AlreadyPaid { .. }
        ));
    }
}
