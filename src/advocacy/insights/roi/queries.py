"""ROI for a period, per source and per quarter, with the payback period.

ROI = (attributed gross profit + stated cost savings − program cost) ÷ program cost. Gross profit is
used whatever basis the attribution page shows, since revenue is not a return. Amounts in other
currencies join the reporting currency only through the admin's dated rates (on the period's last
day), and the report names them; an amount without a rate is left out and named.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from advocacy.insights.attribution.model import Model
from advocacy.insights.attribution.queries import Attribution, attribution
from advocacy.insights.costs.queries import costs_by_month, savings_by_month
from advocacy.insights.models import AttributionSource
from advocacy.insights.money.queries import rate_on

CENT = Decimal("0.01")


@dataclass
class Period:
    label: str
    gross_profit: Decimal = Decimal(0)
    savings: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)

    @property
    def net(self) -> Decimal:
        return self.gross_profit + self.savings - self.cost

    @property
    def roi(self) -> float | None:
        return None if self.cost <= 0 else float(self.net / self.cost)


@dataclass
class RoiReport:
    since: dt.date
    until: dt.date
    currency: str
    models: dict[str, Model]
    total: Period
    by_source: dict[str, Period]
    program_wide_cost: Decimal
    by_quarter: list[Period]
    by_month: list[Period]
    payback_months: int | None
    converted_from: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    unknown_margin_revenue: Decimal = Decimal(0)
    attributed_revenue: Decimal = Decimal(0)

    def conversion_note(self) -> str:
        notes = []
        if self.converted_from:
            notes.append(f"converted from {', '.join(self.converted_from)} at the admin's rates of {self.until}")
        if self.left_out:
            notes.append(f"amounts in {', '.join(self.left_out)} are left out: no rate to {self.currency}")
        return "; ".join(notes)


class Converter:
    """Amounts into the reporting currency at the rate in force on one day, remembering what it did."""

    def __init__(self, to: str, on: dt.date) -> None:
        self.to, self.on = to, on
        self.rates: dict[str, Decimal | None] = {}
        self.converted: set[str] = set()
        self.missing: set[str] = set()

    def __call__(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency not in self.rates:
            self.rates[currency] = rate_on(currency, self.to, self.on)
        rate = self.rates[currency]
        if rate is None:
            self.missing.add(currency)
            return None
        if currency != self.to:
            self.converted.add(currency)
        return amount * rate


def quarter_of(month: str) -> str:
    year, mon = month.split("-")
    return f"{year} Q{(int(mon) - 1) // 3 + 1}"


def months_between(since: dt.date, until: dt.date) -> list[str]:
    months, cursor = [], since.replace(day=1)
    while cursor <= until:
        months.append(f"{cursor:%Y-%m}")
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def payback(months: list[Period]) -> int | None:
    """Months until the cumulative return (gross profit + savings) first covers the cumulative cost."""
    returned = spent = Decimal(0)
    for index, month in enumerate(months, start=1):
        returned += month.gross_profit + month.savings
        spent += month.cost
        if spent > 0 and returned >= spent:
            return index
    return None


def roi_report(
    *, since: dt.date, until: dt.date, models: dict[str, Model], currency: str, found: Attribution | None = None
) -> RoiReport:
    """``found``: the same period's attribution when the caller has it already (the Impact page)."""
    convert = Converter(currency, until)
    found = found or attribution(since=since, until=until, models=models)
    months = {m: Period(m) for m in months_between(since, until)}
    by_source = {s: Period(AttributionSource(s).label) for s in AttributionSource.values}
    unknown = revenue = Decimal(0)
    for line in found.won():
        gp = convert(line.gross_profit, line.currency)
        if gp is None:
            continue
        revenue += convert(line.revenue - line.unknown_margin_revenue, line.currency) or Decimal(0)
        unknown += convert(line.unknown_margin_revenue, line.currency) or Decimal(0)
        months.setdefault(line.month, Period(line.month)).gross_profit += gp
        by_source[line.source].gross_profit += gp
    program_wide = Decimal(0)
    for cost in costs_by_month(since=since, until=until):
        amount = convert(cost.amount, cost.currency)
        if amount is None:
            continue
        months.setdefault(f"{cost.month:%Y-%m}", Period(f"{cost.month:%Y-%m}")).cost += amount
        if cost.source:
            by_source[cost.source].cost += amount
        else:
            program_wide += amount
    for saving in savings_by_month(since=since, until=until):
        amount = convert(saving.amount, saving.currency)
        if amount is not None:
            months.setdefault(f"{saving.month:%Y-%m}", Period(f"{saving.month:%Y-%m}")).savings += amount
    ordered = [months[m] for m in sorted(months)]
    return RoiReport(
        since=since,
        until=until,
        currency=currency,
        models=models,
        total=summed("whole period", ordered),
        by_source={s: rounded(p) for s, p in by_source.items()},
        program_wide_cost=program_wide.quantize(CENT),
        by_quarter=quarters(ordered),
        by_month=[rounded(p) for p in ordered],
        payback_months=payback(ordered),
        converted_from=sorted(convert.converted),
        left_out=sorted(convert.missing),
        unknown_margin_revenue=unknown.quantize(CENT),
        attributed_revenue=revenue.quantize(CENT),
    )


def rounded(period: Period) -> Period:
    return Period(
        period.label, period.gross_profit.quantize(CENT), period.savings.quantize(CENT), period.cost.quantize(CENT)
    )


def summed(label: str, periods: list[Period]) -> Period:
    return rounded(
        Period(
            label,
            sum((p.gross_profit for p in periods), Decimal(0)),
            sum((p.savings for p in periods), Decimal(0)),
            sum((p.cost for p in periods), Decimal(0)),
        )
    )


def quarters(months: list[Period]) -> list[Period]:
    grouped: dict[str, list[Period]] = defaultdict(list)
    for month in months:
        grouped[quarter_of(month.label)].append(month)
    return [summed(q, grouped[q]) for q in sorted(grouped)]
