"""All of core within reach from Python, on a real SQLite file and the test
Postgres: rooms of a kind, series, receivables, commissions, the profile,
pictures, pages, histories and "why not free?", with the bad input each
refuses."""

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal

import pytest

import agendo
from conftest import NOW, UTC, Shop

MONDAY_10 = dt.datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo


def png(width: int, height: int) -> bytes:
    """A plain PNG made by hand: every row filter 0, green pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x1a\x7f\x3c" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_a_service_takes_a_free_room_of_its_kind(engine):
    shop = Shop(engine)
    room = engine.save_resource(shop.id, name="Sala 1", kind="laser", now=NOW)
    assert room["kind"] == "laser" and room["active"]
    laser = engine.save_service(shop.id, "Laser", 60, Decimal("200"), resource_kind="laser", now=NOW)
    engine.save_professional(shop.id, "Ana", id=shop.ana.id, services=[shop.cut.id, laser.id],
                             hours={"weekly": {"mon": [["09:00", "18:00"]]}}, now=NOW)
    bia = engine.save_professional(shop.id, "Bia", services=[laser.id],
                                   hours={"weekly": {"mon": [["09:00", "18:00"]]}}, now=NOW)
    first = engine.book(shop.id, laser.id, shop.ana.id, shop.maria.id, MONDAY_10, now=NOW)
    assert first.resource == room["id"]
    with pytest.raises(agendo.SlotTaken) as taken:
        engine.book(shop.id, laser.id, bia.id, shop.maria.id, MONDAY_10, now=NOW)
    assert "Sala 1" in taken.value.message_pt_br
    retired = engine.save_resource(shop.id, id=room["id"], active=False, now=NOW)
    assert retired["active"] is False
    assert [r["name"] for r in engine.resources(shop.id)] == ["Sala 1"]
    with pytest.raises(agendo.ValidationError) as bad:
        engine.save_resource(shop.id, name="Sala 2", capacity=0, now=NOW)
    assert bad.value.field == "capacity"


def test_a_series_is_booked_whole_or_refused_with_alternatives(engine):
    shop = Shop(engine)
    joao = engine.save_client(shop.id, "João", now=NOW)
    engine.book(shop.id, shop.cut.id, shop.ana.id, joao.id,
                dt.datetime(2026, 3, 10, 13, 0, tzinfo=UTC), now=NOW)
    first = dt.datetime(2026, 3, 3, 10, 0)  # Tuesday 10:00, local
    with pytest.raises(agendo.Error) as clash:
        engine.book_series(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, first,
                           "FREQ=WEEKLY;COUNT=3", now=NOW)
    assert clash.value.code == "series_clashes"
    assert "livre perto" in clash.value.message_pt_br
    series = engine.book_series(shop.id, shop.cut.id, shop.ana.id, shop.maria.id,
                                first.replace(hour=11), "FREQ=WEEKLY;COUNT=3", now=NOW)
    assert len(series) == 3 and len({b.series for b in series}) == 1
    moved = engine.reschedule_following(shop.id, series[1].id,
                                        dt.datetime(2026, 3, 10, 16, 0, tzinfo=UTC), now=NOW)
    assert [b.start.hour for b in moved] == [16, 16]
    ended = engine.cancel_following(shop.id, series[1].id, reason="mudou", now=NOW)
    assert len(ended) == 2
    with pytest.raises(agendo.ValidationError) as endless:
        engine.book_series(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, first,
                           "FREQ=DAILY;COUNT=10000", now=NOW)
    assert endless.value.field.startswith("rule")
    with pytest.raises(agendo.ValidationError):
        engine.book_series(shop.id, shop.cut.id, shop.ana.id, shop.maria.id,
                           first.replace(tzinfo=UTC), "FREQ=WEEKLY;COUNT=2", now=NOW)


def test_receivables_commissions_and_the_profile(engine):
    shop = Shop(engine)
    made = engine.create_receivables(shop.id, shop.maria.id, Decimal("150.00"),
                                     dt.date(2026, 1, 31), description="Mensalidade",
                                     months=3, key="mensalidade", now=NOW)
    assert [r["due"] for r in made] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert [r["status"] for r in made] == ["overdue", "overdue", "pending"]
    again = engine.create_receivables(shop.id, shop.maria.id, Decimal("150.00"),
                                      dt.date(2026, 1, 31), description="Mensalidade",
                                      months=3, key="mensalidade", now=NOW)
    assert [r["id"] for r in again] == [r["id"] for r in made]
    paid = engine.pay_receivable(shop.id, made[0]["id"], now=NOW)
    assert paid["status"] == "paid"
    page = engine.receivables(shop.id, status="overdue", now=NOW)
    assert [r["due"] for r in page["items"]] == ["2026-02-28"] and page["next"] is None
    first = engine.receivables(shop.id, limit=1, now=NOW)
    assert first["next"]
    with pytest.raises(agendo.ValidationError) as bad:
        engine.receivables(shop.id, cursor=first["next"][:-1], now=NOW)
    assert bad.value.field == "cursor"
    with pytest.raises(agendo.ValidationError) as bad:
        engine.create_receivables(shop.id, shop.maria.id, Decimal("1"), dt.date(2026, 3, 1),
                                  months=37, now=NOW)
    assert bad.value.field == "months"

    rules = engine.set_commissions(shop.id, [{"staff_id": shop.ana.id, "percent": "40"}])
    assert rules == engine.commissions(shop.id)
    booking = engine.book(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, MONDAY_10, now=NOW)
    later = MONDAY_10 + dt.timedelta(hours=1)
    engine.complete(shop.id, booking.id, now=later)
    statement = engine.statement(shop.id, shop.ana.id, dt.date(2026, 3, 1))
    assert statement["total"] == {"amount": "32.00", "currency": "BRL"}
    assert statement["lines"][0]["booking"] == booking.id
    with pytest.raises(agendo.ValidationError) as bad:
        engine.set_commissions(shop.id, [{"percent": "10", "amount": "5"}])
    assert bad.value.field == "[0].percent"

    changed = engine.change_business(shop.id, {"legal_name": "Salão da Ana Ltda",
                                               "tax_id": "11.222.333/0001-81",
                                               "colour": "#1a7f3c"}, now=NOW)
    assert changed.name == "Salão da Ana"
    profile = engine.business_profile(shop.id)
    assert profile["colour"] == "#1A7F3C" and profile["tax_id"] == "11222333000181"
    with pytest.raises(agendo.ValidationError) as bad:
        engine.change_business(shop.id, {"tax_id": "123"}, now=NOW)
    assert bad.value.field == "tax_id"
    assert engine.business_profile(shop.id)["legal_name"] == "Salão da Ana Ltda"


def test_pictures_are_checked_and_re_encoded(engine):
    shop = Shop(engine)
    kept = engine.set_picture(shop.id, "logo", png(40, 20) + b"trailing", now=NOW)
    assert (kept["width"], kept["height"], kept["media_type"]) == (40, 20, "image/png")
    stored = engine.picture(shop.id, "logo")
    assert stored.startswith(b"\x89PNG") and b"trailing" not in stored
    with pytest.raises(agendo.ValidationError) as bad:
        engine.set_picture(shop.id, "logo", b"GIF89a not a png", now=NOW)
    assert bad.value.field == "image"
    bomb = bytearray(png(1, 1))
    bomb[16:24] = struct.pack(">II", 60000, 60000)
    bomb[29:33] = struct.pack(">I", zlib.crc32(bytes(bomb[12:29])))
    with pytest.raises(agendo.ValidationError) as bad:
        engine.set_picture(shop.id, "logo", bytes(bomb), now=NOW)
    assert bad.value.field == "image"
    engine.set_picture(shop.id, shop.ana.id, png(8, 8), now=NOW)
    engine.set_picture(shop.id, shop.ana.id, None, now=NOW)
    with pytest.raises(agendo.NotFound):
        engine.picture(shop.id, shop.ana.id)


def test_lists_history_and_why(engine):
    shop = Shop(engine)
    booking = engine.book(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, MONDAY_10, now=NOW)
    engine.acting("receptionist").complete(shop.id, booking.id, now=MONDAY_10)
    history = engine.booking_history(shop.id, booking.id, lang="en")
    # The business confirms at once: made and confirmed by the engine's
    # operator, completed by a receptionist.
    assert [line["change"] for line in history["lines"]] == ["created", "confirmed", "completed"]
    assert history["lines"][0]["by"] == "operator"
    assert history["lines"][2]["by"] == "receptionist"
    assert "completed — a receptionist" in history["lines"][2]["text"]

    for method, amount in [("pix", "50"), ("cash", "30"), ("pix", "20")]:
        engine.record_payment(shop.id, shop.maria.id, Decimal(amount), method, now=NOW)
    pix = engine.list_payments(shop.id, method="pix", limit=1)
    assert pix["count"] == 2 and len(pix["items"]) == 1 and pix["next"]
    assert pix["amount"] == {"amount": "70.00", "currency": "BRL"}
    with pytest.raises(agendo.ValidationError) as bad:
        engine.list_payments(shop.id, method="cheque")
    assert bad.value.field == "method"

    engine.save_client(shop.id, "Maria da Silva", id=shop.maria.id, email="maria@example.com",
                       now=NOW)
    page = engine.clients_page(shop.id, limit=1)
    assert [c.name for c in page["items"]] == ["Maria da Silva"] and page["next"] is None
    assert engine.clients_page(shop.id, attributes={"piscina": "fibra"})["items"] == []

    eleven = MONDAY_10 + dt.timedelta(hours=1)
    engine.book(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, eleven, now=NOW)
    first = engine.bookings_page(shop.id, limit=1)
    assert len(first["items"]) == 1 and first["next"]
    rest = engine.bookings_page(shop.id, cursor=first["next"], limit=10)
    assert [b.start for b in first["items"] + rest["items"]] == [MONDAY_10, eleven]
    assert rest["next"] is None
    with pytest.raises(agendo.ValidationError) as bad:
        engine.bookings_page(shop.id, limit=500)
    assert bad.value.field == "limit"
    why = engine.why_not_free(shop.id, shop.cut.id, eleven, now=NOW)
    assert why["free"] is False
    cause = why["professionals"][0]["causes"][0]
    assert cause["rule"] == "at_capacity"
    assert cause["bookings"][0]["label"] == "Maria da Silva"
    assert "às 11:00" in why["message"]
    with pytest.raises(agendo.NotFound):
        engine.why_not_free(shop.id, "67e55044-10b1-426f-9247-bb680e5fe0c8", MONDAY_10, now=NOW)
