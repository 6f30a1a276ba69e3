"""A WSGI app with one fast, one busy and one stuck page, served by gunicorn in the timeout test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from advocacy.core.watchdog import RequestTimedOut


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    try:
        if path == "/busy":  # Python code: interrupted at the timeout
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                sum(range(1000))
        elif path == "/stuck":  # one long C call: its worker is replaced after the grace period
            time.sleep(30)
    except RequestTimedOut:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"timed out"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"finished {path}".encode()]
