"""A spike: a day whose value stands out from the trailing baseline.

Volume, by a robust test. Baseline: the median of the BASELINE_DAYS before the day; spread: the median
absolute deviation scaled by 1.4826 (so it estimates σ for normal data; Rousseeuw & Croux 1993). The robust z is
(value − median) / spread, and a day with z ≥ Z_THRESHOLD (and at least MIN_MENTIONS mentions) is a
spike. A floor on the spread keeps a flat, quiet history from calling every small bump a spike.
Negative share, by a binomial test: with p0 the pooled negative share of the BASELINE_DAYS before, the
day's k negative mentions out of n are a spike when P(X ≥ k | n, p0) < SHARE_ALPHA (one-sided binomial
tail). A share of a handful of mentions swings widely, and the binomial tail knows n; a robust z on
the share alone raised false alarms on quiet days.
Cooldown: a spike within COOLDOWN_DAYS after the last alert of the same query and kind is the same spike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy.stats import binom

BASELINE_DAYS = 28
Z_THRESHOLD = 4.0
MIN_MENTIONS = 8
MIN_SPREAD_COUNT = 1.5  # mentions a day
COOLDOWN_DAYS = 7
SHARE_ALPHA = 1e-5  # a day's test among years of days and several queries: a strict level


@dataclass(frozen=True)
class Spike:
    day: date
    observed: float
    baseline: float
    spread: float
    score: float
    mentions: int


def robust_z(history: np.ndarray, value: float, floor: float) -> tuple[float, float, float]:
    median = float(np.median(history))
    spread = max(1.4826 * float(np.median(np.abs(history - median))), floor)
    return median, spread, (value - median) / spread


def spikes(
    days: list[date], counts: list[int], values: list[float], *, floor: float, last_alert: date | None
) -> list[Spike]:
    """Spikes in ``values`` (per day, with ``counts`` mentions), skipping days still in a cooldown."""
    found: list[Spike] = []
    array = np.asarray(values, dtype=float)
    for i in range(BASELINE_DAYS, len(days)):
        if counts[i] < MIN_MENTIONS:
            continue
        if last_alert is not None and days[i] - last_alert <= timedelta(days=COOLDOWN_DAYS):
            continue
        median, spread, z = robust_z(array[i - BASELINE_DAYS : i], float(array[i]), floor)
        if z >= Z_THRESHOLD:
            found.append(Spike(days[i], float(array[i]), median, spread, z, counts[i]))
            last_alert = days[i]
    return found


def share_spikes(days: list[date], totals: list[int], negatives: list[int], *, last_alert: date | None) -> list[Spike]:
    """Days whose negative share is improbably high given the trailing pooled share (binomial tail)."""
    found: list[Spike] = []
    total, negative = np.asarray(totals), np.asarray(negatives)
    for i in range(BASELINE_DAYS, len(days)):
        if totals[i] < MIN_MENTIONS:
            continue
        if last_alert is not None and days[i] - last_alert <= timedelta(days=COOLDOWN_DAYS):
            continue
        seen = int(total[i - BASELINE_DAYS : i].sum())
        if seen == 0:
            continue
        p0 = min(max(float(negative[i - BASELINE_DAYS : i].sum()) / seen, 1e-3), 0.999)
        p_value = float(binom.sf(negatives[i] - 1, totals[i], p0))
        if p_value < SHARE_ALPHA:
            score = -float(np.log10(max(p_value, 1e-300)))
            found.append(Spike(days[i], negatives[i] / totals[i], p0, 0.0, score, totals[i]))
            last_alert = days[i]
    return found
