"""Reference asks in the portal: the advocate says yes or no."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from advocacy.advocates.hub.portal_views import not_a_member, own_advocate
from advocacy.advocates.models import ReferenceAsk
from advocacy.advocates.references import queries
from advocacy.advocates.references import services as references
from advocacy.core.errors import ServiceError
from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role


@allow(Role.CUSTOMER)
def reference_page(request: HttpRequest) -> HttpResponse:
    advocate = own_advocate(request)
    if advocate is None:
        return not_a_member(request)
    return render(request, "advocates/program_portal/references.html", {"asks": queries.asks_of_advocate(advocate)})


@allow(Role.CUSTOMER)
@require_POST
def reference_answer(request: HttpRequest, ask_id: int) -> HttpResponse:
    ask = get_object_or_404(ReferenceAsk, pk=ask_id, advocate__customer_id=portal_customer_id(request))
    accept = request.POST.get("answer") == "accept"
    try:
        references.reference_answer(ask=ask, accept=accept)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Thank you! We will be in touch to find a time."
            if accept
            else "Thank you for letting us know. Nothing changes for you.",
        )
    return redirect("hub:references")
