"""The interval of a share (promises kept, recurrences, CSAT): shared by every app that shows one."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Z95 = 1.96
FloatArray = npt.NDArray[np.float64]


def wilson_interval(successes: npt.ArrayLike, n: npt.ArrayLike, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a proportion, as fractions, element-wise over arrays."""
    x, total = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    p = x / total
    denominator = 1 + z**2 / total
    centre = (p + z**2 / (2 * total)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2))
    return centre - half, centre + half


def share_with_interval(hits: int, n: int) -> tuple[float | None, float | None, float | None]:
    """(share, low, high) in percent, or three Nones for n = 0."""
    if n <= 0:
        return None, None, None
    low, high = wilson_interval(hits, n)
    return 100 * hits / n, float(100 * low), float(100 * high)
