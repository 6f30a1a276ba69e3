"""Matching advocates to a reference request: who consents, how well each fits, and why any is not asked.

Fit is 0–100 from industry, region, size, owning the product and the advocate score; a criterion the
request leaves blank is left out and the rest rescaled. Quota, rest period and the contact budget
exclude an advocate, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone

from advocacy.advocates.models import (
    Advocate,
    AskStatus,
    ReferenceAsk,
    ReferenceCall,
    ReferenceRequest,
)
from advocacy.advocates.program.services import program_settings
from advocacy.customers.consent import AskKind, in_force
from advocacy.customers.models import ConsentPurpose, Customer, Order
from advocacy.outreach.budget.queries import ask_holds, quarter_start

# How much each part of the fit counts. A criterion the request leaves blank is left out and the rest
# rescaled, so a request that only names an industry still ranks on a 0–100 scale.
FIT_WEIGHTS = {"industry": 30.0, "region": 20.0, "size": 15.0, "product": 20.0, "score": 15.0}


@dataclass
class Match:
    advocate: Advocate
    fit: float
    reasons: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def customer(self) -> Customer:
        return self.advocate.customer

    @property
    def available(self) -> bool:
        return not self.excluded


def candidates(request: ReferenceRequest, *, now: datetime) -> QuerySet[Advocate]:
    """Active advocates whose latest reference-call consent is a grant, with what ranking and exclusion need."""
    calls = ReferenceCall.objects.filter(ask__advocate=OuterRef("pk"))
    quarter = quarter_start(now)
    # Calls agreed but not yet held count against the quota too: the advocate has promised that hour.
    agreed = ReferenceAsk.objects.filter(
        advocate=OuterRef("pk"), status=AskStatus.ACCEPTED, call__isnull=True, answered_at__gte=quarter
    )
    product_owned = (
        Exists(Order.objects.filter(customer=OuterRef("customer_id"), product_id=request.product_id))
        if request.product_id
        else Value(False)
    )
    return (
        Advocate.objects.filter(active=True)
        .annotate(reference_consent=in_force(ConsentPurpose.REFERENCE_CALL, "customer_id"))
        .filter(reference_consent=True)
        .select_related("customer__account")
        .annotate(
            score=F("customer__advocate_score__score"),
            owns_product=product_owned,
            calls_this_quarter=count_of(calls.filter(held_on__gte=quarter.date()), "ask__advocate"),
            agreed_this_quarter=count_of(agreed, "advocate"),
            last_call_on=Subquery(calls.order_by("-held_on").values("held_on")[:1]),
            asked_here=Subquery(
                ReferenceAsk.objects.filter(request=request, advocate=OuterRef("pk")).values("status")[:1]
            ),
        )
    )


def count_of(rows: QuerySet[Any], group: str) -> Subquery:
    return Subquery(rows.order_by().values(group).annotate(n=Count("id")).values("n")[:1])


def fit_of(request: ReferenceRequest, advocate: Any) -> tuple[float, list[str]]:
    """0–100 and the reasons in words, from industry, region, size, owning the product and the advocate score."""
    account = advocate.customer.account
    checks = {
        "industry": (request.industry, account.industry if account else ""),
        "region": (request.region, account.region if account else ""),
        "size": (request.size, account.size if account else ""),
    }
    earned, possible, reasons = 0.0, FIT_WEIGHTS["score"], []
    for part, (wanted, has) in checks.items():
        if not wanted:
            continue
        possible += FIT_WEIGHTS[part]
        if has and has.casefold() == wanted.casefold():
            earned += FIT_WEIGHTS[part]
            reasons.append(f"same {part} ({has})")
    if request.product_id:
        possible += FIT_WEIGHTS["product"]
        if advocate.owns_product:
            earned += FIT_WEIGHTS["product"]
            reasons.append("uses the product")
    if advocate.score is not None:
        earned += FIT_WEIGHTS["score"] * advocate.score / 100
        reasons.append(f"advocate score {advocate.score:.0f}")
    return round(100 * earned / possible, 1), reasons


def exclusions(advocate: Any, *, hold: str, quota: int, rest_days: int, today: date) -> list[str]:
    reasons = []
    if advocate.asked_here:
        reasons.append(f"already asked for this request ({AskStatus(advocate.asked_here).label.lower()})")
    taken = (advocate.calls_this_quarter or 0) + (advocate.agreed_this_quarter or 0)
    if taken >= quota:
        reasons.append(f"over quota: {taken} call(s) this quarter (limit {quota})")
    last = advocate.last_call_on
    if last is not None and today < last + timedelta(days=rest_days):
        reasons.append(f"resting after a call on {last:%Y-%m-%d} (until {last + timedelta(days=rest_days):%Y-%m-%d})")
    if hold:
        reasons.append(f"contact budget: {hold}")
    return reasons


def budget_holds(customer_ids: list[int], *, now: datetime) -> dict[int, str]:
    """customer id → why a reference ask must wait (consent, the shared contact budget), in one query."""
    return ask_holds(customer_ids, kind=AskKind.REFERENCE, now=now)


def reference_matches(request: ReferenceRequest, now: datetime | None = None) -> list[Match]:
    """Every consenting advocate, best fit first, each with why they fit and why (if so) they are not asked."""
    now = now or timezone.now()
    program = program_settings()
    rows = list(candidates(request, now=now))
    holds = budget_holds([a.customer_id for a in rows], now=now)
    today = timezone.localdate(now)
    matches = []
    for advocate in rows:
        fit, reasons = fit_of(request, advocate)
        excluded = exclusions(
            advocate,
            hold=holds.get(advocate.customer_id, ""),
            quota=program.reference_quota_per_quarter,
            rest_days=program.reference_rest_days,
            today=today,
        )
        matches.append(Match(advocate=advocate, fit=fit, reasons=reasons, excluded=excluded))
    matches.sort(key=lambda m: (-m.fit, -(getattr(m.advocate, "score", None) or 0), m.advocate.pk))
    return matches
