"""Reads of the advocate score: the ranked list, one score explained, and precision against the demo."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from advocacy.advocates.models import (
    Advocate,
    AdvocateScore,
)
from advocacy.advocates.scoring.method import COMPONENT_LABELS, PARTS
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
