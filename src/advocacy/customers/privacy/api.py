"""A customer's data export (JSON) and erasure over the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from advocacy.core.api.auth import api_auth, staff_member
from advocacy.core.roles import PROGRAM_TEAM, Role
from advocacy.customers.models import Customer
from advocacy.customers.privacy import services
from advocacy.customers.privacy.schemas import ErasureIn, ErasureOut, ExportOut

router = Router(tags=["privacy"])


@router.get(
    "/customers/{customer_id}/export",
    response=ExportOut,
    auth=api_auth(*PROGRAM_TEAM),
    summary="Everything kept about a customer, by section (audited)",
)
def customer_export(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    customer = get_object_or_404(Customer, pk=customer_id)
    return services.customer_export(customer=customer, by=staff_member(request))


@router.post(
    "/customers/{customer_id}/erase",
    response=ErasureOut,
    auth=api_auth(Role.ADMIN),
    summary="Erase a customer's personal data (anonymise everywhere; consent history kept)",
)
def customer_erase(request: HttpRequest, customer_id: int, payload: ErasureIn) -> dict[str, Any]:
    customer = get_object_or_404(Customer, pk=customer_id)
    changed = services.customer_erase(
        customer=customer, by=staff_member(request), confirm_email=payload.confirm_email, reason=payload.reason
    )
    return {"customer_id": customer.pk, "changed": changed}
