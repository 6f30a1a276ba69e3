"""Reads of the cost ledger: entries, costs by month and kind per currency, stated savings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from advocacy.insights.models import CostEntry, CostKind, CostSaving


def cost_entries(*, since: dt.date | None = None, until: dt.date | None = None, kind: str = "") -> QuerySet[CostEntry]:
    entries = CostEntry.objects.select_related("created_by", "reverses").order_by("-month", "-id")
    if since:
        entries = entries.filter(month__gte=since.replace(day=1))
    if until:
        entries = entries.filter(month__lte=until)
    if kind:
        entries = entries.filter(kind=kind)
    return entries


@dataclass(frozen=True)
class CostLine:
    month: dt.date
    kind: str
    source: str
    currency: str
    amount: Decimal

    @property
    def kind_label(self) -> str:
        return CostKind(self.kind).label


def costs_by_month(*, since: dt.date, until: dt.date) -> list[CostLine]:
    """Net cost (reversals included) per month, kind, source and currency."""
    rows = (
        CostEntry.objects.filter(month__gte=since.replace(day=1), month__lte=until)
        .values("month", "kind", "source", "currency")
        .annotate(total=Sum("amount"))
        .order_by("month", "kind", "source", "currency")
    )
    return [CostLine(r["month"], r["kind"], r["source"], r["currency"], r["total"]) for r in rows if r["total"]]


@dataclass(frozen=True)
class SavingLine:
    month: dt.date
    currency: str
    amount: Decimal


def savings_by_month(*, since: dt.date, until: dt.date) -> list[SavingLine]:
    rows = (
        CostSaving.objects.filter(month__gte=since.replace(day=1), month__lte=until)
        .values("month", "currency")
        .annotate(total=Sum("amount"))
        .order_by("month", "currency")
    )
    return [SavingLine(r["month"], r["currency"], r["total"]) for r in rows]


def cost_savings() -> QuerySet[CostSaving]:
    return CostSaving.objects.order_by("-month", "-id")
