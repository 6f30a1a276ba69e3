"""The customer's appointment mails: an invitation or update with a calendar file, a cancellation, a reminder.

Each is queued in the outbox inside the change's own transaction (it is sent after commit) under a
key that names the appointment and its SEQUENCE, so every change mails once and a retry adds nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.casework.appointments import ics
from advocacy.casework.appointments.queries import local_time
from advocacy.casework.models import Appointment
from advocacy.outreach.mail.services import mail_customer


def body(template: str, appointment: Appointment, **context: object) -> str:
    values = {
        "appointment": appointment,
        "customer": appointment.customer,
        "staff": appointment.staff,
        "when": local_time(appointment),
        "zone": appointment.customer.time_zone,
        "company": settings.COMPANY_NAME,
        **context,
    }
    return render_to_string(f"casework/email/appointment_{template}.txt", values)


def invitation(appointment: Appointment) -> None:
    """A new time (SEQUENCE 0) or a moved one (higher SEQUENCE): the calendar entry is created or updated."""
    moved = appointment.sequence > 0
    mail_customer(
        key=f"appointment:{appointment.pk}:{appointment.sequence}:request",
        customer=appointment.customer,
        subject=f"{'Moved' if moved else 'Booked'}: {appointment.topic}, {local_time(appointment)}",
        text=body("invitation", appointment, moved=moved),
        attachments=[ics.ics_attachment(appointment, method=ics.REQUEST)],
    )


def cancellation(appointment: Appointment, reason: str) -> None:
    mail_customer(
        key=f"appointment:{appointment.pk}:{appointment.sequence}:cancel",
        customer=appointment.customer,
        subject=f"Cancelled: {appointment.topic}, {local_time(appointment)}",
        text=body("cancelled", appointment, reason=reason),
        attachments=[ics.ics_attachment(appointment, method=ics.CANCEL)],
    )


def reminder(appointment: Appointment) -> None:
    mail_customer(
        key=f"appointment-reminder:{appointment.pk}:{appointment.sequence}",
        customer=appointment.customer,
        subject=f"Reminder: {appointment.topic}, {local_time(appointment)}",
        text=body("reminder", appointment),
    )
