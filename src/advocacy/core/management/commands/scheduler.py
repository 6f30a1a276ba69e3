"""``advocacy scheduler``: enqueues periodic tasks; the workers run them.

APScheduler only decides *when*; every job is a task enqueue, so the work itself runs (and retries)
in `advocacy worker`, and running two schedulers by mistake at worst enqueues a task that finds
nothing to do (each task is safe to run twice).
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue periodic tasks (survey waves due, pruning, …) on their schedule. Run one per deployment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every periodic task once, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Named in settings, like ROOT_URLCONF: the schedule sits above every app, core below them all.
        periodic = import_string(settings.PERIODIC_TASKS)
        if options["once"]:
            for job in periodic:
                job.task.enqueue()
                self.stdout.write(f"enqueued {job.name}")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in periodic:
            scheduler.add_job(
                job.task.enqueue, "interval", minutes=job.every_minutes, id=job.name, coalesce=True, max_instances=1
            )
            self.stdout.write(f"{job.name}: every {job.every_minutes} minutes")
        scheduler.start()
