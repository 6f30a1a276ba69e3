"""``advocacy serve``: the production-grade WSGI server (gunicorn) on this machine.

Static files are served by WhiteNoise from the same process, so no proxy is needed for a demo or
a small deployment; put any HTTP proxy in front for TLS. The request timeout (REQUEST_TIMEOUT_SECONDS,
or ``--timeout``) is enforced on every thread by the watchdog in core/gunicorn_conf.py.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve Advocacy with gunicorn (default 127.0.0.1:8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ADVOCACY_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=settings.REQUEST_TIMEOUT_SECONDS)

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment")
        argv = [
            gunicorn,
            "advocacy.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--config",
            "python:advocacy.core.gunicorn_conf",
            "--access-logfile",
            "-",
        ]
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"Serving Advocacy on http://{options['bind']}/ (database: {engine})")
        sys.stdout.flush()
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server, by design
