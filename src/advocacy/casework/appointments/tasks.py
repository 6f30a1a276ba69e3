"""Background tasks of appointments; each is safe to run twice (a reminder is claimed once)."""

from __future__ import annotations

from advocacy.casework.appointments import services as scheduling
from advocacy.core.jobs.durable import durable_task


@durable_task()
def remind_appointments() -> int:
    """Remind customers of appointments in the next 24 hours; returns how many were reminded."""
    return scheduling.appointments_remind()
