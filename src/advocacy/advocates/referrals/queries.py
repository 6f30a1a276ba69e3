"""Reads of referrals: the review queue, rewards due, the funnel, and lookups by code or key."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from advocacy.advocates.models import (
    HeldStatus,
    Referral,
    ReferralClick,
    ReferralLink,
    ReferralReward,
    ReferralStatus,
)
from advocacy.advocates.program.services import program_settings
from advocacy.core.errors import ServiceError


def link_by_code(code: str) -> ReferralLink:
    link = ReferralLink.objects.select_related("advocate__customer").filter(code=code.strip()).first()
    if link is None:
        raise UnknownCode("This referral link is not valid.")
    return link


def landing_for(code: str) -> str:
    """Where the link leads, without counting a click (for visits we deliberately do not count)."""
    return landing_url_with_code(program_settings().landing_url, link_by_code(code).code)


def referral_by_key(idempotency_key: str, key_scope: str = "") -> Referral | None:
    """The referral a sender's key recorded; keys of other senders are not looked at."""
    found = Referral.objects.select_related("link").filter(key_scope=key_scope, idempotency_key=idempotency_key.strip())
    return found.first()


def rewards_due(now: datetime | None = None) -> QuerySet[ReferralReward]:
    """Held rewards whose return window has passed: ready to be released or rejected."""
    return (
        ReferralReward.objects.filter(status=HeldStatus.HELD, release_after__lte=now or timezone.now())
        .select_related("referral__link__advocate__customer", "referral__friend", "referral__order")
        .order_by("release_after", "id")
    )


def flagged_in_window(now: datetime | None = None) -> QuerySet[ReferralReward]:
    """Held rewards of flagged referrals still in their window: a reviewer may reject them early."""
    return (
        ReferralReward.objects.filter(
            status=HeldStatus.HELD, release_after__gt=now or timezone.now(), referral__status=ReferralStatus.FLAGGED
        )
        .select_related("referral__link__advocate__customer", "referral__friend", "referral__order")
        .order_by("release_after", "id")
    )


def click_counts(*, since: datetime) -> dict[str, int]:
    """Clicks on referral links since ``since``, and the distinct devices they came from."""
    return ReferralClick.objects.filter(at__gte=since).aggregate(
        clicks=Count("id"), devices=Count("device_hash", distinct=True)
    )


def referral_funnel(*, since: datetime) -> dict[str, int]:
    clicks = click_counts(since=since)
    referrals = Referral.objects.filter(converted_at__gte=since).aggregate(
        conversions=Count("id"),
        flagged=Count("id", filter=Q(status=ReferralStatus.FLAGGED)),
        rejected=Count("id", filter=Q(status=ReferralStatus.REJECTED)),
    )
    rewards = ReferralReward.objects.filter(referral__converted_at__gte=since).aggregate(
        held=Count("id", filter=Q(status=HeldStatus.HELD)),
        released=Count("id", filter=Q(status=HeldStatus.RELEASED)),
        rejected_rewards=Count("id", filter=Q(status=HeldStatus.REJECTED)),
    )
    return {**clicks, **referrals, **rewards}


def referrals_matching(*, status: str = "", advocate_id: int | None = None) -> QuerySet[Referral]:
    referrals = Referral.objects.select_related("link__advocate__customer", "friend", "order")
    if status:
        referrals = referrals.filter(status=status)
    if advocate_id is not None:
        referrals = referrals.filter(link__advocate_id=advocate_id)
    return referrals.order_by("-converted_at", "-id")


def rewards_matching(*, status: str = "") -> QuerySet[ReferralReward]:
    rewards = ReferralReward.objects.select_related("referral__link__advocate__customer", "referral__friend")
    if status:
        rewards = rewards.filter(status=status)
    return rewards.order_by("release_after", "id")


class UnknownCode(ServiceError):
    """No referral link has this code."""


def landing_url_with_code(landing_url: str, code: str) -> str:
    """The landing URL with ``ref=<code>`` added to whatever query it already has."""
    parts = urlsplit(landing_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != CODE_PARAM]
    return urlunsplit(parts._replace(query=urlencode([*query, (CODE_PARAM, code)])))


CODE_PARAM = "ref"
