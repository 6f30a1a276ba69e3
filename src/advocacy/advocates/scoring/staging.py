"""Staging rows in a temporary table, the fastest way each database takes them, for set-based writes.

PostgreSQL: ``COPY … FROM STDIN`` into a temporary table. SQLite: ``executemany`` into a temporary
table. Either way the caller then moves the rows with one set-based statement (``UPDATE … FROM``,
``INSERT … SELECT``) instead of one statement per batch of rows, so the database, not Python, joins
them to what is stored. The table lives until ``unstage`` (or the connection) drops it: a rollback
drops it too, so a run that dies leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.backends.utils import CursorWrapper

COPY_BATCH = 10_000  # rows per write to the COPY stream


def stage(
    cursor: CursorWrapper, vendor: str, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Create the temporary ``table`` with ``columns`` ((name, SQL type), the first is the primary key) and
    load ``rows`` into it."""
    unstage(cursor, table)
    names = ", ".join(name for name, _ in columns)
    definition = ", ".join(f"{name} {kind}{' PRIMARY KEY' if n == 0 else ''}" for n, (name, kind) in enumerate(columns))
    cursor.execute(f"CREATE TEMPORARY TABLE {table} ({definition})")
    if vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # psycopg's own cursor
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


def unstage(cursor: CursorWrapper, table: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
