//! The business's own settings (R9, R19, R21): name, language, how
//! bookings are confirmed, and the cancellation policy.

use agendo_core::agenda::BusinessFields;
use agendo_core::business::{Business, ConfirmationMode};
use agendo_core::money::Share;
use agendo_core::policy::PolicyQuery;
use agendo_core::Lang;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::BusinessOut;
use super::MoneyOut;
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, change))
}

/// One tier of a policy: cancelling with at least this much notice costs
/// this percent of the price.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierBody {
    /// The least notice, in hours.
    #[schema(example = 24)]
    pub min_notice_hours: u32,
    /// The fee, a percent as decimal text.
    #[schema(example = "0")]
    pub fee_percent: String,
}

/// A cancellation policy (R21). The schema of the engine's
/// [`PolicyQuery`], which the route reads; percents and amounts are decimal
/// text (a whole number is read too).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the shape only
pub struct PolicyBody {
    /// The tiers, any order.
    #[serde(default)]
    pub tiers: Vec<TierBody>,
    /// The fee with less notice than every tier, a percent.
    #[schema(example = "50")]
    pub late_fee_percent: String,
    /// The fee when the client does not come, a percent.
    #[schema(example = "100")]
    pub no_show_fee_percent: String,
    /// A deposit asked to confirm a booking: a percent of the price.
    #[serde(default)]
    pub deposit_percent: Option<String>,
    /// Or a fixed deposit, in the business's currency.
    #[serde(default)]
    pub deposit_amount: Option<String>,
}

/// The settings, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsOut {
    /// The business.
    #[serde(flatten)]
    pub business: BusinessOut,
    /// `manual`, `on_payment` or `immediate`.
    pub confirmation: String,
    /// The cancellation policy of services without their own.
    pub policy: PolicyOut,
}

/// A policy, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    /// The tiers, most notice first.
    pub tiers: Vec<TierBody>,
    /// The late fee, a percent.
    pub late_fee_percent: String,
    /// The no-show fee, a percent.
    pub no_show_fee_percent: String,
    /// The deposit as a percent, if it is one.
    pub deposit_percent: Option<String>,
    /// The deposit as an amount, if it is one.
    pub deposit_amount: Option<MoneyOut>,
}

impl From<&Business> for SettingsOut {
    fn from(b: &Business) -> SettingsOut {
        let p = b.policy();
        SettingsOut {
            business: b.into(),
            confirmation: b.confirmation().as_str().to_owned(),
            policy: PolicyOut {
                tiers: p
                    .tiers()
                    .iter()
                    .map(|t| TierBody {
                        min_notice_hours: t.min_notice_hours(),
                        fee_percent: t.fee().value().to_string(),
                    })
                    .collect(),
                late_fee_percent: p.late_fee().value().to_string(),
                no_show_fee_percent: p.no_show_fee().value().to_string(),
                deposit_percent: match p.deposit() {
                    Some(Share::Percent(pc)) => Some(pc.value().to_string()),
                    _ => None,
                },
                deposit_amount: match p.deposit() {
                    Some(Share::Fixed(m)) => Some(m.into()),
                    _ => None,
                },
            },
        }
    }
}

/// A change to the settings: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// The name.
    pub name: Option<String>,
    /// The default language: `pt-BR` or `en`.
    pub locale: Option<String>,
    /// `manual`, `on_payment` or `immediate`.
    pub confirmation: Option<String>,
    /// The cancellation policy.
    #[schema(value_type = Option<PolicyBody>)]
    pub policy: Option<PolicyQuery>,
}

/// The business's settings.
#[utoipa::path(get, path = "/v1/business", tag = "business",
    responses((status = 200, description = "The settings", body = SettingsOut)),
    security(("bearer" = [])))]
async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<SettingsOut>, Error> {
    Ok(axum::Json(
        (&super::business(&state, &caller).await?).into(),
    ))
}

/// Changes the business's settings (owner).
#[utoipa::path(patch, path = "/v1/business", tag = "business",
    request_body = SettingsPatch,
    responses(
        (status = 200, description = "The new settings", body = SettingsOut),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Json(patch): Json<SettingsPatch>,
) -> Result<axum::Json<SettingsOut>, Error> {
    let fields = BusinessFields {
        name: patch.name,
        locale: patch.locale.as_deref().map(Lang::parse).transpose()?,
        confirmation: patch
            .confirmation
            .as_deref()
            .map(ConfirmationMode::parse)
            .transpose()?,
        policy: patch.policy,
        slug: None,
        ..BusinessFields::default()
    };
    let business = state
        .agenda
        .change_business(&super::context(&state, &caller), &fields)
        .await?;
    Ok(axum::Json((&business).into()))
}
