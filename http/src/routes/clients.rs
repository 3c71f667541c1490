//! A business's clients (R24) and their history (R25).

use std::collections::BTreeMap;

use agendo_core::account::Role;
use agendo_core::business::{Activity, Client};
use agendo_core::contact::{Email, Phone, TaxId};
use agendo_core::ids::ClientId;
use agendo_core::store::BookingFilter;
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bookings::BookingOut;
use super::payments::PaymentOut;
use super::services::replayed;
use super::{at, context, read};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, change, remove))
        .routes(routes!(history))
        .routes(routes!(payments))
}

/// A client.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientBody {
    /// The name.
    #[schema(example = "Maria Souza")]
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone, Brazilian with area code or `+` and country code.
    #[serde(default)]
    #[schema(example = "(11) 98888-7777")]
    pub phone: Option<String>,
    /// CPF or CNPJ.
    #[serde(default)]
    pub tax_id: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// The business's own fields (pool type, skin type...).
    #[serde(default)]
    #[schema(example = json!({"skin_type": "III"}))]
    pub attributes: BTreeMap<String, String>,
}

/// A change to a client: only the fields sent change; `null` clears an
/// optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    /// The name.
    pub name: Option<String>,
    /// E-mail (`null` clears it).
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Phone (`null` clears it).
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// CPF or CNPJ (`null` clears it).
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub tax_id: Option<Option<String>>,
    /// Notes.
    pub notes: Option<String>,
    /// The whole set of custom attributes.
    pub attributes: Option<BTreeMap<String, String>>,
    /// Whether the client is active.
    pub active: Option<bool>,
}

/// A client, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientOut {
    /// Their id.
    pub id: String,
    /// The name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Phone, in E.164.
    pub phone: Option<String>,
    /// CPF or CNPJ.
    pub tax_id: Option<String>,
    /// Notes.
    pub notes: String,
    /// Custom attributes.
    pub attributes: BTreeMap<String, String>,
    /// Whether the client is active (soft delete).
    pub active: bool,
}

impl From<&Client> for ClientOut {
    fn from(c: &Client) -> ClientOut {
        ClientOut {
            id: c.id().to_string(),
            name: c.name().to_owned(),
            email: c.email().map(ToString::to_string),
            phone: c.phone().map(|p| p.as_str().to_owned()),
            tax_id: c.tax_id().map(|t| t.as_str().to_owned()),
            notes: c.notes().to_owned(),
            attributes: c.attributes().clone(),
            active: c.activity() == Activity::Active,
        }
    }
}

/// How to search clients.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientSearch {
    /// Text found in the name (accents and case ignored), e-mail or phone.
    pub q: Option<String>,
    /// Include removed clients too.
    #[serde(default)]
    pub include_inactive: bool,
}

/// Who may manage clients: the owner and the receptionist; a professional
/// reads them (to book).
const EDITORS: &[Role] = &[Role::Owner, Role::Receptionist];

/// Builds a client from its fields, naming a bad one.
pub fn build(id: ClientId, caller: &Caller, body: &ClientBody) -> Result<Client, Error> {
    let email = body
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(Email::parse)
        .transpose()
        .map_err(|e| at(e, "email"))?;
    let phone = body
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(Phone::parse)
        .transpose()
        .map_err(|e| at(e, "phone"))?;
    let tax_id = body
        .tax_id
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(TaxId::parse)
        .transpose()
        .map_err(|e| at(e, "tax_id"))?;
    let mut client = Client::new(id, caller.business, &body.name)?
        .with_email(email)
        .with_phone(phone)
        .with_tax_id(tax_id)
        .with_notes(&body.notes)?;
    for (name, value) in &body.attributes {
        client = client
            .with_attribute(name, value)
            .map_err(|e| at(e, &format!("attributes.{name}")))?;
    }
    Ok(client)
}

/// Loads a client of the caller's business.
pub async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Client, Error> {
    let id: ClientId = path_id(id, RecordKind::Client)?;
    let mut work = read(state, caller).await?;
    super::found(work.client(id).await?, RecordKind::Client, id)
}

/// The clients, by name: active ones unless asked, filtered by `q`.
#[utoipa::path(get, path = "/v1/clients", tag = "clients",
    params(ClientSearch),
    responses((status = 200, description = "The clients found", body = [ClientOut])),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(search): Query<ClientSearch>,
) -> Result<axum::Json<Vec<ClientOut>>, Error> {
    let mut work = read(&state, &caller).await?;
    let clients = work.clients().await?;
    Ok(axum::Json(
        clients
            .iter()
            .filter(|c| search.include_inactive || c.activity() == Activity::Active)
            .filter(|c| search.q.as_deref().is_none_or(|q| c.matches(q)))
            .map(ClientOut::from)
            .collect(),
    ))
}

/// Adds a client (owner, receptionist).
#[utoipa::path(post, path = "/v1/clients", tag = "clients",
    request_body = ClientBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Added", body = ClientOut),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<ClientBody>,
) -> Result<(StatusCode, axum::Json<ClientOut>), Error> {
    caller.require(EDITORS)?;
    let id = ClientId::from_uuid(super::new_id(&state, &caller, "client", "", key.as_ref()));
    let client = build(id, &caller, &body)?;
    if key.is_some() {
        let mut work = read(&state, &caller).await?;
        if let Some(existing) = work.client(id).await? {
            return replayed(existing, &client, key);
        }
    }
    state
        .agenda
        .save_client(&context(&state, &caller), &client)
        .await?;
    Ok((StatusCode::CREATED, axum::Json((&client).into())))
}

/// One client.
#[utoipa::path(get, path = "/v1/clients/{id}", tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client", body = ClientOut),
        (status = 404, description = "No such client in this business", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ClientOut>, Error> {
    Ok(axum::Json((&load(&state, &caller, &id).await?).into()))
}

/// Changes a client (owner, receptionist); only the fields sent change.
#[utoipa::path(patch, path = "/v1/clients/{id}", tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    request_body = ClientPatch,
    responses(
        (status = 200, description = "The changed client", body = ClientOut),
        (status = 404, description = "No such client", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(patch): Json<ClientPatch>,
) -> Result<axum::Json<ClientOut>, Error> {
    caller.require(EDITORS)?;
    let current = load(&state, &caller, &id).await?;
    let body = ClientBody {
        name: patch.name.unwrap_or_else(|| current.name().to_owned()),
        email: patch
            .email
            .unwrap_or_else(|| current.email().map(ToString::to_string)),
        phone: patch
            .phone
            .unwrap_or_else(|| current.phone().map(|p| p.as_str().to_owned())),
        tax_id: patch
            .tax_id
            .unwrap_or_else(|| current.tax_id().map(|t| t.as_str().to_owned())),
        notes: patch.notes.unwrap_or_else(|| current.notes().to_owned()),
        attributes: patch
            .attributes
            .unwrap_or_else(|| current.attributes().clone()),
    };
    let activity = match patch.active {
        Some(true) => Activity::Active,
        Some(false) => Activity::Retired,
        None => current.activity(),
    };
    let client = build(current.id(), &caller, &body)?.with_activity(activity);
    state
        .agenda
        .save_client(&context(&state, &caller), &client)
        .await?;
    Ok(axum::Json((&client).into()))
}

/// Removes a client (soft delete): they no longer book or show in lists,
/// and their bookings and payments stay.
#[utoipa::path(delete, path = "/v1/clients/{id}", tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The removed client", body = ClientOut),
        (status = 404, description = "No such client", body = Problem),
    ),
    security(("bearer" = [])))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ClientOut>, Error> {
    caller.require(EDITORS)?;
    let client = load(&state, &caller, &id)
        .await?
        .with_activity(Activity::Retired);
    state
        .agenda
        .save_client(&context(&state, &caller), &client)
        .await?;
    Ok(axum::Json((&client).into()))
}

/// A client's bookings, by start (R25).
#[utoipa::path(get, path = "/v1/clients/{id}/bookings", tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    responses(
        (status = 200, description = "Every booking of the client", body = [BookingOut]),
        (status = 404, description = "No such client", body = Problem),
    ),
    security(("bearer" = [])))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<BookingOut>>, Error> {
    let client = load(&state, &caller, &id).await?;
    let mut work = read(&state, &caller).await?;
    let filter = BookingFilter {
        client: Some(client.id()),
        ..BookingFilter::default()
    };
    let mut bookings = work.bookings(&filter).await?;
    if caller.role == Role::Professional {
        bookings.retain(|b| Some(b.professional()) == caller.professional);
    }
    Ok(axum::Json(bookings.iter().map(BookingOut::from).collect()))
}

/// A client's payments, by creation (R25).
#[utoipa::path(get, path = "/v1/clients/{id}/payments", tag = "clients",
    params(("id" = String, Path, description = "The client's id")),
    responses(
        (status = 200, description = "Every payment of the client", body = [PaymentOut]),
        (status = 404, description = "No such client", body = Problem),
    ),
    security(("bearer" = [])))]
async fn payments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<PaymentOut>>, Error> {
    caller.require(EDITORS)?;
    let client = load(&state, &caller, &id).await?;
    let mut work = read(&state, &caller).await?;
    let payments = work.payments_for_client(client.id()).await?;
    Ok(axum::Json(payments.iter().map(PaymentOut::from).collect()))
}
