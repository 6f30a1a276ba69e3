"""Date arithmetic in SQL for the two databases we run on (SQLite and PostgreSQL), in one place.

Arguments are column expressions written by our own code and whole numbers of days checked by the
caller; no user text reaches these strings.
"""

from __future__ import annotations

from django.db import connection


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def as_date(column: str) -> str:
    """The UTC calendar day of a timestamp column."""
    return f"date({column})" if is_sqlite() else f"CAST(({column} AT TIME ZONE 'UTC') AS date)"


def plus_days(expr: str, days: int) -> str:
    days = int(days)
    return f"date({expr}, '{days:+d} days')" if is_sqlite() else f"({expr} + {days})"


def month_of(expr: str) -> str:
    """'YYYY-MM' of a date expression (percent signs doubled: the query always has parameters)."""
    return f"strftime('%%Y-%%m', {expr})" if is_sqlite() else f"to_char({expr}, 'YYYY-MM')"
