"""The customer's appointments in the portal: see one, move it to a time that fits both calendars, cancel it,
download it for their calendar.

The customer comes from the session, never the URL: another customer's appointment id answers 404.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.casework.appointments import queries
from advocacy.casework.appointments import services as scheduling
from advocacy.casework.appointments.forms import CustomerCancelForm
from advocacy.casework.appointments.ics import ics_download
from advocacy.casework.appointments.slots import Slot, slots_propose
from advocacy.casework.models import Appointment, AppointmentStatus
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.pages import error_text
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role

SLOTS_SHOWN = 8


def own_appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("customer", "staff", "case"),
        pk=appointment_id,
        customer_id=portal_customer_id(request),
    )


def offered(appointment: Appointment) -> tuple[list[Slot], str]:
    """Times to move to, or why there are none, in words for the customer."""
    if appointment.status != AppointmentStatus.BOOKED:
        return [], ""
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    try:
        slots = slots_propose(
            customer=appointment.customer,
            staff=appointment.staff,
            duration_minutes=minutes,
            n=SLOTS_SHOWN,
            exclude=appointment,
        )
    except ServiceError:
        slots = []
    if slots:
        return slots, ""
    return [], (
        "No other time fits both your preferred hours and our calendar in the next three weeks. "
        "Widen your preferred hours on your page, or reply to our mail and we will find a time."
    )


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def appointment(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The appointment, the times it can move to (within the customer's preferred hours), and cancelling."""
    found = own_appointment(request, appointment_id)
    error = ""
    if request.method == "POST":
        try:
            starts_at = datetime.fromisoformat(request.POST.get("starts_at", ""))
            moved = scheduling.appointment_move_by_customer(appointment=found, starts_at=starts_at)
        except ValueError:
            error = "Choose one of the times below."
        except InvalidInput as exc:
            error = exc.errors.get("starts_at", error_text(exc)).capitalize() + "."
        except ServiceError as exc:
            error = error_text(exc)
        else:
            messages.success(
                request,
                f"Moved to {queries.local_time(moved)}. {moved.staff.display_name} is told, "
                "and the calendar invitation in your mail is updated.",
            )
            return redirect("portal:appointment", appointment_id=moved.pk)
    slots, problem = offered(found)
    return render(
        request,
        "casework/portal/appointment.html",
        {
            "appointment": found,
            "when": queries.local_time(found),
            "slots": slots,
            "problem": problem,
            "error": error,
            "cancel_form": CustomerCancelForm(),
        },
        status=422 if error else 200,
    )


@allow(Role.CUSTOMER)
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    found = own_appointment(request, appointment_id)
    form = CustomerCancelForm(request.POST)
    if not form.is_valid():
        slots, problem = offered(found)
        context = {"appointment": found, "when": queries.local_time(found), "slots": slots, "problem": problem}
        return render(request, "casework/portal/appointment.html", {**context, "cancel_form": form}, status=422)
    try:
        scheduling.appointment_cancel_by_customer(appointment=found, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("portal:appointment", appointment_id=found.pk)
    messages.success(request, f"Cancelled. {found.staff.display_name} is told; we will not call at that time.")
    return redirect("portal:home")


@allow(Role.CUSTOMER)
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return ics_download(own_appointment(request, appointment_id))
