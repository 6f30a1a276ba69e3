"""Background tasks of answers; each is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task

from advocacy.core.jobs.durable import durable_task
from advocacy.core.jobs.services import wake_in_transaction, wake_up_taken
from advocacy.core.models import WakeUp
from advocacy.feedback.answers import services

# The wake-ups (core.models.WakeUp) of the follow-up runs, one per share of the answers: one queued run
# serves every click of its share until it starts.
FOLLOW_UPS = "feedback.answer_follow_ups"
FOLLOW_UPS_PER_RUN = 1000


def follow_ups_name(share: int, shares: int) -> str:
    return f"{FOLLOW_UPS}:{share}/{shares}"


def follow_up_share(invitation_id: int) -> tuple[int, int]:
    """The share of the answers (k, n) the answer to this invitation is followed up in.

    The answers are shared out by their invitation's id (ANSWER_FOLLOW_UP_SHARES), so that as many workers
    can follow up a burst side by side; with a single share one run would take every answer, one after
    the other. By the invitation, not the answer, so that a click knows its run before it writes.
    """
    shares = max(1, settings.ANSWER_FOLLOW_UP_SHARES)
    return invitation_id % shares, shares


def follow_up_run_of(invitation_id: int) -> str:
    """The wake-up of the follow-up run that takes the answer to this invitation."""
    return follow_ups_name(*follow_up_share(invitation_id))


def wake_follow_up(invitation_id: int) -> None:
    """In the answer's transaction: make sure a follow-up run of the answer's share starts after it commits."""
    share, shares = follow_up_share(invitation_id)
    wake_in_transaction(follow_up_answers, follow_ups_name(share, shares), share, shares)


@task()
def follow_up_answers(share: int = 0, shares: int = 1) -> int:
    """The loop's follow-up of one-click answers (a case, a hub invitation), woken by the clicks: every
    due answer whose invitation's id is ``share`` modulo ``shares``.

    A click queues this run only when none of its share is queued (``wake_in_transaction``), so a burst of
    answers costs a handful of task rows, not one each, and the worker follows them up in one pass. A
    plain Tasks API task: its retry is the answers themselves, which stay due until the loop has acted,
    and ``settle_answers`` (every minute) hands them to the loop again. A run that finds more due answers
    than it takes on queues the next run.
    """
    name = follow_ups_name(share, shares)
    wake_up_taken(name)
    settled = services.answers_settle(limit=FOLLOW_UPS_PER_RUN, share=(share, shares))
    if settled >= FOLLOW_UPS_PER_RUN:
        with transaction.atomic():  # the wake-up and its task row together, or neither
            wake_in_transaction(follow_up_answers, name, share, shares)
    return settled


@task()
def follow_up_answer(response_id: int) -> None:
    """The follow-up of one answer, as the version before wake-ups queued it per click: kept so that rows
    queued by that version run after an upgrade instead of failing to load."""
    services.answer_follow_up(response_id=response_id)


@durable_task()
def settle_answers() -> int:
    """Let the loop act on answers that are due: changed answers that have stood unchanged for
    ANSWER_SETTLE_SECONDS, and first answers whose follow-up has not run. It also clears the follow-up
    runs' wake-ups, in case a run one stood for was lost (a worker killed while holding it), so that the
    next click queues a run again."""
    for name in WakeUp.objects.filter(name__startswith=FOLLOW_UPS).values_list("name", flat=True):
        wake_up_taken(name)
    return services.answers_settle()
