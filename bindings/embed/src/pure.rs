//! The engine's answers that need no store: the slot search and the
//! conflict check over a query in the engine's JSON contract, the
//! cancellation policy, and recurrence expansion.

use agendo_core::availability::{SlotAnswer, SlotQuery, SlotSearch};
use agendo_core::money::{Currency, Money};
use agendo_core::policy::{Party, PolicyQuery, Settlement};
use agendo_core::recurrence::RecurrenceRule;
use agendo_core::time::{parse_zone, Span};
use agendo_core::Problem;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use crate::Error;

/// The free slots of a query in the engine's JSON contract (the shape of
/// [`SlotQuery`]).
///
/// # Errors
/// [`crate::Kind::Validation`] naming the field by its path in the query
/// (`staff[0].weekly.mon[1]`).
///
/// # Example
/// ```
/// let answer = agendo_embed::pure::find_slots(r#"{
///     "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-02",
///     "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
///     "staff": [{ "id": "ana", "weekly": { "mon": [["09:00", "10:00"]] } }]
/// }"#)?;
/// assert_eq!(answer.len(), 2);
/// # Ok::<(), agendo_embed::Error>(())
/// ```
pub fn find_slots(query: &str) -> Result<SlotAnswer, Error> {
    Ok(SlotSearch::from_json(query)?.find_slots())
}

/// As [`find_slots`], for a query already read into a [`SlotQuery`] (what
/// a binding reads straight from its language's dicts, skipping the text).
///
/// # Errors
/// [`crate::Kind::Validation`] naming the field by its path in the query.
pub fn find_slots_in(query: &SlotQuery) -> Result<SlotAnswer, Error> {
    Ok(query.to_search()?.find_slots())
}

/// Checks that `staff` of the query may be booked at exactly `start`, for
/// the query's duration and buffers, against their hours, blocks, bookings
/// and capacity: the check the engine makes inside the booking's
/// transaction. Minimum notice, horizon and daily limit are the slot
/// search's rules for clients booking themselves and are not applied.
///
/// # Errors
/// [`crate::Kind::SlotTaken`], [`crate::Kind::Blocked`] or
/// [`crate::Kind::OutsideWorkingHours`] naming what is in the way;
/// [`crate::Kind::Validation`] for the query or for `staff` when the query
/// has no such professional.
pub fn check_booking(query: &str, staff: &str, start: DateTime<Utc>) -> Result<(), Error> {
    check_booking_of(&SlotSearch::from_json(query)?, staff, start)
}

/// As [`check_booking`], for a query already read into a [`SlotQuery`].
///
/// # Errors
/// As [`check_booking`].
pub fn check_booking_in(query: &SlotQuery, staff: &str, start: DateTime<Utc>) -> Result<(), Error> {
    check_booking_of(&query.to_search()?, staff, start)
}

fn check_booking_of(search: &SlotSearch, staff: &str, start: DateTime<Utc>) -> Result<(), Error> {
    let calendar = search
        .staff()
        .iter()
        .find(|c| c.key().as_str() == staff)
        .ok_or_else(|| agendo_core::Error::Invalid {
            field: "staff".to_owned(),
            problem: Problem::UnknownValue {
                value: staff.chars().take(64).collect(),
                expected: "the id of one of the query's staff",
            },
        })?;
    let rules = search.rules();
    let minutes = TimeDelta::minutes(i64::from(rules.duration_minutes()));
    let end = start.checked_add_signed(minutes).unwrap_or(start);
    let appointment = Span::new(start, end).map_err(|e| e.at("start"))?;
    Ok(calendar.check_booking(appointment, rules.buffers())?)
}

/// What a cancellation costs and returns under `policy`: the fee kept, the
/// refund and the rule, for a booking of `price` starting at `start`, of
/// which `paid` was paid, cancelled `by` a party at `now`. A cancellation
/// at or after the start is a no-show.
///
/// # Errors
/// [`crate::Kind::Validation`] naming `policy.…`, `currency`, `price` or
/// `paid`.
///
/// # Example
/// ```
/// use agendo_core::policy::{Party, PolicyQuery};
/// use rust_decimal::Decimal;
/// let policy = PolicyQuery::from_json(r#"{"tiers": [{"min_notice_hours": 24, "fee_percent": "0"}],
///     "late_fee_percent": "50", "no_show_fee_percent": "100"}"#)?;
/// let settled = agendo_embed::pure::settle_cancellation(
///     &policy, "BRL", Decimal::new(8000, 2), Decimal::new(8000, 2), Party::Client,
///     "2026-03-10T15:00:00Z".parse().unwrap(), "2026-03-10T05:00:00Z".parse().unwrap(),
/// )?;
/// assert_eq!(settled.fee().amount(), Decimal::new(4000, 2));
/// # Ok::<(), agendo_embed::Error>(())
/// ```
pub fn settle_cancellation(
    policy: &PolicyQuery,
    currency: &str,
    price: Decimal,
    paid: Decimal,
    by: Party,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Settlement, Error> {
    let currency = Currency::parse(currency).map_err(|e| e.at("currency"))?;
    let policy = policy.to_policy(currency).map_err(|e| e.under("policy"))?;
    let price = Money::new(price, currency).map_err(|e| e.at("price"))?;
    let paid = Money::new(paid, currency).map_err(|e| e.at("paid"))?;
    Ok(policy.settle_cancellation(price, paid, by, start, now)?)
}

/// The starts of a recurring series: `rule` is an RFC 5545 `RRULE`
/// (`FREQ=WEEKLY;BYDAY=TU;COUNT=4`), the first occurrence is at local
/// `first` in `timezone`, and every occurrence keeps that wall time across
/// daylight-saving changes.
///
/// # Errors
/// [`crate::Kind::Validation`] naming `rule` or `timezone`.
///
/// # Example
/// ```
/// // 19:00 in London, the week before and the week after clocks go back.
/// let first = "2026-10-20T19:00:00".parse().unwrap();
/// let starts = agendo_embed::pure::expand_recurrence("FREQ=WEEKLY;COUNT=2", "Europe/London", first)?;
/// assert_eq!(starts[0].to_rfc3339(), "2026-10-20T18:00:00+00:00");
/// assert_eq!(starts[1].to_rfc3339(), "2026-10-27T19:00:00+00:00");
/// # Ok::<(), agendo_embed::Error>(())
/// ```
pub fn expand_recurrence(
    rule: &str,
    timezone: &str,
    first: NaiveDateTime,
) -> Result<Vec<DateTime<Utc>>, Error> {
    let zone = parse_zone(timezone).map_err(|e| e.at("timezone"))?;
    let rule = RecurrenceRule::parse(rule).map_err(|e| e.at("rule"))?;
    Ok(rule.expand(zone, first)?)
}
