"""The whole API under generated input (schemathesis over the OpenAPI document): never a 5xx, and every
answer is one the document describes (status, content type and body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(db):  # type: ignore[no-untyped-def]
    # As Django's test client does: the test's transaction holds the connection, so a request must
    # not close it when it finishes (PostgreSQL would lose the test's data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Driven per operation from the test rather than by schemathesis' pytest plugin, whose lazy fixture
# support writes pytest's private node attributes (gone in pytest 9.2).
def test_no_input_gets_a_server_error(api_schema, api_token):  # type: ignore[no-untyped-def]
    token = api_token("admin")
    server_errors: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=operation.as_strategy())
        def call(case):  # type: ignore[no-untyped-def]
            with transaction.atomic():  # a failed request rolls back alone (PostgreSQL aborts the transaction)
                response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {case.body!r} {case.query!r}"
                )

        call()
    assert server_errors == []


# The inputs the fuzzing first found, pinned as plain tests.


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=99999999999", "page_size=0", "page_size=501"])
def test_a_page_out_of_range_is_a_422_naming_the_parameter(api, query):  # type: ignore[no-untyped-def]
    response = api("admin").get(f"/api/v1/accounts?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == f"/query/{query.split('=')[0]}"


def test_a_nul_character_is_refused_in_json_query_and_form_alike(api, client_as):  # type: ignore[no-untyped-def]
    body = api("admin").post("/api/v1/accounts", {"name": "Ini\x00tech"}, content_type="application/json")
    query = api("admin").get("/api/v1/customers?q=a%00b")
    form = client_as("admin").post("/customers/", "first_name=a%00b", content_type="application/x-www-form-urlencoded")

    assert body.status_code == query.status_code == form.status_code == 400
    assert "NUL" in body.json()["detail"] and "NUL" in query.json()["detail"]


def test_null_for_a_required_field_is_a_422_not_a_crash(api):  # type: ignore[no-untyped-def]
    response = api("admin").post("/api/v1/accounts", {"name": None}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/body/name"


def test_every_operation_documents_its_error_answers():  # type: ignore[no-untyped-def]
    from advocacy.api import api as advocacy_api

    document = advocacy_api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"401", "403", "404", "422", "429"} <= set(operation["responses"]), f"{method} {path}"


def test_a_nul_in_an_upload_option_is_refused_by_name_and_imports_nothing(api):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advocacy.customers.models import Account

    upload = SimpleUploadedFile("accounts.csv", b"external_id,name\nA1,Initech\n", content_type="text/csv")
    response = api("admin").post("/api/v1/imports/accounts", {"file": upload, "encoding": "utf\x008"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"].startswith("Unknown encoding 'utf\\x008'")
    assert not Account.objects.filter(external_id="A1").exists()


def test_a_nul_in_an_upload_mapping_is_refused_by_name_and_imports_nothing(api):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advocacy.customers.models import Account

    upload = SimpleUploadedFile("accounts.csv", b"external_id,name\nA1,Initech\n", content_type="text/csv")
    response = api("admin").post("/api/v1/imports/accounts", {"file": upload, "mapping": '{"na\\u0000me": "name"}'})

    assert response.status_code == 422
    assert "NUL" in response.json()["errors"][0]["detail"]
    assert not Account.objects.filter(external_id="A1").exists()
