"""Background tasks of the advocate score; each is safe to run twice (a run that dies commits nothing)."""

from __future__ import annotations

from advocacy.advocates.scoring import services as scoring
from advocacy.core.jobs.durable import durable_task


@durable_task()
def recompute_scores() -> int:
    """Score every customer again (a full rescore); returns how many were scored."""
    return scoring.scores_recompute()


@durable_task()
def refresh_scores() -> int:
    """Score the customers with new activity since the last run; returns how many were scored."""
    return scoring.scores_refresh()
