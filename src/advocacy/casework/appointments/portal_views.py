"""The customer's own appointments in the portal. Every lookup is filtered by the signed-in customer,
never by the URL alone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from advocacy.casework.appointments.ics import ics_download
from advocacy.casework.models import Appointment
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role


@allow(Role.CUSTOMER)
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.select_related("staff", "customer"),
        pk=appointment_id,
        customer_id=portal_customer_id(request),
    )
    return ics_download(appointment)
