"""What the hub mails: the hub invitation and challenge invitations, each once (keyed in the outbox)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.advocates.models import Advocate, Challenge, HubInvitation
from advocacy.core.links import absolute_url
from advocacy.outreach.mail.services import mail_customer
from advocacy.outreach.unsubscribe.services import unsubscribe_url


def hub_invitation_mail(invitation: HubInvitation) -> None:
    customer = invitation.customer
    text = render_to_string(
        "advocates/email/hub_invitation.txt",
        {
            "customer": customer,
            "company": settings.COMPANY_NAME,
            "hub_url": absolute_url("hub:home"),
            "unsubscribe_url": unsubscribe_url(customer),
        },
    )
    mail_customer(
        customer=customer,
        key=f"hub-invitation:{invitation.pk}",
        subject=f"An invitation to the {settings.COMPANY_NAME} advocate hub",
        text=text,
    )


def challenge_invitation_mail(challenge: Challenge, advocate: Advocate) -> None:
    customer = advocate.customer
    text = render_to_string(
        "advocates/email/challenge_invitation.txt",
        {
            "customer": customer,
            "company": settings.COMPANY_NAME,
            "challenge": challenge,
            "challenge_url": absolute_url("hub:challenge", challenge_id=challenge.pk),
            "unsubscribe_url": unsubscribe_url(customer),
        },
    )
    mail_customer(
        customer=customer,
        key=f"challenge-invitation:{challenge.pk}:{advocate.pk}",
        subject=f"New challenge: {challenge.title}",
        text=text,
    )
