//! The worker: gathers the notices due into the message queue and sends
//! what is queued, round after round, until shut down.
//!
//! A round runs when the store says something was committed
//! ([`agendo_core::store::Store::version`], checked every
//! [`WATCH`]) or [`ROUND`] after the last one, whichever comes first, so a
//! booking's e-mail leaves within a fraction of a second and the reminders
//! at their minute. A round gathers for every business with something due
//! (`Agenda::gather`), then claims messages a batch at a time and sends up
//! to `AGENDO_WORKER_LANES` at once until none is due. Several workers,
//! in one process or many, on one database share the queue: a claim leases
//! each message to one of them.
//!
//! `agendo serve` runs one in the server's process unless
//! `AGENDO_RUN_WORKER=false`; `agendo worker` runs one alone.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use agendo_core::agenda::Links;
use agendo_core::booking::Booking;
use futures_util::stream::{self, StreamExt as _};
use rand::RngExt as _;

use crate::auth::Tokens;
use crate::channels::HostChannels;
use crate::state::AppState;

/// How often the worker looks at the store's version.
pub const WATCH: Duration = Duration::from_millis(100);
/// The longest time between two rounds.
pub const ROUND: Duration = Duration::from_secs(2);

/// The links of this host's messages: the manage link under
/// `AGENDO_PUBLIC_URL`, signed with its secret.
pub struct HostLinks<'t> {
    tokens: &'t Tokens,
    base: &'t str,
}

impl<'t> HostLinks<'t> {
    /// Links under `base`, signed by `tokens`.
    pub fn new(tokens: &'t Tokens, base: &'t str) -> HostLinks<'t> {
        HostLinks { tokens, base }
    }
}

impl Links for HostLinks<'_> {
    fn manage(&self, booking: &Booking) -> Option<String> {
        let token = self.tokens.manage_token_of(booking).ok()?;
        Some(format!("{}/manage/{token}", self.base))
    }
}

/// Runs rounds until `shutdown` completes; the round in progress ends
/// first.
pub async fn run(state: AppState, channels: Arc<HostChannels>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let store = Arc::clone(state.agenda.store());
    let mut seen = None;
    let mut last = tokio::time::Instant::now() - ROUND;
    tracing::info!(
        lanes = state.config.worker_lanes,
        email = channels.reach().email,
        "the worker is running"
    );
    loop {
        let version = store.version();
        if version != seen || last.elapsed() >= ROUND {
            seen = version;
            last = tokio::time::Instant::now();
            round(&state, &channels).await;
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(WATCH) => {}
        }
    }
    tracing::info!("the worker stopped");
}

/// One round: gather, then send until nothing is due.
pub async fn round(state: &AppState, channels: &HostChannels) {
    let now = state.now();
    let links = HostLinks::new(&state.tokens, &state.config.public_url);
    match state.agenda.businesses_to_gather(now).await {
        Ok(businesses) => {
            for business in businesses {
                if let Err(e) = state
                    .agenda
                    .gather(business, now, channels.reach(), &links)
                    .await
                {
                    tracing::warn!(%business, error = %e, "gathering messages failed");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "finding the businesses to gather failed"),
    }
    send_messages(state, channels).await;
    post_hooks(state, channels).await;
}

/// Claims and sends messages, `AGENDO_WORKER_LANES` at once, until none
/// is due.
async fn send_messages(state: &AppState, channels: &HostChannels) {
    let lanes = state.config.worker_lanes;
    let clock = || state.now();
    loop {
        let claimed = match state.agenda.claim_messages(state.now(), lanes * 4).await {
            Ok(claimed) if !claimed.is_empty() => claimed,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "claiming messages failed");
                return;
            }
        };
        stream::iter(claimed)
            .for_each_concurrent(lanes, |claimed| async move {
                let message = &claimed.message;
                match state
                    .agenda
                    .deliver(channels, &claimed, &clock, jitter())
                    .await
                {
                    Ok(outcome) => tracing::info!(
                        id = %message.id,
                        channel = %message.channel,
                        topic = %message.topic,
                        attempt = message.attempts,
                        outcome = ?outcome,
                        "message tried"
                    ),
                    Err(e) => tracing::warn!(id = %message.id, error = %e, "recording a message's outcome failed"),
                }
            })
            .await;
    }
}

/// Claims and posts webhook deliveries, as [`send_messages`] sends.
async fn post_hooks(state: &AppState, channels: &HostChannels) {
    let lanes = state.config.worker_lanes;
    let clock = || state.now();
    loop {
        let claimed = match state.agenda.claim_hooks(state.now(), lanes * 4).await {
            Ok(claimed) if !claimed.is_empty() => claimed,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "claiming webhook deliveries failed");
                return;
            }
        };
        stream::iter(claimed)
            .for_each_concurrent(lanes, |claimed| async move {
                let delivery = &claimed.delivery;
                match state
                    .agenda
                    .deliver_hook(channels, &claimed, &clock, jitter())
                    .await
                {
                    Ok(outcome) => tracing::info!(
                        id = %delivery.id,
                        endpoint = %delivery.endpoint,
                        event = %delivery.event_type,
                        attempt = delivery.attempts,
                        outcome = ?outcome,
                        "webhook posted"
                    ),
                    Err(e) => tracing::warn!(id = %delivery.id, error = %e, "recording a delivery's outcome failed"),
                }
            })
            .await;
    }
}

/// A point in the upper half of a retry's wait (thousandths).
fn jitter() -> u16 {
    rand::rng().random_range(0..=1000u16)
}
