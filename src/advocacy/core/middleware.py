from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone

from advocacy.core.permissions import PORTAL_TIME_ZONE_KEY
from advocacy.core.watchdog import RequestTimedOut


def contains_nul(value: object) -> bool:
    """Whether a parsed JSON value holds a NUL character anywhere (PostgreSQL text cannot)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


class RefuseNulMiddleware:
    """Refuse a NUL character in the query string or a form field with 400, on every database: SQLite
    would store it and PostgreSQL cannot, so the same input would otherwise behave two ways."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The query string arrives percent-encoded (%00); its decoded values are what reach the database.
        if any("\x00" in value for _, values in request.GET.lists() for value in values) or self._form_has_nul(request):
            return problem_response(request.path, 400, "A NUL character (%00) is not accepted in any field.")
        return self.get_response(request)

    @staticmethod
    def _form_has_nul(request: HttpRequest) -> bool:
        # Multipart bodies are left to their views: reading request.POST here would consume the stream
        # that a signed webhook must read whole (request.body) to check its signature.
        if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
            return False
        return any("\x00" in value for _, values in request.POST.lists() for value in values)


def problem_response(path: str, status: int, detail: str) -> HttpResponse:
    if path.startswith("/api/"):
        body = {"type": "about:blank", "title": "Bad request", "status": status, "detail": detail}
        return JsonResponse(body, status=status, content_type="application/problem+json")
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY on every response (Django has no setting for this header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class ViewerTimezoneMiddleware:
    """Show times in the viewer's zone: the staff member's, or the portal customer's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", None) if user is not None and user.is_authenticated else None
        if zone is None and hasattr(request, "session"):
            zone = request.session.get(PORTAL_TIME_ZONE_KEY)
        active = None
        if zone:
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):  # unknown: the server's
                active = zoneinfo.ZoneInfo(zone)
        if active is not None:
            timezone.activate(active)
        else:
            timezone.deactivate()
        try:
            response = self.get_response(request)
        finally:
            # A thread outlives the request (a test, a task run in process): the viewer's zone must not
            # become the next caller's.
            timezone.deactivate()
        if isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse):
            # A streamed CSV formats its rows after this returns: it does so in the viewer's zone too.
            response.streaming_content = streamed_in_zone(active, response.streaming_content)
        return response


def streamed_in_zone(zone: zoneinfo.ZoneInfo | None, chunks: Iterator[Any]) -> Iterator[Any]:
    try:
        if zone is not None:
            timezone.activate(zone)
        yield from chunks
    finally:
        timezone.deactivate()


class RequestTimeoutMiddleware:
    """A request the watchdog ended (core/watchdog.py) answers 503 with Retry-After, not a bare 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except RequestTimedOut:
            return timed_out(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return timed_out(request) if isinstance(exception, RequestTimedOut) else None


def timed_out(request: HttpRequest) -> HttpResponse:
    detail = (
        f"The request ran longer than {settings.REQUEST_TIMEOUT_SECONDS} s and was stopped; nothing it "
        "started in the database was kept. Try again later, or with less data."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"type": "about:blank", "title": "Request timed out", "status": 503, "detail": detail},
            status=503,
            content_type="application/problem+json",
        )
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    return response
