//! Outgoing webhooks (R46): the owner's endpoints, each delivery's log, and
//! replays. Every delivery is a POST of the event's JSON (its form in
//! `GET /v1/events`, with `delivery_id` and `business_id`) carrying
//! `Agendo-Signature: t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}`
//! under the endpoint's secret, `Agendo-Delivery` (the same on every try
//! and replay) and `Agendo-Event`. A receiver checks the signature and
//! refuses a `t` too far from its clock (a replayed request).

use agendo_core::agenda::EndpointFields;
use agendo_core::ids::{DeliveryId, EndpointId};
use agendo_core::message::MessageStatus;
use agendo_core::webhook::{Endpoint, HookDelivery};
use agendo_core::RecordKind;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{context, PageParams, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, change, remove))
        .routes(routes!(deliveries))
        .routes(routes!(replay))
}

/// A webhook endpoint, as sent (its secret only once, when made).
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointOut {
    /// Its id.
    pub id: String,
    /// Where deliveries are posted.
    pub url: String,
    /// The event types it gets; all when empty.
    pub events: Vec<String>,
    /// Whether deliveries go to it.
    pub active: bool,
    /// Why it was disabled (a 410 Gone), if it was.
    pub disabled_reason: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The signing secret: only in the answer that made the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<Endpoint> for EndpointOut {
    fn from(e: Endpoint) -> EndpointOut {
        EndpointOut {
            id: e.id.to_string(),
            url: e.url,
            events: e.events,
            active: e.active,
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
            secret: None,
        }
    }
}

/// An endpoint to make, or the fields of one to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    /// Where deliveries are posted: an `https://` (or `http://`) address
    /// on a public network.
    #[serde(default)]
    #[schema(example = "https://crm.example.com/agendo")]
    pub url: Option<String>,
    /// The event types it gets (`booking_created`, …); all when empty.
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// Whether deliveries go to it (`true` enables one a 410 disabled).
    #[serde(default)]
    pub active: Option<bool>,
}

impl EndpointBody {
    fn fields(self) -> EndpointFields {
        EndpointFields {
            url: self.url,
            events: self.events,
            active: self.active,
        }
    }
}

/// A delivery, as logged.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    /// Its id: the `Agendo-Delivery` header.
    pub id: String,
    /// The event's number in the outbox.
    pub event_number: u64,
    /// The event's type.
    pub event_type: String,
    /// `pending`, `sent` (delivered) or `dead`.
    pub status: String,
    /// How many times it was posted.
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<u16>,
    /// How long the last try took, in milliseconds.
    pub latency_ms: Option<u32>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it is posted (again), while pending.
    pub next_at: Option<DateTime<Utc>>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<HookDelivery> for DeliveryOut {
    fn from(d: HookDelivery) -> DeliveryOut {
        DeliveryOut {
            id: d.id.to_string(),
            event_number: d.event_number,
            event_type: d.event_type,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            last_status: d.last_status,
            latency_ms: d.latency_ms,
            last_error: d.last_error,
            next_at: (d.status == MessageStatus::Pending).then_some(d.next_at),
            created_at: d.created_at,
            sent_at: d.sent_at,
        }
    }
}

fn endpoint_id(id: &str) -> Result<EndpointId, Error> {
    path_id(id, RecordKind::Endpoint)
}

/// The business's webhook endpoints (owner).
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "The endpoints", body = [EndpointOut])),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<EndpointOut>>, Error> {
    let all = state.agenda.endpoints(&context(&state, &caller)).await?;
    Ok(axum::Json(all.into_iter().map(EndpointOut::from).collect()))
}

/// Makes an endpoint (owner); the answer carries its signing secret, shown
/// this once.
#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks",
    request_body = EndpointBody,
    responses(
        (status = 201, description = "Made, with its secret", body = EndpointOut),
        (status = 422, description = "A field is invalid, or the address internal", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<EndpointBody>,
) -> Result<(StatusCode, axum::Json<EndpointOut>), Error> {
    let (secret, sealed) = state.channels.endpoint_secret(caller.business)?;
    let allow = state.channels.allow_internal();
    let made = state
        .agenda
        .create_endpoint(&context(&state, &caller), &body.fields(), sealed, allow)
        .await?;
    let mut out = EndpointOut::from(made);
    out.secret = Some(secret);
    Ok((StatusCode::CREATED, axum::Json(out)))
}

/// One endpoint (owner).
#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = EndpointOut),
        (status = 404, description = "No such endpoint", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<EndpointOut>, Error> {
    let id = endpoint_id(&id)?;
    let endpoint = state.agenda.endpoint(&context(&state, &caller), id).await?;
    Ok(axum::Json(endpoint.into()))
}

/// Changes an endpoint's address, event types or state (owner).
#[utoipa::path(patch, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    request_body = EndpointBody,
    responses(
        (status = 200, description = "Changed", body = EndpointOut),
        (status = 404, description = "No such endpoint", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<EndpointBody>,
) -> Result<axum::Json<EndpointOut>, Error> {
    let id = endpoint_id(&id)?;
    let allow = state.channels.allow_internal();
    let endpoint = state
        .agenda
        .change_endpoint(&context(&state, &caller), id, &body.fields(), allow)
        .await?;
    Ok(axum::Json(endpoint.into()))
}

/// Removes an endpoint and its log (owner).
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such endpoint", body = Problem),
    ),
    security(("bearer" = [])))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    let id = endpoint_id(&id)?;
    state
        .agenda
        .remove_endpoint(&context(&state, &caller), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's deliveries, newest first, a page at a time (owner).
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id"), PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = [DeliveryOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 404, description = "No such endpoint", body = Problem),
    ),
    security(("bearer" = [])))]
async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Paged<DeliveryOut>, Error> {
    let id = endpoint_id(&id)?;
    let request = params.of("deliveries")?;
    let page = state
        .agenda
        .hook_deliveries(&context(&state, &caller), id, &request)
        .await?;
    Ok(Paged(page.map(DeliveryOut::from), uri))
}

/// Posts a delivery again, from zero attempts, whatever it came to
/// (owner).
#[utoipa::path(post, path = "/v1/webhooks/{id}/deliveries/{delivery_id}/replay", tag = "webhooks",
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("delivery_id" = String, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 200, description = "Queued again", body = DeliveryOut),
        (status = 404, description = "No such endpoint or delivery", body = Problem),
    ),
    security(("bearer" = [])))]
async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<axum::Json<DeliveryOut>, Error> {
    let id = endpoint_id(&id)?;
    let delivery: DeliveryId = path_id(&delivery, RecordKind::Delivery)?;
    let replayed = state
        .agenda
        .replay_hook(&context(&state, &caller), id, delivery)
        .await?;
    Ok(axum::Json(replayed.into()))
}
