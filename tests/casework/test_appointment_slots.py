"""Proposed slots fit both the customer's preferred hours and the staff member's availability, each in
their own zone, across daylight-saving changes, and never clash with a booked appointment."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from advocacy.casework.appointments import queries as reads
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments import slots as proposing
from advocacy.casework.models import Appointment
from advocacy.core.models import User
from advocacy.customers.models import ContactWindow, Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def new_yorker(hours: str = "09:00-11:00") -> Customer:
    customer = CustomerFactory(time_zone="America/New_York")
    start, end = (time.fromisoformat(t) for t in hours.split("-"))
    ContactWindow.objects.bulk_create(
        ContactWindow(customer=customer, weekday=d, starts=start, ends=end) for d in range(5)
    )
    return customer


@pytest.fixture
def berlin_carol(carol: User) -> User:
    carol.time_zone = "Europe/Berlin"
    carol.save(update_fields=["time_zone"])
    scheduling.availability_set(user=carol, windows_text="Mon-Fri 14:00-16:00")
    return carol


def test_slots_lie_where_both_windows_overlap_shown_in_both_zones(berlin_carol):
    # January: New York is UTC-5, Berlin UTC+1. Customer 09:00–11:00 NY = 14:00–16:00 UTC; Carol
    # 14:00–16:00 Berlin = 13:00–15:00 UTC; so only 14:00–15:00 UTC = 09:00–10:00 NY = 15:00–16:00 Berlin.
    slots = proposing.slots_propose(customer=new_yorker(), staff=berlin_carol, n=3, now=utc(2025, 1, 13, 8))

    assert [s.starts_at for s in slots] == [utc(2025, 1, 13, 14), utc(2025, 1, 14, 14), utc(2025, 1, 15, 14)]
    assert [s.ends_at for s in slots] == [utc(2025, 1, 13, 15), utc(2025, 1, 14, 15), utc(2025, 1, 15, 15)]
    assert slots[0].customer_time == "Mon 13 Jan 09:00–10:00 EST"
    assert slots[0].staff_time == "Mon 13 Jan 15:00–16:00 CET"


def test_the_first_time_of_each_day_comes_before_a_second_time_on_any_day(berlin_carol):
    slots = proposing.slots_propose(
        customer=new_yorker(), staff=berlin_carol, duration_minutes=30, n=7, now=utc(2025, 1, 13, 8)
    )

    assert [s.customer_time for s in slots] == [
        "Mon 13 Jan 09:00–09:30 EST",
        "Tue 14 Jan 09:00–09:30 EST",
        "Wed 15 Jan 09:00–09:30 EST",
        "Thu 16 Jan 09:00–09:30 EST",
        "Fri 17 Jan 09:00–09:30 EST",
        "Mon 20 Jan 09:00–09:30 EST",
        "Tue 21 Jan 09:00–09:30 EST",
    ]
    everything = proposing.slots_propose(
        customer=new_yorker(), staff=berlin_carol, duration_minutes=30, n=100, now=utc(2025, 1, 13, 8), days_ahead=0
    )
    assert [s.customer_time for s in everything] == ["Mon 13 Jan 09:00–09:30 EST", "Mon 13 Jan 09:30–10:00 EST"]


def slots_by_day(slots: list[proposing.Slot]) -> dict[str, list[str]]:
    days: dict[str, list[str]] = {}
    for slot in slots:
        days.setdefault(slot.customer_time[:10], []).append(f"{slot.customer_time[11:]} = {slot.staff_time[11:]}")
    return days


def test_slots_follow_each_zone_through_the_weeks_when_the_us_and_eu_change_clocks_apart(berlin_carol):
    # 2025: New York moves to summer time on 9 March, Berlin on 30 March. In between, the two are
    # five hours apart instead of six, and Carol's afternoon covers the customer's whole window.
    days = slots_by_day(
        proposing.slots_propose(
            customer=new_yorker(), staff=berlin_carol, n=100, now=utc(2025, 3, 6, 20), days_ahead=30
        )
    )

    assert days["Fri 07 Mar"] == ["09:00–10:00 EST = 15:00–16:00 CET"]
    assert days["Mon 10 Mar"] == [
        "09:00–10:00 EDT = 14:00–15:00 CET",
        "09:30–10:30 EDT = 14:30–15:30 CET",
        "10:00–11:00 EDT = 15:00–16:00 CET",
    ]
    assert days["Fri 28 Mar"] == days["Mon 10 Mar"]
    assert days["Mon 31 Mar"] == ["09:00–10:00 EDT = 15:00–16:00 CEST"]
    assert "Sat 08 Mar" not in days and "Sun 30 Mar" not in days


def test_a_booked_appointment_of_the_staff_member_is_not_offered_again(berlin_carol):
    customer = new_yorker()
    Appointment.objects.create(
        customer=CustomerFactory(),
        staff=berlin_carol,
        topic="Another customer",
        starts_at=utc(2025, 3, 10, 14),
        ends_at=utc(2025, 3, 10, 14, 30),
    )
    Appointment.objects.create(
        customer=CustomerFactory(),
        staff=berlin_carol,
        topic="Cancelled one",
        starts_at=utc(2025, 3, 11, 13),
        ends_at=utc(2025, 3, 11, 15),
        status="cancelled",
    )

    days = slots_by_day(
        proposing.slots_propose(customer=customer, staff=berlin_carol, n=100, now=utc(2025, 3, 6, 20), days_ahead=5)
    )

    assert days["Mon 10 Mar"] == ["09:00–10:00 EDT = 14:00–15:00 CET"]
    assert len(days["Tue 11 Mar"]) == 3, "a cancelled appointment frees its time"


def test_slots_start_at_least_two_hours_from_now(berlin_carol):
    slots = proposing.slots_propose(customer=new_yorker(), staff=berlin_carol, n=1, now=utc(2025, 3, 10, 11, 30))

    assert slots[0].starts_at == utc(2025, 3, 10, 13, 30)


def test_without_preferred_hours_the_proposal_asks_for_them(berlin_carol):
    customer = CustomerFactory(first_name="Rosa", last_name="Diaz")

    with pytest.raises(proposing.NoPreferredHours, match="Ask the customer for their preferred hours"):
        proposing.slots_propose(customer=customer, staff=berlin_carol)


def test_staff_availability_is_set_from_plain_words(carol):
    scheduling.availability_set(user=carol, windows_text="Mon-Wed 09:00-12:00; Fri 13:00-15:30")

    assert reads.availability_text(carol) == ("Mon 09:00-12:00; Tue 09:00-12:00; Wed 09:00-12:00; Fri 13:00-15:30")
    with pytest.raises(scheduling.InvalidInput, match="should look like"):
        scheduling.availability_set(user=carol, windows_text="mornings")
    assert reads.availability_text(carol).startswith("Mon 09:00"), "a bad entry changes nothing"
