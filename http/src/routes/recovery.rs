//! Account recovery (R4): a forgotten password reset by a link sent to
//! the e-mail, and the e-mail verified by a link. Asking for a link answers
//! `202` alike whether the e-mail has accounts or not, and is counted per
//! e-mail and per address before anything is looked up. A link carries
//! its secret in the fragment (`#token=…`), which browsers do not send to
//! servers, and the server keeps only its SHA-256.

use agendo_core::agenda::throttle::count_link_request;
use agendo_core::agenda::{Issued, TokenPurpose};
use agendo_core::contact::Email;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{at, context};
use crate::auth::Caller;
use crate::context::ClientAddr;
use crate::error::{Error, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(forgot))
        .routes(routes!(reset))
        .routes(routes!(send_verification))
        .routes(routes!(verify))
}

/// An e-mail to send a link to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    /// The e-mail the account signs in with.
    #[schema(example = "dona@salao.com.br")]
    pub email: String,
}

/// A link's secret and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The `token` of the link's fragment.
    pub token: String,
    /// The new password.
    pub password: String,
}

/// A link's secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// The `token` of the link's fragment.
    pub token: String,
}

/// The same answer whatever was found.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedOut {
    /// What happens next.
    pub detail: String,
}

/// The key a link's secret is kept under.
pub(crate) fn key_of(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// Issues links of `purpose` to `email`'s accounts and sends each.
///
/// # Errors
/// [`Error::Core`] when the store fails.
/// Counts a request for a password reset link against the e-mail's and
/// the address's limits, then sends a link to every account of the
/// e-mail (none when it has none, which the caller is not told).
///
/// # Errors
/// [`Error::TooManyRequests`] past the limits; [`Error::Core`] when the
/// store fails.
pub(crate) async fn send_reset(
    state: &AppState,
    email: &Email,
    address: std::net::IpAddr,
) -> Result<(), Error> {
    count_link_request(
        &**state.agenda.store(),
        email,
        &address.to_string(),
        state.now(),
    )
    .await?;
    issue(state, email, TokenPurpose::ResetPassword, "reset-password").await
}

pub(crate) async fn issue(
    state: &AppState,
    email: &Email,
    purpose: TokenPurpose,
    page: &str,
) -> Result<(), Error> {
    let mut secret = || {
        let secret = crate::auth::new_secret();
        let key = key_of(&secret);
        (secret, key)
    };
    let issued: Vec<Issued> = state
        .agenda
        .issue_account_tokens(email, purpose, state.now(), &mut secret)
        .await?;
    for link in issued {
        let url = format!("{}/{page}#token={}", state.config.public_url, link.secret);
        state.channels.send_link(link, purpose, url);
    }
    Ok(())
}

/// Sends a link to set a new password to every account the e-mail signs
/// in to. The answer is the same whether there is any: an e-mail's
/// accounts are not told to strangers. Three a hour per e-mail, twenty per
/// address.
#[utoipa::path(post, path = "/v1/auth/password/forgot", tag = "auth",
    request_body = ForgotBody,
    responses(
        (status = 202, description = "If the e-mail has an account, a link is on its way", body = AcceptedOut),
        (status = 422, description = "Not an e-mail", body = Problem),
        (status = 429, description = "Too many links asked for", body = Problem),
    ))]
async fn forgot(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Json(body): Json<ForgotBody>,
) -> Result<(StatusCode, axum::Json<AcceptedOut>), Error> {
    let email = Email::parse(&body.email).map_err(|e| at(e, "email"))?;
    send_reset(&state, &email, address).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(AcceptedOut {
            detail: "If this e-mail has an account, a link to set a new password is on its way; it works once, for an hour.".to_owned(),
        }),
    ))
}

/// Sets a new password with a link's token: the link is used up and every
/// sign-in of the account ends.
#[utoipa::path(post, path = "/v1/auth/password/reset", tag = "auth",
    request_body = ResetBody,
    responses(
        (status = 204, description = "The password is changed; sign in with it"),
        (status = 422, description = "The link expired or was used, or the password is too weak", body = Problem),
    ))]
async fn reset(
    State(state): State<AppState>,
    Json(body): Json<ResetBody>,
) -> Result<StatusCode, Error> {
    let hasher = state.hasher();
    state
        .agenda
        .reset_password(&key_of(&body.token), &body.password, state.now(), &hasher)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends the signed-in account a link that verifies its e-mail.
#[utoipa::path(post, path = "/v1/auth/email/send-verification", tag = "auth",
    responses(
        (status = 202, description = "A link is on its way", body = AcceptedOut),
        (status = 429, description = "Too many links asked for", body = Problem),
    ),
    security(("bearer" = [])))]
async fn send_verification(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    caller: Caller,
) -> Result<(StatusCode, axum::Json<AcceptedOut>), Error> {
    let account = state
        .agenda
        .account(&context(&state, &caller), caller.account)
        .await?;
    count_link_request(
        &**state.agenda.store(),
        account.email(),
        &address.to_string(),
        state.now(),
    )
    .await?;
    issue(
        &state,
        account.email(),
        TokenPurpose::VerifyEmail,
        "verify-email",
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(AcceptedOut {
            detail: "A link to verify this e-mail is on its way; it works once, for an hour."
                .to_owned(),
        }),
    ))
}

/// Verifies an account's e-mail with a link's token.
#[utoipa::path(post, path = "/v1/auth/email/verify", tag = "auth",
    request_body = VerifyBody,
    responses(
        (status = 204, description = "The e-mail is verified"),
        (status = 422, description = "The link expired or was used", body = Problem),
    ))]
async fn verify(
    State(state): State<AppState>,
    Json(body): Json<VerifyBody>,
) -> Result<StatusCode, Error> {
    state
        .agenda
        .verify_email(&key_of(&body.token), state.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
