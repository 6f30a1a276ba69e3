"""Reads of the advocate hub: the advocate's own page, the leaderboard, the program manager's queues, and
who may be invited or asked now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from advocacy.advocates.holdout.queries import held_out_customer_ids
from advocacy.advocates.hub.audience import audience_advocates, audience_facts, audience_includes
from advocacy.advocates.hub.ledger import balance
from advocacy.advocates.hub.levels import Level, LevelProgress, earned_filter, level_for, level_progress
from advocacy.advocates.models import (
    Advocate,
    AdvocateBadge,
    Challenge,
    HubInvitation,
    HubInvitationStatus,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    Reward,
    Submission,
    SubmissionStatus,
)
from advocacy.customers.consent import AskKind
from advocacy.customers.models import Customer, CustomerStatus
from advocacy.outreach.budget.queries import ask_holds
from advocacy.outreach.models import ContactAsk


def with_points(advocates: QuerySet[Advocate]) -> QuerySet[Advocate]:
    """Annotate each advocate with ``balance`` (the latest row's) and ``lifetime`` (points earned), in one query."""
    latest = PointsEntry.objects.filter(advocate=OuterRef("pk")).order_by("-seq").values("balance")[:1]
    return advocates.annotate(
        balance=Coalesce(Subquery(latest, output_field=IntegerField()), Value(0)),
        lifetime=Coalesce(Sum("points__delta", filter=earned_filter("points__")), Value(0)),
    )


def advocates_listed(*, active: bool | None = None) -> QuerySet[Advocate]:
    found = with_points(Advocate.objects.select_related("customer")).order_by("-lifetime", "pk")  # type: ignore[misc]
    return found if active is None else found.filter(active=active)


def ledger_of(advocate: Advocate) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(advocate=advocate).order_by("-seq")


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    advocate_id: int
    name: str
    points: int
    level: str


def public_name(first_name: str, last_name: str) -> str:
    # The leaderboard is seen by other customers: a first name and an initial, never an email.
    initial = f" {last_name[:1]}." if last_name else ""
    return f"{first_name or 'An advocate'}{initial}"


def leaderboard(limit: int = 20) -> list[LeaderRow]:
    """The advocates with the most points earned, leaving out those who opted out; one aggregate query."""
    rows = (
        Advocate.objects.filter(active=True, leaderboard_opt_out=False)
        .annotate(earned=Coalesce(Sum("points__delta", filter=earned_filter("points__")), Value(0)))
        .filter(earned__gt=0)
        .order_by("-earned", "joined_at", "pk")
        .values_list("pk", "customer__first_name", "customer__last_name", "earned")[:limit]
    )
    return [
        LeaderRow(rank, pk, public_name(first, last), earned, level_for(earned).name)
        for rank, (pk, first, last, earned) in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class Standing:
    """The advocate's own place on the leaderboard, for their eyes only; no other advocate is named."""

    rank: int | None  # None when they are not on the board (opted out, or no points earned yet)
    of: int  # advocates on the board
    opted_out: bool


def standing(advocate: Advocate, earned: int) -> Standing:
    """Their rank by the leaderboard's own order (points earned, then who joined first), in one query."""
    board = (
        Advocate.objects.filter(active=True, leaderboard_opt_out=False)
        .annotate(earned=Coalesce(Sum("points__delta", filter=earned_filter("points__")), Value(0)))
        .filter(earned__gt=0)
    )
    ahead = Q(earned__gt=earned) | Q(earned=earned, joined_at__lt=advocate.joined_at)
    ahead |= Q(earned=earned, joined_at=advocate.joined_at, pk__lt=advocate.pk)
    counted = board.aggregate(of=Count("pk"), ahead=Count("pk", filter=ahead))
    if advocate.leaderboard_opt_out or not advocate.active or earned <= 0:
        return Standing(None, counted["of"], advocate.leaderboard_opt_out)
    return Standing(counted["ahead"] + 1, counted["of"], False)


def open_challenges(advocate: Advocate, today: dt.date) -> list[Challenge]:
    """Challenges open today, for the advocate's audience, that they have not done (or were refused for)."""
    done = Submission.objects.filter(advocate=advocate).exclude(status=SubmissionStatus.REJECTED)
    candidates = (
        Challenge.objects.filter(active=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(pk__in=done.values("challenge_id"))
        .order_by("ends_on", "pk")
    )
    facts = audience_facts(advocate)
    return [c for c in candidates if audience_includes(c.audience, facts)]


def open_challenge(advocate: Advocate, challenge_id: int, today: dt.date) -> Challenge | None:
    """The challenge if it is open today and for this advocate's audience, else None."""
    challenge = Challenge.objects.filter(pk=challenge_id, active=True, starts_on__lte=today).first()
    if challenge is None or (challenge.ends_on is not None and challenge.ends_on < today):
        return None
    return challenge if audience_includes(challenge.audience, audience_facts(advocate)) else None


@dataclass(frozen=True)
class ChallengeCard:
    """One challenge as the advocate sees it: what to do, for how many points, how long is left, where they are."""

    challenge: Challenge
    days_left: int | None  # None: no end date; 0: ends today
    status: str  # "open" (theirs to do) or "pending" (done, waiting for approval)
    submission: Submission | None = None


def challenge_cards(advocate: Advocate, today: dt.date) -> list[ChallengeCard]:
    """Open challenges first (soonest end first), then those waiting for the program team's approval."""

    def left(challenge: Challenge) -> int | None:
        return None if challenge.ends_on is None else (challenge.ends_on - today).days

    cards = [ChallengeCard(c, left(c), "open") for c in open_challenges(advocate, today)]
    pending = advocate.submissions.filter(status=SubmissionStatus.PENDING).select_related("challenge")
    cards += [ChallengeCard(s.challenge, left(s.challenge), "pending", s) for s in pending.order_by("-submitted_at")]
    return cards


@dataclass(frozen=True)
class HubPage:
    balance: int
    lifetime: int
    level: Level
    progress: LevelProgress
    standing: Standing
    badges: list[AdvocateBadge]
    challenges: list[Challenge]
    cards: list[ChallengeCard]
    submissions: list[Submission]
    redemptions: list[Redemption]
    leaderboard: list[LeaderRow]


def hub_page(advocate: Advocate, *, today: dt.date | None = None) -> HubPage:
    """Everything the advocate's own hub page shows, read for that advocate only."""
    today = today or timezone.localdate()
    earned = PointsEntry.objects.filter(earned_filter(), advocate=advocate).aggregate(n=Sum("delta"))["n"] or 0
    cards = challenge_cards(advocate, today)
    return HubPage(
        balance=balance(advocate),
        lifetime=earned,
        level=level_for(earned),
        progress=level_progress(earned),
        standing=standing(advocate, earned),
        badges=list(advocate.badges.select_related("badge").order_by("earned_at")),
        challenges=[card.challenge for card in cards if card.status == "open"],
        cards=cards,
        submissions=list(advocate.submissions.select_related("challenge").order_by("-submitted_at")[:20]),
        redemptions=list(advocate.redemptions.select_related("reward").order_by("-requested_at")[:20]),
        leaderboard=leaderboard(),
    )


def rewards_offered() -> QuerySet[Reward]:
    return Reward.objects.filter(active=True).order_by("point_cost", "name")


# The program manager's pages


def challenges_listed() -> QuerySet[Challenge]:
    return Challenge.objects.annotate(
        submitted=Count("submissions"),
        pending=Count("submissions", filter=Q(submissions__status=SubmissionStatus.PENDING)),
        approved=Count("submissions", filter=Q(submissions__status=SubmissionStatus.APPROVED)),
    ).order_by("-starts_on", "-pk")


@dataclass(frozen=True)
class AudienceStatus:
    asked: int
    waiting: list[tuple[Advocate, str]]


def challenge_audience(challenge: Challenge, *, now: dt.datetime | None = None) -> AudienceStatus:
    """How many were asked, and who waits (and why): the reason says when the ask can go."""
    now = now or timezone.now()
    asked = ContactAsk.objects.filter(kind=AskKind.CHALLENGE, ref__startswith=f"challenge:{challenge.pk}:").count()
    waiting = list(challenge_waiting(challenge))
    reasons = hold_reasons(waiting, now=now)
    return AudienceStatus(asked, [(a, reasons[a.pk] or "not asked yet; within budget") for a in waiting])


def submissions_listed(*, status: str = "", challenge_id: int | None = None) -> QuerySet[Submission]:
    found = Submission.objects.select_related("challenge", "advocate__customer", "reviewed_by")
    if status:
        found = found.filter(status=status)
    if challenge_id is not None:
        found = found.filter(challenge_id=challenge_id)
    return found.order_by("submitted_at", "pk")


def redemptions_listed(*, status: str = "", open_only: bool = False) -> QuerySet[Redemption]:
    found = Redemption.objects.select_related("reward", "advocate__customer", "decided_by")
    if status:
        found = found.filter(status=status)
    if open_only:
        found = found.filter(status__in=[RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED])
    return found.order_by("requested_at", "pk")


def hub_invitations_listed(*, status: str = "") -> QuerySet[HubInvitation]:
    found = HubInvitation.objects.select_related("customer")
    return (found.filter(status=status) if status else found).order_by("-created_at", "-pk")


def rewards_listed() -> QuerySet[Reward]:
    return Reward.objects.annotate(
        redeemed=Count("redemptions", filter=~Q(redemptions__status=RedemptionStatus.CANCELLED))
    ).order_by("-active", "point_cost", "name")


def counts(queryset: QuerySet[Any], field: str) -> dict[str, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def invitation_in_force(customer: Customer) -> HubInvitation | None:
    return HubInvitation.objects.filter(
        customer=customer, status__in=[HubInvitationStatus.SENT, HubInvitationStatus.JOINED]
    ).first()


def top_scored_not_invited(*, tiers: list[str], limit: int) -> QuerySet[Customer]:
    """Active customers of these tiers, best score first, who are neither members nor invited already
    (nor kept back by the randomized holdout)."""
    return (
        Customer.objects.filter(status=CustomerStatus.ACTIVE, advocate_score__tier__in=tiers)
        .exclude(advocate__active=True)
        .exclude(pk__in=held_out_customer_ids())
        .exclude(hub_invitations__status__in=[HubInvitationStatus.SENT, HubInvitationStatus.JOINED])
        .order_by("-advocate_score__score", "pk")[:limit]
    )


def is_open(challenge: Challenge, today: dt.date) -> bool:
    started = challenge.starts_on <= today
    return challenge.active and started and (challenge.ends_on is None or challenge.ends_on >= today)


def challenge_waiting(challenge: Challenge) -> QuerySet[Advocate]:
    """Audience members not yet asked and without a submission."""
    asked = ContactAsk.objects.filter(kind=AskKind.CHALLENGE, ref__startswith=f"challenge:{challenge.pk}:advocate:")
    asked_ids = [int(ref.rsplit(":", 1)[1]) for ref in asked.values_list("ref", flat=True)]
    return audience_advocates(challenge).exclude(pk__in=asked_ids).exclude(submissions__challenge=challenge)


def hold_reasons(advocates: list[Advocate], *, now: dt.datetime) -> dict[int, str]:
    """advocate id → why a challenge invitation must wait ("" = it may go), for all of them at once."""
    holds = ask_holds([a.customer_id for a in advocates], kind=AskKind.CHALLENGE, now=now)
    return {a.pk: holds.get(a.customer_id, "") for a in advocates}


def active_advocate(customer_id: int) -> Advocate | None:
    """The customer's advocate record while they are a member; None otherwise."""
    return Advocate.objects.select_related("customer__account").filter(customer_id=customer_id, active=True).first()
