"""Who a challenge is for: its audience, as a query filter and as a test of one advocate."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from advocacy.advocates.models import (
    Advocate,
    Challenge,
    Tier,
)
from advocacy.core.errors import InvalidInput

# Audience: who a challenge is for. Supported keys (all optional, combined with AND; empty = all advocates):
#   "tiers":      advocate-score tiers, e.g. ["champion", "likely"]
#   "regions":    account regions, e.g. ["EMEA"]
#   "industries": account industries, e.g. ["Software"]
AUDIENCE_KEYS = {
    "tiers": "customer__advocate_score__tier",
    "regions": "customer__account__region",
    "industries": "customer__account__industry",
}


def check_audience(audience: Any) -> None:
    if not isinstance(audience, dict):
        raise InvalidInput({"audience": 'give an object such as {"tiers": ["champion"]}, or {} for all advocates'})
    unknown = sorted(set(audience) - set(AUDIENCE_KEYS))
    if unknown:
        raise InvalidInput({"audience": f"unknown key(s) {', '.join(unknown)}; use {', '.join(AUDIENCE_KEYS)}"})
    for key, values in audience.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidInput({"audience": f'{key} takes a list of words, e.g. ["EMEA"]'})
    bad_tiers = sorted(set(audience.get("tiers", [])) - set(Tier.values))
    if bad_tiers:
        raise InvalidInput({"audience": f"unknown tier(s) {', '.join(bad_tiers)}; use {', '.join(Tier.values)}"})


def audience_q(audience: dict[str, list[str]]) -> Q:
    condition = Q()
    for key, lookup in AUDIENCE_KEYS.items():
        if audience.get(key):
            condition &= Q(**{f"{lookup}__in": audience[key]})
    return condition


def audience_advocates(challenge: Challenge) -> QuerySet[Advocate]:
    return Advocate.objects.filter(audience_q(challenge.audience), active=True).select_related("customer")


def audience_facts(advocate: Advocate) -> dict[str, str | None]:
    """The advocate's value for each audience key, read once to test many challenges."""
    row = Advocate.objects.filter(pk=advocate.pk).values(*AUDIENCE_KEYS.values()).get()
    return {key: row[lookup] for key, lookup in AUDIENCE_KEYS.items()}


def audience_includes(audience: dict[str, list[str]], facts: dict[str, str | None]) -> bool:
    """The same rule as audience_q, for one advocate whose facts are already read."""
    return all(facts.get(key) in values for key, values in audience.items() if values)


def in_audience(challenge: Challenge, advocate: Advocate) -> bool:
    return audience_includes(challenge.audience, audience_facts(advocate))
