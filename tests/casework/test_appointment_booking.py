"""Booking, moving and cancelling an appointment: no double booking, the customer's calendar follows
every change through a real mail, and each reminder goes once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar, Component

from advocacy.casework.appointments import services as scheduling
from advocacy.casework.cases import services
from advocacy.casework.models import AppointmentStatus, EventKind
from advocacy.core.errors import ServiceError
from advocacy.core.staff.services import user_create
from advocacy.outreach.models import OutboundMail
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory


def next_hour(days: int) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def ics_text(message: EmailMessage) -> str:
    (attachment,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = attachment.get_content()
    return content.decode() if isinstance(content, bytes) else str(content)


def calendar_in(message: EmailMessage) -> Calendar:
    return Calendar.from_ical(ics_text(message))


def mail_titled(messages: list[EmailMessage], start: str) -> EmailMessage:
    # An encoded subject (it has a dash) can come back folded; compare its words.
    return next(m for m in messages if " ".join(str(m["Subject"]).split()).startswith(start))


def event_of(calendar: Calendar) -> Component:
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.django_db
def test_a_second_booking_that_overlaps_is_refused(carol):
    starts = next_hour(3)
    scheduling.appointment_book(
        customer=CustomerFactory(), staff=carol, starts_at=starts, duration_minutes=60, topic="Billing review", by=carol
    )

    with pytest.raises(ServiceError, match="already has “Billing review”"):
        scheduling.appointment_book(
            customer=CustomerFactory(),
            staff=carol,
            starts_at=starts + timedelta(minutes=30),
            duration_minutes=60,
            topic="Setup call",
            by=carol,
        )
    back_to_back = scheduling.appointment_book(
        customer=CustomerFactory(),
        staff=carol,
        starts_at=starts + timedelta(hours=1),
        duration_minutes=30,
        topic="Setup call",
        by=carol,
    )
    assert back_to_back.ends_at == starts + timedelta(minutes=90)


@pytest.mark.django_db
def test_the_customer_cannot_be_booked_into_two_appointments_at_once(carol):
    customer = CustomerFactory(first_name="Rosa", last_name="Diaz")
    starts = next_hour(3)
    scheduling.appointment_book(
        customer=customer, staff=carol, starts_at=starts, duration_minutes=60, topic="Billing review", by=carol
    )
    hannah = user_create(
        username="hannah", email="hannah@example.com", role="customer_advocate", password="pw-for-tests-only-42x"
    )
    with pytest.raises(ServiceError, match="Rosa Diaz already has “Billing review”"):
        scheduling.appointment_book(
            customer=customer, staff=hannah, starts_at=starts, duration_minutes=30, topic="Setup call", by=hannah
        )


@pytest.mark.django_db
def test_moving_onto_another_appointment_is_refused_and_a_past_time_too(carol):
    starts = next_hour(3)
    first = scheduling.appointment_book(
        customer=CustomerFactory(), staff=carol, starts_at=starts, duration_minutes=60, topic="One", by=carol
    )
    second = scheduling.appointment_book(
        customer=CustomerFactory(),
        staff=carol,
        starts_at=starts + timedelta(hours=2),
        duration_minutes=60,
        topic="Two",
        by=carol,
    )

    with pytest.raises(ServiceError, match="already has “One”"):
        scheduling.appointment_reschedule(appointment=second, starts_at=starts + timedelta(minutes=30), by=carol)
    with pytest.raises(ServiceError, match="in the future"):
        scheduling.appointment_book(
            customer=CustomerFactory(),
            staff=carol,
            starts_at=timezone.now(),
            duration_minutes=30,
            topic="Too late",
            by=carol,
        )
    moved = scheduling.appointment_reschedule(appointment=first, starts_at=starts - timedelta(hours=1), by=carol)
    assert (moved.starts_at, moved.sequence) == (starts - timedelta(hours=1), 1)


@pytest.mark.django_db(transaction=True)
def test_the_customer_gets_an_invitation_an_update_and_a_cancellation_for_their_calendar(staff, smtp):
    berlin_office()
    carol = staff["customer_advocate"]
    customer = CustomerFactory(email="rosa@example.com", first_name="Rosa", time_zone="America/New_York")
    case = services.case_open(customer=customer, subject="Router keeps dropping", by=None, owner=carol)
    starts = next_hour(4)

    appointment = scheduling.appointment_book(
        customer=customer, staff=carol, case=case, starts_at=starts, duration_minutes=45, topic="Line check", by=carol
    )
    call_command("worker", "--batch")
    invitation = mail_titled(smtp.wait_for(2), "Booked: Line check")
    assert invitation["To"] == "rosa@example.com"
    assert "(your time, America/New_York)" in smtp.body(invitation)
    calendar = calendar_in(invitation)
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (starts, starts + timedelta(minutes=45))
    assert f"DTSTART:{starts:%Y%m%dT%H%M%S}Z" in ics_text(invitation), "written in UTC"
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"
    assert (event["SEQUENCE"], str(event["STATUS"])) == (0, "CONFIRMED")
    assert str(event["ORGANIZER"]) == "mailto:carol@staff.example"
    assert str(event["ATTENDEE"]) == "mailto:rosa@example.com"

    later = starts + timedelta(days=1)
    scheduling.appointment_reschedule(appointment=appointment, starts_at=later, by=carol)
    call_command("worker", "--batch")
    update = mail_titled(smtp.wait_for(3), "Moved: Line check")
    event = event_of(calendar_in(update))
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1", "the same calendar entry"
    assert (event["SEQUENCE"], event.decoded("DTSTART")) == (1, later)

    scheduling.appointment_cancel(appointment=appointment, by=carol, reason="The line was fixed remotely.")
    call_command("worker", "--batch")
    cancellation = mail_titled(smtp.wait_for(4), "Cancelled: Line check")
    calendar = calendar_in(cancellation)
    event = event_of(calendar)
    assert (str(calendar["METHOD"]), event["SEQUENCE"], str(event["STATUS"])) == ("CANCEL", 2, "CANCELLED")
    assert "The line was fixed remotely." in smtp.body(cancellation)

    visible = list(
        case.events.filter(kind=EventKind.APPOINTMENT, visible_to_customer=True).values_list("body", flat=True)
    )
    assert len(visible) == 3
    assert visible[0] == f"Appointment booked with Carol: {scheduling.customer_time(appointment)}, Line check."
    assert visible[0].endswith(("EST, Line check.", "EDT, Line check.")), "in the customer's zone"
    assert visible[2].endswith("cancelled: The line was fixed remotely.")


@pytest.mark.django_db
def test_a_cancelled_appointment_cannot_be_moved_or_cancelled_again(carol):
    appointment = scheduling.appointment_book(
        customer=CustomerFactory(), staff=carol, starts_at=next_hour(2), duration_minutes=30, topic="Call", by=carol
    )
    scheduling.appointment_cancel(appointment=appointment, by=carol, reason="Customer asked")

    with pytest.raises(ServiceError, match="is cancelled"):
        scheduling.appointment_reschedule(appointment=appointment, starts_at=next_hour(5), by=carol)
    with pytest.raises(ServiceError, match="is cancelled"):
        scheduling.appointment_cancel(appointment=appointment, by=carol, reason="again")
    appointment.refresh_from_db()
    assert (appointment.status, appointment.sequence) == (AppointmentStatus.CANCELLED, 1)


@pytest.mark.django_db
def test_reminders_go_once_for_appointments_in_the_next_day(carol):
    soon = scheduling.appointment_book(
        customer=CustomerFactory(),
        staff=carol,
        starts_at=timezone.now() + timedelta(hours=10),
        duration_minutes=30,
        topic="Soon",
        by=carol,
    )
    scheduling.appointment_book(
        customer=CustomerFactory(),
        staff=carol,
        starts_at=timezone.now() + timedelta(hours=30),
        duration_minutes=30,
        topic="Later",
        by=carol,
    )

    assert scheduling.appointments_remind() == 1
    assert scheduling.appointments_remind() == 0
    assert list(OutboundMail.objects.filter(key__startswith="appointment-reminder").values_list("to", "subject")) == [
        (soon.customer.email, f"Reminder: Soon, {scheduling.customer_time(soon)}")
    ]

    scheduling.appointment_reschedule(appointment=soon, starts_at=soon.starts_at + timedelta(hours=1), by=carol)
    assert scheduling.appointments_remind() == 1, "a new time gets its own reminder"
