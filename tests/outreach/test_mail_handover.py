"""An outbox mail is handed to a real SMTP server once: a temporary failure waits for a retry, a refusal
fails it, a lost answer after the whole mail went marks it unconfirmed, and a sender whose claim was
taken over delivers nothing."""

from __future__ import annotations

import asyncio

import pytest

from advocacy.core.jobs.services import job_run
from advocacy.core.models import Job
from advocacy.outreach.mail import services
from advocacy.outreach.mail.services import OUTBOX, outbox_message, send_claimed
from advocacy.outreach.models import OutboundMail
from tests.conftest import Inbox, free_port

pytestmark = pytest.mark.django_db


class SlowInbox(Inbox):
    """Takes the mail, then answers later than the client waits."""

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(3)
        return answer


class RefusingInbox(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        return "550 5.1.1 No such mailbox"


def serve(settings, handler):  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "advocacy.outreach.mail.handover.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return controller


def queued_mail() -> OutboundMail:
    return services.mail_queue(key="welcome:1", to="ann@example.com", subject="Welcome", text="Hello Ann")


def test_a_queued_mail_is_sent_once_with_its_own_message_id(smtp):
    mail = queued_mail()
    job = Job.objects.get(key=f"mail:{mail.pk}")

    assert services.mail_send(mail_id=mail.pk) is True
    assert services.mail_send(mail_id=mail.pk) is False

    mail.refresh_from_db()
    assert (mail.status, mail.handed_over_at is not None, mail.sent_at is not None) == ("sent", True, True)
    [message] = smtp.wait_for(1)
    assert message["Message-ID"] == f"<mail.{mail.pk}@localhost>"
    assert job.task_name == "send_mail"


def test_a_mail_server_that_is_down_leaves_the_mail_queued_for_the_jobs_retry(settings):
    settings.EMAIL_BACKEND = "advocacy.outreach.mail.handover.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens there
    mail = queued_mail()
    job = Job.objects.get(key=f"mail:{mail.pk}")

    assert job_run(job_id=job.pk) == "failed; retrying"

    mail.refresh_from_db()
    job.refresh_from_db()
    assert (mail.status, mail.claim, mail.handed_over_at) == ("queued", "", None)
    assert "Connection refused" in mail.error
    assert (job.status, job.attempts) == ("queued", 1)


def test_a_refused_recipient_fails_the_mail_for_good(settings):
    controller = serve(settings, RefusingInbox())
    try:
        mail = queued_mail()
        assert services.mail_send(mail_id=mail.pk) is False
    finally:
        controller.stop()
    mail.refresh_from_db()
    assert mail.status == "failed" and "No such mailbox" in mail.error


def test_no_answer_after_the_whole_mail_marks_it_unconfirmed_never_sent_again(settings):
    inbox = SlowInbox()
    controller = serve(settings, inbox)
    settings.EMAIL_TIMEOUT = 1
    try:
        mail = queued_mail()
        assert services.mail_send(mail_id=mail.pk) is False
        assert services.mail_send(mail_id=mail.pk) is False
        inbox.wait_for(1)
    finally:
        controller.stop()
    mail.refresh_from_db()
    assert (mail.status, mail.handed_over_at is not None, mail.sent_at) == ("unconfirmed", True, None)
    assert len(inbox.messages) == 1


def test_a_sender_whose_claim_was_taken_over_delivers_nothing(smtp):
    mail = queued_mail()

    def taken_over(row: OutboundMail):  # type: ignore[no-untyped-def]
        # While this sender works, a later attempt of its job settles the row (it thought this one dead).
        OutboundMail.objects.filter(pk=row.pk).update(status="queued", claim="")
        return outbox_message(row)

    assert send_claimed(rows=OutboundMail.objects.all(), pk=mail.pk, states=OUTBOX, build=taken_over) is False

    assert smtp.messages == [], "the connection was dropped before the final dot: the server discards it"
    mail.refresh_from_db()
    assert (mail.status, mail.handed_over_at) == ("queued", None)
    assert services.mail_send(mail_id=mail.pk) is True
    assert len(smtp.wait_for(1)) == 1
