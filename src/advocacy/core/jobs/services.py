"""Writes of the job ledger: enqueue, claim and run, retry with back-off, sweep up after dead workers.

Every state change is one conditional UPDATE on the job row (queued → running → done, running →
queued or dead), so two workers, or a worker and the sweep, can never both win the same step.
"""

from __future__ import annotations

import json
import logging
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, NotSupportedError, connection, transaction
from django.db.models import F, Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend

from advocacy.core.events import audit
from advocacy.core.jobs import runner
from advocacy.core.jobs.durable import DurableTask, backoff, json_safe
from advocacy.core.models import Job, JobStatus, User, WakeUp, WorkerBeat
from advocacy.core.prepared import prepared_cursor

logger = logging.getLogger(__name__)

ERROR_LIMIT = 8000
WORKER_LOST = "The worker running this attempt stopped before it finished (it crashed, was killed or lost its host)."


class NotADurableTask(Exception):
    """A job names something that is not a durable task (a renamed or removed function)."""


# --- enqueue and dispatch -------------------------------------------------------------------------


def job_enqueue(*, task: DurableTask[Any, Any], args: list[Any], kwargs: dict[str, Any], key: str | None = None) -> Job:
    """Record the job in the current transaction and hand it to the task backend with it (see
    ``dispatch_with_writes``).

    With a key, a job that already has it is returned and nothing more is queued.
    """
    args, kwargs = json.loads(json.dumps(args)), json.loads(json.dumps(kwargs))  # refuse what JSON cannot hold
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                task_path=task.path, args=args, kwargs=kwargs, key=key, max_attempts=task.max_attempts
            )
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)
    dispatch_with_writes([job])
    return job


def jobs_enqueue_many(*, task: DurableTask[Any, Any], calls: list[tuple[str | None, list[Any]]]) -> int:
    """Many jobs of one task in one INSERT: (key, args) each; keys already used are left out."""
    keys = [key for key, _ in calls if key is not None]
    taken = set(Job.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
    jobs = [
        Job(task_path=task.path, args=json.loads(json.dumps(args)), key=key, max_attempts=task.max_attempts)
        for key, args in calls
        if key is None or key not in taken
    ]
    created = Job.objects.bulk_create(jobs)
    dispatch_with_writes(created)
    return len(created)


def enqueue_in_transaction(task: Task[Any, Any], *args: Any) -> None:
    """Enqueue a Tasks API task with the current transaction's writes.

    The database backend stores the task as a row of this database: written in the same transaction,
    it is queued exactly when the write commits and lost with it when it rolls back, at the cost of
    one INSERT. Any other backend (RQ, immediate) is handed the task after commit, so that it never
    runs before, or without, the write it follows.
    """
    if queued_in_this_database(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def queued_in_this_database(task: Task[Any, Any]) -> bool:
    """Whether the task's backend keeps its queue as rows of this database (django-tasks' database
    backend), so that enqueueing it is a write of the current transaction."""
    return isinstance(task.get_backend(), DatabaseBackend)


def dispatch_with_writes(jobs: list[Job]) -> None:
    """Hand new jobs to the task backend so that they are queued exactly when the current transaction
    commits.

    The database backend's queue is a table of this database: its rows are written in the transaction
    (in a savepoint of their own), so a process that dies right after the commit, before any after-commit
    step, leaves no job undispatched for the sweep to find JOB_REDISPATCH_SECONDS later; a rollback takes
    both away. If the backend refuses a row, the savepoint is rolled back, the caller's writes stay, and
    the job is dispatched after commit instead. Any other backend (RQ, immediate) is handed the jobs after
    commit, so that no job runs before, or without, the writes it follows.
    """
    if not jobs:
        return
    if queued_in_this_database(run_job_task()):
        try:
            with transaction.atomic():
                for job in jobs:
                    enqueue_run(job.pk, job.run_after)
                Job.objects.filter(pk__in=[job.pk for job in jobs]).update(dispatched_at=timezone.now())
        except DatabaseError:
            logger.exception("jobs %s: the task queue refused them; they are dispatched after commit", jobs)
        else:
            return

    def dispatch_all() -> None:
        for job in jobs:
            dispatch(job.pk, job.run_after)

    transaction.on_commit(dispatch_all)


def run_job_task() -> Task[Any, Any]:
    from advocacy.core.jobs.tasks import run_job

    return run_job


def enqueue_run(job_id: int, run_after: datetime | None) -> None:
    """Queue one attempt of the job with the backend, not before ``run_after``."""
    task = run_job_task()
    if run_after is not None and run_after > timezone.now():
        task = task.using(run_after=run_after)
    task.enqueue(job_id)


def dispatch(job_id: int, run_after: datetime | None = None) -> None:
    """Hand the job to the task backend (the database queue or RQ). A failure here loses nothing:
    the job row stays queued and the sweep dispatches it again."""
    try:
        enqueue_run(job_id, run_after)
    except Exception:
        logger.exception("job %s: the task backend refused it; the sweep will dispatch it again", job_id)
        return
    Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now())


# --- wake-ups: one queued run of a sweep for many writes -----------------------------------------
#
# A write that owes a sweep work (a one-click answer owes the loop its follow-up) could queue a task of
# its own, but a task row costs a third of a click's time and a burst queues thousands of them. Instead
# the write checks one row: while a run of the sweep is queued and has not started, that run will see
# this write, so nothing more is queued. The run's first step clears the row, and only then reads its
# work; a write committed after the clear queues the next run.
#
# The one gap is a write that read "queued" and had not committed when the run cleared the row: the run's
# read would miss it, and no run would be queued for it. The clear waits for such writes. On SQLite every
# transaction takes the database's write lock as it begins (IMMEDIATE), so the clear (a write) waits. On
# PostgreSQL the read takes a shared advisory lock for the rest of the write's transaction and the clear
# takes the same lock exclusively, which waits for every transaction holding it shared and is granted
# before any that ask later. The read must come after its lock: a write that asks while a clear holds the
# lock waits for the clear's commit, and must then see the row cleared and queue the next run. So on
# PostgreSQL the read is a function (core_wakeup_queued, migration core/0010) whose statements each take a
# snapshot of their own: read in the lock's own statement, the row would come from before the clear.

READ_WAKE_UP = {
    "postgresql": "SELECT core_wakeup_queued(%(lock)s, %(name)s)",
    "sqlite": "SELECT queued_at IS NOT NULL FROM core_wakeup WHERE name = %(name)s",
}
QUEUE_WAKE_UP = (
    "INSERT INTO core_wakeup (name, queued_at) VALUES (%(name)s, %(now)s)"
    " ON CONFLICT (name) DO UPDATE SET queued_at = excluded.queued_at WHERE core_wakeup.queued_at IS NULL"
    " RETURNING name"
)
WAKE_UP_LOCKS = 0x5741_4B45 << 32  # "WAKE": keeps these keys apart from any other advisory lock's


def wake_up_lock(name: str) -> int:
    """The PostgreSQL advisory lock of one wake-up: a number of the name, in a range of its own."""
    return WAKE_UP_LOCKS + zlib.crc32(name.encode())


def wake_up_params(name: str) -> dict[str, Any]:
    """The parameters of READ_WAKE_UP for one wake-up."""
    return {"lock": wake_up_lock(name), "name": name}


def wake_in_transaction(task: Task[Any, Any], name: str, *args: Any) -> bool:
    """Make sure a run of ``task(*args)`` (a sweep that starts with ``wake_up_taken(name)``) starts after
    the current transaction's writes commit: queue one unless one is queued already. Returns whether this
    call queued it. Call it in the transaction of the writes it follows (see above)."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("a wake-up is read in the transaction of the writes it follows")
    vendor = connection.vendor
    if vendor not in READ_WAKE_UP:
        raise NotSupportedError(f"wake-ups are written for SQLite and PostgreSQL, not {vendor}")
    with prepared_cursor() as cursor:
        cursor.execute(READ_WAKE_UP[vendor], wake_up_params(name))
        row = cursor.fetchone()
        if row is not None and row[0]:
            return False
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(QUEUE_WAKE_UP, {"name": name, "now": now})
        if cursor.fetchone() is None:  # another write queued it between the read and here
            return False
    enqueue_in_transaction(task, *args)
    return True


def wake_up_taken(name: str) -> None:
    """The woken run's first step: clear the wake-up, once every write that saw it queued has committed,
    so that what the run reads next includes them all and a write after this queues the next run."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [wake_up_lock(name)])
        WakeUp.objects.filter(name=name).update(queued_at=None)


# --- running --------------------------------------------------------------------------------------


def job_task(job: Job) -> DurableTask[Any, Any]:
    try:
        task = import_string(job.task_path)
    except ImportError as exc:
        raise NotADurableTask(f"{job.task_path} cannot be imported: {exc}") from exc
    if not isinstance(task, DurableTask):
        raise NotADurableTask(f"{job.task_path} is not a durable task")
    return task


def job_run(*, job_id: int) -> str:
    """Claim the job and run one attempt of it; returns what happened, for the backend's own record."""
    now = timezone.now()
    me = runner.current_runner()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, run_after__lte=now).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, runner=me, started_at=now, finished_at=None
    )
    if not claimed:
        return "not claimed: done, running elsewhere, not due yet or gone"
    job = Job.objects.get(pk=job_id)
    try:
        task = job_task(job)
        with runner.attempt(job.pk, job.attempts, job.max_attempts):
            value = task.func(*job.args, **job.kwargs)
    except Exception as exc:
        return attempt_failed(job=job, error="".join(traceback.format_exception(exc)))
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, runner=me, attempts=job.attempts).update(
        status=JobStatus.DONE, finished_at=timezone.now(), result=json_safe(value), last_error=""
    )
    return "done"


def attempt_failed(*, job: Job, error: str, now: datetime | None = None) -> str:
    """Put the job back in the queue after its back-off, or mark it dead after its last attempt."""
    now = now or timezone.now()
    mine = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, runner=job.runner, attempts=job.attempts)
    error = error[-ERROR_LIMIT:]
    if job.attempts < job.max_attempts:
        run_after = now + backoff(job.attempts)
        if mine.update(status=JobStatus.QUEUED, run_after=run_after, runner="", last_error=error, dispatched_at=None):
            logger.warning(
                "job %s (%s) attempt %s failed; retry after %s", job.pk, job.task_path, job.attempts, run_after
            )
            dispatch(job.pk, run_after)
        return "failed; retrying"
    if mine.update(status=JobStatus.DEAD, finished_at=now, last_error=error):
        logger.error("job %s (%s) failed %s times; it is in the dead letters", job.pk, job.task_path, job.attempts)
        audit(
            actor=None, verb="job.dead", obj=job, data={"task": job.task_path, "attempts": job.attempts}, label="jobs"
        )
    return "failed for good"


def job_retry(*, job: Job, by: User) -> Job:
    """An admin sends a dead job round again, with a fresh set of attempts."""
    task_attempts = job_task(job).max_attempts if job_is_importable(job) else 1
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.DEAD).update(
        status=JobStatus.QUEUED,
        max_attempts=F("attempts") + task_attempts,
        run_after=timezone.now(),
        finished_at=None,
        dispatched_at=None,
    )
    job.refresh_from_db()
    if updated:
        audit(actor=by, verb="job.retried", obj=job, data={"task": job.task_path, "attempts_so_far": job.attempts})
        transaction.on_commit(lambda: dispatch(job.pk))
    return job


def job_is_importable(job: Job) -> bool:
    try:
        job_task(job)
    except NotADurableTask:
        return False
    return True


# --- the sweep ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    lost: int = 0
    redispatched: int = 0
    backend_results_failed: int = 0
    apps: dict[str, int] = field(default_factory=dict)


# Apps add the sweeps of their own long-running rows (an import left "running") from their ready().
SWEEPS: dict[str, Callable[[datetime], int]] = {}


def register_sweep(name: str, sweep: Callable[[datetime], int]) -> None:
    SWEEPS[name] = sweep


def jobs_sweep(*, now: datetime | None = None) -> SweepResult:
    """Take back what dead workers held, and hand the backend anything it lost; then the apps' sweeps.
    Safe to run anywhere, any number of times at once: every step is a conditional update."""
    now = now or timezone.now()
    result = SweepResult()
    result.lost = reclaim_lost_jobs(now=now)
    result.redispatched = redispatch_forgotten(now=now)
    result.backend_results_failed = fail_lost_backend_results(now=now)
    for name, sweep in SWEEPS.items():
        try:
            result.apps[name] = sweep(now)
        except Exception:  # one app's sweep failing must not stop the others
            logger.exception("sweep %s failed", name)
    return result


def reclaim_lost_jobs(*, now: datetime) -> int:
    running = list(Job.objects.filter(status=JobStatus.RUNNING))
    liveness = runner.Liveness((job.runner for job in running), now=now)
    lost = [job for job in running if liveness.lost(job.runner, claimed_at=job.started_at)]
    for job in lost:
        attempt_failed(job=job, error=f"{WORKER_LOST} Worker: {job.runner}.", now=now)
    return len(lost)


def redispatch_forgotten(*, now: datetime, limit: int = 500) -> int:
    """Queued jobs due for a while that the backend never ran: its enqueue failed or its queue was lost."""
    stale = now - timedelta(seconds=settings.JOB_REDISPATCH_SECONDS)
    forgotten = list(
        Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=stale)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=stale))
        .values_list("pk", flat=True)[:limit]
    )
    for job_id in forgotten:
        dispatch(job_id)
    return len(forgotten)


def fail_lost_backend_results(*, now: datetime) -> int:
    """The database backend's own rows for tasks a dead worker was running stay "running" for ever;
    record them as failed so its table tells the truth (the job itself was taken back above)."""
    if settings.TASK_BACKEND != "database":
        return 0
    from django_tasks_db.models import DBTaskResult

    running = list(DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids", "started_at"))
    liveness = runner.Liveness((r.worker_ids[-1] for r in running if r.worker_ids), now=now)
    lost = [r.pk for r in running if r.worker_ids and liveness.lost(r.worker_ids[-1], claimed_at=r.started_at)]
    return DBTaskResult.objects.filter(pk__in=lost, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path="advocacy.core.jobs.services.WorkerLost",
        traceback=WORKER_LOST,
    )


# --- workers --------------------------------------------------------------------------------------


def worker_started(*, worker_id: str) -> WorkerBeat:
    host, pid = runner.parse_runner(worker_id) or (runner.HOST, 0)
    beat, _ = WorkerBeat.objects.update_or_create(
        worker_id=worker_id, defaults={"host": host, "pid": pid, "beat_at": timezone.now(), "stopped_at": None}
    )
    return beat


def worker_beat(*, worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now())


def worker_stopped(*, worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


# --- pruning --------------------------------------------------------------------------------------


def jobs_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Forget finished jobs after JOB_RETENTION_DAYS, dead ones after JOB_DEAD_RETENTION_DAYS, and
    workers gone for a day; running it twice removes nothing more."""
    now = now or timezone.now()
    done, _ = Job.objects.filter(
        status=JobStatus.DONE, finished_at__lt=now - timedelta(days=settings.JOB_RETENTION_DAYS)
    ).delete()
    dead, _ = Job.objects.filter(
        status=JobStatus.DEAD, finished_at__lt=now - timedelta(days=settings.JOB_DEAD_RETENTION_DAYS)
    ).delete()
    gone = WorkerBeat.objects.filter(beat_at__lt=now - timedelta(days=1))
    in_use = Job.objects.filter(status=JobStatus.RUNNING).values_list("runner", flat=True)
    workers, _ = gone.exclude(worker_id__in=in_use).delete()
    backend = 0
    if settings.TASK_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        backend, _ = DBTaskResult.objects.filter(
            status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=now - timedelta(days=settings.JOB_RETENTION_DAYS)
        ).delete()
    return {"done": done, "dead": dead, "workers": workers, "backend_results": backend}
