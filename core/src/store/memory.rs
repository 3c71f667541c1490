//! The in-memory reference store.
//!
//! It is the simplest store that keeps every promise of the ports: one lock
//! over everything, taken by each unit of work for its whole life, and a
//! private copy of the business's records that commit swaps in. It is the
//! reference the database stores are held to, and a fine store for tests
//! and demos; it keeps nothing when the process ends.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_lock::{Mutex, MutexGuardArc};
use async_trait::async_trait;

use crate::picture::{Picture, Subject};

use chrono::{DateTime, Utc};

use super::{
    Access, BookingFilter, Change, ChangeLog, Changed, IdempotencyKey, IdempotencyRecord, Login,
    Store, UnitOfWork,
};
use crate::account::{Account, Session, Slug};
use crate::agenda::{AccountToken, Event, EventRecord};
use crate::availability::{BookingKey, StaffKey};
use crate::booking::Booking;
use crate::business::{Block, Bookable, Business, Client, Professional, Resource, Service};
use crate::contact::Email;
use crate::error::{Error, RecordKind};
use crate::ids::{
    AccountId, BlockId, BookingId, BusinessId, ClientId, DeliveryId, EndpointId, MessageId,
    PaymentId, ProfessionalId, ReceivableId, ResourceId, ServiceId, SessionId,
};
use crate::lang::Lang;
use crate::message::{
    ChannelKind, ChannelSetup, Claimed, Form, Message, MessageFilter, MessageStatus,
    Outcome as Sending, Template, Topic,
};
use crate::payment::{Payment, Receivable};
use crate::time::Span;
use crate::webhook::{ClaimedHook, Endpoint, HookDelivery};

/// Records kept in memory, behind one async lock.
///
/// # Example
/// ```
/// use agendo_core::store::{Access, MemoryStore, Store};
/// use agendo_core::ids::BusinessId;
///
/// let store = MemoryStore::new();
/// futures_executor::block_on(async {
///     let mut work = store.begin(BusinessId::random(), Access::Read).await?;
///     assert!(work.business().await?.is_none());
///     Ok::<(), agendo_core::Error>(())
/// })?;
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    // An async lock and not `std::sync::Mutex`, because a unit of work holds
    // it across the awaits of its whole life.
    state: Arc<Mutex<HashMap<BusinessId, Records>>>,
    // A `std::sync::Mutex`, because nothing is awaited while it is held.
    failures: Arc<std::sync::Mutex<HashMap<String, Vec<DateTime<Utc>>>>>,
    /// Commits so far and what they changed ([`Store::version`]).
    changes: Arc<ChangeLog>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

#[derive(Clone, Default)]
struct Records {
    business: Option<Business>,
    services: BTreeMap<ServiceId, Service>,
    professionals: BTreeMap<ProfessionalId, Professional>,
    resources: BTreeMap<ResourceId, Resource>,
    clients: BTreeMap<ClientId, Client>,
    blocks: BTreeMap<BlockId, Block>,
    bookings: BTreeMap<BookingId, Booking>,
    payments: BTreeMap<PaymentId, Payment>,
    receivables: BTreeMap<ReceivableId, Receivable>,
    idempotency: BTreeMap<IdempotencyKey, IdempotencyRecord>,
    accounts: BTreeMap<AccountId, Account>,
    sessions: BTreeMap<SessionId, Session>,
    events: Vec<EventRecord>,
    pictures: HashMap<Subject, Picture>,
    gathered: u64,
    messages: BTreeMap<MessageId, Queued>,
    templates: BTreeMap<(Topic, Form, &'static str), Template>,
    channels: BTreeMap<ChannelKind, ChannelSetup>,
    endpoints: BTreeMap<EndpointId, Endpoint>,
    feeds: BTreeMap<ProfessionalId, String>,
    account_tokens: BTreeMap<String, AccountToken>,
    hooks: BTreeMap<DeliveryId, (HookDelivery, Lease)>,
}

/// A worker's lease on a queued message or delivery, and until when.
type Lease = Option<(uuid::Uuid, DateTime<Utc>)>;

/// A queued message and the lease on it, if a worker claimed it.
#[derive(Clone)]
struct Queued {
    message: Message,
    lease: Lease,
}

#[async_trait]
impl Store for MemoryStore {
    async fn begin(
        &self,
        business: BusinessId,
        _access: Access,
    ) -> Result<Box<dyn UnitOfWork>, Error> {
        let guard = self.state.lock_arc().await;
        let records = guard.get(&business).cloned().unwrap_or_default();
        Ok(Box::new(MemoryWork {
            guard,
            business,
            records,
            changed: Changed::of(business),
            changes: self.changes.clone(),
        }))
    }

    fn version(&self) -> Option<u64> {
        Some(self.changes.version())
    }

    fn changed_since(&self, version: u64, business: BusinessId) -> Option<Vec<Change>> {
        self.changes.since(version, business)
    }

    fn access_changed_since(&self, version: u64) -> bool {
        self.changes.access_since(version)
    }

    async fn business_by_slug(&self, slug: &Slug) -> Result<Option<BusinessId>, Error> {
        let state = self.state.lock().await;
        Ok(state
            .values()
            .filter_map(|r| r.business.as_ref())
            .find(|b| b.slug() == Some(slug))
            .map(Business::id))
    }

    async fn logins(&self, email: &Email) -> Result<Vec<Login>, Error> {
        let key = Account::login_key(email);
        let state = self.state.lock().await;
        let mut out: Vec<Login> = state
            .values()
            .flat_map(|r| r.accounts.values())
            .filter(|a| Account::login_key(a.email()) == key)
            .map(|a| Login {
                business: a.business(),
                account: a.id(),
            })
            .collect();
        out.sort();
        Ok(out)
    }

    async fn take_sign_in_attempt(
        &self,
        key: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // As the SQL stores do: attempts of any key older than a day go.
        let swept = at - chrono::TimeDelta::days(1);
        failures.retain(|_, list| {
            list.retain(|t| *t >= swept);
            !list.is_empty()
        });
        let list = failures.entry(key.to_owned()).or_default();
        list.retain(|t| *t >= since);
        if list.len() >= limit {
            return Ok(Some(list[list.len() - limit.max(1)]));
        }
        list.push(at);
        list.sort();
        Ok(None)
    }

    async fn release_sign_in_attempt(&self, key: &str, at: DateTime<Utc>) -> Result<(), Error> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(list) = failures.get_mut(key) {
            if let Some(i) = list.iter().position(|t| *t == at) {
                list.remove(i);
            }
        }
        Ok(())
    }

    async fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, Error> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Ok(failures
            .get(key)
            .map(|list| list.iter().copied().filter(|t| *t >= since).collect())
            .unwrap_or_default())
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<(), Error> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(key);
        Ok(())
    }

    async fn businesses_to_gather(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        due_from: chrono::NaiveDate,
        due_until: chrono::NaiveDate,
    ) -> Result<Vec<BusinessId>, Error> {
        let state = self.state.lock().await;
        let mut out: Vec<BusinessId> = state
            .iter()
            .filter(|(_, r)| {
                r.events.last().is_some_and(|e| e.number > r.gathered)
                    || r.bookings.values().any(|b| {
                        let start = b.appointment().start();
                        b.status().is_active() && now <= start && start < until
                    })
                    || r.receivables.values().any(|v| {
                        v.paid_at().is_none() && due_from <= v.due() && v.due() <= due_until
                    })
            })
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        Ok(out)
    }

    async fn account_token(&self, key: &str) -> Result<Option<AccountToken>, Error> {
        let state = self.state.lock().await;
        Ok(state
            .values()
            .find_map(|r| r.account_tokens.get(key))
            .cloned())
    }

    async fn feed(&self, key: &str) -> Result<Option<(BusinessId, ProfessionalId)>, Error> {
        let state = self.state.lock().await;
        Ok(state.iter().find_map(|(business, r)| {
            r.feeds
                .iter()
                .find(|(_, k)| k.as_str() == key)
                .map(|(professional, _)| (*business, *professional))
        }))
    }

    async fn businesses_with_secrets(&self) -> Result<Vec<BusinessId>, Error> {
        let state = self.state.lock().await;
        let mut out: Vec<BusinessId> = state
            .iter()
            .filter(|(_, r)| !r.channels.is_empty() || !r.endpoints.is_empty())
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        Ok(out)
    }

    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Claimed>, Error> {
        let mut state = self.state.lock().await;
        let mut due: Vec<(DateTime<Utc>, BusinessId, MessageId)> = state
            .iter()
            .flat_map(|(business, r)| {
                r.messages
                    .values()
                    .filter(|q| {
                        q.message.status == MessageStatus::Pending
                            && q.message.next_at <= now
                            && q.lease.is_none_or(|(_, until)| until <= now)
                    })
                    .map(|q| (q.message.next_at, *business, q.message.id))
            })
            .collect();
        due.sort();
        due.truncate(limit);
        let mut claimed = Vec::with_capacity(due.len());
        for (_, business, id) in due {
            if let Some(q) = state
                .get_mut(&business)
                .and_then(|r| r.messages.get_mut(&id))
            {
                let lease = uuid::Uuid::new_v4();
                q.lease = Some((lease, lease_until));
                q.message.attempts += 1;
                claimed.push(Claimed {
                    message: q.message.clone(),
                    lease,
                });
            }
        }
        Ok(claimed)
    }

    async fn claim_hook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ClaimedHook>, Error> {
        let mut state = self.state.lock().await;
        let mut due: Vec<(DateTime<Utc>, BusinessId, DeliveryId)> = state
            .iter()
            .flat_map(|(business, r)| {
                r.hooks
                    .values()
                    .filter(|(d, lease)| {
                        d.status == MessageStatus::Pending
                            && d.next_at <= now
                            && lease.is_none_or(|(_, until)| until <= now)
                    })
                    .map(|(d, _)| (d.next_at, *business, d.id))
            })
            .collect();
        due.sort();
        due.truncate(limit);
        let mut claimed = Vec::with_capacity(due.len());
        for (_, business, id) in due {
            if let Some((delivery, lease)) =
                state.get_mut(&business).and_then(|r| r.hooks.get_mut(&id))
            {
                let token = uuid::Uuid::new_v4();
                *lease = Some((token, lease_until));
                delivery.attempts += 1;
                claimed.push(ClaimedHook {
                    delivery: delivery.clone(),
                    lease: token,
                });
            }
        }
        Ok(claimed)
    }

    async fn settle_hook_delivery(
        &self,
        claimed: &ClaimedHook,
        outcome: &Sending,
        status: Option<u16>,
        latency_ms: u32,
    ) -> Result<bool, Error> {
        let mut state = self.state.lock().await;
        let Some((delivery, lease)) = state
            .get_mut(&claimed.delivery.business)
            .and_then(|r| r.hooks.get_mut(&claimed.delivery.id))
        else {
            return Ok(false);
        };
        if lease.map(|(token, _)| token) != Some(claimed.lease) {
            return Ok(false);
        }
        *lease = None;
        outcome.apply_to_hook(delivery);
        delivery.last_status = status;
        delivery.latency_ms = Some(latency_ms);
        Ok(true)
    }

    async fn settle_message(&self, claimed: &Claimed, outcome: &Sending) -> Result<bool, Error> {
        let mut state = self.state.lock().await;
        let Some(q) = state
            .get_mut(&claimed.message.business)
            .and_then(|r| r.messages.get_mut(&claimed.message.id))
        else {
            return Ok(false);
        };
        if q.lease.map(|(lease, _)| lease) != Some(claimed.lease) {
            return Ok(false);
        }
        q.lease = None;
        outcome.apply(&mut q.message);
        Ok(true)
    }
}

struct MemoryWork {
    guard: MutexGuardArc<HashMap<BusinessId, Records>>,
    business: BusinessId,
    records: Records,
    /// What this unit wrote that a kept search may have read.
    changed: Changed,
    changes: Arc<ChangeLog>,
}

impl MemoryWork {
    /// Refuses `booking` when it is active and its held span meets as many
    /// other active bookings of its professional or resource as their
    /// capacity: the store's own guard against double-booking.
    fn guard(&self, booking: &Booking) -> Result<(), Error> {
        if !booking.status().is_active() {
            return Ok(());
        }
        let mut on = vec![Bookable::Professional(booking.professional())];
        on.extend(booking.resource().map(Bookable::Resource));
        for who in on {
            let capacity = match who {
                Bookable::Professional(id) => self
                    .records
                    .professionals
                    .get(&id)
                    .map(Professional::capacity),
                Bookable::Resource(id) => self.records.resources.get(&id).map(Resource::capacity),
            }
            .unwrap_or(1);
            let meeting: Vec<&Booking> = self
                .active_meeting(who, booking.held())
                .filter(|b| b.id() != booking.id())
                .collect();
            if meeting.len() >= capacity as usize {
                return Err(slot_taken(who, capacity, meeting.iter().map(|b| b.id())));
            }
        }
        Ok(())
    }

    fn active_meeting(&self, on: Bookable, span: Span) -> impl Iterator<Item = &Booking> {
        self.records.bookings.values().filter(move |b| {
            b.status().is_active()
                && b.held().overlaps(&span)
                && match on {
                    Bookable::Professional(id) => b.professional() == id,
                    Bookable::Resource(id) => b.resource() == Some(id),
                }
        })
    }
}

/// The engine's key for a professional or resource: its id.
pub(crate) fn staff_key(on: Bookable) -> Result<StaffKey, Error> {
    StaffKey::parse(&match on {
        Bookable::Professional(id) => id.to_string(),
        Bookable::Resource(id) => id.to_string(),
    })
}

/// The store guard's refusal: `on`, with room for `capacity` bookings at
/// once, already holds `bookings` over the time asked for. Every store
/// answers a clash with this error, so callers see one shape whichever
/// database refused.
pub fn slot_taken(
    on: Bookable,
    capacity: u32,
    bookings: impl IntoIterator<Item = BookingId>,
) -> Error {
    let keys: Result<Vec<BookingKey>, Error> = bookings
        .into_iter()
        .map(|id| BookingKey::parse(&id.to_string()))
        .collect();
    match (staff_key(on), keys) {
        (Ok(staff), Ok(bookings)) => Error::SlotTaken {
            staff,
            bookings,
            capacity,
            shown: None,
        },
        // Ids are UUIDs, always valid keys; kept total all the same.
        (Err(err), _) | (_, Err(err)) => err,
    }
}

fn by_name<T: Clone>(items: &BTreeMap<impl Ord, T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    let mut out: Vec<T> = items.values().cloned().collect();
    // Ids break ties: the map is ordered by id and the sort is stable.
    out.sort_by(|a, b| name(a).cmp(name(b)));
    out
}

#[async_trait]
impl UnitOfWork for MemoryWork {
    async fn business(&mut self) -> Result<Option<Business>, Error> {
        Ok(self.records.business.clone())
    }
    async fn put_business(&mut self, business: &Business) -> Result<(), Error> {
        if business.id() != self.business {
            return Err(Error::NotFound {
                record: RecordKind::Business,
                id: business.id().to_string(),
            });
        }
        if let Some(slug) = business.slug() {
            let taken = self.guard.iter().any(|(id, r)| {
                *id != business.id() && r.business.as_ref().and_then(Business::slug) == Some(slug)
            });
            if taken {
                return Err(Error::SlugTaken {
                    slug: slug.to_string(),
                });
            }
        }
        self.changed.record();
        self.records.business = Some(business.clone());
        Ok(())
    }

    async fn account(&mut self, id: AccountId) -> Result<Option<Account>, Error> {
        Ok(self.records.accounts.get(&id).cloned())
    }
    async fn accounts(&mut self) -> Result<Vec<Account>, Error> {
        Ok(by_name(&self.records.accounts, Account::name))
    }
    async fn put_account(&mut self, account: &Account) -> Result<(), Error> {
        if account.business() != self.business {
            return Err(Error::NotFound {
                record: RecordKind::Account,
                id: account.id().to_string(),
            });
        }
        let key = Account::login_key(account.email());
        let taken = self
            .records
            .accounts
            .values()
            .any(|a| a.id() != account.id() && Account::login_key(a.email()) == key);
        if taken {
            return Err(Error::EmailTaken {
                email: account.email().to_string(),
            });
        }
        self.changed.account();
        self.records.accounts.insert(account.id(), account.clone());
        Ok(())
    }

    async fn session(&mut self, id: SessionId) -> Result<Option<Session>, Error> {
        Ok(self.records.sessions.get(&id).cloned())
    }
    async fn put_session(&mut self, session: &Session) -> Result<(), Error> {
        if session.business() != self.business {
            return Err(Error::NotFound {
                record: RecordKind::Session,
                id: session.id().to_string(),
            });
        }
        self.changed.account();
        self.records.sessions.insert(session.id(), session.clone());
        Ok(())
    }

    async fn service(&mut self, id: ServiceId) -> Result<Option<Service>, Error> {
        Ok(self.records.services.get(&id).cloned())
    }
    async fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(by_name(&self.records.services, Service::name))
    }
    async fn put_service(&mut self, service: &Service) -> Result<(), Error> {
        self.changed.record();
        self.records.services.insert(service.id(), service.clone());
        Ok(())
    }

    async fn professional(&mut self, id: ProfessionalId) -> Result<Option<Professional>, Error> {
        Ok(self.records.professionals.get(&id).cloned())
    }
    async fn professionals(&mut self) -> Result<Vec<Professional>, Error> {
        Ok(by_name(&self.records.professionals, Professional::name))
    }
    async fn put_professional(&mut self, professional: &Professional) -> Result<(), Error> {
        self.changed.record();
        self.records
            .professionals
            .insert(professional.id(), professional.clone());
        Ok(())
    }

    async fn resource(&mut self, id: ResourceId) -> Result<Option<Resource>, Error> {
        Ok(self.records.resources.get(&id).cloned())
    }
    async fn resources(&mut self) -> Result<Vec<Resource>, Error> {
        Ok(by_name(&self.records.resources, Resource::name))
    }
    async fn put_resource(&mut self, resource: &Resource) -> Result<(), Error> {
        self.changed.record();
        self.records
            .resources
            .insert(resource.id(), resource.clone());
        Ok(())
    }

    async fn client(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        Ok(self.records.clients.get(&id).cloned())
    }
    async fn clients(&mut self) -> Result<Vec<Client>, Error> {
        Ok(by_name(&self.records.clients, Client::name))
    }
    async fn put_client(&mut self, client: &Client) -> Result<(), Error> {
        self.records.clients.insert(client.id(), client.clone());
        Ok(())
    }

    async fn blocks_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Block>, Error> {
        let mut out: Vec<Block> = self
            .records
            .blocks
            .values()
            .filter(|b| b.on() == on && b.span().overlaps(&span))
            .cloned()
            .collect();
        out.sort_by_key(|b| (b.span(), b.id()));
        Ok(out)
    }
    async fn block(&mut self, id: BlockId) -> Result<Option<Block>, Error> {
        Ok(self.records.blocks.get(&id).cloned())
    }
    async fn put_block(&mut self, block: &Block) -> Result<(), Error> {
        if let Some(old) = self.records.blocks.insert(block.id(), block.clone()) {
            self.changed.block_was(&old);
        }
        self.changed.block(block);
        Ok(())
    }
    async fn delete_block(&mut self, id: BlockId) -> Result<bool, Error> {
        let removed = self.records.blocks.remove(&id);
        if let Some(old) = &removed {
            self.changed.block_removed(old);
        }
        Ok(removed.is_some())
    }

    async fn booking(&mut self, id: BookingId) -> Result<Option<Booking>, Error> {
        Ok(self.records.bookings.get(&id).cloned())
    }
    async fn bookings_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Booking>, Error> {
        let mut out: Vec<Booking> = self.active_meeting(on, span).cloned().collect();
        out.sort_by_key(|b| (b.held(), b.id()));
        Ok(out)
    }
    async fn bookings(&mut self, filter: &BookingFilter) -> Result<Vec<Booking>, Error> {
        let mut out: Vec<Booking> = self
            .records
            .bookings
            .values()
            .filter(|b| filter.matches(b))
            .cloned()
            .collect();
        out.sort_by_key(|b| (b.appointment().start(), b.id()));
        Ok(out)
    }
    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        if self.records.bookings.contains_key(&booking.id()) {
            return Err(Error::AlreadyExists {
                record: RecordKind::Booking,
                id: booking.id().to_string(),
            });
        }
        self.guard(booking)?;
        self.changed.booking(booking);
        self.records.bookings.insert(booking.id(), booking.clone());
        Ok(())
    }
    async fn update_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        if !self.records.bookings.contains_key(&booking.id()) {
            return Err(Error::NotFound {
                record: RecordKind::Booking,
                id: booking.id().to_string(),
            });
        }
        self.guard(booking)?;
        if let Some(old) = self.records.bookings.insert(booking.id(), booking.clone()) {
            self.changed.booking_was(&old);
        }
        self.changed.booking(booking);
        Ok(())
    }

    async fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>, Error> {
        Ok(self.records.payments.get(&id).cloned())
    }
    async fn payments_for_booking(&mut self, booking: BookingId) -> Result<Vec<Payment>, Error> {
        let mut out: Vec<Payment> = self
            .records
            .payments
            .values()
            .filter(|p| p.booking() == Some(booking))
            .cloned()
            .collect();
        out.sort_by_key(|p| (p.created_at(), p.id()));
        Ok(out)
    }
    async fn payments(&mut self) -> Result<Vec<Payment>, Error> {
        let mut out: Vec<Payment> = self.records.payments.values().cloned().collect();
        out.sort_by_key(|p| (p.created_at(), p.id()));
        Ok(out)
    }
    async fn payments_for_client(&mut self, client: ClientId) -> Result<Vec<Payment>, Error> {
        let mut out: Vec<Payment> = self
            .records
            .payments
            .values()
            .filter(|p| p.client() == client)
            .cloned()
            .collect();
        out.sort_by_key(|p| (p.created_at(), p.id()));
        Ok(out)
    }
    async fn put_payment(&mut self, payment: &Payment) -> Result<(), Error> {
        self.records.payments.insert(payment.id(), payment.clone());
        Ok(())
    }

    async fn receivable(&mut self, id: ReceivableId) -> Result<Option<Receivable>, Error> {
        Ok(self.records.receivables.get(&id).cloned())
    }
    async fn receivables(&mut self) -> Result<Vec<Receivable>, Error> {
        let mut out: Vec<Receivable> = self.records.receivables.values().cloned().collect();
        out.sort_by_key(|r| (r.due(), r.id()));
        Ok(out)
    }
    async fn put_receivable(&mut self, receivable: &Receivable) -> Result<(), Error> {
        self.records
            .receivables
            .insert(receivable.id(), receivable.clone());
        Ok(())
    }

    async fn picture(&mut self, subject: Subject) -> Result<Option<Picture>, Error> {
        Ok(self.records.pictures.get(&subject).cloned())
    }
    async fn put_picture(&mut self, subject: Subject, picture: &Picture) -> Result<(), Error> {
        self.records.pictures.insert(subject, picture.clone());
        Ok(())
    }
    async fn delete_picture(&mut self, subject: Subject) -> Result<bool, Error> {
        Ok(self.records.pictures.remove(&subject).is_some())
    }

    async fn idempotency(
        &mut self,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyRecord>, Error> {
        Ok(self.records.idempotency.get(key).cloned())
    }
    async fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), Error> {
        if self.records.idempotency.contains_key(&record.key) {
            return Err(Error::WriteConflict);
        }
        self.records
            .idempotency
            .insert(record.key.clone(), record.clone());
        Ok(())
    }

    async fn append_events(&mut self, at: DateTime<Utc>, events: &[Event]) -> Result<(), Error> {
        for event in events {
            let number = self.records.events.last().map_or(1, |e| e.number + 1);
            self.records.events.push(EventRecord {
                number,
                at,
                event: event.clone(),
            });
        }
        Ok(())
    }

    async fn events_after(&mut self, after: u64, limit: usize) -> Result<Vec<EventRecord>, Error> {
        let from = self.records.events.partition_point(|e| e.number <= after);
        Ok(self.records.events[from..]
            .iter()
            .take(limit)
            .cloned()
            .collect())
    }

    async fn gathered(&mut self) -> Result<u64, Error> {
        Ok(self.records.gathered)
    }

    async fn set_gathered(&mut self, number: u64) -> Result<(), Error> {
        self.records.gathered = number;
        Ok(())
    }

    async fn known_messages(&mut self, ids: &[MessageId]) -> Result<Vec<MessageId>, Error> {
        Ok(ids
            .iter()
            .filter(|id| self.records.messages.contains_key(id))
            .copied()
            .collect())
    }

    async fn queue_messages(&mut self, messages: &[Message]) -> Result<usize, Error> {
        let mut added = 0;
        for message in messages {
            if message.business != self.business {
                return Err(Error::Storage {
                    detail: "a message of another business".into(),
                });
            }
            if let std::collections::btree_map::Entry::Vacant(slot) =
                self.records.messages.entry(message.id)
            {
                slot.insert(Queued {
                    message: message.clone(),
                    lease: None,
                });
                added += 1;
            }
        }
        Ok(added)
    }

    async fn message(&mut self, id: MessageId) -> Result<Option<Message>, Error> {
        Ok(self.records.messages.get(&id).map(|q| q.message.clone()))
    }

    async fn messages(&mut self, filter: &MessageFilter) -> Result<Vec<Message>, Error> {
        let mut out: Vec<Message> = self
            .records
            .messages
            .values()
            .map(|q| &q.message)
            .filter(|m| filter.matches(m))
            .cloned()
            .collect();
        out.sort_by_key(|m| (m.created_at, m.id));
        Ok(out)
    }

    async fn mark_read(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error> {
        Ok(match self.records.messages.get_mut(&id) {
            Some(q) => {
                q.message.read_at.get_or_insert(at);
                true
            }
            None => false,
        })
    }

    async fn revive_message(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error> {
        Ok(match self.records.messages.get_mut(&id) {
            Some(q) if q.message.status == MessageStatus::Dead => {
                q.message.status = MessageStatus::Pending;
                q.message.attempts = 0;
                q.message.next_at = at;
                q.lease = None;
                true
            }
            _ => false,
        })
    }

    async fn templates(&mut self) -> Result<Vec<Template>, Error> {
        Ok(self.records.templates.values().cloned().collect())
    }

    async fn put_template(&mut self, template: &Template) -> Result<(), Error> {
        self.records.templates.insert(
            (template.topic(), template.form(), template.lang().tag()),
            template.clone(),
        );
        Ok(())
    }

    async fn put_account_token(&mut self, token: &AccountToken) -> Result<(), Error> {
        self.records
            .account_tokens
            .insert(token.key.clone(), token.clone());
        Ok(())
    }

    async fn use_account_token(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, Error> {
        Ok(match self.records.account_tokens.get_mut(key) {
            Some(t) if t.used_at.is_none() && at < t.expires_at => {
                t.used_at = Some(at);
                true
            }
            _ => false,
        })
    }

    async fn revoke_sessions(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<usize, Error> {
        let mut revoked = 0;
        self.changed.account();
        for session in self.records.sessions.values_mut() {
            if session.account() == account && session.revoked().is_none() {
                *session = session.clone().revoke(at);
                revoked += 1;
            }
        }
        Ok(revoked)
    }

    async fn put_feed(&mut self, professional: ProfessionalId, key: &str) -> Result<(), Error> {
        self.records.feeds.insert(professional, key.to_owned());
        Ok(())
    }

    async fn endpoints(&mut self) -> Result<Vec<Endpoint>, Error> {
        let mut out: Vec<Endpoint> = self.records.endpoints.values().cloned().collect();
        out.sort_by_key(|e| (e.created_at, e.id));
        Ok(out)
    }

    async fn put_endpoint(&mut self, endpoint: &Endpoint) -> Result<(), Error> {
        self.records.endpoints.insert(endpoint.id, endpoint.clone());
        Ok(())
    }

    async fn delete_endpoint(&mut self, id: EndpointId) -> Result<bool, Error> {
        self.records.hooks.retain(|_, (d, _)| d.endpoint != id);
        Ok(self.records.endpoints.remove(&id).is_some())
    }

    async fn queue_hook_deliveries(&mut self, deliveries: &[HookDelivery]) -> Result<usize, Error> {
        let mut added = 0;
        for delivery in deliveries {
            if let std::collections::btree_map::Entry::Vacant(slot) =
                self.records.hooks.entry(delivery.id)
            {
                slot.insert((delivery.clone(), None));
                added += 1;
            }
        }
        Ok(added)
    }

    async fn hook_deliveries(&mut self, endpoint: EndpointId) -> Result<Vec<HookDelivery>, Error> {
        let mut out: Vec<HookDelivery> = self
            .records
            .hooks
            .values()
            .filter(|(d, _)| d.endpoint == endpoint)
            .map(|(d, _)| d.clone())
            .collect();
        out.sort_by_key(|d| (d.created_at, d.id));
        Ok(out)
    }

    async fn hook_delivery(&mut self, id: DeliveryId) -> Result<Option<HookDelivery>, Error> {
        Ok(self.records.hooks.get(&id).map(|(d, _)| d.clone()))
    }

    async fn replay_hook_delivery(
        &mut self,
        id: DeliveryId,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        Ok(match self.records.hooks.get_mut(&id) {
            Some((d, lease)) => {
                d.status = MessageStatus::Pending;
                d.attempts = 0;
                d.next_at = at;
                *lease = None;
                true
            }
            None => false,
        })
    }

    async fn channel_setups(&mut self) -> Result<Vec<ChannelSetup>, Error> {
        Ok(self.records.channels.values().cloned().collect())
    }

    async fn put_channel_setup(&mut self, setup: &ChannelSetup) -> Result<(), Error> {
        self.records.channels.insert(setup.kind, setup.clone());
        Ok(())
    }

    async fn delete_channel_setup(&mut self, kind: ChannelKind) -> Result<bool, Error> {
        Ok(self.records.channels.remove(&kind).is_some())
    }

    async fn delete_template(
        &mut self,
        topic: Topic,
        form: Form,
        lang: Lang,
    ) -> Result<bool, Error> {
        Ok(self
            .records
            .templates
            .remove(&(topic, form, lang.tag()))
            .is_some())
    }

    async fn commit(self: Box<Self>) -> Result<(), Error> {
        let MemoryWork {
            mut guard,
            business,
            records,
            changed,
            changes,
        } = *self;
        guard.insert(business, records);
        // Counted while the lock is held, so no reader sees the new records
        // under the old number.
        changes.record(&changed);
        Ok(())
    }
}
