"""Reads shared by the advocacy pages: the customer 360 panel and the program overview."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Case, Count, Q, Sum, When
from django.utils import timezone

from advocacy.advocates.hub.levels import REFUND_PREFIX, earned_filter
from advocacy.advocates.models import (
    Advocate,
    AdvocateScore,
    AskStatus,
    HeldStatus,
    HubInvitation,
    HubInvitationStatus,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    ReferenceAsk,
    ReferenceRequest,
    ReferenceStatus,
    Referral,
    ReferralClick,
    ReferralReward,
    ReferralStatus,
    Story,
    Submission,
    SubmissionStatus,
)


def customer_advocacy(customer_id: int) -> dict[str, Any]:
    """The customer 360's advocacy panel: score and reasons, membership, points, referrals, references, stories."""
    advocate = Advocate.objects.filter(customer_id=customer_id).first()
    score = AdvocateScore.objects.filter(customer_id=customer_id).first()
    panel: dict[str, Any] = {"score": score, "advocate": advocate}
    if advocate is not None:
        last = PointsEntry.objects.filter(advocate=advocate).order_by("-seq").first()
        panel.update(
            {
                "balance": last.balance if last else 0,
                "approved": Submission.objects.filter(advocate=advocate, status=SubmissionStatus.APPROVED).count(),
                "referrals": Referral.objects.filter(link__advocate=advocate).count(),
                "reference_calls": ReferenceAsk.objects.filter(advocate=advocate, call__isnull=False).count(),
                "stories": Story.objects.filter(advocate=advocate).count(),
            }
        )
    return panel


def program_overview(*, days: int = 90) -> dict[str, Any]:
    """Members, activity, points issued and redeemed, the referral funnel and references by stage."""
    since = timezone.now() - timedelta(days=days)
    # A refund of a cancelled redemption gives points back: it is neither issued nor redeemed.
    points = PointsEntry.objects.aggregate(
        issued=Sum("delta", filter=earned_filter()),
        spent=Sum("delta", filter=Q(delta__lt=0)),
        refunded=Sum("delta", filter=Q(ref__startswith=REFUND_PREFIX)),
        issued_recent=Sum("delta", filter=earned_filter() & Q(at__gte=since)),
    )
    advocates = Advocate.objects.aggregate(
        members=Count("id", filter=Q(active=True)), joined_recent=Count("id", filter=Q(joined_at__gte=since))
    )
    funnel = {
        "clicks": ReferralClick.objects.filter(at__gte=since).count(),
        "converted": Referral.objects.filter(converted_at__gte=since, status=ReferralStatus.CONVERTED).count(),
        "flagged": Referral.objects.filter(converted_at__gte=since, status=ReferralStatus.FLAGGED).count(),
        "rewards_held": ReferralReward.objects.filter(status=HeldStatus.HELD).count(),
        "rewards_released": ReferralReward.objects.filter(status=HeldStatus.RELEASED).count(),
    }
    references = {
        "open_requests": ReferenceRequest.objects.filter(status="open").count(),
        **dict(ReferenceAsk.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")),
        "calls": ReferenceAsk.objects.filter(call__isnull=False).count(),
    }
    return {
        "days": days,
        "members": advocates["members"],
        "joined_recent": advocates["joined_recent"],
        "submissions_recent": Submission.objects.filter(submitted_at__gte=since).count(),
        "pending_approvals": Submission.objects.filter(status=SubmissionStatus.PENDING).count(),
        "points_issued": points["issued"] or 0,
        "points_redeemed": -(points["spent"] or 0) - (points["refunded"] or 0),
        "points_issued_recent": points["issued_recent"] or 0,
        "redemptions_open": Redemption.objects.filter(
            status__in=[RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED]
        ).count(),
        "funnel": funnel,
        "references": references,
        "reference_stages": [(s.label, references.get(s.value, 0)) for s in AskStatus],
        "tiers": dict(AdvocateScore.objects.values_list("tier").annotate(n=Count("id")).values_list("tier", "n")),
        "stories": dict(Story.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")),
    }


def program_to_do() -> dict[str, int]:
    """What waits on the program team this morning, each one count (one query per model)."""
    return {
        "submissions": Submission.objects.filter(status=SubmissionStatus.PENDING).count(),
        "redemptions": Redemption.objects.filter(status=RedemptionStatus.REQUESTED).count(),
        "held_invitations": HubInvitation.objects.filter(status=HubInvitationStatus.HELD).count(),
        "open_references": ReferenceRequest.objects.filter(status=ReferenceStatus.OPEN).count(),
    }


def references_of(user_id: int) -> list[ReferenceRequest]:
    """A salesperson's own reference requests, the open ones first."""
    return list(
        ReferenceRequest.objects.filter(requested_by_id=user_id)
        .exclude(status=ReferenceStatus.CANCELLED)
        .order_by(Case(When(status=ReferenceStatus.OPEN, then=0), default=1), "needed_by")[:10]
    )
