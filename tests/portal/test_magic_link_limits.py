"""Asking for a sign-in link tells a stranger nothing: the same answer, made before any work that depends on
the address or the mail server, within limits per address and per IP."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from advocacy.portal.models import MagicLink
from advocacy.portal.signin.views import sign_in
from tests.conftest import free_port
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def ask(email: str, ip: str = "203.0.113.9"):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=ip).post("/portal/sign-in/", {"email": email})


def page(response, address: str) -> str:  # type: ignore[no-untyped-def]
    """The page, less the address it repeats and the per-request CSRF token and script nonce."""
    without_tokens = re.sub(r'"X-CSRFToken": "[^"]+"|nonce="[^"]+"', "", response.text)
    return without_tokens.replace(address, "ADDRESS")


def mail_is_down(settings) -> None:  # type: ignore[no-untyped-def]
    """SMTP at a port where nothing listens: every send fails at once."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_a_known_and_an_unknown_address_get_the_same_answer_when_mail_is_down(settings):
    mail_is_down(settings)
    CustomerFactory(email="known@example.com")

    known, unknown = ask("known@example.com"), ask("nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert page(known, "known@example.com") == page(unknown, "nobody@example.com")
    assert MagicLink.objects.count() == 1, "the link was made; only its mail failed, after the answer"


def shape(sql: str) -> str:
    """A statement without its values (the limits' counter for an address is keyed by a hash of it) and
    without the names Django gives savepoints (on SQLite a limit's count is a transaction of its own)."""
    return re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", sql)


def test_the_answer_is_made_before_any_work_that_depends_on_the_address(smtp):
    """The view returns the same page after the same queries for any address; looking the address up,
    making the link and mailing it run when the server closes the response."""
    CustomerFactory(email="known@example.com")
    factory = RequestFactory()
    answers, queries = [], []
    for address in ("known@example.com", "nobody@example.com"):
        request = factory.post("/portal/sign-in/", {"email": address})
        request.session, request.user = SessionStore(), AnonymousUser()  # what the middleware would add
        with CaptureQueriesContext(connection) as seen:
            answers.append(sign_in(request))
        queries.append([shape(q["sql"]) for q in seen.captured_queries])
    assert queries[0] == queries[1], "the same statements, whoever the address belongs to"
    assert (MagicLink.objects.count(), smtp.messages) == (0, [])

    # What the server does once the response is sent (without closing the test's database connection,
    # as Django's test client does too).
    request_finished.disconnect(close_old_connections)
    try:
        for answer in answers:
            answer.close()
    finally:
        request_finished.connect(close_old_connections)
    assert MagicLink.objects.count() == 1
    assert [m["To"] for m in smtp.wait_for(1)] == ["known@example.com"]


def test_links_are_limited_per_address_whoever_it_belongs_to(settings, smtp):
    settings.LIMIT_SIGNIN_LINKS_PER_ADDRESS = "2/h"
    CustomerFactory(email="busy@example.com")
    for spelling, ip in (("busy@example.com", "203.0.113.1"), ("BUSY@example.com", "203.0.113.2")):
        assert ask(spelling, ip).status_code == 200
    for address in ("Busy@Example.com", " busy@EXAMPLE.com "):
        refused = ask(address, "203.0.113.3")
        assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
        assert "Too many sign-in links were asked for" in refused.text

    # An unknown address is limited the same way, so a 429 tells nobody who is a customer.
    assert [ask("nobody@example.com", f"203.0.113.{n}").status_code for n in range(10, 13)] == [200, 200, 429]


def test_links_are_limited_per_ip(settings):
    settings.LIMIT_SIGNIN_LINKS_PER_IP = "3/h"
    codes = [ask(f"person{n}@example.com").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert ask("person9@example.com", ip="198.51.100.4").status_code == 200
