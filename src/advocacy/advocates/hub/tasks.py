"""Background tasks of the hub; each is safe to run twice."""

from __future__ import annotations

from advocacy.advocates.hub import services as hub
from advocacy.core.jobs.durable import durable_task


@durable_task()
def retry_held_hub_invitations() -> dict[str, int]:
    """Send the hub invitations that waited for the contact budget, where it now allows them."""
    return hub.held_invitations_retry()
