"""The imports pages: upload a file, watch its job, read and download its error report."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from advocacy.core.csvexport import csv_response
from advocacy.core.permissions import allow
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.customers.importing.forms import ImportUploadForm
from advocacy.customers.importing.services import (
    ERRORS_HEADER,
    ImportRefused,
    ImportReport,
    import_job_create,
)
from advocacy.customers.importing.tasks import run_import_job
from advocacy.customers.models import ImportJob, ImportStatus

ERRORS_ON_PAGE = 200


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the import and the job that runs it: both or neither
                job = import_job_create(
                    by=request.user,  # type: ignore[arg-type]  # @allow admits signed-in staff only
                    upload=form.cleaned_data["file"],
                    **{k: form.cleaned_data[k] for k in ("kind", "encoding", "mapping", "dry_run", "atomic")},
                )
                run_import_job.enqueue(job.id)
        except ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("customers:import_detail", job_id=job.id)
    jobs = ImportJob.objects.select_related("created_by")[:50]
    return render(request, "customers/imports/list.html", {"form": form, "jobs": jobs})


@allow(*PROGRAM_TEAM)
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job page; htmx polls the same view for the status part while the job is pending."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    report = ImportReport.from_dict(job.report) if job.status == ImportStatus.DONE else None
    context = {
        "job": job,
        "report": report,
        "refused": job.report.get("refused", ""),
        "pending": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "errors": report.errors[:ERRORS_ON_PAGE] if report else [],
        "more_errors": max(0, len(report.errors) - ERRORS_ON_PAGE) if report else 0,
        "errors_omitted": report.errors_omitted if report else 0,
    }
    template = "customers/imports/_status.html" if request.htmx else "customers/imports/detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@allow(*PROGRAM_TEAM)
@require_GET
def import_errors_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    report = ImportReport.from_dict(job.report) if job.status == ImportStatus.DONE else None
    rows = report.error_rows() if report else iter(())
    return csv_response(f"import-{job.id}-errors.csv", ERRORS_HEADER, rows)
