"""A worker killed in the middle of following up a burst of one-click answers loses no answer and opens
no case twice: the answers it had not reached stay due, and the next run (here the minute's settle
sweep, since no click comes after the crash to wake one) follows them up.

Real `advocacy worker` processes on the database queue and a real SMTP server; the test kills the first
worker with SIGKILL once it has opened a few cases.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections import Counter

import pytest
from django.test import Client

from advocacy.casework.models import Case
from advocacy.feedback import links as feedback_links
from advocacy.feedback.answers.tasks import settle_answers
from advocacy.feedback.models import Invitation, Response
from advocacy.feedback.surveys import services as feedback
from tests.casework.helpers import berlin_office
from tests.core.test_worker_crash import SharedDatabase, finish, worker
from tests.feedback.helpers import consenting_customer, nps_survey

pytestmark = pytest.mark.django_db(transaction=True)

DETRACTORS = 60
KILL_AFTER_CASES = 5


def cases_opened(shared: SharedDatabase) -> int:
    """Cases in the workers' database, read without Django's connection (on SQLite it is another file)."""
    if shared.sqlite:
        with sqlite3.connect(shared.file, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM casework_case").fetchone()[0])
    return Case.objects.count()


def test_a_worker_killed_while_following_up_a_burst_loses_no_answer_and_doubles_no_case(
    tmp_path, staff, smtp, settings
):
    settings.ANSWER_FOLLOW_UP_SHARES = 1  # one run takes every answer, so that it is mid-way when killed
    berlin_office()
    customers = [
        consenting_customer(email=f"unhappy{n:02}@example.com", primary_advocate=staff["customer_advocate"])
        for n in range(DETRACTORS)
    ]
    opened = feedback.wave_open(survey=nps_survey())
    for invitation in Invitation.objects.filter(wave=opened.wave):
        token = feedback_links.invitation_token(invitation)
        assert Client().post(f"/survey/a/{token}/2/").status_code == 302
    assert not Case.objects.exists(), "the clicks only store the answers and wake the follow-up run"
    shared = SharedDatabase(tmp_path)
    url = shared.url()
    env = {"ANSWER_FOLLOW_UP_SHARES": "1"}

    first = worker(tmp_path, url, settings.EMAIL_PORT, env=env)
    deadline = time.monotonic() + 60
    while cases_opened(shared) < KILL_AFTER_CASES and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    code, output = finish(first)
    assert code == -signal.SIGKILL, output
    assert KILL_AFTER_CASES <= cases_opened(shared) < DETRACTORS, "killed mid-way through the run"

    # No click comes after the crash to wake a run: the minute's settle sweep follows up the rest. The
    # kill may fall right after a case's commit (the poll above sees the case at once): its mail's job is
    # in the database queue with it, written in the same transaction, so nothing waits for the sweep's
    # JOB_REDISPATCH_SECONDS (15 minutes) to hand it over again.
    shared.take_back()
    settle_answers.enqueue()
    url = shared.url()
    code, output = finish(worker(tmp_path, url, settings.EMAIL_PORT, "--batch", env=env))
    assert code == 0, output
    shared.take_back()

    owners = Counter(Case.objects.values_list("customer__email", flat=True))
    assert owners == Counter(c.email for c in customers), "one case for each detractor, none twice"
    assert not Response.objects.filter(settles_at__isnull=False).exists(), "every answer followed up"
    acknowledged = Counter(  # the wave's invitations went out too: only the cases' acknowledgements
        str(m["To"]) for m in smtp.messages if str(m["Subject"]).startswith("We have your request")
    )
    assert acknowledged == Counter(c.email for c in customers), "one acknowledgement each, none twice"
