"""Planted truths for retention and lifetime value: who churns, the churn chance of each NPS group, renewals due.

The generator draws each customer's churn from ``churn_chance`` (the one home of that rule), so the
manifest can state the true churn probability of promoters, passives and detractors: under the
response model of ``truth.py`` a customer of latent satisfaction s answers as a promoter with
probability P(promoter | s), so a group's true churn chance is the average of churn_chance(s)
weighted by P(group | s). Retention curves by NPS group must come out in the order planted here.

For lifetime value the demo is contractual (yearly renewals), so the planted check is plain: every
customer still with us who does not leave before their next anniversary renews once in the next
year. ``renewals_next_year`` counts them per currency.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from advocacy.demo import truth

if TYPE_CHECKING:
    from advocacy.demo.generator import CompanyPlan, CustomerPlan

CHURN_FLOOR = 0.05  # even the happiest customers leave sometimes (a merger, a closed shop)
CHURN_SPAN = 0.55
CHURN_MIDPOINT = 6.0  # the satisfaction below which leaving becomes likely
CHURN_SCALE = 0.9
HORIZON_DAYS = 365


def churn_chance(satisfaction: float) -> float:
    """The chance a customer leaves during the demo's history: rises steeply below a satisfaction of ~6."""
    return CHURN_FLOOR + CHURN_SPAN / (1.0 + math.exp(-(CHURN_MIDPOINT - satisfaction) / CHURN_SCALE))


def group_probabilities(satisfaction: float) -> dict[str, float]:
    promoter = truth.promoter_probability(satisfaction)
    detractor = truth.detractor_probability(satisfaction)
    return {"promoter": promoter, "passive": max(0.0, 1.0 - promoter - detractor), "detractor": detractor}


def churn_by_nps_group(satisfactions: Iterable[float]) -> dict[str, float]:
    """The true churn chance of the customers who would answer as each NPS group."""
    weight: defaultdict[str, float] = defaultdict(float)
    churn: defaultdict[str, float] = defaultdict(float)
    for s in satisfactions:
        chance = churn_chance(s)
        for group, p in group_probabilities(s).items():
            weight[group] += p
            churn[group] += p * chance
    return {g: round(churn[g] / weight[g], 4) for g in ("promoter", "passive", "detractor") if weight[g]}


def next_anniversary(since: date, today: date) -> date:
    years = max(today.year - since.year, 0)
    for extra in range(years, years + 3):
        try:
            day = since.replace(year=since.year + extra)
        except ValueError:
            day = since.replace(year=since.year + extra, day=28)
        if day > today:
            return day
    return today + timedelta(days=HORIZON_DAYS)


def renews(person: CustomerPlan, today: date) -> bool:
    if person.churned_on is not None:
        return False
    anniversary = next_anniversary(person.customer_since, today)
    return anniversary <= today + timedelta(days=HORIZON_DAYS) and (
        person.churn_on is None or person.churn_on > anniversary
    )


def retention_truth(plan: CompanyPlan) -> dict[str, Any]:
    chances = churn_by_nps_group(p.satisfaction for p in plan.customers)
    renewals = Counter(p.account.country.currency for p in plan.customers if renews(p, plan.today))
    return {
        "churn_model": (
            f"chance of leaving during the history = {CHURN_FLOOR} + {CHURN_SPAN} · "
            f"sigmoid(({CHURN_MIDPOINT} − satisfaction) / {CHURN_SCALE}); the day is uniform over the history"
        ),
        "churn_chance_by_nps_group": chances,
        "nps_groups_from_least_to_most_churn": sorted(chances, key=lambda g: chances[g]),
        "renewals_next_year": dict(sorted(renewals.items())),
        "renewals_horizon_days": HORIZON_DAYS,
    }
