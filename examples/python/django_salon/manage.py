#!/usr/bin/env python
"""Django's command line for the salon example.

    pip install django
    AGENDO_DB=salon.db python examples/python/django_salon/manage.py runserver
    python examples/python/django_salon/manage.py test agenda   # CI runs this
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
