//! Bookings (R18–R20, R23): made, listed for agenda views, and moved
//! through their life: confirm, cancel (with the policy's fee and refund),
//! reschedule, complete, no-show.

use agendo_core::agenda::{BookRequest, Discount, Ended, SeriesRequest};
use agendo_core::booking::Change;
use agendo_core::booking::{Booking, BookingStatus};
use agendo_core::ids::{BookingId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::Percent;
use agendo_core::policy::Settlement;
use agendo_core::recurrence::RecurrenceRule;
use agendo_core::store::BookingFilter;
use agendo_core::{Error as CoreError, RecordKind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::payments::PaymentOut;
use super::staff::period;
use super::{at, context, instant, keyed, MoneyOut, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;
use axum::extract::OriginalUri;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(history))
        .routes(routes!(book_series))
        .routes(routes!(confirm))
        .routes(routes!(cancel))
        .routes(routes!(quote))
        .routes(routes!(reschedule))
        .routes(routes!(complete))
        .routes(routes!(no_show))
}

/// A discount: a percent of the price or a fixed amount (R34).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountBody {
    /// A percent, as decimal text (`"10"`).
    pub percent: Option<String>,
    /// A fixed amount, as decimal text (`"5.00"`).
    pub amount: Option<String>,
}

/// A new booking.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    /// The service.
    pub service_id: String,
    /// The professional.
    pub staff_id: String,
    /// The client.
    pub client_id: String,
    /// When it starts, RFC 3339 with an offset: one of the slots of
    /// `/v1/availability`.
    #[schema(example = "2026-03-02T10:00:00-03:00")]
    pub start: String,
    /// A discount on the service's price.
    #[serde(default)]
    pub discount: Option<DiscountBody>,
}

/// Why a booking is cancelled.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// The reason, kept in the booking's history.
    #[serde(default)]
    pub reason: String,
    /// Cancel this booking and the following ones of its series.
    #[serde(default)]
    pub following: bool,
}

/// A new time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    /// The new start, RFC 3339 with an offset.
    pub start: String,
    /// Move this booking and the following ones of its series by as much,
    /// in the business's local time, all or none.
    #[serde(default)]
    pub following: bool,
}

/// A recurring series to book, all or none (R22).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesBody {
    /// The service.
    pub service_id: String,
    /// The professional.
    pub staff_id: String,
    /// The client.
    pub client_id: String,
    /// The first occurrence's local date and time in the business's zone,
    /// without an offset.
    #[schema(example = "2026-03-03T09:00:00")]
    pub first: String,
    /// How it repeats, as an RFC 5545 rule: `FREQ=WEEKLY` (or `DAILY`,
    /// `MONTHLY`), `INTERVAL`, `BYDAY` (`TU`, or `2TU` monthly), and
    /// `COUNT` or `UNTIL`; at most 731 occurrences.
    #[schema(example = "FREQ=WEEKLY;BYDAY=TU;COUNT=12")]
    pub rule: String,
    /// A discount on every occurrence.
    #[serde(default)]
    pub discount: Option<DiscountBody>,
}

/// One line of a booking's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryLineOut {
    /// When.
    pub at: DateTime<Utc>,
    /// What: `created`, `confirmed`, `completed`, `cancelled`, `no_show`
    /// or `rescheduled`.
    pub change: String,
    /// For a cancellation: `client` or `business`.
    pub cancelled_by: Option<String>,
    /// For a cancellation: why.
    pub reason: Option<String>,
    /// For a move: the start before.
    pub from: Option<DateTime<Utc>>,
    /// For a move: the start after.
    pub to: Option<DateTime<Utc>>,
    /// Who did it: `owner`, `receptionist`, `professional`, `client`,
    /// `manage_link`, `public` or `operator`; none when not recorded.
    pub by: Option<String>,
    /// The account that did it, when one signed in.
    pub by_account_id: Option<String>,
    /// That account's name.
    pub by_name: Option<String>,
    /// The line for a person, in the reader's language.
    pub text: String,
}

/// A booking with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryOut {
    /// The booking.
    pub booking: BookingOut,
    /// What happened to it, oldest first.
    pub history: Vec<HistoryLineOut>,
}

/// How a cancellation or no-show was settled.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementOut {
    /// What the business keeps.
    pub fee: MoneyOut,
    /// What is handed back to the client.
    pub refund: MoneyOut,
    /// The policy's rule that decided: `business_cancelled`, `tier`,
    /// `late` or `no_show`.
    pub rule: String,
    /// The fee percent of that rule, if it has one.
    pub fee_percent: Option<String>,
}

impl From<&Settlement> for SettlementOut {
    fn from(s: &Settlement) -> SettlementOut {
        SettlementOut {
            fee: s.fee().into(),
            refund: s.refund().into(),
            rule: s.rule().code().to_owned(),
            fee_percent: s.rule().fee().map(|p| p.value().to_string()),
        }
    }
}

/// What cancelling a booking now would settle, before anyone confirms.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteOut {
    /// The fee the policy asks for the notice given.
    pub policy_fee: MoneyOut,
    /// What the business would keep of what was paid.
    pub fee: MoneyOut,
    /// What would be handed back to the client.
    pub refund: MoneyOut,
    /// The part of the policy's fee that nothing paid covers.
    pub owed: MoneyOut,
    /// The policy's rule that decides: `business_cancelled`, `tier`,
    /// `late` or `no_show`.
    pub rule: String,
    /// The fee percent of that rule, if it has one.
    pub fee_percent: Option<String>,
}

impl From<&Settlement> for QuoteOut {
    fn from(s: &Settlement) -> QuoteOut {
        QuoteOut {
            policy_fee: s.policy_fee().into(),
            fee: s.fee().into(),
            refund: s.refund().into(),
            owed: s.uncovered().into(),
            rule: s.rule().code().to_owned(),
            fee_percent: s.rule().fee().map(|p| p.value().to_string()),
        }
    }
}

/// A booking, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingOut {
    /// Its id.
    pub id: String,
    /// The service.
    pub service_id: String,
    /// The professional.
    pub staff_id: String,
    /// The client.
    pub client_id: String,
    /// The room or machine it holds too, if any.
    pub resource_id: Option<String>,
    /// `pending`, `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    /// When the appointment starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// The time it holds, buffers included: from.
    pub held_start: DateTime<Utc>,
    /// The time it holds: to.
    pub held_end: DateTime<Utc>,
    /// The price, discounts applied.
    pub price: MoneyOut,
    /// The deposit asked to confirm it.
    pub deposit: MoneyOut,
    /// The recurring series it belongs to.
    pub series_id: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// How its cancellation or no-show was settled.
    pub settlement: Option<SettlementOut>,
}

impl From<&Booking> for BookingOut {
    fn from(b: &Booking) -> BookingOut {
        BookingOut {
            id: b.id().to_string(),
            service_id: b.service().to_string(),
            staff_id: b.professional().to_string(),
            client_id: b.client().to_string(),
            resource_id: b.resource().map(|r| r.to_string()),
            status: b.status().as_str().to_owned(),
            start: b.appointment().start(),
            end: b.appointment().end(),
            held_start: b.held().start(),
            held_end: b.held().end(),
            price: b.price().into(),
            deposit: b.deposit().into(),
            series_id: b.series().map(|s| s.to_string()),
            created_at: b.created_at(),
            settlement: b.settlement().map(SettlementOut::from),
        }
    }
}

/// A booking that ended, with its money side.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedOut {
    /// The booking, cancelled or no-show.
    pub booking: BookingOut,
    /// The fee kept and the refund (R21, R37).
    pub settlement: SettlementOut,
    /// The payments the refund was recorded on.
    pub refunded: Vec<PaymentOut>,
}

impl From<&Ended> for EndedOut {
    fn from(e: &Ended) -> EndedOut {
        EndedOut {
            booking: (&e.booking).into(),
            settlement: (&e.settlement).into(),
            refunded: e.refunded.iter().map(PaymentOut::from).collect(),
        }
    }
}

/// Which bookings to list, for day, week and month views.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BookingSearch {
    /// Bookings that end after this instant (RFC 3339).
    #[param(example = "2026-03-02T00:00:00-03:00")]
    pub from: Option<String>,
    /// Bookings that start before this instant.
    #[param(example = "2026-03-09T00:00:00-03:00")]
    pub to: Option<String>,
    /// One professional's.
    pub staff_id: Option<String>,
    /// One client's.
    pub client_id: Option<String>,
    /// In these statuses, comma-separated (`pending,confirmed`).
    #[param(example = "pending,confirmed")]
    pub status: Option<String>,
    /// The next page's cursor, from `Agendo-Next-Cursor`.
    pub cursor: Option<String>,
    /// Bookings per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

fn booking_id(id: &str) -> Result<BookingId, Error> {
    path_id(id, RecordKind::Booking)
}

/// Reads a discount: the engine puts an amount in the business's currency.
pub fn discount(body: Option<&DiscountBody>) -> Result<Option<Discount>, Error> {
    match body {
        None => Ok(None),
        Some(DiscountBody {
            percent: Some(p),
            amount: None,
        }) => Ok(Some(Discount::Percent(
            Percent::parse(p).map_err(|e| at(e, "discount.percent"))?,
        ))),
        Some(DiscountBody {
            percent: None,
            amount: Some(a),
        }) => Ok(Some(Discount::Amount(super::amount(a, "discount.amount")?))),
        Some(_) => Err(CoreError::invalid(
            "discount",
            agendo_core::Problem::UnknownValue {
                value: "both or neither".to_owned(),
                expected: "either percent or amount",
            },
        )
        .into()),
    }
}

/// Counts a booking refused for taken time.
pub fn count_refusal(state: &AppState, error: &CoreError) {
    if matches!(
        error,
        CoreError::SlotTaken { .. } | CoreError::Blocked { .. }
    ) {
        state.metrics.booking_conflict();
    }
}

/// The bookings that pass the filters, by start (R23). A professional
/// sees their own only.
#[utoipa::path(get, path = "/v1/bookings", tag = "bookings",
    params(BookingSearch),
    responses(
        (status = 200, description = "A page of the bookings, by start", body = [BookingOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(search): Query<BookingSearch>,
) -> Result<Paged<BookingOut>, Error> {
    let request = super::page("bookings", search.cursor.as_deref(), search.limit)?;
    let during = period(search.from.as_deref(), search.to.as_deref())?;
    let professional = search
        .staff_id
        .as_deref()
        .map(|id| ProfessionalId::parse(id).map_err(|e| at(e, "staff_id")))
        .transpose()?;
    let statuses = search
        .status
        .as_deref()
        .map(|list| {
            list.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| BookingStatus::parse(s.trim()).map_err(|e| at(e, "status")))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let filter = BookingFilter {
        during,
        professional,
        client: search
            .client_id
            .as_deref()
            .map(|id| ClientId::parse(id).map_err(|e| at(e, "client_id")))
            .transpose()?,
        statuses,
        series: None,
        ids: None,
    };
    let page = state
        .agenda
        .bookings_page(&context(&state, &caller), &filter, &request)
        .await?;
    Ok(Paged(page.map(|b| BookingOut::from(&b)), uri))
}

/// Books a slot (R18). The check and the write are one atomic step: of two
/// requests for one time, one gets 201 and the other 409 naming the
/// booking that holds it. With an `Idempotency-Key`, a retry answers the
/// same booking.
#[utoipa::path(post, path = "/v1/bookings", tag = "bookings",
    request_body = BookingBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Booked", body = BookingOut),
        (status = 404, description = "No such service, professional or client", body = Problem),
        (status = 409, description = "The time is taken, blocked or outside the hours", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<BookingBody>,
) -> Result<(StatusCode, axum::Json<BookingOut>), Error> {
    let professional = ProfessionalId::parse(&body.staff_id).map_err(|e| at(e, "staff_id"))?;
    let request = BookRequest {
        service: ServiceId::parse(&body.service_id).map_err(|e| at(e, "service_id"))?,
        professional,
        client: ClientId::parse(&body.client_id).map_err(|e| at(e, "client_id"))?,
        start: instant(&body.start, "start")?,
        discount: discount(body.discount.as_ref())?,
    };
    let ctx = keyed(&state, &caller, key);
    match state.agenda.book(&ctx, &request).await {
        Ok(booking) => {
            state.metrics.booking_created();
            Ok((StatusCode::CREATED, axum::Json((&booking).into())))
        }
        Err(error) => {
            count_refusal(&state, &error);
            Err(error.into())
        }
    }
}

/// One booking.
#[utoipa::path(get, path = "/v1/bookings/{id}", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking", body = BookingOut),
        (status = 404, description = "No such booking in this business", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<BookingOut>, Error> {
    let booking = state
        .agenda
        .booking(&context(&state, &caller), booking_id(&id)?)
        .await?;
    Ok(axum::Json((&booking).into()))
}

/// Confirms a pending booking (R19).
#[utoipa::path(post, path = "/v1/bookings/{id}/confirm", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "Confirmed", body = BookingOut),
        (status = 404, description = "No such booking", body = Problem),
        (status = 409, description = "Its state does not allow it, or its deposit is not paid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<BookingOut>, Error> {
    let done = state
        .agenda
        .confirm(&context(&state, &caller), booking_id(&id)?)
        .await?;
    Ok(axum::Json((&done).into()))
}

/// What cancelling the booking now would settle for the business (R20,
/// R21), exactly as cancelling would; nothing changes.
#[utoipa::path(get, path = "/v1/bookings/{id}/cancellation", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The settlement cancelling now would make", body = QuoteOut),
        (status = 404, description = "No such booking", body = Problem),
        (status = 409, description = "Its state does not allow cancelling", body = Problem),
    ),
    security(("bearer" = [])))]
async fn quote(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<QuoteOut>, Error> {
    let settlement = state
        .agenda
        .cancellation_quote(&context(&state, &caller), booking_id(&id)?)
        .await?;
    Ok(axum::Json((&settlement).into()))
}

/// Cancels a booking for the business (R20, R21): the answer has the
/// policy's fee and refund, recorded on the booking's payments.
#[utoipa::path(post, path = "/v1/bookings/{id}/cancel", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    request_body = CancelBody,
    responses(
        (status = 200, description = "Cancelled, with the settlement (the first when following ones were cancelled too)", body = EndedOut),
        (status = 404, description = "No such booking", body = Problem),
        (status = 409, description = "Its state does not allow it", body = Problem),
    ),
    security(("bearer" = [])))]
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CancelBody>,
) -> Result<axum::Json<EndedOut>, Error> {
    let booking = booking_id(&id)?;
    let ctx = context(&state, &caller);
    let ended = if body.following {
        let all = state
            .agenda
            .cancel_following(&ctx, booking, &body.reason)
            .await?;
        all.into_iter().next().ok_or_else(|| Error::Internal {
            detail: "cancelling a series ended nothing".to_owned(),
        })?
    } else {
        state.agenda.cancel(&ctx, booking, &body.reason).await?
    };
    Ok(axum::Json((&ended).into()))
}

/// A booking's history: who did what, when (owner, receptionist, the
/// booking's professional).
#[utoipa::path(get, path = "/v1/bookings/{id}/history", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking and its history", body = HistoryOut),
        (status = 404, description = "No such booking", body = Problem),
    ),
    security(("bearer" = [])))]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    lang: crate::context::Reader,
    Path(id): Path<String>,
) -> Result<axum::Json<HistoryOut>, Error> {
    let history = state
        .agenda
        .booking_history(&context(&state, &caller), booking_id(&id)?)
        .await?;
    let lines = history
        .lines
        .iter()
        .map(|line| {
            let (cancelled_by, reason, from, to) = match &line.change {
                Change::Cancelled { by, reason, .. } => {
                    (Some(by.to_string()), Some(reason.to_string()), None, None)
                }
                Change::Rescheduled { from, to } => {
                    (None, None, Some(from.start()), Some(to.start()))
                }
                _ => (None, None, None, None),
            };
            HistoryLineOut {
                at: line.at,
                change: line.change.code().to_owned(),
                cancelled_by,
                reason,
                from,
                to,
                by: line.by.as_ref().map(|w| w.actor.to_string()),
                by_account_id: line
                    .by
                    .as_ref()
                    .and_then(|w| w.account)
                    .map(|a| a.to_string()),
                by_name: line.by_name.clone(),
                text: line.message(lang.0, history.zone),
            }
        })
        .collect();
    Ok(axum::Json(HistoryOut {
        booking: (&history.booking).into(),
        history: lines,
    }))
}

/// Books a recurring series (R22): every occurrence or none. When some
/// cannot be booked, the 409 lists each (`context.clashes`: its position,
/// start, why, and the next free starts that week).
#[utoipa::path(post, path = "/v1/series", tag = "bookings",
    request_body = SeriesBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Booked, every occurrence by start", body = [BookingOut]),
        (status = 404, description = "No such service, professional or client", body = Problem),
        (status = 409, description = "Some occurrences cannot be booked; none was", body = Problem),
        (status = 422, description = "A field is invalid (the rule, too many occurrences)", body = Problem),
    ),
    security(("bearer" = [])))]
async fn book_series(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<SeriesBody>,
) -> Result<(StatusCode, axum::Json<Vec<BookingOut>>), Error> {
    let request = SeriesRequest {
        service: ServiceId::parse(&body.service_id).map_err(|e| at(e, "service_id"))?,
        professional: ProfessionalId::parse(&body.staff_id).map_err(|e| at(e, "staff_id"))?,
        client: ClientId::parse(&body.client_id).map_err(|e| at(e, "client_id"))?,
        first: agendo_core::time::read_local(&body.first, "first")?,
        rule: RecurrenceRule::parse(&body.rule).map_err(|e| at(e, "rule"))?,
        discount: discount(body.discount.as_ref())?,
    };
    let series = state
        .agenda
        .book_series(&keyed(&state, &caller, key), &request)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(series.iter().map(BookingOut::from).collect()),
    ))
}

/// Moves a booking to a new start (R20), checked like a new booking.
#[utoipa::path(post, path = "/v1/bookings/{id}/reschedule", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    request_body = RescheduleBody,
    responses(
        (status = 200, description = "Moved (the first, when following ones moved too)", body = BookingOut),
        (status = 404, description = "No such booking", body = Problem),
        (status = 409, description = "The new time is taken, or its state does not allow it", body = Problem),
    ),
    security(("bearer" = [])))]
async fn reschedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<RescheduleBody>,
) -> Result<axum::Json<BookingOut>, Error> {
    let start = instant(&body.start, "start")?;
    let (ctx, booking) = (context(&state, &caller), booking_id(&id)?);
    let moved = if body.following {
        // The booking moved first: the series' moves are by start, from it.
        state
            .agenda
            .reschedule_following(&ctx, booking, start)
            .await
            .and_then(|all| {
                all.into_iter()
                    .next()
                    .ok_or(CoreError::NotInSeries { booking })
            })
    } else {
        state.agenda.reschedule(&ctx, booking, start).await
    };
    match moved {
        Ok(done) => Ok(axum::Json((&done).into())),
        Err(error) => {
            count_refusal(&state, &error);
            Err(error.into())
        }
    }
}

/// Marks a booking done, once it has started (R19).
#[utoipa::path(post, path = "/v1/bookings/{id}/complete", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "Completed", body = BookingOut),
        (status = 404, description = "No such booking", body = Problem),
        (status = 409, description = "It has not started, or its state does not allow it", body = Problem),
    ),
    security(("bearer" = [])))]
async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<BookingOut>, Error> {
    let done = state
        .agenda
        .complete(&context(&state, &caller), booking_id(&id)?)
        .await?;
    Ok(axum::Json((&done).into()))
}

/// Marks that the client did not come (R19, R21): the no-show fee applies.
#[utoipa::path(post, path = "/v1/bookings/{id}/no-show", tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "Marked, with the settlement", body = EndedOut),
        (status = 404, description = "No such booking", body = Problem),
        (status = 409, description = "It has not started, or its state does not allow it", body = Problem),
    ),
    security(("bearer" = [])))]
async fn no_show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<EndedOut>, Error> {
    let ended = state
        .agenda
        .no_show(&context(&state, &caller), booking_id(&id)?)
        .await?;
    Ok(axum::Json((&ended).into()))
}
