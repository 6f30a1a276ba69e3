"""Every page and endpoint declares the roles it serves; nothing is open by accident.

Pages use ``@allow(Role.X, ...)`` (or ``@public``); API operations use ``auth=api_auth(...)``.
Both leave the declared roles on the view so the role × endpoint test matrix can read them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, get_resolver

from advocacy.core.models import User
from advocacy.core.roles import STAFF_ROLES, Role

PORTAL_SESSION_KEY = "portal_customer_id"
PORTAL_TIME_ZONE_KEY = "portal_time_zone"
PUBLIC = frozenset({"public"})

View = Callable[..., HttpResponseBase]


def viewer_role(request: HttpRequest) -> str | None:
    """The role of whoever sent the request: a staff role, "customer" for the portal, or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "role", "") in STAFF_ROLES:
        return str(user.role)
    if request.session.get(PORTAL_SESSION_KEY):
        return Role.CUSTOMER.value
    return None


def allow(*roles: str) -> Callable[[View], View]:
    """Serve the view only to the given roles; others get a sign-in page or 403."""
    allowed = frozenset(str(r) for r in roles)
    unknown = allowed - {r.value for r in Role}
    if unknown or not allowed:
        raise ValueError(f"allow() needs known roles, got {sorted(roles)}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = viewer_role(request)
            if role is None:
                if allowed == {Role.CUSTOMER.value}:
                    return redirect("portal:sign_in")
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if role not in allowed:
                raise PermissionDenied(f"This page is for {', '.join(sorted(allowed))}.")
            return view(request, *args, **kwargs)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: View) -> View:
    """Mark a view as open to anyone (sign-in pages, one-click links that carry their own token)."""
    view.allowed_roles = PUBLIC  # type: ignore[attr-defined]
    return view


def staff_only(view: View) -> View:
    """Any signed-in member of staff."""
    return allow(*sorted(STAFF_ROLES))(view)


def portal_customer_id(request: HttpRequest) -> int:
    """The id of the signed-in portal customer; views behind @allow(Role.CUSTOMER) can rely on it."""
    value = request.session.get(PORTAL_SESSION_KEY)
    if not value:
        raise PermissionDenied("Not signed in to the portal.")
    return int(value)


def staff_user(request: HttpRequest) -> User:
    """The signed-in member of staff; views behind @allow(<staff roles>) can rely on it."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Not signed in as staff.")
    return user


def redirect_home(request: HttpRequest) -> HttpResponse:
    role = viewer_role(request)
    if role == Role.CUSTOMER:
        return redirect("portal:home")
    if role is None:
        return redirect(settings.LOGIN_URL)
    return redirect("core:home")


@cache
def roles_serving(url_name: str) -> frozenset[str]:
    """The roles the page named serves (its ``@allow``), for the menu and for links inside pages, whether
    or not its address takes arguments (a case's calendar file, a ledger entry's reversal); none for a
    name no page has."""
    view = views_by_name(get_resolver()).get(url_name)
    return frozenset(getattr(view, "allowed_roles", frozenset()))


@cache
def views_by_name(resolver: URLResolver) -> dict[str, Callable[..., Any]]:
    """Every named page of the URLconf, "namespace:name" → its view (the last, where a name repeats, as
    ``reverse`` takes it)."""
    found: dict[str, Callable[..., Any]] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                found[f"{namespace}:{entry.name}".strip(":")] = entry.callback

    walk(resolver.url_patterns, "")
    return found
