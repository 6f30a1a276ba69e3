"""Django's flush, allowed to empty the append-only tables: removing every row is a purge, not an edit."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from advocacy.core.append_only import purging


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with purging(options["database"]):
            super().handle(**options)
