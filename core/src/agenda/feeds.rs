//! Calendar feeds (R45): a professional's secret iCalendar address, made
//! again (rotated) by them or the business, and what the feed lists.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::permission::{own_time, Action};
use super::runner::authorize;
use super::{load_business, Agenda, Context};
use crate::business::Bookable;
use crate::error::{Error, RecordKind};
use crate::feed::{Feed, FeedEntry, FUTURE_DAYS, PAST_DAYS};
use crate::ids::{ClientId, ProfessionalId, ServiceId};
use crate::store::{Access, BookingFilter};
use crate::time::Span;

impl Agenda {
    /// Makes `key` (the hash of a new secret the host made) the
    /// professional's feed: the old address stops working. A professional
    /// rotates their own; the owner and the front desk anyone's.
    ///
    /// # Errors
    /// [`Error::Forbidden`]; [`Error::NotFound`] for the professional.
    pub async fn rotate_feed(
        &self,
        ctx: &Context,
        professional: ProfessionalId,
        key: &str,
    ) -> Result<(), Error> {
        let scope = authorize(ctx, Action::ReadBookings)?;
        own_time(
            ctx,
            scope,
            Action::ReadBookings,
            Bookable::Professional(professional),
        )?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if work.professional(professional).await?.is_none() {
            return Err(Error::NotFound {
                record: RecordKind::Professional,
                id: professional.to_string(),
            });
        }
        work.put_feed(professional, key).await?;
        work.commit().await
    }

    /// The feed `key` opens at `now`, if any: the professional's bookings
    /// from [`PAST_DAYS`] days ago to [`FUTURE_DAYS`] ahead, cancelled
    /// ones included, by start.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn feed(&self, key: &str, now: DateTime<Utc>) -> Result<Option<Feed>, Error> {
        let Some((business, professional)) = self.store.feed(key).await? else {
            return Ok(None);
        };
        let mut work = self.store.begin(business, Access::Read).await?;
        let shop = load_business(&mut *work, business).await?;
        let Some(who) = work.professional(professional).await? else {
            return Ok(None);
        };
        let during = Span::new(
            now - TimeDelta::days(PAST_DAYS),
            now + TimeDelta::days(FUTURE_DAYS),
        )
        .ok();
        let bookings = work
            .bookings(&BookingFilter {
                during,
                professional: Some(professional),
                ..BookingFilter::default()
            })
            .await?;
        let services: HashMap<ServiceId, String> = (work.services().await?.iter())
            .map(|s| (s.id(), s.name().to_owned()))
            .collect();
        let clients: HashMap<ClientId, String> = (work.clients().await?.iter())
            .map(|c| (c.id(), c.name().to_owned()))
            .collect();
        let entries = bookings
            .iter()
            .map(|b| {
                let service = services.get(&b.service()).map_or("", String::as_str);
                let client = clients.get(&b.client()).map_or("", String::as_str);
                FeedEntry::of(b, service, client, shop.locale())
            })
            .collect();
        Ok(Some(Feed {
            name: format!("{} · {}", who.name(), shop.name()),
            zone: shop.zone().name().to_owned(),
            entries,
        }))
    }
}
