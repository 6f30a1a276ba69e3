"""Satisfaction and profitability by advocacy status: NPS, CSAT and gross margin per customer, with intervals.

Each customer counts once: their latest NPS answer, their latest CSAT answer, their gross margin
(order amount × the product's margin, summed) in one currency. Each figure is one grouped query.
NPS and CSAT intervals and the test against the other group reuse ``feedback/stats.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from scipy import stats as sps

from advocacy.customers.models import Customer, Order
from advocacy.feedback.models import SurveyKind
from advocacy.feedback.scales import CSAT_SATISFIED_MIN, DETRACTOR_MAX, PROMOTER_MIN
from advocacy.feedback.stats import (
    MIN_SAMPLE,
    CsatEstimate,
    Difference,
    NpsEstimate,
    csat_difference,
    csat_estimate,
    nps_difference,
    nps_estimate,
)
from advocacy.insights.groups import STATUS_GROUPINGS, Grouping, group_label, grouping, latest_score, ordered


@dataclass(frozen=True)
class MeanEstimate:
    """A mean with its 95% Student t interval (needs n ≥ 2 for the interval)."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    margin: float | None

    @property
    def warning(self) -> str | None:
        if self.n == 0:
            return None
        return f"fewer than {MIN_SAMPLE} customers: treat as indicative" if self.n < MIN_SAMPLE else None


def mean_estimate(n: int, total: float, sum_of_squares: float) -> MeanEstimate:
    if n == 0:
        return MeanEstimate(0, None, None, None, None)
    mean = total / n
    if n < 2:
        return MeanEstimate(n, mean, None, None, None)
    sd = math.sqrt(max(sum_of_squares - n * mean**2, 0.0) / (n - 1))
    margin = float(sps.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return MeanEstimate(n, mean, mean - margin, mean + margin, margin)


@dataclass(frozen=True)
class StatusRow:
    group: str
    label: str
    nps: NpsEstimate
    csat: CsatEstimate
    margin: MeanEstimate
    nps_vs_rest: Difference | None
    csat_vs_rest: Difference | None


@dataclass(frozen=True)
class StatusTable:
    grouping: Grouping
    currency: str
    rows: list[StatusRow]
    orders_without_margin: int


def gross_margin(currency: str) -> Subquery:
    """The customer's gross margin in ``currency``: Σ amount × margin % / 100 over orders whose margin is known."""
    orders = (
        Order.objects.filter(customer=OuterRef("pk"), currency=currency, product__margin_pct__isnull=False)
        .values("customer")
        .annotate(
            m=Sum(
                ExpressionWrapper(
                    F("amount") * F("product__margin_pct") / 100,
                    output_field=DecimalField(max_digits=20, decimal_places=4),
                )
            )
        )
        .values("m")
    )
    return Subquery(orders, output_field=DecimalField(max_digits=20, decimal_places=4))


def status_table(name: str, *, currency: str) -> StatusTable:
    """NPS, CSAT and gross margin per customer for each group of one advocacy status."""
    chosen = grouping(name)
    customers = chosen.annotate(Customer.objects.all()).annotate(
        nps_score=latest_score(SurveyKind.NPS),
        csat_score=latest_score(SurveyKind.CSAT),
        margin=Cast(gross_margin(currency), FloatField()),
    )
    rows = {
        r["group"]: r
        for r in customers.values("group").annotate(
            promoters=Count("pk", filter=Q(nps_score__gte=PROMOTER_MIN)),
            passives=Count("pk", filter=Q(nps_score__gt=DETRACTOR_MAX, nps_score__lt=PROMOTER_MIN)),
            detractors=Count("pk", filter=Q(nps_score__lte=DETRACTOR_MAX)),
            csat_n=Count("pk", filter=Q(csat_score__isnull=False)),
            satisfied=Count("pk", filter=Q(csat_score__gte=CSAT_SATISFIED_MIN)),
            margin_n=Count("pk", filter=Q(margin__isnull=False)),
            margin_sum=Coalesce(Sum("margin"), Value(0.0)),
            margin_sq=Coalesce(Sum(F("margin") * F("margin")), Value(0.0)),
        )
    }
    estimates = {
        g: (
            nps_estimate(r["promoters"], r["passives"], r["detractors"]),
            csat_estimate(r["satisfied"], r["csat_n"]),
            mean_estimate(r["margin_n"], float(r["margin_sum"]), float(r["margin_sq"])),
        )
        for g, r in rows.items()
    }
    labels = ordered(chosen, set(rows))
    table = [
        StatusRow(
            group=g,
            label=group_label(g),
            nps=estimates[g][0],
            csat=estimates[g][1],
            margin=estimates[g][2],
            nps_vs_rest=versus(estimates, g, 0),
            csat_vs_rest=versus(estimates, g, 1),
        )
        for g in labels
    ]
    return StatusTable(chosen, currency, table, orders_without_margin(currency))


def versus(estimates: dict, group: str, index: int) -> Difference | None:
    """This group against the other one (two-group statuses only), from feedback/stats."""
    others = [g for g in estimates if g != group]
    if len(others) != 1:
        return None
    a, b = estimates[others[0]][index], estimates[group][index]
    if not a.n or not b.n:
        return None
    return nps_difference(a, b) if index == 0 else csat_difference(a, b)


def orders_without_margin(currency: str) -> int:
    return Order.objects.filter(currency=currency, product__margin_pct__isnull=True).count()


def all_statuses(*, currency: str) -> list[StatusTable]:
    return [status_table(name, currency=currency) for name in STATUS_GROUPINGS]


def customers_in_status(name: str, group: str | None) -> QuerySet[Customer]:
    chosen = grouping(name)
    customers = chosen.annotate(Customer.objects.all())
    if group is not None:
        customers = customers.filter(group=chosen.check(group))  # type: ignore[misc]
    return customers.select_related("account").order_by("last_name", "first_name", "pk")


def margin_unknown_total(currency: str) -> Decimal:
    total = Order.objects.filter(currency=currency, product__margin_pct__isnull=True).aggregate(t=Sum("amount"))["t"]
    return total or Decimal(0)
