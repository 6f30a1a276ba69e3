"""Limits everywhere a stranger can reach: staff sign-in, the API, and the shared cache they count in."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from advocacy.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
DB_CACHE = {
    "default": {"BACKEND": "advocacy.core.limits.AtomicDatabaseCache", "LOCATION": "advocacy_cache", "TIMEOUT": 3600}
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


# The shared cache the limits count in


def expiry(key: str) -> object:
    full = cache.make_and_validate_key(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM advocacy_cache WHERE cache_key = %s", [full])
        return cursor.fetchone()[0]


@override_settings(CACHES=DB_CACHE)
def test_the_database_cache_counts_atomically_and_keeps_a_counters_expiry():
    assert cache.add("counter", 0, 900)
    before = expiry("counter")
    assert [cache.incr("counter") for _ in range(4)] == [1, 2, 3, 4]
    assert cache.get("counter") == 4 and expiry("counter") == before, "an increment does not move the expiry"
    with pytest.raises(ValueError):
        cache.incr("never-set")


@override_settings(CACHES=DB_CACHE)
def test_sign_in_limits_hold_on_the_database_cache(staff, settings):
    settings.SIGNIN_MAX_FAILURES = 2
    sign_in("dan", "guess")
    sign_in("dan", "guess")
    assert sign_in("dan", PASSWORD).status_code == 429
    assert sign_in("dan", PASSWORD, ip="198.51.100.4").status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite serialises every writer")
@override_settings(CACHES=DB_CACHE)
def test_eight_workers_counting_at_once_lose_no_count():
    cache.add("burst", 0, 900)
    start = threading.Event()

    def count() -> None:
        start.wait(5)
        try:
            for _ in range(25):
                cache.incr("burst")
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=30)
    assert cache.get("burst") == 200
    cache.delete("burst")


@override_settings(CACHES=DB_CACHE)
def test_an_expired_counter_is_not_counted_on():
    cache.set("old", 5, 60)
    full = cache.make_and_validate_key("old")
    past = connection.ops.adapt_datetimefield_value((timezone.now() - timedelta(hours=1)).replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE advocacy_cache SET expires = %s WHERE cache_key = %s", [past, full])
    with pytest.raises(ValueError):
        cache.incr("old")


@override_settings(CACHES=DB_CACHE)
def test_adding_a_live_counter_again_keeps_it_and_an_expired_one_starts_afresh():
    assert cache.add("window", 0, 900)
    cache.incr("window")
    before = expiry("window")
    assert not cache.add("window", 0, 900), "a live counter is not reset"
    assert cache.get("window") == 1 and expiry("window") == before

    full = cache.make_and_validate_key("window")
    past = connection.ops.adapt_datetimefield_value((timezone.now() - timedelta(hours=1)).replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE advocacy_cache SET expires = %s WHERE cache_key = %s", [past, full])
    assert cache.add("window", 0, 900), "an expired counter is taken over"
    assert cache.get("window") == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the setting is PostgreSQL's")
@override_settings(CACHES=DB_CACHE)
def test_on_postgresql_a_count_does_not_wait_for_the_disk_and_still_counts_exactly(settings):
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from advocacy.core import limits

    settings.LIMIT_ANSWERS_PER_IP = "3/m"
    request = RequestFactory().post("/survey/a/x/9/", REMOTE_ADDR="203.0.113.77")
    with CaptureQueriesContext(connection) as counted:
        waits = [limits.over(request, [(limits.ANSWERS_PER_IP, "203.0.113.77")]) for _ in range(3)]

    assert waits == [None, None, None]
    assert sum("synchronous_commit TO OFF" in q["sql"] for q in counted.captured_queries) == 3
    fourth = limits.over(request, [(limits.ANSWERS_PER_IP, "203.0.113.77")])
    assert fourth is not None and 0 < fourth <= 60, "the fourth request in the minute is over the limit of 3"
    cache.clear()
