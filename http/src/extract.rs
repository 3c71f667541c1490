//! Extractors whose refusals speak the API's problem format: a JSON body
//! read with the path of the bad field, query parameters, ids in paths,
//! the idempotency key and the signed-in caller.

use std::str::FromStr;

use agendo_core::store::IdempotencyKey;
use agendo_core::RecordKind;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::context::ClientAddr;
use crate::error::Error;
use crate::state::AppState;

/// A JSON body, read with `serde_path_to_error` so a bad value names its
/// field, and a malformed document names the line and column.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Json<T>, Error> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        if !is_json {
            return Err(Error::NotJson);
        }
        let bytes = read_body(request, state).await?;
        parse(&bytes).map(Json)
    }
}

/// A body as bytes, read within the size limit and the request time-out:
/// for routes that take JSON or nothing.
pub struct Body(pub axum::body::Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Body, Error> {
        read_body(request, state).await.map(Body)
    }
}

/// An uploaded picture's bytes, read within the picture limit
/// ([`agendo_core::picture::MAX_BYTES`]) and the request time-out. What
/// the bytes are is told by the engine from their content, not from the
/// declared type.
pub struct Upload(pub axum::body::Bytes);

impl FromRequest<AppState> for Upload {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Upload, Error> {
        read_body_within(request, state, upload_limit(state))
            .await
            .map(Upload)
    }
}

/// The most bytes a picture upload may have: the picture limit, or the
/// body limit if set higher.
pub fn upload_limit(state: &AppState) -> usize {
    agendo_core::picture::MAX_BYTES.max(state.config.body_limit)
}

/// Whether a request is a picture upload (`PUT …/logo`, `PUT …/photo`),
/// which may be as large as [`upload_limit`].
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::PUT && (path.ends_with("/logo") || path.ends_with("/photo"))
}

/// Reads a request's body, refusing one larger than the limit and one
/// that does not arrive within the request time-out, so a slow or endless
/// body holds nothing for long.
///
/// # Errors
/// [`Error::PayloadTooLarge`], [`Error::RequestTimeout`].
pub async fn read_body(request: Request, state: &AppState) -> Result<axum::body::Bytes, Error> {
    read_body_within(request, state, state.config.body_limit).await
}

/// [`read_body`] with another size limit.
///
/// # Errors
/// [`Error::PayloadTooLarge`], [`Error::RequestTimeout`].
pub async fn read_body_within(
    request: Request,
    state: &AppState,
    limit: usize,
) -> Result<axum::body::Bytes, Error> {
    let timeout = state.config.request_timeout;
    match tokio::time::timeout(timeout, axum::body::to_bytes(request.into_body(), limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(Error::PayloadTooLarge { limit }),
        Err(_) => Err(Error::RequestTimeout {
            seconds: timeout.as_secs(),
        }),
    }
}

/// Reads JSON text into `T`, naming the field of the first bad value.
///
/// # Errors
/// [`agendo_core::Error::MalformedJson`].
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let malformed = |field: String, inner: serde_json::Error| {
        Error::Core(agendo_core::Error::MalformedJson {
            field,
            detail: strip_position(&inner.to_string()),
            line: inner.line(),
            column: inner.column(),
        })
    };
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        malformed(field, error.into_inner())
    })?;
    reader.end().map_err(|e| malformed("body".to_owned(), e))?;
    Ok(value)
}

/// serde_json's message without its " at line L column C" tail, which the
/// error carries separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Query parameters, read so a bad one names itself.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Query<T>, Error> {
        let query = parts.uri.query().unwrap_or_default();
        let reader = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(reader)
            .map(Query)
            .map_err(|error| {
                let path = error.path().to_string();
                let problem = error.into_inner().to_string();
                // A missing field is named in the message, not the path.
                let field = if path == "." {
                    problem.split('`').nth(1).unwrap_or("query").to_owned()
                } else {
                    path
                };
                Error::BadParameter { field, problem }
            })
    }
}

/// An id from a path. A malformed id is "not found", like any other id
/// the business does not have (R8).
///
/// # Errors
/// [`agendo_core::Error::NotFound`].
pub fn path_id<T: FromStr>(text: &str, record: RecordKind) -> Result<T, Error> {
    text.parse().map_err(|_| {
        Error::Core(agendo_core::Error::NotFound {
            record,
            id: text.chars().take(64).collect(),
        })
    })
}

/// The `Idempotency-Key` header, if sent.
pub struct Idempotency(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Idempotency, Error> {
        match parts.headers.get("idempotency-key") {
            None => Ok(Idempotency(None)),
            Some(value) => {
                let text = value.to_str().unwrap_or("\u{fffd}");
                Ok(Idempotency(Some(IdempotencyKey::parse(text)?)))
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, Error> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(Error::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Error> {
        Ok(parts
            .extensions
            .get::<ClientAddr>()
            .copied()
            .unwrap_or(ClientAddr(std::net::IpAddr::from([0, 0, 0, 0]))))
    }
}
