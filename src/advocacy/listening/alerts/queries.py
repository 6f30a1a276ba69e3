"""Reads behind spike alerts: daily counts per query (one grouped query), alerts and their mentions."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from advocacy.listening.mentions.queries import NEGATIVE_BELOW
from advocacy.listening.models import Alert, Mention, Query


def daily_counts(*, query: Query, start: date, end: date) -> tuple[list[date], list[int], list[int]]:
    """Every day from start to end with its mentions of ``query`` and how many read negative (zeros filled)."""
    rows = (
        Mention.objects.filter(queries=query, published_at__date__gte=start, published_at__date__lte=end)
        .annotate(day=TruncDate("published_at"))
        .values("day")
        .annotate(total=Count("pk"), negative=Count("pk", filter=Q(sentiment__lt=NEGATIVE_BELOW)))
    )
    by_day = {r["day"]: (r["total"], r["negative"]) for r in rows}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return days, [by_day.get(d, (0, 0))[0] for d in days], [by_day.get(d, (0, 0))[1] for d in days]


def alerts() -> QuerySet[Alert]:
    return Alert.objects.select_related("query").order_by("-day", "-pk")


def mentions_behind(alert: Alert) -> QuerySet[Mention]:
    scope = Mention.objects.filter(queries=alert.query, published_at__date=alert.day)
    if alert.kind == "negative":
        scope = scope.filter(sentiment__lt=NEGATIVE_BELOW)
    return scope.select_related("customer", "source").order_by("published_at")
