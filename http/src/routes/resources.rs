//! Rooms, chairs and machines a service may need (R16): create, change,
//! list, retire. A service needs one given resource or any free one of a
//! kind; a booking holds the professional and the room together.

use agendo_core::agenda::ResourceFields;
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Activity, Resource};
use agendo_core::ids::ResourceId;
use agendo_core::page::{name_key, Page};
use agendo_core::RecordKind;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{context, keyed, PageParams, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, change, retire))
}

/// A new resource.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceBody {
    /// The name.
    #[schema(example = "Sala 2")]
    pub name: String,
    /// Its kind: a service needing this kind takes any free one of it.
    #[serde(default)]
    #[schema(example = "sala de laser")]
    pub kind: String,
    /// How many bookings at once (1 if left out).
    #[serde(default)]
    pub capacity: Option<u32>,
    /// When it can be used; around the clock if left out.
    #[serde(default)]
    #[schema(value_type = Option<super::staff::HoursBody>)]
    pub hours: Option<HoursQuery>,
}

/// A change to a resource: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcePatch {
    /// The name.
    pub name: Option<String>,
    /// Its kind; empty for none.
    pub kind: Option<String>,
    /// How many bookings at once.
    pub capacity: Option<u32>,
    /// When it can be used.
    #[schema(value_type = Option<super::staff::HoursBody>)]
    pub hours: Option<HoursQuery>,
    /// Whether it takes new bookings.
    pub active: Option<bool>,
}

/// A resource, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceOut {
    /// Its id.
    pub id: String,
    /// The name.
    pub name: String,
    /// Its kind; empty when it has none.
    pub kind: String,
    /// How many bookings at once.
    pub capacity: u32,
    /// When it can be used.
    #[schema(value_type = super::staff::HoursBody)]
    pub hours: HoursQuery,
    /// Whether it takes new bookings.
    pub active: bool,
}

impl From<&Resource> for ResourceOut {
    fn from(r: &Resource) -> ResourceOut {
        ResourceOut {
            id: r.id().to_string(),
            name: r.name().to_owned(),
            kind: r.kind().to_owned(),
            capacity: r.capacity(),
            hours: HoursQuery::from(r.hours()),
            active: r.activity() == Activity::Active,
        }
    }
}

fn resource_id(id: &str) -> Result<ResourceId, Error> {
    path_id(id, RecordKind::Resource)
}

/// The resources, by name, retired ones included, a page at a time.
#[utoipa::path(get, path = "/v1/resources", tag = "resources",
    params(PageParams),
    responses((status = 200, description = "A page of resources", body = [ResourceOut],
        headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one")))),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(page): Query<PageParams>,
) -> Result<Paged<ResourceOut>, Error> {
    let request = page.of("resources")?;
    let resources = state.agenda.resources(&context(&state, &caller)).await?;
    let page = Page::of(resources, |r| name_key(r.name(), r.id()), &request);
    Ok(Paged(page.map(|r| ResourceOut::from(&r)), uri))
}

/// Adds a resource (owner). With an `Idempotency-Key`, a retry answers the
/// same resource.
#[utoipa::path(post, path = "/v1/resources", tag = "resources",
    request_body = ResourceBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Added", body = ResourceOut),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<ResourceBody>,
) -> Result<(StatusCode, axum::Json<ResourceOut>), Error> {
    let fields = ResourceFields {
        name: Some(body.name),
        kind: Some(body.kind),
        capacity: body.capacity,
        hours: body.hours,
        active: None,
    };
    let resource = state
        .agenda
        .create_resource(&keyed(&state, &caller, key), &fields)
        .await?;
    Ok((StatusCode::CREATED, axum::Json((&resource).into())))
}

/// One resource.
#[utoipa::path(get, path = "/v1/resources/{id}", tag = "resources",
    params(("id" = String, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "The resource", body = ResourceOut),
        (status = 404, description = "No such resource in this business", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ResourceOut>, Error> {
    let resource = state
        .agenda
        .resource(&context(&state, &caller), resource_id(&id)?)
        .await?;
    Ok(axum::Json((&resource).into()))
}

/// Changes a resource (owner); only the fields sent change.
#[utoipa::path(patch, path = "/v1/resources/{id}", tag = "resources",
    params(("id" = String, Path, description = "The resource's id")),
    request_body = ResourcePatch,
    responses(
        (status = 200, description = "The changed resource", body = ResourceOut),
        (status = 404, description = "No such resource", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(patch): Json<ResourcePatch>,
) -> Result<axum::Json<ResourceOut>, Error> {
    let fields = ResourceFields {
        name: patch.name,
        kind: patch.kind,
        capacity: patch.capacity,
        hours: patch.hours,
        active: patch.active,
    };
    let resource = state
        .agenda
        .change_resource(&context(&state, &caller), resource_id(&id)?, &fields)
        .await?;
    Ok(axum::Json((&resource).into()))
}

/// Retires a resource (owner): it takes no new bookings; its bookings
/// stay.
#[utoipa::path(delete, path = "/v1/resources/{id}", tag = "resources",
    params(("id" = String, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "The retired resource", body = ResourceOut),
        (status = 404, description = "No such resource", body = Problem),
    ),
    security(("bearer" = [])))]
async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ResourceOut>, Error> {
    let resource = state
        .agenda
        .change_resource(
            &context(&state, &caller),
            resource_id(&id)?,
            &ResourceFields::retired(),
        )
        .await?;
    Ok(axum::Json((&resource).into()))
}
