"""Limits everywhere a stranger can reach: staff sign-in, the API, and the shared cache they count in."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from advocacy.core import limits
from advocacy.core.models import AuditEvent, LimitCount
from tests.conftest import redis_reachable

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
REDIS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}
}


def sign_in(username: str, password: str, ip: str = "203.0.113.9"):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=ip).post("/sign-in/", {"username": username, "password": password})


def retry_after(response) -> int:  # type: ignore[no-untyped-def]
    return int(response["Retry-After"])


# Staff sign-in


def test_another_spelling_of_a_locked_username_gets_no_fresh_budget(staff, settings):
    settings.SIGNIN_MAX_FAILURES = 3
    for _ in range(3):
        sign_in("carol", "guess")

    for spelling in ("carol", "ｃａｒｏｌ", "CAROL", "Carol "):  # full-width letters are NFKC-equal to "carol"
        locked = sign_in(spelling, PASSWORD)
        assert locked.status_code == 429, spelling
        assert "Too many failed sign-ins" in locked.text
        assert 0 < retry_after(locked) <= 15 * 60
    assert AuditEvent.objects.filter(verb="signin.failed", object_id="carol").count() == 3


def test_a_stranger_guessing_cannot_lock_a_colleague_out(staff, settings):
    settings.SIGNIN_MAX_FAILURES = 3
    for _ in range(5):
        sign_in("carol", "guess", ip="203.0.113.9")
    assert sign_in("carol", PASSWORD, ip="203.0.113.9").status_code == 429

    # Carol at her own desk signs in as ever.
    assert sign_in("carol", PASSWORD, ip="198.51.100.4").status_code == 302


def test_an_address_that_tries_many_usernames_is_stopped(staff, settings):
    settings.LIMIT_SIGNIN_FAILURES_PER_IP = "5/15m"
    for name in ("alice", "pat", "carol", "dan", "sam"):
        assert sign_in(name, "guess").status_code == 200
    stopped = sign_in("ana", PASSWORD)
    assert stopped.status_code == 429 and retry_after(stopped) > 0
    assert sign_in("ana", PASSWORD, ip="198.51.100.4").status_code == 302


# The API


def test_the_api_limits_each_key_and_answers_429_with_retry_after(api_token, settings):
    settings.LIMIT_API_REQUESTS_PER_KEY = "3/m"
    busy = Client(HTTP_AUTHORIZATION=f"Bearer {api_token('analyst')}")
    assert [busy.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]

    refused = busy.get("/api/v1/me")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"] == "Too many requests" and 0 < retry_after(refused) <= 60
    # Another key is not affected.
    assert Client(HTTP_AUTHORIZATION=f"Bearer {api_token('analyst')}").get("/api/v1/me").status_code == 200


def test_made_up_api_keys_are_limited_per_ip(staff, settings):
    settings.LIMIT_API_REQUESTS_PER_IP = "5/m"
    codes = [
        Client(HTTP_AUTHORIZATION=f"Bearer adv_made_up_{n}", REMOTE_ADDR="203.0.113.9").get("/api/v1/me").status_code
        for n in range(7)
    ]
    assert codes == [401] * 5 + [429] * 2


def test_a_limit_is_a_setting_checked_when_the_settings_load(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from advocacy.settings import env_rate

    monkeypatch.setenv("LIMIT_ANSWERS_PER_IP", "lots")
    with pytest.raises(ImproperlyConfigured, match="LIMIT_ANSWERS_PER_IP must be a limit such as 10/15m"):
        env_rate("LIMIT_ANSWERS_PER_IP", "120/m")
    monkeypatch.setenv("LIMIT_ANSWERS_PER_IP", "40/5m")
    assert env_rate("LIMIT_ANSWERS_PER_IP", "120/m") == "40/5m"


# Where the limits count: a table of their own, or Redis


def window_of(key: str) -> tuple[int, int]:
    return LimitCount.objects.values_list("count", "window_ends").get(key=key)


def test_a_counter_counts_in_its_window_and_a_window_that_ended_starts_again_at_one():
    now = int(time.time())
    counts = [limits.counted("group:k", 900, now) for _ in range(4)]
    assert [seen for seen, _ends in counts] == [1, 2, 3, 4]
    ends = counts[0][1]
    assert now < ends <= now + 900 and {e for _s, e in counts} == {ends}, "one window, opened by the first count"

    # A process whose clock runs a little ahead still counts in the running window.
    assert limits.counted("group:k", 900, ends - 1) == (5, ends)
    # Once the window has ended, the count starts again in a new one.
    seen, later = limits.counted("group:k", 900, ends)
    assert seen == 1 and ends < later <= ends + 900


def test_looking_does_not_count_and_an_ended_window_counts_as_nothing():
    now = int(time.time())
    limits.counted("group:peek", 60, now)
    assert limits.looked_up("group:peek", now)[0] == 1
    assert limits.looked_up("group:peek", now)[0] == 1, "looking twice counts nothing"
    ends = window_of("group:peek")[1]
    assert limits.looked_up("group:peek", ends)[0] == 0


def test_the_counters_store_a_hash_of_what_they_count_per_never_the_address(settings):
    settings.LIMIT_SIGNIN_LINKS_PER_ADDRESS = "2/h"
    request = RequestFactory().post("/portal/sign-in/", REMOTE_ADDR="203.0.113.7")
    budget = [(limits.SIGNIN_LINKS_PER_ADDRESS, "jo@example.com")]
    assert [limits.over(request, budget) for _ in range(2)] == [None, None]
    wait = limits.over(request, budget)
    assert wait is not None and 0 < wait <= 3600

    (key,) = LimitCount.objects.values_list("key", flat=True)
    assert key.startswith("signin-links-address:") and "jo" not in key and "example" not in key


def test_ended_windows_are_purged_and_running_ones_kept(monkeypatch):
    now = int(time.time())
    limits.counted("group:old", 60, now - 600)
    limits.counted("group:live", 3600, now)
    monkeypatch.setattr(limits, "purge_due", lambda: True)
    limits.counted("group:another", 60, now)
    assert set(LimitCount.objects.values_list("key", flat=True)) == {"group:live", "group:another"}


def test_a_rate_reads_as_the_count_allowed_and_the_seconds_of_its_window():
    assert limits.split_rate("10/15m") == (10, 900)
    assert limits.split_rate("1/24h") == (1, 86400)
    assert limits.split_rate("120/m") == (120, 60)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises every writer")
def test_eight_workers_counting_at_once_lose_no_count():
    start = threading.Event()
    now = int(time.time())
    seen: list[int] = []

    def count() -> None:
        start.wait(5)
        try:
            seen.extend(limits.counted("group:burst", 900, now)[0] for _ in range(25))
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(seen) == list(range(1, 201)), "every count seen once: none lost, none doubled"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: unlogged tables are PostgreSQL's")
def test_on_postgresql_a_count_is_one_statement_on_an_unlogged_table(settings, monkeypatch):
    settings.LIMIT_ANSWERS_PER_IP = "3/m"
    monkeypatch.setattr(limits, "purge_due", lambda: False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_limitcount'")
        assert cursor.fetchone()[0] == "u", "a count does not wait for the disk"
    request = RequestFactory().post("/survey/a/x/9/", REMOTE_ADDR="203.0.113.77")
    with CaptureQueriesContext(connection) as counted:
        waits = [limits.over(request, [(limits.ANSWERS_PER_IP, "203.0.113.77")]) for _ in range(3)]

    assert waits == [None, None, None] and len(counted.captured_queries) == 3
    fourth = limits.over(request, [(limits.ANSWERS_PER_IP, "203.0.113.77")])
    assert fourth is not None and 0 < fourth <= 60, "the fourth request in the minute is over the limit of 3"


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379")
@override_settings(CACHES=REDIS_CACHE, LIMITS_STORE="cache")
def test_with_redis_the_limits_count_there_and_hold(staff, settings):
    cache.clear()
    settings.SIGNIN_MAX_FAILURES = 2
    sign_in("dan", "guess")
    sign_in("dan", "guess")
    assert sign_in("dan", PASSWORD).status_code == 429
    assert sign_in("dan", PASSWORD, ip="198.51.100.4").status_code == 302
    assert not LimitCount.objects.exists(), "counted in Redis, not in the table"
    cache.clear()
