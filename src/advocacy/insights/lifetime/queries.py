"""Lifetime value reads: the RFM summary the fit needs (one query), and what the pages show (stored fits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from advocacy.customers.models import Order
from advocacy.insights.models import LifetimeFit, LifetimePrediction

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class Rfm:
    """Per customer, in weeks from their first purchase: repeat purchase days x, last purchase t_x, age T."""

    customer_ids: npt.NDArray[np.int64]
    x: npt.NDArray[np.float64]
    t_x: npt.NDArray[np.float64]
    T: npt.NDArray[np.float64]
    mean_value: npt.NDArray[np.float64]
    total: list[Decimal]
    holdout_purchases: npt.NDArray[np.float64]  # purchase days after the end (only when asked for)
    churned_on: npt.NDArray[np.datetime64]  # NaT for customers the CRM does not mark as churned

    def churned_before(self, day: date) -> npt.NDArray[np.bool_]:
        """Customers whose churn the CRM records before ``day``: they buy nothing more."""
        return np.asarray(~np.isnat(self.churned_on) & (self.churned_on < np.datetime64(day, "D")))

    @property
    def n(self) -> int:
        return int(self.x.size)


def rfm(*, currency: str, end: date, holdout_end: date | None = None) -> Rfm:
    """RFM of every customer with an order in ``currency`` before ``end`` (exclusive): one grouped query.

    With ``holdout_end``, also counts each customer's purchase days in [end, holdout_end)."""
    before = Q(ordered_on__lt=end)
    aggregates = {
        "days": Count("ordered_on", distinct=True, filter=before),
        "first": Min("ordered_on", filter=before),
        "last": Max("ordered_on", filter=before),
        "orders": Count("pk", filter=before),
        "total": Sum("amount", filter=before),
        "churned_on": Max("customer__churned_on"),
    }
    if holdout_end is not None:
        aggregates["later"] = Count(
            "ordered_on", distinct=True, filter=Q(ordered_on__gte=end, ordered_on__lt=holdout_end)
        )
    rows = list(
        Order.objects.filter(currency=currency, ordered_on__lt=holdout_end or end)
        .values("customer_id")
        .annotate(**aggregates)
        .filter(days__gt=0)  # type: ignore[misc]
        .order_by("customer_id")
        .values_list("customer_id", *aggregates)
    )
    if not rows:
        empty = np.zeros(0)
        return Rfm(
            np.zeros(0, dtype=np.int64), empty, empty, empty, empty, [], empty, np.zeros(0, dtype="datetime64[D]")
        )
    columns = list(zip(*rows, strict=True))
    first = np.array(columns[2], dtype="datetime64[D]")
    last = np.array(columns[3], dtype="datetime64[D]")
    horizon = np.datetime64(end, "D")
    totals = [Decimal(v) for v in columns[5]]
    return Rfm(
        customer_ids=np.array(columns[0], dtype=np.int64),
        x=np.array(columns[1], dtype=np.float64) - 1,
        t_x=(last - first).astype(np.float64) / DAYS_PER_WEEK,
        T=(horizon - first).astype(np.float64) / DAYS_PER_WEEK,
        mean_value=np.array([float(t) for t in totals]) / np.array(columns[4], dtype=np.float64),
        total=totals,
        holdout_purchases=np.array(columns[7], dtype=np.float64) if holdout_end else np.zeros(len(rows)),
        churned_on=np.array([c or "NaT" for c in columns[6]], dtype="datetime64[D]"),
    )


def order_currencies() -> list[str]:
    return list(
        Order.objects.values("currency")
        .annotate(n=Count("pk"))
        .order_by("-n", "currency")
        .values_list("currency", flat=True)
    )


def latest_version() -> int | None:
    return LifetimeFit.objects.aggregate(v=Max("version"))["v"]


def latest_fits() -> list[LifetimeFit]:
    version = latest_version()
    if version is None:
        return []
    return list(LifetimeFit.objects.filter(version=version).annotate(n=Count("predictions")).order_by("-n", "currency"))


def latest_fit(currency: str | None) -> LifetimeFit | None:
    fits = latest_fits()
    if not fits:
        return None
    if currency is None:
        return fits[0]
    return next((f for f in fits if f.currency == currency), None)


@dataclass(frozen=True)
class ValueBucket:
    low: Decimal
    high: Decimal
    customers: int


@dataclass(frozen=True)
class ValueSummary:
    customers: int
    historical_total: Decimal
    predicted_total: Decimal
    predicted_mean: Decimal | None
    predicted_median: Decimal | None
    predicted_p90: Decimal | None


def predictions(fit: LifetimeFit) -> QuerySet[LifetimePrediction]:
    return fit.predictions.select_related("customer").order_by("-predicted_value", "customer_id")


def value_summary(fit: LifetimeFit) -> ValueSummary:
    totals = fit.predictions.aggregate(h=Sum("historical_value"), p=Sum("predicted_value"), n=Count("pk"))
    values = np.array(fit.predictions.values_list("predicted_value", flat=True), dtype=np.float64)
    q = np.quantile(values, [0.5, 0.9]) if values.size else None
    return ValueSummary(
        customers=totals["n"],
        historical_total=totals["h"] or Decimal(0),
        predicted_total=totals["p"] or Decimal(0),
        predicted_mean=money(values.mean()) if values.size else None,
        predicted_median=money(q[0]) if q is not None else None,
        predicted_p90=money(q[1]) if q is not None else None,
    )


def value_distribution(fit: LifetimeFit, *, field: str = "predicted_value", buckets: int = 12) -> list[ValueBucket]:
    """Customers per value band, equal-width bands from 0 to the 99th percentile (the rest in the last)."""
    if field not in ("predicted_value", "historical_value"):
        raise ValueError("field must be predicted_value or historical_value")
    values = np.array(fit.predictions.values_list(field, flat=True), dtype=np.float64)
    if not values.size:
        return []
    top = float(np.quantile(values, 0.99)) or float(values.max()) or 1.0
    edges = np.linspace(0.0, top, buckets + 1)
    counts = np.bincount(np.clip(np.searchsorted(edges, values, side="right") - 1, 0, buckets - 1), minlength=buckets)
    return [ValueBucket(money(edges[i]), money(edges[i + 1]), int(counts[i])) for i in range(buckets)]


def money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2)))


def customer_values(customer_id: int) -> list[LifetimePrediction]:
    """The customer's predictions from the newest fit, one per currency."""
    version = latest_version()
    if version is None:
        return []
    return list(
        LifetimePrediction.objects.filter(customer_id=customer_id, fit__version=version)
        .select_related("fit")
        .order_by("fit__currency")
    )


def historical_value(customer_id: int) -> list[tuple[str, Decimal, int]]:
    """Everything the customer has ordered, per currency: (currency, total, orders)."""
    return [
        (c, t, n)
        for c, t, n in Order.objects.filter(customer_id=customer_id)
        .values("currency")
        .annotate(t=Sum("amount"), n=Count("pk"))
        .order_by("currency")
        .values_list("currency", "t", "n")
    ]


def holdout_window(as_of: date, holdout_days: int) -> tuple[date, date]:
    """(end of calibration, end of holdout), both exclusive."""
    end = as_of + timedelta(days=1)
    return end - timedelta(days=holdout_days), end
