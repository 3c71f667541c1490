"""Agendo in five lines: open an engine on an SQLite file, set a
professional's hours, find free slots, book one.

    python examples/python/quickstart.py [salon.db]

Mensagens de erro vêm em inglês (str(e)) e português (e.message_pt_br).
"""

import sys
from datetime import date, datetime, timedelta, timezone

import agendo

path = sys.argv[1] if len(sys.argv) > 1 else "salon.db"
engine = agendo.Engine.open(path)

# The salon, a service and a professional who works weekdays 09:00-18:00.
shop = engine.create_business("Salão da Ana", "America/Sao_Paulo", "BRL")
cut = engine.save_service(shop.id, "Corte feminino", 45, "80.00")
hours = {"weekly": {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}}
ana = engine.save_professional(shop.id, "Ana", services=[cut.id], hours=hours)
maria = engine.save_client(shop.id, "Maria", email="maria@example.com")

# Free slots over the next week, then book the first one.
today = date.today()
slots = engine.availability(shop.id, cut.id, today, today + timedelta(days=7))
booking = engine.book(shop.id, cut.id, ana.id, maria.id, slots[0].start)
print(f"{len(slots)} free slots; booked {booking.start.isoformat()} ({booking.status}, {booking.price} {booking.currency})")

# The same slot again is refused, naming the booking in the way.
try:
    other = engine.save_client(shop.id, "João")
    engine.book(shop.id, cut.id, ana.id, other.id, slots[0].start)
except agendo.SlotTaken as taken:
    assert taken.conflicts == (booking.id,)
    print(f"second booking refused: {taken}")
    print(f"segunda reserva recusada: {taken.message_pt_br}")
else:
    sys.exit("the same slot was booked twice")

left = engine.availability(shop.id, cut.id, today, today + timedelta(days=7))
assert slots[0].start not in [s.start for s in left]
assert booking.start > datetime.now(timezone.utc)
