"""Handing a mail to the SMTP server with a marker written just before the server can accept it.

SMTP has no idempotency key: once the client sends the final "." of DATA the server may deliver the
mail, and if the client dies before it records the server's "250" nobody can tell whether it went
(RFC 1047). So a send records two markers on its row (``claim`` when it starts, ``handed_over_at``
just before that final "."), and whoever picks up after a crash reads them:

- claimed, never handed over: the server was never given a complete message (a dropped connection
  in the middle of DATA is discarded), so sending it again cannot make a second copy;
- handed over, no "sent": the mail may or may not have gone; it is marked *unconfirmed* and never
  sent again automatically.

The handover marker is written with a condition on the claim, so a sender whose claim was taken
over (a worker wrongly thought dead) fails to write it and drops the connection before the final
"." instead: only one sender can ever complete the mail.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

LEADING_DOT = re.compile(rb"(?m)^\.")


class HandoverRefused(Exception):
    """The row's claim is no longer ours: nothing was delivered, someone else owns the send now."""


class DeliveryFailed(Exception):
    """The server did not take the mail. ``permanent``: it refused it for good (a 5xx answer)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class DeliveryUnconfirmed(Exception):
    """The whole mail was handed over but no answer came back: it may have been delivered."""


class HandoverSMTPMixin:
    """smtplib's DATA step with a hook between the message body and the final "."."""

    before_final_dot: Callable[[], None] | None = None
    final_dot_sent = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        smtp: Any = self
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = msg.encode("ascii") if isinstance(msg, str) else msg
        body = LEADING_DOT.sub(b"..", body)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        smtp.send(body)
        if self.before_final_dot is not None:
            try:
                self.before_final_dot()
            except BaseException:
                smtp.close()  # the server discards a message whose DATA never ended
                raise
        self.final_dot_sent = True
        smtp.send(b".\r\n")
        return smtp.getreply()


class HandoverSMTP(HandoverSMTPMixin, smtplib.SMTP):
    pass


class HandoverSMTPSSL(HandoverSMTPMixin, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoSMTPBackend):
    """Django's SMTP backend whose connection calls a message's ``before_final_dot`` hook.

    Settings name it instead of Django's own whenever EMAIL_URL is an SMTP server.
    """

    final_dot_sent = False

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return HandoverSMTPSSL if self.use_ssl else HandoverSMTP

    def _send(self, email_message: EmailMessage) -> bool:
        connection: Any = self.connection
        connection.before_final_dot = getattr(email_message, "before_final_dot", None)
        connection.final_dot_sent = False
        try:
            return bool(super()._send(email_message))  # type: ignore[misc]
        finally:
            self.final_dot_sent = connection.final_dot_sent
            connection.before_final_dot = None


def permanent(exc: BaseException) -> bool:
    """A 5xx answer refuses this mail for good; 4xx answers, refused connections and timeouts pass."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def deliver(message: EmailMessage, *, mark_handover: Callable[[], bool]) -> None:
    """Send ``message``; ``mark_handover`` writes the handover marker and says whether the claim held.

    Raises HandoverRefused, DeliveryFailed (nothing was delivered) or DeliveryUnconfirmed.
    """

    def guard() -> None:
        if not mark_handover():
            raise HandoverRefused("the claim on this mail was taken over; it was not delivered")

    connection: Any = message.get_connection()  # type: ignore[attr-defined]
    if isinstance(connection, DjangoSMTPBackend) and not isinstance(connection, EmailBackend):
        connection = EmailBackend()  # Django's own SMTP backend named in settings: same server, with the hook
    if not isinstance(connection, EmailBackend):
        # Console, file and in-memory backends: no server, no window; mark, then hand it over.
        guard()
        try:
            connection.send_messages([message])
        except Exception as exc:
            raise DeliveryUnconfirmed(f"the mail backend failed after the handover: {exc}") from exc
        return
    message.before_final_dot = guard  # type: ignore[attr-defined]
    try:
        connection.send_messages([message])
    except HandoverRefused:
        raise
    except Exception as exc:
        answered = isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
        if connection.final_dot_sent and not answered:
            raise DeliveryUnconfirmed(f"no answer from the mail server after the whole mail was sent: {exc}") from exc
        raise DeliveryFailed(str(exc) or type(exc).__name__, permanent=permanent(exc)) from exc
