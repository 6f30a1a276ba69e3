"""The RFC 5545 calendar file attached to appointment mails (iTIP, RFC 5546).

One UID per appointment for its whole life, so a calendar updates the same entry when the
SEQUENCE rises (METHOD:REQUEST) and removes it on METHOD:CANCEL. Times are written in UTC ("Z"):
the customer's calendar shows them in whatever zone it is set to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from advocacy.casework.models import Appointment, AppointmentStatus

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"  # a downloaded file: add to my calendar, no reply asked
PRODID = "-//Advocacy//Appointments//EN"


def appointment_uid(appointment: Appointment) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"appointment-{appointment.pk}@{host}"


def address(email: str, name: str, **params: str) -> vCalAddress:
    found = vCalAddress(f"mailto:{email}")
    found.params["CN"] = vText(name or email)
    for key, value in params.items():
        found.params[key] = vText(value)
    return found


def organizer_email(appointment: Appointment) -> str:
    # A staff member without an address still needs an ORGANIZER; replies then go to the company.
    return appointment.staff.email or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()


def appointment_event(appointment: Appointment, method: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("summary", f"{appointment.topic} with {settings.COMPANY_NAME}")
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("organizer", address(organizer_email(appointment), appointment.staff.display_name))
    customer = appointment.customer
    event.add(
        "attendee",
        address(customer.email, customer.full_name, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
    )
    if appointment.case_id is not None:
        event.add("description", f"About your request #{appointment.case_id}.")
    return event


def appointment_calendar(appointment: Appointment, *, method: str, now: datetime | None = None) -> str:
    """The .ics text for an invitation or update (REQUEST), a cancellation (CANCEL) or a download (PUBLISH)."""
    if method not in {REQUEST, CANCEL, PUBLISH}:
        raise ValueError(f"unsupported iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(appointment_event(appointment, method, now or timezone.now()))
    return calendar.to_ical().decode()


def ics_attachment(appointment: Appointment, *, method: str) -> dict[str, Any]:
    """The attachment as the outbox stores it."""
    return {
        "filename": "invite.ics" if method == REQUEST else "cancel.ics",
        "content": appointment_calendar(appointment, method=method),
        "mimetype": "text/calendar",
    }


def ics_download(appointment: Appointment) -> HttpResponse:
    """The appointment as a file to add to a calendar; the same UID as its invitation, so it does not
    appear twice in a calendar that already has the invitation."""
    method = CANCEL if appointment.status == AppointmentStatus.CANCELLED else PUBLISH
    response = HttpResponse(
        appointment_calendar(appointment, method=method), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response
