//! Commissions (R14): the business's rules and a professional's monthly
//! statement.

use agendo_core::agenda::{CommissionFields, CommissionQuery};
use agendo_core::commission::{CommissionRule, Statement};
use agendo_core::ids::ProfessionalId;
use agendo_core::money::Share;
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{context, MoneyOut};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Json, Query};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, replace))
        .routes(routes!(statement))
}

/// One rule: whom it covers (a professional, a service, or both; the most
/// specific wins) and what they earn per completed booking, a percent of
/// its price or a fixed amount.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionBody {
    /// The professional it covers, if it names one.
    #[serde(default)]
    pub staff_id: Option<String>,
    /// The service it covers, if it names one.
    #[serde(default)]
    pub service_id: Option<String>,
    /// A percent of the price, as decimal text (`"40"`).
    #[serde(default)]
    pub percent: Option<String>,
    /// Or a fixed amount, as decimal text (`"25.00"`).
    #[serde(default)]
    pub amount: Option<String>,
}

impl From<&CommissionRule> for CommissionBody {
    fn from(rule: &CommissionRule) -> CommissionBody {
        let fields = CommissionFields::of(rule);
        CommissionBody {
            staff_id: fields.professional.map(|p| p.to_string()),
            service_id: fields.service.map(|s| s.to_string()),
            percent: match rule.rate {
                Share::Percent(p) => Some(p.value().to_string()),
                Share::Fixed(_) => None,
            },
            amount: match rule.rate {
                Share::Fixed(m) => Some(m.amount().to_string()),
                Share::Percent(_) => None,
            },
        }
    }
}

/// The business's commission rules (owner).
#[utoipa::path(get, path = "/v1/commissions", tag = "commissions",
    responses((status = 200, description = "The rules", body = [CommissionBody])),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<CommissionBody>>, Error> {
    let rules = state.agenda.commissions(&context(&state, &caller)).await?;
    Ok(axum::Json(rules.iter().map(CommissionBody::from).collect()))
}

/// Replaces the business's commission rules with the list sent (owner):
/// at most 1,000, one per scope.
#[utoipa::path(put, path = "/v1/commissions", tag = "commissions",
    request_body = [CommissionBody],
    responses(
        (status = 200, description = "The rules now", body = [CommissionBody]),
        (status = 404, description = "No such professional or service", body = Problem),
        (status = 422, description = "A rule is invalid, named by its position", body = Problem),
    ),
    security(("bearer" = [])))]
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<Vec<CommissionQuery>>,
) -> Result<axum::Json<Vec<CommissionBody>>, Error> {
    let fields = body
        .iter()
        .enumerate()
        .map(|(i, b)| b.to_fields(i))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = state
        .agenda
        .set_commissions(&context(&state, &caller), &fields)
        .await?;
    Ok(axum::Json(rules.iter().map(CommissionBody::from).collect()))
}

/// Which month.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MonthParam {
    /// The month, `YYYY-MM`, in the business's local calendar.
    #[param(example = "2026-03")]
    pub month: String,
}

/// One booking on a statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementLineOut {
    /// The booking.
    pub booking_id: String,
    /// Its service.
    pub service_id: String,
    /// When it started.
    pub start: DateTime<Utc>,
    /// Its price.
    pub price: MoneyOut,
    /// The rule applied, if any covered it.
    pub rule: Option<CommissionBody>,
    /// What the professional earns from it.
    pub commission: MoneyOut,
}

/// A professional's commissions for one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementOut {
    /// Whose.
    pub staff_id: String,
    /// The month's first day.
    pub month: NaiveDate,
    /// Each completed booking starting in the month, by start.
    pub lines: Vec<StatementLineOut>,
    /// The prices added up.
    pub revenue: MoneyOut,
    /// The commissions added up.
    pub total: MoneyOut,
}

impl From<&Statement> for StatementOut {
    fn from(s: &Statement) -> StatementOut {
        StatementOut {
            staff_id: s.professional.to_string(),
            month: s.month,
            lines: s
                .lines
                .iter()
                .map(|l| StatementLineOut {
                    booking_id: l.booking.to_string(),
                    service_id: l.service.to_string(),
                    start: l.start,
                    price: l.price.into(),
                    rule: l.rule.as_ref().map(CommissionBody::from),
                    commission: l.commission.into(),
                })
                .collect(),
            revenue: s.revenue.into(),
            total: s.total.into(),
        }
    }
}

/// A professional's commission statement for a month (owner, or the
/// professional themself).
#[utoipa::path(get, path = "/v1/staff/{id}/statement", tag = "commissions",
    params(("id" = String, Path, description = "The professional's id"), MonthParam),
    responses(
        (status = 200, description = "The statement", body = StatementOut),
        (status = 404, description = "No such professional", body = Problem),
        (status = 422, description = "The month is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn statement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(param): Query<MonthParam>,
) -> Result<axum::Json<StatementOut>, Error> {
    let professional: ProfessionalId = path_id(&id, RecordKind::Professional)?;
    let month = agendo_core::time::read_month(&param.month, "month")?;
    let statement = state
        .agenda
        .statement(&context(&state, &caller), professional, month)
        .await?;
    Ok(axum::Json((&statement).into()))
}
