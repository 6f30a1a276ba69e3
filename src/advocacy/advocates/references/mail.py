"""What a reference request mails: the ask to the advocate, with the hub link and one-click unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.advocates.models import ReferenceAsk
from advocacy.core.links import absolute_url
from advocacy.outreach.mail.services import mail_customer
from advocacy.outreach.unsubscribe.services import unsubscribe_url


def reference_ask_mail(ask: ReferenceAsk) -> None:
    customer = ask.advocate.customer
    text = render_to_string(
        "advocates/email/reference_ask.txt",
        {
            "customer": customer,
            "request": ask.request,
            "company": settings.COMPANY_NAME,
            "hub_url": absolute_url("hub:references"),
            "unsubscribe_url": unsubscribe_url(customer),
        },
    )
    mail_customer(
        customer=customer,
        key=f"reference-ask:{ask.pk}",
        subject=f"Would you talk to a company like yours about {settings.COMPANY_NAME}?",
        text=text,
    )
