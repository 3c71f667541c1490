//! What every request shares: the use cases over the store, the token
//! keys, the settings, the clock and the metrics. The host keeps no other
//! state of its own, so any number of hosts can run on one Postgres.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use agendo_core::agenda::Agenda;
use agendo_core::store::Store;
use chrono::{DateTime, TimeDelta, Utc};

use crate::auth::{LiveSessions, Tokens};
use crate::config::Config;
use crate::limit::Limiter;
use crate::metrics::Metrics;
use crate::passwords::Passwords;

/// The database behind the store, for readiness checks and shutdown.
#[derive(Clone)]
pub enum Db {
    /// SQLite.
    Sqlite(agendo_sqlite::SqliteStore),
    /// Postgres.
    Postgres(agendo_postgres::PgStore),
}

impl Db {
    /// The store.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Db::Sqlite(s) => Arc::new(s.clone()),
            Db::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> bool {
        match self {
            Db::Sqlite(s) => s.ping().await.is_ok(),
            Db::Postgres(s) => s.ping().await.is_ok(),
        }
    }

    /// Closes the connections.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => s.close().await,
            Db::Postgres(s) => s.close().await,
        }
    }
}

/// The host's clock: the system's, moved by an offset that only tests
/// set. The engine never reads a clock; the host reads this one once per
/// request and passes the instant in.
#[derive(Default)]
pub struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by` (for tests of expiry).
    pub fn advance(&self, by: TimeDelta) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// The shared state of the host.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The use cases.
    pub agenda: Agenda,
    /// The database.
    pub db: Db,
    /// Token keys and password hashing.
    pub tokens: Tokens,
    /// The settings.
    pub config: Config,
    /// The clock.
    pub clock: Clock,
    /// Request and booking metrics.
    pub metrics: Metrics,
    /// The per-address limit of the public routes.
    pub public_limit: Limiter,
    /// The password hasher, bounded in lanes and queue.
    pub passwords: Arc<Passwords>,
    /// The sessions found live since the store's last commit.
    pub sessions: LiveSessions,
    /// Turns at reading uploaded pictures: decoding one may take a second
    /// and up to the engine's allocation limit, so only this many at once.
    pub pictures: tokio::sync::Semaphore,
    /// The providers messages go out through.
    pub channels: Arc<crate::channels::HostChannels>,
}

/// How many uploaded pictures are read at once.
pub const PICTURE_LANES: usize = 2;

impl AppState {
    /// The engine's port to the host's password hashing.
    pub fn hasher(&self) -> crate::passwords::Port {
        crate::passwords::Port(Arc::clone(&self.passwords))
    }

    /// State over `db`.
    pub fn new(
        db: Db,
        tokens: Tokens,
        passwords: Arc<Passwords>,
        channels: crate::channels::HostChannels,
        config: Config,
    ) -> AppState {
        let public_limit = Limiter::per_minute(config.public_rate);
        AppState(Arc::new(Inner {
            agenda: Agenda::new(db.store()),
            db,
            tokens,
            config,
            clock: Clock::default(),
            metrics: Metrics::new(),
            public_limit,
            passwords,
            sessions: LiveSessions::default(),
            pictures: tokio::sync::Semaphore::new(PICTURE_LANES),
            channels: Arc::new(channels),
        }))
    }

    /// Now, by the host's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
