//! A business's clients (R24) and their history (R25).

use std::collections::BTreeMap;

use agendo_core::agenda::ClientFields;
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
use super::{at, context, keyed};
use super::{PageParams, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;
use agendo_core::agenda::{ClientFilter, PaymentFilter};
use agendo_core::Error as CoreError;
use axum::extract::OriginalUri;

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
    /// Custom attributes each client must have, as a JSON object
    /// (`{"tipo_de_piscina":"fibra"}`); values compare with accents and
    /// case aside.
    #[param(example = r#"{"tipo_de_piscina":"fibra"}"#)]
    pub attributes: Option<String>,
    /// The next page's cursor, from `Agendo-Next-Cursor`.
    pub cursor: Option<String>,
    /// Clients per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl ClientSearch {
    fn filter(&self) -> Result<ClientFilter, Error> {
        let attributes: std::collections::BTreeMap<String, String> = match &self.attributes {
            None => Default::default(),
            Some(text) => serde_json::from_str(text).map_err(|e| {
                CoreError::invalid(
                    "attributes",
                    agendo_core::Problem::Unreadable {
                        detail: format!("expected a JSON object of texts: {e}"),
                    },
                )
            })?,
        };
        Ok(ClientFilter {
            query: self.q.clone().unwrap_or_default(),
            attributes,
            include_retired: self.include_inactive,
        })
    }
}

impl ClientBody {
    fn fields(&self) -> Result<ClientFields, Error> {
        Ok(ClientFields {
            name: Some(self.name.clone()),
            email: Some(Email::read_optional(self.email.as_deref()).map_err(|e| at(e, "email"))?),
            phone: Some(Phone::read_optional(self.phone.as_deref()).map_err(|e| at(e, "phone"))?),
            tax_id: Some(
                TaxId::read_optional(self.tax_id.as_deref()).map_err(|e| at(e, "tax_id"))?,
            ),
            notes: Some(self.notes.clone()),
            attributes: Some(self.attributes.clone()),
            active: None,
        })
    }
}

impl ClientPatch {
    fn fields(&self) -> Result<ClientFields, Error> {
        Ok(ClientFields {
            name: self.name.clone(),
            email: self
                .email
                .as_ref()
                .map(|e| Email::read_optional(e.as_deref()).map_err(|e| at(e, "email")))
                .transpose()?,
            phone: self
                .phone
                .as_ref()
                .map(|p| Phone::read_optional(p.as_deref()).map_err(|e| at(e, "phone")))
                .transpose()?,
            tax_id: self
                .tax_id
                .as_ref()
                .map(|t| TaxId::read_optional(t.as_deref()).map_err(|e| at(e, "tax_id")))
                .transpose()?,
            notes: self.notes.clone(),
            attributes: self.attributes.clone(),
            active: self.active,
        })
    }
}

fn client_id(id: &str) -> Result<ClientId, Error> {
    path_id(id, RecordKind::Client)
}

/// The clients whose name, e-mail or phone matches `q` (accents and case
/// ignored) and who have the `attributes` asked for (R24), active ones
/// unless `include_inactive`, by name, a page at a time.
#[utoipa::path(get, path = "/v1/clients", tag = "clients",
    params(ClientSearch),
    responses(
        (status = 200, description = "A page of the clients found", body = [ClientOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(search): Query<ClientSearch>,
) -> Result<Paged<ClientOut>, Error> {
    let request = super::page("clients", search.cursor.as_deref(), search.limit)?;
    let page = state
        .agenda
        .clients_page(&context(&state, &caller), &search.filter()?, &request)
        .await?;
    Ok(Paged(page.map(|c| ClientOut::from(&c)), uri))
}

/// Adds a client (owner, receptionist). With an `Idempotency-Key`, a retry
/// answers the same client.
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
    let ctx = keyed(&state, &caller, key);
    let client = state.agenda.create_client(&ctx, &body.fields()?).await?;
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
    let client = state
        .agenda
        .client(&context(&state, &caller), client_id(&id)?)
        .await?;
    Ok(axum::Json((&client).into()))
}

/// Changes a client (owner, receptionist); only the fields sent change,
/// `null` clears an e-mail, phone or tax id.
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
    let client = state
        .agenda
        .change_client(&context(&state, &caller), client_id(&id)?, &patch.fields()?)
        .await?;
    Ok(axum::Json((&client).into()))
}

/// Retires a client (owner, receptionist): they can no longer book, and
/// their history stays (R24).
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
    let retired = ClientFields::retired();
    let client = state
        .agenda
        .change_client(&context(&state, &caller), client_id(&id)?, &retired)
        .await?;
    Ok(axum::Json((&client).into()))
}

/// A client's bookings, by start (R25); a professional sees their own.
#[utoipa::path(get, path = "/v1/clients/{id}/bookings", tag = "clients",
    params(("id" = String, Path, description = "The client's id"), PageParams),
    responses(
        (status = 200, description = "A page of the client's bookings, by start", body = [BookingOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 404, description = "No such client", body = Problem),
    ),
    security(("bearer" = [])))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(page): Query<PageParams>,
) -> Result<Paged<BookingOut>, Error> {
    let request = page.of("bookings")?;
    let filter = BookingFilter {
        client: Some(client_id(&id)?),
        ..BookingFilter::default()
    };
    let page = state
        .agenda
        .bookings_page(&context(&state, &caller), &filter, &request)
        .await?;
    Ok(Paged(page.map(|b| BookingOut::from(&b)), uri))
}

/// A client's payments, by creation (R25).
#[utoipa::path(get, path = "/v1/clients/{id}/payments", tag = "clients",
    params(("id" = String, Path, description = "The client's id"), PageParams),
    responses(
        (status = 200, description = "A page of the client's payments, by creation", body = [PaymentOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 404, description = "No such client", body = Problem),
    ),
    security(("bearer" = [])))]
async fn payments(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(page): Query<PageParams>,
) -> Result<Paged<PaymentOut>, Error> {
    let request = page.of("payments")?;
    let filter = PaymentFilter {
        client: Some(client_id(&id)?),
        ..PaymentFilter::default()
    };
    let found = state
        .agenda
        .payments(&context(&state, &caller), &filter, &request)
        .await?;
    Ok(Paged(found.page.map(|p| PaymentOut::from(&p)), uri))
}
