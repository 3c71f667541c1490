"""A small booking API in FastAPI with Agendo's engine in-process.

    pip install fastapi uvicorn
    AGENDO_DB=salon.db uvicorn fastapi_app:app --app-dir examples/python
    python examples/python/fastapi_app.py --check     # a self-test, no server

The routes are plain `def` functions: FastAPI runs them on its thread pool,
and every engine call releases the GIL, so requests book in parallel while
the engine keeps one booking per slot. Errors become JSON with the engine's
code, the field, the ids in the way and the message in the language of the
request's Accept-Language (pt-BR or en).
"""

import datetime as dt
import os
import sys
from contextlib import asynccontextmanager
from typing import List, Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import agendo

STATUS = {
    agendo.ValidationError: 422,
    agendo.NotFound: 404,
    agendo.Unavailable: 409,
    agendo.NotAllowed: 409,
    agendo.Busy: 503,
    agendo.StorageError: 503,
}


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Open the engine in each worker process, after any fork.
    app.state.engine = agendo.Engine.open(os.environ.get("AGENDO_DB", "salon.db"))
    yield
    app.state.engine.close()


app = FastAPI(title="Salon bookings", lifespan=lifespan)


def engine(request: Request) -> agendo.Engine:
    return request.app.state.engine


@app.exception_handler(agendo.Error)
def engine_error(request: Request, err: agendo.Error) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(err, kind)), 500)
    portuguese = request.headers.get("accept-language", "").lower().startswith("pt")
    return JSONResponse(
        status_code=status,
        content={
            "code": err.code,
            "field": err.field,
            "conflicts": list(err.conflicts),
            "message": err.message_pt_br if portuguese else err.message_en,
        },
    )


class SalonIn(BaseModel):
    name: str
    timezone: str = "America/Sao_Paulo"
    currency: str = "BRL"


class BookingIn(BaseModel):
    service: str
    professional: str
    client: str
    start: dt.datetime


class SlotOut(BaseModel):
    start: dt.datetime
    end: dt.datetime
    staff: List[str]


class BookingOut(BaseModel):
    id: str
    start: dt.datetime
    end: dt.datetime
    status: str
    price: str
    currency: str


def booking_out(b: agendo.Booking) -> BookingOut:
    return BookingOut(id=b.id, start=b.start, end=b.end, status=b.status, price=str(b.price), currency=b.currency)


@app.post("/salons", status_code=201)
def create_salon(body: SalonIn, request: Request) -> dict:
    """A salon with a 45-minute cut, Ana working weekdays 09:00-18:00 and one client."""
    e = engine(request)
    shop = e.create_business(body.name, body.timezone, body.currency)
    cut = e.save_service(shop.id, "Corte", 45, "80.00")
    hours = {"weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
    ana = e.save_professional(shop.id, "Ana", services=[cut.id], hours=hours)
    maria = e.save_client(shop.id, "Maria", email="maria@example.com")
    return {"salon": shop.id, "service": cut.id, "professional": ana.id, "client": maria.id}


@app.get("/salons/{salon}/services/{service}/slots", response_model=List[SlotOut])
def slots(salon: str, service: str, start: dt.date, end: dt.date, request: Request,
          professional: Optional[str] = None) -> List[SlotOut]:
    found = engine(request).availability(salon, service, start, end, professional=professional)
    return [SlotOut(start=s.start, end=s.end, staff=s.staff) for s in found]


@app.post("/salons/{salon}/bookings", status_code=201, response_model=BookingOut)
def book(salon: str, body: BookingIn, request: Request) -> BookingOut:
    key = request.headers.get("idempotency-key")
    made = engine(request).book(salon, body.service, body.professional, body.client, body.start, key=key)
    return booking_out(made)


@app.post("/salons/{salon}/bookings/{booking}/cancel")
def cancel(salon: str, booking: str, request: Request) -> dict:
    ended = engine(request).cancel(salon, booking, by="client")
    return {"booking": booking_out(ended.booking).model_dump(mode="json"),
            "fee": str(ended.settlement.fee), "refund": str(ended.settlement.refund)}


def check() -> None:
    """Drives the API in-process and checks what a client sees."""
    import tempfile
    import warnings

    warnings.filterwarnings("ignore", message=".*httpx2.*")  # Starlette's test client notice
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["AGENDO_DB"] = os.path.join(scratch, "salon.db")
        with TestClient(app) as http:
            ids = http.post("/salons", json={"name": "Salão da Ana"}).json()
            today = dt.date.today()
            week = {"start": str(today), "end": str(today + dt.timedelta(days=7))}
            free = http.get(f"/salons/{ids['salon']}/services/{ids['service']}/slots", params=week).json()
            assert len(free) >= 12, free
            wanted = {"service": ids["service"], "professional": ids["professional"],
                      "client": ids["client"], "start": free[0]["start"]}
            made = http.post(f"/salons/{ids['salon']}/bookings", json=wanted)
            assert made.status_code == 201, made.text
            again = http.post(f"/salons/{ids['salon']}/bookings", json=wanted, headers={"Accept-Language": "pt-BR"})
            assert again.status_code == 409, again.text
            assert again.json()["conflicts"] == [made.json()["id"]]
            assert "Ana já tem um horário" in again.json()["message"], again.json()
            naive = http.post(f"/salons/{ids['salon']}/bookings", json={**wanted, "start": "2030-01-07T09:00:00"})
            assert naive.status_code == 422 and naive.json()["field"] == "start", naive.text
            cancelled = http.post(f"/salons/{ids['salon']}/bookings/{made.json()['id']}/cancel")
            assert cancelled.json()["booking"]["status"] == "cancelled", cancelled.text
            print(f"fastapi example: {len(free)} free slots, booked, 409 on the same slot, cancelled")


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
    else:
        sys.exit(__doc__)
