"""The customer's appointment mails: an invitation or update with a calendar file, a cancellation, a reminder.

Each is queued in the outbox inside the change's own transaction (it is sent after commit) under a
key that names the appointment and its SEQUENCE, so every change mails once and a retry adds nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from advocacy.casework.appointments import ics
from advocacy.casework.appointments.queries import local_time
from advocacy.casework.models import Appointment
from advocacy.core.links import absolute_url
from advocacy.core.timefmt import span_in_zone
from advocacy.outreach.mail.services import mail_customer, mail_queue


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


def staff_notice(appointment: Appointment, *, was: tuple[datetime, datetime] | None = None, reason: str = "") -> None:
    """Tell the staff member that the customer moved (``was`` is the old time) or cancelled the appointment
    from the portal, in the staff member's own zone; once per change (the key names the SEQUENCE)."""
    zone = appointment.staff.time_zone or "UTC"
    now = span_in_zone(appointment.starts_at, appointment.ends_at, zone)
    if was is not None:
        subject = f"Moved by {appointment.customer}: {appointment.topic}, now {now}"
        text = f"{appointment.customer} moved “{appointment.topic}” from {span_in_zone(*was, zone)} to {now}."
    else:
        subject = f"Cancelled by {appointment.customer}: {appointment.topic}, {now}"
        text = f"{appointment.customer} cancelled “{appointment.topic}” on {now}.\n\nTheir reason: {reason}"
    case_id = appointment.case_id
    case = f"\n\nCase #{case_id}: {absolute_url('casework:case_detail', case_id=case_id)}" if case_id else ""
    mail_queue(
        key=f"appointment:{appointment.pk}:{appointment.sequence}:staff-notice",
        to=appointment.staff.email,
        subject=subject,
        text=f"Hello {appointment.staff.display_name},\n\n{text}{case}\n\nThey did this in the customer portal; "
        "their calendar is updated.",
    )
