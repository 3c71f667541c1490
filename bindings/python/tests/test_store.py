"""Opening and closing stores: what survives a reopen, and failures that
raise instead of crashing."""

import datetime as dt
from decimal import Decimal

import pytest

import agendo
from conftest import NOW, Shop, postgres_url

MONDAY_9 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)


def test_a_sqlite_file_keeps_its_records(tmp_path):
    path = tmp_path / "kept.db"
    with agendo.Engine.open(path) as engine:
        shop = Shop(engine)
        booking = shop.book(MONDAY_9)
    with agendo.Engine.open(str(path)) as engine:
        assert engine.booking(shop.id, booking.id).start == MONDAY_9
        assert engine.services(shop.id)[0].price == Decimal("80.00")


def test_two_engines_on_one_postgres_see_each_other():
    with agendo.Engine.connect(postgres_url()) as one, agendo.Engine.connect(postgres_url()) as two:
        shop = Shop(one)
        booking = shop.book(MONDAY_9)
        assert two.booking(shop.id, booking.id).id == booking.id
        with pytest.raises(agendo.SlotTaken):
            two.book(shop.id, shop.cut.id, shop.ana.id, shop.maria.id, MONDAY_9, now=NOW)


def test_unreachable_stores_raise_storage_errors(tmp_path):
    with pytest.raises(agendo.StorageError) as caught:
        agendo.Engine.open(tmp_path / "missing-dir" / "x.db")
    assert caught.value.code == "storage"
    with pytest.raises(agendo.StorageError):
        agendo.Engine.connect("postgres://nobody@127.0.0.1:1/none")
    with pytest.raises(agendo.StorageError):
        agendo.Engine.connect("not a url")


def test_a_closed_engine_raises_instead_of_crashing(tmp_path):
    engine = agendo.Engine.open(tmp_path / "closed.db")
    shop = Shop(engine)
    engine.close()
    with pytest.raises(agendo.StorageError):
        engine.services(shop.id)
    engine.close()  # closing twice is harmless


def test_counts_out_of_range_name_the_argument(tmp_path):
    with agendo.Engine.open(tmp_path / "counts.db") as engine:
        shop = Shop(engine)
        for call, field in (
            (lambda: engine.save_service(shop.id, "Barba", -5, "10"), "duration_minutes"),
            (lambda: engine.save_service(shop.id, "Barba", 2**40, "10"), "duration_minutes"),
            (lambda: engine.save_service(shop.id, "Barba", 30, "10", buffer_after_minutes=-(2**80)), "buffer_after_minutes"),
            (lambda: engine.save_professional(shop.id, "Ana", capacity=2**70), "capacity"),
            (lambda: engine.save_professional(shop.id, "Ana", capacity=0), "capacity"),
        ):
            with pytest.raises(agendo.ValidationError) as caught:
                call()
            assert caught.value.field == field
        assert [s.name for s in engine.services(shop.id)] == ["Corte"]
        assert [p.name for p in engine.professionals(shop.id)] == ["Ana"]


def test_amounts_are_kept_exactly_or_refused_naming_the_argument(engine):
    shop = Shop(engine)
    for price, shown in (
        (Decimal("1E+20"), "got 1E+20"),
        (10**20, "got 1" + "0" * 20),
        (10**40, "got ≥ 1e38"),
        (-(10**5000), "got ≤ -1e38"),
        ("-1e40", '"-1e40" is not'),
        ("+5", '"+5" is not'),
        (Decimal("1E-40"), "28 decimal digits"),
        ("0.00000000000000000000000000000001", "28 decimal digits"),
        (Decimal("NaN"), '"NaN" is not an amount'),
    ):
        with pytest.raises(agendo.ValidationError) as caught:
            engine.save_service(shop.id, "Barba", 30, price)
        assert caught.value.field == "price"
        assert shown in str(caught.value), str(caught.value)
    assert "em valor absoluto" in caught_pt(lambda: engine.save_service(shop.id, "Barba", 30, "2000000000000"))
    assert engine.save_service(shop.id, "Barba", 30, Decimal("4.5E+1")).price == Decimal("45.00")
    assert sorted(s.name for s in engine.services(shop.id)) == ["Barba", "Corte"]


def caught_pt(call):
    with pytest.raises(agendo.ValidationError) as caught:
        call()
    return caught.value.message_pt_br


def test_names_with_control_characters_are_refused_on_every_store(engine):
    shop = Shop(engine)
    with pytest.raises(agendo.ValidationError) as caught:
        engine.save_client(shop.id, "Ana\x00")
    assert caught.value.field == "name"
    assert "U+0000" in str(caught.value)
    client = engine.save_client(shop.id, "Ana", notes="1. lavar\n2. secar")
    assert client.notes == "1. lavar\n2. secar"


def test_wrong_argument_types_raise_type_errors_not_crashes(tmp_path):
    with agendo.Engine.open(tmp_path / "types.db") as engine:
        shop = Shop(engine)
        with pytest.raises(TypeError, match="duration_minutes"):
            engine.save_service(shop.id, "Corte", "thirty", "10")
        with pytest.raises(TypeError, match="capacity"):
            engine.save_professional(shop.id, "Ana", capacity=True)
        with pytest.raises(TypeError):
            engine.clients(42)
