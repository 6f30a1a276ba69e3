"""The sign-in mail: a single-use link, sent at once (the customer is waiting for it)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.core.links import absolute_url
from advocacy.customers.models import Customer
from advocacy.outreach.mail.services import customer_message


def magic_link_url(token: str) -> str:
    return absolute_url("portal:redeem", token=token)


def send_magic_link(customer: Customer, token: str) -> None:
    context = {
        "customer": customer,
        "url": magic_link_url(token),
        "company": settings.COMPANY_NAME,
        "minutes": settings.MAGIC_LINK_MAX_AGE_MINUTES,
    }
    customer_message(
        customer=customer,
        subject=f"Your sign-in link for {settings.COMPANY_NAME}",
        text=render_to_string("portal/email/magic_link.txt", context),
        html=render_to_string("portal/email/magic_link.html", context),
    ).send()
