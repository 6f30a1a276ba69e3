"""The NPS dashboard, the response explorer and its CSV export: thin views over queries.py."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import plotly
from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from advocacy.core.csvexport import csv_response
from advocacy.core.events import audit_read
from advocacy.core.permissions import allow
from advocacy.core.roles import INSIGHT_READERS
from advocacy.feedback.dashboard import charts
from advocacy.feedback.dashboard import queries as metrics
from advocacy.feedback.dashboard.forms import ResponseFilter
from advocacy.feedback.models import Survey

RESPONSES_PER_PAGE = 25
DEFAULT_COMPARISON_DAYS = 90
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SEGMENT_CHOICES = [(name, label) for name, (label, _) in metrics.SEGMENT_FIELDS.items()]


class DashboardFilter(forms.Form):
    survey = forms.ModelChoiceField(
        queryset=Survey.objects.order_by("-active", "name"), required=False, empty_label="The relationship NPS"
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(required=False, choices=[("month", "month"), ("week", "week"), ("wave", "wave")])
    segment = forms.ChoiceField(required=False, choices=SEGMENT_CHOICES, label="Segment by")
    period = forms.ChoiceField(required=False, choices=[("", "latest"), ("all", "all time")], widget=forms.HiddenInput)


def comparison_periods(since: date | None, until: date | None) -> tuple[date, date, date, date]:
    """The chosen period (b) and the period of equal length just before it (a); the last 90 days by default."""
    end = until or timezone.localdate()
    start = since or end - timedelta(days=DEFAULT_COMPARISON_DAYS - 1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1), start, end


def answers_link(
    survey: Survey, since: date | None, until: date | None, segment: str, value: str, *, theme: str = ""
) -> str:
    """The response explorer showing exactly the answers behind a figure (counted ones, same period)."""
    query = {"survey": survey.pk, "counted": "on"}
    query |= {"theme": theme} if theme else {"segment": segment, "value": value}
    query |= {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}
    return f"{reverse('feedback:responses')}?{urlencode(query)}"


def trend_link(survey: Survey, by: str, since: date | None, until: date | None, point: metrics.TrendPoint) -> str:
    """The explorer showing the answers of one trend point: its week or month (within the period), or its wave."""
    query: dict[str, Any] = {"survey": survey.pk, "counted": "on"}
    if point.start is not None:
        end = charts.next_bucket(point.start, timedelta(days=7) if by == "week" else None) - timedelta(days=1)
        first = max(point.start, since) if since else point.start
        last = min(end, until) if until else end
        query |= {"since": first.isoformat(), "until": last.isoformat()}
    elif point.wave is not None:
        query |= {"wave": point.wave}
    else:
        return ""
    return f"{reverse('feedback:responses')}?{urlencode(query)}"


def segment_point(row: metrics.SegmentRow, url: str) -> dict[str, Any]:
    e = row.estimate
    return {"label": row.label, "value": e.value, "low": e.low, "high": e.high, "n": e.n, "mark": row.mark, "url": url}


# The driver groups whose answers the explorer selects exactly as the model counts them (tenure is
# measured at each answer there, at the end of the period in the explorer; features have no filter).
SEGMENT_BY_LABEL = {metrics.SEGMENT_FIELDS[name][0]: name for name in metrics.DRIVER_FIELDS}


def driver_point(c: metrics.Coefficient, answers: Any) -> dict[str, Any]:
    segment = SEGMENT_BY_LABEL.get(c.group)
    url = (
        answers("", "", theme=c.name) if c.group == metrics.THEME_GROUP else answers(segment, c.name) if segment else ""
    )
    mark = ("▲" if c.coefficient > 0 else "▼") if c.significant else ""
    return {
        "label": f"{c.group}: {c.name}",
        "value": c.coefficient,
        "low": c.low,
        "high": c.high,
        "n": c.n,
        "mark": mark,
        "url": url,
    }


def dashboard_context(
    survey: Survey, since: date | None, until: date | None, by: str, segment: str, period: str = ""
) -> dict[str, Any]:
    headline_since, headline_label = metrics.headline_period(survey, since, until, period)
    summary = metrics.nps_summary(survey, since=headline_since, until=until)
    distribution = metrics.score_distribution(survey, since=headline_since, until=until)
    points = metrics.trend(survey, by, since=since, until=until)
    a_since, a_until, b_since, b_until = comparison_periods(since, until)
    segment_rows = metrics.segments(survey, segment, since=since, until=until)
    driver_answers = metrics.driver_answers(survey, since=since, until=until, filters=None, limit=metrics.DRIVER_LIMIT)
    drivers = metrics.drivers(survey, answers=driver_answers)
    theme_effects = metrics.theme_associations(survey, answers=driver_answers)
    answers = partial(answers_link, survey, since, until)
    return {
        "summary": summary,
        "headline_label": headline_label,
        "headline_is_default": not (since or until or period),
        "dec": 2 if summary.metric == "CES" else 0,
        "distribution": distribution,
        "trend": points,
        "segments": [(row, answers(segment, row.label)) for row in segment_rows],
        "segment_label": metrics.SEGMENT_FIELDS[segment][0],
        "comparison": metrics.period_difference(survey, a_since, a_until, b_since, b_until),
        "drivers": drivers,
        "themes": [
            row | {"url": answers("", "", theme=row["label"])}
            for row in metrics.themes_table(survey, since=since, until=until)
        ],
        "theme_effects": theme_effects,
        "charts": {
            "headline": charts.headline_chart(summary),
            "trend": charts.trend_chart(points, partial(trend_link, survey, by, since, until)),
            "distribution": charts.distribution_chart(distribution),
            "segments": charts.interval_chart(
                [segment_point(row, answers(segment, row.label)) for row in segment_rows], metric=summary.metric
            ),
            "drivers": charts.interval_chart(
                [driver_point(c, answers) for c in drivers.coefficients],
                metric=f"effect on the {drivers.outcome}",
                zero=0,
            ),
            "theme_effects": charts.interval_chart(
                [driver_point(c, answers) for c in theme_effects.coefficients],
                metric=f"difference in the {theme_effects.outcome}",
                zero=0,
            ),
        },
    }


@allow(*INSIGHT_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilter(request.GET or None)
    choice: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    survey = choice.get("survey") or metrics.default_survey()
    if not form.is_bound and survey is not None:
        form = DashboardFilter(initial={"survey": survey})  # the selector shows what is on display
    by, segment = choice.get("by") or "month", choice.get("segment") or "account__region"
    context: dict[str, Any] = {"form": form, "survey": survey, "by": by, "plotly_version": plotly.__version__}
    if survey is not None:
        context |= dashboard_context(
            survey, choice.get("since"), choice.get("until"), by, segment, choice.get("period") or ""
        )
    return render(request, "feedback/dashboard/dashboard.html", context)


@allow(*INSIGHT_READERS)
def responses(request: HttpRequest) -> HttpResponse:
    form = ResponseFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(metrics.responses_explored(filters), RESPONSES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "feedback/dashboard/responses.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@allow(*INSIGHT_READERS)
def responses_csv(request: HttpRequest) -> StreamingHttpResponse:
    form = ResponseFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    name = f"responses-{timezone.localdate():%Y-%m-%d}.csv"
    audit_read(actor=request.user, what="responses_csv", object_type="export", object_id=name, data=request.GET.dict())  # type: ignore[arg-type]
    return csv_response(name, metrics.CSV_HEADER, metrics.csv_rows(metrics.responses_explored(filters)))


@allow(*INSIGHT_READERS)
def plotly_js(request: HttpRequest) -> FileResponse:
    """plotly.js from the plotly package itself: no CDN, so the dashboard works air-gapped."""
    response = FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript; charset=utf-8")
    # The page asks for it with ?v=<plotly version>, so a year-long cache is safe across upgrades.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
