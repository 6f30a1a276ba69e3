"""The customer data API: CRUD with filters and pages, one error format, idempotent POSTs."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from advocacy.core.models import ApiKey
from advocacy.customers.models import Consent, Customer, Order
from tests.conftest import loaded_from_elsewhere
from tests.factories import AccountFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: object, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def patch(client: Client, path: str, body: object):  # type: ignore[no-untyped-def]
    return client.patch(path, json.dumps(body), content_type="application/json")


def test_a_customer_is_created_read_and_updated(api):
    client = api("customer_advocate")
    account = AccountFactory(name="Globex")
    created = post(
        client,
        "/api/v1/customers",
        {
            "email": "Ada@Example.COM",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "time_zone": "Europe/London",
            "account_id": account.pk,
            "contact_hours": "Mon-Fri 09:00-12:00",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "ada@example.com"
    assert body["account_id"] == account.pk
    assert len(body["contact_windows"]) == 5

    read = client.get(f"/api/v1/customers/{body['id']}").json()
    assert read["last_name"] == "Lovelace"

    updated = patch(client, f"/api/v1/customers/{body['id']}", {"status": "churned", "churned_on": "2026-01-31"})
    assert updated.status_code == 200
    assert updated.json()["status"] == "churned"
    assert Customer.objects.get(pk=body["id"]).churned_on.isoformat() == "2026-01-31"


def test_customers_are_listed_with_filters_and_pages(api):
    emea = AccountFactory(region="EMEA")
    apac = AccountFactory(region="APAC")
    for i in range(7):
        CustomerFactory(account=emea if i < 5 else apac, last_name=f"Zed{i}")
    client = api("analyst")

    page = client.get("/api/v1/customers?region=EMEA&page_size=2&page=3").json()
    assert page["count"] == 5
    assert [c["last_name"] for c in page["items"]] == ["Zed4"]

    found = client.get("/api/v1/customers?q=zed6").json()
    assert [c["last_name"] for c in found["items"]] == ["Zed6"]


def test_invalid_fields_get_a_422_with_a_pointer_to_each_and_nothing_is_written(api):
    response = post(api("admin"), "/api/v1/customers", {"email": "not-an-email", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {e["pointer"]: e["detail"] for e in response.json()["errors"]}
    assert errors == {
        "/body/email": "'not-an-email' is not a valid email address",
        "/body/time_zone": "unknown time zone 'Mars/Olympus'; use an IANA name such as 'Europe/Berlin'",
    }
    assert Customer.objects.count() == 0


def test_a_missing_required_field_and_a_wrong_type_point_at_the_field(api):
    response = post(api("admin"), "/api/v1/orders", {"customer_id": "abc", "amount": "12.00"})
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/body/customer_id", "/body/product_id", "/body/currency", "/body/ordered_on"} <= pointers


def test_malformed_json_is_a_clear_error(api):
    response = api("admin").post("/api/v1/customers", "{not json", content_type="application/json")
    assert response.status_code in {400, 422}
    assert "json" in response.content.decode().lower()
    assert Customer.objects.count() == 0


def test_a_duplicate_email_in_another_case_is_refused(api):
    CustomerFactory(email="grace@example.com")
    response = post(api("admin"), "/api/v1/customers", {"email": "GRACE@example.com"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"pointer": "/body/email", "detail": "another customer has this email address"}
    ]


def test_a_reference_to_a_missing_row_points_at_the_field(api):
    response = post(api("admin"), "/api/v1/customers", {"email": "x@example.com", "account_id": 424242})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": "/body/account_id", "detail": "no account with id 424242"}]


def test_a_record_that_does_not_exist_is_a_404_problem(api):
    response = api("analyst").get("/api/v1/customers/424242")
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_the_same_idempotency_key_and_body_returns_the_first_result(api):
    client = api("sales")
    customer, product = CustomerFactory(), ProductFactory()
    body = {
        "customer_id": customer.pk,
        "product_id": product.pk,
        "amount": "99.50",
        "currency": "eur",
        "ordered_on": "2026-03-01",
        "kind": "upsell",
    }
    first = post(client, "/api/v1/orders", body, **{"Idempotency-Key": "order-7"})
    second = post(client, "/api/v1/orders", body, **{"Idempotency-Key": "order-7"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert Order.objects.get().currency == "EUR"


def test_the_same_idempotency_key_with_another_body_is_a_409(api):
    client = api("admin")
    post(client, "/api/v1/accounts", {"name": "Initech"}, **{"Idempotency-Key": "k1"})
    clash = post(client, "/api/v1/accounts", {"name": "Initrode"}, **{"Idempotency-Key": "k1"})
    assert clash.status_code == 409
    assert "different request" in clash.json()["detail"]


def test_idempotency_keys_belong_to_their_caller(api):
    post(api("admin"), "/api/v1/accounts", {"name": "Initech"}, **{"Idempotency-Key": "shared"})
    other = post(api("admin"), "/api/v1/accounts", {"name": "Umbrella"}, **{"Idempotency-Key": "shared"})
    assert other.status_code == 201
    assert other.json()["name"] == "Umbrella"


def test_a_revoked_key_stops_working_and_last_use_is_recorded(api_token, alice):
    token = api_token("analyst")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me").json() == {
        "role": "analyst",
        "kind": "api_key",
        "name": "test analyst",
        "acts_as": "ana",
    }
    key = ApiKey.objects.get(name="test analyst")
    assert key.last_used_at is not None

    from advocacy.core.apikeys.services import apikey_revoke

    apikey_revoke(key=key, by=alice)
    assert client.get("/api/v1/me").status_code == 401


def test_an_event_posted_twice_is_recorded_once(api):
    client = api("sales")
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "kind": "login", "occurred_at": "2026-02-01T10:00:00Z"}
    assert post(client, "/api/v1/events", body).status_code == 201
    assert post(client, "/api/v1/events", body).status_code == 200
    assert customer.engagement_events.count() == 1


def test_a_feature_use_event_names_its_feature_and_an_overlong_one_is_refused(api):
    client = api("sales")
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "kind": "feature_use", "occurred_at": "2026-02-01T10:00:00Z"}
    created = post(client, "/api/v1/events", body | {"detail": " Analytics "})
    assert created.status_code == 201 and created.json()["detail"] == "analytics"
    too_long = post(client, "/api/v1/events", body | {"detail": "x" * 101, "occurred_at": "2026-02-02T10:00:00Z"})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["pointer"] == "/body/detail"
    assert customer.engagement_events.count() == 1


def test_a_naive_event_time_is_refused(api):
    customer = CustomerFactory()
    response = post(
        api("sales"),
        "/api/v1/events",
        {"customer_id": customer.pk, "kind": "login", "occurred_at": "2026-02-01T10:00:00"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/occurred_at"


def test_consent_changes_append_to_the_history(api):
    client = api("customer_advocate")
    customer = CustomerFactory()
    for granted in (True, False):
        response = post(
            client,
            "/api/v1/consents",
            {"customer_id": customer.pk, "purpose": "reference_call", "granted": granted, "source": "phone"},
        )
        assert response.status_code == 201
    history = client.get(f"/api/v1/consents?customer_id={customer.pk}").json()["items"]
    assert [row["granted"] for row in history] == [False, True]
    assert Consent.objects.count() == 2


def test_a_product_has_a_competitor_and_rejects_a_bad_currency(api):
    client = api("program_manager")
    created = post(
        client,
        "/api/v1/products",
        {
            "external_id": "NW-1",
            "name": "Signal Pro",
            "competitor": "Northwind",
            "price": "30.00",
            "currency": "usd",
            "capability_tags": ["SSO", "api"],
        },
    )
    assert created.status_code == 201
    assert created.json()["is_own"] is False
    assert created.json()["capability_tags"] == ["api", "sso"]
    bad = post(client, "/api/v1/products", {"external_id": "X", "name": "X", "price": "-1", "currency": "dollars"})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/body/price", "/body/currency"}


def test_the_openapi_docs_are_served_without_a_cdn():
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    assert loaded_from_elsewhere(page.content.decode()) == []
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/customers" in schema["paths"]


def no_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    assert not repeated, f"keys written twice in one object: {repeated}"
    return dict(pairs)


def test_the_openapi_document_writes_each_key_once_so_that_strict_readers_take_it():
    """Swagger UI reads the document with a YAML parser that refuses a repeated key and then shows no
    operation at all; an operation's own 422 and the 422 every operation gets were once both written."""
    document = Client().get("/api/v1/openapi.json").content.decode()
    schema = json.loads(document, object_pairs_hook=no_repeated_keys)
    imports = schema["paths"]["/api/v1/imports/{kind}"]["post"]["responses"]
    assert {"202", "413", "422"} <= set(imports)


def test_a_competitors_product_in_use_is_recorded_once_listed_and_removed(api):
    client = api("customer_advocate")
    customer = CustomerFactory()
    rival = ProductFactory(name="Contoso Desk", competitor="Contoso")
    url = f"/api/v1/customers/{customer.pk}/products-in-use"

    first = client.put(url, {"product_id": rival.pk, "since": "2024-05-01"}, content_type="application/json")
    again = client.put(url, {"product_id": rival.pk, "since": "2024-06-01"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert client.get(url).json() == [
        {"product_id": rival.pk, "product_name": "Contoso Desk", "competitor": "Contoso", "since": "2024-06-01"}
    ]
    assert client.delete(f"{url}/{rival.pk}").status_code == 204
    assert client.delete(f"{url}/{rival.pk}").status_code == 404
    assert client.get(url).json() == []


def test_our_own_product_or_a_future_start_is_refused_as_a_product_in_use(api):
    client = api("customer_advocate")
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.pk}/products-in-use"
    own = client.put(url, {"product_id": ProductFactory().pk}, content_type="application/json")
    assert own.status_code == 422 and "our own product" in own.text
    rival = ProductFactory(competitor="Contoso")
    future = client.put(url, {"product_id": rival.pk, "since": "2999-01-01"}, content_type="application/json")
    assert future.status_code == 422 and "future" in future.text
    unknown = client.put(url, {"product_id": 987654}, content_type="application/json")
    assert unknown.status_code == 422
