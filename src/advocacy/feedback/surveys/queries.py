"""Reads of surveys: lists, audiences, who may be invited now (and why not), distribution, history.

The NPS, CSAT and CES figures for dashboards are in dashboard/queries.py; the math in stats.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from advocacy.core.errors import InvalidInput
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer, CustomerStatus
from advocacy.feedback.models import Invitation, InvitationStatus, Response, Schedule, Survey, Wave
from advocacy.outreach.budget.queries import fatigue_policy, hold_reason, with_ask_facts


def surveys_with_counts() -> QuerySet[Survey]:
    return Survey.objects.annotate(
        n_waves=Count("waves", distinct=True),
        n_responses=Count("responses", distinct=True),
    ).order_by("-active", "name")


def distribution_status(survey: Survey, *, wave: Wave | None = None) -> dict[str, Any]:
    """Sent, bounced, failed, answered and held back (with each reason and its count), in two queries."""
    invitations = Invitation.objects.filter(survey=survey)
    if wave is not None:
        invitations = invitations.filter(wave=wave)
    counts = invitations.aggregate(
        total=Count("id"),
        **{status: Count("id", filter=Q(status=status)) for status in InvitationStatus.values},
        answered=Count("id", filter=Q(response__isnull=False)),
    )
    reasons = list(
        invitations.filter(status=InvitationStatus.HELD)
        .values("held_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "held_reason")
    )
    delivered = counts["sent"]
    counts["response_rate"] = round(100 * counts["answered"] / delivered, 1) if delivered else None
    return {"counts": counts, "held_reasons": reasons}


def waves_of(survey: Survey) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in survey.waves.annotate(
            invited=Count("invitations", filter=~Q(invitations__status=InvitationStatus.HELD)),
            held=Count("invitations", filter=Q(invitations__status=InvitationStatus.HELD)),
            answered=Count("invitations__response"),
        )
        .values("id", "number", "opened_at", "closes_at", "invited", "held", "answered")
        .order_by("-number")
    ]


def recent_invitations(survey: Survey, *, status: str = "", limit: int = 50) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(survey=survey).select_related("customer", "wave")
    if status:
        invitations = invitations.filter(status=status)
    return invitations.order_by("-created_at", "-id")[:limit]


def customer_survey_history(customer_id: int, *, limit: int = 20) -> list[Response]:
    return list(
        Response.objects.filter(customer_id=customer_id)
        .select_related("survey", "wave", "theme")
        .order_by("-answered_at")[:limit]
    )


AUDIENCE_FIELDS = {
    "region": "account__region__in",
    "industry": "account__industry__in",
    "size": "account__size__in",
    "account_kind": "account__kind__in",
    "locale": "locale__in",
    "time_zone": "time_zone__in",
    "primary_advocate": "primary_advocate_id__in",
}


def audience_filter(audience: dict[str, Any]) -> Q:
    """The survey's audience as a filter: each named field lists the values it may take."""
    if not isinstance(audience, dict):
        raise InvalidInput({"audience": "the audience is an object of field → list of values"})
    condition = Q(status=CustomerStatus.ACTIVE)
    errors = {}
    for field, values in audience.items():
        if field == "customer_since_before":
            try:
                condition &= Q(customer_since__lt=date.fromisoformat(str(values)))
            except ValueError:
                errors["audience"] = f"customer_since_before {values!r} is not a date (YYYY-MM-DD)"
            continue
        if field not in AUDIENCE_FIELDS:
            errors["audience"] = f"cannot filter on {field!r}; use {', '.join(sorted(AUDIENCE_FIELDS))}"
            continue
        listed = values if isinstance(values, list) else [values]
        condition &= Q(**{AUDIENCE_FIELDS[field]: listed})
    if errors:
        raise InvalidInput(errors)
    return condition


def audience(survey: Survey) -> QuerySet[Customer]:
    return Customer.objects.filter(audience_filter(survey.audience))


def surveys_due(*, today: date | None = None) -> list[Survey]:
    today = today or timezone.localdate()
    return list(
        Survey.objects.filter(active=True, next_wave_on__lte=today)
        .exclude(schedule=Schedule.TRANSACTIONAL)
        .filter(~Exists(Wave.objects.filter(survey=OuterRef("pk"), opened_at__date=today)))
    )


def recontact_reason(customer: Any, *, survey: Survey, now: datetime) -> str:
    """The survey's own rule: not invited to this survey again within its recontact window."""
    last_here = getattr(customer, "last_this_survey", None)
    if last_here is not None and now - last_here < timedelta(days=survey.recontact_days):
        return (
            f"recontact rule: invited to this survey {(now - last_here).days} days ago "
            f"(at most every {survey.recontact_days} days)"
        )
    return ""


def survey_hold_reasons(
    customers: QuerySet[Customer], *, survey: Survey, now: datetime, batch: int = 2000
) -> Iterator[tuple[int, str]]:
    """(customer id, why the invitation must wait or "") for each customer, streamed in id order."""
    policy = fatigue_policy()
    last_invited = (
        Invitation.objects.filter(customer=OuterRef("pk"), survey=survey)
        .exclude(status=InvitationStatus.HELD)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    facts = with_ask_facts(customers, kind=AskKind.SURVEY, now=now).annotate(last_this_survey=Subquery(last_invited))
    for customer in facts.order_by("pk").iterator(chunk_size=batch):
        rule = partial(recontact_reason, survey=survey, now=now)
        yield customer.pk, hold_reason(customer, kind=AskKind.SURVEY, policy=policy, now=now, own_rule=rule)


def invitations_matching(
    *, survey_id: int | None = None, customer_id: int | None = None, status: str = ""
) -> QuerySet[Invitation]:
    invitations = Invitation.objects.order_by("-created_at", "-id")
    for field, value in (("survey_id", survey_id), ("customer_id", customer_id), ("status", status)):
        if value:
            invitations = invitations.filter(**{field: value})
    return invitations
