"""The material-connection rule: a customer who received points, a reward or a referral reward in the
LISTENING_MATERIAL_CONNECTION_MONTHS before a post has a material connection to the company, and what
they post about it must say so (FTC Endorsement Guides, 16 CFR 255.5). The one rule behind a story's
"incentivised" mark and listening's undisclosed-post flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db.models import BooleanField, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, Value

from advocacy.advocates.models import PointsEntry, Redemption, RedemptionStatus, ReferralReward


def window() -> timedelta:
    return timedelta(days=round(30.44 * settings.LISTENING_MATERIAL_CONNECTION_MONTHS))


def material_connection(customer: str, at: str) -> Q:
    """An SQL condition on a row: the customer its ``customer`` path names was rewarded in the window
    before the moment its ``at`` path names. Set-based: one EXISTS per kind of reward."""
    start = OuterRef(at) - window()
    points = PointsEntry.objects.filter(
        advocate__customer=OuterRef(customer), delta__gt=0, at__lte=OuterRef(at), at__gt=start
    )
    rewards = Redemption.objects.filter(
        advocate__customer=OuterRef(customer), requested_at__lte=OuterRef(at), requested_at__gt=start
    ).exclude(status=RedemptionStatus.CANCELLED)
    referral_rewards = ReferralReward.objects.filter(
        Q(to="referrer", referral__link__advocate__customer=OuterRef(customer))
        | Q(to="friend", referral__friend=OuterRef(customer)),
        referral__converted_at__lte=OuterRef(at),
        referral__converted_at__gt=start,
    ).exclude(status="rejected")
    return Q(Exists(points)) | Q(Exists(rewards)) | Q(Exists(referral_rewards))


def connected(customer: str, at: str) -> ExpressionWrapper:
    """The same condition as an annotation (True/False per row)."""
    return ExpressionWrapper(material_connection(customer, at), output_field=BooleanField())


def connected_at(customer_id: int, at: datetime) -> bool:
    """Whether one customer had a material connection at ``at`` (for a single row; lists annotate)."""
    from advocacy.customers.models import Customer

    moment = Value(at, output_field=DateTimeField())
    return Customer.objects.filter(pk=customer_id).annotate(at=moment).filter(material_connection("pk", "at")).exists()


@cache
def marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(m.strip().lower()) for m in markers if m.strip()]
    # A hashtag marker stands alone (#ad, not #adventure); a phrase may sit anywhere.
    bounded = [p + r"(?![\w])" if p.startswith("\\#") or p.startswith("#") else p for p in parts]
    return re.compile("|".join(bounded) or r"(?!)")


def disclosure_markers() -> tuple[str, ...]:
    return tuple(settings.LISTENING_DISCLOSURE_MARKERS)


def is_disclosed(text: str, markers: Iterable[str] | None = None) -> bool:
    """Whether the text carries a disclosure (#ad, #sponsored, "I received" … in the configured languages)."""
    return bool(marker_pattern(tuple(markers) if markers is not None else disclosure_markers()).search(text.lower()))


def referral_share_text(*, company: str, referrer_points: int, friend_points: int) -> str:
    """What an advocate's shared referral link says about the reward behind it: the material connection
    is disclosed in the message itself (16 CFR 255.5), so a friend reads it before the link."""
    friend = f" and you get {friend_points} points too" if friend_points else ""
    return (
        f"I use {company} and think you might like it. Full disclosure: this is my referral link; "
        f"I get {referrer_points} points from {company} if you order through it{friend}."
    )
