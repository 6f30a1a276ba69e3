"""Reads of the job ledger for the admins' page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from advocacy.core.jobs.runner import Liveness
from advocacy.core.models import Job, JobStatus, WorkerBeat


def dead_letters() -> QuerySet[Job]:
    return Job.objects.filter(status=JobStatus.DEAD).order_by("-finished_at")


def retrying() -> QuerySet[Job]:
    """Queued jobs that failed before and wait for their next attempt."""
    return Job.objects.filter(status=JobStatus.QUEUED, attempts__gt=0).order_by("run_after")


def counts_by_status() -> dict[str, int]:
    rows = Job.objects.values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in JobStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class WorkerRow:
    worker_id: str
    host: str
    started_at: object
    beat_at: object
    state: str


def workers_seen(*, days: int = 1) -> list[WorkerRow]:
    now = timezone.now()
    beats = list(WorkerBeat.objects.filter(beat_at__gte=now - timedelta(days=days)))
    liveness = Liveness((b.worker_id for b in beats), now=now)
    rows = []
    for beat in beats:
        if beat.stopped_at is not None:
            state = "stopped"
        elif liveness.lost(beat.worker_id, claimed_at=beat.beat_at):
            state = "lost"
        else:
            state = "alive"
        rows.append(WorkerRow(beat.worker_id, beat.host, beat.started_at, beat.beat_at, state))
    return rows


def lost_after_seconds() -> int:
    return int(settings.WORKER_LOST_AFTER_SECONDS)


def waiting_without_a_worker(now: datetime | None = None) -> int:
    """How many jobs wait while no worker has beaten lately (0 when a worker is alive or nothing waits):
    what the pages warn about, since nothing in the background runs without ``advocacy worker``."""
    now = now or timezone.now()
    alive = WorkerBeat.objects.filter(
        stopped_at__isnull=True, beat_at__gte=now - timedelta(seconds=lost_after_seconds())
    )
    if alive.exists():
        return 0
    return Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now).count()
