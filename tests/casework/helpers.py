from __future__ import annotations

from datetime import time

from advocacy.casework.models import BusinessCalendar, CadencePolicy, Department
from advocacy.core.models import User


def berlin_office(**minutes: int) -> BusinessCalendar:
    """Mon–Fri 09:00–17:00 Berlin; normal priority promises 60 min first response, 120 update, 480 resolution."""
    calendar = BusinessCalendar.objects.create(
        name="Berlin office", time_zone="Europe/Berlin", workdays=[0, 1, 2, 3, 4], opens=time(9), closes=time(17)
    )
    values = {"first_response_minutes": 60, "update_every_minutes": 120, "resolution_minutes": 480, **minutes}
    for priority in ("low", "normal", "high", "urgent"):
        CadencePolicy.objects.create(priority=priority, calendar=calendar, **values)
    return calendar


def department(name: str, head: User) -> Department:
    return Department.objects.create(name=name, head=head)
