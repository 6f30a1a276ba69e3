"""Background tasks of appointments; each is safe to run twice (a reminder is claimed once)."""

from __future__ import annotations

from django_tasks import task

from advocacy.casework.appointments import services as scheduling


@task()
def remind_appointments() -> int:
    """Remind customers of appointments in the next 24 hours; returns how many were reminded."""
    return scheduling.appointments_remind()
