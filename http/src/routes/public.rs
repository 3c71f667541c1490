//! Booking without signing in: a client opens the business's page by its
//! public address, finds a slot and books it with their name, e-mail and
//! phone; the answer carries a manage link token with which they see,
//! cancel or reschedule that booking, within the policy (R17, R18, R20).
//! Every route here is limited per address.
//!
//! Choices where the requirements are silent:
//! - A client is matched by e-mail (case ignored), then by phone; an
//!   active client of the business with either gets the booking, so a
//!   returning client keeps one history. Otherwise a client is created,
//!   in the same unit of work as the booking: a refused booking leaves no
//!   client behind.
//! - A time that cannot be booked is answered 409 saying only that (code
//!   `slot_taken` or `outside_working_hours`): an anonymous caller is not
//!   shown whose booking or which block is in the way.
//! - Errors speak the business's language unless the caller's
//!   `Accept-Language` asks for one the engine speaks.
//! - A manage link lasts until 30 days after the booking's end
//!   (`agendo_core::booking::manage_link_until`).

use agendo_core::account::Slug;
use agendo_core::agenda::{Actor, ContactBookRequest, Context};
use agendo_core::business::{Activity, Business};
use agendo_core::contact::{Email, Phone};
use agendo_core::ids::{ProfessionalId, ServiceId};
use agendo_core::store::Access;
use agendo_core::{Error as CoreError, RecordKind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::BusinessOut;
use super::availability::{SlotsOut, SlotsParams};
use super::bookings::{count_refusal, BookingOut, CancelBody, EndedOut, QuoteOut, RescheduleBody};
use super::services::ServiceOut;
use super::{at, instant};
use crate::auth::Manage;
use crate::context::ClientAddr;
use crate::error::{Error, Problem};
use crate::extract::{Idempotency, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page))
        .routes(routes!(logo))
        .routes(routes!(availability))
        .routes(routes!(book))
        .routes(routes!(manage))
        .routes(routes!(cancel))
        .routes(routes!(quote))
        .routes(routes!(reschedule))
}

/// A professional, as a client sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStaffOut {
    /// Their id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// The services they perform.
    pub services: Vec<String>,
}

/// A business's public page.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOut {
    /// The business.
    pub business: BusinessOut,
    /// The services it offers now.
    pub services: Vec<ServiceOut>,
    /// Its professionals taking bookings.
    pub staff: Vec<PublicStaffOut>,
}

/// Who books.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicClientBody {
    /// Their name.
    pub name: String,
    /// Their e-mail; an e-mail or a phone (or both) is needed.
    #[serde(default)]
    pub email: Option<String>,
    /// Their phone; an e-mail or a phone (or both) is needed.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A booking made by a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicBookingBody {
    /// The service.
    pub service_id: String,
    /// The professional.
    pub staff_id: String,
    /// When it starts: one of the page's slots.
    pub start: String,
    /// Who books.
    pub client: PublicClientBody,
}

/// A booking made, with the token of its manage link.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicBookedOut {
    /// The booking.
    pub booking: BookingOut,
    /// Send it to `/v1/manage/{token}` to see, cancel or
    /// reschedule the booking.
    pub manage_token: String,
}

/// Counts a request from `address` against the public routes' limit
/// (the API's and the pages').
///
/// # Errors
/// [`Error::TooManyRequests`] past the limit.
pub(crate) fn limit(state: &AppState, address: std::net::IpAddr) -> Result<(), Error> {
    state
        .public_limit
        .check(address, state.now())
        .map_err(|retry_after| Error::TooManyRequests { retry_after })
}

/// The business whose public address is `slug`.
///
/// # Errors
/// [`CoreError::NotFound`] when no business has it.
pub async fn business(state: &AppState, slug: &str) -> Result<Business, Error> {
    let missing = || -> Error {
        CoreError::NotFound {
            record: RecordKind::Business,
            id: slug.chars().take(64).collect(),
        }
        .into()
    };
    let slug = Slug::parse(slug).map_err(|_| missing())?;
    let id = state
        .agenda
        .store()
        .business_by_slug(&slug)
        .await?
        .ok_or_else(missing)?;
    let mut work = state.agenda.store().begin(id, Access::Read).await?;
    work.business().await?.ok_or_else(missing)
}

/// A business's public page: what it offers and who does it.
#[utoipa::path(get, path = "/v1/public/{slug}", tag = "public",
    params(("slug" = String, Path, description = "The business's public address")),
    responses(
        (status = 200, description = "The page", body = PageOut),
        (status = 404, description = "No business has this address", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    ))]
async fn page(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(slug): Path<String>,
) -> Result<axum::Json<PageOut>, Error> {
    limit(&state, address)?;
    let business = business(&state, &slug).await?;
    let mut work = state
        .agenda
        .store()
        .begin(business.id(), Access::Read)
        .await?;
    let services = work.services().await?;
    let staff = work.professionals().await?;
    Ok(axum::Json(PageOut {
        business: (&business).into(),
        services: services
            .iter()
            .filter(|s| s.activity() == Activity::Active)
            .map(ServiceOut::from)
            .collect(),
        staff: staff
            .iter()
            .filter(|p| p.activity() == Activity::Active && !p.services().is_empty())
            .map(|p| PublicStaffOut {
                id: p.id().to_string(),
                name: p.name().to_owned(),
                services: p.services().iter().map(ToString::to_string).collect(),
            })
            .collect(),
    }))
}

/// A business's logo, for its public page.
#[utoipa::path(get, path = "/v1/public/{slug}/logo", tag = "public",
    params(("slug" = String, Path, description = "The business's public address")),
    responses(
        (status = 200, description = "The logo", content_type = "image/png"),
        (status = 404, description = "No such business, or it has no logo", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    ))]
async fn logo(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(slug): Path<String>,
) -> Result<Response, Error> {
    limit(&state, address)?;
    let business = business(&state, &slug).await?;
    let ctx = Context::new(business.id(), state.now(), Actor::Public);
    let picture = state
        .agenda
        .picture(&ctx, agendo_core::picture::Subject::Logo)
        .await?;
    Ok(super::pictures::served(&picture))
}

/// A business's free slots, as `/v1/availability` answers them.
#[utoipa::path(get, path = "/v1/public/{slug}/availability", tag = "public",
    params(("slug" = String, Path, description = "The business's public address"), SlotsParams),
    responses(
        (status = 200, description = "The free slots", body = SlotsOut),
        (status = 404, description = "No such business, service or professional", body = Problem),
        (status = 422, description = "A parameter is invalid", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    ))]
async fn availability(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(slug): Path<String>,
    Query(params): Query<SlotsParams>,
) -> Result<Response, Error> {
    limit(&state, address)?;
    let business = business(&state, &slug).await?;
    let request = params.to_request()?;
    let ctx = Context::new(business.id(), state.now(), Actor::Public);
    let text = state.agenda.slots_json(&ctx, &request).await?;
    Ok(super::json_text(text))
}

/// Books a slot as a client (R18): 201 with the booking and its manage
/// token, or 409 when the time was taken meanwhile.
#[utoipa::path(post, path = "/v1/public/{slug}/bookings", tag = "public",
    params(
        ("slug" = String, Path, description = "The business's public address"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = PublicBookingBody,
    responses(
        (status = 201, description = "Booked", body = PublicBookedOut),
        (status = 404, description = "No such business, service or professional", body = Problem),
        (status = 409, description = "The time is taken", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    ))]
async fn book(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(slug): Path<String>,
    Idempotency(key): Idempotency,
    Json(body): Json<PublicBookingBody>,
) -> Result<(StatusCode, axum::Json<PublicBookedOut>), Error> {
    limit(&state, address)?;
    let business = business(&state, &slug).await?;
    let email = body
        .client
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(Email::parse)
        .transpose()
        .map_err(|e| at(e, "client.email"))?;
    let phone = body
        .client
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(Phone::parse)
        .transpose()
        .map_err(|e| at(e, "client.phone"))?;
    let request = ContactBookRequest {
        service: ServiceId::parse(&body.service_id).map_err(|e| at(e, "service_id"))?,
        professional: ProfessionalId::parse(&body.staff_id).map_err(|e| at(e, "staff_id"))?,
        start: instant(&body.start, "start")?,
        name: body.client.name,
        email,
        phone,
    };
    let mut ctx = Context::new(business.id(), state.now(), Actor::Public);
    if let Some(key) = key {
        ctx = ctx.with_key(key);
    }
    let booking = match state.agenda.book_as_contact(&ctx, &request).await {
        Ok(booking) => booking,
        Err(error) if matches!(error.field(), Some("name" | "email")) => {
            let field = format!("client.{}", error.field().unwrap_or_default());
            return Err(at(error, &field).into());
        }
        Err(error) => {
            count_refusal(&state, &error);
            return Err(Error::for_public(error));
        }
    };
    state.metrics.booking_created();
    let manage_token = state.tokens.manage_token_of(&booking)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PublicBookedOut {
            booking: (&booking).into(),
            manage_token,
        }),
    ))
}

/// The booking a manage token names and the client's context on it,
/// counting the request against the address's limit.
fn managed(
    state: &AppState,
    address: std::net::IpAddr,
    token: &str,
) -> Result<(Manage, Context), Error> {
    limit(state, address)?;
    let manage = state.tokens.manage(token, state.now()).ok_or_else(|| {
        Error::from(CoreError::NotFound {
            record: RecordKind::Booking,
            id: "manage link".to_owned(),
        })
    })?;
    let ctx = Context::new(
        manage.business,
        state.now(),
        Actor::ManageLink(manage.booking),
    );
    Ok((manage, ctx))
}

/// The booking a manage link names.
#[utoipa::path(get, path = "/v1/manage/{token}", tag = "public",
    params(("token" = String, Path, description = "The manage token")),
    responses(
        (status = 200, description = "The booking", body = BookingOut),
        (status = 404, description = "The link is not valid or has expired", body = Problem),
    ))]
async fn manage(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(token): Path<String>,
) -> Result<axum::Json<BookingOut>, Error> {
    let (manage, ctx) = managed(&state, address, &token)?;
    let booking = state.agenda.booking(&ctx, manage.booking).await?;
    Ok(axum::Json((&booking).into()))
}

/// Cancels the booking as the client: the policy's fee for the notice
/// given applies (R20, R21).
#[utoipa::path(post, path = "/v1/manage/{token}/cancel", tag = "public",
    params(("token" = String, Path, description = "The manage token")),
    request_body = CancelBody,
    responses(
        (status = 200, description = "Cancelled, with the settlement", body = EndedOut),
        (status = 404, description = "The link is not valid or has expired", body = Problem),
        (status = 409, description = "The booking's state does not allow it", body = Problem),
    ))]
async fn cancel(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(token): Path<String>,
    Json(body): Json<CancelBody>,
) -> Result<axum::Json<EndedOut>, Error> {
    let (manage, ctx) = managed(&state, address, &token)?;
    let ended = state
        .agenda
        .cancel(&ctx, manage.booking, &body.reason)
        .await?;
    Ok(axum::Json((&ended).into()))
}

/// What cancelling the booking now would cost the client: the policy's
/// fee for the notice given, shown before they confirm (R20, R21).
#[utoipa::path(get, path = "/v1/manage/{token}/cancellation", tag = "public",
    params(("token" = String, Path, description = "The manage token")),
    responses(
        (status = 200, description = "The settlement cancelling now would make", body = QuoteOut),
        (status = 404, description = "The link is not valid or has expired", body = Problem),
        (status = 409, description = "The booking's state does not allow cancelling", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    ))]
async fn quote(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(token): Path<String>,
) -> Result<axum::Json<QuoteOut>, Error> {
    let (manage, ctx) = managed(&state, address, &token)?;
    let settlement = state
        .agenda
        .cancellation_quote(&ctx, manage.booking)
        .await?;
    Ok(axum::Json((&settlement).into()))
}

/// Moves the booking as the client to another free start.
#[utoipa::path(post, path = "/v1/manage/{token}/reschedule", tag = "public",
    params(("token" = String, Path, description = "The manage token")),
    request_body = RescheduleBody,
    responses(
        (status = 200, description = "Moved", body = BookingOut),
        (status = 404, description = "The link is not valid or has expired", body = Problem),
        (status = 409, description = "The new time is taken, or the state does not allow it", body = Problem),
    ))]
async fn reschedule(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(token): Path<String>,
    Json(body): Json<RescheduleBody>,
) -> Result<axum::Json<BookingOut>, Error> {
    let (manage, ctx) = managed(&state, address, &token)?;
    let start = instant(&body.start, "start")?;
    match state.agenda.reschedule(&ctx, manage.booking, start).await {
        Ok(done) => Ok(axum::Json((&done).into())),
        Err(error) => {
            count_refusal(&state, &error);
            Err(Error::for_public(error))
        }
    }
}
