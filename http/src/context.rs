//! The middleware every request passes through, outermost: it gives the
//! request an id, finds the reader's language and the caller, and on the
//! way out renders a pending error as a problem document in that
//! language, sets the security headers, logs one line and counts the
//! request in the metrics.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use agendo_core::Lang;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use tracing::Instrument as _;

use crate::auth::Caller;
use crate::config::Mode;
use crate::error::{render, Error, Pending};
use crate::state::AppState;

/// The request's id: the caller's `X-Request-Id` when it is a sane one,
/// or a new UUID. Sent back in the same header and in every log line.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The address the request came from.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

const REQUEST_ID: &str = "x-request-id";

/// The methods counted under their own name in the metrics; any other is
/// counted as `other`, so no caller can add label values at will.
const KNOWN_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The middleware.
pub async fn context(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(request.headers());
    let asked = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(asked_lang);
    let now = state.now();
    let address = client_addr(&request, state.config.trust_proxy);
    let method = request.method().clone();
    let method_label = KNOWN_METHODS
        .into_iter()
        .find(|m| *m == method.as_str())
        .unwrap_or("other");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let docs = path.starts_with("/docs");
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let limit = if crate::extract::is_upload(&method, &path) {
        crate::extract::upload_limit(&state)
    } else {
        state.config.body_limit
    };
    let (caller, mut response) = match admit(&state, request.headers(), now, limit).await {
        Ok(caller) => {
            request.extensions_mut().insert(RequestId(id.clone()));
            request.extensions_mut().insert(ClientAddr(address));
            let reader = asked
                .or(caller.as_ref().map(|c| c.lang))
                .unwrap_or_default();
            request.extensions_mut().insert(Reader(reader));
            if let Some(caller) = &caller {
                request.extensions_mut().insert(caller.clone());
            }
            let response = next.run(request).instrument(span.clone()).await;
            (caller, response)
        }
        Err(error) => (None, error.into_response()),
    };

    let pending = response.extensions_mut().remove::<Pending>().map(|p| p.0);
    let error = pending.or_else(|| unrendered(&response, &method, &path, state.config.body_limit));
    if let Some(error) = error {
        let lang = match asked.or(caller.as_ref().map(|c| c.lang)) {
            Some(lang) => lang,
            // A refusal for too many requests costs no database read.
            None if matches!(*error, Error::TooManyRequests { .. }) => Lang::default(),
            None => public_lang(&state, &path).await.unwrap_or_default(),
        };
        response = render(&error.problem(lang), lang, response);
    }
    secure(response.headers_mut(), docs, state.config.mode);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.request(method_label, &route, status, seconds);
    span.in_scope(|| {
        tracing::info!(status, millis = seconds * 1e3, "answered");
    });
    response
}

/// The language the caller reads: `Accept-Language` when it names one
/// the engine speaks, else the signed-in business's, else the default.
/// Texts a handler writes for people (a booking's history, "why not
/// free?") are in it.
#[derive(Clone, Copy, Debug)]
pub struct Reader(pub Lang);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Reader, std::convert::Infallible> {
        Ok(parts
            .extensions
            .get::<Reader>()
            .copied()
            .unwrap_or(Reader(Lang::default())))
    }
}

/// What must hold before a request reaches its handler: a body no larger
/// than the limit by its declared length (refused before a byte of it is
/// read), and a bearer token whose session is still live. Answers the
/// caller the token names, if any.
async fn admit(
    state: &AppState,
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
    limit: usize,
) -> Result<Option<Caller>, Error> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(Error::PayloadTooLarge { limit });
    }
    let Some(caller) = bearer(headers).and_then(|token| state.tokens.caller(token, now)) else {
        return Ok(None);
    };
    state.sessions.check(&state.agenda, caller, now).await
}

/// The error a response of an error status carries when no handler of ours
/// wrote it (a rejection of axum's own, a method the route lacks), so that
/// every error is a problem document.
fn unrendered(
    response: &Response,
    method: &axum::http::Method,
    path: &str,
    limit: usize,
) -> Option<Arc<Error>> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    // A problem document, or a page's own error page, is rendered already.
    let rendered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/problem+json")
                || v.as_bytes().starts_with(b"text/html")
        });
    if rendered {
        return None;
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed {
            method: method.as_str().chars().take(32).collect(),
        },
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge { limit },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::NotJson,
        StatusCode::NOT_FOUND => Error::RouteNotFound {
            path: path.chars().take(200).collect(),
        },
        s if s.is_server_error() => Error::Internal {
            detail: format!("a {s} without a problem document"),
        },
        _ => Error::BadRequest {
            what: "a path or query parameter is not valid text".to_owned(),
        },
    };
    Some(Arc::new(error))
}

/// The language of the business a public route names, for a caller who
/// asked for none: the business's page (`/v1/public/{slug}...`) or a
/// manage link (`/v1/manage/{token}...`) speaks the business's language.
async fn public_lang(state: &AppState, path: &str) -> Option<Lang> {
    let mut parts = path.trim_start_matches('/').split('/');
    let business = match (parts.next(), parts.next(), parts.next()) {
        (Some("v1"), Some("public"), Some(slug)) => {
            return crate::routes::public::business(state, slug)
                .await
                .ok()
                .map(|b| b.locale())
        }
        (Some("v1"), Some("manage"), Some(token)) => {
            state.tokens.manage(token, state.now())?.business
        }
        _ => return None,
    };
    let mut work = state
        .agenda
        .store()
        .begin(business, agendo_core::store::Access::Read)
        .await
        .ok()?;
    Some(work.business().await.ok()??.locale())
}

/// The language an `Accept-Language` list asks for, if it names one the
/// engine speaks (`fr, pt;q=0.5` is Portuguese); `None` when it names
/// neither, so the business's language is used instead.
pub(crate) fn asked_lang(header: &str) -> Option<Lang> {
    let speaks = header.split(',').any(|part| {
        let primary = part
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default();
        primary.eq_ignore_ascii_case("pt") || primary.eq_ignore_ascii_case("en")
    });
    speaks.then(|| Lang::from_tag(header))
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(new_request_id, str::to_owned)
}

/// A new request id, a random UUID: from the thread's generator (seeded
/// from the system's), not a system call per request as `Uuid::new_v4`.
fn new_request_id() -> String {
    use rand::RngExt as _;
    let bytes: [u8; 16] = rand::rng().random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn client_addr(request: &Request, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(address) = forwarded {
            return address;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The security headers (R49). The docs page runs Swagger UI's own
/// scripts and styles from this host; everything else is data only.
fn secure(headers: &mut HeaderMap, docs: bool, mode: Mode) {
    let policy = if docs {
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
         script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'"
    };
    // A page sets its own policy, with the nonce of its script and style.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) && !docs {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if mode == Mode::Production {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_request_ids_are_random_uuids() {
        let (a, b) = (request_id(&HeaderMap::new()), request_id(&HeaderMap::new()));
        let uuid = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(uuid.get_version(), Some(uuid::Version::Random));
        assert_ne!(a, b);
        let mut sent = HeaderMap::new();
        sent.insert(REQUEST_ID, HeaderValue::from_static("trace-42"));
        assert_eq!(request_id(&sent), "trace-42");
    }

    #[test]
    fn a_language_the_engine_does_not_speak_falls_back_to_the_business() {
        assert_eq!(asked_lang("fr-FR, de;q=0.8"), None);
        assert_eq!(asked_lang("fr, pt-BR;q=0.5"), Some(Lang::PtBr));
        assert_eq!(asked_lang("en-US"), Some(Lang::En));
    }
}
