"""Pages for appointments on the customer's hours.

Thin: each view parses a form, calls one service or query and renders or redirects. Appointments
for a case are with its owner, the accountable customer advocate.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.casework.appointments import queries
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments import slots as proposing
from advocacy.casework.appointments.forms import (
    AvailabilityForm,
    BookForm,
    CancelForm,
    TimeChoiceForm,
)
from advocacy.casework.appointments.ics import ics_download
from advocacy.casework.cases.queries import case_with_customer
from advocacy.casework.models import Appointment, AppointmentStatus
from advocacy.core.errors import ServiceError
from advocacy.core.models import User
from advocacy.core.pages import show_errors, show_form_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import CASE_WORKERS
from advocacy.customers.models import Customer


def appointment_of(appointment_id: int) -> Appointment:
    return get_object_or_404(Appointment.objects.select_related("customer", "staff", "case"), pk=appointment_id)


def proposal(
    customer: Customer, staff: User, duration: int, exclude: Appointment | None = None
) -> tuple[list[proposing.Slot], str]:
    """The proposed slots, or the reason there are none, said so the member of staff knows what to do."""
    try:
        return proposing.slots_propose(customer=customer, staff=staff, duration_minutes=duration, exclude=exclude), ""
    except ServiceError as exc:
        return [], str(exc)


def duration_asked(request: HttpRequest, default: int = 60) -> int:
    try:
        return max(15, min(int(request.GET.get("duration", default)), proposing.MAX_DURATION_MINUTES))
    except ValueError:
        return default


# Appointments


@allow(*CASE_WORKERS)
def case_appointments(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_with_customer(case_id)
    duration = duration_asked(request)
    slots, problem = proposal(case.customer, case.owner, duration)
    booked = queries.appointments_matching(customer_id=case.customer_id, status=AppointmentStatus.BOOKED)
    return render(
        request,
        "casework/appointments/case.html",
        {
            "case": case,
            "slots": slots,
            "problem": problem,
            "duration": duration,
            "appointments": booked,
            "form": BookForm(initial={"topic": case.subject, "duration_minutes": duration}),
            "no_hours": bool(problem) and not case.customer.contact_windows.exists(),
        },
    )


@allow(*CASE_WORKERS)
@require_POST
def appointment_book(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_with_customer(case_id)
    form = BookForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("casework:case_appointments", case_id=case.pk)
    try:
        appointment = scheduling.appointment_book(
            customer=case.customer,
            staff=case.owner,
            case=case,
            by=staff_user(request),
            starts_at=form.chosen_start(case.customer.time_zone),
            topic=form.cleaned_data["topic"],
            duration_minutes=form.cleaned_data["duration_minutes"],
        )
    except ServiceError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            f"Booked {scheduling.customer_time(appointment)} (customer's time); "
            "the customer gets a calendar invitation.",
        )
    return redirect("casework:case_appointments", case_id=case.pk)


@allow(*CASE_WORKERS)
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_of(appointment_id)
    if request.method == "POST":
        form = TimeChoiceForm(request.POST)
        if not form.is_valid():
            show_form_errors(request, form)
            return redirect("casework:appointment_reschedule", appointment_id=appointment.pk)
        try:
            moved = scheduling.appointment_reschedule(
                appointment=appointment,
                by=staff_user(request),
                starts_at=form.chosen_start(appointment.customer.time_zone),
            )
        except ServiceError as exc:
            show_errors(request, exc)
            return redirect("casework:appointment_reschedule", appointment_id=appointment.pk)
        messages.success(
            request,
            f"Moved to {scheduling.customer_time(moved)} (customer's time); the customer's calendar is updated.",
        )
        return redirect("casework:my_appointments")
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    slots, problem = proposal(appointment.customer, appointment.staff, minutes, exclude=appointment)
    return render(
        request,
        "casework/appointments/reschedule.html",
        {
            "appointment": appointment,
            "slots": slots,
            "problem": problem,
            "form": TimeChoiceForm(),
            "cancel_form": CancelForm(),
            "when": scheduling.customer_time(appointment),
        },
    )


@allow(*CASE_WORKERS)
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_of(appointment_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        show_form_errors(request, form)
        return redirect("casework:appointment_reschedule", appointment_id=appointment.pk)
    try:
        scheduling.appointment_cancel(
            appointment=appointment, by=staff_user(request), reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, "Cancelled; the customer is told why and their calendar entry is removed.")
    return redirect("casework:my_appointments")


@allow(*CASE_WORKERS)
def my_appointments(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(
        request,
        "casework/appointments/mine.html",
        {"appointments": queries.upcoming_for(user), "zone": user.time_zone or "UTC"},
    )


@allow(*CASE_WORKERS)
@require_http_methods(["GET", "POST"])
def my_availability(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = AvailabilityForm(request.POST or None, initial={"windows": queries.availability_text(user)})
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.availability_set(user=user, windows_text=form.cleaned_data["windows"])
        except ServiceError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, "Availability saved.")
            return redirect("casework:my_availability")
    return render(
        request,
        "casework/appointments/availability.html",
        {"form": form, "zone": user.time_zone or "UTC", "current": queries.availability_text(user)},
    )


# Recommendations


@allow(*CASE_WORKERS)
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return ics_download(appointment_of(appointment_id))
