"""Appointments on the customer's hours: booking, moving, cancelling, reminding, staff availability.

Slots are proposed by slots.py. Every change is one transaction that locks the staff member's row
first, so two bookings for the same person cannot both pass the overlap check; each change raises
the RFC 5545 SEQUENCE and queues the customer's calendar mail in the same transaction (the outbox
sends it after commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from advocacy.casework.appointments import mail as appointment_mail
from advocacy.casework.appointments.queries import local_time as customer_time
from advocacy.casework.appointments.slots import check_duration, slots_propose
from advocacy.casework.cases.services import record
from advocacy.casework.models import Appointment, AppointmentStatus, Case, EventKind, StaffAvailability
from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.models import User
from advocacy.core.timefmt import span_in_zone
from advocacy.customers.models import Customer
from advocacy.customers.rules import RuleError, format_contact_windows, parse_contact_windows

# Time zones and windows


# Checks


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
            f"{span_in_zone(clash.starts_at, clash.ends_at, zone)}; choose another time."
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


# The customer's own changes, from the portal


# Far more than the portal shows: a time offered a minute ago stays acceptable after the page was read.
OFFERED_WINDOW = 500


def check_offered(appointment: Appointment, starts_at: datetime) -> None:
    """A customer moves an appointment only to a time that fits both their preferred hours and the staff
    member's availability, free for both: one of the times the portal offers them."""
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    offered = slots_propose(
        customer=appointment.customer,
        staff=appointment.staff,
        duration_minutes=minutes,
        n=OFFERED_WINDOW,
        exclude=appointment,
    )
    if starts_at not in {slot.starts_at for slot in offered}:
        raise InvalidInput(
            {"starts_at": "choose one of the times offered: they fit your preferred hours and our calendar"}
        )


@transaction.atomic
def appointment_move_by_customer(*, appointment: Appointment, starts_at: datetime) -> Appointment:
    """The customer moves their appointment to an offered time; the staff member is told by mail."""
    check_booked(appointment)
    check_offered(appointment, starts_at)
    was = (appointment.starts_at, appointment.ends_at)
    moved = appointment_reschedule(appointment=appointment, starts_at=starts_at, by=None)
    appointment_mail.staff_notice(moved, was=was)
    return moved


@transaction.atomic
def appointment_cancel_by_customer(*, appointment: Appointment, reason: str) -> Appointment:
    """The customer cancels their appointment; the staff member is told by mail, with the reason given."""
    said = " ".join(reason.split())[:500] or "No reason given."
    cancelled = appointment_cancel(appointment=appointment, by=None, reason=f"You cancelled it in the portal: {said}")
    appointment_mail.staff_notice(cancelled, reason=said)
    return cancelled


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
