"""The holdout comparison and the observational one, each as sums computed in SQL per group.

Causal: customers a rule selected for a hub invitation were drawn at random into ``invited`` or
``holdout`` (``advocates.holdout``). Over the same window after each draw we compare revenue per
customer, the share still customers (not churned) and referrals. The comparison is by intention to
treat: an invited customer who never joined still counts as invited, which is what the invitation
policy causes. Only customers whose whole window has passed are counted.

The interval is Welch's, by the normal approximation: difference ± 1.96 × √(s₁²/n₁ + s₂²/n₂).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connection

from advocacy.insights.sqldates import as_date, plus_days

Z95 = 1.959964
MIN_GROUP = 30  # below this per group, no verdict and no incremental ROI


@dataclass(frozen=True)
class GroupSums:
    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float:
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True)
class Comparison:
    """Treated minus control, with Welch's 95 % interval."""

    metric: str
    unit: str
    treated: GroupSums
    control: GroupSums
    label: str  # causal or association

    @property
    def difference(self) -> float | None:
        if self.treated.mean is None or self.control.mean is None:
            return None
        return self.treated.mean - self.control.mean

    @property
    def standard_error(self) -> float | None:
        if self.treated.n < 2 or self.control.n < 2:
            return None
        return math.sqrt(self.treated.variance / self.treated.n + self.control.variance / self.control.n)

    @property
    def low(self) -> float | None:
        d, se = self.difference, self.standard_error
        return None if d is None or se is None else d - Z95 * se

    @property
    def high(self) -> float | None:
        d, se = self.difference, self.standard_error
        return None if d is None or se is None else d + Z95 * se

    @property
    def enough(self) -> bool:
        return self.treated.n >= MIN_GROUP and self.control.n >= MIN_GROUP

    def verdict(self, treated: str, control: str, action: str) -> str:
        if not self.enough or self.low is None or self.high is None or self.difference is None:
            return (
                f"Not enough data: n = {self.treated.n} {treated} vs {self.control.n} {control}; "
                f"at least {MIN_GROUP} in each are needed."
            )
        # An association is not an effect: its verdict says "goes with", never "adds".
        causal = self.label == "causal"
        if self.low > 0:
            word = "adds" if causal else "goes with more, by"
        elif self.high < 0:
            word = "lowers by" if causal else "goes with less, by"
        else:
            word = "makes no clear difference to"
        amount = abs(self.difference)
        if word == "makes no clear difference to":
            return (
                f"{action} {word} {self.metric} ({self.difference:+.2f} {self.unit}, 95 % interval "
                f"{self.low:.2f} to {self.high:.2f}, n = {self.treated.n} vs {self.control.n})."
            )
        return (
            f"{action} {word} {amount:.2f} {self.unit} in {self.metric}, 95 % interval {self.low:.2f} to "
            f"{self.high:.2f}, n = {self.treated.n} vs {self.control.n}."
        )


def holdout_sums(*, window_days: int, currency: str, today: dt.date) -> dict[str, dict[str, GroupSums]]:
    """Per group (invited, holdout): sums of revenue, still-a-customer and referrals over each
    customer's window after the draw, for draws whose window has passed."""
    drawn = as_date("h.assigned_at")
    end = plus_days(drawn, window_days)
    # Each customer's sums over their own window, aggregated once per table and joined: a hash join
    # instead of a subquery per customer.
    sql = f"""
        WITH drawn AS (
            SELECT h.customer_id, h."group" AS g, {drawn} AS d, {end} AS e
            FROM advocates_holdoutassignment h WHERE {end} <= %s
        ), rev AS (
            SELECT drawn.customer_id, SUM(o.amount) AS rev
            FROM drawn JOIN customers_order o ON o.customer_id = drawn.customer_id
            WHERE o.currency = %s AND o.ordered_on >= drawn.d AND o.ordered_on < drawn.e
            GROUP BY drawn.customer_id
        ), refs AS (
            SELECT drawn.customer_id, COUNT(*) AS refs
            FROM drawn
            JOIN advocates_advocate a ON a.customer_id = drawn.customer_id
            JOIN advocates_referrallink l ON l.advocate_id = a.id
            JOIN advocates_referral r ON r.link_id = l.id
            WHERE r.status = 'converted' AND {as_date("r.converted_at")} >= drawn.d
              AND {as_date("r.converted_at")} < drawn.e
            GROUP BY drawn.customer_id
        )
        SELECT g, COUNT(*), SUM(rev), SUM(rev * rev), SUM(kept), SUM(refs), SUM(refs * refs)
        FROM (
            SELECT drawn.g, COALESCE(rev.rev, 0) AS rev, COALESCE(refs.refs, 0) AS refs,
                   CASE WHEN c.churned_on IS NULL OR c.churned_on >= drawn.e THEN 1 ELSE 0 END AS kept
            FROM drawn
            JOIN customers_customer c ON c.id = drawn.customer_id
            LEFT JOIN rev ON rev.customer_id = drawn.customer_id
            LEFT JOIN refs ON refs.customer_id = drawn.customer_id
        ) per_customer
        GROUP BY g
    """  # noqa: S608 - our SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, currency])
        rows = cursor.fetchall()
    return {
        g: {
            "revenue": GroupSums(int(n), float(rev or 0), float(rev2 or 0)),
            "retention": GroupSums(int(n), float(kept or 0), float(kept or 0)),
            "referrals": GroupSums(int(n), float(refs or 0), float(refs2 or 0)),
        }
        for g, n, rev, rev2, kept, refs, refs2 in rows
    }


EMPTY = GroupSums(0, 0.0, 0.0)
METRICS = {
    "revenue": ("revenue", "{currency} per customer"),
    "retention": ("retention (share still customers)", "(share of customers, 0–1)"),
    "referrals": ("referrals", "referrals per customer"),
}


def holdout_comparison(*, window_days: int, currency: str, today: dt.date) -> list[Comparison]:
    sums = holdout_sums(window_days=window_days, currency=currency, today=today)
    invited, holdout = sums.get("invited", {}), sums.get("holdout", {})
    return [
        Comparison(
            metric=f"{label} over {window_days} days",
            unit=unit.format(currency=currency),
            treated=invited.get(key, EMPTY),
            control=holdout.get(key, EMPTY),
            label="causal",
        )
        for key, (label, unit) in METRICS.items()
    ]


def member_sums(*, since: dt.date, until: dt.date, currency: str) -> dict[str, dict[str, GroupSums]]:
    """Members (joined the hub before ``since``) and non-members (never joined), customers before
    ``since``: revenue in [since, until] and whether still customers at ``until``."""
    sql = f"""
        WITH rev AS (
            SELECT o.customer_id, SUM(o.amount) AS rev FROM customers_order o
            WHERE o.currency = %s AND o.ordered_on >= %s AND o.ordered_on <= %s
            GROUP BY o.customer_id
        )
        SELECT g, COUNT(*), SUM(rev), SUM(rev * rev), SUM(kept)
        FROM (
            SELECT CASE WHEN a.id IS NULL THEN 'non_member' ELSE 'member' END AS g,
                   COALESCE(rev.rev, 0) AS rev,
                   CASE WHEN c.churned_on IS NULL OR c.churned_on > %s THEN 1 ELSE 0 END AS kept
            FROM customers_customer c
            LEFT JOIN advocates_advocate a ON a.customer_id = c.id
            LEFT JOIN rev ON rev.customer_id = c.id
            WHERE (c.customer_since IS NULL OR c.customer_since < %s)
              AND (c.churned_on IS NULL OR c.churned_on >= %s)
              AND (a.id IS NULL OR {as_date("a.joined_at")} < %s)
        ) per_customer
        GROUP BY g
    """  # noqa: S608 - our SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [currency, since, until, until, since, since, since])
        rows = cursor.fetchall()
    return {
        g: {
            "revenue": GroupSums(int(n), float(rev or 0), float(rev2 or 0)),
            "retention": GroupSums(int(n), float(kept or 0), float(kept or 0)),
        }
        for g, n, rev, rev2, kept in rows
    }


def member_comparison(*, since: dt.date, until: dt.date, currency: str) -> list[Comparison]:
    sums = member_sums(since=since, until=until, currency=currency)
    members, others = sums.get("member", {}), sums.get("non_member", {})
    days = (until - since).days + 1
    return [
        Comparison(
            metric=f"{METRICS[key][0]} over {days} days",
            unit=METRICS[key][1].format(currency=currency),
            treated=members.get(key, EMPTY),
            control=others.get(key, EMPTY),
            label="association",
        )
        for key in ("revenue", "retention")
    ]


@dataclass(frozen=True)
class IncrementalRoi:
    lift_per_customer: float
    invited: int
    margin: float
    cost: float
    roi: float
    low: float
    high: float


def incremental_roi(revenue: Comparison, *, margin: float, cost: float) -> IncrementalRoi | None:
    """ROI of inviting from the measured lift: (lift × invited × margin − cost) ÷ cost, with the lift's
    interval carried through. None without enough data or cost."""
    if not revenue.enough or cost <= 0 or revenue.difference is None or revenue.low is None or revenue.high is None:
        return None
    n = revenue.treated.n

    def roi_at(lift: float) -> float:
        return (lift * n * margin - cost) / cost

    return IncrementalRoi(
        revenue.difference, n, margin, cost, roi_at(revenue.difference), roi_at(revenue.low), roi_at(revenue.high)
    )
