"""May we ask this customer now, and if not, why: consent first, then the one contact budget.

Every app that asks a customer for something (a survey, a hub or challenge invitation, a reference
call, a disclosure reminder) reads the answer here, so the same customer is never asked more than
the budget allows, whoever asks. The consent rule itself lives in ``customers.consent``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from advocacy.core.run_reads import read_once
from advocacy.customers import consent
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer, CustomerStatus
from advocacy.outreach.models import ContactAsk, FatiguePolicy


def fatigue_policy() -> FatiguePolicy:
    """The fatigue policy, to read (once per run within ``reads_once_per_run``)."""
    return read_once("fatigue policy", stored_fatigue_policy)


def stored_fatigue_policy() -> FatiguePolicy:
    policy, _ = FatiguePolicy.objects.get_or_create(id=1)
    return policy


def quarter_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    first_month = 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=first_month, day=1, hour=0, minute=0, second=0, microsecond=0)


def with_ask_facts(customers: QuerySet[Customer], *, kind: str, now: datetime) -> QuerySet[Customer]:
    """Annotate what the budget needs for this kind of ask, in one query for any number of customers."""
    asks = ContactAsk.objects.filter(customer=OuterRef("pk"))
    return consent.with_consent(customers, consent.purposes_for(kind)).annotate(
        last_survey_ask=Subquery(asks.filter(kind=AskKind.SURVEY).order_by("-asked_at").values("asked_at")[:1]),
        asks_this_quarter=Subquery(
            asks.filter(asked_at__gte=quarter_start(now))
            .order_by()
            .values("customer")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
    )


def hold_reason(
    customer: Any, *, kind: str, policy: FatiguePolicy, now: datetime, own_rule: Callable[[Any], str] | None = None
) -> str:
    """Why this ask must wait, or "" when it may go; ``customer`` is annotated by ``with_ask_facts``.

    ``own_rule`` is the asker's own limit (a survey's recontact rule), checked before the quarterly budget.
    """
    if customer.status == CustomerStatus.CHURNED:
        return "customer has churned"
    refused = consent.refusal_of(customer, kind)
    if refused:
        return refused
    last = customer.last_survey_ask
    if kind == AskKind.SURVEY and last is not None and now - last < timedelta(days=policy.survey_cooldown_days):
        return f"cooldown: asked to a survey {(now - last).days} days ago ({policy.survey_cooldown_days}-day cooldown)"
    own = own_rule(customer) if own_rule is not None else ""
    if own:
        return own
    if (customer.asks_this_quarter or 0) >= policy.max_asks_per_quarter:
        return (
            f"quarterly budget used: {customer.asks_this_quarter} asks this quarter "
            f"(limit {policy.max_asks_per_quarter})"
        )
    return ""


def ask_hold_reason(*, customer: Customer, kind: str, now: datetime | None = None) -> str:
    """The reason an ask of this customer must wait, or "" when consent and the budget allow it."""
    now = now or timezone.now()
    facts = with_ask_facts(Customer.objects.filter(pk=customer.pk), kind=kind, now=now).get()
    return hold_reason(facts, kind=kind, policy=fatigue_policy(), now=now)


def ask_holds(customer_ids: Iterable[int], *, kind: str, now: datetime | None = None) -> dict[int, str]:
    """customer id → why an ask must wait, for those who must; one query for any number of customers."""
    now = now or timezone.now()
    policy = fatigue_policy()
    facts = with_ask_facts(Customer.objects.filter(pk__in=list(customer_ids)), kind=kind, now=now)
    holds = {}
    for customer in facts:
        reason = hold_reason(customer, kind=kind, policy=policy, now=now)
        if reason:
            holds[customer.pk] = reason
    return holds
