"""Credit rules: how one order's (or deal's) value is shared among the touches before it.

Each rule is a SQL expression of ``rn`` (the touch's place, 1 = earliest) and ``n`` (touches of that
order), so the share is computed in the database. The shares of one order always add up to 1:

- first touch: all to the earliest;  last touch: all to the latest;  linear: 1/n each;
- position-based 40/20/40: 40 % each to the first and the last, the other 20 % split evenly among the
  touches between; with two touches 50/50, with one the whole.
"""

from __future__ import annotations

from advocacy.insights.models import CreditRule

WEIGHT_SQL = {
    CreditRule.FIRST_TOUCH: "CASE WHEN rn = 1 THEN 1.0 ELSE 0.0 END",
    CreditRule.LAST_TOUCH: "CASE WHEN rn = n THEN 1.0 ELSE 0.0 END",
    CreditRule.LINEAR: "1.0 / n",
    CreditRule.POSITION: (
        "CASE WHEN n = 1 THEN 1.0 WHEN n = 2 THEN 0.5 WHEN rn = 1 OR rn = n THEN 0.4 ELSE 0.2 / (n - 2) END"
    ),
}


def weight_sql(rule: str) -> str:
    return WEIGHT_SQL[CreditRule(rule)]


def weight(rule: str, rn: int, n: int) -> float:
    """The same shares in Python, for the docs and for tests that check the SQL against it."""
    if rule == CreditRule.FIRST_TOUCH:
        return 1.0 if rn == 1 else 0.0
    if rule == CreditRule.LAST_TOUCH:
        return 1.0 if rn == n else 0.0
    if rule == CreditRule.LINEAR:
        return 1.0 / n
    if n <= 2:
        return 1.0 / n
    return 0.4 if rn in (1, n) else 0.2 / (n - 2)
