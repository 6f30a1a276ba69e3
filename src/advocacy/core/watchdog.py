"""The request timeout, enforced under gunicorn's threaded workers.

gunicorn's ``--timeout`` only restarts a worker whose main loop stops answering; with threads, the
main loop goes on while a request runs for ever in its thread. The watchdog keeps the start time of
each request in flight and, once one has run ``timeout`` seconds:

1. raises ``RequestTimedOut`` inside that request's thread (at its next Python instruction), so only
   that request ends, with a 503 from ``RequestTimeoutMiddleware``, and its transaction rolls back;
2. if the request is still there ``grace`` seconds later (stuck in a C call: a socket, a query), it
   ends the whole worker process, as gunicorn's sync workers do; gunicorn starts a fresh one. Other
   requests of that worker are cut off with it.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class RequestTimedOut(Exception):
    """The request ran past the request timeout."""


@dataclass
class InFlight:
    started: float
    label: str
    interrupted: bool = False


def interrupt(thread_id: int) -> bool:
    """Raise RequestTimedOut in another thread, at its next bytecode."""
    done = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(RequestTimedOut))
    return bool(done == 1)


class Watchdog(threading.Thread):
    def __init__(self, *, timeout: float, grace: float, on_stuck: Callable[[str], None], every: float = 0.25) -> None:
        super().__init__(name="advocacy-request-watchdog", daemon=True)
        self.timeout, self.grace, self.on_stuck, self.every = timeout, grace, on_stuck, every
        self.requests: dict[int, InFlight] = {}
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def started(self, label: str) -> None:
        with self.lock:
            self.requests[threading.get_ident()] = InFlight(time.monotonic(), label)

    def finished(self) -> None:
        with self.lock:
            self.requests.pop(threading.get_ident(), None)

    def check(self) -> None:
        now = time.monotonic()
        with self.lock:
            late = [(ident, flight) for ident, flight in self.requests.items() if now - flight.started > self.timeout]
            for ident, flight in late:
                if not flight.interrupted:
                    flight.interrupted = interrupt(ident)
                elif now - flight.started > self.timeout + self.grace:
                    self.requests.pop(ident, None)
                    self.on_stuck(flight.label)

    def run(self) -> None:
        while not self.halt.wait(self.every):
            self.check()

    def stop(self) -> None:
        self.halt.set()
