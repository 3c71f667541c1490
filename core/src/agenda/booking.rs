//! Booking (R18–R22): one appointment, a recurring series, and the
//! lifecycle after it: confirm, complete, reschedule, cancel, no-show.

use chrono::{DateTime, Utc};

use super::command::Command;
use super::event::{Event, Journal};
use super::kept::Records;
use super::permission::{own_booking, own_time, Action, Actor, Grant};
use super::runner::{authorize, reused};
use super::{
    active, load_booking, load_business, load_client, load_professional, load_resource,
    load_service, Agenda, BookRequest, ContactBookRequest, Context, Discount, Ended, SeriesRequest,
    SlotsRequest,
};

/// How many free starts a clash of a series offers instead.
pub const ALTERNATIVES: usize = 3;

/// How many clashes of one series get alternatives looked up: each is a
/// week's slot search.
pub const ALTERNATIVES_FOR: usize = 10;
use crate::availability::{
    Block as CalendarBlock, BlockKey, Booking as CalendarBooking, BookingKey, Buffers,
    StaffCalendar, WorkingHours,
};
use crate::booking::{lasting, transition, Action as Step, ActionKind, Booking, BookingStatus};
use crate::business::{
    find_contact, Activity, Block, Bookable, Business, Client, ConfirmationMode, Professional,
    Resource, Service,
};
use crate::error::{Error, RecordKind, SeriesClash};
use crate::ids::{BookingId, ClientId, ProfessionalId, SeriesId, ServiceId};
use crate::money::{final_price, Money};
use crate::payment::{net_paid, Payment};
use crate::policy::{CancellationPolicy, Party};
use crate::store::{Access, Alone, BookingFilter, Outcome, UnitOfWork};
use crate::time::{Disambiguation, LocalTime};

impl Agenda {
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
    /// [`Error::SlotTaken`], [`Error::IdempotencyKeyReused`],
    /// [`Error::Forbidden`] for a professional booking another's agenda.
    pub async fn book(&self, ctx: &Context, request: &BookRequest) -> Result<Booking, Error> {
        if let Some(booking) = self.book_alone(ctx, request).await? {
            return Ok(booking);
        }
        let outcome = self.run(ctx, &Command::Book(request.clone())).await?;
        self.booking_of(ctx, outcome).await
    }

    /// [`Agenda::book`] in one step of the store ([`Store::book_alone`])
    /// when it can be: no idempotency key to remember, the plan's records
    /// kept and current ([`kept`](super::kept)), the service needing no
    /// room, and every check the engine makes of those records passed.
    /// What only the store can check (the client, blocks, the time being
    /// free) the store checks in the same step. `None` when any of it does
    /// not hold or the store declines: the unit of work's way then books,
    /// or finds and names what stands in the way, exactly as ever.
    ///
    /// [`Store::book_alone`]: crate::store::Store::book_alone
    async fn book_alone(
        &self,
        ctx: &Context,
        request: &BookRequest,
    ) -> Result<Option<Booking>, Error> {
        if ctx.key.is_some() {
            return Ok(None);
        }
        may_book(ctx, authorize(ctx, Action::Book)?, request.professional)?;
        let Some(records) = self
            .kept
            .records(&*self.store, ctx.business, ctx.now)
            .await?
        else {
            return Ok(None);
        };
        let Some(plan) = Plan::kept(&records, request) else {
            return Ok(None);
        };
        let Ok(booking) = plan.booking(ctx, request.start, request.discount) else {
            return Ok(None);
        };
        if check_hours(&plan, &booking).is_err() {
            return Ok(None);
        }
        let Ok(booking) = plan.as_written(ctx, booking) else {
            return Ok(None);
        };
        let mut journal = Journal::default();
        created(&mut journal, &booking);
        let start = booking.appointment().start();
        match self
            .store
            .book_alone(&booking, &journal.events, ctx.now)
            .await
        {
            Ok(Alone::Added) => Ok(Some(booking)),
            Ok(Alone::Declined) => Ok(None),
            // Refused by the guard alone: named as the conflict check would.
            Err(taken @ Error::SlotTaken { .. }) => Err(plan.show(taken, start)),
            Err(other) => Err(other),
        }
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
        let outcome = self
            .run(ctx, &Command::BookAsContact(request.clone()))
            .await?;
        self.booking_of(ctx, outcome).await
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
        match self.run(ctx, &Command::BookSeries(request.clone())).await {
            Ok(outcome) => self.bookings_of(ctx, outcome).await,
            Err(Error::SeriesClashes {
                mut clashes,
                moving,
            }) => {
                self.offer_alternatives(ctx, request.service, request.professional, &mut clashes)
                    .await;
                Err(Error::SeriesClashes { clashes, moving })
            }
            Err(other) => Err(other),
        }
    }

    /// Fills each clash's alternatives (for the first
    /// [`ALTERNATIVES_FOR`] clashes): the next free starts of the service
    /// with the professional within a week of the clash. A search that
    /// fails leaves the clash without alternatives: the refusal itself is
    /// the answer.
    async fn offer_alternatives(
        &self,
        ctx: &Context,
        service: ServiceId,
        professional: ProfessionalId,
        clashes: &mut [SeriesClash],
    ) {
        for clash in clashes.iter_mut().take(ALTERNATIVES_FOR) {
            let day = clash.start.with_timezone(&clash.zone).date_naive();
            let request = SlotsRequest {
                service,
                professional: Some(professional),
                from: day,
                to: day + chrono::Days::new(6),
                step_minutes: None,
            };
            if let Ok(answer) = self.slots(ctx, &request).await {
                clash.alternatives = answer
                    .iter()
                    .map(|slot| slot.start())
                    .filter(|start| *start > clash.start)
                    .take(ALTERNATIVES)
                    .collect();
            }
        }
    }

    /// Confirms a pending booking by hand (R19).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalTransition`],
    /// [`Error::DepositNotPaid`].
    pub async fn confirm(&self, ctx: &Context, booking: BookingId) -> Result<Booking, Error> {
        let outcome = self.run(ctx, &Command::Confirm { booking }).await?;
        self.booking_of(ctx, outcome).await
    }

    /// Marks a confirmed booking as performed, at or after its start.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalTransition`],
    /// [`Error::NotStartedYet`].
    pub async fn complete(&self, ctx: &Context, booking: BookingId) -> Result<Booking, Error> {
        let outcome = self.run(ctx, &Command::Complete { booking }).await?;
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
        let command = Command::Reschedule {
            booking,
            start,
            following: false,
        };
        let outcome = self.run(ctx, &command).await?;
        self.booking_of(ctx, outcome).await
    }

    /// Moves a booking of a series to `start` and every active booking of
    /// the series after it by as much in the business's local time ("this
    /// and following", R22): a move from Tuesday 09:00 to Wednesday 10:00
    /// moves each later Tuesday 09:00 to its Wednesday 10:00, across
    /// daylight-saving changes. All move or none: the error lists every
    /// occurrence that cannot.
    ///
    /// # Errors
    /// As [`Agenda::reschedule`]; [`Error::NotInSeries`];
    /// [`Error::SeriesClashes`].
    pub async fn reschedule_following(
        &self,
        ctx: &Context,
        booking: BookingId,
        start: DateTime<Utc>,
    ) -> Result<Vec<Booking>, Error> {
        let command = Command::Reschedule {
            booking,
            start,
            following: true,
        };
        let outcome = self.run(ctx, &command).await?;
        self.bookings_of(ctx, outcome).await
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
        let command = Command::Cancel {
            booking,
            reason: reason.to_owned(),
            following: false,
        };
        self.run_ending(ctx, &command).await
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
        let command = Command::Cancel {
            booking,
            reason: reason.to_owned(),
            following: true,
        };
        let (outcome, journal) = self.run_journaled(ctx, &command).await?;
        if let Some(journal) = journal {
            return Ok(journal.ended);
        }
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
        self.run_ending(ctx, &Command::NoShow { booking }).await
    }

    /// A booking of the business.
    ///
    /// # Errors
    /// [`Error::NotFound`], also for a booking the actor may see only
    /// when it is theirs (a professional's, a manage link's).
    pub async fn booking(&self, ctx: &Context, id: BookingId) -> Result<Booking, Error> {
        let scope =
            authorize(ctx, Action::ReadBookings).or_else(|_| authorize(ctx, Action::Move))?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let booking = load_booking(&mut *work, id).await?;
        own_booking(ctx, scope, &booking)?;
        Ok(booking)
    }

    /// What cancelling the booking would settle if the actor of `ctx`
    /// cancelled it at `ctx.now`: the fee the policy keeps and the refund,
    /// computed exactly as [`Agenda::cancel`] would, so a page can show
    /// the fee before the client confirms (R20, R21). Nothing changes.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Forbidden`]; [`Error::IllegalTransition`]
    /// when the booking can no longer be cancelled.
    pub async fn cancellation_quote(
        &self,
        ctx: &Context,
        id: BookingId,
    ) -> Result<crate::policy::Settlement, Error> {
        let scope =
            authorize(ctx, Action::ReadBookings).or_else(|_| authorize(ctx, Action::Move))?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let booking = load_booking(&mut *work, id).await?;
        own_booking(ctx, scope, &booking)?;
        let plan = Plan::load_existing(&mut *work, ctx, &booking).await?;
        transition(
            booking.id(),
            booking.status(),
            ActionKind::Cancel,
            booking.appointment().start(),
            ctx.now,
        )?;
        let payments = work.payments_for_booking(booking.id()).await?;
        let paid = net_paid(booking.price().currency(), &payments)?;
        plan.policy().settle_cancellation(
            booking.price(),
            paid,
            ctx.by,
            booking.appointment().start(),
            ctx.now,
        )
    }

    /// The bookings that pass `filter`, by start (R23). A filter that names
    /// a professional or client the business does not have is "not found",
    /// like any other id of another business (R8), not an empty list. A
    /// professional sees their own agenda only: naming another's answers
    /// an empty list.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the professional or client named;
    /// [`Error::Forbidden`].
    pub async fn bookings(
        &self,
        ctx: &Context,
        filter: &BookingFilter,
    ) -> Result<Vec<Booking>, Error> {
        let scope = authorize(ctx, Action::ReadBookings)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        if let Some(professional) = filter.professional {
            load_professional(&mut *work, professional).await?;
        }
        if let Some(client) = filter.client {
            load_client(&mut *work, client).await?;
        }
        let mut filter = filter.clone();
        if scope == Grant::Own {
            let Actor::Professional(own) = ctx.actor else {
                return Ok(Vec::new());
            };
            if filter.professional.is_some_and(|p| p != own) {
                return Ok(Vec::new());
            }
            filter.professional = Some(own);
        }
        work.bookings(&filter).await
    }

    pub(super) async fn booking_of(
        &self,
        ctx: &Context,
        outcome: Outcome,
    ) -> Result<Booking, Error> {
        let Outcome::Booking(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_booking(&mut *work, id).await
    }

    async fn bookings_of(&self, ctx: &Context, outcome: Outcome) -> Result<Vec<Booking>, Error> {
        let Outcome::Series(ids) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(load_booking(&mut *work, id).await?);
        }
        Ok(out)
    }

    /// Runs `command`, which ends one booking (a cancel or a no-show): the
    /// booking as the command wrote it, or, when its outcome was replayed
    /// from the idempotency key, as it is read now.
    async fn run_ending(&self, ctx: &Context, command: &Command) -> Result<Ended, Error> {
        let (outcome, journal) = self.run_journaled(ctx, command).await?;
        if let Some(ended) = journal.and_then(|j| j.ended.into_iter().next()) {
            return Ok(ended);
        }
        let booking = self.booking_of(ctx, outcome).await?;
        self.ended(ctx, booking).await
    }

    async fn ended(&self, ctx: &Context, booking: Booking) -> Result<Ended, Error> {
        let settlement = *booking.settlement().ok_or(Error::IllegalTransition {
            booking: booking.id(),
            status: booking.status(),
            action: ActionKind::Cancel,
        })?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let payments = work.payments_for_booking(booking.id()).await?;
        Ok(Ended {
            booking,
            settlement,
            refunded: refunded(payments),
        })
    }
}

/// A booking of the actor's own, loaded for a change.
async fn own_for_change(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    id: BookingId,
) -> Result<Booking, Error> {
    let booking = load_booking(work, id).await?;
    own_booking(ctx, scope, &booking)?;
    Ok(booking)
}

/// Records a new booking's events: created, and confirmed when it is.
fn created(journal: &mut Journal, booking: &Booking) {
    journal.record(Event::BookingCreated {
        booking: booking.id(),
        professional: booking.professional(),
        client: booking.client(),
        service: booking.service(),
        start: booking.appointment().start(),
        series: booking.series(),
    });
    if booking.status() == BookingStatus::Confirmed {
        journal.record(Event::BookingConfirmed {
            booking: booking.id(),
        });
    }
}

/// Whether the actor of `ctx`, granted `scope` to book, may book
/// `professional`'s time.
fn may_book(ctx: &Context, scope: Grant, professional: ProfessionalId) -> Result<(), Error> {
    own_time(
        ctx,
        scope,
        Action::Book,
        Bookable::Professional(professional),
    )
}

pub(super) async fn book(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    request: &BookRequest,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    may_book(ctx, scope, request.professional)?;
    book_in(work, ctx, request, journal).await
}

pub(super) async fn book_as_contact(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    request: &ContactBookRequest,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    // Plan::load, in book_in, refuses a business that does not exist.
    if request.email.is_none() && request.phone.is_none() {
        return Err(Error::invalid("email", crate::error::Problem::NoContact));
    }
    let clients = work.clients().await?;
    let client = match find_contact(&clients, request.email.as_ref(), request.phone.as_ref()) {
        Some(known) => known.id(),
        None => {
            let client = Client::new(ClientId::random(), ctx.business, &request.name)?
                .with_email(request.email.clone())
                .with_phone(request.phone.clone());
            work.put_client(&client).await?;
            journal.record(Event::ClientCreated {
                client: client.id(),
            });
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
    book_in(work, ctx, &booking, journal).await
}

/// Books `request` in `work`: the one booking path of [`Agenda::book`] and
/// [`Agenda::book_as_contact`].
async fn book_in(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    request: &BookRequest,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let plan = Plan::load(
        work,
        ctx,
        request.service,
        request.professional,
        request.client,
    )
    .await?;
    let booking = plan.booking(ctx, request.start, request.discount)?;
    let booking = place(work, &plan, booking, &[]).await?;
    let id = insert(work, ctx, &plan, booking, journal).await?;
    Ok(Outcome::Booking(id))
}

/// Writes a checked new booking (confirmed at once when the business
/// confirms immediately), with its events; the store's own guard may still
/// refuse it, named as the conflict check would.
async fn insert(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    plan: &Plan,
    booking: Booking,
    journal: &mut Journal,
) -> Result<BookingId, Error> {
    let booking = plan.as_written(ctx, booking)?;
    let start = booking.appointment().start();
    work.insert_booking(&booking)
        .await
        .map_err(|e| plan.show(e, start))?;
    created(journal, &booking);
    Ok(booking.id())
}

pub(super) async fn book_series(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    request: &SeriesRequest,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    may_book(ctx, scope, request.professional)?;
    let plan = Plan::load(
        work,
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
            Ok(booking) => place(work, &plan, booking, &accepted).await,
            Err(err) => Err(err),
        };
        match checked {
            Ok(booking) => accepted.push(booking.in_series(series)),
            Err(err @ (Error::Storage { .. } | Error::WriteConflict)) => return Err(err),
            Err(cause) => clashes.push(SeriesClash {
                index,
                start,
                cause: Box::new(cause),
                zone: plan.business.zone(),
                alternatives: Vec::new(),
            }),
        }
    }
    if !clashes.is_empty() {
        return Err(Error::SeriesClashes {
            clashes,
            moving: false,
        });
    }
    let mut ids = Vec::with_capacity(accepted.len());
    for booking in accepted {
        ids.push(insert(work, ctx, &plan, booking, journal).await?);
    }
    Ok(Outcome::Series(ids))
}

pub(super) async fn confirm(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    id: BookingId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = own_for_change(work, ctx, scope, id).await?;
    let paid = paid_for(work, &current).await?;
    let next = current
        .apply(Step::Confirm { paid }, ctx.now)?
        .attributed(&ctx.who());
    work.update_booking(&next).await?;
    journal.record(Event::BookingConfirmed { booking: id });
    Ok(Outcome::Booking(id))
}

pub(super) async fn complete(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    id: BookingId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let next = own_for_change(work, ctx, scope, id)
        .await?
        .apply(Step::Complete, ctx.now)?
        .attributed(&ctx.who());
    work.update_booking(&next).await?;
    journal.record(Event::BookingCompleted { booking: id });
    Ok(Outcome::Booking(id))
}

pub(super) async fn reschedule(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    id: BookingId,
    start: DateTime<Utc>,
    following: bool,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = own_for_change(work, ctx, scope, id).await?;
    transition(
        current.id(),
        current.status(),
        ActionKind::Reschedule,
        current.appointment().start(),
        ctx.now,
    )?;
    let plan = Plan::load_existing(work, ctx, &current).await?;
    if !following {
        move_one(work, &plan, ctx, current, start, journal).await?;
        return Ok(Outcome::Booking(id));
    }
    let series = current.series().ok_or(Error::NotInSeries { booking: id })?;
    let zone = plan.business.zone();
    let shift = start.with_timezone(&zone).naive_local()
        - current
            .appointment()
            .start()
            .with_timezone(&zone)
            .naive_local();
    let filter = BookingFilter {
        series: Some(series),
        statuses: vec![BookingStatus::Pending, BookingStatus::Confirmed],
        ..Default::default()
    };
    let mut moving: Vec<Booking> = Vec::new();
    for other in work.bookings(&filter).await? {
        if other.appointment().start() >= current.appointment().start() {
            own_booking(ctx, scope, &other)?;
            moving.push(other);
        }
    }
    moving.sort_by_key(|b| b.appointment().start());
    let mut moving: Vec<(usize, Booking)> = moving.into_iter().enumerate().collect();
    // Later first when moving later (and earlier first when moving
    // earlier), so no occurrence lands on one that has not moved yet.
    if shift > chrono::TimeDelta::zero() {
        moving.reverse();
    }
    let mut moved: Vec<(DateTime<Utc>, BookingId)> = Vec::with_capacity(moving.len());
    let mut clashes = Vec::new();
    for (index, booking) in moving {
        let local = booking
            .appointment()
            .start()
            .with_timezone(&zone)
            .naive_local()
            + shift;
        let to = match LocalTime::of(zone, local).instant(Disambiguation::Compatible) {
            Ok(to) => to,
            Err(cause) => {
                clashes.push((index, booking.appointment().start(), cause));
                continue;
            }
        };
        let booking_id = booking.id();
        match move_one(work, &plan, ctx, booking, to, journal).await {
            Ok(()) => moved.push((to, booking_id)),
            Err(err @ (Error::Storage { .. } | Error::WriteConflict)) => return Err(err),
            Err(cause) => clashes.push((index, to, cause)),
        }
    }
    if !clashes.is_empty() {
        clashes.sort_by_key(|(index, _, _)| *index);
        let clashes: Vec<SeriesClash> = clashes
            .into_iter()
            .map(|(index, start, cause)| SeriesClash {
                index,
                start,
                cause: Box::new(cause),
                zone,
                alternatives: Vec::new(),
            })
            .collect();
        return Err(Error::SeriesClashes {
            clashes,
            moving: true,
        });
    }
    moved.sort();
    Ok(Outcome::Series(
        moved.into_iter().map(|(_, id)| id).collect(),
    ))
}

/// Moves one booking to `start` after the conflict check.
async fn move_one(
    work: &mut dyn UnitOfWork,
    plan: &Plan,
    ctx: &Context,
    current: Booking,
    start: DateTime<Utc>,
    journal: &mut Journal,
) -> Result<(), Error> {
    let id = current.id();
    let appointment = lasting(start, current.appointment().duration())?;
    let from = current.appointment().start();
    let next = current
        .apply(Step::Reschedule { appointment }, ctx.now)?
        .attributed(&ctx.who());
    let next = place(work, plan, next, &[]).await?;
    work.update_booking(&next)
        .await
        .map_err(|e| plan.show(e, start))?;
    journal.record(Event::BookingRescheduled {
        booking: id,
        from,
        to: next.appointment().start(),
    });
    Ok(())
}

/// What a cancel asks for: the booking, why, and whether the bookings of
/// its series that follow it go too.
pub(super) struct Cancelling<'a> {
    pub(super) booking: BookingId,
    pub(super) reason: &'a str,
    pub(super) following: bool,
}

pub(super) async fn cancel(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    kept: Option<&Records>,
    asked: &Cancelling<'_>,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let (id, reason) = (asked.booking, asked.reason);
    let first = own_for_change(work, ctx, scope, id).await?;
    let ending = Ending::Cancel { reason };
    if !asked.following {
        end_booking(work, ctx, kept, first, ending, journal).await?;
        return Ok(Outcome::Booking(id));
    }
    let series = first.series().ok_or(Error::NotInSeries { booking: id })?;
    transition(
        first.id(),
        first.status(),
        ActionKind::Cancel,
        first.appointment().start(),
        ctx.now,
    )?;
    let filter = BookingFilter {
        series: Some(series),
        statuses: vec![BookingStatus::Pending, BookingStatus::Confirmed],
        ..Default::default()
    };
    let mut ids = Vec::new();
    for other in work.bookings(&filter).await? {
        if other.appointment().start() >= first.appointment().start() {
            own_booking(ctx, scope, &other)?;
            ids.push(other.id());
            end_booking(work, ctx, kept, other, ending, journal).await?;
        }
    }
    Ok(Outcome::Series(ids))
}

pub(super) async fn no_show(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    kept: Option<&Records>,
    id: BookingId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = own_for_change(work, ctx, scope, id).await?;
    end_booking(work, ctx, kept, current, Ending::NoShow, journal).await?;
    Ok(Outcome::Booking(id))
}

/// What booking a service with a professional needs, loaded and checked.
struct Plan {
    business: Business,
    service: Service,
    professional: Professional,
    /// The rooms a booking may take: none, the service's one, or the
    /// active ones of its kind by name (a booking being moved: its own
    /// first).
    rooms: Vec<Resource>,
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
        let rooms = match (service.resource(), service.resource_kind()) {
            (Some(id), _) => {
                let resource = load_resource(work, id).await?;
                active(resource.activity(), RecordKind::Resource, id)?;
                vec![resource]
            }
            (None, Some(kind)) => rooms_of(work, kind).await?,
            (None, None) => Vec::new(),
        };
        Ok(Plan {
            business,
            service,
            professional,
            rooms,
            client: client.id(),
        })
    }

    /// The plan of `request` out of kept records, when they hold all it
    /// needs and pass every check [`Plan::load`] makes of them: the
    /// service active and needing no room, the professional active and
    /// performing it. The client is the store's to check.
    fn kept(records: &Records, request: &BookRequest) -> Option<Plan> {
        let service = records.services.get(&request.service)?;
        let professional = records.professionals.get(&request.professional)?;
        let usable = service.activity() == Activity::Active
            && professional.activity() == Activity::Active
            && professional.performs(service.id())
            && service.resource().is_none()
            && service.resource_kind().is_none();
        usable.then(|| Plan {
            business: records.business.clone(),
            service: service.clone(),
            professional: professional.clone(),
            rooms: Vec::new(),
            client: request.client,
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
        let mut rooms = match booking.resource() {
            Some(id) => vec![load_resource(work, id).await?],
            None => Vec::new(),
        };
        if let (Some(_), Some(kind)) = (booking.resource(), service.resource_kind()) {
            // The kind may have no active room left: the booking keeps its own.
            let others = match rooms_of(work, kind).await {
                Err(Error::NoResourceOfKind { .. }) => Vec::new(),
                other => other?,
            };
            rooms.extend(
                others
                    .into_iter()
                    .filter(|r| Some(r.id()) != booking.resource()),
            );
        }
        Ok(Plan {
            business,
            service,
            professional,
            rooms,
            client: booking.client(),
        })
    }

    /// `error`, when it is a conflict of this plan's professional or room
    /// for an appointment at `start`, naming them and showing the time in
    /// the business's zone.
    fn show(&self, error: Error, start: DateTime<Utc>) -> Error {
        let zone = self.business.zone();
        let on = Bookable::Professional(self.professional.id());
        let mut error = error.shown(on, self.professional.name(), zone, start);
        for resource in &self.rooms {
            let on = Bookable::Resource(resource.id());
            error = error.shown(on, resource.name(), zone, start);
        }
        error
    }

    fn policy(&self) -> &CancellationPolicy {
        self.service.policy_within(&self.business)
    }

    fn booking(
        &self,
        ctx: &Context,
        start: DateTime<Utc>,
        discount: Option<Discount>,
    ) -> Result<Booking, Error> {
        let discount = discount
            .map(|d| d.share(self.business.currency()))
            .transpose()?;
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

    /// `booking` as it is written: attributed to the actor of `ctx`, and
    /// confirmed at once when the business confirms immediately and no
    /// deposit is due.
    fn as_written(&self, ctx: &Context, booking: Booking) -> Result<Booking, Error> {
        let who = ctx.who();
        Ok(self
            .confirm_if_immediate(booking.attributed(&who), ctx.now)?
            .attributed(&who))
    }

    fn confirm_if_immediate(&self, booking: Booking, now: DateTime<Utc>) -> Result<Booking, Error> {
        if self.business.confirmation() == ConfirmationMode::Immediate
            && booking.deposit().is_zero()
        {
            let paid = Money::zero(booking.price().currency());
            booking.apply(Step::Confirm { paid }, now)
        } else {
            Ok(booking)
        }
    }
}

/// The active rooms of `kind`, by name.
///
/// # Errors
/// [`Error::NoResourceOfKind`] when there is none.
pub(super) async fn rooms_of(
    work: &mut dyn UnitOfWork,
    kind: &str,
) -> Result<Vec<Resource>, Error> {
    let rooms: Vec<Resource> = work
        .resources()
        .await?
        .into_iter()
        .filter(|r| r.activity() == Activity::Active && r.is_of_kind(kind))
        .collect();
    if rooms.is_empty() {
        return Err(Error::NoResourceOfKind {
            kind: kind.to_owned(),
        });
    }
    Ok(rooms)
}

/// `booking` with the first of the plan's rooms free for it (its own room
/// when it has one and it is free), after the conflict check; with no room
/// to choose, the conflict check alone. When no room is free, the first
/// room's conflict, named.
async fn place(
    work: &mut dyn UnitOfWork,
    plan: &Plan,
    booking: Booking,
    extra: &[Booking],
) -> Result<Booking, Error> {
    if plan.service.resource_kind().is_none() || plan.rooms.is_empty() {
        check_free(work, plan, &booking, extra).await?;
        return Ok(booking);
    }
    let mut first = None;
    for room in &plan.rooms {
        let candidate = booking.clone().on_resource(room.id());
        match check_free(work, plan, &candidate, extra).await {
            Ok(()) => return Ok(candidate),
            Err(err @ (Error::Storage { .. } | Error::WriteConflict)) => return Err(err),
            Err(err) => {
                first.get_or_insert(err);
            }
        }
    }
    Err(first.unwrap_or(Error::WriteConflict))
}

/// The part of the conflict check that needs nothing from the store: the
/// appointment inside its professional's hours.
fn check_hours(plan: &Plan, booking: &Booking) -> Result<(), Error> {
    let on = Bookable::Professional(plan.professional.id());
    let hours = plan.professional.hours().clone();
    let calendar = staff_calendar(
        on,
        plan.business.zone(),
        hours,
        plan.professional.capacity(),
        &[],
        std::iter::empty(),
    )?;
    calendar.check_booking(booking.appointment(), buffers_of(booking)?)
}

/// The buffers `booking` holds around its appointment.
fn buffers_of(booking: &Booking) -> Result<Buffers, Error> {
    let before = minutes(booking.appointment().start() - booking.held().start());
    let after = minutes(booking.held().end() - booking.appointment().end());
    Buffers::new(before, after)
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
    let buffers = buffers_of(booking)?;
    let mut calendars = vec![(
        Bookable::Professional(plan.professional.id()),
        plan.professional.hours().clone(),
        plan.professional.capacity(),
    )];
    if let Some(resource) = plan
        .rooms
        .iter()
        .find(|r| Some(r.id()) == booking.resource())
    {
        calendars.push((
            Bookable::Resource(resource.id()),
            resource.hours().clone(),
            resource.capacity(),
        ));
    }
    for (on, hours, capacity) in calendars {
        let calendar = calendar(work, plan, on, hours, capacity, booking, extra).await?;
        calendar
            .check_booking(booking.appointment(), buffers)
            .map_err(|e| plan.show(e, booking.appointment().start()))?;
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
pub(super) fn staff_calendar(
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
pub(super) async fn paid_for(work: &mut dyn UnitOfWork, booking: &Booking) -> Result<Money, Error> {
    let payments = work.payments_for_booking(booking.id()).await?;
    net_paid(booking.price().currency(), &payments)
}

/// The payments of an ended booking that hold a refund, in the order
/// given (the store's): what [`Ended::refunded`] lists.
fn refunded(payments: Vec<Payment>) -> Vec<Payment> {
    payments
        .into_iter()
        .filter(|p| !p.refunds().is_empty())
        .collect()
}

#[derive(Clone, Copy)]
enum Ending<'a> {
    Cancel { reason: &'a str },
    NoShow,
}

/// Cancels or marks a no-show, settles by the policy and records the
/// refund on the payments, newest first.
async fn end_booking(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    kept: Option<&Records>,
    booking: Booking,
    ending: Ending<'_>,
    journal: &mut Journal,
) -> Result<(), Error> {
    let policy = policy_of(work, ctx, kept, booking.service()).await?;
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
    let mut payments = work.payments_for_booking(booking.id()).await?;
    let paid = net_paid(booking.price().currency(), &payments)?;
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
                Step::Cancel {
                    by: ctx.by,
                    reason: reason.to_owned(),
                    settlement,
                },
            )
        }
        Ending::NoShow => {
            let settlement = policy.settle_no_show(booking.price(), paid)?;
            (settlement, Step::NoShow { settlement })
        }
    };
    let ended = booking.apply(action, ctx.now)?.attributed(&ctx.who());
    work.update_booking(&ended).await?;
    let (fee, refund) = (
        settlement.fee().amount().to_string(),
        settlement.refund().amount().to_string(),
    );
    journal.record(match ending {
        Ending::Cancel { .. } => Event::BookingCancelled {
            booking: ended.id(),
            by: ctx.by.to_string(),
            fee,
            refund,
        },
        Ending::NoShow => Event::BookingNoShow {
            booking: ended.id(),
            fee,
            refund,
        },
    });
    let mut left = settlement.refund();
    for payment in payments.iter_mut().rev() {
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
        let refunded = payment.clone().refund(part, reason, ctx.now)?;
        work.put_payment(&refunded).await?;
        journal.record(Event::PaymentRefunded {
            payment: refunded.id(),
            amount: part.amount().to_string(),
        });
        *payment = refunded;
        left = left.checked_sub(part)?;
    }
    // As `Agenda::ended` reads them after the commit.
    journal.ended.push(Ended {
        booking: ended,
        settlement,
        refunded: refunded(payments),
    });
    Ok(())
}

/// The cancellation policy a booking of `service` ends by: the service's
/// own, else the business's; taken from the `kept` records when they hold
/// the service, else read in `work`.
async fn policy_of(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    kept: Option<&Records>,
    service: ServiceId,
) -> Result<CancellationPolicy, Error> {
    if let Some(records) = kept {
        if let Some(found) = records.services.get(&service) {
            return Ok(found.policy_within(&records.business).clone());
        }
    }
    let found = load_service(work, service).await?;
    Ok(match found.policy() {
        Some(policy) => policy.clone(),
        None => load_business(work, ctx.business).await?.policy().clone(),
    })
}
