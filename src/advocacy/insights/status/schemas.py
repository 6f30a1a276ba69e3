"""Satisfaction and profitability by advocacy status: API schemas."""

from __future__ import annotations

from ninja import Field, Schema

from advocacy.insights.status.queries import StatusRow, StatusTable


class StatusIn(Schema):
    currency: str | None = Field(
        None, min_length=3, max_length=3, description="Currency of the gross margin (default: most orders)"
    )


class EstimateOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    n: int


class GroupOut(Schema):
    group: str
    label: str
    nps: EstimateOut
    csat: EstimateOut
    gross_margin_per_customer: EstimateOut
    nps_vs_other: str | None
    csat_vs_other: str | None

    @staticmethod
    def build(r: StatusRow) -> GroupOut:
        return GroupOut(
            group=r.group,
            label=r.label,
            nps=EstimateOut(value=r.nps.nps, low=r.nps.low, high=r.nps.high, n=r.nps.n),
            csat=EstimateOut(value=r.csat.csat, low=r.csat.low, high=r.csat.high, n=r.csat.n),
            gross_margin_per_customer=EstimateOut(
                value=r.margin.mean, low=r.margin.low, high=r.margin.high, n=r.margin.n
            ),
            nps_vs_other=r.nps_vs_rest.verdict if r.nps_vs_rest else None,
            csat_vs_other=r.csat_vs_rest.verdict if r.csat_vs_rest else None,
        )


class StatusOut(Schema):
    status: str
    label: str
    currency: str
    orders_without_margin: int
    groups: list[GroupOut]

    @staticmethod
    def build(t: StatusTable) -> StatusOut:
        return StatusOut(
            status=t.grouping.name,
            label=t.grouping.label,
            currency=t.currency,
            orders_without_margin=t.orders_without_margin,
            groups=[GroupOut.build(r) for r in t.rows],
        )
