"""Background tasks of webhooks: one delivery attempt per run (retried by core with back-off)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.outreach.webhooks import services


@durable_task(max_attempts="WEBHOOK_MAX_ATTEMPTS")
def deliver_webhook(delivery_id: int) -> str:
    return services.delivery_attempt(delivery_id=delivery_id)


@durable_task()
def prune_webhook_log() -> int:
    return services.webhook_log_prune()
