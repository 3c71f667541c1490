//! The one error type of `agendo-core`, and its catalogs: every
//! message a person reads, in English (`en.rs`, also `Display`) and in
//! Brazilian Portuguese (`pt_br.rs`). A new error is a variant here, its
//! class and code, and one arm in each catalog.
//!
//! Each variant is a cause and carries the values that explain it, so an
//! adapter can render its own message, map it to a status code through
//! [`Error::code`], or show the engine's message in the reader's language
//! through [`Error::message`]. `Display` is the English message: lowercase,
//! no final period, as the Rust API guidelines ask.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::account::Redemption;
use crate::availability::{BlockKey, BookingKey, StaffKey};
use crate::booking::{ActionKind, BookingStatus};
use crate::ids::{BookingId, PaymentId, ProfessionalId, ReceivableId, ServiceId, SessionId};
use crate::lang::Lang;

mod en;
mod pt_br;
use crate::money::{Currency, Money, Percent};
use crate::payment::{PaymentAction, PaymentStatus};
use crate::time::{Span, WallTime};

/// Everything that can go wrong in `agendo-core`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A value given to the engine is not acceptable.
    Invalid {
        /// Where the value is, as a path into the query: `staff[0].weekly.mon[1]`.
        field: String,
        /// What is wrong with it.
        problem: Problem,
    },

    /// A query is not JSON of the expected shape.
    MalformedJson {
        /// The path to the value that could not be read (`query` for the whole document).
        field: String,
        /// The JSON reader's description of the problem (English).
        detail: String,
        /// The line of the input where reading stopped, from 1.
        line: usize,
        /// The column of the input where reading stopped, from 1.
        column: usize,
    },

    /// A local time falls in a gap (clocks jumped forward over it) and the
    /// chosen [`Disambiguation`](crate::time::Disambiguation) rejects gaps.
    NonexistentLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone it was read in.
        zone: Tz,
        /// The offset in force just before the gap.
        before: FixedOffset,
        /// The offset in force just after the gap.
        after: FixedOffset,
    },

    /// A local time falls in a fold (clocks went back over it) and the chosen
    /// [`Disambiguation`](crate::time::Disambiguation) rejects folds.
    AmbiguousLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone it was read in.
        zone: Tz,
        /// The offset of the first occurrence.
        before: FixedOffset,
        /// The offset of the second occurrence.
        after: FixedOffset,
    },

    /// A local time is outside the years the engine answers for (1900 to
    /// 2099, where the time-zone data ends).
    LocalTimeOutOfRange {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone it was read in.
        zone: Tz,
    },

    /// A requested booking does not lie inside the professional's working
    /// hours (R18).
    OutsideWorkingHours {
        /// The professional.
        staff: StaffKey,
        /// The appointment that was asked for.
        span: Span,
        /// Who and in which zone, for the message a person reads.
        shown: Option<Box<Shown>>,
    },

    /// A requested booking meets one of the professional's blocks (R16, R18).
    Blocked {
        /// The professional.
        staff: StaffKey,
        /// The first block, in time order, that the booking meets.
        block: BlockKey,
        /// That block's span.
        span: Span,
        /// Who and in which zone, for the message a person reads.
        shown: Option<Box<Shown>>,
    },

    /// A requested booking meets as many bookings as the professional can
    /// take at once (R18): the slot is taken.
    SlotTaken {
        /// The professional.
        staff: StaffKey,
        /// Every booking the requested time meets, in time order.
        bookings: Vec<BookingKey>,
        /// How many bookings the professional can take at once.
        capacity: u32,
        /// Who and in which zone, for the message a person reads.
        shown: Option<Box<Shown>>,
    },

    /// Two amounts of different currencies were added, compared or mixed
    /// (R34): the engine never converts.
    CurrencyMismatch {
        /// The currency expected.
        expected: Currency,
        /// The currency found.
        found: Currency,
    },

    /// A booking cannot make this move from its current status (R19).
    IllegalTransition {
        /// The booking.
        booking: BookingId,
        /// Its current status.
        status: BookingStatus,
        /// The move asked for.
        action: ActionKind,
    },

    /// A booking cannot be completed or marked a no-show before it starts.
    NotStartedYet {
        /// The booking.
        booking: BookingId,
        /// The move asked for.
        action: ActionKind,
        /// When it starts.
        start: DateTime<Utc>,
    },

    /// A booking cannot be confirmed before its deposit is paid (R21).
    DepositNotPaid {
        /// The booking.
        booking: BookingId,
        /// The deposit.
        required: Money,
        /// What is paid so far.
        paid: Money,
    },

    /// A payment cannot make this move from its current status (R35).
    IllegalPaymentTransition {
        /// The payment.
        payment: PaymentId,
        /// Its current status.
        status: PaymentStatus,
        /// The move asked for.
        action: PaymentAction,
    },

    /// A refund asks for more than is left of a payment (R37).
    RefundTooLarge {
        /// The payment.
        payment: PaymentId,
        /// The refund asked for.
        requested: Money,
        /// What is left: the amount less earlier refunds.
        refundable: Money,
    },

    /// A receivable was paid already (R38).
    AlreadyPaid {
        /// The receivable.
        receivable: ReceivableId,
        /// When it was paid.
        at: DateTime<Utc>,
    },

    /// Only a dead message is sent again by hand; this one is pending or
    /// sent.
    NotDead {
        /// The message.
        message: crate::ids::MessageId,
        /// Its status: `pending` or `sent`.
        status: &'static str,
    },

    /// A record does not exist, or belongs to another business (R7).
    NotFound {
        /// What kind of record.
        record: RecordKind,
        /// The id asked for.
        id: String,
    },

    /// A record with this id exists already.
    AlreadyExists {
        /// What kind of record.
        record: RecordKind,
        /// The id.
        id: String,
    },

    /// A change would leave the business without an active owner: the last
    /// one may be neither retired nor given another role (R5).
    LastOwner {
        /// The account.
        account: crate::ids::AccountId,
    },

    /// A record is retired (soft-deleted) and takes no new bookings.
    Retired {
        /// What kind of record.
        record: RecordKind,
        /// The id.
        id: String,
    },

    /// A service needs a kind of resource the business has no active one
    /// of.
    NoResourceOfKind {
        /// The kind.
        kind: String,
    },

    /// Another business has this public address already.
    SlugTaken {
        /// The address.
        slug: String,
    },

    /// Another account of the business signs in with this e-mail (R1).
    EmailTaken {
        /// The e-mail.
        email: String,
    },

    /// A sign-in session cannot go on: it expired, was ended, or one of
    /// its older tokens was presented (and so it was ended now) (R2).
    SessionEnded {
        /// The session.
        session: SessionId,
        /// Why.
        why: Redemption,
    },

    /// A professional was asked for a service they do not perform (R13).
    ServiceNotPerformed {
        /// The professional.
        professional: ProfessionalId,
        /// The service.
        service: ServiceId,
    },

    /// Some occurrences of a recurring booking clash, so none was booked
    /// (R22).
    SeriesClashes {
        /// Every occurrence that cannot be booked, in order.
        clashes: Vec<SeriesClash>,
        /// Whether the occurrences were being moved ("this and
        /// following") rather than booked.
        moving: bool,
    },

    /// A booking is not part of a series.
    NotInSeries {
        /// The booking.
        booking: BookingId,
    },

    /// An idempotency key was sent again with a different request.
    IdempotencyKeyReused {
        /// The key.
        key: String,
    },

    /// Too many sign-ins or registrations in a short time (R6); trying
    /// again after `retry_after` seconds will be judged.
    TooManyAttempts {
        /// Seconds to wait.
        retry_after: u64,
    },

    /// The host is doing all the work of this kind it can (hashing
    /// passwords); trying again after `retry_after` seconds will work.
    Busy {
        /// Seconds to wait.
        retry_after: u64,
    },

    /// The actor may not do this (the permission table,
    /// [`crate::agenda::permission::grant`]).
    Forbidden {
        /// Who asked: `receptionist`, `professional`…
        actor: &'static str,
        /// What they asked to do.
        action: crate::agenda::Action,
    },

    /// A concurrent unit of work changed what this one read; trying again
    /// will see the change.
    WriteConflict,

    /// The store failed (connection lost, disk full). The detail is for
    /// logs, not for the people using the product.
    Storage {
        /// What the store reported.
        detail: String,
    },
}

impl std::fmt::Display for Error {
    /// The English message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&en::error(self))
    }
}

impl std::error::Error for Error {}

impl std::fmt::Display for Problem {
    /// The English description.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&en::problem(self))
    }
}

/// The one classification of errors every adapter maps from: the HTTP
/// status, the Python exception, the mobile error variant. A new error
/// variant is classified here once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// A value the caller sent is wrong; [`Error::field`] names it (HTTP
    /// 422, `ValidationError`).
    Invalid,
    /// The document the caller sent cannot be read at all (HTTP 400,
    /// `ValidationError`).
    Malformed,
    /// A record the caller named does not exist in the business, or is not
    /// theirs to see (HTTP 404).
    NotFound,
    /// The time is taken (HTTP 409).
    SlotTaken,
    /// The time meets a block (HTTP 409).
    Blocked,
    /// The time is outside the working hours (HTTP 409).
    OutsideWorkingHours,
    /// A rule refuses the action: a booking's state, a retired record, an
    /// unpaid deposit, a name taken (HTTP 409).
    Refused,
    /// The actor may not do this (HTTP 403).
    Forbidden,
    /// The session is over: sign in again (HTTP 401).
    SessionEnded,
    /// The engine or the host is too busy now; trying again will work
    /// (HTTP 503 with `Retry-After`).
    Busy,
    /// Too many attempts in a short time (HTTP 429 with `Retry-After`).
    Limited,
    /// The store failed (HTTP 503).
    Storage,
}

impl Error {
    /// The error's class, for adapters to map onto their own kinds.
    pub fn class(&self) -> Class {
        match self {
            Error::Invalid { .. }
            | Error::NonexistentLocalTime { .. }
            | Error::AmbiguousLocalTime { .. }
            | Error::LocalTimeOutOfRange { .. }
            | Error::CurrencyMismatch { .. }
            | Error::IdempotencyKeyReused { .. } => Class::Invalid,
            Error::MalformedJson { .. } => Class::Malformed,
            Error::NotFound { .. } => Class::NotFound,
            Error::SlotTaken { .. } => Class::SlotTaken,
            Error::Blocked { .. } => Class::Blocked,
            Error::OutsideWorkingHours { .. } => Class::OutsideWorkingHours,
            Error::IllegalTransition { .. }
            | Error::NotStartedYet { .. }
            | Error::DepositNotPaid { .. }
            | Error::IllegalPaymentTransition { .. }
            | Error::RefundTooLarge { .. }
            | Error::AlreadyPaid { .. }
            | Error::NotDead { .. }
            | Error::AlreadyExists { .. }
            | Error::LastOwner { .. }
            | Error::Retired { .. }
            | Error::NoResourceOfKind { .. }
            | Error::SlugTaken { .. }
            | Error::EmailTaken { .. }
            | Error::ServiceNotPerformed { .. }
            | Error::SeriesClashes { .. }
            | Error::NotInSeries { .. } => Class::Refused,
            Error::Forbidden { .. } => Class::Forbidden,
            Error::SessionEnded { .. } => Class::SessionEnded,
            Error::WriteConflict | Error::Busy { .. } => Class::Busy,
            Error::TooManyAttempts { .. } => Class::Limited,
            Error::Storage { .. } => Class::Storage,
        }
    }

    /// The same error, for a conflict on `on`'s time (a professional or a
    /// room) of an appointment starting at `start`, naming `who` and
    /// showing the time in `zone`; other errors are returned unchanged.
    pub fn shown(
        self,
        on: crate::business::Bookable,
        who: &str,
        zone: chrono_tz::Tz,
        start: DateTime<Utc>,
    ) -> Error {
        let Ok(key) = crate::store::staff_key(on) else {
            return self;
        };
        let staff = &key;
        let detail = || {
            Some(Box::new(Shown {
                on,
                who: who.to_owned(),
                zone,
                start,
            }))
        };
        match self {
            Error::OutsideWorkingHours {
                staff: on, span, ..
            } if on == *staff => Error::OutsideWorkingHours {
                shown: detail(),
                staff: on,
                span,
            },
            Error::Blocked {
                staff: on,
                block,
                span,
                ..
            } if on == *staff => Error::Blocked {
                shown: detail(),
                staff: on,
                block,
                span,
            },
            Error::SlotTaken {
                staff: on,
                bookings,
                capacity,
                ..
            } if on == *staff => Error::SlotTaken {
                shown: detail(),
                staff: on,
                bookings,
                capacity,
            },
            other => other,
        }
    }

    /// Builds an [`Error::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, problem: Problem) -> Error {
        Error::Invalid {
            field: field.into(),
            problem,
        }
    }

    /// Names the field an [`Error::Invalid`] is about, replacing the name it
    /// had: a constructor knows a value only as `end`, the query reader knows
    /// it as `staff[0].weekly.mon[1]`. Other errors are returned unchanged.
    pub fn at(self, path: impl Into<String>) -> Error {
        match self {
            Error::Invalid { problem, .. } => Error::Invalid {
                field: path.into(),
                problem,
            },
            other => other,
        }
    }

    /// Puts the field of an invalid value or malformed JSON under `parent`,
    /// for a document read inside another: `weekly.mon[0]` becomes
    /// `hours.weekly.mon[0]`, and the document itself (`query`) becomes
    /// `hours`. Other errors are returned unchanged.
    ///
    /// ```
    /// use agendo_core::availability::HoursQuery;
    /// let err = HoursQuery::from_json(r#"{"weekly": {"mon": [["10:00", "09:00"]]}}"#)
    ///     .and_then(|hours| hours.to_hours())
    ///     .unwrap_err()
    ///     .under("hours");
    /// assert_eq!(err.field(), Some("hours.weekly.mon[0]"));
    /// ```
    pub fn under(self, parent: &str) -> Error {
        let path = |field: String| match field.as_str() {
            "query" => parent.to_owned(),
            _ => format!("{parent}.{field}"),
        };
        match self {
            Error::Invalid { field, problem } => Error::Invalid {
                field: path(field),
                problem,
            },
            Error::MalformedJson {
                field,
                detail,
                line,
                column,
            } => Error::MalformedJson {
                field: path(field),
                detail,
                line,
                column,
            },
            other => other,
        }
    }

    /// The field an invalid value or malformed JSON is about, if any: a
    /// reused idempotency key is about `idempotency_key`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } | Error::MalformedJson { field, .. } => Some(field),
            Error::IdempotencyKeyReused { .. } => Some("idempotency_key"),
            _ => None,
        }
    }

    /// A stable, machine-readable name of the cause, for APIs and logs:
    /// `invalid_field`, `malformed_json`, `nonexistent_local_time`,
    /// `ambiguous_local_time`, `local_time_out_of_range`,
    /// `outside_working_hours`, `blocked`, `slot_taken`, `currency_mismatch`,
    /// `illegal_transition`, `not_started_yet`, `deposit_not_paid`,
    /// `illegal_payment_transition`, `refund_too_large`, `already_paid`,
    /// `not_found`, `already_exists`, `retired`, `slug_taken`,
    /// `email_taken`, `session_ended`, `service_not_performed`,
    /// `series_clashes`, `not_in_series`, `idempotency_key_reused`,
    /// `forbidden`, `busy`, `write_conflict` or `storage`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_field",
            Error::MalformedJson { .. } => "malformed_json",
            Error::NonexistentLocalTime { .. } => "nonexistent_local_time",
            Error::AmbiguousLocalTime { .. } => "ambiguous_local_time",
            Error::LocalTimeOutOfRange { .. } => "local_time_out_of_range",
            Error::OutsideWorkingHours { .. } => "outside_working_hours",
            Error::Blocked { .. } => "blocked",
            Error::SlotTaken { .. } => "slot_taken",
            Error::CurrencyMismatch { .. } => "currency_mismatch",
            Error::IllegalTransition { .. } => "illegal_transition",
            Error::NotStartedYet { .. } => "not_started_yet",
            Error::DepositNotPaid { .. } => "deposit_not_paid",
            Error::IllegalPaymentTransition { .. } => "illegal_payment_transition",
            Error::RefundTooLarge { .. } => "refund_too_large",
            Error::AlreadyPaid { .. } => "already_paid",
            Error::NotDead { .. } => "message_not_dead",
            Error::NotFound { .. } => "not_found",
            Error::AlreadyExists { .. } => "already_exists",
            Error::Retired { .. } => "retired",
            Error::NoResourceOfKind { .. } => "no_resource_of_kind",
            Error::LastOwner { .. } => "last_owner",
            Error::SlugTaken { .. } => "slug_taken",
            Error::EmailTaken { .. } => "email_taken",
            Error::SessionEnded { .. } => "session_ended",
            Error::ServiceNotPerformed { .. } => "service_not_performed",
            Error::SeriesClashes { .. } => "series_clashes",
            Error::NotInSeries { .. } => "not_in_series",
            Error::IdempotencyKeyReused { .. } => "idempotency_key_reused",
            Error::Forbidden { .. } => "forbidden",
            Error::Busy { .. } => "busy",
            Error::TooManyAttempts { .. } => "too_many_requests",
            Error::WriteConflict => "write_conflict",
            Error::Storage { .. } => "storage",
        }
    }

    /// The message for a person reading `lang` (R57), from the language's
    /// catalog (`error/en.rs`, `error/pt_br.rs`).
    ///
    /// # Example
    /// ```
    /// use agendo_core::{Lang, time::WallTime};
    /// let err = WallTime::parse("25:00").unwrap_err();
    /// assert!(err.message(Lang::En).contains("is not a time of day"));
    /// assert!(err.message(Lang::PtBr).contains("não é um horário"));
    /// ```
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => en::error(self),
            Lang::PtBr => pt_br::error(self),
        }
    }
}

/// What is wrong with a value, independent of where the value is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A text or a list that must have content is empty.
    Empty,

    /// A text is longer than allowed.
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },

    /// A text has a control character (such as U+0000, which no database
    /// text column holds): names have none, free text only line breaks
    /// and tabs.
    ControlCharacter {
        /// The character's code point.
        code: u32,
        /// Its position in the text, counting characters from 1.
        position: usize,
    },

    /// A list has more entries than allowed.
    TooMany {
        /// How many entries it has.
        count: usize,
        /// The most allowed.
        max: usize,
    },

    /// A count or a number of minutes is negative.
    Negative {
        /// The value given.
        value: i64,
    },

    /// A number is smaller than the smallest allowed.
    BelowMinimum {
        /// The value given.
        value: i64,
        /// The smallest allowed.
        min: i64,
    },

    /// A number is larger than the largest allowed.
    AboveMaximum {
        /// The value given.
        value: i64,
        /// The largest allowed.
        max: i64,
    },

    /// A name is not an IANA time zone.
    UnknownZone {
        /// The name given.
        name: String,
    },

    /// A text is not a wall-clock time `HH:MM` between `00:00` and `24:00`.
    BadTime {
        /// The text given.
        value: String,
    },

    /// A text is not a calendar date `YYYY-MM-DD` in years 1 to 9999.
    BadDate {
        /// The text given.
        value: String,
    },

    /// A date or instant outside the years the engine answers for
    /// ([`crate::time::FIRST_YEAR`] to [`crate::time::LAST_YEAR`]).
    OutsideSupportedYears {
        /// The date or instant given.
        value: String,
    },

    /// A text is not an RFC 3339 instant with an offset.
    BadInstant {
        /// The text given.
        value: String,
    },

    /// A working window does not end after it starts.
    WindowNotIncreasing {
        /// The window's start.
        start: WallTime,
        /// The window's end.
        end: WallTime,
    },

    /// A span of time does not end after it starts.
    SpanNotIncreasing {
        /// The span's start.
        start: DateTime<Utc>,
        /// The span's end.
        end: DateTime<Utc>,
    },

    /// A date range ends before it starts.
    RangeReversed {
        /// The first date of the range.
        from: NaiveDate,
        /// The last date of the range.
        to: NaiveDate,
    },

    /// A date range is longer than allowed.
    RangeTooLong {
        /// How many dates the range covers.
        days: i64,
        /// The most allowed.
        max: i64,
    },

    /// A value that must be unique appears twice.
    Duplicate {
        /// The repeated value.
        value: String,
    },

    /// A query would examine more candidate starts than the engine allows in
    /// one call, which bounds the time and memory any query can take.
    TooMuchWork {
        /// An upper bound of the candidate starts the query asks for.
        candidates: u64,
        /// The most allowed.
        max: u64,
    },

    /// An upload is not a PNG, JPEG or WebP picture, by its content.
    NotAnImage,

    /// An upload is larger than allowed.
    FileTooLarge {
        /// Its size in bytes.
        bytes: usize,
        /// The most allowed.
        max: usize,
    },

    /// A picture is wider, taller or has more pixels than allowed.
    TooManyPixels {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// The widest or tallest allowed.
        max_side: u32,
        /// The most pixels allowed.
        max_pixels: u64,
    },

    /// A text is not a colour `#RRGGBB`.
    BadColour {
        /// The text given.
        value: String,
    },

    /// A page cursor was not made by this list: altered, cut, or from
    /// another list.
    BadCursor,

    /// A template uses a variable its topic does not have.
    UnknownVariable {
        /// The name used.
        name: String,
        /// The names the topic has, comma separated.
        known: String,
    },

    /// A template opens a variable with `{{` and never closes it.
    UnclosedVariable,

    /// A link (a password reset, an e-mail verification) is not one this
    /// server sent, expired, or was used.
    ExpiredLink,

    /// A text is not an id (a UUID).
    BadId {
        /// The text given.
        value: String,
    },

    /// A text is not an ISO 4217 currency code the engine accepts.
    UnknownCurrency {
        /// The code given.
        code: String,
    },

    /// An amount has more decimal digits than its currency's minor unit.
    TooManyDecimals {
        /// The amount given.
        value: String,
        /// The currency.
        currency: &'static str,
        /// The digits of its minor unit.
        digits: u32,
    },

    /// An amount is past [`MAX_AMOUNT`](crate::money::MAX_AMOUNT), above
    /// or below zero.
    AmountTooLarge {
        /// The amount given.
        value: String,
        /// The largest allowed, either way.
        max: i64,
    },

    /// An amount has more decimal digits than an exact amount can hold.
    AmountTooPrecise {
        /// The amount given.
        value: String,
        /// The most decimal digits an amount can have.
        max: u32,
    },

    /// A text is not a decimal amount.
    BadAmount {
        /// The text given.
        value: String,
    },

    /// A person booking gave neither an e-mail nor a phone.
    NoContact,

    /// A text is not a whole number (minutes, hours, a capacity).
    NotWholeNumber {
        /// The text given.
        value: String,
    },

    /// An amount that must be above zero is not.
    NotPositive {
        /// The amount given.
        value: String,
    },

    /// A percentage is not between 0 and 100 with at most four decimals.
    PercentOutOfRange {
        /// The value given.
        value: String,
    },

    /// A fixed discount is larger than the price.
    DiscountExceedsPrice {
        /// The discount.
        discount: Money,
        /// The price.
        price: Money,
    },

    /// A tier of a cancellation policy charges less than a tier with more
    /// notice.
    FeeBelowEarlierTier {
        /// The fee given.
        fee: Percent,
        /// The fee of the tier before it.
        earlier: Percent,
    },

    /// A text is not an e-mail address.
    BadEmail {
        /// The text given.
        value: String,
    },

    /// A text is not a phone number.
    BadPhone {
        /// The text given.
        value: String,
    },

    /// A text is not a CPF or CNPJ with valid check digits.
    BadTaxId {
        /// The text given.
        value: String,
    },

    /// A text is not one of the values allowed.
    UnknownValue {
        /// The text given.
        value: String,
        /// The values allowed.
        expected: &'static str,
    },

    /// An instant that must not be in the past is.
    InThePast {
        /// The instant given.
        value: DateTime<Utc>,
        /// Now.
        now: DateTime<Utc>,
    },

    /// A booking's held span does not contain its appointment.
    HeldSpanTooShort,

    /// A recurrence rule is not one the engine understands.
    BadRecurrence {
        /// What is wrong with it.
        fault: crate::recurrence::RuleFault,
    },

    /// An idempotency key has characters other than visible ASCII.
    BadIdempotencyKey {
        /// The text given.
        value: String,
    },

    /// A record named in a request belongs to another client.
    OtherClient,

    /// A text is shorter than allowed.
    TooShort {
        /// Its length in characters.
        len: usize,
        /// The fewest allowed.
        min: usize,
    },

    /// A password is one that attackers try first (R3).
    WeakPassword,

    /// A stored hash is not in the expected format.
    BadHash,

    /// A value that must be given is missing.
    Required,

    /// A public address is not 3 to 63 lowercase letters, digits and
    /// hyphens.
    BadSlug {
        /// The text given.
        value: String,
    },

    /// A binding was handed a value of another kind than the field holds
    /// (a float for money, a naive datetime for an instant).
    Unfit {
        /// What the field holds.
        expected: Expected,
    },

    /// A binding was handed a value of a kind no field holds (a set, an
    /// object): `found` is its type's name.
    WrongKind {
        /// The type given.
        found: String,
    },

    /// A number or instant is beyond what can be held at all.
    OutOfRange,

    /// A whole number is larger than the field holds.
    TooLarge {
        /// The largest allowed.
        max: u64,
    },

    /// A document given to a binding nests lists and maps too deeply.
    TooDeep {
        /// The deepest allowed.
        max: usize,
    },

    /// A document does not read as the field's shape.
    Unreadable {
        /// What the reader said.
        detail: String,
    },
}

/// What a field holds, for [`Problem::Unfit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A date and time with a time zone (an instant).
    AwareDateTime,
    /// A local date and time, without a time zone: the wall time in the
    /// business's zone.
    LocalDateTime,
    /// A calendar date.
    Date,
    /// An exact amount: a decimal, a whole number or decimal text.
    Amount,
    /// A map whose keys are text.
    TextKeys,
    /// Unicode text.
    Text,
}

impl Problem {
    /// The description for a person reading `lang` (R57), from the
    /// language's catalog.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => en::problem(self),
            Lang::PtBr => pt_br::problem(self),
        }
    }
}

/// The kinds of records, as named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A business.
    Business,
    /// A service.
    Service,
    /// A professional.
    Professional,
    /// A resource.
    Resource,
    /// A client.
    Client,
    /// A block.
    Block,
    /// A booking.
    Booking,
    /// A payment.
    Payment,
    /// A receivable.
    Receivable,
    /// An account.
    Account,
    /// A sign-in session.
    Session,
    /// A picture (a logo, a photo).
    Picture,
    /// A message to a client or a professional.
    Message,
    /// A channel a business set up (WhatsApp, SMS).
    Channel,
    /// A webhook endpoint.
    Endpoint,
    /// A webhook delivery.
    Delivery,
    /// A calendar feed.
    Feed,
}

impl RecordKind {
    /// The kind as written in APIs: `business`, `service`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Business => "business",
            RecordKind::Service => "service",
            RecordKind::Professional => "professional",
            RecordKind::Resource => "resource",
            RecordKind::Client => "client",
            RecordKind::Block => "block",
            RecordKind::Booking => "booking",
            RecordKind::Payment => "payment",
            RecordKind::Receivable => "receivable",
            RecordKind::Picture => "picture",
            RecordKind::Message => "message",
            RecordKind::Channel => "channel",
            RecordKind::Endpoint => "webhook",
            RecordKind::Delivery => "delivery",
            RecordKind::Feed => "feed",
            RecordKind::Account => "account",
            RecordKind::Session => "session",
        }
    }

    /// The kind in `lang`, for people.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(
            self.as_str(),
            match self {
                RecordKind::Business => "empresa",
                RecordKind::Service => "serviço",
                RecordKind::Professional => "profissional",
                RecordKind::Resource => "recurso",
                RecordKind::Client => "cliente",
                RecordKind::Block => "bloqueio",
                RecordKind::Booking => "agendamento",
                RecordKind::Payment => "pagamento",
                RecordKind::Receivable => "conta a receber",
                RecordKind::Picture => "imagem",
                RecordKind::Message => "mensagem",
                RecordKind::Channel => "canal",
                RecordKind::Endpoint => "webhook",
                RecordKind::Delivery => "entrega",
                RecordKind::Feed => "agenda para calendário",
                RecordKind::Account => "conta de acesso",
                RecordKind::Session => "sessão",
            },
        )
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose time a conflict is about and the zone its times are read in, so
/// the message a person reads names them and shows local times (`Bia já tem
/// um horário seg, 07/12 às 09:00`) rather than ids and UTC. The use cases
/// add it ([`Error::shown`]); the pure conflict check, which knows only
/// keys, leaves it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// Whose time: the professional's or the room's.
    pub on: crate::business::Bookable,
    /// Their name.
    pub who: String,
    /// The business's zone.
    pub zone: chrono_tz::Tz,
    /// The appointment asked for.
    pub start: DateTime<Utc>,
}

/// One occurrence of a series that cannot be booked, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesClash {
    /// Its position in the series from 0 (for a move of "this and
    /// following", among the occurrences moved).
    pub index: usize,
    /// When it would start.
    pub start: DateTime<Utc>,
    /// Why it cannot be booked: a clash, a block, the working hours.
    pub cause: Box<Error>,
    /// The business's zone, in which its times are shown.
    pub zone: chrono_tz::Tz,
    /// The next free starts of the same service with the same
    /// professional, from that day on (at most
    /// [`crate::agenda::ALTERNATIVES`]); empty when none were looked for.
    pub alternatives: Vec<DateTime<Utc>>,
}

impl SeriesClash {
    /// The clash for a person reading `lang`, with local times.
    pub fn message(&self, lang: Lang) -> String {
        let label = lang.pick("occurrence", "ocorrência");
        let mut text = format!(
            "{label} {} ({}): {}",
            self.index + 1,
            crate::time::shown(self.start, self.zone, lang),
            self.cause.message(lang)
        );
        if !self.alternatives.is_empty() {
            let free: Vec<String> = self
                .alternatives
                .iter()
                .map(|at| crate::time::shown(*at, self.zone, lang))
                .collect();
            text.push_str(&format!(
                "; {} {}",
                lang.pick("free nearby:", "livre perto:"),
                free.join(", ")
            ));
        }
        text
    }
}

impl std::fmt::Display for SeriesClash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// A text to echo in an error, cut to 64 characters so no input makes an
/// error message large.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 64;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

/// Joins keys for a message: `k1, k2, k3`.
pub(crate) fn join<K: std::fmt::Display>(keys: &[K]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{Error, Problem};
    use crate::lang::Lang;

    #[test]
    fn invalid_field_message_names_the_field_in_both_languages() {
        let err = Error::invalid("duration_minutes", Problem::Negative { value: -5 });
        assert_eq!(
            err.to_string(),
            "duration_minutes: must not be negative, got -5"
        );
        assert_eq!(
            err.message(Lang::PtBr),
            "duration_minutes: não pode ser negativo; recebido -5"
        );
        assert_eq!(err.field(), Some("duration_minutes"));
        assert_eq!(err.code(), "invalid_field");
    }

    #[test]
    fn at_renames_the_field_of_an_invalid_value_only() {
        let err = Error::invalid("end", Problem::Empty).at("staff[2].weekly.mon[0]");
        assert_eq!(err.field(), Some("staff[2].weekly.mon[0]"));
        let json = Error::MalformedJson {
            field: "query".into(),
            detail: "expected value".into(),
            line: 1,
            column: 1,
        };
        assert_eq!(json.clone().at("elsewhere"), json);
    }
}
