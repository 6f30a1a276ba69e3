"""API for appointments on the customer's hours: proposed slots, booking, rescheduling, cancelling."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from advocacy.casework.appointments import queries as appointments_queries
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments import slots as appointments_slots
from advocacy.casework.appointments.schemas import (
    AppointmentFilters,
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    CancelIn,
    SlotOut,
    SlotQuery,
)
from advocacy.casework.cases.queries import case_with_customer, customer_of
from advocacy.casework.models import Appointment, Case
from advocacy.core.api.auth import actor, api_auth, staff_member
from advocacy.core.api.lookups import resolve
from advocacy.core.api.pagination import Page
from advocacy.core.models import User
from advocacy.core.roles import CASE_WORKERS, Role
from advocacy.customers.models import Customer

router = Router(tags=["appointments"])

READ = api_auth(*CASE_WORKERS, Role.ANALYST)
WORK = api_auth(*CASE_WORKERS)


APPOINTMENT_REFS = {"case_id": (Case, "case"), "customer_id": (Customer, "customer"), "staff_id": (User, "staff")}


# Appointments


@router.get(
    "/cases/{case_id}/slots",
    response=list[SlotOut],
    auth=READ,
    summary="Times that fit the customer's preferred hours and the case owner's availability",
)
def case_slots(request: HttpRequest, case_id: int, query: Query[SlotQuery]) -> list[appointments_slots.Slot]:
    case = case_with_customer(case_id)
    return appointments_slots.slots_propose(
        customer=case.customer,
        staff=case.owner,
        duration_minutes=query.duration_minutes,
        n=query.n,
        days_ahead=query.days_ahead,
    )


@router.post(
    "/appointments",
    response={201: AppointmentOut},
    auth=WORK,
    summary="Book an appointment; the customer gets a calendar invitation",
)
def book_appointment(request: HttpRequest, payload: AppointmentIn) -> Status[Appointment]:
    data = resolve(payload.dict(), APPOINTMENT_REFS)
    # Staff defaults to the case owner, the accountable customer advocate, else the caller.
    staff = data["staff"] or (data["case"].owner if data["case"] is not None else staff_member(request))
    return Status(
        201,
        scheduling.appointment_book(
            customer=customer_of(data),
            staff=staff,
            case=data["case"],
            starts_at=payload.starts_at,
            duration_minutes=payload.duration_minutes,
            topic=payload.topic,
            by=actor(request),
        ),
    )


@router.patch(
    "/appointments/{appointment_id}",
    response=AppointmentOut,
    auth=WORK,
    summary="Move an appointment (its SEQUENCE rises; the customer's calendar entry updates)",
)
def reschedule_appointment(request: HttpRequest, appointment_id: int, payload: AppointmentPatch) -> Appointment:
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    return scheduling.appointment_reschedule(appointment=appointment, starts_at=payload.starts_at, by=actor(request))


@router.post(
    "/appointments/{appointment_id}/cancel",
    response=AppointmentOut,
    auth=WORK,
    summary="Cancel an appointment; the customer is told why (METHOD:CANCEL)",
)
def cancel_appointment(request: HttpRequest, appointment_id: int, payload: CancelIn) -> Appointment:
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    return scheduling.appointment_cancel(appointment=appointment, reason=payload.reason, by=actor(request))


@router.get("/appointments", response=list[AppointmentOut], auth=READ, summary="List appointments, earliest first")
@paginate(Page)
def list_appointments(request: HttpRequest, filters: Query[AppointmentFilters]) -> QuerySet[Appointment]:
    return appointments_queries.appointments_matching(**filters.dict())


# Recommendations
