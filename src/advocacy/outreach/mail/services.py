"""Every mail to a customer: built in one place with RFC 8058 one-click unsubscribe, queued in the
outbox (idempotent by key) and sent by a task that claims the row once.

``mail_customer`` is how apps mail a customer; ``customer_message`` builds the same message for the
two senders that track their own delivery (survey invitations, sign-in links); ``mail_queue`` is the
outbox itself, also used for mail to staff. ``send_claimed`` and ``sends_recover`` are the one way a
row that stands for a mail (an outbox mail, a survey invitation) is sent at most once, crash or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from advocacy.core.jobs.runner import claim_prefix, current_claim
from advocacy.core.models import Job, JobStatus
from advocacy.customers.models import Customer
from advocacy.outreach.mail.handover import DeliveryFailed, DeliveryUnconfirmed, HandoverRefused, deliver
from advocacy.outreach.models import MailStatus, OutboundMail
from advocacy.outreach.unsubscribe.services import unsubscribe_headers

UNCONFIRMED_REASON = (
    "the worker stopped after handing this mail to the server and before the server's answer: it may have "
    "been delivered, so it is not sent again automatically"
)


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
    """Put a mail in the outbox with the job that sends it, both in this transaction (so neither is
    lost without the other); the job runs after commit. The same key queues nothing more."""
    from advocacy.outreach.mail.tasks import send_mail

    # Inserted first and read only when the key is taken: a new mail, the usual case, costs no read.
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
            send_mail.enqueue_once(send_job_key(mail.pk), mail.pk)
    except IntegrityError:
        return OutboundMail.objects.get(key=key)
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


def send_job_key(mail_id: int) -> str:
    return f"mail:{mail_id}"


def mails_cancel_after(last_id: int) -> int:
    """Take back every mail queued after the one with ``last_id`` that has not left, with its send job
    (the demo's replayed history); how many were taken back."""
    ids = list(OutboundMail.objects.filter(pk__gt=last_id, status=MailStatus.QUEUED).values_list("pk", flat=True))
    Job.objects.filter(key__in=[send_job_key(pk) for pk in ids], status=JobStatus.QUEUED).delete()
    OutboundMail.objects.filter(pk__in=ids).delete()
    return len(ids)


def message_id(kind: str, pk: int) -> str:
    """One Message-ID per row: a mail an admin sends again is recognisably the same mail to the receiver."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<{kind}.{pk}@{domain}>"


def outbox_message(mail: OutboundMail) -> EmailMessage:
    headers = {"Message-ID": message_id("mail", mail.pk), **mail.headers}
    message = EmailMultiAlternatives(subject=mail.subject, body=mail.text, to=[mail.to], headers=headers)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    for attachment in mail.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def mail_send(*, mail_id: int) -> bool:
    """Send a queued mail at most once (see ``send_claimed``); first settle what an earlier, interrupted
    attempt of this job left behind."""
    sends_recover(rows=OutboundMail.objects.filter(pk=mail_id), states=OUTBOX)
    return send_claimed(rows=OutboundMail.objects.all(), pk=mail_id, states=OUTBOX, build=outbox_message)


# --- sending a row at most once ---------------------------------------------------------------------


@dataclass(frozen=True)
class SendStates:
    """The status values of a table whose rows are mails: its rows need the fields ``status``, ``claim``,
    ``handed_over_at``, ``sent_at`` and ``error``."""

    queued: str
    sending: str
    sent: str
    failed: str
    unconfirmed: str


OUTBOX = SendStates(
    queued=MailStatus.QUEUED,
    sending=MailStatus.SENDING,
    sent=MailStatus.SENT,
    failed=MailStatus.FAILED,
    unconfirmed=MailStatus.UNCONFIRMED,
)


def send_claimed(*, rows: QuerySet[Any], pk: int, states: SendStates, build: Callable[[Any], EmailMessage]) -> bool:
    """Claim the row queued → sending, hand its mail over with the marker, record the outcome.

    Returns True when the server accepted it. A temporary failure puts the row back to queued and
    raises, so the job retries after its back-off; a permanent one (5xx) marks it failed; a lost
    answer after the handover marks it unconfirmed. Never sends a row twice.
    """
    claim = current_claim()
    if rows.filter(pk=pk, status=states.queued).update(status=states.sending, claim=claim, handed_over_at=None) != 1:
        return False
    mine = rows.filter(pk=pk, claim=claim)
    try:
        message = build(rows.get(pk=pk))
    except Exception:
        mine.update(status=states.queued, claim="")
        raise

    def mark_handover() -> bool:
        return mine.filter(status=states.sending).update(handed_over_at=timezone.now()) == 1

    try:
        deliver(message, mark_handover=mark_handover)
    except HandoverRefused:
        return False
    except DeliveryUnconfirmed as exc:
        mine.update(status=states.unconfirmed, error=str(exc)[:300])
        return False
    except DeliveryFailed as exc:
        if exc.permanent:
            mine.update(status=states.failed, handed_over_at=None, error=str(exc)[:300])
            return False
        mine.update(status=states.queued, claim="", handed_over_at=None, error=str(exc)[:300])
        raise
    mine.update(status=states.sent, sent_at=timezone.now(), error="")
    return True


def sends_recover(*, rows: QuerySet[Any], states: SendStates) -> tuple[int, int]:
    """Inside a job's attempt: settle the rows an earlier attempt of the same job left "sending".

    Never handed over → queued again (the server never had the whole mail); handed over → unconfirmed.
    Returns (queued again, unconfirmed).
    """
    prefix = claim_prefix()
    if prefix is None:
        return 0, 0
    left = rows.filter(status=states.sending, claim__startswith=prefix).exclude(claim=current_claim())
    again = left.filter(handed_over_at__isnull=True).update(status=states.queued, claim="")
    unsure = left.filter(handed_over_at__isnull=False).update(status=states.unconfirmed, error=UNCONFIRMED_REASON)
    return again, unsure


def mail_bodies_prune(now: datetime) -> int:
    """Empty the text of mail older than MAIL_BODY_RETENTION_DAYS that is settled (sent or failed):
    the row stays (the contact budget and the survey page count it), its words go."""
    days = settings.MAIL_BODY_RETENTION_DAYS
    if days <= 0:
        return 0
    return (
        OutboundMail.objects.filter(
            created_at__lt=now - timedelta(days=days), status__in=[MailStatus.SENT, MailStatus.FAILED]
        )
        .exclude(text="", html="", attachments=[])
        .update(text="", html="", attachments=[])
    )
