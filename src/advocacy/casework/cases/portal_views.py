"""The customer's own cases in the portal: open one, follow it, reply. Every lookup is filtered by the
signed-in customer, never by the URL alone, so no URL shows another customer's case."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.casework.appointments import queries as appointment_queries
from advocacy.casework.cases import queries as case_queries
from advocacy.casework.cases import services as case_services
from advocacy.casework.cases.forms import MessageForm, PortalCaseForm
from advocacy.casework.models import AppointmentStatus, Case, Source
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role
from advocacy.customers.models import Customer


def own_case(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("owner", "customer"), pk=case_id, customer_id=portal_customer_id(request)
    )


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=portal_customer_id(request))
    form = PortalCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_services.case_open(customer=customer, by=None, source=Source.PORTAL, **form.cleaned_data)
        except (InvalidInput, ServiceError) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("portal:case_detail", case_id=case.pk)
    return render(request, "casework/portal/case_new.html", {"form": form})


@allow(Role.CUSTOMER)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = own_case(request, case_id)
    return render(
        request,
        "casework/portal/case_detail.html",
        {
            "case": case,
            "timeline": case_queries.timeline(case, customer_view=True),
            "promise": case_queries.customer_promise(case),
            "form": MessageForm(),
            "appointments": appointment_queries.appointments_matching(
                customer_id=case.customer_id, case_id=case.pk, status=AppointmentStatus.BOOKED
            ),
        },
    )


@allow(Role.CUSTOMER)
@require_POST
def case_reply(request: HttpRequest, case_id: int) -> HttpResponse:
    case = own_case(request, case_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            case_services.case_customer_reply(case=case, body=form.cleaned_data["body"])
        except (InvalidInput, ServiceError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Sent to {case.owner.display_name}.")
    return redirect("portal:case_detail", case_id=case.pk)
