"""Bulk import over the API: upload a file and get its report; read a job's report and errors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from advocacy.core.api.auth import api_auth
from advocacy.core.csvexport import csv_response
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.customers.importing.services import (
    ERRORS_HEADER,
    ImportRefused,
    ImportReport,
    import_job_create,
    import_job_run,
)
from advocacy.customers.models import ImportJob, ImportKind, ImportStatus

router = Router(tags=["imports"])
IMPORTERS = api_auth(*PROGRAM_TEAM)


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
    errors: list[RowErrorOut]
    ignored_columns: list[str]
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


@router.post("/imports/{kind}", auth=IMPORTERS, response={200: ImportReportOut, 201: ImportReportOut})
def import_upload(
    request: HttpRequest,
    kind: ImportKind,
    file: File[UploadedFile],
    encoding: Form[str] = "",
    mapping: Form[str] = "",
    dry_run: Form[bool] = False,
    atomic: Form[bool] = False,
) -> Status:
    """Import the file now and answer with its report: 201 when rows were written, 200 for a dry run
    or an all-or-nothing import that wrote nothing. A refused file is a 422 naming the reason."""
    try:
        job = import_job_create(
            kind=kind,
            upload=file,
            encoding=encoding,
            mapping=parse_mapping(mapping),
            dry_run=dry_run,
            atomic=atomic,
            by=acting_user(request),
        )
    except ImportRefused as exc:
        raise InvalidInput({"file": str(exc)}) from exc
    job = import_job_run(job_id=job.id) or job
    if job.status == ImportStatus.FAILED:
        raise InvalidInput({"file": job.report.get("refused", "the file was refused")})
    return Status(201 if job.report["applied"] else 200, {"job": job.id, **job.report})


def acting_user(request: HttpRequest) -> User:
    """The signed-in user, or for an API key the admin who made it (jobs name a person)."""
    principal = request.auth  # type: ignore[attr-defined]
    return principal if isinstance(principal, User) else principal.created_by


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
    job = get_object_or_404(ImportJob, pk=job_id)
    done = job.status == ImportStatus.DONE
    return {
        "id": job.id,
        "kind": job.kind,
        "file_name": job.file_name,
        "status": job.status,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "refused": job.report.get("refused", ""),
        "report": {"job": job.id, **job.report} if done else None,
    }


@router.get("/imports/jobs/{job_id}/errors.csv", auth=IMPORTERS)
def import_job_errors_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    rows = ImportReport.from_dict(job.report).error_rows() if job.status == ImportStatus.DONE else iter(())
    return csv_response(f"import-{job.id}-errors.csv", ERRORS_HEADER, rows)
