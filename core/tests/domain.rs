//! Property tests of the booking domain: the policy never keeps more than
//! was paid, money sums are exact, and the reference store never holds two
//! overlapping active bookings of one professional, whatever the
//! interleaving of booking, cancelling and rescheduling.

use std::sync::Arc;

use agendo_core::agenda::{Agenda, BookRequest, Context};
use agendo_core::availability::{Buffers, WeeklyHours, WorkingHours};
use agendo_core::business::{Business, Client, Professional, Service};
use agendo_core::ids::{BookingId, BusinessId, ClientId, ProfessionalId, ServiceId};
use agendo_core::money::{amount_from_parts, read_amount, Currency, Money, Percent, MAX_AMOUNT};
use agendo_core::policy::{CancellationPolicy, Party, Tier};
use agendo_core::store::{Access, BookingFilter, MemoryStore};
use agendo_core::time::Window;
use agendo_core::Lang;
use chrono::{DateTime, TimeDelta, Utc, Weekday};
use futures_util::future::join_all;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn cents(n: i64) -> Money {
    Money::new(Decimal::new(n, 2), Currency::BRL).unwrap()
}

fn percent(hundredths: u32) -> Percent {
    Percent::new(Decimal::new(i64::from(hundredths), 2)).unwrap()
}

fn policy() -> impl Strategy<Value = CancellationPolicy> {
    (
        prop::collection::btree_set(0u32..200, 0..5),
        prop::collection::vec(0u32..=10_000, 5),
        0u32..=10_000,
        0u32..=10_000,
    )
        .prop_map(|(hours, mut fees, late, no_show)| {
            // Less notice never costs less: sort fees up as notice goes down.
            fees.truncate(hours.len());
            fees.sort_unstable();
            let tiers: Vec<Tier> = hours
                .iter()
                .rev()
                .zip(&fees)
                .map(|(h, f)| Tier::new(*h, percent(*f)).unwrap())
                .collect();
            let late = late.max(fees.last().copied().unwrap_or(0));
            CancellationPolicy::new(tiers, percent(late), percent(no_show), None).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// The fee kept and the refund add up to what was paid, neither is
    /// negative, and the fee kept is at most the policy's fee.
    #[test]
    fn policy_fee_and_refund_never_exceed_what_was_paid(
        policy in policy(),
        price in 0i64..1_000_000,
        paid_share in 0i64..=120,
        minutes_before in -3_000i64..20_000,
        by_business in any::<bool>(),
    ) {
        let price = cents(price);
        let paid = cents(price.amount().mantissa() as i64 * paid_share / 100);
        let start: DateTime<Utc> = "2026-03-10T15:00:00Z".parse().unwrap();
        let now = start - TimeDelta::minutes(minutes_before);
        let by = if by_business { Party::Business } else { Party::Client };
        for settled in [
            policy.settle_cancellation(price, paid, by, start, now).unwrap(),
            policy.settle_no_show(price, paid).unwrap(),
        ] {
            prop_assert!(!settled.fee().is_negative() && !settled.refund().is_negative());
            prop_assert_eq!(settled.fee().checked_add(settled.refund()).unwrap(), paid);
            prop_assert!(settled.fee().checked_cmp(&settled.policy_fee()).unwrap().is_le());
            prop_assert!(settled.policy_fee().checked_cmp(&price).unwrap().is_le());
        }
    }

    /// Sums of amounts are exact: they equal the sum of their cents.
    #[test]
    fn money_sums_are_exact(amounts in prop::collection::vec(-1_000_000_000i64..1_000_000_000, 0..200)) {
        let total = Money::sum(Currency::BRL, amounts.iter().map(|c| cents(*c))).unwrap();
        prop_assert_eq!(total.amount(), Decimal::new(amounts.iter().sum::<i64>(), 2));
    }

    /// A percent of an amount is rounded to whole cents, half to even.
    #[test]
    fn percent_rounds_half_even_to_the_cent(amount in 0i64..10_000_000, hundredths in 0u32..=10_000) {
        let exact = Decimal::new(amount, 2) * Decimal::new(i64::from(hundredths), 2) / Decimal::ONE_HUNDRED;
        let got = cents(amount).percent(percent(hundredths)).amount();
        prop_assert_eq!(got.scale(), 2);
        let diff = (got - exact).abs();
        prop_assert!(diff <= Decimal::new(5, 3), "{} vs {}", got, exact);
        if diff == Decimal::new(5, 3) {
            prop_assert!(got.mantissa() % 2 == 0, "a midpoint goes to the even cent: {}", got);
        }
    }

    /// Amount text is read exactly in its written form, with zeros at
    /// either end; the same number with a plus sign or an exponent is
    /// refused; given as parts (sign, digits, power of ten) it reads the
    /// same.
    #[test]
    fn amounts_read_back_exactly(
        units in -MAX_UNITS..=MAX_UNITS,
        scale in 0u32..=12,
        zeros in 0usize..4,
        shift in -6i64..=6,
    ) {
        let want = Decimal::new(units, scale);
        let plain = want.to_string();
        prop_assert_eq!(read_amount(&plain).unwrap(), want);
        let padded = if plain.contains('.') { format!("{plain}{}", "0".repeat(zeros)) } else { plain.clone() };
        prop_assert_eq!(read_amount(&padded).unwrap(), want);
        let signed = format!("+{plain}");
        let scientific = format!("{plain}e0");
        prop_assert!(read_amount(&signed).is_err());
        prop_assert!(read_amount(&scientific).is_err());
        // The same value as digits and an exponent: units × 10^-scale, the
        // digits padded with `shift` zeros at the end.
        let digits = format!("{}{}", units.unsigned_abs(), "0".repeat(shift.unsigned_abs() as usize));
        let exponent = -i64::from(scale) - shift.abs();
        prop_assert_eq!(amount_from_parts(units < 0, &digits, exponent, &plain).unwrap(), want);
    }

    /// No text makes the reader panic; what it accepts is within the bounds.
    #[test]
    fn any_text_is_an_amount_or_a_named_refusal(text in "[-+0-9.eE ]{0,40}|\\PC{0,20}") {
        match read_amount(&text) {
            Ok(amount) => prop_assert!(amount.abs() <= Decimal::from(MAX_AMOUNT)),
            Err(err) => prop_assert_eq!(err.field(), Some("amount")),
        }
    }
}

/// Amounts with up to 12 decimal digits that stay within MAX_AMOUNT when
/// the scale is 12: any scale then keeps them in range.
const MAX_UNITS: i64 = 999_999_999_999;

#[derive(Clone, Debug)]
enum Op {
    Book {
        professional: usize,
        slot: u32,
        long: bool,
    },
    Cancel {
        pick: usize,
    },
    Reschedule {
        pick: usize,
        slot: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..2, 0u32..40, any::<bool>()).prop_map(|(professional, slot, long)| Op::Book { professional, slot, long }),
        1 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        2 => (any::<usize>(), 0u32..40).prop_map(|(pick, slot)| Op::Reschedule { pick, slot }),
    ]
}

/// 2026-03-02 (a Monday) 09:00 in São Paulo plus `slot` quarter hours.
fn start_of(slot: u32) -> DateTime<Utc> {
    let nine: DateTime<Utc> = "2026-03-02T12:00:00Z".parse().unwrap();
    nine + TimeDelta::minutes(15 * i64::from(slot))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the order in which concurrent requests book, cancel and
    /// reschedule, no two active bookings of one professional overlap.
    #[test]
    fn the_memory_store_never_holds_overlapping_active_bookings(
        batches in prop::collection::vec(prop::collection::vec(op(), 1..8), 1..8),
    ) {
        futures_executor::block_on(async {
            let agenda = Agenda::new(Arc::new(MemoryStore::new()));
            let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
            let business = Business::new(BusinessId::random(), "Salão", chrono_tz::America::Sao_Paulo, Currency::BRL, Lang::PtBr).unwrap();
            agenda.create_business(&business).await.unwrap();
            let ctx = Context::staff(business.id(), now);
            let short = Service::new(ServiceId::random(), business.id(), "Corte", 30, cents(5000)).unwrap();
            let long = Service::new(ServiceId::random(), business.id(), "Cor", 60, cents(9000)).unwrap()
                .with_buffers(Buffers::new(0, 15).unwrap());
            agenda.save_service(&ctx, &short).await.unwrap();
            agenda.save_service(&ctx, &long).await.unwrap();
            let week = WeeklyHours::closed().with_day(Weekday::Mon, [Window::parse("09:00", "20:00").unwrap()]).unwrap();
            let mut staff = Vec::new();
            for name in ["Ana", "Bia"] {
                let p = Professional::new(ProfessionalId::random(), business.id(), name).unwrap()
                    .with_services([short.id(), long.id()])
                    .with_hours(WorkingHours::new(week.clone()));
                agenda.save_professional(&ctx, &p).await.unwrap();
                staff.push(p);
            }
            let client = Client::new(ClientId::random(), business.id(), "Maria").unwrap();
            agenda.save_client(&ctx, &client).await.unwrap();
            let mut known: Vec<BookingId> = Vec::new();
            for batch in batches {
                let runs = batch.iter().map(|op| {
                    let (agenda, ctx, known) = (&agenda, &ctx, &known);
                    let (short, long, staff, client) = (&short, &long, &staff, &client);
                    async move {
                        match *op {
                            Op::Book { professional, slot, long: is_long } => {
                                let service = if is_long { long.id() } else { short.id() };
                                let request = BookRequest { service, professional: staff[professional].id(), client: client.id(), start: start_of(slot), discount: None };
                                agenda.book(ctx, &request).await.ok().map(|b| b.id())
                            }
                            Op::Cancel { pick } if !known.is_empty() => {
                                let _ = agenda.cancel(ctx, known[pick % known.len()], "").await;
                                None
                            }
                            Op::Reschedule { pick, slot } if !known.is_empty() => {
                                let _ = agenda.reschedule(ctx, known[pick % known.len()], start_of(slot)).await;
                                None
                            }
                            _ => None,
                        }
                    }
                });
                known.extend(join_all(runs).await.into_iter().flatten());
            }
            let mut work = agenda.store().begin(business.id(), Access::Read).await.unwrap();
            let all = work.bookings(&BookingFilter::default()).await.unwrap();
            for a in all.iter().filter(|b| b.status().is_active()) {
                for b in all.iter().filter(|b| b.status().is_active()) {
                    if a.id() < b.id() && a.professional() == b.professional() {
                        prop_assert!(!a.held().overlaps(&b.held()), "{:?} and {:?} overlap", a, b);
                    }
                }
            }
            Ok(())
        })?;
    }
}
