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
use crate::sql::{self, Params};
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
    async fn fetch(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<Self::Row>, Error>;

    /// Runs a statement; how many rows it changed.
    async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, Error>;

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

    /// A query for the active bookings of `on` whose held span meets a
    /// span, selecting `columns` (which include `held_start`, `held_end`
    /// and `id`, its order): parameter 1 is the business, 2 the id of `on`,
    /// 3 the span's end, 4 its start, 5 a booking id to leave out. The
    /// default compares the bounds; a database with a better index for
    /// overlaps writes its own.
    fn meeting_sql(columns: &str, on: Bookable) -> String {
        let p = Self::PARAMS;
        format!(
            "SELECT {columns} FROM bookings WHERE business_id = {} AND {} = {} AND {ACTIVE} \
             AND held_start < {} AND held_end > {} AND id <> {} \
             ORDER BY held_start, held_end, id",
            p.nth(1),
            column_of(on),
            p.nth(2),
            p.nth(3),
            p.nth(4),
            p.nth(5),
        )
    }

    /// A query for the active bookings whose `column` (`professional_id`
    /// or `resource_id`) is any of `count` ids and whose held span meets a
    /// span, selecting `columns`: parameter 1 is the business, 2 the span's
    /// end, 3 its start, then the ids. The default compares the bounds.
    fn meeting_any_sql(columns: &str, column: &str, count: usize) -> String {
        let p = Self::PARAMS;
        let ids: Vec<String> = (0..count).map(|i| p.nth(4 + i)).collect();
        format!(
            "SELECT {columns} FROM bookings WHERE business_id = {} AND {column} IN ({}) \
             AND {ACTIVE} AND held_start < {} AND held_end > {} \
             ORDER BY held_start, held_end, id",
            p.nth(1),
            ids.join(", "),
            p.nth(2),
            p.nth(3),
        )
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
    let sql = format!(
        "UPDATE bookings SET {} WHERE {}",
        booking_assignments(C::PARAMS),
        C::PARAMS.equal(Booking::KEY, 1)
    );
    if conn.execute(&sql, booking.values()).await? == 0 {
        return Err(Error::NotFound {
            record: RecordKind::Booking,
            id: booking.id().to_string(),
        });
    }
    Ok(())
}

/// `service_id = $3, …`: every booking column but the key, bound in
/// [`Stored::values`] order after the key's two parameters.
pub fn booking_assignments(params: Params) -> String {
    let set: Vec<String> = Booking::COLUMNS[Booking::KEY.len()..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = {}", params.nth(i + Booking::KEY.len() + 1)))
        .collect();
    set.join(", ")
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
    let p = C::PARAMS;
    let sql = format!(
        "SELECT m.id, COALESCE((SELECT capacity FROM {} WHERE business_id = {} AND id = {}), 1) \
         AS capacity FROM ({}) m ORDER BY m.held_start, m.held_end, m.id",
        table_of(on).0,
        p.nth(1),
        p.nth(2),
        C::meeting_sql("id, held_start, held_end", on),
    );
    let rows = conn
        .fetch(
            &sql,
            meeting_values(booking.business(), on, booking.held(), Some(booking.id())),
        )
        .await?;
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

/// The parameters of [`Connection::meeting_sql`].
fn meeting_values(
    business: BusinessId,
    on: Bookable,
    span: Span,
    except: Option<BookingId>,
) -> Vec<Value> {
    vec![
        uuid(business.as_uuid()),
        uuid(table_of(on).1),
        Value::Time(Some(span.end())),
        Value::Time(Some(span.start())),
        uuid(except.map_or(Uuid::nil(), |b| b.as_uuid())),
    ]
}

/// The values of `meeting_any_sql`: the business, the span (end first)
/// and the ids.
fn meeting_any_values(business: Value, span: Span, ids: Vec<Uuid>) -> Vec<Value> {
    let mut values = vec![
        business,
        Value::Time(Some(span.end())),
        Value::Time(Some(span.start())),
    ];
    values.extend(ids.into_iter().map(uuid));
    values
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

fn uuid(id: Uuid) -> Value {
    Value::Uuid(Some(id))
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
        uuid(self.business.as_uuid())
    }

    async fn get<T: Stored>(&mut self, id: Uuid, lock: bool) -> Result<Option<T>, Error> {
        let mut sql = sql::select_one::<T>(C::PARAMS);
        if lock {
            sql.push_str(self.conn.row_lock());
        }
        let mut values = vec![self.key()];
        if T::KEY.len() > 1 {
            values.push(uuid(id));
        }
        let rows = self.conn.fetch(&sql, values).await?;
        rows.first().map(|row| T::read(row)).transpose()
    }

    async fn list<T: Stored>(
        &mut self,
        filter: &str,
        order: &str,
        values: Vec<Value>,
    ) -> Result<Vec<T>, Error> {
        let sql = sql::select_where::<T>(C::PARAMS, filter, order);
        let mut all = vec![self.key()];
        all.extend(values);
        let rows = self.conn.fetch(&sql, all).await?;
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
            .execute(&sql::upsert::<T>(C::PARAMS), record.values())
            .await
            .map(drop)
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
            let sql = format!(
                "SELECT business_id FROM businesses WHERE slug = {} AND business_id <> {}",
                C::PARAMS.nth(1),
                C::PARAMS.nth(2)
            );
            let values = vec![Value::Text(Some(slug.as_str().to_owned())), self.key()];
            if !self.conn.fetch(&sql, values).await?.is_empty() {
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
        self.list("", Account::ORDER, vec![]).await
    }
    async fn put_account(&mut self, account: &Account) -> Result<(), Error> {
        let filter = format!(
            "login_key = {} AND id <> {}",
            C::PARAMS.nth(2),
            C::PARAMS.nth(3)
        );
        let values = vec![
            Value::Text(Some(Account::login_key(account.email()))),
            uuid(account.id().as_uuid()),
        ];
        if !self
            .list::<Account>(&filter, Account::ORDER, values)
            .await?
            .is_empty()
        {
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
        self.list("", Service::ORDER, vec![]).await
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
        self.list("", Professional::ORDER, vec![]).await
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
        self.list("", Resource::ORDER, vec![]).await
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
        self.list("", Client::ORDER, vec![]).await
    }
    async fn put_client(&mut self, client: &Client) -> Result<(), Error> {
        self.put(client).await
    }

    async fn blocks_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Block>, Error> {
        let p = C::PARAMS;
        let filter = format!(
            "{} = {} AND start_at < {} AND end_at > {}",
            column_of(on),
            p.nth(2),
            p.nth(3),
            p.nth(4)
        );
        let values = vec![
            uuid(table_of(on).1),
            Value::Time(Some(span.end())),
            Value::Time(Some(span.start())),
        ];
        self.list(&filter, Block::ORDER, values).await
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
        let sql = format!(
            "DELETE FROM blocks WHERE {}",
            C::PARAMS.equal(&["business_id", "id"], 1)
        );
        let deleted = self
            .conn
            .execute(&sql, vec![self.key(), uuid(id.as_uuid())])
            .await?;
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
        let sql = C::meeting_sql(&Booking::COLUMNS.join(", "), on);
        let values = meeting_values(self.business, on, span, None);
        let rows = self.conn.fetch(&sql, values).await?;
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
        let p = C::PARAMS;
        let list: Vec<String> = (0..ids.len()).map(|i| p.nth(4 + i)).collect();
        let filter = format!(
            "{column} IN ({}) AND start_at < {} AND end_at > {}",
            list.join(", "),
            p.nth(2),
            p.nth(3)
        );
        let mut values = vec![
            Value::Time(Some(span.end())),
            Value::Time(Some(span.start())),
        ];
        values.extend(ids.into_iter().map(uuid));
        self.list(&filter, Block::ORDER, values).await
    }
    async fn bookings_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Booking>, Error> {
        let Some((column, ids)) = one_kind(on) else {
            return agendo_core::store::bookings_meeting_each(self, on, span).await;
        };
        let sql = C::meeting_any_sql(&Booking::COLUMNS.join(", "), column, ids.len());
        let values = meeting_any_values(self.key(), span, ids);
        let rows = self.conn.fetch(&sql, values).await?;
        rows.iter().map(|row| Booking::read(row)).collect()
    }
    async fn held_any(&mut self, on: &[Bookable], span: Span) -> Result<Vec<Held>, Error> {
        let Some((column, ids)) = one_kind(on) else {
            let all = agendo_core::store::bookings_meeting_each(self, on, span).await?;
            return Ok(all.iter().map(Held::of).collect());
        };
        let sql = C::meeting_any_sql(
            "id, professional_id, resource_id, held_start, held_end",
            column,
            ids.len(),
        );
        let values = meeting_any_values(self.key(), span, ids);
        let rows = self.conn.fetch(&sql, values).await?;
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
        let p = C::PARAMS;
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let next = |value: Value, values: &mut Vec<Value>| {
            values.push(value);
            p.nth(values.len() + 1)
        };
        if let Some(during) = filter.during {
            let end = next(Value::Time(Some(during.end())), &mut values);
            let start = next(Value::Time(Some(during.start())), &mut values);
            conditions.push(format!("start_at < {end} AND end_at > {start}"));
        }
        if let Some(professional) = filter.professional {
            let id = next(uuid(professional.as_uuid()), &mut values);
            conditions.push(format!("professional_id = {id}"));
        }
        if let Some(client) = filter.client {
            let id = next(uuid(client.as_uuid()), &mut values);
            conditions.push(format!("client_id = {id}"));
        }
        if !filter.statuses.is_empty() {
            let statuses: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| next(Value::Text(Some(s.as_str().to_owned())), &mut values))
                .collect();
            conditions.push(format!("status IN ({})", statuses.join(", ")));
        }
        if let Some(series) = filter.series {
            let id = next(uuid(series.as_uuid()), &mut values);
            conditions.push(format!("series_id = {id}"));
        }
        if let Some(ids) = &filter.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<String> = ids
                .iter()
                .map(|id| next(uuid(id.as_uuid()), &mut values))
                .collect();
            conditions.push(format!("id IN ({})", ids.join(", ")));
        }
        self.list(&conditions.join(" AND "), Booking::ORDER, values)
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
        let filter = format!("booking_id = {}", C::PARAMS.nth(2));
        self.list(&filter, Payment::ORDER, vec![uuid(booking.as_uuid())])
            .await
    }
    async fn payments_for_client(&mut self, client: ClientId) -> Result<Vec<Payment>, Error> {
        let filter = format!("client_id = {}", C::PARAMS.nth(2));
        self.list(&filter, Payment::ORDER, vec![uuid(client.as_uuid())])
            .await
    }
    async fn payments(&mut self) -> Result<Vec<Payment>, Error> {
        self.list("", Payment::ORDER, vec![]).await
    }
    async fn put_payment(&mut self, payment: &Payment) -> Result<(), Error> {
        self.put(payment).await
    }

    async fn receivable(&mut self, id: ReceivableId) -> Result<Option<Receivable>, Error> {
        self.get(id.as_uuid(), true).await
    }
    async fn receivables(&mut self) -> Result<Vec<Receivable>, Error> {
        self.list("", Receivable::ORDER, vec![]).await
    }
    async fn put_receivable(&mut self, receivable: &Receivable) -> Result<(), Error> {
        self.put(receivable).await
    }

    async fn idempotency(
        &mut self,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyRecord>, Error> {
        self.conn.lock_key(self.business, key).await?;
        let sql = format!(
            "SELECT {} FROM idempotency WHERE {}",
            record::IDEMPOTENCY_COLUMNS.join(", "),
            C::PARAMS.equal(&["business_id", "key"], 1)
        );
        let values = vec![self.key(), Value::Text(Some(key.as_str().to_owned()))];
        let rows = self.conn.fetch(&sql, values).await?;
        rows.first()
            .map(|r| record::idempotency_from(r))
            .transpose()
    }
    async fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), Error> {
        let sql = format!(
            "{} ON CONFLICT (business_id, key) DO NOTHING",
            sql::insert(C::PARAMS, "idempotency", record::IDEMPOTENCY_COLUMNS)
        );
        let values = record::idempotency_values(self.business, record);
        if self.conn.execute(&sql, values).await? == 0 {
            return Err(Error::WriteConflict);
        }
        Ok(())
    }

    async fn picture(&mut self, subject: Subject) -> Result<Option<Picture>, Error> {
        let p = C::PARAMS;
        let sql = format!(
            "SELECT media_type, width, height, bytes FROM pictures WHERE business_id = {} AND subject = {}",
            p.nth(1),
            p.nth(2)
        );
        let rows = self
            .conn
            .fetch(&sql, vec![self.key(), Value::Text(Some(subject.key()))])
            .await?;
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
        let insert = sql::insert(
            C::PARAMS,
            "pictures",
            &[
                "business_id",
                "subject",
                "media_type",
                "width",
                "height",
                "bytes",
            ],
        );
        let values = vec![
            self.key(),
            Value::Text(Some(subject.key())),
            Value::Text(Some(picture.encoding().media_type().to_owned())),
            Value::Int(picture.width().into()),
            Value::Int(picture.height().into()),
            Value::Bytes(picture.bytes().to_vec()),
        ];
        self.conn.execute(&insert, values).await?;
        Ok(())
    }

    async fn delete_picture(&mut self, subject: Subject) -> Result<bool, Error> {
        let p = C::PARAMS;
        let sql = format!(
            "DELETE FROM pictures WHERE business_id = {} AND subject = {}",
            p.nth(1),
            p.nth(2)
        );
        let deleted = self
            .conn
            .execute(&sql, vec![self.key(), Value::Text(Some(subject.key()))])
            .await?;
        Ok(deleted > 0)
    }

    async fn append_events(&mut self, at: DateTime<Utc>, events: &[Event]) -> Result<(), Error> {
        if C::NUMBERS_EVENTS_ON_READ {
            let insert = sql::insert(C::PARAMS, "events", record::UNNUMBERED_EVENT_COLUMNS);
            for event in events {
                let values = record::unnumbered_event_values(self.business, at, event);
                self.conn.execute(&insert, values).await?;
            }
            return Ok(());
        }
        // Held until commit, so the next writer numbers after this one's
        // events and readers see numbers in order.
        self.conn.lock_name(&business_lock(self.business)).await?;
        if !events.is_empty() {
            let (sql, values) = record::numbered_events(C::PARAMS, self.business, at, events);
            self.conn.execute(&sql, values).await?;
        }
        Ok(())
    }

    async fn events_after(&mut self, after: u64, limit: usize) -> Result<Vec<EventRecord>, Error> {
        self.conn.number_events(self.business).await?;
        let p = C::PARAMS;
        let sql = format!(
            "SELECT {} FROM events WHERE business_id = {} AND number > {} ORDER BY number LIMIT {}",
            record::EVENT_COLUMNS.join(", "),
            p.nth(1),
            p.nth(2),
            p.nth(3),
        );
        let values = vec![
            self.key(),
            Value::Int(i64::try_from(after).unwrap_or(i64::MAX)),
            Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)),
        ];
        let rows = self.conn.fetch(&sql, values).await?;
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
