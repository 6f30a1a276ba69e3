"""Customer search and the customer 360. One view serves the full page and the htmx partial."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.core.events import audit_read
from advocacy.core.permissions import staff_only, viewer_role
from advocacy.customers.models import Customer
from advocacy.customers.panels import panels_for
from advocacy.customers.privacy import views as privacy_views
from advocacy.customers.records import queries

RESULTS_PER_PAGE = 25


@staff_only
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = queries.customers_matching(q=q) if q else queries.customers_matching().none()
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    template = "customers/_results.html" if request.htmx else "customers/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"q": q, "page": page})


@staff_only
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        view = queries.customer_360(customer_id)
    except Customer.DoesNotExist as exc:
        raise Http404("No such customer") from exc
    view.panels = panels_for(viewer_role(request), view.customer)
    audit_read(actor=request.user, what="customer_360", object_type="customers.customer", object_id=str(customer_id))  # type: ignore[arg-type]
    role = viewer_role(request)
    privacy = {
        "export": role in privacy_views.customer_export.allowed_roles,  # type: ignore[attr-defined]
        "erase": role in privacy_views.customer_erase.allowed_roles,  # type: ignore[attr-defined]
    }
    return render(request, "customers/detail.html", {"v": view, "c": view.customer, "privacy": privacy})
