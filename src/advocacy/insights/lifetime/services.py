"""Fitting the lifetime value models and storing a versioned fit with every customer's prediction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from advocacy.core.errors import InvalidInput
from advocacy.insights.lifetime import btyd
from advocacy.insights.lifetime.queries import DAYS_PER_WEEK, Rfm, holdout_window, money, order_currencies, rfm
from advocacy.insights.models import LifetimeFit, LifetimePrediction

METHOD = "BG/NBD purchases with Gamma-Gamma spend, fitted by maximum likelihood (scipy)"
DEFAULT_HOLDOUT_DAYS = 365
DEFAULT_HORIZON_DAYS = 365
MAX_DAYS = 10 * 366


def check_windows(*, as_of: date, holdout_days: int, horizon_days: int) -> None:
    errors = {}
    for name, days in (("holdout_days", holdout_days), ("horizon_days", horizon_days)):
        if days <= 0:
            errors[name] = "must be at least one day (a window of zero days predicts nothing)"
        elif days > MAX_DAYS:
            errors[name] = f"at most {MAX_DAYS} days"
    if as_of > timezone.localdate():
        errors["as_of"] = "lies in the future; a fit can only use orders that have happened"
    if errors:
        raise InvalidInput(errors)


MAX_FREQUENCY_ROW = 6  # calibration rows for 0 … 5 repeat purchase days, then "6 or more"


@dataclass(frozen=True)
class Calibration:
    customers: int
    mae: float | None = None
    predicted_mean: float | None = None
    actual_mean: float | None = None
    by_frequency: list[dict[str, float | int | str]] = field(default_factory=list)


def calibration_check(currency: str, as_of: date, holdout_days: int) -> Calibration:
    """Fit on the history before the holdout, predict the holdout's purchases, compare with what happened."""
    cal_end, end = holdout_window(as_of, holdout_days)
    data = rfm(currency=currency, end=cal_end, holdout_end=end)
    try:
        model = btyd.fit_bgnbd(data.x, data.t_x, data.T)
    except btyd.FitFailed:
        return Calibration(data.n)
    predicted = btyd.expected_purchases(model, holdout_days / DAYS_PER_WEEK, data.x, data.t_x, data.T)
    predicted[data.churned_before(cal_end)] = 0.0
    actual = data.holdout_purchases
    return Calibration(
        customers=data.n,
        mae=float(np.mean(np.abs(predicted - actual))),
        predicted_mean=float(predicted.mean()),
        actual_mean=float(actual.mean()),
        by_frequency=by_frequency(data.x, predicted, actual),
    )


def by_frequency(x: np.ndarray, predicted: np.ndarray, actual: np.ndarray) -> list[dict[str, float | int | str]]:
    """The classic BG/NBD check: mean predicted and actual holdout purchases per calibration frequency."""
    bucket = np.minimum(x, MAX_FREQUENCY_ROW).astype(int)
    rows: list[dict[str, float | int | str]] = []
    for k in range(MAX_FREQUENCY_ROW + 1):
        mine = bucket == k
        if mine.any():
            label = f"{k} or more" if k == MAX_FREQUENCY_ROW else str(k)
            rows.append(
                {
                    "repeat_purchases": label,
                    "customers": int(mine.sum()),
                    "predicted": round(float(predicted[mine].mean()), 4),
                    "actual": round(float(actual[mine].mean()), 4),
                }
            )
    return rows


def prediction_rows(
    fit: LifetimeFit, data: Rfm, purchases: btyd.BgNbd, spend: btyd.GammaGamma
) -> list[LifetimePrediction]:
    expected = np.nan_to_num(
        btyd.expected_purchases(purchases, fit.horizon_days / DAYS_PER_WEEK, data.x, data.t_x, data.T)
    )
    alive = btyd.p_alive(purchases, data.x, data.t_x, data.T)
    # BG/NBD is for customers whose leaving is never seen; where the CRM records a churn, it is known.
    gone = data.churned_before(fit.as_of + timedelta(days=1))
    expected[gone], alive[gone] = 0.0, 0.0
    order_value = btyd.expected_order_value(spend, data.x, data.mean_value)
    return [
        LifetimePrediction(
            fit=fit,
            customer_id=int(data.customer_ids[i]),
            purchase_days=int(data.x[i]) + 1,
            historical_value=data.total[i],
            expected_purchases=max(float(expected[i]), 0.0),
            p_alive=float(np.clip(alive[i], 0.0, 1.0)),
            expected_order_value=money(order_value[i]),
            predicted_value=money(max(float(expected[i]), 0.0) * float(order_value[i])),
        )
        for i in range(data.n)
    ]


def fit_currency(
    *, version: int, currency: str, as_of: date, holdout_days: int, horizon_days: int
) -> LifetimeFit | None:
    data = rfm(currency=currency, end=holdout_window(as_of, holdout_days)[1])
    try:
        purchases = btyd.fit_bgnbd(data.x, data.t_x, data.T)
        spend = btyd.fit_gamma_gamma(data.x, data.mean_value)
    except btyd.FitFailed:
        return None
    check = calibration_check(currency, as_of, holdout_days)
    fit = LifetimeFit.objects.create(
        version=version,
        currency=currency,
        method=METHOD,
        as_of=as_of,
        holdout_days=holdout_days,
        horizon_days=horizon_days,
        parameters={"bgnbd": purchases.params(), "gamma_gamma": spend.params(), "time_unit": "week"},
        customers=data.n,
        calibration_customers=check.customers,
        calibration_mae=check.mae,
        calibration_predicted_mean=check.predicted_mean,
        calibration_actual_mean=check.actual_mean,
        calibration_by_frequency=check.by_frequency,
        note=fit_note(check.mae, spend, check.predicted_mean, check.actual_mean),
    )
    LifetimePrediction.objects.bulk_create(prediction_rows(fit, data, purchases, spend), batch_size=2000)
    return fit


OFF_BY = 0.25  # a holdout mean this far from the actual one earns a warning on the page


def fit_note(
    mae: float | None, spend: btyd.GammaGamma, predicted: float | None = None, actual: float | None = None
) -> str:
    notes = []
    if mae is None:
        notes.append("Too little history before the holdout to check the fit.")
    elif predicted is not None and actual and abs(predicted - actual) > OFF_BY * actual:
        notes.append(
            f"On the held-out year the model predicted {predicted:.2f} purchase days per customer where "
            f"{actual:.2f} happened: read the predicted values with care (regular renewals, as in a "
            "subscription, break the model's assumption of random buying)."
        )
    if not btyd.population_mean_defined(spend):
        notes.append(
            "Spend varies too much between customers for the Gamma-Gamma population mean (q ≤ 1): customers "
            "with a single purchase day are valued at the repeat buyers' mean order value."
        )
    return " ".join(notes)


@transaction.atomic
def lifetime_fit_run(
    *, as_of: date | None = None, holdout_days: int = DEFAULT_HOLDOUT_DAYS, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> list[LifetimeFit]:
    """A new version: one fit per order currency with enough customers, each with its predictions."""
    day = as_of or timezone.localdate()
    check_windows(as_of=day, holdout_days=holdout_days, horizon_days=horizon_days)
    version = (LifetimeFit.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    fits = []
    for currency in order_currencies():
        fit = fit_currency(
            version=version, currency=currency, as_of=day, holdout_days=holdout_days, horizon_days=horizon_days
        )
        if fit is not None:
            fits.append(fit)
    return fits
