"""Imports are bounded: zip bombs, row, column, line and cell bombs are refused or fail their row before
anything is written; reports, API answers and Idempotency-Key records stay small; the API's status says
whether rows were written; a job whose process died is failed by the sweep and its file removed.

Every bomb is made here, in memory or under tmp_path, and is small on disk.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from advocacy.core.jobs.runner import HOST, current_runner
from advocacy.core.models import AuditEvent, IdempotencyRecord, Job
from advocacy.customers.importing.services import ImportRefused, import_file, import_job_run, import_jobs_sweep
from advocacy.customers.models import Customer, ImportJob

pytestmark = pytest.mark.django_db

HEADER = "Record ID,Email Address,First Name\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_member(xlsx: bytes, name: str, size: int) -> bytes:
    """The workbook with one more file in its zip: ``size`` zero bytes, which deflate to almost nothing."""
    out = io.BytesIO(xlsx)
    archive = zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    with archive, archive.open(name, "w", force_zip64=True) as member:
        chunk = bytes(1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return out.getvalue()


def understated(xlsx: bytes, name: str, claimed: int) -> bytes:
    """The same zip whose headers claim ``name`` unpacks to ``claimed`` bytes: a zip that lies."""
    data = bytearray(xlsx)
    info = zipfile.ZipFile(io.BytesIO(xlsx)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, claimed)  # local file header
    position = 0
    while True:
        central = data.find(b"PK\x01\x02", position)
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length].decode() == name:
            struct.pack_into("<I", data, central + 24, claimed)  # central directory
            return bytes(data)
        position = central + 4


def imported(content: bytes) -> object:
    return import_file(kind="customers", source=io.BytesIO(content), file_name="upload")


def refusal(content: bytes) -> str:
    with pytest.raises(ImportRefused) as refused:
        imported(content)
    assert Customer.objects.count() == 0, "a refused file writes nothing"
    return str(refused.value)


def test_a_zip_bomb_is_refused_from_what_it_declares_before_it_is_unpacked(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    bomb = with_member(workbook([["Email"], ["ann@example.com"]]), "xl/media/padding.bin", 20 * 1024 * 1024)
    assert len(bomb) < 64 * 1024, "small on disk"

    assert refusal(bomb) == (
        "The workbook unpacks to 20.0 MB, over the limit of 2.0 MB (IMPORT_MAX_UNCOMPRESSED_BYTES); "
        "nothing was imported. Split it, or save it as CSV."
    )


def test_a_zip_that_lies_about_its_size_is_stopped_while_it_is_unpacked(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    honest = with_member(workbook([["Email"], ["ann@example.com"]]), "xl/media/padding.bin", 20 * 1024 * 1024)
    liar = understated(honest, "xl/media/padding.bin", 1000)

    assert refusal(liar) == (
        "The workbook is damaged or not what it says it is (Bad CRC-32 for file 'xl/media/padding.bin'); "
        "nothing was imported."
    ), "unpacking stops at the size it declared, and the lie shows"


def test_a_csv_with_more_rows_than_the_limit_is_refused_before_a_row_is_written(settings):
    settings.IMPORT_MAX_ROWS = 100
    rows = "".join(f"C-{n},c{n}@example.com,C{n}\n" for n in range(101))
    assert refusal((HEADER + rows).encode()) == (
        "The file has more than 100 rows (IMPORT_MAX_ROWS); nothing was imported. Split it into smaller files."
    )
    imported((HEADER + rows[: rows.index("C-100,")]).encode())
    assert Customer.objects.count() == 100, "at the limit itself, the file is imported"


def test_a_workbook_with_more_rows_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 100
    rows = [["Email"], *([f"c{n}@example.com"] for n in range(150))]
    assert refusal(workbook(rows)) == (
        "The sheet sheet1.xml has more than 100 rows (IMPORT_MAX_ROWS); nothing was imported. "
        "Split it into smaller files."
    )


def test_a_header_with_more_columns_than_the_limit_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 20
    header = "Email," + ",".join(f"extra {n}" for n in range(25)) + "\n"
    assert refusal((header + "ann@example.com\n").encode()) == (
        "The header names 26 columns, more than 20 (IMPORT_MAX_COLUMNS); nothing was imported. "
        "Leave out the columns you do not import."
    )
    assert refusal(workbook([["Email", *(f"extra {n}" for n in range(25))], ["ann@example.com"]])).startswith(
        "The header names 26 columns"
    )


def test_a_line_longer_than_any_record_can_be_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELL_CHARS = 10, 100
    content = (HEADER + "C-1,ann@example.com,Ann\n" + "x" * 5000 + "\nC-2,bo@example.com,Bo\n").encode()
    assert refusal(content) == (
        "Line 3 is longer than 1,030 characters (IMPORT_MAX_COLUMNS columns of IMPORT_MAX_CELL_CHARS "
        "characters); nothing was imported. Is this a CSV file?"
    )


def test_a_cell_over_the_limit_fails_its_row_and_the_report_keeps_it_short(settings):
    settings.IMPORT_MAX_CELL_CHARS, settings.IMPORT_REPORT_VALUE_CHARS = 100, 20
    long_name = "N" * 150
    report = imported((HEADER + f"C-1,ann@example.com,{long_name}\nC-2,bo@example.com,Bo\n").encode())

    assert (report.created, report.failed) == (1, 1)  # type: ignore[attr-defined]
    [error] = report.errors  # type: ignore[attr-defined]
    assert (error.line, error.column, error.value) == (2, "First Name", "N" * 20 + "… (150 characters)")
    assert error.reason == "the cell is 150 characters long; at most 100 fit (IMPORT_MAX_CELL_CHARS)"


def post(client, content: bytes, name: str = "crm.csv", **fields):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/imports/customers", {"file": SimpleUploadedFile(name, content), **fields})


def test_a_workbook_of_huge_bad_cells_gives_a_small_report_and_pages_its_errors(api, settings):
    """The audit's case: every row refused with a long value once made a 60 MB answer, stored twice."""
    settings.IMPORT_REPORT_MAX_BYTES = 64 * 1024
    junk = "not-an-email" * 700  # 8,400 characters
    rows = [["Record ID", "Email Address"], *([f"C-{n}", junk] for n in range(2000))]
    content = workbook(rows)
    client = api("admin")

    answer = client.post(
        "/api/v1/imports/customers",
        {"file": SimpleUploadedFile("huge.xlsx", content)},
        headers={"Idempotency-Key": "huge-1"},
    )

    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert (body["title"], body["detail"]) == (
        "No row was imported",
        "Nothing was written: every row was refused. The report lists each refused row.",
    )
    report = body["report"]
    assert (report["rows_read"], report["failed"], report["errors_total"]) == (2000, 2000, 2000)
    assert len(report["errors"]) == 100 and report["errors_omitted"] > 0
    assert report["errors"][0]["value"] == junk[:200] + "… (8,400 characters)"
    assert len(answer.content) < 64 * 1024
    job = ImportJob.objects.get()
    assert len(json.dumps(job.report)) < 64 * 1024 + 2048
    assert len(bytes(IdempotencyRecord.objects.get(key="huge-1").body)) == len(answer.content)

    kept = len(job.report["errors"])
    page = client.get(f"/api/v1/imports/jobs/{job.id}/errors?page=2&page_size=100").json()
    assert page["count"] == kept and [e["line"] for e in page["items"]][:2] == [102, 103]


def test_the_status_says_whether_rows_were_written(api):
    client = api("admin")
    good = (HEADER + "C-1,ann@example.com,Ann\n").encode()
    assert post(client, good).status_code == 201
    assert post(client, good).status_code == 200, "nothing changed: nothing written"
    assert post(client, (HEADER + "C-2,bo@,Bo\n").encode()).status_code == 422
    mixed = (HEADER + "C-3,cy@example.com,Cy\nC-4,dee@,Dee\n").encode()
    assert post(client, mixed, atomic="true").status_code == 422
    assert post(client, mixed, dry_run="true").status_code == 200
    assert list(Customer.objects.values_list("email", flat=True)) == ["ann@example.com"]
    assert post(client, mixed).status_code == 201


def test_an_upload_over_the_inline_limit_is_imported_by_a_worker(api, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    answer = post(api("admin"), (HEADER + "C-1,ann@example.com,Ann\n").encode())

    assert answer.status_code == 202
    job = ImportJob.objects.get()
    assert (answer.json()["id"], answer.json()["status"], answer.json()["report"]) == (job.id, "queued", None)
    assert Job.objects.get().task_name == "run_import_job"
    import_job_run(job_id=job.id)
    assert Customer.objects.count() == 1


def a_finished_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def stored_upload(settings, name: str, *, days_old: int = 0) -> str:  # type: ignore[no-untyped-def]
    path = Path(settings.MEDIA_ROOT) / "imports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"Email\nann@example.com\n")
    when = (timezone.now() - timedelta(days=days_old)).timestamp()
    os.utime(path, (when, when))
    return f"imports/{name}"


def test_an_import_whose_process_died_is_failed_by_the_sweep_and_its_file_removed(settings, alice):
    crashed = ImportJob.objects.create(
        kind="customers",
        file_name="crm.csv",
        stored_path=stored_upload(settings, "crashed"),
        status="running",
        runner=f"{HOST}:{a_finished_pid()}:abcd",
        started_at=timezone.now() - timedelta(minutes=5),
        created_by=alice,
    )
    alive = ImportJob.objects.create(
        kind="customers",
        file_name="crm.csv",
        stored_path=stored_upload(settings, "alive"),
        status="running",
        runner=current_runner(),
        started_at=timezone.now() - timedelta(minutes=5),
        created_by=alice,
    )
    queued = ImportJob.objects.create(
        kind="customers", file_name="x.csv", stored_path=stored_upload(settings, "queued", days_old=3), created_by=alice
    )
    orphan = stored_upload(settings, "orphan", days_old=3)

    assert import_jobs_sweep() == 1

    crashed.refresh_from_db()
    assert crashed.status == "failed" and crashed.report["refused"].startswith("The import stopped: the process")
    assert not (Path(settings.MEDIA_ROOT) / crashed.stored_path).exists()
    assert AuditEvent.objects.get(verb="import.abandoned").object_id == str(crashed.pk)
    alive.refresh_from_db()
    assert alive.status == "running" and (Path(settings.MEDIA_ROOT) / alive.stored_path).exists()
    assert (Path(settings.MEDIA_ROOT) / queued.stored_path).exists(), "a queued job's file is kept"
    assert not (Path(settings.MEDIA_ROOT) / orphan).exists(), "a file no job will read is removed"
    assert import_jobs_sweep() == 0


def test_the_worker_sweep_runs_the_import_sweep(settings, alice):
    from advocacy.core.jobs.services import jobs_sweep

    ImportJob.objects.create(
        kind="customers",
        file_name="crm.csv",
        stored_path=stored_upload(settings, "crashed"),
        status="running",
        runner=f"{HOST}:{a_finished_pid()}:abcd",
        created_by=alice,
    )
    assert jobs_sweep().apps["imports left running"] == 1
