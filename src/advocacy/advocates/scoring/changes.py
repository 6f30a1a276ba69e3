"""Which customers' score inputs changed: database triggers mark them, the nightly rescore takes them.

Every table the score reads (customers, engagement events, orders, survey answers, cases, converted
referrals, reference calls, stories, challenge submissions) has a trigger that records the customer
of each inserted, updated or deleted row in ``advocates_scorechange``, one row per customer. A
customer marked again bumps the row's ``version``.

**Why triggers.** These rows are written by pages, the API, imports, the demo, the admin, cascades
and bulk SQL, and several of the tables have no "changed at" column (an import upserts an order's
amount in place). A trigger sees every one of these writes in the writer's transaction, so no path
can forget to say that a score is stale. On PostgreSQL the triggers are per statement and read the
statement's transition tables (one set-based upsert per statement, whatever the rows); SQLite has
only row triggers, one upsert per row.

**Why a version.** The rescore copies the marks it takes (customer and version) and, in its own
transaction, deletes exactly those: a mark bumped by a writer while the rescore ran has another
version, survives, and is taken by the next run. A rescore that dies deletes nothing.

``changes_install`` (re)creates the triggers: the migration and the post-migrate check use it (SQLite
drops a table's triggers when a migration rebuilds the table).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from advocacy.core.triggers import return_unless_rows, triggers_present

TABLE = "advocates_scorechange"
UPSERT = f"ON CONFLICT (customer_id) DO UPDATE SET version = {TABLE}.version + 1"


@dataclass(frozen=True)
class Source:
    """A table the score reads, and how to find the customer of one of its rows: the row's ``key``
    column is the customer's id, or matches ``match`` in ``joins``, which then yields ``customer``."""

    table: str
    key: str = "customer_id"
    joins: str = ""
    match: str = ""
    customer: str = ""
    deletes: bool = True


ADVOCATE = "advocates_advocate a"
SOURCES = (
    Source("customers_customer", "id", deletes=False),  # a deleted customer's score goes with it
    Source("customers_engagementevent"),
    Source("customers_order"),
    Source("feedback_response"),
    Source("casework_case"),
    Source(
        "advocates_referral",
        "link_id",
        f"advocates_referrallink l JOIN {ADVOCATE} ON a.id = l.advocate_id",
        "l.id",
        "a.customer_id",
    ),
    Source(
        "advocates_referencecall",
        "ask_id",
        f"advocates_referenceask k JOIN {ADVOCATE} ON a.id = k.advocate_id",
        "k.id",
        "a.customer_id",
    ),
    Source("advocates_story", "advocate_id", ADVOCATE, "a.id", "a.customer_id"),
    Source("advocates_submission", "advocate_id", ADVOCATE, "a.id", "a.customer_id"),
)


def _mark(source: Source, rows: str) -> str:
    """PostgreSQL: the upsert that marks the customers of the statement's transition table ``rows``."""
    if source.joins:
        select = (
            f"SELECT DISTINCT {source.customer}, 0 FROM {source.joins} "
            f"WHERE {source.match} IN (SELECT r.{source.key} FROM {rows} r)"
        )
    else:
        select = f"SELECT DISTINCT r.{source.key}, 0 FROM {rows} r WHERE r.{source.key} IS NOT NULL"
    return f"INSERT INTO {TABLE} (customer_id, version) {select} {UPSERT}"


def _mark_row(source: Source, ref: str) -> str:
    """SQLite: the upsert that marks the customer of the trigger's ``ref`` row (NEW or OLD); it runs once
    per row, so it reads the row's column directly, without a subquery or a DISTINCT."""
    if source.joins:
        select = f"SELECT {source.customer}, 0 FROM {source.joins} WHERE {source.match} = {ref}.{source.key}"
    else:
        select = f"SELECT {ref}.{source.key}, 0 WHERE {ref}.{source.key} IS NOT NULL"
    return f"INSERT INTO {TABLE} (customer_id, version) {select} {UPSERT}"


def trigger_ops(source: Source) -> list[tuple[str, str]]:
    """(operation, trigger name) for each write to ``source`` that marks a customer."""
    ops = ["INSERT", "UPDATE", *(["DELETE"] if source.deletes else [])]
    return [(op, f"advocates_scorechange_{source.table}_{op.lower()}") for op in ops]


def trigger_names(source: Source) -> list[str]:
    return [name for _, name in trigger_ops(source)]


def create_statements(vendor: str) -> list[str]:
    statements = []
    for source in SOURCES:
        for op, name in trigger_ops(source):
            if vendor == "sqlite":
                refs = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[op]
                body = "; ".join(_mark_row(source, ref) for ref in refs)
                statements.append(f"CREATE TRIGGER {name} AFTER {op} ON {source.table} FOR EACH ROW BEGIN {body}; END")
            elif vendor == "postgresql":
                tables = {"INSERT": ["new_rows"], "UPDATE": ["new_rows", "old_rows"], "DELETE": ["old_rows"]}[op]
                referencing = " ".join(f"{'NEW' if t == 'new_rows' else 'OLD'} TABLE AS {t}" for t in tables)
                body = "; ".join(_mark(source, t) for t in tables)
                statements.append(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN {return_unless_rows(tables[0])} {body}; RETURN NULL; END $$"
                )
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {op} ON {source.table} REFERENCING {referencing} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
            else:
                raise NotSupportedError(f"score change triggers are written for SQLite and PostgreSQL, not {vendor}")
    return statements


def drop_statements(vendor: str) -> list[str]:
    pairs = [(name, source.table) for source in SOURCES for name in trigger_names(source)]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name, _ in pairs]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in pairs] + [
        f"DROP FUNCTION IF EXISTS {name}()" for name, _ in pairs
    ]


def all_trigger_names() -> set[str]:
    return {name for source in SOURCES for name in trigger_names(source)}


def installed_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    return triggers_present(connection, all_trigger_names())


def changes_install(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """(Re)create the triggers, in one transaction."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in (*drop_statements(connection.vendor), *create_statements(connection.vendor)):
            cursor.execute(statement)


def changes_uninstall(*, using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)


def changes_need_install(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    return installed_triggers(connections[using]) != all_trigger_names()
