"""The role × endpoint matrix: every page and API operation serves exactly the roles written here.

The tables below are the contract. A new page or endpoint fails ``test_every_*_is_in_the_matrix``
until someone decides, here, who may use it; then each role is tried against it for real.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from advocacy.api import api
from advocacy.core.api.auth import declared_roles
from advocacy.core.permissions import PUBLIC, roles_serving
from advocacy.core.roles import STAFF_ROLES, Role
from advocacy.portal.signin.services import magic_link_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

STAFF = STAFF_ROLES
ADMIN = frozenset({Role.ADMIN})
MANAGERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER})
CUSTOMER = frozenset({Role.CUSTOMER})
CUSTOMER_WRITERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.CUSTOMER_ADVOCATE, Role.SALES})
ORDER_WRITERS = frozenset({Role.ADMIN, Role.SALES})
INSIGHT = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.ANALYST, Role.CUSTOMER_ADVOCATE, Role.DEPARTMENT_HEAD})
CASE_WORKERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.CUSTOMER_ADVOCATE})
CASE_WORKERS_AND_ANALYSTS = CASE_WORKERS | {Role.ANALYST}
HEADS = frozenset({Role.ADMIN, Role.DEPARTMENT_HEAD})
ADVOCATE_READERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.ANALYST, Role.SALES})
PROGRAM_READERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.ANALYST})
REFERENCE_USERS = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER, Role.SALES})

# url name → roles. PUBLIC pages carry their own proof (a sign-in form, a single-use token).
PAGES: dict[str, frozenset[str]] = {
    "core:root": PUBLIC,
    "core:home": STAFF,
    "core:login": PUBLIC,
    "core:logout": PUBLIC,
    "core:favicon": PUBLIC,  # a redirect to the product's icon
    "core:api_keys": ADMIN,
    "core:api_key_revoke": ADMIN,
    # Crash safety and retries (issue 11, item 5): the dead letters and their retry button.
    "core:jobs": ADMIN,
    "core:job_retry": ADMIN,
    "outreach:webhooks": ADMIN,
    "outreach:webhook_detail": ADMIN,
    "outreach:webhook_rotate": ADMIN,
    "outreach:webhook_toggle": ADMIN,
    "outreach:webhook_ping": ADMIN,
    "outreach:webhook_delivery_retry": ADMIN,
    "advocates:conversion_webhook": PUBLIC,  # a shop's message, proved by its Standard Webhooks signature
    "advocates:conversion_sources": ADMIN,
    "advocates:conversion_source_rotate": ADMIN,
    "advocates:conversion_source_toggle": ADMIN,
    "customers:search": STAFF,
    "customers:detail": STAFF,
    "customers:import_list": MANAGERS,
    "customers:import_detail": MANAGERS,
    "customers:import_errors_csv": MANAGERS,
    # Export and erasure (issue 11, item 9).
    "customers:export": MANAGERS,
    "customers:erase": ADMIN,
    "portal:my_data": CUSTOMER,
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
    "portal:case_new": CUSTOMER,
    "portal:case_detail": CUSTOMER,
    "portal:case_reply": CUSTOMER,
    "portal:appointment": CUSTOMER,
    "portal:appointment_cancel": CUSTOMER,
    "casework:queue": CASE_WORKERS_AND_ANALYSTS,
    # The case workspace (issue 12, item 4): queue export and saved views, reply templates, .ics files.
    "casework:queue_csv": CASE_WORKERS_AND_ANALYSTS,
    "casework:queue_view_save": CASE_WORKERS,
    "casework:queue_view_delete": CASE_WORKERS,
    "casework:reply_templates": MANAGERS,
    "casework:reply_template_edit": MANAGERS,
    "casework:appointment_ics": CASE_WORKERS,
    "portal:appointment_ics": CUSTOMER,
    "casework:case_detail": INSIGHT,
    "casework:case_update": CASE_WORKERS,
    "casework:case_note": CASE_WORKERS,
    "casework:case_status": CASE_WORKERS,
    "casework:case_transfer": CASE_WORKERS,
    "casework:case_huddle": CASE_WORKERS,
    "casework:case_resolve": CASE_WORKERS,
    "casework:case_open": CASE_WORKERS,
    "casework:my_tasks": HEADS,
    "casework:task_done": HEADS,
    "casework:prevention": INSIGHT,
    "casework:prevention_verify": CASE_WORKERS,
    "casework:sla": INSIGHT,
    "casework:sla_csv": INSIGHT,
    "casework:settings": MANAGERS,
    "casework:case_appointments": CASE_WORKERS,
    "casework:appointment_book": CASE_WORKERS,
    "casework:my_appointments": CASE_WORKERS,
    "casework:my_availability": CASE_WORKERS,
    "casework:appointment_reschedule": CASE_WORKERS,
    "casework:appointment_cancel": CASE_WORKERS,
    "casework:case_recommendations": CASE_WORKERS,
    "casework:recommendation_record": CASE_WORKERS,
    "casework:recommendation_outcome": CASE_WORKERS,
    "advocates:program": MANAGERS,
    "advocates:program_settings": MANAGERS,
    "advocates:funnel_stage": MANAGERS,
    "advocates:advocate_list": ADVOCATE_READERS,
    "advocates:weights": MANAGERS,
    "advocates:score_detail": ADVOCATE_READERS,
    "advocates:challenge_list": MANAGERS,
    "advocates:challenge_edit": MANAGERS,
    "advocates:approvals": MANAGERS,
    "advocates:rewards": MANAGERS,
    "advocates:redemptions": MANAGERS,
    "advocates:hub_invitations": MANAGERS,
    "advocates:referral_redirect": PUBLIC,
    "advocates:referral_queue": MANAGERS,
    "advocates:reference_list": REFERENCE_USERS,
    "advocates:reference_new": REFERENCE_USERS,
    "advocates:reference_detail": REFERENCE_USERS,
    "advocates:story_list": MANAGERS,
    "advocates:stories_export": MANAGERS,
    "advocates:stories_snippet": MANAGERS,
    "hub:home": CUSTOMER,
    "hub:join": CUSTOMER,
    "hub:leaderboard_opt_out": CUSTOMER,
    "hub:challenge": CUSTOMER,
    "hub:submission": CUSTOMER,
    "hub:rewards": CUSTOMER,
    "hub:redeem": CUSTOMER,
    "hub:redemption": CUSTOMER,
    "hub:referrals": CUSTOMER,
    "hub:references": CUSTOMER,
    "hub:reference_answer": CUSTOMER,
    "hub:stories": CUSTOMER,
    # Impact: what the program cost and returned (issue 9, money side).
    "insights:impact": PROGRAM_READERS,
    "insights:impact_behind": PROGRAM_READERS,
    "insights:holdout_customers": PROGRAM_READERS,
    "insights:impact_csv": PROGRAM_READERS,
    "insights:costs": PROGRAM_READERS,
    "insights:cost_new": MANAGERS,
    "insights:cost_saving_new": MANAGERS,
    "insights:cost_reverse": MANAGERS,
    "insights:costs_sync": MANAGERS,
    "insights:costs_import": MANAGERS,
    "insights:attribution_settings": MANAGERS,
    # Listening (issue 10): dashboard, explorer, mentions, alerts for insight readers; sources for the team.
    "listening:dashboard": INSIGHT,
    "listening:explorer": INSIGHT,
    "listening:explorer_csv": INSIGHT,
    "listening:mention_detail": INSIGHT,
    "listening:alerts": INSIGHT,
    "listening:alert_detail": INSIGHT,
    "listening:sources": MANAGERS,
    "listening:source_toggle": MANAGERS,
    "listening:source_reviews": MANAGERS,
    "listening:webhook": PUBLIC,  # a tool's push, proved by its Standard Webhooks signature
    # Retention, lifetime value and satisfaction by advocacy status (issue 9, items 5-8).
    "insights:retention": PROGRAM_READERS,
    "insights:retention_csv": PROGRAM_READERS,
    "insights:retention_customers": PROGRAM_READERS,
    "insights:lifetime": PROGRAM_READERS,
    "insights:lifetime_csv": PROGRAM_READERS,
    "insights:lifetime_customers": PROGRAM_READERS,
    "insights:lifetime_refit": MANAGERS,
    "insights:status": PROGRAM_READERS,
    "insights:status_csv": PROGRAM_READERS,
    "insights:status_customers": PROGRAM_READERS,
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
    "GET /api/v1/customers/{customer_id}/export": MANAGERS,
    "POST /api/v1/customers/{customer_id}/erase": ADMIN,
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
    "GET /api/v1/customers/{customer_id}/products-in-use": STAFF,
    "PUT /api/v1/customers/{customer_id}/products-in-use": CUSTOMER_WRITERS,
    "DELETE /api/v1/customers/{customer_id}/products-in-use/{product_id}": CUSTOMER_WRITERS,
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
    "GET /api/v1/cases": INSIGHT,
    "POST /api/v1/cases": CASE_WORKERS,
    "GET /api/v1/cases/{case_id}": INSIGHT,
    "GET /api/v1/cases/{case_id}/timeline": INSIGHT,
    "POST /api/v1/cases/{case_id}/updates": CASE_WORKERS,
    "POST /api/v1/cases/{case_id}/notes": CASE_WORKERS,
    "POST /api/v1/cases/{case_id}/status": CASE_WORKERS,
    "POST /api/v1/cases/{case_id}/transfers": CASE_WORKERS,
    "POST /api/v1/cases/{case_id}/huddles": CASE_WORKERS,
    "GET /api/v1/tasks": HEADS,
    "POST /api/v1/tasks/{task_id}/done": HEADS,
    "POST /api/v1/cases/{case_id}/resolve": CASE_WORKERS,
    "GET /api/v1/prevention": INSIGHT,
    "POST /api/v1/prevention/{prevention_id}/verify": CASE_WORKERS,
    "GET /api/v1/cases/{case_id}/slots": CASE_WORKERS_AND_ANALYSTS,
    "POST /api/v1/appointments": CASE_WORKERS,
    "GET /api/v1/appointments": CASE_WORKERS_AND_ANALYSTS,
    "PATCH /api/v1/appointments/{appointment_id}": CASE_WORKERS,
    "POST /api/v1/appointments/{appointment_id}/cancel": CASE_WORKERS,
    "GET /api/v1/cases/{case_id}/recommendations": CASE_WORKERS_AND_ANALYSTS,
    "POST /api/v1/recommendations": CASE_WORKERS,
    "GET /api/v1/reply-templates": CASE_WORKERS,
    "POST /api/v1/reply-templates": MANAGERS,
    "PATCH /api/v1/reply-templates/{template_id}": MANAGERS,
    "GET /api/v1/cases/{case_id}/replies/{template_id}": CASE_WORKERS,
    "GET /api/v1/recommendations": CASE_WORKERS_AND_ANALYSTS,
    "PATCH /api/v1/recommendations/{recommendation_id}": CASE_WORKERS,
    "GET /api/v1/advocate-scores": ADVOCATE_READERS,
    "GET /api/v1/advocate-scores/{int:customer_id}": ADVOCATE_READERS,
    "GET /api/v1/advocate-score-weights": MANAGERS,
    "PUT /api/v1/advocate-score-weights": MANAGERS,
    "POST /api/v1/advocate-scores/recompute": MANAGERS,
    "GET /api/v1/hub/challenges": PROGRAM_READERS,
    "POST /api/v1/hub/challenges": MANAGERS,
    "GET /api/v1/hub/challenges/{challenge_id}": PROGRAM_READERS,
    "PATCH /api/v1/hub/challenges/{challenge_id}": MANAGERS,
    "GET /api/v1/hub/submissions": PROGRAM_READERS,
    "POST /api/v1/hub/submissions/{submission_id}/approve": MANAGERS,
    "POST /api/v1/hub/submissions/{submission_id}/reject": MANAGERS,
    "GET /api/v1/hub/advocates": PROGRAM_READERS,
    "GET /api/v1/hub/advocates/{advocate_id}": PROGRAM_READERS,
    "GET /api/v1/hub/advocates/{advocate_id}/points": PROGRAM_READERS,
    "GET /api/v1/hub/rewards": PROGRAM_READERS,
    "POST /api/v1/hub/rewards": MANAGERS,
    "PATCH /api/v1/hub/rewards/{reward_id}": MANAGERS,
    "GET /api/v1/hub/redemptions": PROGRAM_READERS,
    "POST /api/v1/hub/redemptions": MANAGERS,
    "POST /api/v1/hub/redemptions/{redemption_id}/decide": MANAGERS,
    "GET /api/v1/hub/invitations": PROGRAM_READERS,
    "POST /api/v1/hub/invitations": MANAGERS,
    "POST /api/v1/hub/invitations/top": MANAGERS,
    "GET /api/v1/advocacy-program": MANAGERS,
    "GET /api/v1/program-settings": MANAGERS,
    "PATCH /api/v1/program-settings": MANAGERS,
    "POST /api/v1/referrals/conversions": REFERENCE_USERS,
    "POST /api/v1/referrals/conversions/import": REFERENCE_USERS,
    "GET /api/v1/referrals": MANAGERS,
    "GET /api/v1/referral-rewards": MANAGERS,
    "POST /api/v1/referral-rewards/{reward_id}/decision": MANAGERS,
    "GET /api/v1/reference-requests": REFERENCE_USERS,
    "POST /api/v1/reference-requests": REFERENCE_USERS,
    "GET /api/v1/reference-requests/{request_id}/matches": REFERENCE_USERS,
    "POST /api/v1/reference-requests/{request_id}/asks": REFERENCE_USERS,
    "POST /api/v1/reference-requests/{request_id}/cancel": REFERENCE_USERS,
    "POST /api/v1/reference-asks/{ask_id}/call": REFERENCE_USERS,
    "GET /api/v1/stories": MANAGERS,
    "POST /api/v1/stories/{story_id}/publish": MANAGERS,
    "POST /api/v1/stories/{story_id}/withdraw": MANAGERS,
    "GET /api/v1/stories/export.json": MANAGERS,
    # Trust under attack and failure (issue 11, items 4 and 10): import errors paged; webhooks.
    "GET /api/v1/imports/jobs/{job_id}/errors": MANAGERS,
    "GET /api/v1/webhook-event-types": ADMIN,
    "GET /api/v1/webhook-endpoints": ADMIN,
    "POST /api/v1/webhook-endpoints": ADMIN,
    "GET /api/v1/webhook-endpoints/{endpoint_id}": ADMIN,
    "PATCH /api/v1/webhook-endpoints/{endpoint_id}": ADMIN,
    "POST /api/v1/webhook-endpoints/{endpoint_id}/rotate-secret": ADMIN,
    "POST /api/v1/webhook-endpoints/{endpoint_id}/ping": ADMIN,
    "GET /api/v1/webhook-endpoints/{endpoint_id}/deliveries": ADMIN,
    "POST /api/v1/webhook-deliveries/{delivery_id}/retry": ADMIN,
    "GET /api/v1/referral-sources": ADMIN,
    "POST /api/v1/referral-sources": ADMIN,
    "POST /api/v1/referral-sources/{source_id}/rotate-secret": ADMIN,
    "PATCH /api/v1/referral-sources/{source_id}": ADMIN,
    # Impact (issue 9, money side): figures with their model as query parameters, the cost ledger, settings.
    "GET /api/v1/insights/attribution": PROGRAM_READERS,
    "GET /api/v1/insights/attribution-settings": PROGRAM_READERS,
    "PUT /api/v1/insights/attribution-settings/{source}": MANAGERS,
    "GET /api/v1/insights/costs": PROGRAM_READERS,
    "POST /api/v1/insights/costs": MANAGERS,
    "POST /api/v1/insights/costs/{entry_id}/reverse": MANAGERS,
    "GET /api/v1/insights/cost-savings": PROGRAM_READERS,
    "POST /api/v1/insights/cost-savings": MANAGERS,
    "GET /api/v1/insights/exchange-rates": PROGRAM_READERS,
    "POST /api/v1/insights/exchange-rates": ADMIN,
    "GET /api/v1/insights/roi": PROGRAM_READERS,
    "GET /api/v1/insights/holdout": PROGRAM_READERS,
    "GET /api/v1/insights/holdout-settings": PROGRAM_READERS,
    "PUT /api/v1/insights/holdout-settings": MANAGERS,
    "GET /api/v1/listening/sources": MANAGERS,
    "POST /api/v1/listening/sources": MANAGERS,
    "POST /api/v1/listening/sources/{source_id}/reviews": MANAGERS,
    "GET /api/v1/listening/queries": INSIGHT,
    "POST /api/v1/listening/queries": MANAGERS,
    "GET /api/v1/listening/mentions": INSIGHT,
    "POST /api/v1/listening/mentions": MANAGERS,
    "GET /api/v1/listening/mentions/{mention_id}": INSIGHT,
    "GET /api/v1/listening/flags": INSIGHT,
    "GET /api/v1/listening/alerts": INSIGHT,
    # Retention, lifetime value and satisfaction by advocacy status (issue 9, item 9).
    "GET /api/v1/insights/retention/curves": PROGRAM_READERS,
    "GET /api/v1/insights/retention/churn": PROGRAM_READERS,
    "GET /api/v1/insights/retention/revenue": PROGRAM_READERS,
    "GET /api/v1/insights/retention/cohorts": PROGRAM_READERS,
    "GET /api/v1/insights/lifetime": PROGRAM_READERS,
    "GET /api/v1/insights/lifetime/customers/{customer_id}": PROGRAM_READERS,
    "POST /api/v1/insights/lifetime/fits": MANAGERS,
    "GET /api/v1/insights/status": PROGRAM_READERS,
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


SPECIAL_PARAMETERS = {"{kind}": "customers", "<str:token>": "x", "<str:code>": "nope", "<int:score>": "5"}


def fill(path: str) -> str:
    """Concrete values for path parameters; ids that do not exist are fine (allowed roles get 404)."""
    for parameter, value in SPECIAL_PARAMETERS.items():
        path = path.replace(parameter, value)
    return re.sub(r"<int:\w+>|\{(int:)?\w+\}", "999999", path)


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
            # A member-only hub page sends a customer who has not joined to the hub's front page.
            lands = response.status_code in {200, 404, 405} or (
                response.status_code == 302 and "sign-in" not in response["Location"]
            )
            assert lands, f"{role} should reach {name}: got {response.status_code}"
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


@pytest.mark.parametrize(
    ("url_name", "roles"),
    [
        ("casework:appointment_ics", CASE_WORKERS),  # takes the appointment's id
        ("insights:cost_reverse", MANAGERS),  # takes the ledger entry's id
        ("advocates:reference_detail", REFERENCE_USERS),
        ("core:home", STAFF),
        ("no:such_page", frozenset()),
    ],
)
def test_links_inside_pages_know_the_roles_of_pages_whose_address_takes_arguments(url_name, roles):
    """``may_open`` hides a link from the roles its page refuses; it must not hide it from the roles it
    serves because the page's address takes an id."""
    assert roles_serving(url_name) == roles
