"""The lifetime value fit as a background task: pages only read what it stored."""

from __future__ import annotations

from typing import Any

from advocacy.core.jobs.durable import durable_task
from advocacy.insights.lifetime.services import lifetime_fit_run


@durable_task()
def refit_lifetime_value() -> dict[str, Any]:
    """Fit a new version of the lifetime value models. Running it twice only adds a version."""
    fits = lifetime_fit_run()
    return {"version": fits[0].version if fits else None, "currencies": [f.currency for f in fits]}
