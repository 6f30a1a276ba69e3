"""Lifetime value: the BG/NBD and Gamma-Gamma fits recover known parameters; the stored fit; the 360 panel."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from advocacy.core.errors import InvalidInput
from advocacy.core.models import Job
from advocacy.insights.lifetime import btyd
from advocacy.insights.lifetime.queries import customer_values, latest_fit, rfm
from advocacy.insights.lifetime.services import fit_note, lifetime_fit_run
from advocacy.insights.lifetime.tasks import refit_lifetime_value
from advocacy.insights.models import LifetimeFit
from tests.insights.helpers import customer, order

# The CDNOW estimates of Fader, Hardie & Lee (2005): weekly purchase rates, dropout after a purchase.
TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def simulate_history(n: int, weeks: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Each customer's repeat purchase times (weeks after their first) from the BG/NBD process."""
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    histories = []
    for i in range(n):
        times, clock = [], 0.0
        while True:
            clock += rng.exponential(1 / lam[i])
            if clock > weeks:
                break
            times.append(clock)
            if rng.random() < p[i]:
                break
        histories.append(np.array(times))
    return histories


def test_bgnbd_recovers_the_parameters_it_was_simulated_with():
    x, t_x, T = btyd.simulate_bgnbd(6000, *TRUE.values(), T=39.0, rng=np.random.default_rng(3))
    fit = btyd.fit_bgnbd(x, t_x, T)
    for name, value in TRUE.items():
        assert fit.params()[name] == pytest.approx(value, rel=0.25), name


def test_bgnbd_predicts_the_purchases_of_a_holdout_period_on_simulated_customers():
    histories = simulate_history(4000, 78.0, np.random.default_rng(11))
    x = np.array([(h <= 39).sum() for h in histories], dtype=float)
    t_x = np.array([h[h <= 39].max() if (h <= 39).any() else 0.0 for h in histories])
    actual = np.array([(h > 39).sum() for h in histories], dtype=float)
    fit = btyd.fit_bgnbd(x, t_x, np.full(x.size, 39.0))
    predicted = btyd.expected_purchases(fit, 39.0, x, t_x, np.full(x.size, 39.0))
    assert predicted.mean() == pytest.approx(actual.mean(), rel=0.15)
    # Customers who bought more in the first half are expected to buy more in the second.
    assert predicted[x >= 3].mean() > predicted[x == 0].mean()
    assert np.all(btyd.p_alive(fit, x, t_x, np.full(x.size, 39.0))[x == 0] == 1.0)


def test_gamma_gamma_recovers_the_spend_parameters_it_was_simulated_with():
    rng = np.random.default_rng(5)
    p, q, gamma = 6.25, 3.74, 15.44
    x = rng.integers(1, 8, 5000)
    nu = rng.gamma(q, 1 / gamma, x.size)
    m = np.array([rng.gamma(p, 1 / nu[i], x[i]).mean() for i in range(x.size)])
    fit = btyd.fit_gamma_gamma(x, m)
    assert (fit.p, fit.q, fit.gamma) == pytest.approx((p, q, gamma), rel=0.15)
    assert fit.population_mean == pytest.approx(p * gamma / (q - 1), rel=0.1)
    single = btyd.expected_order_value(fit, [0], [0])
    assert single[0] == pytest.approx(fit.population_mean)


def test_too_little_data_is_refused_with_a_reason():
    with pytest.raises(btyd.FitFailed, match="at least 10 customers"):
        btyd.fit_bgnbd([0, 1], [0, 1], [2, 2])
    with pytest.raises(ValueError, match="t_x ≤ T"):
        btyd.fit_bgnbd([1], [5], [2])


@pytest.mark.django_db
def test_rfm_is_read_in_weeks_from_each_customers_first_order():
    who = customer(date(2025, 1, 1))
    for day in (date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 15), date(2025, 2, 12)):
        order(who, "10", day)
    data = rfm(currency="USD", end=date(2025, 3, 12), holdout_end=date(2025, 6, 1))
    assert (data.x.tolist(), data.t_x.tolist(), data.T.tolist()) == ([2.0], [6.0], [10.0])
    assert data.mean_value.tolist() == [10.0] and data.holdout_purchases.tolist() == [0.0]


@pytest.mark.django_db
def test_a_fit_is_stored_with_its_method_its_holdout_error_and_every_customers_prediction():
    rng = np.random.default_rng(2)
    today = date.today()
    start = today - timedelta(days=720)
    for i in range(60):
        who = customer(start)
        days = sorted({0, *rng.integers(0, 720, int(rng.integers(0, 6))).tolist()})
        for d in days:
            order(who, str(40 + (i % 7) * 10 + int(rng.integers(0, 20))), start + timedelta(days=int(d)))

    (fit,) = lifetime_fit_run(holdout_days=180, horizon_days=365)

    assert fit.method.startswith("BG/NBD purchases with Gamma-Gamma spend")
    assert fit.version == 1 and fit.currency == "USD" and fit.customers == 60
    assert fit.calibration_mae is not None and fit.calibration_mae >= 0
    assert fit.predictions.count() == 60
    assert set(fit.parameters) == {"bgnbd", "gamma_gamma", "time_unit"}
    assert all(p.predicted_value >= 0 and 0 <= p.p_alive <= 1 for p in fit.predictions.all())
    assert lifetime_fit_run(holdout_days=180)[0].version == 2  # a second run adds a version, never edits
    assert latest_fit(None).version == 2
    assert len(customer_values(fit.predictions.first().customer_id)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"holdout_days": 0}, "holdout_days"),
        ({"horizon_days": -5}, "horizon_days"),
        ({"as_of": date.today() + timedelta(days=3)}, "as_of"),
    ],
)
def test_a_bad_window_is_refused_and_nothing_is_stored(kwargs, field):
    with pytest.raises(InvalidInput) as refused:
        lifetime_fit_run(**kwargs)
    assert field in refused.value.errors
    assert not LifetimeFit.objects.exists()


@pytest.mark.django_db
def test_the_fit_runs_as_a_durable_task(client_as):
    client_as("program_manager").post("/insights/lifetime/refit/")
    job = Job.objects.get()
    assert job.task_path == refit_lifetime_value.path
    assert refit_lifetime_value.call() == {"version": None, "currencies": []}  # no orders: nothing to fit


def test_a_holdout_prediction_far_from_what_happened_earns_a_warning():
    spend = btyd.GammaGamma(p=2.0, q=3.0, gamma=10.0, log_likelihood=0.0)
    assert btyd.population_mean_defined(spend)
    assert "read the predicted values with care" in fit_note(0.9, spend, 0.30, 1.20)
    assert fit_note(0.2, spend, 1.10, 1.20) == ""


def test_the_calibration_check_compares_predicted_and_actual_per_frequency():
    from advocacy.insights.lifetime.services import by_frequency

    x = np.array([0, 0, 1, 7, 9])
    rows = by_frequency(x, np.array([0.1, 0.3, 1.0, 3.0, 5.0]), np.array([0, 1, 1, 2, 4]))
    assert rows == [
        {"repeat_purchases": "0", "customers": 2, "predicted": 0.2, "actual": 0.5},
        {"repeat_purchases": "1", "customers": 1, "predicted": 1.0, "actual": 1.0},
        {"repeat_purchases": "6 or more", "customers": 2, "predicted": 4.0, "actual": 3.0},
    ]
