"""The WSGI application of ``advocacy serve``, warmed before it serves (see core/warmup.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
application = get_wsgi_application()

from advocacy.core.warmup import warm  # noqa: E402 - needs the application's settings and apps

warm()
