"""Background tasks of answers; each is safe to run twice."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.feedback.answers import services


@durable_task()
def settle_answers() -> int:
    """Let the loop act on changed answers that have stood unchanged for ANSWER_SETTLE_SECONDS."""
    return services.answers_settle()
