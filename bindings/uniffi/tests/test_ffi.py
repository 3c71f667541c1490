"""The uniffi surface, through the Python module uniffi generates from the
built library: the same calls Kotlin and Swift make. `cargo xtask test`
generates `agendo_ffi.py`, puts the library beside it and runs this file
with that directory on PYTHONPATH."""

import datetime as dt
import json
import os
import threading

import pytest

import agendo_ffi as ffi

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)
MONDAY_9 = dt.datetime(2026, 3, 2, 12, tzinfo=UTC)  # 09:00 in São Paulo
HOURS = json.dumps({"weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}})
POLICY = json.dumps(
    {"tiers": [{"min_notice_hours": 24, "fee_percent": "0"}], "late_fee_percent": "50", "no_show_fee_percent": "100"}
)
QUERY = {
    "timezone": "America/Sao_Paulo", "from": "2026-03-02", "to": "2026-03-02",
    "now": "2026-03-01T12:00:00Z", "duration_minutes": 30,
    "staff": [{"id": "ana", "weekly": {"mon": [["09:00", "10:00"]]},
               "bookings": [{"id": "b1", "start": "2026-03-02T12:00:00Z", "end": "2026-03-02T12:30:00Z"}]}],
}


def test_find_slots_and_the_conflict_check():
    [slot] = ffi.find_slots(json.dumps(QUERY))
    assert (slot.start, slot.end, slot.staff) == (
        dt.datetime(2026, 3, 2, 12, 30, tzinfo=UTC), dt.datetime(2026, 3, 2, 13, tzinfo=UTC), ["ana"])
    ffi.check_booking(json.dumps(QUERY), "ana", slot.start)
    with pytest.raises(ffi.AgendoError.SlotTaken) as caught:
        ffi.check_booking(json.dumps(QUERY), "ana", MONDAY_9)
    assert (caught.value.conflicts, caught.value.professional, caught.value.code) == (["b1"], "ana", "slot_taken")
    assert "b1" in caught.value.detail_pt_br


def test_bad_queries_name_the_field():
    bad = {**QUERY, "staff": [{"id": "ana", "weekly": {"mon": [["09:00", "25:00"]]}}]}
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        ffi.find_slots(json.dumps(bad))
    assert caught.value.field == "staff[0].weekly.mon[0][1]"
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        ffi.find_slots("{ not json")
    assert caught.value.code == "malformed_json"


def test_settlement_and_recurrence():
    start = dt.datetime(2026, 3, 10, 15, tzinfo=UTC)
    late = ffi.settle_cancellation(POLICY, "BRL", "80.00", "80.00", ffi.Party.CLIENT, start, start - dt.timedelta(hours=3))
    assert (late.fee, late.refund, late.rule, late.fee_percent) == ("40.00", "40.00", "late", "50")
    by_shop = ffi.settle_cancellation(POLICY, "BRL", "80.00", "80.00", ffi.Party.BUSINESS, start, start)
    assert (by_shop.refund, by_shop.rule) == ("80.00", "business_cancelled")
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        ffi.settle_cancellation(POLICY, "BRL", "eighty", "0", ffi.Party.CLIENT, start, start)
    assert caught.value.field == "price"
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        ffi.settle_cancellation(POLICY, "BRL", "80", "100000000000000000000", ffi.Party.CLIENT, start, start)
    assert caught.value.field == "paid"
    assert "got 100000000000000000000" in caught.value.detail
    # Amount text has one written form: no plus sign, no exponent.
    for written in ("+80", "8E+1"):
        with pytest.raises(ffi.AgendoError.Validation) as caught:
            ffi.settle_cancellation(POLICY, "BRL", written, "0", ffi.Party.CLIENT, start, start)
        assert caught.value.field == "price"
    starts = ffi.expand_recurrence("FREQ=WEEKLY;COUNT=2", "Europe/London", "2026-10-20T19:00")
    assert starts == [dt.datetime(2026, 10, 20, 18, tzinfo=UTC), dt.datetime(2026, 10, 27, 19, tzinfo=UTC)]
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        ffi.expand_recurrence("FREQ=WEEKLY", "Europe/London", "next tuesday")
    assert caught.value.field == "first"


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        opened = ffi.Engine.open(str(tmp_path / "agenda.db"))
    else:
        url = os.environ.get("AGENDO_TEST_POSTGRES_URL")
        if not url:
            pytest.fail("AGENDO_TEST_POSTGRES_URL is not set: run `cargo xtask test`")
        opened = ffi.Engine.connect(url)
    yield opened
    opened.close()


def salon(engine):
    shop = engine.create_business("Salão", "America/Sao_Paulo", "BRL", "pt-BR", "immediate", POLICY)
    cut = engine.save_service(shop.id, ffi.ServiceInput(name="Corte", duration_minutes=30, price="80.00"), NOW)
    ana = engine.save_professional(shop.id, ffi.ProfessionalInput(name="Ana", services=[cut.id], hours_json=HOURS), NOW)
    maria = engine.save_client(shop.id, ffi.ClientInput(name="Maria", email="maria@example.com"), NOW)
    return shop, cut, ana, maria


def test_the_whole_flow(engine):
    shop, cut, ana, maria = salon(engine)
    slots = engine.availability(shop.id, cut.id, None, "2026-03-02", "2026-03-02", None, NOW)
    assert slots[0].start == MONDAY_9 and len(slots) == 18
    booking = engine.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9, None, NOW)
    assert (booking.status, booking.price, booking.currency) == ("confirmed", "80.00", "BRL")
    other = engine.save_client(shop.id, ffi.ClientInput(name="Bia"), NOW)
    with pytest.raises(ffi.AgendoError.SlotTaken) as caught:
        engine.book(shop.id, cut.id, ana.id, other.id, MONDAY_9, None, NOW)
    assert caught.value.conflicts == [booking.id]
    paid = engine.record_payment(shop.id, ffi.PaymentInput(client=maria.id, booking=booking.id, method="pix", amount="80.00"), None, NOW)
    quote = engine.cancellation_quote(shop.id, booking.id, ffi.Party.CLIENT, MONDAY_9 - dt.timedelta(hours=2))
    assert (quote.fee, quote.refund) == ("40.00", "40.00")
    ended = engine.cancel(shop.id, booking.id, ffi.Party.CLIENT, "", None, MONDAY_9 - dt.timedelta(hours=2))
    assert (ended.settlement.fee, ended.settlement.refund, ended.refunded_payments) == ("40.00", "40.00", [paid.id])
    assert engine.booking(shop.id, booking.id).status == "cancelled"
    assert [c.name for c in engine.clients(shop.id, "bia")] == ["Bia"]
    assert json.loads(engine.professionals(shop.id)[0].hours_json)["weekly"]["mon"] == [["09:00", "18:00"]]


def test_errors_map_to_their_family(engine):
    shop, cut, ana, maria = salon(engine)
    with pytest.raises(ffi.AgendoError.NotFound):
        engine.booking(shop.id, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        engine.booking(shop.id, "42")
    assert caught.value.field == "booking"
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        engine.availability(shop.id, cut.id, None, "02/03/2026", "2026-03-02", None, NOW)
    assert caught.value.field == "from"
    block = engine.add_block(shop.id, ana.id, MONDAY_9, MONDAY_9 + dt.timedelta(hours=1), "médico", NOW)
    with pytest.raises(ffi.AgendoError.Blocked) as caught:
        engine.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9, None, NOW)
    assert caught.value.conflicts == [block.id]
    with pytest.raises(ffi.AgendoError.OutsideWorkingHours):
        engine.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9 - dt.timedelta(hours=2), None, NOW)
    booking = engine.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9 + dt.timedelta(hours=2), "k-1", NOW)
    assert engine.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9 + dt.timedelta(hours=2), "k-1", NOW).id == booking.id
    with pytest.raises(ffi.AgendoError.NotAllowed) as caught:
        engine.complete(shop.id, booking.id, NOW)
    assert caught.value.code == "not_started_yet"


def test_threads_racing_for_one_slot_make_one_booking(engine):
    shop, cut, ana, _ = salon(engine)
    clients = [engine.save_client(shop.id, ffi.ClientInput(name=f"C{i}"), NOW).id for i in range(6)]
    barrier = threading.Barrier(len(clients))
    outcomes = []

    def race(client):
        barrier.wait()
        try:
            outcomes.append(engine.book(shop.id, cut.id, ana.id, client, MONDAY_9, None, NOW))
        except ffi.AgendoError.SlotTaken as err:
            outcomes.append(err)

    threads = [threading.Thread(target=race, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    booked = [o for o in outcomes if isinstance(o, ffi.Booking)]
    assert len(outcomes) == len(clients) and len(booked) == 1
    assert len(engine.bookings(shop.id, MONDAY_9, MONDAY_9 + dt.timedelta(hours=1), None)) == 1


def test_roles_and_events(engine):
    shop, cut, ana, maria = salon(engine)
    desk = engine.acting("receptionist", None)
    booking = desk.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9, None, NOW)
    with pytest.raises(ffi.AgendoError.Forbidden) as caught:
        desk.record_payment(shop.id, ffi.PaymentInput(client=maria.id, booking=None, method="cash", amount="10.00"), None, NOW)
    assert caught.value.code == "forbidden"
    events = engine.events(shop.id, 0, 100)
    assert [e.kind for e in events] == ["service_created", "professional_created", "client_created", "booking_created", "booking_confirmed"]
    assert [e.number for e in events] == [1, 2, 3, 4, 5]
    assert json.loads(events[3].json)["booking"] == booking.id
    assert engine.events(shop.id, 5, 100) == []


def test_rooms_series_and_why(engine):
    shop, cut, ana, maria = salon(engine)
    room = json.loads(engine.save_resource(shop.id, None, "Sala 1", "laser", None, None, None, NOW))
    assert (room["name"], room["kind"], room["active"]) == ("Sala 1", "laser", True)
    laser = engine.save_service(
        shop.id, ffi.ServiceInput(name="Laser", duration_minutes=60, price="200.00", resource_kind="laser"), NOW)
    engine.save_professional(
        shop.id, ffi.ProfessionalInput(id=ana.id, name="Ana", services=[cut.id, laser.id], hours_json=HOURS), NOW)
    booked = engine.book(shop.id, laser.id, ana.id, maria.id, MONDAY_9, None, NOW)
    assert booked.resource == room["id"]
    series = engine.book_series(shop.id, cut.id, ana.id, maria.id, "2026-03-03T10:00:00", "FREQ=WEEKLY;COUNT=3", None, NOW)
    assert len(series) == 3 and series[0].series == series[2].series
    moved = engine.reschedule_following(shop.id, series[1].id, dt.datetime(2026, 3, 10, 16, tzinfo=UTC), None, NOW)
    assert [b.start.hour for b in moved] == [16, 16]
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        engine.book_series(shop.id, cut.id, ana.id, maria.id, "2026-03-03T10:00:00", "FREQ=WEEKLY", None, NOW)
    assert caught.value.field.startswith("rule")
    why = json.loads(engine.why_not_free(shop.id, laser.id, MONDAY_9, None, "pt-BR", NOW))
    assert why["free"] is False
    assert why["resources"][0]["name"] == "Sala 1"
    assert "Maria" in why["message"]


def test_receivables_commissions_profile_pictures_and_pages(engine):
    shop, cut, ana, maria = salon(engine)
    made = json.loads(engine.create_receivables(shop.id, maria.id, None, "150.00", "2026-01-31", "Mensalidade", 2, None, NOW))
    assert [r["status"] for r in made] == ["overdue", "overdue"]
    page = json.loads(engine.receivables(shop.id, "overdue", None, None, 1, NOW))
    assert len(page["items"]) == 1 and page["next"]
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        engine.receivables(shop.id, None, None, page["next"] + "0", None, NOW)
    assert caught.value.field == "cursor"
    paid = json.loads(engine.pay_receivable(shop.id, made[0]["id"], NOW))
    assert paid["status"] == "paid"
    rules = json.loads(engine.set_commissions(shop.id, json.dumps([{"staff_id": ana.id, "percent": "40"}]), NOW))
    assert rules[0]["percent"] == "40"
    statement = json.loads(engine.statement(shop.id, ana.id, "2026-03"))
    assert statement["total"]["amount"] == "0.00"
    profile = json.loads(engine.change_business(shop.id, json.dumps({"colour": "#1a7f3c", "address": "Rua A, 1"}), NOW))
    assert profile["colour"] == "#1A7F3C"
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        engine.change_business(shop.id, json.dumps({"colour": "green"}), NOW)
    assert caught.value.field == "colour"
    with pytest.raises(ffi.AgendoError.Validation) as caught:
        engine.set_picture(shop.id, "logo", b"not an image", NOW)
    assert caught.value.field == "image"
    engine.record_payment(shop.id, ffi.PaymentInput(client=maria.id, booking=None, method="pix", amount="50.00"), None, NOW)
    payments = json.loads(engine.list_payments(shop.id, None, "pix", None, None, None, None, None, None))
    assert payments["count"] == 1 and payments["net"]["amount"] == "50.00"
    clients = engine.clients_page(shop.id, "", {}, False, None, 10)
    assert [c.name for c in clients.items] == ["Maria"] and clients.next is None
    booking = engine.book(shop.id, cut.id, ana.id, maria.id, MONDAY_9, None, NOW)
    page = engine.bookings_page(shop.id, None, None, None, maria.id, None, 5)
    assert [b.id for b in page.items] == [booking.id] and page.next is None
    history = json.loads(engine.booking_history(shop.id, booking.id, "en"))
    assert [line["change"] for line in history["lines"]] == ["created", "confirmed"]


def test_every_operation_named_is_a_method():
    import pathlib
    table = json.loads((pathlib.Path(__file__).parents[2] / "parity.json").read_text())
    names = set(table["operations"].values()) | set(table["more_on_the_bindings"])
    missing = sorted(n for n in names if not callable(getattr(ffi.Engine, n, None)))
    assert missing == []
