"""Append-only tables: the database itself refuses UPDATE and DELETE of their rows.

A ledger (points, program costs) and the audit log are evidence: a correction is a new row that
reverses an old one, never an edit. Checking that in Python would leave the admin, the shell and raw
SQL free to rewrite history, so each table gets a trigger (SQLite and PostgreSQL) added by the
``AppendOnly`` migration operation.

The one way to remove rows is an explicit purge (``flush``, the demo's reset), which runs inside
``purging()``. PostgreSQL reads a transaction setting; SQLite calls ``advocacy_purging()``, a function
each Django connection registers, so a purge on one connection never opens the door for another (and
a plain sqlite3 shell, which lacks the function, cannot change a row at all).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.migrations.operations.base import Operation

PURGE_SETTING = "advocacy.purging"
SQLITE_PURGE_FUNCTION = "advocacy_purging"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION advocacy_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{PURGE_SETTING}', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused (record a reversing entry instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
"""


def _trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_no_update", f"{table}_no_delete"


def _sqlite_create(table: str) -> list[str]:
    no_update, no_delete = _trigger_names(table)
    message = f"{table} is append-only: record a reversing entry instead"
    return [
        f"CREATE TRIGGER {name} BEFORE {op} ON {table} WHEN {SQLITE_PURGE_FUNCTION}() = 0 "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for name, op in ((no_update, "UPDATE"), (no_delete, "DELETE"))
    ]


def _postgres_create(table: str) -> list[str]:
    no_update, no_delete = _trigger_names(table)
    return [
        POSTGRES_FUNCTION,
        f"CREATE TRIGGER {no_update} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION advocacy_refuse_change()",
        f"CREATE TRIGGER {no_delete} BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION advocacy_refuse_change()",
    ]


def _drop(vendor: str, table: str) -> list[str]:
    on = f" ON {table}" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {name}{on}" for name in _trigger_names(table)]


def _create(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_create(table)
    if vendor == "postgresql":
        return _postgres_create(table)
    raise NotSupportedError(f"append-only triggers are written for SQLite and PostgreSQL, not {vendor}")


class AppendOnly(Operation):
    """Migration operation: make ``model_name``'s table refuse UPDATE and DELETE."""

    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # triggers are not part of Django's model state

    def _table(self, app_label: str, state: Any) -> str:
        return str(state.apps.get_model(app_label, self.model_name)._meta.db_table)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for sql in _create(schema_editor.connection.vendor, self._table(app_label, to_state)):
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        for sql in _drop(schema_editor.connection.vendor, self._table(app_label, from_state)):
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        return f"Make {self.model_name} append-only (triggers refuse UPDATE and DELETE)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_append_only"


@contextmanager
def purging(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this connection delete rows of append-only tables: for flush and the demo's reset only."""
    connection = connections[using]
    _set_purging(connection, True)
    try:
        yield
    finally:
        _set_purging(connection, False)


def _set_purging(connection: BaseDatabaseWrapper, on: bool) -> None:
    connection.advocacy_purging = on  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [PURGE_SETTING, "on" if on else "off"])


def register_sqlite_purge_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_PURGE_FUNCTION, 0, lambda: int(getattr(connection, "advocacy_purging", False))
    )


def connect() -> None:
    connection_created.connect(register_sqlite_purge_function, dispatch_uid="advocacy_append_only")
