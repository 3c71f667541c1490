//! The crate's one error type, and how it answers a request: RFC 9457
//! `application/problem+json` with a stable `code`, a message in the
//! reader's language (R57) and, for invalid input, the field.
//!
//! A handler returns `Err(Error)`; the response carries the error itself
//! (as an extension) and [`crate::context`] renders its body in the
//! request's language, which only the middleware knows. Internals never
//! reach the caller: a database failure is logged with its detail and
//! answered 503 with a generic message.

use agendo_core::Class;
use agendo_core::Lang;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Everything that can go wrong in the host: at start-up, or answering a
/// request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting is missing or wrong.
    #[error("{var} {problem}")]
    Config {
        /// The environment variable.
        var: &'static str,
        /// What is wrong with it.
        problem: String,
    },

    /// The SQLite store could not be opened.
    #[error("the SQLite database cannot be opened: {0}")]
    Sqlite(#[from] agendo_sqlite::Error),

    /// The Postgres store could not be reached.
    #[error("the Postgres database cannot be reached: {0}")]
    Postgres(#[from] agendo_postgres::Error),

    /// A file or socket failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The failure.
        source: std::io::Error,
    },

    /// The engine refused the request, or its store failed.
    #[error(transparent)]
    Core(agendo_core::Error),

    /// No valid access token came with a request that needs one.
    #[error("sign in first: the access token is missing, expired or not valid")]
    Unauthenticated,

    /// The e-mail and password do not match an active account.
    #[error("the e-mail or the password is wrong")]
    BadCredentials,

    /// Too many attempts; try again after `retry_after` seconds (R6).
    #[error("too many attempts; try again in {retry_after} seconds")]
    TooManyRequests {
        /// Seconds until a new attempt is allowed.
        retry_after: u64,
    },

    /// The host is doing as much of this work as it can at once (hashing
    /// passwords); try again after `retry_after` seconds.
    #[error("the server is busy; try again in {retry_after} seconds")]
    Busy {
        /// Seconds to wait.
        retry_after: u64,
    },

    /// The body is not JSON.
    #[error("the body must be JSON (Content-Type: application/json)")]
    NotJson,

    /// A query string parameter is missing or not of its type.
    #[error("{field}: {problem}")]
    BadParameter {
        /// The parameter.
        field: String,
        /// What is wrong.
        problem: String,
    },

    /// No route has this path.
    #[error("no such route: {path}")]
    RouteNotFound {
        /// The path asked for.
        path: String,
    },

    /// The route exists but not with this method.
    #[error("{method} is not allowed here")]
    MethodNotAllowed {
        /// The method used.
        method: String,
    },

    /// The body is larger than the host accepts.
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },

    /// A time asked for on a public route cannot be booked. Says so and
    /// nothing more: an anonymous caller is not told whose booking or
    /// which block holds it.
    #[error("this time is no longer available; please choose another")]
    TimeUnavailable {
        /// The engine's code for why (`slot_taken`, `outside_working_hours`).
        code: &'static str,
    },

    /// The body did not arrive in time.
    #[error("the request was not received within {seconds} seconds")]
    RequestTimeout {
        /// The time-out, in seconds.
        seconds: u64,
    },

    /// The request is not one HTTP can carry here: a path or header that
    /// is not valid text, a malformed request line.
    #[error("the request is malformed: {what}")]
    BadRequest {
        /// What is wrong with it.
        what: String,
    },

    /// A handler panicked, or something the host cannot explain went
    /// wrong; the detail is logged, not sent.
    #[error("internal error: {detail}")]
    Internal {
        /// What happened, for the log.
        detail: String,
    },
}

/// A problem as sent (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:agendo:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short title of the kind, in the reader's language.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, in the reader's language.
    pub detail: String,
    /// A stable, machine-readable name of the cause (`slot_taken`,
    /// `invalid_field`, ...).
    pub code: String,
    /// The fields at fault, for invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// More about the cause: the bookings a slot clashes with, the
    /// policy's fee, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub context: Option<serde_json::Value>,
}

/// One field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a path into the request (`weekly.mon[1]`).
    pub field: String,
    /// What is wrong with it, in the reader's language.
    pub message: String,
}

impl From<agendo_core::Error> for Error {
    fn from(error: agendo_core::Error) -> Error {
        match error {
            // The host's own load shedding, through the engine's port.
            agendo_core::Error::Busy { retry_after } => Error::Busy { retry_after },
            agendo_core::Error::TooManyAttempts { retry_after } => {
                Error::TooManyRequests { retry_after }
            }
            other => Error::Core(other),
        }
    }
}

impl Error {
    /// The error as a caller who did not sign in may see it: a time that
    /// cannot be booked says so without naming the bookings or blocks in
    /// the way; any other error is unchanged.
    pub fn for_public(error: agendo_core::Error) -> Error {
        use agendo_core::Error as Core;
        match error {
            Core::SlotTaken { .. } | Core::Blocked { .. } => {
                Error::TimeUnavailable { code: "slot_taken" }
            }
            Core::OutsideWorkingHours { .. } => Error::TimeUnavailable {
                code: "outside_working_hours",
            },
            other => Error::Core(other),
        }
    }

    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Core(core) => match core.class() {
                Class::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                Class::Malformed => StatusCode::BAD_REQUEST,
                Class::NotFound => StatusCode::NOT_FOUND,
                Class::Forbidden => StatusCode::FORBIDDEN,
                Class::SessionEnded => StatusCode::UNAUTHORIZED,
                Class::Busy | Class::Storage => StatusCode::SERVICE_UNAVAILABLE,
                Class::Limited => StatusCode::TOO_MANY_REQUESTS,
                // A clash with what is stored: a taken slot, a move the
                // booking's state does not allow, a name taken.
                _ => StatusCode::CONFLICT,
            },
            Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::BadParameter { .. } => StatusCode::BAD_REQUEST,
            Error::RouteNotFound { .. } => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Error::TimeUnavailable { .. } => StatusCode::CONFLICT,
            Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::Config { .. } | Error::Sqlite(_) | Error::Postgres(_) | Error::Io { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code of the cause.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Core(core) => core.code(),
            Error::Unauthenticated => "unauthenticated",
            Error::BadCredentials => "bad_credentials",
            Error::TooManyRequests { .. } => "too_many_requests",
            Error::Busy { .. } => "busy",
            Error::NotJson => "unsupported_media_type",
            Error::BadParameter { .. } => "bad_parameter",
            Error::RouteNotFound { .. } => "route_not_found",
            Error::MethodNotAllowed { .. } => "method_not_allowed",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::RequestTimeout { .. } => "request_timeout",
            Error::TimeUnavailable { code } => code,
            Error::BadRequest { .. } => "bad_request",
            Error::Config { .. } | Error::Sqlite(_) | Error::Postgres(_) | Error::Io { .. } => {
                "unavailable"
            }
            Error::Internal { .. } => "internal",
        }
    }

    /// The message for a person reading `lang`. Failures of the host's
    /// own parts say only that the service is unavailable.
    pub fn message(&self, lang: Lang) -> String {
        let pt = |text: String| {
            if lang == Lang::PtBr {
                text
            } else {
                self.to_string()
            }
        };
        match self {
            Error::Core(agendo_core::Error::Storage { .. })
            | Error::Config { .. }
            | Error::Sqlite(_)
            | Error::Postgres(_)
            | Error::Io { .. } => lang
                .pick(
                    "the service is unavailable for a moment; try again shortly",
                    "o serviço está indisponível no momento; tente novamente em instantes",
                )
                .to_owned(),
            Error::Internal { .. } => lang
                .pick(
                    "something went wrong on our side; the request was not completed",
                    "algo deu errado do nosso lado; a requisição não foi concluída",
                )
                .to_owned(),
            Error::Core(core) => core.message(lang),
            Error::Unauthenticated => pt(
                "entre primeiro: o token de acesso está ausente, expirado ou inválido".to_owned(),
            ),
            Error::BadCredentials => pt("o e-mail ou a senha estão incorretos".to_owned()),
            Error::TooManyRequests { retry_after } => pt(format!(
                "tentativas demais; tente novamente em {retry_after} segundos"
            )),
            Error::Busy { retry_after } => pt(format!(
                "o servidor está ocupado; tente novamente em {retry_after} segundos"
            )),
            Error::NotJson => {
                pt("o corpo deve ser JSON (Content-Type: application/json)".to_owned())
            }
            Error::BadParameter { field, problem } => pt(format!("{field}: {problem}")),
            Error::RouteNotFound { path } => pt(format!("rota inexistente: {path}")),
            Error::MethodNotAllowed { method } => pt(format!("{method} não é permitido aqui")),
            Error::PayloadTooLarge { limit } => pt(format!("o corpo é maior que {limit} bytes")),
            Error::RequestTimeout { seconds } => pt(format!(
                "a requisição não foi recebida em {seconds} segundos"
            )),
            Error::TimeUnavailable { .. } => {
                pt("esse horário não está mais disponível; escolha outro".to_owned())
            }
            Error::BadRequest { what } => pt(format!("a requisição está malformada: {what}")),
        }
    }

    /// The problem document in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let status = self.status();
        let errors = match self {
            Error::Core(core) => core
                .field()
                .map(|field| FieldError {
                    field: field.to_owned(),
                    message: match core {
                        agendo_core::Error::Invalid { problem, .. } => problem.message(lang),
                        other => other.message(lang),
                    },
                })
                .into_iter()
                .collect(),
            Error::BadParameter { field, .. } => vec![FieldError {
                field: field.clone(),
                message: self.message(lang),
            }],
            _ => Vec::new(),
        };
        Problem {
            kind: format!("urn:agendo:problem:{}", self.code()),
            title: title(status, lang),
            status: status.as_u16(),
            detail: self.message(lang),
            code: self.code().to_owned(),
            errors,
            context: self.context(),
        }
    }

    /// Data that helps a program act on the error.
    fn context(&self) -> Option<serde_json::Value> {
        use agendo_core::Error as Core;
        match self {
            Error::Core(Core::SlotTaken {
                staff,
                bookings,
                capacity,
                shown,
            }) => Some(whose(
                staff.as_str(),
                shown.as_deref(),
                serde_json::json!({
                    "bookings": bookings.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
                    "capacity": capacity,
                }),
            )),
            Error::Core(Core::Blocked {
                staff,
                block,
                span,
                shown,
            }) => Some(whose(
                staff.as_str(),
                shown.as_deref(),
                serde_json::json!({
                    "block": block.as_str(),
                    "start": span.start(),
                    "end": span.end(),
                }),
            )),
            Error::Core(Core::OutsideWorkingHours { staff, span, shown }) => Some(whose(
                staff.as_str(),
                shown.as_deref(),
                serde_json::json!({"start": span.start(), "end": span.end()}),
            )),
            // The ids the messages leave out, for programs.
            Error::Core(
                Core::IllegalTransition { booking, .. }
                | Core::NotStartedYet { booking, .. }
                | Core::DepositNotPaid { booking, .. }
                | Core::NotInSeries { booking },
            ) => Some(serde_json::json!({ "booking": booking.to_string() })),
            Error::Core(
                Core::IllegalPaymentTransition { payment, .. }
                | Core::RefundTooLarge { payment, .. },
            ) => Some(serde_json::json!({ "payment": payment.to_string() })),
            Error::TooManyRequests { retry_after } | Error::Busy { retry_after } => {
                Some(serde_json::json!({ "retry_after": retry_after }))
            }
            // Each occurrence that cannot be booked or moved, why, and the
            // next free starts that week.
            Error::Core(Core::SeriesClashes { clashes, .. }) => Some(serde_json::json!({
                "clashes": clashes.iter().map(|c| serde_json::json!({
                    "index": c.index,
                    "start": c.start,
                    "code": c.cause.code(),
                    "alternatives": c.alternatives,
                })).collect::<Vec<_>>(),
            })),
            Error::Core(Core::NoResourceOfKind { kind }) => {
                Some(serde_json::json!({ "resource_kind": kind }))
            }
            _ => None,
        }
    }

    /// Logs the error at the level its cause deserves: the host's own
    /// failures as errors with their detail, the caller's as debug.
    pub fn log(&self) {
        match self.status() {
            // Shedding load is the host working as meant, not failing.
            _ if matches!(self, Error::Busy { .. }) => {
                tracing::warn!(code = self.code(), "request shed: the host is busy")
            }
            s if s.is_server_error() => {
                tracing::error!(error = %self, code = self.code(), "request failed")
            }
            _ => tracing::debug!(code = self.code(), "request refused"),
        }
    }
}

/// The title of a status, in `lang`.
fn title(status: StatusCode, lang: Lang) -> String {
    let (en, pt) = match status.as_u16() {
        400 => ("Bad request", "Requisição inválida"),
        401 => ("Unauthorized", "Não autenticado"),
        403 => ("Forbidden", "Proibido"),
        404 => ("Not found", "Não encontrado"),
        405 => ("Method not allowed", "Método não permitido"),
        408 => ("Request timeout", "Tempo de requisição esgotado"),
        409 => ("Conflict", "Conflito"),
        413 => ("Payload too large", "Corpo grande demais"),
        415 => ("Unsupported media type", "Tipo de conteúdo não suportado"),
        422 => ("Unprocessable content", "Conteúdo inválido"),
        429 => ("Too many requests", "Requisições demais"),
        503 => ("Service unavailable", "Serviço indisponível"),
        _ => ("Internal error", "Erro interno"),
    };
    lang.pick(en, pt).to_owned()
}

/// A conflict's context with whose time it is: `staff` (the
/// professional's id) or `resource` (the room's).
fn whose(
    key: &str,
    shown: Option<&agendo_core::Shown>,
    mut context: serde_json::Value,
) -> serde_json::Value {
    let name = match shown.map(|s| s.on) {
        Some(agendo_core::business::Bookable::Resource(_)) => "resource",
        _ => "staff",
    };
    if let Some(map) = context.as_object_mut() {
        map.insert(name.to_owned(), serde_json::Value::String(key.to_owned()));
    }
    context
}

/// The error kept in a response until [`crate::context`] renders it.
#[derive(Clone, Debug)]
pub struct Pending(pub std::sync::Arc<Error>);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.status().into_response();
        let retry_after = match &self {
            Error::TooManyRequests { retry_after } | Error::Busy { retry_after } => {
                Some(*retry_after)
            }
            // A write that kept meeting concurrent writers: at once again.
            Error::Core(core) if core.class() == Class::Busy => Some(1),
            _ => None,
        };
        if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
            .extensions_mut()
            .insert(Pending(std::sync::Arc::new(self)));
        response
    }
}

/// Renders `problem` as the response body.
pub fn render(problem: &Problem, lang: Lang, mut response: Response) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.tag()),
    );
    headers.remove(header::CONTENT_LENGTH);
    *response.body_mut() = axum::body::Body::from(body);
    response
}
