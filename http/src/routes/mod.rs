//! The API's routes, one module per resource. Each handler parses the
//! request into the engine's types, calls one use case (or one read of the
//! store) and renders the answer; the rules live in `agendo-core`.

pub mod accounts;
pub mod auth;
pub mod availability;
pub mod bookings;
pub mod business;
pub mod channels;
pub mod clients;
pub mod commissions;
pub mod events;
pub mod feeds;
pub mod messages;
pub mod payments;
pub mod pictures;
pub mod public;
pub mod receivables;
pub mod recovery;
pub mod resources;
pub mod services;
pub mod staff;
pub mod system;
pub mod webhooks;

use agendo_core::agenda::{Actor, Context};
use agendo_core::money::Money;
use agendo_core::store::IdempotencyKey;
use agendo_core::store::{Access, UnitOfWork};
use agendo_core::Error as CoreError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::Error;
use crate::state::AppState;

/// An amount of money as sent: exact decimal text and the currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyOut {
    /// The amount, as decimal text (`"80.00"`); never a float.
    #[schema(example = "80.00")]
    pub amount: String,
    /// The ISO 4217 currency code.
    #[schema(example = "BRL")]
    pub currency: String,
}

impl From<Money> for MoneyOut {
    fn from(money: Money) -> MoneyOut {
        MoneyOut {
            amount: money.amount().to_string(),
            currency: money.currency().code().to_owned(),
        }
    }
}

/// The response header with the next page's cursor.
pub const NEXT_CURSOR: &str = "agendo-next-cursor";

/// A page of a list, as sent: the items as a JSON array in the list's
/// stable order; when there are more, the next page's cursor in the
/// `Agendo-Next-Cursor` header and a `Link` to the next page
/// (`rel="next"`), the same request with `cursor` set.
pub struct Paged<T>(pub agendo_core::page::Page<T>, pub axum::http::Uri);

impl<T: Serialize> axum::response::IntoResponse for Paged<T> {
    fn into_response(self) -> axum::response::Response {
        let Paged(page, uri) = self;
        let mut response = axum::Json(page.items).into_response();
        if let Some(next) = page.next {
            let kept = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .filter(|(name, _)| name != "cursor");
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .append_pair("cursor", &next)
                .finish();
            let link = format!("<{}?{query}>; rel=\"next\"", uri.path());
            let headers = response.headers_mut();
            // A cursor is hex and a dot; the link, the request's own path
            // and query re-encoded: both are valid header values.
            if let Ok(value) = axum::http::HeaderValue::from_str(&next) {
                headers.insert(NEXT_CURSOR, value);
            }
            if let Ok(value) = axum::http::HeaderValue::from_str(&link) {
                headers.insert(axum::http::header::LINK, value);
            }
        }
        response
    }
}

/// Which page of a list: the cursor a page gave (none for the first) and
/// how many records a page holds (1 to 200, 50 if left out).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// The `Agendo-Next-Cursor` of the page before; none for the first
    /// page.
    pub cursor: Option<String>,
    /// Records per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageParams {
    /// The page of `list` asked for.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] for `cursor` or `limit`.
    pub fn of(&self, list: &'static str) -> Result<agendo_core::page::PageRequest, Error> {
        page(list, self.cursor.as_deref(), self.limit)
    }
}

/// Reads which page of `list` is asked for.
///
/// # Errors
/// [`CoreError::Invalid`] for `cursor` or `limit`.
pub fn page(
    list: &'static str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<agendo_core::page::PageRequest, Error> {
    Ok(agendo_core::page::PageRequest::read(list, cursor, limit)?)
}

/// Renames the field of an invalid value to the name it has on the wire.
pub fn at(error: CoreError, field: &str) -> CoreError {
    error.at(field)
}

/// Reads an amount from its decimal text, by the engine's one reader of
/// amounts; the engine puts it in the business's currency.
///
/// # Errors
/// [`CoreError::Invalid`] for `field`.
pub fn amount(text: &str, field: &str) -> Result<rust_decimal::Decimal, Error> {
    Ok(agendo_core::money::read_amount(text).map_err(|e| e.at(field))?)
}

/// Reads an RFC 3339 instant with an offset: the engine's one reader.
///
/// # Errors
/// [`CoreError::Invalid`] for `field`.
pub fn instant(text: &str, field: &str) -> Result<DateTime<Utc>, Error> {
    Ok(agendo_core::time::read_instant(text, field)?)
}

/// Reads a `YYYY-MM-DD` date: the engine's one reader.
///
/// # Errors
/// [`CoreError::Invalid`] for `field`.
pub fn date(text: &str, field: &str) -> Result<NaiveDate, Error> {
    Ok(agendo_core::time::read_date(text, field)?)
}

/// The engine's context for `caller` at the host's now: the actor the
/// permission table is asked about is the caller's role (and their own
/// professional).
pub fn context(state: &AppState, caller: &Caller) -> Context {
    Context::new(
        caller.business,
        state.now(),
        Actor::staff(caller.role, caller.professional),
    )
    .with_account(caller.account)
}

/// [`context`] with the request's idempotency key, if it sent one.
pub fn keyed(state: &AppState, caller: &Caller, key: Option<IdempotencyKey>) -> Context {
    let ctx = context(state, caller);
    match key {
        Some(key) => ctx.with_key(key),
        None => ctx,
    }
}

/// A read-only unit of work over the caller's business.
///
/// # Errors
/// [`Error::Core`] when the store fails.
pub async fn read(state: &AppState, caller: &Caller) -> Result<Box<dyn UnitOfWork>, Error> {
    Ok(state
        .agenda
        .store()
        .begin(caller.business, Access::Read)
        .await?)
}

/// Reads a field that may be absent (no change) or `null` (clear it):
/// absent is `None`, `null` is `Some(None)`.
pub fn double<'de, D, T>(reader: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize as _;
    Option::<T>::deserialize(reader).map(Some)
}

/// A response of JSON text written by the engine itself.
pub fn json_text(text: impl AsRef<[u8]> + Send + 'static) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        // Shared, not copied: a kept search's answer text is sent as is.
        bytes::Bytes::from_owner(text),
    )
        .into_response()
}

/// The refusal of a request whose idempotency key was used for another
/// request.
pub fn reused(key: &agendo_core::store::IdempotencyKey) -> Error {
    CoreError::IdempotencyKeyReused {
        key: key.to_string(),
    }
    .into()
}

/// The record found, or "not found" naming its kind and id.
///
/// # Errors
/// [`CoreError::NotFound`].
pub fn found<T>(
    record: Option<T>,
    kind: agendo_core::RecordKind,
    id: impl ToString,
) -> Result<T, Error> {
    record.ok_or_else(|| {
        CoreError::NotFound {
            record: kind,
            id: id.to_string(),
        }
        .into()
    })
}

/// The caller's business.
///
/// # Errors
/// [`CoreError::NotFound`] when it is gone; [`Error::Core`] when the store
/// fails.
pub async fn business(
    state: &AppState,
    caller: &Caller,
) -> Result<agendo_core::business::Business, Error> {
    let mut work = read(state, caller).await?;
    found(
        work.business().await?,
        agendo_core::RecordKind::Business,
        caller.business,
    )
}
