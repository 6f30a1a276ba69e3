"""Referral fraud rules: each a small function that returns its reason, or "" when it does not fire.

Each rule can be switched off in the program settings; a conversion that any rule flags is held for a
person to release or reject, with the reasons shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from advocacy.advocates.models import (
    ProgramSettings,
    Referral,
    ReferralClick,
    ReferralLink,
)
from advocacy.customers.models import Customer, Order


@dataclass
class Conversion:
    """What the fraud rules look at: the link, the friend and what we know of their device and IP."""

    link: ReferralLink
    friend: Customer
    order: Order | None
    device_hash: str
    ip_hash: str
    now: datetime
    settings: ProgramSettings
    click: ReferralClick | None = None
    referrer: Customer = field(init=False)

    def __post_init__(self) -> None:
        self.referrer = self.link.advocate.customer


def self_referral(c: Conversion) -> str:
    """The friend is the referrer: the same customer, email, full name, or company/household account."""
    friend, referrer = c.friend, c.referrer
    if friend.pk == referrer.pk or normalised_email(friend.email) == normalised_email(referrer.email):
        return "the friend's email is the referrer's own"
    if full_name_key(friend) and full_name_key(friend) == full_name_key(referrer):
        return f"the friend has the referrer's name ({friend.full_name})"
    if friend.account_id is not None and friend.account_id == referrer.account_id:
        # A household is one person's wallet; a company account is already our customer.
        return "the friend belongs to the referrer's own household or company account"
    return ""


def same_device(c: Conversion) -> str:
    """One browser behind several 'friends' of one advocate: the referrer signing up accounts themselves.

    The device cookie is the only device signal we have; the same cookie converting for a second friend
    of the same link is what it reliably shows.
    """
    if not c.device_hash:
        return ""
    others = Referral.objects.filter(link=c.link, click__device_hash=c.device_hash).exclude(friend=c.friend).count()
    if others:
        return f"the same device already converted for {others} other friend(s) of this advocate"
    return ""


def ip_burst(c: Conversion) -> str:
    """Many referrals from one IP within a week: an office proxy at best, a sign-up farm at worst."""
    ip = c.ip_hash or (c.click.ip_hash if c.click else "")
    if not ip:
        return ""
    earlier = (
        Referral.objects.filter(click__ip_hash=ip, converted_at__gt=c.now - WEEK, converted_at__lte=c.now)
        .exclude(friend=c.friend)
        .count()
    )
    limit = c.settings.ip_burst_per_week
    if earlier + 1 > limit:
        return f"{earlier + 1} referrals from one IP address within a week (more than {limit})"
    return ""


def similar_email(c: Conversion) -> str:
    """The friend's email is nearly the referrer's, or nearly another friend's of the same link."""
    known = [
        c.referrer.email,
        *Referral.objects.filter(link=c.link).exclude(friend=c.friend).values_list("friend__email", flat=True),
    ]
    for email in known:
        if email != c.friend.email and nearly_identical(c.friend.email, email):
            return f"the friend's email {c.friend.email} is nearly identical to {email}"
    return ""


def nearly_identical(a: str, b: str) -> bool:
    """Equal once normalised, or the same domain with local parts at most 2 edits apart.

    The edits allowed shrink with short local parts (at most a quarter of their length), so that
    tom@ and tim@ at one company stay two people while maria.lopez@ and maria.lopes@ do not.
    """
    local_a, _, domain_a = normalised_email(a).partition("@")
    local_b, _, domain_b = normalised_email(b).partition("@")
    if domain_a != domain_b:
        return False
    allowed = min(2, min(len(local_a), len(local_b)) // 4)
    return edit_distance(local_a, local_b) <= allowed


def first_time_friend(c: Conversion) -> str:
    """A referral rewards a new customer; someone who ordered before is not one."""
    before = c.order.ordered_on if c.order else timezone.localdate(c.now)
    earlier = Order.objects.filter(customer=c.friend, ordered_on__lt=before)
    if c.order is not None:
        earlier = earlier.exclude(pk=c.order.pk)
    n = earlier.count()
    return f"the friend is not a first-time customer ({n} earlier order(s))" if n else ""


FraudRule = Callable[[Conversion], str]


# rule code → (the ProgramSettings switch, the rule)
FRAUD_RULES: dict[str, tuple[str, FraudRule]] = {
    "self_referral": ("rule_self_referral", self_referral),
    "same_device": ("rule_same_device", same_device),
    "ip_burst": ("rule_ip_burst", ip_burst),
    "similar_email": ("rule_similar_email", similar_email),
    "first_time_friend": ("rule_first_time_friend", first_time_friend),
}


def fraud_reasons(c: Conversion) -> list[dict[str, str]]:
    """Every enabled rule that fires, with its reason; switched-off rules are not run at all."""
    reasons = []
    for code, (switch, rule) in FRAUD_RULES.items():
        if getattr(c.settings, switch):
            reason = rule(c)
            if reason:
                reasons.append({"rule": code, "reason": reason})
    return reasons


GMAIL_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalised_email(email: str) -> str:
    """Lower case, no +tag, and for Gmail no dots in the local part: the address mail actually reaches."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        domain = GMAIL_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def full_name_key(customer: Customer) -> str:
    return " ".join(customer.full_name.casefold().split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, two rows at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# Mail gateways and link previewers fetch links before people do; such fetches are not clicks.
NOT_A_PERSON = re.compile(
    r"bot|crawl|spider|slurp|preview|scanner|scan|proofpoint|mimecast|barracuda|safelinks|fortiguard|"
    r"facebookexternalhit|headless|curl|wget|python-requests|httpclient|go-http|java/|okhttp",
    re.IGNORECASE,
)


def looks_automated(user_agent: str) -> bool:
    return not user_agent.strip() or bool(NOT_A_PERSON.search(user_agent))


WEEK = timedelta(days=7)
