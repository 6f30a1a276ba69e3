"""P4: the NPS dashboard's metric queries over 5,000,000 responses, on SQLite and on PostgreSQL.

Each database gets a worker process of its own (``python -m benchmarks.p4_nps_dashboard --worker``),
as in P1, because Django settings are global to a process. The worker migrates a fresh database,
writes accounts, customers, one NPS survey with twelve waves and the responses as fast as rows can
go in (SQLite: ``executemany`` of plain INSERTs in one transaction; PostgreSQL: ``COPY … FROM
STDIN``), runs ``ANALYZE``, then times each dashboard read from ``advocacy.feedback.dashboard.queries``
(``nps_summary``, ``trend`` by month, ``score_distribution``, ``segments`` by region) over
repeated runs after one warm-up, and reports p50 and p95 in milliseconds.

The reference is one hand-written aggregate over the same table in the same run —
``SELECT count(*), SUM(CASE WHEN score >= 9 …), SUM(CASE WHEN score <= 6 …) FROM feedback_response
WHERE survey_id = …`` — the least a database must do to count an NPS; the ratio is p50 ÷ its p50.
The goal (issue 13) is every read at most 0.2× that, and exact.

The reads add up the roll-ups (feedback/rollups.py), which the database triggers fill while the rows
go in, so the insert rate includes their cost. The worker also checks that every read equals the same
read counted from the answers (``counted_from_answers()``), times those answer-counting reads (the
dashboard before the roll-ups, fewer runs), and times a full rebuild of the roll-ups (what the data
migration and ``advocacy rollups_rebuild`` do to an existing database).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.report import Report, at_most
from benchmarks.workers import on_each_database, worker_result

DEFAULT_ROWS = 5_000_000
REPETITIONS = 20
RAW_REPETITIONS = 3
GOAL = 0.2
WORKLOAD = "P4 NPS dashboard"
ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "P4-RESULT "
CHUNK = 100_000
START = datetime(2023, 7, 1, tzinfo=UTC)
DAYS = 730
REGIONS = ("EMEA", "AMER", "APAC", "LATAM", "ANZ")
INDUSTRIES = ("Software", "Retail", "Finance", "Health", "Logistics", "Education")
SIZES = ("small", "mid", "enterprise", "consumer")
# Score probabilities 0–10: a company with an NPS near 20, a little lower in APAC.
SCORE_P = (0.02, 0.01, 0.02, 0.03, 0.03, 0.06, 0.08, 0.12, 0.18, 0.20, 0.25)
MEASURES = ("nps_summary", "trend by month", "score_distribution", "segments by region")
REFERENCE_SQL = (
    "SELECT count(*), SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END), SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END) "
    "FROM feedback_response WHERE survey_id = %s"
)


# --- the parent ----------------------------------------------------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    rows = rows or DEFAULT_ROWS
    results = on_each_database(
        report, WORKLOAD, "p4", lambda folder, url, name: run_worker(report, folder, url, name, rows)
    )
    for name, result in results.items():
        if result is not None:
            record(report, rows, name, result)


def record(report: Report, rows: int, name: str, result: dict[str, Any]) -> None:
    workload = f"{WORKLOAD}, {rows:,} responses"
    reference = result["reference"]["p50"]
    report.add(workload, f"{name} insert", result["insert"]["rows_per_s"], "rows/s")
    for measure in MEASURES:
        timing = result[measure]
        exact = "exact" if result["exact"][measure] else "NOT EXACT"
        for quantile in ("p50", "p95"):
            report.add(
                workload,
                f"{name} {measure} {quantile}",
                timing[quantile],
                "ms",
                reference=reference,
                reference_label="hand SQL p50",
                note=exact if quantile == "p50" else "",
                goal=at_most(GOAL, exact=result["exact"][measure]) if quantile == "p50" else None,
            )
        report.add(
            workload,
            f"{name} {measure} counted from the answers p50",
            result[f"{measure} (answers)"]["p50"],
            "ms",
            reference=reference,
            reference_label="hand SQL p50",
        )
    report.add(workload, f"{name} hand-written SQL aggregate p50", reference, "ms")
    report.add(workload, f"{name} roll-up rebuild", result["rebuild"]["seconds"], "s")
    writes = result["writes"]
    report.add(workload, f"{name} bulk insert with roll-up triggers", writes["bulk rows_per_s with triggers"], "rows/s")
    for label, ms in writes["single answer ms"].items():
        report.add(workload, f"{name} one answer INSERT {label}, p50", ms, "ms")
    report.add(workload, f"{name} reads exact after the writes", 1.0 if result["exact after writes"] else 0.0, "")


def run_worker(report: Report, folder: Path, database_url: str, name: str, rows: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {rows:,} responses on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p4_nps_dashboard",
        args=["--rows", str(rows)],
        database_url=database_url,
        var_dir=folder / f"var-{name.lower()}",
        prefix=RESULT_PREFIX,
        summary=summary,
    )


def summary(result: dict[str, Any]) -> str:
    insert = result["insert"]
    timings = ", ".join(f"{m} p50 {result[m]['p50']:.1f} ms / p95 {result[m]['p95']:.1f} ms" for m in MEASURES)
    exact = "every read exact" if all(result["exact"].values()) else f"NOT EXACT: {result['exact']}"
    return (
        f"inserted {insert['rows']:,} in {insert['seconds']:.1f} s; {timings}; "
        f"hand SQL p50 {result['reference']['p50']:.1f} ms; NPS {result['nps']:.1f} (n = {result['n']:,}); "
        f"{exact}; roll-up rebuild {result['rebuild']['seconds']:.1f} s ({result['rebuild']['rows']:,} rows); "
        f"writes {result['writes']}; exact after the writes: {result['exact after writes']}"
    )


# --- the worker: one database, one process -----------------------------------------------------


def worker(rows: int, repetitions: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    survey_id, insert, rebuild = populate(rows)
    results: dict[str, Any] = {"insert": insert, "rebuild": rebuild, **time_metrics(survey_id, repetitions)}
    results["writes"] = time_writes(survey_id)
    results["exact after writes"] = exact_now(survey_id)
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def populate(rows: int) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """The fixture goes in as fast as rows can, without the roll-up triggers; the roll-ups are then
    counted as the data migration counts an existing database (timed: the rebuild)."""
    from django.db import connection, transaction

    from advocacy.feedback.models import Survey, Wave

    survey = Survey.objects.create(
        name="Relationship NPS",
        kind="nps",
        question="How likely are you to recommend Beacon?",
        follow_up_question="Why?",
        email_subject="A question",
        email_text="text",
        email_html="<p>html</p>",
    )
    waves = [
        Wave.objects.create(
            survey=survey,
            number=n + 1,
            opened_at=START + timedelta(days=61 * n),
            closes_at=START + timedelta(days=61 * n + 60),
        ).pk
        for n in range(12)
    ]
    from advocacy.feedback.rollups import rollups_uninstall

    rollups_uninstall()
    started = time.perf_counter()
    with transaction.atomic():
        account_ids = insert_accounts(max(10, rows // 500))
        customer_ids = insert_customers(max(10, rows // 25), account_ids)
        insert_responses(rows, survey.pk, customer_ids, waves)
    seconds = time.perf_counter() - started
    rebuild = time_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return survey.pk, {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": rows / seconds}, rebuild


def insert_accounts(count: int) -> list[int]:
    from advocacy.customers.models import Account

    accounts = Account.objects.bulk_create(
        Account(
            name=f"Account {n}",
            region=REGIONS[n % len(REGIONS)],
            industry=INDUSTRIES[n % len(INDUSTRIES)],
            size=SIZES[n % len(SIZES)],
            kind="household" if n % len(SIZES) == 3 else "business",
        )
        for n in range(count)
    )
    return [a.pk for a in accounts]


def insert_customers(count: int, account_ids: list[int]) -> list[int]:
    from django.db import connection

    now = datetime.now(UTC)
    columns = (
        "email, first_name, last_name, phone, time_zone, locale, account_id, status, customer_since, "
        "created_at, updated_at"
    )
    records = (
        (
            f"c{n}@bench.example",
            "First",
            f"Last{n}",
            "",
            "UTC",
            ("en", "de", "ja", "pt", "fr")[n % 5],
            account_ids[n % len(account_ids)],
            "active",
            (START - timedelta(days=n % 3000)).date(),
            now,
            now,
        )
        for n in range(count)
    )
    bulk_insert("customers_customer", columns, records)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM customers_customer ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def insert_responses(rows: int, survey_id: int, customer_ids: list[int], wave_ids: list[int]) -> None:
    columns = "survey_id, kind, wave_id, customer_id, channel, score, comment, answered_at, updated_at, duplicate"
    bulk_insert("feedback_response", columns, response_records(rows, survey_id, customer_ids, wave_ids))


def response_records(
    rows: int, survey_id: int, customer_ids: list[int], wave_ids: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Seeded random responses, drawn chunk by chunk with numpy so memory stays flat."""
    import numpy as np

    rng = np.random.default_rng(4)
    customers = np.asarray(customer_ids)
    for offset in range(0, rows, CHUNK):
        size = min(CHUNK, rows - offset)
        scores = rng.choice(11, size=size, p=SCORE_P)
        who = customers[rng.integers(0, len(customers), size=size)]
        seconds = rng.integers(0, DAYS * 86_400, size=size)
        for score, customer, second in zip(scores.tolist(), who.tolist(), seconds.tolist(), strict=True):
            moment = START + timedelta(seconds=second)
            wave = wave_ids[min(second // (61 * 86_400), len(wave_ids) - 1)]
            yield (survey_id, "nps", wave, customer, "email", score, "", moment, moment, False)


def bulk_insert(table: str, columns: str, records: Iterator[tuple[Any, ...]]) -> None:
    """SQLite: executemany of one INSERT, in chunks; PostgreSQL: COPY FROM STDIN. Inside the caller's transaction."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
            return
        placeholders = ", ".join("?" for _ in columns.split(","))
        raw = cursor.cursor  # Django's wrapper rewrites %s per call; the sqlite3 cursor takes ? directly
        statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        chunk: list[tuple[Any, ...]] = []
        for record in records:
            chunk.append(tuple(sqlite_value(v) for v in record))
            if len(chunk) == CHUNK:
                raw.executemany(statement, chunk)
                chunk = []
        if chunk:
            raw.executemany(statement, chunk)


def sqlite_value(value: Any) -> Any:
    """Datetimes as Django stores them in SQLite: naive UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def time_metrics(survey_id: int, repetitions: int) -> dict[str, Any]:
    from django.db import connection

    from advocacy.feedback.dashboard import queries as metrics
    from advocacy.feedback.models import Survey

    survey = Survey.objects.get(pk=survey_id)

    def reference() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(REFERENCE_SQL, [survey_id])
            return cursor.fetchone()

    reads: dict[str, Callable[[], Any]] = {
        "nps_summary": lambda: metrics.nps_summary(survey),
        "trend by month": lambda: metrics.trend(survey, "month"),
        "score_distribution": lambda: metrics.score_distribution(survey),
        "segments by region": lambda: metrics.segments(survey, "account__region"),
        "reference": reference,
    }
    results: dict[str, Any] = {name: timed(read, repetitions) for name, read in reads.items()}
    results["exact"] = {}
    for measure in MEASURES:
        from_rollups = reads[measure]()
        with metrics.counted_from_answers():
            results[f"{measure} (answers)"] = timed(reads[measure], RAW_REPETITIONS)
            results["exact"][measure] = reads[measure]() == from_rollups
    headline = metrics.nps_summary(survey)
    results["nps"], results["n"] = headline.value, headline.n
    return results


def time_rebuild() -> dict[str, Any]:
    """A full recount of the roll-ups from the answers, as the data migration does on an existing database."""
    from advocacy.feedback.rollups import rollups_install

    started = time.perf_counter()
    rows = rollups_install()
    return {"seconds": round(time.perf_counter() - started, 2), "rows": rows}


TRIGGERED_ROWS = 20_000
SINGLE_ANSWERS = 300


def time_writes(survey_id: int) -> dict[str, Any]:
    """What the triggers cost a writer: a bulk load and single answers (one INSERT, one commit each),
    with the roll-up triggers and, for the single answers, without them, in the same run."""
    from django.db import transaction

    from advocacy.customers.models import Customer
    from advocacy.feedback.models import Wave
    from advocacy.feedback.rollups import rollups_install, rollups_uninstall

    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    waves = list(Wave.objects.filter(survey_id=survey_id).order_by("number").values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        insert_responses(TRIGGERED_ROWS, survey_id, customers, waves)
    bulk = TRIGGERED_ROWS / (time.perf_counter() - started)
    single = {"with triggers": one_by_one(survey_id, customers, waves)}
    rollups_uninstall()
    single["without triggers"] = one_by_one(survey_id, customers, waves)
    rollups_install()  # recounts, the answers written without triggers included
    return {"bulk rows_per_s with triggers": bulk, "single answer ms": single}


def one_by_one(survey_id: int, customers: list[int], waves: list[int]) -> float:
    """Median milliseconds of one answer written alone (autocommit), as a click writes it."""
    from django.db import connection

    samples = []
    records = list(response_records(SINGLE_ANSWERS, survey_id, customers, waves))
    if connection.vendor == "sqlite":
        records = [tuple(sqlite_value(v) for v in record) for record in records]
    columns = "survey_id, kind, wave_id, customer_id, channel, score, comment, answered_at, updated_at, duplicate"
    statement = f"INSERT INTO feedback_response ({columns}) VALUES ({', '.join(['%s'] * 10)})"
    with connection.cursor() as cursor:
        for record in records:
            started = time.perf_counter()
            cursor.execute(statement, record)
            samples.append(1000 * (time.perf_counter() - started))
    return statistics.median(samples)


def exact_now(survey_id: int) -> bool:
    """Whether every read still equals the same read counted from the answers, after the timed writes."""
    from advocacy.feedback.dashboard import queries as metrics

    reads = [
        lambda: metrics.nps_summary(survey_id),
        lambda: metrics.trend(survey_id, "month"),
        lambda: metrics.score_distribution(survey_id),
        lambda: metrics.segments(survey_id, "account__region"),
    ]
    from_rollups = [read() for read in reads]
    with metrics.counted_from_answers():
        return [read() for read in reads] == from_rollups


def timed(read: Callable[[], Any], repetitions: int) -> dict[str, float]:
    read()  # warm-up: the first run pays for cold caches, which a busy dashboard does not
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        read()
        samples.append(1000 * (time.perf_counter() - started))
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"p50": statistics.median(samples), "p95": p95, "repetitions": repetitions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P4 NPS dashboard benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows or DEFAULT_ROWS, args.repetitions)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p4", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
