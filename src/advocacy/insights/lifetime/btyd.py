"""Buy-till-you-die models fitted by maximum likelihood: BG/NBD for purchases, Gamma-Gamma for spend.

Pure numpy/scipy, no database. Each customer is summarised by RFM: ``x`` repeat purchases (purchase
days after the first), ``t_x`` the time of the last purchase and ``T`` the age, both counted from the
first purchase, in weeks; ``m`` the mean order value of customers with x ≥ 1.

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)):
while alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they
drop out with probability p ~ Beta(a, b). The log-likelihood of one customer (their eq. 6) is
    ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
    + ln[ (α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x) ].
Expected purchases in the next t weeks (their eq. 10):
    E[Y(t)] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
              / [1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)].
Probability still alive: 1 / [1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)].

Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4); Colombo & Jiang 1999): each order's
value ~ Gamma(p, ν) with ν ~ Gamma(q, γ) per customer, independent of the purchase process. For a
customer with x orders of mean value m the log-likelihood is
    ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x)
(the terms in the individual order values, which do not involve the parameters, are dropped), and the
expected value of their next order is (γ + m x) · p / (px + q − 1).

Written here rather than taken from pymc-marketing (a 173 MB tree of 56 wheels with pytensor,
numba and matplotlib, and a compile on first fit) or the unmaintained ``lifetimes``: the two
likelihoods are a dozen lines each, scipy's L-BFGS-B maximises them in well under a second for
tens of thousands of customers, and the test suite checks the fit recovers known parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize
from scipy.special import betaln, gammaln, hyp2f1

FloatArray = npt.NDArray[np.float64]


class FitFailed(ValueError):
    """Too little data, or the optimiser did not converge; the message says which."""


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float
    log_likelihood: float

    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def population_mean(self) -> float:
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("nan")


def as_arrays(*columns: npt.ArrayLike) -> list[FloatArray]:
    arrays = [np.asarray(c, dtype=np.float64) for c in columns]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError("the RFM columns must have the same length")
    return arrays


def check_rfm(x: FloatArray, t_x: FloatArray, T: FloatArray) -> None:
    if (x < 0).any() or (t_x < 0).any() or (T <= 0).any() or (t_x > T + 1e-9).any():
        raise ValueError("RFM must satisfy x ≥ 0, 0 ≤ t_x ≤ T and T > 0")


def bgnbd_log_likelihood(params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    gone = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf
        )
    return np.asarray(common + np.logaddexp(gone, dropped), dtype=np.float64)


def fit_bgnbd(x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> BgNbd:
    xs, txs, Ts = as_arrays(x, t_x, T)
    check_rfm(xs, txs, Ts)
    if xs.size < 10 or (xs > 0).sum() < 2:
        raise FitFailed("BG/NBD needs at least 10 customers, two of them with a repeat purchase")

    def negative(log_params: FloatArray) -> float:
        return -float(bgnbd_log_likelihood(np.exp(log_params), xs, txs, Ts).sum())

    start = np.log([1.0, max(float(Ts.mean()), 1.0), 1.0, 1.0])
    result = optimize.minimize(negative, start, method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 4)
    if not np.isfinite(result.fun):
        raise FitFailed(f"BG/NBD did not converge: {result.message}")
    r, alpha, a, b = np.exp(result.x)
    return BgNbd(float(r), float(alpha), float(a), float(b), -float(result.fun))


def expected_purchases(model: BgNbd, t: float, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:
    """Expected purchases in the next ``t`` weeks for each customer."""
    xs, txs, Ts = as_arrays(x, t_x, T)
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = t / (alpha + Ts + t)
    # For a < 1 both factors are negative and their product is the (positive) expectation.
    head = (a + b + xs - 1) / (a - 1 if abs(a - 1) > 1e-9 else 1e-9)
    body = 1 - ((alpha + Ts) / (alpha + Ts + t)) ** (r + xs) * hyp2f1(r + xs, b + xs, a + b + xs - 1, z)
    return np.asarray(head * body * p_alive(model, xs, txs, Ts), dtype=np.float64)


def p_alive(model: BgNbd, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:
    xs, txs, Ts = as_arrays(x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(
            xs > 0,
            model.a
            / np.maximum(model.b + xs - 1, 1e-300)
            * ((model.alpha + Ts) / (model.alpha + txs)) ** (model.r + xs),
            0.0,
        )
    return np.asarray(1.0 / (1.0 + odds), dtype=np.float64)


def gamma_gamma_log_likelihood(params: FloatArray, x: FloatArray, m: FloatArray) -> FloatArray:
    p, q, g = params
    px = p * x
    return np.asarray(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(g + m * x),
        dtype=np.float64,
    )


def fit_gamma_gamma(x: npt.ArrayLike, m: npt.ArrayLike) -> GammaGamma:
    """Fit on customers with at least one repeat purchase (x ≥ 1) and a positive mean value."""
    xs, ms = as_arrays(x, m)
    keep = (xs >= 1) & (ms > 0)
    xs, ms = xs[keep], ms[keep]
    if xs.size < 10:
        raise FitFailed("Gamma-Gamma needs at least 10 customers with a repeat purchase and a positive spend")

    def negative(log_params: FloatArray) -> float:
        return -float(gamma_gamma_log_likelihood(np.exp(log_params), xs, ms).sum())

    start = np.log([2.0, 3.0, max(float(ms.mean()), 1.0)])
    result = optimize.minimize(negative, start, method="L-BFGS-B", bounds=[(-10.0, 15.0)] * 3)
    if not np.isfinite(result.fun):
        raise FitFailed(f"Gamma-Gamma did not converge: {result.message}")
    p, q, g = np.exp(result.x)
    return GammaGamma(float(p), float(q), float(g), -float(result.fun))


def expected_order_value(model: GammaGamma, x: npt.ArrayLike, m: npt.ArrayLike) -> FloatArray:
    """E[value of the next order]. Customers without a repeat purchase get the population mean
    p·γ/(q − 1); where q ≤ 1 that mean does not exist (spend too heavy-tailed), and they get the
    observed mean order value of the repeat buyers instead (``population_mean_defined`` says which)."""
    xs, ms = as_arrays(x, m)
    repeat = (xs >= 1) & (ms > 0)
    fallback = (
        model.population_mean if population_mean_defined(model) else float(ms[repeat].mean() if repeat.any() else 0.0)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = (model.gamma + ms * xs) * model.p / (model.p * xs + model.q - 1)
    usable = repeat & np.isfinite(conditional) & (conditional >= 0)
    return np.asarray(np.where(usable, conditional, fallback), dtype=np.float64)


def population_mean_defined(model: GammaGamma) -> bool:
    return model.q > 1 and np.isfinite(model.population_mean)


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: float, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """RFM of ``n`` customers drawn from the BG/NBD process, each observed for ``T`` weeks after their
    first purchase: the reference data for the fit's tests and benchmark."""
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():  # one round per purchase, vectorised over the customers still buying
        clock[alive] += rng.exponential(1.0 / lam[alive])
        bought = alive & (clock <= T)
        x[bought] += 1
        t_x[bought] = clock[bought]
        alive = bought & (rng.random(n) >= p)
    return x, t_x, np.full(n, T)
