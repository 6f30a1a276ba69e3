"""The write behind themes: find the themes of the comments and record them on the responses.

Kept apart from services.py so that the survey services do not import scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from advocacy.feedback.models import Response, Survey, Theme
from advocacy.feedback.themes.clustering import FoundTheme, find_themes

UPDATE_BATCH = 2000  # ids per UPDATE … WHERE id IN (…): well under SQLite's bound-variable limit


@dataclass(frozen=True)
class ThemeRun:
    method: str
    themes: list[Theme]
    comments: int  # responses that got a theme
    removed: int  # themes no response points at any more, deleted


@transaction.atomic
def themes_refresh(*, survey: Survey | None = None, since: datetime | None = None) -> ThemeRun:
    """Regroup the commented responses (of ``survey``, answered since ``since``) into themes.

    A theme whose label already exists is reused, so running twice on the same comments leaves
    the same rows. Responses in scope without a comment lose their theme, and themes that no
    response points at any more are deleted.
    """
    scope = Response.objects.all()
    if survey is not None:
        scope = scope.filter(survey=survey)
    if since is not None:
        scope = scope.filter(answered_at__gte=since)
    ids, comments = commented(scope)
    found = find_themes(comments)
    themes = theme_rows(found.themes, method=found.method)
    scope.exclude(pk__in=ids).exclude(theme=None).update(theme=None)
    for theme, group in zip(themes, found.themes, strict=True):
        assign(theme, [ids[i] for i in group.members])
    removed, _ = Theme.objects.filter(responses__isnull=True).delete()
    return ThemeRun(method=found.method, themes=themes, comments=len(ids), removed=removed)


def commented(scope: QuerySet[Response]) -> tuple[list[int], list[str]]:
    """Ids and comments of the responses in ``scope`` that say something, in id order."""
    rows = scope.exclude(comment="").order_by("pk").values_list("pk", "comment")
    kept = [(pk, comment) for pk, comment in rows if comment.strip()]
    return [pk for pk, _ in kept], [comment for _, comment in kept]


def theme_rows(found: list[FoundTheme], *, method: str) -> list[Theme]:
    """A Theme row per found theme: the existing one of the same label, updated, or a new one."""
    now = timezone.now()
    existing = {theme.label: theme for theme in Theme.objects.filter(label__in=[f.label for f in found])}
    rows = [existing.get(f.label) or Theme(label=f.label) for f in found]
    for row, theme in zip(rows, found, strict=True):
        row.terms, row.method, row.found_at = theme.terms, method, now
    Theme.objects.bulk_update([r for r in rows if r.pk], ["terms", "method", "found_at"])
    Theme.objects.bulk_create([r for r in rows if not r.pk])
    return rows


def assign(theme: Theme, response_ids: list[int]) -> None:
    """Point the responses at ``theme``, one UPDATE per batch of ids."""
    for start in range(0, len(response_ids), UPDATE_BATCH):
        Response.objects.filter(pk__in=response_ids[start : start + UPDATE_BATCH]).update(theme=theme)
