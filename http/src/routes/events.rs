//! The business's events (what each command did), for integrations to
//! follow: `GET /v1/events?after=N` answers the events numbered after `N`,
//! oldest first. With `wait`, an empty answer is held up to that many
//! seconds until an event arrives (long polling), so a follower needs no
//! tight loop.
//!
//! Choices where the requirements are silent:
//! - A follower keeps the `next` of each answer and sends it as `after`;
//!   numbers never go back and never skip a committed event.
//! - `wait` is cut to `AGENDO_EVENTS_WAIT_SECONDS` (25 by default, under
//!   the proxies' usual 30), and the held request checks the outbox twice
//!   a second.

use std::time::Duration;

use agendo_core::agenda::EventRecord;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::context;
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::Query;
use crate::state::AppState;

/// How often a held request looks at the outbox again.
const POLL: Duration = Duration::from_millis(500);

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Which events to answer.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    /// Events numbered after this one (0, the default, from the first).
    #[serde(default)]
    pub after: u64,
    /// At most this many (1 to 500; 100 by default).
    pub limit: Option<usize>,
    /// Seconds to hold an empty answer until an event arrives (0 by
    /// default; the server holds it at most 25 seconds unless configured
    /// otherwise).
    #[serde(default)]
    pub wait: u64,
}

/// One event: its number, when, its `type` and its fields.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the shape only
pub struct EventOut {
    /// 1, 2, 3… per business, in commit order.
    number: u64,
    /// When the command ran.
    #[schema(example = "2026-03-02T12:00:00Z")]
    at: String,
    /// What happened: `booking_created`, `booking_cancelled`,
    /// `payment_approved`… with its fields (ids, the start, the amounts)
    /// beside it.
    #[schema(example = "booking_created")]
    r#type: String,
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsOut {
    /// The events, oldest first.
    #[schema(value_type = Vec<EventOut>)]
    pub events: Vec<EventRecord>,
    /// The `after` of the next request: the last event's number, or the
    /// `after` sent when there was none.
    pub next: u64,
}

/// The business's events after `after` (owner, receptionist).
#[utoipa::path(get, path = "/v1/events", tag = "events",
    params(EventsParams),
    responses(
        (status = 200, description = "The events after `after`, oldest first", body = EventsOut),
        (status = 403, description = "Your role does not follow events", body = Problem),
        (status = 422, description = "A parameter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<EventsParams>,
) -> Result<axum::Json<EventsOut>, Error> {
    let limit = params.limit.unwrap_or(100);
    let wait = Duration::from_secs(params.wait).min(state.config.events_wait);
    let deadline = tokio::time::Instant::now() + wait;
    let ctx = context(&state, &caller);
    loop {
        let events = state.agenda.events(&ctx, params.after, limit).await?;
        if !events.is_empty() || tokio::time::Instant::now() + POLL > deadline {
            let next = events.last().map_or(params.after, |e| e.number);
            return Ok(axum::Json(EventsOut { events, next }));
        }
        tokio::time::sleep(POLL).await;
    }
}
