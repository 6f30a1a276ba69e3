"""Random but reproducible scoring inputs, for checking that the stored reason codes render the very
sentences the score wrote in words before the codes (tests/advocates/data/reasons_in_words.json)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from advocacy.advocates.scoring.method import Features

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GOLDEN = "reasons_in_words.json"


def with_gaps(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """``values`` as floats with a ``share`` of them unknown (NaN)."""
    out = values.astype(float)
    out[rng.random(len(out)) < share] = np.nan
    return out


def random_features(n: int = 300, seed: int = 13) -> Features:
    rng = np.random.default_rng(seed)
    lams = {"referral_events": 1.0, "reviews": 1.5, "referrals": 1.2, "reference_calls": 0.8, "stories": 0.6}
    counts = {name: rng.poisson(lam, n) * (rng.random(n) < 0.5) for name, lam in lams.items()}
    events_90 = rng.poisson(6, n) * (rng.random(n) < 0.8)
    nps = with_gaps(rng, rng.integers(0, 11, n), 0.3)
    nps_previous = with_gaps(rng, rng.integers(0, 11, n), 0.5)
    nps_previous[np.isnan(nps)] = np.nan  # a previous answer implies a latest one
    days = rng.random(n) * rng.choice([1.0, 3.0, 60.0, 400.0], n)
    whole = rng.random(n) < 0.2
    days[whole] = rng.integers(0, 4, whole.sum())  # exactly 0, 1, 2 or 3 days: today, yesterday, …
    return Features(
        now=NOW,
        ids=np.arange(1, n + 1, dtype=np.int64),
        tenure_days=with_gaps(rng, rng.integers(0, 4000, n), 0.1),
        churned_days_ago=with_gaps(rng, rng.integers(0, 400, n), 0.9),
        events_90=events_90,
        events_365=events_90 + rng.poisson(4, n),
        days_since_event=with_gaps(rng, days, 0.15),
        reviews=counts["reviews"],
        referral_events=counts["referral_events"],
        revenue=np.round(rng.lognormal(6, 2, n) * (rng.random(n) < 0.7), 2),
        currency=rng.choice(np.array(["USD", "EUR", "JPY"], dtype=object), n),
        nps=nps,
        nps_previous=nps_previous,
        csat=with_gaps(rng, rng.integers(1, 6, n), 0.4),
        detractor_days_ago=with_gaps(rng, rng.random(n) * 90, 0.7),
        referrals=counts["referrals"],
        reference_calls=counts["reference_calls"],
        stories=counts["stories"],
        challenges=rng.poisson(2.0, n) * (rng.random(n) < 0.5),
        open_cases=rng.poisson(0.7, n) * (rng.random(n) < 0.5),
    )
