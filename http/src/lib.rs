//! Agendo's HTTP host: the booking engine as a REST API (binary `agendo`).
//!
//! The host is thin: each handler parses the request into the engine's
//! types, calls one use case of [`agendo_core::agenda::Agenda`] (or one
//! read of the store) and renders the answer. What the host adds is what
//! only a server needs: sign-in and tokens ([`auth`]), tenancy from the
//! token (R7), the problem format of errors in two languages ([`error`]),
//! OpenAPI docs ([`openapi`]), metrics and logs ([`metrics`],
//! [`context`]), and configuration ([`config`]).
//!
//! Modules:
//! - [`config`]: settings from environment variables.
//! - [`state`]: what requests share; [`limit`]: the public routes' limit;
//!   [`passwords`]: argon2id in a bounded number of lanes.
//! - [`context`]: the outermost middleware (request id, language, caller,
//!   problem rendering, security headers, log line, metrics).
//! - [`extract`]: extractors whose refusals are problem documents.
//! - [`routes`]: one module per resource.
//! - [`serve`]: the connection loop, with its time-outs and limits.
//! - [`worker`]: gathers and sends messages; [`channels`]: the providers
//!   they go out through (SMTP).

pub mod auth;
pub mod channels;
pub mod config;
pub mod context;
pub mod error;
pub mod extract;
pub mod limit;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod pages;
pub mod passwords;
pub mod routes;
pub mod sealing;
pub mod serve;
pub mod state;
pub mod worker;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{OriginalUri, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Tokens;
use crate::config::{Config, Database};
use crate::error::Error;
use crate::state::{AppState, Db};

/// The router with every route, the docs and the middleware, and the
/// OpenAPI document it serves.
pub fn app(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, api) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::recovery::router())
        .merge(routes::accounts::router())
        .merge(routes::business::router())
        .merge(routes::pictures::router())
        .merge(routes::services::router())
        .merge(routes::resources::router())
        .merge(routes::staff::router())
        .merge(routes::availability::router())
        .merge(routes::clients::router())
        .merge(routes::bookings::router())
        .merge(routes::payments::router())
        .merge(routes::receivables::router())
        .merge(routes::commissions::router())
        .merge(routes::events::router())
        .merge(routes::messages::router())
        .merge(routes::channels::router())
        .merge(routes::webhooks::router())
        .merge(routes::feeds::router())
        .merge(routes::public::router())
        .merge(routes::system::router())
        .split_for_parts();
    let mut api = api;
    openapi::document_errors(&mut api);
    let docs = SwaggerUi::new("/docs").url("/openapi.json", api.clone());
    let router = router
        .merge(docs)
        .merge(pages::router())
        .fallback(not_found)
        .layer(CatchPanicLayer::custom(panicked))
        .layer(cors(&state.config))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::context,
        ))
        .with_state(state);
    (router, api)
}

async fn not_found(OriginalUri(uri): OriginalUri, request: Request) -> Error {
    drop(request);
    Error::RouteNotFound {
        path: uri.path().chars().take(200).collect(),
    }
}

/// A handler that panicked answers 500 with a problem document; the panic
/// is logged, the process goes on.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a handler panicked".to_owned());
    Error::Internal { detail }.into_response()
}

/// Cross-origin calls from the configured origins only (R49); with none
/// configured, no CORS headers at all (same origin only). The refresh
/// cookie needs credentials, so origins are listed, never `*`.
fn cors(config: &Config) -> tower::util::Either<CorsLayer, tower::layer::util::Identity> {
    let origins: Vec<HeaderValue> = config
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return tower::util::Either::Right(tower::layer::util::Identity::new());
    }
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT_LANGUAGE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
        .allow_credentials(true);
    tower::util::Either::Left(layer)
}

/// Opens the configured database, applying the migrations it lacks.
///
/// # Errors
/// [`Error::Sqlite`] or [`Error::Postgres`].
pub async fn open(config: &Config) -> Result<Db, Error> {
    Ok(match &config.database {
        Database::Sqlite(path) => {
            Db::Sqlite(agendo_sqlite::SqliteStore::open_with(path, config.sqlite_durability).await?)
        }
        Database::Postgres(url) => {
            Db::Postgres(agendo_postgres::PgStore::connect_with(url, config.connections).await?)
        }
    })
}

/// The token secret: the configured one, or (development over SQLite) the
/// one kept beside the database file, made on first start.
///
/// # Errors
/// [`Error::Config`] when none is configured and none can be kept;
/// [`Error::Io`] when the file cannot be read or written.
pub fn secret(config: &Config) -> Result<String, Error> {
    if let Some(secret) = &config.secret {
        return Ok(secret.clone());
    }
    let Some(path) = config.secret_file() else {
        return Err(Error::Config {
            var: "AGENDO_SECRET",
            problem: "is required with a Postgres database (at least 32 random bytes)".to_owned(),
        });
    };
    read_or_make_secret(&path)
}

fn read_or_make_secret(path: &Path) -> Result<String, Error> {
    let io = |what: &str, source| Error::Io {
        what: format!("{what} {}", path.display()),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().to_owned()),
        Ok(_) => {
            return Err(Error::Config {
                var: "AGENDO_SECRET",
                problem: format!("the file {} holds less than 32 bytes", path.display()),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("reading the secret", e)),
    }
    let secret = auth::new_secret();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    use std::io::Write as _;
    let mut file = options
        .open(path)
        .map_err(|e| io("creating the secret", e))?;
    file.write_all(secret.as_bytes())
        .map_err(|e| io("writing the secret", e))?;
    tracing::info!(path = %path.display(), "made a new token secret");
    Ok(secret)
}

/// Opens the database and makes the state the routes share.
///
/// # Errors
/// As [`open`] and [`secret`].
pub async fn state(config: Config) -> Result<AppState, Error> {
    let db = open(&config).await?;
    let secret = secret(&config)?;
    let tokens = Tokens::new(secret.as_bytes(), config.access_ttl);
    let passwords = passwords::Passwords::for_host()?;
    let channels = channels::HostChannels::from_config(&config, &secret)?;
    Ok(AppState::new(db, tokens, passwords, channels, config))
}

/// Serves `state` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish and closes the database.
///
/// # Errors
/// [`Error::Io`] when the listener fails.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let (router, _) = app(state.clone());
    let limits = serve::Limits::of(&state.config);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = state.config.run_worker.then(|| {
        let mut stopped = stopped.clone();
        tokio::spawn(worker::run(
            state.clone(),
            Arc::clone(&state.channels),
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            },
        ))
    });
    serve::serve(listener, router, limits, async move {
        shutdown.await;
        let _ = stop.send(true);
    })
    .await;
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    state.db.close().await;
    Ok(())
}
