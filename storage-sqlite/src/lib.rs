//! Agendo's store over an SQLite file (`agendo-sqlite`).
//!
//! The embedded default: one file, no server. How it keeps the ports'
//! promises:
//! - **One writer at a time.** A write unit of work waits for the store's
//!   writer lock, then opens `BEGIN IMMEDIATE`, which takes SQLite's write
//!   lock up front. The conflict check and the insert run inside it, so no
//!   other writer (in this process or another) can book in between; the
//!   store's guard ([`agendo_sql::work::guard`]) checks again before every
//!   booking write.
//! - **Readers never wait.** WAL journal mode lets read units run beside
//!   the writer.
//! - **Durable commits.** `synchronous = FULL`: a committed booking
//!   survives a power cut.
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
//! use agendo_core::ids::BusinessId;
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
use std::sync::Arc;
use std::time::Duration;

use agendo_core::ids::BusinessId;
use agendo_core::store::{Access, Store, UnitOfWork};
use agendo_sql::sql::Params;
use agendo_sql::{corrupt, Connection, Row, Value, Work};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

/// The migrations of this crate's schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Readers kept open at once; writers take turns on one of them.
const CONNECTIONS: u32 = 8;

/// What can go wrong opening or copying the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or created.
    #[error("could not open the SQLite database {path} / não foi possível abrir o banco SQLite {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed; the schema is as it was before it.
    #[error("could not migrate the SQLite database / não foi possível migrar o banco SQLite: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The backup could not be written.
    #[error("could not back up to {path} / não foi possível copiar para {path}: {source}")]
    Backup {
        /// The backup file.
        path: PathBuf,
        /// Why.
        source: sqlx::Error,
    },
}

/// Records in an SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `path` and applies
    /// the migrations it lacks.
    ///
    /// # Errors
    /// [`Error::Open`] when the file cannot be opened; [`Error::Migrate`]
    /// when a migration fails.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_path_buf();
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|source| Error::Open {
                path: path.clone(),
                source,
            })?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore {
            pool,
            writer: Arc::new(Mutex::new(())),
            path,
        })
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
            .execute(&self.pool)
            .await
            .map_err(|source| Error::Backup {
                path: target.clone(),
                source,
            })?;
        Ok(())
    }

    /// Closes every connection, after the units of work in flight end.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(
        &self,
        business: BusinessId,
        access: Access,
    ) -> Result<Box<dyn UnitOfWork>, agendo_core::Error> {
        let (writer, begin) = match access {
            Access::Read => (None, "BEGIN"),
            Access::Write => (
                Some(self.writer.clone().lock_owned().await),
                "BEGIN IMMEDIATE",
            ),
        };
        let tx = self.pool.begin_with(begin).await.map_err(storage)?;
        Ok(Box::new(Work::new(
            SqliteTx {
                tx,
                _writer: writer,
            },
            business,
        )))
    }
}

/// A transaction, holding the store's writer lock when it writes.
struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    // Dropped with the transaction: the rollback is queued first, and
    // `BEGIN IMMEDIATE`'s busy timeout covers the moment until it runs.
    _writer: Option<OwnedMutexGuard<()>>,
}

/// The core's error for a database failure.
fn storage(error: sqlx::Error) -> agendo_core::Error {
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
    }
}

#[async_trait]
impl Connection for SqliteTx {
    type Row = Line;
    const PARAMS: Params = Params::Question;

    async fn fetch(
        &mut self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<Line>, agendo_core::Error> {
        // The statement text is built from the schema's own names; every
        // value is a bound parameter.
        let query = values
            .into_iter()
            .fold(sqlx::query(AssertSqlSafe(sql.to_owned())), bind);
        let rows = query.fetch_all(&mut *self.tx).await.map_err(storage)?;
        Ok(rows.into_iter().map(Line).collect())
    }

    async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, agendo_core::Error> {
        let query = values
            .into_iter()
            .fold(sqlx::query(AssertSqlSafe(sql.to_owned())), bind);
        let done = query.execute(&mut *self.tx).await.map_err(storage)?;
        Ok(done.rows_affected())
    }

    async fn commit(self) -> Result<(), agendo_core::Error> {
        self.tx.commit().await.map_err(storage)
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
