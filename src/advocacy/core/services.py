"""Writes of the core app: staff users and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import ApiKey, AuditEvent, IdempotencyRecord, User
from advocacy.core.roles import STAFF_ROLES, Role

API_KEY_PREFIX = "adv"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    role: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
) -> User:
    if role not in STAFF_ROLES:
        raise InvalidInput({"role": f"unknown role {role!r}; one of {', '.join(sorted(STAFF_ROLES))}"})
    user = User(
        username=username,
        email=email.strip().lower(),
        role=role,
        first_name=first_name,
        last_name=last_name,
        time_zone=time_zone,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def apikey_create(*, name: str, role: str, by: User) -> tuple[ApiKey, str]:
    """A new key; the full token is returned once and never stored."""
    if role not in STAFF_ROLES:
        raise InvalidInput({"role": f"unknown role {role!r}"})
    if not name.strip():
        raise InvalidInput({"name": "give the key a name that says who uses it"})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    key = ApiKey.objects.create(
        name=name.strip(), prefix=prefix, secret_hash=hash_secret(token), role=role, created_by=by
    )
    events.audit(actor=by, verb="apikey.created", obj=key, data={"role": role, "name": key.name})
    return key, token


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
    key = ApiKey.objects.filter(secret_hash=hash_secret(token), revoked_at__isnull=True).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # One conditional UPDATE: no write on most requests, and no race between two workers.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


SIGNIN_WINDOW = timedelta(minutes=15)


def signin_failures(*, username: str) -> int:
    """Failed staff sign-ins for this username in the last 15 minutes (from the audit log)."""
    since = timezone.now() - SIGNIN_WINDOW
    return AuditEvent.objects.filter(
        verb="signin.failed", object_type="core.user", object_id=username.strip().lower()[:64], at__gte=since
    ).count()


def signin_allowed(*, username: str) -> bool:
    return signin_failures(username=username) < settings.SIGNIN_MAX_FAILURES


def signin_record_failure(*, username: str) -> None:
    """Written to the audit log; it both throttles guessing and shows who was targeted."""
    AuditEvent.objects.create(
        actor=None,
        actor_label="anonymous",
        verb="signin.failed",
        object_type="core.user",
        object_id=username.strip().lower()[:64],
    )


def idempotency_records_prune() -> int:
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=expired_before).delete()
    return deleted
