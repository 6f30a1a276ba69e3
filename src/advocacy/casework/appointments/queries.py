"""Reads of appointments: lists, a staff member's upcoming ones, availability, times as customers read them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from advocacy.casework.appointments.slots import staff_windows
from advocacy.casework.models import Appointment, AppointmentStatus
from advocacy.core.models import User
from advocacy.core.timefmt import span_in_zone
from advocacy.customers.rules import format_contact_windows


def availability_text(user: User) -> str:
    return format_contact_windows(staff_windows(user))


def appointments_matching(
    *,
    staff_id: int | None = None,
    customer_id: int | None = None,
    case_id: int | None = None,
    since: datetime | None = None,
    status: str = "",
) -> QuerySet[Appointment]:
    found = Appointment.objects.select_related("customer", "staff", "case").order_by("starts_at", "id")
    if staff_id is not None:
        found = found.filter(staff_id=staff_id)
    if customer_id is not None:
        found = found.filter(customer_id=customer_id)
    if case_id is not None:
        found = found.filter(case_id=case_id)
    if since is not None:
        found = found.filter(ends_at__gte=since)
    if status:
        found = found.filter(status=status)
    return found


def upcoming_for(staff: User, now: datetime | None = None) -> QuerySet[Appointment]:
    return appointments_matching(staff_id=staff.pk, since=now or timezone.now(), status=AppointmentStatus.BOOKED)


def local_time(appointment: Appointment) -> str:
    """The appointment's time as the customer reads it, in their zone."""
    return span_in_zone(appointment.starts_at, appointment.ends_at, appointment.customer.time_zone)


def upcoming_of_customer(customer_id: int, now: datetime | None = None) -> QuerySet[Appointment]:
    """The customer's booked appointments still ahead, soonest first: the portal's appointment card."""
    return appointments_matching(customer_id=customer_id, since=now or timezone.now(), status=AppointmentStatus.BOOKED)
