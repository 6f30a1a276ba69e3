"""Background tasks of the feedback app. Each is safe to run twice: sends are claimed row by row."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.feedback.surveys import queries as surveys_queries
from advocacy.feedback.surveys import services


@durable_task()
def send_invitation(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id) is not None


@durable_task()
def send_wave(wave_id: int) -> int:
    """Split the wave's queued invitations into chunks, one job each; a second run finds none queued."""
    return services.wave_chunks_enqueue(wave_id=wave_id)


@durable_task()
def send_wave_chunk(wave_id: int, first_id: int, last_id: int) -> int:
    """Send one chunk of a wave: each invitation claimed once, an interrupted earlier attempt settled first."""
    return services.wave_chunk_send(wave_id=wave_id, first_id=first_id, last_id=last_id)


@durable_task()
def open_due_waves() -> list[int]:
    """Open the waves of recurring and one-off surveys that are due today (the scheduler enqueues this)."""
    return [services.wave_open(survey=survey).wave.pk for survey in surveys_queries.surveys_due()]
