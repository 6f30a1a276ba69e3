"""Polling the feeds that are due; safe to run twice (a second run finds nothing due, or nothing new)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.listening.sources.services import feeds_poll_due


@durable_task()
def poll_feeds() -> None:
    feeds_poll_due()
