"""The NPS, CSAT and CES figures of the dashboard: each one SQL aggregate, then the math in stats.py.

The headline, distribution, trend, segments and period comparison add up the roll-ups (answers counted
per survey, local day, wave and segment value, kept exact by triggers: feedback/rollups.py), so a read
touches a few thousand rows however many answers there are. A read the roll-ups cannot answer exactly
counts the answers themselves, with the same result: the tenure segments (tenure moves with the end
of the period), more than one filter, a filter on one field with segments by another, a period that
does not start and end at local midnight, a viewer whose time zone is not the one the roll-ups count
days in, and a database whose roll-ups were never built (``counted_from_answers()`` forces it, for
tests and benchmarks). The database does the counting (``Count(…, filter=…)``, ``GROUP BY``);
Python only turns a handful of counts into estimates. Every read takes a survey (or its id), an
optional period ``since`` (inclusive) … ``until`` (exclusive; a ``date`` means up to the end of that
day) and optional ``filters`` keyed by the segment fields below, and works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import scipy.linalg
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from scipy import stats as sps

from advocacy.customers.models import EngagementEvent, EngagementKind, ProductInUse
from advocacy.feedback import scales, stats
from advocacy.feedback.models import SCALES, Response, ResponseRollup, RollupState, Schedule, Survey, SurveyKind, Wave

SurveyRef = Survey | int
Moment = date | datetime | None
NO_VALUE = "(not set)"

# The fields a page may segment or filter by, and the ORM path each reads.
SEGMENT_FIELDS: dict[str, tuple[str, str]] = {
    "account__region": ("Region", "customer__account__region"),
    "account__industry": ("Industry", "customer__account__industry"),
    "account__size": ("Account size", "customer__account__size"),
    "account__kind": ("Account kind", "customer__account__kind"),
    "tenure": ("Customer tenure", ""),
    "locale": ("Locale", "customer__locale"),
}
# Tenure bands as (label, minimum years as a customer), longest first; measured at the end of the period.
TENURE_BANDS: tuple[tuple[str, int], ...] = (("5 years or more", 5), ("2–5 years", 2), ("1–2 years", 1))
TENURE_NEWEST = "under 1 year"


# --- the base query ------------------------------------------------------------------------------


def default_survey() -> Survey | None:
    """What "NPS" opens: the relationship NPS (recurring NPS waves, the most answered first), else the
    most answered NPS survey, else the newest survey, never an empty survey that happens to be newer."""
    answered: Any = Count("responses")
    if RollupState.objects.exists():  # the roll-ups' counts, not a count of every answer of every survey
        answered = Coalesce(
            Subquery(
                ResponseRollup.objects.filter(survey=OuterRef("pk"), dimension="")
                .order_by()
                .values("survey")
                .annotate(total=Sum("n"))
                .values("total")
            ),
            0,
        )
    return (
        Survey.objects.annotate(
            answered=answered,
            relationship=Case(
                When(kind=SurveyKind.NPS, schedule=Schedule.RECURRING, then=Value(2)),
                When(kind=SurveyKind.NPS, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-relationship", "-active", "-answered", "-created_at")
        .first()
    )


def resolve_survey(survey: SurveyRef) -> Survey:
    return survey if isinstance(survey, Survey) else Survey.objects.get(pk=survey)


def as_moment(value: Moment, *, end_of_day: bool = False) -> datetime | None:
    """An aware datetime; a bare date is the start of that day (or of the next, for an 'until')."""
    if value is None or isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end_of_day else value
    return timezone.make_aware(datetime.combine(day, time.min))


def responses_for(
    survey: SurveyRef, *, since: Moment = None, until: Moment = None, filters: Mapping[str, str] | None = None
) -> QuerySet[Response]:
    survey_id = survey.pk if isinstance(survey, Survey) else survey
    # Answers flagged as likely duplicates (a shared link answered again from one network) are kept and
    # shown in the explorer, never counted in a score.
    responses = Response.objects.filter(survey_id=survey_id, duplicate=False)
    if (start := as_moment(since)) is not None:
        responses = responses.filter(answered_at__gte=start)
    if (end := as_moment(until, end_of_day=True)) is not None:
        responses = responses.filter(answered_at__lt=end)
    for name, value in (filters or {}).items():
        responses = responses.filter(segment_condition(name, value, until))
    return responses


def segment_condition(name: str, value: str, until: Moment = None) -> Q:
    if name not in SEGMENT_FIELDS:
        raise ValueError(f"unknown segment field {name!r}; choose from {sorted(SEGMENT_FIELDS)}")
    if name == "tenure":
        return Q(_tenure_q(value, until))
    path = SEGMENT_FIELDS[name][1]
    return Q(**{f"{path}__isnull": True}) | Q(**{path: ""}) if value == NO_VALUE else Q(**{path: value})


def _tenure_q(label: str, until: Moment) -> Q:
    reference = _tenure_reference(until)
    bounds = [(lbl, _years_before(reference, years)) for lbl, years in TENURE_BANDS]
    for index, (band, cutoff) in enumerate(bounds):
        if band == label:
            newer = Q(customer__customer_since__gt=bounds[index - 1][1]) if index else Q()
            return Q(customer__customer_since__lte=cutoff) & newer
    if label == TENURE_NEWEST:
        return Q(customer__customer_since__gt=bounds[-1][1])
    return Q(customer__customer_since__isnull=True)


def _tenure_reference(until: Moment) -> date:
    end = as_moment(until, end_of_day=True)
    return timezone.localdate() if end is None else timezone.localtime(end).date()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def tenure_band(until: Moment = None) -> Expression:
    """The tenure band of each response's customer, computed in SQL from customer_since."""
    reference = _tenure_reference(until)
    whens = [
        When(customer__customer_since__lte=_years_before(reference, years), then=Value(label))
        for label, years in TENURE_BANDS
    ]
    return Case(When(customer__customer_since__isnull=True, then=Value(NO_VALUE)), *whens, default=Value(TENURE_NEWEST))


# --- the roll-ups --------------------------------------------------------------------------------

_COUNT_ANSWERS: ContextVar[bool] = ContextVar("count_answers", default=False)


@contextmanager
def counted_from_answers() -> Iterator[None]:
    """Within it, every figure is counted from the answers themselves, not the roll-ups."""
    token = _COUNT_ANSWERS.set(True)
    try:
        yield
    finally:
        _COUNT_ANSWERS.reset(token)


@dataclass(frozen=True)
class RollupScope:
    """Which roll-up rows a read adds up: one dimension ('' for all answers), perhaps one of its values,
    and the local days from ``first_day`` up to ``end_day`` (exclusive)."""

    dimension: str
    value: str | None
    first_day: date | None
    end_day: date | None


class _NotWholeDays(Exception):
    pass


def _day_bound(value: Moment, *, end: bool) -> date | None:
    """The local day a period starts on (or the day after it ends); refused unless it is a whole day."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return value + timedelta(days=1) if end else value
    local = timezone.localtime(value)
    if local.time() != time.min:
        raise _NotWholeDays
    return local.date()


def rollup_scope(
    since: Moment = None, until: Moment = None, filters: Mapping[str, str] | None = None, segment: str | None = None
) -> RollupScope | None:
    """The roll-up rows that answer a read exactly, or None where the answers must be counted."""
    filters = dict(filters or {})
    for name, given in filters.items():
        segment_condition(name, given)  # an unknown field is refused the same way either way
    if _COUNT_ANSWERS.get() or len(filters) > 1 or "tenure" in (segment, *filters):
        return None
    if filters and segment is not None and segment not in filters:
        return None
    dimension = segment or next(iter(filters), "")
    value: str | None = None
    if filters:
        value = "" if filters[dimension] == NO_VALUE else filters[dimension]
    try:
        return RollupScope(dimension, value, _day_bound(since, end=False), _day_bound(until, end=True))
    except _NotWholeDays:
        return None


def rollup_rows(survey_id: int, scope: RollupScope) -> QuerySet[ResponseRollup]:
    """The scope's rows, only where the roll-ups are built for the viewer's time zone (checked in the same
    query: an empty answer then means no answers or no roll-ups, which ``rollups_cover`` tells apart)."""
    rows = ResponseRollup.objects.filter(
        Exists(RollupState.objects.filter(zone=timezone.get_current_timezone_name())),
        survey_id=survey_id,
        dimension=scope.dimension,
    )
    if scope.value is not None:
        rows = rows.filter(value=scope.value)
    if scope.first_day is not None:
        rows = rows.filter(day__gte=scope.first_day)
    if scope.end_day is not None:
        rows = rows.filter(day__lt=scope.end_day)
    return rows.order_by()


def rollups_cover() -> bool:
    """Whether the roll-ups are built, for the viewer's time zone."""
    return RollupState.objects.filter(zone=timezone.get_current_timezone_name()).exists()


def _scores_where(kind: str, category: str) -> list[int]:
    low, high = SCALES[kind]
    return [s for s in range(low, high + 1) if scales.score_category(kind, s) == category]


def _weighted(scores: list[int], weight: Callable[[int], int] = lambda s: 1) -> Any:
    terms = [F(f"s{s}") if weight(s) == 1 else Value(weight(s)) * F(f"s{s}") for s in scores]
    return functools.reduce(operator.add, terms)


def rollup_aggregates(kind: str, prefix: str = "", where: Q | None = None) -> dict[str, Any]:
    """``metric_aggregates`` over roll-up rows: the same names, added up from the per-score counts."""
    base = where or Q()

    def total(expression: Any) -> Sum:
        return Sum(expression, filter=base, output_field=IntegerField())

    if kind == SurveyKind.NPS:
        return {
            f"{prefix}n": total(F("n")),
            f"{prefix}promoters": total(_weighted(_scores_where(kind, "promoter"))),
            f"{prefix}detractors": total(_weighted(_scores_where(kind, "detractor"))),
        }
    if kind == SurveyKind.CSAT:
        return {f"{prefix}n": total(F("n")), f"{prefix}satisfied": total(_weighted(_scores_where(kind, "satisfied")))}
    scores = list(range(SCALES[kind][0], SCALES[kind][1] + 1))
    return {
        f"{prefix}n": total(F("n")),
        f"{prefix}total": total(_weighted(scores, lambda s: s)),
        f"{prefix}squares": total(_weighted(scores, lambda s: s * s)),
    }


# --- counts → estimates --------------------------------------------------------------------------


def metric_aggregates(kind: str, prefix: str = "", where: Q | None = None) -> dict[str, Any]:
    """The conditional aggregates a kind's estimate needs; ``where`` narrows them (for periods)."""
    base = where or Q()
    if kind == SurveyKind.NPS:
        return {
            f"{prefix}n": Count("id", filter=base),
            f"{prefix}promoters": Count("id", filter=base & scales.PROMOTER),
            f"{prefix}detractors": Count("id", filter=base & scales.DETRACTOR),
        }
    if kind == SurveyKind.CSAT:
        return {
            f"{prefix}n": Count("id", filter=base),
            f"{prefix}satisfied": Count("id", filter=base & scales.CSAT_SATISFIED),
        }
    return {
        f"{prefix}n": Count("id", filter=base),
        f"{prefix}total": Sum("score", filter=base),
        f"{prefix}squares": Sum(F("score") * F("score"), filter=base, output_field=IntegerField()),
    }


def estimate_from(kind: str, row: Mapping[str, Any], prefix: str = "") -> stats.Estimate:
    n = int(row[f"{prefix}n"] or 0)
    if kind == SurveyKind.NPS:
        promoters, detractors = int(row[f"{prefix}promoters"] or 0), int(row[f"{prefix}detractors"] or 0)
        return stats.nps_estimate(promoters, n - promoters - detractors, detractors)
    if kind == SurveyKind.CSAT:
        return stats.csat_estimate(int(row[f"{prefix}satisfied"] or 0), n)
    return stats.ces_estimate(n, float(row[f"{prefix}total"] or 0), float(row[f"{prefix}squares"] or 0))


def nps_summary(
    survey: SurveyRef, *, since: Moment = None, until: Moment = None, filters: Mapping[str, str] | None = None
) -> stats.Estimate:
    """The survey's headline figure: NPS, CSAT or CES by its kind, with interval and n."""
    survey = resolve_survey(survey)
    if (scope := rollup_scope(since, until, filters)) is not None:
        row = rollup_rows(survey.pk, scope).aggregate(**rollup_aggregates(survey.kind))
        if row["n"] or rollups_cover():
            return estimate_from(survey.kind, row)
    row = responses_for(survey, since=since, until=until, filters=filters).aggregate(**metric_aggregates(survey.kind))
    return estimate_from(survey.kind, row)


# --- distribution ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreCount:
    score: int
    count: int
    category: str  # promoter / passive / detractor for NPS; satisfied / neutral / dissatisfied …


def score_distribution(
    survey: SurveyRef, *, since: Moment = None, until: Moment = None, filters: Mapping[str, str] | None = None
) -> list[ScoreCount]:
    """One count per point of the scale, zeros included."""
    survey = resolve_survey(survey)
    low, high = SCALES[survey.kind]
    if (scope := rollup_scope(since, until, filters)) is not None:
        sums = rollup_rows(survey.pk, scope).aggregate(**{f"s{s}": Sum(f"s{s}") for s in range(low, high + 1)})
        if any(sums.values()) or rollups_cover():
            return [
                ScoreCount(s, sums[f"s{s}"] or 0, scales.score_category(survey.kind, s)) for s in range(low, high + 1)
            ]
    counted = dict(
        responses_for(survey, since=since, until=until, filters=filters)
        .order_by()
        .values_list("score")
        .annotate(n=Count("id"))
        .values_list("score", "n")
    )
    return [ScoreCount(s, counted.get(s, 0), scales.score_category(survey.kind, s)) for s in range(low, high + 1)]


# --- trend -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    label: str
    start: date | None
    estimate: stats.Estimate
    wave: int | None = None  # the wave's number, for a point of the trend by wave


TREND_BUCKETS = ("week", "month", "wave")


def trend(
    survey: SurveyRef,
    by: str = "month",
    *,
    since: Moment = None,
    until: Moment = None,
    filters: Mapping[str, str] | None = None,
) -> list[TrendPoint]:
    """One estimate per week, month or wave, oldest first, in one GROUP BY query."""
    if by not in TREND_BUCKETS:
        raise ValueError(f"trend by {by!r}: choose from {TREND_BUCKETS}")
    survey = resolve_survey(survey)
    if (scope := rollup_scope(since, until, filters)) is not None:
        points = _trend_from_rollups(survey, by, scope)
        if points or rollups_cover():
            return points
    responses = responses_for(survey, since=since, until=until, filters=filters).order_by()
    rows: Any
    if by == "wave":
        rows = responses.values("wave__number").annotate(**metric_aggregates(survey.kind)).order_by("wave__number")
        return [_wave_point(row["wave__number"], estimate_from(survey.kind, row)) for row in rows]
    span = responses.aggregate(first=Min("answered_at"), last=Max("answered_at"))
    if span["first"] is None:
        return []
    starts = bucket_starts(span["first"], span["last"], by)
    rows = responses.annotate(bucket=bucket_of("answered_at", starts)).values("bucket")
    points = []
    for row in rows.annotate(**metric_aggregates(survey.kind)).order_by("bucket"):
        points.append(_trend_point(by, starts[row["bucket"]], estimate_from(survey.kind, row)))
    return points


def _trend_point(by: str, start: date, estimate: stats.Estimate) -> TrendPoint:
    return TrendPoint(f"week of {start:%d %b %Y}" if by == "week" else f"{start:%b %Y}", start, estimate)


def _trend_from_rollups(survey: Survey, by: str, scope: RollupScope) -> list[TrendPoint]:
    """The trend added up from the roll-ups: the first and last day with answers, then one GROUP BY of the
    days into their weeks or months (local days, so the buckets are the answers' own), or by wave."""
    aggregates = rollup_aggregates(survey.kind)
    rows = rollup_rows(survey.pk, scope)
    if by == "wave":
        by_wave: Any = rows.values("wave_id").annotate(**aggregates)
        waves = [row for row in by_wave if row["n"]]
        numbers = dict(Wave.objects.filter(pk__in=[row["wave_id"] for row in waves]).values_list("pk", "number"))
        # Ordered as the database orders wave numbers, answers outside a wave (NULL) included.
        last = connection.features.nulls_order_largest
        ordered = sorted(waves, key=lambda row: _wave_order(numbers.get(row["wave_id"]), last))
        return [_wave_point(numbers.get(row["wave_id"]), estimate_from(survey.kind, row)) for row in ordered]
    span = rows.filter(n__gt=0).aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return []
    starts = day_bucket_starts(span["first"], span["last"], by)
    whens = [When(day__lt=start, then=Value(index)) for index, start in enumerate(starts[1:])]
    bucket = Case(*whens, default=Value(len(starts) - 1), output_field=IntegerField())
    grouped: Any = rows.annotate(bucket=bucket).values("bucket").annotate(**aggregates).order_by("bucket")
    return [_trend_point(by, starts[row["bucket"]], estimate_from(survey.kind, row)) for row in grouped if row["n"]]


def _wave_order(number: int | None, nulls_last: bool) -> tuple[int, int]:
    if number is None:
        return (1, 0) if nulls_last else (-1, 0)
    return (0, number)


def bucket_starts(first: datetime, last: datetime, by: str) -> list[date]:
    """The local first days of the weeks (Mondays) or months from the one holding ``first`` to ``last``."""
    return day_bucket_starts(timezone.localtime(first).date(), timezone.localtime(last).date(), by)


def day_bucket_starts(day: date, end: date, by: str) -> list[date]:
    """The first days of the weeks (Mondays) or months from the one holding ``day`` to ``end``."""
    start = day - timedelta(days=day.weekday()) if by == "week" else day.replace(day=1)
    starts = []
    while start <= end:
        starts.append(start)
        start = start + timedelta(days=7) if by == "week" else (start + timedelta(days=32)).replace(day=1)
    return starts


def bucket_of(field_name: str, starts: list[date]) -> Case:
    """The index of the bucket each row falls in, as a CASE over the buckets' boundaries.

    Comparing with boundaries computed here (local midnights, so daylight-saving changes are right)
    keeps the work in the database's own comparisons: Django's TruncMonth on SQLite calls a Python
    function for every row, which made the trend of five million answers take 20 s (P4).
    """
    boundaries = [timezone.make_aware(datetime.combine(start, time.min)) for start in starts[1:]]
    whens = [When(**{f"{field_name}__lt": boundary}, then=Value(index)) for index, boundary in enumerate(boundaries)]
    return Case(*whens, default=Value(len(starts) - 1), output_field=IntegerField())


def _wave_point(number: int | None, estimate: stats.Estimate) -> TrendPoint:
    return TrendPoint("no wave" if number is None else f"wave {number}", None, estimate, number)


# --- segments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentRow:
    label: str
    estimate: stats.Estimate
    vs_rest: stats.Difference  # this segment minus all other answers

    @property
    def mark(self) -> str:
        """▲ or ▼ where this segment differs significantly from all the others, else ''."""
        if not self.vs_rest.significant or self.vs_rest.difference is None:
            return ""
        return "▲" if self.vs_rest.difference > 0 else "▼"


def segments(
    survey: SurveyRef,
    field_name: str,
    *,
    since: Moment = None,
    until: Moment = None,
    filters: Mapping[str, str] | None = None,
) -> list[SegmentRow]:
    """One estimate per value of the field, each tested against all other answers together."""
    if field_name not in SEGMENT_FIELDS:
        raise ValueError(f"unknown segment field {field_name!r}; choose from {sorted(SEGMENT_FIELDS)}")
    survey = resolve_survey(survey)
    if (scope := rollup_scope(since, until, filters, field_name)) is not None:
        counted = (
            rollup_rows(survey.pk, scope)
            .values("value")
            .annotate(**rollup_aggregates(survey.kind))
            .values("value", *rollup_aggregates(survey.kind))
        )
        found = [{"segment": row["value"], **row} for row in counted if row["n"]]
        if found or rollups_cover():
            return _segment_rows(survey.kind, found)
    expression = tenure_band(until) if field_name == "tenure" else Coalesce(SEGMENT_FIELDS[field_name][1], Value(""))
    grouped: Any = (
        responses_for(survey, since=since, until=until, filters=filters)
        .order_by()
        .annotate(segment=expression)
        .values("segment")
        .annotate(**metric_aggregates(survey.kind))
    )
    return _segment_rows(survey.kind, list(grouped))


def _segment_rows(kind: str, rows: list[dict[str, Any]]) -> list[SegmentRow]:
    """Each segment's estimate and its test against all the other answers together."""
    # The rest of the answers is the total minus the segment: every aggregate here adds up.
    totals = {key: sum(row[key] or 0 for row in rows) for key in metric_aggregates(kind)}
    result = []
    for row in rows:
        segment = estimate_from(kind, row)
        rest = estimate_from(kind, {key: totals[key] - (row[key] or 0) for key in totals})
        result.append(SegmentRow(row["segment"] or NO_VALUE, segment, stats.difference(rest, segment)))
    return sorted(result, key=lambda r: (-r.estimate.n, r.label))


# --- period comparison -------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodComparison:
    a: stats.Estimate
    b: stats.Estimate
    difference: stats.Difference
    a_label: str
    b_label: str

    @property
    def verdict(self) -> str:
        return self.difference.verdict


def period_difference(
    survey: SurveyRef,
    a_since: Moment,
    a_until: Moment,
    b_since: Moment,
    b_until: Moment,
    *,
    filters: Mapping[str, str] | None = None,
) -> PeriodComparison:
    """Period b against period a (b − a), both counted in one query."""
    survey = resolve_survey(survey)
    row = _periods_from_rollups(survey, (a_since, a_until), (b_since, b_until), filters)
    if row is None:
        row = _periods_from_answers(survey, (a_since, a_until), (b_since, b_until), filters)
    a, b = estimate_from(survey.kind, row, "a_"), estimate_from(survey.kind, row, "b_")
    return PeriodComparison(
        a, b, stats.difference(a, b), _period_label(a_since, a_until), _period_label(b_since, b_until)
    )


Period = tuple[Moment, Moment]


def _periods_from_rollups(
    survey: Survey, a: Period, b: Period, filters: Mapping[str, str] | None
) -> dict[str, Any] | None:
    scope = rollup_scope(None, None, filters)
    if scope is None:
        return None
    try:
        in_a, in_b = _days_q(*a), _days_q(*b)
    except _NotWholeDays:
        return None
    row = (
        rollup_rows(survey.pk, scope)
        .filter(in_a | in_b)
        .aggregate(**rollup_aggregates(survey.kind, "a_", in_a), **rollup_aggregates(survey.kind, "b_", in_b))
    )
    return row if row["a_n"] or row["b_n"] or rollups_cover() else None


def _days_q(since: Moment, until: Moment) -> Q:
    condition = Q()
    if (first := _day_bound(since, end=False)) is not None:
        condition &= Q(day__gte=first)
    if (end := _day_bound(until, end=True)) is not None:
        condition &= Q(day__lt=end)
    return condition


def _periods_from_answers(survey: Survey, a: Period, b: Period, filters: Mapping[str, str] | None) -> dict[str, Any]:
    in_a = _period_q(*a)
    in_b = _period_q(*b)
    return (
        responses_for(survey, filters=filters)
        .filter(in_a | in_b)
        .aggregate(**metric_aggregates(survey.kind, "a_", in_a), **metric_aggregates(survey.kind, "b_", in_b))
    )


def _period_q(since: Moment, until: Moment) -> Q:
    condition = Q()
    if (start := as_moment(since)) is not None:
        condition &= Q(answered_at__gte=start)
    if (end := as_moment(until, end_of_day=True)) is not None:
        condition &= Q(answered_at__lt=end)
    return condition


def _period_label(since: Moment, until: Moment) -> str:
    def show(value: Moment) -> str:
        return "…" if value is None else f"{value:%d %b %Y}"

    return f"{show(since)} – {show(until)}"


# --- drivers -----------------------------------------------------------------------------------

DRIVER_FIELDS = ("account__region", "account__industry", "account__size", "account__kind", "locale")
DRIVER_LIMIT = 200_000
DRIVER_MIN_LEVEL = 5  # levels with fewer answers join the reference group: too few to estimate
SUPPORT_WINDOW = timedelta(days=365)  # support contacts are counted per month over the year before the answer
FEATURE_GROUP = "Uses a feature"
COMPETITOR_GROUP = "Uses a competitor's product"
THEME_GROUP = "Theme"


@dataclass(frozen=True)
class Coefficient:
    group: str
    name: str
    coefficient: float
    se: float
    low: float
    high: float
    n: int

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass
class DriversResult:
    method: str
    outcome: str
    n: int
    r_squared: float | None
    coefficients: list[Coefficient] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)
    not_estimable: list[str] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        return stats.sample_warning(self.n)


@dataclass(frozen=True)
class DriverAnswer:
    """One answer with what the drivers model reads about its customer at the time of the answer."""

    score: float
    attributes: tuple[str, ...]  # in DRIVER_FIELDS order, then the tenure band
    features: frozenset[str]
    uses_competitor: bool
    support_per_month: float
    theme: str | None


def drivers(
    survey: SurveyRef,
    *,
    since: Moment = None,
    until: Moment = None,
    filters: Mapping[str, str] | None = None,
    limit: int = DRIVER_LIMIT,
    answers: list[DriverAnswer] | None = None,
) -> DriversResult:
    """Which customer attributes move the score: OLS with a 95% interval per coefficient.

    Ordinary least squares of the outcome on an intercept; one-hot indicators of region, industry,
    account size, account kind, locale and tenure band (each against its most common value); one
    indicator per feature the customer had used before answering (from "used a feature" events);
    whether they use a competitor's product; and their support contacts per month over the year
    before the answer. Comment themes are left out on purpose: a comment is written with the score,
    so a theme describes the answer and would absorb the effects of the attributes behind it
    (``theme_associations`` reports them apart). The outcome is the 0–10 score for NPS, satisfied
    (4–5) × 100 for CSAT (a linear probability model, in percentage points) and the 1–7 score for CES.
    Standard errors are the classical OLS ones; columns that are exact combinations of others are
    dropped and listed. Reads the latest ``limit`` answers, or takes them read (``driver_answers``).
    """
    answers, outcome, result = _regression_inputs(survey, since, until, filters, limit, answers, DRIVERS_METHOD)
    columns, names, references = _attribute_columns(answers)
    result.references = references
    if len(answers) <= len(columns) + 1:
        return result
    return _fit(result, outcome, columns, names)


DRIVERS_METHOD = (
    "linear regression of the score on region, industry, account size, account kind, locale, tenure, "
    "the features the customer uses, use of a competitor's product and support contacts per month "
    "(ordinary least squares, 95% intervals)"
)


def theme_associations(
    survey: SurveyRef,
    *,
    since: Moment = None,
    until: Moment = None,
    filters: Mapping[str, str] | None = None,
    limit: int = DRIVER_LIMIT,
    answers: list[DriverAnswer] | None = None,
) -> DriversResult:
    """How the score of answers whose comment has a theme differs from answers with no theme, with a
    95% interval: an association, not an effect, since the comment is written with the score."""
    answers, outcome, result = _regression_inputs(survey, since, until, filters, limit, answers, THEMES_METHOD)
    themes = np.array([a.theme or "no theme" for a in answers], dtype=object)
    columns, names = _indicator_columns(themes, THEME_GROUP, reference="no theme")
    result.references = {THEME_GROUP: "no theme"}
    if len(answers) <= len(columns) + 1:
        return result
    return _fit(result, outcome, columns, names)


THEMES_METHOD = "difference in the mean score from answers whose comment has no theme (95% intervals)"


def _regression_inputs(
    survey: SurveyRef,
    since: Moment,
    until: Moment,
    filters: Mapping[str, str] | None,
    limit: int,
    answers: list[DriverAnswer] | None,
    method: str,
) -> tuple[list[DriverAnswer], np.ndarray, DriversResult]:
    """The answers (read unless given), the outcome they are regressed as, and an empty result."""
    survey = resolve_survey(survey)
    if answers is None:
        answers = driver_answers(survey, since=since, until=until, filters=filters, limit=limit)
    outcome, label = _driver_outcome(survey.kind, np.array([a.score for a in answers], dtype=float))
    return answers, outcome, DriversResult(method=method, outcome=label, n=len(answers), r_squared=None)


def driver_answers(
    survey: Survey, *, since: Moment, until: Moment, filters: Mapping[str, str] | None, limit: int
) -> list[DriverAnswer]:
    """The latest ``limit`` answers with their customer's attributes: three set-based reads (the
    answers, the first use of each feature per customer, the support contacts per answer)."""
    rows = _driver_rows(survey, since=since, until=until, filters=filters, limit=limit)
    customers = {row[-6] for row in rows}
    first_use = _first_feature_use(customers)
    records_begin = EngagementEvent.objects.aggregate(first=Min("occurred_at"))["first"]
    answers = []
    for row in rows:
        *attributes, customer_id, answered_at, customer_since, theme, competitor, contacts = row
        used = frozenset(f for f, first in first_use.get(customer_id, {}).items() if first <= answered_at)
        answers.append(
            DriverAnswer(
                score=float(attributes[0]),
                attributes=(*attributes[1:], _tenure_band(customer_since, answered_at)),
                features=used,
                uses_competitor=bool(competitor),
                support_per_month=contacts / _months_observed(customer_since, records_begin, answered_at),
                theme=theme,
            )
        )
    return answers


def _driver_rows(
    survey: Survey, *, since: Moment, until: Moment, filters: Mapping[str, str] | None, limit: int
) -> list[tuple[Any, ...]]:
    support_contacts = (
        EngagementEvent.objects.filter(
            customer=OuterRef("customer"),
            kind=EngagementKind.SUPPORT_CONTACT,
            occurred_at__lte=OuterRef("answered_at"),
            occurred_at__gt=OuterRef("answered_at") - SUPPORT_WINDOW,
        )
        .order_by()
        .values("customer")
        .annotate(c=Count("id"))
        .values("c")
    )
    competitor = ProductInUse.objects.filter(customer=OuterRef("customer")).exclude(product__competitor="")
    paths = [SEGMENT_FIELDS[name][1] for name in DRIVER_FIELDS]
    # The last six columns are read by position in driver_answers.
    return list(
        responses_for(survey, since=since, until=until, filters=filters)
        .annotate(
            contacts=Coalesce(Subquery(support_contacts, output_field=IntegerField()), 0),
            competitor=Exists(competitor),
        )
        .order_by("-answered_at")
        .values_list(
            "score",
            *paths,
            "customer_id",
            "answered_at",
            "customer__customer_since",
            "theme__label",
            "competitor",
            "contacts",
        )[:limit]
    )


def _first_feature_use(customers: set[int]) -> dict[int, dict[str, datetime]]:
    """customer → feature → when they first used it, for the customers given (in chunks, so the IN
    list stays within SQLite's bound on parameters)."""
    found: dict[int, dict[str, datetime]] = {}
    ids = sorted(customers)
    for start in range(0, len(ids), 5000):
        rows = (
            EngagementEvent.objects.filter(customer_id__in=ids[start : start + 5000], kind=EngagementKind.FEATURE_USE)
            .exclude(detail="")
            .values("customer_id", "detail")
            .annotate(first=Min("occurred_at"))
            .values_list("customer_id", "detail", "first")
        )
        for customer_id, feature, first in rows:
            found.setdefault(customer_id, {})[feature] = first
    return found


def _tenure_band(customer_since: date | None, answered_at: datetime) -> str:
    if customer_since is None:
        return NO_VALUE
    on = timezone.localtime(answered_at).date()
    for label, years in TENURE_BANDS:
        if customer_since <= _years_before(on, years):
            return label
    return TENURE_NEWEST


def _months_observed(customer_since: date | None, records_begin: datetime | None, answered_at: datetime) -> float:
    """The months of the support window in which the customer was a customer and events were being
    recorded (an imported history starts somewhere: before it, no contact is no evidence); at least one."""
    start = answered_at - SUPPORT_WINDOW
    if customer_since is not None:
        start = max(start, timezone.make_aware(datetime.combine(customer_since, time.min)))
    if records_begin is not None:
        start = max(start, records_begin)
    return max((answered_at - start).days / 30.4375, 1.0)


def _driver_outcome(kind: str, scores: np.ndarray) -> tuple[np.ndarray, str]:
    if kind == SurveyKind.CSAT:
        return 100.0 * (scores >= 4), "share satisfied (4–5), in percentage points"
    if kind == SurveyKind.CES:
        return scores, "effort score (1–7)"
    return scores, "score (0–10)"


ColumnName = tuple[str, str, int]


def _attribute_columns(answers: list[DriverAnswer]) -> tuple[list[np.ndarray], list[ColumnName], dict[str, str]]:
    """Indicator columns per attribute level (against the most common level), per feature used and for
    a competitor's product (against not using it), and the support contacts per month."""
    columns: list[np.ndarray] = []
    names: list[ColumnName] = []
    references: dict[str, str] = {}
    groups = [SEGMENT_FIELDS[name][0] for name in DRIVER_FIELDS] + [SEGMENT_FIELDS["tenure"][0]]
    for index, group in enumerate(groups):
        values = np.array([a.attributes[index] or NO_VALUE for a in answers], dtype=object)
        levels, counts = np.unique(values, return_counts=True) if len(values) else (np.array([]), np.array([]))
        references[group] = str(levels[np.argmax(counts)]) if len(levels) else ""
        level_columns, level_names = _indicator_columns(values, group, reference=references[group])
        columns += level_columns
        names += level_names
    for feature in sorted({f for a in answers for f in a.features}):
        used = np.array([feature in a.features for a in answers], dtype=float)
        if DRIVER_MIN_LEVEL <= used.sum() <= len(answers) - DRIVER_MIN_LEVEL:
            columns.append(used)
            names.append((FEATURE_GROUP, feature, int(used.sum())))
    competitor = np.array([a.uses_competitor for a in answers], dtype=float)
    if DRIVER_MIN_LEVEL <= competitor.sum() <= len(answers) - DRIVER_MIN_LEVEL:
        columns.append(competitor)
        names.append((COMPETITOR_GROUP, "yes", int(competitor.sum())))
    columns.append(np.array([a.support_per_month for a in answers], dtype=float))
    names.append(("Support", "support contacts per month", len(answers)))
    return columns, names, references


def _indicator_columns(values: np.ndarray, group: str, *, reference: str) -> tuple[list[np.ndarray], list[ColumnName]]:
    """One 0/1 column per level other than the reference with enough answers to estimate."""
    columns: list[np.ndarray] = []
    names: list[ColumnName] = []
    levels, counts = np.unique(values, return_counts=True) if len(values) else (np.array([]), np.array([]))
    for level, count in zip(levels, counts, strict=True):
        if str(level) == reference or count < DRIVER_MIN_LEVEL:
            continue
        columns.append((values == level).astype(float))
        names.append((group, str(level), int(count)))
    return columns, names


def _fit(
    result: DriversResult, outcome: np.ndarray, columns: list[np.ndarray], names: list[ColumnName]
) -> DriversResult:
    design = np.column_stack([np.ones(len(outcome)), *columns])
    keep = _independent_columns(design)
    x = design[:, keep]
    beta, *_ = np.linalg.lstsq(x, outcome, rcond=None)
    residuals = outcome - x @ beta
    dof = len(outcome) - x.shape[1]
    sigma2 = float(residuals @ residuals) / dof
    covariance = sigma2 * np.linalg.inv(x.T @ x)
    t = float(sps.t.ppf(0.975, dof))
    total = float(((outcome - outcome.mean()) ** 2).sum())
    result.r_squared = 1 - float(residuals @ residuals) / total if total else None
    for position, column in enumerate(keep):
        if column == 0:
            continue  # the intercept: the reference customer's expected score, not a driver
        group, name, n = names[column - 1]
        se = math.sqrt(max(float(covariance[position, position]), 0.0))
        coef = float(beta[position])
        result.coefficients.append(Coefficient(group, name, coef, se, coef - t * se, coef + t * se, n))
    result.not_estimable = [names[c - 1][1] for c in range(1, design.shape[1]) if c not in keep]
    result.coefficients.sort(key=lambda c: -abs(c.coefficient))
    return result


def _independent_columns(design: np.ndarray) -> list[int]:
    """Columns that are not exact combinations of others (pivoted QR), intercept first, in order."""
    _, r, pivots = scipy.linalg.qr(design, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    tolerance = diagonal.max() * max(design.shape) * np.finfo(float).eps if len(diagonal) else 0
    return sorted(int(p) for p, d in zip(pivots, diagonal, strict=False) if d > tolerance)


# --- themes ------------------------------------------------------------------------------------


def themes_table(survey: SurveyRef, *, since: Moment = None, until: Moment = None) -> list[dict[str, Any]]:
    """The themes of the survey's comments (label, volume, NPS, trend, examples), from themes.py."""
    from advocacy.feedback.themes.clustering import theme_summary  # loads scikit-learn: only when themes are shown

    start, end = as_moment(since), as_moment(until, end_of_day=True)
    return list(theme_summary(resolve_survey(survey), since=start, until=end))


CSV_HEADER = [
    "answered_at",
    "survey",
    "wave",
    "kind",
    "score",
    "channel",
    "customer_id",
    "customer_email",
    "account",
    "region",
    "comment",
    "sentiment",
    "theme",
]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def responses_explored(filters: dict[str, Any]) -> QuerySet[Response]:
    """Responses that pass every filter given (cleaned ResponseFilter data), newest first."""
    responses = Response.objects.select_related("survey", "wave", "customer__account", "theme")
    conditions = Q()
    if filters.get("survey"):
        conditions &= Q(survey=filters["survey"])
    if filters.get("wave"):
        conditions &= Q(wave__number=filters["wave"])
    if filters.get("score_min") is not None:
        conditions &= Q(score__gte=filters["score_min"])
    if filters.get("score_max") is not None:
        conditions &= Q(score__lte=filters["score_max"])
    if filters.get("category"):
        conditions &= Q(kind=SurveyKind.NPS) & scales.NPS_CATEGORIES[filters["category"]]
    if filters.get("channel"):
        conditions &= Q(channel=filters["channel"])
    if filters.get("has_comment"):
        conditions &= ~Q(comment="") if filters["has_comment"] == "yes" else Q(comment="")
    if filters.get("q"):
        conditions &= Q(comment__icontains=filters["q"])
    if filters.get("region"):
        conditions &= Q(customer__account__region=filters["region"])
    if filters.get("segment") and filters.get("value"):
        conditions &= segment_condition(filters["segment"], filters["value"], filters.get("until"))
    if filters.get("theme"):
        conditions &= Q(theme__label=filters["theme"])
    if filters.get("counted"):
        conditions &= Q(duplicate=False)
    if filters.get("since"):
        conditions &= Q(answered_at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        conditions &= Q(answered_at__lt=_day_start(filters["until"] + timedelta(days=1)))
    return responses.filter(conditions).order_by("-answered_at", "-id")


def csv_rows(responses: QuerySet[Response]) -> Iterator[tuple[Any, ...]]:
    """One tuple per response in CSV_HEADER order, streamed from the database in chunks."""
    rows = responses.values_list(
        "answered_at",
        "survey__name",
        "wave__number",
        "kind",
        "score",
        "channel",
        "customer_id",
        "customer__email",
        "customer__account__name",
        "customer__account__region",
        "comment",
        "sentiment",
        "theme__label",
    )
    for row in rows.iterator(chunk_size=2000):
        yield (row[0].isoformat(), *row[1:])


HEADLINE_DAYS = 90  # a continuous survey's headline: the last 90 days


def headline_period(survey: Survey, since: date | None, until: date | None, period: str) -> tuple[date | None, str]:
    """Where the headline starts, and how to say it. Unless a period was chosen, the headline is what
    customers say now: the latest wave of a wave survey, or the last 90 days of a continuous one.
    Pooling two years would weight long-standing customers (who answer more waves) and miss a change."""
    if since or until:
        return since, "the period chosen"
    if period == "all":
        return None, "all time"
    wave = survey.waves.order_by("-number").first()
    if wave is not None:
        opened = timezone.localdate(wave.opened_at)
        return opened, f"the latest wave (wave {wave.number}, from {opened.day} {opened:%b %Y})"
    return timezone.localdate() - timedelta(days=HEADLINE_DAYS - 1), "the last 90 days"
