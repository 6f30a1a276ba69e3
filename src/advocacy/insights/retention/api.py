"""Retention API: survival curves with the log-rank test, churn per period, revenue retention, cohorts."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import ValidationError

from advocacy.core.api.auth import api_auth
from advocacy.core.roles import IMPACT_READERS
from advocacy.insights.groups import grouping
from advocacy.insights.retention import queries as retention
from advocacy.insights.retention.schemas import (
    ChurnIn,
    ChurnOut,
    CohortOut,
    CohortsIn,
    CurvesIn,
    CurvesOut,
    RevenueIn,
    RevenueOut,
)

router = Router(tags=["retention"])

READERS = api_auth(*IMPACT_READERS)


def bad_query(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ("query", field), "msg": message}])


def checked_as_of(as_of: date | None) -> date:
    today = timezone.localdate()
    if as_of is not None and as_of > today:
        raise bad_query("as_of", "lies in the future; retention can only be read up to today")
    return as_of or today


@router.get(
    "/insights/retention/curves",
    response=CurvesOut,
    auth=READERS,
    summary="Kaplan–Meier curves by group, with the log-rank test",
)
def retention_curves(request: HttpRequest, filters: Query[CurvesIn]) -> CurvesOut:
    return CurvesOut.build(retention.retention_comparison(grouping(filters.by), checked_as_of(filters.as_of)))


@router.get(
    "/insights/retention/churn", response=list[ChurnOut], auth=READERS, summary="Churn rate per calendar period"
)
def churn_per_period(request: HttpRequest, filters: Query[ChurnIn]) -> list[ChurnOut]:
    until = filters.until or timezone.localdate()
    since = filters.since or until - timedelta(days=2 * 365)
    try:
        periods = retention.churn_by_period(period=filters.period, since=since, until=until)
    except retention.BadRetentionInput as exc:
        raise bad_query(exc.field, exc.message) from exc
    return [ChurnOut.build(p) for p in periods]


@router.get(
    "/insights/retention/revenue",
    response=list[RevenueOut],
    auth=READERS,
    summary="Gross and net revenue retention per yearly cohort",
)
def revenue_retention(request: HttpRequest, filters: Query[RevenueIn]) -> list[RevenueOut]:
    known = retention.currencies()
    currency = (filters.currency or (known[0] if known else "USD")).upper()
    if known and currency not in known:
        raise bad_query("currency", f"no orders in {currency}: choose one of {', '.join(known)}")
    table = retention.revenue_retention(as_of=checked_as_of(filters.as_of), years=filters.years, currency=currency)
    return [RevenueOut.build(r) for r in [*table.rows, *table.totals]]


@router.get("/insights/retention/cohorts", response=list[CohortOut], auth=READERS, summary="Cohort retention heatmap")
def cohort_retention(request: HttpRequest, filters: Query[CohortsIn]) -> list[CohortOut]:
    rows = retention.cohort_heatmap(
        as_of=checked_as_of(filters.as_of), cohort_by=filters.cohort_by, steps=filters.steps
    )
    return [CohortOut.build(r) for r in rows]
