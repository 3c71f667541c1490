//! Cancellation, no-show and refund policy (R21, R37).
//!
//! A policy is written by the business as ordered tiers ("cancelled at
//! least 48 hours before the start: no fee; at least 24 hours: 50%"), a fee
//! for later cancellations, a no-show fee and an optional deposit required to
//! confirm. [`CancellationPolicy::settle_cancellation`] and
//! [`CancellationPolicy::settle_no_show`] turn it, the price, what was paid,
//! who cancels and `now` into a [`Settlement`]: the fee kept, the refund and
//! the rule that decided.
//!
//! Two choices the requirements leave open, made here once:
//! - **A business never keeps more than it holds.** The fee kept is at most
//!   what the client paid; the part of the policy's fee that the payments do
//!   not cover is reported as `uncovered`, for the business to claim as a
//!   receivable if it wants, and is never invented as a debt. So fee kept +
//!   refund = paid, always.
//! - **A client cancelling at or after the start** is charged the no-show
//!   fee: they did not come, whatever they clicked.
//!
//! Cancellations by the business refund everything (R20).

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use crate::error::{Error, Problem};
use crate::money::{Currency, Money, Percent, Share};

/// The most tiers a policy may have.
pub const MAX_TIERS: usize = 20;
/// The longest notice a tier may ask for, in hours: one year.
pub const MAX_NOTICE_HOURS: u32 = 24 * 366;

/// "Cancelled at least `min_notice_hours` before the start: fee `fee`."
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tier {
    min_notice_hours: u32,
    fee: Percent,
}

impl Tier {
    /// A tier.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `min_notice_hours` past [`MAX_NOTICE_HOURS`].
    pub fn new(min_notice_hours: u32, fee: Percent) -> Result<Tier, Error> {
        if min_notice_hours > MAX_NOTICE_HOURS {
            return Err(Error::invalid(
                "min_notice_hours",
                Problem::AboveMaximum {
                    value: i64::from(min_notice_hours),
                    max: i64::from(MAX_NOTICE_HOURS),
                },
            ));
        }
        Ok(Tier {
            min_notice_hours,
            fee,
        })
    }

    /// The least notice, in hours, for this tier to apply.
    pub fn min_notice_hours(&self) -> u32 {
        self.min_notice_hours
    }

    /// The fee, as a percent of the price.
    pub fn fee(&self) -> Percent {
        self.fee
    }
}

/// A business's (or a service's) rules for cancellations, no-shows and
/// deposits.
///
/// # Example
/// ```
/// use agendo_core::money::{Currency, Money, Percent};
/// use agendo_core::policy::{CancellationPolicy, Party, Rule, Tier};
/// use chrono::{DateTime, Utc};
///
/// let pct = |s: &str| Percent::parse(s).unwrap();
/// let policy = CancellationPolicy::new(
///     [Tier::new(48, pct("0"))?, Tier::new(24, pct("50"))?],
///     pct("100"), // later than 24 h
///     pct("100"), // no-show
///     None,
/// )?;
/// let price = Money::parse("120", Currency::BRL)?;
/// let start: DateTime<Utc> = "2026-03-10T15:00:00Z".parse().unwrap();
/// let now: DateTime<Utc> = "2026-03-09T10:00:00Z".parse().unwrap(); // 29 h before
/// let settled = policy.settle_cancellation(price, price, Party::Client, start, now)?;
/// assert_eq!(settled.fee().to_string(), "60.00 BRL");
/// assert_eq!(settled.refund().to_string(), "60.00 BRL");
/// assert_eq!(settled.rule(), Rule::Tier { min_notice_hours: 24, fee: pct("50") });
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CancellationPolicy {
    /// Sorted by notice, longest first.
    tiers: Vec<Tier>,
    late_fee: Percent,
    no_show_fee: Percent,
    deposit: Option<Share>,
}

impl CancellationPolicy {
    /// Free cancellation at any time, no no-show fee, no deposit.
    pub fn free() -> CancellationPolicy {
        CancellationPolicy {
            tiers: Vec::new(),
            late_fee: Percent::ZERO,
            no_show_fee: Percent::ZERO,
            deposit: None,
        }
    }

    /// A policy of `tiers` (in any order), the fee for cancellations with
    /// less notice than every tier, the no-show fee and the deposit required
    /// to confirm, if any.
    ///
    /// # Errors
    /// [`Error::Invalid`] for
    /// - `tiers` past [`MAX_TIERS`];
    /// - `tiers[i].min_notice_hours` given twice;
    /// - `tiers[i].fee` or `late_fee` below the fee of a tier with more
    ///   notice ([`Problem::FeeBelowEarlierTier`]): a later cancellation
    ///   never costs less, and such a policy is a typing mistake.
    pub fn new(
        tiers: impl IntoIterator<Item = Tier>,
        late_fee: Percent,
        no_show_fee: Percent,
        deposit: Option<Share>,
    ) -> Result<CancellationPolicy, Error> {
        let mut tiers: Vec<Tier> = tiers.into_iter().collect();
        if tiers.len() > MAX_TIERS {
            return Err(Error::invalid(
                "tiers",
                Problem::TooMany {
                    count: tiers.len(),
                    max: MAX_TIERS,
                },
            ));
        }
        tiers.sort_by_key(|t| std::cmp::Reverse(t.min_notice_hours));
        for (i, pair) in tiers.windows(2).enumerate() {
            if pair[0].min_notice_hours == pair[1].min_notice_hours {
                return Err(Error::invalid(
                    format!("tiers[{}].min_notice_hours", i + 1),
                    Problem::Duplicate {
                        value: pair[1].min_notice_hours.to_string(),
                    },
                ));
            }
            if pair[1].fee < pair[0].fee {
                return Err(Error::invalid(
                    format!("tiers[{}].fee", i + 1),
                    Problem::FeeBelowEarlierTier {
                        fee: pair[1].fee,
                        earlier: pair[0].fee,
                    },
                ));
            }
        }
        if let Some(last) = tiers.last() {
            if late_fee < last.fee {
                return Err(Error::invalid(
                    "late_fee",
                    Problem::FeeBelowEarlierTier {
                        fee: late_fee,
                        earlier: last.fee,
                    },
                ));
            }
        }
        Ok(CancellationPolicy {
            tiers,
            late_fee,
            no_show_fee,
            deposit,
        })
    }

    /// The tiers, longest notice first.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }
    /// The fee for cancellations with less notice than every tier.
    pub fn late_fee(&self) -> Percent {
        self.late_fee
    }
    /// The fee when the client does not come.
    pub fn no_show_fee(&self) -> Percent {
        self.no_show_fee
    }
    /// The deposit required to confirm, if any.
    pub fn deposit(&self) -> Option<Share> {
        self.deposit
    }

    /// The deposit required to confirm a booking of `price`; zero when the
    /// policy asks for none.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when a fixed deposit is in another
    /// currency than the price.
    pub fn deposit_for(&self, price: Money) -> Result<Money, Error> {
        match self.deposit {
            Some(share) => share.of(price),
            None => Ok(Money::zero(price.currency())),
        }
    }

    /// Checks that fixed amounts are in `currency`.
    pub(crate) fn check_currency(&self, currency: Currency) -> Result<(), Error> {
        match self.deposit {
            Some(Share::Fixed(amount)) if amount.currency() != currency => {
                Err(Error::CurrencyMismatch {
                    expected: currency,
                    found: amount.currency(),
                })
            }
            _ => Ok(()),
        }
    }

    /// What a cancellation costs and returns (R21, R37): the fee kept, the
    /// refund and the rule that decided, for a booking of `price` starting
    /// at `start`, of which `paid` has been paid (approved, net of earlier
    /// refunds), cancelled `by` a party at `now`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when `paid` is not in the price's
    /// currency; [`Error::Invalid`] for `paid` when it is negative.
    pub fn settle_cancellation(
        &self,
        price: Money,
        paid: Money,
        by: Party,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Settlement, Error> {
        if by == Party::Business {
            return Settlement::new(Money::zero(price.currency()), paid, Rule::BusinessCancelled);
        }
        if now >= start {
            return self.settle_no_show(price, paid);
        }
        let notice = start - now;
        let tier = self
            .tiers
            .iter()
            .find(|t| notice >= TimeDelta::hours(i64::from(t.min_notice_hours)));
        let (fee, rule) = match tier {
            Some(t) => (
                t.fee,
                Rule::Tier {
                    min_notice_hours: t.min_notice_hours,
                    fee: t.fee,
                },
            ),
            None => (self.late_fee, Rule::Late { fee: self.late_fee }),
        };
        Settlement::new(price.percent(fee), paid, rule)
    }

    /// What a no-show costs and returns: the no-show fee of `price`, kept
    /// from `paid`.
    ///
    /// # Errors
    /// As [`CancellationPolicy::settle_cancellation`].
    pub fn settle_no_show(&self, price: Money, paid: Money) -> Result<Settlement, Error> {
        Settlement::new(
            price.percent(self.no_show_fee),
            paid,
            Rule::NoShow {
                fee: self.no_show_fee,
            },
        )
    }
}

impl Default for CancellationPolicy {
    fn default() -> CancellationPolicy {
        CancellationPolicy::free()
    }
}

/// Who acts on a booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// The client.
    Client,
    /// The business: the owner, a receptionist, the professional.
    Business,
}

impl Party {
    /// Reads a party written by its `Display`: `client` or `business`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `by` with [`Problem::UnknownValue`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::policy::Party;
    /// assert_eq!(Party::parse("business")?, Party::Business);
    /// assert_eq!(Party::parse("staff").unwrap_err().field(), Some("by"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Party, Error> {
        match text {
            "client" => Ok(Party::Client),
            "business" => Ok(Party::Business),
            other => Err(Error::invalid(
                "by",
                Problem::UnknownValue {
                    value: crate::error::clip(other),
                    expected: "client, business",
                },
            )),
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Party::Client => "client",
            Party::Business => "business",
        })
    }
}

/// The rule of a policy that decided a settlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The business cancelled: everything is refunded.
    BusinessCancelled,
    /// A tier applied.
    Tier {
        /// The tier's least notice, in hours.
        min_notice_hours: u32,
        /// The tier's fee.
        fee: Percent,
    },
    /// The cancellation came with less notice than every tier.
    Late {
        /// The policy's late fee.
        fee: Percent,
    },
    /// The client did not come, or cancelled at or after the start.
    NoShow {
        /// The policy's no-show fee.
        fee: Percent,
    },
}

impl Rule {
    /// The rule as written in APIs: `business_cancelled`, `tier`, `late` or
    /// `no_show`.
    pub fn code(&self) -> &'static str {
        match self {
            Rule::BusinessCancelled => "business_cancelled",
            Rule::Tier { .. } => "tier",
            Rule::Late { .. } => "late",
            Rule::NoShow { .. } => "no_show",
        }
    }

    /// The fee percent of the rule, if it has one.
    pub fn fee(&self) -> Option<Percent> {
        match self {
            Rule::BusinessCancelled => None,
            Rule::Tier { fee, .. } | Rule::Late { fee } | Rule::NoShow { fee } => Some(*fee),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::BusinessCancelled => f.write_str("cancelled by the business: full refund"),
            Rule::Tier {
                min_notice_hours,
                fee,
            } => write!(
                f,
                "cancelled at least {min_notice_hours} h before: fee {fee}"
            ),
            Rule::Late { fee } => write!(f, "cancelled late: fee {fee}"),
            Rule::NoShow { fee } => write!(f, "no-show: fee {fee}"),
        }
    }
}

/// The money side of a cancellation or no-show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Settlement {
    policy_fee: Money,
    fee: Money,
    refund: Money,
    rule: Rule,
}

impl Settlement {
    fn new(policy_fee: Money, paid: Money, rule: Rule) -> Result<Settlement, Error> {
        if paid.is_negative() {
            return Err(Error::invalid(
                "paid",
                Problem::Negative {
                    value: paid.amount().trunc().try_into().unwrap_or(i64::MIN),
                },
            ));
        }
        let fee = policy_fee.checked_min(paid)?;
        Ok(Settlement {
            policy_fee,
            fee,
            refund: paid.checked_sub(fee)?,
            rule,
        })
    }

    /// Rebuilds a settlement a store kept.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when the amounts are not all of one
    /// currency.
    pub fn restore(
        policy_fee: Money,
        fee: Money,
        refund: Money,
        rule: Rule,
    ) -> Result<Settlement, Error> {
        fee.checked_add(refund)?.checked_add(policy_fee)?;
        Ok(Settlement {
            policy_fee,
            fee,
            refund,
            rule,
        })
    }

    /// The fee the policy asks for.
    pub fn policy_fee(&self) -> Money {
        self.policy_fee
    }
    /// The fee kept from what was paid: at most what was paid.
    pub fn fee(&self) -> Money {
        self.fee
    }
    /// What goes back to the client: what was paid less the fee kept.
    pub fn refund(&self) -> Money {
        self.refund
    }
    /// The part of the policy's fee that the payments did not cover.
    pub fn uncovered(&self) -> Money {
        // Both amounts are in one currency by construction.
        self.policy_fee
            .checked_sub(self.fee)
            .unwrap_or(Money::zero(self.fee.currency()))
    }
    /// The rule that decided.
    pub fn rule(&self) -> Rule {
        self.rule
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> Percent {
        Percent::parse(s).unwrap()
    }
    fn brl(s: &str) -> Money {
        Money::parse(s, Currency::BRL).unwrap()
    }
    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn salon() -> CancellationPolicy {
        CancellationPolicy::new(
            [
                Tier::new(24, pct("50")).unwrap(),
                Tier::new(48, pct("0")).unwrap(),
            ],
            pct("100"),
            pct("80"),
            Some(Share::Percent(pct("30"))),
        )
        .unwrap()
    }
    const START: &str = "2026-03-10T15:00:00Z";

    #[test]
    fn cancel_with_48h_notice_is_free() {
        let s = salon()
            .settle_cancellation(
                brl("100"),
                brl("100"),
                Party::Client,
                at(START),
                at("2026-03-08T15:00:00Z"),
            )
            .unwrap();
        assert_eq!((s.fee(), s.refund()), (brl("0"), brl("100")));
        assert_eq!(
            s.rule(),
            Rule::Tier {
                min_notice_hours: 48,
                fee: pct("0")
            }
        );
    }

    #[test]
    fn cancel_within_48h_charges_half() {
        let s = salon()
            .settle_cancellation(
                brl("100"),
                brl("100"),
                Party::Client,
                at(START),
                at("2026-03-08T15:00:01Z"),
            )
            .unwrap();
        assert_eq!((s.fee(), s.refund()), (brl("50"), brl("50")));
    }

    #[test]
    fn cancel_within_24h_charges_the_late_fee() {
        let s = salon()
            .settle_cancellation(
                brl("100"),
                brl("100"),
                Party::Client,
                at(START),
                at("2026-03-10T14:00:00Z"),
            )
            .unwrap();
        assert_eq!(s.rule(), Rule::Late { fee: pct("100") });
        assert_eq!(s.refund(), brl("0"));
    }

    #[test]
    fn business_cancellation_refunds_everything() {
        let s = salon()
            .settle_cancellation(
                brl("100"),
                brl("100"),
                Party::Business,
                at(START),
                at("2026-03-10T14:59:00Z"),
            )
            .unwrap();
        assert_eq!((s.fee(), s.refund()), (brl("0"), brl("100")));
        assert_eq!(s.rule(), Rule::BusinessCancelled);
    }

    #[test]
    fn client_cancelling_after_the_start_is_a_no_show() {
        let s = salon()
            .settle_cancellation(brl("100"), brl("100"), Party::Client, at(START), at(START))
            .unwrap();
        assert_eq!(s.rule(), Rule::NoShow { fee: pct("80") });
        assert_eq!(s.refund(), brl("20"));
    }

    #[test]
    fn fee_kept_never_exceeds_what_was_paid() {
        // Deposit of 30 paid, late fee 100% of 100: keep 30, 70 uncovered.
        let s = salon()
            .settle_cancellation(
                brl("100"),
                brl("30"),
                Party::Client,
                at(START),
                at("2026-03-10T14:00:00Z"),
            )
            .unwrap();
        assert_eq!(
            (s.fee(), s.refund(), s.uncovered()),
            (brl("30"), brl("0"), brl("70"))
        );
    }

    #[test]
    fn deposit_is_a_share_of_the_price() {
        assert_eq!(salon().deposit_for(brl("85")).unwrap(), brl("25.50"));
        assert_eq!(
            CancellationPolicy::free().deposit_for(brl("85")).unwrap(),
            brl("0")
        );
    }

    #[test]
    fn tiers_whose_fee_falls_as_notice_shrinks_are_refused() {
        let err = CancellationPolicy::new(
            [
                Tier::new(48, pct("50")).unwrap(),
                Tier::new(24, pct("10")).unwrap(),
            ],
            pct("100"),
            pct("0"),
            None,
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("tiers[1].fee"));
        let err = CancellationPolicy::new(
            [Tier::new(24, pct("50")).unwrap()],
            pct("10"),
            pct("0"),
            None,
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("late_fee"));
        let err = CancellationPolicy::new(
            [
                Tier::new(24, pct("50")).unwrap(),
                Tier::new(24, pct("50")).unwrap(),
            ],
            pct("100"),
            pct("0"),
            None,
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("tiers[1].min_notice_hours"));
    }

    #[test]
    fn paid_in_another_currency_is_an_error() {
        let usd = Money::parse("10", Currency::parse("USD").unwrap()).unwrap();
        let err = salon()
            .settle_cancellation(
                brl("100"),
                usd,
                Party::Client,
                at(START),
                at("2026-03-01T00:00:00Z"),
            )
            .unwrap_err();
        assert_eq!(err.code(), "currency_mismatch");
    }
}

/// A policy as JSON, the shape hosts and bindings read and write:
/// `{"tiers": [{"min_notice_hours": 24, "fee_percent": "0"}],
/// "late_fee_percent": "50", "no_show_fee_percent": "100"}`, with an
/// optional `deposit_percent` or `deposit_amount` (not both). Percents and
/// amounts are decimal text (a whole number is read too, a float never).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyQuery {
    /// The tiers, any order.
    #[serde(default)]
    pub tiers: Vec<TierQuery>,
    /// The fee with less notice than every tier, a percent.
    #[serde(deserialize_with = "decimal_text")]
    pub late_fee_percent: String,
    /// The fee when the client does not come, a percent.
    #[serde(deserialize_with = "decimal_text")]
    pub no_show_fee_percent: String,
    /// A deposit asked to confirm a booking, as a percent of the price.
    #[serde(default, deserialize_with = "some_decimal_text")]
    pub deposit_percent: Option<String>,
    /// Or a fixed deposit, in the business's currency.
    #[serde(default, deserialize_with = "some_decimal_text")]
    pub deposit_amount: Option<String>,
}

/// One tier of a [`PolicyQuery`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierQuery {
    /// The least notice, in hours.
    pub min_notice_hours: u32,
    /// The fee, a percent.
    #[serde(deserialize_with = "decimal_text")]
    pub fee_percent: String,
}

impl PolicyQuery {
    /// Reads the shape from JSON text (the values are checked by
    /// [`PolicyQuery::to_policy`]).
    ///
    /// # Errors
    /// [`Error::MalformedJson`] naming the value that could not be read.
    pub fn from_json(text: &str) -> Result<PolicyQuery, Error> {
        crate::availability::read_json(text)
    }

    /// The policy, with fixed amounts in `currency`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field by its path (`tiers[1].fee_percent`,
    /// `deposit_amount`): a bad percent or amount, both deposits given, or a
    /// rule [`CancellationPolicy::new`] refuses.
    ///
    /// # Example
    /// ```
    /// use agendo_core::money::Currency;
    /// use agendo_core::policy::PolicyQuery;
    /// let query = PolicyQuery::from_json(r#"{"tiers": [{"min_notice_hours": 24, "fee_percent": 0}],
    ///     "late_fee_percent": "50", "no_show_fee_percent": "100"}"#)?;
    /// assert_eq!(query.to_policy(Currency::BRL)?.late_fee().to_string(), "50%");
    /// let bad = PolicyQuery { late_fee_percent: "150".into(), ..query };
    /// assert_eq!(bad.to_policy(Currency::BRL).unwrap_err().field(), Some("late_fee_percent"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn to_policy(&self, currency: Currency) -> Result<CancellationPolicy, Error> {
        let percent = |text: &str, field: &str| Percent::parse(text).map_err(|e| e.at(field));
        let tiers = self
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let fee = percent(&t.fee_percent, &format!("tiers[{i}].fee_percent"))?;
                Tier::new(t.min_notice_hours, fee)
                    .map_err(|e| e.at(format!("tiers[{i}].min_notice_hours")))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let deposit = match (&self.deposit_percent, &self.deposit_amount) {
            (None, None) => None,
            (Some(p), None) => Some(Share::Percent(percent(p, "deposit_percent")?)),
            (None, Some(a)) => Some(Share::Fixed(
                Money::parse(a, currency).map_err(|e| e.at("deposit_amount"))?,
            )),
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "deposit_amount",
                    Problem::UnknownValue {
                        value: "both".to_owned(),
                        expected: "either deposit_percent or deposit_amount",
                    },
                ))
            }
        };
        CancellationPolicy::new(
            tiers,
            percent(&self.late_fee_percent, "late_fee_percent")?,
            percent(&self.no_show_fee_percent, "no_show_fee_percent")?,
            deposit,
        )
    }
}

impl From<&CancellationPolicy> for PolicyQuery {
    fn from(policy: &CancellationPolicy) -> PolicyQuery {
        let (deposit_percent, deposit_amount) = match policy.deposit() {
            None => (None, None),
            Some(Share::Percent(p)) => (Some(p.value().to_string()), None),
            Some(Share::Fixed(m)) => (None, Some(m.amount().to_string())),
        };
        PolicyQuery {
            tiers: policy
                .tiers()
                .iter()
                .map(|t| TierQuery {
                    min_notice_hours: t.min_notice_hours(),
                    fee_percent: t.fee().value().to_string(),
                })
                .collect(),
            late_fee_percent: policy.late_fee().value().to_string(),
            no_show_fee_percent: policy.no_show_fee().value().to_string(),
            deposit_percent,
            deposit_amount,
        }
    }
}

/// Decimal text, or a whole JSON number read as text; a float is refused,
/// so no amount ever passes through binary floating point.
fn decimal_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Text {
        Text(String),
        Whole(i64),
    }
    match Text::deserialize(deserializer) {
        Ok(Text::Text(text)) => Ok(text),
        Ok(Text::Whole(n)) => Ok(n.to_string()),
        Err(_) => Err(serde::de::Error::custom(
            "expected decimal text such as \"12.50\" or a whole number",
        )),
    }
}

fn some_decimal_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "decimal_text")] String);
    Ok(Option::<Wrap>::deserialize(deserializer)?.map(|w| w.0))
}
