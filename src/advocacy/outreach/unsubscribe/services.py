"""The one unsubscribe: a signed link in every mail to a customer, and RFC 8058 one-click headers.

The token is opaque and expires: a random key of the customer (``UnsubscribeKey``), signed with the
time it was made, valid for ``UNSUBSCRIBE_LINK_DAYS``. Links in mail sent before (the customer id,
signed without a time) are still honoured, so nobody loses the way out of mail they already have.
What an unsubscribe stops is the consent rule's (``customers.consent``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

from advocacy.core.errors import LinkRefused
from advocacy.core.links import absolute_url
from advocacy.customers.consent import UNSUBSCRIBE_WITHDRAWS, consents_in_force
from advocacy.customers.models import Customer
from advocacy.customers.records.services import consent_record
from advocacy.outreach.models import UnsubscribeKey

UNSUBSCRIBE_SALT = "advocacy.outreach.unsubscribe.key"
LEGACY_SALT = "advocacy.feedback.unsubscribe"  # links sent before the tokens became opaque
UNSUBSCRIBE_URL_NAME = "feedback:unsubscribe"  # the page is mounted in the feedback namespace it began in
SOURCE = "unsubscribe link"


def unsubscribe_key(customer: Customer) -> str:
    if customer._state.adding:  # a sample customer, as in a mail preview: a link that leads nowhere
        return "preview"
    found, _ = UnsubscribeKey.objects.get_or_create(customer=customer, defaults={"key": secrets.token_urlsafe(18)})
    return found.key


def unsubscribe_token(customer: Customer) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(unsubscribe_key(customer))


def unsubscribe_url(customer: Customer) -> str:
    return absolute_url(UNSUBSCRIBE_URL_NAME, token=unsubscribe_token(customer))


def unsubscribe_headers(customer: Customer) -> dict[str, str]:
    # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL; a GET only shows a button.
    return {"List-Unsubscribe": f"<{unsubscribe_url(customer)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_check(*, token: str) -> Customer:
    """The customer an unsubscribe link names; never writes (GET-safe)."""
    signer = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)
    try:
        key = signer.unsign(token, max_age=settings.UNSUBSCRIBE_LINK_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise LinkRefused(
            "This unsubscribe link has expired. Use the link in a newer mail, or sign in to your page.", "expired"
        ) from exc
    except signing.BadSignature:
        return legacy_unsubscribe_check(token=token)
    customer = Customer.objects.filter(pk__in=UnsubscribeKey.objects.filter(key=key).values("customer_id")).first()
    if customer is None:
        raise LinkRefused("This unsubscribe link is not valid.", "invalid")
    return customer


def legacy_unsubscribe_check(*, token: str) -> Customer:
    try:
        customer_id = signing.loads(token, salt=LEGACY_SALT)
    except signing.BadSignature as exc:
        raise LinkRefused("This unsubscribe link is not valid.", "invalid") from exc
    customer = Customer.objects.filter(pk=customer_id).first() if isinstance(customer_id, int) else None
    if customer is None:
        raise LinkRefused("This unsubscribe link is not valid.", "invalid")
    return customer


def unsubscribe_customer(*, token: str) -> Customer:
    """Withdraw the consents an unsubscribe withdraws; a second click records nothing more."""
    customer = unsubscribe_check(token=token)
    state = consents_in_force([customer.pk], UNSUBSCRIBE_WITHDRAWS)
    for purpose in UNSUBSCRIBE_WITHDRAWS:
        if state.get((customer.pk, purpose)) is not False:
            consent_record(customer=customer, purpose=purpose, granted=False, source=SOURCE, by=None)
    return customer
