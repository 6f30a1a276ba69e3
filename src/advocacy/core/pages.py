"""Small helpers every page uses to report a refused write and to read a posted id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest

from advocacy.core.errors import InvalidInput, ServiceError


def error_text(exc: ServiceError) -> str:
    """A refused write in one sentence: each field's message, or the service's reason."""
    return " ".join(exc.errors.values()) if isinstance(exc, InvalidInput) else str(exc)


def field_label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def show_errors(request: HttpRequest, exc: ServiceError) -> None:
    """A refused write as messages at the top of the next page, one per bad field."""
    for field, message in exc.errors.items() if isinstance(exc, InvalidInput) else [("", str(exc))]:
        messages.error(request, f"{field_label(field)}: {message}" if field else message)


def show_form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        messages.error(request, f"{field_label(field)}: {' '.join(errors)}")


def form_errors(form: Any, exc: InvalidInput, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's field errors on the form's own fields (``aliases`` maps service field → form field)."""
    for field, message in exc.errors.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, message)


def posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def days_param(request: HttpRequest, default: int, *, maximum: int = 3660) -> int:
    """``?days=`` as a whole number of days from 1 to ``maximum``; anything else is a 400 page that
    says what was wrong (never a server error)."""
    raw = request.GET.get("days", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise BadRequest(f"days must be a whole number from 1 to {maximum}, not {raw[:20]!r}.")
    return int(raw)
