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


def actor(request: HttpRequest) -> User:
    """Who acts: the session user, or the identity the API key acts as (never the key's creator)."""
    principal = request.auth  # type: ignore[attr-defined]
    return principal if isinstance(principal, User) else principal.acts_as


def staff_member(request: HttpRequest) -> User:
    """The acting identity, for writes whose audit trail must name who did it."""
    return actor(request)
