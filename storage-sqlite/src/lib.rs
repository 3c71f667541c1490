//! Agendo's store over an SQLite file (`agendo-sqlite`).
//!
//! The embedded default: one file, no server. How it keeps the ports'
//! promises:
//! - **One writer at a time.** Write units of work take turns, in order, on
//!   the store's one writer connection, and open `BEGIN IMMEDIATE` before
//!   their first statement, which takes SQLite's write lock up front
//!   (another process's writer waits for it too). The conflict check and
//!   the insert run inside it, so no other writer (in this process or
//!   another) can book in between; the store's guard
//!   ([`agendo_sql::work::guard`]) checks again before every booking write.
//!   A unit dropped without commit is rolled back at once, before the next
//!   one gets the writer.
//! - **Bookings waiting commit together.** A one-step booking
//!   ([`Store::insert_booking_alone`], [`Store::book_alone`]) that finds the
//!   writer busy waits in a queue; whoever gets the writer writes every
//!   booking waiting in one transaction, with one sync of the log, and
//!   answers each as if it had come alone (group commit).
//! - **Readers never wait.** WAL journal mode lets read units run beside
//!   the writer.
//! - **Durable commits.** `synchronous = FULL` by default: a committed
//!   booking survives a power cut. [`Durability::Normal`] is the opt-in
//!   for a machine whose disk syncs slowly: see what it risks there.
//! - **Foreign keys on, busy timeout set**: another process holding the
//!   write lock (a backup, say) makes a writer wait, not fail.
//! - Money is decimal text, never `REAL`; instants fixed-width RFC 3339 UTC
//!   text, so text order is time order.
//!
//! Versioned migrations are in `migrations/`, applied when the store opens.
//!
//! # Example
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use agendo_core::ids::{BusinessId, ProfessionalId};
//! use agendo_core::store::{Access, Store};
//! use agendo_sqlite::SqliteStore;
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(dir.path().join("agendo.db")).await?;
//! let mut work = store.begin(BusinessId::random(), Access::Read).await?;
//! assert!(work.business().await?.is_none());
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use agendo_core::account::Slug;
use agendo_core::booking::Booking;
use agendo_core::contact::Email;
use agendo_core::ids::{BusinessId, ProfessionalId};
use agendo_core::message::{Claimed, Outcome as Sending};
use agendo_core::store::{Access, Alone, ChangeLog, Changed, Ended, Login, Store, UnitOfWork};
use agendo_core::webhook::ClaimedHook;
use agendo_core::RecordKind;
use agendo_sql::record::field;
use agendo_sql::sql::{Fields, Params, Query};
use agendo_sql::work::{alone_allowed, guard, ACTIVE};
use agendo_sql::{corrupt, Connection, Row, Stored, Value, Work};
use agendo_sql::{directory, queue};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Connection as _, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

mod together;
use together::Write;

/// The migrations of this crate's schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections kept open for read units of work.
const READERS: u32 = 8;

/// What can go wrong opening or copying the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or created.
    #[error("could not open the SQLite database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed; the schema is as it was before it.
    #[error("could not migrate the SQLite database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The backup could not be written.
    #[error("could not back up to {path}: {source}")]
    Backup {
        /// The backup file.
        path: PathBuf,
        /// Why.
        source: sqlx::Error,
    },
}

/// How far a commit is on disk when it returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`, the default: the write-ahead log is synced at
    /// every commit, so a committed booking survives a power cut or an
    /// operating system crash.
    #[default]
    Full,
    /// `synchronous = NORMAL`: the log is synced only at checkpoints. A
    /// commit survives the process crashing, but a power cut or an
    /// operating system crash may take back the last commits before it
    /// (the file is never corrupted, and no booking is half written): a
    /// client told "booked" may find the booking gone, and the time may be
    /// booked again. Only for a machine with a battery-backed disk or
    /// where that loss is acceptable.
    Normal,
}

/// Records in an SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    readers: SqlitePool,
    // One connection for every write unit of work: they take turns on the
    // mutex, in order, and its page cache stays warm (a connection's cache
    // is dropped whenever another connection writes).
    writer: Arc<Mutex<Writer>>,
    path: PathBuf,
    /// The writer's commits so far and what they changed
    /// ([`Store::version`]): this process's writer is the file's only one
    /// while the store is open.
    changes: Arc<ChangeLog>,
    /// Bookings that are their own unit of work, waiting for the writer to
    /// be committed together ([`together`]).
    waiting: Arc<together::Waiting>,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `path` and applies
    /// the migrations it lacks.
    ///
    /// # Errors
    /// [`Error::Open`] when the file cannot be opened; [`Error::Migrate`]
    /// when a migration fails.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        SqliteStore::open_with(path, Durability::Full).await
    }

    /// Opens the database at `path`, its commits as durable as
    /// `durability` says.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub async fn open_with(
        path: impl AsRef<Path>,
        durability: Durability,
    ) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_path_buf();
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let open = |connections: u32| {
            SqlitePoolOptions::new()
                .max_connections(connections)
                // A connection to a file does not go stale: testing it
                // would only cost the writer a trip to sqlx's worker thread.
                .test_before_acquire(false)
                .connect_with(options.clone())
        };
        let opened = |source| Error::Open {
            path: path.clone(),
            source,
        };
        let mut writer = SqliteConnection::connect_with(&options)
            .await
            .map_err(opened)?;
        MIGRATOR.run(&mut writer).await?;
        let changes = Arc::new(ChangeLog::default());
        let writer = Arc::new(Mutex::new(Writer {
            raw: Some(writer),
            state: State::Idle,
            changes: changes.clone(),
        }));
        let readers = open(READERS).await.map_err(opened)?;
        Ok(SqliteStore {
            readers,
            writer,
            path,
            changes,
            waiting: Arc::default(),
        })
    }

    /// How many bookings that are their own unit of work wait for the
    /// writer, to be committed together: for tests and a host's metrics.
    pub fn bookings_waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a consistent copy of the whole database to `target`, while
    /// the store stays in use (`VACUUM INTO`; R53). Open the copy with
    /// [`SqliteStore::open`] to restore it.
    ///
    /// # Errors
    /// [`Error::Backup`] when `target` exists or cannot be written.
    pub async fn backup_to(&self, target: impl AsRef<Path>) -> Result<(), Error> {
        let target = target.as_ref().to_path_buf();
        sqlx::query("VACUUM INTO ?1")
            .bind(target.to_string_lossy().into_owned())
            .execute(&self.readers)
            .await
            .map_err(|source| Error::Backup {
                path: target.clone(),
                source,
            })?;
        Ok(())
    }

    /// Checks that the database answers a read, for a host's readiness
    /// probe.
    ///
    /// # Errors
    /// [`Error::Open`] when it does not.
    pub async fn ping(&self) -> Result<(), Error> {
        sqlx::raw_sql("SELECT 1")
            .execute(&self.readers)
            .await
            .map(drop)
            .map_err(|source| Error::Open {
                path: self.path.clone(),
                source,
            })
    }

    /// Closes every connection, after the units of work in flight end.
    pub async fn close(&self) {
        self.readers.close().await;
        let mut writer = self.writer.lock().await;
        if let Some(raw) = writer.raw.take() {
            // Closing ends a transaction left open; an error here leaves
            // nothing to undo.
            let _ = raw.close().await;
        }
    }
}

impl SqliteStore {
    /// A transaction on a reader, or the writer's (begun before its first
    /// statement).
    async fn tx(&self, access: Access) -> Result<SqliteTx, agendo_core::Error> {
        let conn = match access {
            Access::Read => Conn::Reader(self.readers.begin_with("BEGIN").await.map_err(storage)?),
            Access::Write => return Ok(SqliteTx::begun(self.idle_writer().await)),
        };
        Ok(SqliteTx { conn })
    }

    /// The writer, once no transaction is open on it.
    async fn idle_writer(&self) -> OwnedMutexGuard<Writer> {
        let mut writer = self.writer.clone().lock_owned().await;
        if writer.state == State::Open {
            // A unit dropped where no runtime could roll it back.
            writer.rollback().await;
        }
        writer
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn version(&self) -> Option<u64> {
        Some(self.changes.version())
    }

    fn changed_since(
        &self,
        version: u64,
        business: BusinessId,
    ) -> Option<Vec<agendo_core::store::Change>> {
        self.changes.since(version, business)
    }

    fn access_changed_since(&self, version: u64) -> bool {
        self.changes.access_since(version)
    }

    async fn begin(
        &self,
        business: BusinessId,
        access: Access,
    ) -> Result<Box<dyn UnitOfWork>, agendo_core::Error> {
        let tx = self.tx(access).await?;
        Ok(Box::new(Work::new(tx, business)))
    }

    /// The guarded insert alone, under the writer's lock, committed with
    /// the other bookings waiting for it (see the crate's documentation);
    /// alone, in SQLite's own transaction for one statement.
    async fn insert_booking_alone(&self, booking: &Booking) -> Result<(), agendo_core::Error> {
        match self.alone(Write::Insert(booking.clone())).await? {
            Alone::Added => Ok(()),
            Alone::Declined => Err(agendo_core::Error::WriteConflict),
        }
    }

    /// The booking's guarded insert ([`book_alone`]) and its events, under
    /// the writer's lock, committed with the other bookings waiting for it
    /// (see the crate's documentation). A refusal by the guard alone is
    /// named by the shared guard under the same lock.
    async fn book_alone(
        &self,
        booking: &Booking,
        events: &[agendo_core::agenda::Event],
        at: DateTime<Utc>,
    ) -> Result<Alone, agendo_core::Error> {
        self.alone(Write::Book {
            booking: booking.clone(),
            events: events.to_vec(),
            at,
        })
        .await
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

/// The writer connection and where its transaction stands.
struct Writer {
    /// `None` once the store is closed.
    raw: Option<SqliteConnection>,
    state: State,
    /// Counts commits, after each one, with what they changed
    /// ([`Store::version`]).
    changes: Arc<ChangeLog>,
}

/// Where the writer's transaction stands. `BEGIN IMMEDIATE` waits for the
/// unit's first statement, so a unit that only decides to write nothing
/// costs no trip to the database.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// No unit of work holds the writer.
    Idle,
    /// A unit holds it and has not run a statement yet.
    Begin,
    /// A transaction is open.
    Open,
}

impl Writer {
    fn raw(&mut self) -> Result<&mut SqliteConnection, sqlx::Error> {
        self.raw.as_mut().ok_or(sqlx::Error::PoolClosed)
    }

    /// The connection, in a transaction: `BEGIN IMMEDIATE` is sent before
    /// the unit's first statement.
    async fn in_transaction(&mut self) -> Result<&mut SqliteConnection, sqlx::Error> {
        if self.state == State::Begin {
            // Set first: if the begin is cut short, the lease rolls back.
            self.state = State::Open;
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(self.raw()?)
                .await?;
        }
        self.raw()
    }

    /// Commits the open transaction, which made each of `changed`.
    async fn commit(&mut self, changed: &[&Changed]) -> Result<(), sqlx::Error> {
        // Counted while the writer is still held, so commits count in
        // their order. When COMMIT reports an error, or is cut short,
        // whether it took effect is unknown: every kept search reads again.
        let tickets: Vec<_> = changed.iter().map(|c| self.changes.reserve(c)).collect();
        let done = sqlx::raw_sql("COMMIT").execute(self.raw()?).await;
        let ended = if done.is_ok() {
            Ended::Committed
        } else {
            Ended::Unknown
        };
        for ticket in tickets {
            ticket.publish(ended);
        }
        done?;
        self.state = State::Idle;
        Ok(())
    }

    /// Ends the transaction, if any. An error means there was none (its
    /// `BEGIN IMMEDIATE` failed) or the connection is closed: either way
    /// there is nothing left to undo.
    async fn rollback(&mut self) {
        if let Ok(raw) = self.raw() {
            let _ = sqlx::raw_sql("ROLLBACK").execute(raw).await;
        }
        self.state = State::Idle;
    }
}

/// The writer, lent to one write unit of work. Dropped without commit (a
/// refusal, an error, a cancelled request), it rolls back from a spawned
/// task that keeps the writer until done, so the next unit starts clean
/// and the write lock is released at once.
struct Lease(Option<OwnedMutexGuard<Writer>>);

impl Lease {
    fn writer(&mut self) -> &mut Writer {
        self.0
            .as_mut()
            .expect("a lease holds the writer until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(mut writer) = self.0.take() else {
            return;
        };
        match writer.state {
            State::Idle => {}
            State::Begin => writer.state = State::Idle,
            State::Open => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move { writer.rollback().await });
                }
            }
        }
    }
}

/// A transaction on a reader, or the writer.
enum Conn {
    Reader(Transaction<'static, Sqlite>),
    Writer(Lease),
}

/// A unit of work's connection.
struct SqliteTx {
    conn: Conn,
}

impl SqliteTx {
    /// A write unit of work on `writer`, its transaction begun before the
    /// first statement; dropped before its commit, it rolls back.
    fn begun(mut writer: OwnedMutexGuard<Writer>) -> SqliteTx {
        writer.state = State::Begin;
        SqliteTx {
            conn: Conn::Writer(Lease(Some(writer))),
        }
    }

    /// The writer, when this is a write unit of work.
    fn writer(&mut self) -> Option<&mut Writer> {
        match &mut self.conn {
            Conn::Reader(_) => None,
            Conn::Writer(lease) => Some(lease.writer()),
        }
    }

    async fn rows(&mut self, statement: Query) -> Result<Vec<SqliteRow>, sqlx::Error> {
        match &mut self.conn {
            Conn::Reader(tx) => query(statement).fetch_all(&mut **tx).await,
            Conn::Writer(lease) => {
                let conn = lease.writer().in_transaction().await?;
                query(statement).fetch_all(conn).await
            }
        }
    }

    async fn changes(&mut self, statement: Query) -> Result<u64, sqlx::Error> {
        let done = match &mut self.conn {
            Conn::Reader(tx) => query(statement).execute(&mut **tx).await?,
            Conn::Writer(lease) => {
                let conn = lease.writer().in_transaction().await?;
                query(statement).execute(conn).await?
            }
        };
        Ok(done.rows_affected())
    }
}

/// A statement with its values bound. The text is built from the schema's
/// own names; every value is a bound parameter.
fn query(statement: Query) -> sqlx::query::Query<'static, Sqlite, SqliteArguments> {
    let (sql, values) = statement.into_parts();
    values
        .into_iter()
        .fold(sqlx::query(AssertSqlSafe(sql)), bind)
}

/// `INSERT … SELECT … WHERE` the held time has room: the row is written
/// only while fewer active bookings than the capacity meet its held time,
/// for its professional and its resource.
fn guarded_insert(fields: &Fields) -> Query {
    let names = agendo_sql::sql::names(fields);
    let at = |column: &str| field(fields, column);
    let query = Query::new(
        Params::Question,
        &format!("INSERT INTO bookings ({names}) SELECT "),
    )
    .bind_list(fields.iter().map(|(_, value)| value.clone()))
    .push(" WHERE (")
    .bind(at("status"))
    .push(" NOT IN ('pending', 'confirmed') OR (");
    let query = meeting_count(query, fields, "professional_id", "professional_id").push(" < ");
    let query = capacity(query, fields, "professionals", "professional_id")
        .push(" AND (")
        .bind(at("resource_id"))
        .push(" IS NULL OR ");
    let query = meeting_count(query, fields, "resource_id", "resource_id").push(" < ");
    capacity(query, fields, "resources", "resource_id").push(")))")
}

/// `(SELECT count(*) …)`: the active bookings but this one whose `column`
/// is the booking's `own` and whose held span meets its own.
fn meeting_count(query: Query, fields: &Fields, column: &str, own: &str) -> Query {
    query
        .push("(SELECT count(*) FROM bookings WHERE business_id = ")
        .bind(field(fields, "business_id"))
        .push(&format!(" AND {column} = "))
        .bind(field(fields, own))
        .push(&format!(" AND {ACTIVE} AND held_start < "))
        .bind(field(fields, "held_end"))
        .push(" AND held_end > ")
        .bind(field(fields, "held_start"))
        .push(" AND id <> ")
        .bind(field(fields, "id"))
        .push(")")
}

/// The capacity of the booking's `own` row of `table` (1 when not stored).
fn capacity(query: Query, fields: &Fields, table: &str, own: &str) -> Query {
    query
        .push(&format!(
            "COALESCE((SELECT capacity FROM {table} WHERE business_id = "
        ))
        .bind(field(fields, "business_id"))
        .push(" AND id = ")
        .bind(field(fields, own))
        .push("), 1)")
}

/// [`Store::book_alone`]'s insert: [`guarded_insert`], written only when
/// nothing but the guard may stand in its way ([`alone_allowed`]).
fn book_alone(booking: &Booking) -> Query {
    let fields = booking.fields();
    alone_allowed(guarded_insert(&fields).push(" AND "), &fields)
}

/// [`book_alone`]'s insert alone, one statement: it writes the row or
/// nothing. [`Alone::Declined`] when it wrote nothing, after the shared
/// guard named who holds the time if only the guard stood in the way.
async fn book_insert_in(tx: &mut SqliteTx, booking: &Booking) -> Result<Alone, agendo_core::Error> {
    if tx.execute(book_alone(booking)).await? == 1 {
        return Ok(Alone::Added);
    }
    // Still under the writer's lock: when only the guard stood in the
    // way, it names who holds the time.
    let open = match tx.fetch(only_the_guard(booking)).await?.first() {
        Some(row) => row.int("open")? == 1,
        None => false,
    };
    if open {
        guard(tx, booking).await?;
    }
    Ok(Alone::Declined)
}

/// A new booking's events, numbered after the business's last.
async fn events_in(
    tx: &mut SqliteTx,
    booking: &Booking,
    events: &[agendo_core::agenda::Event],
    at: DateTime<Utc>,
) -> Result<(), agendo_core::Error> {
    if !events.is_empty() {
        let query =
            agendo_sql::record::numbered_events(Params::Question, booking.business(), at, events);
        tx.execute(query).await?;
    }
    Ok(())
}

/// Whether, when [`book_alone`] wrote nothing, only the guard stood in the
/// way (and the id was not taken): a row with `open`.
fn only_the_guard(booking: &Booking) -> Query {
    let fields = booking.fields();
    alone_allowed(Query::new(Params::Question, "SELECT "), &fields)
        .push(" AND NOT EXISTS (SELECT 1 FROM bookings WHERE business_id = ")
        .bind(field(&fields, "business_id"))
        .push(" AND id = ")
        .bind(field(&fields, "id"))
        .push(") AS open")
}

/// The guarded insert of `booking` as SQL text with its values written in:
/// what a ceiling measured with the `sqlite3` shell replays (see
/// `benches/src/bin/store-load.rs`), so it times the same statement.
pub fn guarded_insert_text(booking: &Booking) -> String {
    guarded_insert(&booking.fields()).inline(literal)
}

/// `value` as an SQLite literal, stored as [`bind`] stores it.
fn literal(value: &Value) -> String {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let or_null = |text: Option<String>| text.map_or_else(|| "NULL".to_owned(), |t| quoted(&t));
    match value {
        Value::Uuid(id) => or_null(id.map(|u| u.hyphenated().to_string())),
        Value::Text(text) => or_null(text.clone()),
        Value::Int(n) => n.to_string(),
        Value::Decimal(d) => quoted(&d.to_string()),
        Value::Time(t) => or_null(t.map(time_text)),
        Value::Date(d) => quoted(&d.format("%Y-%m-%d").to_string()),
        Value::Json(text) => quoted(text),
        Value::Bytes(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("X'{hex}'")
        }
    }
}

/// SQLite's extended code for a unique index violation.
const UNIQUE_VIOLATION: &str = "2067";

/// The core's error for a database failure. A unique index refusing a
/// write is a write conflict, as on Postgres: the use case runs again and
/// its own check names what is taken. (Under the single writer the check
/// sees every commit, so this is for another process on the same file.)
fn storage(error: sqlx::Error) -> agendo_core::Error {
    if matches!(&error, sqlx::Error::Database(e) if e.code().as_deref() == Some(UNIQUE_VIOLATION)) {
        return agendo_core::Error::WriteConflict;
    }
    agendo_core::Error::Storage {
        detail: error.to_string(),
    }
}

/// Instants as fixed-width text: microseconds, always six digits, `Z`.
fn time_text(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn bind(
    query: sqlx::query::Query<'_, Sqlite, SqliteArguments>,
    value: Value,
) -> sqlx::query::Query<'_, Sqlite, SqliteArguments> {
    match value {
        Value::Uuid(id) => query.bind(id.map(|u| u.hyphenated().to_string())),
        Value::Text(text) => query.bind(text),
        Value::Int(n) => query.bind(n),
        Value::Decimal(d) => query.bind(d.to_string()),
        Value::Time(t) => query.bind(t.map(time_text)),
        Value::Date(d) => query.bind(d.format("%Y-%m-%d").to_string()),
        Value::Json(text) => query.bind(text),
        Value::Bytes(bytes) => query.bind(bytes),
    }
}

#[async_trait]
impl Connection for SqliteTx {
    type Row = Line;
    const PARAMS: Params = Params::Question;

    async fn fetch(&mut self, query: Query) -> Result<Vec<Line>, agendo_core::Error> {
        let rows = self.rows(query).await.map_err(storage)?;
        Ok(rows.into_iter().map(Line).collect())
    }

    async fn execute(&mut self, query: Query) -> Result<u64, agendo_core::Error> {
        self.changes(query).await.map_err(storage)
    }

    /// The guard and the insert in one statement, safe under the write
    /// lock: the row is written only while fewer active bookings than the
    /// capacity meet its held time, for the professional and the resource.
    /// A refusal is then explained by the shared guard, which names them.
    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), agendo_core::Error> {
        let inserted = self.changes(guarded_insert(&booking.fields())).await;
        match inserted {
            Ok(1) => Ok(()),
            Ok(_) => {
                guard(self, booking).await?;
                // Nothing met it after all: only possible if the rows
                // changed under the write lock, which they cannot.
                Err(agendo_core::Error::WriteConflict)
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(agendo_core::Error::AlreadyExists {
                    record: RecordKind::Booking,
                    id: booking.id().to_string(),
                })
            }
            Err(e) => Err(storage(e)),
        }
    }

    async fn commit(self, changed: Changed) -> Result<(), agendo_core::Error> {
        match self.conn {
            Conn::Reader(tx) => tx.commit().await.map_err(storage),
            Conn::Writer(mut lease) => {
                let writer = lease.writer();
                match writer.state {
                    // Failing, the lease rolls back when dropped.
                    State::Open => writer.commit(&[&changed]).await.map_err(storage),
                    // Nothing was written.
                    State::Idle | State::Begin => {
                        writer.state = State::Idle;
                        Ok(())
                    }
                }
            }
        }
    }
}

/// A row read from SQLite.
struct Line(SqliteRow);

fn get<'r, T>(row: &'r Line, column: &str) -> Result<T, agendo_core::Error>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    use sqlx::Row as _;
    row.0.try_get(column).map_err(storage)
}

fn parsed<T, E: std::fmt::Display>(
    column: &str,
    text: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, agendo_core::Error> {
    text.map(|t| parse(&t).map_err(|e| corrupt(column, format_args!("{t:?}: {e}"))))
        .transpose()
}

impl Row for Line {
    fn uuid_opt(&self, column: &str) -> Result<Option<Uuid>, agendo_core::Error> {
        parsed(column, get(self, column)?, Uuid::parse_str)
    }
    fn text_opt(&self, column: &str) -> Result<Option<String>, agendo_core::Error> {
        get(self, column)
    }
    fn int(&self, column: &str) -> Result<i64, agendo_core::Error> {
        get(self, column)
    }
    fn int_opt(&self, column: &str) -> Result<Option<i64>, agendo_core::Error> {
        get(self, column)
    }
    fn decimal(&self, column: &str) -> Result<Decimal, agendo_core::Error> {
        parsed(column, Some(get(self, column)?), Decimal::from_str)?
            .ok_or_else(|| corrupt(column, "NULL"))
    }
    fn time_opt(&self, column: &str) -> Result<Option<DateTime<Utc>>, agendo_core::Error> {
        parsed(column, get(self, column)?, |t| {
            DateTime::parse_from_rfc3339(t).map(|t| t.to_utc())
        })
    }
    fn date(&self, column: &str) -> Result<NaiveDate, agendo_core::Error> {
        parsed(column, Some(get(self, column)?), |t| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
        })?
        .ok_or_else(|| corrupt(column, "NULL"))
    }
    fn json(&self, column: &str) -> Result<String, agendo_core::Error> {
        get(self, column)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, agendo_core::Error> {
        get(self, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_fixed_width_so_text_order_is_time_order() {
        let a: DateTime<Utc> = "2026-03-01T09:00:00Z".parse().unwrap();
        let b: DateTime<Utc> = "2026-03-01T09:00:00.5Z".parse().unwrap();
        assert_eq!(time_text(a), "2026-03-01T09:00:00.000000Z");
        assert!(time_text(a) < time_text(b));
        assert_eq!(time_text(a).len(), time_text(b).len());
    }
}
