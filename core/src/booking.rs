//! Bookings and their lifecycle (R18–R20).
//!
//! A booking keeps two spans: the appointment the client sees and the span
//! it holds, widened by the service's buffers, which is what conflicts are
//! checked against. Its status moves by one function, [`transition`]:
//!
//! ```text
//! pending ──confirm──▶ confirmed ──complete (after start)──▶ completed
//!    │                    │ └──────no-show (after start)───▶ no_show
//!    └──────cancel────────┴──────────────────────────────────▶ cancelled
//! pending, confirmed ──reschedule──▶ the same status, a new span
//! ```
//!
//! [`Booking::apply`] runs the transition and keeps the history: every
//! change, when it happened, and what the booking looked like before a
//! reschedule. Whether the new span is free is the conflict check's
//! question ([`crate::availability::StaffCalendar::check_booking`]), asked
//! by the use cases in [`crate::agenda`] before they apply a reschedule.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::availability::held_span;
use crate::business::{bounded, Service, MAX_NAME_CHARS};
use crate::error::{Error, Problem};
use crate::ids::{
    BookingId, BusinessId, ClientId, ProfessionalId, ResourceId, SeriesId, ServiceId,
};
use crate::money::Money;
use crate::policy::{Party, Settlement};
use crate::time::Span;

/// Where a booking is in its life (R19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BookingStatus {
    /// Made, waiting for confirmation (by staff or by payment).
    Pending,
    /// Confirmed: the time is the client's.
    Confirmed,
    /// The service was performed.
    Completed,
    /// Cancelled by the client or the business.
    Cancelled,
    /// The client did not come.
    NoShow,
}

impl BookingStatus {
    /// Whether a booking in this status holds its time: pending or confirmed.
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Confirmed)
    }

    /// The status as written in APIs and stores: `pending`, `confirmed`,
    /// `completed`, `cancelled`, `no_show`.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Completed => "completed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no_show",
        }
    }

    /// Reads a status written by [`BookingStatus::as_str`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for `status` with [`Problem::UnknownValue`].
    pub fn parse(text: &str) -> Result<BookingStatus, Error> {
        Ok(match text {
            "pending" => BookingStatus::Pending,
            "confirmed" => BookingStatus::Confirmed,
            "completed" => BookingStatus::Completed,
            "cancelled" => BookingStatus::Cancelled,
            "no_show" => BookingStatus::NoShow,
            _ => {
                return Err(Error::invalid(
                    "status",
                    Problem::UnknownValue {
                        value: crate::error::clip(text),
                        expected: "pending, confirmed, completed, cancelled, no_show",
                    },
                ))
            }
        })
    }

    /// The status in `lang`, for people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(
            self.as_str(),
            match self {
                BookingStatus::Pending => "pendente",
                BookingStatus::Confirmed => "confirmado",
                BookingStatus::Completed => "concluído",
                BookingStatus::Cancelled => "cancelado",
                BookingStatus::NoShow => "não compareceu",
            },
        )
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a move in the lifecycle, as named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// Confirm.
    Confirm,
    /// Mark as performed.
    Complete,
    /// Cancel.
    Cancel,
    /// Mark as not attended.
    NoShow,
    /// Move to another time.
    Reschedule,
}

impl ActionKind {
    /// The action as written in APIs: `confirm`, `complete`, `cancel`,
    /// `no_show`, `reschedule`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Confirm => "confirm",
            ActionKind::Complete => "complete",
            ActionKind::Cancel => "cancel",
            ActionKind::NoShow => "no_show",
            ActionKind::Reschedule => "reschedule",
        }
    }

    /// The action in `lang`, for people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        lang.pick(
            self.as_str(),
            match self {
                ActionKind::Confirm => "confirmar",
                ActionKind::Complete => "concluir",
                ActionKind::Cancel => "cancelar",
                ActionKind::NoShow => "marcar falta",
                ActionKind::Reschedule => "remarcar",
            },
        )
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lifecycle, as one function: the status a booking in `status`,
/// starting at `start`, moves to by `action` at `now`.
///
/// # Errors
/// - [`Error::IllegalTransition`] naming the current status when the move
///   does not exist from it (confirming a cancelled booking);
/// - [`Error::NotStartedYet`] for completing or marking a no-show before
///   the start.
///
/// # Example
/// ```
/// use agendo_core::booking::{transition, ActionKind, BookingStatus};
/// use agendo_core::ids::BookingId;
/// use chrono::{DateTime, Utc};
///
/// let start: DateTime<Utc> = "2026-03-10T15:00:00Z".parse().unwrap();
/// let before: DateTime<Utc> = "2026-03-10T14:00:00Z".parse().unwrap();
/// let id = BookingId::random();
/// assert_eq!(transition(id, BookingStatus::Pending, ActionKind::Confirm, start, before)?, BookingStatus::Confirmed);
/// let err = transition(id, BookingStatus::Confirmed, ActionKind::NoShow, start, before).unwrap_err();
/// assert_eq!(err.code(), "not_started_yet");
/// let err = transition(id, BookingStatus::Cancelled, ActionKind::Confirm, start, before).unwrap_err();
/// assert_eq!(err.code(), "illegal_transition");
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn transition(
    booking: BookingId,
    status: BookingStatus,
    action: ActionKind,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<BookingStatus, Error> {
    use ActionKind as A;
    use BookingStatus as S;
    let next = match (status, action) {
        (S::Pending, A::Confirm) => S::Confirmed,
        (S::Confirmed, A::Complete) => S::Completed,
        (S::Confirmed, A::NoShow) => S::NoShow,
        (S::Pending | S::Confirmed, A::Cancel) => S::Cancelled,
        (S::Pending | S::Confirmed, A::Reschedule) => status,
        _ => {
            return Err(Error::IllegalTransition {
                booking,
                status,
                action,
            })
        }
    };
    if matches!(action, A::Complete | A::NoShow) && now < start {
        return Err(Error::NotStartedYet {
            booking,
            action,
            start,
        });
    }
    Ok(next)
}

/// A move in a booking's life, with what it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Confirm, with what the client has paid so far (net of refunds), which
    /// must cover the deposit.
    Confirm {
        /// Approved payments less refunds.
        paid: Money,
    },
    /// Mark as performed.
    Complete,
    /// Cancel.
    Cancel {
        /// Who cancels.
        by: Party,
        /// Why, maybe empty.
        reason: String,
        /// The money side, from the policy.
        settlement: Settlement,
    },
    /// Mark as not attended.
    NoShow {
        /// The money side, from the policy.
        settlement: Settlement,
    },
    /// Move to `appointment`, already checked free.
    Reschedule {
        /// The new appointment.
        appointment: Span,
    },
}

impl Action {
    /// The kind of the move.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Confirm { .. } => ActionKind::Confirm,
            Action::Complete => ActionKind::Complete,
            Action::Cancel { .. } => ActionKind::Cancel,
            Action::NoShow { .. } => ActionKind::NoShow,
            Action::Reschedule { .. } => ActionKind::Reschedule,
        }
    }
}

/// One change in a booking's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The booking was made.
    Created,
    /// It was confirmed.
    Confirmed,
    /// It was performed.
    Completed,
    /// It was cancelled.
    Cancelled {
        /// Who cancelled.
        by: Party,
        /// Why, maybe empty.
        reason: Box<str>,
        /// The fee kept and the refund.
        settlement: Settlement,
    },
    /// The client did not come.
    NoShow {
        /// The fee kept and the refund.
        settlement: Settlement,
    },
    /// It moved to another time.
    Rescheduled {
        /// The appointment before.
        from: Span,
        /// The appointment after.
        to: Span,
    },
}

impl Change {
    /// The change's name as written in APIs: `created`, `confirmed`,
    /// `completed`, `cancelled`, `no_show`, `rescheduled`.
    pub fn code(&self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Confirmed => "confirmed",
            Change::Completed => "completed",
            Change::Cancelled { .. } => "cancelled",
            Change::NoShow { .. } => "no_show",
            Change::Rescheduled { .. } => "rescheduled",
        }
    }
}

/// Who made a change: the kind of actor (`owner`, `receptionist`,
/// `professional`, `client`, `manage_link`, `public`, `operator`) and the
/// account, when one signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Who {
    /// The kind of actor.
    pub actor: Box<str>,
    /// The account that acted, if one signed in.
    pub account: Option<crate::ids::AccountId>,
}

/// A change and when it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub change: Change,
    /// Who, when known (changes made before it was recorded have none).
    pub by: Option<Who>,
}

/// A booking of a service with a professional (and a resource, when the
/// service needs one) for a client.
///
/// # Example
/// ```
/// use agendo_core::booking::{Action, Booking, BookingStatus};
/// use agendo_core::business::Service;
/// use agendo_core::ids::*;
/// use agendo_core::money::{Currency, Money};
/// use chrono::{DateTime, Utc};
///
/// let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
/// let price = Money::parse("45", Currency::BRL)?;
/// let business = BusinessId::random();
/// let cut = Service::new(ServiceId::random(), business, "Corte", 30, price)?;
/// let booking = Booking::new(BookingId::random(), &cut, ProfessionalId::random(), ClientId::random(),
///     at("2026-03-10T15:00:00Z"), price, Money::zero(Currency::BRL), at("2026-03-01T12:00:00Z"))?;
/// assert_eq!(booking.status(), BookingStatus::Pending);
/// let booking = booking.apply(Action::Confirm { paid: Money::zero(Currency::BRL) }, at("2026-03-01T13:00:00Z"))?;
/// assert_eq!(booking.status(), BookingStatus::Confirmed);
/// assert_eq!(booking.history().len(), 2);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    id: BookingId,
    business: BusinessId,
    service: ServiceId,
    professional: ProfessionalId,
    resource: Option<ResourceId>,
    client: ClientId,
    appointment: Span,
    held: Span,
    status: BookingStatus,
    price: Money,
    deposit: Money,
    series: Option<SeriesId>,
    created_at: DateTime<Utc>,
    history: Vec<Event>,
}

/// A booking's parts, for a store to write and read back. Every field is
/// public; [`Booking::from_parts`] checks them again.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BookingParts {
    pub id: BookingId,
    pub business: BusinessId,
    pub service: ServiceId,
    pub professional: ProfessionalId,
    pub resource: Option<ResourceId>,
    pub client: ClientId,
    pub appointment: Span,
    pub held: Span,
    pub status: BookingStatus,
    pub price: Money,
    pub deposit: Money,
    pub series: Option<SeriesId>,
    pub created_at: DateTime<Utc>,
    pub history: Vec<Event>,
}

/// The most reasons' characters kept for a cancellation.
pub const MAX_REASON_CHARS: usize = MAX_NAME_CHARS * 5;

impl Booking {
    /// A pending booking of `service` with `professional` for `client`,
    /// starting at `start`, made at `now`, at `price` (after any discount)
    /// with `deposit` required to confirm. The appointment lasts the
    /// service's duration and holds its buffers; the service's resource, if
    /// any, is booked too.
    ///
    /// # Errors
    /// - [`Error::Invalid`] for `start` when it is before `now`
    ///   ([`Problem::InThePast`]) or too far out to represent;
    /// - [`Error::CurrencyMismatch`] when price and deposit differ in
    ///   currency.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: BookingId,
        service: &Service,
        professional: ProfessionalId,
        client: ClientId,
        start: DateTime<Utc>,
        price: Money,
        deposit: Money,
        now: DateTime<Utc>,
    ) -> Result<Booking, Error> {
        let appointment = appointment_of(service, start, now)?;
        price.checked_cmp(&deposit)?;
        Ok(Booking {
            id,
            business: service.business(),
            service: service.id(),
            professional,
            resource: service.resource(),
            client,
            appointment,
            held: held_span(appointment, service.buffers()),
            status: BookingStatus::Pending,
            price,
            deposit,
            series: None,
            created_at: now,
            history: vec![Event {
                at: now,
                change: Change::Created,
                by: None,
            }],
        })
    }

    /// The same booking taking `resource` (the room of the service's kind
    /// that was free).
    pub fn on_resource(mut self, resource: ResourceId) -> Booking {
        self.resource = Some(resource);
        self
    }

    /// The same booking with its last change made by `who`.
    pub fn attributed(mut self, who: &Who) -> Booking {
        if let Some(last) = self.history.last_mut() {
            if last.by.is_none() {
                last.by = Some(who.clone());
            }
        }
        self
    }

    /// The same booking as part of `series`.
    pub fn in_series(mut self, series: SeriesId) -> Booking {
        self.series = Some(series);
        self
    }

    /// Rebuilds a booking from the parts a store kept.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `held` when it does not contain the
    /// appointment, or [`Error::CurrencyMismatch`] between price and deposit.
    pub fn from_parts(parts: BookingParts) -> Result<Booking, Error> {
        if parts.held.start() > parts.appointment.start()
            || parts.held.end() < parts.appointment.end()
        {
            return Err(Error::invalid("held", Problem::HeldSpanTooShort));
        }
        parts.price.checked_cmp(&parts.deposit)?;
        Ok(Booking {
            id: parts.id,
            business: parts.business,
            service: parts.service,
            professional: parts.professional,
            resource: parts.resource,
            client: parts.client,
            appointment: parts.appointment,
            held: parts.held,
            status: parts.status,
            price: parts.price,
            deposit: parts.deposit,
            series: parts.series,
            created_at: parts.created_at,
            history: parts.history,
        })
    }

    /// The parts, for a store to write.
    pub fn to_parts(&self) -> BookingParts {
        BookingParts {
            id: self.id,
            business: self.business,
            service: self.service,
            professional: self.professional,
            resource: self.resource,
            client: self.client,
            appointment: self.appointment,
            held: self.held,
            status: self.status,
            price: self.price,
            deposit: self.deposit,
            series: self.series,
            created_at: self.created_at,
            history: self.history.clone(),
        }
    }

    /// This booking after `action` at `now`: the new status, the history
    /// grown by one event and, for a reschedule, the new spans (the buffers
    /// kept as they were).
    ///
    /// # Errors
    /// - as [`transition`];
    /// - [`Error::DepositNotPaid`] when confirming before the deposit is
    ///   paid;
    /// - [`Error::Invalid`] for `start` when rescheduling into the past, or
    ///   for `reason` when it is too long.
    pub fn apply(mut self, action: Action, now: DateTime<Utc>) -> Result<Booking, Error> {
        let kind = action.kind();
        let next = transition(self.id, self.status, kind, self.appointment.start(), now)?;
        let change = match action {
            Action::Confirm { paid } => {
                if paid.checked_cmp(&self.deposit)? == std::cmp::Ordering::Less {
                    return Err(Error::DepositNotPaid {
                        booking: self.id,
                        required: self.deposit,
                        paid,
                    });
                }
                Change::Confirmed
            }
            Action::Complete => Change::Completed,
            Action::Cancel {
                by,
                reason,
                settlement,
            } => Change::Cancelled {
                by,
                reason: bounded("reason", reason.trim(), MAX_REASON_CHARS)?,
                settlement,
            },
            Action::NoShow { settlement } => Change::NoShow { settlement },
            Action::Reschedule { appointment } => {
                if appointment.start() < now {
                    return Err(Error::invalid(
                        "start",
                        Problem::InThePast {
                            value: appointment.start(),
                            now,
                        },
                    ));
                }
                let before = self.appointment.start() - self.held.start();
                let after = self.held.end() - self.appointment.end();
                let held = Span::new(appointment.start() - before, appointment.end() + after)
                    .map_err(|e| e.at("start"))?;
                let from = self.appointment;
                self.appointment = appointment;
                self.held = held;
                Change::Rescheduled {
                    from,
                    to: appointment,
                }
            }
        };
        self.status = next;
        self.history.push(Event {
            at: now,
            change,
            by: None,
        });
        Ok(self)
    }

    /// The id.
    pub fn id(&self) -> BookingId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// The service.
    pub fn service(&self) -> ServiceId {
        self.service
    }
    /// The professional.
    pub fn professional(&self) -> ProfessionalId {
        self.professional
    }
    /// The resource booked with the professional, if the service needs one.
    pub fn resource(&self) -> Option<ResourceId> {
        self.resource
    }
    /// The client.
    pub fn client(&self) -> ClientId {
        self.client
    }
    /// Whether `action` may be taken on the booking at `now`, by
    /// [`transition`]: what a page offers (confirm, complete, cancel,
    /// move) is what the lifecycle allows.
    ///
    /// ```
    /// use agendo_core::booking::{ActionKind, Booking, BookingParts};
    /// # fn check(booking: &Booking, now: chrono::DateTime<chrono::Utc>) {
    /// if booking.allows(ActionKind::Cancel, now) { /* show the cancel form */ }
    /// # }
    /// ```
    pub fn allows(&self, action: ActionKind, now: DateTime<Utc>) -> bool {
        transition(self.id, self.status, action, self.appointment.start(), now).is_ok()
    }

    /// The appointment the client sees.
    pub fn appointment(&self) -> Span {
        self.appointment
    }
    /// The span it holds: the appointment widened by the buffers.
    pub fn held(&self) -> Span {
        self.held
    }
    /// The status.
    pub fn status(&self) -> BookingStatus {
        self.status
    }
    /// The price, after any discount.
    pub fn price(&self) -> Money {
        self.price
    }
    /// The deposit required to confirm; zero for none.
    pub fn deposit(&self) -> Money {
        self.deposit
    }
    /// The series it was booked in, if any.
    pub fn series(&self) -> Option<SeriesId> {
        self.series
    }
    /// When it was made.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// Every change, oldest first; the first is always [`Change::Created`].
    pub fn history(&self) -> &[Event] {
        &self.history
    }
    /// The cancellation or no-show settlement, if the booking ended so.
    pub fn settlement(&self) -> Option<&Settlement> {
        self.history.iter().rev().find_map(|e| match &e.change {
            Change::Cancelled { settlement, .. } | Change::NoShow { settlement } => {
                Some(settlement)
            }
            _ => None,
        })
    }
}

/// The appointment of `service` starting at `start`.
fn appointment_of(
    service: &Service,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Span, Error> {
    crate::time::check_instant(start, "start")?;
    if start < now {
        return Err(Error::invalid(
            "start",
            Problem::InThePast { value: start, now },
        ));
    }
    let duration = chrono::TimeDelta::minutes(i64::from(service.duration_minutes()));
    lasting(start, duration)
}

/// The span of `duration` from `start`, for the field `start`.
pub(crate) fn lasting(start: DateTime<Utc>, duration: chrono::TimeDelta) -> Result<Span, Error> {
    let end = start.checked_add_signed(duration).ok_or_else(|| {
        Error::invalid(
            "start",
            Problem::BadInstant {
                value: start.to_rfc3339(),
            },
        )
    })?;
    Span::new(start, end).map_err(|e| e.at("start"))
}

/// How long a booking's manage link works after the appointment ends.
pub const MANAGE_LINK_DAYS: i64 = 30;

/// Until when the manage link of `booking` works: [`MANAGE_LINK_DAYS`]
/// after its appointment ends, long enough to see it and its settlement
/// afterwards, short enough that an old link in a mailbox stops working.
pub fn manage_link_until(booking: &Booking) -> DateTime<Utc> {
    booking.appointment().end() + chrono::TimeDelta::days(MANAGE_LINK_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::policy::{CancellationPolicy, Party};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn brl(s: &str) -> Money {
        Money::parse(s, Currency::BRL).unwrap()
    }
    fn booking(deposit: &str) -> Booking {
        let service = Service::new(
            ServiceId::random(),
            BusinessId::random(),
            "Corte",
            30,
            brl("50"),
        )
        .unwrap()
        .with_buffers(crate::availability::Buffers::new(5, 10).unwrap());
        Booking::new(
            BookingId::random(),
            &service,
            ProfessionalId::random(),
            ClientId::random(),
            at("2026-03-10T15:00:00Z"),
            brl("50"),
            brl(deposit),
            at("2026-03-01T12:00:00Z"),
        )
        .unwrap()
    }

    #[test]
    fn every_illegal_move_names_the_current_status() {
        use ActionKind as A;
        use BookingStatus as S;
        let start = at("2026-03-10T15:00:00Z");
        let after = at("2026-03-10T16:00:00Z");
        let allowed = [
            (S::Pending, A::Confirm),
            (S::Pending, A::Cancel),
            (S::Pending, A::Reschedule),
            (S::Confirmed, A::Complete),
            (S::Confirmed, A::NoShow),
            (S::Confirmed, A::Cancel),
            (S::Confirmed, A::Reschedule),
        ];
        for status in [
            S::Pending,
            S::Confirmed,
            S::Completed,
            S::Cancelled,
            S::NoShow,
        ] {
            for action in [A::Confirm, A::Complete, A::Cancel, A::NoShow, A::Reschedule] {
                let result = transition(BookingId::random(), status, action, start, after);
                if allowed.contains(&(status, action)) {
                    assert!(result.is_ok(), "{status} {action}");
                } else {
                    match result.unwrap_err() {
                        Error::IllegalTransition {
                            status: s,
                            action: a,
                            ..
                        } => {
                            assert_eq!((s, a), (status, action));
                        }
                        other => panic!("{status} {action}: {other}"),
                    }
                }
            }
        }
    }

    #[test]
    fn no_show_only_after_the_start() {
        let b = booking("0")
            .apply(
                Action::Confirm { paid: brl("0") },
                at("2026-03-02T00:00:00Z"),
            )
            .unwrap();
        let settlement = CancellationPolicy::free()
            .settle_no_show(brl("50"), brl("0"))
            .unwrap();
        let err = b
            .clone()
            .apply(Action::NoShow { settlement }, at("2026-03-10T14:59:59Z"))
            .unwrap_err();
        assert_eq!(err.code(), "not_started_yet");
        let b = b
            .apply(Action::NoShow { settlement }, at("2026-03-10T15:00:00Z"))
            .unwrap();
        assert_eq!(b.status(), BookingStatus::NoShow);
        assert_eq!(b.settlement(), Some(&settlement));
    }

    #[test]
    fn confirm_needs_the_deposit() {
        let err = booking("15")
            .apply(
                Action::Confirm { paid: brl("10") },
                at("2026-03-02T00:00:00Z"),
            )
            .unwrap_err();
        assert!(matches!(err, Error::DepositNotPaid { .. }), "{err}");
        assert!(booking("15")
            .apply(
                Action::Confirm { paid: brl("15") },
                at("2026-03-02T00:00:00Z")
            )
            .is_ok());
    }

    #[test]
    fn reschedule_keeps_buffers_and_history() {
        let b = booking("0");
        let to = Span::new(at("2026-03-11T15:00:00Z"), at("2026-03-11T15:30:00Z")).unwrap();
        let moved = b
            .clone()
            .apply(
                Action::Reschedule { appointment: to },
                at("2026-03-02T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(moved.appointment(), to);
        assert_eq!(moved.held().start(), at("2026-03-11T14:55:00Z"));
        assert_eq!(moved.held().end(), at("2026-03-11T15:40:00Z"));
        assert_eq!(
            moved.history().last().unwrap().change,
            Change::Rescheduled {
                from: b.appointment(),
                to
            }
        );
        assert_eq!(moved.status(), BookingStatus::Pending);
    }

    #[test]
    fn reschedule_into_the_past_is_refused() {
        let to = Span::new(at("2026-03-01T15:00:00Z"), at("2026-03-01T15:30:00Z")).unwrap();
        let err = booking("0")
            .apply(
                Action::Reschedule { appointment: to },
                at("2026-03-02T00:00:00Z"),
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("start"));
    }

    #[test]
    fn cancel_records_who_why_and_the_settlement() {
        let settlement = CancellationPolicy::free()
            .settle_cancellation(
                brl("50"),
                brl("0"),
                Party::Client,
                at("2026-03-10T15:00:00Z"),
                at("2026-03-02T00:00:00Z"),
            )
            .unwrap();
        let b = booking("0")
            .apply(
                Action::Cancel {
                    by: Party::Client,
                    reason: " viagem ".into(),
                    settlement,
                },
                at("2026-03-02T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(b.status(), BookingStatus::Cancelled);
        assert_eq!(
            b.history().last().unwrap().change,
            Change::Cancelled {
                by: Party::Client,
                reason: "viagem".into(),
                settlement
            }
        );
    }

    #[test]
    fn parts_round_trip() {
        let b = booking("5");
        assert_eq!(Booking::from_parts(b.to_parts()).unwrap(), b);
    }

    #[test]
    fn status_text_round_trips() {
        for s in [
            BookingStatus::Pending,
            BookingStatus::Confirmed,
            BookingStatus::Completed,
            BookingStatus::Cancelled,
            BookingStatus::NoShow,
        ] {
            assert_eq!(BookingStatus::parse(s.as_str()).unwrap(), s);
        }
        assert_eq!(
            BookingStatus::parse("done").unwrap_err().field(),
            Some("status")
        );
    }
}
