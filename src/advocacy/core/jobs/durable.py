"""``durable_task``: how every app declares background work that a crash cannot lose.

    @durable_task()
    def send_mail(mail_id: int) -> bool: ...

    send_mail.enqueue(mail.pk)               # a Job row now, in this transaction; run after commit
    send_mail.enqueue_once("mail:12", 12)    # the same key is one job, however often it is asked for
    send_mail.call(12)                       # run here and now (tests, the command line)

A task must be safe to run twice: a worker can die after the work and before recording it, and the
sweep then runs it again. Failures are retried with exponential back-off (``backoff``) until
``max_attempts``; then the job is dead and shown to admins with a retry button.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from django.conf import settings

if TYPE_CHECKING:
    from advocacy.core.models import Job

P = ParamSpec("P")
T = TypeVar("T")


def backoff(attempt: int) -> timedelta:
    """The wait before the next attempt after ``attempt`` failed: base·2^(attempt−1), capped, ±10 % jitter
    so that many jobs failing together (the mail server down) do not all come back in the same second."""
    base = settings.TASK_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1)
    seconds = min(base, settings.TASK_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


class DurableTask(Generic[P, T]):
    def __init__(self, func: Callable[P, T], *, max_attempts: int | str | None) -> None:
        self.func = func
        self._max_attempts = max_attempts
        self.__doc__ = func.__doc__

    @property
    def path(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"

    @property
    def name(self) -> str:
        return self.func.__name__

    @property
    def max_attempts(self) -> int:
        if isinstance(self._max_attempts, str):
            return int(getattr(settings, self._max_attempts))
        return self._max_attempts or settings.TASK_MAX_ATTEMPTS

    def call(self, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.func(*args, **kwargs)

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> Job:
        from advocacy.core.jobs.services import job_enqueue

        return job_enqueue(task=self, args=list(args), kwargs=dict(kwargs))

    def enqueue_once(self, key: str, *args: P.args, **kwargs: P.kwargs) -> Job:
        from advocacy.core.jobs.services import job_enqueue

        return job_enqueue(task=self, args=list(args), kwargs=dict(kwargs), key=key)

    def enqueue_many(self, calls: list[tuple[str | None, list[Any]]]) -> int:
        """One job per (key, positional arguments), written in one INSERT; used keys are skipped."""
        from advocacy.core.jobs.services import jobs_enqueue_many

        return jobs_enqueue_many(task=self, calls=calls)

    def __repr__(self) -> str:
        return f"<durable task {self.path}>"


def durable_task(*, max_attempts: int | str | None = None) -> Callable[[Callable[P, T]], DurableTask[P, T]]:
    """Declare a background task. ``max_attempts`` defaults to ``TASK_MAX_ATTEMPTS``, or names another
    setting; give 1 for work that must not run again after a crash (an import that may have killed
    its worker)."""

    def wrap(func: Callable[P, T]) -> DurableTask[P, T]:
        return DurableTask(func, max_attempts=max_attempts)

    return wrap


def json_safe(value: Any, *, limit: int = 4000) -> Any:
    """A task's return value as stored on its job: JSON, and small."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    text = json.dumps(value, cls=DjangoJSONEncoder, default=str)
    if len(text) > limit:
        return {"omitted": f"the result was {len(text):,} characters long"}
    return json.loads(text)
