"""Retention reads: survival by group, churn per period, revenue retention per cohort, the cohort heatmap.

Each read is one SQL statement that returns one row per customer (or per customer with its yearly
revenue summed in SQL); the arithmetic over those rows is vectorised numpy, never a query per customer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from advocacy.customers.models import Customer, Order
from advocacy.insights.groups import Grouping, group_label, ordered
from advocacy.insights.retention.survival import Curve, LogRank, kaplan_meier, log_rank

MILESTONE_DAYS = (90, 180, 365, 730, 1095)
PERIODS = ("month", "quarter", "year")
MAX_PERIODS = 120


class BadRetentionInput(ValueError):
    """A window or date that makes no sense; the message says which and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Lifetimes:
    """One row per customer: days observed, churned or not, and the group label."""

    durations: npt.NDArray[np.float64]
    events: npt.NDArray[np.int64]
    groups: npt.NDArray[np.str_]
    skipped: int  # customers whose churn date lies before their start date


@dataclass(frozen=True)
class Milestone:
    days: int
    survival: float | None
    low: float | None
    high: float | None
    at_risk: int

    @property
    def pct(self) -> tuple[float, float, float] | None:
        if self.survival is None or self.low is None or self.high is None:
            return None
        return 100 * self.survival, 100 * self.low, 100 * self.high


@dataclass(frozen=True)
class GroupCurve:
    group: str
    label: str
    curve: Curve
    milestones: list[Milestone]


@dataclass(frozen=True)
class Comparison:
    grouping: Grouping
    as_of: date
    groups: list[GroupCurve]
    test: LogRank | None
    skipped: int
    note: str = ""

    @property
    def n(self) -> int:
        return sum(g.curve.n for g in self.groups)


def customers_observed(as_of: date) -> QuerySet[Customer]:
    """Customers who had started by ``as_of`` (a churn after ``as_of`` is not known yet then)."""
    return Customer.objects.filter(customer_since__isnull=False, customer_since__lte=as_of)


def lifetimes(grouping: Grouping, as_of: date) -> Lifetimes:
    """(duration, churned, group) for every customer, in one query."""
    rows = list(grouping.annotate(customers_observed(as_of)).values_list("customer_since", "churned_on", "group"))  # type: ignore[misc]
    horizon = as_of.toordinal()
    # Day numbers (proleptic ordinals) rather than datetime64 arrays built from date objects: 3× faster.
    start = np.fromiter((s.toordinal() for s, _, _ in rows), dtype=np.int64, count=len(rows))
    churn = np.fromiter((c.toordinal() if c else horizon + 1 for _, c, _ in rows), dtype=np.int64, count=len(rows))
    events = (churn <= horizon).astype(np.int64)
    durations = (np.minimum(churn, horizon) - start).astype(np.float64)
    valid = durations >= 0
    return Lifetimes(
        durations=durations[valid],
        events=events[valid],
        groups=np.array([g for _, _, g in rows], dtype=np.str_)[valid],
        skipped=int((~valid).sum()),
    )


def milestones(curve: Curve) -> list[Milestone]:
    last = float(curve.times[-1])
    shown = []
    for days in MILESTONE_DAYS:
        if days > last:
            shown.append(Milestone(days, None, None, None, 0))
            continue
        i = int(np.searchsorted(curve.times, days, side="right")) - 1
        shown.append(
            Milestone(
                days,
                float(curve.survival[i]),
                float(curve.low[i]),
                float(curve.high[i]),
                curve.at_risk_at(days),
            )
        )
    return shown


def retention_comparison(grouping: Grouping, as_of: date) -> Comparison:
    """Kaplan–Meier per group and the log-rank test across the groups."""
    data = lifetimes(grouping, as_of)
    labels = ordered(grouping, set(data.groups.tolist()))
    curves = []
    for name in labels:
        mask = data.groups == name
        curve = kaplan_meier(data.durations[mask], data.events[mask])
        curves.append(GroupCurve(name, group_label(name), curve, milestones(curve)))
    test, note = None, ""
    if len(curves) >= 2 and data.events.sum() > 0:
        test = log_rank(data.durations, data.events, data.groups)
    else:
        note = "The log-rank test needs two groups with customers and at least one churn."
    return Comparison(grouping, as_of, curves, test, data.skipped, note)


# --- churn per period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnPeriod:
    start: date
    end: date  # exclusive
    active_at_start: int
    started: int
    churned: int

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end - timedelta(days=1):%Y-%m-%d}"

    @property
    def rate(self) -> float | None:
        """Churned during the period, of the customers active at its start."""
        return self.churned / self.active_at_start if self.active_at_start else None

    @property
    def rate_pct(self) -> float | None:
        return 100 * self.rate if self.rate is not None else None


def period_starts(period: str, since: date, until: date) -> list[date]:
    if period not in PERIODS:
        raise BadRetentionInput("period", f"choose one of {', '.join(PERIODS)}")
    if since >= until:
        raise BadRetentionInput(
            "since", "the window must end after it starts (a window of zero days has no churn rate)"
        )
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    first_month = since.month - (since.month - 1) % step
    starts, year, month = [], since.year, first_month
    while (day := date(year, month, 1)) <= until:
        starts.append(day)
        year, month = (year + (month - 1 + step) // 12, (month - 1 + step) % 12 + 1)
        if len(starts) > MAX_PERIODS:
            raise BadRetentionInput("since", f"at most {MAX_PERIODS} periods at once; choose a longer period")
    starts.append(date(year, month, 1))
    return starts


def churn_by_period(*, period: str, since: date, until: date) -> list[ChurnPeriod]:
    """Churn rate per calendar period: churned during it over active at its start, each with n."""
    bounds = period_starts(period, since, until)
    rows: list[tuple[date, date | None]] = list(
        Customer.objects.filter(customer_since__isnull=False).values_list("customer_since", "churned_on")  # type: ignore[arg-type]
    )
    starts = np.sort(np.array([s for s, _ in rows], dtype="datetime64[D]"))
    churns = np.sort(np.array([c for _, c in rows if c is not None], dtype="datetime64[D]"))
    edges = np.array(bounds, dtype="datetime64[D]")
    started_before = np.searchsorted(starts, edges, side="left")
    churned_before = np.searchsorted(churns, edges, side="left")
    active = started_before - churned_before
    # Customers who started inside a period and churned inside it are not in its denominator;
    # counting churns of customers who were active at the start keeps the rate a true share.
    churned_of_active = churn_of_those_active(rows, edges)
    return [
        ChurnPeriod(
            start=bounds[i],
            end=bounds[i + 1],
            active_at_start=int(active[i]),
            started=int(started_before[i + 1] - started_before[i]),
            churned=int(churned_of_active[i]),
        )
        for i in range(len(bounds) - 1)
    ]


def churn_of_those_active(rows: list[tuple[date, date | None]], edges: npt.NDArray) -> npt.NDArray:
    pairs = [(s, c) for s, c in rows if c is not None]
    if not pairs:
        return np.zeros(len(edges) - 1, dtype=np.int64)
    start = np.array([s for s, _ in pairs], dtype="datetime64[D]")
    churn = np.array([c for _, c in pairs], dtype="datetime64[D]")
    bucket = np.searchsorted(edges, churn, side="right") - 1
    started_bucket = np.searchsorted(edges, start, side="right") - 1
    counted = (bucket >= 0) & (bucket < len(edges) - 1) & (started_bucket < bucket)
    return np.bincount(bucket[counted], minlength=len(edges) - 1)[: len(edges) - 1]


# --- revenue retention per yearly cohort ----------------------------------------------------------


@dataclass(frozen=True)
class RevenueRetention:
    cohort: int  # the year the customers started
    year_start: date  # the trailing year measured (its base is the year before)
    currency: str
    customers: int  # with revenue in the base year
    base: Decimal
    kept: Decimal  # revenue in the year, each customer capped at their base (no expansion)
    total: Decimal  # revenue in the year, expansion included

    @property
    def grr(self) -> float | None:
        return float(self.kept / self.base) if self.base else None

    @property
    def nrr(self) -> float | None:
        return float(self.total / self.base) if self.base else None

    @property
    def grr_pct(self) -> float | None:
        return 100 * self.grr if self.grr is not None else None

    @property
    def nrr_pct(self) -> float | None:
        return 100 * self.nrr if self.nrr is not None else None


@dataclass(frozen=True)
class RevenueRetentionTable:
    as_of: date
    years: list[date]  # the start of each trailing year, oldest first
    currency: str
    rows: list[RevenueRetention] = field(default_factory=list)
    totals: list[RevenueRetention] = field(default_factory=list)


def trailing_years(as_of: date, years: int) -> list[date]:
    """Starts of the trailing 12-month years ending on ``as_of``, oldest first, plus ``as_of`` + 1 day."""
    end = as_of + timedelta(days=1)
    return [shift_years(end, -k) for k in range(years, -1, -1)]


def shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def revenue_by_customer_year(as_of: date, years: int, currency: str) -> tuple[list[date], list[tuple]]:
    bounds = trailing_years(as_of, years)
    sums = {
        f"y{i}": Coalesce(
            Sum(
                "orders__amount",
                filter=Q(orders__currency=currency) & Q(orders__ordered_on__gte=a, orders__ordered_on__lt=b),
            ),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=18, decimal_places=2),
        )
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    }
    rows = (
        customers_observed(as_of)
        .filter(orders__currency=currency)
        .values("pk", "customer_since")
        .annotate(**sums)
        .values_list("customer_since", *sums)
    )
    return bounds, list(rows)


def revenue_retention(*, as_of: date, years: int, currency: str) -> RevenueRetentionTable:
    """GRR and NRR per yearly cohort for each trailing year against the year before it.

    NRR = Σ revenue(year) / Σ revenue(year before), over the cohort's customers with revenue in the
    year before; GRR caps each customer's revenue at their year-before revenue (expansion does not
    count, churn and contraction do)."""
    if years < 1 or years > 10:
        raise BadRetentionInput("years", "between 1 and 10 trailing years")
    bounds, rows = revenue_by_customer_year(as_of, years + 1, currency)
    table = RevenueRetentionTable(as_of=as_of, years=bounds[1:-1], currency=currency)
    if not rows:
        return table
    cohort = np.array([since.year for since, *_ in rows])
    revenue = np.array([[Decimal(v) for v in values] for _, *values in rows], dtype=object)
    for k in range(1, years + 1):
        base, now = revenue[:, k - 1], revenue[:, k]
        had = np.array([b > 0 for b in base])
        kept = np.array([min(b, n) for b, n in zip(base, now, strict=True)], dtype=object)
        for year in sorted(set(cohort[had].tolist())):
            m = had & (cohort == year)
            table.rows.append(row(year, bounds[k], currency, m, base, kept, now))
        table.totals.append(row(0, bounds[k], currency, had, base, kept, now))
    return table


def row(
    cohort: int, start: date, currency: str, mask: npt.NDArray, base: npt.NDArray, kept: npt.NDArray, now: npt.NDArray
) -> RevenueRetention:
    return RevenueRetention(
        cohort=cohort,
        year_start=start,
        currency=currency,
        customers=int(mask.sum()),
        base=sum(base[mask], Decimal(0)),
        kept=sum(kept[mask], Decimal(0)),
        total=sum(now[mask], Decimal(0)),
    )


def currencies() -> list[str]:
    """Order currencies, the one with most orders first."""
    return list(
        Order.objects.values("currency")
        .annotate(n=Count("pk"))
        .order_by("-n", "currency")
        .values_list("currency", flat=True)
    )


# --- cohort retention heatmap --------------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    cohort: str
    starts: date
    ends: date  # exclusive
    customers: int
    retained: list[float | None]  # share still a customer k periods after starting; None: not observed yet
    observed: list[int]

    @property
    def cells(self) -> list[tuple[float | None, int]]:
        return [(None if r is None else 100 * r, o) for r, o in zip(self.retained, self.observed, strict=True)]


def cohort_heatmap(*, as_of: date, cohort_by: str = "quarter", steps: int = 8) -> list[CohortRow]:
    """Share of each start cohort still a customer 1…steps periods after starting (observed ones only)."""
    if cohort_by not in ("quarter", "year"):
        raise BadRetentionInput("cohort_by", "quarter or year")
    if not 1 <= steps <= 40:
        raise BadRetentionInput("steps", "between 1 and 40 periods")
    months = 3 if cohort_by == "quarter" else 12
    rows: list[tuple[date, date | None]] = list(
        customers_observed(as_of).values_list("customer_since", "churned_on")  # type: ignore[arg-type]
    )
    if not rows:
        return []
    since = np.array([s for s, _ in rows], dtype="datetime64[D]")
    churned = np.array([c or date.max for _, c in rows], dtype="datetime64[D]")
    keys = np.array([cohort_key(s, cohort_by) for s, _ in rows])
    horizon = np.datetime64(as_of, "D")
    offsets = np.arange(1, steps + 1) * round(months * 30.4375)
    at = since[:, None] + offsets[None, :].astype("timedelta64[D]")
    seen = at <= horizon
    alive = churned[:, None] > at
    result = []
    for key in sorted(set(keys.tolist())):
        m = keys == key
        observed = seen[m].sum(axis=0)
        retained = (alive[m] & seen[m]).sum(axis=0)
        shares = [float(r / o) if o else None for r, o in zip(retained, observed, strict=True)]
        starts, ends = cohort_bounds(key)
        result.append(CohortRow(key, starts, ends, int(m.sum()), shares, [int(o) for o in observed]))
    return result


def cohort_bounds(key: str) -> tuple[date, date]:
    """The first day of the cohort and the first day after it, from its key ("2025" or "2025 Q3")."""
    year, _, quarter = key.partition(" Q")
    if not quarter:
        return date(int(year), 1, 1), date(int(year) + 1, 1, 1)
    month = 3 * (int(quarter) - 1) + 1
    return date(int(year), month, 1), date(int(year) + (month + 3 > 12), (month + 2) % 12 + 1, 1)


def cohort_key(day: date, cohort_by: str) -> str:
    return f"{day.year}" if cohort_by == "year" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


# --- drill-down ---------------------------------------------------------------------------------


WINDOW_LOOKUPS = {
    "started_from": "customer_since__gte",
    "started_until": "customer_since__lt",
    "churned_from": "churned_on__gte",
    "churned_until": "churned_on__lt",
}


def customers_in_group(
    grouping: Grouping, group: str | None, as_of: date, windows: dict[str, date | None] | None = None
) -> QuerySet[Customer]:
    """The customers behind one curve (all curves without a group), in the order a person reads them;
    ``windows`` narrows them to a churn period's churners or a cohort's starters."""
    customers = grouping.annotate(customers_observed(as_of))
    customers = customers.filter(**{WINDOW_LOOKUPS[k]: v for k, v in (windows or {}).items() if v is not None})
    if group is not None:
        customers = customers.filter(group=grouping.check(group))  # type: ignore[misc]
    return customers.select_related("account").order_by("last_name", "first_name", "pk")
