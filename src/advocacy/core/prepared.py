"""A cursor for the few statements a burst runs thousands of times: PostgreSQL parses and plans each once
per connection instead of once per request.

Django sends every statement with its parameters written in (psycopg's client-side binding), so
PostgreSQL parses and plans the one-click answer's upsert, with its triggers' statements, at every
click. In process, one thread, 2,200 clicks: the server's CPU per click fell from about 1.0 ms to about
0.6 ms with the hot statements prepared (docs/benchmarks.md, P3 round 5).

Only statements run through ``prepared_cursor`` are prepared: the rest of Django keeps client-side
binding, which accepts every query it writes. The statements are still Django's (the query log, the
execute wrappers and the tests' query counts see them). Set ``DATABASE_PREPARED_STATEMENTS=false`` behind
a pooler that cannot hold prepared statements (PgBouncer in transaction mode before 1.21). On SQLite
the driver keeps its own cache of compiled statements, so this is Django's usual cursor.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class LoggedAsWritten(CursorDebugWrapper):
    """The query log's cursor for prepared statements: it logs each as Django wrote it, since psycopg keeps
    no text of a run of a prepared statement (Django's log would read None)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Prepares every statement at its first run. Not after psycopg's count of runs: the count is
        kept in a cache of the last 100 statements run on the connection, which Django's statements
        (each with its values written in) push a hot statement out of between two clicks."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, **{**options, "prepare": True})  # type: ignore[misc]

    return PreparingCursor


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements PostgreSQL parses and plans once per connection; use it as a context
    manager, like ``connection.cursor()``."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    raw = _preparing_cursor_class()(connection.connection)
    return LoggedAsWritten(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
