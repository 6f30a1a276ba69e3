"""Retention API schemas: one In (query parameters) and one Out per figure."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

from advocacy.insights.groups import GROUPINGS
from advocacy.insights.retention.queries import ChurnPeriod, CohortRow, Comparison, RevenueRetention

GroupingName = Literal[tuple(GROUPINGS)]  # type: ignore[valid-type]


class CurvesIn(Schema):
    by: GroupingName = Field("nps", description="nps, member, referrer, reference, story, size, industry or region")  # type: ignore[valid-type]
    as_of: date | None = Field(None, description="Observe churn up to this day (default today)")


class MilestoneOut(Schema):
    days: int
    survival: float | None
    low: float | None
    high: float | None
    at_risk: int


class CurveOut(Schema):
    group: str
    label: str
    n: int
    churned: int
    days: list[float]
    survival: list[float]
    low: list[float]
    high: list[float]
    at_risk: list[int]
    milestones: list[MilestoneOut]


class LogRankOut(Schema):
    chi_square: float
    degrees_of_freedom: int
    p_value: float
    observed: list[float]
    expected: list[float]


class CurvesOut(Schema):
    method: str
    grouping: str
    as_of: date
    n: int
    skipped: int
    groups: list[CurveOut]
    log_rank: LogRankOut | None
    note: str

    @staticmethod
    def build(c: Comparison) -> CurvesOut:
        test = c.test
        return CurvesOut(
            method="Kaplan–Meier, 95% band by Greenwood variance on the log(−log) scale; log-rank test",
            grouping=c.grouping.name,
            as_of=c.as_of,
            n=c.n,
            skipped=c.skipped,
            groups=[
                CurveOut(
                    group=g.group,
                    label=g.label,
                    n=g.curve.n,
                    churned=g.curve.churned,
                    days=g.curve.times.tolist(),
                    survival=g.curve.survival.tolist(),
                    low=g.curve.low.tolist(),
                    high=g.curve.high.tolist(),
                    at_risk=g.curve.at_risk.tolist(),
                    milestones=[MilestoneOut(**m.__dict__) for m in g.milestones],
                )
                for g in c.groups
            ],
            log_rank=LogRankOut(
                chi_square=test.chi_square,
                degrees_of_freedom=test.degrees_of_freedom,
                p_value=test.p_value,
                observed=test.observed.tolist(),
                expected=test.expected.tolist(),
            )
            if test
            else None,
            note=c.note,
        )


class ChurnIn(Schema):
    period: Literal["month", "quarter", "year"] = "quarter"
    since: date | None = None
    until: date | None = None


class ChurnOut(Schema):
    start: date
    end: date
    active_at_start: int
    churned: int
    started: int
    rate: float | None

    @staticmethod
    def build(p: ChurnPeriod) -> ChurnOut:
        return ChurnOut(
            start=p.start,
            end=p.end,
            active_at_start=p.active_at_start,
            churned=p.churned,
            started=p.started,
            rate=p.rate,
        )


class RevenueIn(Schema):
    as_of: date | None = None
    years: int = Field(2, ge=1, le=10)
    currency: str | None = Field(None, min_length=3, max_length=3, description="Default: the currency with most orders")


class RevenueOut(Schema):
    cohort: int | None = Field(description="The start year; null for all cohorts together")
    year_start: date
    currency: str
    customers: int
    base: str
    kept: str
    total: str
    grr: float | None
    nrr: float | None

    @staticmethod
    def build(r: RevenueRetention) -> RevenueOut:
        return RevenueOut(
            cohort=r.cohort or None,
            year_start=r.year_start,
            currency=r.currency,
            customers=r.customers,
            base=str(r.base),
            kept=str(r.kept),
            total=str(r.total),
            grr=r.grr,
            nrr=r.nrr,
        )


class CohortsIn(Schema):
    as_of: date | None = None
    cohort_by: Literal["quarter", "year"] = "quarter"
    steps: int = Field(8, ge=1, le=40)


class CohortOut(Schema):
    cohort: str
    customers: int
    retained: list[float | None]
    observed: list[int]

    @staticmethod
    def build(r: CohortRow) -> CohortOut:
        return CohortOut(cohort=r.cohort, customers=r.customers, retained=r.retained, observed=r.observed)
