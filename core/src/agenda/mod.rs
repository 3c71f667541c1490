//! The use cases: what a receptionist, a client or a payment does to a
//! business's agenda (R12–R22, R34–R37).
//!
//! [`Agenda`] runs each use case as one unit of work of a [`Store`]: it
//! reads what it needs, applies the rules of the modules before it (the
//! conflict check, the lifecycle, the policy, money) and writes, all or
//! nothing. Every use case takes a [`Context`]: the business, the instant
//! `now`, who acts, and an optional idempotency key. With a key, the first
//! request's outcome is kept; the same key with the same request answers
//! that outcome again without doing the work twice, and with a different
//! request is refused ([`Error::IdempotencyKeyReused`]). A failed request
//! keeps nothing, so it may be retried with its key.
//!
//! When a concurrent writer gets in the way ([`Error::WriteConflict`]), the
//! use case runs again from the start, up to three times.
//!
//! Choices where the requirements are silent:
//! - A booking is refused if it starts before `now`.
//! - Cancelling (or a no-show) records the refund the policy gives on the
//!   booking's approved payments, newest payment first, in the same unit of
//!   work: the business then hands the money back.
//! - A recorded payment must be in the business's currency, and a payment
//!   for a booking must be by the booking's client.

mod access;
mod slots;

pub use slots::SlotsRequest;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::availability::{
    Block as CalendarBlock, BlockKey, Booking as CalendarBooking, BookingKey, Buffers,
    StaffCalendar, WorkingHours,
};
use crate::booking::{lasting, transition, Action, ActionKind, Booking, BookingStatus};
use crate::business::{
    find_contact, Activity, Block, Bookable, Business, Client, ConfirmationMode, Professional,
    Resource, Service,
};
use crate::contact::{Email, Phone};
use crate::error::{Error, Problem, RecordKind, SeriesClash};
use crate::ids::{
    BlockId, BookingId, BusinessId, ClientId, PaymentId, ProfessionalId, SeriesId, ServiceId,
};
use crate::money::{final_price, Money, Share};
use crate::payment::{net_paid, Payment, PaymentMethod};
use crate::policy::{CancellationPolicy, Party, Settlement};
use crate::recurrence::RecurrenceRule;
use crate::store::{Access, IdempotencyKey, IdempotencyRecord, Outcome, Store, UnitOfWork};

/// How many times a use case runs when concurrent writers get in its way.
const ATTEMPTS: usize = 3;

/// Who does what, when, for which business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The business, from the caller's identity (R7).
    pub business: BusinessId,
    /// Now. The engine never reads the clock.
    pub now: DateTime<Utc>,
    /// Who acts: the client or the business.
    pub by: Party,
    /// The idempotency key of the request, if the caller sent one.
    pub key: Option<IdempotencyKey>,
}

impl Context {
    /// A context for staff of `business` at `now`, without a key.
    pub fn staff(business: BusinessId, now: DateTime<Utc>) -> Context {
        Context {
            business,
            now,
            by: Party::Business,
            key: None,
        }
    }

    /// The same context acting for the client.
    pub fn as_client(mut self) -> Context {
        self.by = Party::Client;
        self
    }

    /// The same context with an idempotency key.
    pub fn with_key(mut self, key: IdempotencyKey) -> Context {
        self.key = Some(key);
        self
    }
}

/// A request to book one appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookRequest {
    /// The service.
    pub service: ServiceId,
    /// The professional.
    pub professional: ProfessionalId,
    /// The client.
    pub client: ClientId,
    /// When the appointment starts.
    pub start: DateTime<Utc>,
    /// A discount on the service's price, if any.
    pub discount: Option<Share>,
}

/// A request to book one appointment for a person who does not sign in,
/// known by their contact (the public booking page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactBookRequest {
    /// The service.
    pub service: ServiceId,
    /// The professional.
    pub professional: ProfessionalId,
    /// When the appointment starts.
    pub start: DateTime<Utc>,
    /// The person's name, for a new client.
    pub name: String,
    /// Their e-mail.
    pub email: Email,
    /// Their phone, if given.
    pub phone: Option<Phone>,
}

/// A request to book a recurring series, all or nothing (R22).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesRequest {
    /// The service.
    pub service: ServiceId,
    /// The professional.
    pub professional: ProfessionalId,
    /// The client.
    pub client: ClientId,
    /// The local date and wall time of the first occurrence, in the
    /// business's zone.
    pub first: NaiveDateTime,
    /// How it repeats.
    pub rule: RecurrenceRule,
    /// A discount on every occurrence, if any.
    pub discount: Option<Share>,
}

/// Whether a recorded payment came in already.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Waiting to be seen (a PIX not yet in the statement).
    Pending,
    /// The money is in hand.
    Approved,
}

/// A request to record a manual payment (R35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Who pays.
    pub client: ClientId,
    /// The booking it pays for, if any.
    pub booking: Option<BookingId>,
    /// How.
    pub method: PaymentMethod,
    /// How much, in the business's currency.
    pub amount: Money,
    /// Whether it came in already.
    pub state: PaymentState,
}

/// A booking that ended by cancellation or no-show, with the money side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    /// The booking, cancelled or no-show.
    pub booking: Booking,
    /// The fee kept, the refund and the rule.
    pub settlement: Settlement,
    /// The payments the refund was recorded on.
    pub refunded: Vec<Payment>,
}

/// A payment, and its booking when the payment confirmed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paid {
    /// The payment.
    pub payment: Payment,
    /// The booking, if the payment is for one (confirmed by it when the
    /// business confirms on payment).
    pub booking: Option<Booking>,
}

/// The use cases over a store.
///
/// # Example: booking, cancelling with a fee and refunding
/// ```
/// use std::sync::Arc;
/// use agendo_core::agenda::*;
/// use agendo_core::availability::{WeeklyHours, WorkingHours};
/// use agendo_core::business::*;
/// use agendo_core::ids::*;
/// use agendo_core::money::{Currency, Money, Percent};
/// use agendo_core::payment::PaymentMethod;
/// use agendo_core::policy::{CancellationPolicy, Tier};
/// use agendo_core::store::MemoryStore;
/// use agendo_core::time::Window;
/// use agendo_core::Lang;
/// use chrono::{DateTime, Utc, Weekday};
///
/// # futures_executor::block_on(async {
/// let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
/// let brl = |s: &str| Money::parse(s, Currency::BRL).unwrap();
/// let agenda = Agenda::new(Arc::new(MemoryStore::new()));
///
/// // A salon that keeps half the price for cancellations within 24 hours.
/// let policy = CancellationPolicy::new([Tier::new(24, Percent::parse("0")?)?], Percent::parse("50")?, Percent::ALL, None)?;
/// let shop = Business::new(BusinessId::random(), "Salão da Ana", chrono_tz::America::Sao_Paulo, Currency::BRL, Lang::PtBr)?
///     .with_policy(policy)?;
/// let now = at("2026-03-01T12:00:00Z");
/// let staff = Context::staff(shop.id(), now);
/// agenda.create_business(&shop).await?;
/// let cut = Service::new(ServiceId::random(), shop.id(), "Corte", 60, brl("80"))?;
/// agenda.save_service(&staff, &cut).await?;
/// let week = WeeklyHours::closed().with_day(Weekday::Tue, [Window::parse("09:00", "18:00")?])?;
/// let ana = Professional::new(ProfessionalId::random(), shop.id(), "Ana")?
///     .with_services([cut.id()]).with_hours(WorkingHours::new(week));
/// agenda.save_professional(&staff, &ana).await?;
/// let maria = Client::new(ClientId::random(), shop.id(), "Maria")?;
/// agenda.save_client(&staff, &maria).await?;
///
/// // Tuesday 10 March, 10:00 in São Paulo.
/// let request = BookRequest { service: cut.id(), professional: ana.id(), client: maria.id(),
///     start: at("2026-03-10T13:00:00Z"), discount: None };
/// let booking = agenda.book(&staff, &request).await?;
/// // The same time again is taken.
/// assert_eq!(agenda.book(&staff, &request).await.unwrap_err().code(), "slot_taken");
///
/// let payment = PaymentRequest { client: maria.id(), booking: Some(booking.id()), method: PaymentMethod::Pix,
///     amount: brl("80"), state: PaymentState::Approved };
/// agenda.record_payment(&staff, &payment).await?;
///
/// // Maria cancels 3 hours before: the policy keeps half and refunds the rest.
/// let late = Context::staff(shop.id(), at("2026-03-10T10:00:00Z")).as_client();
/// let ended = agenda.cancel(&late, booking.id(), "imprevisto").await?;
/// assert_eq!(ended.settlement.fee(), brl("40"));
/// assert_eq!(ended.settlement.refund(), brl("40"));
/// assert_eq!(ended.refunded[0].net(), brl("40"));
/// # Ok::<(), agendo_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Agenda {
    store: Arc<dyn Store>,
    /// What recent slot searches read, for stores that say when it changes.
    slot_cache: Arc<slots::SlotCache>,
}

impl Agenda {
    /// The use cases over `store`.
    pub fn new(store: Arc<dyn Store>) -> Agenda {
        Agenda {
            store,
            slot_cache: Arc::default(),
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Creates a business.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when its id is taken.
    pub async fn create_business(&self, business: &Business) -> Result<(), Error> {
        let mut work = self.store.begin(business.id(), Access::Write).await?;
        if work.business().await?.is_some() {
            return Err(Error::AlreadyExists {
                record: RecordKind::Business,
                id: business.id().to_string(),
            });
        }
        work.put_business(business).await?;
        work.commit().await
    }

    /// Changes a business's settings.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist.
    pub async fn save_business(&self, business: &Business) -> Result<(), Error> {
        let mut work = self.store.begin(business.id(), Access::Write).await?;
        load_business(&mut *work, business.id()).await?;
        work.put_business(business).await?;
        work.commit().await
    }

    /// Creates or changes a service.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business or the service's resource;
    /// [`Error::CurrencyMismatch`] when the price is not in the business's
    /// currency.
    pub async fn save_service(&self, ctx: &Context, service: &Service) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let business = load_business(&mut *work, ctx.business).await?;
        same_business(ctx, service.business(), RecordKind::Service, service.id())?;
        if service.price().currency() != business.currency() {
            return Err(Error::CurrencyMismatch {
                expected: business.currency(),
                found: service.price().currency(),
            });
        }
        if let Some(resource) = service.resource() {
            load_resource(&mut *work, resource).await?;
        }
        work.put_service(service).await?;
        work.commit().await
    }

    /// Creates or changes a professional.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business or one of the services.
    pub async fn save_professional(
        &self,
        ctx: &Context,
        professional: &Professional,
    ) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        same_business(
            ctx,
            professional.business(),
            RecordKind::Professional,
            professional.id(),
        )?;
        for service in professional.services() {
            load_service(&mut *work, *service).await?;
        }
        work.put_professional(professional).await?;
        work.commit().await
    }

    /// Creates or changes a resource.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business.
    pub async fn save_resource(&self, ctx: &Context, resource: &Resource) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        same_business(
            ctx,
            resource.business(),
            RecordKind::Resource,
            resource.id(),
        )?;
        work.put_resource(resource).await?;
        work.commit().await
    }

    /// Creates or changes a client.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business.
    pub async fn save_client(&self, ctx: &Context, client: &Client) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        same_business(ctx, client.business(), RecordKind::Client, client.id())?;
        work.put_client(client).await?;
        work.commit().await
    }

    /// Books one appointment for a person who does not sign in (the public
    /// booking page): the active client with their e-mail (case ignored),
    /// else with their phone, gets the booking; with neither, a client is
    /// created with their name, e-mail and phone (R24). Finding or creating
    /// the client and booking are one unit of work, so a refused booking
    /// leaves no client behind, and the idempotency key covers the whole
    /// request: the same key with another name, e-mail or phone is
    /// [`Error::IdempotencyKeyReused`].
    ///
    /// # Errors
    /// As [`Agenda::book`]; [`Error::Invalid`] for `name` when a new
    /// client's name is empty or too long.
    pub async fn book_as_contact(
        &self,
        ctx: &Context,
        request: &ContactBookRequest,
    ) -> Result<Booking, Error> {
        let text = format!(
            "book-contact|{}|{}|{}|{}|{}|{}",
            request.service,
            request.professional,
            request.start.to_rfc3339(),
            request.name.trim(),
            request.email,
            request
                .phone
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        );
        let outcome = retry(|| self.book_as_contact_once(ctx, request, &text)).await?;
        self.booking_of(ctx, outcome).await
    }

    async fn book_as_contact_once(
        &self,
        ctx: &Context,
        request: &ContactBookRequest,
        text: &str,
    ) -> Result<Outcome, Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if let Some(outcome) = replay(&mut *work, ctx, text).await? {
            return Ok(outcome);
        }
        // Plan::load, in book_in, refuses a business that does not exist.
        let clients = work.clients().await?;
        let client = match find_contact(&clients, &request.email, request.phone.as_ref()) {
            Some(known) => known.id(),
            None => {
                let client = Client::new(ClientId::random(), ctx.business, &request.name)?
                    .with_email(Some(request.email.clone()))
                    .with_phone(request.phone.clone());
                work.put_client(&client).await?;
                client.id()
            }
        };
        let booking = BookRequest {
            service: request.service,
            professional: request.professional,
            client,
            start: request.start,
            discount: None,
        };
        book_in(work, ctx, &booking, text).await
    }

    /// Adds a block. Bookings already in the blocked time stay: the
    /// business decides what to do with them.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business, or the professional or
    /// resource blocked.
    pub async fn add_block(&self, ctx: &Context, block: &Block) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        load_business(&mut *work, ctx.business).await?;
        same_business(ctx, block.business(), RecordKind::Block, block.id())?;
        match block.on() {
            Bookable::Professional(id) => drop(load_professional(&mut *work, id).await?),
            Bookable::Resource(id) => drop(load_resource(&mut *work, id).await?),
        }
        work.put_block(block).await?;
        work.commit().await
    }

    /// Removes a block.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist.
    pub async fn remove_block(&self, ctx: &Context, block: BlockId) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if !work.delete_block(block).await? {
            return Err(Error::NotFound {
                record: RecordKind::Block,
                id: block.to_string(),
            });
        }
        work.commit().await
    }

    /// Books one appointment (R18): the service must be active, performed
    /// by the professional, the client active, the time in the future,
    /// inside the professional's hours, clear of blocks and bookings (and
    /// the service's resource free too). The booking is pending, or
    /// confirmed at once when the business confirms immediately and no
    /// deposit is required.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Retired`],
    /// [`Error::ServiceNotPerformed`], [`Error::Invalid`] for `start` or
    /// `discount`, [`Error::OutsideWorkingHours`], [`Error::Blocked`],
    /// [`Error::SlotTaken`], [`Error::IdempotencyKeyReused`].
    pub async fn book(&self, ctx: &Context, request: &BookRequest) -> Result<Booking, Error> {
        let text = format!(
            "book|{}|{}|{}|{}|{:?}",
            request.service,
            request.professional,
            request.client,
            request.start.to_rfc3339(),
            request.discount
        );
        let outcome = retry(|| self.book_once(ctx, request, &text)).await?;
        self.booking_of(ctx, outcome).await
    }

    async fn book_once(
        &self,
        ctx: &Context,
        request: &BookRequest,
        text: &str,
    ) -> Result<Outcome, Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if let Some(outcome) = replay(&mut *work, ctx, text).await? {
            return Ok(outcome);
        }
        book_in(work, ctx, request, text).await
    }

    /// Books every occurrence of a recurring series, or none (R22).
    ///
    /// # Errors
    /// As [`Agenda::book`]; [`Error::SeriesClashes`] listing every
    /// occurrence that cannot be booked and why.
    pub async fn book_series(
        &self,
        ctx: &Context,
        request: &SeriesRequest,
    ) -> Result<Vec<Booking>, Error> {
        let text = format!(
            "series|{}|{}|{}|{}|{}|{:?}",
            request.service,
            request.professional,
            request.client,
            request.first,
            request.rule,
            request.discount
        );
        let outcome = retry(|| self.book_series_once(ctx, request, &text)).await?;
        self.bookings_of(ctx, outcome).await
    }

    async fn book_series_once(
        &self,
        ctx: &Context,
        request: &SeriesRequest,
        text: &str,
    ) -> Result<Outcome, Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if let Some(outcome) = replay(&mut *work, ctx, text).await? {
            return Ok(outcome);
        }
        let plan = Plan::load(
            &mut *work,
            ctx,
            request.service,
            request.professional,
            request.client,
        )
        .await?;
        let starts = request.rule.expand(plan.business.zone(), request.first)?;
        let series = SeriesId::random();
        let mut accepted: Vec<Booking> = Vec::with_capacity(starts.len());
        let mut clashes = Vec::new();
        for (index, start) in starts.into_iter().enumerate() {
            let checked = match plan.booking(ctx, start, request.discount) {
                Ok(booking) => check_free(&mut *work, &plan, &booking, &accepted)
                    .await
                    .map(|()| booking),
                Err(err) => Err(err),
            };
            match checked {
                Ok(booking) => accepted.push(booking.in_series(series)),
                Err(err @ (Error::Storage { .. } | Error::WriteConflict)) => return Err(err),
                Err(cause) => clashes.push(SeriesClash {
                    index,
                    start,
                    cause: Box::new(cause),
                }),
            }
        }
        if !clashes.is_empty() {
            return Err(Error::SeriesClashes { clashes });
        }
        let mut ids = Vec::with_capacity(accepted.len());
        for booking in accepted {
            let booking = plan.confirm_if_immediate(booking, ctx.now)?;
            work.insert_booking(&booking).await?;
            ids.push(booking.id());
        }
        finish(work, ctx, text, Outcome::Series(ids)).await
    }

    /// Confirms a pending booking by hand (R19).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalTransition`],
    /// [`Error::DepositNotPaid`].
    pub async fn confirm(&self, ctx: &Context, booking: BookingId) -> Result<Booking, Error> {
        let text = format!("confirm|{booking}");
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let current = load_booking(&mut *work, booking).await?;
            let paid = paid_for(&mut *work, &current).await?;
            let next = current.apply(Action::Confirm { paid }, ctx.now)?;
            finish_booking(work, ctx, &text, next).await
        })
        .await?;
        self.booking_of(ctx, outcome).await
    }

    /// Marks a confirmed booking as performed, at or after its start.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalTransition`],
    /// [`Error::NotStartedYet`].
    pub async fn complete(&self, ctx: &Context, booking: BookingId) -> Result<Booking, Error> {
        let text = format!("complete|{booking}");
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let next = load_booking(&mut *work, booking)
                .await?
                .apply(Action::Complete, ctx.now)?;
            finish_booking(work, ctx, &text, next).await
        })
        .await?;
        self.booking_of(ctx, outcome).await
    }

    /// Moves a pending or confirmed booking to start at `start`, keeping its
    /// duration, buffers and history, after the conflict check (R20).
    ///
    /// # Errors
    /// As [`Agenda::book`], and [`Error::IllegalTransition`].
    pub async fn reschedule(
        &self,
        ctx: &Context,
        booking: BookingId,
        start: DateTime<Utc>,
    ) -> Result<Booking, Error> {
        let text = format!("reschedule|{booking}|{}", start.to_rfc3339());
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let current = load_booking(&mut *work, booking).await?;
            transition(
                current.id(),
                current.status(),
                ActionKind::Reschedule,
                current.appointment().start(),
                ctx.now,
            )?;
            let plan = Plan::load_existing(&mut *work, ctx, &current).await?;
            let appointment = lasting(start, current.appointment().duration())?;
            let next = current.apply(Action::Reschedule { appointment }, ctx.now)?;
            check_free(&mut *work, &plan, &next, &[]).await?;
            finish_booking(work, ctx, &text, next).await
        })
        .await?;
        self.booking_of(ctx, outcome).await
    }

    /// Cancels a pending or confirmed booking (R20, R21, R37): the policy of
    /// the service (or the business) gives the fee and the refund, and the
    /// refund is recorded on the booking's payments.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalTransition`], [`Error::Invalid`]
    /// for `reason`.
    pub async fn cancel(
        &self,
        ctx: &Context,
        booking: BookingId,
        reason: &str,
    ) -> Result<Ended, Error> {
        let text = format!("cancel|{booking}|{}|{reason}", ctx.by);
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let current = load_booking(&mut *work, booking).await?;
            end_booking(&mut *work, ctx, current, Ending::Cancel { reason }).await?;
            finish(work, ctx, &text, Outcome::Booking(booking)).await
        })
        .await?;
        let booking = self.booking_of(ctx, outcome).await?;
        self.ended(ctx, booking).await
    }

    /// Cancels a booking of a series and every active booking of the series
    /// that starts after it ("this and following", R22).
    ///
    /// # Errors
    /// As [`Agenda::cancel`]; [`Error::NotInSeries`].
    pub async fn cancel_following(
        &self,
        ctx: &Context,
        booking: BookingId,
        reason: &str,
    ) -> Result<Vec<Ended>, Error> {
        let text = format!("cancel-following|{booking}|{}|{reason}", ctx.by);
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let first = load_booking(&mut *work, booking).await?;
            let series = first.series().ok_or(Error::NotInSeries { booking })?;
            transition(
                first.id(),
                first.status(),
                ActionKind::Cancel,
                first.appointment().start(),
                ctx.now,
            )?;
            let filter = crate::store::BookingFilter {
                series: Some(series),
                statuses: vec![BookingStatus::Pending, BookingStatus::Confirmed],
                ..Default::default()
            };
            let mut ids = Vec::new();
            for other in work.bookings(&filter).await? {
                if other.appointment().start() >= first.appointment().start() {
                    ids.push(other.id());
                    end_booking(&mut *work, ctx, other, Ending::Cancel { reason }).await?;
                }
            }
            finish(work, ctx, &text, Outcome::Series(ids)).await
        })
        .await?;
        let mut ended = Vec::new();
        for booking in self.bookings_of(ctx, outcome).await? {
            ended.push(self.ended(ctx, booking).await?);
        }
        Ok(ended)
    }

    /// Marks a confirmed booking as not attended, at or after its start:
    /// the policy's no-show fee is kept and the rest refunded.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalTransition`],
    /// [`Error::NotStartedYet`].
    pub async fn no_show(&self, ctx: &Context, booking: BookingId) -> Result<Ended, Error> {
        let text = format!("no-show|{booking}");
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let current = load_booking(&mut *work, booking).await?;
            end_booking(&mut *work, ctx, current, Ending::NoShow).await?;
            finish(work, ctx, &text, Outcome::Booking(booking)).await
        })
        .await?;
        let booking = self.booking_of(ctx, outcome).await?;
        self.ended(ctx, booking).await
    }

    /// Records a manual payment (R35). An approved payment for a pending
    /// booking confirms it when the business confirms on payment and the
    /// booking's approved payments cover its deposit, or its price when it
    /// has no deposit (R19).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the client or booking;
    /// [`Error::Invalid`] for `booking_id` of another client or `amount`
    /// not above zero; [`Error::CurrencyMismatch`].
    pub async fn record_payment(
        &self,
        ctx: &Context,
        request: &PaymentRequest,
    ) -> Result<Paid, Error> {
        let text = format!(
            "pay|{}|{:?}|{}|{}|{:?}",
            request.client,
            request.booking,
            request.method.as_str(),
            request.amount,
            request.state
        );
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let business = load_business(&mut *work, ctx.business).await?;
            if request.amount.currency() != business.currency() {
                return Err(Error::CurrencyMismatch {
                    expected: business.currency(),
                    found: request.amount.currency(),
                });
            }
            load_client(&mut *work, request.client).await?;
            if let Some(booking) = request.booking {
                let booking = load_booking(&mut *work, booking).await?;
                if booking.client() != request.client {
                    return Err(Error::invalid("booking_id", Problem::OtherClient));
                }
            }
            let mut payment = Payment::new(
                PaymentId::random(),
                ctx.business,
                request.client,
                request.booking,
                request.method,
                request.amount,
                ctx.now,
            )?;
            if request.state == PaymentState::Approved {
                payment = payment.approve(ctx.now)?;
            }
            work.put_payment(&payment).await?;
            confirm_on_payment(&mut *work, ctx, &business, &payment).await?;
            finish(work, ctx, &text, Outcome::Payment(payment.id())).await
        })
        .await?;
        self.paid_of(ctx, outcome).await
    }

    /// Approves a pending payment; it may confirm its booking as
    /// [`Agenda::record_payment`] says.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalPaymentTransition`].
    pub async fn approve_payment(&self, ctx: &Context, payment: PaymentId) -> Result<Paid, Error> {
        let text = format!("approve|{payment}");
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let business = load_business(&mut *work, ctx.business).await?;
            let approved = load_payment(&mut *work, payment).await?.approve(ctx.now)?;
            work.put_payment(&approved).await?;
            confirm_on_payment(&mut *work, ctx, &business, &approved).await?;
            finish(work, ctx, &text, Outcome::Payment(payment)).await
        })
        .await?;
        self.paid_of(ctx, outcome).await
    }

    /// Refuses a pending payment.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalPaymentTransition`].
    pub async fn refuse_payment(
        &self,
        ctx: &Context,
        payment: PaymentId,
    ) -> Result<Payment, Error> {
        let text = format!("refuse|{payment}");
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let refused = load_payment(&mut *work, payment).await?.refuse(ctx.now)?;
            work.put_payment(&refused).await?;
            finish(work, ctx, &text, Outcome::Payment(payment)).await
        })
        .await?;
        Ok(self.paid_of(ctx, outcome).await?.payment)
    }

    /// Refunds part or all of an approved payment (R37).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalPaymentTransition`],
    /// [`Error::RefundTooLarge`], [`Error::CurrencyMismatch`].
    pub async fn refund(
        &self,
        ctx: &Context,
        payment: PaymentId,
        amount: Money,
        reason: &str,
    ) -> Result<Payment, Error> {
        let text = format!("refund|{payment}|{amount}|{reason}");
        let outcome = retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            if let Some(outcome) = replay(&mut *work, ctx, &text).await? {
                return Ok(outcome);
            }
            let refunded = load_payment(&mut *work, payment)
                .await?
                .refund(amount, reason, ctx.now)?;
            work.put_payment(&refunded).await?;
            finish(work, ctx, &text, Outcome::Payment(payment)).await
        })
        .await?;
        Ok(self.paid_of(ctx, outcome).await?.payment)
    }

    /// A booking of the business.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn booking(&self, ctx: &Context, id: BookingId) -> Result<Booking, Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_booking(&mut *work, id).await
    }

    /// The bookings that pass `filter`, by start (R23). A filter that names
    /// a professional or client the business does not have is "not found",
    /// like any other id of another business (R8), not an empty list.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the professional or client named.
    pub async fn bookings(
        &self,
        ctx: &Context,
        filter: &crate::store::BookingFilter,
    ) -> Result<Vec<Booking>, Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        if let Some(professional) = filter.professional {
            load_professional(&mut *work, professional).await?;
        }
        if let Some(client) = filter.client {
            load_client(&mut *work, client).await?;
        }
        work.bookings(filter).await
    }

    async fn booking_of(&self, ctx: &Context, outcome: Outcome) -> Result<Booking, Error> {
        match outcome {
            Outcome::Booking(id) => self.booking(ctx, id).await,
            _ => Err(reused(ctx)),
        }
    }

    async fn bookings_of(&self, ctx: &Context, outcome: Outcome) -> Result<Vec<Booking>, Error> {
        match outcome {
            Outcome::Series(ids) => {
                let mut work = self.store.begin(ctx.business, Access::Read).await?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(load_booking(&mut *work, id).await?);
                }
                Ok(out)
            }
            _ => Err(reused(ctx)),
        }
    }

    async fn paid_of(&self, ctx: &Context, outcome: Outcome) -> Result<Paid, Error> {
        let Outcome::Payment(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let payment = load_payment(&mut *work, id).await?;
        let booking = match payment.booking() {
            Some(id) => Some(load_booking(&mut *work, id).await?),
            None => None,
        };
        Ok(Paid { payment, booking })
    }

    async fn ended(&self, ctx: &Context, booking: Booking) -> Result<Ended, Error> {
        let settlement = *booking.settlement().ok_or(Error::IllegalTransition {
            booking: booking.id(),
            status: booking.status(),
            action: ActionKind::Cancel,
        })?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let refunded = work
            .payments_for_booking(booking.id())
            .await?
            .into_iter()
            .filter(|p| !p.refunds().is_empty())
            .collect();
        Ok(Ended {
            booking,
            settlement,
            refunded,
        })
    }
}

/// Runs `attempt` again when a concurrent writer got in its way.
async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut left = ATTEMPTS;
    loop {
        left -= 1;
        match attempt().await {
            Err(Error::WriteConflict) if left > 0 => continue,
            other => return other,
        }
    }
}

/// Books `request` in `work` and commits, keeping the outcome under the
/// context's key: the one booking path of [`Agenda::book`] and
/// [`Agenda::book_as_contact`].
async fn book_in(
    mut work: Box<dyn UnitOfWork>,
    ctx: &Context,
    request: &BookRequest,
    text: &str,
) -> Result<Outcome, Error> {
    let plan = Plan::load(
        &mut *work,
        ctx,
        request.service,
        request.professional,
        request.client,
    )
    .await?;
    let booking = plan.booking(ctx, request.start, request.discount)?;
    check_free(&mut *work, &plan, &booking, &[]).await?;
    let booking = plan.confirm_if_immediate(booking, ctx.now)?;
    work.insert_booking(&booking).await?;
    finish(work, ctx, text, Outcome::Booking(booking.id())).await
}

/// The outcome kept under the context's key, if the same request was done
/// before.
async fn replay(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    request: &str,
) -> Result<Option<Outcome>, Error> {
    let Some(key) = &ctx.key else {
        return Ok(None);
    };
    match work.idempotency(key).await? {
        Some(record) if record.request == request => Ok(Some(record.outcome)),
        Some(_) => Err(Error::IdempotencyKeyReused {
            key: key.to_string(),
        }),
        None => Ok(None),
    }
}

/// Keeps `outcome` under the context's key, if any.
async fn remember(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    request: &str,
    outcome: &Outcome,
) -> Result<(), Error> {
    if let Some(key) = &ctx.key {
        work.put_idempotency(&IdempotencyRecord {
            key: key.clone(),
            request: request.to_owned(),
            outcome: outcome.clone(),
            at: ctx.now,
        })
        .await?;
    }
    Ok(())
}

/// The error for a key whose kept outcome is of another use case.
fn reused(ctx: &Context) -> Error {
    Error::IdempotencyKeyReused {
        key: ctx
            .key
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}

async fn finish_booking(
    mut work: Box<dyn UnitOfWork>,
    ctx: &Context,
    text: &str,
    booking: Booking,
) -> Result<Outcome, Error> {
    work.update_booking(&booking).await?;
    finish(work, ctx, text, Outcome::Booking(booking.id())).await
}

/// Keeps `outcome` under the context's key, if any, and commits.
async fn finish(
    mut work: Box<dyn UnitOfWork>,
    ctx: &Context,
    text: &str,
    outcome: Outcome,
) -> Result<Outcome, Error> {
    remember(&mut *work, ctx, text, &outcome).await?;
    work.commit().await?;
    Ok(outcome)
}

fn same_business(
    ctx: &Context,
    business: BusinessId,
    record: RecordKind,
    id: impl ToString,
) -> Result<(), Error> {
    if business == ctx.business {
        Ok(())
    } else {
        Err(Error::NotFound {
            record,
            id: id.to_string(),
        })
    }
}

async fn load_business(work: &mut dyn UnitOfWork, id: BusinessId) -> Result<Business, Error> {
    work.business().await?.ok_or_else(|| Error::NotFound {
        record: RecordKind::Business,
        id: id.to_string(),
    })
}

macro_rules! loader {
    ($name:ident, $method:ident, $id:ty, $record:ty, $kind:ident) => {
        async fn $name(work: &mut dyn UnitOfWork, id: $id) -> Result<$record, Error> {
            work.$method(id).await?.ok_or_else(|| Error::NotFound {
                record: RecordKind::$kind,
                id: id.to_string(),
            })
        }
    };
}

loader!(load_service, service, ServiceId, Service, Service);
loader!(
    load_professional,
    professional,
    ProfessionalId,
    Professional,
    Professional
);
loader!(
    load_resource,
    resource,
    crate::ids::ResourceId,
    Resource,
    Resource
);
loader!(load_client, client, ClientId, Client, Client);
loader!(load_booking, booking, BookingId, Booking, Booking);
loader!(load_payment, payment, PaymentId, Payment, Payment);

fn active(activity: Activity, record: RecordKind, id: impl ToString) -> Result<(), Error> {
    match activity {
        Activity::Active => Ok(()),
        Activity::Retired => Err(Error::Retired {
            record,
            id: id.to_string(),
        }),
    }
}

/// What booking a service with a professional needs, loaded and checked.
struct Plan {
    business: Business,
    service: Service,
    professional: Professional,
    resource: Option<Resource>,
    client: ClientId,
}

impl Plan {
    async fn load(
        work: &mut dyn UnitOfWork,
        ctx: &Context,
        service: ServiceId,
        professional: ProfessionalId,
        client: ClientId,
    ) -> Result<Plan, Error> {
        let business = load_business(work, ctx.business).await?;
        let service = load_service(work, service).await?;
        active(service.activity(), RecordKind::Service, service.id())?;
        let professional = load_professional(work, professional).await?;
        active(
            professional.activity(),
            RecordKind::Professional,
            professional.id(),
        )?;
        if !professional.performs(service.id()) {
            return Err(Error::ServiceNotPerformed {
                professional: professional.id(),
                service: service.id(),
            });
        }
        let client = load_client(work, client).await?;
        active(client.activity(), RecordKind::Client, client.id())?;
        let resource = match service.resource() {
            Some(id) => {
                let resource = load_resource(work, id).await?;
                active(resource.activity(), RecordKind::Resource, id)?;
                Some(resource)
            }
            None => None,
        };
        Ok(Plan {
            business,
            service,
            professional,
            resource,
            client: client.id(),
        })
    }

    /// The plan of an existing booking, for a reschedule: the records may
    /// have been retired since, which does not stop moving it.
    async fn load_existing(
        work: &mut dyn UnitOfWork,
        ctx: &Context,
        booking: &Booking,
    ) -> Result<Plan, Error> {
        let business = load_business(work, ctx.business).await?;
        let service = load_service(work, booking.service()).await?;
        let professional = load_professional(work, booking.professional()).await?;
        let resource = match booking.resource() {
            Some(id) => Some(load_resource(work, id).await?),
            None => None,
        };
        Ok(Plan {
            business,
            service,
            professional,
            resource,
            client: booking.client(),
        })
    }

    fn policy(&self) -> &CancellationPolicy {
        self.service.policy().unwrap_or(self.business.policy())
    }

    fn booking(
        &self,
        ctx: &Context,
        start: DateTime<Utc>,
        discount: Option<Share>,
    ) -> Result<Booking, Error> {
        let price = final_price(self.service.price(), discount)?;
        let deposit = self.policy().deposit_for(price)?;
        Booking::new(
            BookingId::random(),
            &self.service,
            self.professional.id(),
            self.client,
            start,
            price,
            deposit,
            ctx.now,
        )
    }

    fn confirm_if_immediate(&self, booking: Booking, now: DateTime<Utc>) -> Result<Booking, Error> {
        if self.business.confirmation() == ConfirmationMode::Immediate
            && booking.deposit().is_zero()
        {
            let paid = Money::zero(booking.price().currency());
            booking.apply(Action::Confirm { paid }, now)
        } else {
            Ok(booking)
        }
    }
}

/// The conflict check of `booking` against the store and the `extra`
/// bookings not yet written (earlier occurrences of its series), for its
/// professional and its resource.
async fn check_free(
    work: &mut dyn UnitOfWork,
    plan: &Plan,
    booking: &Booking,
    extra: &[Booking],
) -> Result<(), Error> {
    let before = minutes(booking.appointment().start() - booking.held().start());
    let after = minutes(booking.held().end() - booking.appointment().end());
    let buffers = Buffers::new(before, after)?;
    let mut calendars = vec![(
        Bookable::Professional(plan.professional.id()),
        plan.professional.hours().clone(),
        plan.professional.capacity(),
    )];
    if let Some(resource) = &plan.resource {
        calendars.push((
            Bookable::Resource(resource.id()),
            resource.hours().clone(),
            resource.capacity(),
        ));
    }
    for (on, hours, capacity) in calendars {
        let calendar = calendar(work, plan, on, hours, capacity, booking, extra).await?;
        calendar.check_booking(booking.appointment(), buffers)?;
    }
    Ok(())
}

fn minutes(delta: chrono::TimeDelta) -> u32 {
    u32::try_from(delta.num_minutes()).unwrap_or(u32::MAX)
}

async fn calendar(
    work: &mut dyn UnitOfWork,
    plan: &Plan,
    on: Bookable,
    hours: WorkingHours,
    capacity: u32,
    booking: &Booking,
    extra: &[Booking],
) -> Result<StaffCalendar, Error> {
    let held = booking.held();
    let blocks = work.blocks_meeting(on, held).await?;
    let mut bookings: Vec<Booking> = work
        .bookings_meeting(on, held)
        .await?
        .into_iter()
        .filter(|b| b.id() != booking.id())
        .collect();
    bookings.extend(
        extra
            .iter()
            .filter(|b| {
                b.held().overlaps(&held)
                    && match on {
                        Bookable::Professional(id) => b.professional() == id,
                        Bookable::Resource(id) => b.resource() == Some(id),
                    }
            })
            .cloned(),
    );
    staff_calendar(
        on,
        plan.business.zone(),
        hours,
        capacity,
        &blocks,
        bookings.iter().map(|b| (b.id(), b.held())),
    )
}

/// The engine's calendar of `on` from its stored blocks and bookings.
fn staff_calendar(
    on: Bookable,
    zone: chrono_tz::Tz,
    hours: WorkingHours,
    capacity: u32,
    blocks: &[Block],
    held: impl Iterator<Item = (BookingId, crate::time::Span)>,
) -> Result<StaffCalendar, Error> {
    let blocks = blocks
        .iter()
        .map(|b| {
            Ok(CalendarBlock::new(
                BlockKey::parse(&b.id().to_string())?,
                b.span(),
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let bookings = held
        .map(|(id, span)| {
            Ok(CalendarBooking::new(
                BookingKey::parse(&id.to_string())?,
                span,
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    StaffCalendar::new(crate::store::staff_key(on)?, zone, hours)
        .with_capacity(capacity)
        .map(|c| c.with_blocks(blocks).with_bookings(bookings))
}

/// What the business holds for `booking`: its approved payments less
/// refunds.
async fn paid_for(work: &mut dyn UnitOfWork, booking: &Booking) -> Result<Money, Error> {
    let payments = work.payments_for_booking(booking.id()).await?;
    net_paid(booking.price().currency(), &payments)
}

enum Ending<'a> {
    Cancel { reason: &'a str },
    NoShow,
}

/// Cancels or marks a no-show, settles by the policy and records the
/// refund on the payments, newest first.
async fn end_booking(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    booking: Booking,
    ending: Ending<'_>,
) -> Result<(), Error> {
    let plan = Plan::load_existing(work, ctx, &booking).await?;
    let kind = match ending {
        Ending::Cancel { .. } => ActionKind::Cancel,
        Ending::NoShow => ActionKind::NoShow,
    };
    transition(
        booking.id(),
        booking.status(),
        kind,
        booking.appointment().start(),
        ctx.now,
    )?;
    let payments = work.payments_for_booking(booking.id()).await?;
    let paid = net_paid(booking.price().currency(), &payments)?;
    let policy = plan.policy();
    let (settlement, action) = match ending {
        Ending::Cancel { reason } => {
            let settlement = policy.settle_cancellation(
                booking.price(),
                paid,
                ctx.by,
                booking.appointment().start(),
                ctx.now,
            )?;
            (
                settlement,
                Action::Cancel {
                    by: ctx.by,
                    reason: reason.to_owned(),
                    settlement,
                },
            )
        }
        Ending::NoShow => {
            let settlement = policy.settle_no_show(booking.price(), paid)?;
            (settlement, Action::NoShow { settlement })
        }
    };
    let ended = booking.apply(action, ctx.now)?;
    work.update_booking(&ended).await?;
    let mut left = settlement.refund();
    for payment in payments.into_iter().rev() {
        if left.is_zero() {
            break;
        }
        let part = payment.net().checked_min(left)?;
        if part.is_zero() {
            continue;
        }
        let reason = match ctx.by {
            Party::Client => "cancellation policy",
            Party::Business => "cancelled by the business",
        };
        let refunded = payment.refund(part, reason, ctx.now)?;
        work.put_payment(&refunded).await?;
        left = left.checked_sub(part)?;
    }
    Ok(())
}

/// Confirms the payment's pending booking when the business confirms on
/// payment and the approved payments now cover the deposit (or the price).
async fn confirm_on_payment(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    business: &Business,
    payment: &Payment,
) -> Result<(), Error> {
    let Some(id) = payment.booking() else {
        return Ok(());
    };
    if business.confirmation() == ConfirmationMode::Manual {
        return Ok(());
    }
    let booking = load_booking(work, id).await?;
    if booking.status() != BookingStatus::Pending {
        return Ok(());
    }
    let paid = paid_for(work, &booking).await?;
    let needed = if booking.deposit().is_zero() {
        booking.price()
    } else {
        booking.deposit()
    };
    if paid.checked_cmp(&needed)? != std::cmp::Ordering::Less {
        let confirmed = booking.apply(Action::Confirm { paid }, ctx.now)?;
        work.update_booking(&confirmed).await?;
    }
    Ok(())
}
