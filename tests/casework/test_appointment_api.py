"""The appointment and recommendation API: the same services as the pages, behind declared roles."""

from __future__ import annotations

from datetime import UTC, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from advocacy.api import api as advocacy_api
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments.api import router
from advocacy.casework.cases import services
from advocacy.casework.models import Appointment, Case
from advocacy.core.models import User
from advocacy.customers.models import ContactWindow
from tests.casework.helpers import berlin_office
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not any(r is router for _, r, *_ in advocacy_api._router_registrations),
        reason="mount advocacy.casework.appointments.api.router in advocacy/api.py",
    ),
]


@pytest.fixture
def case(staff: dict[str, User]) -> Case:
    berlin_office()
    customer = CustomerFactory(time_zone="UTC")
    ContactWindow.objects.bulk_create(
        ContactWindow(customer=customer, weekday=d, starts=time(9), ends=time(17)) for d in range(7)
    )
    scheduling.availability_set(user=staff["customer_advocate"], windows_text="Mon-Sun 08:00-18:00")
    return services.case_open(
        customer=customer, subject="Slow sync", by=None, owner=staff["customer_advocate"], needs=["sso"]
    )


def in_days(days: int, hour: int = 10) -> str:
    moment = (timezone.now() + timedelta(days=days)).astimezone(UTC)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat().replace("+00:00", "Z")


def test_slots_booking_moving_and_cancelling_through_the_api(api, case, carol):
    client = api("customer_advocate")

    slots = client.get(f"/api/v1/cases/{case.pk}/slots?duration_minutes=30&n=3").json()
    assert len(slots) == 3 and all(s["customer_time"].endswith("UTC") for s in slots)

    booked = client.post(
        "/api/v1/appointments",
        {"case_id": case.pk, "starts_at": slots[0]["starts_at"], "duration_minutes": 30, "topic": "Sync check"},
        content_type="application/json",
    )
    assert booked.status_code == 201, booked.json()
    body = booked.json()
    assert (body["staff_id"], body["customer_id"], body["sequence"]) == (carol.pk, case.customer_id, 0)

    clash = client.post(
        "/api/v1/appointments",
        {
            "customer_id": CustomerFactory().pk,
            "staff_id": carol.pk,
            "starts_at": slots[0]["starts_at"],
            "topic": "Other",
        },
        content_type="application/json",
    )
    assert clash.status_code == 409 and "already has" in clash.json()["detail"]

    moved = client.patch(
        f"/api/v1/appointments/{body['id']}", {"starts_at": in_days(5)}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["sequence"] == 1

    cancelled = client.post(
        f"/api/v1/appointments/{body['id']}/cancel", {"reason": "Solved"}, content_type="application/json"
    )
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)

    listed = api("analyst").get(f"/api/v1/appointments?staff_id={carol.pk}").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def test_slots_without_preferred_hours_say_to_ask_the_customer(api, case):
    case.customer.contact_windows.all().delete()
    response = api("customer_advocate").get(f"/api/v1/cases/{case.pk}/slots")
    assert response.status_code == 409
    assert "Ask the customer for their preferred hours" in response.json()["detail"]


def test_an_analyst_reads_but_may_not_book(api, case):
    response = api("analyst").post(
        "/api/v1/appointments",
        {"case_id": case.pk, "starts_at": in_days(2), "topic": "Call"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_recommendations_are_ranked_recorded_and_decided_through_the_api(api, case, carol):
    own = ProductFactory(name="Team", capability_tags=["sso"], price=Decimal("59.00"), margin_pct=Decimal("81.00"))
    rival = ProductFactory(name="Rival", competitor="Rival Inc", capability_tags=["sso"], price=Decimal("39.00"))
    OrderFactory(customer=case.customer, product=own, amount=Decimal("59.00"))
    client = api("customer_advocate")

    ranked = client.get(f"/api/v1/cases/{case.pk}/recommendations").json()
    assert [(r["name"], r["cheaper_than_current"], r["current"]) for r in ranked] == [
        ("Rival", True, False),
        ("Team", False, True),
    ]

    created = client.post(
        "/api/v1/recommendations",
        {"case_id": case.pk, "product_id": rival.pk, "reason": "Same fit, 20 USD less"},
        content_type="application/json",
    )
    assert created.status_code == 201
    # The key acts as the customer advocate it is bound to (Carol), not as the admin who made it.
    assert (created.json()["customer_first"], created.json()["recorded_by_id"]) == (True, carol.pk)

    decided = client.patch(
        f"/api/v1/recommendations/{created.json()['id']}", {"outcome": "declined"}, content_type="application/json"
    )
    assert decided.json()["outcome"] == "declined"
    listed = api("analyst").get("/api/v1/recommendations?customer_first=true").json()
    assert [item["id"] for item in listed["items"]] == [created.json()["id"]]
