"""The limits on everything a stranger can reach; docs/security.md ("Limits") lists each one.

Limits count in fixed windows, in a place every web process shares: a table of their own
(``LimitCount``, one upsert a count; ``LIMITS_STORE = "database"``, the default), or Redis through
django-ratelimit when REDIS_URL is set (``"cache"``). This module names each limit and what it counts
per, and answers a request over a limit with 429 and ``Retry-After``. The rates are settings
(``LIMIT_*``, ``SIGNIN_MAX_FAILURES``), read when a request is counted.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
import unicodedata
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_ratelimit.core import _get_ip, _split_rate, get_usage

from advocacy.core.models import LimitCount
from advocacy.core.prepared import prepared_cursor


@dataclass(frozen=True)
class Limit:
    """One published limit: a name (its group in the cache), what it counts per, and its rate setting."""

    group: str
    per: str
    rate: Callable[[], str]


def setting(name: str) -> Callable[[], str]:
    return lambda: str(getattr(settings, name))


SIGNIN_FAILURES_PER_USER_AND_IP = Limit(
    "signin-failures-user-ip", "username and IP", lambda: f"{settings.SIGNIN_MAX_FAILURES}/15m"
)
SIGNIN_FAILURES_PER_IP = Limit("signin-failures-ip", "IP", setting("LIMIT_SIGNIN_FAILURES_PER_IP"))
SIGNIN_LINKS_PER_ADDRESS = Limit("signin-links-address", "email address", setting("LIMIT_SIGNIN_LINKS_PER_ADDRESS"))
SIGNIN_LINKS_PER_IP = Limit("signin-links-ip", "IP", setting("LIMIT_SIGNIN_LINKS_PER_IP"))
ANSWERS_PER_IP = Limit("answers-ip", "IP", setting("LIMIT_ANSWERS_PER_IP"))
WEB_SURVEY_ANSWERS_PER_IP = Limit("web-survey-ip", "IP", setting("LIMIT_WEB_SURVEY_ANSWERS_PER_IP"))
WEB_SURVEY_ANSWERS_PER_SURVEY_AND_IP = Limit(
    "web-survey-survey-ip", "survey and IP", lambda: f"1/{settings.WEB_SURVEY_DUPLICATE_WINDOW_HOURS}h"
)
REFERRAL_REQUESTS_PER_IP = Limit("referral-ip", "IP", setting("LIMIT_REFERRAL_REQUESTS_PER_IP"))
API_REQUESTS_PER_KEY = Limit("api-key", "API key (or staff session)", setting("LIMIT_API_REQUESTS_PER_KEY"))
API_REQUESTS_PER_IP = Limit("api-ip", "IP", setting("LIMIT_API_REQUESTS_PER_IP"))


def normalized(text: str) -> str:
    """A name or address as limits compare it: NFKC, then casefold, so that another spelling of the
    same name (full-width letters, ligatures, another case) counts against the same budget."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def client_ip(request: HttpRequest) -> str:
    """The client's address as the limits see it (RATELIMIT_IP_META_KEY behind a proxy; IPv6 per /64).

    A server on a Unix socket may pass no address at all: such requests share one budget."""
    try:
        return str(_get_ip(request))
    except (KeyError, ValueError):
        return "unknown"


def usage(request: HttpRequest, limit: Limit, value: str, *, count: bool) -> int | None:
    """Count this request against ``limit`` for ``value``, or only look whether the budget is spent
    (count=False). Returns the seconds until the window ends when it is over the limit, else None."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    if settings.LIMITS_STORE == "cache":
        return cache_usage(request, limit, value, count=count)
    allowed, period = split_rate(limit.rate())
    key = counter_key(limit, value)
    now = now_seconds()
    seen, ends = counted(key, period, now) if count else looked_up(key, now)
    # Counted, this request is over when the count passes the limit; only looking, the next request
    # would be, once the count has reached it.
    if seen > allowed or (not count and seen >= allowed):
        return max(1, ends - now)
    return None


def cache_usage(request: HttpRequest, limit: Limit, value: str, *, count: bool) -> int | None:
    """The same, counted by django-ratelimit in the default cache (Redis: its increment is atomic)."""
    found = get_usage(
        request, group=limit.group, key=lambda _group, _request: value, rate=limit.rate(), increment=count
    )
    if found is None:
        return None
    if not (found["should_limit"] or (not count and found["count"] >= found["limit"])):
        return None
    return max(1, int(found["time_left"]))


def now_seconds() -> int:
    """The limits' clock (tests hold it still, so that a test's requests never straddle a window's end)."""
    return int(time.time())


# A rate as the settings write it, "10/15m", as (10, 900): the count allowed and the window's seconds,
# read as django-ratelimit reads it, so that both stores agree on what a setting means.
split_rate = _split_rate


def counter_key(limit: Limit, value: str) -> str:
    """The counter's row: the limit's name and a hash of what it counts per (an address is never stored)."""
    return f"{limit.group}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def window_end(key: str, period: int, now: int) -> int:
    """When the window that ``now`` falls in ends: windows of ``period`` seconds, each key's shifted by a
    hash of it, so that the counters of a busy minute do not all start afresh in the same second."""
    offset = zlib.crc32(key.encode()) % period
    return now + period - (now - offset) % period


# One statement counts a request: a counter whose window has ended starts again at one in a new window;
# otherwise it goes up by one and keeps its window, so every process counts in the window the first count
# opened, whatever small difference there is between their clocks. On SQLite that is one write (one turn
# at the write lock); on PostgreSQL one statement on an unlogged table, whose commit does not wait for
# the disk. One count in PURGE_EVERY also deletes the counters whose windows have ended.
COUNT = """
INSERT INTO core_limitcount (key, window_ends, count) VALUES (%(key)s, %(ends)s, 1)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN core_limitcount.window_ends <= %(now)s THEN 1 ELSE core_limitcount.count + 1 END,
    window_ends = CASE WHEN core_limitcount.window_ends <= %(now)s THEN excluded.window_ends
                       ELSE core_limitcount.window_ends END
RETURNING count, window_ends
"""
PURGE_EVERY = 100


def counted(key: str, period: int, now: int) -> tuple[int, int]:
    """Count one request on ``key``: the count so far in its window, and when the window ends."""
    with write_of_its_own(), prepared_cursor() as cursor:
        if purge_due():
            cursor.execute("DELETE FROM core_limitcount WHERE window_ends <= %s", [now])
        cursor.execute(COUNT, {"key": key, "ends": window_end(key, period, now), "now": now})
        seen, ends = cursor.fetchone()
    return int(seen), int(ends)


def write_of_its_own() -> AbstractContextManager[Any]:
    """On SQLite a transaction of its own, so that the count waits for the write lock in the backend's short
    steps (core/sqlite/base.py) and not in SQLite's back-off, which left single counts asleep for 100–600 ms
    through a burst of answers. On PostgreSQL the statement alone: there a transaction would cost two
    round trips more, and a statement waiting for a row lock wakes as soon as the lock is free."""
    return transaction.atomic() if connection.vendor == "sqlite" else nullcontext()


def purge_due() -> bool:
    return random.randrange(PURGE_EVERY) == 0


def looked_up(key: str, now: int) -> tuple[int, int]:
    """The count on ``key`` in its running window without counting (0 when none runs)."""
    found = LimitCount.objects.filter(key=key, window_ends__gt=now).values_list("count", "window_ends").first()
    return found if found is not None else (0, now)


def over(request: HttpRequest, checks: list[tuple[Limit, str]], *, count: bool = True) -> int | None:
    """Count the request against each (limit, value); the longest wait among those it is over, or None.
    Every limit is counted, so a request refused by one still uses up the others."""
    waits = [wait for limit, value in checks if (wait := usage(request, limit, value, count=count)) is not None]
    return max(waits) if waits else None


def wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes" if minutes < 90 else f"{math.ceil(minutes / 60)} hours"


def too_many(
    request: HttpRequest, wait: int, *, template: str = "core/too_many.html", context: dict[str, Any] | None = None
) -> HttpResponse:
    """The page for a request over a limit: 429, with Retry-After in seconds."""
    response = render(request, template, {"wait": wait_words(wait), **(context or {})}, status=429)
    response["Retry-After"] = str(wait)
    return response


def too_many_problem(wait: int, detail: str) -> HttpResponse:
    """The API's answer over a limit: RFC 9457 problem details, 429, with Retry-After."""
    body = {"type": "about:blank", "title": "Too many requests", "status": 429, "detail": detail}
    response = JsonResponse(body, status=429, content_type="application/problem+json")
    response["Retry-After"] = str(wait)
    return response


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class ApiLimitMiddleware:
    """The API's limits, before any work: per key (a hash of the presented key; for a staff session, the
    user) and per IP, so that made-up keys are limited too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        checks = [(API_REQUESTS_PER_IP, client_ip(request))]
        token = bearer_token(request)
        user = getattr(request, "user", None)
        if token:
            checks.append((API_REQUESTS_PER_KEY, "key:" + hashlib.sha256(token.encode()).hexdigest()))
        elif user is not None and user.is_authenticated:
            checks.append((API_REQUESTS_PER_KEY, f"user:{user.pk}"))
        wait = over(request, checks)
        if wait is not None:
            return too_many_problem(wait, f"Too many requests; try again in {wait_words(wait)}.")
        return self.get_response(request)
