"""Background task of the cost ledger; safe to run twice (each synced cost has a unique source key)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.insights.costs import services


@durable_task()
def sync_reward_costs() -> dict[str, int]:
    """Book the money cost of fulfilled redemptions and referral rewards paid outside the hub."""
    return services.costs_sync()
