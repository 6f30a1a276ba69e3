"""Foreign keys whose lookups another index already serves, and the migration that drops their own index.

Django gives every foreign key an index of its own. Where a composite index or a unique constraint
leads with the same column, that index answers every lookup by the key (a join, a cascade, a filter)
and the single-column one is a second write to a random page for each row inserted: on the hot
tables (orders, events, answers, invitations, mentions) that is measurable (docs/benchmarks.md, P1).
Such a key is declared ``db_index=False``; ``tests/core/test_indexes.py`` keeps it that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


@dataclass(frozen=True)
class IndexShape:
    name: str
    columns: tuple[str, ...]  # empty for an index on an expression
    unique: bool  # a unique constraint's index, or the primary key's
    partial: bool


# Django's own introspection cannot read every table on SQLite (its collation parser fails on a CHECK
# with an ESCAPE clause), so the indexes are read from the catalogues directly.
SQLITE_INDEXES = """
SELECT l.name, l."unique" OR l.origin = 'pk', l.partial, group_concat(coalesce(i.name, ''), ',')
FROM pragma_index_list(%s) AS l, pragma_index_info(l.name) AS i
GROUP BY l.name ORDER BY l.name
"""
POSTGRES_INDEXES = """
SELECT c.relname, x.indisunique OR x.indisprimary, x.indpred IS NOT NULL,
       CASE WHEN 0 = ANY (x.indkey::int2[]) THEN ''
            ELSE (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                  FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) END
FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
WHERE x.indrelid = to_regclass(%s) ORDER BY c.relname
"""


def indexes_of(connection: BaseDatabaseWrapper, table: str) -> list[IndexShape]:
    """Every index of ``table``, the primary key's and the unique constraints' included."""
    sql = SQLITE_INDEXES if connection.vendor == "sqlite" else POSTGRES_INDEXES
    with connection.cursor() as cursor:
        cursor.execute(sql, [table])
        rows = cursor.fetchall()
    return [
        IndexShape(name, tuple(c for c in (columns or "").split(",") if c), bool(unique), bool(partial))
        for name, unique, partial, columns in rows
    ]


def single_column_index_names(connection: BaseDatabaseWrapper, table: str, column: str) -> list[str]:
    """The plain (not unique, not partial) indexes on exactly ``column`` of ``table``."""
    return [
        index.name
        for index in indexes_of(connection, table)
        if index.columns == (column,) and not index.unique and not index.partial
    ]


def foreign_key_indexes_dropped(
    app_label: str, *alterations: migrations.AlterField
) -> migrations.SeparateDatabaseAndState:
    """Set ``db_index=False`` on foreign keys by dropping their index alone.

    Django's own AlterField rebuilds the whole table on SQLite (copying every row, and dropping the
    triggers installed by hand until the post-migrate check puts them back); dropping the index is all
    the change needs, on either database.
    """

    def targets(apps: StateApps) -> list[tuple[str, str]]:
        found = []
        for alteration in alterations:
            model: Any = apps.get_model(app_label, alteration.model_name)
            found.append((model._meta.db_table, model._meta.get_field(alteration.name).column))
        return found

    def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        quote = schema_editor.quote_name
        for table, column in targets(apps):
            for name in single_column_index_names(schema_editor.connection, table, column):
                schema_editor.execute(f"DROP INDEX {quote(name)}")

    def recreate(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        quote = schema_editor.quote_name
        for table, column in targets(apps):
            if not single_column_index_names(schema_editor.connection, table, column):
                name = f"{table}_{column}_fk"[-63:]  # PostgreSQL's limit on a name
                schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")

    return migrations.SeparateDatabaseAndState(
        state_operations=list(alterations),
        database_operations=[migrations.RunPython(drop, recreate, elidable=False)],
    )
