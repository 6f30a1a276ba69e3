"""Queue and send notification mails. Queuing is idempotent by key; sending claims the row once."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.outreach.models import MailStatus, OutboundMail


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


def enqueue_send(mail_id: int) -> None:
    from advocacy.outreach.tasks import send_mail

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
