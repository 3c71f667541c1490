//! Receivables (R38): what clients owe, one-off or monthly, pending, paid
//! or overdue as the business's local calendar turns.

use agendo_core::agenda::{Owed, ReceivableFilter, ReceivableRequest};
use agendo_core::ids::{BookingId, ClientId, ReceivableId};
use agendo_core::payment::ReceivableStatus;
use agendo_core::RecordKind;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{amount, at, context, date, keyed, MoneyOut, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(pay))
}

/// A receivable to make: one-off, or one a month for `months` months.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivableBody {
    /// Who owes.
    pub client_id: String,
    /// The booking it is for, if any (the same client's).
    #[serde(default)]
    pub booking_id: Option<String>,
    /// How much (each month's, when monthly), as decimal text.
    #[schema(example = "150.00")]
    pub amount: String,
    /// The (first) last day to pay, `YYYY-MM-DD` in the business's zone.
    #[schema(example = "2026-03-10")]
    pub due: String,
    /// What it is for.
    #[serde(default)]
    #[schema(example = "Mensalidade da piscina")]
    pub description: String,
    /// How many monthly receivables (1 to 36; 1, a one-off, if left out),
    /// each due on the first one's day of the month or the month's last
    /// day when shorter.
    #[serde(default)]
    pub months: Option<u32>,
}

/// A receivable, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivableOut {
    /// Its id.
    pub id: String,
    /// Who owes.
    pub client_id: String,
    /// The booking it is for, if any.
    pub booking_id: Option<String>,
    /// How much.
    pub amount: MoneyOut,
    /// The last day to pay, in the business's zone.
    pub due: NaiveDate,
    /// What it is for.
    pub description: String,
    /// `pending`, `paid` or `overdue`, now.
    pub status: String,
    /// When it becomes (or became) overdue, if unpaid.
    pub overdue_from: Option<DateTime<Utc>>,
    /// When it was paid, if it was.
    pub paid_at: Option<DateTime<Utc>>,
}

impl From<&Owed> for ReceivableOut {
    fn from(o: &Owed) -> ReceivableOut {
        let r = &o.receivable;
        ReceivableOut {
            id: r.id().to_string(),
            client_id: r.client().to_string(),
            booking_id: r.booking().map(|b| b.to_string()),
            amount: r.amount().into(),
            due: r.due(),
            description: r.description().to_owned(),
            status: o.status.as_str().to_owned(),
            overdue_from: o.overdue_from,
            paid_at: r.paid_at(),
        }
    }
}

/// Which receivables to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReceivableSearch {
    /// Only `pending`, `paid` or `overdue` ones, now.
    #[param(example = "overdue")]
    pub status: Option<String>,
    /// Only this client's.
    pub client_id: Option<String>,
    /// The next page's cursor, from `Agendo-Next-Cursor`.
    pub cursor: Option<String>,
    /// Receivables per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

fn receivable_id(id: &str) -> Result<ReceivableId, Error> {
    path_id(id, RecordKind::Receivable)
}

/// The receivables, by due date, a page at a time.
#[utoipa::path(get, path = "/v1/receivables", tag = "receivables",
    params(ReceivableSearch),
    responses(
        (status = 200, description = "A page of receivables", body = [ReceivableOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(search): Query<ReceivableSearch>,
) -> Result<Paged<ReceivableOut>, Error> {
    let request = super::page("receivables", search.cursor.as_deref(), search.limit)?;
    let filter = ReceivableFilter {
        status: search
            .status
            .as_deref()
            .map(ReceivableStatus::parse)
            .transpose()?,
        client: search
            .client_id
            .as_deref()
            .map(|c| ClientId::parse(c).map_err(|e| at(e, "client_id")))
            .transpose()?,
    };
    let page = state
        .agenda
        .receivables(&context(&state, &caller), &filter, &request)
        .await?;
    Ok(Paged(page.map(|o| ReceivableOut::from(&o)), uri))
}

/// Makes a receivable, or one a month (owner). With an `Idempotency-Key`,
/// a retry answers the same receivables.
#[utoipa::path(post, path = "/v1/receivables", tag = "receivables",
    request_body = ReceivableBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Made, by due date", body = [ReceivableOut]),
        (status = 404, description = "No such client or booking", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<ReceivableBody>,
) -> Result<(StatusCode, axum::Json<Vec<ReceivableOut>>), Error> {
    let request = ReceivableRequest {
        client: ClientId::parse(&body.client_id).map_err(|e| at(e, "client_id"))?,
        booking: body
            .booking_id
            .as_deref()
            .map(|b| BookingId::parse(b).map_err(|e| at(e, "booking_id")))
            .transpose()?,
        amount: amount(&body.amount, "amount")?,
        due: date(&body.due, "due")?,
        description: body.description,
        months: body.months.unwrap_or(1),
    };
    let made = state
        .agenda
        .create_receivables(&keyed(&state, &caller, key), &request)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(made.iter().map(ReceivableOut::from).collect()),
    ))
}

/// One receivable, as it stands now.
#[utoipa::path(get, path = "/v1/receivables/{id}", tag = "receivables",
    params(("id" = String, Path, description = "The receivable's id")),
    responses(
        (status = 200, description = "The receivable", body = ReceivableOut),
        (status = 404, description = "No such receivable", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ReceivableOut>, Error> {
    let owed = state
        .agenda
        .receivable(&context(&state, &caller), receivable_id(&id)?)
        .await?;
    Ok(axum::Json((&owed).into()))
}

/// Marks a receivable paid, now (owner).
#[utoipa::path(post, path = "/v1/receivables/{id}/pay", tag = "receivables",
    params(("id" = String, Path, description = "The receivable's id")),
    responses(
        (status = 200, description = "Paid", body = ReceivableOut),
        (status = 404, description = "No such receivable", body = Problem),
        (status = 409, description = "It was paid before", body = Problem),
    ),
    security(("bearer" = [])))]
async fn pay(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ReceivableOut>, Error> {
    let owed = state
        .agenda
        .pay_receivable(&context(&state, &caller), receivable_id(&id)?)
        .await?;
    Ok(axum::Json((&owed).into()))
}
