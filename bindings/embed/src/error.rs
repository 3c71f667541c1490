//! The one error of the embedded engine: the engine's own, or the host's
//! failure to start or reach its store. Bindings turn it into their
//! language's exceptions by [`Error::kind`].

use agendo_core::{Class, Lang};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The engine refused or failed: bad input, a taken slot, a rule.
    #[error(transparent)]
    Engine(#[from] agendo_core::Error),
    /// The engine's threads could not start.
    #[error("cannot start the engine's threads: {0}")]
    Runtime(#[source] std::io::Error),
    /// The SQLite file could not be opened or migrated.
    #[error(transparent)]
    Sqlite(#[from] agendo_sqlite::Error),
    /// The Postgres server could not be reached or migrated.
    #[error(transparent)]
    Postgres(#[from] agendo_postgres::Error),
}

/// The families of errors, for bindings to map onto exception classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A value the caller passed is wrong, or an idempotency key was used
    /// for another request; [`Error::field`] names it.
    Validation,
    /// A record the caller named does not exist (in that business).
    NotFound,
    /// The time asked for is taken: [`Error::conflicts`] names the bookings.
    SlotTaken,
    /// The time asked for meets a block: [`Error::conflicts`] names it.
    Blocked,
    /// The time asked for is outside the professional's hours.
    OutsideWorkingHours,
    /// A rule refuses the action: a booking's state, a retired record, a
    /// deposit not paid.
    NotAllowed,
    /// The role acting ([`crate::Engine::acting`]) may not do this: the
    /// engine's permission table says no.
    Forbidden,
    /// Concurrent writers kept getting in the way, or the host is busy;
    /// trying again may work.
    Busy,
    /// The store (file, server) failed or could not be reached.
    Storage,
}

impl Error {
    /// The family of the error, from the engine's one classification
    /// ([`agendo_core::Class`]).
    pub fn kind(&self) -> Kind {
        match self {
            Error::Engine(e) => match e.class() {
                Class::Invalid | Class::Malformed => Kind::Validation,
                Class::NotFound => Kind::NotFound,
                Class::SlotTaken => Kind::SlotTaken,
                Class::Blocked => Kind::Blocked,
                Class::OutsideWorkingHours => Kind::OutsideWorkingHours,
                Class::Forbidden => Kind::Forbidden,
                Class::Busy | Class::Limited => Kind::Busy,
                Class::Storage => Kind::Storage,
                // A rule, or an ended session.
                _ => Kind::NotAllowed,
            },
            Error::Runtime(_) | Error::Sqlite(_) | Error::Postgres(_) => Kind::Storage,
        }
    }

    /// A stable, machine-readable name of the cause: the engine's
    /// [`agendo_core::Error::code`], or `storage` for the host's failures.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Engine(e) => e.code(),
            _ => "storage",
        }
    }

    /// The field a validation error is about, by the name the caller used.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Engine(e) => e.field(),
            _ => None,
        }
    }

    /// The ids of what is in the way: the bookings that take a slot, or the
    /// block that meets it; empty for other errors.
    pub fn conflicts(&self) -> Vec<String> {
        match self {
            Error::Engine(agendo_core::Error::SlotTaken { bookings, .. }) => {
                bookings.iter().map(|b| b.as_str().to_owned()).collect()
            }
            Error::Engine(agendo_core::Error::Blocked { block, .. }) => {
                vec![block.as_str().to_owned()]
            }
            _ => Vec::new(),
        }
    }

    /// The professional a slot error is about, if any.
    pub fn professional(&self) -> Option<&str> {
        use agendo_core::Error as E;
        match self {
            Error::Engine(
                E::SlotTaken { staff, .. }
                | E::Blocked { staff, .. }
                | E::OutsideWorkingHours { staff, .. },
            ) => Some(staff.as_str()),
            _ => None,
        }
    }

    /// The message for a person reading `lang` (R57).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::Engine(e) => e.message(lang),
            Error::Runtime(e) => lang.pick(
                format!("cannot start the engine's threads: {e}"),
                format!("não foi possível iniciar as threads do motor: {e}"),
            ),
            Error::Sqlite(e) => lang.pick(
                format!("the SQLite store failed: {e}"),
                format!("o armazenamento SQLite falhou: {e}"),
            ),
            Error::Postgres(e) => lang.pick(
                format!("the Postgres store failed: {e}"),
                format!("o armazenamento Postgres falhou: {e}"),
            ),
        }
    }
}
