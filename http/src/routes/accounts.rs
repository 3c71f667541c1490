//! The logins of a business (R5): the owner lists them, adds a
//! receptionist (who has no agenda of their own) and retires one.

use agendo_core::account::Role;
use agendo_core::agenda::AccountFields;
use agendo_core::business::Activity;
use agendo_core::contact::Email;
use agendo_core::ids::{AccountId, ProfessionalId};
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::AccountOut;
use super::{at, context, keyed};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(me))
        .routes(routes!(retire))
}

/// A new login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    /// The person's name.
    pub name: String,
    /// The e-mail to sign in with.
    pub email: String,
    /// The first password.
    pub password: String,
    /// `owner`, `receptionist` or `professional`.
    pub role: String,
    /// The professional whose agenda is theirs (required for
    /// `professional`).
    #[serde(default)]
    pub staff_id: Option<String>,
}

/// The business's logins, by name (owner).
#[utoipa::path(get, path = "/v1/accounts", tag = "accounts",
    params(super::PageParams),
    responses((status = 200, description = "A page of the logins, by name", body = [AccountOut],
        headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one")))),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    crate::extract::Query(page): crate::extract::Query<super::PageParams>,
) -> Result<super::Paged<AccountOut>, Error> {
    let request = page.of("accounts")?;
    let accounts = state.agenda.accounts(&context(&state, &caller)).await?;
    let page = agendo_core::page::Page::of(
        accounts,
        |a| agendo_core::page::name_key(a.name(), a.id()),
        &request,
    );
    Ok(super::Paged(page.map(|a| AccountOut::from(&a)), uri))
}

/// Adds a login (owner).
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts",
    request_body = AccountBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Added", body = AccountOut),
        (status = 409, description = "The e-mail is taken in this business", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<AccountBody>,
) -> Result<(StatusCode, axum::Json<AccountOut>), Error> {
    let fields = AccountFields {
        name: body.name,
        email: Email::parse(&body.email).map_err(|e| at(e, "email"))?,
        role: Role::parse(&body.role)?,
        professional: body
            .staff_id
            .as_deref()
            .map(|id| ProfessionalId::parse(id).map_err(|e| at(e, "staff_id")))
            .transpose()?,
    };
    let account = state
        .agenda
        .create_account(
            &keyed(&state, &caller, key),
            &fields,
            &body.password,
            &state.hasher(),
        )
        .await
        .map_err(|e| match e.field() {
            Some("professional_id") => at(e, "staff_id"),
            _ => e,
        })?;
    Ok((StatusCode::CREATED, axum::Json((&account).into())))
}

/// The signed-in account.
#[utoipa::path(get, path = "/v1/accounts/me", tag = "accounts",
    responses((status = 200, description = "Who is signed in", body = AccountOut)),
    security(("bearer" = [])))]
async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<AccountOut>, Error> {
    let account = state
        .agenda
        .account(&context(&state, &caller), caller.account)
        .await?;
    Ok(axum::Json((&account).into()))
}

/// Retires a login (owner): it can no longer sign in or refresh, and its
/// access tokens stop at once. The last active owner cannot be retired.
#[utoipa::path(delete, path = "/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "Retired", body = AccountOut),
        (status = 404, description = "No such account", body = Problem),
        (status = 409, description = "It is the business's last active owner", body = Problem),
    ),
    security(("bearer" = [])))]
async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountOut>, Error> {
    let id: AccountId = path_id(&id, RecordKind::Account)?;
    let ctx = context(&state, &caller);
    let account = state
        .agenda
        .account(&ctx, id)
        .await?
        .with_activity(Activity::Retired);
    state.agenda.save_account(&ctx, &account).await?;
    Ok(axum::Json((&account).into()))
}
