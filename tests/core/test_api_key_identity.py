"""An API key acts as its own role and identity: never as the admin who made it."""

from __future__ import annotations

import pytest
from django.test import Client

from advocacy.casework.cases import services as cases
from advocacy.core.apikeys.services import apikey_create
from advocacy.core.errors import InvalidInput
from advocacy.core.models import ApiKey, AuditEvent, User
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_key_made_by_an_admin_writes_as_its_own_service_identity(staff):
    alice = staff["admin"]
    key, token = apikey_create(name="CRM sync", role="sales", by=alice)

    created = bearer(token).post(
        "/api/v1/customers", {"email": "new@example.com", "first_name": "Nia"}, content_type="application/json"
    )

    assert created.status_code == 201, created.content
    identity = ApiKey.objects.get(pk=key.pk).acts_as
    assert identity.is_service and identity.role == "sales" and identity.first_name == "CRM sync"
    assert bearer(token).get("/api/v1/me").json()["acts_as"] == identity.username
    assert not AuditEvent.objects.filter(actor=alice).exclude(verb="apikey.created").exists()


def test_a_service_identity_cannot_sign_in_own_cases_or_reach_the_admin(staff, client):
    key, _ = apikey_create(name="Helpdesk bridge", role="customer_advocate", by=staff["admin"])
    identity = key.acts_as

    signed_in = client.post("/sign-in/", {"username": identity.username, "password": ""})
    assert "_auth_user_id" not in client.session and signed_in.status_code == 200
    with pytest.raises(InvalidInput):
        cases.case_open(customer=CustomerFactory(), subject="x", by=None, owner=identity)
    assert identity not in User.objects.filter(is_service=False)


def test_a_key_bound_to_a_person_must_match_their_role_and_stops_when_they_leave(staff):
    carol = staff["customer_advocate"]
    with pytest.raises(InvalidInput, match="acts as an active member of staff"):
        apikey_create(name="wrong", role="admin", by=staff["admin"], acts_as=carol)

    _, token = apikey_create(name="Carol's script", role="customer_advocate", by=staff["admin"], acts_as=carol)
    assert bearer(token).get("/api/v1/me").status_code == 200
    User.objects.filter(pk=carol.pk).update(is_active=False)
    assert bearer(token).get("/api/v1/me").status_code == 401


def test_the_keys_page_makes_a_key_acting_as_a_chosen_person(client_as, staff):
    page = client_as("admin").post(
        "/settings/api-keys/",
        {"name": "Dan's reports", "role": "department_head", "acts_as": staff["department_head"].pk},
    )
    assert page.status_code == 200 and "adv_" in page.text
    assert ApiKey.objects.get(name="Dan's reports").acts_as == staff["department_head"]
