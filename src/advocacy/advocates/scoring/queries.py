"""Reads of the advocate score: the ranked list, one score explained, and precision against the demo."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from advocacy.advocates.models import (
    Advocate,
    AdvocateScore,
    ScoreChange,
    ScoringRun,
)
from advocacy.advocates.scoring.method import COMPONENT_LABELS, PARTS, RECENT_DAYS, YEAR_DAYS
from advocacy.customers.models import Customer


def scores_ranked(
    *, tier: str = "", region: str = "", enrolled: bool | None = None, min_score: float | None = None
) -> QuerySet[AdvocateScore]:
    """Scored customers, best first, with whether each is already an enrolled advocate."""
    found = (
        AdvocateScore.objects.select_related("customer", "customer__account")
        .annotate(enrolled=Exists(Advocate.objects.filter(customer_id=OuterRef("customer_id"))))
        .order_by("-score", "customer_id")
    )
    if tier:
        found = found.filter(tier=tier)
    if region:
        found = found.filter(customer__account__region=region)
    if enrolled is not None:
        found = found.filter(enrolled=enrolled)
    if min_score is not None:
        found = found.filter(score__gte=min_score)
    return found


def score_regions() -> list[str]:
    regions = Customer.objects.exclude(account__region="").exclude(account__isnull=True)
    return sorted(set(regions.values_list("account__region", flat=True).distinct()))


@dataclass(frozen=True)
class PartLine:
    name: str
    component: str
    label: str
    points: float


def score_explained(score_row: AdvocateScore) -> list[PartLine]:
    """Every part of a stored score with its points, in the method's order."""
    stored = score_row.parts or {}
    return [PartLine(p.name, COMPONENT_LABELS[p.component], p.label, float(stored.get(p.name, 0.0))) for p in PARTS]


def component_totals(lines: Iterable[PartLine]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for line in lines:
        totals[line.component] = round(totals.get(line.component, 0.0) + line.points, 1)
    return totals


# --- precision at k against the demo's planted natural advocates ---------------------------------


def demo_manifest_path() -> Any:
    return settings.VAR_DIR / "demo-manifest.json"


def planted_advocates() -> set[str] | None:
    """External ids of the demo's planted natural advocates; None without a manifest."""
    path = demo_manifest_path()
    if not path.exists():
        return None
    customers = json.loads(path.read_text()).get("customers", {})
    return {external_id for external_id, truth in customers.items() if truth.get("natural_advocate")}


def precision_at_k(k: int) -> dict[str, Any] | None:
    """How many of the k best-scored customers are planted natural advocates (None without a demo)."""
    planted = planted_advocates()
    if planted is None:
        return None
    top = list(
        AdvocateScore.objects.order_by("-score", "customer_id").values_list("customer__external_id", flat=True)[:k]
    )
    hits = sum(1 for external_id in top if external_id in planted)
    scored = AdvocateScore.objects.count()
    return {
        "k": k,
        "hits": hits,
        "looked_at": len(top),
        "planted": len(planted),
        "precision": hits / len(top) if top else None,
        "base_rate": len(planted) / scored if scored else None,  # what a random pick would get
    }


# --- who the next incremental rescore scores ----------------------------------------------------


def last_run() -> ScoringRun | None:
    return ScoringRun.objects.order_by("-id").first()


def customers_due(*, now: datetime) -> set[int]:
    """The customers an incremental rescore at ``now`` would score (every customer before any run)."""
    last = last_run()
    if last is None:
        return set(Customer.objects.values_list("id", flat=True))
    sql, params = due_sql(marks=ScoreChange._meta.db_table, since=last.scored_at, now=now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def crossing_windows(since: datetime, now: datetime) -> dict[str, list[tuple[Any, Any]]]:
    """Per dated column the score filters on, the ranges of dates whose rows counted differently at
    ``since`` than at ``now``. Bounds are included: a customer too many is rescored, never one too few.

    - arrived: rows dated in (since, now] were in the future at ``since`` and count now;
    - left a window: an event dated in [since − 90 d, now − 90 d] was in the last 90 days at ``since`` and
      is not now (the same for 365 days, and for a detractor answer's 90 days)."""
    if now <= since:
        return {}
    arrived = (since, now)
    days = (since.date(), now.date())

    def left(window: int) -> tuple[datetime, datetime]:
        return (since - timedelta(days=window), now - timedelta(days=window))

    return {
        "events": [arrived, left(RECENT_DAYS), left(YEAR_DAYS)],
        "answers": [arrived, left(RECENT_DAYS)],
        "orders": [days],
        "referrals": [arrived],
        "calls": [days],
        "stories": [arrived],
    }


CROSSING_SQL = {
    "events": "SELECT customer_id FROM customers_engagementevent WHERE occurred_at BETWEEN %s AND %s",
    "answers": "SELECT customer_id FROM feedback_response WHERE customer_id IS NOT NULL "
    "AND kind IN ('nps', 'csat') AND answered_at BETWEEN %s AND %s",
    "orders": "SELECT customer_id FROM customers_order WHERE ordered_on BETWEEN %s AND %s",
    "referrals": "SELECT a.customer_id FROM advocates_referral r JOIN advocates_referrallink l ON l.id = r.link_id "
    "JOIN advocates_advocate a ON a.id = l.advocate_id WHERE r.converted_at BETWEEN %s AND %s",
    "calls": "SELECT a.customer_id FROM advocates_referencecall r JOIN advocates_referenceask k ON k.id = r.ask_id "
    "JOIN advocates_advocate a ON a.id = k.advocate_id WHERE r.held_on BETWEEN %s AND %s",
    "stories": "SELECT a.customer_id FROM advocates_story r JOIN advocates_advocate a ON a.id = r.advocate_id "
    "WHERE r.published_at BETWEEN %s AND %s",
}


def due_sql(*, marks: str, since: datetime, now: datetime) -> tuple[str, list[Any]]:
    """One SELECT of the distinct existing customers due: marked in the table ``marks`` (the change marks,
    or the copy a run took of them), or with rows that crossed a window between ``since`` and ``now``."""
    parts = [f"SELECT customer_id FROM {marks}"]
    params: list[Any] = []
    for source, ranges in crossing_windows(since, now).items():
        for low, high in ranges:
            parts.append(CROSSING_SQL[source])
            params += [_sql_value(low), _sql_value(high)]
    union = " UNION ".join(parts)
    sql = f"SELECT DISTINCT c.id FROM ({union}) AS due JOIN customers_customer c ON c.id = due.customer_id"
    return sql, params


def _sql_value(value: datetime | date) -> Any:
    """A moment or a day as the database compares it (SQLite: UTC text without an offset)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return connection.ops.adapt_datefield_value(value)
