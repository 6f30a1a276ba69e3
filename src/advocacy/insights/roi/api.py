"""API for ROI: a period, per source, per quarter and per month, with the payback period."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from advocacy.core.api.auth import api_auth
from advocacy.core.roles import IMPACT_READERS
from advocacy.insights.attribution.api import AttributionQuery, model_out, models_from, period
from advocacy.insights.attribution.schemas import ModelOut
from advocacy.insights.currency import check_currency
from advocacy.insights.roi.queries import Period, roi_report

router = Router(tags=["insights"])


class PeriodOut(Schema):
    label: str
    gross_profit: Decimal
    stated_savings_estimate: Decimal
    cost: Decimal
    roi: float | None


class RoiOut(Schema):
    currency: str
    formula: str
    conversion: str
    models: list[ModelOut]
    total: PeriodOut
    by_source: dict[str, PeriodOut]
    program_wide_cost: Decimal
    by_quarter: list[PeriodOut]
    payback_months: int | None
    unknown_margin_revenue: Decimal


def period_out(p: Period) -> PeriodOut:
    return PeriodOut(
        label=p.label, gross_profit=p.gross_profit, stated_savings_estimate=p.savings, cost=p.cost, roi=p.roi
    )


@router.get("/insights/roi", response=RoiOut, auth=api_auth(*IMPACT_READERS), summary="Program ROI and payback")
def read_roi(request: HttpRequest, q: Query[AttributionQuery], currency: str = "USD") -> RoiOut:
    since, until = period(q.since, q.until)
    report = roi_report(since=since, until=until, models=models_from(q), currency=check_currency(currency))
    return RoiOut(
        currency=report.currency,
        formula="(attributed gross profit + stated cost savings − program cost) ÷ program cost",
        conversion=report.conversion_note() or "not converted: every amount was in this currency",
        models=[model_out(m) for m in report.models.values()],
        total=period_out(report.total),
        by_source={s: period_out(p) for s, p in report.by_source.items()},
        program_wide_cost=report.program_wide_cost,
        by_quarter=[period_out(p) for p in report.by_quarter],
        payback_months=report.payback_months,
        unknown_margin_revenue=report.unknown_margin_revenue,
    )
