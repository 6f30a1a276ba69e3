"""The imports pages: upload, the background job, the report and its CSV download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from advocacy.core.models import AuditEvent
from advocacy.customers.models import Customer, ImportJob

CRM_EXPORT = b"Record ID,Email Address,First Name\nC-1,ann@example.com,Ann\nC-2,=bad,Bo\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, content=CRM_EXPORT, **fields):  # type: ignore[no-untyped-def]
    data = {"kind": "customers", "file": SimpleUploadedFile("crm.csv", content, "text/csv"), **fields}
    return client.post(reverse("customers:import_list"), data)


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_file_is_imported_by_the_worker_and_its_report_shown(client_as, alice, settings):  # type: ignore[no-untyped-def]
    client = client_as("admin")
    response = upload(client)
    job = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("customers:import_detail", args=[job.id]))
    assert (job.status, job.kind, job.file_name, job.created_by) == ("queued", "customers", "crm.csv", alice)
    waiting = client.get(reverse("customers:import_detail", args=[job.id]))
    assert 'hx-trigger="every 2s"' in waiting.content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert (job.status, job.report["created"], job.report["failed"]) == ("done", 1, 1)
    assert list(Customer.objects.values_list("email", flat=True)) == ["ann@example.com"]
    assert not (settings.MEDIA_ROOT / job.stored_path).exists()
    assert AuditEvent.objects.get(verb="import.applied").object_id == str(job.id)
    page = client.get(reverse("customers:import_detail", args=[job.id])).content.decode()
    assert 'hx-trigger="every 2s"' not in page
    assert (
        '<td class="num">2</td><td class="num">1</td><td class="num">0</td><td class="num">0</td><td class="num">1</td>'
        in page
    )
    assert (
        '<td class="num">3</td><td>Email Address</td><td>=bad</td>'
        "<td>&#x27;=bad&#x27; is not a valid email address</td>" in page
    )
    download = client.get(reverse("customers:import_errors_csv", args=[job.id]))
    assert b"".join(download.streaming_content).decode() == (
        "\ufeffline,column,value,reason\r\n3,Email Address,'=bad,'=bad' is not a valid email address\r\n"
    )


@pytest.mark.django_db(transaction=True)
def test_running_a_finished_job_again_does_nothing(client_as):  # type: ignore[no-untyped-def]
    from advocacy.customers.importing.tasks import run_import_job

    upload(client_as("program_manager"))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job = ImportJob.objects.get()
    finished_at = job.finished_at

    run_import_job.call(job.id)

    job.refresh_from_db()
    assert (
        job.status,
        job.finished_at,
        Customer.objects.count(),
        AuditEvent.objects.filter(verb="import.applied").count(),
    ) == ("done", finished_at, 1, 1)


@pytest.mark.django_db
def test_an_oversized_upload_gets_a_form_error_not_a_crash(client_as, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 20
    response = upload(client_as("admin"))
    assert response.status_code == 200
    assert (
        "The file is 71 bytes, over the import limit of 20 bytes (IMPORT_MAX_BYTES). Split it into smaller files."
    ) in response.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_mapping_line_gets_a_form_error(client_as):  # type: ignore[no-untyped-def]
    response = upload(client_as("admin"), mapping="Mail")
    assert "mapping line &#x27;Mail&#x27; should look like &#x27;Header=field&#x27;" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_file_shows_why_on_the_job_page(client_as):  # type: ignore[no-untyped-def]
    from advocacy.customers.importing.services import import_job_run

    client = client_as("admin")
    upload(client, content=b"Name,Phone\nAnn,123\n")
    job = ImportJob.objects.get()
    import_job_run(job_id=job.id)
    page = client.get(reverse("customers:import_detail", args=[job.id])).content.decode()
    assert (
        "Missing required column(s) for customers: email. Columns found: &#x27;Name&#x27;, &#x27;Phone&#x27;." in page
    )
    assert '<span class="pill bad">refused</span>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["customer_advocate", "department_head", "sales", "analyst"])
def test_only_admins_and_program_managers_may_import(client_as, role):  # type: ignore[no-untyped-def]
    assert client_as(role).get(reverse("customers:import_list")).status_code == 403
    assert upload(client_as(role)).status_code == 403
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_list_shows_recent_jobs_with_their_counts(client_as):  # type: ignore[no-untyped-def]
    from advocacy.customers.importing.services import import_job_run

    client = client_as("admin")
    upload(client)
    import_job_run(job_id=ImportJob.objects.get().id)
    page = client.get(reverse("customers:import_list")).content.decode()
    assert '<span class="pill warn">done, 1 row failed</span>' in page
    assert "crm.csv" in page
