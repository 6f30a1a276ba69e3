"""Move one batch in bulk: into a temporary staging table, then into its table with set-based SQL.

PostgreSQL takes the batch with ``COPY … FROM STDIN`` and SQLite with ``executemany`` (it runs
in-process, so there is no round trip to save). From the staging table on, both run the same
statements: references are resolved by probing a unique index for each staged ref (``probe``),
changed rows are written with one ``UPDATE … FROM`` and new rows with one
``INSERT … SELECT … ON CONFLICT``.

Why: the ORM's ``bulk_create``, ``bulk_update`` and ``__in`` lookups send each batch as one long
statement whose parameters are bound one by one (a ``CASE WHEN id = … THEN …`` per row and field
for an update); building and parsing that statement cost more than the rows' own work, and it is
the same on every database. A staged batch is a flat stream of values.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Model

# Fields whose Python value both drivers take as it is; any other field is prepared by Django.
AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,  # the big and auto integers too
    models.ForeignKey,
    models.BooleanField,
    models.DateField,
    # A Decimal goes as it is: psycopg dumps it, and Django's SQLite backend registers an adapter for it.
    # Every value an import stages is one (the cleaners make them, and stored rows load as them).
    models.DecimalField,
)

Column = tuple[str, str]  # (name, SQL type)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def stage(name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> str:
    """Load ``rows`` into a temporary table ``name`` (emptied first); return its quoted name.

    The table lives as long as the connection, so each batch reuses it.
    """
    table = quote(name)
    spec = ", ".join(f"{quote(column)} {kind}" for column, kind in columns)
    names = ", ".join(quote(column) for column, _ in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({spec})")
        if connection.vendor == "postgresql":
            # TRUNCATE, not DELETE: autovacuum never visits a temporary table, so deleted rows would
            # pile up batch after batch and every later join would scan them.
            cursor.execute(f"TRUNCATE {table}")
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (names from the models)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608 (names from the models)
    return table


@contextmanager
def sqlite_tuned_for_import() -> Iterator[None]:
    """On SQLite, run an import with a larger page cache and fewer WAL checkpoints; restore both after.

    With a smaller cache (SQLite's default is 2 MB; connections here have 64 MB), a table's indexes
    outgrow it within a few hundred thousand rows and each insert reads its index pages again: 1,000,000
    orders took 188 s with the default and 104 s with 256 MB (IMPORT_SQLITE_CACHE_MB). And each batch of
    orders dirties index pages all over the table (orders name random customers); with the default
    checkpoint every 1,000 pages of WAL those pages are copied back and synced after almost every batch,
    and again after the next one. Checkpointing every IMPORT_SQLITE_CHECKPOINT_PAGES (20,000 pages, 80
    MB of WAL) copies each page once for many batches: 500,000 orders took 54 s instead of 63 s
    (docs/benchmarks.md, P1).
    """
    pragmas = {"cache_size": -settings.IMPORT_SQLITE_CACHE_MB * 1024}  # negative: KiB, not pages
    pragmas["wal_autocheckpoint"] = settings.IMPORT_SQLITE_CHECKPOINT_PAGES
    pragmas = {name: value for name, value in pragmas.items() if value}  # 0 keeps the connection's own
    if connection.vendor != "sqlite" or not pragmas:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in pragmas.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {value}")


def preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a field's value goes to the driver: None where both drivers take it as it is, else through Django."""
    if isinstance(field, AS_IS) and not isinstance(field, models.DateTimeField):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


@dataclass(slots=True)
class NewRow:
    """A row to create: the values an import gives it, by attribute name, and its primary key once it
    is written (read back only where later writes need it).

    Not a model object: building one per row and reading every field back off it cost more than the
    row's own checks (20 µs a row under the profiler; docs/benchmarks.md, P1 round 4). The fields it
    does not give take their defaults in ``staged_new``.
    """

    values: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None


def staged_new(fields: Sequence[models.Field[Any, Any]], stamp: Any) -> Callable[[NewRow], list[Any]]:
    """The staging row of a new row (a NULL primary key first): each field's prepared default, made once
    per batch, with the row's own values and ``stamp`` in the automatic time fields put over it."""
    prepared = [(f, preparer(f)) for f in fields]
    template: list[Any] = [None]
    slots: dict[str, tuple[int, Callable[[Any], Any] | None]] = {}
    fresh = []
    for index, (f, prepare) in enumerate(prepared, start=1):
        if is_stamped(f):
            template.append(stamp)
            continue
        slots[f.attname] = (index, prepare)
        template.append(f.get_default() if prepare is None else prepare(f.get_default()))
        if f.has_default() and callable(f.default):  # a default like ``list`` is made anew for each row
            fresh.append((index, f, prepare))

    def staged(row: NewRow) -> list[Any]:
        values = template.copy()
        for index, f, prepare in fresh:
            values[index] = f.get_default() if prepare is None else prepare(f.get_default())
        for name, value in row.values.items():
            index, prepare = slots[name]
            values[index] = value if prepare is None else prepare(value)
        return values

    return staged


def is_stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def column_of(field: models.Field[Any, Any]) -> Column:
    return column_name(field), field.db_type(connection) or "text"


def column_name(field: Any) -> str:
    """A concrete field's column (``get_field`` may also name a relation, which has none)."""
    assert isinstance(field, models.Field) and field.column, f"{field} has no column"
    return field.column


def column(model: type[Model], name: str) -> str:
    return column_name(model._meta.get_field(name))


def upsert(
    model: type[Model],
    *,
    new: Sequence[NewRow],
    changed: Sequence[Model],
    changed_fields: Sequence[str],
    key: str | None,
    now: datetime,
    read_back: bool = False,
) -> None:
    """Write ``new`` and ``changed`` objects of ``model`` with two set-based statements.

    New rows give every concrete field; a new row whose ``key`` another writer stored meanwhile
    becomes an update of that row (``ON CONFLICT``). Changed rows write only ``changed_fields``.
    With ``read_back``, new objects get their primary keys, read back by ``key``.
    """
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [f for f in fields if is_stamped(f)]
    stamp = stamped[0].get_db_prep_save(now, connection) if stamped else None
    kept = {f.attname for f in stamped if getattr(f, "auto_now_add", False)}  # a row's creation time stays
    pk = quote(column_name(meta.pk))
    name = f"import_stage_{meta.db_table}"
    columns = [(column_name(meta.pk), "bigint"), *(column_of(f) for f in fields)]
    staged = itertools.chain(map(staged_changed(fields, stamp), changed), map(staged_new(fields, stamp), new))
    table = stage(name, columns, staged)
    target = quote(meta.db_table)
    with connection.cursor() as cursor:
        if changed:
            if connection.vendor == "postgresql":
                # The one join on the staged rows: with the batch's size known, the planner probes the
                # table's primary key for each row instead of hashing the whole table.
                cursor.execute(f"ANALYZE {table}")
            written = [quote(column(model, n)) for n in changed_fields]
            sets = ", ".join(f"{c} = s.{c}" for c in written)
            cursor.execute(
                f"UPDATE {target} SET {sets} FROM {table} s "  # noqa: S608 (names from the models)
                f"WHERE s.{pk} IS NOT NULL AND {target}.{pk} = s.{pk}"
            )
        if new:
            names = ", ".join(quote(column_name(f)) for f in fields)
            conflict = ""
            if key:
                updated = [quote(column_name(f)) for f in fields if f.attname not in kept]
                sets = ", ".join(f"{c} = excluded.{c}" for c in updated)
                conflict = f" ON CONFLICT ({quote(column(model, key))}) DO UPDATE SET {sets}"
            cursor.execute(
                f"INSERT INTO {target} ({names}) SELECT {names} FROM {table} s "  # noqa: S608 (names from the models)
                f"WHERE s.{pk} IS NULL{conflict}"
            )
            if key and read_back:
                read_back_keys(model, new, key, table)


def staged_changed(fields: Sequence[models.Field[Any, Any]], stamp: Any) -> Callable[[Model], list[Any]]:
    """The staging row of an existing object: its primary key and every field's value as it now holds it."""
    prepared = [(f.attname, is_stamped(f), preparer(f)) for f in fields]

    def staged(obj: Model) -> list[Any]:
        values: list[Any] = [obj.pk]
        for attname, stamped, prepare in prepared:
            value = stamp if stamped else getattr(obj, attname)
            values.append(value if stamped or prepare is None else prepare(value))
        return values

    return staged


def read_back_keys(model: type[Model], new: Sequence[NewRow], key: str, table: str) -> None:
    """Give each new object the primary key its row got, matched by its unique ``key``."""
    meta = model._meta
    key_column, pk = column(model, key), quote(column_name(meta.pk))
    found = probe(meta.db_table, key_column, f"s.{quote(key_column)}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.{quote(key_column)}, {found} FROM {table} s WHERE s.{pk} IS NULL")  # noqa: S608 (names from the models)
        ids = dict(cursor.fetchall())
    attname = meta.get_field(key).attname  # type: ignore[union-attr]
    for row in new:
        row.pk = ids[row.values[attname]]


def probe(table: str, column: str, value: str) -> str:
    """A scalar subquery: the id of the row of ``table`` whose unique ``column`` equals ``value``.

    Lookups against a staged batch are written this way, not as joins, because a join's plan rests
    on the table's statistics, and a table that an import is filling has none that are current:
    PostgreSQL then hashes the whole table for every batch (measured: 30 µs a row at 200,000
    customers, growing with the table). A correlated probe of a unique index is one index lookup
    per staged row whatever the statistics say, so the cost per row stays flat.
    """
    return f"(SELECT t.id FROM {quote(table)} t WHERE t.{quote(column)} = {value})"  # noqa: S608 (names from the models)


def existing(model: type[Model], field: str, values: Iterable[str]) -> dict[str, Any]:
    """value → object for the rows of ``model`` whose unique ``field`` holds one of ``values``."""
    wanted = {value for value in values if value}
    if not wanted:
        return {}
    found = joined(
        wanted,
        f"SELECT {probe(model._meta.db_table, column(model, field), 's.ref')} FROM {{stage}} s",  # noqa: S608 (names from the models)
    )
    ids = [pk for (pk,) in found if pk is not None]
    if not ids:
        return {}
    return {getattr(obj, field): obj for obj in model._default_manager.filter(pk__in=ids)}


REFS_TABLE = "import_stage_refs"


def joined(refs: Iterable[str], sql: str) -> list[tuple[Any, ...]]:
    """The rows ``sql`` returns when it joins the staged ``refs``.

    ``sql`` reads them as ``{stage}`` with columns ``ref`` (as given) and ``ref_lower``; the lower-case
    form is made here, in Python, so both databases fold case alike (SQLite's lower() is ASCII only).
    """
    table = stage(REFS_TABLE, [("ref", "text"), ("ref_lower", "text")], ((ref, ref.lower()) for ref in refs))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(stage=table))
        return cursor.fetchall()
