"""The customer's appointment mails: an invitation or update with a calendar file, a cancellation, a reminder.

Each is queued in the outbox inside the change's own transaction (it is sent after commit) under a
key that names the appointment and its SEQUENCE, so every change mails once and a retry adds nothing.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.casework.appointments import ics
from advocacy.casework.models import Appointment
from advocacy.outreach.services import mail_queue


def local_span(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """'Mon 10 Mar 09:00–10:00 EDT' — the abbreviation says which side of a DST change it is."""
    start, end = starts_at.astimezone(ZoneInfo(zone or "UTC")), ends_at.astimezone(ZoneInfo(zone or "UTC"))
    return f"{start:%a %d %b %H:%M}–{end:%H:%M} {end:%Z}"


def local_time(appointment: Appointment) -> str:
    return local_span(appointment.starts_at, appointment.ends_at, appointment.customer.time_zone)


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
    mail_queue(
        key=f"appointment:{appointment.pk}:{appointment.sequence}:request",
        to=appointment.customer.email,
        subject=f"{'Moved' if moved else 'Booked'}: {appointment.topic}, {local_time(appointment)}",
        text=body("invitation", appointment, moved=moved),
        attachments=[ics.ics_attachment(appointment, method=ics.REQUEST)],
    )


def cancellation(appointment: Appointment, reason: str) -> None:
    mail_queue(
        key=f"appointment:{appointment.pk}:{appointment.sequence}:cancel",
        to=appointment.customer.email,
        subject=f"Cancelled: {appointment.topic}, {local_time(appointment)}",
        text=body("cancelled", appointment, reason=reason),
        attachments=[ics.ics_attachment(appointment, method=ics.CANCEL)],
    )


def reminder(appointment: Appointment) -> None:
    mail_queue(
        key=f"appointment-reminder:{appointment.pk}:{appointment.sequence}",
        to=appointment.customer.email,
        subject=f"Reminder: {appointment.topic}, {local_time(appointment)}",
        text=body("reminder", appointment),
    )
