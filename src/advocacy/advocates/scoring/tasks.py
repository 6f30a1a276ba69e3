"""Background tasks of the advocates program; each is safe to run twice."""

from __future__ import annotations

from advocacy.advocates.scoring import services as scoring
from advocacy.core.jobs.durable import durable_task


@durable_task()
def recompute_scores() -> int:
    """Score every customer again; returns how many were scored."""
    return scoring.scores_recompute()
