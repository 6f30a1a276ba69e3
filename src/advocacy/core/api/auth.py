"""API authentication: a Bearer API key scoped to one role, or the signed-in staff session.

``api_auth(Role.X, ...)`` is what each operation passes as ``auth=``; the roles stay on the auth
objects so tests can read what every endpoint declares.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from advocacy.core.apikeys.services import apikey_from_token
from advocacy.core.models import ApiKey, User
from advocacy.core.roles import STAFF_ROLES


class ApiKeyAuth(HttpBearer):
    def __init__(self, roles: frozenset[str]) -> None:
        super().__init__()
        self.roles = roles

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = apikey_from_token(token)
        if key is None:
            return None
        if key.role not in self.roles:
            raise HttpError(403, f"An API key with role {key.role} may not use this endpoint.")
        request.api_role = key.role  # type: ignore[attr-defined]
        return key


class StaffSessionAuth(SessionAuth):
    """The browser session of a signed-in staff member (CSRF checked on writes)."""

    def __init__(self, roles: frozenset[str]) -> None:
        super().__init__(csrf=True)
        self.roles = roles

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.role not in STAFF_ROLES:
            return None
        if user.role not in self.roles:
            raise HttpError(403, f"The role {user.role} may not use this endpoint.")
        request.api_role = user.role  # type: ignore[attr-defined]
        return user


def api_auth(*roles: str) -> list[Any]:
    allowed = frozenset(str(r) for r in roles)
    if not allowed or not allowed <= STAFF_ROLES:
        raise ValueError(f"api_auth() takes staff roles, got {sorted(roles)}")
    return [ApiKeyAuth(allowed), StaffSessionAuth(allowed)]


def declared_roles(auth_callbacks: list[Any]) -> frozenset[str]:
    roles: set[str] = set()
    for callback in auth_callbacks:
        roles |= set(getattr(callback, "roles", ()))
    return frozenset(roles)


def actor(request: HttpRequest) -> User | None:
    """The staff member behind the request: the session user, or the creator of the API key."""
    principal = request.auth  # type: ignore[attr-defined]
    return principal if isinstance(principal, User) else principal.created_by


def staff_member(request: HttpRequest) -> User:
    """The acting staff member, for writes whose audit trail must name a person."""
    user = actor(request)
    if user is None:  # an API key whose creator was removed
        raise HttpError(403, "No staff member stands behind this API key any more; make a new key.")
    return user
