"""Settings of the salon example: no Django database (Agendo keeps the
agenda in its own SQLite file, AGENDO_DB), one app, JSON views."""

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
INSTALLED_APPS = ["agenda.apps.AgendaConfig"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "salon.urls"
DATABASES = {}
USE_TZ = True
TIME_ZONE = "UTC"

# Where the engine keeps the agenda; one engine per process, opened when
# Django is ready (`agenda.apps.AgendaConfig.ready`).
AGENDO_DB = os.environ.get("AGENDO_DB", "salon.db")
