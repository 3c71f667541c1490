//! Commissions: what a professional earns from the bookings they performed
//! (R14).
//!
//! A business writes rules, each a percent of the booking's price or a fixed
//! amount, for a service, for a professional, or for one professional doing
//! one service. The most specific rule wins: professional and service, then
//! service, then professional; a booking no rule covers earns nothing. A
//! statement lists a professional's completed bookings whose appointment
//! starts in one month of the business's local calendar.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::booking::{Booking, BookingStatus};
use crate::error::{Error, Problem};
use crate::ids::{BookingId, ProfessionalId, ServiceId};
use crate::money::{Currency, Money, Share};

/// Whom a commission rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommissionScope {
    /// Every professional doing this service.
    Service(ServiceId),
    /// Every service this professional does.
    Professional(ProfessionalId),
    /// This professional doing this service.
    ProfessionalService(ProfessionalId, ServiceId),
}

impl CommissionScope {
    /// How specific the scope is: higher wins.
    fn rank(&self) -> u8 {
        match self {
            CommissionScope::ProfessionalService(..) => 3,
            CommissionScope::Service(_) => 2,
            CommissionScope::Professional(_) => 1,
        }
    }

    fn covers(&self, professional: ProfessionalId, service: ServiceId) -> bool {
        match *self {
            CommissionScope::Service(s) => s == service,
            CommissionScope::Professional(p) => p == professional,
            CommissionScope::ProfessionalService(p, s) => p == professional && s == service,
        }
    }
}

/// A commission rule: whom it covers and what they earn per booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommissionRule {
    /// Whom it covers.
    pub scope: CommissionScope,
    /// A percent of the booking's price, or a fixed amount (never more than
    /// the price).
    pub rate: Share,
}

impl CommissionRule {
    pub(crate) fn check_currency(&self, currency: Currency) -> Result<(), Error> {
        match self.rate {
            Share::Fixed(amount) if amount.currency() != currency => Err(Error::CurrencyMismatch {
                expected: currency,
                found: amount.currency(),
            }),
            _ => Ok(()),
        }
    }
}

/// The rule that applies to `professional` doing `service`, if any.
pub fn rule_for(
    rules: &[CommissionRule],
    professional: ProfessionalId,
    service: ServiceId,
) -> Option<&CommissionRule> {
    rules
        .iter()
        .filter(|r| r.scope.covers(professional, service))
        .max_by_key(|r| r.scope.rank())
}

/// One booking on a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    /// The booking.
    pub booking: BookingId,
    /// Its service.
    pub service: ServiceId,
    /// When it started.
    pub start: DateTime<Utc>,
    /// Its price.
    pub price: Money,
    /// The rule applied, if any.
    pub rule: Option<CommissionRule>,
    /// What the professional earns from it.
    pub commission: Money,
}

/// A professional's commissions for one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Whose.
    pub professional: ProfessionalId,
    /// The first day of the month, in the business's zone.
    pub month: NaiveDate,
    /// The completed bookings, by start.
    pub lines: Vec<StatementLine>,
    /// The prices added up.
    pub revenue: Money,
    /// The commissions added up.
    pub total: Money,
}

/// The statement of `professional` for the month of `year`-`month` in
/// `zone`, from `bookings` (any bookings; only the professional's completed
/// ones starting in that month count).
///
/// # Errors
/// - [`Error::Invalid`] for `month` when it is not 1 to 12;
/// - [`Error::CurrencyMismatch`] when a booking or a fixed rule is not in
///   `currency`.
///
/// # Example
/// ```
/// use agendo_core::commission::{statement, CommissionRule, CommissionScope};
/// use agendo_core::money::{Currency, Percent, Share};
/// use agendo_core::ids::ProfessionalId;
///
/// let ana = ProfessionalId::random();
/// let rules = [CommissionRule { scope: CommissionScope::Professional(ana), rate: Share::Percent(Percent::parse("40")?) }];
/// let march = statement(ana, 2026, 3, chrono_tz::America::Sao_Paulo, Currency::BRL, &rules, &[])?;
/// assert!(march.lines.is_empty() && march.total.is_zero());
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn statement(
    professional: ProfessionalId,
    year: i32,
    month: u32,
    zone: Tz,
    currency: Currency,
    rules: &[CommissionRule],
    bookings: &[Booking],
) -> Result<Statement, Error> {
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| {
        Error::invalid(
            "month",
            Problem::BadDate {
                value: format!("{year:04}-{month:02}"),
            },
        )
    })?;
    let mut lines = Vec::new();
    for booking in bookings {
        if booking.professional() != professional || booking.status() != BookingStatus::Completed {
            continue;
        }
        let start = booking.appointment().start();
        let local = start.with_timezone(&zone).date_naive();
        if (local.year(), local.month()) != (first.year(), first.month()) {
            continue;
        }
        let rule = rule_for(rules, professional, booking.service()).copied();
        let commission = match &rule {
            Some(rule) => rule.rate.of(booking.price())?,
            None => Money::zero(currency),
        };
        lines.push(StatementLine {
            booking: booking.id(),
            service: booking.service(),
            start,
            price: booking.price(),
            rule,
            commission,
        });
    }
    lines.sort_by_key(|l| (l.start, l.booking));
    Ok(Statement {
        professional,
        month: first,
        revenue: Money::sum(currency, lines.iter().map(|l| l.price))?,
        total: Money::sum(currency, lines.iter().map(|l| l.commission))?,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Percent;

    #[test]
    fn the_most_specific_rule_wins() {
        let (ana, bia) = (ProfessionalId::random(), ProfessionalId::random());
        let (cut, color) = (ServiceId::random(), ServiceId::random());
        let pct = |s: &str| Share::Percent(Percent::parse(s).unwrap());
        let rules = [
            CommissionRule {
                scope: CommissionScope::Professional(ana),
                rate: pct("30"),
            },
            CommissionRule {
                scope: CommissionScope::Service(color),
                rate: pct("20"),
            },
            CommissionRule {
                scope: CommissionScope::ProfessionalService(ana, color),
                rate: pct("50"),
            },
        ];
        assert_eq!(rule_for(&rules, ana, color).unwrap().rate, pct("50"));
        assert_eq!(rule_for(&rules, bia, color).unwrap().rate, pct("20"));
        assert_eq!(rule_for(&rules, ana, cut).unwrap().rate, pct("30"));
        assert!(rule_for(&rules, bia, cut).is_none());
    }

    #[test]
    fn a_month_that_does_not_exist_is_refused() {
        let err = statement(
            ProfessionalId::random(),
            2026,
            13,
            chrono_tz::UTC,
            Currency::BRL,
            &[],
            &[],
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("month"));
    }
}
