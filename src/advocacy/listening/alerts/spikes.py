"""A spike: a day whose value stands out from the trailing baseline by a robust test.

Baseline: the median of the BASELINE_DAYS before the day; spread: the median absolute deviation
scaled by 1.4826 (so it estimates σ for normal data; Rousseeuw & Croux 1993). The robust z is
(value − median) / spread, and a day with z ≥ Z_THRESHOLD (and at least MIN_MENTIONS mentions) is a
spike. A floor on the spread keeps a flat, quiet history from calling every small bump a spike.
Cooldown: a spike within COOLDOWN_DAYS after the last alert of the same query and kind is the same spike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

BASELINE_DAYS = 28
Z_THRESHOLD = 4.0
MIN_MENTIONS = 8
MIN_SPREAD_COUNT = 1.5  # mentions a day
MIN_SPREAD_SHARE = 0.08  # of the negative share
COOLDOWN_DAYS = 7


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
