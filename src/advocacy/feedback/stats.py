"""The statistics behind every NPS, CSAT and CES figure: estimates with intervals, and differences.

Pure functions of counts and sums, no database. Every estimate carries its sample size ``n``;
``n = 0`` gives an estimate whose value and interval are ``None`` (the "no answers" state).
Non-answers (customers invited who did not answer) are never counted: ``n`` is answers only.

Formulas (95% level, z = 1.96):

NPS, in points from −100 to 100: NPS = 100·(P − D)/n with P promoters (9–10), D detractors (0–6).
    Interval by the adjusted-Wald method (Rocks 2016, "Interval estimation for the 'net promoter
    score'", The American Statistician 70(4)): n' = n + 3, p' = (P + 3/4)/n', d' = (D + 3/4)/n',
    centre = p' − d', Var = (p' + d' − (p' − d')²)/n', interval = centre ± z·√Var, clipped to
    [−1, 1] and shown in points. ``margin`` is z·√Var in points (half the unclipped width).
CSAT, in percent: share of answers 4–5 on the 1–5 scale, Wilson score interval:
    centre = (p̂ + z²/2n)/(1 + z²/n), half-width = z/(1 + z²/n)·√(p̂(1 − p̂)/n + z²/4n²).
CES, on the 1–7 scale: the mean, with a Student t interval mean ± t(0.975, n − 1)·s/√n
    (s the sample standard deviation); needs n ≥ 2 for an interval.

Differences (b − a, "from a to b"), two-sided tests at the 5% level:
    NPS: the raw difference is reported; the z test takes the difference of the two adjusted-Wald
        centres over SE = √(Var_a + Var_b), the two adjusted-Wald variances (Agresti–Caffo style).
    CSAT: two-proportion z test with the pooled proportion.
    CES: Welch's t test (unequal variances).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from advocacy.core.proportions import Z95
from advocacy.core.proportions import wilson_interval as wilson_interval  # re-exported: the CSAT interval

MIN_SAMPLE = 30
SIGNIFICANCE = 0.05

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


class Estimate(Protocol):
    """What every headline figure offers a page: a value, its interval, its n and a warning."""

    @property
    def n(self) -> int: ...

    @property
    def low(self) -> float | None: ...

    @property
    def high(self) -> float | None: ...

    @property
    def margin(self) -> float | None: ...

    @property
    def value(self) -> float | None: ...

    @property
    def metric(self) -> str: ...

    @property
    def warning(self) -> str | None: ...


def sample_warning(n: int, minimum: int = MIN_SAMPLE) -> str | None:
    """The caution a figure needs at this sample size, or None when it needs none."""
    if n == 0:
        return "no answers"
    if n < minimum:
        return f"fewer than {minimum} answers: treat as indicative"
    return None


# --- NPS -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NpsEstimate:
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    low: float | None
    high: float | None
    margin: float | None
    metric: str = "NPS"

    @property
    def value(self) -> float | None:
        return self.nps

    @property
    def warning(self) -> str | None:
        return sample_warning(self.n)

    def share(self, count: int) -> float | None:
        return 100 * count / self.n if self.n else None


def nps_adjusted(promoters: ArrayLike, detractors: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Adjusted-Wald centre and variance as fractions (−1…1), element-wise over arrays of counts."""
    p_count, d_count = np.asarray(promoters, dtype=float), np.asarray(detractors, dtype=float)
    n_adj = np.asarray(n, dtype=float) + 3.0
    p = (p_count + 0.75) / n_adj
    d = (d_count + 0.75) / n_adj
    centre = p - d
    return centre, (p + d - centre**2) / n_adj


def nps_interval(promoters: ArrayLike, detractors: ArrayLike, n: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """95% adjusted-Wald interval in points, clipped to [−100, 100], element-wise over arrays."""
    centre, variance = nps_adjusted(promoters, detractors, n)
    half = Z95 * np.sqrt(variance)
    return 100 * np.clip(centre - half, -1, 1), 100 * np.clip(centre + half, -1, 1)


def nps_estimate(promoters: int, passives: int, detractors: int) -> NpsEstimate:
    n = promoters + passives + detractors
    if n == 0:
        return NpsEstimate(0, 0, 0, 0, None, None, None, None)
    _, variance = nps_adjusted(promoters, detractors, n)
    low, high = nps_interval(promoters, detractors, n)
    return NpsEstimate(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        nps=100 * (promoters - detractors) / n,
        low=float(low),
        high=float(high),
        margin=float(100 * Z95 * math.sqrt(variance)),
    )


# --- CSAT ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsatEstimate:
    n: int
    satisfied: int
    csat: float | None
    low: float | None
    high: float | None
    margin: float | None
    metric: str = "CSAT"

    @property
    def value(self) -> float | None:
        return self.csat

    @property
    def warning(self) -> str | None:
        return sample_warning(self.n)


def csat_estimate(satisfied: int, n: int) -> CsatEstimate:
    """CSAT: the share of answers 4–5, in percent, with its Wilson interval."""
    if n == 0:
        return CsatEstimate(0, 0, None, None, None, None)
    low, high = wilson_interval(satisfied, n)
    return CsatEstimate(
        n=n,
        satisfied=satisfied,
        csat=100 * satisfied / n,
        low=float(100 * low),
        high=float(100 * high),
        margin=float(100 * (high - low) / 2),
    )


# --- CES -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CesEstimate:
    n: int
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None
    margin: float | None
    metric: str = "CES"

    @property
    def value(self) -> float | None:
        return self.mean

    @property
    def warning(self) -> str | None:
        return sample_warning(self.n)


def ces_estimate(n: int, total: float, sum_of_squares: float) -> CesEstimate:
    """CES mean with a t interval, from the count, the sum and the sum of squares of the scores."""
    if n == 0:
        return CesEstimate(0, None, None, None, None, None)
    mean = float(total) / n
    if n < 2:
        return CesEstimate(n, mean, None, None, None, None)
    # max(…, 0) absorbs floating-point rounding when every score is the same.
    sd = math.sqrt(max(sum_of_squares - n * mean**2, 0.0) / (n - 1))
    margin = float(sps.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return CesEstimate(n, mean, sd, mean - margin, mean + margin, margin)


# --- differences -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """b − a, with the test that says whether it could be chance."""

    metric: str
    n_a: int
    n_b: int
    difference: float | None
    se: float | None
    statistic: float | None
    p_value: float | None
    unit: str
    decimals: int

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE

    @property
    def verdict(self) -> str:
        return verdict(self)


def _no_difference(metric: str, n_a: int, n_b: int, unit: str, decimals: int) -> Difference:
    return Difference(metric, n_a, n_b, None, None, None, None, unit, decimals)


def _two_sided_z(difference: float, se: float) -> tuple[float | None, float | None]:
    if se <= 0:
        return None, None
    z = difference / se
    return z, float(2 * sps.norm.sf(abs(z)))


def nps_difference(a: NpsEstimate, b: NpsEstimate) -> Difference:
    if a.n == 0 or b.n == 0 or a.nps is None or b.nps is None:
        return _no_difference("NPS", a.n, b.n, "points", 1)
    centre_a, var_a = nps_adjusted(a.promoters, a.detractors, a.n)
    centre_b, var_b = nps_adjusted(b.promoters, b.detractors, b.n)
    difference = b.nps - a.nps
    se = 100 * math.sqrt(float(var_a + var_b))
    # The test uses the adjusted centres, as the interval does: with raw proportions a handful of
    # answers (say one promoter out of one) would look significantly different from everyone else.
    z, p = _two_sided_z(100 * float(centre_b - centre_a), se)
    return Difference("NPS", a.n, b.n, difference, se, z, p, "points", 1)


def csat_difference(a: CsatEstimate, b: CsatEstimate) -> Difference:
    if a.n == 0 or b.n == 0 or a.csat is None or b.csat is None:
        return _no_difference("CSAT", a.n, b.n, "percentage points", 1)
    pooled = (a.satisfied + b.satisfied) / (a.n + b.n)
    se = 100 * math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    difference = b.csat - a.csat
    z, p = _two_sided_z(difference, se)
    return Difference("CSAT", a.n, b.n, difference, se, z, p, "percentage points", 1)


def ces_difference(a: CesEstimate, b: CesEstimate) -> Difference:
    if a.mean is None or b.mean is None or a.sd is None or b.sd is None:
        return _no_difference("CES", a.n, b.n, "", 2)
    difference = b.mean - a.mean
    se = math.sqrt(a.sd**2 / a.n + b.sd**2 / b.n)
    if se == 0:
        return Difference("CES", a.n, b.n, difference, 0.0, None, None, "", 2)
    result = sps.ttest_ind_from_stats(b.mean, b.sd, b.n, a.mean, a.sd, a.n, equal_var=False)
    return Difference("CES", a.n, b.n, difference, se, float(result.statistic), float(result.pvalue), "", 2)


def difference(a: Estimate, b: Estimate) -> Difference:
    """The difference b − a by the test that fits the metric."""
    if isinstance(a, NpsEstimate) and isinstance(b, NpsEstimate):
        return nps_difference(a, b)
    if isinstance(a, CsatEstimate) and isinstance(b, CsatEstimate):
        return csat_difference(a, b)
    if isinstance(a, CesEstimate) and isinstance(b, CesEstimate):
        return ces_difference(a, b)
    raise TypeError(f"cannot compare {type(a).__name__} with {type(b).__name__}")


def format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(diff: Difference) -> str:
    """One plain sentence, e.g. 'down 12 points, significant (p = 0.003, n = 412 vs 398)'."""
    sizes = f"n = {diff.n_a} vs {diff.n_b}"
    if diff.difference is None:
        return f"no comparison: {'no answers' if min(diff.n_a, diff.n_b) == 0 else 'too few answers'} ({sizes})"
    size = round(abs(diff.difference), diff.decimals)
    unit = diff.unit.removesuffix("s") if size == 1 else diff.unit
    # One decimal where the change has one (24.6 → 27.4 reads "up 2.8", not "up 3"), none where it is whole.
    number = f"{size:.{diff.decimals}f}"
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    amount = f"{number} {unit}".rstrip()
    direction = "no change" if size == 0 else ("up" if diff.difference > 0 else "down")
    change = f"no change ({amount})" if size == 0 else f"{direction} {amount}"
    if diff.p_value is None:
        return f"{change}, no spread to test ({sizes})"
    if diff.significant:
        return f"{change}, significant ({format_p(diff.p_value)}, {sizes})"
    return f"{change}, not significant at {sizes} ({format_p(diff.p_value)})"
