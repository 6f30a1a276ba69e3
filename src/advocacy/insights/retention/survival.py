"""Kaplan–Meier survival curves with Greenwood confidence bands, and the log-rank test.

Pure, vectorised functions of arrays (no database): ``durations`` (days from the start of the
relationship to churn or to the end of observation), ``events`` (1 = churned, 0 = still a customer:
censored) and, for the test, integer ``groups``.

Kaplan–Meier (Kaplan & Meier 1958): at each distinct churn time t_i with n_i customers at risk and
d_i churns, S(t) = Π_{t_i ≤ t} (1 − d_i / n_i). A customer censored at t counts as at risk at t.
Greenwood's variance (Greenwood 1926): Var[S(t)] = S(t)² · Σ_{t_i ≤ t} d_i / (n_i (n_i − d_i)).
The 95% band uses the log(−log) transform (Kalbfleisch & Prentice 2002, §1.4), which keeps it inside
[0, 1]: with θ = Var / (S² · ln² S), the band is S^exp(±z·√θ).

Log-rank test (Mantel 1966; Peto & Peto 1972) for k groups: at every churn time, group j expects
E_ij = d_i · n_ij / n_i churns; V_jl = Σ_i d_i (n_i − d_i)/(n_i − 1) · n_ij/n_i · (δ_jl − n_il/n_i).
χ² = (O − E)ᵀ V⁻¹ (O − E) over k − 1 groups, with k − 1 degrees of freedom.

Written with numpy rather than taken from lifelines: both estimators are a few lines of cumulative
sums, the vectorised form runs over a million customers in well under a second, and the product
keeps one dependency fewer (see docs/insights.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

Z95 = 1.959963984540054

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve: one step per distinct event time, starting at time 0 with S = 1."""

    times: FloatArray
    survival: FloatArray
    low: FloatArray
    high: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray
    n: int
    churned: int

    def at(self, t: float) -> float:
        """S(t): the survival of the last step at or before t."""
        index = int(np.searchsorted(self.times, t, side="right")) - 1
        return float(self.survival[max(index, 0)])

    def at_risk_at(self, t: float) -> int:
        """How many were still observed (neither churned nor censored) just before t."""
        return int(self.n - np.searchsorted(self._exits, t, side="left"))

    @property
    def _exits(self) -> FloatArray:
        steps = self.events[1:] + self.censored[1:]
        return np.repeat(self.times[1:], steps).astype(np.float64)


@dataclass(frozen=True)
class LogRank:
    chi_square: float
    degrees_of_freedom: int
    p_value: float
    observed: FloatArray
    expected: FloatArray

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


def check_inputs(durations: npt.ArrayLike, events: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
    t = np.asarray(durations, dtype=np.float64)
    e = np.asarray(events, dtype=np.int64)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("durations and events must be one-dimensional arrays of the same length")
    if t.size and (np.isnan(t).any() or (t < 0).any()):
        raise ValueError("durations must be zero or positive numbers")
    if not np.isin(e, (0, 1)).all():
        raise ValueError("events must be 0 (still a customer) or 1 (churned)")
    return t, e


MAX_DAY_GRID = 10_000_000  # whole-day durations up to this many are counted on a grid, without sorting


def time_codes(t: FloatArray) -> tuple[FloatArray, IntArray]:
    """The distinct times (ascending) and each customer's index into them.

    Durations in whole days (the usual case) are their own index on a grid of days, which
    ``np.bincount`` counts in one pass; other durations are sorted by ``np.unique``."""
    if t.size and t.max() < MAX_DAY_GRID and np.array_equal(t, np.floor(t)):
        days = t.astype(np.int64)
        return np.arange(int(days.max()) + 1, dtype=np.float64), days
    times, inverse = np.unique(t, return_inverse=True)
    return times, inverse.astype(np.int64)


def kaplan_meier(durations: npt.ArrayLike, events: npt.ArrayLike, z: float = Z95) -> Curve:
    t, e = check_inputs(durations, events)
    grid, codes = time_codes(t)
    exits_all = np.bincount(codes, minlength=grid.size)
    seen = exits_all > 0
    times = grid[seen]
    exits = exits_all[seen].astype(np.int64)
    deaths = np.bincount(codes, weights=e, minlength=grid.size)[seen].astype(np.int64)
    at_risk = t.size - np.concatenate(([0], np.cumsum(exits)[:-1])).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - deaths / at_risk, 1.0)
        survival = np.cumprod(factor)
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), 0.0)
    greenwood = np.cumsum(terms)
    low, high = loglog_band(np.asarray(survival, dtype=np.float64), np.asarray(greenwood, dtype=np.float64), z)
    zero = np.zeros(1, dtype=np.int64)
    return Curve(
        times=np.concatenate(([0.0], times)),
        survival=np.concatenate(([1.0], survival)),
        low=np.concatenate(([1.0], low)),
        high=np.concatenate(([1.0], high)),
        at_risk=np.concatenate(([t.size], at_risk)).astype(np.int64),
        events=np.concatenate((zero, deaths)),
        censored=np.concatenate((zero, exits - deaths)),
        n=int(t.size),
        churned=int(e.sum()),
    )


def greenwood_variance(curve: Curve) -> FloatArray:
    """Var[S(t)] at each step of the curve (0 at time 0)."""
    n, d = curve.at_risk.astype(np.float64), curve.events.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n > d, d / (n * (n - d)), 0.0)
    return np.asarray(curve.survival**2 * np.cumsum(terms), dtype=np.float64)


def loglog_band(survival: FloatArray, greenwood: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """The 95% band on the log(−log S) scale; where S is 0 or 1 the band collapses onto S."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        inside = (survival > 0) & (survival < 1)
        theta = np.where(inside, np.sqrt(greenwood) / np.abs(log_s), 0.0)
        low = np.where(inside, survival ** np.exp(z * theta), survival)
        high = np.where(inside, survival ** np.exp(-z * theta), survival)
    return low, high


def log_rank(durations: npt.ArrayLike, events: npt.ArrayLike, groups: npt.ArrayLike) -> LogRank:
    """The k-group log-rank test; groups are any labels, at least two of them with customers."""
    t, e = check_inputs(durations, events)
    _, g = np.unique(np.asarray(groups), return_inverse=True)
    k = int(g.max()) + 1 if g.size else 0
    if k < 2:
        raise ValueError("the log-rank test needs at least two groups with customers")
    grid, codes = time_codes(t)
    churn_days = np.bincount(codes, weights=e, minlength=grid.size) > 0
    at_risk = np.empty((k, int(churn_days.sum())))
    deaths = np.empty_like(at_risk)
    for j in range(k):  # k groups (a handful), each counted in one pass over its customers
        mine = g == j
        exits = np.bincount(codes[mine], minlength=grid.size)
        before = np.cumsum(exits) - exits  # left the risk set strictly before each time
        at_risk[j] = (mine.sum() - before)[churn_days]
        deaths[j] = np.bincount(codes[mine & (e == 1)], minlength=grid.size)[churn_days]
    n, d = at_risk.sum(axis=0), deaths.sum(axis=0)
    share = at_risk / n
    observed, expected = deaths.sum(axis=1), (d * share).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    covariance = -np.einsum("i,ji,li->jl", weight, share, share)
    covariance[np.diag_indices(k)] += (weight * share).sum(axis=1)
    diff = (observed - expected)[:-1]
    chi_square = float(diff @ np.linalg.pinv(covariance[:-1, :-1]) @ diff)
    return LogRank(
        chi_square=chi_square,
        degrees_of_freedom=k - 1,
        p_value=float(sps.chi2.sf(chi_square, k - 1)),
        observed=observed,
        expected=expected,
    )
