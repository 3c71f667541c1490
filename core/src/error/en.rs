//! The English catalog: every message of [`Error`] and [`Problem`] a
//! person reads in English; `Display` of both.

use super::{join, Error, Expected, Problem, Shown};
use crate::account::Redemption;
use crate::lang::Lang;

/// The message of `error`.
pub(super) fn error(error: &Error) -> String {
    match error {
        Error::Invalid { field, problem } => format!("{field}: {problem}"),
        Error::MalformedJson {
            field,
            detail,
            line,
            column,
        } => format!("{field}: {detail} (line {line}, column {column})"),
        Error::NonexistentLocalTime {
            local,
            zone,
            before,
            after,
        } => {
            format!("{local} does not exist in {zone}: clocks jump from offset {before} to {after}")
        }
        Error::AmbiguousLocalTime {
            local,
            zone,
            before,
            after,
        } => format!(
            "{local} is ambiguous in {zone}: it happens at offset {before} and again at {after}"
        ),
        Error::LocalTimeOutOfRange { local, zone } => {
            format!("{local} in {zone} is outside the years the engine answers for (1900 to 2099)")
        }
        Error::OutsideWorkingHours { shown: Some(s), .. } => {
            format!("{} does not work on {}", s.who, when(s))
        }
        Error::OutsideWorkingHours { staff, span, .. } => {
            format!("{staff} does not work the whole of {span}")
        }
        Error::Blocked { shown: Some(s), .. } => {
            format!("{} is not available on {}", s.who, when(s))
        }
        Error::Blocked {
            staff, block, span, ..
        } => format!("{staff} is blocked by {block} during {span}"),
        Error::SlotTaken { shown: Some(s), .. } => {
            format!("{} is already booked on {}", s.who, when(s))
        }
        Error::SlotTaken {
            staff,
            bookings,
            capacity,
            ..
        } => format!(
            "{staff} is fully booked then: {} already take {capacity} place(s)",
            join(bookings)
        ),
        Error::CurrencyMismatch { expected, found } => {
            format!("amounts in {expected} and {found} cannot be mixed")
        }
        Error::IllegalTransition { status, action, .. } => {
            format!("this booking is {status} and cannot {action}")
        }
        Error::NotStartedYet { action, .. } => {
            format!("this booking has not started yet; it cannot {action} before its time")
        }
        Error::DepositNotPaid { required, paid, .. } => format!(
            "this booking needs a deposit of {} to be confirmed; {} is paid",
            required.shown(Lang::En),
            paid.shown(Lang::En)
        ),
        Error::IllegalPaymentTransition { status, action, .. } => format!(
            "this payment is {status} and cannot be {}",
            action.past_participle()
        ),
        Error::RefundTooLarge {
            requested,
            refundable,
            ..
        } => format!(
            "{} of this payment is left to refund; {} was asked",
            refundable.shown(Lang::En),
            requested.shown(Lang::En)
        ),
        Error::AlreadyPaid { receivable, at } => {
            format!("receivable {receivable} was paid at {at}")
        }
        Error::NotDead { message, status } => format!(
            "message {message} is {status}: only a message that was given up on is sent again"
        ),
        Error::NotFound { record, id } => format!("{record} {id} not found"),
        Error::AlreadyExists { record, id } => format!("{record} {id} already exists"),
        Error::LastOwner { .. } => {
            "this account is the business's last active owner; add another owner first".to_owned()
        }
        Error::Retired { record, id } => format!("{record} {id} is retired"),
        Error::NoResourceOfKind { kind } => {
            format!("there is no active resource of kind \"{kind}\"")
        }
        Error::SlugTaken { slug } => format!("the public address \"{slug}\" is taken"),
        Error::EmailTaken { email } => format!("an account with the e-mail {email} exists already"),
        Error::SessionEnded { session, why } => {
            format!("session {session} has ended ({})", why_text(*why))
        }
        Error::ServiceNotPerformed {
            professional,
            service,
        } => format!("professional {professional} does not perform service {service}"),
        Error::SeriesClashes { clashes, moving } => format!(
            "{} of the series cannot be {}, so none was: {}",
            clashes.len(),
            if *moving { "moved" } else { "booked" },
            join(clashes)
        ),
        Error::NotInSeries { booking } => format!("booking {booking} is not part of a series"),
        Error::IdempotencyKeyReused { key } => {
            format!("idempotency key \"{key}\" was used for a different request")
        }
        Error::Busy { retry_after } => {
            format!("the server is busy; try again in {retry_after} seconds")
        }
        Error::Forbidden { actor, action } => format!(
            "{} may not {}",
            crate::agenda::permission::actor_label(actor, Lang::En),
            action.describe(Lang::En)
        ),
        Error::TooManyAttempts { retry_after } => {
            format!("too many attempts; try again in {retry_after} seconds")
        }
        Error::WriteConflict => "a concurrent change got in the way; try again".to_owned(),
        Error::Storage { detail } => format!("the store failed: {detail}"),
    }
}

/// The description of `problem`.
pub(super) fn problem(problem: &Problem) -> String {
    match problem {
        Problem::Empty => "must not be empty".to_owned(),
        Problem::TooLong { len, max } => format!("is {len} characters long; at most {max} are allowed"),
        Problem::ControlCharacter { code, position } => format!("has a control character (U+{code:04X}) at character {position}"),
        Problem::TooMany { count, max } => format!("has {count} entries; at most {max} are allowed"),
        Problem::Negative { value } => format!("must not be negative, got {value}"),
        Problem::BelowMinimum { value, min } => format!("must be at least {min}, got {value}"),
        Problem::AboveMaximum { value, max } => format!("must be at most {max}, got {value}"),
        Problem::UnknownZone { name } => format!("unknown time zone \"{name}\" (expected an IANA name such as America/Sao_Paulo)"),
        Problem::BadTime { value } => format!("\"{value}\" is not a time of day (expected HH:MM from 00:00 to 24:00)"),
        Problem::BadDate { value } => format!("\"{value}\" is not a date (expected YYYY-MM-DD in years 1 to 9999)"),
        Problem::OutsideSupportedYears { value } => format!("{value} is outside the years the engine answers for (1900 to 2099)"),
        Problem::BadInstant { value } => format!("\"{value}\" is not an RFC 3339 instant with an offset, such as 2026-03-01T12:00:00Z"),
        Problem::WindowNotIncreasing { start, end } => format!("end {end} is not after start {start}"),
        Problem::SpanNotIncreasing { start, end } => format!("end {end} is not after start {start}"),
        Problem::RangeReversed { from, to } => format!("{to} is before the start of the range, {from}"),
        Problem::RangeTooLong { days, max } => format!("the range covers {days} days; at most {max} are allowed"),
        Problem::Duplicate { value } => format!("\"{value}\" appears more than once"),
        Problem::TooMuchWork { candidates, max } => format!("the query could examine up to {candidates} candidate starts; at most {max} are allowed (shorten the date range, raise step_minutes or ask for fewer professionals)"),
        Problem::BadId { value } => format!("\"{value}\" is not an id (expected a UUID such as 67e55044-10b1-426f-9247-bb680e5fe0c8)"),
        Problem::UnknownCurrency { code } => format!("unknown currency \"{code}\" (expected an ISO 4217 code with a minor unit, such as BRL)"),
        Problem::TooManyDecimals { value, currency, digits } => format!("{value} has more than the {digits} decimal digit(s) {currency} allows"),
        Problem::AmountTooLarge { value, max } => format!("must be at most {max} either way, got {value}"),
        Problem::AmountTooPrecise { value, max } => format!("{value} has more than the {max} decimal digits an exact amount can hold"),
        Problem::BadAmount { value } => format!("\"{value}\" is not an amount (expected a decimal number with a point, such as 45.90)"),
        Problem::NotWholeNumber { value } => format!("\"{value}\" is not a whole number"),
        Problem::NoContact => "give an e-mail or a phone number".to_owned(),
        Problem::NotPositive { value } => format!("must be above zero, got {value}"),
        Problem::PercentOutOfRange { value } => format!("{value} is not a percentage from 0 to 100 with at most 4 decimal digits"),
        Problem::DiscountExceedsPrice { discount, price } => format!(
            "a discount of {} is more than the price, {}",
            discount.shown(Lang::En),
            price.shown(Lang::En)
        ),
        Problem::FeeBelowEarlierTier { fee, earlier } => format!("fee {fee} is below {earlier}, the fee for more notice: a later cancellation cannot cost less"),
        Problem::BadEmail { value } => format!("\"{value}\" is not an e-mail address"),
        Problem::BadPhone { value } => format!("\"{value}\" is not a phone number (expected a Brazilian number with area code, such as (11) 91234-5678, or +country code and number)"),
        Problem::BadTaxId { value } => format!("\"{value}\" is not a valid CPF or CNPJ (check the digits)"),
        Problem::UnknownValue { value, expected } => format!("\"{value}\" is not one of: {expected}"),
        Problem::InThePast { value, now } => format!("{value} is in the past (now is {now})"),
        Problem::HeldSpanTooShort => "the held span must contain the appointment".to_owned(),
        Problem::BadRecurrence { fault } => format!("{fault}"),
        Problem::BadIdempotencyKey { value } => format!("\"{value}\" may only have visible ASCII characters"),
        Problem::OtherClient => "belongs to another client".to_owned(),
        Problem::TooShort { len, min } => format!("is {len} characters long; at least {min} are needed"),
        Problem::WeakPassword => "is too easy to guess: avoid repeated characters, your e-mail and common passwords".to_owned(),
        Problem::BadHash => "is not a hash in the expected format".to_owned(),
        Problem::Required => "is required".to_owned(),
        Problem::Unfit { expected } => match expected {
            Expected::AwareDateTime => "expected a date and time with a time zone (an aware datetime, such as one with ZoneInfo(\"America/Sao_Paulo\"))".to_owned(),
            Expected::LocalDateTime => "expected a local date and time without a time zone: the wall time in the business's zone".to_owned(),
            Expected::Date => "expected a date, such as 2026-03-02".to_owned(),
            Expected::Amount => "expected an exact amount (a Decimal, an int or decimal text); a float is not exact money".to_owned(),
            Expected::TextKeys => "has a key that is not text".to_owned(),
            Expected::Text => "is not valid Unicode text".to_owned(),
        },
        Problem::WrongKind { found } => format!("cannot be a {found}"),
        Problem::OutOfRange => "is out of range".to_owned(),
        Problem::NotAnImage => "is not a PNG, JPEG or WebP picture".to_owned(),
        Problem::FileTooLarge { bytes, max } => format!("has {} KB, more than the {} KB allowed", bytes.div_ceil(1024), max / 1024),
        Problem::TooManyPixels { width, height, max_side, max_pixels } => format!("is {width} x {height} pixels; at most {max_side} on a side and {} megapixels are read", max_pixels / 1_000_000),
        Problem::BadColour { value } => format!("\"{value}\" is not a colour (expected #RRGGBB, such as #1A7F3C)"),
        Problem::BadCursor => "is not a cursor this list gave (it was altered, cut, or comes from another list); start again without it".to_owned(),
        Problem::UnknownVariable { name, known } => format!("uses {{{{{name}}}}}, which this message does not have (it has: {known})"),
        Problem::UnclosedVariable => "opens a variable with {{ and never closes it with }}".to_owned(),
        Problem::ExpiredLink => "is not a link this server sent, or it expired (links work once, for an hour): ask for a new one".to_owned(),
        Problem::TooLarge { max } => format!("is too large (at most {max})"),
        Problem::TooDeep { max } => format!("is nested too deeply (more than {max} lists and maps)"),
        Problem::Unreadable { detail } => format!("cannot be read: {detail}"),
        Problem::BadSlug { value } => format!("\"{value}\" is not a public address (expected 3 to 63 lowercase letters, digits and inner hyphens, such as salao-da-ana)"),
    }
}

/// Why a session ended, in English.
fn why_text(why: Redemption) -> &'static str {
    match why {
        Redemption::Expired => "it expired; sign in again",
        Redemption::Reused => "an older token was presented again, so it was ended for safety",
        Redemption::Revoked | Redemption::Current => "sign in again",
    }
}

/// When a conflict's appointment starts, in the business's zone.
fn when(shown: &Shown) -> String {
    crate::time::shown(shown.start, shown.zone, Lang::En)
}
