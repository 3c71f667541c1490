//! Lists a page at a time (R23–R25, R36): bookings, clients filtered by
//! their custom attributes, payments filtered with their totals, and a
//! booking's history.
//!
//! Every list has a stable order by a key that never changes while the
//! record lives ([`crate::page`]): bookings by start, payments by when they
//! were recorded, clients by name as people sort it (case and accents
//! aside), each then by id.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::permission::actor_label;
use super::permission::{own_booking, Action, Actor, Grant};
use super::runner::authorize;
use super::{load_booking, load_business, load_client, load_professional, Agenda, Context};
use crate::booking::{Booking, Change, Who};
use crate::business::Client;
use crate::error::Error;
use crate::ids::{AccountId, BookingId, ClientId, ProfessionalId};
use crate::lang::Lang;
use crate::money::Money;
use crate::page::{name_key, time_key, Page, PageRequest};
use crate::payment::{Payment, PaymentMethod, PaymentStatus};
use crate::policy::Party;
use crate::store::{Access, BookingFilter};
use crate::time::shown;
use crate::time::Span;

/// The most custom attributes one client search names.
pub const MAX_SEARCHED_ATTRIBUTES: usize = 20;

/// Which clients to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientFilter {
    /// Text found in the name, e-mail or phone (accents and case aside);
    /// empty for all.
    pub query: String,
    /// Custom attributes each client must have with these values (case
    /// and accents aside): `{"pool_type": "fiberglass"}`.
    pub attributes: BTreeMap<String, String>,
    /// Whether retired clients are listed too.
    pub include_retired: bool,
}

/// Which payments to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    /// Only in this state.
    pub status: Option<PaymentStatus>,
    /// Only made this way.
    pub method: Option<PaymentMethod>,
    /// Only recorded in this span.
    pub during: Option<Span>,
    /// Only for bookings with this professional.
    pub professional: Option<ProfessionalId>,
    /// Only this client's.
    pub client: Option<ClientId>,
}

/// A page of payments and the totals of every payment the filter keeps
/// (not only the page's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payments {
    /// The page.
    pub page: Page<Payment>,
    /// How many payments the filter keeps.
    pub count: usize,
    /// Their amounts added up.
    pub amount: Money,
    /// What was refunded of them.
    pub refunded: Money,
    /// What the business holds of them: approved, less refunds.
    pub net: Money,
}

/// One line of a booking's history: what changed, when, and who did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryLine {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub change: Change,
    /// Who, when known.
    pub by: Option<Who>,
    /// The name of the account that acted, when one did and still exists.
    pub by_name: Option<String>,
}

impl HistoryLine {
    /// The line for a person reading `lang`, with local times in `zone`:
    /// "seg, 02/03 às 09:10: cancelado pelo cliente (mudou de cidade) —
    /// Ana Lima (recepção)".
    pub fn message(&self, lang: Lang, zone: chrono_tz::Tz) -> String {
        let at = |t: DateTime<Utc>| shown(t, zone, lang);
        let what = match &self.change {
            Change::Created => lang.pick("booked", "agendado").to_owned(),
            Change::Confirmed => lang.pick("confirmed", "confirmado").to_owned(),
            Change::Completed => lang.pick("completed", "realizado").to_owned(),
            Change::NoShow { .. } => lang.pick("no-show", "não compareceu").to_owned(),
            Change::Rescheduled { from, to } => format!(
                "{} {} → {}",
                lang.pick("moved", "remarcado"),
                at(from.start()),
                at(to.start())
            ),
            Change::Cancelled { by, reason, .. } => {
                let whom = match by {
                    Party::Client => lang.pick("cancelled by the client", "cancelado pelo cliente"),
                    Party::Business => lang.pick(
                        "cancelled by the business",
                        "cancelado pelo estabelecimento",
                    ),
                };
                if reason.is_empty() {
                    whom.to_owned()
                } else {
                    format!("{whom} ({reason})")
                }
            }
        };
        let who = self.by.as_ref().map(|w| {
            let role = actor_label(&w.actor, lang).to_owned();
            match &self.by_name {
                Some(name) => format!("{name} ({role})"),
                None => role,
            }
        });
        match who {
            Some(who) => format!("{}: {what} — {who}", at(self.at)),
            None => format!("{}: {what}", at(self.at)),
        }
    }
}

/// A booking's history, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// The booking.
    pub booking: Booking,
    /// What happened to it.
    pub lines: Vec<HistoryLine>,
    /// The business's zone, in which the lines show their times.
    pub zone: chrono_tz::Tz,
}

impl Agenda {
    /// A page of the bookings `filter` keeps, by start. A professional
    /// sees their own.
    ///
    /// # Errors
    /// As [`Agenda::bookings`].
    pub async fn bookings_page(
        &self,
        ctx: &Context,
        filter: &BookingFilter,
        page: &PageRequest,
    ) -> Result<Page<Booking>, Error> {
        let all = self.bookings(ctx, filter).await?;
        Ok(Page::of(
            all,
            |b| time_key(b.appointment().start(), b.id()),
            page,
        ))
    }

    /// A page of the clients `filter` keeps, by name (R24).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `attributes` past
    /// [`MAX_SEARCHED_ATTRIBUTES`]; [`Error::Forbidden`] for an actor who
    /// may not see clients.
    pub async fn clients_page(
        &self,
        ctx: &Context,
        filter: &ClientFilter,
        page: &PageRequest,
    ) -> Result<Page<Client>, Error> {
        if filter.attributes.len() > MAX_SEARCHED_ATTRIBUTES {
            return Err(Error::invalid(
                "attributes",
                crate::error::Problem::TooMany {
                    count: filter.attributes.len(),
                    max: MAX_SEARCHED_ATTRIBUTES,
                },
            ));
        }
        let kept: Vec<Client> = self
            .clients(ctx, &filter.query, filter.include_retired)
            .await?
            .into_iter()
            .filter(|c| has_attributes(c, &filter.attributes))
            .collect();
        Ok(Page::of(kept, |c| name_key(c.name(), c.id()), page))
    }

    /// A page of the payments `filter` keeps, by when they were recorded,
    /// with the totals of all of them (R36).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the professional or client named;
    /// [`Error::Forbidden`].
    pub async fn payments(
        &self,
        ctx: &Context,
        filter: &PaymentFilter,
        page: &PageRequest,
    ) -> Result<Payments, Error> {
        authorize(ctx, Action::ReadPayments)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let currency = load_business(&mut *work, ctx.business).await?.currency();
        if let Some(client) = filter.client {
            load_client(&mut *work, client).await?;
        }
        let theirs: Option<BTreeSet<BookingId>> = match filter.professional {
            Some(professional) => {
                load_professional(&mut *work, professional).await?;
                let bookings = work
                    .bookings(&BookingFilter {
                        professional: Some(professional),
                        ..BookingFilter::default()
                    })
                    .await?;
                Some(bookings.iter().map(Booking::id).collect())
            }
            None => None,
        };
        let kept: Vec<Payment> = work
            .payments()
            .await?
            .into_iter()
            .filter(|p| filter.status.is_none_or(|s| p.status() == s))
            .filter(|p| filter.method.is_none_or(|m| p.method() == m))
            .filter(|p| filter.client.is_none_or(|c| p.client() == c))
            .filter(|p| {
                filter
                    .during
                    .is_none_or(|d| d.start() <= p.created_at() && p.created_at() < d.end())
            })
            .filter(|p| match &theirs {
                Some(ids) => p.booking().is_some_and(|b| ids.contains(&b)),
                None => true,
            })
            .collect();
        let amount = Money::sum(currency, kept.iter().map(Payment::amount))?;
        let net = Money::sum(currency, kept.iter().map(Payment::net))?;
        let refunded = Money::sum(
            currency,
            kept.iter()
                .flat_map(|p| p.refunds().iter().map(|r| r.amount)),
        )?;
        let count = kept.len();
        Ok(Payments {
            page: Page::of(kept, |p| time_key(p.created_at(), p.id()), page),
            count,
            amount,
            refunded,
            net,
        })
    }

    /// A booking's history: each change, when, and who made it, with the
    /// account's name when one signed in.
    ///
    /// # Errors
    /// As [`Agenda::booking`].
    pub async fn booking_history(&self, ctx: &Context, id: BookingId) -> Result<History, Error> {
        let scope =
            authorize(ctx, Action::ReadBookings).or_else(|_| authorize(ctx, Action::Move))?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let zone = load_business(&mut *work, ctx.business).await?.zone();
        let booking = load_booking(&mut *work, id).await?;
        own_booking(ctx, scope, &booking)?;
        // Account names only for staff: a client's manage link sees roles.
        let names: BTreeMap<AccountId, String> = if scope == Grant::All
            && !matches!(ctx.actor, Actor::Client(_) | Actor::ManageLink(_))
        {
            work.accounts()
                .await?
                .into_iter()
                .map(|a| (a.id(), a.name().to_owned()))
                .collect()
        } else {
            BTreeMap::new()
        };
        let lines = booking
            .history()
            .iter()
            .map(|event| HistoryLine {
                at: event.at,
                change: event.change.clone(),
                by_name: event
                    .by
                    .as_ref()
                    .and_then(|w| w.account)
                    .and_then(|a| names.get(&a).cloned()),
                by: event.by.clone(),
            })
            .collect();
        Ok(History {
            booking,
            lines,
            zone,
        })
    }
}

fn has_attributes(client: &Client, wanted: &BTreeMap<String, String>) -> bool {
    wanted.iter().all(|(name, value)| {
        client
            .attributes()
            .get(name)
            .is_some_and(|v| crate::business::fold(v) == crate::business::fold(value))
    })
}
