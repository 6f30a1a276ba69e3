"""Background task of the advocate score; safe to run twice (an upsert keyed by customer)."""

from __future__ import annotations

from django_tasks import task

from advocacy.advocates import scoring


@task()
def recompute_scores() -> int:
    """Score every customer again; returns how many were scored."""
    return scoring.scores_recompute()
