"""Database triggers the apps install by hand (roll-ups, score-change marks): which of them exist.

SQLite drops a table's triggers when a migration rebuilds the table, so each app's post-migrate check
asks which of its triggers are still there and reinstalls the set when one is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.backends.base.base import BaseDatabaseWrapper


def triggers_present(connection: BaseDatabaseWrapper, names: Iterable[str]) -> set[str]:
    """The triggers among ``names`` that the database holds now."""
    wanted = sorted(names)
    placeholders = ", ".join(["%s"] * len(wanted))
    if connection.vendor == "sqlite":
        sql = f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({placeholders})"
    else:
        sql = f"SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ({placeholders})"
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        return {row[0] for row in cursor.fetchall()}
