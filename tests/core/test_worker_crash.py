"""A worker killed in the middle of a survey wave loses nothing and sends nothing twice.

Real `advocacy worker` processes on the database queue, a real SMTP server, and SIGKILL at the two
moments that matter: while the server is still receiving a mail (it was never delivered, so it must
be sent again) and right after the server took a whole mail but before the worker heard its answer
(it may have been delivered, so it must not be sent again: it is marked unconfirmed).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from advocacy.core.models import Job
from advocacy.feedback.models import Invitation
from advocacy.feedback.surveys import services
from tests.conftest import Inbox, free_port
from tests.feedback.helpers import consenting_customer, nps_survey

CUSTOMERS = 30


class KillingInbox(Inbox):
    """An SMTP server that SIGKILLs a worker at the n-th recipient or the n-th accepted mail."""

    def __init__(self) -> None:
        super().__init__()
        self.recipients = 0
        self.kill_at: dict[tuple[str, int], int] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        envelope.rcpt_tos.append(address)
        self.recipients += 1
        self.kill(("rcpt", self.recipients))
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        answer = await super().handle_DATA(server, session, envelope)
        self.kill(("data", len(self.messages)))
        return answer

    def kill(self, moment: tuple[str, int]) -> None:
        victim = self.kill_at.pop(moment, None)
        if victim is not None:
            os.kill(victim, signal.SIGKILL)


@pytest.fixture
def killing_smtp():  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    inbox = KillingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


class SharedDatabase:
    """The test database, reachable from worker processes: PostgreSQL as it is; SQLite (in memory in
    tests) copied to a file for the workers and copied back for the assertions."""

    def __init__(self, tmp_path: Path) -> None:
        self.file = tmp_path / "shared.sqlite3"
        self.sqlite = connection.vendor == "sqlite"

    def url(self) -> str:
        if not self.sqlite:
            s = connection.settings_dict
            password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
            return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        connection.ensure_connection()
        with sqlite3.connect(self.file) as target:
            connection.connection.backup(target)
        return f"sqlite:///{self.file}"

    def take_back(self) -> None:
        if self.sqlite:
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)


def worker(
    tmp_path: Path, database_url: str, smtp_port: int, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    extra = env or {}
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(extra)
    env.update(
        {
            "ADVOCACY_VAR_DIR": str(tmp_path),
            "DATABASE_URL": database_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "WAVE_CHUNK_SIZE": "5",
            "TASK_RETRY_BASE_SECONDS": "0",
            "WORKER_HEARTBEAT_SECONDS": "1",
            "WORKER_SWEEP_SECONDS": "1",
            "WORKER_LOST_AFTER_SECONDS": "3",
            "LOG_LEVEL": "WARNING",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "advocacy", "worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output


@pytest.mark.django_db(transaction=True)
def test_a_wave_survives_two_killed_workers_and_every_customer_gets_exactly_one_mail(tmp_path, killing_smtp):
    inbox, port = killing_smtp
    emails = [consenting_customer(email=f"customer{n:02}@example.com").email for n in range(CUSTOMERS)]
    opened = services.wave_open(survey=nps_survey())
    assert opened.queued == CUSTOMERS
    shared = SharedDatabase(tmp_path)
    url = shared.url()

    first = worker(tmp_path, url, port)
    inbox.kill_at[("rcpt", 8)] = first.pid  # the 8th mail is being received when its worker dies
    code, output = finish(first)
    assert code == -signal.SIGKILL, output
    assert len(inbox.messages) == 7

    second = worker(tmp_path, url, port)
    inbox.kill_at[("data", 20)] = second.pid  # the 20th mail was taken; its worker dies before the answer
    code, output = finish(second)
    assert code == -signal.SIGKILL, output
    assert len(inbox.messages) == 20

    code, output = finish(worker(tmp_path, url, port, "--batch"))
    assert code == 0, output
    shared.take_back()

    received = Counter(str(message["To"]) for message in inbox.messages)
    assert received == Counter(emails), "every customer got the invitation, and nobody got it twice"
    statuses = Counter(Invitation.objects.values_list("status", flat=True))
    assert statuses == {"sent": CUSTOMERS - 1, "unconfirmed": 1}
    unconfirmed = Invitation.objects.select_related("customer").get(status="unconfirmed")
    assert unconfirmed.customer.email == str(inbox.messages[19]["To"])
    assert unconfirmed.handed_over_at is not None and unconfirmed.sent_at is None
    assert "it may have been delivered, so it is not sent again" in unconfirmed.error
    jobs = Counter(Job.objects.values_list("status", flat=True))
    assert jobs == {"done": 1 + CUSTOMERS // 5}, "the plan and every chunk finished; nothing is dead or stuck"
    retried = Job.objects.filter(attempts=2).order_by("pk")
    assert [job.task_name for job in retried] == ["send_wave_chunk", "send_wave_chunk"]
    assert [job.last_error for job in retried] == ["", ""], "a retried job that then succeeded keeps no error"
