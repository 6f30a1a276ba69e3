"""Members vs non-members adjusted by propensity-score matching (still an association, not an effect).

Method: a logistic regression (scikit-learn) of membership on what was known at the window's start —
tenure, the year's revenue before it, account size and region — then, for each member, the
non-member with the nearest logit of the propensity (1:1, with replacement, within a caliper of 0.2
standard deviations of the logit; members without a match within it are dropped and counted). The
estimate is the mean of member − matched non-member revenue in the window (the effect on the treated,
were membership as good as random given these covariates — which it is not: what drives joining but
is not measured, such as enthusiasm, stays). Its 95 % interval is the normal approximation over the
matched pairs, which ignores the uncertainty of the fitted propensity and so is somewhat too narrow.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from django.db import connection

from advocacy.insights.sqldates import as_date

Z95 = 1.959964
CALIPER_SD = 0.2
MIN_MEMBERS = 30


@dataclass(frozen=True)
class Matched:
    method: str
    n_members: int
    n_matched: int
    n_unmatched: int
    difference: float
    low: float
    high: float


def covariates(*, since: dt.date, until: dt.date, currency: str) -> np.ndarray:
    """One row per customer at the window's start: member, tenure (days), revenue the year before,
    revenue in the window, size and region codes. One SQL statement."""
    year_before = since - dt.timedelta(days=365)
    sql = f"""
        SELECT CASE WHEN a.id IS NULL THEN 0 ELSE 1 END,
               COALESCE(c.customer_since, %s), COALESCE(acc.size, ''), COALESCE(acc.region, ''),
               COALESCE((SELECT SUM(o.amount) FROM customers_order o WHERE o.customer_id = c.id
                         AND o.currency = %s AND o.ordered_on >= %s AND o.ordered_on < %s), 0),
               COALESCE((SELECT SUM(o.amount) FROM customers_order o WHERE o.customer_id = c.id
                         AND o.currency = %s AND o.ordered_on >= %s AND o.ordered_on <= %s), 0)
        FROM customers_customer c
        LEFT JOIN customers_account acc ON acc.id = c.account_id
        LEFT JOIN advocates_advocate a ON a.customer_id = c.id
        WHERE (c.customer_since IS NULL OR c.customer_since < %s)
          AND (c.churned_on IS NULL OR c.churned_on >= %s)
          AND (a.id IS NULL OR {as_date("a.joined_at")} < %s)
    """  # noqa: S608 - our SQL; values are parameters
    params: list[dt.date | str] = [since, currency, year_before, since, currency, since, until, since, since, since]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return np.array(rows, dtype=object) if rows else np.empty((0, 6), dtype=object)


def design_matrix(rows: np.ndarray, since: dt.date) -> np.ndarray:
    tenure = np.array(
        [(since - (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)))).days for d in rows[:, 1]]
    )
    before = rows[:, 4].astype(float)
    columns = [np.log1p(np.maximum(tenure, 0)), np.log1p(before)]
    for index in (2, 3):  # size and region, one column per value seen
        values = rows[:, index].astype(str)
        columns += [(values == v).astype(float) for v in sorted(set(values))[1:]]
    return np.column_stack(columns)


def member_matched(*, since: dt.date, until: dt.date, currency: str) -> Matched | None:
    """The matched difference in revenue, or None with too few members or non-members to match."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import NearestNeighbors

    rows = covariates(since=since, until=until, currency=currency)
    if len(rows) == 0:
        return None
    member = rows[:, 0].astype(int) == 1
    if member.sum() < MIN_MEMBERS or (~member).sum() < MIN_MEMBERS:
        return None
    x, outcome = design_matrix(rows, since), rows[:, 5].astype(float)
    model = LogisticRegression(max_iter=1000).fit(x, member)
    p = np.clip(model.predict_proba(x)[:, 1], 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    caliper = CALIPER_SD * float(np.std(logit))
    neighbours = NearestNeighbors(n_neighbors=1).fit(logit[~member].reshape(-1, 1))
    distance, index = neighbours.kneighbors(logit[member].reshape(-1, 1))
    kept = distance[:, 0] <= caliper
    if kept.sum() < MIN_MEMBERS:
        return None
    pairs = outcome[member][kept] - outcome[~member][index[kept, 0]]
    mean, se = float(pairs.mean()), float(pairs.std(ddof=1) / math.sqrt(len(pairs)))
    return Matched(
        method="propensity-score matching: logistic regression on tenure, prior-year revenue, account size and "
        f"region; 1:1 nearest neighbour on the logit, with replacement, caliper {CALIPER_SD} SD",
        n_members=int(member.sum()),
        n_matched=int(kept.sum()),
        n_unmatched=int((~kept).sum()),
        difference=mean,
        low=mean - Z95 * se,
        high=mean + Z95 * se,
    )
