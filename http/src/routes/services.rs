//! The services a business sells (R12): create, change, list, retire.

use agendo_core::agenda::ServiceFields;
use agendo_core::business::{Activity, Service};
use agendo_core::ids::{ResourceId, ServiceId};
use agendo_core::policy::PolicyQuery;
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{amount, context, found, keyed, read, MoneyOut, PageParams, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;
use agendo_core::page::{name_key, Page};
use axum::extract::OriginalUri;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, change, retire))
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceBody {
    /// The name.
    #[schema(example = "Corte feminino")]
    pub name: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// How long it takes, in minutes.
    #[schema(example = 45)]
    pub duration_minutes: u32,
    /// Its price in the business's currency, as decimal text.
    #[schema(example = "80.00")]
    pub price: String,
    /// Minutes kept free before it (preparing the room).
    #[serde(default)]
    pub buffer_before_minutes: u32,
    /// Minutes kept free after it (cleaning up).
    #[serde(default)]
    pub buffer_after_minutes: u32,
    /// The room or machine it needs, if one given one (`/v1/resources`).
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Or the kind of room it needs, any free one of which will do
    /// (`"sala de laser"`).
    #[serde(default)]
    pub resource_kind: Option<String>,
    /// Its own cancellation policy; the business's when left out.
    #[serde(default)]
    #[schema(value_type = Option<super::business::PolicyBody>)]
    pub policy: Option<PolicyQuery>,
}

/// A change to a service: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    /// The name.
    pub name: Option<String>,
    /// What it is.
    pub description: Option<String>,
    /// How long it takes, in minutes.
    pub duration_minutes: Option<u32>,
    /// Its price, as decimal text.
    pub price: Option<String>,
    /// Minutes kept free before it.
    pub buffer_before_minutes: Option<u32>,
    /// Minutes kept free after it.
    pub buffer_after_minutes: Option<u32>,
    /// Whether it takes new bookings.
    pub active: Option<bool>,
    /// The room or machine it needs; `null` for none.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub resource_id: Option<Option<String>>,
    /// The kind of room it needs; `null` for none.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub resource_kind: Option<Option<String>>,
    /// Its own cancellation policy; `null` follows the business's.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<super::business::PolicyBody>)]
    pub policy: Option<Option<PolicyQuery>>,
}

/// A service, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    /// Its id.
    pub id: String,
    /// The name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// How long it takes, in minutes.
    pub duration_minutes: u32,
    /// Its price.
    pub price: MoneyOut,
    /// Minutes kept free before it.
    pub buffer_before_minutes: u32,
    /// Minutes kept free after it.
    pub buffer_after_minutes: u32,
    /// Whether it takes new bookings.
    pub active: bool,
    /// The room or machine it needs, if a given one.
    pub resource_id: Option<String>,
    /// The kind of room it needs, if any of a kind.
    pub resource_kind: Option<String>,
    /// Its own cancellation policy; none follows the business's.
    pub policy: Option<super::business::PolicyOut>,
}

impl From<&Service> for ServiceOut {
    fn from(s: &Service) -> ServiceOut {
        ServiceOut {
            id: s.id().to_string(),
            name: s.name().to_owned(),
            description: s.description().to_owned(),
            duration_minutes: s.duration_minutes(),
            price: s.price().into(),
            buffer_before_minutes: s.buffers().before_minutes(),
            buffer_after_minutes: s.buffers().after_minutes(),
            active: s.activity() == Activity::Active,
            resource_id: s.resource().map(|r| r.to_string()),
            resource_kind: s.resource_kind().map(str::to_owned),
            policy: s.policy().map(Into::into),
        }
    }
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Service, Error> {
    let id: ServiceId = path_id(id, RecordKind::Service)?;
    let mut work = read(state, caller).await?;
    found(work.service(id).await?, RecordKind::Service, id)
}

fn resource_id(text: Option<&str>) -> Result<Option<ResourceId>, Error> {
    Ok(text
        .map(|t| ResourceId::parse(t).map_err(|e| e.at("resource_id")))
        .transpose()?)
}

impl ServiceBody {
    fn fields(&self) -> Result<ServiceFields, Error> {
        Ok(ServiceFields {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            duration_minutes: Some(self.duration_minutes),
            price: Some(amount(&self.price, "price")?),
            buffer_before_minutes: Some(self.buffer_before_minutes),
            buffer_after_minutes: Some(self.buffer_after_minutes),
            active: None,
            resource: Some(resource_id(self.resource_id.as_deref())?),
            resource_kind: Some(self.resource_kind.clone()),
            policy: Some(self.policy.clone()),
        })
    }
}

impl ServicePatch {
    fn fields(&self) -> Result<ServiceFields, Error> {
        Ok(ServiceFields {
            name: self.name.clone(),
            description: self.description.clone(),
            duration_minutes: self.duration_minutes,
            price: self
                .price
                .as_deref()
                .map(|p| amount(p, "price"))
                .transpose()?,
            buffer_before_minutes: self.buffer_before_minutes,
            buffer_after_minutes: self.buffer_after_minutes,
            active: self.active,
            resource: self
                .resource_id
                .as_ref()
                .map(|r| resource_id(r.as_deref()))
                .transpose()?,
            resource_kind: self.resource_kind.clone(),
            policy: self.policy.clone(),
        })
    }
}

/// The services, by name, retired ones included, a page at a time.
#[utoipa::path(get, path = "/v1/services", tag = "services",
    params(PageParams),
    responses((status = 200, description = "A page of services; the next page's cursor in `Agendo-Next-Cursor`", body = [ServiceOut],
        headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one")))),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(page): Query<PageParams>,
) -> Result<Paged<ServiceOut>, Error> {
    let request = page.of("services")?;
    let mut work = read(&state, &caller).await?;
    let services = work.services().await?;
    let page = Page::of(services, |s| name_key(s.name(), s.id()), &request);
    Ok(Paged(page.map(|s| ServiceOut::from(&s)), uri))
}

/// Creates a service (owner). With an `Idempotency-Key`, sending the same
/// request again answers the same service.
#[utoipa::path(post, path = "/v1/services", tag = "services",
    request_body = ServiceBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created", body = ServiceOut),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<ServiceBody>,
) -> Result<(StatusCode, axum::Json<ServiceOut>), Error> {
    let ctx = keyed(&state, &caller, key);
    let service = state.agenda.create_service(&ctx, &body.fields()?).await?;
    Ok((StatusCode::CREATED, axum::Json((&service).into())))
}

/// One service.
#[utoipa::path(get, path = "/v1/services/{id}", tag = "services",
    params(("id" = String, Path, description = "The service's id")),
    responses(
        (status = 200, description = "The service", body = ServiceOut),
        (status = 404, description = "No such service in this business", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ServiceOut>, Error> {
    Ok(axum::Json((&load(&state, &caller, &id).await?).into()))
}

/// Changes a service (owner); only the fields sent change, in one step
/// with reading it, so two changes of different fields both land.
/// Bookings made keep the price and duration they were made with.
#[utoipa::path(patch, path = "/v1/services/{id}", tag = "services",
    params(("id" = String, Path, description = "The service's id")),
    request_body = ServicePatch,
    responses(
        (status = 200, description = "The changed service", body = ServiceOut),
        (status = 404, description = "No such service", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(patch): Json<ServicePatch>,
) -> Result<axum::Json<ServiceOut>, Error> {
    let id: ServiceId = path_id(&id, RecordKind::Service)?;
    let service = state
        .agenda
        .change_service(&context(&state, &caller), id, &patch.fields()?)
        .await?;
    Ok(axum::Json((&service).into()))
}

/// Retires a service (owner): it takes no new bookings, and its bookings
/// and history stay.
#[utoipa::path(delete, path = "/v1/services/{id}", tag = "services",
    params(("id" = String, Path, description = "The service's id")),
    responses(
        (status = 200, description = "The retired service", body = ServiceOut),
        (status = 404, description = "No such service", body = Problem),
    ),
    security(("bearer" = [])))]
async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ServiceOut>, Error> {
    let id: ServiceId = path_id(&id, RecordKind::Service)?;
    let retired = ServiceFields::retired();
    let service = state
        .agenda
        .change_service(&context(&state, &caller), id, &retired)
        .await?;
    Ok(axum::Json((&service).into()))
}
