"""Writes of the contact budget: drawing an ask from a customer's budget, and the policy itself."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from advocacy.core import events
from advocacy.core.models import User
from advocacy.customers.models import Customer
from advocacy.outreach.budget.queries import stored_fatigue_policy
from advocacy.outreach.models import ContactAsk, FatiguePolicy


def ask_record(*, customer: Customer, kind: str, ref: str, at: datetime | None = None) -> ContactAsk:
    """Draw one ask from the customer's budget; recording the same ask twice changes nothing."""
    ask, _ = ContactAsk.objects.get_or_create(
        kind=kind, ref=ref, defaults={"customer": customer, "asked_at": at or timezone.now()}
    )
    return ask


def ask_cancel(*, kind: str, ref: str) -> None:
    """Give back an ask that never reached the customer (its mail was cancelled before it left)."""
    ContactAsk.objects.filter(kind=kind, ref=ref).delete()


@transaction.atomic
def fatigue_policy_update(*, by: User | None, survey_cooldown_days: int, max_asks_per_quarter: int) -> FatiguePolicy:
    policy = stored_fatigue_policy()
    policy.survey_cooldown_days = survey_cooldown_days
    policy.max_asks_per_quarter = max_asks_per_quarter
    policy.save()
    events.audit(
        actor=by,
        verb="fatigue_policy.updated",
        obj=policy,
        data={"survey_cooldown_days": survey_cooldown_days, "max_asks_per_quarter": max_asks_per_quarter},
    )
    return policy
