"""The app: one Agendo engine per process, opened when Django is ready.

A pre-forking server (gunicorn) imports the project in the parent and then
forks; `ready()` runs in each worker as it loads the app, so every worker
opens its own engine (threads and connections do not survive a fork).
"""

import atexit

from django.apps import AppConfig
from django.conf import settings

import agendo


class AgendaConfig(AppConfig):
    name = "agenda"
    engine: agendo.Engine

    def ready(self) -> None:
        type(self).engine = agendo.Engine.open(settings.AGENDO_DB)
        atexit.register(type(self).engine.close)
