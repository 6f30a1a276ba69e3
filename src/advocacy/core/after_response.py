"""Work a page does after its response has gone out: the answer cannot depend on it, or wait for it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpResponseBase

logger = logging.getLogger(__name__)


def after_response(response: HttpResponseBase, work: Callable[[], object]) -> None:
    """Run ``work`` when the server closes the response, once it has been sent, in the same thread and
    with the same database connection. A failure is logged: the client has its answer already."""

    def run() -> None:
        try:
            work()
        except Exception:
            logger.exception("work after the response failed")

    # Django runs a response's closers when the server closes it (WSGI's close()), then sends
    # request_finished; the test client closes responses too.
    response._resource_closers.append(run)  # type: ignore[attr-defined]
