"""Portal sign-in by single-use, expiring link sent by email.

The token is shown once (in the mail) and only its SHA-256 is stored. Spending it is one conditional
UPDATE, so two clicks racing each other cannot both sign in. The sign-in page runs ``magic_link_request``
after its response has gone out (so the answer does not depend on the address or the mail server), in
the web process rather than by a task: a task's arguments are stored in the queue table, and so would
be an outbox row's body, which would keep the token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advocacy.core.errors import LinkRefused
from advocacy.core.events import audit
from advocacy.customers.models import Customer, CustomerStatus
from advocacy.customers.rules import RuleError, clean_email
from advocacy.portal.models import MagicLink
from advocacy.portal.signin.mail import send_magic_link


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LinkRequest:
    sent: bool
    why_not: str = ""


def recent_links(customer: Customer) -> int:
    return MagicLink.objects.filter(customer=customer, created_at__gte=timezone.now() - timedelta(hours=1)).count()


@transaction.atomic
def magic_link_create(*, customer: Customer) -> str:
    """A new sign-in link token for the customer; the caller mails it."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    MagicLink.objects.create(
        customer=customer,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.MAGIC_LINK_MAX_AGE_MINUTES),
    )
    return token


def magic_link_request(*, email: str) -> LinkRequest:
    """Mail a sign-in link to a known, active customer, at most MAGIC_LINK_MAX_PER_HOUR an hour.

    The page says the same whatever happens here, so nobody can learn who is a customer.
    """
    try:
        address = clean_email(email)
    except RuleError as exc:
        return LinkRequest(sent=False, why_not=str(exc))
    customer = Customer.objects.filter(email=address, status=CustomerStatus.ACTIVE).first()
    if customer is None:
        return LinkRequest(sent=False, why_not="no active customer with that email")
    if recent_links(customer) >= settings.MAGIC_LINK_MAX_PER_HOUR:
        return LinkRequest(sent=False, why_not="too many links asked for in the last hour")
    token = magic_link_create(customer=customer)
    send_magic_link(customer, token)
    return LinkRequest(sent=True)


def magic_link_check(*, token: str) -> MagicLink:
    """The link a token names, if it can still be spent; never writes (GET-safe)."""
    link = MagicLink.objects.select_related("customer").filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkRefused("This sign-in link is not valid. Ask for a new one.", "invalid")
    if link.used_at is not None:
        raise LinkRefused("This sign-in link has already been used. Each link works once; ask for a new one.", "used")
    if link.expires_at <= timezone.now():
        raise LinkRefused("This sign-in link has expired. Ask for a new one.", "expired")
    if link.customer.status != CustomerStatus.ACTIVE:
        raise LinkRefused("This sign-in link is not valid. Ask for a new one.", "invalid")
    return link


def magic_link_spend(*, token: str) -> Customer:
    """Spend the link once: the conditional UPDATE succeeds for exactly one caller."""
    link = magic_link_check(token=token)
    now = timezone.now()
    spent = MagicLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if spent != 1:
        magic_link_check(token=token)  # raises with the reason it just stopped working
        raise LinkRefused("This sign-in link is not valid. Ask for a new one.", "invalid")
    audit(actor=None, label="customer", verb="portal.signed_in", obj=link.customer)
    return link.customer
