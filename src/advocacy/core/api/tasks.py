"""Background tasks of the core app."""

from __future__ import annotations

from advocacy.core.api import idempotency
from advocacy.core.jobs.durable import durable_task


@durable_task()
def prune_idempotency_records() -> int:
    """Forget Idempotency-Keys past their time to live; running it twice removes nothing more."""
    return idempotency.idempotency_records_prune()
