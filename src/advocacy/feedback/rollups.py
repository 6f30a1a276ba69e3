"""Roll-ups of the answers that the dashboard reads: database triggers keep them exact, a rebuild refills them.

One row of ``feedback_responserollup`` counts the answers of one survey on one local day, in one wave,
for one value of one segment field (and one row per day and wave for all answers together): ``n`` and
the answers per score, ``s0`` … ``s10``; on PostgreSQL a key's counts are spread over up to STRIPES
copies (below), which the readers add up. Every figure of the dashboard adds up from these: promoters
(s9 + s10), detractors (s0 … s6), satisfied (s4 + s5), the CES sum Σ k·sk and sum of squares Σ k²·sk.

**Why triggers, in the answer's transaction.** Answers are written by the one-click page, the web
survey, the API, imports, the demo, the admin, cascades of deleted customers and waves, and bulk
INSERTs; the segments are the customer's *current* locale and account, whose attributes imports and
pages change in bulk. A trigger sees every one of these writes, in the writer's transaction, so the
roll-ups equal the answers at every commit with no path to forget, and no worker or watermark to lag
behind (a dashboard opened right after a wave's answers shows them). The cost is a few upserts per
answer in the writer's transaction; the figures are in docs/benchmarks.md (P4).

Days are local days in ``settings.TIME_ZONE``: PostgreSQL converts with ``AT TIME ZONE``; SQLite has no
time zones, so the zone's UTC offsets (1970–2100) are written into its triggers as a binary search
over the changes. The ``RollupState`` row names the zone; a viewer in another zone, or a database
whose roll-ups were never built, gets figures counted from the answers (dashboard/queries.py).

``rollups_install`` (re)creates the triggers and rebuilds every row from the answers in one
transaction: the data migration, ``advocacy rollups_rebuild`` and the post-migrate check use it.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from advocacy.core.triggers import return_unless_rows, triggers_present

TABLE = "feedback_responserollup"
STATE_TABLE = "feedback_rollupstate"
SCORES = range(11)

# Segment field (as the dashboard names it) → its value in SQL, with c the customer and a the account.
ACCOUNT_DIMENSIONS = {
    "account__region": "region",
    "account__industry": "industry",
    "account__size": "size",
    "account__kind": "kind",
}
CUSTOMER_DIMENSIONS = {"locale": "locale"}
DIMENSIONS = ("", *ACCOUNT_DIMENSIONS, *CUSTOMER_DIMENSIONS)  # '' counts all answers

RESPONSE_COLUMNS = ("score", "answered_at", "wave_id", "survey_id", "customer_id", "duplicate")
FIRST_YEAR, LAST_YEAR = 1970, 2100
ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")

COUNT_COLUMNS = ("n", *(f"s{k}" for k in SCORES))
COUNTS = ", ".join(COUNT_COLUMNS)
SUMMED_COUNTS = ", ".join(f"SUM({column})" for column in COUNT_COLUMNS)  # a key's stripes added up
KEY = "survey_id, dimension, value, day, wave_id, stripe"
COLUMNS = f"survey_id, day, wave_id, dimension, value, stripe, {COUNTS}"
COUNTED_COLUMNS = f"survey_id, day, wave_id, dimension, value, {COUNTS}"  # what recount_sql selects
UPSERT = f"ON CONFLICT ({KEY}) DO UPDATE SET " + ", ".join(
    f"{column} = {TABLE}.{column} + excluded.{column}" for column in COUNT_COLUMNS
)

# **Stripes.** In a burst every answer moves the same few rows (its survey's day, wave and segments), and on
# PostgreSQL a transaction holds those rows locked until its commit has reached the disk: the answers'
# commits then went to the disk one at a time, each waiting for the one before (P3 round 8). A
# transaction writes its counts into one of STRIPES copies of each row, chosen by its transaction id, so
# that concurrent answers move different rows and their commits share a flush; the readers add the
# copies up (they already SUM every row they read), and ``rollups_fold`` adds the copies of past days
# back into stripe 0 nightly. A transaction keeps to one stripe, so its locks are taken in key order as
# before. SQLite has one writer at a time, so it writes stripe 0 only.
STRIPES = 16
STRIPE_SQL = {"postgresql": f"(txid_current() % {STRIPES})::smallint", "sqlite": "0"}


# --- local days --------------------------------------------------------------------------------


@functools.cache
def zone_offsets(zone: str) -> tuple[int, list[tuple[datetime, int]]]:
    """The zone's UTC offset in seconds before 1970, and each change after: (UTC moment, new offset)."""
    tz = ZoneInfo(zone)

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    day = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    first = current = offset(day)
    changes = []
    while day.year <= LAST_YEAR:
        following = day + timedelta(days=1)
        if (after := offset(following)) != current:
            low, high = int(day.timestamp()), int(following.timestamp())  # `current` at low, `after` at high
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(datetime.fromtimestamp(middle, UTC)) == current else (low, middle)
            changes.append((datetime.fromtimestamp(high, UTC), after))
            current = after
        day = following
    return first, changes


def _search(column: str, first: int, changes: list[tuple[datetime, int]]) -> str:
    """A CASE that finds the offset in force at ``column`` in log₂(changes) comparisons (SQLite text times)."""
    if not changes:
        return str(first)
    middle = len(changes) // 2
    moment, _ = changes[middle]
    before = _search(column, first, changes[:middle])
    after = _search(column, changes[middle][1], changes[middle + 1 :])
    return f"(CASE WHEN {column} < '{moment:%Y-%m-%d %H:%M:%S}' THEN {before} ELSE {after} END)"


def day_sql(vendor: str, column: str, zone: str) -> str:
    """The local date of a stored UTC moment, in the zone, as SQL."""
    if not ZONE_NAME.match(zone):
        raise ValueError(f"unexpected time zone name {zone!r}")
    if vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{zone}')::date"
    if vendor == "sqlite":
        first, changes = zone_offsets(zone)
        return f"date({column}, {_search(column, first, changes)} || ' seconds')"
    raise NotSupportedError(f"roll-ups are written for SQLite and PostgreSQL, not {vendor}")


# --- the statements that move counts ------------------------------------------------------------


def _dimensions(names: tuple[str, ...]) -> str:
    return "(" + " UNION ALL ".join(f"SELECT '{name}' AS dimension" for name in names) + ")"


def _value(customer: str, account: str, names: tuple[str, ...]) -> str:
    """The segment value of each dimension row: the customer's and account's fields, '' where unset."""
    whens = [f"WHEN '{name}' THEN COALESCE({account}.{field}, '')" for name, field in ACCOUNT_DIMENSIONS.items()]
    whens += [f"WHEN '{name}' THEN COALESCE({customer}.{field}, '')" for name, field in CUSTOMER_DIMENSIONS.items()]
    kept = [when for when in whens if when.split("'")[1] in names]
    return f"CASE d.dimension {' '.join(kept)} ELSE '' END" if kept else "''"


def _one_answer(zone: str, ref: str, sign: int) -> str:
    """SQLite: add (sign 1) or take away (sign −1) one answer row, NEW or OLD, under its customer's values now."""
    counts = ", ".join(f"{sign} * (CASE WHEN {ref}.score = {k} THEN 1 ELSE 0 END)" for k in SCORES)
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) "
        f"SELECT {ref}.survey_id, {day_sql('sqlite', f'{ref}.answered_at', zone)}, COALESCE({ref}.wave_id, 0), "
        f"d.dimension, {_value('c', 'a', DIMENSIONS)}, {STRIPE_SQL['sqlite']}, {sign}, {counts} "
        f"FROM {_dimensions(DIMENSIONS)} d "
        f"LEFT JOIN customers_customer c ON c.id = {ref}.customer_id "
        f"LEFT JOIN customers_account a ON a.id = c.account_id "
        f"WHERE NOT {ref}.duplicate {UPSERT}"
    )


def _moved(vendor: str, zone: str, sign: int, source: str, value: str, names: tuple[str, ...], where: str) -> str:
    """Add (sign 1) or take away (sign −1) the answers ``r`` that ``source`` joins, grouped into roll-up rows."""
    counts = ", ".join(f"{sign} * SUM(CASE WHEN r.score = {k} THEN 1 ELSE 0 END)" for k in SCORES)
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) "
        f"SELECT r.survey_id, {day_sql(vendor, 'r.answered_at', zone)}, COALESCE(r.wave_id, 0), "
        f"d.dimension, {value}, {STRIPE_SQL[vendor]}, {sign} * COUNT(*), {counts} "
        f"FROM {source} CROSS JOIN {_dimensions(names)} d "
        # In key order, so that two writers lock the rows they share in the same order (no deadlock).
        f"WHERE NOT r.duplicate AND {where} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 4, 5, 2, 3 {UPSERT}"
    )


ANSWER_SEGMENTS = (
    "LEFT JOIN customers_customer c ON c.id = r.customer_id LEFT JOIN customers_account a ON a.id = c.account_id"
)


def recount_sql(vendor: str, zone: str) -> str:
    """Every roll-up row, counted from the answers in one GROUP BY."""
    counts = ", ".join(f"SUM(CASE WHEN r.score = {k} THEN 1 ELSE 0 END)" for k in SCORES)
    return (
        f"SELECT r.survey_id, {day_sql(vendor, 'r.answered_at', zone)}, COALESCE(r.wave_id, 0), "
        f"d.dimension, {_value('c', 'a', DIMENSIONS)}, COUNT(*), {counts} "
        f"FROM feedback_response r CROSS JOIN {_dimensions(DIMENSIONS)} d {ANSWER_SEGMENTS} "
        f"WHERE NOT r.duplicate GROUP BY 1, 2, 3, 4, 5"
    )


# --- the triggers ------------------------------------------------------------------------------
#
# SQLite has only row triggers: each answer written adds its rows (one upsert per dimension). PostgreSQL
# runs one statement trigger per statement over its transition tables, so a COPY or a bulk UPDATE moves
# the counts in one grouped upsert (row triggers there would update the same few rows once per answer,
# leaving a dead row version each time within the transaction).

CUSTOMER_NAMES = (*ACCOUNT_DIMENSIONS, *CUSTOMER_DIMENSIONS)
ACCOUNT_NAMES = tuple(ACCOUNT_DIMENSIONS)
CUSTOMER_COLUMNS = ("locale", "account_id")
ACCOUNT_COLUMNS = tuple(ACCOUNT_DIMENSIONS.values())


def _differ(vendor: str, old: str, new: str, columns: tuple[str, ...]) -> str:
    differ = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return "(" + " OR ".join(f"{old}.{column} {differ} {new}.{column}" for column in columns) + ")"


def _sqlite_triggers(zone: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(name, table, event and timing, WHEN condition, statements) of each SQLite row trigger."""

    def answer(ref: str, sign: int) -> str:
        return _one_answer(zone, ref, sign)

    def customer(ref: str, sign: int) -> str:
        source = f"feedback_response r LEFT JOIN customers_account a ON a.id = {ref}.account_id"
        value = _value(ref, "a", CUSTOMER_NAMES)
        return _moved("sqlite", zone, sign, source, value, CUSTOMER_NAMES, f"r.customer_id = {ref}.id")

    def account(ref: str, sign: int) -> str:
        source = "feedback_response r JOIN customers_customer c ON c.id = r.customer_id"
        value = _value("c", ref, ACCOUNT_NAMES)
        return _moved("sqlite", zone, sign, source, value, ACCOUNT_NAMES, f"c.account_id = {ref}.id")

    changed = _differ("sqlite", "OLD", "NEW", RESPONSE_COLUMNS)
    return [
        ("feedback_rollup_response_insert", "feedback_response", "AFTER INSERT", "", [answer("NEW", 1)]),
        ("feedback_rollup_response_delete", "feedback_response", "AFTER DELETE", "", [answer("OLD", -1)]),
        (
            "feedback_rollup_response_update",
            "feedback_response",
            f"AFTER UPDATE OF {', '.join(RESPONSE_COLUMNS)}",
            changed,
            [answer("OLD", -1), answer("NEW", 1)],
        ),
        (
            "feedback_rollup_customer_update",
            "customers_customer",
            f"AFTER UPDATE OF {', '.join(CUSTOMER_COLUMNS)}",
            _differ("sqlite", "OLD", "NEW", CUSTOMER_COLUMNS),
            [customer("OLD", -1), customer("NEW", 1)],
        ),
        (
            "feedback_rollup_account_update",
            "customers_account",
            f"AFTER UPDATE OF {', '.join(ACCOUNT_COLUMNS)}",
            _differ("sqlite", "OLD", "NEW", ACCOUNT_COLUMNS),
            [account("OLD", -1), account("NEW", 1)],
        ),
        ("feedback_rollup_survey_delete", "feedback_survey", "BEFORE DELETE", "", [SURVEY_GONE]),
    ]


# A survey's roll-ups go with it (Django deletes its answers first, whose triggers have run by then).
SURVEY_GONE = f"DELETE FROM {TABLE} WHERE survey_id = OLD.id"


def _postgres_triggers(zone: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(name, table, event, REFERENCING clause or FOR EACH ROW, statements) of each PostgreSQL trigger."""
    # Each row of a transition table looks up its customer, account or answers by index (LATERAL … OFFSET 0
    # keeps the planner from hashing whole tables: it cannot know that a transition table holds one row).
    answers = (
        "LEFT JOIN LATERAL (SELECT c.locale, a.region, a.industry, a.size, a.kind FROM customers_customer c "
        "LEFT JOIN customers_account a ON a.id = c.account_id WHERE c.id = r.customer_id OFFSET 0) s ON TRUE"
    )
    value = _value("s", "s", DIMENSIONS)
    pg = "postgresql"
    answer_changed = _differ(pg, "o", "r", RESPONSE_COLUMNS)
    update_answers = [
        _moved(pg, zone, -1, f"old_rows r JOIN new_rows o ON o.id = r.id {answers}", value, DIMENSIONS, answer_changed),
        _moved(pg, zone, 1, f"new_rows r JOIN old_rows o ON o.id = r.id {answers}", value, DIMENSIONS, answer_changed),
    ]

    def customers(ref: str, sign: int) -> str:
        source = (
            "old_rows o JOIN new_rows nw ON nw.id = o.id "
            "JOIN LATERAL (SELECT * FROM feedback_response WHERE customer_id = o.id OFFSET 0) r ON TRUE "
            f"LEFT JOIN LATERAL (SELECT * FROM customers_account WHERE id = {ref}.account_id OFFSET 0) a ON TRUE"
        )
        changed = _differ(pg, "o", "nw", CUSTOMER_COLUMNS)
        return _moved(pg, zone, sign, source, _value(ref, "a", CUSTOMER_NAMES), CUSTOMER_NAMES, changed)

    def accounts(ref: str, sign: int) -> str:
        source = (
            "old_rows o JOIN new_rows nw ON nw.id = o.id "
            "JOIN LATERAL (SELECT id FROM customers_customer WHERE account_id = o.id OFFSET 0) c ON TRUE "
            "JOIN LATERAL (SELECT * FROM feedback_response WHERE customer_id = c.id OFFSET 0) r ON TRUE"
        )
        changed = _differ(pg, "o", "nw", ACCOUNT_COLUMNS)
        return _moved(pg, zone, sign, source, _value("c", ref, ACCOUNT_NAMES), ACCOUNT_NAMES, changed)

    both = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    return [
        (
            "feedback_rollup_response_insert",
            "feedback_response",
            "AFTER INSERT",
            "REFERENCING NEW TABLE AS r FOR EACH STATEMENT",
            [_moved(pg, zone, 1, f"r {answers}", value, DIMENSIONS, "TRUE")],
        ),
        (
            "feedback_rollup_response_delete",
            "feedback_response",
            "AFTER DELETE",
            "REFERENCING OLD TABLE AS r FOR EACH STATEMENT",
            [_moved(pg, zone, -1, f"r {answers}", value, DIMENSIONS, "TRUE")],
        ),
        ("feedback_rollup_response_update", "feedback_response", "AFTER UPDATE", both, update_answers),
        (
            "feedback_rollup_customer_update",
            "customers_customer",
            "AFTER UPDATE",
            both,
            [customers("o", -1), customers("nw", 1)],
        ),
        (
            "feedback_rollup_account_update",
            "customers_account",
            "AFTER UPDATE",
            both,
            [accounts("o", -1), accounts("nw", 1)],
        ),
        ("feedback_rollup_survey_delete", "feedback_survey", "BEFORE DELETE", "FOR EACH ROW", [SURVEY_GONE]),
    ]


TRIGGER_TABLES = {
    "feedback_rollup_response_insert": "feedback_response",
    "feedback_rollup_response_delete": "feedback_response",
    "feedback_rollup_response_update": "feedback_response",
    "feedback_rollup_customer_update": "customers_customer",
    "feedback_rollup_account_update": "customers_account",
    "feedback_rollup_survey_delete": "feedback_survey",
}


def create_statements(vendor: str, zone: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW{f' WHEN {when}' if when else ''} "
            f"BEGIN {'; '.join(body)}; END"
            for name, table, event, when, body in _sqlite_triggers(zone)
        ]
    if vendor != "postgresql":
        raise NotSupportedError(f"roll-ups are written for SQLite and PostgreSQL, not {vendor}")
    statements = []
    for name, table, event, level, body in _postgres_triggers(zone):
        returned = "OLD" if event.startswith("BEFORE") else "NULL"
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {first_step(level)}{'; '.join(body)}; RETURN {returned}; END $$"
        )
        statements.append(f"CREATE TRIGGER {name} {event} ON {table} {level} EXECUTE FUNCTION {name}()")
    return statements


def first_step(level: str) -> str:
    """A statement trigger returns at once over no rows (the last transition table its REFERENCING
    clause names: new rows, or the old ones of a delete); a row trigger has none to test."""
    named = re.findall(r"TABLE AS (\w+)", level)
    return f"{return_unless_rows(named[-1])} " if named else ""


def drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGER_TABLES]
    statements = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in TRIGGER_TABLES.items()]
    return statements + [f"DROP FUNCTION IF EXISTS {name}()" for name in TRIGGER_TABLES]


def installed_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    """The roll-up triggers present in the database (the post-migrate check looks)."""
    return triggers_present(connection, TRIGGER_TABLES)


# --- install and rebuild -----------------------------------------------------------------------


def rollups_install(*, using: str = DEFAULT_DB_ALIAS, zone: str | None = None) -> int:
    """(Re)create the triggers for the zone and count every roll-up row again from the answers, in one
    transaction (writers wait on PostgreSQL's table locks, so no answer slips between). Returns the rows."""
    zone = zone or settings.TIME_ZONE
    connection = connections[using]
    vendor = connection.vendor
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in (*drop_statements(vendor), *create_statements(vendor, zone)):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {TABLE}")
        # Into stripe 0, the column's default.
        cursor.execute(f"INSERT INTO {TABLE} ({COUNTED_COLUMNS}) {recount_sql(vendor, zone)}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        rows = int(cursor.fetchone()[0])
        cursor.execute(f"DELETE FROM {STATE_TABLE}")
        cursor.execute(f"INSERT INTO {STATE_TABLE} (zone, built_at) VALUES (%s, %s)", [zone, datetime.now(UTC)])
    return rows


def rollups_fold(*, before: date, using: str = DEFAULT_DB_ALIAS) -> int:
    """Add the striped copies of the rows of days before ``before`` into their stripe 0 and delete them,
    so that the readers add up at most STRIPES copies of the last days only. Returns the rows moved.

    On PostgreSQL in one statement. The copies are locked first with SKIP LOCKED: a copy that a late
    writer holds (an answer of an old day changed) is left for the next fold. The fold may then wait for
    a writer of stripe 0 to commit, but such a writer touches no other stripe, so it never waits for the
    fold in turn: no deadlock. SQLite writes stripe 0 only and has nothing to fold."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            f"WITH moved AS (DELETE FROM {TABLE} WHERE id IN (SELECT id FROM {TABLE} WHERE stripe <> 0 AND day < %s "
            f"ORDER BY {KEY} FOR UPDATE SKIP LOCKED) RETURNING {COUNTED_COLUMNS}), "
            # A CTE that writes runs whether or not the statement reads it.
            f"folded AS (INSERT INTO {TABLE} ({COLUMNS}) "
            f"SELECT survey_id, day, wave_id, dimension, value, 0, {SUMMED_COUNTS} FROM moved "
            f"GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 4, 5, 2, 3 {UPSERT}) "
            "SELECT count(*) FROM moved",
            [before],
        )
        return int(cursor.fetchone()[0])


def rollups_fold_past_days(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The nightly fold: every day before yesterday in the roll-ups' zone (an answer is counted on the
    local day it was given, so only changes to old answers still write those days' rows)."""
    today = datetime.now(ZoneInfo(settings.TIME_ZONE)).date()
    return rollups_fold(before=today - timedelta(days=1), using=using)


def rollups_uninstall(*, using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)


def rollup_functions_refresh(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Rewrite the PostgreSQL trigger functions for the zone they were built for, without recounting:
    for a change to how the triggers work that leaves what they count as it was (SQLite has none)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    zone = built_zone(using=using)
    if zone is None:  # never built: the post-migrate check builds them whole
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in create_statements("postgresql", zone):
            if statement.startswith("CREATE OR REPLACE FUNCTION"):
                cursor.execute(statement)


def rollups_need_install(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a trigger is missing, or the roll-ups were never built or were built for another zone."""
    connection = connections[using]
    if installed_triggers(connection) != set(TRIGGER_TABLES):
        return True
    return built_zone(using=using) != settings.TIME_ZONE


def built_zone(*, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The time zone the roll-ups were built for, or None where they were never built."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT zone FROM {STATE_TABLE}")
        zones = [row[0] for row in cursor.fetchall()]
    return zones[0] if len(zones) == 1 else None


def expected_rows(*, using: str = DEFAULT_DB_ALIAS, zone: str | None = None) -> list[tuple[Any, ...]]:
    """The roll-up rows counted afresh from the answers, without writing: what the table must hold, its
    stripes added up (survey, day, wave, dimension, value, n, s0 … s10)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(recount_sql(connection.vendor, zone or settings.TIME_ZONE))
        return list(cursor.fetchall())


def stored_rows(*, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
    """What the table holds, in the shape of ``expected_rows``: each key's stripes added up, and keys that
    count nothing (every answer they counted changed or deleted) left out."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT survey_id, day, wave_id, dimension, value, {SUMMED_COUNTS} FROM {TABLE} GROUP BY 1, 2, 3, 4, 5"
        )
        return [row for row in cursor.fetchall() if any(row[5:])]
