"""The daily look for bursts of new authors; safe to rerun (flags are unique per mention and kind)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.listening.authenticity.services import new_author_flags


@durable_task()
def flag_new_author_bursts() -> None:
    new_author_flags()
