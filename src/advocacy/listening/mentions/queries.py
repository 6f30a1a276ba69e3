"""Reads of mentions: the explorer's filters, the dashboard's series, share of voice, one mention's page,
the customer's panel. Every figure is one grouped query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from advocacy.listening.models import Alert, Flag, Mention, Query, QueryKind, Source

# A mention reads negative below −0.05 and positive above 0.05 (VADER's published cut-offs; the learned
# score 2p − 1 is on the same scale).
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05


def tone(score: float) -> str:
    return "negative" if score < NEGATIVE_BELOW else "positive" if score > POSITIVE_ABOVE else "neutral"


TONES = {
    "negative": Q(sentiment__lt=NEGATIVE_BELOW),
    "positive": Q(sentiment__gt=POSITIVE_ABOVE),
    "neutral": Q(sentiment__gte=NEGATIVE_BELOW, sentiment__lte=POSITIVE_ABOVE),
}


def mentions_matching(
    *,
    query_id: int | None = None,
    source_id: int | None = None,
    tone: str = "",
    customer_id: int | None = None,
    known_customer: bool | None = None,
    flagged: str = "",
    since: date | None = None,
    until: date | None = None,
    text: str = "",
) -> QuerySet[Mention]:
    scope = Mention.objects.select_related("source", "customer")
    if query_id:
        scope = scope.filter(queries=query_id)
    if source_id:
        scope = scope.filter(source_id=source_id)
    if tone in TONES:
        scope = scope.filter(TONES[tone])
    if customer_id:
        scope = scope.filter(customer_id=customer_id)
    if known_customer is not None:
        scope = scope.filter(customer__isnull=not known_customer)
    if flagged:
        scope = scope.filter(flags__kind=flagged) if flagged != "any" else scope.filter(flags__isnull=False)
    if since:
        scope = scope.filter(published_at__date__gte=since)
    if until:
        scope = scope.filter(published_at__date__lte=until)
    if text:
        scope = scope.filter(text__icontains=text)
    return scope.distinct().order_by("-published_at", "-pk")


CSV_HEADER = [
    "id",
    "published_at",
    "source",
    "author",
    "handle",
    "url",
    "language",
    "rating",
    "sentiment",
    "tone",
    "matched_terms",
    "customer_email",
    "text",
]


def csv_rows(mentions: QuerySet[Mention]) -> Any:
    for m in mentions.iterator(chunk_size=2000):
        yield [
            m.pk,
            m.published_at.isoformat(),
            m.source.name,
            m.author,
            m.handle,
            m.canonical_url,
            m.language,
            m.rating or "",
            f"{m.sentiment:.3f}",
            tone(m.sentiment),
            " ".join(m.matched_terms),
            m.customer.email if m.customer else "",
            m.text,
        ]


@dataclass(frozen=True)
class WeekPoint:
    week: date
    mentions: int
    negative: int
    mean_sentiment: float | None


def weekly_series(*, query_id: int | None = None) -> list[WeekPoint]:
    scope = Mention.objects.all() if not query_id else Mention.objects.filter(queries=query_id)
    rows = (
        scope.annotate(week=TruncWeek("published_at"))
        .values("week")
        .annotate(
            n=Count("pk", distinct=True), neg=Count("pk", filter=TONES["negative"], distinct=True), avg=Avg("sentiment")
        )
        .order_by("week")
    )
    return [
        WeekPoint(r["week"].date() if hasattr(r["week"], "date") else r["week"], r["n"], r["neg"], r["avg"])
        for r in rows
    ]


@dataclass(frozen=True)
class Voice:
    query: str
    kind: str
    mentions: int
    share: float
    negative_share: float | None


def share_of_voice(*, since: date | None = None) -> list[Voice]:
    """Each query's mentions and its share of all brand, product and competitor mentions (with n)."""
    scope = Query.objects.filter(active=True)
    window = Q(mentions__published_at__date__gte=since) if since else Q()
    rows = scope.annotate(
        n=Count("mentions", filter=window, distinct=True),
        neg=Count("mentions", filter=window & Q(mentions__sentiment__lt=NEGATIVE_BELOW), distinct=True),
    ).order_by("-n")
    total = sum(r.n for r in rows) or 1
    return [Voice(r.name, r.get_kind_display(), r.n, r.n / total, (r.neg / r.n) if r.n else None) for r in rows]


def is_competitor(voice: Voice) -> bool:
    return voice.kind == QueryKind.COMPETITOR.label


def alert_days() -> list[tuple[date, str, str]]:
    return list(Alert.objects.select_related("query").values_list("day", "query__name", "kind"))


@dataclass(frozen=True)
class MentionPage:
    mention: Mention
    group: list[Mention]
    flags: list[Flag]
    explanation: list[tuple[str, float]]


def mention_page(mention: Mention) -> MentionPage:
    from advocacy.feedback.learned.queries import sentiment_reader

    root = mention.duplicate_of_id or mention.pk
    group = list(
        Mention.objects.filter(Q(pk=root) | Q(duplicate_of_id=root))
        .exclude(pk=mention.pk)
        .order_by("published_at")[:50]
    )
    reader = sentiment_reader()
    explanation = reader.explain(mention.text) if mention.sentiment_method == reader.method else []
    return MentionPage(mention, group, list(mention.flags.all()), explanation)


def customer_mentions(customer_id: int, limit: int = 10) -> dict[str, Any]:
    scope = Mention.objects.filter(customer_id=customer_id)
    totals = scope.aggregate(
        n=Count("pk"), neg=Count("pk", filter=TONES["negative"]), flagged=Count("flags", distinct=True)
    )
    return {"totals": totals, "latest": list(scope.order_by("-published_at")[:limit])}


def source_health() -> QuerySet[Source]:
    return Source.objects.annotate(mentions_total=Count("mentions")).order_by("name")


def flags_matching(*, kind: str = "") -> QuerySet[Flag]:
    scope = Flag.objects.select_related("mention", "mention__customer")
    return (scope.filter(kind=kind) if kind else scope).order_by("-raised_at", "-pk")


def disclosure_counts() -> dict[str, int]:
    """For the program page: posts by materially connected customers, disclosed or not."""
    from advocacy.advocates.disclosure import connected

    connected_posts = (
        Mention.objects.filter(customer__isnull=False)
        .annotate(c=connected("customer_id", "published_at"))
        .filter(c=True)
    )
    total = connected_posts.count()
    undisclosed = Flag.objects.filter(kind="undisclosed").count()
    return {"connected_posts": total, "undisclosed": undisclosed, "disclosed": max(total - undisclosed, 0)}


@dataclass(frozen=True)
class MentionTheme:
    label: str
    terms: list[str]
    mentions: int
    negative: int


THEME_SAMPLE = 1000  # the newest mentions the themes engine groups (it clusters in memory)
THEMES_CACHE_SECONDS = 3600  # grouping takes seconds: the dashboard shows the last hour's grouping


def mention_themes(*, query_id: int | None = None) -> list[MentionTheme]:
    """What the newest mentions talk about, grouped by the survey comments' themes engine; computed at
    most once an hour per query (clustering a thousand texts takes seconds)."""
    key = f"listening:mention-themes:{query_id or 'all'}"
    cached = cache.get(key)
    if cached is None:
        cached = grouped_themes(query_id)
        cache.set(key, cached, THEMES_CACHE_SECONDS)
    return list(cached)


def grouped_themes(query_id: int | None) -> list[MentionTheme]:
    from advocacy.feedback.themes.clustering import find_themes

    scope = Mention.objects.all() if not query_id else Mention.objects.filter(queries=query_id)
    rows = list(scope.order_by("-published_at").values_list("text", "sentiment")[:THEME_SAMPLE])
    if len(rows) < 20:
        return []
    found = find_themes([text for text, _ in rows])
    themes = [
        MentionTheme(t.label, t.terms, len(t.members), sum(1 for i in t.members if rows[i][1] < NEGATIVE_BELOW))
        for t in found.themes
    ]
    return sorted(themes, key=lambda t: t.mentions, reverse=True)


def week_headline(*, now: datetime | None = None) -> dict[str, Any]:
    """The last seven days in two numbers (mentions, the negative share) and the alerts raised in them."""
    now = now or timezone.now()
    since = now - timedelta(days=7)
    week = Mention.objects.filter(published_at__gte=since).aggregate(
        mentions=Count("id"), negative=Count("id", filter=TONES["negative"])
    )
    share = week["negative"] / week["mentions"] if week["mentions"] else None
    return {**week, "negative_share": share, "alerts": Alert.objects.filter(raised_at__gte=since).count()}
