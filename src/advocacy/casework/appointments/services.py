"""Appointments on the customer's hours: proposing slots, booking, moving, cancelling, reminding.

Both parties keep weekly windows in their own zone: the customer's preferred hours
(``ContactWindow``, in ``Customer.time_zone``) and the staff member's availability
(``StaffAvailability``, in ``User.time_zone``). Each window is turned into real moments date by
date with zoneinfo, so a window keeps its wall-clock hours across daylight-saving changes, and all
comparisons happen in UTC.

Preference, since customers give windows but no ranking of them: a customer choosing a time wants
a choice of days, each as early in their own window as possible. So the proposal takes the first
fitting slot of every day (earliest day first), then the second slot of every day, and so on.

Every change is one transaction that locks the staff member's row first, so two bookings for the
same person cannot both pass the overlap check; each change raises the RFC 5545 SEQUENCE and
queues the customer's calendar mail in the same transaction (the outbox sends it after commit).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from advocacy.casework.appointments import mail as appointment_mail
from advocacy.casework.appointments.mail import local_span
from advocacy.casework.appointments.mail import local_time as customer_time
from advocacy.casework.cases.services import record
from advocacy.casework.models import Appointment, AppointmentStatus, Case, EventKind, StaffAvailability
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.customers.models import ContactWindow, Customer
from advocacy.customers.rules import RuleError, format_contact_windows, parse_contact_windows

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


# Time zones and windows


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


# Proposing


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
            customer_time=local_span(s, e, customer.time_zone),
            staff_time=local_span(s, e, staff.time_zone),
        )
        for s, e in by_preference(sorted(set(fitting)), customer_zone)[:n]
    ]


# Checks


def check_duration(duration_minutes: int) -> None:
    if not 0 < duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput({"duration_minutes": f"an appointment lasts 1 to {MAX_DURATION_MINUTES} minutes"})


def check_start(starts_at: datetime, now: datetime) -> None:
    if timezone.is_naive(starts_at):
        raise InvalidInput({"starts_at": "give the time with its zone offset, e.g. 2025-03-10T13:00:00Z"})
    if starts_at <= now:
        raise InvalidInput({"starts_at": "choose a time in the future"})


def lock_calendar(staff: User) -> None:
    # Locking the staff row serialises every booking for that person: the overlap check below then
    # sees all appointments committed before it (SQLite serialises writes anyway).
    User.objects.select_for_update().only("pk").get(pk=staff.pk)


def check_free(
    *, staff: User, customer: Customer, starts_at: datetime, ends_at: datetime, exclude: int | None = None
) -> None:
    """Neither the staff member nor the customer may be in two appointments at once (as busy_intervals)."""
    overlapping = Appointment.objects.filter(
        Q(staff=staff) | Q(customer=customer),
        status=AppointmentStatus.BOOKED,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    clash = overlapping.first()
    if clash is not None:
        zone = staff.time_zone or "UTC"
        who = staff.display_name if clash.staff_id == staff.pk else str(customer)
        raise ServiceError(
            f"{who} already has “{clash.topic}” at "
            f"{local_span(clash.starts_at, clash.ends_at, zone)}; choose another time."
        )


def check_booked(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise ServiceError(f"This appointment is {appointment.get_status_display().lower()}; it cannot change.")


# Writes


def note_on_case(appointment: Appointment, body: str, by: User | None) -> None:
    """The customer sees appointment changes on their case timeline too."""
    case = appointment.case
    if case is not None:
        record(
            case,
            EventKind.APPOINTMENT,
            body=body,
            by=by,
            visible=True,
            data={
                "appointment": appointment.pk,
                "sequence": appointment.sequence,
                "starts_at": appointment.starts_at.isoformat(),
                "status": appointment.status,
            },
        )


@transaction.atomic
def appointment_book(
    *,
    customer: Customer,
    staff: User,
    starts_at: datetime,
    duration_minutes: int,
    topic: str,
    by: User | None,
    case: Case | None = None,
) -> Appointment:
    """Book a time with the customer; they get a calendar invitation (METHOD:REQUEST)."""
    check_duration(duration_minutes)
    check_start(starts_at, timezone.now())
    if not topic.strip():
        raise InvalidInput({"topic": "say what the appointment is about"})
    if case is not None and case.customer_id != customer.pk:
        raise InvalidInput({"case": f"case #{case.pk} belongs to another customer"})
    if not staff.is_active:
        raise InvalidInput({"staff": f"{staff.username} is not active"})
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    lock_calendar(staff)
    check_free(staff=staff, customer=customer, starts_at=starts_at, ends_at=ends_at)
    appointment = Appointment.objects.create(
        customer=customer, staff=staff, case=case, starts_at=starts_at, ends_at=ends_at, topic=topic.strip()[:200]
    )
    note_on_case(
        appointment,
        f"Appointment booked with {staff.display_name}: {customer_time(appointment)}, {appointment.topic}.",
        by,
    )
    events.audit(actor=by, verb="appointment.booked", obj=appointment, data={"starts_at": starts_at.isoformat()})
    appointment_mail.invitation(appointment)
    return appointment


@transaction.atomic
def appointment_reschedule(*, appointment: Appointment, starts_at: datetime, by: User | None) -> Appointment:
    """Move a booked appointment, keeping its length; the customer's calendar entry is updated in place."""
    lock_calendar(appointment.staff)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("customer", "staff", "case")
        .get(pk=appointment.pk)
    )
    check_booked(appointment)
    check_start(starts_at, timezone.now())
    if starts_at == appointment.starts_at:
        raise InvalidInput({"starts_at": "the appointment is already at that time"})
    ends_at = starts_at + (appointment.ends_at - appointment.starts_at)
    check_free(
        staff=appointment.staff,
        customer=appointment.customer,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude=appointment.pk,
    )
    before = customer_time(appointment)
    appointment.starts_at, appointment.ends_at = starts_at, ends_at
    appointment.sequence += 1
    appointment.reminder_sent_at = None  # a new time deserves its own reminder
    appointment.save(update_fields=["starts_at", "ends_at", "sequence", "reminder_sent_at"])
    note_on_case(appointment, f"Appointment moved from {before} to {customer_time(appointment)}.", by)
    events.audit(actor=by, verb="appointment.rescheduled", obj=appointment, data={"starts_at": starts_at.isoformat()})
    appointment_mail.invitation(appointment)
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User | None, reason: str) -> Appointment:
    """Cancel; the customer's calendar removes the entry (METHOD:CANCEL) and they read the reason."""
    if not reason.strip():
        raise InvalidInput({"reason": "tell the customer why the appointment is cancelled"})
    lock_calendar(appointment.staff)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("customer", "staff", "case")
        .get(pk=appointment.pk)
    )
    check_booked(appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1
    appointment.save(update_fields=["status", "sequence"])
    note_on_case(appointment, f"Appointment on {customer_time(appointment)} cancelled: {reason.strip()}", by)
    events.audit(actor=by, verb="appointment.cancelled", obj=appointment, data={"reason": reason.strip()})
    appointment_mail.cancellation(appointment, reason.strip())
    return appointment


def appointments_remind(*, now: datetime | None = None, ahead: timedelta = timedelta(hours=24)) -> int:
    """Remind customers of booked appointments starting within `ahead`, each once (per time it is at)."""
    now = now or timezone.now()
    due = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + ahead,
        ).values_list("pk", flat=True)
    )
    reminded = 0
    for pk in due:
        with transaction.atomic():
            # The conditional UPDATE is the claim: two runs at once remind once.
            if Appointment.objects.filter(pk=pk, status=AppointmentStatus.BOOKED, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                appointment_mail.reminder(Appointment.objects.select_related("customer", "staff").get(pk=pk))
                reminded += 1
    return reminded


# Availability


@transaction.atomic
def availability_set(*, user: User, windows_text: str) -> list[StaffAvailability]:
    """Replace the user's weekly availability with 'Mon-Fri 09:00-17:00; Sat 10:00-12:00' (their own zone)."""
    try:
        windows = parse_contact_windows(windows_text)
    except RuleError as exc:
        raise InvalidInput({"windows": str(exc)}) from exc
    StaffAvailability.objects.filter(user=user).delete()
    created = StaffAvailability.objects.bulk_create(
        StaffAvailability(user=user, weekday=d, starts=s, ends=e) for d, s, e in sorted(set(windows))
    )
    events.audit(actor=user, verb="availability.set", obj=user, data={"windows": format_contact_windows(windows)})
    return created


# Reads


def availability_text(user: User) -> str:
    return format_contact_windows(staff_windows(user))


def appointments_matching(
    *, staff_id: int | None = None, customer_id: int | None = None, since: datetime | None = None, status: str = ""
) -> QuerySet[Appointment]:
    found = Appointment.objects.select_related("customer", "staff", "case").order_by("starts_at", "id")
    if staff_id is not None:
        found = found.filter(staff_id=staff_id)
    if customer_id is not None:
        found = found.filter(customer_id=customer_id)
    if since is not None:
        found = found.filter(ends_at__gte=since)
    if status:
        found = found.filter(status=status)
    return found


def upcoming_for(staff: User, now: datetime | None = None) -> QuerySet[Appointment]:
    return appointments_matching(staff_id=staff.pk, since=now or timezone.now(), status=AppointmentStatus.BOOKED)
