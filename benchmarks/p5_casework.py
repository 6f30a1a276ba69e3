"""P5: the case queue and the cadence sweep over 100,000 open cases, on SQLite and on PostgreSQL.

Each database gets a worker process of its own (``python -m benchmarks.p5_casework --worker``), as in
P1 and P4, because Django settings are global to a process. The worker migrates a fresh database,
creates the four cadence policies, 40 customer advocates and 20,000 customers, and writes the open
cases as fast as rows can go in (SQLite: ``executemany``; PostgreSQL: ``COPY``), then ``ANALYZE``:

- statuses: 20 % new, 55 % open, 15 % waiting on a department, 10 % waiting on the customer (paused,
  no running deadline); priorities 10 % urgent, 25 % high, 50 % normal, 15 % low;
- the next promise due: 4 % already missed (up to three days ago), 1 % due within the warning
  window (between one and 15 minutes from now), the rest spread over the next ten days.

Then it times, over repeated runs after one warm-up, p50 and p95 in milliseconds of:

- the queue page, ``casework:queue``, rendered through Django's test ``Client`` as a signed-in
  customer advocate (their own open cases, the first 200 of about 2,500, with the counts by status);
- the queue's read, ``casework.queries.queue(owner=…)``, for the first 50 rows;

and, once each, ``casework.services.cadence_sweep``: the first sweep, which finds the due warnings
and missed deadlines, and a second one a second later, which has nothing new to do.

The reference is one hand-written select of the owner's 50 earliest-due open cases (ids and due
times, on the ``(owner, status, next_due)`` index) in the same run; the ratio is p50 ÷ its p50.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.p4_nps_dashboard import bulk_insert, insert_accounts, insert_customers, timed
from benchmarks.report import Report
from benchmarks.workers import on_each_database, worker_result

DEFAULT_ROWS = 100_000
REPETITIONS = 30
ADVOCATES = 40
WORKLOAD = "P5 casework"
ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "P5-RESULT "
STATUSES = {"new": 20, "open": 55, "waiting_department": 15, "waiting_customer": 10}
PRIORITIES = {"urgent": 10, "high": 25, "normal": 50, "low": 15}
CATEGORIES = ("billing", "technical", "delivery", "account", "product", "service", "other")
MISSED_SHARE = 0.04
WARNING_SHARE = 0.01
READS = ("queue page", "queue query")
REFERENCE_SQL = (
    "SELECT id, next_due FROM casework_case WHERE owner_id = %s "
    "AND status IN ('new', 'open', 'waiting_customer', 'waiting_department') AND next_due IS NOT NULL "
    "ORDER BY next_due, id LIMIT 50"
)


# --- the parent ----------------------------------------------------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    rows = rows or DEFAULT_ROWS
    results = on_each_database(
        report, WORKLOAD, "p5", lambda folder, url, name: run_worker(report, folder, url, name, rows)
    )
    for name, result in results.items():
        if result is not None:
            record(report, rows, name, result)


def record(report: Report, rows: int, name: str, result: dict[str, Any]) -> None:
    workload = f"{WORKLOAD}, {rows:,} open cases"
    reference = result["reference"]["p50"]
    report.add(workload, f"{name} insert", result["insert"]["rows_per_s"], "rows/s")
    for measure in READS:
        for quantile in ("p50", "p95"):
            report.add(
                workload,
                f"{name} {measure} {quantile}",
                result[measure][quantile],
                "ms",
                reference=reference,
                reference_label="hand SQL p50",
            )
    report.add(workload, f"{name} hand-written SQL, 50 earliest due p50", reference, "ms")
    for sweep in ("first sweep", "second sweep"):
        timing = result[sweep]
        note = f"warned {timing['warned']:,}, breached {timing['breached']:,}"
        report.add(workload, f"{name} cadence {sweep}", timing["ms"], "ms", note=note)


def run_worker(report: Report, folder: Path, database_url: str, name: str, rows: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {rows:,} open cases on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p5_casework",
        args=["--rows", str(rows)],
        database_url=database_url,
        var_dir=folder / f"var-{name.lower()}",
        prefix=RESULT_PREFIX,
        summary=summary,
        extra_env={"ALLOWED_HOSTS": "testserver,localhost"},
    )


def summary(result: dict[str, Any]) -> str:
    insert = result["insert"]
    reads = ", ".join(f"{m} p50 {result[m]['p50']:.1f} ms / p95 {result[m]['p95']:.1f} ms" for m in READS)
    sweeps = ", ".join(
        f"{s} {result[s]['ms']:,.0f} ms (warned {result[s]['warned']}, breached {result[s]['breached']})"
        for s in ("first sweep", "second sweep")
    )
    return (
        f"inserted {insert['rows']:,} in {insert['seconds']:.1f} s; {reads}; "
        f"hand SQL p50 {result['reference']['p50']:.2f} ms; {sweeps}; "
        f"the advocate's queue holds {result['queue_size']:,} open cases"
    )


# --- the worker: one database, one process -----------------------------------------------------


def worker(rows: int, repetitions: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    now = datetime.now(UTC)
    insert = populate(rows, now)
    results: dict[str, Any] = {"insert": insert, **time_queue(repetitions)}
    results["first sweep"] = timed_sweep(now)
    results["second sweep"] = timed_sweep(now + timedelta(seconds=1))
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def populate(rows: int, now: datetime) -> dict[str, Any]:
    from django.db import connection, transaction

    from advocacy.casework.cases import services

    for priority in PRIORITIES:
        services.cadence_policy(priority)
    services.case_settings()
    owners = create_advocates()
    started = time.perf_counter()
    with transaction.atomic():
        accounts = insert_accounts(max(10, rows // 50))
        customers = insert_customers(max(10, rows // 5), accounts)
        insert_cases(rows, now, customers, owners)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": rows / seconds}


def create_advocates() -> list[int]:
    from advocacy.core.roles import Role
    from advocacy.core.staff.services import user_create

    return [
        user_create(
            username=f"advocate{n}",
            email=f"advocate{n}@bench.example",
            role=Role.CUSTOMER_ADVOCATE,
            password=None,
            first_name="Advocate",
            last_name=str(n),
        ).pk
        for n in range(ADVOCATES)
    ]


CASE_COLUMNS = (
    "customer_id, subject, description, category, priority, source, status, owner_id, needs, created_at, "
    "first_response_at, last_update_at, first_response_due, next_update_due, resolution_due, next_due, "
    "paused_at, paused_remaining, warned_for, recurrence_reason, origin"
)


def insert_cases(rows: int, now: datetime, customers: list[int], owners: list[int]) -> None:
    bulk_insert("casework_case", CASE_COLUMNS, case_records(rows, now, customers, owners))


def case_records(rows: int, now: datetime, customers: list[int], owners: list[int]) -> Iterator[tuple[Any, ...]]:
    """Seeded random open cases with the deadlines services would have set (see the module docstring)."""
    rng = random.Random(5)
    statuses = rng.choices(list(STATUSES), weights=list(STATUSES.values()), k=rows)
    priorities = rng.choices(list(PRIORITIES), weights=list(PRIORITIES.values()), k=rows)
    for n in range(rows):
        status = statuses[n]
        created = now - timedelta(minutes=rng.randrange(30, 30 * 24 * 60))
        deadlines = draw_deadlines(rng, status, now)
        paused = status == "waiting_customer"
        yield (
            customers[rng.randrange(len(customers))],
            f"Case {n}",
            "",
            CATEGORIES[n % len(CATEGORIES)],
            priorities[n],
            "email",
            status,
            owners[rng.randrange(len(owners))],
            "[]",
            created,
            None if status == "new" else created + timedelta(hours=1),
            None if status == "new" else created + timedelta(hours=1),
            *deadlines,
            created if paused else None,
            json.dumps({"update": 480.0, "resolution": 2400.0}) if paused else "{}",
            None,
            "",
            "",
        )


def draw_deadlines(rng: random.Random, status: str, now: datetime) -> tuple[datetime | None, ...]:
    """(first response due, next update due, resolution due, next due); none while paused."""
    if status == "waiting_customer":
        return (None, None, None, None)
    draw = rng.random()
    if draw < MISSED_SHARE:
        due = now - timedelta(minutes=rng.randrange(1, 3 * 24 * 60))
    elif draw < MISSED_SHARE + WARNING_SHARE:
        due = now + timedelta(seconds=rng.randrange(60, 15 * 60))
    else:
        due = now + timedelta(minutes=rng.randrange(16, 10 * 24 * 60))
    resolution = due + timedelta(hours=rng.randrange(1, 240))
    if status == "new":
        return (due, None, resolution, due)
    return (None, due, resolution, due)


def time_queue(repetitions: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from advocacy.casework.cases import queries
    from advocacy.core.models import User

    advocate = User.objects.get(username="advocate0")
    client = Client()
    client.force_login(advocate)
    url = reverse("casework:queue")

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def query() -> list[Any]:
        return list(queries.queue(owner=advocate)[:50])

    def reference() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, [advocate.pk])
            return cursor.fetchall()

    check_same_rows(query(), reference())
    reads: dict[str, Callable[[], Any]] = {"queue page": page, "queue query": query, "reference": reference}
    results: dict[str, Any] = {name: timed(read, repetitions) for name, read in reads.items()}
    results["queue_size"] = queries.queue(owner=advocate).count()
    return results


def check_same_rows(cases: list[Any], rows: list[tuple[Any, ...]]) -> None:
    """The queue and the reference must agree on what comes first, or the comparison means nothing
    (the reference leaves out paused cases, which the queue lists last)."""
    if [c.pk for c in cases if c.next_due is not None] != [row[0] for row in rows]:
        raise SystemExit("the queue and the hand-written SQL disagree on the 50 earliest-due cases")


def timed_sweep(now: datetime) -> dict[str, Any]:
    from advocacy.casework.cases import services

    started = time.perf_counter()
    result = services.cadence_sweep(now=now)
    ms = 1000 * (time.perf_counter() - started)
    return {"ms": ms, "warned": result.warned, "breached": result.breached, "escalated": result.escalated}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P5 casework benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows or DEFAULT_ROWS, args.repetitions)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p5", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
