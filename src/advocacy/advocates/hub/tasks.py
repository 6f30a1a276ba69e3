"""Background tasks of the hub; each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from advocacy.advocates.hub import services as hub


@task()
def retry_held_hub_invitations() -> dict[str, int]:
    """Send the hub invitations that waited for the contact budget, where it now allows them."""
    return hub.held_invitations_retry()
