"""Every mail to a customer: built in one place with RFC 8058 one-click unsubscribe, queued in the
outbox (idempotent by key) and sent by a task that claims the row once.

``mail_customer`` is how apps mail a customer; ``customer_message`` builds the same message for the
two senders that track their own delivery (survey invitations, sign-in links); ``mail_queue`` is the
outbox itself, also used for mail to staff.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.customers.models import Customer
from advocacy.outreach.models import MailStatus, OutboundMail
from advocacy.outreach.unsubscribe.services import unsubscribe_headers


def mail_queue(
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> OutboundMail:
    """Put a mail in the outbox and send it after commit; the same key queues nothing more."""
    existing = OutboundMail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            mail = OutboundMail.objects.create(
                key=key,
                to=to,
                subject=" ".join(subject.split())[:250],
                text=text,
                html=html,
                headers=headers or {},
                attachments=attachments or [],
            )
    except IntegrityError:
        return OutboundMail.objects.get(key=key)
    transaction.on_commit(lambda: enqueue_send(mail.pk))
    return mail


def mail_customer(
    *,
    customer: Customer,
    key: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: list[dict[str, Any]] | None = None,
) -> OutboundMail:
    """Queue a mail to a customer, with the one-click unsubscribe every customer mail carries."""
    return mail_queue(
        key=key,
        to=customer.email,
        subject=subject,
        text=text,
        html=html,
        headers=unsubscribe_headers(customer),
        attachments=attachments,
    )


def customer_message(*, customer: Customer, subject: str, text: str, html: str = "") -> EmailMultiAlternatives:
    """The same mail as ``mail_customer`` queues, built for a sender that sends and records it itself."""
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[customer.email], headers=unsubscribe_headers(customer)
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def mail_cancel(*, key: str) -> bool:
    """Take a mail out of the outbox if it has not left yet; say whether it was still there to take.

    One conditional DELETE: the sender claims a mail with a conditional UPDATE, so a mail is either
    cancelled here or sent, never both.
    """
    deleted, _ = OutboundMail.objects.filter(key=key, status=MailStatus.QUEUED).delete()
    return deleted > 0


def enqueue_send(mail_id: int) -> None:
    from advocacy.outreach.mail.tasks import send_mail

    send_mail.enqueue(mail_id)


def mail_send(*, mail_id: int) -> bool:
    """Send a queued mail at most once: a retry finds it no longer queued."""
    if OutboundMail.objects.filter(pk=mail_id, status=MailStatus.QUEUED).update(status=MailStatus.SENDING) != 1:
        return False
    mail = OutboundMail.objects.get(pk=mail_id)
    message = EmailMultiAlternatives(subject=mail.subject, body=mail.text, to=[mail.to], headers=mail.headers)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    for attachment in mail.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    try:
        message.send()
    except Exception as exc:
        OutboundMail.objects.filter(pk=mail_id).update(status=MailStatus.FAILED, error=str(exc)[:300])
        return False
    OutboundMail.objects.filter(pk=mail_id).update(status=MailStatus.SENT, sent_at=timezone.now())
    return True
