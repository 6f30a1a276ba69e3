"""The pages for 400, 403, 404 and 500: styled, with the navigation and a way on, instead of Django's bare
text. 400 and 403 say what was wrong; 500 renders without the database (it may be what failed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return page(request, 400, "That request cannot be read", str(exception))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return page(request, 403, "This page is not for your role", str(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return page(request, 404, "There is nothing here", "The address may be old, or the record was removed.")


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.render_to_string("500.html"))


def page(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    body = loader.render_to_string("error.html", {"status": status, "title": title, "detail": detail}, request)
    return HttpResponse(body, status=status)
