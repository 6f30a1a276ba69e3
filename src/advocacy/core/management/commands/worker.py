"""``advocacy worker``: runs background tasks from the configured backend (database or RQ)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the task worker for the configured TASK_BACKEND (database queue or RQ on Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--queue", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASK_BACKEND == "rq":
            rq_args = ["--job-class", "django_tasks_rq.Job", options["queue"]]
            if options["batch"]:
                rq_args.insert(0, "--burst")
            call_command("rqworker", *rq_args)
            return
        if settings.TASK_BACKEND == "immediate":
            self.stdout.write("TASK_BACKEND=immediate runs tasks inline; there is nothing for a worker to do.")
            return
        db_args = ["--queue-name", options["queue"], "--no-reload"]
        if options["batch"]:
            db_args += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *db_args)
