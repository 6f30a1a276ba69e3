"""Background tasks of answers; each is safe to run twice."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from advocacy.core.jobs.durable import durable_task
from advocacy.core.jobs.services import wake_in_transaction, wake_up_taken
from advocacy.feedback.answers import services

# The wake-up (core.models.WakeUp) of the follow-up run: one queued run serves every click until it starts.
FOLLOW_UPS = "feedback.answer_follow_ups"
FOLLOW_UPS_PER_RUN = 1000


@task()
def follow_up_answers() -> int:
    """The loop's follow-up of one-click answers (a case, a hub invitation), woken by the clicks.

    A click queues this run only when none is queued (``wake_in_transaction``), so a burst of answers
    costs a handful of task rows, not one each, and the worker follows them up in one pass. A plain Tasks
    API task: its retry is the answers themselves, which stay due until the loop has acted, and
    ``settle_answers`` (every minute) hands them to the loop again. A run that finds more due answers
    than it takes on queues the next run.
    """
    wake_up_taken(FOLLOW_UPS)
    settled = services.answers_settle(limit=FOLLOW_UPS_PER_RUN)
    if settled >= FOLLOW_UPS_PER_RUN:
        with transaction.atomic():  # the wake-up and its task row together, or neither
            wake_in_transaction(follow_up_answers, FOLLOW_UPS)
    return settled


@task()
def follow_up_answer(response_id: int) -> None:
    """The follow-up of one answer, as the version before wake-ups queued it per click: kept so that rows
    queued by that version run after an upgrade instead of failing to load."""
    services.answer_follow_up(response_id=response_id)


@durable_task()
def settle_answers() -> int:
    """Let the loop act on answers that are due: changed answers that have stood unchanged for
    ANSWER_SETTLE_SECONDS, and first answers whose follow-up has not run. It also clears the follow-ups'
    wake-up, in case the run it stood for was lost (a worker killed while holding it), so that the next
    click queues a run again."""
    wake_up_taken(FOLLOW_UPS)
    return services.answers_settle()
