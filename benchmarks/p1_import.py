"""P1: import 1,000,000 customers and 1,000,000 orders from CSV, on SQLite and on PostgreSQL.

The files are written once into a temporary folder. Each database is imported into by a worker
process of its own (``python -m benchmarks.p1_import --worker``), because Django settings are
global to a process: the worker migrates a fresh database, runs the project's import service on
products, customers and orders, and prints one JSON line of timings.

The reference is PostgreSQL's ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy``) of the same rows
into the same tables, timed in the same PostgreSQL worker after truncating them: the fastest way
rows can go from Python into those tables. The ratio is import rows/s divided by COPY rows/s.

Scaling: when the run is larger than ``SMALL_ROWS``, the same import is also timed on
``SMALL_ROWS`` rows first, and the large run's rows/s is set against the small run's: the per-row
cost must not grow with the size of the tables (issue 13 asks for the same rows/s ± 20 %).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.report import Report, at_least
from benchmarks.workers import PG_PORT, on_postgres, worker_result

DEFAULT_ROWS = 1_000_000
SMALL_ROWS = 20_000  # the size the full run's rows/s is compared to
WORKLOAD = "P1 import"
ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "P1-RESULT "

PRODUCTS = (
    ("BCN-STARTER", "Beacon Starter", "", "Plans", "348.00", "USD", "72", "reporting;mobile"),
    ("BCN-TEAM", "Beacon Team", "", "Plans", "948.00", "USD", "78", "reporting;mobile;api"),
    ("BCN-ENTERPRISE", "Beacon Enterprise", "", "Plans", "2388.00", "USD", "81", "sso;analytics"),
    ("BCN-ANALYTICS", "Beacon Analytics", "", "Add-ons", "240.00", "USD", "85", "analytics"),
    (
        "BCN-PREMIER",
        "Beacon Premier Support",
        "",
        "Services",
        "420.00",
        "USD",
        "55",
        "support_24x7",
    ),
    ("NW-SIGNAL", "Northwind Signal", "Northwind", "Plans", "720.00", "USD", "", "reporting"),
)
FIRST_NAMES = (
    "Ava",
    "Chinedu",
    "Hannah",
    "Haruto",
    "Lucía",
    "Priya",
    "Omar",
    "Mei",
    "João",
    "Liam",
)
LAST_NAMES = ("Okafor", "Müller", "Sato", "García", "Sharma", "Haddad", "Tan", "Silva", "Smith")
ZONES = (
    ("America/New_York", "en-US"),
    ("Europe/Berlin", "de-DE"),
    ("Asia/Tokyo", "ja-JP"),
    ("America/Sao_Paulo", "pt-BR"),
    ("Europe/London", "en-GB"),
)
ORDER_KINDS = ("new", "renewal", "upsell", "cross_sell")


# --- the parent: write the files, run one worker per database, report --------------------------


def run(report: Report, rows: int | None = None) -> None:
    rows = rows or DEFAULT_ROWS
    small = import_both(report, SMALL_ROWS) if rows > SMALL_ROWS else None
    sqlite, postgres = import_both(report, rows)
    record(report, rows, sqlite, postgres)
    if small is not None:
        record(report, SMALL_ROWS, *small)
        record_scaling(report, rows, small, (sqlite, postgres))


Results = tuple[dict[str, Any] | None, dict[str, Any] | None]


def import_both(report: Report, rows: int) -> Results:
    """Write ``rows`` customers and orders, import them on SQLite and on PostgreSQL: (sqlite, postgres)."""
    with tempfile.TemporaryDirectory(prefix="advocacy-p1-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        write_files(folder, rows)
        report.say(
            f"{WORKLOAD}: wrote {rows:,} customers and {rows:,} orders as CSV "
            f"in {time.perf_counter() - started:.0f} s under {folder}"
        )
        sqlite = run_worker(report, folder, f"sqlite:///{folder / 'p1.sqlite3'}", "sqlite", copy=False)
        postgres = on_postgres(report, WORKLOAD, lambda url: run_worker(report, folder, url, "postgres", copy=True))
    return sqlite, postgres


def record_scaling(report: Report, rows: int, small: Results, large: Results) -> None:
    """The large run's rows/s against the small run's, per database: 1.0 means the per-row cost held."""
    for name, at_small, at_large in zip(("SQLite", "PostgreSQL"), small, large, strict=True):
        report.add(
            f"{WORKLOAD}, scaling",
            f"{name} import, all, at {rows:,} rows",
            rate(at_large, "all"),
            "rows/s",
            reference=rate(at_small, "all"),
            reference_label=f"at {SMALL_ROWS:,} rows",
            # issue 13: the same rows/s at 20,000 and at 1,000,000 rows, ± 20 %
            goal=at_least(0.8),
        )


def record(report: Report, rows: int, sqlite: dict[str, Any] | None, postgres: dict[str, Any] | None) -> None:
    workload = f"{WORKLOAD}, {rows:,} rows"
    copy = postgres.get("copy") if postgres else None
    for kind in ("customers", "orders", "all"):
        reference = rate(copy, kind)
        for name, result in (("SQLite", sqlite), ("PostgreSQL", postgres)):
            if result is not None:
                report.add(
                    workload,
                    f"{name} import, {kind}",
                    rate(result, kind),
                    "rows/s",
                    reference=reference,
                    reference_label="COPY",
                    # issue 13 asks ≥ 0.25 of COPY on PostgreSQL; SQLite has no COPY to hold it to
                    goal=at_least(0.25) if name == "PostgreSQL" else None,
                )
        if reference is not None:
            report.add(workload, f"PostgreSQL COPY, {kind}", reference, "rows/s")


def rate(result: dict[str, Any] | None, kind: str) -> float | None:
    """Rows per second for one kind, or for customers and orders together ("all")."""
    if not result:
        return None
    kinds = ("customers", "orders") if kind == "all" else (kind,)
    if any(k not in result for k in kinds):
        return None
    rows = sum(result[k]["rows"] for k in kinds)
    seconds = sum(result[k]["seconds"] for k in kinds)
    return rows / seconds if seconds else None


def run_worker(report: Report, folder: Path, database_url: str, name: str, *, copy: bool) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: importing on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p1_import",
        args=[str(folder), *(["--copy"] if copy else [])],
        database_url=database_url,
        var_dir=folder / f"var-{name}",
        prefix=RESULT_PREFIX,
        summary=summary,
        extra_env={"IMPORT_MAX_BYTES": str(100 * 1024**3)},  # the files are far above the upload limit
    )


def summary(result: dict[str, Any]) -> str:
    parts = [
        f"{kind} {r['rows']:,} rows in {r['seconds']:.1f} s ({r.get('errors', 0)} errors)"
        for kind, r in result.items()
        if isinstance(r, dict) and "rows" in r
    ]
    if "copy" in result:
        parts.append(
            "COPY " + ", ".join(f"{k} {r['rows']:,} in {r['seconds']:.1f} s" for k, r in result["copy"].items())
        )
    return "; ".join(parts)


# --- the files ---------------------------------------------------------------------------------


def write_files(folder: Path, rows: int) -> None:
    rng = random.Random(1)
    write_csv(
        folder / "products.csv",
        [
            "external_id",
            "name",
            "competitor",
            "category",
            "price",
            "currency",
            "margin_pct",
            "capability_tags",
        ],
        PRODUCTS,
    )
    write_csv(
        folder / "customers.csv",
        ["external_id", "email", "first_name", "last_name", "phone", "time_zone", "locale"],
        (customer_record(rng, n) for n in range(rows)),
    )
    write_csv(
        folder / "orders.csv",
        ["external_id", "customer", "product", "amount", "currency", "kind", "date"],
        (order_record(rng, n, rows) for n in range(rows)),
    )


def write_csv(path: Path, header: list[str], records: Any) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)


def customer_record(rng: random.Random, n: int) -> tuple[str, ...]:
    zone, locale = ZONES[n % len(ZONES)]
    return (
        f"C{n:07d}",
        f"customer{n}@bench.example",
        rng.choice(FIRST_NAMES),
        rng.choice(LAST_NAMES),
        f"+1 555 {n % 10_000_000:07d}",
        zone,
        locale,
    )


def order_record(rng: random.Random, n: int, customers: int) -> tuple[str, ...]:
    who = rng.randrange(customers)
    # Half the orders name their customer by external id, half by email, as CRM exports do.
    customer = f"C{who:07d}" if n % 2 == 0 else f"customer{who}@bench.example"
    product = PRODUCTS[n % len(PRODUCTS)][0]
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    return (
        f"O{n:07d}",
        customer,
        product,
        f"{rng.randint(50, 50_000)}.{rng.randint(0, 99):02d}",
        ("USD", "EUR", "GBP")[n % 3],
        ORDER_KINDS[n % 4],
        day.isoformat(),
    )


# --- the worker: one database, one process -----------------------------------------------------


def worker(folder: Path, copy: bool) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    results: dict[str, Any] = {}
    for kind in ("products", "customers", "orders"):
        results[kind] = timed_import(kind, folder / f"{kind}.csv")
    if copy:
        results["copy"] = copy_reference(folder)
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def timed_import(kind: str, path: Path) -> dict[str, Any]:
    from advocacy.customers.importing.services import import_file

    started = time.perf_counter()
    outcome = import_file(kind=kind, source=path, file_name=path.name)
    seconds = time.perf_counter() - started
    errors = outcome.errors if isinstance(outcome.errors, int) else len(outcome.errors)
    return {
        "rows": outcome.rows_read,
        "created": outcome.created,
        "updated": outcome.updated,
        "errors": errors,
        "seconds": round(seconds, 4),
    }


def copy_reference(folder: Path) -> dict[str, Any]:
    """COPY the same customers and orders into the same (emptied) tables, timed."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {
        "host": db["HOST"],
        "port": db["PORT"] or PG_PORT,
        "user": db["USER"],
        "dbname": db["NAME"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(**params) as conn, conn.cursor() as cur:  # type: ignore[arg-type]
        cur.execute("TRUNCATE customers_order, customers_customer RESTART IDENTITY CASCADE")
        conn.commit()
        customers = copy_customers(cur, folder / "customers.csv")
        conn.commit()
        orders = copy_orders(cur, folder / "orders.csv")
        conn.commit()
    return {"customers": customers, "orders": orders}


def copy_customers(cur: Any, path: Path) -> dict[str, Any]:
    started, now, rows = time.perf_counter(), datetime.now(UTC), 0
    sql = (
        "COPY customers_customer (external_id, email, first_name, last_name, phone, time_zone, "
        "locale, status, created_at, updated_at) FROM STDIN"
    )
    with cur.copy(sql) as copy, path.open(newline="", encoding="utf-8") as handle:
        for record in skip_header(csv.reader(handle)):
            copy.write_row((*record, "active", now, now))
            rows += 1
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 4)}


def copy_orders(cur: Any, path: Path) -> dict[str, Any]:
    """Orders need customer and product ids; looking them up is part of the timed work."""
    started, now, rows = time.perf_counter(), datetime.now(UTC), 0
    cur.execute("SELECT external_id, email, id FROM customers_customer")
    customer_ids: dict[str, int] = {}
    for external_id, email, pk in cur.fetchall():
        customer_ids[external_id] = customer_ids[email] = pk
    cur.execute("SELECT external_id, id FROM customers_product")
    product_ids = dict(cur.fetchall())
    sql = (
        "COPY customers_order (external_id, customer_id, product_id, amount, currency, kind, "
        "ordered_on, created_at) FROM STDIN"
    )
    with cur.copy(sql) as copy, path.open(newline="", encoding="utf-8") as handle:
        for external_id, customer, product, amount, currency, kind, day in skip_header(csv.reader(handle)):
            copy.write_row(
                (
                    external_id,
                    customer_ids[customer],
                    product_ids[product],
                    amount,
                    currency,
                    kind,
                    day,
                    now,
                )
            )
            rows += 1
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 4)}


def skip_header(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    next(reader, None)
    return reader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P1 import benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--copy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.copy)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p1", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
