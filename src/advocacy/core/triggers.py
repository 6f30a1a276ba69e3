"""Database triggers the apps install by hand (roll-ups, score-change marks): which of them exist, and
what every PostgreSQL statement trigger of theirs does first.

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


def return_unless_rows(transition_table: str) -> str:
    """plpgsql: a statement trigger's first step, returning at once when ``transition_table`` is empty.
    ``INSERT … ON CONFLICT DO UPDATE`` fires both the INSERT and the UPDATE statement triggers, so each
    one-click answer ran the other trigger's statements over no rows (0.16 ms of a first answer's 0.56 ms
    on the server, docs/benchmarks.md P3 round 5)."""
    return f"IF NOT EXISTS (SELECT FROM {transition_table}) THEN RETURN NULL; END IF;"
