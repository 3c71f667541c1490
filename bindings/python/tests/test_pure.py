"""The functions that need no store: slots, the conflict check, the policy
and recurrence, with their errors."""

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import pytest

import agendo

UTC = dt.timezone.utc
SP = ZoneInfo("America/Sao_Paulo")
NY = ZoneInfo("America/New_York")


def query(**changes):
    base = {
        "timezone": "America/Sao_Paulo",
        "from": dt.date(2026, 3, 2),
        "to": "2026-03-02",
        "now": dt.datetime(2026, 3, 1, 12, tzinfo=UTC),
        "duration_minutes": 30,
        "staff": [{"id": "ana", "weekly": {"mon": [["09:00", "10:00"]]}}],
    }
    base.update(changes)
    return base


def test_find_slots_answers_aware_utc_datetimes():
    slots = agendo.find_slots(query())
    assert [(s.start, s.end, s.staff) for s in slots] == [
        (dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC), dt.datetime(2026, 3, 2, 12, 30, tzinfo=UTC), ["ana"]),
        (dt.datetime(2026, 3, 2, 12, 30, tzinfo=UTC), dt.datetime(2026, 3, 2, 13, 0, tzinfo=UTC), ["ana"]),
    ]
    assert slots[0].start.tzinfo is not None
    assert slots[0].start.astimezone(SP).hour == 9


def test_find_slots_reads_json_text_too():
    import json

    text = json.dumps({**query(), "from": "2026-03-02", "now": "2026-03-01T12:00:00Z"})
    assert len(agendo.find_slots(text)) == 2


def as_json(value):
    """`value` as the JSON the engine reads, the way a caller would write it."""
    import json

    def default(v):
        if isinstance(v, dt.datetime):
            return v.astimezone(UTC).isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        raise TypeError(v)

    return json.dumps(value, default=default)


def test_a_dict_and_its_json_text_give_the_same_answer():
    from collections import OrderedDict

    class Name(str):
        pass

    # Keys built at run time are distinct objects, past what the reader
    # remembers of keys it has met.
    key = lambda k: "".join(list(k))  # noqa: E731
    bookings = [
        {key("id"): f"b{i}", key("start"): dt.datetime(2026, 3, 2 + i % 5, 9, tzinfo=SP),
         key("end"): dt.datetime(2026, 3, 2 + i % 5, 9, 30, tzinfo=SP)}
        for i in range(0, 200, 7)
    ]
    staff = [
        OrderedDict(id=Name("joão"), weekly={"mon": (("09:00", "12:00"),), "tue": [("13:00", "15:00")]},
                    bookings=bookings, blocks=None, capacity=2),
        {"id": "bia", "timezone": "America/New_York", "weekly": {"wed": [["09:00", "11:00"]]},
         "overrides": [{"date": dt.date(2026, 3, 4), "windows": [["10:00", "10:30"]]}]},
    ]
    answers = {}
    for mode in ("any", "all"):
        q = query(staff=staff, mode=mode, to=dt.date(2026, 3, 6), step_minutes=15, daily_limit=None)
        answers[mode] = [(s.start, s.end, s.staff) for s in agendo.find_slots(q)]
        assert answers[mode] == [(s.start, s.end, s.staff) for s in agendo.find_slots(as_json(q))]
    assert {name for _, _, names in answers["any"] for name in names} == {"joão", "bia"}
    assert answers["all"] == []


def test_find_slots_keeps_wall_time_across_dst():
    # New York springs forward on Sunday 2026-03-08: 09:00 is 14:00 UTC on
    # the Friday before and 13:00 UTC on the Monday after.
    staff = [{"id": "bo", "weekly": {"fri": [["09:00", "09:30"]], "mon": [["09:00", "09:30"]]}}]
    slots = agendo.find_slots(
        query(timezone="America/New_York", staff=staff, **{"from": "2026-03-06", "to": "2026-03-09"})
    )
    assert [s.start for s in slots] == [
        dt.datetime(2026, 3, 6, 14, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
    ]
    assert [s.start.astimezone(NY).hour for s in slots] == [9, 9]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"duration_minutes": 2.5}, "duration_minutes"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"to": "2026-02-01"}, "to"),
        ({"daily_limt": 3}, "daily_limt"),
        ({"staff": [{"id": "ana", "weekly": {"mon": [["09:00", "25:00"]]}}]}, "staff[0].weekly.mon[0][1]"),
        ({"now": dt.datetime(2026, 3, 1, 12)}, "now"),
        ({"from": dt.datetime(2026, 3, 2, 9, tzinfo=UTC)}, "from"),
        ({"staff": object()}, "staff"),
        ({"duration_minutes": 10**30}, "duration_minutes"),
        ({"staff": [{"id": "ana", "weekly": {"mon": [("09:00", 900)]}}]}, "staff[0].weekly.mon[0][1]"),
        ({"staff": [{"id": "ana", "weekly": {}, "bookings": [{"id": "b", "start": dt.datetime(2026, 3, 2, 9),
                                                               "end": "2026-03-02T12:00:00Z"}]}]},
         "staff[0].bookings[0].start"),
        ({"staff": [{"id": "ana", "weekly": {1: [("09:00", "10:00")]}}]}, "staff[0].weekly"),
        ({"staff": [{"id": "ana\ud800", "weekly": {}}]}, "staff[0].id"),
        ({"staff": [{"id": "ana", "weekly": {"m\udc00n": []}}]}, "staff[0].weekly"),
        ({"staff": [{"id": "ana", "weekly": {"mon": [("09:00", object())]}}]}, "staff[0].weekly.mon[0][1]"),
    ],
)
def test_find_slots_names_the_bad_field(changes, field):
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.find_slots(query(**changes))
    assert caught.value.field == field
    assert field in str(caught.value)
    assert caught.value.message_pt_br != caught.value.message_en
    assert isinstance(caught.value, agendo.Error)


def test_find_slots_refuses_what_is_not_a_query():
    for bad in (None, 42, [1, 2], "not json", {1: "x"}, "{\"timezone\": \"\\ud800\"}", "\ud800"):
        with pytest.raises(agendo.ValidationError):
            agendo.find_slots(bad)


def test_nesting_too_deep_is_refused_not_a_crash():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    itself = []
    itself.append(itself)
    for staff, field in ((deep, "staff" + "[0]" * 127), (itself, "staff" + "[0]" * 127)):
        with pytest.raises(agendo.ValidationError) as caught:
            agendo.find_slots(query(staff=staff))
        assert caught.value.field == field
        assert "nested too deeply" in str(caught.value)
    policy = {"tiers": deep}
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.settle_cancellation(policy, price=1, paid=1, currency="BRL",
                                   start=dt.datetime(2026, 3, 2, tzinfo=UTC), now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert caught.value.field.startswith("tiers[0]")


BOOKED = [{"id": "b1", "start": "2026-03-02T12:00:00Z", "end": "2026-03-02T12:30:00Z"}]
BLOCKED = [{"id": "lunch", "start": "2026-03-02T13:00:00Z", "end": "2026-03-02T14:00:00Z"}]


def checked(start):
    staff = [{"id": "ana", "weekly": {"mon": [["09:00", "12:00"]]}, "bookings": BOOKED, "blocks": BLOCKED}]
    return agendo.check_booking(query(staff=staff), "ana", start)


def test_check_booking_accepts_a_free_time():
    assert checked(dt.datetime(2026, 3, 2, 9, 30, tzinfo=SP)) is None


def test_check_booking_names_the_booking_in_the_way():
    with pytest.raises(agendo.SlotTaken) as caught:
        checked(dt.datetime(2026, 3, 2, 9, 15, tzinfo=SP))
    assert caught.value.conflicts == ("b1",)
    assert caught.value.professional == "ana"
    assert caught.value.code == "slot_taken"
    assert isinstance(caught.value, agendo.Unavailable)


def test_check_booking_names_the_block_in_the_way():
    with pytest.raises(agendo.Blocked) as caught:
        checked(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SP))
    assert caught.value.conflicts == ("lunch",)


def test_check_booking_refuses_outside_hours_and_unknown_staff():
    with pytest.raises(agendo.OutsideWorkingHours):
        checked(dt.datetime(2026, 3, 2, 11, 45, tzinfo=SP))
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.check_booking(query(), "bia", dt.datetime(2026, 3, 2, 12, tzinfo=UTC))
    assert caught.value.field == "staff"
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.check_booking(query(), "ana", dt.datetime(2026, 3, 2, 9, 0))
    assert caught.value.field == "start"


POLICY = {
    "tiers": [{"min_notice_hours": 48, "fee_percent": 0}, {"min_notice_hours": 24, "fee_percent": "25"}],
    "late_fee_percent": Decimal("50"),
    "no_show_fee_percent": "100",
}
START = dt.datetime(2026, 3, 10, 15, tzinfo=UTC)


def settle(hours_before, price="99.99", paid="99.99", by="client", policy=POLICY):
    return agendo.settle_cancellation(
        policy,
        price=Decimal(price),
        paid=Decimal(paid),
        currency="BRL",
        start=START,
        now=START - dt.timedelta(hours=hours_before),
        by=by,
    )


def test_settlement_follows_the_tiers_with_exact_decimals():
    early, tier, late, after = settle(72), settle(30), settle(10), settle(-1)
    assert (early.fee, early.refund, early.rule) == (Decimal("0.00"), Decimal("99.99"), "tier")
    quarter = (Decimal("99.99") * Decimal("0.25")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    assert (tier.fee, tier.refund, tier.fee_percent) == (quarter, Decimal("99.99") - quarter, Decimal("25"))
    assert late.rule == "late" and late.fee + late.refund == Decimal("99.99")
    assert (after.rule, after.fee, after.refund) == ("no_show", Decimal("99.99"), Decimal("0.00"))
    assert all(isinstance(s.fee, Decimal) for s in (early, tier, late, after))


def test_the_business_cancelling_refunds_everything():
    by_shop = settle(1, by="business")
    assert (by_shop.fee, by_shop.refund, by_shop.rule) == (Decimal("0"), Decimal("99.99"), "business_cancelled")


def test_a_fee_never_exceeds_what_was_paid():
    unpaid = settle(10, paid="0")
    assert (unpaid.fee, unpaid.refund) == (Decimal("0"), Decimal("0"))
    assert unpaid.uncovered == Decimal("50.00")


def test_settlement_refuses_floats_and_names_bad_fields():
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.settle_cancellation(POLICY, price=99.99, paid=Decimal("1"), currency="BRL", start=START, now=START)
    assert caught.value.field == "price"
    with pytest.raises(agendo.ValidationError) as caught:
        settle(10, policy={**POLICY, "late_fee_percent": 50.5})
    assert caught.value.field == "policy.late_fee_percent"
    with pytest.raises(agendo.ValidationError) as caught:
        settle(10, policy={**POLICY, "late_fee_percent": "150"})
    assert caught.value.field == "policy.late_fee_percent"
    with pytest.raises(agendo.ValidationError) as caught:
        settle(10, by="nobody")
    assert caught.value.field == "by"
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.settle_cancellation(POLICY, price="12.345", paid="0", currency="BRL", start=START, now=START)
    assert caught.value.field == "price"
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.settle_cancellation(POLICY, price="NaN", paid="0", currency="BRL", start=START, now=START)
    assert caught.value.field == "price"


def test_recurrence_keeps_the_wall_time_across_dst():
    starts = agendo.expand_recurrence("FREQ=WEEKLY;COUNT=3", dt.datetime(2026, 10, 20, 19, 0), "Europe/London")
    london = ZoneInfo("Europe/London")
    assert starts[0] == dt.datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
    assert starts[1] == dt.datetime(2026, 10, 27, 19, 0, tzinfo=UTC)
    assert [s.astimezone(london).hour for s in starts] == [19, 19, 19]


def test_recurrence_names_bad_arguments():
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.expand_recurrence("FREQ=SOMETIMES", dt.datetime(2026, 10, 20, 19), "Europe/London")
    assert caught.value.field == "rule"
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.expand_recurrence("FREQ=DAILY;COUNT=2", dt.datetime(2026, 10, 20, 19), "Europe/Nowhere")
    assert caught.value.field == "timezone"
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.expand_recurrence("FREQ=DAILY;COUNT=2", dt.datetime(2026, 10, 20, 19, tzinfo=UTC), "Europe/London")
    assert caught.value.field == "first"
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.expand_recurrence("FREQ=DAILY;COUNT=3", dt.datetime(9999, 12, 30, 12), "UTC")
    assert caught.value.field == "first"
    assert "9999" in str(caught.value)


def test_instants_outside_the_supported_years_are_validation_errors():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.check_booking(query(), "ana", dt.datetime(1, 1, 1, tzinfo=tokyo))
    assert caught.value.field == "start"
    for first, zone in ((dt.datetime(1, 1, 1), "Asia/Tokyo"), (dt.datetime(2100, 7, 1, 12), "America/New_York")):
        with pytest.raises(agendo.ValidationError) as caught:
            agendo.expand_recurrence("FREQ=DAILY;COUNT=1", first, zone)
        assert "1900" in str(caught.value)
        assert "1900" in caught.value.message_pt_br
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.find_slots(query(**{"from": dt.date(1, 1, 1), "to": dt.date(1, 1, 2)}))
    assert caught.value.field == "from"
    # The last year the zone data covers is answered right.
    assert agendo.expand_recurrence("FREQ=DAILY;COUNT=1", dt.datetime(2099, 7, 1, 12), "America/New_York") == [
        dt.datetime(2099, 7, 1, 16, tzinfo=UTC)
    ]


def test_recurrence_errors_read_in_portuguese_without_english():
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.expand_recurrence("FREQ=MONTHLY;BYDAY=+-1MO;COUNT=2", dt.datetime(2026, 3, 2, 9), "America/Sao_Paulo")
    assert "não é um dia da semana" in caught.value.message_pt_br
    with pytest.raises(agendo.ValidationError) as caught:
        agendo.expand_recurrence("FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=2", dt.datetime(2026, 3, 2, 9), "America/Sao_Paulo")
    assert "nenhuma ocorrência" in caught.value.message_pt_br
