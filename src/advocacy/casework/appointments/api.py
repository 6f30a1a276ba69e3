"""API for appointments on the customer's hours and customer-first recommendations.

Handlers parse, call one query or service, and return; the rules live in scheduling.py and
recommending.py.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments.schemas import (
    AppointmentFilters,
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    CancelIn,
    OutcomePatch,
    RankedOut,
    RankQuery,
    RecommendationFilters,
    RecommendationIn,
    RecommendationOut,
    SlotOut,
    SlotQuery,
)
from advocacy.casework.models import Appointment, Case, Recommendation
from advocacy.casework.recommendations import services as recommending
from advocacy.core.api.auth import api_auth
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.customers.models import Customer, Product
from advocacy.customers.records.api import Page, actor, resolve

router = Router(tags=["appointments and recommendations"])

WORKERS = (Role.ADMIN, Role.PROGRAM_MANAGER, Role.CUSTOMER_ADVOCATE)
READ = api_auth(*WORKERS, Role.ANALYST)
WORK = api_auth(*WORKERS)


def case_of(case_id: int) -> Case:
    return get_object_or_404(Case.objects.select_related("customer", "owner"), pk=case_id)


APPOINTMENT_REFS = {"case_id": (Case, "case"), "customer_id": (Customer, "customer"), "staff_id": (User, "staff")}
RECOMMENDATION_REFS = {
    "case_id": (Case, "case"),
    "customer_id": (Customer, "customer"),
    "product_id": (Product, "product"),
}


def caller(request: HttpRequest) -> User:
    by = actor(request)
    if by is None:
        raise InvalidInput({"auth": "this API key has no creator to act as"})
    return by


def customer_of(data: dict[str, Any]) -> Customer:
    """The case's customer, else the one named."""
    case: Case | None = data.get("case")
    customer: Customer | None = case.customer if case is not None else data.get("customer")
    if customer is None:
        raise InvalidInput({"customer_id": "give a case_id or a customer_id"})
    return customer


# Appointments


@router.get(
    "/cases/{case_id}/slots",
    response=list[SlotOut],
    auth=READ,
    summary="Times that fit the customer's preferred hours and the case owner's availability",
)
def case_slots(request: HttpRequest, case_id: int, query: Query[SlotQuery]) -> list[scheduling.Slot]:
    case = case_of(case_id)
    return scheduling.slots_propose(
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
    staff = data["staff"] or (data["case"].owner if data["case"] is not None else caller(request))
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
    return scheduling.appointments_matching(**filters.dict())


# Recommendations


def ranked_out(row: recommending.Ranked) -> RankedOut:
    return RankedOut(
        product_id=row.product.pk,
        name=row.product.name,
        competitor=row.product.competitor,
        fit=row.fit,
        covered=row.covered,
        missing=row.missing,
        price=row.price,
        currency=row.currency,
        price_compared=row.comparable,
        cheaper_than_current=row.cheaper_than_current,
        current=row.current,
        reason=row.reason,
        margin_pct=row.product.margin_pct,
    )


@router.get(
    "/cases/{case_id}/recommendations",
    response=list[RankedOut],
    auth=READ,
    summary="Products ranked by fit, then the customer's price (never by margin)",
)
def case_recommendations(request: HttpRequest, case_id: int, query: Query[RankQuery]) -> list[RankedOut]:
    case = case_of(case_id)
    needs = [t for t in query.needs.split(",") if t.strip()]
    return [ranked_out(row) for row in recommending.products_ranked(customer=case.customer, needs=needs, case=case)]


@router.post(
    "/recommendations",
    response={201: RecommendationOut},
    auth=WORK,
    summary="Record a recommendation; fit, 'cheaper' and 'competitor' are computed",
)
def record_recommendation(request: HttpRequest, payload: RecommendationIn) -> Status[Recommendation]:
    data = resolve(payload.dict(), RECOMMENDATION_REFS)
    customer, case = customer_of(data), data["case"]
    row = recommending.product_assessed(customer=customer, product=data["product"], needs=payload.needs, case=case)
    return Status(
        201,
        recommending.recommendation_record(
            customer=customer,
            product=row.product,
            case=case,
            reason=payload.reason,
            by=caller(request),
            fit=row.fit,
            cheaper_than_current=row.cheaper_than_current,
            competitor=row.competitor,
        ),
    )


@router.patch(
    "/recommendations/{recommendation_id}",
    response=RecommendationOut,
    auth=WORK,
    summary="Record what the customer decided",
)
def recommendation_outcome(request: HttpRequest, recommendation_id: int, payload: OutcomePatch) -> Recommendation:
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id)
    return recommending.recommendation_outcome(
        recommendation=recommendation, outcome=payload.outcome, by=caller(request)
    )


@router.get(
    "/recommendations", response=list[RecommendationOut], auth=READ, summary="List recommendations, newest first"
)
@paginate(Page)
def list_recommendations(request: HttpRequest, filters: Query[RecommendationFilters]) -> QuerySet[Recommendation]:
    return recommending.recommendations_matching(**filters.dict())
