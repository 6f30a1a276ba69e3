"""Shared fixtures: a named cast of staff, one per role, and API clients with role-scoped keys."""

from __future__ import annotations

import os
import re
import socket
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from django.test import Client

from advocacy.core.apikeys.services import apikey_create
from advocacy.core.models import User
from advocacy.core.roles import STAFF_ROLES, Role
from advocacy.core.staff.services import user_create

# The cast: who plays which role in every test.
CAST = {
    Role.ADMIN: "alice",
    Role.PROGRAM_MANAGER: "pat",
    Role.CUSTOMER_ADVOCATE: "carol",
    Role.DEPARTMENT_HEAD: "dan",
    Role.SALES: "sam",
    Role.ANALYST: "ana",
}


def pytest_report_header(config: pytest.Config) -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    engine = "PostgreSQL" if url.startswith(("postgres", "postgresql")) else "SQLite"
    return [f"advocacy: database {engine}"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Real sign-ins, with a cheap hash: the cast signs in hundreds of times per run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_holdout_unless_a_test_sets_one(monkeypatch):  # type: ignore[no-untyped-def]
    """The randomized holdout (default 10 %) would keep a random promoter from the hub invitation that
    many tests expect; the holdout's own tests set a share in the database, or undo this."""
    from decimal import Decimal

    monkeypatch.setattr("advocacy.advocates.holdout.queries.DEFAULT_SHARE_PCT", Decimal(0))


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache (a local-memory one in tests). The limits' counters live in the
    test database, which each test starts empty too, and their clock stands still during a test: each
    key's window ends at its own second, and a test that ran across that second would find its count
    started afresh halfway (it happened: 60 of 60 requests passed a limit of 40 an hour). The occasional
    clean-up of ended windows (one count in a hundred) is off, so that a test counting a request's queries
    never finds one more by chance (it happened too); tests/core/test_limits.py turns it on to test it."""
    import time

    from django.core.cache import cache

    from advocacy.core import limits

    cache.clear()
    now = int(time.time())
    monkeypatch.setattr(limits, "now_seconds", lambda: now)
    monkeypatch.setattr(limits, "purge_due", lambda: False)


@pytest.fixture
def staff(db: None) -> dict[str, User]:
    """One user per staff role, keyed by role: staff['admin'] is Alice."""
    return {
        role: user_create(
            username=name,
            email=f"{name}@staff.example",
            role=role,
            password="pw-for-tests-only",
            first_name=name.title(),
        )
        for role, name in CAST.items()
    }


@pytest.fixture
def alice(staff: dict[str, User]) -> User:
    return staff[Role.ADMIN]


@pytest.fixture
def carol(staff: dict[str, User]) -> User:
    return staff[Role.CUSTOMER_ADVOCATE]


@pytest.fixture
def client_as(staff: dict[str, User]):  # type: ignore[no-untyped-def]
    """client_as('customer_advocate') → a Django test client signed in as that role's cast member."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(staff[role])
        return client

    return make


@pytest.fixture
def api_token(staff: dict[str, User]):  # type: ignore[no-untyped-def]
    """api_token('analyst') → a fresh API key token scoped to that role, acting as the cast member of
    that role (Ana); api_token('analyst', service=True) → one acting as its own service identity."""

    def make(role: str, service: bool = False) -> str:
        assert role in STAFF_ROLES
        acts_as = None if service else staff[role]
        _, token = apikey_create(name=f"test {role}", role=role, by=staff[Role.ADMIN], acts_as=acts_as)
        return token

    return make


@pytest.fixture
def api(api_token):  # type: ignore[no-untyped-def]
    """api('admin') → a client whose requests carry that role's API key."""

    def make(role: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(role)}")

    return make


# A script, stylesheet, image or frame loaded from another host (a CDN); the product runs air-gapped.
OFF_SITE = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.IGNORECASE)


def loaded_from_elsewhere(html: str) -> list[str]:
    """The tags of a page that load something from another host; [] for a page that runs offline."""
    return [match.group(0) for match in OFF_SITE.finditer(html)]


class Inbox:
    """Messages received by a real SMTP server on loopback."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} mail(s), got {len(self.messages)}"
        return self.messages

    @staticmethod
    def body(message: EmailMessage, subtype: str = "plain") -> str:
        part = message.get_body(preferencelist=(subtype,))
        assert part is not None, f"no text/{subtype} part"
        return str(part.get_content())  # type: ignore[attr-defined]


def redis_reachable() -> bool:
    """Whether a Redis server answers on 127.0.0.1:6379 (tests of the Redis paths skip without one)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django's SMTP backend delivers to it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
