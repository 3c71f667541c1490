"""Fixtures: a real SQLite file per test, and the Postgres server that
`cargo xtask test` starts (its URL in AGENDO_TEST_POSTGRES_URL). Without that
variable the Postgres cases fail: a missing database is an error, not a skip.
"""

import datetime as dt
import os
from decimal import Decimal

import pytest

import agendo

UTC = dt.timezone.utc
# A Monday in March 2026, seen from the first of March.
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

WEEKDAYS = {
    "weekly": {
        day: [["09:00", "12:00"], ["13:00", "18:00"]]
        for day in ("mon", "tue", "wed", "thu", "fri")
    }
}


def postgres_url() -> str:
    url = os.environ.get("AGENDO_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "AGENDO_TEST_POSTGRES_URL is not set: run the suite with `cargo xtask test`, "
            "which starts a throwaway PostgreSQL"
        )
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        opened = agendo.Engine.open(tmp_path / "agenda.db")
    else:
        opened = agendo.Engine.connect(postgres_url())
    with opened:
        yield opened


class Shop:
    """A salon with one service, one professional working weekdays and one client."""

    def __init__(self, engine, timezone="America/Sao_Paulo", policy=None):
        self.engine = engine
        self.business = engine.create_business("Salão da Ana", timezone, "BRL", policy=policy)
        self.id = self.business.id
        self.cut = engine.save_service(self.id, "Corte", 30, Decimal("80.00"), now=NOW)
        self.ana = engine.save_professional(
            self.id, "Ana", services=[self.cut.id], hours=WEEKDAYS, now=NOW
        )
        self.maria = engine.save_client(
            self.id, "Maria da Silva", email="maria@example.com", phone="+5511987654321", now=NOW
        )

    def book(self, start, client=None, **kwargs):
        return self.engine.book(
            self.id, self.cut.id, self.ana.id, client or self.maria.id, start, now=NOW, **kwargs
        )


POLICY = {
    "tiers": [{"min_notice_hours": 24, "fee_percent": "0"}],
    "late_fee_percent": "50",
    "no_show_fee_percent": "100",
}


@pytest.fixture
def shop(engine):
    return Shop(engine, policy=POLICY)
