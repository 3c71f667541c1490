//! The channels a business sets up with its own provider account:
//! WhatsApp (the Business Cloud API) and SMS (Twilio). The credentials are
//! sealed before they are stored and never sent back: the answer says
//! only that they are set.

use std::collections::BTreeMap;

use agendo_core::contact::Phone;
use agendo_core::message::{ChannelKind, ChannelSetup};
use agendo_core::{Error as CoreError, Problem as CoreProblem};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{at, context};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(set_whatsapp, remove_whatsapp))
        .routes(routes!(set_sms, remove_sms))
}

/// A channel the business set up, without its credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelOut {
    /// `whatsapp` or `sms`.
    pub kind: String,
    /// The provider's settings that are not secret.
    pub settings: BTreeMap<String, String>,
    /// Always true: the credentials are kept, sealed, and never shown.
    pub credentials_set: bool,
    /// When it was set.
    pub updated_at: DateTime<Utc>,
}

impl From<&ChannelSetup> for ChannelOut {
    fn from(setup: &ChannelSetup) -> ChannelOut {
        ChannelOut {
            kind: setup.kind.as_str().to_owned(),
            settings: setup.settings.clone(),
            credentials_set: true,
            updated_at: setup.updated_at,
        }
    }
}

/// The channels the business set up (owner).
#[utoipa::path(get, path = "/v1/channels", tag = "messages",
    responses((status = 200, description = "The channels", body = [ChannelOut])),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<ChannelOut>>, Error> {
    let setups = state
        .agenda
        .channel_setups(&context(&state, &caller))
        .await?;
    Ok(axum::Json(setups.iter().map(ChannelOut::from).collect()))
}

/// The business's WhatsApp Business account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatsappBody {
    /// The phone number id of the WhatsApp Business account (digits).
    #[schema(example = "106540352242922")]
    pub phone_number_id: String,
    /// A system user's access token; sealed, never shown again.
    pub access_token: String,
    /// What the names of the business's approved templates start with,
    /// before the topic (`agendo_` if left out: `agendo_booking_made`).
    #[serde(default)]
    #[schema(example = "agendo_")]
    pub template_prefix: Option<String>,
}

/// The business's Twilio account, for SMS.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsBody {
    /// The account SID (`AC` and 32 hexadecimal digits).
    #[schema(example = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    pub account_sid: String,
    /// The account's auth token; sealed, never shown again.
    pub auth_token: String,
    /// The sender: a phone number, or a messaging service SID (`MG…`).
    #[schema(example = "+5511999990000")]
    pub from: String,
}

fn invalid(field: &str, problem: CoreProblem) -> Error {
    CoreError::invalid(field, problem).into()
}

/// A credential: 1 to 1,024 visible ASCII characters.
fn credential(field: &str, text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(field, CoreProblem::Empty));
    }
    if text.len() > 1024 {
        return Err(invalid(
            field,
            CoreProblem::TooLong {
                len: text.chars().count(),
                max: 1024,
            },
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            field,
            CoreProblem::UnknownValue {
                value: "…".to_owned(),
                expected: "visible ASCII characters only",
            },
        ));
    }
    Ok(text.to_owned())
}

/// `text` when it is `prefix` and then `digits` hexadecimal digits.
fn sid(field: &str, text: &str, prefix: &str, expected: &'static str) -> Result<String, Error> {
    let text = text.trim();
    let ok = text.len() == prefix.len() + 32
        && text.starts_with(prefix)
        && text[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(text.to_owned())
    } else {
        Err(invalid(
            field,
            CoreProblem::UnknownValue {
                value: text.chars().take(40).collect(),
                expected,
            },
        ))
    }
}

async fn keep(
    state: &AppState,
    caller: &Caller,
    kind: ChannelKind,
    settings: BTreeMap<String, String>,
    credentials: BTreeMap<String, String>,
) -> Result<axum::Json<ChannelOut>, Error> {
    let setup = ChannelSetup {
        kind,
        settings,
        sealed: state.channels.seal(caller.business, kind, &credentials)?,
        updated_at: state.now(),
    };
    state
        .agenda
        .set_channel(&context(state, caller), &setup)
        .await?;
    Ok(axum::Json(ChannelOut::from(&setup)))
}

/// Sets up WhatsApp with the business's own account (owner): clients with
/// a phone get WhatsApp template messages from the next booking on.
#[utoipa::path(put, path = "/v1/channels/whatsapp", tag = "messages",
    request_body = WhatsappBody,
    responses(
        (status = 200, description = "Set up", body = ChannelOut),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn set_whatsapp(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<WhatsappBody>,
) -> Result<axum::Json<ChannelOut>, Error> {
    let phone_number_id = body.phone_number_id.trim();
    if phone_number_id.is_empty()
        || phone_number_id.len() > 30
        || !phone_number_id.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid(
            "phone_number_id",
            CoreProblem::UnknownValue {
                value: phone_number_id.chars().take(40).collect(),
                expected: "the digits of a WhatsApp phone number id",
            },
        ));
    }
    let prefix = body.template_prefix.as_deref().unwrap_or("agendo_").trim();
    if prefix.len() > 40
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(invalid(
            "template_prefix",
            CoreProblem::UnknownValue {
                value: prefix.chars().take(40).collect(),
                expected: "up to 40 lowercase letters, digits and _",
            },
        ));
    }
    let token = credential("access_token", &body.access_token)?;
    keep(
        &state,
        &caller,
        ChannelKind::Whatsapp,
        BTreeMap::from([
            ("phone_number_id".to_owned(), phone_number_id.to_owned()),
            ("template_prefix".to_owned(), prefix.to_owned()),
        ]),
        BTreeMap::from([("access_token".to_owned(), token)]),
    )
    .await
}

/// Sets up SMS with the business's own Twilio account (owner): clients
/// with a phone get SMS when WhatsApp is not set up.
#[utoipa::path(put, path = "/v1/channels/sms", tag = "messages",
    request_body = SmsBody,
    responses(
        (status = 200, description = "Set up", body = ChannelOut),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn set_sms(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<SmsBody>,
) -> Result<axum::Json<ChannelOut>, Error> {
    let account_sid = sid(
        "account_sid",
        &body.account_sid,
        "AC",
        "an account SID: AC and 32 hexadecimal digits",
    )?;
    let from = if body.from.trim().starts_with("MG") {
        sid(
            "from",
            &body.from,
            "MG",
            "a phone number, or MG and 32 hexadecimal digits",
        )?
    } else {
        Phone::parse(&body.from)
            .map_err(|e| at(e, "from"))?
            .as_str()
            .to_owned()
    };
    let token = credential("auth_token", &body.auth_token)?;
    keep(
        &state,
        &caller,
        ChannelKind::Sms,
        BTreeMap::from([
            ("account_sid".to_owned(), account_sid),
            ("from".to_owned(), from),
        ]),
        BTreeMap::from([("auth_token".to_owned(), token)]),
    )
    .await
}

/// Removes the business's WhatsApp (owner); messages queued for it are
/// then refused as not set up.
#[utoipa::path(delete, path = "/v1/channels/whatsapp", tag = "messages",
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "WhatsApp was not set up", body = Problem),
    ),
    security(("bearer" = [])))]
async fn remove_whatsapp(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, Error> {
    remove(&state, &caller, ChannelKind::Whatsapp).await
}

/// Removes the business's SMS (owner); messages queued for it are then
/// refused as not set up.
#[utoipa::path(delete, path = "/v1/channels/sms", tag = "messages",
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "SMS was not set up", body = Problem),
    ),
    security(("bearer" = [])))]
async fn remove_sms(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, Error> {
    remove(&state, &caller, ChannelKind::Sms).await
}

async fn remove(state: &AppState, caller: &Caller, kind: ChannelKind) -> Result<StatusCode, Error> {
    let removed = state
        .agenda
        .remove_channel(&context(state, caller), kind)
        .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(CoreError::NotFound {
            record: agendo_core::RecordKind::Channel,
            id: kind.as_str().to_owned(),
        }
        .into())
    }
}
