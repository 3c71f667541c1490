//! The unit of work both SQL stores run: every port method written once
//! over a [`Connection`], which each adapter implements for its database.
//!
//! What differs between the databases stays in the adapter, behind the
//! connection's hooks: how a booking is guarded when written
//! ([`Connection::insert_booking`]; [`Connection::update_booking`], whose
//! default is [`guard`], the check under a lock that SQLite's single writer
//! makes safe), whether single reads lock their row
//! ([`Connection::row_lock`]), and how concurrent requests under one
//! idempotency key wait for each other ([`Connection::lock_key`]).

use agendo_core::account::{Account, Session};
use agendo_core::agenda::{AccountToken, Event, EventRecord};
use agendo_core::booking::Booking;
use agendo_core::business::{Block, Bookable, Business, Client, Professional, Resource, Service};
use agendo_core::ids::{
    AccountId, BlockId, BookingId, BusinessId, ClientId, DeliveryId, EndpointId, MessageId,
    PaymentId, ProfessionalId, ReceivableId, ResourceId, ServiceId, SessionId,
};
use agendo_core::message::{
    ChannelKind, ChannelSetup, Form, Message, MessageFilter, Template, Topic,
};
use agendo_core::payment::{Payment, Receivable};
use agendo_core::picture::{Encoding, Picture, Subject};
use agendo_core::store::{
    slot_taken, BookingFilter, Changed, Held, IdempotencyKey, IdempotencyRecord, UnitOfWork,
};
use agendo_core::time::Span;
use agendo_core::webhook::{Endpoint, HookDelivery};
use agendo_core::{Error, Lang, RecordKind};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::record::{self, Row, Stored, Value};
use crate::sql::{self, Params, Query};
use crate::{hooks, queue};

/// The name of a business's writer lock ([`Connection::lock_name`]): held
/// from a change of the business's settings until commit, and by whoever
/// numbers its events (appending them, or reading them where they are
/// numbered on read).
pub fn business_lock(business: BusinessId) -> String {
    format!("business:{business}")
}

/// The statuses that hold time, as stored.
pub const ACTIVE: &str = "status IN ('pending', 'confirmed')";

/// One open transaction of a database, scoped to one business by
/// [`Work`].
#[async_trait]
pub trait Connection: Send + Sized {
    /// A row the database reads back.
    type Row: Row + Send;

    /// How the database numbers parameters.
    const PARAMS: Params;

    /// Runs a query and reads its rows.
    async fn fetch(&mut self, query: Query) -> Result<Vec<Self::Row>, Error>;

    /// Runs a statement; how many rows it changed.
    async fn execute(&mut self, query: Query) -> Result<u64, Error>;

    /// A statement for this database that begins with `sql`.
    fn query(sql: &str) -> Query {
        Query::new(Self::PARAMS, sql)
    }

    /// What to add to a read of one record that the unit of work may then
    /// write, so that two writers of one booking or payment take turns.
    fn row_lock(&self) -> &'static str {
        ""
    }

    /// What to add to the select of a claim so that workers claiming at
    /// once skip each other's rows instead of waiting (a database whose
    /// writers take turns needs nothing).
    fn skip_locked() -> &'static str {
        ""
    }

    /// Makes concurrent units of work that use `key` take turns, so a retry
    /// sees the first request's outcome.
    async fn lock_key(
        &mut self,
        _business: BusinessId,
        _key: &IdempotencyKey,
    ) -> Result<(), Error> {
        Ok(())
    }

    /// Makes concurrent transactions that name `name` take turns until
    /// they end (a database whose write transactions already take turns
    /// needs nothing).
    async fn lock_name(&mut self, _name: &str) -> Result<(), Error> {
        Ok(())
    }

    /// Writes on `query` a select of `columns` (which include
    /// `held_start`, `held_end` and `id`, its order) from the bookings
    /// `meeting` looks for. The default compares the bounds; a database
    /// with a better index for overlaps writes its own.
    fn meeting(query: Query, columns: &str, meeting: &Meeting) -> Query {
        let query = query
            .push(&format!(
                "SELECT {columns} FROM bookings WHERE business_id = "
            ))
            .bind(meeting.business)
            .push(&format!(" AND {} IN (", meeting.column))
            .bind_list(meeting.ids.iter().copied())
            .push(&format!(") AND {ACTIVE} AND held_start < "))
            .bind(meeting.span.end())
            .push(" AND held_end > ")
            .bind(meeting.span.start());
        meeting
            .leave_out(query)
            .push(" ORDER BY held_start, held_end, id")
    }

    /// Whether events are written unnumbered and numbered when first read
    /// ([`Connection::number_events`]), so that writers of one business
    /// never take turns on its outbox; otherwise each writer numbers its
    /// own under the business's lock until it commits.
    const NUMBERS_EVENTS_ON_READ: bool = false;

    /// Numbers `business`'s events committed unnumbered, after its last
    /// numbered one in the order they were written, committed before this
    /// returns, so a read that follows finds them (see
    /// [`Connection::NUMBERS_EVENTS_ON_READ`]). The numbering takes the
    /// business's lock ([`business_lock`]) elsewhere: a unit holding it
    /// must not read events.
    async fn number_events(&mut self, _business: BusinessId) -> Result<(), Error> {
        Ok(())
    }

    /// Called after a professional or resource is saved with `capacity`, so
    /// a database that keeps per-booking guard data can bring it in step.
    async fn capacity_changed(
        &mut self,
        _business: BusinessId,
        _on: Bookable,
        _capacity: u32,
    ) -> Result<(), Error> {
        Ok(())
    }

    /// Adds a new booking, refusing it (the store's guard) when its time is
    /// taken, and with [`Error::AlreadyExists`] when its id is.
    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), Error>;

    /// Replaces a booking, refusing it when its new time is taken.
    async fn update_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        guard(self, booking).await?;
        update_row(self, booking).await
    }

    /// Ends the transaction, keeping its writes, and counts the commit
    /// with what it `changed` that a kept search may have read
    /// ([`agendo_core::store::Store::changed_since`]).
    async fn commit(self, changed: Changed) -> Result<(), Error>;
}

/// Replaces a booking's row.
///
/// # Errors
/// [`Error::NotFound`] when the business has no such booking.
pub async fn update_row<C: Connection>(conn: &mut C, booking: &Booking) -> Result<(), Error> {
    if conn.execute(update_booking_row(C::PARAMS, booking)).await? == 0 {
        return Err(Error::NotFound {
            record: RecordKind::Booking,
            id: booking.id().to_string(),
        });
    }
    Ok(())
}

/// `UPDATE bookings SET service_id = …, … WHERE business_id = … AND id =
/// …`: every column of `booking` but the key set, the key matched.
pub fn update_booking_row(params: Params, booking: &Booking) -> Query {
    let mut fields = booking.fields();
    let rest = fields.split_off(Booking::KEY.len());
    Query::new(params, "UPDATE bookings SET ")
        .assignments(rest)
        .push(" WHERE ")
        .equal(fields)
}

/// The active bookings of professionals (or resources) whose held span
/// meets a span ([`Connection::meeting`]).
#[derive(Clone, Debug)]
pub struct Meeting {
    /// The business.
    pub business: Uuid,
    /// `professional_id` or `resource_id`.
    pub column: &'static str,
    /// The professionals' (or resources') ids: at least one.
    pub ids: Vec<Uuid>,
    /// The span their held span meets.
    pub span: Span,
    /// A booking to leave out (the one being written).
    pub except: Option<BookingId>,
}

impl Meeting {
    /// The bookings of `on` meeting `span`, but `except`.
    pub fn of(business: BusinessId, on: Bookable, span: Span, except: Option<BookingId>) -> Self {
        Meeting {
            business: business.as_uuid(),
            column: column_of(on),
            ids: vec![table_of(on).1],
            span,
            except,
        }
    }

    /// Writes ` AND id <> …` on `query` when a booking is left out.
    pub fn leave_out(&self, query: Query) -> Query {
        match self.except {
            Some(id) => query.push(" AND id <> ").bind(id.as_uuid()),
            None => query,
        }
    }
}

/// Writes on `query` what, besides the guard, lets a booking of `fields`
/// be written in one step of the store (`Store::book_alone`): it has no
/// resource, its client is active and no block of its professional meets
/// its held time.
pub fn alone_allowed(query: Query, fields: &[(&'static str, Value)]) -> Query {
    let own = |column: &str| record::field(fields, column);
    query
        .bind(own("resource_id"))
        .push(" IS NULL AND EXISTS (SELECT 1 FROM clients WHERE ")
        .equal([
            ("business_id", own("business_id")),
            ("id", own("client_id")),
        ])
        .push(" AND activity = 'active') AND NOT EXISTS (SELECT 1 FROM blocks WHERE ")
        .equal([
            ("business_id", own("business_id")),
            ("professional_id", own("professional_id")),
        ])
        .push(" AND start_at < ")
        .bind(own("held_end"))
        .push(" AND end_at > ")
        .bind(own("held_start"))
        .push(")")
}

/// The store's guard: refuses `booking` with [`Error::SlotTaken`] when it
/// is active and its held span meets as many other active bookings of its
/// professional (or resource) as their capacity. Safe only where no other
/// writer can add a booking between this check and the write: under
/// SQLite's write lock, or Postgres's row lock on the professional. Also
/// how a database whose own guard refused a write names who holds the time.
///
/// # Errors
/// [`Error::SlotTaken`] naming the bookings met.
pub async fn guard<C: Connection>(conn: &mut C, booking: &Booking) -> Result<(), Error> {
    if !booking.status().is_active() {
        return Ok(());
    }
    let mut on = vec![Bookable::Professional(booking.professional())];
    on.extend(booking.resource().map(Bookable::Resource));
    for who in on {
        has_room(conn, booking, who).await?;
    }
    Ok(())
}

/// Refuses `booking` with [`Error::SlotTaken`] when the other active
/// bookings of `on` (its professional or resource) whose held span meets
/// its own fill the capacity of `on` (1 when `on` is not stored). One
/// query: the bookings met, each with the capacity.
///
/// # Errors
/// [`Error::SlotTaken`] naming the bookings met; [`Error::Storage`] from
/// the database.
pub async fn has_room<C: Connection>(
    conn: &mut C,
    booking: &Booking,
    on: Bookable,
) -> Result<(), Error> {
    let (table, id) = table_of(on);
    let query = C::query(&format!(
        "SELECT m.id, COALESCE((SELECT capacity FROM {table} WHERE business_id = "
    ))
    .bind(booking.business().as_uuid())
    .push(" AND id = ")
    .bind(id)
    .push("), 1) AS capacity FROM (");
    let meeting = Meeting::of(booking.business(), on, booking.held(), Some(booking.id()));
    let query = C::meeting(query, "id, held_start, held_end", &meeting)
        .push(") m ORDER BY m.held_start, m.held_end, m.id");
    let rows = conn.fetch(query).await?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let capacity = first.int("capacity")?;
    let capacity = u32::try_from(capacity).map_err(|_| crate::corrupt("capacity", capacity))?;
    if rows.len() < capacity as usize {
        return Ok(());
    }
    let ids = rows
        .iter()
        .map(|r| r.uuid("id").map(BookingId::from_uuid))
        .collect::<Result<Vec<_>, _>>()?;
    Err(slot_taken(on, capacity, ids))
}

/// The table of `on` and its id.
pub fn table_of(on: Bookable) -> (&'static str, Uuid) {
    match on {
        Bookable::Professional(p) => ("professionals", p.as_uuid()),
        Bookable::Resource(r) => ("resources", r.as_uuid()),
    }
}

/// The bookings column that names `on`.
pub fn column_of(on: Bookable) -> &'static str {
    match on {
        Bookable::Professional(_) => "professional_id",
        Bookable::Resource(_) => "resource_id",
    }
}

/// The column and ids of `on` when they are all professionals or all
/// resources (and not empty), so one query with an `IN` list reads them.
fn one_kind(on: &[Bookable]) -> Option<(&'static str, Vec<Uuid>)> {
    let first = on.first()?;
    let column = column_of(*first);
    on.iter()
        .map(|who| (column_of(*who) == column).then(|| table_of(*who).1))
        .collect::<Option<Vec<_>>>()
        .map(|ids| (column, ids))
}

/// A unit of work over one business's rows of an open transaction.
pub struct Work<C> {
    conn: C,
    business: BusinessId,
    /// What the unit wrote that a kept search may have read.
    changed: Changed,
    /// The bookings read so far, as they were: a booking written is noted
    /// as it was and as it is.
    read: Vec<Booking>,
}

impl<C: Connection> Work<C> {
    /// Scopes `conn`'s transaction to `business`.
    pub fn new(conn: C, business: BusinessId) -> Work<C> {
        Work {
            conn,
            business,
            changed: Changed::of(business),
            read: Vec::new(),
        }
    }

    fn key(&self) -> Value {
        Value::Uuid(Some(self.business.as_uuid()))
    }

    async fn get<T: Stored>(&mut self, id: Uuid, lock: bool) -> Result<Option<T>, Error> {
        let mut key = vec![self.key()];
        if T::KEY.len() > 1 {
            key.push(id.into());
        }
        let mut query = sql::select_one::<T>(C::PARAMS, key);
        if lock {
            query = query.push(self.conn.row_lock());
        }
        let rows = self.conn.fetch(query).await?;
        rows.first().map(|row| T::read(row)).transpose()
    }

    /// The records of the business in their order: `filter` writes the
    /// condition, if any, from ` AND `.
    async fn list<T: Stored>(
        &mut self,
        filter: impl FnOnce(Query) -> Query + Send,
    ) -> Result<Vec<T>, Error> {
        let query = filter(sql::select_of::<T>(C::PARAMS, self.key())).order_by(T::ORDER);
        let rows = self.conn.fetch(query).await?;
        rows.iter().map(|row| T::read(row)).collect()
    }

    async fn put<T: Stored + Sync>(&mut self, record: &T) -> Result<(), Error> {
        if record.business() != self.business {
            // Writing another business's record through this unit would
            // break isolation (R7): the record is not found here.
            return Err(Error::NotFound {
                record: T::KIND,
                id: record.uuid().to_string(),
            });
        }
        self.conn
            .execute(sql::upsert_record(C::PARAMS, record))
            .await
            .map(drop)
    }

    fn meeting(&self, column: &'static str, ids: Vec<Uuid>, span: Span) -> Meeting {
        Meeting {
            business: self.business.as_uuid(),
            column,
            ids,
            span,
            except: None,
        }
    }

    fn own(&self, booking: &Booking) -> Result<(), Error> {
        if booking.business() == self.business {
            Ok(())
        } else {
            Err(Error::NotFound {
                record: RecordKind::Booking,
                id: booking.id().to_string(),
            })
        }
    }
}

#[async_trait]
impl<C: Connection> UnitOfWork for Work<C> {
    async fn business(&mut self) -> Result<Option<Business>, Error> {
        self.get(self.business.as_uuid(), false).await
    }
    async fn business_for_update(&mut self) -> Result<Option<Business>, Error> {
        // The business's own lock, not a row lock: the deferred foreign
        // keys of other writers take a share of the business's row at
        // their commit, after they took this lock to append their events,
        // so one lock taken in one order keeps them from deadlocking.
        self.conn.lock_name(&business_lock(self.business)).await?;
        self.get(self.business.as_uuid(), false).await
    }
    async fn put_business(&mut self, business: &Business) -> Result<(), Error> {
        if let Some(slug) = business.slug() {
            // Checked first for a clear error; the unique index is the
            // guard when two units race (the loser's write conflicts and
            // its retry lands here).
            let query = C::query("SELECT business_id FROM businesses WHERE slug = ")
                .bind(slug.as_str())
                .push(" AND business_id <> ")
                .bind(self.key());
            if !self.conn.fetch(query).await?.is_empty() {
                return Err(Error::SlugTaken {
                    slug: slug.to_string(),
                });
            }
        }
        self.put(business).await?;
        self.changed.record();
        Ok(())
    }

    async fn account(&mut self, id: AccountId) -> Result<Option<Account>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn accounts(&mut self) -> Result<Vec<Account>, Error> {
        self.list(|q| q).await
    }
    async fn put_account(&mut self, account: &Account) -> Result<(), Error> {
        let others = |q: Query| {
            q.push(" AND login_key = ")
                .bind(Account::login_key(account.email()))
                .push(" AND id <> ")
                .bind(account.id().as_uuid())
        };
        if !self.list::<Account>(others).await?.is_empty() {
            return Err(Error::EmailTaken {
                email: account.email().to_string(),
            });
        }
        self.put(account).await?;
        self.changed.account();
        Ok(())
    }

    async fn session(&mut self, id: SessionId) -> Result<Option<Session>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn put_session(&mut self, session: &Session) -> Result<(), Error> {
        self.put(session).await?;
        self.changed.account();
        Ok(())
    }

    async fn service(&mut self, id: ServiceId) -> Result<Option<Service>, Error> {
        self.get(id.as_uuid(), false).await
    }
    async fn service_for_update(&mut self, id: ServiceId) -> Result<Option<Service>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.list(|q| q).await
    }
    async fn put_service(&mut self, service: &Service) -> Result<(), Error> {
        self.put(service).await?;
        self.changed.record();
        Ok(())
    }

    async fn professional(&mut self, id: ProfessionalId) -> Result<Option<Professional>, Error> {
        self.get(id.as_uuid(), false).await
    }
    async fn professional_for_update(
        &mut self,
        id: ProfessionalId,
    ) -> Result<Option<Professional>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn professionals(&mut self) -> Result<Vec<Professional>, Error> {
        self.list(|q| q).await
    }
    async fn put_professional(&mut self, professional: &Professional) -> Result<(), Error> {
        self.put(professional).await?;
        self.changed.record();
        let on = Bookable::Professional(professional.id());
        self.conn
            .capacity_changed(self.business, on, professional.capacity())
            .await
    }

    async fn resource(&mut self, id: ResourceId) -> Result<Option<Resource>, Error> {
        self.get(id.as_uuid(), false).await
    }
    async fn resources(&mut self) -> Result<Vec<Resource>, Error> {
        self.list(|q| q).await
    }
    async fn put_resource(&mut self, resource: &Resource) -> Result<(), Error> {
        self.put(resource).await?;
        self.changed.record();
        let on = Bookable::Resource(resource.id());
        self.conn
            .capacity_changed(self.business, on, resource.capacity())
            .await
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        self.get(id.as_uuid(), false).await
    }
    async fn client_for_update(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn clients(&mut self) -> Result<Vec<Client>, Error> {
        self.list(|q| q).await
    }
    async fn put_client(&mut self, client: &Client) -> Result<(), Error> {
        self.put(client).await
    }

    async fn blocks_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Block>, Error> {
        self.list(|q| {
            q.push(&format!(" AND {} = ", column_of(on)))
                .bind(table_of(on).1)
                .push(" AND start_at < ")
                .bind(span.end())
                .push(" AND end_at > ")
                .bind(span.start())
        })
        .await
    }
    async fn block(&mut self, id: BlockId) -> Result<Option<Block>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn put_block(&mut self, block: &Block) -> Result<(), Error> {
        // A block moved frees the time it held.
        if let Some(old) = self.get::<Block>(block.id().as_uuid(), false).await? {
            self.changed.block_was(&old);
        }
        self.put(block).await?;
        self.changed.block(block);
        Ok(())
    }
    async fn delete_block(&mut self, id: BlockId) -> Result<bool, Error> {
        let Some(old) = self.get::<Block>(id.as_uuid(), false).await? else {
            return Ok(false);
        };
        self.changed.block_removed(&old);
        let query = C::query("DELETE FROM blocks WHERE ")
            .equal([("business_id", self.key()), ("id", id.as_uuid().into())]);
        let deleted = self.conn.execute(query).await?;
        Ok(deleted > 0)
    }

    async fn booking(&mut self, id: BookingId) -> Result<Option<Booking>, Error> {
        let booking: Option<Booking> = self.get(id.as_uuid(), true).await?;
        if let Some(read) = &booking {
            self.read.push(read.clone());
        }
        Ok(booking)
    }
    async fn bookings_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Booking>, Error> {
        let meeting = Meeting::of(self.business, on, span, None);
        let query = C::meeting(C::query(""), &Booking::COLUMNS.join(", "), &meeting);
        let rows = self.conn.fetch(query).await?;
        rows.iter().map(|row| Booking::read(row)).collect()
    }
    async fn blocks_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Block>, Error> {
        let Some((column, ids)) = one_kind(on) else {
            return agendo_core::store::blocks_meeting_each(self, on, span).await;
        };
        self.list(|q| {
            q.push(&format!(" AND {column} IN ("))
                .bind_list(ids)
                .push(") AND start_at < ")
                .bind(span.end())
                .push(" AND end_at > ")
                .bind(span.start())
        })
        .await
    }
    async fn bookings_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Booking>, Error> {
        let Some((column, ids)) = one_kind(on) else {
            return agendo_core::store::bookings_meeting_each(self, on, span).await;
        };
        let meeting = self.meeting(column, ids, span);
        let query = C::meeting(C::query(""), &Booking::COLUMNS.join(", "), &meeting);
        let rows = self.conn.fetch(query).await?;
        rows.iter().map(|row| Booking::read(row)).collect()
    }
    async fn held_any(&mut self, on: &[Bookable], span: Span) -> Result<Vec<Held>, Error> {
        let Some((column, ids)) = one_kind(on) else {
            let all = agendo_core::store::bookings_meeting_each(self, on, span).await?;
            return Ok(all.iter().map(Held::of).collect());
        };
        let meeting = self.meeting(column, ids, span);
        let columns = "id, professional_id, resource_id, held_start, held_end";
        let rows = self
            .conn
            .fetch(C::meeting(C::query(""), columns, &meeting))
            .await?;
        rows.iter()
            .map(|row| {
                let start = row.time("held_start")?;
                let end = row.time("held_end")?;
                Ok(Held {
                    booking: BookingId::from_uuid(row.uuid("id")?),
                    professional: ProfessionalId::from_uuid(row.uuid("professional_id")?),
                    resource: row.uuid_opt("resource_id")?.map(ResourceId::from_uuid),
                    span: Span::new(start, end).map_err(|e| crate::corrupt("held_end", e))?,
                })
            })
            .collect()
    }
    async fn bookings(&mut self, filter: &BookingFilter) -> Result<Vec<Booking>, Error> {
        if filter.ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        self.list(|mut q| {
            if let Some(during) = filter.during {
                q = q
                    .push(" AND start_at < ")
                    .bind(during.end())
                    .push(" AND end_at > ")
                    .bind(during.start());
            }
            if let Some(professional) = filter.professional {
                q = q
                    .push(" AND professional_id = ")
                    .bind(professional.as_uuid());
            }
            if let Some(client) = filter.client {
                q = q.push(" AND client_id = ").bind(client.as_uuid());
            }
            if !filter.statuses.is_empty() {
                q = q
                    .push(" AND status IN (")
                    .bind_list(filter.statuses.iter().map(|s| s.as_str()))
                    .push(")");
            }
            if let Some(series) = filter.series {
                q = q.push(" AND series_id = ").bind(series.as_uuid());
            }
            if let Some(ids) = &filter.ids {
                q = q
                    .push(" AND id IN (")
                    .bind_list(ids.iter().map(|id| id.as_uuid()))
                    .push(")");
            }
            q
        })
        .await
    }
    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        self.own(booking)?;
        self.conn.insert_booking(booking).await?;
        self.changed.booking(booking);
        Ok(())
    }
    async fn update_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        self.own(booking)?;
        // The time it held before: as read in this unit, else read now.
        let before = match self.read.iter().rposition(|b| b.id() == booking.id()) {
            Some(i) => Some(self.read.swap_remove(i)),
            None => self.get::<Booking>(booking.id().as_uuid(), false).await?,
        };
        self.conn.update_booking(booking).await?;
        if let Some(before) = before {
            self.changed.booking_was(&before);
        }
        self.changed.booking(booking);
        self.read.push(booking.clone());
        Ok(())
    }

    async fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn payments_for_booking(&mut self, booking: BookingId) -> Result<Vec<Payment>, Error> {
        self.list(|q| q.push(" AND booking_id = ").bind(booking.as_uuid()))
            .await
    }
    async fn payments_for_client(&mut self, client: ClientId) -> Result<Vec<Payment>, Error> {
        self.list(|q| q.push(" AND client_id = ").bind(client.as_uuid()))
            .await
    }
    async fn payments(&mut self) -> Result<Vec<Payment>, Error> {
        self.list(|q| q).await
    }
    async fn put_payment(&mut self, payment: &Payment) -> Result<(), Error> {
        self.put(payment).await
    }

    async fn receivable(&mut self, id: ReceivableId) -> Result<Option<Receivable>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn receivables(&mut self) -> Result<Vec<Receivable>, Error> {
        self.list(|q| q).await
    }
    async fn put_receivable(&mut self, receivable: &Receivable) -> Result<(), Error> {
        self.put(receivable).await
    }

    async fn idempotency(
        &mut self,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyRecord>, Error> {
        self.conn.lock_key(self.business, key).await?;
        let query = C::query(&format!(
            "SELECT {} FROM idempotency WHERE ",
            record::IDEMPOTENCY_COLUMNS.join(", ")
        ))
        .equal([("business_id", self.key()), ("key", key.as_str().into())]);
        let rows = self.conn.fetch(query).await?;
        rows.first()
            .map(|r| record::idempotency_from(r))
            .transpose()
    }
    async fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), Error> {
        let fields = record::idempotency_fields(self.business, record);
        let query = sql::insert(C::PARAMS, "idempotency", fields)
            .push(" ON CONFLICT (business_id, key) DO NOTHING");
        if self.conn.execute(query).await? == 0 {
            return Err(Error::WriteConflict);
        }
        Ok(())
    }

    async fn picture(&mut self, subject: Subject) -> Result<Option<Picture>, Error> {
        let query =
            C::query("SELECT media_type, width, height, bytes FROM pictures WHERE ").equal([
                ("business_id", self.key()),
                ("subject", subject.key().into()),
            ]);
        let rows = self.conn.fetch(query).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let side = |column: &str| -> Result<u32, Error> {
            u32::try_from(row.int(column)?)
                .map_err(|_| crate::corrupt(column, "not a size in pixels"))
        };
        Ok(Some(Picture::from_parts(
            Encoding::from_media_type(&row.text("media_type")?)?,
            side("width")?,
            side("height")?,
            row.bytes("bytes")?,
        )))
    }

    async fn put_picture(&mut self, subject: Subject, picture: &Picture) -> Result<(), Error> {
        self.delete_picture(subject).await?;
        let fields = vec![
            ("business_id", self.key()),
            ("subject", subject.key().into()),
            ("media_type", picture.encoding().media_type().into()),
            ("width", Value::Int(picture.width().into())),
            ("height", Value::Int(picture.height().into())),
            ("bytes", Value::Bytes(picture.bytes().to_vec())),
        ];
        self.conn
            .execute(sql::insert(C::PARAMS, "pictures", fields))
            .await?;
        Ok(())
    }

    async fn delete_picture(&mut self, subject: Subject) -> Result<bool, Error> {
        let query = C::query("DELETE FROM pictures WHERE ").equal([
            ("business_id", self.key()),
            ("subject", subject.key().into()),
        ]);
        let deleted = self.conn.execute(query).await?;
        Ok(deleted > 0)
    }

    async fn append_events(&mut self, at: DateTime<Utc>, events: &[Event]) -> Result<(), Error> {
        if C::NUMBERS_EVENTS_ON_READ {
            for event in events {
                let fields = record::unnumbered_event_fields(self.business, at, event);
                self.conn
                    .execute(sql::insert(C::PARAMS, "events", fields))
                    .await?;
            }
            return Ok(());
        }
        // Held until commit, so the next writer numbers after this one's
        // events and readers see numbers in order.
        self.conn.lock_name(&business_lock(self.business)).await?;
        if !events.is_empty() {
            let query = record::numbered_events(C::PARAMS, self.business, at, events);
            self.conn.execute(query).await?;
        }
        Ok(())
    }

    async fn events_after(&mut self, after: u64, limit: usize) -> Result<Vec<EventRecord>, Error> {
        self.conn.number_events(self.business).await?;
        let query = C::query(&format!(
            "SELECT {} FROM events WHERE business_id = ",
            record::EVENT_COLUMNS.join(", ")
        ))
        .bind(self.key())
        .push(" AND number > ")
        .bind(i64::try_from(after).unwrap_or(i64::MAX))
        .push(" ORDER BY number LIMIT ")
        .bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = self.conn.fetch(query).await?;
        rows.iter().map(|r| record::event_from(r)).collect()
    }

    async fn gathered(&mut self) -> Result<u64, Error> {
        queue::gathered(&mut self.conn, self.business).await
    }
    async fn set_gathered(&mut self, number: u64) -> Result<(), Error> {
        queue::set_gathered(&mut self.conn, self.business, number).await
    }
    async fn known_messages(&mut self, ids: &[MessageId]) -> Result<Vec<MessageId>, Error> {
        queue::known(&mut self.conn, self.business, ids).await
    }
    async fn queue_messages(&mut self, messages: &[Message]) -> Result<usize, Error> {
        queue::queue(&mut self.conn, self.business, messages).await
    }
    async fn message(&mut self, id: MessageId) -> Result<Option<Message>, Error> {
        queue::one(&mut self.conn, self.business, id).await
    }
    async fn messages(&mut self, filter: &MessageFilter) -> Result<Vec<Message>, Error> {
        queue::list(&mut self.conn, self.business, filter).await
    }
    async fn mark_read(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error> {
        queue::mark_read(&mut self.conn, self.business, id, at).await
    }
    async fn revive_message(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error> {
        queue::revive(&mut self.conn, self.business, id, at).await
    }
    async fn templates(&mut self) -> Result<Vec<Template>, Error> {
        queue::templates(&mut self.conn, self.business).await
    }
    async fn put_template(&mut self, template: &Template) -> Result<(), Error> {
        queue::put_template(&mut self.conn, self.business, template).await
    }
    async fn put_account_token(&mut self, token: &AccountToken) -> Result<(), Error> {
        crate::directory::put_account_token(&mut self.conn, self.business, token).await
    }
    async fn use_account_token(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, Error> {
        crate::directory::use_account_token(&mut self.conn, self.business, key, at).await
    }
    async fn revoke_sessions(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<usize, Error> {
        self.changed.account();
        crate::directory::revoke_sessions(&mut self.conn, self.business, account, at).await
    }
    async fn put_feed(&mut self, professional: ProfessionalId, key: &str) -> Result<(), Error> {
        crate::directory::put_feed(&mut self.conn, self.business, professional, key).await
    }
    async fn endpoints(&mut self) -> Result<Vec<Endpoint>, Error> {
        hooks::endpoints(&mut self.conn, self.business).await
    }
    async fn put_endpoint(&mut self, endpoint: &Endpoint) -> Result<(), Error> {
        hooks::put_endpoint(&mut self.conn, self.business, endpoint).await
    }
    async fn delete_endpoint(&mut self, id: EndpointId) -> Result<bool, Error> {
        hooks::delete_endpoint(&mut self.conn, self.business, id).await
    }
    async fn queue_hook_deliveries(&mut self, deliveries: &[HookDelivery]) -> Result<usize, Error> {
        hooks::queue(&mut self.conn, self.business, deliveries).await
    }
    async fn hook_deliveries(&mut self, endpoint: EndpointId) -> Result<Vec<HookDelivery>, Error> {
        hooks::deliveries(&mut self.conn, self.business, Some(endpoint), None).await
    }
    async fn hook_delivery(&mut self, id: DeliveryId) -> Result<Option<HookDelivery>, Error> {
        let found = hooks::deliveries(&mut self.conn, self.business, None, Some(id)).await?;
        Ok(found.into_iter().next())
    }
    async fn replay_hook_delivery(
        &mut self,
        id: DeliveryId,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        hooks::replay(&mut self.conn, self.business, id, at).await
    }
    async fn channel_setups(&mut self) -> Result<Vec<ChannelSetup>, Error> {
        queue::channel_setups(&mut self.conn, self.business).await
    }
    async fn put_channel_setup(&mut self, setup: &ChannelSetup) -> Result<(), Error> {
        queue::put_channel_setup(&mut self.conn, self.business, setup).await
    }
    async fn delete_channel_setup(&mut self, kind: ChannelKind) -> Result<bool, Error> {
        queue::delete_channel_setup(&mut self.conn, self.business, kind).await
    }
    async fn delete_template(
        &mut self,
        topic: Topic,
        form: Form,
        lang: Lang,
    ) -> Result<bool, Error> {
        queue::delete_template(&mut self.conn, self.business, topic, form, lang).await
    }

    async fn commit(self: Box<Self>) -> Result<(), Error> {
        self.conn.commit(self.changed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agendo_core::booking::BookingStatus;

    #[test]
    fn active_is_pending_or_confirmed() {
        for status in [BookingStatus::Pending, BookingStatus::Confirmed] {
            assert!(ACTIVE.contains(&format!("'{}'", status.as_str())));
            assert!(status.is_active());
        }
    }
}
