"""The appointment and recommendation pages serve admins, program managers and customer advocates."""

from __future__ import annotations

import datetime as dt
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from advocacy.casework.appointments import queries as appointments_queries
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments import slots as appointments_slots
from advocacy.casework.cases import services
from advocacy.casework.models import Appointment, AppointmentStatus, Case, Recommendation
from advocacy.core.models import User
from advocacy.customers.models import ContactWindow
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db
WORKERS = ["admin", "program_manager", "customer_advocate"]


@pytest.fixture
def case(staff: dict[str, User]) -> Case:
    berlin_office()
    customer = CustomerFactory(first_name="Rosa", time_zone="UTC")
    ContactWindow.objects.bulk_create(
        ContactWindow(customer=customer, weekday=d, starts=time(0), ends=time(23, 59)) for d in range(7)
    )
    scheduling.availability_set(user=staff["customer_advocate"], windows_text="Mon-Sun 00:00-24:00")
    return services.case_open(
        customer=customer, subject="Slow sync", by=None, owner=staff["customer_advocate"], needs=["sso"]
    )


@pytest.mark.parametrize("role", WORKERS)
def test_workers_reach_the_appointment_and_recommendation_pages(role, client_as, case):
    client = client_as(role)
    assert client.get(f"/cases/{case.pk}/appointments/").status_code == 200
    assert client.get("/cases/appointments/").status_code == 200
    assert client.get("/cases/appointments/availability/").status_code == 200
    assert client.get(f"/cases/{case.pk}/recommendations/").status_code == 200


def test_an_analyst_may_not_book(client_as, case):
    tomorrow = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    response = client_as("analyst").post(
        f"/cases/{case.pk}/appointments/book/",
        {"starts_at": tomorrow.isoformat(), "topic": "Call", "duration_minutes": 30},
    )
    assert response.status_code == 403
    assert client_as("analyst").get(f"/cases/{case.pk}/appointments/").status_code == 403
    assert not Appointment.objects.exists()


def test_a_customer_advocate_books_a_proposed_time_then_moves_and_cancels_it(client_as, case):
    client = client_as("customer_advocate")
    page = client.get(f"/cases/{case.pk}/appointments/")
    first, second = page.context["slots"][:2]

    client.post(
        f"/cases/{case.pk}/appointments/book/",
        {"starts_at": first.starts_at.isoformat(), "topic": "Sync check", "duration_minutes": 60},
    )
    appointment = Appointment.objects.get()
    assert (appointment.starts_at, appointment.staff.username, appointment.case_id) == (
        first.starts_at,
        "carol",
        case.pk,
    )
    assert "Sync check" in client.get("/cases/appointments/").text

    client.post(f"/cases/appointments/{appointment.pk}/reschedule/", {"starts_at": second.starts_at.isoformat()})
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.sequence) == (second.starts_at, 1)

    client.post(f"/cases/appointments/{appointment.pk}/cancel/", {"reason": "Solved by mail"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_a_time_typed_in_is_read_in_the_customers_zone(client_as, case):
    case.customer.time_zone = "America/New_York"
    case.customer.save()
    day = (timezone.now() + timedelta(days=10)).date()
    client_as("customer_advocate").post(
        f"/cases/{case.pk}/appointments/book/", {"local_start": f"{day}T10:00", "topic": "Call", "duration_minutes": 30}
    )

    local = Appointment.objects.get().starts_at.astimezone(appointments_slots.zone_of("America/New_York"))
    assert (local.date(), local.time()) == (day, time(10))


def test_a_customer_without_preferred_hours_is_asked_for_them(client_as, case):
    case.customer.contact_windows.all().delete()
    page = client_as("customer_advocate").get(f"/cases/{case.pk}/appointments/")
    assert "Ask the customer for their preferred hours" in page.text


def test_my_availability_is_saved_from_the_page(client_as, carol):
    client_as("customer_advocate").post("/cases/appointments/availability/", {"windows": "Tue 10:00-12:00"})
    assert appointments_queries.availability_text(carol) == "Tue 10:00-12:00"


def test_the_ranking_shows_margin_apart_and_records_a_customer_first_recommendation(client_as, case):
    own = ProductFactory(name="Team", capability_tags=["sso"], price=Decimal("59.00"), margin_pct=Decimal("81.00"))
    rival = ProductFactory(
        name="Rival", competitor="Rival Inc", capability_tags=["sso"], price=Decimal("39.00"), margin_pct=None
    )
    OrderFactory(customer=case.customer, product=own, amount=Decimal("59.00"))
    client = client_as("customer_advocate")

    page = client.get(f"/cases/{case.pk}/recommendations/")
    assert [row.product.name for row in page.context["rows"]] == ["Rival", "Team"]
    assert "Margin (staff only)" in page.text and "81.00%" in page.text

    client.post(f"/cases/{case.pk}/recommendations/record/", {"product": rival.pk, "reason": "Cheaper, same fit"})
    recommendation = Recommendation.objects.get()
    assert (
        recommendation.customer_first,
        recommendation.competitor,
        recommendation.cheaper_than_current,
        recommendation.fit,
    ) == (True, True, True, 1.0)

    client.post(f"/cases/recommendations/{recommendation.pk}/outcome/", {"outcome": "accepted"})
    recommendation.refresh_from_db()
    assert recommendation.outcome == "accepted"


def test_an_analyst_may_not_record_a_recommendation(client_as, case):
    product = ProductFactory(capability_tags=["sso"])
    response = client_as("analyst").post(
        f"/cases/{case.pk}/recommendations/record/", {"product": product.pk, "reason": "x"}
    )
    assert response.status_code == 403


def test_an_unknown_case_is_not_found(client_as, staff):
    assert client_as("customer_advocate").get("/cases/999/appointments/").status_code == 404


def test_a_booked_time_is_shown_in_the_viewers_zone_and_names_it(client_as, case, staff):
    carol = staff["customer_advocate"]
    carol.time_zone = "Europe/Berlin"
    carol.save()
    starts = dt.datetime(2030, 1, 15, 14, 0, tzinfo=dt.UTC)
    Appointment.objects.create(
        customer=case.customer,
        case=case,
        staff=carol,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        topic="Sync",
    )

    page = client_as("customer_advocate").get(f"/cases/{case.pk}/appointments/")

    assert "Tue 15 Jan 2030, 15:00 CET · Sync" in page.text  # 14:00 UTC is 15:00 in Berlin, and says so
