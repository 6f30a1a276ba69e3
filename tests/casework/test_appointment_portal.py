"""The customer's appointment card in the portal: their next appointment, moved only to a time within
their preferred hours that the staff member can take, or cancelled; the staff member is told by mail."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments.queries import local_time
from advocacy.casework.appointments.slots import slots_propose
from advocacy.casework.models import Appointment, AppointmentStatus
from advocacy.customers.models import ContactWindow, Customer
from advocacy.outreach.models import OutboundMail
from advocacy.portal.signin.services import magic_link_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def portal_client(customer: Customer) -> Client:
    client = Client()
    assert client.post(f"/portal/sign-in/{magic_link_create(customer=customer)}/").status_code == 302
    return client


@pytest.fixture
def booked(carol):  # type: ignore[no-untyped-def]
    """Rosa prefers 10:00–12:00 Berlin time on weekdays; Carol takes appointments all day; one is booked."""
    rosa = CustomerFactory(first_name="Rosa", last_name="Diaz", time_zone="Europe/Berlin")
    ContactWindow.objects.bulk_create(
        ContactWindow(customer=rosa, weekday=d, starts=time(10), ends=time(12)) for d in range(5)
    )
    carol.email, carol.time_zone = "carol@staff.example", "Europe/Berlin"
    carol.save(update_fields=["email", "time_zone"])
    scheduling.availability_set(user=carol, windows_text="Mon-Sun 00:00-24:00")
    first = slots_propose(customer=rosa, staff=carol, duration_minutes=30)[0]
    return scheduling.appointment_book(
        customer=rosa, staff=carol, starts_at=first.starts_at, duration_minutes=30, topic="Billing review", by=carol
    )


def test_my_page_shows_my_next_appointment_in_my_zone_with_move_and_cancel(booked):
    page = portal_client(booked.customer).get(reverse("portal:home")).text

    assert "Your next appointment" in page and "Billing review" in page
    assert local_time(booked) in page and local_time(booked).endswith(("CET", "CEST"))
    assert f'href="{reverse("portal:appointment", args=[booked.pk])}"' in page


def test_the_times_offered_lie_within_my_preferred_hours(booked):
    page = portal_client(booked.customer).get(reverse("portal:appointment", args=[booked.pk])).text

    offered = slots_propose(customer=booked.customer, staff=booked.staff, duration_minutes=30, n=8, exclude=booked)
    assert offered and all(s.customer_time in page for s in offered)
    assert all(10 <= s.starts_at.astimezone(ZoneInfo("Europe/Berlin")).hour < 12 for s in offered)


def test_moving_to_an_offered_time_updates_the_calendar_and_tells_the_staff_member(booked):
    later = slots_propose(customer=booked.customer, staff=booked.staff, duration_minutes=30, exclude=booked)[-1]

    moved = portal_client(booked.customer).post(
        reverse("portal:appointment", args=[booked.pk]), {"starts_at": later.starts_at.isoformat()}, follow=True
    )

    booked.refresh_from_db()
    assert booked.starts_at == later.starts_at and booked.sequence == 1
    assert "Moved to" in moved.text and "Carol" in moved.text
    notice = OutboundMail.objects.get(key=f"appointment:{booked.pk}:1:staff-notice")
    assert notice.to == "carol@staff.example" and notice.subject.startswith("Moved by Rosa Diaz: Billing review")
    assert OutboundMail.objects.filter(key=f"appointment:{booked.pk}:1:request", to=booked.customer.email).exists()


def test_a_time_outside_my_preferred_hours_is_refused(booked):
    night = (booked.starts_at + timedelta(days=1)).replace(hour=1)

    refused = portal_client(booked.customer).post(
        reverse("portal:appointment", args=[booked.pk]), {"starts_at": night.isoformat()}
    )

    assert refused.status_code == 422 and "Choose one of the times offered" in refused.text
    assert Appointment.objects.get(pk=booked.pk).sequence == 0
    assert not OutboundMail.objects.filter(key__endswith="staff-notice").exists()


def test_a_garbled_time_is_a_clear_422(booked):
    refused = portal_client(booked.customer).post(
        reverse("portal:appointment", args=[booked.pk]), {"starts_at": "tomorrow-ish"}
    )
    assert refused.status_code == 422 and "Choose one of the times below." in refused.text


def test_cancelling_needs_the_box_ticked_then_tells_the_staff_member_with_my_reason(booked):
    client = portal_client(booked.customer)
    url = reverse("portal:appointment_cancel", args=[booked.pk])

    unticked = client.post(url, {"reason": "Travelling"})
    assert unticked.status_code == 422 and "Tick the box to cancel" in unticked.text
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED

    client.post(url, {"reason": "Travelling that week", "confirm": "on"})
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.CANCELLED
    notice = OutboundMail.objects.get(key__endswith="staff-notice")
    assert notice.to == "carol@staff.example" and "Their reason: Travelling that week" in notice.text
    assert "Your next appointment" not in client.get(reverse("portal:home")).text


def test_another_customers_appointment_is_404(booked):
    stranger = portal_client(CustomerFactory())

    assert stranger.get(reverse("portal:appointment", args=[booked.pk])).status_code == 404
    cancel = stranger.post(reverse("portal:appointment_cancel", args=[booked.pk]), {"confirm": "on"})
    assert cancel.status_code == 404
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED
