//! What Agendo's SQL stores (`agendo-sqlite`, `agendo-postgres`) share, so
//! each record is laid out in columns, and read back, in one place.
//!
//! - [`record`]: each record's table and columns ([`Stored`]), the values
//!   written ([`Value`]) and the reading of a row ([`Row`]), with every
//!   check of the engine's constructors applied on the way back.
//! - [`codec`]: the JSON of the nested values kept in one column: working
//!   hours, policies, notice settings, commission rules, a booking's
//!   history, a payment's refunds, an idempotency outcome. Amounts are
//!   decimal strings with their currency, never floats.
//! - [`sql`]: the statements both databases accept (upsert, read by id,
//!   list), written for a placeholder style.
//! - [`work`]: the unit of work itself, every port method written once over
//!   a [`work::Connection`] that each adapter implements, and the store's
//!   guard ([`work::guard`]) for databases that check under a lock.
//! - [`directory`]: the few reads and writes across businesses (a public
//!   address, the accounts of an e-mail, failed sign-ins).
//! - [`hooks`]: webhook endpoints and their deliveries.
//! - [`queue`]: the message queue: messages, templates and the gathering
//!   mark of a business, and the worker's claims across businesses.
//!
//! The adapters keep what differs: connections, transactions, how a type
//! is bound and read, and the database's own guard against double-booking.

pub mod codec;
pub mod directory;
pub mod hooks;
pub mod queue;
pub mod record;
pub mod sql;
pub mod work;

pub use record::{Row, Stored, Value};
pub use work::{Connection, Work};

use agendo_core::Error;

/// The error for a stored value that does not read back: the database
/// holds something the engine would not have written.
pub fn corrupt(column: &str, problem: impl std::fmt::Display) -> Error {
    Error::Storage {
        detail: format!("stored {column} does not read back: {problem}"),
    }
}
