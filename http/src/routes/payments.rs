//! Manual payments (R35): recorded by staff, approved or refused, and
//! refunded in part or whole (R37). An approved payment can confirm its
//! booking (R19).

use agendo_core::agenda::{PaymentFilter, PaymentRequest, PaymentState};
use agendo_core::ids::{BookingId, ClientId, PaymentId, ProfessionalId};
use agendo_core::payment::PaymentStatus;
use agendo_core::payment::{Payment, PaymentMethod};
use agendo_core::RecordKind;
use axum::extract::OriginalUri;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bookings::BookingOut;
use super::staff::period;
use super::{amount, at, context, keyed, MoneyOut, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, record))
        .routes(routes!(totals))
        .routes(routes!(get_one))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(refund))
}

/// A payment to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// Who pays.
    pub client_id: String,
    /// The booking it pays for, if any.
    #[serde(default)]
    pub booking_id: Option<String>,
    /// `cash`, `card`, `pix` or another method the engine knows.
    #[schema(example = "pix")]
    pub method: String,
    /// How much, in the business's currency, as decimal text.
    #[schema(example = "80.00")]
    pub amount: String,
    /// `approved` when the money is in hand (the default), `pending` when
    /// it is still to be seen (a PIX not yet in the statement).
    #[serde(default)]
    pub state: Option<String>,
}

/// A refund to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// How much, as decimal text; at most what is left of the payment.
    pub amount: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// One refund of a payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundOut {
    /// How much.
    pub amount: MoneyOut,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// A payment, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOut {
    /// Its id.
    pub id: String,
    /// Who paid.
    pub client_id: String,
    /// The booking it pays for.
    pub booking_id: Option<String>,
    /// How.
    pub method: String,
    /// How much.
    pub amount: MoneyOut,
    /// What is left after refunds.
    pub net: MoneyOut,
    /// `pending`, `approved` or `refused`.
    pub status: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it was approved or refused.
    pub decided_at: Option<DateTime<Utc>>,
    /// Its refunds.
    pub refunds: Vec<RefundOut>,
}

impl From<&Payment> for PaymentOut {
    fn from(p: &Payment) -> PaymentOut {
        PaymentOut {
            id: p.id().to_string(),
            client_id: p.client().to_string(),
            booking_id: p.booking().map(|b| b.to_string()),
            method: p.method().as_str().to_owned(),
            amount: p.amount().into(),
            net: p.net().into(),
            status: p.status().as_str().to_owned(),
            created_at: p.created_at(),
            decided_at: p.decided_at(),
            refunds: p
                .refunds()
                .iter()
                .map(|r| RefundOut {
                    amount: r.amount.into(),
                    at: r.at,
                    reason: r.reason.to_string(),
                })
                .collect(),
        }
    }
}

/// A payment, and its booking when the payment confirmed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaidOut {
    /// The payment.
    pub payment: PaymentOut,
    /// The booking, when the payment is for one.
    pub booking: Option<BookingOut>,
}

/// Which payments to list or add up.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PaymentSearch {
    /// Only in this state: `pending`, `approved`, `refused`,
    /// `partially_refunded`, `refunded`.
    #[param(example = "approved")]
    pub status: Option<String>,
    /// Only made this way: `cash`, `card`, `pix`, `other`.
    #[param(example = "pix")]
    pub method: Option<String>,
    /// Only recorded at or after this instant (RFC 3339).
    #[param(example = "2026-03-01T00:00:00-03:00")]
    pub from: Option<String>,
    /// Only recorded before this instant.
    #[param(example = "2026-04-01T00:00:00-03:00")]
    pub to: Option<String>,
    /// Only for bookings with this professional.
    pub staff_id: Option<String>,
    /// Only this client's.
    pub client_id: Option<String>,
    /// The next page's cursor, from `Agendo-Next-Cursor` (ignored by
    /// the totals).
    pub cursor: Option<String>,
    /// Payments per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PaymentSearch {
    fn filter(&self) -> Result<PaymentFilter, Error> {
        let during = period(self.from.as_deref(), self.to.as_deref())?;
        Ok(PaymentFilter {
            status: self
                .status
                .as_deref()
                .map(PaymentStatus::parse)
                .transpose()?,
            method: self
                .method
                .as_deref()
                .map(PaymentMethod::parse)
                .transpose()?,
            during,
            professional: self
                .staff_id
                .as_deref()
                .map(|p| ProfessionalId::parse(p).map_err(|e| at(e, "staff_id")))
                .transpose()?,
            client: self
                .client_id
                .as_deref()
                .map(|c| ClientId::parse(c).map_err(|e| at(e, "client_id")))
                .transpose()?,
        })
    }
}

/// The totals of the payments a search keeps.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentTotalsOut {
    /// How many.
    pub count: usize,
    /// Their amounts added up.
    pub amount: MoneyOut,
    /// What was refunded of them.
    pub refunded: MoneyOut,
    /// What the business holds of them: approved, less refunds.
    pub net: MoneyOut,
}

/// The payments that pass the filters, by when they were recorded, a page
/// at a time (R36).
#[utoipa::path(get, path = "/v1/payments", tag = "payments",
    params(PaymentSearch),
    responses(
        (status = 200, description = "A page of payments", body = [PaymentOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 404, description = "No such professional or client", body = Problem),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(search): Query<PaymentSearch>,
) -> Result<Paged<PaymentOut>, Error> {
    let request = super::page("payments", search.cursor.as_deref(), search.limit)?;
    let found = state
        .agenda
        .payments(&context(&state, &caller), &search.filter()?, &request)
        .await?;
    Ok(Paged(found.page.map(|p| PaymentOut::from(&p)), uri))
}

/// The totals of every payment that passes the filters: how many, their
/// amounts, refunds, and what the business holds.
#[utoipa::path(get, path = "/v1/payments/totals", tag = "payments",
    params(PaymentSearch),
    responses(
        (status = 200, description = "The totals", body = PaymentTotalsOut),
        (status = 404, description = "No such professional or client", body = Problem),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn totals(
    State(state): State<AppState>,
    caller: Caller,
    Query(search): Query<PaymentSearch>,
) -> Result<axum::Json<PaymentTotalsOut>, Error> {
    let request = super::page("payments", None, Some(1))?;
    let found = state
        .agenda
        .payments(&context(&state, &caller), &search.filter()?, &request)
        .await?;
    Ok(axum::Json(PaymentTotalsOut {
        count: found.count,
        amount: found.amount.into(),
        refunded: found.refunded.into(),
        net: found.net.into(),
    }))
}

fn payment_id(id: &str) -> Result<PaymentId, Error> {
    path_id(id, RecordKind::Payment)
}

/// Records a payment received by hand (R35).
#[utoipa::path(post, path = "/v1/payments", tag = "payments",
    request_body = PaymentBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Recorded", body = PaidOut),
        (status = 404, description = "No such client or booking", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<PaymentBody>,
) -> Result<(StatusCode, axum::Json<PaidOut>), Error> {
    let request = PaymentRequest {
        client: ClientId::parse(&body.client_id).map_err(|e| at(e, "client_id"))?,
        booking: body
            .booking_id
            .as_deref()
            .map(|id| BookingId::parse(id).map_err(|e| at(e, "booking_id")))
            .transpose()?,
        method: PaymentMethod::parse(&body.method).map_err(|e| at(e, "method"))?,
        amount: amount(&body.amount, "amount")?,
        state: body
            .state
            .as_deref()
            .map(|text| PaymentState::parse(text).map_err(|e| at(e, "state")))
            .transpose()?
            .unwrap_or(PaymentState::Approved),
    };
    let ctx = keyed(&state, &caller, key);
    let paid = state.agenda.record_payment(&ctx, &request).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PaidOut {
            payment: (&paid.payment).into(),
            booking: paid.booking.as_ref().map(BookingOut::from),
        }),
    ))
}

/// One payment.
#[utoipa::path(get, path = "/v1/payments/{id}", tag = "payments",
    params(("id" = String, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment", body = PaymentOut),
        (status = 404, description = "No such payment in this business", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<PaymentOut>, Error> {
    let payment = state
        .agenda
        .payment(&context(&state, &caller), payment_id(&id)?)
        .await?;
    Ok(axum::Json((&payment).into()))
}

/// Approves a pending payment; it may confirm its booking.
#[utoipa::path(post, path = "/v1/payments/{id}/approve", tag = "payments",
    params(("id" = String, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "Approved", body = PaidOut),
        (status = 404, description = "No such payment", body = Problem),
        (status = 409, description = "It is not pending", body = Problem),
    ),
    security(("bearer" = [])))]
async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<PaidOut>, Error> {
    let paid = state
        .agenda
        .approve_payment(&context(&state, &caller), payment_id(&id)?)
        .await?;
    Ok(axum::Json(PaidOut {
        payment: (&paid.payment).into(),
        booking: paid.booking.as_ref().map(BookingOut::from),
    }))
}

/// Refuses a pending payment.
#[utoipa::path(post, path = "/v1/payments/{id}/refuse", tag = "payments",
    params(("id" = String, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "Refused", body = PaymentOut),
        (status = 404, description = "No such payment", body = Problem),
        (status = 409, description = "It is not pending", body = Problem),
    ),
    security(("bearer" = [])))]
async fn refuse(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<PaymentOut>, Error> {
    let done = state
        .agenda
        .refuse_payment(&context(&state, &caller), payment_id(&id)?)
        .await?;
    Ok(axum::Json((&done).into()))
}

/// Records a refund of an approved payment, in part or whole (owner; R37).
#[utoipa::path(post, path = "/v1/payments/{id}/refund", tag = "payments",
    params(("id" = String, Path, description = "The payment's id")),
    request_body = RefundBody,
    responses(
        (status = 200, description = "Refunded", body = PaymentOut),
        (status = 404, description = "No such payment", body = Problem),
        (status = 409, description = "It is not approved, or the refund is more than is left", body = Problem),
    ),
    security(("bearer" = [])))]
async fn refund(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RefundBody>,
) -> Result<axum::Json<PaymentOut>, Error> {
    let done = state
        .agenda
        .refund(
            &context(&state, &caller),
            payment_id(&id)?,
            amount(&body.amount, "amount")?,
            &body.reason,
        )
        .await?;
    Ok(axum::Json((&done).into()))
}
