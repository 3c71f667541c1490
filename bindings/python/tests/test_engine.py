"""The embedded engine over a real SQLite file and a real Postgres: every
use case, the errors, threads racing for one slot, and DST."""

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import agendo
from conftest import NOW, POLICY, UTC, WEEKDAYS, Shop

SP = ZoneInfo("America/Sao_Paulo")
MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SP)


def test_the_catalog_round_trips(engine, shop):
    assert engine.business(shop.id).name == "Salão da Ana"
    assert engine.business(shop.id).policy["late_fee_percent"] == "50"
    [cut] = engine.services(shop.id)
    assert (cut.name, cut.duration_minutes, cut.price, cut.currency) == ("Corte", 30, Decimal("80.00"), "BRL")
    [ana] = engine.professionals(shop.id)
    assert ana.services == [shop.cut.id]
    assert ana.hours["weekly"]["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    changed = engine.save_service(shop.id, "Corte curto", 45, "90", id=cut.id, buffer_after_minutes=15, now=NOW)
    assert changed.id == cut.id
    [again] = engine.services(shop.id)
    assert (again.name, again.duration_minutes, again.price, again.buffer_after_minutes) == (
        "Corte curto", 45, Decimal("90"), 15)


def test_clients_are_found_by_name_email_or_phone(engine, shop):
    engine.save_client(shop.id, "José Araújo", now=NOW)
    assert [c.name for c in engine.clients(shop.id, "jose")] == ["José Araújo"]
    assert [c.id for c in engine.clients(shop.id, "maria@example.com")] == [shop.maria.id]
    assert len(engine.clients(shop.id)) == 2
    assert shop.maria.phone == "+5511987654321"


def test_availability_then_booking_then_the_slot_is_gone(engine, shop):
    day = dt.date(2026, 3, 2)
    before = engine.availability(shop.id, shop.cut.id, day, day, now=NOW)
    assert before[0].start == MONDAY_9 and before[0].staff == [shop.ana.id]
    assert len(before) == 16  # 09:00-12:00 and 13:00-18:00 in half hours
    booking = shop.book(MONDAY_9)
    assert (booking.status, booking.price, booking.start) == ("confirmed", Decimal("80.00"), MONDAY_9)
    after = engine.availability(shop.id, shop.cut.id, day, day, now=NOW)
    assert [s.start for s in after] == [s.start for s in before[1:]]
    assert engine.booking(shop.id, booking.id).start == MONDAY_9


def test_a_taken_slot_names_the_booking(engine, shop):
    first = shop.book(MONDAY_9)
    other = engine.save_client(shop.id, "Bia", now=NOW)
    with pytest.raises(agendo.SlotTaken) as caught:
        shop.book(MONDAY_9 + dt.timedelta(minutes=15), client=other.id)
    assert caught.value.conflicts == (first.id,)
    assert caught.value.professional == shop.ana.id


def test_blocks_and_hours_refuse_bookings(engine, shop):
    lunch = engine.add_block(shop.id, shop.ana.id, MONDAY_9, MONDAY_9 + dt.timedelta(hours=1), reason="médico", now=NOW)
    with pytest.raises(agendo.Blocked) as caught:
        shop.book(MONDAY_9)
    assert caught.value.conflicts == (lunch.id,)
    with pytest.raises(agendo.OutsideWorkingHours):
        shop.book(MONDAY_9 + dt.timedelta(hours=3, minutes=30))
    engine.remove_block(shop.id, shop.ana.id, lunch.id, now=NOW)
    assert shop.book(MONDAY_9).start == MONDAY_9
    with pytest.raises(agendo.NotFound):
        engine.remove_block(shop.id, shop.ana.id, lunch.id, now=NOW)


def test_new_hours_open_new_slots(engine, shop):
    sunday = dt.date(2026, 3, 8)
    assert engine.availability(shop.id, shop.cut.id, sunday, sunday, now=NOW) == []
    hours = {"weekly": {**WEEKDAYS["weekly"], "sun": [["10:00", "11:00"]]}}
    assert engine.set_hours(shop.id, shop.ana.id, hours, now=NOW).hours["weekly"]["sun"] == [["10:00", "11:00"]]
    assert len(engine.availability(shop.id, shop.cut.id, sunday, sunday, now=NOW)) == 2
    with pytest.raises(agendo.ValidationError) as caught:
        engine.set_hours(shop.id, shop.ana.id, {"weekly": {"mon": [["12:00", "09:00"]]}}, now=NOW)
    assert caught.value.field == "hours.weekly.mon[0]"


def test_a_late_cancellation_keeps_the_fee_and_refunds_the_rest(engine, shop):
    booking = shop.book(MONDAY_9)
    paid = engine.record_payment(shop.id, shop.maria.id, Decimal("80.00"), "pix", booking=booking.id, now=NOW)
    assert (paid.status, paid.amount) == ("approved", Decimal("80.00"))
    quote = engine.cancellation_quote(shop.id, booking.id, now=MONDAY_9 - dt.timedelta(hours=10))
    assert (quote.fee, quote.refund, quote.rule) == (Decimal("40.00"), Decimal("40.00"), "late")
    assert engine.booking(shop.id, booking.id).status != "cancelled", "a quote changes nothing"
    ended = engine.cancel(shop.id, booking.id, reason="imprevisto", now=MONDAY_9 - dt.timedelta(hours=10))
    assert ended.booking.status == "cancelled"
    assert (ended.settlement.fee, ended.settlement.refund, ended.settlement.rule) == (
        Decimal("40.00"), Decimal("40.00"), "late")
    assert ended.refunded_payments == [paid.id]
    [after] = engine.payments(shop.id, booking.id)
    assert (after.net, after.status) == (Decimal("40.00"), "partially_refunded")


def test_the_lifecycle_through_the_engine(engine, shop):
    booking = shop.book(MONDAY_9)
    moved = engine.reschedule(shop.id, booking.id, MONDAY_9 + dt.timedelta(hours=1), now=NOW)
    assert moved.start == MONDAY_9 + dt.timedelta(hours=1)
    with pytest.raises(agendo.NotAllowed) as caught:
        engine.complete(shop.id, booking.id, now=NOW)
    assert caught.value.code == "not_started_yet"
    done = engine.complete(shop.id, booking.id, now=MONDAY_9 + dt.timedelta(hours=2))
    assert done.status == "completed"
    with pytest.raises(agendo.NotAllowed):
        engine.cancel(shop.id, booking.id, now=MONDAY_9 + dt.timedelta(hours=3))
    other = shop.book(MONDAY_9 + dt.timedelta(days=1))
    missed = engine.no_show(shop.id, other.id, now=MONDAY_9 + dt.timedelta(days=1, hours=1))
    assert (missed.booking.status, missed.settlement.rule) == ("no_show", "no_show")
    listed = engine.bookings(shop.id, MONDAY_9 - dt.timedelta(days=1), MONDAY_9 + dt.timedelta(days=7))
    assert [b.id for b in listed] == [booking.id, other.id]
    assert engine.bookings(shop.id, MONDAY_9, MONDAY_9 + dt.timedelta(days=7), professional=shop.ana.id)[0].id == booking.id


def test_payments_wait_for_approval_and_refund_exactly(engine, shop):
    pending = engine.record_payment(shop.id, shop.maria.id, "50", "pix", approved=False, now=NOW)
    assert pending.status == "pending"
    approved = engine.approve_payment(shop.id, pending.id, now=NOW)
    assert approved.status == "approved"
    refunded = engine.refund(shop.id, pending.id, Decimal("0.10"), reason="troco", now=NOW)
    assert refunded.net == Decimal("49.90")
    with pytest.raises(agendo.NotAllowed) as caught:
        engine.refund(shop.id, pending.id, Decimal("50"), now=NOW)
    assert caught.value.code == "refund_too_large"
    with pytest.raises(agendo.ValidationError) as caught:
        engine.record_payment(shop.id, shop.maria.id, 0.1, "pix", now=NOW)
    assert caught.value.field == "amount"
    with pytest.raises(agendo.ValidationError) as caught:
        engine.record_payment(shop.id, shop.maria.id, "10", "cheque", now=NOW)
    assert caught.value.field == "method"


def test_a_key_makes_a_retry_answer_the_same_booking(engine, shop):
    first = shop.book(MONDAY_9, key="order-1")
    again = shop.book(MONDAY_9, key="order-1")
    assert again.id == first.id
    # A key sent again with another request is a bad value, as on HTTP
    # (422): the field at fault is the key.
    with pytest.raises(agendo.ValidationError) as caught:
        shop.book(MONDAY_9 + dt.timedelta(hours=1), key="order-1")
    assert caught.value.code == "idempotency_key_reused"
    assert caught.value.field == "idempotency_key"


def test_bad_arguments_name_their_field_and_store_nothing(engine, shop):
    cases = [
        (lambda: engine.booking(shop.id, "42"), "booking"),
        (lambda: engine.business("not-an-id"), "business"),
        (lambda: engine.save_service(shop.id, "", 30, "10", now=NOW), "name"),
        (lambda: engine.save_service(shop.id, "Escova", 0, "10", now=NOW), "duration_minutes"),
        (lambda: engine.save_service(shop.id, "Escova", 30, "-1", now=NOW), "price"),
        (lambda: engine.save_client(shop.id, "Zé", email="not-mail", now=NOW), "email"),
        (lambda: engine.create_business("X", "Mars/Base", "BRL"), "timezone"),
        (lambda: engine.create_business("X", "UTC", "XYZ"), "currency"),
        (lambda: engine.create_business("X", "UTC", "BRL", locale="fr"), "locale"),
        (lambda: engine.create_business("X", "UTC", "BRL", confirmation="later"), "confirmation"),
        (lambda: engine.create_business("X", "UTC", "BRL", policy={"late_fee_percent": "10"}), "policy"),
        (lambda: shop.book(dt.datetime(2026, 3, 2, 9, 0)), "start"),
        (lambda: engine.availability(shop.id, shop.cut.id, dt.date(2026, 3, 9), dt.date(2026, 3, 2), now=NOW), "to"),
        (lambda: engine.availability(shop.id, shop.cut.id, "2026-03-02", dt.date(2026, 3, 2), now=NOW), "start_date"),
        (lambda: engine.add_block(shop.id, shop.ana.id, MONDAY_9, MONDAY_9, now=NOW), "end"),
    ]
    for call, field in cases:
        with pytest.raises(agendo.ValidationError) as caught:
            call()
        assert caught.value.field is not None and caught.value.field.startswith(field), (field, caught.value)
    with pytest.raises(agendo.NotFound):
        engine.booking(shop.id, "00000000-0000-4000-8000-000000000000")
    assert len(engine.services(shop.id)) == 1
    assert len(engine.clients(shop.id)) == 1
    assert engine.bookings(shop.id, NOW, NOW + dt.timedelta(days=30)) == []


def test_another_business_cannot_see_or_touch_the_records(engine, shop):
    booking = shop.book(MONDAY_9)
    other = engine.create_business("Barbearia", "America/Sao_Paulo", "BRL")
    with pytest.raises(agendo.NotFound):
        engine.booking(other.id, booking.id)
    with pytest.raises(agendo.NotFound):
        engine.cancel(other.id, booking.id, now=NOW)


def test_threads_racing_for_one_slot_make_exactly_one_booking(engine, shop):
    clients = [engine.save_client(shop.id, f"Cliente {i}", now=NOW).id for i in range(8)]
    barrier = threading.Barrier(len(clients))
    won, taken, other = [], [], []

    def race(client):
        barrier.wait()
        try:
            won.append(shop.book(MONDAY_9, client=client))
        except agendo.SlotTaken as err:
            taken.append(err)
        except Exception as err:  # noqa: BLE001 - any other outcome fails the test
            other.append(err)

    threads = [threading.Thread(target=race, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert len(won) == 1 and len(taken) == len(clients) - 1
    assert all(err.conflicts == (won[0].id,) for err in taken)
    assert len(engine.bookings(shop.id, MONDAY_9, MONDAY_9 + dt.timedelta(hours=1))) == 1


def test_datetimes_round_trip_across_dst(engine):
    # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
    ny = ZoneInfo("America/New_York")
    shop = Shop(engine, timezone="America/New_York")
    for local in (
        dt.datetime(2026, 3, 6, 9, 0, tzinfo=ny),
        dt.datetime(2026, 3, 9, 9, 0, tzinfo=ny),
        dt.datetime(2026, 10, 30, 9, 0, tzinfo=ny),
        dt.datetime(2026, 11, 2, 9, 0, tzinfo=ny),
    ):
        day = local.date()
        [first, *_] = engine.availability(shop.id, shop.cut.id, day, day, now=NOW)
        assert first.start == local and first.start.astimezone(ny).hour == 9
        booking = shop.book(local)
        stored = engine.booking(shop.id, booking.id)
        assert stored.start == local
        assert stored.start.utcoffset() == dt.timedelta(0)
        assert stored.start.astimezone(ny).replace(tzinfo=None) == local.replace(tzinfo=None)
    assert dt.datetime(2026, 3, 9, 9, tzinfo=ny).astimezone(UTC).hour == 13
    assert dt.datetime(2026, 3, 6, 9, tzinfo=ny).astimezone(UTC).hour == 14


def test_a_policy_on_the_business_reaches_cancellations(engine):
    shop = Shop(engine, policy={**POLICY, "late_fee_percent": "100"})
    booking = shop.book(MONDAY_9)
    engine.record_payment(shop.id, shop.maria.id, "80", "cash", booking=booking.id, now=NOW)
    ended = engine.cancel(shop.id, booking.id, now=MONDAY_9 - dt.timedelta(hours=1))
    assert (ended.settlement.fee, ended.settlement.refund) == (Decimal("80.00"), Decimal("0.00"))
    by_shop = Shop(engine)
    again = by_shop.book(MONDAY_9)
    ended = engine.cancel(by_shop.id, again.id, by="business", now=MONDAY_9 - dt.timedelta(hours=1))
    assert ended.settlement.rule == "business_cancelled"


def test_a_role_acting_gets_what_the_permission_table_grants(engine, shop):
    bia = engine.save_professional(shop.id, "Bia", services=[shop.cut.id], hours=WEEKDAYS, now=NOW)
    desk = engine.acting("receptionist")
    ana = engine.acting("professional", shop.ana.id)
    # The receptionist books and sees clients, but takes no money.
    booking = desk.book(shop.id, shop.cut.id, bia.id, shop.maria.id, MONDAY_9, now=NOW)
    assert [c.name for c in desk.clients(shop.id, "maria")] == ["Maria da Silva"]
    with pytest.raises(agendo.Forbidden) as caught:
        desk.record_payment(shop.id, shop.maria.id, "10", "cash", now=NOW)
    assert caught.value.code == "forbidden"
    assert "recepção não pode registrar pagamentos" in caught.value.message_pt_br
    # Ana books her own agenda only, and does not see Bia's bookings.
    with pytest.raises(agendo.Forbidden):
        ana.book(shop.id, shop.cut.id, bia.id, shop.maria.id, MONDAY_9 + dt.timedelta(hours=1), now=NOW)
    own = ana.book(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, MONDAY_9, now=NOW)
    assert [b.id for b in ana.bookings(shop.id, MONDAY_9, MONDAY_9 + dt.timedelta(days=1))] == [own.id]
    with pytest.raises(agendo.NotFound):
        ana.booking(shop.id, booking.id)
    # A Forbidden is a NotAllowed, for code written before roles.
    with pytest.raises(agendo.NotAllowed):
        ana.save_service(shop.id, "Barba", 20, "30", now=NOW)
    with pytest.raises(agendo.ValidationError) as caught:
        engine.acting("gerente")
    assert caught.value.field == "role"


def test_events_follow_every_change(engine, shop):
    before = engine.events(shop.id)
    assert [e["type"] for e in before] == ["service_created", "professional_created", "client_created"]
    assert [e["number"] for e in before] == [1, 2, 3]
    booking = shop.book(MONDAY_9)
    engine.cancel(shop.id, booking.id, by="business", reason="agenda cheia", now=NOW)
    after = engine.events(shop.id, after=3)
    # The shop confirms at once: the booking is made and confirmed.
    assert [e["type"] for e in after] == ["booking_created", "booking_confirmed", "booking_cancelled"]
    assert [e["number"] for e in after] == [4, 5, 6]
    assert after[0]["booking"] == booking.id
    assert after[2]["by"] == "business"
    assert engine.events(shop.id, after=6) == []
    with pytest.raises(agendo.Forbidden):
        engine.acting("professional", shop.ana.id).events(shop.id)
