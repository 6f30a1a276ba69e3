"""Reads of the feedback app for its own pages: survey lists, distribution status, customer history.

The NPS, CSAT and CES figures for dashboards are in metrics.py; the math in stats.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from advocacy.feedback.models import Invitation, InvitationStatus, Response, Survey, Wave


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
