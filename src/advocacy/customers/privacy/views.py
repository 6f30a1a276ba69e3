"""Staff pages: download a customer's data as a ZIP (program team), erase a customer (admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.pages import show_errors
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import PROGRAM_TEAM, Role
from advocacy.customers.models import Customer
from advocacy.customers.privacy import services
from advocacy.customers.privacy.bundle import bundle_zip
from advocacy.customers.privacy.forms import ErasureForm


def zip_response(export: dict[str, Any], customer_id: int) -> HttpResponse:
    response = HttpResponse(bundle_zip(export), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer_id}-data.zip"'
    response["Cache-Control"] = "no-store"
    return response


@allow(*PROGRAM_TEAM)
def customer_export(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    return zip_response(services.customer_export(customer=customer, by=staff_user(request)), customer_id)


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_erase(
                customer=customer,
                by=staff_user(request),
                confirm_email=form.cleaned_data["confirm_email"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except ServiceError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, "The customer's personal data was erased; their consent history is kept.")
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/erase.html", {"c": customer, "form": form})
