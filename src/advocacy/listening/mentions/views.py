"""The listening pages: dashboard, mention explorer (with CSV export) and one mention."""

from __future__ import annotations

from datetime import date

import plotly
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.dateparse import parse_date

from advocacy.core.csvexport import csv_response
from advocacy.core.permissions import allow
from advocacy.core.roles import INSIGHT_READERS
from advocacy.feedback.learned.queries import model_report
from advocacy.listening.mentions import charts, queries
from advocacy.listening.models import FlagKind, Mention, Query, Source


@allow(*INSIGHT_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    query_id = int(request.GET["query"]) if request.GET.get("query", "").isdigit() else None
    voices = queries.share_of_voice()
    context = {
        "charts": {
            "volume": charts.volume_chart(queries.weekly_series(query_id=query_id), queries.alert_days()),
            "voice": charts.voice_chart(voices),
        },
        "voices": voices,
        "themes": queries.mention_themes(query_id=query_id),
        "theme_sample": queries.THEME_SAMPLE,
        "queries": Query.objects.order_by("name"),
        "query_id": query_id,
        "sources": queries.source_health(),
        "model": model_report(),
        "disclosure": queries.disclosure_counts(),
        "plotly_version": plotly.__version__,
    }
    return render(request, "listening/dashboard.html", context)


def filters_of(request: HttpRequest) -> dict[str, object]:
    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    def day(name: str) -> date | None:
        try:
            return parse_date(request.GET.get(name, ""))
        except ValueError:
            return None

    return {
        "query_id": number("query"),
        "source_id": number("source"),
        "tone": request.GET.get("tone", ""),
        "flagged": request.GET.get("flagged", ""),
        "since": day("since"),
        "until": day("until"),
        "text": request.GET.get("text", "")[:100],
    }


@allow(*INSIGHT_READERS)
def explorer(request: HttpRequest) -> HttpResponse:
    mentions = queries.mentions_matching(**filters_of(request))  # type: ignore[arg-type]
    context = {
        "mentions": mentions[:200],
        "total": mentions.count(),
        "queries": Query.objects.order_by("name"),
        "sources": Source.objects.order_by("name"),
        "flag_kinds": FlagKind.choices,
        "params": request.GET.urlencode(),
        "f": request.GET,
    }
    return render(request, "listening/explorer.html", context)


@allow(*INSIGHT_READERS)
def explorer_csv(request: HttpRequest) -> StreamingHttpResponse:
    mentions = queries.mentions_matching(**filters_of(request))  # type: ignore[arg-type]
    return csv_response("mentions.csv", queries.CSV_HEADER, queries.csv_rows(mentions))


@allow(*INSIGHT_READERS)
def mention_detail(request: HttpRequest, mention_id: int) -> HttpResponse:
    mention = get_object_or_404(Mention.objects.select_related("source", "customer"), pk=mention_id)
    return render(
        request,
        "listening/mention.html",
        {"page": queries.mention_page(mention), "tone": queries.tone(mention.sentiment)},
    )
