"""Writes of the holdout: the share (0–50 %) and each customer's one random draw.

The draw uses the operating system's randomness (``secrets``), so no one can predict or steer who is
kept back; the row is unique per customer and never updated, so a customer selected again by another
rule keeps their first group.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.advocates.holdout.queries import holdout_share_pct
from advocacy.advocates.models import HoldoutAssignment, HoldoutGroup, HoldoutSettings
from advocacy.core.errors import InvalidInput
from advocacy.customers.models import Customer

MAX_SHARE_PCT = Decimal("50")
_RANDOM = secrets.SystemRandom()


def check_share(share_pct: object) -> Decimal:
    try:
        share = Decimal(str(share_pct))
    except InvalidOperation:
        raise InvalidInput({"share_pct": "a number from 0 to 50 (per cent)"}) from None
    if not share.is_finite() or not Decimal(0) <= share <= MAX_SHARE_PCT:
        raise InvalidInput({"share_pct": f"must be from 0 to 50 per cent; got {share_pct}"})
    return share.quantize(Decimal("0.01"))


@transaction.atomic
def holdout_share_set(*, share_pct: object) -> HoldoutSettings:
    share = check_share(share_pct)
    row, _ = HoldoutSettings.objects.select_for_update().get_or_create(pk=1)
    row.share_pct, row.updated_at = share, timezone.now()
    row.save(update_fields=["share_pct", "updated_at"])
    return row


def holdout_draw(*, customer: Customer, selected_by: str, now: dt.datetime | None = None) -> HoldoutAssignment:
    """The customer's group: drawn at random the first time a rule selects them, the same ever after."""
    existing = HoldoutAssignment.objects.filter(customer=customer).first()
    if existing is not None:
        return existing
    share = holdout_share_pct()
    group = HoldoutGroup.HOLDOUT if _RANDOM.random() * 100 < share else HoldoutGroup.INVITED
    try:
        with transaction.atomic():
            return HoldoutAssignment.objects.create(
                customer=customer,
                group=group,
                selected_by=selected_by[:40],
                share_pct=share,
                assigned_at=now or timezone.now(),
            )
    except IntegrityError:
        # A concurrent selection drew first; theirs stands.
        return HoldoutAssignment.objects.get(customer=customer)


def held_out(*, customer: Customer, selected_by: str, now: dt.datetime | None = None) -> bool:
    return holdout_draw(customer=customer, selected_by=selected_by, now=now).group == HoldoutGroup.HOLDOUT
