"""Background task that refreshes the themes; safe to run twice (a rerun finds the same themes)."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.feedback.models import Survey
from advocacy.feedback.themes.services import themes_refresh


@durable_task()
def refresh_themes(survey_id: int | None = None) -> None:
    """Regroup the comments of one survey, or of all surveys when no survey is named."""
    if survey_id is None:
        themes_refresh()
        return
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is not None:  # deleted since it was enqueued: nothing left to group
        themes_refresh(survey=survey)
