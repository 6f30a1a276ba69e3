"""Who is running this code, and whether another runner is still alive.

A worker process (``advocacy worker``) names itself ``host:pid:token`` and beats in ``WorkerBeat``.
Claims written by code running inside a job carry the job and attempt (``job:12:3``), so the next
attempt of the same job can tell which rows its dead predecessor left half-done (``claim_prefix``).

A runner is lost when it said it stopped, when it ran on this host and its process is gone, or when
its heartbeat is older than ``WORKER_LOST_AFTER_SECONDS``. A runner that never beat (a web process
running an import inline, an RQ work horse) on another host is judged by how long ago it claimed the
work (``JOB_LEASE_SECONDS``, or the lease its caller gives).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from advocacy.core.models import WorkerBeat


def this_host() -> str:
    """The machine, and on Linux its process namespace: containers that share a host name (host
    networking) do not see each other's processes, so they must not judge each other by pid."""
    name = socket.gethostname()[:30]
    try:
        return f"{name}~{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return name


HOST = this_host()
_worker_id: str | None = None
_process_ids: dict[int, str] = {}


@dataclass(frozen=True)
class Attempt:
    job_id: int
    number: int
    max_attempts: int

    @property
    def is_last(self) -> bool:
        return self.number >= self.max_attempts

    @property
    def claim(self) -> str:
        return f"job:{self.job_id}:{self.number}"


_attempt: ContextVar[Attempt | None] = ContextVar("advocacy_job_attempt", default=None)


def new_worker_id() -> str:
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def become_worker(worker_id: str) -> None:
    """Called once by ``advocacy worker``: jobs this process runs are claimed under this id."""
    global _worker_id
    _worker_id = worker_id


def current_runner() -> str:
    """The worker id inside ``advocacy worker``, else this process (a web request running a task inline)."""
    pid = os.getpid()
    if _worker_id is not None and _worker_id.split(":")[-2] == str(pid):
        return _worker_id
    # Not a worker, or a child forked from one (an RQ work horse): named for its own process, which
    # the sweep checks on this host and otherwise gives JOB_LEASE_SECONDS.
    if pid not in _process_ids:
        _process_ids[pid] = f"{HOST}:{pid}:{secrets.token_hex(3)}"
    return _process_ids[pid]


@contextmanager
def attempt(job_id: int, number: int, max_attempts: int) -> Iterator[Attempt]:
    running = Attempt(job_id, number, max_attempts)
    token = _attempt.set(running)
    try:
        yield running
    finally:
        _attempt.reset(token)


def current_attempt() -> Attempt | None:
    """The job attempt this code runs in, or None when called directly."""
    return _attempt.get()


def current_claim() -> str:
    """What a row claimed now should record: the job attempt when inside one, else the runner."""
    running = _attempt.get()
    return running.claim if running is not None else f"run:{current_runner()}"[:64]


def claim_prefix() -> str | None:
    """``job:<id>:``: rows claimed with this prefix but not ``current_claim()`` were left by an earlier
    attempt of this very job, which is over (a job is run by one attempt at a time). None outside a job."""
    running = _attempt.get()
    return f"job:{running.job_id}:" if running is not None else None


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, though not ours to signal
    return True


def parse_runner(runner: str) -> tuple[str, int] | None:
    parts = runner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


class Liveness:
    """Answers "is this runner lost?" for many runners with one read of their heartbeats."""

    def __init__(self, runners: Iterable[str], *, now: datetime) -> None:
        self.now = now
        self.beats = {b.worker_id: b for b in WorkerBeat.objects.filter(worker_id__in={r for r in runners if r})}

    def lost(self, runner: str, *, claimed_at: datetime | None, lease_seconds: float | None = None) -> bool:
        """Lost: it said it stopped; on this host, its process is gone; a worker's heartbeat is stale;
        a runner without heartbeat on another host claimed longer ago than its lease (JOB_LEASE_SECONDS)."""
        beat = self.beats.get(runner)
        where = parse_runner(runner)
        stale = beat is not None and beat.beat_at < self.now - timedelta(seconds=settings.WORKER_LOST_AFTER_SECONDS)
        if beat is not None and beat.stopped_at is not None:
            return True
        if where is not None and where[0] == HOST:
            return not pid_running(where[1]) or stale
        if beat is not None:
            return stale
        lease = settings.JOB_LEASE_SECONDS if lease_seconds is None else lease_seconds
        return (claimed_at or self.now) < self.now - timedelta(seconds=lease)
