"""Writes of staff accounts: creating a member of staff, and the sign-in throttle."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advocacy.core.errors import InvalidInput
from advocacy.core.models import AuditEvent, User
from advocacy.core.roles import STAFF_ROLES, Role

SIGNIN_WINDOW = timedelta(minutes=15)


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
