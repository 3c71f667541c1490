//! Commissions (R14): the business's rules and a professional's monthly
//! statement.
//!
//! The rules are the business's whole list, replaced at once (what an
//! owner edits is a table). A rule covers a professional, a service, or
//! one professional doing one service; the most specific wins
//! ([`crate::commission`]). The statement is a professional's completed
//! bookings starting in one month of the business's local calendar, each
//! with its line; a professional may read their own.

use chrono::{Datelike, NaiveDate, TimeDelta};

use super::command::Command;
use super::event::{Event, Journal};
use super::permission::{own_time, Action};
use super::runner::authorize;
use super::{load_business, load_professional, load_service, Agenda, Context, Discount};
use crate::booking::BookingStatus;
use crate::business::{Bookable, Business};
use crate::commission::{statement, CommissionRule, CommissionScope, Statement};
use crate::error::{Error, Problem};
use crate::ids::{ProfessionalId, ServiceId};
use crate::money::Share;
use crate::store::{Access, BookingFilter, Outcome, UnitOfWork};
use crate::time::{check_date, Span};

/// One commission rule as a caller writes it: whom it covers (a
/// professional, a service, or both) and the rate, a percent of the
/// booking's price or an amount in the business's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommissionFields {
    /// The professional it covers, if it names one.
    pub professional: Option<ProfessionalId>,
    /// The service it covers, if it names one.
    pub service: Option<ServiceId>,
    /// What the professional earns per booking.
    pub rate: Discount,
}

impl CommissionFields {
    /// The rule as the engine keeps it, in `business`'s currency.
    fn rule(&self, business: &Business) -> Result<CommissionRule, Error> {
        let scope = match (self.professional, self.service) {
            (Some(p), Some(s)) => CommissionScope::ProfessionalService(p, s),
            (Some(p), None) => CommissionScope::Professional(p),
            (None, Some(s)) => CommissionScope::Service(s),
            (None, None) => return Err(Error::invalid("service_id", Problem::Empty)),
        };
        let rate = match self.rate.share(business.currency()) {
            Ok(rate) => rate,
            Err(e) => return Err(e.at("rate.amount")),
        };
        Ok(CommissionRule { scope, rate })
    }

    /// The fields of a kept rule.
    pub fn of(rule: &CommissionRule) -> CommissionFields {
        let (professional, service) = match rule.scope {
            CommissionScope::ProfessionalService(p, s) => (Some(p), Some(s)),
            CommissionScope::Professional(p) => (Some(p), None),
            CommissionScope::Service(s) => (None, Some(s)),
        };
        CommissionFields {
            professional,
            service,
            rate: match rule.rate {
                Share::Percent(p) => Discount::Percent(p),
                Share::Fixed(m) => Discount::Amount(m.amount()),
            },
        }
    }
}

impl Agenda {
    /// Replaces the business's commission rules with `rules` (R14).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `commissions[i].…`: a rule that covers
    /// nobody, two rules for the same scope, a rate out of range;
    /// [`Error::NotFound`] for a professional or service named;
    /// [`Error::Forbidden`] but for the owner.
    pub async fn set_commissions(
        &self,
        ctx: &Context,
        rules: &[CommissionFields],
    ) -> Result<Vec<CommissionRule>, Error> {
        self.run(ctx, &Command::SetCommissions(rules.to_vec()))
            .await?;
        self.commissions(ctx).await
    }

    /// The business's commission rules.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for an actor who may not see them.
    pub async fn commissions(&self, ctx: &Context) -> Result<Vec<CommissionRule>, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        Ok(load_business(&mut *work, ctx.business)
            .await?
            .commissions()
            .to_vec())
    }

    /// The statement of `professional` for the month of `month` (any day
    /// of it) in the business's zone: each completed booking starting in
    /// it with the rule applied and the commission, and the totals.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the professional; [`Error::Forbidden`] for
    /// an actor who may not read it (a professional reads only their own).
    pub async fn statement(
        &self,
        ctx: &Context,
        professional: ProfessionalId,
        month: NaiveDate,
    ) -> Result<Statement, Error> {
        let scope = authorize(ctx, Action::ReadStatements)?;
        own_time(
            ctx,
            scope,
            Action::ReadStatements,
            Bookable::Professional(professional),
        )?;
        let month = check_date(month, "month")?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let business = load_business(&mut *work, ctx.business).await?;
        load_professional(&mut *work, professional).await?;
        // A local month lies within a day either side of its UTC month.
        let first = month.with_day(1).unwrap_or(month);
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let during = Span::new(
            (first - TimeDelta::days(1))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc(),
            (next + TimeDelta::days(1))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc(),
        )?;
        let filter = BookingFilter {
            during: Some(during),
            professional: Some(professional),
            statuses: vec![BookingStatus::Completed],
            ..BookingFilter::default()
        };
        let bookings = work.bookings(&filter).await?;
        statement(
            professional,
            first.year(),
            first.month(),
            business.zone(),
            business.currency(),
            business.commissions(),
            &bookings,
        )
    }
}

pub(super) async fn set(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &[CommissionFields],
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = work
        .business_for_update()
        .await?
        .ok_or_else(|| Error::NotFound {
            record: crate::RecordKind::Business,
            id: ctx.business.to_string(),
        })?;
    let mut rules: Vec<CommissionRule> = Vec::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        let at = |e: Error| e.under(&format!("commissions[{i}]"));
        if let Some(p) = field.professional {
            load_professional(work, p).await?;
        }
        if let Some(s) = field.service {
            load_service(work, s).await?;
        }
        let rule = field.rule(&current).map_err(at)?;
        if rules.iter().any(|r| r.scope == rule.scope) {
            return Err(at(Error::invalid(
                "service_id",
                Problem::Duplicate {
                    value: scope_text(&rule.scope),
                },
            )));
        }
        rules.push(rule);
    }
    let changed = current.with_commissions(rules)?;
    work.put_business(&changed).await?;
    journal.record(Event::CommissionsChanged);
    Ok(Outcome::Business)
}

fn scope_text(scope: &CommissionScope) -> String {
    match scope {
        CommissionScope::ProfessionalService(p, s) => format!("{p} + {s}"),
        CommissionScope::Professional(p) => p.to_string(),
        CommissionScope::Service(s) => s.to_string(),
    }
}
