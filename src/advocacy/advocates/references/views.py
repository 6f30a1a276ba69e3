"""Sales' and the program team's reference pages: requests, matches, asks, calls."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advocacy.advocates.models import ReferenceAsk, ReferenceRequest
from advocacy.advocates.references import queries as references_queries
from advocacy.advocates.references import services as references
from advocacy.advocates.references.forms import ReferenceCallForm, ReferenceRequestForm
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import REFERENCE_TEAM


@allow(*REFERENCE_TEAM)
def reference_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "advocates/program/reference_list.html",
        {
            "requests": references_queries.reference_requests()[:200],
            "influenced": references_queries.revenue_influenced_by_references(today - timedelta(days=365), today),
        },
    )


@allow(*REFERENCE_TEAM)
@require_http_methods(["GET", "POST"])
def reference_new(request: HttpRequest) -> HttpResponse:
    form = ReferenceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = references.reference_request_create(by=staff_user(request), **form.cleaned_data)
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("advocates:reference_detail", request_id=created.pk)
    return render(request, "advocates/program/reference_new.html", {"form": form})


@allow(*REFERENCE_TEAM)
@require_http_methods(["GET", "POST"])
def reference_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """The ranked matches with their exclusions; ask the next best; record the call and the deal."""
    ref_request = get_object_or_404(ReferenceRequest.objects.select_related("product", "requested_by"), pk=request_id)
    call_form = ReferenceCallForm(request.POST if request.POST.get("action") == "call" else None)
    if request.method == "POST":
        done = reference_action(request, ref_request, call_form)
        if done:
            return redirect("advocates:reference_detail", request_id=ref_request.pk)
    return render(
        request,
        "advocates/program/reference_detail.html",
        {
            "r": ref_request,
            "matches": references.reference_matches(ref_request),
            "asks": references_queries.asks_of(ref_request),
            "call_form": call_form,
        },
    )


def reference_action(request: HttpRequest, ref_request: ReferenceRequest, call_form: ReferenceCallForm) -> bool:
    """Carry out the POSTed action; False leaves the page to show the form's errors."""
    try:
        if request.POST.get("action") == "ask":
            ask = references.reference_ask(request=ref_request, by=staff_user(request))
            messages.success(request, f"Asked {ask.advocate.customer} (fit {ask.fit:.0f}).")
            return True
        if request.POST.get("action") == "cancel":
            reason = request.POST.get("reason", "")
            references.reference_request_cancel(request=ref_request, by=staff_user(request), reason=reason)
            messages.success(request, "Request cancelled; the advocates asked are released.")
            return True
        if not call_form.is_valid():
            return False
        data = dict(call_form.cleaned_data)
        ask = get_object_or_404(ReferenceAsk, pk=data.pop("ask_id"), request=ref_request)
        references.reference_call_record(ask=ask, by=staff_user(request), **data)
        messages.success(request, "Call recorded.")
    except InvalidInput as exc:
        if request.POST.get("action") == "cancel":
            messages.error(request, " ".join(exc.errors.values()))
            return True
        for field, message in exc.errors.items():
            call_form.add_error(field if field in call_form.fields else None, message)
        return False
    except ServiceError as exc:
        messages.error(request, str(exc))
    return True
