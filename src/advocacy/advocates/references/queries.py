"""Reads of references: requests, asks, and the revenue of deals a reference touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from advocacy.advocates.models import (
    Advocate,
    DealOutcome,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
)


@dataclass
class Influenced:
    currency: str
    amount: Decimal
    n: int


def revenue_influenced_by_references(since: date, until: date) -> list[Influenced]:
    """Won deals after a reference call held in [since, until], per currency, with how many deals."""
    rows = (
        ReferenceCall.objects.filter(deal_outcome=DealOutcome.WON, held_on__gte=since, held_on__lte=until)
        .order_by()
        .values("currency")
        .annotate(amount=Sum("deal_amount"), n=Count("id"))
        .order_by("currency")
    )
    return [Influenced(currency=r["currency"], amount=r["amount"] or Decimal("0"), n=r["n"]) for r in rows]


def reference_requests() -> QuerySet[ReferenceRequest]:
    return (
        ReferenceRequest.objects.select_related("requested_by", "product")
        .annotate(n_asks=Count("asks"))
        .order_by("-created_at", "-id")
    )


def asks_of(request: ReferenceRequest) -> QuerySet[ReferenceAsk]:
    return (
        ReferenceAsk.objects.filter(request=request)
        .select_related("advocate__customer", "call")
        .order_by("asked_at", "id")
    )


def asks_of_advocate(advocate: Advocate) -> QuerySet[ReferenceAsk]:
    return (
        ReferenceAsk.objects.filter(advocate=advocate)
        .select_related("request", "request__product", "call")
        .order_by("-asked_at", "-id")
    )
