"""Reads of the holdout: its settings and the customers kept back."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from advocacy.advocates.models import HoldoutAssignment, HoldoutGroup, HoldoutSettings
from advocacy.core.run_reads import read_once

DEFAULT_SHARE_PCT = Decimal("10")


def holdout_share_pct() -> Decimal:
    return read_once("holdout share", stored_share_pct)


def stored_share_pct() -> Decimal:
    row = HoldoutSettings.objects.filter(pk=1).first()
    return row.share_pct if row is not None else DEFAULT_SHARE_PCT


def held_out_customer_ids() -> QuerySet[HoldoutAssignment, int]:
    """Customers kept back from the hub invitation; a subquery for the selections that must skip them."""
    return HoldoutAssignment.objects.filter(group=HoldoutGroup.HOLDOUT).values_list("customer_id", flat=True)


def assignments() -> QuerySet[HoldoutAssignment]:
    return HoldoutAssignment.objects.select_related("customer").order_by("-assigned_at", "-id")
