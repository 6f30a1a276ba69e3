"""The customer's own page in the portal: their cases, surveys and consent, and their contact hours."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from advocacy.casework.appointments import queries as appointment_queries
from advocacy.casework.cases import queries as case_queries
from advocacy.core.errors import InvalidInput
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role
from advocacy.customers.models import ConsentPurpose, Customer
from advocacy.customers.records import queries as customer_queries
from advocacy.customers.records import services as customer_services
from advocacy.customers.rules import format_contact_windows
from advocacy.feedback.surveys import queries as feedback_queries
from advocacy.portal.home.forms import ContactHoursForm


def own_customer(request: HttpRequest) -> Customer:
    return Customer.objects.select_related("account", "primary_advocate").get(pk=portal_customer_id(request))


@allow(Role.CUSTOMER)
def home(request: HttpRequest) -> HttpResponse:
    customer = own_customer(request)
    view = customer_queries.customer_360(customer.pk, orders_shown=10, events_shown=0)
    hours = format_contact_windows([(w.weekday, w.starts, w.ends) for w in view.contact_windows])
    return render(
        request,
        "portal/home.html",
        {
            "c": customer,
            "v": view,
            "hours_form": ContactHoursForm(initial={"contact_hours": hours}),
            "answers": feedback_queries.customer_survey_history(customer.pk, limit=10),
            "cases": case_queries.cases_of_customer(customer.pk),
            "appointments": [
                (a, appointment_queries.local_time(a))
                for a in appointment_queries.upcoming_of_customer(customer.pk)[:3]
            ],
        },
    )


@allow(Role.CUSTOMER)
@require_POST
def consent_update(request: HttpRequest) -> HttpResponse:
    customer = own_customer(request)
    purpose = request.POST.get("purpose", "")
    if purpose not in ConsentPurpose.values:
        messages.error(request, "That is not something we ask consent for.")
        return redirect("portal:home")
    granted = request.POST.get("granted") == "yes"
    customer_services.consent_record(customer=customer, purpose=purpose, granted=granted, source="portal", by=None)
    label = ConsentPurpose(purpose).label
    messages.success(request, f"{label}: {'you said yes' if granted else 'you said no'}. Thank you.")
    return redirect("portal:home")


@allow(Role.CUSTOMER)
@require_POST
def contact_hours_update(request: HttpRequest) -> HttpResponse:
    customer = own_customer(request)
    form = ContactHoursForm(request.POST)
    if form.is_valid():
        try:
            customer_services.customer_update(
                customer=customer, by=None, contact_hours=form.cleaned_data["contact_hours"]
            )
        except InvalidInput as exc:
            messages.error(request, exc.errors.get("contact_hours", str(exc)))
        else:
            messages.success(request, "Your contact hours are saved.")
    return redirect("portal:home")
