"""Reads of reply templates."""

from __future__ import annotations

from django.db.models import QuerySet

from advocacy.casework.models import ReplyTemplate


def templates_offered() -> QuerySet[ReplyTemplate]:
    """What the case page offers: the active templates, by name."""
    return ReplyTemplate.objects.filter(active=True).order_by("name")


def templates_all() -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.select_related("updated_by").order_by("-active", "name")


def templates_matching(*, active: bool | None = None) -> QuerySet[ReplyTemplate]:
    found = ReplyTemplate.objects.order_by("name", "id")
    return found if active is None else found.filter(active=active)
