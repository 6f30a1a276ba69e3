"""Background tasks of the feedback app. Each is safe to run twice: sends are claimed row by row."""

from __future__ import annotations

from django_tasks import task

from advocacy.feedback.models import Invitation, InvitationStatus
from advocacy.feedback.surveys import queries as surveys_queries
from advocacy.feedback.surveys import services


@task()
def send_invitation(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id) is not None


@task()
def send_wave(wave_id: int) -> int:
    """Send every queued invitation of a wave; a second run finds none queued and sends nothing."""
    sent = 0
    queued = Invitation.objects.filter(wave_id=wave_id, status=InvitationStatus.QUEUED).values_list("pk", flat=True)
    for invitation_id in queued.iterator(chunk_size=500):
        sent += services.invitation_send(invitation_id=invitation_id) is not None
    return sent


@task()
def open_due_waves() -> list[int]:
    """Open the waves of recurring and one-off surveys that are due today (the scheduler enqueues this)."""
    return [services.wave_open(survey=survey).wave.pk for survey in surveys_queries.surveys_due()]
