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
from typing import Any, Mapping, Optional, Sequence, Tuple, Type, Union, final

__version__: str

__all__ = [
    "__version__", "find_slots", "check_booking", "settle_cancellation", "expand_recurrence",
    "Engine", "Slot", "Business", "Service", "Professional", "Client", "Block", "Booking",
    "Settlement", "Cancellation", "Payment", "Error", "ValidationError", "NotFound",
    "Unavailable", "SlotTaken", "Blocked", "OutsideWorkingHours", "NotAllowed", "Forbidden",
    "Busy", "StorageError",
]

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

@final
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    staff: list[str]

@final
class Business:
    id: str
    name: str
    timezone: str
    currency: str
    locale: str
    confirmation: str
    @property
    def policy(self) -> dict[str, Any]: ...

@final
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

@final
class Professional:
    id: str
    name: str
    services: list[str]
    capacity: int
    active: bool
    @property
    def hours(self) -> dict[str, Any]: ...

@final
class Client:
    id: str
    name: str
    email: Optional[str]
    phone: Optional[str]
    notes: str
    active: bool

@final
class Block:
    id: str
    professional: str
    start: datetime.datetime
    end: datetime.datetime
    reason: str

@final
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
    resource: Optional[str]
    series: Optional[str]

@final
class Settlement:
    fee: Decimal
    refund: Decimal
    uncovered: Decimal
    currency: str
    rule: str
    """``business_cancelled``, ``tier``, ``late`` or ``no_show``."""
    fee_percent: Optional[Decimal]

@final
class Cancellation:
    booking: Booking
    settlement: Settlement
    refunded_payments: list[str]

@final
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

@final
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
        locale: str = ...,  # "pt-BR"
        confirmation: str = ...,  # "immediate"
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
        description: str = ...,  # ""
        buffer_before_minutes: Optional[int] = None,  # 0
        buffer_after_minutes: Optional[int] = None,  # 0
        active: bool = True,
        resource: Optional[str] = None,
        resource_kind: Optional[str] = None,
        policy: Optional[Union[Mapping[str, Any], str]] = None,
        now: Optional[datetime.datetime] = None,
    ) -> Service: ...
    def services(self, business: str) -> list[Service]: ...
    def save_professional(
        self,
        business: str,
        name: str,
        *,
        services: Sequence[str] = ...,  # none
        hours: Optional[JsonShape] = None,
        capacity: Optional[int] = None,  # 1
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
        notes: str = ...,  # ""
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
    def cancellation_quote(
        self,
        business: str,
        booking: str,
        *,
        by: str = "client",
        now: Optional[datetime.datetime] = None,
    ) -> Settlement: ...
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
    def save_resource(
        self,
        business: str,
        *,
        id: Optional[str] = None,
        name: Optional[str] = None,
        kind: Optional[str] = None,
        capacity: Optional[int] = None,
        hours: Optional[Union[Mapping[str, Any], str]] = None,
        active: Optional[bool] = None,
        now: Optional[datetime.datetime] = None,
    ) -> dict[str, Any]: ...
    def resources(self, business: str) -> list[dict[str, Any]]: ...
    def book_series(
        self,
        business: str,
        service: str,
        professional: str,
        client: str,
        first: datetime.datetime,
        rule: str,
        *,
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> list[Booking]: ...
    def reschedule_following(
        self,
        business: str,
        booking: str,
        start: datetime.datetime,
        *,
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> list[Booking]: ...
    def cancel_following(
        self,
        business: str,
        booking: str,
        *,
        by: str = "client",
        reason: str = "",
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> list[Cancellation]: ...
    def create_receivables(
        self,
        business: str,
        client: str,
        amount: Amount,
        due: datetime.date,
        *,
        booking: Optional[str] = None,
        description: str = ...,  # ""
        months: int = 1,
        key: Optional[str] = None,
        now: Optional[datetime.datetime] = None,
    ) -> list[dict[str, Any]]: ...
    def receivables(
        self,
        business: str,
        *,
        status: Optional[str] = None,
        client: Optional[str] = None,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
        now: Optional[datetime.datetime] = None,
    ) -> dict[str, Any]: ...
    def pay_receivable(
        self, business: str, receivable: str, *, now: Optional[datetime.datetime] = None
    ) -> dict[str, Any]: ...
    def set_commissions(
        self,
        business: str,
        rules: Union[Sequence[Mapping[str, Any]], str],
        *,
        now: Optional[datetime.datetime] = None,
    ) -> list[dict[str, Any]]: ...
    def commissions(self, business: str) -> list[dict[str, Any]]: ...
    def statement(
        self, business: str, professional: str, month: datetime.date
    ) -> dict[str, Any]: ...
    def change_business(
        self,
        business: str,
        changes: Union[Mapping[str, Any], str],
        *,
        now: Optional[datetime.datetime] = None,
    ) -> Business: ...
    def business_profile(self, business: str) -> dict[str, Any]: ...
    def set_picture(
        self,
        business: str,
        subject: str,
        image: Optional[bytes],
        *,
        now: Optional[datetime.datetime] = None,
    ) -> Optional[dict[str, Any]]: ...
    def picture(self, business: str, subject: str) -> bytes: ...
    def booking_history(
        self, business: str, booking: str, *, lang: str = "pt-BR"
    ) -> dict[str, Any]: ...
    def list_payments(
        self,
        business: str,
        *,
        status: Optional[str] = None,
        method: Optional[str] = None,
        start: Optional[datetime.datetime] = None,
        end: Optional[datetime.datetime] = None,
        professional: Optional[str] = None,
        client: Optional[str] = None,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> dict[str, Any]: ...
    def clients_page(
        self,
        business: str,
        query: str = "",
        *,
        attributes: Optional[Mapping[str, str]] = None,
        include_retired: bool = False,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> dict[str, Any]: ...
    def why_not_free(
        self,
        business: str,
        service: str,
        start: datetime.datetime,
        *,
        professional: Optional[str] = None,
        lang: str = "pt-BR",
        now: Optional[datetime.datetime] = None,
    ) -> dict[str, Any]: ...
    def service(self, business: str, service: str) -> Service: ...
    def professional(self, business: str, professional: str) -> Professional: ...
    def client(self, business: str, client: str) -> Client: ...
    def resource(self, business: str, resource: str) -> dict[str, Any]: ...
    def receivable(
        self, business: str, receivable: str, *, now: Optional[datetime.datetime] = None
    ) -> dict[str, Any]: ...
    def payment(self, business: str, payment: str) -> Payment: ...
    def refuse_payment(
        self, business: str, payment: str, *, now: Optional[datetime.datetime] = None
    ) -> Payment: ...
    def blocks(
        self,
        business: str,
        professional: str,
        start: datetime.datetime,
        end: datetime.datetime,
    ) -> list[Block]: ...
    def client_bookings(self, business: str, client: str) -> list[Booking]: ...
    def bookings_page(
        self,
        business: str,
        *,
        start: Optional[datetime.datetime] = None,
        end: Optional[datetime.datetime] = None,
        professional: Optional[str] = None,
        client: Optional[str] = None,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> dict[str, Any]: ...
