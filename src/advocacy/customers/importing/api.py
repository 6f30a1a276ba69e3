"""Bulk import over the API: upload a file and get its report; read a job's report and its errors, paged.

A small file is imported during the request; a file over IMPORT_INLINE_MAX_BYTES is handed to a
worker (202 with the job). The answer carries the first errors only; the rest are paged.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from advocacy.core.api.auth import api_auth, staff_member
from advocacy.core.api.pagination import Page
from advocacy.core.csvexport import csv_response
from advocacy.core.errors import InvalidInput
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.customers.importing.services import (
    ERRORS_HEADER,
    ImportRefused,
    ImportReport,
    import_job_create,
    import_job_run,
)
from advocacy.customers.importing.tasks import run_import_job
from advocacy.customers.models import ImportJob, ImportKind, ImportStatus

router = Router(tags=["imports"])
IMPORTERS = api_auth(*PROGRAM_TEAM)
ERRORS_IN_ANSWER = 100


class RowErrorOut(Schema):
    line: int
    column: str
    value: str
    reason: str


class ImportReportOut(Schema):
    job: int
    kind: str
    file_name: str
    encoding: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[RowErrorOut] = Field(description=f"The first {ERRORS_IN_ANSWER} errors; page through all kept.")
    errors_total: int = Field(description="Every error found, kept or not.")
    errors_omitted: int = Field(description="Errors counted but not kept, past IMPORT_REPORT_MAX_BYTES.")
    errors_url: str
    ignored_columns: list[str]
    accounts_created: list[str] = Field(default_factory=list, description="Accounts the import made (first 200).")
    dry_run: bool
    atomic: bool
    applied: bool


class ImportJobOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    refused: str
    report: ImportReportOut | None


class ImportNothingWrittenOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    report: ImportReportOut


@router.post(
    "/imports/{kind}",
    auth=IMPORTERS,
    response={200: ImportReportOut, 201: ImportReportOut, 202: ImportJobOut, 422: ImportNothingWrittenOut},
)
def import_upload(
    request: HttpRequest,
    kind: ImportKind,
    file: File[UploadedFile],
    encoding: Form[str] = "",
    mapping: Form[str] = "",
    dry_run: Form[bool] = False,
    atomic: Form[bool] = False,
) -> HttpResponse | Status:
    """Import the file and answer with its report: 201 when rows were written; 200 for a dry run or a
    file with nothing to change; 422 with the report when bad rows meant nothing was written; 202 with the
    job when the file is over IMPORT_INLINE_MAX_BYTES and a worker imports it. A refused file is a 422
    naming the reason."""
    background = (file.size or 0) > settings.IMPORT_INLINE_MAX_BYTES
    try:
        with transaction.atomic():
            job = import_job_create(
                kind=kind,
                upload=file,
                encoding=encoding,
                mapping=parse_mapping(mapping),
                dry_run=dry_run,
                atomic=atomic,
                by=staff_member(request),
            )
            if background:
                run_import_job.enqueue(job.id)
    except ImportRefused as exc:
        raise InvalidInput({"file": str(exc)}) from exc
    if background:
        return Status(202, job_out(job))
    job = import_job_run(job_id=job.id) or job
    if job.status == ImportStatus.FAILED:
        raise InvalidInput({"file": job.report.get("refused", "the file was refused")})
    report = ImportReport.from_dict(job.report)
    answer = report_out(job)
    if report.written:
        return Status(201, answer)
    if report.errors_total and not report.dry_run:
        why = "the import was all or nothing" if report.atomic else "every row was refused"
        body = {
            "type": "about:blank",
            "title": "No row was imported",
            "status": 422,
            "detail": f"Nothing was written: {why}. The report lists each refused row.",
            "report": answer,
        }
        return JsonResponse(body, status=422, content_type="application/problem+json")
    return Status(200, answer)


def report_out(job: ImportJob) -> dict[str, Any]:
    report = job.report
    return {
        "job": job.id,
        **report,
        "errors": report.get("errors", [])[:ERRORS_IN_ANSWER],
        "errors_total": report.get("errors_total", len(report.get("errors", []))),
        "errors_omitted": report.get("errors_omitted", 0),
        "errors_url": f"/api/v1/imports/jobs/{job.id}/errors",
    }


def job_out(job: ImportJob) -> dict[str, Any]:
    done = job.status == ImportStatus.DONE
    return {
        "id": job.id,
        "kind": job.kind,
        "file_name": job.file_name,
        "status": job.status,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "refused": job.report.get("refused", ""),
        "report": report_out(job) if done else None,
    }


def parse_mapping(text: str) -> dict[str, str]:
    if not text.strip():
        return {}
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput({"mapping": f"is not JSON: {exc.msg}"}) from exc
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise InvalidInput({"mapping": 'should be a JSON object such as {"E-mail": "email"}'})
    return mapping


@router.get("/imports/jobs/{job_id}", auth=IMPORTERS, response=ImportJobOut)
def import_job_detail(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return job_out(get_object_or_404(ImportJob, pk=job_id))


@router.get("/imports/jobs/{job_id}/errors", auth=IMPORTERS, response=list[RowErrorOut])
@paginate(Page)
def import_job_errors(request: HttpRequest, job_id: int) -> list[dict[str, Any]]:
    """Every error the job's report kept, in file order, a page at a time."""
    job = get_object_or_404(ImportJob, pk=job_id)
    return list(job.report.get("errors", [])) if job.status == ImportStatus.DONE else []


@router.get("/imports/jobs/{job_id}/errors.csv", auth=IMPORTERS)
def import_job_errors_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    rows = ImportReport.from_dict(job.report).error_rows() if job.status == ImportStatus.DONE else iter(())
    return csv_response(f"import-{job.id}-errors.csv", ERRORS_HEADER, rows)
