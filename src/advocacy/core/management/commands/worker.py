"""``advocacy worker``: runs background tasks from the configured backend (database or RQ).

Around the backend's own worker loop it keeps the promises of ``core/jobs``: it names itself and
beats (so the sweep knows it is alive), takes back the jobs of dead workers when it starts and then
every ``WORKER_SWEEP_SECONDS``, and says it stopped when it exits (so its jobs need no waiting).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from advocacy.core.jobs import runner, services

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Beats for the worker while it runs tasks, and sweeps on the side when asked to."""

    def __init__(self, worker_id: str, *, sweep: bool) -> None:
        super().__init__(name="advocacy-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.sweep = sweep
        self.halt = threading.Event()

    def run(self) -> None:
        next_sweep = time.monotonic() + settings.WORKER_SWEEP_SECONDS
        try:
            while not self.halt.wait(settings.WORKER_HEARTBEAT_SECONDS):
                try:
                    services.worker_beat(worker_id=self.worker_id)
                    if self.sweep and time.monotonic() >= next_sweep:
                        next_sweep = time.monotonic() + settings.WORKER_SWEEP_SECONDS
                        services.jobs_sweep()
                except Exception:  # a missed beat is retried at the next; the worker goes on
                    logger.warning("worker %s: heartbeat or sweep failed", self.worker_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)


class Command(BaseCommand):
    help = "Run the task worker for the configured TASK_BACKEND (database queue or RQ on Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--queue", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASK_BACKEND == "immediate":
            self.stdout.write("TASK_BACKEND=immediate runs tasks inline; there is nothing for a worker to do.")
            return
        worker_id = runner.new_worker_id()
        runner.become_worker(worker_id)
        services.worker_started(worker_id=worker_id)
        services.jobs_sweep()  # take back what dead workers left before taking new work
        heartbeat = Heartbeat(worker_id, sweep=not options["batch"])
        heartbeat.start()
        try:
            self.run_backend(worker_id, batch=options["batch"], queue=options["queue"])
        finally:
            heartbeat.stop()
            services.worker_stopped(worker_id=worker_id)

    def run_backend(self, worker_id: str, *, batch: bool, queue: str) -> None:
        if settings.TASK_BACKEND == "rq":
            # The scheduler part runs deferred tasks: the retries that wait out their back-off.
            rq_args = ["--job-class", "django_tasks_rq.Job", "--with-scheduler", queue]
            if batch:
                rq_args.insert(0, "--burst")
            call_command("rqworker", *rq_args)
            return
        db_args = ["--queue-name", queue, "--no-reload", "--worker-id", worker_id]
        if batch:
            db_args += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *db_args)
