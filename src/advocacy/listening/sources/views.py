"""The sources page (health, add, switch) and the public webhook endpoint of each webhook source."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.core.errors import InvalidInput
from advocacy.core.links import absolute_url
from advocacy.core.permissions import allow, public, staff_user
from advocacy.core.roles import PROGRAM_TEAM
from advocacy.customers.importing.readers import ImportRefused
from advocacy.listening.mentions.queries import source_health
from advocacy.listening.models import Query, Source, SourceKind
from advocacy.listening.reviews.services import reviews_import
from advocacy.listening.sources import services as sources

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
WEBHOOK_MAX_BYTES = 1_000_000


@allow(*PROGRAM_TEAM)
@require_http_methods(["GET", "POST"])
def source_list(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    shown = None
    if request.method == "POST":
        try:
            interval = int(request.POST.get("interval_minutes") or 60)
            shown = sources.source_create(
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                url=request.POST.get("url", ""),
                interval_minutes=interval,
                by=staff_user(request),
            )
        except ValueError:
            errors = {"interval_minutes": "a whole number of minutes"}
        except InvalidInput as exc:
            errors = exc.errors
    context = {
        "sources": source_health(),
        "queries": Query.objects.order_by("name"),
        "kinds": SourceKind.choices,
        "errors": errors,
        "shown": shown[0] if shown else None,
        "secret": shown[1] if shown else "",
        "webhook_url": absolute_url("listening:webhook", public_id=shown[0].public_id)
        if shown and shown[0].public_id
        else "",
    }
    return render(request, "listening/sources.html", context, status=422 if errors else 200)


@allow(*PROGRAM_TEAM)
@require_POST
def source_toggle(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    sources.source_set_enabled(source=source, enabled=not source.enabled, by=staff_user(request))
    messages.success(request, f"{source.name} is {'on' if source.enabled else 'off'}.")
    return redirect("listening:sources")


@public  # the Standard Webhooks signature, checked by the service, is the proof
@csrf_exempt
@require_POST
def webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    source = Source.objects.filter(public_id=public_id, kind=SourceKind.WEBHOOK, enabled=True).first()
    if source is None:
        return problem(404, "Unknown source", "No enabled webhook source has this URL.")
    if int(request.META.get("CONTENT_LENGTH") or 0) > WEBHOOK_MAX_BYTES:
        return problem(413, "Too large", f"A message is at most {WEBHOOK_MAX_BYTES:,} bytes.")
    headers = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
    answer = sources.mentions_webhook(source=source, body=request.body, headers=headers)
    content_type = "application/problem+json" if answer.status >= 400 else "application/json"
    return JsonResponse(answer.body, status=answer.status, content_type=content_type)


def problem(status: int, title: str, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


@allow(*PROGRAM_TEAM)
@require_POST
def source_reviews(request: HttpRequest, source_id: int) -> HttpResponse:
    """Import a review export into the source and show the report, each refused row with its reason."""
    source = get_object_or_404(Source, pk=source_id)
    upload = request.FILES.get("file")
    query_id = request.POST.get("query", "")
    query = Query.objects.filter(pk=int(query_id)).first() if query_id.isdigit() else None
    if upload is None:
        context = {"source": source, "refused": "Choose a CSV, XLSX or JSON file."}
        return render(request, "listening/reviews_report.html", context, status=422)
    try:
        report = reviews_import(source=source, upload=upload, file_name=upload.name or "", query=query)
    except ImportRefused as exc:
        return render(request, "listening/reviews_report.html", {"source": source, "refused": str(exc)}, status=422)
    return render(request, "listening/reviews_report.html", {"source": source, "report": report})
