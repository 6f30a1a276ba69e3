"""``advocacy serve``: the production-grade WSGI server (gunicorn, or granian with ``--server granian``).

The application is imported and warmed once before it serves (core/warmup.py: gunicorn ``--preload``),
so a worker's first request is as fast as its hundredth.

Static files are served by WhiteNoise from the same process, so no proxy is needed for a demo or
a small deployment; put any HTTP proxy in front for TLS. The request timeout (REQUEST_TIMEOUT_SECONDS,
or ``--timeout``) is enforced on every thread by the watchdog in core/gunicorn_conf.py.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.core.servers import SERVERS, ServerMissing, server_argv


class Command(BaseCommand):
    help = "Serve Advocacy with gunicorn (default) or granian (default 127.0.0.1:8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ADVOCACY_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=settings.REQUEST_TIMEOUT_SECONDS)
        parser.add_argument(
            "--server", choices=SERVERS, default=os.environ.get("ADVOCACY_SERVER", "gunicorn"), help="the WSGI server"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            argv = server_argv(
                server=options["server"],
                app="advocacy.wsgi:application",
                bind=options["bind"],
                workers=options["workers"],
                threads=options["threads"],
                timeout=options["timeout"],
            )
        except ServerMissing as exc:
            raise CommandError(str(exc)) from exc
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Serving Advocacy on http://{options['bind']}/ with {options['server']} (database: {engine})"
        )
        sys.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process with the server, by design
