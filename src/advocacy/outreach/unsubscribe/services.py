"""The one unsubscribe: a signed link in every mail to a customer, and RFC 8058 one-click headers.

The link path and its signing salt are those the survey mails have always used, so links in mail
already sent keep working. What an unsubscribe stops is the consent rule's (``customers.consent``).
"""

from __future__ import annotations

from django.core import signing

from advocacy.core.errors import LinkRefused
from advocacy.core.links import absolute_url
from advocacy.customers.consent import UNSUBSCRIBE_WITHDRAWS, consents_in_force
from advocacy.customers.models import Customer
from advocacy.customers.records.services import consent_record

UNSUBSCRIBE_SALT = "advocacy.feedback.unsubscribe"  # kept from its first home: sent links stay valid
UNSUBSCRIBE_URL_NAME = "feedback:unsubscribe"  # the page is mounted in the feedback namespace it began in
SOURCE = "unsubscribe link"


def unsubscribe_token(customer: Customer) -> str:
    return signing.dumps(customer.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(customer: Customer) -> str:
    return absolute_url(UNSUBSCRIBE_URL_NAME, token=unsubscribe_token(customer))


def unsubscribe_headers(customer: Customer) -> dict[str, str]:
    # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL; a GET only shows a button.
    return {"List-Unsubscribe": f"<{unsubscribe_url(customer)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_check(*, token: str) -> Customer:
    """The customer an unsubscribe link names; never writes (GET-safe)."""
    try:
        customer_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise LinkRefused("This unsubscribe link is not valid.", "invalid") from exc
    customer = Customer.objects.filter(pk=customer_id).first()
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
