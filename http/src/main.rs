//! `agendo`: the booking server.
//!
//! Run with `cargo run --release -p agendo-http` (serves on 127.0.0.1:8080
//! over `agendo.db`), or `agendo migrate` to apply the migrations and exit.
//! Settings are environment variables; see the README.

use std::process::ExitCode;

use agendo_http::config::{Config, LogFormat};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// The server allocates and frees small buffers on every request (JSON, headers,
/// answers); mimalloc's per-thread free lists do that with less work than the
/// system allocator. Eight alternated pairs of `http-load` runs: reads alone
/// about 10% faster, reads while 8 connections book about 14% faster.
/// Only the binary chooses; the library crates leave the allocator to their host.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: agendo [serve | worker | migrate]\n\
    serve    run the server (the default), with a worker unless AGENDO_RUN_WORKER=false\n\
    worker   run only the worker that sends messages\n\
    reseal   seal every business's channel credentials again under the newest AGENDO_CHANNEL_KEYS key\n\
    migrate  apply the database migrations and exit\n\
    Settings come from environment variables (AGENDO_BIND, DATABASE_URL, AGENDO_SECRET, ...);\n\
    see the README.";

fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("agendo: {e}");
            return ExitCode::from(2);
        }
    };
    logs(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("agendo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match command.as_deref() {
        None | Some("serve") => runtime.block_on(serve(config)),
        Some("reseal") => runtime.block_on(async {
            let state = agendo_http::state(config).await?;
            let done = agendo_http::channels::reseal(&state).await;
            state.db.close().await;
            let done = done?;
            println!(
                "resealed {}, already under the newest key {}, opened by no key {}",
                done.resealed, done.current, done.unopened
            );
            Ok(())
        }),
        Some("worker") => runtime.block_on(async {
            let state = agendo_http::state(config).await?;
            let channels = std::sync::Arc::clone(&state.channels);
            agendo_http::worker::run(state.clone(), channels, shutdown()).await;
            state.db.close().await;
            Ok(())
        }),
        Some("migrate") => runtime.block_on(async {
            let db = agendo_http::open(&config).await?;
            db.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => {
            eprintln!("agendo: unknown command {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "agendo stopped");
            eprintln!("agendo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), agendo_http::error::Error> {
    let bind = config.bind;
    let state = agendo_http::state(config).await?;
    let listener =
        TcpListener::bind(bind)
            .await
            .map_err(|source| agendo_http::error::Error::Io {
                what: format!("listening on {bind}"),
                source,
            })?;
    tracing::info!(address = %bind, docs = %format!("http://{bind}/docs"), "agendo is serving");
    agendo_http::serve_on(listener, state, shutdown()).await?;
    tracing::info!("agendo stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

fn logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("AGENDO_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}
