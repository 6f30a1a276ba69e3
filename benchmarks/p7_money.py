"""P7: the Impact page's money reads over a large synthetic company, on SQLite and on PostgreSQL.

The issue names 1,000,000 customers and 10,000,000 orders. The default here is smaller
(``ADVOCACY_P7_CUSTOMERS``, else 20,000 customers and ten orders each) so the benchmark runs in a
minute on a laptop; ``--rows N`` or the variable sets the number of customers, orders are ten times
that. docs/benchmarks.md records the size actually run.

Each database gets a worker process (as P1 and P4 do). The worker migrates a fresh database, writes
customers, orders (new, renewal, upsell, cross-sell), advocates with referral links, referred friends,
reference calls, approved challenge submissions, holdout draws and two years of costs, runs
``ANALYZE``, then times each read of the Impact page over repeated runs after one warm-up: the three
attribution sources, the ROI report, the holdout comparison and the members comparison.

Each read is set against a hand-written SQL aggregate of the same figure in the same run — the plain
join and sum a person would write without the model's windows and credit shares — and the ratio is
p50 ÷ that aggregate's p50.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.p4_nps_dashboard import bulk_insert, insert_accounts, insert_customers, timed
from benchmarks.report import Report
from benchmarks.workers import on_each_database, worker_result

DEFAULT_CUSTOMERS = int(os.environ.get("ADVOCACY_P7_CUSTOMERS", "20000"))
ORDERS_PER_CUSTOMER = 10
REPETITIONS = int(os.environ.get("ADVOCACY_P7_REPETITIONS", "10"))
WORKLOAD = "P7 money reads"
RESULT_PREFIX = "P7-RESULT "
CHUNK = 100_000
START = date(2024, 7, 1)
DAYS = 730
UNTIL = START + timedelta(days=DAYS - 1)
SINCE = UNTIL - timedelta(days=364)
KINDS = ("new", "renewal", "upsell", "cross_sell")

HAND_SQL = {
    "attribution referral": (
        "SELECT o.currency, SUM(o.amount) FROM advocates_referral r JOIN customers_order o "
        "ON o.customer_id = r.friend_id WHERE r.status = 'converted' AND o.ordered_on BETWEEN %s AND %s "
        "GROUP BY o.currency"
    ),
    "attribution reference": (
        "SELECT c.currency, SUM(c.deal_amount) FROM advocates_referencecall c WHERE c.deal_outcome = 'won' "
        "AND c.held_on BETWEEN %s AND %s GROUP BY c.currency"
    ),
    "attribution influence": (
        "SELECT o.currency, SUM(o.amount) FROM customers_order o JOIN advocates_advocate a "
        "ON a.customer_id = o.customer_id WHERE o.kind IN ('upsell', 'cross_sell') "
        "AND o.ordered_on BETWEEN %s AND %s GROUP BY o.currency"
    ),
    # The ROI's inputs by hand: referred friends' and advocates' upsell gross profit, then the costs.
    "roi report": (
        "SELECT o.currency, SUM(o.amount * p.margin_pct / 100) FROM customers_order o "
        "JOIN customers_product p ON p.id = o.product_id "
        "WHERE o.ordered_on BETWEEN %s AND %s AND (o.customer_id IN (SELECT friend_id FROM advocates_referral) "
        "OR (o.kind IN ('upsell', 'cross_sell') AND o.customer_id IN (SELECT customer_id FROM advocates_advocate))) "
        "GROUP BY o.currency UNION ALL SELECT currency, SUM(amount) FROM insights_costentry GROUP BY currency"
    ),
    "holdout comparison": (
        'SELECT h."group", COUNT(DISTINCT h.customer_id), SUM(o.amount) FROM advocates_holdoutassignment h '
        "LEFT JOIN customers_order o ON o.customer_id = h.customer_id AND o.ordered_on BETWEEN %s AND %s "
        'GROUP BY h."group"'
    ),
    "members comparison": (
        "SELECT a.id IS NULL, COUNT(DISTINCT c.id), SUM(o.amount) FROM customers_customer c "
        "LEFT JOIN advocates_advocate a ON a.customer_id = c.id "
        "LEFT JOIN customers_order o ON o.customer_id = c.id AND o.ordered_on BETWEEN %s AND %s "
        "GROUP BY a.id IS NULL"
    ),
}
MEASURES = tuple(HAND_SQL)


# --- the parent ----------------------------------------------------------------------------------


def run(report: Report, rows: int | None = None) -> None:
    customers = rows or DEFAULT_CUSTOMERS
    results = on_each_database(
        report, WORKLOAD, "p7", lambda folder, url, name: run_worker(report, folder, url, name, customers)
    )
    for name, result in results.items():
        if result is not None:
            record(report, customers, name, result)


def record(report: Report, customers: int, name: str, result: dict[str, Any]) -> None:
    workload = f"{WORKLOAD}, {customers:,} customers, {result['orders']:,} orders"
    for measure in MEASURES:
        timing, hand = result[measure], result[f"hand {measure}"]
        for quantile in ("p50", "p95"):
            report.add(
                workload,
                f"{name} {measure} {quantile}",
                timing[quantile],
                "ms",
                reference=hand["p50"],
                reference_label="hand SQL p50",
            )


def run_worker(report: Report, folder: Path, database_url: str, name: str, customers: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {customers:,} customers on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p7_money",
        args=["--rows", str(customers)],
        database_url=database_url,
        var_dir=folder / f"var-{name.lower()}",
        prefix=RESULT_PREFIX,
        summary=summary,
    )


def summary(result: dict[str, Any]) -> str:
    timings = ", ".join(f"{m} p50 {result[m]['p50']:.1f} ms" for m in MEASURES)
    return f"populated in {result['seconds']:.0f} s; {timings}"


# --- the worker: one database, one process -----------------------------------------------------


def worker(customers: int, repetitions: int) -> None:
    import time

    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    orders = populate(customers)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results: dict[str, Any] = {"orders": orders, "seconds": seconds, **time_reads(repetitions)}
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def populate(customers: int) -> int:
    from django.db import transaction

    with transaction.atomic():
        account_ids = insert_accounts(max(10, customers // 20))
        customer_ids = insert_customers(customers, account_ids)
        products = insert_products()
        orders = customers * ORDERS_PER_CUSTOMER
        columns = "customer_id, product_id, amount, currency, kind, ordered_on, created_at"
        bulk_insert("customers_order", columns, order_records(orders, customer_ids, products))
        write_program(customer_ids)
    return orders


def insert_products() -> list[int]:
    from decimal import Decimal

    from advocacy.customers.models import Product

    margins = [Decimal("40"), Decimal("65"), None, Decimal("30"), Decimal("55")]
    rows = Product.objects.bulk_create(
        Product(external_id=f"SKU-{n}", name=f"Product {n}", price=Decimal("100"), margin_pct=m)
        for n, m in enumerate(margins)
    )
    return [p.pk for p in rows]


def order_records(rows: int, customer_ids: list[int], products: list[int]) -> Iterator[tuple[Any, ...]]:
    import numpy as np

    rng = np.random.default_rng(7)
    customers, now = np.asarray(customer_ids), datetime.now(UTC)
    for offset in range(0, rows, CHUNK):
        size = min(CHUNK, rows - offset)
        who = customers[rng.integers(0, len(customers), size=size)].tolist()
        what = rng.integers(0, len(products), size=size).tolist()
        amounts = np.round(rng.gamma(2.0, 150.0, size=size), 2).tolist()
        kinds = rng.choice(4, size=size, p=[0.4, 0.3, 0.2, 0.1]).tolist()
        days = rng.integers(0, DAYS, size=size).tolist()
        currencies = rng.choice(3, size=size, p=[0.8, 0.15, 0.05]).tolist()
        for c, p, a, k, d, cur in zip(who, what, amounts, kinds, days, currencies, strict=True):
            yield (c, products[p], a, ("USD", "EUR", "GBP")[cur], KINDS[k], START + timedelta(days=d), now)


def write_program(customer_ids: list[int]) -> None:
    """Advocates (2 %), referred friends, reference calls, approved submissions, holdout draws, costs."""
    import random
    from decimal import Decimal

    from advocacy.advocates.models import (
        Advocate,
        Challenge,
        HoldoutAssignment,
        ReferenceAsk,
        ReferenceCall,
        ReferenceRequest,
        Referral,
        ReferralLink,
        Submission,
    )
    from advocacy.core.models import User
    from advocacy.insights.models import CostEntry

    rng = random.Random(7)
    user = User.objects.create(username="bench", email="bench@bench.example", role="admin")
    when = datetime.combine(START, datetime.min.time(), tzinfo=UTC)
    chosen = rng.sample(customer_ids, max(2, len(customer_ids) // 50))
    advocates = Advocate.objects.bulk_create(Advocate(customer_id=c, terms_version="b", joined_at=when) for c in chosen)
    links = ReferralLink.objects.bulk_create(ReferralLink(advocate=a, code=f"b{a.pk}") for a in advocates)
    taken = set(chosen)
    friends = [c for c in rng.sample(customer_ids, min(len(customer_ids), len(advocates) * 2)) if c not in taken]
    Referral.objects.bulk_create(
        Referral(
            link=rng.choice(links),
            friend_id=f,
            status="converted",
            converted_at=when + timedelta(days=rng.randint(0, DAYS - 1)),
            idempotency_key=f"b{f}",
        )
        for f in friends
    )
    challenge = Challenge.objects.create(
        kind="review", title="Review", instructions="-", points=10, starts_on=START, created_by=user
    )
    Submission.objects.bulk_create(
        Submission(
            challenge=challenge, advocate=a, status="approved", reviewed_at=when + timedelta(days=rng.randint(0, DAYS))
        )
        for a in advocates
    )
    requests = ReferenceRequest.objects.bulk_create(
        ReferenceRequest(requested_by=user, prospect=f"P{n}", opportunity_value=Decimal("9000"), needed_by=START)
        for n in range(max(1, len(advocates) // 4))
    )
    asks = ReferenceAsk.objects.bulk_create(
        ReferenceAsk(request=r, advocate=a, fit=1.0, status="accepted")
        for r in requests
        for a in rng.sample(advocates, min(2, len(advocates)))
    )
    ReferenceCall.objects.bulk_create(
        ReferenceCall(
            ask=k,
            held_on=START + timedelta(days=rng.randint(0, DAYS - 1)),
            deal_outcome=rng.choice(["won", "lost", "open"]),
            deal_amount=Decimal(rng.randint(1000, 50000)),
        )
        for k in asks
    )
    held = rng.sample([c for c in customer_ids if c not in taken], max(2, len(customer_ids) // 20))
    HoldoutAssignment.objects.bulk_create(
        HoldoutAssignment(
            customer_id=c,
            group="holdout" if rng.random() < 0.1 else "invited",
            selected_by="promoter answer",
            share_pct=Decimal(10),
            assigned_at=when,
        )
        for c in held
    )
    CostEntry.objects.bulk_create(
        CostEntry(month=(START + timedelta(days=31 * m)).replace(day=1), kind=k, amount=Decimal(900), currency="USD")
        for m in range(24)
        for k in ("events", "software", "gifts", "other")
    )


def time_reads(repetitions: int) -> dict[str, Any]:
    from django.db import connection

    from advocacy.insights.attribution.model import stored_models
    from advocacy.insights.attribution.queries import source_lines
    from advocacy.insights.holdout.queries import holdout_comparison, member_comparison
    from advocacy.insights.roi.queries import roi_report

    models = stored_models()

    def hand(sql: str) -> Callable[[], Any]:
        def read() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, [SINCE, UNTIL])
                return cursor.fetchall()

        return read

    reads: dict[str, Callable[[], Any]] = {
        "attribution referral": lambda: source_lines("referral", models["referral"], SINCE, UNTIL),
        "attribution reference": lambda: source_lines("reference", models["reference"], SINCE, UNTIL),
        "attribution influence": lambda: source_lines("influence", models["influence"], SINCE, UNTIL),
        "roi report": lambda: roi_report(since=SINCE, until=UNTIL, models=models, currency="USD"),
        "holdout comparison": lambda: holdout_comparison(window_days=365, currency="USD", today=UNTIL),
        "members comparison": lambda: member_comparison(since=SINCE, until=UNTIL, currency="USD"),
    }
    results: dict[str, Any] = {}
    for name, read in reads.items():
        results[name] = timed(read, repetitions)
        results[f"hand {name}"] = timed(hand(HAND_SQL[name]), repetitions)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P7 money reads benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help="customers (orders are ten times as many)")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.rows or DEFAULT_CUSTOMERS, args.repetitions)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p7", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
