"""The bulk import endpoint and the job report endpoints."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.customers.models import Customer, ImportJob

pytestmark = pytest.mark.django_db

CRM_EXPORT = b"Contact ID,E-mail,First Name\nC-1,ann@example.com,Ann\nC-2,bo@,Bo\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def post(client, kind="customers", content=CRM_EXPORT, **fields):  # type: ignore[no-untyped-def]
    data = {"file": SimpleUploadedFile("crm.csv", content, "text/csv"), **fields}
    return client.post(f"/api/v1/imports/{kind}", data)


def test_an_import_through_the_api_answers_201_with_its_report(api):  # type: ignore[no-untyped-def]
    response = post(api("admin"))
    job = ImportJob.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "job": job.id,
        "kind": "customers",
        "file_name": "crm.csv",
        "encoding": "utf-8",
        "rows_read": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "errors": [{"line": 3, "column": "E-mail", "value": "bo@", "reason": "'bo@' is not a valid email address"}],
        "errors_total": 1,
        "errors_omitted": 0,
        "errors_url": f"/api/v1/imports/jobs/{job.id}/errors",
        "ignored_columns": [],
        "accounts_created": [],
        "dry_run": False,
        "atomic": False,
        "applied": True,
    }
    assert job.status == "done"
    assert list(Customer.objects.values_list("email", flat=True)) == ["ann@example.com"]


def test_a_dry_run_answers_200_and_writes_nothing(api):  # type: ignore[no-untyped-def]
    response = post(api("program_manager"), dry_run="true")
    assert (response.status_code, response.json()["created"], response.json()["applied"]) == (200, 1, False)
    assert Customer.objects.count() == 0


def test_a_mapping_is_given_as_a_json_object(api):  # type: ignore[no-untyped-def]
    response = post(
        api("admin"),
        content=b"Mail,Vorname\nann@example.com,Anna\n",
        mapping=json.dumps({"Mail": "email", "Vorname": "first_name"}),
    )
    assert response.status_code == 201
    assert list(Customer.objects.values_list("email", "first_name")) == [("ann@example.com", "Anna")]


def test_a_refused_file_is_a_422_problem_naming_the_reason(api, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 10
    response = post(api("admin"))
    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert response.json()["errors"] == [
        {
            "pointer": "/body/file",
            "detail": "The file is 64 bytes, over the import limit of 10 bytes (IMPORT_MAX_BYTES). "
            "Split it into smaller files.",
        }
    ]


def test_a_file_missing_required_columns_is_a_422(api):  # type: ignore[no-untyped-def]
    response = post(api("admin"), kind="orders")
    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"].startswith(
        "Missing required column(s) for orders: external_id, product, amount, ordered_on."
    )


def test_a_mapping_that_is_not_json_is_a_422(api):  # type: ignore[no-untyped-def]
    response = post(api("admin"), mapping="Mail=email")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": "/body/mapping", "detail": "is not JSON: Expecting value"}]


def test_a_job_report_and_its_errors_csv_can_be_read_back(api):  # type: ignore[no-untyped-def]
    client = api("admin")
    job_id = post(client).json()["job"]
    report = client.get(f"/api/v1/imports/jobs/{job_id}").json()
    assert (report["status"], report["refused"], report["report"]["failed"]) == ("done", "", 1)
    download = client.get(f"/api/v1/imports/jobs/{job_id}/errors.csv")
    assert b"".join(download.streaming_content).decode() == (
        "\ufeffline,column,value,reason\r\n3,E-mail,bo@,'bo@' is not a valid email address\r\n"
    )


@pytest.mark.parametrize("role", ["customer_advocate", "department_head", "sales", "analyst"])
def test_other_roles_may_not_import_through_the_api(api, role):  # type: ignore[no-untyped-def]
    assert post(api(role)).status_code == 403
    assert ImportJob.objects.count() == 0


def test_an_upload_larger_than_the_in_memory_limit_is_idempotent_too(api, settings):  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # the CSV below is bigger than Django would hold as a body
    rows = "".join(f"C-{i},person{i}@example.com,First{i},Last{i}\n" for i in range(200))
    content = ("Record ID,Email Address,First Name,Last Name\n" + rows).encode()
    client = api("admin")

    def upload():  # type: ignore[no-untyped-def]
        return client.post(
            "/api/v1/imports/customers",
            {"file": SimpleUploadedFile("big.csv", content, content_type="text/csv")},
            headers={"Idempotency-Key": "big-upload-1"},
        )

    first, second = upload(), upload()
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Customer.objects.count() == 200
    assert ImportJob.objects.count() == 1
