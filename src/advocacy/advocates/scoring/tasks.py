"""Background tasks of the advocates program; each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from advocacy.advocates.hub import services as hub
from advocacy.advocates.scoring import services as scoring


@task()
def recompute_scores() -> int:
    """Score every customer again; returns how many were scored."""
    return scoring.scores_recompute()


@task()
def retry_held_hub_invitations() -> dict[str, int]:
    """Send the hub invitations that waited for the contact budget, where it now allows them."""
    return hub.held_invitations_retry()
