//! Receivables (R38): what a client owes, due on a date in the business's
//! zone, one-off (a package sold on credit) or monthly (the pool's monthly
//! fee), marked paid by hand; pending, paid or overdue as seen at `now`.
//!
//! Choices where the requirements are silent:
//! - A monthly receivable is made as one receivable per month, all at once
//!   (at most [`MAX_MONTHS`]), each due on the first one's day of the
//!   month, or the month's last day when it is shorter (31 January, then
//!   28 February, then 31 March). Each can be paid or listed on its own.
//! - A receivable is overdue from local midnight after its due date.
//! - Marking paid records when; the money itself is a payment recorded as
//!   any other.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::command::Command;
use super::event::{Event, Journal};
use super::permission::Action;
use super::runner::{authorize, reused};
use super::{load_booking, load_business, load_client, Agenda, Context};
use crate::error::{Error, Problem, RecordKind};
use crate::ids::{BookingId, ClientId, ReceivableId};
use crate::money::Money;
use crate::page::{Page, PageRequest};
use crate::payment::{Receivable, ReceivableStatus};
use crate::store::{Access, Outcome, UnitOfWork};
use crate::time::check_date;

/// The most months a monthly receivable is made for at once.
pub const MAX_MONTHS: u32 = 36;

/// A request to make a receivable, or a run of monthly ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivableRequest {
    /// Who owes.
    pub client: ClientId,
    /// The booking it is for, if any (of the same client).
    pub booking: Option<BookingId>,
    /// How much, in the business's currency (each month's, when monthly).
    pub amount: Decimal,
    /// The (first) last day to pay, in the business's zone.
    pub due: NaiveDate,
    /// What it is for.
    pub description: String,
    /// How many monthly receivables to make: 1 for a one-off, up to
    /// [`MAX_MONTHS`].
    pub months: u32,
}

/// A receivable and where it stands at the context's `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    /// The receivable.
    pub receivable: Receivable,
    /// Pending, paid or overdue at `now`.
    pub status: ReceivableStatus,
    /// The first instant it is overdue, if unpaid.
    pub overdue_from: Option<DateTime<Utc>>,
}

/// Which receivables to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceivableFilter {
    /// Only those in this state at `now`.
    pub status: Option<ReceivableStatus>,
    /// Only this client's.
    pub client: Option<ClientId>,
}

impl Agenda {
    /// Makes a receivable for a client, or `months` monthly ones (R38).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the client or booking; [`Error::Invalid`]
    /// for `amount` (not above zero, or more decimals than the currency),
    /// `booking_id` of another client, `months` outside 1 to
    /// [`MAX_MONTHS`], `description` too long; [`Error::Forbidden`] but for
    /// the owner.
    pub async fn create_receivables(
        &self,
        ctx: &Context,
        request: &ReceivableRequest,
    ) -> Result<Vec<Owed>, Error> {
        let outcome = self
            .run(ctx, &Command::CreateReceivable(request.clone()))
            .await?;
        self.owed_of(ctx, outcome).await
    }

    /// Marks a receivable paid at `ctx.now`.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::AlreadyPaid`]; [`Error::Forbidden`].
    pub async fn pay_receivable(&self, ctx: &Context, id: ReceivableId) -> Result<Owed, Error> {
        let outcome = self
            .run(ctx, &Command::PayReceivable { receivable: id })
            .await?;
        let mut owed = self.owed_of(ctx, outcome).await?;
        owed.pop().ok_or_else(|| reused(ctx))
    }

    /// A receivable and where it stands.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Forbidden`].
    pub async fn receivable(&self, ctx: &Context, id: ReceivableId) -> Result<Owed, Error> {
        authorize(ctx, Action::ReadPayments)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let business = load_business(&mut *work, ctx.business).await?;
        let receivable = load_receivable(&mut *work, id).await?;
        Ok(owed(receivable, business.zone(), ctx.now))
    }

    /// A page of the receivables `filter` keeps, by due date (then id).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the filter's client; [`Error::Forbidden`].
    pub async fn receivables(
        &self,
        ctx: &Context,
        filter: &ReceivableFilter,
        page: &PageRequest,
    ) -> Result<Page<Owed>, Error> {
        authorize(ctx, Action::ReadPayments)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let zone = load_business(&mut *work, ctx.business).await?.zone();
        if let Some(client) = filter.client {
            load_client(&mut *work, client).await?;
        }
        let kept: Vec<Owed> = work
            .receivables()
            .await?
            .into_iter()
            .filter(|r| filter.client.is_none_or(|c| r.client() == c))
            .map(|r| owed(r, zone, ctx.now))
            .filter(|o| filter.status.is_none_or(|s| o.status == s))
            .collect();
        Ok(Page::of(
            kept,
            |o| format!("{}|{}", o.receivable.due(), o.receivable.id()),
            page,
        ))
    }

    async fn owed_of(&self, ctx: &Context, outcome: Outcome) -> Result<Vec<Owed>, Error> {
        let Outcome::Receivables(ids) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let zone = load_business(&mut *work, ctx.business).await?.zone();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(owed(load_receivable(&mut *work, id).await?, zone, ctx.now));
        }
        Ok(out)
    }
}

fn owed(receivable: Receivable, zone: chrono_tz::Tz, now: DateTime<Utc>) -> Owed {
    Owed {
        status: receivable.status(zone, now),
        overdue_from: receivable
            .paid_at()
            .is_none()
            .then(|| receivable.overdue_from(zone))
            .flatten(),
        receivable,
    }
}

async fn load_receivable(work: &mut dyn UnitOfWork, id: ReceivableId) -> Result<Receivable, Error> {
    work.receivable(id).await?.ok_or_else(|| Error::NotFound {
        record: RecordKind::Receivable,
        id: id.to_string(),
    })
}

/// The due date of month `k` (from 0) of a run starting on `first`: the
/// same day of the month, or the month's last day when it is shorter.
fn month_due(first: NaiveDate, k: u32) -> Option<NaiveDate> {
    let start = first.with_day(1)?.checked_add_months(Months::new(k))?;
    let last = start.checked_add_months(Months::new(1))?.pred_opt()?.day();
    start.with_day(first.day().min(last))
}

pub(super) async fn create(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    request: &ReceivableRequest,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    if request.months == 0 || request.months > MAX_MONTHS {
        return Err(Error::invalid(
            "months",
            if request.months == 0 {
                Problem::BelowMinimum { value: 0, min: 1 }
            } else {
                Problem::AboveMaximum {
                    value: i64::from(request.months),
                    max: i64::from(MAX_MONTHS),
                }
            },
        ));
    }
    let business = load_business(work, ctx.business).await?;
    let amount = Money::new(request.amount, business.currency()).map_err(|e| e.at("amount"))?;
    load_client(work, request.client).await?;
    if let Some(booking) = request.booking {
        if load_booking(work, booking).await?.client() != request.client {
            return Err(Error::invalid("booking_id", Problem::OtherClient));
        }
    }
    let mut ids = Vec::with_capacity(request.months as usize);
    for k in 0..request.months {
        let due = month_due(request.due, k).unwrap_or(NaiveDate::MAX);
        let due = check_date(due, "due")?;
        let receivable = Receivable::new(
            ReceivableId::random(),
            ctx.business,
            request.client,
            request.booking,
            amount,
            due,
            &request.description,
        )?;
        work.put_receivable(&receivable).await?;
        journal.record(Event::ReceivableCreated {
            receivable: receivable.id(),
            client: request.client,
            amount: amount.amount().to_string(),
            due,
        });
        ids.push(receivable.id());
    }
    Ok(Outcome::Receivables(ids))
}

pub(super) async fn pay(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: ReceivableId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let paid = load_receivable(work, id).await?.pay(ctx.now)?;
    work.put_receivable(&paid).await?;
    journal.record(Event::ReceivablePaid { receivable: id });
    Ok(Outcome::Receivables(vec![id]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn monthly_dues_keep_the_day_or_the_months_last() {
        let dues: Vec<NaiveDate> = (0..4)
            .map(|k| month_due(date("2026-01-31"), k).unwrap())
            .collect();
        assert_eq!(
            dues,
            [
                date("2026-01-31"),
                date("2026-02-28"),
                date("2026-03-31"),
                date("2026-04-30")
            ]
        );
        assert_eq!(month_due(date("2027-12-15"), 2), Some(date("2028-02-15")));
        assert_eq!(month_due(date("2028-01-29"), 1), Some(date("2028-02-29")));
    }
}
