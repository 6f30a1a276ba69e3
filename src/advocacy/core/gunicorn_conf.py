"""gunicorn hooks of ``advocacy serve``: each worker runs a watchdog that enforces the request timeout
(``--timeout``) on every thread; see core/watchdog.py. ``REQUEST_TIMEOUT_GRACE_SECONDS`` (10) is how
long a request stuck in a C call may outlive its timeout before its worker is replaced."""

from __future__ import annotations

import os
from typing import Any

from advocacy.core.watchdog import Watchdog

_watchdog: Watchdog | None = None


def post_worker_init(worker: Any) -> None:
    global _watchdog

    def stuck(label: str) -> None:
        worker.log.critical("%s ran past the request timeout and cannot be interrupted: restarting worker", label)
        os._exit(1)  # gunicorn's arbiter starts a fresh worker; nothing in this one can be trusted to end

    grace = float(os.environ.get("REQUEST_TIMEOUT_GRACE_SECONDS", "10"))
    _watchdog = Watchdog(timeout=float(worker.cfg.timeout), grace=grace, on_stuck=stuck)
    _watchdog.start()


def pre_request(worker: Any, req: Any) -> None:
    if _watchdog is not None:
        _watchdog.started(f"{req.method} {req.path}")


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    if _watchdog is not None:
        _watchdog.finished()
