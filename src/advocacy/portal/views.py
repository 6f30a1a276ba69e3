"""The customer portal: sign-in by emailed link, and the customer's own records only.

Every view behind @allow(Role.CUSTOMER) reads the customer from the session, never from the URL, so
no URL can point at another customer's data.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.casework.cases import queries as case_queries
from advocacy.casework.cases import services as case_services
from advocacy.casework.cases.forms import MessageForm, PortalCaseForm
from advocacy.casework.cases.mail import customer_promise
from advocacy.casework.models import Case, Source
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import PORTAL_SESSION_KEY, PORTAL_TIME_ZONE_KEY, allow, portal_customer_id, public
from advocacy.core.roles import Role
from advocacy.customers.models import ConsentPurpose, Customer
from advocacy.customers.records import queries as customer_queries
from advocacy.customers.records import services as customer_services
from advocacy.customers.rules import format_contact_windows
from advocacy.feedback.surveys import queries as feedback_queries
from advocacy.portal import services
from advocacy.portal.forms import ContactHoursForm, SignInForm


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.magic_link_request(email=form.cleaned_data["email"])
        return render(request, "portal/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "portal/sign_in.html", {"form": form})


@public
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and writes nothing (mail scanners open links); the POST spends the token."""
    try:
        if request.method == "POST":
            customer = services.magic_link_spend(token=token)
            logout(request)  # a fresh session: drops any earlier sign-in and rotates the key
            request.session[PORTAL_SESSION_KEY] = customer.pk
            request.session[PORTAL_TIME_ZONE_KEY] = customer.time_zone
            return redirect("portal:home")
        link = services.magic_link_check(token=token)
    except services.LinkRefused as exc:
        return render(request, "portal/link_refused.html", {"reason": exc.reason, "code": exc.code}, status=400)
    return render(request, "portal/redeem.html", {"first_name": link.customer.first_name})


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("portal:sign_in")


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


# Cases: the customer's own only — every lookup is filtered by the signed-in customer.


def own_case(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("owner", "customer"), pk=case_id, customer_id=portal_customer_id(request)
    )


@allow(Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    customer = own_customer(request)
    form = PortalCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_services.case_open(customer=customer, by=None, source=Source.PORTAL, **form.cleaned_data)
        except (InvalidInput, ServiceError) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("portal:case_detail", case_id=case.pk)
    return render(request, "portal/case_new.html", {"form": form})


@allow(Role.CUSTOMER)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = own_case(request, case_id)
    return render(
        request,
        "portal/case_detail.html",
        {
            "case": case,
            "timeline": case_queries.timeline(case, customer_view=True),
            "promise": customer_promise(case),
            "form": MessageForm(),
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
