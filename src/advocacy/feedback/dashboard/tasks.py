"""Upkeep of the roll-ups the dashboard reads; safe to run twice (a second fold finds nothing to move)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.feedback.rollups import rollups_fold_past_days


@durable_task()
def fold_rollup_stripes() -> int:
    return rollups_fold_past_days()
