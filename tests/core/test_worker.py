"""Background tasks run in a real worker: the database queue by default, RQ on Redis by setting."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from advocacy.core.api.tasks import prune_idempotency_records
from advocacy.core.models import IdempotencyRecord
from tests.conftest import redis_reachable


def old_record(key: str) -> None:
    record = IdempotencyRecord.objects.create(principal="user:1", key=key, fingerprint="f", status_code=201)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=3))


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_task_once():
    old_record("old")
    IdempotencyRecord.objects.create(principal="user:1", key="fresh", fingerprint="f", status_code=201)
    job = prune_idempotency_records.enqueue()
    assert IdempotencyRecord.objects.count() == 2, "enqueueing runs nothing by itself"

    call_command("worker", "--batch")

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("done", 1, 1)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379: RQ backend not tested")
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="uses its own SQLite file")
def test_with_task_backend_rq_the_worker_takes_tasks_from_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"ADVOCACY_VAR_DIR": str(tmp_path), "TASK_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:6379/15"})

    def advocacy(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "advocacy", *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert advocacy("migrate", "--no-input").returncode == 0
    enqueue = advocacy(
        "shell",
        "-c",
        ("from advocacy.core.api.tasks import prune_idempotency_records as t; j = t.enqueue(); print('ID', j.id)"),
    )
    assert enqueue.returncode == 0, enqueue.stderr
    task_id = enqueue.stdout.split("ID", 1)[1].strip()

    worker = advocacy("worker", "--batch")
    assert worker.returncode == 0, worker.stderr

    status = advocacy(
        "shell",
        "-c",
        f"from advocacy.core.models import Job; print('STATUS', Job.objects.get(pk={task_id}).status)",
    )
    assert "STATUS done" in status.stdout, status.stdout + status.stderr
