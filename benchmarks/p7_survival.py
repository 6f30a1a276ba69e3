"""P7 (retention): Kaplan–Meier and the log-rank test over 1,000,000 customers.

Two parts, each against a reference computed in the same run:

1. In memory, always at 1,000,000 customers: ``kaplan_meier`` and ``log_rank`` (insights/retention/
   survival.py, vectorised numpy) on seeded durations, against a hand-written pure-Python Kaplan–Meier
   (one pass over the sorted customers, counting churns and exits per day) over the same data. The
   largest difference between the two curves is reported: it must be rounding only.
2. From the database, at ``--rows`` customers (default 100,000; ``ADVOCACY_P7_CUSTOMERS=1000000`` for
   the full size): the retention page's read ``retention_comparison`` by region (one SQL statement for
   every customer's start, churn and region, then Kaplan–Meier per region and the log-rank test), in a
   worker process per database as in P4, against the hand-written SQL that fetches the same three
   columns (``SELECT customer_since, churned_on, region FROM customers_customer LEFT JOIN …``), the
   least any implementation must read. p50 and p95 of 5 runs after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import Report
from benchmarks.workers import on_each_database, worker_result

MEMORY_CUSTOMERS = 1_000_000
DEFAULT_CUSTOMERS = int(os.environ.get("ADVOCACY_P7_CUSTOMERS", "100000"))
REPETITIONS = 5
WORKLOAD = "P7 Kaplan–Meier"
RESULT_PREFIX = "P7-RESULT "
AS_OF = date(2026, 6, 30)
REGIONS = ("EMEA", "AMER", "APAC", "LATAM", "ANZ")
YEARLY_CHURN = (0.08, 0.10, 0.16, 0.12, 0.09)  # by region: the log-rank test has something to find
REFERENCE_SQL = (
    "SELECT c.customer_since, c.churned_on, a.region FROM customers_customer c "
    "LEFT JOIN customers_account a ON a.id = c.account_id "
    "WHERE c.customer_since IS NOT NULL AND c.customer_since <= %s"
)


# --- part 1: in memory --------------------------------------------------------------------------


def simulated(n: int, seed: int = 9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days observed, churned or not, and a region per customer: starts over six years, exponential churn."""
    rng = np.random.default_rng(seed)
    region = rng.integers(0, len(REGIONS), n)
    observed = rng.integers(1, 6 * 365, n)
    daily = -np.log1p(-np.asarray(YEARLY_CHURN)[region]) / 365
    churn_after = np.ceil(rng.exponential(1 / daily)).astype(np.int64)
    events = (churn_after <= observed).astype(np.int64)
    return np.minimum(churn_after, observed).astype(np.float64), events, region


def python_kaplan_meier(durations: list[float], events: list[int]) -> dict[float, float]:
    """The reference: Kaplan–Meier by hand, one pass over customers sorted by day."""
    churns: dict[float, int] = {}
    exits: dict[float, int] = {}
    for t, e in zip(durations, events, strict=True):
        exits[t] = exits.get(t, 0) + 1
        churns[t] = churns.get(t, 0) + e
    at_risk, survival, curve = len(durations), 1.0, {}
    for t in sorted(exits):
        if churns[t]:
            survival *= 1 - churns[t] / at_risk
        curve[t] = survival
        at_risk -= exits[t]
    return curve


def in_memory(report: Report) -> None:
    from advocacy.insights.retention.survival import kaplan_meier, log_rank

    durations, events, region = simulated(MEMORY_CUSTOMERS)
    workload = f"{WORKLOAD}, {MEMORY_CUSTOMERS:,} customers in memory"
    started = time.perf_counter()
    curve = kaplan_meier(durations, events)
    km_ms = 1000 * (time.perf_counter() - started)
    started = time.perf_counter()
    test = log_rank(durations, events, region)
    rank_ms = 1000 * (time.perf_counter() - started)
    as_lists = durations.tolist(), events.tolist()
    started = time.perf_counter()
    reference = python_kaplan_meier(*as_lists)
    reference_ms = 1000 * (time.perf_counter() - started)
    expected = np.array([reference[t] for t in curve.times[1:].tolist()])
    difference = float(np.max(np.abs(curve.survival[1:] - expected)))
    report.add(workload, "kaplan_meier (numpy)", km_ms, "ms", reference=reference_ms, reference_label="pure Python")
    report.add(
        workload, "log_rank, 5 regions (numpy)", rank_ms, "ms", reference=reference_ms, reference_label="pure Python KM"
    )
    report.add(workload, "pure-Python Kaplan–Meier (reference)", reference_ms, "ms")
    report.add(
        workload,
        "largest |S numpy − S reference|",
        difference,
        "",
        note=f"exactly {difference:.1e}; χ² = {test.chi_square:,.0f}",
    )


# --- part 2: from the database ------------------------------------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    in_memory(report)
    customers = rows or DEFAULT_CUSTOMERS
    results = on_each_database(
        report, WORKLOAD, "p7", lambda folder, url, name: run_worker(report, folder, url, name, customers)
    )
    for name, result in results.items():
        if result is not None:
            record(report, customers, name, result)


def run_worker(report: Report, folder: Path, database_url: str, name: str, customers: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {customers:,} customers on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p7_survival",
        args=["--rows", str(customers)],
        database_url=database_url,
        var_dir=folder / f"var-{name.lower()}",
        prefix=RESULT_PREFIX,
        summary=lambda r: (
            f"read p50 {r['retention by region']['p50']:.0f} ms; hand SQL p50 {r['reference']['p50']:.0f} ms"
        ),
    )


def record(report: Report, customers: int, name: str, result: dict[str, Any]) -> None:
    workload = f"{WORKLOAD}, {customers:,} customers"
    report.add(workload, f"{name} insert", result["insert_seconds"], "s")
    reference = result["reference"]["p50"]
    for quantile in ("p50", "p95"):
        report.add(
            workload,
            f"{name} retention by region {quantile}",
            result["retention by region"][quantile],
            "ms",
            reference=reference,
            reference_label="hand SQL p50",
        )
    report.add(
        workload, f"{name} hand-written SQL fetch p50", reference, "ms", note=f"log-rank p = {result['p_value']:.2g}"
    )


def worker(customers: int, repetitions: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    populate(customers)
    insert_seconds = time.perf_counter() - started
    results: dict[str, Any] = {"insert_seconds": round(insert_seconds, 1), **time_reads(repetitions)}
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def populate(customers: int) -> None:
    from django.db import connection, transaction

    from benchmarks.p4_nps_dashboard import bulk_insert

    with transaction.atomic():
        bulk_insert(
            "customers_account",
            "name, kind, industry, region, size, created_at, updated_at",
            accounts(customers // 100 + 5),
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, region FROM customers_account ORDER BY id")
            account_rows = cursor.fetchall()
        columns = (
            "email, first_name, last_name, phone, time_zone, locale, account_id, status, customer_since, "
            "churned_on, created_at, updated_at"
        )
        bulk_insert("customers_customer", columns, customer_rows(customers, account_rows))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def accounts(count: int) -> Iterator[tuple[Any, ...]]:
    now = datetime.now(UTC)
    for n in range(count):
        yield (f"Account {n}", "business", "Software", REGIONS[n % len(REGIONS)], "mid", now, now)


def customer_rows(customers: int, account_rows: list[tuple[int, str]]) -> Iterator[tuple[Any, ...]]:
    durations, _, _ = simulated(customers, seed=3)
    now = datetime.now(UTC)
    rng = np.random.default_rng(5)
    pick = rng.integers(0, len(account_rows), customers)
    for n in range(customers):
        account_id, region = account_rows[int(pick[n])]
        # Churn depends on the account's region, as in part 1; start so that the observed span ends today.
        daily = -np.log1p(-YEARLY_CHURN[REGIONS.index(region)]) / 365
        span = int(durations[n])
        churn_after = int(np.ceil(rng.exponential(1 / daily)))
        since = AS_OF - timedelta(days=span)
        churned = since + timedelta(days=churn_after) if churn_after <= span else None
        status = "churned" if churned else "active"
        yield (
            f"c{n}@bench.example",
            "First",
            f"Last{n}",
            "",
            "UTC",
            "en",
            account_id,
            status,
            since,
            churned,
            now,
            now,
        )


def time_reads(repetitions: int) -> dict[str, Any]:
    from django.db import connection

    from advocacy.insights.groups import grouping
    from advocacy.insights.retention.queries import retention_comparison
    from benchmarks.p4_nps_dashboard import timed

    def reference() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, [AS_OF])
            return cursor.fetchall()

    by_region = grouping("region")
    results: dict[str, Any] = {
        "retention by region": timed(lambda: retention_comparison(by_region, AS_OF), repetitions),
        "reference": timed(reference, repetitions),
    }
    result = retention_comparison(by_region, AS_OF)
    results["p_value"] = result.test.p_value if result.test else None
    results["n"] = result.n
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P7 Kaplan–Meier benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows or DEFAULT_CUSTOMERS, args.repetitions)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p7_survival", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
