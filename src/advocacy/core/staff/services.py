"""Writes of staff accounts: creating a member of staff, and recording a failed sign-in."""

from __future__ import annotations

from django.db import transaction

from advocacy.core.errors import InvalidInput
from advocacy.core.limits import normalized
from advocacy.core.models import AuditEvent, User
from advocacy.core.roles import STAFF_ROLES, Role


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


def signin_record_success(*, user: User) -> None:
    AuditEvent.objects.create(
        actor=user, actor_label=user.username, verb="signin.succeeded", object_type="core.user", object_id=str(user.pk)
    )


def signin_record_failure(*, username: str) -> None:
    """Written to the audit log, under the name as the limits compare it: it shows who was targeted.
    (The limits themselves count in the cache: advocacy.core.limits.)"""
    AuditEvent.objects.create(
        actor=None,
        actor_label="anonymous",
        verb="signin.failed",
        object_type="core.user",
        object_id=normalized(username)[:64],
    )
