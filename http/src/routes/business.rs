//! The business's own settings (R9, R19, R21): name, language, how
//! bookings are confirmed, and the cancellation policy.

use agendo_core::agenda::BusinessPatch;
use agendo_core::business::Business;
use agendo_core::money::Share;
use agendo_core::policy::{CancellationPolicy, PolicyQuery};
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
    /// How it presents itself (R9).
    pub profile: ProfileOut,
    /// When reminders and payment notices go.
    pub notify: NotifyBody,
}

/// How a business presents itself, as sent. Its logo is at
/// `/v1/business/logo` (and `/v1/public/{slug}/logo`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOut {
    /// The registered name (razão social); empty when not given.
    pub legal_name: String,
    /// The CPF or CNPJ, digits only.
    pub tax_id: Option<String>,
    /// The phone, E.164.
    pub phone: Option<String>,
    /// The e-mail.
    pub email: Option<String>,
    /// The address; empty when not given.
    pub address: String,
    /// The brand colour, `#RRGGBB`.
    pub colour: Option<String>,
    /// What it is about; empty when not given.
    pub description: String,
}

/// When reminders and payment notices go, in the business's local time.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyBody {
    /// The local time of the day-before reminder (`18:00`); none turns it
    /// off.
    #[schema(example = "18:00")]
    pub day_before_at: Option<String>,
    /// How many minutes before the start the second reminder goes; none
    /// turns it off.
    #[schema(example = 120)]
    pub minutes_before: Option<u32>,
    /// The local time payment notices go.
    #[schema(example = "09:00")]
    pub payment_at: String,
    /// For how many days overdue notices go.
    #[schema(example = 3)]
    pub overdue_days: u8,
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
        let profile = b.profile();
        let notify = b.notify();
        SettingsOut {
            business: b.into(),
            confirmation: b.confirmation().as_str().to_owned(),
            profile: ProfileOut {
                legal_name: profile.legal_name().to_owned(),
                tax_id: profile.tax_id().map(|t| t.as_str().to_owned()),
                phone: profile.phone().map(|p| p.as_str().to_owned()),
                email: profile.email().map(|e| e.as_str().to_owned()),
                address: profile.address().to_owned(),
                colour: profile.colour().map(|c| c.to_string()),
                description: profile.description().to_owned(),
            },
            notify: NotifyBody {
                day_before_at: notify.day_before_at().map(|t| t.to_string()),
                minutes_before: notify.minutes_before(),
                payment_at: notify.payment_at().to_string(),
                overdue_days: notify.overdue_days(),
            },
            policy: p.into(),
        }
    }
}

impl From<&CancellationPolicy> for PolicyOut {
    fn from(p: &CancellationPolicy) -> PolicyOut {
        PolicyOut {
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
        }
    }
}

/// A change to the settings: only the fields sent change. The schema of
/// the engine's [`BusinessPatch`], which the route reads.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[allow(dead_code)] // documents the shape only
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
    /// When reminders and payment notices go (the whole settings).
    pub notify: Option<NotifyBody>,
    /// The registered name (razão social); empty clears it.
    pub legal_name: Option<String>,
    /// The CPF or CNPJ (check digits verified); `null` clears it.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub tax_id: Option<Option<String>>,
    /// The phone clients call; `null` clears it.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// The e-mail clients write to; `null` clears it.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// The address; empty clears it.
    pub address: Option<String>,
    /// The brand colour, `#RRGGBB`; `null` clears it.
    #[serde(default, deserialize_with = "super::double")]
    #[schema(value_type = Option<String>)]
    pub colour: Option<Option<String>>,
    /// What it is about; empty clears it.
    pub description: Option<String>,
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
    Json(patch): Json<BusinessPatch>,
) -> Result<axum::Json<SettingsOut>, Error> {
    let fields = patch.to_fields()?;
    let business = state
        .agenda
        .change_business(&super::context(&state, &caller), &fields)
        .await?;
    Ok(axum::Json((&business).into()))
}
