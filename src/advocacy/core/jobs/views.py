"""The admins' page of background work: workers, what waits for a retry, and the dead letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from advocacy.core.jobs import queries, services
from advocacy.core.models import Job, JobStatus
from advocacy.core.permissions import allow, staff_user
from advocacy.core.roles import Role

PER_PAGE = 50


@allow(Role.ADMIN)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    dead = Paginator(queries.dead_letters(), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "counts": queries.counts_by_status(),
        "workers": queries.workers_seen(),
        "retrying": queries.retrying()[:PER_PAGE],
        "dead": dead,
        "lost_after": queries.lost_after_seconds(),
    }
    return render(request, "core/jobs.html", context)


@allow(Role.ADMIN)
@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id)
    if job.status != JobStatus.DEAD:
        messages.error(request, f"Job {job.pk} is {job.get_status_display().lower()}, not failed: nothing to retry.")
        return redirect("core:jobs")
    services.job_retry(job=job, by=staff_user(request))
    messages.success(request, f"Job {job.pk} ({job.task_name}) is queued again with a fresh set of attempts.")
    return redirect("core:jobs")
