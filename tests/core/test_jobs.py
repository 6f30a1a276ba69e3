"""Durable tasks: a failure is retried after a growing wait, then listed for admins, who may retry it;
the sweep takes back what a dead worker held and leaves a live worker's work alone."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

import advocacy
from advocacy.core.jobs import runner, services
from advocacy.core.jobs.durable import DurableTask, durable_task
from advocacy.core.jobs.tasks import run_job
from advocacy.core.models import AuditEvent, Job, WorkerBeat

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@durable_task(max_attempts=3)
def partner_sync(batch: int) -> int:
    CALLS.append(batch)
    if batch < 0:
        raise RuntimeError(f"the partner API answered 503 for batch {batch}")
    return batch * 2


def due_now(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())


def test_a_task_that_succeeds_records_its_result_and_runs_once(settings):
    job = partner_sync.enqueue(21)
    assert (job.status, job.attempts, job.task_path) == ("queued", 0, "tests.core.test_jobs.partner_sync")

    assert services.job_run(job_id=job.pk) == "done"
    assert services.job_run(job_id=job.pk).startswith("not claimed")

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result, job.last_error) == ("done", 1, 42, "")


class ProcessEnded(Exception):
    """Stands for a process that ends right after its commit, before any after-commit step runs."""


def end_the_process() -> None:
    raise ProcessEnded


@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_with_its_transaction_even_when_the_process_ends_right_after_the_commit():
    """On the database queue the job's task row commits with the job: nothing waits for an after-commit
    step that a killed process never reaches (the sweep would find such a job only after
    JOB_REDISPATCH_SECONDS, 15 minutes by default)."""
    with pytest.raises(ProcessEnded), transaction.atomic():
        transaction.on_commit(end_the_process)  # runs first: later after-commit steps never run
        job = partner_sync.enqueue(5)

    job.refresh_from_db()
    assert job.dispatched_at is not None
    queued = DBTaskResult.objects.filter(task_path="advocacy.core.jobs.tasks.run_job", status="READY")
    assert [row.args_kwargs["args"] for row in queued] == [[job.pk]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_neither_the_job_nor_its_task_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        partner_sync.enqueue(6)
        raise RuntimeError("the writes this job follows failed")

    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_a_queue_that_refuses_the_task_row_keeps_the_job_and_dispatches_it_after_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    def refused(*args, **kwargs):
        raise DatabaseError("the queue's table is locked")

    with django_capture_on_commit_callbacks() as after_commit:
        with monkeypatch.context() as queue:
            queue.setattr(services, "enqueue_run", refused)
            job = partner_sync.enqueue(7)
        assert Job.objects.filter(pk=job.pk, dispatched_at=None).exists(), "the caller's writes are kept"
    assert len(after_commit) == 1
    after_commit[0]()
    job.refresh_from_db()
    assert job.dispatched_at is not None
    assert DBTaskResult.objects.filter(task_path="advocacy.core.jobs.tasks.run_job").count() == 1


def test_the_same_key_is_one_job():
    first = partner_sync.enqueue_once("sync:7", 7)
    again = partner_sync.enqueue_once("sync:7", 7)
    assert first.pk == again.pk and Job.objects.count() == 1


def test_a_failing_task_is_retried_after_a_doubling_wait_then_listed_as_failed_for_good(settings):
    settings.TASK_RETRY_BASE_SECONDS = 30
    job = partner_sync.enqueue(-1)

    waits = []
    for _ in range(2):
        before = timezone.now()
        assert services.job_run(job_id=job.pk) == "failed; retrying"
        job.refresh_from_db()
        waits.append((job.run_after - before).total_seconds())
        assert job.status == "queued" and "the partner API answered 503 for batch -1" in job.last_error
        assert services.job_run(job_id=job.pk).startswith("not claimed"), "not before its wait is over"
        due_now(job)
    assert 27 <= waits[0] <= 33.1 and 54 <= waits[1] <= 66.1, waits

    assert services.job_run(job_id=job.pk) == "failed for good"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("dead", 3)
    assert AuditEvent.objects.filter(verb="job.dead", object_id=str(job.pk)).count() == 1


def test_admins_see_failed_jobs_and_send_them_round_again(client_as, alice):
    job = partner_sync.enqueue(-5)
    failed = {"status": "dead", "attempts": 3, "last_error": "RuntimeError: 503", "finished_at": timezone.now()}
    Job.objects.filter(pk=job.pk).update(**failed)

    page = client_as("admin").get(reverse("core:jobs")).content.decode()
    assert "partner_sync" in page and "RuntimeError: 503" in page
    assert f'action="{reverse("core:job_retry", args=[job.pk])}"' in page
    assert client_as("program_manager").post(reverse("core:job_retry", args=[job.pk])).status_code == 403

    response = client_as("admin").post(reverse("core:job_retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.max_attempts) == ("queued", 3, 6), "a fresh set of three attempts"
    assert AuditEvent.objects.get(verb="job.retried").actor == alice
    assert services.job_run(job_id=job.pk) == "failed; retrying"


def a_finished_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running_job(worker_id: str) -> Job:
    job = partner_sync.enqueue(1)
    Job.objects.filter(pk=job.pk).update(
        status="running", attempts=1, runner=worker_id, started_at=timezone.now() - timedelta(minutes=5)
    )
    return job


def test_the_sweep_takes_back_the_jobs_of_dead_workers_and_leaves_live_ones_alone(settings):
    settings.WORKER_LOST_AFTER_SECONDS = 60
    now = timezone.now()
    silent = "elsewhere:4242:aaaa"
    WorkerBeat.objects.create(worker_id=silent, host="elsewhere", pid=4242, beat_at=now - timedelta(minutes=2))
    beating = "elsewhere:4343:bbbb"
    WorkerBeat.objects.create(worker_id=beating, host="elsewhere", pid=4343, beat_at=now)
    killed_here = f"{runner.HOST}:{a_finished_pid()}:cccc"
    WorkerBeat.objects.create(worker_id=killed_here, host=runner.HOST, pid=1, beat_at=now)
    stopped = "elsewhere:4444:dddd"
    WorkerBeat.objects.create(worker_id=stopped, host="elsewhere", pid=4444, beat_at=now, stopped_at=now)
    jobs = {name: running_job(name) for name in (silent, beating, killed_here, stopped)}

    result = services.jobs_sweep()

    assert result.lost == 3
    states = {name: Job.objects.get(pk=job.pk) for name, job in jobs.items()}
    assert states[beating].status == "running"
    for name in (silent, killed_here, stopped):
        assert (states[name].status, states[name].attempts, states[name].runner) == ("queued", 1, "")
        assert "The worker running this attempt stopped" in states[name].last_error
    assert services.jobs_sweep().lost == 0, "a second sweep finds nothing more"


def test_a_job_whose_worker_died_on_its_last_attempt_is_failed_for_good():
    job = running_job("elsewhere:1:eeee")
    Job.objects.filter(pk=job.pk).update(attempts=3)
    WorkerBeat.objects.create(worker_id="elsewhere:1:eeee", host="elsewhere", pid=1, stopped_at=timezone.now())

    services.jobs_sweep()

    job.refresh_from_db()
    assert job.status == "dead" and "stopped before it finished" in job.last_error


# A plain task is allowed only where a sweep redoes what a lost one would have done, and names it:
# a one-click answer stays "due" until its follow-up has acted, and settle_answers (every minute)
# runs the follow-up of every answer still due (tests/feedback/test_one_click.py). The clicks' run is
# plain for speed: a click that queues it writes one task row, not a durable job and its task; the
# per-answer task is what the version before wake-ups queued, kept for rows queued before an upgrade.
RECOVERED_BY_A_SWEEP = [
    "advocacy.feedback.answers.tasks.follow_up_answers",
    "advocacy.feedback.answers.tasks.follow_up_answer",
]


def test_every_background_task_of_every_app_is_durable():
    """A plain Tasks API task would be lost with its worker and never retried."""
    plain = []
    for module_info in pkgutil.walk_packages(advocacy.__path__, "advocacy."):
        if not module_info.name.endswith(".tasks"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, Task) and value is not run_job:
                plain.append(f"{module_info.name}.{name}")
            if isinstance(value, DurableTask):
                assert value.path == f"{value.func.__module__}.{value.func.__name__}"
    assert plain == RECOVERED_BY_A_SWEEP
