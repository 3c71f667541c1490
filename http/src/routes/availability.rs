//! Free slots (R17), in the engine's answer format.

use agendo_core::agenda::SlotsRequest;
use agendo_core::ids::{ProfessionalId, ServiceId};
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
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
    OpenApiRouter::new().routes(routes!(availability))
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
    let answer = state
        .agenda
        .slots(&context(&state, &caller), &request)
        .await?;
    Ok(super::json_text(answer.to_json()))
}
