//! Agendo's store over PostgreSQL (`agendo-postgres`).
//!
//! For hosts that run many copies behind a load balancer. How it keeps the
//! ports' promises with many writers at once (`READ COMMITTED`):
//! - **The final guard is the database's.** `bookings` carries an exclusion
//!   constraint (`EXCLUDE USING gist (business_id WITH =, professional_id
//!   WITH =, held WITH &&) WHERE active AND exclusive`, with btree_gist) and
//!   the same for resources. A booking is inserted with `ON CONFLICT DO
//!   NOTHING`; when nothing was inserted, the store reads who holds the
//!   time and answers the core's [`agendo_core::Error::SlotTaken`] naming
//!   those bookings. Two hosts booking one slot at once: Postgres makes the
//!   second wait for the first and then refuses it.
//! - **Capacity above 1** (a room of three chairs): such bookings are not
//!   `exclusive`, so the constraint leaves them alone; instead the store
//!   locks the professional's (resource's) row and counts the overlapping
//!   active bookings, as the other stores do. Capacity 1, the common case,
//!   keeps the constraint in full.
//! - **One writer per record.** A write unit of work reads a booking,
//!   payment or receivable `FOR UPDATE`, so two confirmations or refunds of
//!   one payment take turns and the second sees the first.
//! - **Events are numbered on read** ([`numbering`]): writers add them
//!   unnumbered and never take turns; a reader first numbers those
//!   committed, under the business's advisory lock, in a transaction of
//!   its own. A booking with its events can so be one statement
//!   ([`Store::book_alone`]).
//! - **Idempotency keys** take a transaction-scoped advisory lock on the
//!   key before reading it, so concurrent retries wait for the first and
//!   replay its outcome; the table's primary key is the backstop.
//!
//! - **Overlap reads use the gist indexes**: "who holds this time" asks
//!   the exclusion constraint's index (and a partial gist index for the
//!   bookings it leaves to the count), so its cost does not grow with the
//!   agenda.
//! - **Connections** come from a pool (deadpool) that spends no round trip
//!   testing them: a unit of work that committed leaves its connection
//!   clean; one dropped without commit is rolled back at once from a
//!   spawned task, releasing its locks; a connection the server closed
//!   fails the next `BEGIN` (or a read's first statement), which is
//!   retried once on a new one.
//! - **Reads open no transaction**: under `READ COMMITTED` each statement
//!   sees its own snapshot inside one too, so a read unit of work runs its
//!   statements alone and saves `BEGIN READ ONLY` and `ROLLBACK`, two of
//!   the three round trips of a one-statement read.
//!
//! Versioned migrations are in `migrations/`, applied on connect.
//!
//! # Example
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use agendo_core::ids::{BusinessId, ProfessionalId};
//! use agendo_core::store::{Access, Store};
//! use agendo_postgres::PgStore;
//!
//! let store = PgStore::connect("postgres://agendo@localhost/agendo").await?;
//! let mut work = store.begin(BusinessId::random(), Access::Read).await?;
//! assert!(work.business().await?.is_none());
//! # Ok(()) }
//! ```

mod notice;
mod numbering;

pub use numbering::NUMBERER_NAME;

use agendo_core::account::Slug;
use agendo_core::booking::Booking;
use agendo_core::business::Bookable;
use agendo_core::contact::Email;
use agendo_core::ids::{BusinessId, ProfessionalId};
use agendo_core::message::{Claimed, Outcome as Sending};
use agendo_core::store::{
    Access, Alone, ChangeLog, Changed, Ended, IdempotencyKey, Login, Store, UnitOfWork,
};
use agendo_core::webhook::ClaimedHook;
use agendo_sql::record::field;
use agendo_sql::sql::{self, Fields, Params, Query as Statement};
use agendo_sql::work::{alone_allowed, guard, has_room, table_of, Meeting, ACTIVE};
use agendo_sql::{directory, queue};
use agendo_sql::{Connection, Row, Stored, Value, Work};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use deadpool::managed::{self, Object, PoolError, RecycleResult};
use rust_decimal::Decimal;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgRow};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Connection as _, PgConnection, Postgres};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The migrations of this crate's schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections kept open by default.
pub const DEFAULT_CONNECTIONS: u32 = 16;

/// Postgres's code for an exclusion constraint violation.
const EXCLUSION_VIOLATION: &str = "23P01";

/// What can go wrong connecting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL is not a Postgres URL.
    #[error("DATABASE_URL is not a valid Postgres URL: {0}")]
    Url(sqlx::Error),
    /// The server could not be reached or refused the login.
    #[error("could not connect to Postgres: {0}")]
    Connect(sqlx::Error),
    /// A migration failed; the schema is as it was before it.
    #[error("could not migrate the Postgres database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Records in a Postgres database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    changes: Arc<Changes>,
    numberer: Arc<numbering::Numberer>,
}

/// The channel every write unit of work notifies when it commits.
const CHANNEL: &str = "agendo_changes";

/// The name the listening connection gives itself, so operators (and
/// tests) can tell it from the pool's.
pub const LISTENER_NAME: &str = "agendo-listener";

/// What this host knows of commits: its own, counted as they happen, and
/// every other host's, heard on [`CHANNEL`] by a listening connection, each
/// with what it changed ([`notice`]). While the listener is not connected,
/// the store says nothing of its version, so nothing read is kept.
struct Changes {
    log: Arc<ChangeLog>,
    /// This host's id in its notifications, so it skips its own.
    host: Uuid,
    listening: AtomicBool,
    /// The listener and the notifier.
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Notifications not yet sent, for the notifier.
    outbox: std::sync::Mutex<Vec<String>>,
    wake: tokio::sync::Notify,
}

impl Default for Changes {
    fn default() -> Changes {
        Changes {
            log: Arc::default(),
            host: Uuid::new_v4(),
            listening: AtomicBool::new(false),
            tasks: std::sync::Mutex::new(Vec::new()),
            outbox: std::sync::Mutex::new(Vec::new()),
            wake: tokio::sync::Notify::new(),
        }
    }
}

/// The most notifications waiting to be sent; past it they become one
/// that tells every other host to read again whatever it kept.
const OUTBOX: usize = 4_096;

impl Changes {
    /// Tells every other host what this one committed: queued for the
    /// notifier, so no commit waits for it.
    fn tell(&self, changed: &Changed) {
        let mut outbox = self.outbox.lock().unwrap_or_else(|e| e.into_inner());
        if outbox.len() >= OUTBOX {
            outbox.clear();
            outbox.push(notice::unknown(self.host));
        }
        outbox.push(notice::write(self.host, changed));
        drop(outbox);
        self.wake.notify_one();
    }

    /// Counts what a notification says another host committed.
    fn heard(&self, payload: &str) {
        match notice::read(payload) {
            Some((host, _)) if host == self.host => {}
            Some((_, changed)) => {
                self.log.record(&changed);
            }
            None => {
                self.log.forget();
            }
        }
    }
}

/// Listens on [`CHANNEL`] for as long as `changes` lives, reconnecting
/// after a second when the connection is lost.
async fn listen(url: String, changes: std::sync::Weak<Changes>) {
    loop {
        if let Ok(mut listener) = sqlx::postgres::PgListener::connect(&url).await {
            if listener.listen(CHANNEL).await.is_ok() {
                let Some(live) = changes.upgrade() else {
                    return;
                };
                // Anything may have changed while nobody listened.
                live.log.forget();
                live.listening.store(true, Ordering::SeqCst);
                drop(live);
                loop {
                    let heard = listener.try_recv().await;
                    let Some(live) = changes.upgrade() else {
                        return;
                    };
                    match heard {
                        Ok(Some(notification)) => live.heard(notification.payload()),
                        _ => {
                            live.listening.store(false, Ordering::SeqCst);
                            live.log.forget();
                            break;
                        }
                    }
                }
            }
        }
        if changes.upgrade().is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The name the notifying connection gives itself.
pub const NOTIFIER_NAME: &str = "agendo-notifier";

/// How long after sending the notifier lets commits gather before it
/// sends again: under many commits a second it sends at most one
/// statement in this time, instead of one for each few commits (each
/// wakes every host's listener), and a lone commit still goes at once.
/// Other hosts hear of a commit at most this much later.
const GATHER: Duration = Duration::from_millis(10);

/// Sends the notifications this host's commits queued, on a connection of
/// its own, all waiting at once in one statement (a commit after a quiet
/// spell at once, later ones gathered for [`GATHER`]), for as long as
/// `changes` lives; on a failure, again a second later.
async fn notify(url: String, changes: std::sync::Weak<Changes>) {
    let mut conn: Option<PgConnection> = None;
    let mut sent_at: Option<tokio::time::Instant> = None;
    loop {
        if let Some(at) = sent_at.take() {
            tokio::time::sleep_until(at + GATHER).await;
        }
        let Some(live) = changes.upgrade() else {
            return;
        };
        let waiting = std::mem::take(&mut *live.outbox.lock().unwrap_or_else(|e| e.into_inner()));
        if waiting.is_empty() {
            // Wakes for a commit, or each second to see the store is gone.
            let _ = tokio::time::timeout(Duration::from_secs(1), live.wake.notified()).await;
            continue;
        }
        drop(live);
        if conn.is_none() {
            conn = PgConnection::connect(&url).await.ok();
        }
        sent_at = Some(tokio::time::Instant::now());
        let sent = match conn.as_mut() {
            Some(c) => sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
                .bind(CHANNEL)
                .bind(&waiting)
                .execute(c)
                .await
                .is_ok(),
            None => false,
        };
        if !sent {
            conn = None;
            if let Some(live) = changes.upgrade() {
                // Put back, oldest first, within the bound.
                let mut outbox = live.outbox.lock().unwrap_or_else(|e| e.into_inner());
                let newer = std::mem::replace(&mut *outbox, waiting);
                outbox.extend(newer);
                if outbox.len() > OUTBOX {
                    *outbox = vec![notice::unknown(live.host)];
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// `url` with `application_name` set to `name`.
fn named_url(url: &str, name: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}application_name={name}")
}

/// How long a unit of work waits for a free connection, or for a new one.
const WAIT: Duration = Duration::from_secs(30);

impl PgStore {
    /// Connects to `url` with [`DEFAULT_CONNECTIONS`] connections and applies
    /// the migrations the database lacks.
    ///
    /// # Errors
    /// [`Error::Url`], [`Error::Connect`], [`Error::Migrate`].
    pub async fn connect(url: &str) -> Result<PgStore, Error> {
        PgStore::connect_with(url, DEFAULT_CONNECTIONS).await
    }

    /// Connects with up to `connections` connections.
    ///
    /// # Errors
    /// As [`PgStore::connect`].
    pub async fn connect_with(url: &str, connections: u32) -> Result<PgStore, Error> {
        let options: PgConnectOptions = url.parse().map_err(Error::Url)?;
        let size = usize::try_from(connections.max(1)).unwrap_or(usize::MAX);
        let pool = Pool::builder(Connector { options })
            .max_size(size)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .recycle_timeout(Some(WAIT))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| Error::Connect(sqlx::Error::Configuration(e.to_string().into())))?;
        let store = PgStore {
            pool,
            changes: Arc::default(),
            numberer: Arc::new(numbering::Numberer::new(named_url(url, NUMBERER_NAME))),
        };
        let mut conn = store.connection().await.map_err(Error::Connect)?;
        MIGRATOR.run(&mut conn.raw).await?;
        drop(conn);
        if tokio::runtime::Handle::try_current().is_ok() {
            let weak = Arc::downgrade(&store.changes);
            let tasks = [
                tokio::spawn(listen(named_url(url, LISTENER_NAME), weak.clone())),
                tokio::spawn(notify(named_url(url, NOTIFIER_NAME), weak)),
            ];
            store
                .changes
                .tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(tasks);
        }
        Ok(store)
    }

    /// Checks that the database answers, for a host's readiness probe.
    ///
    /// # Errors
    /// [`Error::Connect`] when it does not.
    pub async fn ping(&self) -> Result<(), Error> {
        let mut conn = self.connection().await.map_err(Error::Connect)?;
        conn.raw.ping().await.map_err(Error::Connect)
    }

    /// Closes every connection, after the units of work in flight end.
    pub async fn close(&self) {
        self.changes.listening.store(false, Ordering::SeqCst);
        let tasks =
            std::mem::take(&mut *self.changes.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in tasks {
            task.abort();
        }
        self.pool.close();
    }

    /// A connection from the pool, opened when none is free.
    async fn connection(&self) -> Result<Object<Connector>, sqlx::Error> {
        self.pool.get().await.map_err(pool_error)
    }
}

fn pool_error(error: PoolError<sqlx::Error>) -> sqlx::Error {
    match error {
        PoolError::Backend(e) => e,
        PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
        PoolError::Closed => sqlx::Error::PoolClosed,
        other => sqlx::Error::Configuration(other.to_string().into()),
    }
}

/// One connection of the pool.
struct Pooled {
    raw: PgConnection,
    /// Whether a transaction may be open: set at `BEGIN`, cleared by a
    /// successful `COMMIT`.
    open: bool,
}

/// Opens and recycles the pool's connections. Unlike a general-purpose
/// pool, it does not test a connection with a round trip on every release
/// or acquire: a unit of work that committed leaves its connection clean,
/// and one that did not (a refusal, an error, a cancelled request) is rolled
/// back here before the connection is used again, which also proves it
/// alive. A connection the server dropped while idle fails the next `BEGIN`
/// (or a read's first statement), which is then tried once more on a new
/// one.
struct Connector {
    options: PgConnectOptions,
}

impl managed::Manager for Connector {
    type Type = Pooled;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Pooled, sqlx::Error> {
        let raw = PgConnection::connect_with(&self.options).await?;
        Ok(Pooled { raw, open: false })
    }

    async fn recycle(&self, conn: &mut Pooled, _: &managed::Metrics) -> RecycleResult<sqlx::Error> {
        if conn.open {
            sqlx::raw_sql("ROLLBACK").execute(&mut conn.raw).await?;
            conn.open = false;
        }
        Ok(())
    }
}

type Pool = managed::Pool<Connector>;

impl PgStore {
    /// Runs `statement`, which writes `booking` as a transaction of its own
    /// and answers whether it did (`added`), counted in the change log:
    /// committed when it added the booking, rolled back when not, unknown
    /// when cut short. Whether it added it, and its row.
    async fn write_alone(
        &self,
        booking: &Booking,
        statement: Query<'static>,
    ) -> Result<(bool, PgRow), agendo_core::Error> {
        use sqlx::Row as _;
        let mut changed = Changed::of(booking.business());
        changed.booking(booking);
        let mut conn = self.connection().await.map_err(storage)?;
        // Cut short, whether the statement took effect is unknown.
        let ticket = self.changes.log.reserve(&changed);
        let read = statement.fetch_one(&mut conn.raw).await.and_then(|row| {
            let added: i64 = row.try_get("added")?;
            Ok((added == 1, row))
        });
        match read {
            Ok((true, row)) => {
                ticket.publish(Ended::Committed);
                self.changes.tell(&changed);
                Ok((true, row))
            }
            Ok((false, row)) => {
                ticket.publish(Ended::RolledBack);
                Ok((false, row))
            }
            Err(e) => {
                ticket.publish(ended_by(&e));
                Err(storage(e))
            }
        }
    }

    /// A unit of work on a pooled connection: a transaction for a write.
    /// A read runs each statement on its own: under `READ COMMITTED` every
    /// statement sees its own snapshot inside a transaction too, so
    /// `BEGIN READ ONLY` and its `ROLLBACK` would only add two round trips.
    /// Its first statement is tried again once on a new connection when the
    /// server had closed the pooled one.
    async fn tx(&self, access: Access) -> Result<PgTx, agendo_core::Error> {
        let unit = |conn| PgTx {
            conn: Lease(Some(conn)),
            access,
            untried: (access == Access::Read).then(|| self.pool.clone()),
            changes: self.changes.clone(),
            numberer: self.numberer.clone(),
        };
        if access == Access::Read {
            return Ok(unit(self.connection().await.map_err(storage)?));
        }
        let mut retried = false;
        loop {
            let mut conn = self.connection().await.map_err(storage)?;
            conn.open = true;
            match sqlx::raw_sql("BEGIN").execute(&mut conn.raw).await {
                Ok(_) => return Ok(unit(conn)),
                // Nothing has happened yet, so trying a fresh connection
                // is safe; the broken one is dropped, not pooled.
                Err(e) if !retried && is_broken(&e) => {
                    drop(Object::take(conn));
                    retried = true;
                }
                Err(e) => return Err(storage(e)),
            }
        }
    }
}

#[async_trait]
impl Store for PgStore {
    /// This host's count of every host's commits, while it hears them:
    /// its own as they commit, others' a moment later by `NOTIFY`. A slot
    /// search may so miss another host's booking made in that moment; the
    /// booking itself is always refused by the database's guard.
    fn version(&self) -> Option<u64> {
        self.changes
            .listening
            .load(Ordering::SeqCst)
            .then(|| self.changes.log.version())
    }

    fn changed_since(
        &self,
        version: u64,
        business: BusinessId,
    ) -> Option<Vec<agendo_core::store::Change>> {
        self.changes.log.since(version, business)
    }

    fn access_changed_since(&self, version: u64) -> bool {
        self.changes.log.access_since(version)
    }

    async fn begin(
        &self,
        business: BusinessId,
        access: Access,
    ) -> Result<Box<dyn UnitOfWork>, agendo_core::Error> {
        let tx = self.tx(access).await?;
        Ok(Box::new(Work::new(tx, business)))
    }

    /// The guarded insert as one statement ([`insert_alone`]): one round
    /// trip, its own transaction. A professional or resource that takes
    /// several bookings at once, or a refusal (to name who holds the
    /// time), takes the unit of work's way.
    async fn insert_booking_alone(&self, booking: &Booking) -> Result<(), agendo_core::Error> {
        use sqlx::Row as _;
        let (added, row) = self
            .write_alone(booking, query(insert_alone(booking)))
            .await?;
        if added {
            return Ok(());
        }
        if row.try_get::<bool, _>("known").map_err(storage)? {
            return Err(agendo_core::Error::AlreadyExists {
                record: agendo_core::RecordKind::Booking,
                id: booking.id().to_string(),
            });
        }
        match met(booking, &row)? {
            Some(taken) => Err(taken),
            // A capacity above one, the room taken, or the holder came
            // after the statement's start: the unit of work's way counts
            // or names.
            None => agendo_core::store::insert_in_unit(self, booking).await,
        }
    }

    /// The booking and its events as one statement ([`book_alone`]): one
    /// round trip, its own transaction, its events left for the reader to
    /// number ([`numbering`]). A refusal by the constraint alone names the
    /// bookings met from the same statement.
    async fn book_alone(
        &self,
        booking: &Booking,
        events: &[agendo_core::agenda::Event],
        at: DateTime<Utc>,
    ) -> Result<Alone, agendo_core::Error> {
        let statement = query(self::book_alone(booking, events, at));
        let (added, row) = self.write_alone(booking, statement).await?;
        if added {
            return Ok(Alone::Added);
        }
        match met(booking, &row)? {
            Some(taken) => Err(taken),
            None => Ok(Alone::Declined),
        }
    }

    async fn business_by_slug(
        &self,
        slug: &Slug,
    ) -> Result<Option<BusinessId>, agendo_core::Error> {
        directory::business_by_slug(self.tx(Access::Read).await?, slug).await
    }

    async fn logins(&self, email: &Email) -> Result<Vec<Login>, agendo_core::Error> {
        directory::logins(self.tx(Access::Read).await?, email).await
    }

    async fn take_sign_in_attempt(
        &self,
        key: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Option<DateTime<Utc>>, agendo_core::Error> {
        let tx = self.tx(Access::Write).await?;
        directory::take_sign_in_attempt(tx, key, at, since, limit).await
    }

    async fn release_sign_in_attempt(
        &self,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<(), agendo_core::Error> {
        let tx = self.tx(Access::Write).await?;
        directory::release_sign_in_attempt(tx, key, at).await
    }

    async fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, agendo_core::Error> {
        directory::sign_in_failures(self.tx(Access::Read).await?, key, since).await
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<(), agendo_core::Error> {
        directory::clear_sign_in_failures(self.tx(Access::Write).await?, key).await
    }
    async fn businesses_to_gather(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        due_from: chrono::NaiveDate,
        due_until: chrono::NaiveDate,
    ) -> Result<Vec<BusinessId>, agendo_core::Error> {
        let tx = self.tx(Access::Read).await?;
        queue::businesses_to_gather(tx, now, until, due_from, due_until).await
    }

    async fn claim_hook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ClaimedHook>, agendo_core::Error> {
        if !queue::any_due(self.tx(Access::Read).await?, "hook_deliveries", now).await? {
            return Ok(Vec::new());
        }
        queue::claim_hooks(self.tx(Access::Write).await?, now, lease_until, limit).await
    }

    async fn settle_hook_delivery(
        &self,
        claimed: &ClaimedHook,
        outcome: &Sending,
        status: Option<u16>,
        latency_ms: u32,
    ) -> Result<bool, agendo_core::Error> {
        let tx = self.tx(Access::Write).await?;
        agendo_sql::hooks::settle(tx, claimed, outcome, status, latency_ms).await
    }

    async fn account_token(
        &self,
        key: &str,
    ) -> Result<Option<agendo_core::agenda::AccountToken>, agendo_core::Error> {
        directory::account_token(self.tx(Access::Read).await?, key).await
    }

    async fn feed(
        &self,
        key: &str,
    ) -> Result<Option<(BusinessId, ProfessionalId)>, agendo_core::Error> {
        directory::feed(self.tx(Access::Read).await?, key).await
    }

    async fn businesses_with_secrets(&self) -> Result<Vec<BusinessId>, agendo_core::Error> {
        queue::businesses_with_secrets(self.tx(Access::Read).await?).await
    }

    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Claimed>, agendo_core::Error> {
        if !queue::any_due(self.tx(Access::Read).await?, "messages", now).await? {
            return Ok(Vec::new());
        }
        queue::claim(self.tx(Access::Write).await?, now, lease_until, limit).await
    }

    async fn settle_message(
        &self,
        claimed: &Claimed,
        outcome: &Sending,
    ) -> Result<bool, agendo_core::Error> {
        queue::settle(self.tx(Access::Write).await?, claimed, outcome).await
    }
}

/// Whether `error` says the connection itself is gone: a broken socket, or
/// the server's goodbye (SQLSTATE class 57, operator intervention, as when
/// it restarts or ends the session; class 08, connection exception).
fn is_broken(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
        _ => false,
    }
}

struct PgTx {
    conn: Lease,
    access: Access,
    /// For a read whose first statement has not run yet: the pool to take
    /// a new connection from should the server have closed this one.
    untried: Option<Pool>,
    changes: Arc<Changes>,
    numberer: Arc<numbering::Numberer>,
}

/// A connection lent to one unit of work. A unit dropped without commit
/// (a refusal, an error, a cancelled request) may hold row and advisory
/// locks: they are released at once by a rollback sent from a spawned
/// task, before the connection goes back to the pool.
struct Lease(Option<Object<Connector>>);

impl Lease {
    fn conn(&mut self) -> &mut Pooled {
        self.0
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(mut conn) = self.0.take() else {
            return;
        };
        if !conn.open {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if sqlx::raw_sql("ROLLBACK")
                        .execute(&mut conn.raw)
                        .await
                        .is_ok()
                    {
                        conn.open = false;
                    } else {
                        // Closing the connection ends its transaction too.
                        drop(Object::take(conn));
                    }
                });
            }
            Err(_) => drop(Object::take(conn)),
        }
    }
}

/// Postgres's code for a unique index violation.
const UNIQUE_VIOLATION: &str = "23505";

/// The core's error for a database failure. A unique index refusing a
/// write (a public address or an e-mail taken meanwhile by a concurrent
/// unit of work) is a write conflict: the use case runs again and its own
/// check then names what is taken.
fn storage(error: sqlx::Error) -> agendo_core::Error {
    if matches!(&error, sqlx::Error::Database(e) if e.code().as_deref() == Some(UNIQUE_VIOLATION)) {
        return agendo_core::Error::WriteConflict;
    }
    agendo_core::Error::Storage {
        detail: error.to_string(),
    }
}

fn is_exclusion_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.code().as_deref() == Some(EXCLUSION_VIOLATION))
}

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

fn bind(query: Query<'_>, value: Value) -> Query<'_> {
    match value {
        Value::Uuid(id) => query.bind(id),
        Value::Text(text) => query.bind(text),
        Value::Int(n) => query.bind(n),
        Value::Decimal(d) => query.bind(d),
        Value::Time(t) => query.bind(t),
        Value::Date(d) => query.bind(d),
        // The codec writes valid JSON; `null` stands for anything else.
        Value::Json(text) => query.bind(Json(
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default(),
        )),
        Value::Bytes(bytes) => query.bind(bytes),
    }
}

fn query(statement: Statement) -> Query<'static> {
    // The statement text is built from the schema's own names; every value
    // is a bound parameter.
    let (sql, values) = statement.into_parts();
    values
        .into_iter()
        .fold(sqlx::query(AssertSqlSafe(sql)), bind)
}

/// `INSERT INTO bookings (…, exclusive, resource_exclusive)`: the
/// booking's columns and the two flags.
fn insert_into(fields: &Fields) -> String {
    format!(
        "INSERT INTO bookings ({}, exclusive, resource_exclusive) ",
        sql::names(fields)
    )
}

/// The booking's values, bound in its columns' order.
fn bind_values(statement: Statement, fields: &Fields) -> Statement {
    statement.bind_list(fields.iter().map(|(_, value)| value.clone()))
}

/// The booking insert, in one round trip: the row with its `exclusive`
/// flags, or when nothing was written, a row of NULLs if the id was taken
/// before it (the statement's snapshot does not see its own row), or no
/// row at all when the guard refused it.
fn insert_booking(booking: &Booking) -> Statement {
    let fields = booking.fields();
    let statement = Statement::new(Params::Dollar, "WITH added AS (")
        .push(&insert_into(&fields))
        .push("VALUES (");
    let statement = exclusive(
        bind_values(statement, &fields).push(", "),
        &fields,
        [", ", ""],
    )
    .push(
        ") ON CONFLICT DO NOTHING RETURNING exclusive, resource_exclusive) \
             SELECT exclusive, resource_exclusive FROM added \
             UNION ALL SELECT NULL, NULL FROM bookings WHERE ",
    );
    key(statement, &fields)
}

/// `business_id = … AND id = …` of the booking.
fn key(statement: Statement, fields: &Fields) -> Statement {
    statement.equal([
        ("business_id", field(fields, "business_id")),
        ("id", field(fields, "id")),
    ])
}

/// The booking insert as a statement of its own ([`Store::insert_booking_alone`]),
/// one round trip: written only when its professional and resource take
/// one booking at a time (the exclusion constraints are then the whole
/// guard). Answers how many rows it added, whether the id was taken
/// before it and, when refused, the professional's bookings it met (as of
/// the statement's start: empty when who holds the time came later).
fn insert_alone(booking: &Booking) -> Statement {
    let fields = booking.fields();
    let statement = Statement::new(Params::Dollar, "WITH flags AS (SELECT ");
    let statement = exclusive(
        statement,
        &fields,
        [" AS exclusive, ", " AS resource_exclusive"],
    )
    .push(&format!("), added AS ({}SELECT ", insert_into(&fields)));
    let statement = bind_values(statement, &fields).push(
        ", exclusive, resource_exclusive FROM flags \
         WHERE exclusive AND resource_exclusive ON CONFLICT DO NOTHING RETURNING id) \
         SELECT (SELECT count(*) FROM added) AS added, \
         EXISTS (SELECT 1 FROM bookings WHERE ",
    );
    let statement = key(statement, &fields).push(
        ") AS known, CASE WHEN NOT EXISTS (SELECT 1 FROM added) THEN \
         (SELECT array_agg(m.id) FROM (",
    );
    meeting_alone(statement, &fields).push(") m) END AS met")
}

/// [`Store::book_alone`] as one statement: the booking written only when
/// it has no resource, its professional takes one booking at a time (the
/// exclusion constraint is then the whole guard), its client is active
/// and no block of the professional meets its held time, and the
/// constraint lets it in; its `events`, at `at`, written unnumbered with
/// it. Answers how many bookings it added and, when only the constraint
/// refused it, the professional's bookings it met (as of the statement's
/// start: empty when who holds the time came later).
fn book_alone(
    booking: &Booking,
    events: &[agendo_core::agenda::Event],
    at: DateTime<Utc>,
) -> Statement {
    let fields = booking.fields();
    let own = |column: &str| field(&fields, column);
    let statement = alone_allowed(
        Statement::new(Params::Dollar, "WITH checks AS (SELECT "),
        &fields,
    )
    .push(" AND COALESCE((SELECT capacity = 1 FROM professionals WHERE ")
    .equal([
        ("business_id", own("business_id")),
        ("id", own("professional_id")),
    ])
    .push("), false)")
    .push(&format!(
        " AS open), added AS ({}SELECT ",
        insert_into(&fields)
    ));
    let mut statement = bind_values(statement, &fields)
        .push(", true, true FROM checks WHERE open ON CONFLICT DO NOTHING RETURNING id)");
    if !events.is_empty() {
        statement = statement
            .push(", written AS (INSERT INTO events (business_id, at, type, event) SELECT ")
            .bind(own("business_id"))
            .push(", ")
            .bind(at)
            .push(", e.kind, e.body FROM added, (VALUES ");
        for (k, event) in events.iter().enumerate() {
            if k > 0 {
                statement = statement.push(", ");
            }
            statement = statement
                .push("(")
                .bind(event.kind())
                .push(", ")
                .bind(Value::Json(event.to_json()))
                .push(&format!(", {k})"));
        }
        statement = statement.push(") AS e(kind, body, k) ORDER BY e.k)");
    }
    let statement = statement.push(
        " SELECT (SELECT count(*) FROM added) AS added, \
         CASE WHEN open AND NOT EXISTS (SELECT 1 FROM added) \
         AND NOT EXISTS (SELECT 1 FROM bookings WHERE ",
    );
    let statement = key(statement, &fields).push(") THEN (SELECT array_agg(m.id) FROM (");
    meeting_alone(statement, &fields).push(") m) END AS met FROM checks")
}

/// The refusal naming the professional's bookings a one-statement insert
/// of `booking` met (its `met` column), when it met any.
fn met(booking: &Booking, row: &PgRow) -> Result<Option<agendo_core::Error>, agendo_core::Error> {
    use sqlx::Row as _;
    let met: Option<Vec<Uuid>> = row.try_get("met").map_err(storage)?;
    Ok(met.filter(|m| !m.is_empty()).map(|met| {
        agendo_core::store::slot_taken(
            Bookable::Professional(booking.professional()),
            1,
            met.into_iter().map(agendo_core::ids::BookingId::from_uuid),
        )
    }))
}

/// The one-statement insert of `booking` ([`Store::insert_booking_alone`])
/// as SQL text with its values written in: what a ceiling measured with
/// `pgbench` replays (see `benches/src/bin/store-load.rs`), so it times the
/// same statement on the same row.
pub fn insert_alone_text(booking: &Booking) -> String {
    insert_alone(booking).inline(literal)
}

/// `value` as a Postgres literal of the type [`bind`] sends.
fn literal(value: &Value) -> String {
    let quoted = |text: &str, cast: &str| format!("'{}'::{cast}", text.replace('\'', "''"));
    let or_null = |text: Option<String>, cast: &str| {
        text.map_or_else(|| format!("NULL::{cast}"), |t| quoted(&t, cast))
    };
    match value {
        Value::Uuid(id) => or_null(id.map(|u| u.to_string()), "uuid"),
        Value::Text(text) => or_null(text.clone(), "text"),
        Value::Int(n) => format!("{n}::bigint"),
        Value::Decimal(d) => quoted(&d.to_string(), "numeric"),
        Value::Time(t) => or_null(t.map(|t| t.to_rfc3339()), "timestamptz"),
        Value::Date(d) => quoted(&d.to_string(), "date"),
        Value::Json(text) => quoted(text, "jsonb"),
        Value::Bytes(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("'\\x{hex}'::bytea")
        }
    }
}

/// Writes on `statement` the active bookings of the booking's
/// professional that its constraint guards and that meet its held time.
fn meeting_alone(statement: Statement, fields: &Fields) -> Statement {
    let own = |column: &str| field(fields, column);
    statement
        .push("SELECT id FROM bookings WHERE ")
        .equal([
            ("business_id", own("business_id")),
            ("professional_id", own("professional_id")),
        ])
        .push(" AND held && tstzrange(")
        .bind(own("held_start"))
        .push(", ")
        .bind(own("held_end"))
        .push(", '[)') AND id <> ")
        .bind(own("id"))
        .push(&format!(
            " AND {ACTIVE} AND exclusive ORDER BY held_start, held_end, id"
        ))
}

/// Writes on `statement` whether the booking's professional and resource
/// take one booking at a time, read from their capacity as the row is
/// written: the `exclusive` and `resource_exclusive` values, each followed
/// by `then`.
fn exclusive(statement: Statement, fields: &Fields, then: [&str; 2]) -> Statement {
    let own = |column: &str| field(fields, column);
    let one_at_a_time = |statement: Statement, table: &str, column: &str| {
        statement
            .push(&format!(
                "COALESCE((SELECT capacity = 1 FROM {table} WHERE "
            ))
            .equal([("business_id", own("business_id")), ("id", own(column))])
            .push("), true)")
    };
    let statement = one_at_a_time(statement, "professionals", "professional_id").push(then[0]);
    one_at_a_time(statement, "resources", "resource_id").push(then[1])
}

impl PgTx {
    async fn run(&mut self, statement: Statement) -> Result<Vec<PgRow>, sqlx::Error> {
        let Some(pool) = self.untried.take() else {
            return query(statement).fetch_all(&mut self.conn.conn().raw).await;
        };
        match query(statement.clone())
            .fetch_all(&mut self.conn.conn().raw)
            .await
        {
            Err(e) if is_broken(&e) => {
                self.replace(&pool).await?;
                query(statement).fetch_all(&mut self.conn.conn().raw).await
            }
            done => done,
        }
    }

    /// A read's connection, which the server closed, swapped for a new one
    /// (nothing ran on it, so nothing is lost).
    async fn replace(&mut self, pool: &Pool) -> Result<(), sqlx::Error> {
        if let Some(broken) = self.conn.0.take() {
            drop(Object::take(broken));
        }
        let conn = pool.get().await.map_err(pool_error)?;
        self.conn = Lease(Some(conn));
        Ok(())
    }

    async fn plain(&mut self, sql: &'static str) -> Result<(), agendo_core::Error> {
        self.untried = None;
        sqlx::query(sql)
            .execute(&mut self.conn.conn().raw)
            .await
            .map(drop)
            .map_err(storage)
    }

    /// The refusal for `booking`, whose time the constraint found taken:
    /// the shared guard names the bookings that hold it now. When they are
    /// gone already, a retry will find the time free.
    async fn clash(&mut self, booking: &Booking) -> Result<agendo_core::Error, agendo_core::Error> {
        match guard(self, booking).await {
            Err(refused @ agendo_core::Error::SlotTaken { .. }) => Ok(refused),
            Err(other) => Err(other),
            Ok(()) => Ok(agendo_core::Error::WriteConflict),
        }
    }

    /// For an active booking of a professional or resource that takes
    /// several at once (`exclusive` false): locks its row, so writers of it
    /// take turns, and counts. The constraint covers the others.
    async fn count_shared(
        &mut self,
        booking: &Booking,
        exclusive: (bool, bool),
    ) -> Result<(), agendo_core::Error> {
        if !booking.status().is_active() {
            return Ok(());
        }
        let mut shared = Vec::new();
        if !exclusive.0 {
            shared.push(Bookable::Professional(booking.professional()));
        }
        if let (false, Some(resource)) = (exclusive.1, booking.resource()) {
            shared.push(Bookable::Resource(resource));
        }
        for who in shared {
            let (table, id) = table_of(who);
            let lock = Self::query(&format!("SELECT id FROM {table} WHERE "))
                .equal([
                    ("business_id", booking.business().as_uuid().into()),
                    ("id", id.into()),
                ])
                .push(" FOR UPDATE");
            self.run(lock).await.map_err(storage)?;
            has_room(self, booking, who).await?;
        }
        Ok(())
    }
}

/// `SELECT pg_advisory_xact_lock(…)` on `name`: held until the
/// transaction ends.
fn advisory_lock(name: &str) -> Statement {
    Statement::new(
        Params::Dollar,
        "SELECT pg_advisory_xact_lock(hashtextextended(",
    )
    .bind(name)
    .push(", 0))")
}

/// The `exclusive` flags a write returned; none when the row it names
/// was not written.
fn flags(row: &PgRow) -> Result<Option<(bool, bool)>, agendo_core::Error> {
    use sqlx::Row as _;
    let professional: Option<bool> = row.try_get("exclusive").map_err(storage)?;
    let resource: Option<bool> = row.try_get("resource_exclusive").map_err(storage)?;
    Ok(professional.zip(resource))
}

#[async_trait]
impl Connection for PgTx {
    type Row = Line;
    const PARAMS: Params = Params::Dollar;
    const NUMBERS_EVENTS_ON_READ: bool = true;

    async fn number_events(&mut self, business: BusinessId) -> Result<(), agendo_core::Error> {
        self.numberer.number(business).await.map_err(storage)
    }

    async fn fetch(&mut self, statement: Statement) -> Result<Vec<Line>, agendo_core::Error> {
        let rows = self.run(statement).await.map_err(storage)?;
        Ok(rows.into_iter().map(Line).collect())
    }

    async fn execute(&mut self, statement: Statement) -> Result<u64, agendo_core::Error> {
        self.untried = None;
        let done = query(statement)
            .execute(&mut self.conn.conn().raw)
            .await
            .map_err(storage)?;
        Ok(done.rows_affected())
    }

    /// Overlap through the gist indexes, for each id: the exclusion
    /// constraint's for the bookings it guards, `bookings_*_shared` for
    /// the others (a list of ids is not something a gist index scans).
    fn meeting(mut statement: Statement, columns: &str, meeting: &Meeting) -> Statement {
        let flag = if meeting.column == "resource_id" {
            "resource_exclusive"
        } else {
            "exclusive"
        };
        let mut first = true;
        for id in &meeting.ids {
            for guarded in [flag.to_owned(), format!("NOT {flag}")] {
                if !first {
                    statement = statement.push(" UNION ALL ");
                }
                first = false;
                statement = statement
                    .push(&format!("SELECT {columns} FROM bookings WHERE "))
                    .equal([
                        ("business_id", meeting.business.into()),
                        (meeting.column, (*id).into()),
                    ])
                    .push(" AND held && tstzrange(")
                    .bind(meeting.span.start())
                    .push(", ")
                    .bind(meeting.span.end())
                    .push(&format!(", '[)') AND {ACTIVE} AND {guarded}"));
                statement = meeting.leave_out(statement);
            }
        }
        statement.push(" ORDER BY held_start, held_end, id")
    }

    fn skip_locked() -> &'static str {
        " FOR UPDATE SKIP LOCKED"
    }

    fn row_lock(&self) -> &'static str {
        match self.access {
            Access::Read => "",
            Access::Write => " FOR UPDATE",
        }
    }

    async fn lock_name(&mut self, name: &str) -> Result<(), agendo_core::Error> {
        self.run(advisory_lock(name))
            .await
            .map(drop)
            .map_err(storage)
    }

    async fn lock_key(
        &mut self,
        business: BusinessId,
        key: &IdempotencyKey,
    ) -> Result<(), agendo_core::Error> {
        if self.access == Access::Read {
            return Ok(());
        }
        let lock = format!("idempotency:{business}:{key}");
        self.run(advisory_lock(&lock))
            .await
            .map(drop)
            .map_err(storage)
    }

    async fn capacity_changed(
        &mut self,
        business: BusinessId,
        on: Bookable,
        capacity: u32,
    ) -> Result<(), agendo_core::Error> {
        let flag = match on {
            Bookable::Professional(_) => "exclusive",
            Bookable::Resource(_) => "resource_exclusive",
        };
        let one = i64::from(capacity == 1);
        let statement = Self::query(&format!("UPDATE bookings SET {flag} = ("))
            .bind(one)
            .push(" = 1) WHERE ")
            .equal([
                ("business_id", business.as_uuid().into()),
                (agendo_sql::work::column_of(on), table_of(on).1.into()),
            ])
            .push(&format!(" AND {flag} <> ("))
            .bind(one)
            .push(&format!(" = 1) AND {ACTIVE}"));
        // Lowering the capacity to 1 while bookings overlap: those keep
        // the counted guard until they end, rather than the save failing.
        self.plain("SAVEPOINT agendo_capacity").await?;
        match self.run(statement).await {
            Ok(_) => self.plain("RELEASE SAVEPOINT agendo_capacity").await,
            Err(e) if is_exclusion_violation(&e) => {
                self.plain("ROLLBACK TO SAVEPOINT agendo_capacity").await
            }
            Err(e) => Err(storage(e)),
        }
    }

    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), agendo_core::Error> {
        let rows = self
            .run(self::insert_booking(booking))
            .await
            .map_err(storage)?;
        let Some(row) = rows.first() else {
            return Err(self.clash(booking).await?);
        };
        let Some(exclusive) = flags(row)? else {
            return Err(agendo_core::Error::AlreadyExists {
                record: agendo_core::RecordKind::Booking,
                id: booking.id().to_string(),
            });
        };
        if let Err(refused) = self.count_shared(booking, exclusive).await {
            let delete = key(
                Self::query("DELETE FROM bookings WHERE "),
                &booking.fields(),
            );
            self.run(delete).await.map_err(storage)?;
            return Err(refused);
        }
        Ok(())
    }

    async fn update_booking(&mut self, booking: &Booking) -> Result<(), agendo_core::Error> {
        let update = || {
            let all = booking.fields();
            let mut key = all.clone();
            let rest = key.split_off(Booking::KEY.len());
            let statement = Self::query("UPDATE bookings SET ")
                .assignments(rest)
                .push(", exclusive = ");
            exclusive(statement, &all, [", resource_exclusive = ", " WHERE "])
                .equal(key)
                .push(" RETURNING exclusive, resource_exclusive")
        };
        if !booking.status().is_active() {
            // Leaving the active statuses frees time; nothing can clash.
            let rows = self.run(update()).await.map_err(storage)?;
            return match rows.first() {
                Some(_) => Ok(()),
                None => Err(not_found(booking)),
            };
        }
        self.plain("SAVEPOINT agendo_guard").await?;
        let checked = match self.run(update()).await {
            Ok(rows) => match rows.first() {
                Some(row) => match flags(row)? {
                    Some(exclusive) => self.count_shared(booking, exclusive).await,
                    None => Err(not_found(booking)),
                },
                None => Err(not_found(booking)),
            },
            Err(e) if is_exclusion_violation(&e) => {
                self.plain("ROLLBACK TO SAVEPOINT agendo_guard").await?;
                return Err(self.clash(booking).await?);
            }
            Err(e) => Err(storage(e)),
        };
        match checked {
            Ok(()) => self.plain("RELEASE SAVEPOINT agendo_guard").await,
            Err(refused) => {
                self.plain("ROLLBACK TO SAVEPOINT agendo_guard").await?;
                Err(refused)
            }
        }
    }

    async fn commit(mut self, changed: Changed) -> Result<(), agendo_core::Error> {
        // Placed in the log before the commit, counted after: two commits
        // of one booking are placed in the order they were made, even when
        // the first is counted last (see `agendo_core::store::ChangeLog`).
        if self.access == Access::Read {
            // No transaction was opened (see `PgStore::tx`).
            return Ok(());
        }
        let ticket = self.changes.log.reserve(&changed);
        let raw = &mut self.conn.conn().raw;
        let done = sqlx::raw_sql("COMMIT").execute(&mut *raw).await;
        ticket.publish(done.as_ref().map_or_else(ended_by, |_| Ended::Committed));
        if done.is_ok() {
            // Every host is told after the commit, apart from it: a NOTIFY
            // inside the transaction would hold the notification queue's
            // lock through the commit's flush and serialize every writer.
            // Not hearing it only makes other hosts keep a search a moment
            // longer.
            self.changes.tell(&changed);
        }
        done.map_err(storage)?;
        self.conn.conn().open = false;
        Ok(())
    }
}

/// How a statement that commits ended when it failed: refused by the
/// server, it changed nothing; cut off, nobody knows.
fn ended_by(error: &sqlx::Error) -> Ended {
    match error {
        sqlx::Error::Database(_) => Ended::RolledBack,
        _ => Ended::Unknown,
    }
}

fn not_found(booking: &Booking) -> agendo_core::Error {
    agendo_core::Error::NotFound {
        record: agendo_core::RecordKind::Booking,
        id: booking.id().to_string(),
    }
}

/// A row read from Postgres.
struct Line(PgRow);

fn get<'r, T>(row: &'r Line, column: &str) -> Result<T, agendo_core::Error>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    use sqlx::Row as _;
    row.0.try_get(column).map_err(storage)
}

impl Row for Line {
    fn uuid_opt(&self, column: &str) -> Result<Option<Uuid>, agendo_core::Error> {
        get(self, column)
    }
    fn text_opt(&self, column: &str) -> Result<Option<String>, agendo_core::Error> {
        get(self, column)
    }
    fn int_opt(&self, column: &str) -> Result<Option<i64>, agendo_core::Error> {
        get::<Option<i64>>(self, column)
            .or_else(|_| get::<Option<i32>>(self, column).map(|v| v.map(i64::from)))
    }
    fn int(&self, column: &str) -> Result<i64, agendo_core::Error> {
        // `integer` columns (capacities) and `bigint` ones (event numbers).
        get::<i64>(self, column).or_else(|_| get::<i32>(self, column).map(i64::from))
    }
    fn decimal(&self, column: &str) -> Result<Decimal, agendo_core::Error> {
        get(self, column)
    }
    fn time_opt(&self, column: &str) -> Result<Option<DateTime<Utc>>, agendo_core::Error> {
        get(self, column)
    }
    fn date(&self, column: &str) -> Result<NaiveDate, agendo_core::Error> {
        get(self, column)
    }
    fn json(&self, column: &str) -> Result<String, agendo_core::Error> {
        let Json(value): Json<serde_json::Value> = get(self, column)?;
        Ok(value.to_string())
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, agendo_core::Error> {
        get(self, column)
    }
}
