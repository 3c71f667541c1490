"""Agendo's booking engine in-process.

Instants are aware ``datetime`` values (answers are in UTC); money is
``decimal.Decimal`` (a ``float`` is refused); ids are text. Every call
releases the GIL while the engine works; an ``Engine`` is safe to share
between threads.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from types import TracebackType
from typing import Any, Mapping, Optional, Sequence, Tuple, Type, Union

__version__: str

Amount = Union[Decimal, int, str]
JsonShape = Union[Mapping[str, Any], str]

class Error(Exception):
    """Every error of the engine."""

    code: str
    """The engine's stable name of the cause, such as ``slot_taken``."""
    field: Optional[str]
    """The argument or JSON path of a bad value, such as ``staff[0].weekly.mon[1]``."""
    conflicts: Tuple[str, ...]
    """The ids in the way: bookings taking a slot, or the block meeting it."""
    professional: Optional[str]
    """The professional a slot error is about."""
    message_en: str
    message_pt_br: str

class ValidationError(Error): ...
class NotFound(Error): ...
class Unavailable(Error): ...
class SlotTaken(Unavailable): ...
class Blocked(Unavailable): ...
class OutsideWorkingHours(Unavailable): ...
class NotAllowed(Error): ...
class Forbidden(NotAllowed): ...
class Busy(Error): ...
class StorageError(Error): ...

class Slot:
    start: datetime.datetime
    end: datetime.datetime
    staff: list[str]

class Business:
    id: str
    name: str
    timezone: str
    currency: str
    locale: str
    confirmation: str
    @property
    def policy(self) -> dict[str, Any]: ...

class Service:
    id: str
    name: str
    description: str
    duration_minutes: int
    price: Decimal
    currency: str
    buffer_before_minutes: int
    buffer_after_minutes: int
    active: bool

class Professional:
    id: str
    name: str
    services: list[str]
    capacity: int
    active: bool
    @property
    def hours(self) -> dict[str, Any]: ...

class Client:
    id: str
    name: str
    email: Optional[str]
    phone: Optional[str]
    notes: str
    active: bool

class Block:
    id: str
    professional: str
    start: datetime.datetime
    end: datetime.datetime
    reason: str

class Booking:
    id: str
    service: str
    professional: str
    client: str
    start: datetime.datetime
    end: datetime.datetime
    status: str
    """``pending``, ``confirmed``, ``completed``, ``cancelled`` or ``no_show``."""
    price: Decimal
    deposit: Decimal
    currency: str
    created_at: datetime.datetime

class Settlement:
    fee: Decimal
    refund: Decimal
    uncovered: Decimal
    currency: str
    rule: str
    """``business_cancelled``, ``tier``, ``late`` or ``no_show``."""
    fee_percent: Optional[Decimal]

class Cancellation:
    booking: Booking
    settlement: Settlement
    refunded_payments: list[str]

class Payment:
    id: str
    client: str
    booking: Optional[str]
    method: str
    amount: Decimal
    net: Decimal
    currency: str
    status: str
    created_at: datetime.datetime

def find_slots(query: JsonShape) -> list[Slot]:
    """The free slots of a query in the engine's JSON contract."""

def check_booking(query: JsonShape, staff: str, start: datetime.datetime) -> None:
    """Raises SlotTaken, Blocked or OutsideWorkingHours unless ``staff`` may be booked at ``start``."""

def settle_cancellation(
    policy: JsonShape,
    *,
    price: Amount,
    paid: Amount,
    currency: str,
    start: datetime.datetime,
    now: datetime.datetime,
    by: str = "client",
) -> Settlement:
    """The fee kept and the refund when a booking is cancelled ``by`` the client or the business."""

def expand_recurrence(rule: str, first: datetime.datetime, timezone: str) -> list[datetime.datetime]:
    """The starts of a series: an RRULE from a naive local ``first`` in ``timezone``."""

class Engine:
    @classmethod
    def open(cls, path: Union[str, os.PathLike[str]]) -> Engine:
        """Opens (creating it if missing) an SQLite file."""
    @classmethod
    def connect(cls, url: str) -> Engine:
        """Connects to a Postgres database: ``postgres://user:pass@host:5432/db``."""
    def close(self) -> None: ...
    def acting(self, role: str, professional: Optional[str] = None) -> Engine:
        """A handle through which ``role`` acts; refusals raise ``Forbidden``."""
    def events(self, business: str, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """The business's events after ``after``: ``number``, ``at``, ``type`` and fields."""
    def __enter__(self) -> Engine: ...
    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> bool: ...
    def create_business(
        self,
        name: str,
        timezone: str,
        currency: str,
        *,
        locale: str = "pt-BR",
        confirmation: str = "immediate",
        policy: Optional[JsonShape] = None,
    ) -> Business: ...
    def business(self, business: str) -> Business: ...
    def save_service(
        self,
        business: str,
        name: str,
        duration_minutes: int,
        price: Amount,
        *,
        id: Optional[str] = None,
        description: str = "",
        buffer_before_minutes: int = 0,
        buffer_after_minutes: int = 0,
        active: bool = True,
        now: Optional[datetime.datetime] = None,
    ) -> Service: ...
    def services(self, business: str) -> list[Service]: ...
    def save_professional(
        self,
        business: str,
        name: str,
        *,
        services: Sequence[str] = (),
        hours: Optional[JsonShape] = None,
        capacity: int = 1,
        id: Optional[str] = None,
        active: bool = True,
        now: Optional[datetime.datetime] = None,
    ) -> Professional: ...
    def professionals(self, business: str) -> list[Professional]: ...
    def set_hours(
        self,
        business: str,
        professional: str,
        hours: JsonShape,
        *,
        now: Optional[datetime.datetime] = None,
    ) -> Professional: ...
    def add_block(
        self,
        business: str,
        professional: str,
        start: datetime.datetime,
        end: datetime.datetime,
        *,
        reason: str = "",
        now: Optional[datetime.datetime] = None,
    ) -> Block: ...
    def remove_block(self, business: str, professional: str, block: str, *, now: Optional[datetime.datetime] = None) -> None: ...
    def save_client(
        self,
        business: str,
        name: str,
        *,
        email: Optional[str] = None,
        phone: Optional[str] = None,
        notes: str = "",
        id: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> Client: ...
    def clients(self, business: str, query: str = "") -> list[Client]: ...
    def availability(
        self,
        business: str,
        service: str,
        start_date: datetime.date,
        end_date: datetime.date,
        *,
        professional: Optional[str] = None,
        step_minutes: Optional[int] = None,
        now: Optional[datetime.datetime] = None,
    ) -> list[Slot]: ...
    def book(
        self,
        business: str,
        service: str,
        professional: str,
        client: str,
        start: datetime.datetime,
        *,
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> Booking: ...
    def booking(self, business: str, booking: str) -> Booking: ...
    def bookings(
        self,
        business: str,
        start: datetime.datetime,
        end: datetime.datetime,
        *,
        professional: Optional[str] = None,
    ) -> list[Booking]: ...
    def confirm(self, business: str, booking: str, *, now: Optional[datetime.datetime] = None) -> Booking: ...
    def complete(self, business: str, booking: str, *, now: Optional[datetime.datetime] = None) -> Booking: ...
    def reschedule(
        self,
        business: str,
        booking: str,
        start: datetime.datetime,
        *,
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> Booking: ...
    def cancel(
        self,
        business: str,
        booking: str,
        *,
        by: str = "client",
        reason: str = "",
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> Cancellation: ...
    def no_show(self, business: str, booking: str, *, now: Optional[datetime.datetime] = None) -> Cancellation: ...
    def record_payment(
        self,
        business: str,
        client: str,
        amount: Amount,
        method: str,
        *,
        booking: Optional[str] = None,
        approved: bool = True,
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> Payment: ...
    def approve_payment(self, business: str, payment: str, *, now: Optional[datetime.datetime] = None) -> Payment: ...
    def refund(
        self,
        business: str,
        payment: str,
        amount: Amount,
        *,
        reason: str = "",
        now: Optional[datetime.datetime] = None,
    ) -> Payment: ...
    def payments(self, business: str, booking: str) -> list[Payment]: ...
