"""Background tasks of casework; each is safe to run twice (breaches and warnings are claimed once)."""

from __future__ import annotations

from advocacy.casework.cases import services
from advocacy.core.jobs.durable import durable_task


@durable_task()
def sweep_cadence() -> dict[str, int]:
    """Warn owners before a promise falls due, record missed ones, escalate overdue department tasks."""
    result = services.cadence_sweep()
    return {"warned": result.warned, "breached": result.breached, "escalated": result.escalated}
