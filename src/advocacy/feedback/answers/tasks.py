"""Background tasks of answers; each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from advocacy.core.jobs.durable import durable_task
from advocacy.feedback.answers import services


@task()
def follow_up_answer(response_id: int) -> None:
    """The loop's follow-up of a one-click answer (a case, a hub invitation), enqueued with the answer.

    A plain Tasks API task, one INSERT in the answer's transaction, so that the click stays cheap; its
    retry is not a job of its own but the answer itself: until the loop has acted, the answer is due,
    and ``settle_answers`` (every minute) hands it to the loop again.
    """
    services.answer_follow_up(response_id=response_id)


@durable_task()
def settle_answers() -> int:
    """Let the loop act on answers that are due: changed answers that have stood unchanged for
    ANSWER_SETTLE_SECONDS, and first answers whose follow-up task has not run."""
    return services.answers_settle()
