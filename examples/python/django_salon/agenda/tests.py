"""The views through Django's test client, with the engine the app opened
(a fresh SQLite file per run, AGENDO_DB). Run: manage.py test agenda."""

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.test import SimpleTestCase

UTC = dt.timezone.utc


class BookingViews(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        engine = apps.get_app_config("agenda").engine
        shop = engine.create_business("Salão da Ana", "America/Sao_Paulo", "BRL")
        cls.business = shop.id
        cls.cut = engine.save_service(shop.id, "Corte", 30, Decimal("80.00")).id
        weekdays = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        cls.ana = engine.save_professional(
            shop.id, "Ana", services=[cls.cut], hours={"weekly": weekdays}
        ).id
        cls.maria = engine.save_client(shop.id, "Maria").id
        cls.joao = engine.save_client(shop.id, "João").id
        today = dt.date.today()
        cls.monday = today + dt.timedelta(days=7 - today.weekday())

    def test_slots_then_a_booking_then_the_slot_is_gone(self):
        url = f"/{self.business}/availability"
        day = self.monday.isoformat()
        slots = self.client.get(url, {"service": self.cut, "from": day, "to": day}).json()["slots"]
        self.assertEqual(len(slots), 18)
        first = slots[0]["start"]
        self.assertEqual(slots[0]["staff"], [self.ana])
        booked = self.client.post(
            f"/{self.business}/bookings",
            {"service": self.cut, "professional": self.ana, "client": self.maria, "start": first},
            content_type="application/json",
        )
        self.assertEqual(booked.status_code, 201, booked.content)
        again = self.client.get(url, {"service": self.cut, "from": day, "to": day}).json()["slots"]
        self.assertNotIn(first, [s["start"] for s in again])
        taken = self.client.post(
            f"/{self.business}/bookings",
            {"service": self.cut, "professional": self.ana, "client": self.joao, "start": first},
            content_type="application/json",
            headers={"Accept-Language": "pt-BR"},
        )
        self.assertEqual(taken.status_code, 409)
        self.assertEqual(taken.json()["code"], "slot_taken")
        self.assertIn("Ana", taken.json()["message"])
        self.assertIn("09:00", taken.json()["message"])

    def test_bad_input_names_the_field(self):
        bad_service = self.client.get(
            f"/{self.business}/availability",
            {"service": "corte", "from": self.monday.isoformat()},
        )
        self.assertEqual(bad_service.status_code, 422)
        self.assertEqual(bad_service.json()["field"], "service")
        bad_start = self.client.post(
            f"/{self.business}/bookings",
            {"service": self.cut, "professional": self.ana, "client": self.maria, "start": "amanhã"},
            content_type="application/json",
        )
        self.assertEqual(bad_start.status_code, 422)
        self.assertEqual(bad_start.json()["field"], "start")
        unknown = self.client.get(
            "/67e55044-10b1-426f-9247-bb680e5fe0c8/availability",
            {"service": self.cut, "from": self.monday.isoformat()},
        )
        self.assertEqual(unknown.status_code, 404)
