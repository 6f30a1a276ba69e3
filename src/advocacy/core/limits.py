"""The limits on everything a stranger can reach; docs/security.md ("Limits") lists each one.

The counting is django-ratelimit's: fixed windows, counted in the default cache, which every web
process shares (the database cache, or Redis when REDIS_URL is set). This module names each limit and
what it counts per, and answers a request over a limit with 429 and ``Retry-After``. The rates are
settings (``LIMIT_*``, ``SIGNIN_MAX_FAILURES``), read when a request is counted.
"""

from __future__ import annotations

import base64
import hashlib
import math
import pickle
import random
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import _get_ip, get_usage


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
    with counting():
        found = get_usage(
            request, group=limit.group, key=lambda _group, _request: value, rate=limit.rate(), increment=count
        )
    if found is None:
        return None
    # Counted, this request is over when the count passes the limit; only looking, the next request
    # would be, once the count has reached it.
    if not (found["should_limit"] or (not count and found["count"] >= found["limit"])):
        return None
    return max(1, int(found["time_left"]))


def counting() -> AbstractContextManager[Any]:
    """Around counting one request in the database cache on PostgreSQL: one transaction whose commit does
    not wait for the disk (``synchronous_commit`` off for this transaction only). A counter need not
    survive a crash (the database would lose at most the last counts, and nothing else), and without
    this each count waited for a disk flush of its own: two per request, more than the answer it guards.
    Elsewhere (SQLite in WAL mode flushes at checkpoints; Redis; inside a caller's transaction, whose
    commit must stay durable) nothing changes."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if not isinstance(cache, AtomicDatabaseCache):
        return nullcontext()
    connection = connections[router.db_for_write(cache.cache_model_class)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return nullcontext()
    return unflushed_transaction(connection)


@contextmanager
def unflushed_transaction(connection: Any) -> Iterator[None]:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


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


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic increment that keeps the entry's expiry, and a counted
    request in three short statements, none waiting on a lock.

    The base ``incr`` reads, adds and writes back with the default timeout: two requests at once both
    count as one, and a counter's expiry moves. Here the write is a compare-and-set (the UPDATE names
    the value it read), retried when another request counted first, and only the value changes. The
    base ``add`` counts the whole table and then tries an INSERT that fails while the counter lives;
    here it is one INSERT … ON CONFLICT that takes over only an expired entry, and the table is
    counted (and culled when over MAX_ENTRIES) on one add in CULL_EVERY.
    """

    CULL_EVERY = 100

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        cache_key = self.make_and_validate_key(key, version=version)
        backend_timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        now = timezone.now().replace(microsecond=0)
        if backend_timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(backend_timeout, tz=UTC if settings.USE_TZ else None)
        adapt = connection.ops.adapt_datetimefield_value
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            if random.randrange(self.CULL_EVERY) == 0:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a quoted name
                entries = cursor.fetchone()[0]
                if entries > self._max_entries:
                    self._cull(db, cursor, now, entries)  # type: ignore[attr-defined]
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - as above
                f"ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                f"WHERE {table}.expires < %s",
                [cache_key, encoded, adapt(expires.replace(microsecond=0)), adapt(now)],
            )
            return cursor.rowcount == 1

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            while True:
                now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
                live = f"{quote('cache_key')} = %s AND {quote('expires')} >= %s"
                cursor.execute(f"SELECT {quote('value')} FROM {table} WHERE {live}", [cache_key, now])  # noqa: S608 - quoted names, values as parameters
                row = cursor.fetchone()
                if row is None:
                    raise ValueError(f"Key '{key}' not found")
                value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - written by this cache
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                unchanged = f"{quote('cache_key')} = %s AND {quote('value')} = %s"
                cursor.execute(
                    f"UPDATE {table} SET {quote('value')} = %s WHERE {unchanged}",  # noqa: S608 - as above
                    [encoded, cache_key, row[0]],
                )
                if cursor.rowcount == 1:
                    return value
