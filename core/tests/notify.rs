//! Notification timing (R28–R30): which notices are due when, and their
//! dedupe keys.

use agendo_core::booking::{Action, Booking};
use agendo_core::business::{Business, Service};
use agendo_core::ids::{BookingId, BusinessId, ClientId, ProfessionalId, ReceivableId, ServiceId};
use agendo_core::money::{Currency, Money};
use agendo_core::notify::{due_notices, NoticeKind, NotifySettings};
use agendo_core::payment::Receivable;
use agendo_core::policy::{CancellationPolicy, Party};
use agendo_core::time::{Span, WallTime};
use agendo_core::Lang;
use chrono::{DateTime, NaiveDate, Utc};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}
fn brl(s: &str) -> Money {
    Money::parse(s, Currency::BRL).unwrap()
}
fn shop() -> Business {
    Business::new(
        BusinessId::random(),
        "Salão",
        chrono_tz::America::Sao_Paulo,
        Currency::BRL,
        Lang::PtBr,
    )
    .unwrap()
}
/// Booked at `made` for 2026-03-10 12:00 in São Paulo (15:00Z).
fn booking(shop: &Business, made: &str) -> Booking {
    let cut = Service::new(ServiceId::random(), shop.id(), "Corte", 30, brl("45")).unwrap();
    Booking::new(
        BookingId::random(),
        &cut,
        ProfessionalId::random(),
        ClientId::random(),
        at("2026-03-10T15:00:00Z"),
        brl("45"),
        brl("0"),
        at(made),
    )
    .unwrap()
}
fn kinds(
    shop: &Business,
    bookings: &[Booking],
    receivables: &[Receivable],
    now: &str,
) -> Vec<NoticeKind> {
    due_notices(shop, bookings, receivables, at(now))
        .iter()
        .map(|n| n.kind)
        .collect()
}

#[test]
fn booking_made_is_due_to_client_and_professional_until_the_start() {
    let shop = shop();
    let b = booking(&shop, "2026-03-01T12:00:00Z");
    let due = due_notices(
        &shop,
        std::slice::from_ref(&b),
        &[],
        at("2026-03-01T12:00:00Z"),
    );
    assert_eq!(due.len(), 2);
    assert!(due.iter().all(|n| n.kind == NoticeKind::BookingMade));
    assert_ne!(due[0].dedupe_key, due[1].dedupe_key);
    assert!(
        kinds(&shop, &[b], &[], "2026-03-10T15:00:00Z").is_empty(),
        "nothing once it started"
    );
}

#[test]
fn reminder_the_day_before_at_the_configured_local_hour() {
    let shop = shop();
    let b = booking(&shop, "2026-03-01T12:00:00Z");
    // 18:00 on the 9th in São Paulo is 21:00Z.
    assert!(
        !kinds(&shop, std::slice::from_ref(&b), &[], "2026-03-09T20:59:00Z")
            .contains(&NoticeKind::ReminderDayBefore)
    );
    assert!(
        kinds(&shop, std::slice::from_ref(&b), &[], "2026-03-09T21:00:00Z")
            .contains(&NoticeKind::ReminderDayBefore)
    );
    let settings = NotifySettings::new(
        Some(WallTime::new(10, 0).unwrap()),
        None,
        WallTime::new(9, 0).unwrap(),
        3,
    )
    .unwrap();
    let early = shop.clone().with_notify(settings);
    assert!(
        kinds(&early, &[b], &[], "2026-03-09T13:00:00Z").contains(&NoticeKind::ReminderDayBefore)
    );
}

#[test]
fn reminder_an_hour_before_and_its_key_is_stable() {
    let shop = shop();
    let b = booking(&shop, "2026-03-01T12:00:00Z");
    let first = due_notices(
        &shop,
        std::slice::from_ref(&b),
        &[],
        at("2026-03-10T14:00:00Z"),
    );
    let again = due_notices(&shop, &[b], &[], at("2026-03-10T14:30:00Z"));
    let key = |list: &[agendo_core::notify::Notice]| {
        list.iter()
            .find(|n| n.kind == NoticeKind::ReminderShortlyBefore)
            .map(|n| n.dedupe_key.clone())
    };
    assert!(key(&first).is_some());
    assert_eq!(key(&first), key(&again));
}

#[test]
fn a_booking_made_after_the_reminder_time_gets_no_reminder() {
    let shop = shop();
    // Made at 22:00Z on the 9th, after the 21:00Z day-before reminder.
    let b = booking(&shop, "2026-03-09T22:00:00Z");
    assert!(
        !kinds(&shop, &[b], &[], "2026-03-09T22:00:00Z").contains(&NoticeKind::ReminderDayBefore)
    );
}

#[test]
fn a_rescheduled_booking_gets_a_change_notice_and_reminders_for_its_new_time() {
    let shop = shop();
    let b = booking(&shop, "2026-03-01T12:00:00Z");
    let old = due_notices(
        &shop,
        std::slice::from_ref(&b),
        &[],
        at("2026-03-10T14:00:00Z"),
    );
    let to = Span::new(at("2026-03-11T15:00:00Z"), at("2026-03-11T15:30:00Z")).unwrap();
    let moved = b
        .apply(
            Action::Reschedule { appointment: to },
            at("2026-03-02T12:00:00Z"),
        )
        .unwrap();
    assert!(kinds(
        &shop,
        std::slice::from_ref(&moved),
        &[],
        "2026-03-02T12:00:00Z"
    )
    .contains(&NoticeKind::BookingChanged));
    let new = due_notices(&shop, &[moved], &[], at("2026-03-11T14:00:00Z"));
    let reminder = |list: &[agendo_core::notify::Notice]| {
        list.iter()
            .find(|n| n.kind == NoticeKind::ReminderShortlyBefore)
            .map(|n| n.dedupe_key.clone())
            .unwrap()
    };
    assert_ne!(
        reminder(&old),
        reminder(&new),
        "the new time is reminded afresh"
    );
}

#[test]
fn a_cancelled_booking_gets_only_the_cancellation_notice() {
    let shop = shop();
    let b = booking(&shop, "2026-03-01T12:00:00Z");
    let settlement = CancellationPolicy::free()
        .settle_cancellation(
            brl("45"),
            brl("0"),
            Party::Client,
            at("2026-03-10T15:00:00Z"),
            at("2026-03-05T12:00:00Z"),
        )
        .unwrap();
    let b = b
        .apply(
            Action::Cancel {
                by: Party::Client,
                reason: String::new(),
                settlement,
            },
            at("2026-03-05T12:00:00Z"),
        )
        .unwrap();
    let all = kinds(&shop, &[b], &[], "2026-03-10T14:30:00Z");
    assert_eq!(
        all,
        [NoticeKind::BookingCancelled, NoticeKind::BookingCancelled]
    );
}

#[test]
fn payment_due_then_overdue_daily_for_three_days() {
    let shop = shop();
    let due = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let r = Receivable::new(
        ReceivableId::random(),
        shop.id(),
        ClientId::random(),
        None,
        brl("100"),
        due,
        "",
    )
    .unwrap();
    // 09:00 in São Paulo is 12:00Z.
    assert!(kinds(&shop, &[], std::slice::from_ref(&r), "2026-03-10T11:59:00Z").is_empty());
    assert_eq!(
        kinds(&shop, &[], std::slice::from_ref(&r), "2026-03-10T12:00:00Z"),
        [NoticeKind::PaymentDue]
    );
    for (day, now) in [
        (1, "2026-03-11T12:00:00Z"),
        (2, "2026-03-12T12:00:00Z"),
        (3, "2026-03-13T12:00:00Z"),
    ] {
        assert_eq!(
            kinds(&shop, &[], std::slice::from_ref(&r), now),
            [NoticeKind::PaymentOverdue { day }],
            "{now}"
        );
    }
    assert!(
        kinds(&shop, &[], std::slice::from_ref(&r), "2026-03-14T12:00:00Z").is_empty(),
        "three days at most"
    );
    let paid = r.pay(at("2026-03-11T13:00:00Z")).unwrap();
    assert!(kinds(&shop, &[], &[paid], "2026-03-12T12:00:00Z").is_empty());
}
