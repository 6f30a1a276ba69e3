"""Writes of API keys: a key acts with one role; its token is shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import ApiKey, User
from advocacy.core.roles import STAFF_ROLES

API_KEY_PREFIX = "adv"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def apikey_create(*, name: str, role: str, by: User, acts_as: User | None = None) -> tuple[ApiKey, str]:
    """A new key acting as ``acts_as`` (a member of staff of that role) or, by default, as a service
    identity made for it; the full token is returned once and never stored."""
    if role not in STAFF_ROLES:
        raise InvalidInput({"role": f"unknown role {role!r}"})
    if not name.strip():
        raise InvalidInput({"name": "give the key a name that says who uses it"})
    if acts_as is not None:
        check_identity(acts_as, role)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    identity = acts_as or service_identity_create(name=name.strip(), role=role, prefix=prefix)
    key = ApiKey.objects.create(
        name=name.strip(), prefix=prefix, secret_hash=hash_secret(token), role=role, created_by=by, acts_as=identity
    )
    events.audit(
        actor=by, verb="apikey.created", obj=key, data={"role": role, "name": key.name, "acts_as": identity.username}
    )
    return key, token


def check_identity(user: User, role: str) -> None:
    if user.role != role or not user.is_active or user.is_service:
        raise InvalidInput({"acts_as": f"a key with role {role} acts as an active member of staff with that role"})


def service_identity_create(*, name: str, role: str, prefix: str) -> User:
    """A user of the key's role that cannot sign in: what the key's writes are attributed to."""
    identity = User(username=f"svc-{prefix}", first_name=name[:150], role=role, is_service=True)
    identity.set_unusable_password()
    identity.save()
    return identity


@transaction.atomic
def apikey_revoke(*, key: ApiKey, by: User) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        events.audit(actor=by, verb="apikey.revoked", obj=key)
    return key


def apikey_from_token(token: str) -> ApiKey | None:
    """The active key for a presented token, or None; marks it used (at most once a minute)."""
    if not token.startswith(f"{API_KEY_PREFIX}_"):
        return None
    key = (
        ApiKey.objects.select_related("acts_as")
        .filter(secret_hash=hash_secret(token), revoked_at__isnull=True, acts_as__is_active=True)
        .first()
    )
    if key is None:  # unknown, revoked, or the member of staff it acts as has left
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # One conditional UPDATE: no write on most requests, and no race between two workers.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
