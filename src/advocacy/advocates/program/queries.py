"""Reads shared by the advocacy pages: the customer 360 panel and the program overview."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, TextChoices, When
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
    RewardTo,
    Story,
    Submission,
    SubmissionStatus,
)
from advocacy.advocates.referrals.queries import click_counts, referrals_matching
from advocacy.customers.models import Customer


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


def labelled(counts: dict[str, int], choices: type[TextChoices]) -> list[tuple[str, int]]:
    """(label as people read it, count) per choice that has rows, in the choices' order: the page's form
    of the API's code → count."""
    return [(str(choice.label), counts[choice.value]) for choice in choices if counts.get(choice.value)]


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


# --- funnels -------------------------------------------------------------------------------------

# The hub funnel follows one cohort, the customers invited in the period, through each later stage;
# every stage is a subset of the one before, so each share of the previous stage is a true rate.
HUB_STAGES: tuple[tuple[str, str], ...] = (
    ("invited", "Invited to the hub"),
    ("joined", "Joined"),
    ("took_part", "Sent a challenge submission"),
    ("approved", "Had a submission approved"),
    ("redeemed", "Then redeemed a reward"),
)
HUB_STAGE_KEYS = frozenset(key for key, _ in HUB_STAGES)


def hub_cohort(*, since: datetime) -> QuerySet[Customer]:
    """Customers sent a hub invitation since ``since`` (held invitations never reached them)."""
    sent = HubInvitation.objects.filter(customer=OuterRef("pk"), created_at__gte=since).exclude(
        status=HubInvitationStatus.HELD
    )
    return Customer.objects.filter(Exists(sent))


def hub_stage_conditions() -> dict[str, Q]:
    def member_has(model: Any, **match: Any) -> Q:
        return Q(Exists(model.objects.filter(advocate__customer=OuterRef("pk"), **match)))

    joined = Q(advocate__isnull=False)
    took_part = joined & member_has(Submission)
    approved = took_part & member_has(Submission, status=SubmissionStatus.APPROVED)
    redeemed = approved & Q(
        Exists(Redemption.objects.filter(advocate__customer=OuterRef("pk")).exclude(status=RedemptionStatus.CANCELLED))
    )
    return {"invited": Q(), "joined": joined, "took_part": took_part, "approved": approved, "redeemed": redeemed}


def hub_funnel(*, since: datetime) -> list[tuple[str, str, int]]:
    """(stage, label, customers) for the cohort invited since ``since``: one aggregate query."""
    conditions = hub_stage_conditions()
    counts = hub_cohort(since=since).aggregate(**{key: Count("pk", filter=conditions[key]) for key, _ in HUB_STAGES})
    return [(key, label, counts[key]) for key, label in HUB_STAGES]


def hub_stage_customers(stage: str, *, since: datetime) -> QuerySet[Customer]:
    """The customers of the cohort who reached ``stage``, with their membership, newest invitation first."""
    latest = (
        HubInvitation.objects.filter(customer=OuterRef("pk"))
        .exclude(status=HubInvitationStatus.HELD)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        hub_cohort(since=since)
        .filter(hub_stage_conditions()[stage])
        .select_related("advocate")
        .annotate(invited_at=Subquery(latest))
        .order_by("-invited_at", "pk")
    )


REFERRAL_STAGES: tuple[tuple[str, str], ...] = (
    ("clicks", "Link clicks (people, not mail scanners)"),
    ("devices", "Distinct devices"),
    ("conversions", "Friends who bought"),
    ("counted", "Conversions that passed the fraud rules"),
    ("rewarded", "Referrer's reward released"),
)
# The stages that are records someone can look at; clicks are counted, never listed (a click keeps
# only hashes of the visitor's device and address, nothing a reviewer could act on).
REFERRAL_LISTED = frozenset({"conversions", "counted", "rewarded"})


def referral_stage_condition(stage: str) -> Q:
    return {
        "conversions": Q(),
        "counted": Q(status=ReferralStatus.CONVERTED),
        "rewarded": Q(
            Exists(
                ReferralReward.objects.filter(referral=OuterRef("pk"), to=RewardTo.REFERRER, status=HeldStatus.RELEASED)
            )
        ),
    }[stage]


def referral_funnel_stages(*, since: datetime) -> list[tuple[str, str, int]]:
    """(stage, label, count) from the clicks since ``since`` to the rewards of the friends who bought."""
    clicks = click_counts(since=since)
    referrals = Referral.objects.filter(converted_at__gte=since).aggregate(
        **{key: Count("pk", filter=referral_stage_condition(key)) for key in ("conversions", "counted", "rewarded")}
    )
    counts = clicks | referrals
    return [(key, label, counts[key]) for key, label in REFERRAL_STAGES]


def referrals_at_stage(stage: str, *, since: datetime) -> QuerySet[Referral]:
    return referrals_matching().filter(converted_at__gte=since).filter(referral_stage_condition(stage))
