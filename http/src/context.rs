//! The middleware every request passes through, outermost: it gives the
//! request an id, finds the reader's language and the caller, and on the
//! way out renders a pending error as a problem document in that
//! language, sets the security headers, logs one line and counts the
//! request in the metrics.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use agendo_core::Lang;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

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
    let caller = bearer(request.headers()).and_then(|token| state.tokens.caller(token, now));
    let address = client_addr(&request, state.config.trust_proxy);
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let docs = request.uri().path().starts_with("/docs");
    request.extensions_mut().insert(RequestId(id.clone()));
    request.extensions_mut().insert(ClientAddr(address));
    if let Some(caller) = &caller {
        request.extensions_mut().insert(caller.clone());
    }
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let mut response = next.run(request).instrument(span.clone()).await;

    let lang = asked
        .or(caller.as_ref().map(|c| c.lang))
        .unwrap_or_default();
    if let Some(Pending(error)) = response.extensions_mut().remove::<Pending>() {
        response = render(&error.problem(lang), lang, response);
    } else if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        let error = Error::MethodNotAllowed {
            method: method.to_string(),
        };
        response = render(&error.problem(lang), lang, response);
    }
    secure(response.headers_mut(), docs, state.config.mode);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state
        .metrics
        .request(method.as_str(), &route, status, seconds);
    span.in_scope(|| {
        tracing::info!(status, millis = seconds * 1e3, "answered");
    });
    response
}

/// The language an `Accept-Language` list asks for, if it names one the
/// engine speaks (`fr, pt;q=0.5` is Portuguese); `None` when it names
/// neither, so the business's language is used instead.
fn asked_lang(header: &str) -> Option<Lang> {
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
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
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
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
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
    fn a_language_the_engine_does_not_speak_falls_back_to_the_business() {
        assert_eq!(asked_lang("fr-FR, de;q=0.8"), None);
        assert_eq!(asked_lang("fr, pt-BR;q=0.5"), Some(Lang::PtBr));
        assert_eq!(asked_lang("en-US"), Some(Lang::En));
    }
}
