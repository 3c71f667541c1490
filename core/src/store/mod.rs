//! Store ports: what the use cases need from a database (R7, R18).
//!
//! The engine defines the ports; adapters implement them (`agendo-sqlite`,
//! `agendo-postgres`, and [`MemoryStore`] here, the reference the others are
//! held to by the conformance suite in `agendo-conformance`).
//!
//! Why this shape:
//! - **A unit of work, not a repository per record.** Booking is "check,
//!   then write": read the professional's bookings and blocks, run the
//!   conflict check, insert. Those steps must be one atomic step (R18), so
//!   every read and write goes through a [`UnitOfWork`] that [`Store::begin`]
//!   opens and [`UnitOfWork::commit`] ends; dropping it uncommitted throws
//!   its writes away. SQLite takes the write lock up front (`BEGIN
//!   IMMEDIATE`); Postgres adds an exclusion constraint as the final guard.
//! - **Scoped to one business.** A unit of work is opened for one business
//!   and sees only that business's records (R7): a record of another
//!   business is simply not found. No method takes a business id, so no
//!   call can forget to filter by it.
//! - **Async, without a runtime.** The traits use `async-trait`, which needs
//!   no executor, so a phone or a Python process can drive them with
//!   whatever it has, and `dyn Store` works for hosts that choose the store
//!   at start-up.
//! - **Whole records in, whole records out.** Methods take and return the
//!   domain records of [`crate::business`], [`crate::booking`] and
//!   [`crate::payment`]; how they are laid out in tables is the adapter's
//!   business.
//!
//! The store's own guard: [`UnitOfWork::insert_booking`] and
//! [`UnitOfWork::update_booking`] refuse, with [`Error::SlotTaken`], an
//! active booking whose held span meets as many active bookings of the same
//! professional (or resource) as its capacity, even if the caller skipped
//! the conflict check. So no code path can double-book.

mod changes;
mod memory;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::account::{Account, Session, Slug};
use crate::agenda::{AccountToken, Event, EventRecord};
use crate::booking::{Booking, BookingStatus};
use crate::business::{Block, Bookable, Business, Client, Professional, Resource, Service};
use crate::contact::Email;
use crate::error::{Error, Problem};
use crate::ids::{
    AccountId, BlockId, BookingId, BusinessId, ClientId, DeliveryId, EndpointId, MessageId,
    PaymentId, ProfessionalId, ReceivableId, ResourceId, SeriesId, ServiceId, SessionId,
};
use crate::lang::Lang;
use crate::message::{
    ChannelKind, ChannelSetup, Claimed, Form, Message, MessageFilter, Outcome as Sending, Template,
    Topic,
};
use crate::payment::{Payment, Receivable};
use crate::picture::{Picture, Subject};
use crate::time::Span;
use crate::webhook::{ClaimedHook, Endpoint, HookDelivery};

pub use changes::{Change, ChangeLog, Changed, Ended, Ticket, LOGGED};
pub(crate) use memory::staff_key;
pub use memory::{slot_taken, MemoryStore};

/// Whether a unit of work will write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Reads only; a store may run many at once.
    Read,
    /// Reads and writes, serialized with other writers of the business
    /// where the store needs it.
    Write,
}

/// A database that holds businesses' records.
#[async_trait]
pub trait Store: Send + Sync {
    /// Opens a unit of work over `business`'s records.
    ///
    /// # Errors
    /// [`Error::Storage`] when the database cannot be reached.
    async fn begin(
        &self,
        business: BusinessId,
        access: Access,
    ) -> Result<Box<dyn UnitOfWork>, Error>;

    /// A number that grows whenever a unit of work that wrote commits,
    /// when the store can tell: its own commits as they happen, and other
    /// hosts' when it hears of them (Postgres notifications). While it
    /// stays the same, what was read stays true, so a use case may keep it
    /// ([`crate::agenda::Agenda::slots`] does). `None`, the default, means
    /// the store cannot tell: nothing is kept.
    fn version(&self) -> Option<u64> {
        None
    }

    /// What the commits after `version` changed in `business`'s bookings
    /// and blocks ([`ChangeLog::since`]), so a kept search applies it, or
    /// reads again only the calendars it reaches. `None`, the default,
    /// when the store cannot tell, when those commits changed another
    /// record a search reads (the business, a service, a professional, a
    /// resource), or when they are too far back to be remembered
    /// ([`ChangeLog`]): what was kept is read again whole.
    fn changed_since(&self, _version: u64, _business: BusinessId) -> Option<Vec<Change>> {
        None
    }

    /// Whether an account or a session may have changed since `version`
    /// ([`ChangeLog::access_since`]); `true`, the default, when the store
    /// cannot tell.
    fn access_changed_since(&self, _version: u64) -> bool {
        true
    }

    /// Adds `booking` as a unit of work of its own, for a caller that
    /// changes nothing else with it: the store's guard and the insert as
    /// one step (one statement on Postgres, one under the writer's lock on
    /// SQLite), committed and counted. The guard is the same as
    /// [`UnitOfWork::insert_booking`]'s; a store may take the longer way
    /// where it needs more (a capacity above one), and a refusal names the
    /// bookings met the same way. The default opens a unit, inserts and
    /// commits.
    ///
    /// # Errors
    /// As [`UnitOfWork::insert_booking`] and [`UnitOfWork::commit`].
    async fn insert_booking_alone(&self, booking: &Booking) -> Result<(), Error> {
        insert_in_unit(self, booking).await
    }

    /// Adds a checked new `booking` with its `events` (all at `at`) as one
    /// step of its own, when that step alone can tell that nothing the
    /// unit of work's way checks in the store stands in the way: its client
    /// is active, no block of its professional meets its held time, its
    /// professional takes one booking at a time and that time is free. It
    /// has no resource. Otherwise it writes nothing and answers
    /// [`Alone::Declined`]: the caller takes the unit of work's way, which
    /// finds and names what stood in the way. The events are numbered
    /// after every event committed before them, as
    /// [`UnitOfWork::append_events`] numbers them. The default declines.
    ///
    /// # Errors
    /// [`Error::SlotTaken`] naming the bookings met, as
    /// [`UnitOfWork::insert_booking`] would, when the store's guard alone
    /// refused it (everything else checked held); [`Error::Storage`] when
    /// the database cannot be reached: the step then either took effect
    /// whole or not at all.
    async fn book_alone(
        &self,
        _booking: &Booking,
        _events: &[Event],
        _at: DateTime<Utc>,
    ) -> Result<Alone, Error> {
        Ok(Alone::Declined)
    }

    /// The business whose public address is `slug`, if any. One of the
    /// two reads across businesses: a client booking without signing in
    /// names the business by its address.
    async fn business_by_slug(&self, slug: &Slug) -> Result<Option<BusinessId>, Error>;

    /// The active and retired accounts that sign in with `email` (compared
    /// by [`Account::login_key`]), in every business, by business then
    /// account id. The other read across businesses: signing in starts
    /// from an e-mail alone.
    async fn logins(&self, email: &Email) -> Result<Vec<Login>, Error>;

    /// Counts a sign-in attempt under `key` (an account, an address) at
    /// `at`, unless the key already has `limit` attempts at or after
    /// `since`; forgets the key's attempts before `since`. The count and the
    /// write are one atomic step, so of many attempts at once exactly
    /// `limit` are counted (R6). Attempts of any key older than a day are
    /// forgotten too, so keys never tried again do not pile up. An attempt
    /// stays counted as a failure
    /// unless it is released ([`Store::release_sign_in_attempt`]). Kept in
    /// the store, not in a host, so every host behind a load balancer
    /// counts the same attempts.
    ///
    /// Answers `None` when the attempt was counted; when refused, the
    /// attempt whose leaving the window makes room again (the oldest of the
    /// last `limit`).
    async fn take_sign_in_attempt(
        &self,
        key: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Option<DateTime<Utc>>, Error>;

    /// Takes back the attempt counted under `key` at `at`: it succeeded,
    /// or was refused under another key before anything was checked.
    async fn release_sign_in_attempt(&self, key: &str, at: DateTime<Utc>) -> Result<(), Error>;

    /// The failed sign-ins under `key` at or after `since`, oldest first.
    async fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, Error>;

    /// Forgets the failed sign-ins under `key` (after a good one).
    async fn clear_sign_in_failures(&self, key: &str) -> Result<(), Error>;

    /// The businesses a worker should gather messages for at `now`: those
    /// with events not yet gathered ([`UnitOfWork::gathered`]), with an
    /// active booking starting from `now` until `until`, or with an unpaid
    /// receivable due from `due_from` to `due_until`. Another read across
    /// businesses: the worker serves them all.
    async fn businesses_to_gather(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        due_from: chrono::NaiveDate,
        due_until: chrono::NaiveDate,
    ) -> Result<Vec<BusinessId>, Error>;

    /// The account link whose key is `key` (the hash of its secret), in
    /// any business: a link is followed with the secret alone.
    async fn account_token(&self, key: &str) -> Result<Option<AccountToken>, Error>;

    /// The business and professional whose calendar feed `key` (the hash
    /// of a feed's secret) opens, if any: a read across businesses, as a
    /// calendar app asks with the address alone.
    async fn feed(&self, key: &str) -> Result<Option<(BusinessId, ProfessionalId)>, Error>;

    /// The businesses that keep sealed secrets (a channel of their own, a
    /// webhook endpoint), by id: what the host re-seals when its keys
    /// rotate.
    async fn businesses_with_secrets(&self) -> Result<Vec<BusinessId>, Error>;

    /// Takes up to `limit` pending messages of any business whose time has
    /// come (`next_at` at or before `now`) and that no live lease holds,
    /// oldest `next_at` first, leasing each until `lease_until` and
    /// counting the attempt. Workers that claim at once get different
    /// messages (Postgres: `FOR UPDATE SKIP LOCKED`; SQLite: one writer).
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Claimed>, Error>;

    /// Takes up to `limit` pending webhook deliveries due at `now`, as
    /// [`Store::claim_messages`] takes messages.
    async fn claim_hook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ClaimedHook>, Error>;

    /// Records how a claimed delivery's try ended (with the receiver's
    /// status and the try's latency), if its lease still holds.
    async fn settle_hook_delivery(
        &self,
        claimed: &ClaimedHook,
        outcome: &Sending,
        status: Option<u16>,
        latency_ms: u32,
    ) -> Result<bool, Error>;

    /// Records how a claimed message's try ended, if the lease is still
    /// the one the claim gave (it lapsed and another worker claimed it
    /// otherwise: its outcome counts). Whether it was recorded.
    async fn settle_message(&self, claimed: &Claimed, outcome: &Sending) -> Result<bool, Error>;
}

/// What [`Store::book_alone`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alone {
    /// The booking and its events were written and committed.
    Added,
    /// Nothing was written: the one step could not tell that the booking
    /// may be written (or the store has no such step).
    Declined,
}

/// Adds `booking` in a unit of work of its own (begin, insert, commit):
/// [`Store::insert_booking_alone`]'s default, and the longer way a store
/// takes when its one step does not apply.
///
/// # Errors
/// As [`UnitOfWork::insert_booking`] and [`UnitOfWork::commit`].
pub async fn insert_in_unit<S: Store + ?Sized>(store: &S, booking: &Booking) -> Result<(), Error> {
    let mut work = store.begin(booking.business(), Access::Write).await?;
    work.insert_booking(booking).await?;
    work.commit().await
}

/// [`UnitOfWork::blocks_meeting_any`] by asking for each of `on` in turn:
/// the default, and what a store falls back to where one query cannot ask.
///
/// # Errors
/// As [`UnitOfWork::blocks_meeting`].
pub async fn blocks_meeting_each<W: UnitOfWork + ?Sized>(
    work: &mut W,
    on: &[Bookable],
    span: Span,
) -> Result<Vec<Block>, Error> {
    let mut all = Vec::new();
    for who in on {
        all.extend(work.blocks_meeting(*who, span).await?);
    }
    all.sort_by_key(|b| (b.span(), b.id()));
    all.dedup_by_key(|b| b.id());
    Ok(all)
}

/// [`UnitOfWork::bookings_meeting_any`] by asking for each of `on` in turn.
///
/// # Errors
/// As [`UnitOfWork::bookings_meeting`].
pub async fn bookings_meeting_each<W: UnitOfWork + ?Sized>(
    work: &mut W,
    on: &[Bookable],
    span: Span,
) -> Result<Vec<Booking>, Error> {
    let mut all = Vec::new();
    for who in on {
        all.extend(work.bookings_meeting(*who, span).await?);
    }
    all.sort_by_key(|b| (b.held(), b.id()));
    all.dedup_by_key(|b| b.id());
    Ok(all)
}

/// The time an active booking holds, and whose time it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Held {
    /// The booking.
    pub booking: BookingId,
    /// Its professional.
    pub professional: ProfessionalId,
    /// Its resource, if any.
    pub resource: Option<ResourceId>,
    /// The span it holds, buffers included.
    pub span: Span,
}

impl Held {
    /// What `booking` holds.
    pub fn of(booking: &Booking) -> Held {
        Held {
            booking: booking.id(),
            professional: booking.professional(),
            resource: booking.resource(),
            span: booking.held(),
        }
    }

    /// Whether it is `on`'s time.
    pub fn is_of(&self, on: Bookable) -> bool {
        match on {
            Bookable::Professional(id) => self.professional == id,
            Bookable::Resource(id) => self.resource == Some(id),
        }
    }
}

/// An account found by its e-mail: the business and the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login {
    /// The business.
    pub business: BusinessId,
    /// The account.
    pub account: AccountId,
}

/// Which bookings to list, for agenda views and histories (R23, R25).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BookingFilter {
    /// Only bookings whose appointment meets this span.
    pub during: Option<Span>,
    /// Only this professional's.
    pub professional: Option<ProfessionalId>,
    /// Only this client's.
    pub client: Option<ClientId>,
    /// Only in these statuses (all when empty).
    pub statuses: Vec<BookingStatus>,
    /// Only this series.
    pub series: Option<SeriesId>,
    /// Only these bookings, in any status unless `statuses` says (none
    /// when empty); any booking when `None`.
    pub ids: Option<Vec<BookingId>>,
}

impl BookingFilter {
    /// Whether `booking` passes the filter. Stores that filter in SQL must
    /// agree with this; the conformance suite checks it.
    pub fn matches(&self, booking: &Booking) -> bool {
        self.during
            .is_none_or(|s| s.overlaps(&booking.appointment()))
            && self
                .professional
                .is_none_or(|p| p == booking.professional())
            && self.client.is_none_or(|c| c == booking.client())
            && (self.statuses.is_empty() || self.statuses.contains(&booking.status()))
            && self.series.is_none_or(|s| Some(s) == booking.series())
            && self
                .ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&booking.id()))
    }
}

/// A key a caller sends with a request so that sending it again does not
/// do the work again: 1 to 255 visible ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(Box<str>);

impl IdempotencyKey {
    /// Reads a key.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `idempotency_key` when empty, longer than 255
    /// characters or not visible ASCII.
    pub fn parse(text: &str) -> Result<IdempotencyKey, Error> {
        let field = "idempotency_key";
        if text.is_empty() {
            return Err(Error::invalid(field, Problem::Empty));
        }
        if text.len() > 255 {
            return Err(Error::invalid(
                field,
                Problem::TooLong {
                    len: text.chars().count(),
                    max: 255,
                },
            ));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                field,
                Problem::BadIdempotencyKey {
                    value: crate::error::clip(text),
                },
            ));
        }
        Ok(IdempotencyKey(text.into()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a request made, kept under its idempotency key so a retry gets the
/// same answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// One booking (book, confirm, cancel, reschedule, complete, no-show).
    Booking(BookingId),
    /// The bookings of a series, in order.
    Series(Vec<BookingId>),
    /// A payment (record, approve, refuse, refund).
    Payment(PaymentId),
    /// A service (created, changed).
    Service(ServiceId),
    /// A professional (created, changed, hours set).
    Professional(ProfessionalId),
    /// A resource.
    Resource(ResourceId),
    /// A client (created, changed).
    Client(ClientId),
    /// A block (added, removed).
    Block(BlockId),
    /// The business's settings.
    Business,
    /// An account (a login).
    Account(AccountId),
    /// Receivables (made, or the one paid), in order.
    Receivables(Vec<ReceivableId>),
}

/// A request done under an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The key.
    pub key: IdempotencyKey,
    /// The request, in a canonical text: a retry must send the same.
    pub request: String,
    /// What it made.
    pub outcome: Outcome,
    /// When.
    pub at: DateTime<Utc>,
}

/// One atomic step over one business's records. Writes are seen by later
/// reads of the same unit of work, and by others only after
/// [`UnitOfWork::commit`]; dropping it rolls back.
///
/// Every method may fail with [`Error::Storage`] (the database failed) or
/// [`Error::WriteConflict`] (a concurrent unit of work got in the way; the
/// use cases retry).
#[async_trait]
pub trait UnitOfWork: Send {
    /// The business, if it exists.
    async fn business(&mut self) -> Result<Option<Business>, Error>;

    /// The business, held until the unit of work ends where the store has
    /// row locks, so that units which must see each other's changes to the
    /// business's accounts (the last owner) take turns. A store whose write
    /// units already take turns needs nothing more than reading it.
    async fn business_for_update(&mut self) -> Result<Option<Business>, Error> {
        self.business().await
    }
    /// Creates or replaces the business; its id must be the unit's.
    ///
    /// # Errors
    /// [`Error::SlugTaken`] when another business has its public address.
    async fn put_business(&mut self, business: &Business) -> Result<(), Error>;

    /// An account.
    async fn account(&mut self, id: AccountId) -> Result<Option<Account>, Error>;
    /// Every account, by name then id.
    async fn accounts(&mut self) -> Result<Vec<Account>, Error>;
    /// Creates or replaces an account.
    ///
    /// # Errors
    /// [`Error::EmailTaken`] when another account of the business signs in
    /// with its e-mail ([`Account::login_key`]).
    async fn put_account(&mut self, account: &Account) -> Result<(), Error>;

    /// A sign-in session.
    async fn session(&mut self, id: SessionId) -> Result<Option<Session>, Error>;
    /// Creates or replaces a session.
    async fn put_session(&mut self, session: &Session) -> Result<(), Error>;

    /// A service.
    async fn service(&mut self, id: ServiceId) -> Result<Option<Service>, Error>;
    /// A service, held until the unit of work ends where the store has
    /// row locks, so that two changes of it take turns and the second
    /// sees the first (no lost update). A store whose write units take
    /// turns already needs nothing more than reading it.
    async fn service_for_update(&mut self, id: ServiceId) -> Result<Option<Service>, Error> {
        self.service(id).await
    }
    /// Every service, by name then id.
    async fn services(&mut self) -> Result<Vec<Service>, Error>;
    /// Creates or replaces a service.
    async fn put_service(&mut self, service: &Service) -> Result<(), Error>;

    /// A professional.
    async fn professional(&mut self, id: ProfessionalId) -> Result<Option<Professional>, Error>;
    /// A professional, held as [`UnitOfWork::service_for_update`] holds a
    /// service.
    async fn professional_for_update(
        &mut self,
        id: ProfessionalId,
    ) -> Result<Option<Professional>, Error> {
        self.professional(id).await
    }
    /// Every professional, by name then id.
    async fn professionals(&mut self) -> Result<Vec<Professional>, Error>;
    /// Creates or replaces a professional.
    async fn put_professional(&mut self, professional: &Professional) -> Result<(), Error>;

    /// A resource.
    async fn resource(&mut self, id: ResourceId) -> Result<Option<Resource>, Error>;
    /// Every resource, by name then id.
    async fn resources(&mut self) -> Result<Vec<Resource>, Error>;
    /// Creates or replaces a resource.
    async fn put_resource(&mut self, resource: &Resource) -> Result<(), Error>;

    /// A client.
    async fn client(&mut self, id: ClientId) -> Result<Option<Client>, Error>;
    /// A client, held as [`UnitOfWork::service_for_update`] holds a
    /// service.
    async fn client_for_update(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        self.client(id).await
    }
    /// Every client, by name then id.
    async fn clients(&mut self) -> Result<Vec<Client>, Error>;
    /// Creates or replaces a client.
    async fn put_client(&mut self, client: &Client) -> Result<(), Error>;

    /// The blocks of `on` that overlap `span`, by start.
    async fn blocks_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Block>, Error>;
    /// A block.
    async fn block(&mut self, id: BlockId) -> Result<Option<Block>, Error>;
    /// Creates or replaces a block.
    async fn put_block(&mut self, block: &Block) -> Result<(), Error>;
    /// Deletes a block; whether it existed.
    async fn delete_block(&mut self, id: BlockId) -> Result<bool, Error>;

    /// A booking.
    async fn booking(&mut self, id: BookingId) -> Result<Option<Booking>, Error>;
    /// The active bookings of `on` whose held span overlaps `span`, by held
    /// span then id.
    async fn bookings_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Booking>, Error>;

    /// The blocks of any of `on` that overlap `span`, by start then id. The
    /// default asks for each in turn; a database answers in one query (an
    /// availability search reads every professional's at once).
    async fn blocks_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Block>, Error> {
        blocks_meeting_each(self, on, span).await
    }

    /// The time the active bookings of any of `on` hold within `span`: each
    /// booking's id, professional, resource and held span, by held span then
    /// id. All a slot search needs of a booking; the default reads whole
    /// bookings, a database only these columns.
    async fn held_any(&mut self, on: &[Bookable], span: Span) -> Result<Vec<Held>, Error> {
        Ok(self
            .bookings_meeting_any(on, span)
            .await?
            .iter()
            .map(Held::of)
            .collect())
    }

    /// The active bookings of any of `on` whose held span overlaps `span`,
    /// by held span then id. The default asks for each in turn.
    async fn bookings_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Booking>, Error> {
        bookings_meeting_each(self, on, span).await
    }
    /// The bookings that pass `filter`, by appointment start then id.
    async fn bookings(&mut self, filter: &BookingFilter) -> Result<Vec<Booking>, Error>;
    /// Adds a new booking.
    ///
    /// # Errors
    /// [`Error::SlotTaken`] from the store's own guard (see the module
    /// documentation); [`Error::AlreadyExists`] when the id exists.
    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), Error>;
    /// Replaces a booking that exists.
    ///
    /// # Errors
    /// [`Error::SlotTaken`] from the store's own guard;
    /// [`Error::NotFound`] when it does not exist.
    async fn update_booking(&mut self, booking: &Booking) -> Result<(), Error>;

    /// A payment.
    async fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>, Error>;
    /// The payments of a booking, by creation then id.
    async fn payments_for_booking(&mut self, booking: BookingId) -> Result<Vec<Payment>, Error>;
    /// The payments of a client, by creation then id.
    async fn payments_for_client(&mut self, client: ClientId) -> Result<Vec<Payment>, Error>;
    /// Every payment of the business, by creation.
    async fn payments(&mut self) -> Result<Vec<Payment>, Error>;
    /// Creates or replaces a payment.
    async fn put_payment(&mut self, payment: &Payment) -> Result<(), Error>;

    /// A receivable.
    async fn receivable(&mut self, id: ReceivableId) -> Result<Option<Receivable>, Error>;
    /// Every receivable, by due date then id.
    async fn receivables(&mut self) -> Result<Vec<Receivable>, Error>;
    /// Creates or replaces a receivable.
    async fn put_receivable(&mut self, receivable: &Receivable) -> Result<(), Error>;

    /// A picture (the logo, a professional's photo), if one is kept.
    async fn picture(&mut self, subject: Subject) -> Result<Option<Picture>, Error>;
    /// Keeps a picture, replacing the subject's one.
    async fn put_picture(&mut self, subject: Subject, picture: &Picture) -> Result<(), Error>;
    /// Removes the subject's picture; whether there was one.
    async fn delete_picture(&mut self, subject: Subject) -> Result<bool, Error>;

    /// What was done under `key`, if anything.
    async fn idempotency(
        &mut self,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyRecord>, Error>;
    /// Records what was done under a key.
    ///
    /// # Errors
    /// [`Error::WriteConflict`] when the key was recorded meanwhile by
    /// another unit of work.
    async fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), Error>;

    /// Adds `events` to the business's outbox, in order, all at `at`,
    /// numbered on from its last event: by this writer (writers of one
    /// outbox then take turns from here to their commit) or when first read
    /// after they commit (`agendo-postgres`). Either way a reader that saw
    /// event `n` never later finds one below it.
    async fn append_events(&mut self, at: DateTime<Utc>, events: &[Event]) -> Result<(), Error>;

    /// The business's events numbered after `after`, by number, at most
    /// `limit`.
    async fn events_after(&mut self, after: u64, limit: usize) -> Result<Vec<EventRecord>, Error>;

    /// The number of the last event messages were gathered from (0 before
    /// the first).
    async fn gathered(&mut self) -> Result<u64, Error>;
    /// Records that messages were gathered from the events up to `number`.
    async fn set_gathered(&mut self, number: u64) -> Result<(), Error>;

    /// Of `ids`, those of messages already queued.
    async fn known_messages(&mut self, ids: &[MessageId]) -> Result<Vec<MessageId>, Error>;
    /// Queues the messages whose id is not queued yet; how many were new.
    async fn queue_messages(&mut self, messages: &[Message]) -> Result<usize, Error>;
    /// A message.
    async fn message(&mut self, id: MessageId) -> Result<Option<Message>, Error>;
    /// The messages that pass `filter`, by creation then id.
    async fn messages(&mut self, filter: &MessageFilter) -> Result<Vec<Message>, Error>;
    /// Marks a message read at `at` (kept if it was read before); whether
    /// it exists.
    async fn mark_read(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error>;
    /// Puts a dead message back to be sent at `at`, its attempts counted
    /// from zero again; whether it was dead.
    async fn revive_message(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error>;

    /// The business's own templates, by topic, form and language.
    async fn templates(&mut self) -> Result<Vec<Template>, Error>;
    /// Keeps a template, replacing the one of its topic, form and language.
    async fn put_template(&mut self, template: &Template) -> Result<(), Error>;
    /// Keeps an account link.
    async fn put_account_token(&mut self, token: &AccountToken) -> Result<(), Error>;
    /// Marks the link `key` used at `at`, if it is unused and unexpired
    /// then; whether it was (of two redeeming at once, one is).
    async fn use_account_token(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, Error>;
    /// Ends every open sign-in of `account` at `at`; how many.
    async fn revoke_sessions(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<usize, Error>;

    /// Keeps `key` (the hash of a feed's secret) as the professional's
    /// calendar feed, ending the one it had.
    async fn put_feed(&mut self, professional: ProfessionalId, key: &str) -> Result<(), Error>;

    /// The business's webhook endpoints, by creation then id.
    async fn endpoints(&mut self) -> Result<Vec<Endpoint>, Error>;
    /// Creates or replaces an endpoint.
    async fn put_endpoint(&mut self, endpoint: &Endpoint) -> Result<(), Error>;
    /// Removes an endpoint and its deliveries; whether it existed.
    async fn delete_endpoint(&mut self, id: EndpointId) -> Result<bool, Error>;
    /// Queues the deliveries whose id is not queued yet; how many were new.
    async fn queue_hook_deliveries(&mut self, deliveries: &[HookDelivery]) -> Result<usize, Error>;
    /// The deliveries to an endpoint, by creation then id.
    async fn hook_deliveries(&mut self, endpoint: EndpointId) -> Result<Vec<HookDelivery>, Error>;
    /// A delivery.
    async fn hook_delivery(&mut self, id: DeliveryId) -> Result<Option<HookDelivery>, Error>;
    /// Puts a delivery back to be posted at `at`, whatever its status, its
    /// attempts counted from zero (a replay); whether it exists.
    async fn replay_hook_delivery(
        &mut self,
        id: DeliveryId,
        at: DateTime<Utc>,
    ) -> Result<bool, Error>;

    /// The channels the business set up itself, by kind.
    async fn channel_setups(&mut self) -> Result<Vec<ChannelSetup>, Error>;
    /// Keeps a channel's setup, replacing the one of its kind.
    async fn put_channel_setup(&mut self, setup: &ChannelSetup) -> Result<(), Error>;
    /// Removes the setup of a channel; whether there was one.
    async fn delete_channel_setup(&mut self, kind: ChannelKind) -> Result<bool, Error>;

    /// Removes a template (its default applies again); whether there was one.
    async fn delete_template(
        &mut self,
        topic: Topic,
        form: Form,
        lang: Lang,
    ) -> Result<bool, Error>;

    /// Makes every write of this unit of work durable and visible, at once.
    async fn commit(self: Box<Self>) -> Result<(), Error>;
}
