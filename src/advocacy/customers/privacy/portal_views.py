"""The customer downloads everything kept about them from the portal (their own data only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from advocacy.core.permissions import allow, portal_customer_id
from advocacy.core.roles import Role
from advocacy.customers.models import Customer
from advocacy.customers.privacy import services
from advocacy.customers.privacy.views import zip_response


@allow(Role.CUSTOMER)
def my_data(request: HttpRequest) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=portal_customer_id(request))
    return zip_response(services.customer_export(customer=customer, by=None, by_customer=True), customer.pk)
