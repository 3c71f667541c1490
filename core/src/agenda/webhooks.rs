//! Webhook endpoints and their deliveries (R46): made and changed by the
//! owner, fed from the outbox when messages are gathered
//! ([`Agenda::gather`] queues a delivery for each event an active endpoint
//! wants), posted by the host's worker ([`Agenda::deliver_hook`]), listed
//! as a log and replayed by hand.

use chrono::{DateTime, Utc};

use super::permission::Action;
use super::runner::authorize;
use super::{load_business, Agenda, Context, EventRecord};
use crate::business::Business;
use crate::error::{Error, RecordKind};
use crate::ids::{DeliveryId, EndpointId};
use crate::message::{MessageStatus, Outcome};
use crate::page::{newest_key, Page, PageRequest};
use crate::store::{Access, UnitOfWork};
use crate::webhook::{
    hook_outcome, read_events, read_url, ClaimedHook, Endpoint, HookAnswer, HookDelivery, Hooks,
};

/// A change of an endpoint: the fields given change, the others stay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointFields {
    /// Its URL.
    pub url: Option<String>,
    /// The event types it wants (all when empty).
    pub events: Option<Vec<String>>,
    /// Whether it is active (an endpoint disabled by a 410 is enabled
    /// again this way).
    pub active: Option<bool>,
}

impl Agenda {
    /// Makes an endpoint with `fields` (the URL is required) and the
    /// signing secret the host sealed; internal addresses only when the
    /// host allows them (`allow_internal`).
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::Invalid`] for
    /// `url` or `events[i]`.
    pub async fn create_endpoint(
        &self,
        ctx: &Context,
        fields: &EndpointFields,
        sealed_secret: Vec<u8>,
        allow_internal: bool,
    ) -> Result<Endpoint, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let url = fields
            .url
            .as_deref()
            .ok_or_else(|| Error::invalid("url", crate::error::Problem::Required))?;
        let endpoint = Endpoint {
            id: EndpointId::random(),
            business: ctx.business,
            url: read_url(url, allow_internal)?,
            events: read_events(fields.events.as_deref().unwrap_or_default())?,
            sealed_secret,
            active: fields.active.unwrap_or(true),
            disabled_reason: None,
            created_at: ctx.now,
        };
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        work.put_endpoint(&endpoint).await?;
        work.commit().await?;
        Ok(endpoint)
    }

    /// Changes an endpoint; enabling it clears why it was disabled.
    ///
    /// # Errors
    /// As [`Agenda::create_endpoint`]; [`Error::NotFound`].
    pub async fn change_endpoint(
        &self,
        ctx: &Context,
        id: EndpointId,
        fields: &EndpointFields,
        allow_internal: bool,
    ) -> Result<Endpoint, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let mut endpoint = load_endpoint(&mut *work, id).await?;
        if let Some(url) = &fields.url {
            endpoint.url = read_url(url, allow_internal)?;
        }
        if let Some(events) = &fields.events {
            endpoint.events = read_events(events)?;
        }
        if let Some(active) = fields.active {
            endpoint.active = active;
            if active {
                endpoint.disabled_reason = None;
            }
        }
        work.put_endpoint(&endpoint).await?;
        work.commit().await?;
        Ok(endpoint)
    }

    /// Replaces an endpoint's sealed secret (the same secret, sealed
    /// again under a newer key).
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::NotFound`].
    pub async fn reseal_endpoint(
        &self,
        ctx: &Context,
        id: EndpointId,
        sealed_secret: Vec<u8>,
    ) -> Result<(), Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let mut endpoint = load_endpoint(&mut *work, id).await?;
        endpoint.sealed_secret = sealed_secret;
        work.put_endpoint(&endpoint).await?;
        work.commit().await
    }

    /// The business's endpoints, by creation.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner.
    pub async fn endpoints(&self, ctx: &Context) -> Result<Vec<Endpoint>, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.endpoints().await
    }

    /// One endpoint.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::NotFound`].
    pub async fn endpoint(&self, ctx: &Context, id: EndpointId) -> Result<Endpoint, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_endpoint(&mut *work, id).await
    }

    /// Removes an endpoint and its log.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::NotFound`].
    pub async fn remove_endpoint(&self, ctx: &Context, id: EndpointId) -> Result<(), Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if !work.delete_endpoint(id).await? {
            return Err(missing(id));
        }
        work.commit().await
    }

    /// A page of an endpoint's deliveries, newest first: status, the
    /// receiver's last answer, latency and attempts.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::NotFound`].
    pub async fn hook_deliveries(
        &self,
        ctx: &Context,
        id: EndpointId,
        page: &PageRequest,
    ) -> Result<Page<HookDelivery>, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_endpoint(&mut *work, id).await?;
        let deliveries = work.hook_deliveries(id).await?;
        Ok(Page::of(
            deliveries,
            |d| newest_key(d.created_at, d.id),
            page,
        ))
    }

    /// Posts a delivery again, from zero attempts, whatever it came to.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::NotFound`] for a
    /// delivery not of this endpoint.
    pub async fn replay_hook(
        &self,
        ctx: &Context,
        endpoint: EndpointId,
        id: DeliveryId,
    ) -> Result<HookDelivery, Error> {
        authorize(ctx, Action::ChangeBusiness)?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let not_found = || Error::NotFound {
            record: RecordKind::Delivery,
            id: id.to_string(),
        };
        match work.hook_delivery(id).await? {
            Some(d) if d.endpoint == endpoint => {}
            _ => return Err(not_found()),
        }
        work.replay_hook_delivery(id, ctx.now).await?;
        let replayed = work.hook_delivery(id).await?.ok_or_else(not_found)?;
        work.commit().await?;
        Ok(replayed)
    }

    /// Takes up to `limit` deliveries due at `now` to post, leased for
    /// [`super::LEASE`].
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn claim_hooks(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ClaimedHook>, Error> {
        self.store
            .claim_hook_deliveries(now, now + super::LEASE, limit)
            .await
    }

    /// Posts a claimed delivery through `hooks` and records the answer at
    /// `clock()`; a 410 disables the endpoint, a removed or disabled
    /// endpoint gets nothing (the delivery is dead).
    ///
    /// # Errors
    /// [`Error::Storage`] when the outcome cannot be recorded.
    pub async fn deliver_hook(
        &self,
        hooks: &dyn Hooks,
        claimed: &ClaimedHook,
        clock: &(dyn Fn() -> DateTime<Utc> + Sync),
        jitter: u16,
    ) -> Result<Outcome, Error> {
        let delivery = &claimed.delivery;
        let endpoint = {
            let mut work = self.store.begin(delivery.business, Access::Read).await?;
            work.endpoints()
                .await?
                .into_iter()
                .find(|e| e.id == delivery.endpoint)
        };
        let Some(endpoint) = endpoint.filter(|e| e.active) else {
            let outcome = Outcome::Dead {
                error: "the endpoint was removed or disabled".into(),
            };
            self.store
                .settle_hook_delivery(claimed, &outcome, None, 0)
                .await?;
            return Ok(outcome);
        };
        let answer = hooks.post(&endpoint, delivery).await;
        let (outcome, disable) = hook_outcome(&answer, delivery.attempts, clock(), jitter);
        let (status, millis) = match answer {
            HookAnswer::Status { status, millis } => (Some(status), millis),
            HookAnswer::Unreachable { millis, .. } => (None, millis),
        };
        if self
            .store
            .settle_hook_delivery(claimed, &outcome, status, millis)
            .await?
            && disable
        {
            let mut work = self.store.begin(delivery.business, Access::Write).await?;
            if let Some(mut gone) = work
                .endpoints()
                .await?
                .into_iter()
                .find(|e| e.id == endpoint.id)
            {
                gone.active = false;
                gone.disabled_reason = Some(format!(
                    "the receiver answered 410 Gone at {}",
                    clock().to_rfc3339()
                ));
                work.put_endpoint(&gone).await?;
                work.commit().await?;
            }
        }
        Ok(outcome)
    }
}

/// The deliveries of `events` to the `endpoints` that want them.
pub(super) fn deliveries(
    shop: &Business,
    endpoints: &[Endpoint],
    events: &[EventRecord],
    now: DateTime<Utc>,
) -> Vec<HookDelivery> {
    let mut out = Vec::new();
    for record in events {
        let kind = record.event.kind();
        for endpoint in endpoints.iter().filter(|e| e.wants(kind)) {
            let id = DeliveryId::of(endpoint.id, record.number);
            let mut payload = serde_json::to_value(record).unwrap_or_default();
            if let Some(fields) = payload.as_object_mut() {
                fields.insert("delivery_id".into(), id.to_string().into());
                fields.insert("business_id".into(), shop.id().to_string().into());
            }
            out.push(HookDelivery {
                id,
                business: shop.id(),
                endpoint: endpoint.id,
                event_number: record.number,
                event_type: kind.to_owned(),
                payload: payload.to_string(),
                status: MessageStatus::Pending,
                attempts: 0,
                next_at: now,
                last_error: None,
                last_status: None,
                latency_ms: None,
                created_at: now,
                sent_at: None,
            });
        }
    }
    out
}

fn missing(id: EndpointId) -> Error {
    Error::NotFound {
        record: RecordKind::Endpoint,
        id: id.to_string(),
    }
}

async fn load_endpoint(work: &mut dyn UnitOfWork, id: EndpointId) -> Result<Endpoint, Error> {
    work.endpoints()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| missing(id))
}
