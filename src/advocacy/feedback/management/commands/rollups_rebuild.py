"""``advocacy rollups_rebuild``: recreate the roll-up triggers and count every roll-up row from the answers.

For upgrades (a migration that rebuilt a table drops its triggers on SQLite; the post-migrate check
does this too), a change of TIME_ZONE (the roll-ups count local days) and repair. One transaction:
on PostgreSQL, answers written meanwhile wait for it and are then counted by the new triggers.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from advocacy.feedback.rollups import rollups_install


class Command(BaseCommand):
    help = "Recreate the dashboard roll-ups' triggers and recount every roll-up row from the answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rollups_install(using=options["database"])
        self.stdout.write(
            f"Roll-ups rebuilt: {rows:,} rows, days in {settings.TIME_ZONE}, in {time.perf_counter() - started:.1f} s."
        )
