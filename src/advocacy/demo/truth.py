"""The latent model behind the demo company: what truly drives each customer's satisfaction.

The generator draws every customer's traits, computes a latent satisfaction from the named effects
below, and then lets that satisfaction drive what the customer visibly does (engagement, orders,
churn, consent). The same effects are written to the demo manifest, so a feature that estimates
NPS or finds advocates can be checked against the truth it is supposed to recover.

Survey answers follow one stated response model: answer = round(satisfaction + e), e ~ N(0, sd),
clamped to 0..10. From it the expected NPS of any group of customers follows exactly.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

INTERCEPT = 7.6
NOISE_SD = 1.1
RESPONSE_SD = 1.0
TENURE_CAP_YEARS = 5.0

# Named effects on the 0-10 satisfaction scale. "per_unit" effects multiply a measured quantity.
EFFECTS: dict[str, float] = {
    "region:North America": 0.0,
    "region:EMEA": 0.2,
    "region:APAC": -1.0,
    "region:LATAM": -0.3,
    "size:small": 0.0,
    "size:mid": 0.2,
    "size:enterprise": 0.5,
    "size:consumer": -0.4,
    "industry:Software": 0.4,
    "industry:Retail": -0.2,
    "industry:Healthcare": -0.5,
    "industry:Manufacturing": 0.0,
    "industry:Finance": -0.2,
    "industry:Education": 0.3,
    "industry:Logistics": -0.3,
    "industry:Hospitality": 0.1,
    "feature:analytics": 0.7,
    "feature:integrations": 0.4,
    "feature:mobile": 0.2,
    "competitor_product_owned": -0.5,
}
PER_UNIT_EFFECTS: dict[str, float] = {
    "support_contacts_per_month": -0.8,
    "tenure_years": 0.25,
}


@dataclass(frozen=True)
class Traits:
    """What the latent model reads about a customer."""

    region: str
    size: str
    industry: str
    features: frozenset[str]
    owns_competitor_product: bool
    support_contacts_per_month: float
    tenure_years: float


def expected_satisfaction(traits: Traits) -> float:
    """Satisfaction before the customer's own noise: the part the named effects explain."""
    value = INTERCEPT
    value += EFFECTS.get(f"region:{traits.region}", 0.0)
    value += EFFECTS.get(f"size:{traits.size}", 0.0)
    value += EFFECTS.get(f"industry:{traits.industry}", 0.0)
    value += sum(EFFECTS.get(f"feature:{feature}", 0.0) for feature in traits.features)
    if traits.owns_competitor_product:
        value += EFFECTS["competitor_product_owned"]
    value += PER_UNIT_EFFECTS["support_contacts_per_month"] * traits.support_contacts_per_month
    value += PER_UNIT_EFFECTS["tenure_years"] * min(traits.tenure_years, TENURE_CAP_YEARS)
    return value


def draw_satisfaction(traits: Traits, rng: random.Random) -> float:
    return clamp(expected_satisfaction(traits) + rng.gauss(0.0, NOISE_SD), 0.0, 10.0)


def nps_answer(satisfaction: float, rng: random.Random) -> int:
    """One simulated 0-10 answer under the response model (for later survey simulations)."""
    return int(clamp(round(satisfaction + rng.gauss(0.0, RESPONSE_SD)), 0, 10))


def promoter_probability(satisfaction: float) -> float:
    # An answer is 9 or 10 when satisfaction + e rounds to 9 or more, i.e. e >= 8.5 - s.
    return 1.0 - normal_cdf((8.5 - satisfaction) / RESPONSE_SD)


def detractor_probability(satisfaction: float) -> float:
    # An answer is 0..6 when satisfaction + e rounds to 6 or less, i.e. e < 6.5 - s.
    return normal_cdf((6.5 - satisfaction) / RESPONSE_SD)


def expected_nps(satisfactions: Iterable[float]) -> float | None:
    """The NPS a full census of these customers would show on average, or None for nobody."""
    values = list(satisfactions)
    if not values:
        return None
    net = sum(promoter_probability(s) - detractor_probability(s) for s in values)
    return round(100.0 * net / len(values), 2)


def segment_nps(groups: Mapping[str, list[float]]) -> dict[str, dict[str, float | int | None]]:
    return {name: {"n": len(values), "expected_nps": expected_nps(values)} for name, values in sorted(groups.items())}


def model_description() -> dict[str, object]:
    """The latent model as plain data, for the manifest."""
    return {
        "scale": "satisfaction 0-10 (true NPS propensity)",
        "intercept": INTERCEPT,
        "effects": EFFECTS,
        "per_unit_effects": PER_UNIT_EFFECTS,
        "tenure_cap_years": TENURE_CAP_YEARS,
        "customer_noise_sd": NOISE_SD,
        "response_model": f"answer = clamp(round(satisfaction + N(0, {RESPONSE_SD})), 0, 10)",
        "response_sd": RESPONSE_SD,
    }


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
