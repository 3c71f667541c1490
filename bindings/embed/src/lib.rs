//! `agendo-embed`: Agendo's engine inside another program's process, with
//! a blocking API. The Python module (`agendo-py`) and the mobile library
//! (`agendo-ffi`) are thin skins over it, so both answer exactly alike.
//!
//! An [`Engine`] owns a store (an SQLite file, or a Postgres server) and
//! the few threads that drive it. Every method blocks its caller until the
//! engine answers and may be called from many threads at once: each call is
//! one of the engine's atomic use cases, so two threads booking one slot
//! get one booking and one [`Kind::SlotTaken`].
//!
//! Inputs are plain values (text ids, exact decimals in the business's
//! currency, UTC instants); answers are the engine's records. "Now" is an
//! argument of every call that depends on it, as everywhere in the engine.
//!
//! The functions of [`pure`] need no store: the slot search over a query in
//! the engine's JSON contract, the conflict check, the cancellation policy
//! and recurrence expansion.
//!
//! # Example
//! ```
//! use agendo_embed::{BusinessSpec, Engine};
//! let dir = tempfile::tempdir().unwrap();
//! let engine = Engine::open(dir.path().join("agenda.db"))?;
//! let shop = engine.create_business(&BusinessSpec {
//!     name: "Barbearia do Zé".into(), timezone: "America/Sao_Paulo".into(),
//!     currency: "BRL".into(), locale: "pt-BR".into(), confirmation: "immediate".into(),
//!     policy: None,
//! })?;
//! assert_eq!(engine.business(&shop.id().to_string())?.name(), "Barbearia do Zé");
//! # Ok::<(), agendo_embed::Error>(())
//! ```

mod error;
pub mod pure;
mod reach;
mod spec;
pub mod views;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use agendo_core::account::Role;
use agendo_core::agenda::{
    Actor, Agenda, BlockFields, BookRequest, Context, Ended, EventRecord, Paid, PaymentRequest,
    PaymentState, SlotsRequest,
};
use agendo_core::availability::{HoursQuery, SlotAnswer};
use agendo_core::booking::Booking;
use agendo_core::business::{Block, Bookable, Business, Client, Professional, Service};
use agendo_core::ids::{
    BlockId, BookingId, BusinessId, ClientId, PaymentId, ProfessionalId, ServiceId,
};
use agendo_core::payment::{Payment, PaymentMethod};
use agendo_core::policy::Party;
use agendo_core::store::{Access, BookingFilter, IdempotencyKey, Store, UnitOfWork};
use agendo_core::time::Span;
use agendo_core::RecordKind;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

pub use error::{Error, Kind};
pub use reach::{PaymentsSpec, ReceivableSpec, ResourceSpec, SeriesSpec};
pub use spec::{
    amount_from_parts, read_amount, read_hours, read_policy, BookSpec, BusinessSpec, ClientSpec,
    PaymentSpec, ProfessionalSpec, ServiceSpec, SlotsSpec,
};

/// How many threads drive an engine's store: enough to keep a connection
/// pool busy, few enough for a phone.
const WORKER_THREADS: usize = 2;

/// The engine over a store, with its own threads.
///
/// Dropping it closes the store. A process that forks (a pre-forking web
/// server) opens its engines after the fork, in each worker: threads and
/// connections do not survive a fork.
pub struct Engine {
    shared: Arc<Shared>,
    /// Who acts through this handle ([`Engine::acting`]).
    actor: Actor,
}

/// What every handle of one engine shares: the threads and the store.
struct Shared {
    runtime: tokio::runtime::Runtime,
    agenda: Agenda,
    db: Db,
}

enum Db {
    Sqlite(agendo_sqlite::SqliteStore),
    Postgres(agendo_postgres::PgStore),
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.shared.db {
            Db::Sqlite(_) => "Engine(sqlite)",
            Db::Postgres(_) => "Engine(postgres)",
        })
    }
}

impl Engine {
    /// Opens (creating it if missing) the SQLite file at `path`, applying
    /// the migrations it lacks. One process should write a file at a time.
    ///
    /// # Errors
    /// [`Error::Sqlite`] when the file cannot be opened or migrated;
    /// [`Error::Runtime`] when the threads cannot start.
    pub fn open(path: impl AsRef<Path>) -> Result<Engine, Error> {
        let runtime = runtime()?;
        let store = runtime.block_on(agendo_sqlite::SqliteStore::open(path))?;
        Ok(Engine::over(Shared {
            agenda: Agenda::new(Arc::new(store.clone())),
            db: Db::Sqlite(store),
            runtime,
        }))
    }

    /// Connects to the Postgres database at `url`
    /// (`postgres://user:password@host:5432/db`), applying the migrations
    /// it lacks. Many processes may share one database.
    ///
    /// # Errors
    /// [`Error::Postgres`] when the server cannot be reached or migrated;
    /// [`Error::Runtime`] when the threads cannot start.
    pub fn connect(url: &str) -> Result<Engine, Error> {
        let runtime = runtime()?;
        let store = runtime.block_on(agendo_postgres::PgStore::connect(url))?;
        Ok(Engine::over(Shared {
            agenda: Agenda::new(Arc::new(store.clone())),
            db: Db::Postgres(store),
            runtime,
        }))
    }

    fn over(shared: Shared) -> Engine {
        Engine {
            shared: Arc::new(shared),
            actor: Actor::Operator,
        }
    }

    /// A handle of the same engine (threads and store) through which
    /// `role` acts: `owner`, `receptionist`, or `professional` with the
    /// professional they are. Every call through it asks the engine's
    /// permission table, as the HTTP server does for a signed-in account.
    /// The engine itself acts as the operator, who may do everything.
    ///
    /// # Errors
    /// [`Kind::Validation`] for an unknown `role` or a malformed
    /// `professional`.
    pub fn acting(&self, role: &str, professional: Option<&str>) -> Result<Engine, Error> {
        let role = Role::parse(role).map_err(|e| e.at("role"))?;
        let professional = professional
            .map(|p| ProfessionalId::parse(p).map_err(|e| e.at("professional")))
            .transpose()?;
        Ok(Engine {
            shared: Arc::clone(&self.shared),
            actor: Actor::staff(role, professional),
        })
    }

    /// The business's events numbered after `after`, oldest first, at most
    /// `limit` (up to 500): what each change did, for an integration to
    /// follow.
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] for a role that may not follow events.
    pub fn events(
        &self,
        business: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<EventRecord>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.events(&ctx, after, limit))
    }

    /// Closes the store's connections; later calls fail with
    /// [`Kind::Storage`].
    pub fn close(&self) {
        self.shared.runtime.block_on(async {
            match &self.shared.db {
                Db::Sqlite(store) => store.close().await,
                Db::Postgres(store) => store.close().await,
            }
        });
    }

    /// Creates a business.
    ///
    /// # Errors
    /// [`Kind::Validation`] naming `name`, `timezone`, `currency`, `locale`,
    /// `confirmation` or `policy.…`.
    pub fn create_business(&self, spec: &BusinessSpec) -> Result<Business, Error> {
        let business = spec.build()?;
        self.run(self.shared.agenda.create_business(&business))?;
        Ok(business)
    }

    /// A business.
    ///
    /// # Errors
    /// [`Kind::NotFound`]; [`Kind::Validation`] for a malformed `business`.
    pub fn business(&self, business: &str) -> Result<Business, Error> {
        let id = business_id(business)?;
        self.read(id, |mut work| async move {
            work.business().await?.ok_or(agendo_core::Error::NotFound {
                record: RecordKind::Business,
                id: id.to_string(),
            })
        })
    }

    /// Creates a service of `business` (no `id` in the spec) or changes
    /// the one its `id` names, in one unit of work.
    ///
    /// # Errors
    /// [`Kind::Validation`] naming the spec's field; [`Kind::NotFound`].
    pub fn save_service(
        &self,
        business: &str,
        spec: &ServiceSpec,
        now: DateTime<Utc>,
    ) -> Result<Service, Error> {
        let ctx = self.context(business, None, now)?;
        let (id, fields) = spec.fields()?;
        match id {
            None => self.run(self.shared.agenda.create_service(&ctx, &fields)),
            Some(id) => self.run(self.shared.agenda.change_service(&ctx, id, &fields)),
        }
    }

    /// The services of `business`, retired ones included.
    ///
    /// # Errors
    /// [`Kind::Validation`] for a malformed `business`; [`Kind::Storage`].
    pub fn services(&self, business: &str) -> Result<Vec<Service>, Error> {
        self.read(business_id(business)?, |mut work| async move {
            work.services().await
        })
    }

    /// Creates a professional of `business` (no `id` in the spec) or
    /// changes the one its `id` names, in one unit of work.
    ///
    /// # Errors
    /// [`Kind::Validation`] naming the spec's field (`hours.weekly.mon[0]`);
    /// [`Kind::NotFound`] for a service named.
    pub fn save_professional(
        &self,
        business: &str,
        spec: &ProfessionalSpec,
        now: DateTime<Utc>,
    ) -> Result<Professional, Error> {
        let ctx = self.context(business, None, now)?;
        let (id, fields) = spec.fields()?;
        match id {
            None => self.run(self.shared.agenda.create_professional(&ctx, &fields)),
            Some(id) => self.run(self.shared.agenda.change_professional(&ctx, id, &fields)),
        }
    }

    /// The professionals of `business`, retired ones included.
    ///
    /// # Errors
    /// [`Kind::Validation`] for a malformed `business`; [`Kind::Storage`].
    pub fn professionals(&self, business: &str) -> Result<Vec<Professional>, Error> {
        self.read(business_id(business)?, |mut work| async move {
            work.professionals().await
        })
    }

    /// Replaces a professional's working hours.
    ///
    /// # Errors
    /// [`Kind::Validation`] naming the bad window (`hours.weekly.tue[0]`);
    /// [`Kind::NotFound`].
    pub fn set_hours(
        &self,
        business: &str,
        professional: &str,
        hours: &HoursQuery,
        now: DateTime<Utc>,
    ) -> Result<Professional, Error> {
        let ctx = self.context(business, None, now)?;
        let id = ProfessionalId::parse(professional).map_err(|e| e.at("professional"))?;
        self.run(self.shared.agenda.set_hours(&ctx, id, hours))
    }

    /// Blocks a professional's time from `start` to `end` (a day off, a
    /// lunch): no booking may meet it.
    ///
    /// # Errors
    /// [`Kind::Validation`] for `end` not after `start`; [`Kind::NotFound`].
    pub fn add_block(
        &self,
        business: &str,
        professional: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Block, Error> {
        let ctx = self.context(business, None, now)?;
        let id = ProfessionalId::parse(professional).map_err(|e| e.at("professional"))?;
        let fields = BlockFields {
            on: Bookable::Professional(id),
            start,
            end,
            reason: reason.to_owned(),
        };
        self.run(self.shared.agenda.add_block(&ctx, &fields))
    }

    /// Removes a block of a professional's time.
    ///
    /// # Errors
    /// [`Kind::NotFound`]; [`Kind::Validation`] for a malformed id.
    pub fn remove_block(
        &self,
        business: &str,
        professional: &str,
        block: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let ctx = self.context(business, None, now)?;
        let id = ProfessionalId::parse(professional).map_err(|e| e.at("professional"))?;
        let block = BlockId::parse(block).map_err(|e| e.at("block"))?;
        self.run(
            self.shared
                .agenda
                .remove_block(&ctx, Bookable::Professional(id), block),
        )
    }

    /// Creates a client of `business` (no `id` in the spec) or changes the
    /// one its `id` names, in one unit of work.
    ///
    /// # Errors
    /// [`Kind::Validation`] naming `name`, `email`, `phone` or `notes`.
    pub fn save_client(
        &self,
        business: &str,
        spec: &ClientSpec,
        now: DateTime<Utc>,
    ) -> Result<Client, Error> {
        let ctx = self.context(business, None, now)?;
        let (id, fields) = spec.fields()?;
        match id {
            None => self.run(self.shared.agenda.create_client(&ctx, &fields)),
            Some(id) => self.run(self.shared.agenda.change_client(&ctx, id, &fields)),
        }
    }

    /// The clients of `business` whose name, e-mail or phone matches
    /// `query` (accents and case ignored); all of them when it is empty.
    ///
    /// # Errors
    /// [`Kind::Validation`] for a malformed `business`; [`Kind::Storage`].
    pub fn clients(&self, business: &str, query: &str) -> Result<Vec<Client>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.clients(&ctx, query, true))
    }

    /// The free slots of a service, seen at `now`: the starts [`Engine::book`]
    /// accepts, each with the professionals free then.
    ///
    /// # Errors
    /// [`Kind::NotFound`] for the service or professional;
    /// [`Kind::NotAllowed`] when either is retired or does not perform it;
    /// [`Kind::Validation`] for `to` before `from` or a range too long.
    pub fn availability(
        &self,
        business: &str,
        spec: &SlotsSpec,
        now: DateTime<Utc>,
    ) -> Result<SlotAnswer, Error> {
        let business = business_id(business)?;
        let request = SlotsRequest {
            service: ServiceId::parse(&spec.service).map_err(|e| e.at("service"))?,
            professional: spec
                .professional
                .as_deref()
                .map(|p| ProfessionalId::parse(p).map_err(|e| e.at("professional")))
                .transpose()?,
            from: spec.from,
            to: spec.to,
            step_minutes: spec.step_minutes,
        };
        self.run(
            self.shared
                .agenda
                .slots(&Context::new(business, now, self.actor), &request),
        )
    }

    /// Books an appointment, atomically: of many callers asking for one
    /// slot, one gets it and the others [`Kind::SlotTaken`]. With a `key`,
    /// a retry of the same request answers the same booking.
    ///
    /// # Errors
    /// [`Kind::SlotTaken`], [`Kind::Blocked`], [`Kind::OutsideWorkingHours`]
    /// naming what is in the way; [`Kind::Validation`] for a start in the
    /// past; [`Kind::NotFound`]; [`Kind::NotAllowed`].
    pub fn book(
        &self,
        business: &str,
        spec: &BookSpec,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Booking, Error> {
        let ctx = self.context(business, key, now)?;
        let request = BookRequest {
            service: ServiceId::parse(&spec.service).map_err(|e| e.at("service"))?,
            professional: ProfessionalId::parse(&spec.professional)
                .map_err(|e| e.at("professional"))?,
            client: ClientId::parse(&spec.client).map_err(|e| e.at("client"))?,
            start: spec.start,
            discount: None,
        };
        self.run(self.shared.agenda.book(&ctx, &request))
    }

    /// A booking.
    ///
    /// # Errors
    /// [`Kind::NotFound`]; [`Kind::Validation`] for a malformed id.
    pub fn booking(&self, business: &str, booking: &str) -> Result<Booking, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.booking(&ctx, booking_id(booking)?))
    }

    /// The bookings whose appointment meets `[from, to)`, of one
    /// professional or all, in every status, by start.
    ///
    /// # Errors
    /// [`Kind::Validation`] for `to` not after `from` or a malformed id.
    pub fn bookings(
        &self,
        business: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        professional: Option<&str>,
    ) -> Result<Vec<Booking>, Error> {
        let filter = BookingFilter {
            during: Some(Span::new(from, to).map_err(|e| e.at("to"))?),
            professional: professional
                .map(|p| ProfessionalId::parse(p).map_err(|e| e.at("professional")))
                .transpose()?,
            ..BookingFilter::default()
        };
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.bookings(&ctx, &filter))
    }

    /// Confirms a pending booking.
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] when its state or an unpaid deposit forbids it;
    /// [`Kind::NotFound`].
    pub fn confirm(
        &self,
        business: &str,
        booking: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, Error> {
        let ctx = self.context(business, None, now)?;
        self.run(self.shared.agenda.confirm(&ctx, booking_id(booking)?))
    }

    /// Marks a booking done, once it has started.
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] before its start or from a final state.
    pub fn complete(
        &self,
        business: &str,
        booking: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, Error> {
        let ctx = self.context(business, None, now)?;
        self.run(self.shared.agenda.complete(&ctx, booking_id(booking)?))
    }

    /// Moves a booking to `start`, keeping its length, with the same checks
    /// as booking.
    ///
    /// # Errors
    /// As [`Engine::book`].
    pub fn reschedule(
        &self,
        business: &str,
        booking: &str,
        start: DateTime<Utc>,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Booking, Error> {
        let ctx = self.context(business, key, now)?;
        self.run(
            self.shared
                .agenda
                .reschedule(&ctx, booking_id(booking)?, start),
        )
    }

    /// Cancels a booking `by` the client or the business, applying the
    /// cancellation policy: the answer has the fee kept and the refund, both
    /// recorded on the booking's payments.
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] from a final state; [`Kind::NotFound`].
    pub fn cancel(
        &self,
        business: &str,
        booking: &str,
        by: Party,
        reason: &str,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Ended, Error> {
        let mut ctx = self.context(business, key, now)?;
        ctx.by = by;
        self.run(
            self.shared
                .agenda
                .cancel(&ctx, booking_id(booking)?, reason),
        )
    }

    /// What cancelling the booking at `now` by `by` would settle, exactly
    /// as [`Engine::cancel`] would: shown before anyone confirms. Nothing
    /// changes.
    ///
    /// # Errors
    /// [`Kind::NotFound`]; [`Kind::NotAllowed`] from a final state.
    pub fn cancellation_quote(
        &self,
        business: &str,
        booking: &str,
        by: Party,
        now: DateTime<Utc>,
    ) -> Result<agendo_core::policy::Settlement, Error> {
        let mut ctx = self.context(business, None, now)?;
        ctx.by = by;
        self.run(
            self.shared
                .agenda
                .cancellation_quote(&ctx, booking_id(booking)?),
        )
    }

    /// Records that the client did not come, applying the no-show fee.
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] before the start or from a final state.
    pub fn no_show(
        &self,
        business: &str,
        booking: &str,
        now: DateTime<Utc>,
    ) -> Result<Ended, Error> {
        let ctx = self.context(business, None, now)?;
        self.run(self.shared.agenda.no_show(&ctx, booking_id(booking)?))
    }

    /// Records a payment made outside the engine (PIX, cash, card).
    ///
    /// # Errors
    /// [`Kind::Validation`] naming `amount`, `method` or `booking`;
    /// [`Kind::NotFound`].
    pub fn record_payment(
        &self,
        business: &str,
        spec: &PaymentSpec,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Paid, Error> {
        let ctx = self.context(business, key, now)?;
        let request = PaymentRequest {
            client: ClientId::parse(&spec.client).map_err(|e| e.at("client"))?,
            booking: spec.booking.as_deref().map(booking_id).transpose()?,
            method: PaymentMethod::parse(&spec.method).map_err(|e| e.at("method"))?,
            amount: spec.amount,
            state: if spec.approved {
                PaymentState::Approved
            } else {
                PaymentState::Pending
            },
        };
        self.run(self.shared.agenda.record_payment(&ctx, &request))
    }

    /// Approves a pending payment (the PIX showed up in the statement).
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] when it is not pending; [`Kind::NotFound`].
    pub fn approve_payment(
        &self,
        business: &str,
        payment: &str,
        now: DateTime<Utc>,
    ) -> Result<Paid, Error> {
        let ctx = self.context(business, None, now)?;
        self.run(
            self.shared
                .agenda
                .approve_payment(&ctx, payment_id(payment)?),
        )
    }

    /// Refunds part or all of an approved payment.
    ///
    /// # Errors
    /// [`Kind::NotAllowed`] for more than is left to refund;
    /// [`Kind::Validation`] for `amount`.
    pub fn refund(
        &self,
        business: &str,
        payment: &str,
        amount: Decimal,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Payment, Error> {
        let ctx = self.context(business, None, now)?;
        self.run(
            self.shared
                .agenda
                .refund(&ctx, payment_id(payment)?, amount, reason),
        )
    }

    /// The payments of a booking.
    ///
    /// # Errors
    /// [`Kind::Validation`] for a malformed id; [`Kind::Storage`].
    pub fn payments(&self, business: &str, booking: &str) -> Result<Vec<Payment>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(
            self.shared
                .agenda
                .booking_payments(&ctx, booking_id(booking)?),
        )
    }

    /// The engine's context for this handle's actor in `business` at
    /// `now`, with `key` if given.
    fn context(
        &self,
        business: &str,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Context, Error> {
        let mut ctx = Context::new(business_id(business)?, now, self.actor);
        if let Some(key) = key {
            ctx = ctx.with_key(IdempotencyKey::parse(key).map_err(|e| e.at("key"))?);
        }
        Ok(ctx)
    }

    /// Runs a use case to its end on the engine's threads.
    fn run<T>(
        &self,
        work: impl Future<Output = Result<T, agendo_core::Error>>,
    ) -> Result<T, Error> {
        Ok(self.shared.runtime.block_on(work)?)
    }

    /// Runs `read` over a read-only unit of work of `business`.
    fn read<T, F, Fut>(&self, business: BusinessId, read: F) -> Result<T, Error>
    where
        F: FnOnce(Box<dyn UnitOfWork>) -> Fut,
        Fut: Future<Output = Result<T, agendo_core::Error>>,
    {
        let store: &Arc<dyn Store> = self.shared.agenda.store();
        self.run(async move {
            let work = store.begin(business, Access::Read).await?;
            read(work).await
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("agendo-engine")
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// Reads an id the caller passed as `field`.
fn id<T>(
    text: &str,
    field: &str,
    parse: fn(&str) -> Result<T, agendo_core::Error>,
) -> Result<T, Error> {
    Ok(parse(text).map_err(|e| e.at(field))?)
}

fn business_id(text: &str) -> Result<BusinessId, Error> {
    id(text, "business", BusinessId::parse)
}

fn booking_id(text: &str) -> Result<BookingId, Error> {
    id(text, "booking", BookingId::parse)
}

fn payment_id(text: &str) -> Result<PaymentId, Error> {
    id(text, "payment", PaymentId::parse)
}
