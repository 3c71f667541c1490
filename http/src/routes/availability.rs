//! Free slots (R17), in the engine's answer format.

use crate::context::Reader;
use agendo_core::agenda::{SlotsRequest, Verdict, WhyRequest};
use agendo_core::business::Bookable;
use agendo_core::ids::{ProfessionalId, ServiceId};
use agendo_core::Lang;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{at, context, date};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::Query;
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(availability))
        .routes(routes!(why))
}

/// What to search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotsParams {
    /// The service.
    pub service_id: String,
    /// One professional; any who performs the service when left out.
    pub staff_id: Option<String>,
    /// The first local date, `YYYY-MM-DD`, in the business's zone.
    #[param(example = "2026-03-02")]
    pub from: String,
    /// The last local date, inclusive (at most 400 days after `from`).
    #[param(example = "2026-03-08")]
    pub to: String,
    /// Minutes between starts; the service's duration when left out.
    pub step_minutes: Option<u32>,
}

/// One free slot.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SlotOut {
    /// When the appointment would start (UTC).
    #[schema(example = "2026-03-02T12:00:00Z")]
    start: String,
    /// When it would end (UTC).
    #[schema(example = "2026-03-02T12:30:00Z")]
    end: String,
    /// The professionals free then, by id.
    staff: Vec<String>,
}

/// The engine's answer: every free start once, with who is free.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SlotsOut {
    /// The slots, by start.
    slots: Vec<SlotOut>,
}

impl SlotsParams {
    /// The request for the engine.
    pub fn to_request(&self) -> Result<SlotsRequest, Error> {
        Ok(SlotsRequest {
            service: ServiceId::parse(&self.service_id).map_err(|e| at(e, "service_id"))?,
            professional: self
                .staff_id
                .as_deref()
                .map(|id| ProfessionalId::parse(id).map_err(|e| at(e, "staff_id")))
                .transpose()?,
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            step_minutes: self.step_minutes,
        })
    }
}

/// A start to ask about.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WhyParams {
    /// The service.
    pub service_id: String,
    /// One professional; every one who performs the service when left out.
    pub staff_id: Option<String>,
    /// The start asked about, RFC 3339 with an offset.
    #[param(example = "2026-03-02T10:00:00-03:00")]
    pub start: String,
}

/// Something in the way.
#[derive(Debug, Serialize, ToSchema)]
pub struct InTheWayOut {
    /// The block's or booking's id.
    pub id: String,
    /// A block's reason, a booking's client.
    pub label: String,
    /// From.
    pub start: DateTime<Utc>,
    /// To.
    pub end: DateTime<Utc>,
}

/// One rule that removed the start.
#[derive(Debug, Serialize, ToSchema)]
pub struct CauseOut {
    /// The rule: `outside_working_hours`, `too_soon`, `beyond_horizon`,
    /// `blocked`, `at_capacity`, `daily_limit`, `off_step`,
    /// `outside_date_range`.
    pub rule: String,
    /// The cause for a person, in the reader's language, with names and
    /// local times.
    pub message: String,
    /// The blocks in the way.
    pub blocks: Vec<InTheWayOut>,
    /// The bookings in the way.
    pub bookings: Vec<InTheWayOut>,
}

/// Whether one professional or room is free, and why not.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictOut {
    /// The professional's or room's id.
    pub id: String,
    /// `staff` or `resource`.
    pub kind: String,
    /// The name.
    pub name: String,
    /// Whether no rule removed the start.
    pub free: bool,
    /// Every rule that removed it.
    pub causes: Vec<CauseOut>,
}

/// Why a start is or is not free.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhyOut {
    /// The start asked about.
    pub start: DateTime<Utc>,
    /// When the appointment would end.
    pub end: DateTime<Utc>,
    /// Whether a booking would be taken there.
    pub free: bool,
    /// Each professional who performs the service.
    pub staff: Vec<VerdictOut>,
    /// Each room the service could take; empty when it needs none.
    pub resources: Vec<VerdictOut>,
    /// The whole answer for a person, one line each.
    pub message: String,
}

fn verdict_out(v: &Verdict, lang: Lang, zone: chrono_tz::Tz) -> VerdictOut {
    let way = |items: &[agendo_core::agenda::InTheWay]| {
        items
            .iter()
            .map(|i| InTheWayOut {
                id: i.id.clone(),
                label: i.label.clone(),
                start: i.span.start(),
                end: i.span.end(),
            })
            .collect()
    };
    let (id, kind) = match v.on {
        Bookable::Professional(p) => (p.to_string(), "staff"),
        Bookable::Resource(r) => (r.to_string(), "resource"),
    };
    VerdictOut {
        id,
        kind: kind.to_owned(),
        name: v.name.clone(),
        free: v.free,
        causes: v
            .causes
            .iter()
            .map(|c| CauseOut {
                rule: c.rule().to_owned(),
                message: c.message(lang, zone),
                blocks: way(&c.blocks),
                bookings: way(&c.bookings),
            })
            .collect(),
    }
}

/// "Why not free?": for a start, each professional (and room) with every
/// rule that keeps it out of the slots — outside the hours, a block by
/// its reason, a booking by its client, notice, horizon, daily limit —
/// with names and local times a receptionist reads out.
#[utoipa::path(get, path = "/v1/availability/why", tag = "availability",
    params(WhyParams),
    responses(
        (status = 200, description = "Why the start is or is not free", body = WhyOut),
        (status = 404, description = "No such service or professional", body = Problem),
        (status = 409, description = "The service or professional is retired, or does not perform it", body = Problem),
        (status = 422, description = "A parameter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn why(
    State(state): State<AppState>,
    caller: Caller,
    lang: Reader,
    Query(params): Query<WhyParams>,
) -> Result<axum::Json<WhyOut>, Error> {
    let request = WhyRequest {
        service: ServiceId::parse(&params.service_id).map_err(|e| at(e, "service_id"))?,
        professional: params
            .staff_id
            .as_deref()
            .map(|id| ProfessionalId::parse(id).map_err(|e| at(e, "staff_id")))
            .transpose()?,
        start: super::instant(&params.start, "start")?,
    };
    let why = state
        .agenda
        .why_not_free(&context(&state, &caller), &request)
        .await?;
    Ok(axum::Json(WhyOut {
        start: why.start,
        end: why.end,
        free: why.free,
        staff: why
            .professionals
            .iter()
            .map(|v| verdict_out(v, lang.0, why.zone))
            .collect(),
        resources: why
            .rooms
            .iter()
            .map(|v| verdict_out(v, lang.0, why.zone))
            .collect(),
        message: why.message(lang.0),
    }))
}

/// The free slots of a service over a range of dates: the starts a
/// booking would be accepted at now, correct across daylight-saving
/// changes (R17).
#[utoipa::path(get, path = "/v1/availability", tag = "availability",
    params(SlotsParams),
    responses(
        (status = 200, description = "The free slots", body = SlotsOut),
        (status = 404, description = "No such service or professional", body = Problem),
        (status = 409, description = "The service or professional is retired, or does not perform it", body = Problem),
        (status = 422, description = "A parameter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn availability(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SlotsParams>,
) -> Result<Response, Error> {
    let request = params.to_request()?;
    let text = state
        .agenda
        .slots_json(&context(&state, &caller), &request)
        .await?;
    Ok(super::json_text(text))
}
