"""Proposing appointment slots on the customer's preferred hours and the staff member's availability.

Both parties keep weekly windows in their own zone: the customer's preferred hours
(``ContactWindow``, in ``Customer.time_zone``) and the staff member's availability
(``StaffAvailability``, in ``User.time_zone``). Each window is turned into real moments date by
date with zoneinfo, so a window keeps its wall-clock hours across daylight-saving changes, and all
comparisons happen in UTC.

Preference, since customers give windows but no ranking of them: a customer choosing a time wants
a choice of days, each as early in their own window as possible. So the proposal takes the first
fitting slot of every day (earliest day first), then the second slot of every day, and so on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from advocacy.casework.models import Appointment, AppointmentStatus, StaffAvailability
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.core.timefmt import span_in_zone
from advocacy.customers.models import ContactWindow, Customer

MIN_NOTICE = timedelta(hours=2)  # nobody wants a call proposed for ten minutes from now


MAX_DURATION_MINUTES = 8 * 60


Interval = tuple[datetime, datetime]  # [start, end) in UTC


class NoPreferredHours(ServiceError):
    """The customer has not said when they like to be contacted; ask them before proposing times."""

    def __init__(self, customer: Customer) -> None:
        self.customer = customer
        super().__init__(
            f"{customer} has no preferred hours yet. Ask the customer for their preferred hours "
            "(they can set them in the portal), then propose times."
        )


class NoAvailability(ServiceError):
    """The staff member has no weekly availability to book into."""

    def __init__(self, staff: User) -> None:
        self.staff = staff
        super().__init__(f"{staff.display_name} has no availability set; set it under 'My availability'.")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    customer_time: str  # e.g. "Mon 10 Mar 09:00–10:00 EDT", in the customer's zone
    staff_time: str  # the same moment in the staff member's zone


def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # Built per date so the offset is the one in force that day (DST), then compared in UTC.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def weekly_intervals(
    windows: Iterable[tuple[int, time, time]], zone: ZoneInfo, first: date, last: date
) -> list[Interval]:
    """Weekly (weekday, start, end) windows in a zone, as UTC intervals on each date from first to last."""
    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, starts, ends in windows:
        by_weekday.setdefault(weekday, []).append((starts, ends))
    intervals = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        intervals += [(to_utc(day, s, zone), to_utc(day, e, zone)) for s, e in by_weekday.get(day.weekday(), [])]
    return sorted(intervals)


def intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    """The moments in both lists of intervals."""
    return sorted((max(a, c), min(b, d)) for a, b in left for c, d in right if max(a, c) < min(b, d))


def overlaps(start: datetime, end: datetime, busy: list[Interval]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in busy)


def customer_windows(customer: Customer) -> list[tuple[int, time, time]]:
    return list(ContactWindow.objects.filter(customer=customer).values_list("weekday", "starts", "ends"))


def staff_windows(staff: User) -> list[tuple[int, time, time]]:
    return list(StaffAvailability.objects.filter(user=staff).values_list("weekday", "starts", "ends"))


def busy_intervals(
    *, staff: User, customer: Customer, since: datetime, until: datetime, exclude: int | None = None
) -> list[Interval]:
    """Booked appointments of the staff member and of the customer: neither can be in two at once."""
    booked = Appointment.objects.filter(
        Q(staff=staff) | Q(customer=customer), status=AppointmentStatus.BOOKED, starts_at__lt=until, ends_at__gt=since
    )
    if exclude is not None:
        booked = booked.exclude(pk=exclude)
    return list(booked.values_list("starts_at", "ends_at"))


def ceil_to_step(moment: datetime, step: timedelta, zone: ZoneInfo) -> datetime:
    """Round up to the step grid of the customer's wall clock (:00, :30 …), so slots read as round times."""
    local = moment.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(local - midnight) // step)  # ceiling division
    return (midnight + steps * step).astimezone(ZoneInfo("UTC"))


def candidate_starts(free: Interval, duration: timedelta, step: timedelta, zone: ZoneInfo) -> Iterator[datetime]:
    start, end = free
    moment = ceil_to_step(start, step, zone)
    while moment + duration <= end:
        yield moment
        moment += step


def by_preference(slots: list[tuple[datetime, datetime]], zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """First slot of each day (earliest day first), then each day's second slot, and so on."""
    rank_in_day: dict[date, int] = {}
    ranked = []
    for start, end in sorted(slots):
        day = start.astimezone(zone).date()
        rank_in_day[day] = rank_in_day.get(day, -1) + 1
        ranked.append((rank_in_day[day], start, end))
    return [(start, end) for _, start, end in sorted(ranked)]


def slots_propose(
    *,
    customer: Customer,
    staff: User,
    duration_minutes: int = 60,
    n: int = 5,
    now: datetime | None = None,
    days_ahead: int = 21,
    step_minutes: int = 30,
    exclude: Appointment | None = None,
) -> list[Slot]:
    """Up to n times that fit the customer's preferred hours and the staff member's availability,
    are free for both, and start at least MIN_NOTICE from now; best preference first (see above)."""
    check_duration(duration_minutes)
    wanted = customer_windows(customer)
    if not wanted:
        raise NoPreferredHours(customer)
    offered = staff_windows(staff)
    if not offered:
        raise NoAvailability(staff)
    customer_zone, staff_zone = zone_of(customer.time_zone), zone_of(staff.time_zone)
    earliest = (now or timezone.now()) + MIN_NOTICE
    first = earliest.astimezone(customer_zone).date()
    last = first + timedelta(days=days_ahead)
    # Staff dates one day wider on each side: their calendar day can straddle the customer's.
    both = intersect(
        weekly_intervals(wanted, customer_zone, first, last),
        weekly_intervals(offered, staff_zone, first - timedelta(days=1), last + timedelta(days=1)),
    )
    horizon = (earliest, to_utc(last + timedelta(days=1), time(0), customer_zone))
    both = intersect(both, [horizon])
    duration, step = timedelta(minutes=duration_minutes), timedelta(minutes=step_minutes)
    busy = busy_intervals(
        staff=staff, customer=customer, since=horizon[0], until=horizon[1], exclude=exclude.pk if exclude else None
    )
    fitting = [
        (s, s + duration)
        for free in both
        for s in candidate_starts(free, duration, step, customer_zone)
        if not overlaps(s, s + duration, busy)
    ]
    return [
        Slot(
            starts_at=s,
            ends_at=e,
            customer_time=span_in_zone(s, e, customer.time_zone),
            staff_time=span_in_zone(s, e, staff.time_zone),
        )
        for s, e in by_preference(sorted(set(fitting)), customer_zone)[:n]
    ]


def check_duration(duration_minutes: int) -> None:
    if not 0 < duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput({"duration_minutes": f"an appointment lasts 1 to {MAX_DURATION_MINUTES} minutes"})
