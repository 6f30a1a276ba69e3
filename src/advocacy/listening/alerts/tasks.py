"""The daily spike scan; safe to run twice (alerts are unique per query, kind and day)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.listening.alerts.services import alerts_scan


@durable_task()
def scan_for_spikes() -> None:
    alerts_scan()
