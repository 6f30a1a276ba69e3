"""The role × endpoint matrix: every page and API operation serves exactly the roles written here.

The tables below are the contract. A new page or endpoint fails ``test_every_*_is_in_the_matrix``
until someone decides, here, who may use it; then each role is tried against it for real.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from advocacy.api import api
from advocacy.core.api_auth import declared_roles
from advocacy.core.permissions import PUBLIC
from advocacy.core.roles import STAFF_ROLES, Role
from advocacy.portal.services import magic_link_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

STAFF = STAFF_ROLES
ADMIN = frozenset({Role.ADMIN})
MANAGERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER})
CUSTOMER = frozenset({Role.CUSTOMER})
CUSTOMER_WRITERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.CUSTOMER_ADVOCATE, Role.SALES})
ORDER_WRITERS = frozenset({Role.ADMIN, Role.SALES})
INSIGHT = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.ANALYST, Role.CUSTOMER_ADVOCATE, Role.DEPARTMENT_HEAD})

# url name → roles. PUBLIC pages carry their own proof (a sign-in form, a single-use token).
PAGES: dict[str, frozenset[str]] = {
    "core:root": PUBLIC,
    "core:home": STAFF,
    "core:login": PUBLIC,
    "core:logout": PUBLIC,
    "core:api_keys": ADMIN,
    "core:api_key_revoke": ADMIN,
    "customers:search": STAFF,
    "customers:detail": STAFF,
    "customers:import_list": MANAGERS,
    "customers:import_detail": MANAGERS,
    "customers:import_errors_csv": MANAGERS,
    "portal:home": CUSTOMER,
    "portal:sign_in": PUBLIC,
    "portal:redeem": PUBLIC,
    "portal:sign_out": PUBLIC,
    "portal:consent_update": CUSTOMER,
    "portal:contact_hours_update": CUSTOMER,
    "feedback:survey_list": MANAGERS,
    "feedback:fatigue_policy": MANAGERS,
    "feedback:survey_detail": MANAGERS,
    "feedback:survey_edit": MANAGERS,
    "feedback:survey_preview": MANAGERS,
    "feedback:wave_open": MANAGERS,
    "feedback:answer": PUBLIC,
    "feedback:comment": PUBLIC,
    "feedback:unsubscribe": PUBLIC,
    "feedback:web_survey": PUBLIC,
    "feedback:dashboard": INSIGHT,
    "feedback:responses": INSIGHT,
    "feedback:responses_csv": INSIGHT,
    "feedback:plotly_js": INSIGHT,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
}

# "METHOD /path" → roles, for every API operation.
OPERATIONS: dict[str, frozenset[str]] = {
    "GET /api/v1/me": STAFF,
    "GET /api/v1/accounts": STAFF,
    "POST /api/v1/accounts": CUSTOMER_WRITERS,
    "GET /api/v1/accounts/{account_id}": STAFF,
    "PATCH /api/v1/accounts/{account_id}": CUSTOMER_WRITERS,
    "GET /api/v1/customers": STAFF,
    "POST /api/v1/customers": CUSTOMER_WRITERS,
    "GET /api/v1/customers/{customer_id}": STAFF,
    "PATCH /api/v1/customers/{customer_id}": CUSTOMER_WRITERS,
    "GET /api/v1/products": STAFF,
    "POST /api/v1/products": MANAGERS,
    "GET /api/v1/products/{product_id}": STAFF,
    "PATCH /api/v1/products/{product_id}": MANAGERS,
    "GET /api/v1/orders": STAFF,
    "POST /api/v1/orders": ORDER_WRITERS,
    "GET /api/v1/orders/{order_id}": STAFF,
    "PATCH /api/v1/orders/{order_id}": ORDER_WRITERS,
    "GET /api/v1/events": STAFF,
    "POST /api/v1/events": ORDER_WRITERS,
    "GET /api/v1/events/{event_id}": STAFF,
    "GET /api/v1/consents": STAFF,
    "POST /api/v1/consents": CUSTOMER_WRITERS,
    "GET /api/v1/consents/{consent_id}": STAFF,
    "POST /api/v1/imports/{kind}": MANAGERS,
    "GET /api/v1/imports/jobs/{job_id}": MANAGERS,
    "GET /api/v1/imports/jobs/{job_id}/errors.csv": MANAGERS,
    "GET /api/v1/surveys": STAFF,
    "POST /api/v1/surveys": MANAGERS,
    "GET /api/v1/surveys/{survey_id}": STAFF,
    "PATCH /api/v1/surveys/{survey_id}": MANAGERS,
    "GET /api/v1/surveys/{survey_id}/waves": STAFF,
    "POST /api/v1/surveys/{survey_id}/waves": MANAGERS,
    "GET /api/v1/surveys/{survey_id}/distribution": MANAGERS,
    "GET /api/v1/invitations": MANAGERS,
    "POST /api/v1/invitations": CUSTOMER_WRITERS,
    "GET /api/v1/responses": INSIGHT,
    "GET /api/v1/responses.csv": INSIGHT,
    "POST /api/v1/responses": MANAGERS,
}


def named_patterns(resolver: URLResolver, namespace: str = "", prefix: str = "") -> list[tuple[str, str, object]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin admits only users with is_staff, which only admins have
            ns = f"{namespace}:{entry.namespace}" if entry.namespace and namespace else entry.namespace or namespace
            found += named_patterns(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            if namespace == "api" and not entry.name.startswith("openapi"):
                continue  # API operations have their own matrix below
            found.append((f"{namespace}:{entry.name}".lstrip(":"), prefix + str(entry.pattern), entry.callback))
    return found


def api_operations() -> dict[str, frozenset[str]]:
    operations = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = "/api/v1/" + (prefix.strip("/") + "/" if prefix.strip("/") else "") + path.lstrip("/")
                    operations[f"{method} {full}"] = declared_roles(operation.auth_callbacks)
    return operations


def test_every_page_is_in_the_matrix_with_the_roles_it_declares():
    declared = {}
    for name, _, callback in named_patterns(get_resolver()):
        roles = getattr(callback, "allowed_roles", None)
        assert roles is not None, f"{name} does not declare who may use it (@allow or @public)"
        declared[name] = roles
    assert declared == PAGES


def test_every_api_operation_is_in_the_matrix_with_the_roles_it_declares():
    assert api_operations() == OPERATIONS


def fill(path: str) -> str:
    """Concrete values for path parameters; ids that do not exist are fine (allowed roles get 404)."""
    return (
        path.replace("{kind}", "customers")
        .replace("<str:token>", "x")
        .replace("<int:key_id>", "999999")
        .replace("<int:customer_id>", "999999")
        .replace("<int:job_id>", "999999")
        .replace("{account_id}", "999999")
        .replace("{customer_id}", "999999")
        .replace("{product_id}", "999999")
        .replace("{order_id}", "999999")
        .replace("{event_id}", "999999")
        .replace("{consent_id}", "999999")
        .replace("{survey_id}", "999999")
        .replace("<int:survey_id>", "999999")
        .replace("<int:score>", "5")
        .replace("{job_id}", "999999")
    )


def portal_client() -> Client:
    client = Client()
    token = magic_link_create(customer=CustomerFactory())
    assert client.post(f"/portal/sign-in/{token}/").status_code == 302
    return client


@pytest.mark.parametrize("role", [*sorted(STAFF_ROLES | {Role.CUSTOMER}), "anonymous"])
def test_each_role_reaches_exactly_its_pages(role, client_as):
    client = client_as(role) if role in STAFF_ROLES else portal_client() if role == Role.CUSTOMER else Client()
    for name, pattern, _ in named_patterns(get_resolver()):
        roles = PAGES[name]
        if roles == PUBLIC or name in {"core:logout", "portal:sign_out"}:
            continue
        path = "/" + fill(pattern)
        response = client.get(path)
        if role in roles:
            assert response.status_code in {200, 404, 405}, f"{role} should reach {name}: got {response.status_code}"
        elif role == "anonymous":
            assert response.status_code == 302, f"anonymous should be sent to sign in from {name}"
        else:
            assert response.status_code == 403, f"{role} must not reach {name}: got {response.status_code}"


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_each_role_key_reaches_exactly_its_api_operations(role, api):
    client = api(role)
    for operation, roles in OPERATIONS.items():
        method, path = operation.split(" ", 1)
        response = client.generic(method, fill(path), data="{}", content_type="application/json")
        if role in roles:
            assert response.status_code not in {401, 403}, f"{role} should reach {operation}"
        else:
            assert response.status_code == 403, f"{role} must not reach {operation}: got {response.status_code}"


def test_the_api_refuses_callers_without_credentials_or_with_a_forged_key():
    for operation in OPERATIONS:
        method, path = operation.split(" ", 1)
        assert Client().generic(method, fill(path)).status_code == 401, operation
        forged = Client(HTTP_AUTHORIZATION="Bearer adv_deadbeef_not-a-real-secret")
        assert forged.generic(method, fill(path)).status_code == 401, operation


def test_a_staff_session_is_held_to_the_same_roles_as_a_key(client_as):
    assert client_as(Role.ANALYST).get("/api/v1/customers").status_code == 200
    assert client_as(Role.ANALYST).post("/api/v1/customers", "{}", content_type="application/json").status_code == 403


def test_only_admins_reach_the_back_office(client_as):
    assert client_as(Role.ADMIN).get("/admin/").status_code == 200
    for role in STAFF_ROLES - {Role.ADMIN}:
        assert client_as(role).get("/admin/").status_code == 302, role
