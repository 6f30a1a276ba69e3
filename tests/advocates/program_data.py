"""Rows the referral, reference and story tests share: advocates, portal sign-in, the API under test."""

from __future__ import annotations

from typing import Any

from django.test import Client

from advocacy.advocates.models import Advocate
from advocacy.customers.models import Customer
from advocacy.portal.signin.services import magic_link_create
from tests.factories import CustomerFactory


def advocate(customer: Customer | None = None, **customer_fields: Any) -> Advocate:
    return Advocate.objects.create(customer=customer or CustomerFactory(**customer_fields), terms_version="2026-1")


def portal_client(customer: Customer) -> Client:
    client = Client()
    token = magic_link_create(customer=customer)
    assert client.post(f"/portal/sign-in/{token}/").status_code == 302
    return client
